package savings

import "math"

// Plain double-precision exp and log for the eemeter 4.x daily model's
// fast path (dailySettings.exactPath off), where the tolerances,
// not eemeter's last bit, are the contract. Both reuse crmath.go's tables
// and are within about one unit in the last place of the true value
// (TestExpLogFastAccuracy), as Go's math.Exp and math.Log1p are, at a
// third of their cost: no special-case dispatch in range, a short
// polynomial, one table lookup.

// expF is exp(x): x = (256m + j)·ln2/256 + r, |r| ≤ ln2/512,
// exp(x) = 2^m · 2^(j/256) · (1 + r + r²/2 + … + r⁵/120). Arguments
// beyond ±700 (and NaN) go to math.Exp.
func expF(x float64) float64 {
	if !(x > -700 && x < 700) {
		return math.Exp(x)
	}
	const n = 256
	// k = round(x·256/ln2) by the 1.5·2^52 shifter: the sum's low bits
	// hold k (two's complement), its value less the shifter is k exactly
	const shifter = 0x1.8p52
	y := x*(n*log2e) + shifter
	k := int(int32(math.Float64bits(y)))
	kf := y - shifter
	// r = x − k·ln2/256 with ln2/256 in two parts, the first product and
	// difference rounded once (fused)
	r := math.FMA(-kf, ln2Hi/n, x) - kf*(ln2Mid/n)
	p := r + r*r*(0.5+r*(1.0/6+r*(1.0/24+r*(1.0/120))))
	t := &expTable[k&(n-1)]
	v := t.hi + (t.hi*p + t.lo)
	return v * math.Float64frombits(uint64((k>>8)+1023)<<52)
}

// log1pF is ln(1 + u) for u ≥ 0: below 1/128 its series to u¹⁰; above,
// 1 + u = 2^m·c·(1 + r), c from logTable (|r| ≤ 1/256), ln(1 + r) by its
// series to r⁸. Negative and non-finite u go to math.Log1p.
func log1pF(u float64) float64 {
	if !(u >= 0 && u < math.MaxFloat64) {
		return math.Log1p(u)
	}
	if u < 1.0/128 {
		return u - u*u*(0.5-u*(1.0/3-u*(0.25-u*(0.2-u*(1.0/6-u*(1.0/7-u*(0.125-u*(1.0/9-u*0.1))))))))
	}
	v := 1 + u
	// the rounding of 1 + u, put back as the first-order correction
	corr := (u - (v - 1)) / v
	bits := math.Float64bits(v)
	m := int(bits>>52) - 1023
	f := math.Float64frombits(bits&(1<<52-1) | 1023<<52)
	e := &logTable[(bits>>45)&127]
	r := (f - e.c) * e.inv.hi
	s := r - r*r*(0.5-r*(1.0/3-r*(0.25-r*(0.2-r*(1.0/6-r*(1.0/7-r*0.125))))))
	fm := float64(m)
	return fm*ln2Hi + (e.lnc.hi + (s + (fm*ln2Mid + e.lnc.lo + corr)))
}
