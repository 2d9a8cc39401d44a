package savings

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestCentreAndFenceMatchesSortingThreeTimes: the one-sort centring and
// scale of the robust weights give bit for bit what eemeter's procedure
// gives — the fence of r, the median of the residuals inside it (sorted
// again), the fence of r − μ (sorted a third time) — on residuals with
// ties, non-finite values and a single value.
func TestCentreAndFenceMatchesSortingThreeTimes(t *testing.T) {
	const sigma, quantile = 2.698, 0.25
	rng := rand.New(rand.NewPCG(11, 12))
	var sets [][]float64
	for k := range 200 {
		r := make([]float64, 1+k%60)
		for i := range r {
			switch rng.IntN(12) {
			case 0:
				r[i] = math.NaN()
			case 1:
				r[i] = math.Inf(1 - 2*rng.IntN(2))
			case 2:
				r[i] = float64(rng.IntN(3)) // ties
			default:
				r[i] = rng.NormFloat64() * 10 / math.Abs(rng.NormFloat64())
			}
		}
		sets = append(sets, r)
	}
	sets = append(sets, []float64{math.NaN(), math.NaN()}, []float64{3}, []float64{-0.0, 0, -0.0, 1})
	same := func(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }
	for k, r := range sets {
		n := len(r)
		lo, hi := iqrFence(r, sigma, quantile, make([]float64, 0, n))
		var kept []float64
		for _, v := range r {
			if v >= lo && v <= hi {
				kept = append(kept, v)
			}
		}
		mu := npMedian(kept)
		x := make([]float64, n)
		for i, v := range r {
			x[i] = v - mu
		}
		flo, fhi := iqrFence(x, sigma, quantile, make([]float64, 0, n))
		gmu, gflo, gfhi := centreAndFence(r, sigma, quantile, make([]float64, 0, n), make([]float64, 0, n))
		if !same(gmu, mu) || !same(gflo, flo) || !same(gfhi, fhi) {
			t.Errorf("set %d %v: got μ %v fence [%v, %v], want %v [%v, %v]", k, r, gmu, gflo, gfhi, mu, flo, fhi)
		}
	}
}

// TestSearchAlphaAgreesWithEemeterSearch: the fast choice of the robust
// loss's shape lands where SciPy's bounded search over correctly rounded
// powers does — on normal residuals at or next to α = 2 (least squares,
// which the Barron likelihood favours for normal data), on heavy-tailed
// ones at the same interior α — within 4e-5 in α, the probes' resolution.
func TestSearchAlphaAgreesWithEemeterSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var s robustState
	normal, heavy := 0, 0
	for k := range 60 {
		n := 40 + 7*k
		x2 := make([]float64, n)
		for i := range x2 {
			var v float64
			if k%2 == 0 {
				v = rng.NormFloat64() * 0.3 // normal, inside the fence
			} else {
				v = rng.NormFloat64() * 0.3 / math.Abs(rng.NormFloat64()) // Cauchy-like
			}
			x2[i] = v * v
		}
		s.grow(n)
		want := s.searchAlphaExact(x2)
		got, _ := searchAlpha(x2)
		if math.Abs(got-want) > 4e-5 {
			t.Errorf("set %d (n %d): α %.10g, eemeter's search %.10g", k, n, got, want)
		}
		if want > 2-4e-5 {
			normal++
		} else if want < 1.5 {
			heavy++
		}
	}
	if normal < 20 || heavy < 20 {
		t.Fatalf("the data do not exercise both outcomes: %d at α ≈ 2, %d below 1.5", normal, heavy)
	}
}

// TestFullModelSortedMatchesFullModel: the model evaluated over
// temperature-sorted days by runs gives bit for bit the day-by-day
// evaluation, with and without remembered exponentials, for both sides,
// swapped and equal breakpoints (at and beyond the data's edges), zero
// slopes and widths.
func TestFullModelSortedMatchesFullModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	n := 200
	ts := make([]float64, n)
	for i := range ts {
		ts[i] = 10 + 80*rng.Float64()
		if i%17 == 0 && i > 0 {
			ts[i] = ts[i-1] // ties
		}
	}
	slices.Sort(ts)
	tMin, tMax := ts[0], ts[n-1]
	pick := func() float64 {
		switch rng.IntN(6) {
		case 0:
			return ts[rng.IntN(n)] // on a day
		case 1:
			return tMin - 1
		case 2:
			return tMax + 1
		}
		return 5 + 90*rng.Float64()
	}
	var cache expCache
	want, got := make([]float64, n), make([]float64, n)
	for k := range 3000 {
		hb, cb := pick(), pick()
		if k%5 == 0 {
			cb = hb
		}
		beta := func() float64 {
			if rng.IntN(4) == 0 {
				return 0
			}
			return 3 * rng.Float64()
		}
		width := func() float64 {
			if rng.IntN(3) == 0 {
				return 0
			}
			return 20 * rng.Float64()
		}
		v := [7]float64{hb, beta(), width(), cb, beta(), width(), 50 * rng.Float64()}
		if k%3 == 0 && k > 0 {
			v[1] = -v[1] // a heating-only form passes its slope signed
		}
		exact := k%2 == 0
		fullModel(v[0], v[1], v[2], v[3], v[4], v[5], v[6], tMin, tMax, ts, want, exact, nil)
		fullModelSorted(v[0], v[1], v[2], v[3], v[4], v[5], v[6], tMin, tMax, ts, got, exact, &cache)
		for i := range want {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("case %d %v day %d (T %v): %v, day by day %v", k, v, i, ts[i], got[i], want[i])
			}
		}
	}
}

// TestChooseAlphaMemoAgreesWithProbes walks residuals step by step from
// normal ones (α = 2) towards heavy-tailed ones (α well below 2), as an
// optimiser's trial points move them, and checks that the remembered
// searches never answer other than the probes would on the new residuals,
// while they do answer for most small steps.
func TestChooseAlphaMemoAgreesWithProbes(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	const n = 300
	normal, heavy := make([]float64, n), make([]float64, n)
	for i := range normal {
		normal[i] = rng.NormFloat64() * 0.3
		heavy[i] = rng.NormFloat64() * 0.3 / math.Abs(rng.NormFloat64())
	}
	if a, _ := searchAlpha(square(heavy)); a > 1.5 {
		t.Fatalf("the heavy-tailed residuals give α %v; pick other data", a)
	}
	var s robustState
	x := make([]float64, n)
	hits, atTwo, flips := 0, 0, 0
	prev := 2.0
	for k := range 400 {
		frac := float64(k) / 1000
		for i := range x {
			x[i] = normal[i] + frac*(heavy[i]-normal[i]) + 1e-4*rng.NormFloat64()
		}
		x2 := square(x)
		want, _ := searchAlpha(x2)
		before := s.nextMemo
		got := s.chooseAlpha(x, x2)
		if got != want {
			t.Fatalf("step %d: α %v, the probes %v", k, got, want)
		}
		if got == 2 {
			atTwo++
			if s.nextMemo == before {
				hits++
			}
		}
		if (got == 2) != (prev == 2) {
			flips++
		}
		prev = got
	}
	t.Logf("%d steps at α = 2, %d of them answered from memory; %d changes between α = 2 and below", atTwo, hits, flips)
	if hits < atTwo/2 || flips == 0 || atTwo < 50 {
		t.Fatal("the walk does not exercise the test")
	}
}

func square(x []float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v * v
	}
	return out
}
