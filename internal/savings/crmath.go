package savings

import "math"

// Correctly rounded elementary functions.
//
// eemeter runs on NumPy/Numba over the C library's exp, log and pow
// (glibc's, which are correctly rounded in all but very rare cases), while
// Go's math.Exp and friends are faithful to within one unit in the last
// place but round differently in roughly one call in eight. The optimiser's
// path is sensitive to the last bit of the objective, so the functions on
// that path are computed here in double-double arithmetic (about 106 bits)
// and rounded once, which lands on the same double as a correctly rounded
// library almost always.

// dd is an unevaluated sum hi + lo with |lo| ≤ ulp(hi)/2.
type dd struct{ hi, lo float64 }

func twoSum(a, b float64) (s, e float64) {
	s = a + b
	bb := s - a
	e = (a - (s - bb)) + (b - bb)
	return s, e
}

func quickTwoSum(a, b float64) (s, e float64) {
	s = a + b
	e = b - (s - a)
	return s, e
}

func twoProd(a, b float64) (p, e float64) {
	p = a * b
	e = math.FMA(a, b, -p)
	return p, e
}

func ddAdd(a, b dd) dd {
	s, e := twoSum(a.hi, b.hi)
	t, f := twoSum(a.lo, b.lo)
	e += t
	s, e = quickTwoSum(s, e)
	e += f
	s, e = quickTwoSum(s, e)
	return dd{s, e}
}

func ddMul(a, b dd) dd {
	p, e := twoProd(a.hi, b.hi)
	e += a.hi*b.lo + a.lo*b.hi
	p, e = quickTwoSum(p, e)
	return dd{p, e}
}

func ddMulF(a dd, b float64) dd {
	p, e := twoProd(a.hi, b)
	e += a.lo * b
	p, e = quickTwoSum(p, e)
	return dd{p, e}
}

func ddDivF(a dd, b float64) dd {
	q1 := a.hi / b
	p, e := twoProd(q1, b)
	s, f := twoSum(a.hi, -p)
	f -= e
	f += a.lo
	q2 := (s + f) / b
	q1, q2 = quickTwoSum(q1, q2)
	return dd{q1, q2}
}

// ln 2 to about 160 bits as three doubles.
const (
	ln2Hi  = 0.6931471805599453          // 0x3FE62E42FEFA39EF
	ln2Mid = 2.3190468138462996e-17      // 0x3C7ABC9E3B39803F
	ln2Lo  = 5.707708438416212066e-34    // 0x3907B57A079A1934
	log2e  = 1.4426950408889634073599247 // 1/ln 2
)

// ddExp returns exp(x) in double-double for |x| ≤ 709: x = k·ln 2 + r,
// exp(r) by its Taylor series (|r| ≤ 0.35, 27 terms), scaled by 2^k.
func ddExp(x float64) (dd, int) {
	k := math.Round(x * log2e)
	// r = x − k·ln2 in double-double (k·ln2Hi is exact: k < 2^11)
	p1, e1 := twoProd(k, ln2Hi)
	r := ddAdd(dd{x, 0}, dd{-p1, -e1})
	r = ddAdd(r, ddMulF(dd{ln2Mid, ln2Lo}, -k))
	// exp(r) = Σ r^n/n!
	sum := dd{1, 0}
	term := dd{1, 0}
	for n := 1; n <= 27; n++ {
		term = ddDivF(ddMul(term, r), float64(n))
		sum = ddAdd(sum, term)
		if math.Abs(term.hi) < 1e-36*math.Abs(sum.hi) {
			break
		}
	}
	return sum, int(k)
}

// crExp is exp(x) correctly rounded (but in vanishingly rare cases).
func crExp(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return x
	case x > 709.782712893384:
		return math.Inf(1)
	case x < -745.1332191019412:
		return 0
	case x == 0:
		return 1
	}
	if x < -708 {
		return math.Exp(x) // subnormal results: Go's exp is exact enough here
	}
	s, k := ddExp(x)
	return math.Ldexp(s.hi+s.lo, k)
}

