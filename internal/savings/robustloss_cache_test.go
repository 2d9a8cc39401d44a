package savings

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRobustWeightsCacheIsExact: the cached robust weighting returns, for
// residuals it has seen and for ones it has not, bit for bit the weights
// and shape a fresh adaptiveWeights computes, and a residual changed in
// one residual (not the first) is not mistaken for a remembered one.
func TestRobustWeightsCacheIsExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	sets := make([][]float64, 3*robustCacheSize)
	for k := range sets {
		r := make([]float64, 50+k)
		for i := range r {
			// heavy tailed (Student's t with 1 degree of freedom), so the
			// adaptive shape is well below 2 and the weights vary
			r[i] = rng.NormFloat64() / math.Abs(rng.NormFloat64())
		}
		sets[k] = r
	}
	// one residual of a remembered set moved: same length, same first value
	nudged := append([]float64(nil), sets[0]...)
	nudged[7] += 3
	// the test needs the moved residual to change the weights
	{
		var s robustState
		w0, w1 := make([]float64, len(nudged)), make([]float64, len(nudged))
		a0, a1 := s.adaptiveWeights(sets[0], w0, 0, true), s.adaptiveWeights(nudged, w1, 0, true)
		differ := a0 != a1
		for i := range w0 {
			differ = differ || w0[i] != w1[i]
		}
		if !differ {
			t.Fatal("moving one residual left the weights unchanged; pick other data")
		}
	}
	var cached robustState
	check := func(r []float64, round int) {
		var fresh robustState
		want := make([]float64, len(r))
		wantA := fresh.adaptiveWeights(r, want, 0, true)
		got := make([]float64, len(r))
		gotA := cached.adaptiveWeightsCached(r, got, 0, true)
		if math.Float64bits(gotA) != math.Float64bits(wantA) {
			t.Fatalf("round %d: cached α %v, fresh %v", round, gotA, wantA)
		}
		for i := range got {
			if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
				t.Fatalf("round %d: cached weight %d = %v, fresh %v", round, i, got[i], want[i])
			}
		}
	}
	for round := 0; round < 3; round++ {
		// the first sets are evicted by later ones in round 0, then
		// remembered again; the nudged set follows its original
		for k, r := range sets {
			check(r, round)
			if k == 0 {
				check(nudged, round)
			}
			check(sets[k/2], round)
		}
	}
	// a fixed shape (α = 0, not adaptive) is remembered apart from the
	// adaptive calls made with the same α argument
	var fresh robustState
	want := make([]float64, len(sets[0]))
	fresh.adaptiveWeights(sets[0], want, 0, false)
	got := make([]float64, len(sets[0]))
	check(sets[0], 3) // remembered just now, adaptively
	if a := cached.adaptiveWeightsCached(sets[0], got, 0, false); a != 0 {
		t.Fatalf("fixed α = 0: got α %v", a)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("fixed α = 0: weight %d = %v, fresh %v", i, got[i], want[i])
		}
	}
}
