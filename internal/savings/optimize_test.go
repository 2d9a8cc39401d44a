package savings

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// Test functions with known minima (Jones, Perttunen & Stuckman 1993 use
// Branin's; Rosenbrock's valley is the classic Nelder–Mead test).
func branin(x []float64) float64 {
	a, b, c := 1.0, 5.1/(4*math.Pi*math.Pi), 5/math.Pi
	r, s, t := 6.0, 10.0, 1/(8*math.Pi)
	return a*math.Pow(x[1]-b*x[0]*x[0]+c*x[0]-r, 2) + s*(1-t)*math.Cos(x[0]) + s
}

func rosenbrock(x []float64) float64 {
	return 100*(x[1]-x[0]*x[0])*(x[1]-x[0]*x[0]) + (1-x[0])*(1-x[0])
}

// TestDirectFindsBraninMinimum: DIRECT reaches Branin's global minimum
// value 5/(4π) = 0.397887 on [−5, 10]×[0, 15] (Jones et al. 1993, table 2).
func TestDirectFindsBraninMinimum(t *testing.T) {
	stop := &nlStop{maxEval: 400}
	x, f, _ := direct(branin, []float64{-5, 0}, []float64{10, 15}, []float64{0, 0}, stop)
	if want := 5 / (4 * math.Pi); math.Abs(f-want) > 1e-3 {
		t.Fatalf("minimum %.6f at %v, want %.6f", f, x, want)
	}
	if stop.nevals != 400 {
		t.Errorf("%d evaluations, the budget is 400", stop.nevals)
	}
}

// TestDirectStopsOnRelativeFTolerance: with f tolerance 0.5, as eemeter
// sets it, DIRECT stops after the first pass whose improvement is smaller
// than half the mean of the old and new best values.
func TestDirectStopsOnRelativeFTolerance(t *testing.T) {
	stop := &nlStop{ftolRel: 0.5, maxEval: 199}
	_, _, ret := direct(branin, []float64{-5, 0}, []float64{10, 15}, []float64{0, 0}, stop)
	if ret != nlFtolReached {
		t.Fatalf("stopped with %v after %d evaluations, want the f tolerance", ret, stop.nevals)
	}
	if stop.nevals >= 199 {
		t.Errorf("%d evaluations: the tolerance should stop it early", stop.nevals)
	}
}

// TestSubplexMinimisesRosenbrock: Subplex from (−1.2, 1) reaches the
// minimum at (1, 1).
func TestSubplexMinimisesRosenbrock(t *testing.T) {
	x := []float64{-1.2, 1}
	stop := &nlStop{ftolRel: 1e-12, xtolRel: 1e-10, maxEval: 20000}
	f, _ := subplex(rosenbrock, []float64{-5, -5}, []float64{5, 5}, x, []float64{0.5, 0.5}, stop)
	if math.Abs(x[0]-1) > 1e-4 || math.Abs(x[1]-1) > 1e-4 || f > 1e-8 {
		t.Fatalf("minimum %g at %v, want 0 at (1, 1)", f, x)
	}
}

// TestSubplexStaysInBounds: a quadratic whose minimum lies outside the box
// is minimised on its boundary, and no evaluation leaves the box.
func TestSubplexStaysInBounds(t *testing.T) {
	lb, ub := []float64{0, 0, 0, 0, 0}, []float64{1, 1, 1, 1, 1}
	f := func(x []float64) float64 {
		s := 0.0
		for i, v := range x {
			if v < lb[i] || v > ub[i] {
				t.Fatalf("evaluated outside the box at %v", x)
			}
			s += (v - 2) * (v - 2)
		}
		return s
	}
	x := []float64{0.5, 0.5, 0.5, 0.5, 0.5}
	stop := &nlStop{ftolRel: 1e-10, xtolRel: 1e-10, maxEval: 5000}
	subplex(f, lb, ub, x, []float64{0.1, 0.1, 0.1, 0.1, 0.1}, stop)
	for i, v := range x {
		if math.Abs(v-1) > 1e-6 {
			t.Errorf("x[%d] = %g, want the bound 1", i, v)
		}
	}
}