// ddLog returns ln x in double-double for finite x > 0: x = m·2^e with
// m ∈ [√½, √2), ln m = 2·atanh(s), s = (m − 1)/(m + 1), by its series.
func ddLog(x float64) dd {
	m, e := math.Frexp(x) // m ∈ [½, 1)
	if m < math.Sqrt2/2 {
		m *= 2
		e--
	}
	// s = (m − 1)/(m + 1) in double-double: m − 1 is exact (Sterbenz),
	// m + 1 is carried as a double-double
	num := m - 1
	dh, dl := twoSum(m, 1)
	sh := num / dh
	rem := math.FMA(-sh, dh, num) - sh*dl
	s := dd{sh, rem / dh}
	s.hi, s.lo = quickTwoSum(s.hi, s.lo)
	s2 := ddMul(s, s)
	sum := s
	pow := s
	for n := 3; n <= 61; n += 2 {
		pow = ddMul(pow, s2)
		t := ddDivF(pow, float64(n))
		sum = ddAdd(sum, t)
		if math.Abs(t.hi) < 1e-36*math.Abs(sum.hi) {
			break
		}
	}
	lnm := ddMulF(sum, 2)
	fe := float64(e)
	p1, e1 := twoProd(fe, ln2Hi)
	k := ddAdd(dd{p1, e1}, ddMulF(dd{ln2Mid, ln2Lo}, fe))
	return ddAdd(k, lnm)
}

// logSpecial returns a logarithm's value at NaN, negative, zero and
// infinite arguments, and false for finite positive ones.
func logSpecial(x float64) (float64, bool) {
	switch {
	case math.IsNaN(x) || x < 0:
		return math.NaN(), true
	case x == 0:
		return math.Inf(-1), true
	case math.IsInf(x, 1):
		return x, true
	}
	return 0, false
}

// crLog is ln x correctly rounded.
func crLog(x float64) float64 {
	if v, ok := logSpecial(x); ok {
		return v
	}
	if x == 1 {
		return 0
	}
	r := ddLog(x)
	return r.hi + r.lo
}

// ddExpDD is exp(a) for a double-double argument.
func ddExpDD(a dd) (dd, int) {
	s, k := ddExp(a.hi)
	// exp(hi + lo) = exp(hi)·(1 + lo + lo²/2)
	corr := ddAdd(dd{1, 0}, dd{a.lo, a.lo * a.lo / 2})
	return ddMul(s, corr), k
}

// crPow is x**y correctly rounded for x > 0 (the cases the model meets);
// other cases fall back to math.Pow.
func crPow(x, y float64) float64 {
	if !(x > 0) || math.IsInf(x, 0) || math.IsNaN(y) || math.IsInf(y, 0) || y == 0 || x == 1 {
		return math.Pow(x, y)
	}
	if y == 1 {
		return x
	}
	l := ddMulF(ddLog(x), y)
	if l.hi > 709.78 || l.hi < -708 {
		return math.Pow(x, y)
	}
	r, k := ddExpDD(l)
	return math.Ldexp(r.hi+r.lo, k)
}

// glibcLog10 is log10 as glibc computes it (sysdeps/ieee754/dbl-64/
// e_log10.c, from fdlibm): x = 2^k·m, log10 x = k·log10(2)_lo +
// ln(m)/ln 10 + k·log10(2)_hi, with glibc's (correctly rounded) ln.
func glibcLog10(x float64) float64 {
	const (
		ivln10   = 4.34294481903251816668e-01 // 0x3FDBCB7B1526E50E
		log102hi = 3.01029995663611771306e-01 // 0x3FD34413509F6000
		log102lo = 3.69423907715893078616e-13 // 0x3D59FEF311F12B36
	)
	if v, ok := logSpecial(x); ok {
		return v
	}
	bits := math.Float64bits(x)
	k := 0
	if bits>>52 == 0 { // subnormal
		x *= 1 << 54
		k -= 54
		bits = math.Float64bits(x)
	}
	hx := int32(bits >> 32)
	k += int(hx>>20) - 1023
	i := 0
	if k < 0 {
		i = 1
	}
	hx = (hx & 0x000fffff) | int32((0x3ff-i)<<20)
	y := float64(k + i)
	m := math.Float64frombits(uint64(uint32(hx))<<32 | bits&0xffffffff)
	z := y*log102lo + ivln10*crLog(m)
	return z + y*log102hi
}

// expTable holds 2^(j/256), j = 0…255, as double-doubles for fastExp.
var expTable = func() (t [256]dd) {
	for j := range t {
		// j·ln2/256 = (p + e + j·ln2Mid)/256 exactly enough
		p, e := twoProd(float64(j), ln2Hi)
		p, e = p/256, e/256
		c := e + float64(j)*ln2Mid/256
		s, k := ddExp(p)
		s = ddMul(s, ddAdd(dd{1, 0}, dd{c, c * c / 2}))
		t[j] = dd{math.Ldexp(s.hi, k), math.Ldexp(s.lo, k)}
	}
	return t
}()

