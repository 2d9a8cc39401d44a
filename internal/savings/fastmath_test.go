package savings

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// ulpDiff is |a − b| in units in the last place of b.
func ulpDiff(a, b float64) float64 {
	if a == b {
		return 0
	}
	u := math.Nextafter(math.Abs(b), math.Inf(1)) - math.Abs(b)
	return math.Abs(a-b) / u
}

// TestExpLogFastAccuracy holds expF and log1pF to 1.5 units in the last
// place of crmath.go's correctly rounded crExp and crLog (double-double,
// themselves checked in TestElementaryFunctionsAreCorrectlyRounded) over the
// arguments the daily model gives them, and checks a few values by hand:
// exp(0) = 1, exp(1) = e, ln(1 + 1) = ln 2, ln(1 + (e − 1)) = 1.
func TestExpLogFastAccuracy(t *testing.T) {
	if expF(0) != 1 || ulpDiff(expF(1), math.E) > 1 || ulpDiff(log1pF(1), math.Ln2) > 1 || ulpDiff(log1pF(math.E-1), 1) > 1 {
		t.Fatalf("exp(0) %v, exp(1) %v, ln 2 %v, ln e %v", expF(0), expF(1), log1pF(1), log1pF(math.E-1))
	}
	rng := rand.New(rand.NewPCG(5, 6))
	worstE, worstL := 0.0, 0.0
	for range 200000 {
		x := (rng.Float64()*2 - 1) * math.Pow(10, rng.Float64()*5-2) // ±0.01 … ±700
		if x > -700 && x < 700 {
			worstE = math.Max(worstE, ulpDiff(expF(x), crExp(x)))
		}
		u := math.Pow(10, rng.Float64()*40-10) // 1e-10 … 1e30
		// ln(1 + u) exactly enough: 1 + u in big.Float, then crLog of its
		// rounding plus the rounding's first-order correction
		bu := new(big.Float).SetPrec(200).SetFloat64(u)
		bv := new(big.Float).SetPrec(200).Add(bu, big.NewFloat(1))
		v, _ := bv.Float64()
		d, _ := new(big.Float).SetPrec(200).Sub(bv, new(big.Float).SetFloat64(v)).Float64()
		want := crLog(v) + d/v
		worstL = math.Max(worstL, ulpDiff(log1pF(u), want))
	}
	if worstE > 1.5 || worstL > 1.5 {
		t.Errorf("worst error: exp %.2f ulp, log1p %.2f ulp", worstE, worstL)
	}
	t.Logf("worst error: exp %.2f ulp, log1p %.2f ulp", worstE, worstL)
	for _, x := range []float64{math.NaN(), 800, -800, math.Inf(-1)} {
		if g, w := expF(x), math.Exp(x); g != w && !(math.IsNaN(g) && math.IsNaN(w)) {
			t.Errorf("expF(%v) = %v, want %v", x, g, w)
		}
	}
}

// TestNpSumKeepsPairwiseOrder: the written-out sum adds in the order of
// the general pairwise summation (NumPy's), bit for bit, for every length
// up to 600 on values of mixed magnitude, where the order shows.
func TestNpSumKeepsPairwiseOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := range 600 {
		x := make([]float64, n)
		for i := range x {
			x[i] = rng.NormFloat64() * math.Pow(10, float64(rng.IntN(30)-15))
		}
		if g, w := npSum(x), pairwise(x, 0, false); math.Float64bits(g) != math.Float64bits(w) {
			t.Fatalf("n %d: %v, pairwise %v", n, g, w)
		}
	}
}