// TestSubplexObeysEvaluationBudget: evaluations stop at maxEval exactly,
// as NLopt counts them.
func TestSubplexObeysEvaluationBudget(t *testing.T) {
	n := 0
	f := func(x []float64) float64 { n++; return rosenbrock(x) }
	stop := &nlStop{maxEval: 37}
	_, ret := subplex(f, []float64{-5, -5}, []float64{5, 5}, []float64{-1.2, 1}, []float64{0.5, 0.5}, stop)
	if ret != nlMaxEvalReached || n != 37 || stop.nevals != 37 {
		t.Fatalf("%v after %d evaluations (%d counted), want the budget of 37", ret, n, stop.nevals)
	}
}

// TestBrentMinimizeFindsParabolaVertex: Brent's method from SciPy's
// default bracket finds the vertex of a parabola to its tolerance.
func TestBrentMinimizeFindsParabolaVertex(t *testing.T) {
	for _, v := range []float64{-7.5, 0.3, 2, 40} {
		x := brentMinimize(func(s float64) float64 { return (s - v) * (s - v) }, 1e-8)
		if math.Abs(x-v) > 1e-6*math.Max(1, math.Abs(v)) {
			t.Errorf("vertex %g: got %g", v, x)
		}
	}
}

// TestBoundedMinimizeKeepsToBounds: fminbound finds an interior minimum
// and, for a monotone function, the bound.
func TestBoundedMinimizeKeepsToBounds(t *testing.T) {
	x, f := boundedMinimize(func(s float64) float64 { return math.Cos(s) }, 3, 4, 1e-5)
	if math.Abs(x-math.Pi) > 1e-4 || math.Abs(f+1) > 1e-8 {
		t.Errorf("cos on [3, 4]: %g at %g, want −1 at π", f, x)
	}
	x, _ = boundedMinimize(func(s float64) float64 { return s }, 0, 1, 1e-5)
	if x > 1e-4 {
		t.Errorf("s on [0, 1]: minimum at %g, want 0", x)
	}
}

// bigExp is exp(x) to 300 bits (range reduction by halving, Taylor series,
// squaring), the reference for the correctly rounded functions.
func bigExp(x *big.Float) *big.Float {
	const prec = 300
	f, _ := x.Float64()
	k := 0
	for a := math.Abs(f); a > 0.5; a /= 2 {
		k++
	}
	r := new(big.Float).SetPrec(prec).SetMantExp(x, -k)
	sum := new(big.Float).SetPrec(prec).SetFloat64(1)
	term := new(big.Float).SetPrec(prec).SetFloat64(1)
	for i := 1; i < 80; i++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(int64(i)))
		sum.Add(sum, term)
	}
	for range k {
		sum.Mul(sum, sum)
	}
	return sum
}

// bigLn is ln x to about 250 bits by Newton's method on exp.
func bigLn(x float64) *big.Float {
	const prec = 300
	bx := new(big.Float).SetPrec(prec).SetFloat64(x)
	y := new(big.Float).SetPrec(prec).SetFloat64(math.Log(x))
	for range 6 {
		ey := bigExp(y)
		q := new(big.Float).SetPrec(prec).Quo(new(big.Float).SetPrec(prec).Sub(bx, ey), new(big.Float).SetPrec(prec).Add(bx, ey))
		y.Add(y, q.Mul(q, big.NewFloat(2)))
	}
	return y
}

// TestElementaryFunctionsAreCorrectlyRounded: exp, ln and x^y as the model
// computes them equal the nearest double to the exact value (computed
// with math/big) — the C library's behaviour eemeter relies on — where
// Go's math package is off by one unit in the last place in a good share
// of cases.
func TestElementaryFunctionsAreCorrectlyRounded(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 2000
	var badExp, badFastExp, badLog, badPow int
	for range n {
		x := (rng.Float64()*2 - 1) * 40
		want, _ := bigExp(new(big.Float).SetPrec(300).SetFloat64(x)).Float64()
		if crExp(x) != want {
			badExp++
		}
		if fastExp(x) != want {
			badFastExp++
		}
		u := 1 + rng.ExpFloat64()*5
		wl, _ := bigLn(u).Float64()
		if crLog(u) != wl {
			badLog++
		}
		e := -50 + rng.Float64()*51
		wp, _ := bigExp(new(big.Float).SetPrec(300).Mul(bigLn(u), big.NewFloat(e))).Float64()
		if fastPow(u, e) != wp {
			badPow++
		}
	}
	if badExp+badLog+badPow > 0 || badFastExp > 1 {
		t.Errorf("of %d: crExp %d, fastExp %d, crLog %d, fastPow %d not correctly rounded", n, badExp, badFastExp, badLog, badPow)
	}
}