// fastExp is exp(x) to about 80 bits before its final rounding, so it is
// correctly rounded in all but about one call in 10⁸; crExp is the slow
// reference. x = (256m + j)·ln2/256 + r, |r| ≤ ln2/512, exp(r) − 1 by a
// degree-6 Taylor polynomial with its first two terms in double-double.
func fastExp(x float64) float64 { return fastExpDD(x, 0) }

// logTable holds, for c = 1 + (j + ½)/128, j = 0…127, ln c as a
// double-double and 1/c, for fastLogDD.
var logTable = func() (t [128]struct {
	c        float64
	inv, lnc dd
}) {
	for j := range t {
		c := 1 + (float64(j)+0.5)/128
		t[j].c = c
		t[j].inv = ddDivF(dd{1, 0}, c)
		t[j].lnc = ddLog(c)
	}
	return t
}()

// fastLogDD is ln u for finite u > 0 as a double-double good to about 2⁻⁸⁰
// relative: u = 2^m·f, f ∈ [1, 2), f = c·(1 + r) with c from logTable
// (|r| ≤ 1/256), ln(1 + r) by its series with the first two terms in
// double-double.
func fastLogDD(u float64) dd {
	bits := math.Float64bits(u)
	m := int(bits>>52) - 1023
	if m == -1023 { // subnormal
		return ddLog(u)
	}
	f := math.Float64frombits(bits&(1<<52-1) | 1023<<52)
	e := &logTable[(bits>>45)&127]
	d := f - e.c // exact
	rh, rl := twoProd(d, e.inv.hi)
	rl += d * e.inv.lo
	r := dd{rh, rl}
	// ln(1 + r) = r − r²/2 + r³/3 − …
	q, qe := twoProd(r.hi, r.hi)
	q, qe = -q*0.5, -qe*0.5
	x := r.hi
	tail := x * x * x * (1.0/3 + x*(-1.0/4+x*(1.0/5+x*(-1.0/6+x*(1.0/7+x*(-1.0/8+x*(1.0/9+x*(-1.0/10+x*(1.0/11)))))))))
	tail -= x * r.lo // cross term of −r²/2
	sh, sl := twoSum(r.hi, q)
	sl += r.lo + qe + tail
	// + m·ln 2 + ln c
	fm := float64(m)
	p1, e1 := twoProd(fm, ln2Hi)
	e1 += fm * ln2Mid
	vh, vl := twoSum(p1, e.lnc.hi)
	vl += e1 + e.lnc.lo
	wh, wl := twoSum(vh, sh)
	wl += vl + sl
	wh, wl = quickTwoSum(wh, wl)
	return dd{wh, wl}
}

// fastExpDD is exp(xh + xl) (|xl| tiny) to about 2⁻⁷⁵, correctly rounded
// in all but rare cases (the method of fastExp).
func fastExpDD(xh, xl float64) float64 {
	if !(xh > -708 && xh < 709) {
		return crExp(xh + xl)
	}
	const n = 256
	kf := math.Round(xh * (n * log2e))
	k := int(kf)
	p1, e1 := twoProd(kf, ln2Hi/n)
	rh, rl := twoSum(xh, -p1)
	rl -= e1 + kf*(ln2Mid/n)
	rl += xl
	q2, q2e := twoProd(rh, rh)
	q2, q2e = q2*0.5, q2e*0.5
	small := rh*rh*rh*(1.0/6+rh*(1.0/24+rh*(1.0/120+rh*(1.0/720)))) + rh*rl
	sh, sl := twoSum(rh, q2)
	sl += rl + q2e + small
	j := k & (n - 1)
	t := &expTable[j]
	ph, pl := twoProd(t.hi, sh)
	pl += t.hi*sl + t.lo*sh
	vh, vl := twoSum(t.hi, ph)
	v := vh + (vl + t.lo + pl)
	m := (k - j) / n
	if m > -1022 && m < 1023 {
		return v * math.Float64frombits(uint64(m+1023)<<52)
	}
	return math.Ldexp(v, m)
}

// fastPow is u**e for finite u > 0, correctly rounded in all but rare
// cases (as glibc's pow is); other arguments go to math.Pow.
func fastPow(u, e float64) float64 {
	if !(u > 0) || math.IsInf(u, 0) || math.IsNaN(e) || math.IsInf(e, 0) {
		return math.Pow(u, e)
	}
	switch e {
	case 0:
		return 1
	case 1:
		return u
	case 0.5:
		return math.Sqrt(u)
	}
	if u == 1 {
		return 1
	}
	l := fastLogDD(u)
	yh, yl := twoProd(l.hi, e)
	yl += l.lo * e
	yh, yl = quickTwoSum(yh, yl)
	return fastExpDD(yh, yl)
}