// TestGlibcLog10OfPowersOfTen: glibc's log10 is exact at powers of ten.
func TestGlibcLog10OfPowersOfTen(t *testing.T) {
	for k := -20; k <= 20; k++ {
		x := math.Pow10(k)
		if got := glibcLog10(x); got != float64(k) {
			t.Errorf("log10(1e%d) = %v", k, got)
		}
	}
}

// TestNumpyQuantileIsLinear: numpy.quantile's default linear method, e.g.
// quantile([1, 2, 3, 4], 0.25) = 1.75 (NumPy documentation).
func TestNumpyQuantileIsLinear(t *testing.T) {
	x := []float64{4, 1, 3, 2}
	for _, c := range []struct{ q, want float64 }{{0, 1}, {0.25, 1.75}, {0.5, 2.5}, {0.75, 3.25}, {1, 4}} {
		if got := npQuantile(x, c.q); got != c.want {
			t.Errorf("quantile(%v, %g) = %g, want %g", x, c.q, got, c.want)
		}
	}
	if got := npMedian([]float64{5, 1, 3}); got != 3 {
		t.Errorf("median = %g, want 3", got)
	}
}

// TestNumpyArgsortSortsAndKeepsSmallTies: the introsort permutation sorts
// the values; below 17 elements NumPy sorts by insertion, which keeps
// equal values in index order.
func TestNumpyArgsortSortsAndKeepsSmallTies(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 16, 17, 100, 1000} {
		x := make([]float64, n)
		for i := range x {
			x[i] = float64(rng.IntN(max(n/3, 1)))
		}
		idx := npArgsort(x)
		seen := make([]bool, n)
		for i, j := range idx {
			seen[j] = true
			if i > 0 && x[idx[i-1]] > x[j] {
				t.Fatalf("n=%d: not sorted at %d", n, i)
			}
			if n <= 16 && i > 0 && x[idx[i-1]] == x[j] && idx[i-1] > j {
				t.Fatalf("n=%d: equal values out of index order at %d", n, i)
			}
		}
		for j, s := range seen {
			if !s {
				t.Fatalf("n=%d: index %d missing", n, j)
			}
		}
	}
}

// TestRobustWeightsDownWeightOnlyHighResiduals: with an adaptive shape,
// residuals far above the centre get weights below 1, residuals at or
// below it keep weight 1 (eemeter's generalized_loss_weights).
func TestRobustWeightsDownWeightOnlyHighResiduals(t *testing.T) {
	r := make([]float64, 200)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range r {
		r[i] = rng.NormFloat64()
	}
	r[10], r[20] = 25, -25
	w := make([]float64, len(r))
	var s robustState
	alpha := s.adaptiveWeights(r, w, 0, true)
	if alpha >= 2 || alpha < robustAlphaMin {
		t.Fatalf("adaptive α = %g, want in [−100, 2)", alpha)
	}
	if w[10] >= 0.5 {
		t.Errorf("weight of a +25σ residual %g, want well below 1", w[10])
	}
	if w[20] != 1 {
		t.Errorf("weight of a −25σ residual %g, want 1", w[20])
	}
}

// TestLnZSpline: ln Z at α = 2 is ln √(2π) (the Gaussian's normaliser,
// Barron 2019 eq. 17); at the clamped left end the spline takes its first
// coefficient, 11.18607265; at and below α = −100 eemeter uses the Welsch
// limit 11.206072645530174 instead.
func TestLnZSpline(t *testing.T) {
	if got, want := lnZ(2), math.Log(math.Sqrt(2*math.Pi)); math.Abs(got-want) > 1e-6 {
		t.Errorf("ln Z(2) = %.8f, want %.8f", got, want)
	}
	if got := lnZ(-100 + 1e-12); math.Abs(got-11.18607265) > 1e-8 {
		t.Errorf("ln Z(−100⁺) = %.10f, want 11.18607265", got)
	}
	if got := lnZ(-100); got != 11.206072645530174 {
		t.Errorf("ln Z(−100) = %v, want the Welsch limit", got)
	}
}
