package savings

import (
	"math"
	"sort"
)

// Barron's general and adaptive robust loss (J. T. Barron, "A General and
// Adaptive Robust Loss Function", CVPR 2019) as eemeter 4.1.1 weights the
// residuals of its final daily-model fit (eemeter/common/adaptive_loss.py):
// residuals are centred on the median of those inside a 1.5·IQR-like
// fence, scaled by the larger fence distance C, the shape α chosen by
// minimising Σ[ρ(x, α) + ln Z(α)] over α ∈ [−100, 2] through a bounded
// scalar search on s ∈ [0, 1] (α = −100 + 102·s′ with s′ = (1 − 2/(1 +
// 10^(3·s^¼)))/(1 − 2/1001)), and each residual weighted by ρ's IRLS
// weight — which eemeter leaves at 1 for every residual at or below the
// centre, so only residuals above it are down-weighted.

// robustAlphaMin is the α at which the loss becomes Welsch's
// (LOSS_ALPHA_MIN).
const robustAlphaMin = -100.0

// lnZInf is ln Z at α → −∞ (ln_Z_inf), used at and below robustAlphaMin.
const lnZInf = 11.206072645530174

// lnZ is the spline ln Z(α) (scipy BSpline evaluation with extrapolation:
// the knot interval holding α, then de Boor's recursion).
func lnZ(alpha float64) float64 {
	if alpha <= robustAlphaMin {
		return lnZInf
	}
	const k = lnZDegree
	t := lnZKnots[:]
	n := len(t) - k - 1
	if math.IsNaN(alpha) {
		return math.NaN()
	}
	// the interval l in [k, n−1] with t[l] ≤ α < t[l+1] (the last one at
	// or beyond the end)
	m := k + 1 + sort.Search(n-k, func(i int) bool { return alpha < t[k+1+i] })
	l := m - 1
	var h, hh [k + 1]float64
	h[0] = 1
	for j := 1; j <= k; j++ {
		copy(hh[:j], h[:j])
		h[0] = 0
		for q := 1; q <= j; q++ {
			xb, xa := t[l+q], t[l+q-j]
			if xb == xa {
				h[q] = 0
				continue
			}
			w := hh[q-1] / (xb - xa)
			h[q-1] += w * (xb - alpha)
			h[q] = w * (alpha - xa)
		}
	}
	v := 0.0
	for a := 0; a <= k; a++ {
		v += lnZCoefs[l+a-k] * h[a]
	}
	return v
}

// alphaScaled maps s ∈ [0, 1] to α ∈ [−100, 2] (alpha_scaled, a_max 2).
func alphaScaled(s float64) float64 {
	const a, b = 3.0, 0.25
	if s < 0 {
		s = 0
	}
	if s > 1 {
		s = 1
	}
	sMax := 1 - 2/(1+fastPow(10, a))
	s = (1 - 2/(1+fastPow(10, a*fastPow(s, b)))) / sMax
	return robustAlphaMin + (2-robustAlphaMin)*s
}

// robustLoss is ρ(x, α) (generalized_loss_fcn) given x², with its closed
// forms at α = 2, 1, 0, −2 and Welsch's at α ≤ −100.
func robustLoss(x2, a float64) float64 {
	switch {
	case a == 2:
		return 0.5 * x2
	case a == 1:
		return math.Sqrt(x2+1) - 1
	case a == 0:
		l := fastLogDD(0.5*x2 + 1)
		return l.hi + l.lo
	case a == -2:
		return 2 * x2 / (x2 + 4)
	case a <= robustAlphaMin:
		return 1 - fastExp(-0.5*x2)
	}
	d := math.Abs(a - 2)
	return d / a * (fastPow(x2/d+1, a/2) - 1)
}

// robustWeight is ρ's IRLS weight at standardised residual x
// (generalized_loss_weights): 1 at α = 2 and for every x ≤ 0.
func robustWeight(x, a float64) float64 {
	switch {
	case a == 2 || x <= 0:
		return 1
	case a == 0:
		return 1 / (0.5*x*x + 1)
	case a <= robustAlphaMin:
		return fastExp(-0.5 * x * x)
	}
	return fastPow(x*x/math.Abs(a-2)+1, 0.5*a-1)
}

// numbaQuantile is the linear-interpolation quantile Numba compiles for
// np.nanquantile inside eemeter's jitted IQR fence: rank 1 + (n − 1)·q,
// lower·(1 − m) + upper·m. sorted holds finite values in ascending order.
func numbaQuantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	switch {
	case n == 0:
		return math.NaN()
	case n == 1:
		return sorted[0]
	case q == 1:
		return sorted[n-1]
	case q == 0:
		return sorted[0]
	}
	rank := 1 + float64(n-1)*(q*100/100.0)
	f := math.Floor(rank)
	m := rank - f
	i := int(f - 1)
	lower, upper := sorted[i], sorted[min(i+1, n-1)]
	return lower*(1-m) + upper*m
}

// iqrFence is IQR_outlier: the quartiles q1, q3 of the finite values
// widened by (q3 − q1)·(0.7413·σ − 0.5) — about σ standard deviations for
// normal data.
func iqrFence(x []float64, sigma, quantile float64, buf []float64) (lo, hi float64) {
	buf = buf[:0]
	for _, v := range x {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			buf = append(buf, v)
		}
	}
	sort.Float64s(buf)
	return iqrFenceSorted(buf, sigma, quantile)
}

// iqrFenceSorted is iqrFence of finite values already in ascending order.
func iqrFenceSorted(sorted []float64, sigma, quantile float64) (lo, hi float64) {
	q1, q3 := numbaQuantile(sorted, quantile), numbaQuantile(sorted, 1-quantile)
	iqr := (q3 - q1) * (0.7413*sigma - 0.5)
	return q1 - iqr, q3 + iqr
}

// centreAndFence returns the median μ of the residuals r inside their IQR
// fence and the fence of r − μ — the centring and scale of
// adaptive_weights — with one sort: the finite values inside the fence are
// a run of the sorted finite values, and subtracting μ, being monotone
// under rounding, leaves those values in order, so the second fence's
// quartiles are the first's sorted values less μ, bit for bit what
// sorting r − μ again would give. buf and kept are scratch space of
// capacity len(r).
func centreAndFence(r []float64, sigma, quantile float64, buf, kept []float64) (mu, flo, fhi float64) {
	lo, hi := iqrFence(r, sigma, quantile, buf)
	finite := 0
	for _, v := range r {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			finite++
		}
	}
	if finite == 0 || math.IsInf(lo, 0) || math.IsInf(hi, 0) || math.IsNaN(lo) || math.IsNaN(hi) {
		// the general procedure (an infinite fence would keep infinite
		// residuals, which the sorted finite values lack)
		for _, v := range r {
			if v >= lo && v <= hi {
				kept = append(kept, v)
			}
		}
		mu = npMedian(kept)
		x := kept[:len(r)]
		for i, v := range r {
			x[i] = v - mu
		}
		flo, fhi = iqrFence(x, sigma, quantile, buf[:0])
		return mu, flo, fhi
	}
	// iqrFence left the finite values sorted at the start of buf
	sorted := buf[:finite]
	a := sort.Search(len(sorted), func(i int) bool { return sorted[i] >= lo })
	b := sort.Search(len(sorted), func(i int) bool { return sorted[i] > hi })
	in := sorted[a:b]
	switch m := len(in); {
	case m == 0:
		mu = math.NaN()
	case m%2 == 1:
		mu = in[m/2]
	default:
		mu = (in[m/2-1] + in[m/2]) / 2
	}
	for i := range sorted {
		sorted[i] -= mu
	}
	if math.IsNaN(mu) {
		sorted = nil // every difference is NaN: no finite values
	}
	flo, fhi = iqrFenceSorted(sorted, sigma, quantile)
	return mu, flo, fhi
}

// robustState holds scratch space for robust weighting so that the
// optimiser's many evaluations allocate nothing, and a small cache of
// recent results.
type robustState struct {
	// exact selects eemeter's own search over α with correctly rounded
	// powers (dailySettings.exactPath); otherwise chooseAlpha.
	exact            bool
	buf, x, x2, loss []float64
	cache            [robustCacheSize]robustCacheEntry
	memos            [4]alphaMemo // recent searches that ended at α = 2
	nextMemo         int
	next             int
}

// robustCacheSize is how many recent (residuals → weights) results a
// robustState remembers. A loss evaluation weights each piece of the data
// between breakpoints separately, and the optimiser often moves
// parameters that leave a piece's residuals bit for bit as they were (the
// flat middle when only the slopes move, one side when only the other
// side's breakpoint or slope moves): on eemeter's parity cases about one
// call in four finds its residuals here (8 entries catch nearly as many
// as 128).
const robustCacheSize = 16

// robustCacheEntry is one remembered call: its arguments and its result.
type robustCacheEntry struct {
	r, w     []float64
	alpha    float64 // the alpha argument
	adaptive bool
	out      float64 // the returned shape
	ok       bool
}

// sameBits reports whether a and b hold bit-identical values.
func sameBits(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i, v := range a {
		if math.Float64bits(v) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

// adaptiveWeightsCached is adaptiveWeights remembering its recent
// results: the weights are a deterministic function of (r, alpha,
// adaptive), so a call whose residuals are bit for bit those of a
// remembered call gets that call's weights and shape — exactly what
// computing them again would give — without the adaptive search over α.
func (s *robustState) adaptiveWeightsCached(r, w []float64, alpha float64, adaptive bool) float64 {
	for i := range s.cache {
		e := &s.cache[i]
		if e.ok && e.adaptive == adaptive && math.Float64bits(e.alpha) == math.Float64bits(alpha) && sameBits(e.r, r) {
			copy(w, e.w)
			return e.out
		}
	}
	out := s.adaptiveWeights(r, w, alpha, adaptive)
	e := &s.cache[s.next]
	s.next = (s.next + 1) % robustCacheSize
	e.r = append(e.r[:0], r...)
	e.w = append(e.w[:0], w...)
	e.alpha, e.adaptive, e.out, e.ok = alpha, adaptive, out, true
	return out
}

func (s *robustState) grow(n int) {
	if cap(s.buf) < n {
		s.buf = make([]float64, n)
		s.x = make([]float64, n)
		s.x2 = make([]float64, n)
		s.loss = make([]float64, n)
	}
}

// adaptiveWeights writes into w the robust weights of residuals r
// (adaptive_weights with σ = 2.698, quantile ¼, minimum weight 0) for the
// fixed shape alpha, or for the shape chosen adaptively when adaptive is
// set, and returns that shape.
func (s *robustState) adaptiveWeights(r, w []float64, alpha float64, adaptive bool) float64 {
	const sigma, quantile = 2.698, 0.25
	if !adaptive && alpha == 2 {
		for i := range w {
			w[i] = 1
		}
		return 2
	}
	n := len(r)
	s.grow(n)
	mu, flo, fhi := centreAndFence(r, sigma, quantile, s.buf[:0], s.x[:0])
	x := s.x[:n]
	c := math.Max(math.Abs(flo), math.Abs(fhi))
	if c == 0 {
		c = oomFloor(math.Max(flo, fhi))
	}
	for i, v := range r {
		x[i] = (v - mu) / c
	}
	if adaptive {
		// non-finite standardised residuals take the largest finite one
		big, any := math.Inf(-1), false
		for _, v := range x {
			if !math.IsNaN(v) && !math.IsInf(v, 0) && v > big {
				big, any = v, true
			}
		}
		for i, v := range x {
			if (math.IsNaN(v) || math.IsInf(v, 0)) && any {
				x[i] = big
			}
		}
		x2 := s.x2[:n]
		for i, v := range x {
			x2[i] = v * v
		}
		if s.exact {
			alpha = s.searchAlphaExact(x2)
		} else {
			alpha = s.chooseAlpha(x, x2)
		}
	}
	for i, v := range x {
		w[i] = robustWeight(v, alpha)
	}
	return alpha
}

// searchAlphaExact is eemeter's choice of α for the squared standardised
// residuals x2: SciPy's bounded Brent search over s ∈ [−1e-5, 1 + 1e-5]
// (x tolerance 1e-5) of Σ[ρ(x, α(s)) + ln Z(α(s))], ρ from correctly
// rounded powers and the sum NumPy's pairwise one, so that the search
// visits the points eemeter's does.
func (s *robustState) searchAlphaExact(x2 []float64) float64 {
	loss := s.loss[:len(x2)]
	total := func(sv float64) float64 {
		a := alphaScaled(sv)
		z := lnZ(a)
		for i, v := range x2 {
			loss[i] = robustLoss(v, a) + z
		}
		return npSum(loss)
	}
	best, _ := boundedMinimize(total, -1e-5, 1+1e-5, 1e-5)
	return alphaScaled(best)
}

// alphaNLL is Σ[ρ(x, α) + ln Z(α)] over the squared standardised
// residuals x2 — the objective of the search over α — with ρ from expF
// and log1pF (within about an ulp of correctly rounded) summed in
// order: ρ = |α−2|/α·((x²/|α−2| + 1)^(α/2) − 1), so Σρ =
// |α−2|/α·(Σ exp(α/2·log1p(x²/|α−2|)) − n). The closed forms at α = 2,
// 1, 0, −2 and Welsch's at α ≤ −100 are robustLoss's.
func alphaNLL(x2 []float64, a float64) float64 {
	n := float64(len(x2))
	z := lnZ(a)
	sum := 0.0
	switch {
	case a == 2:
		for _, v := range x2 {
			sum += v
		}
		return 0.5*sum + n*z
	case a == 1 || a == 0 || a == -2 || a <= robustAlphaMin:
		for _, v := range x2 {
			sum += robustLoss(v, a)
		}
		return sum + n*z
	}
	d := math.Abs(a - 2)
	inv, p := 1/d, a/2
	for _, v := range x2 {
		sum += expF(p * log1pF(v*inv))
	}
	return d/a*(sum-n) + n*z
}

// alphaProbes are the points of s at which probeAlpha checks that the
// objective falls all the way to s = 1 (α = 2): SciPy's first trial point
// (the golden section of [−1e-5, 1 + 1e-5]) and three approaching the
// bound. Between 0.9999 and 1, α moves by less than 4e-5.
var alphaProbes = [...]float64{-1e-5 + 0.3819660112501051*(1+2e-5), 0.9, 0.99, 0.9999}

// probeAlpha reports whether the search over α for the squared
// standardised residuals x2 ends at the bound α = 2 (least squares), where
// SciPy's search ends on nearly every piece of eemeter's parity data (the
// Barron objective is flat to within ~1e-6 of the bound, below the
// search's tolerance): it does when the objective falls at every probe
// towards s = 1 and is lowest at s = 1 — five evaluations (one without
// transcendental functions) instead of about 25. falls are then the falls
// of the objective from each probe to the next (the last to s = 1), less
// a rounding allowance.
func probeAlpha(x2 []float64) (falls [len(alphaProbes)]float64, ok bool) {
	var f [len(alphaProbes) + 1]float64
	for k, sv := range alphaProbes {
		f[k] = alphaNLL(x2, alphaScaled(sv))
		if k > 0 && !(f[k] < f[k-1]) {
			return falls, false
		}
	}
	last := len(alphaProbes)
	f[last] = alphaNLL(x2, 2)
	if !(f[last] < f[last-1]) {
		return falls, false
	}
	// the sums' rounding: well above n·ε of the largest of them
	slack := 1e-9 * (math.Abs(f[0]) + math.Abs(f[last]) + float64(len(x2)))
	for k := range falls {
		falls[k] = f[k] - f[k+1] - slack
	}
	return falls, true
}

// alphaMemo is a piece's standardised residuals x (largest magnitude
// xMax) for which probeAlpha found α = 2 with the given falls.
type alphaMemo struct {
	x     []float64
	xMax  float64
	falls [len(alphaProbes)]float64
}

// chooseAlpha chooses α for the standardised residuals x (squares x2) on
// the fast path: α = 2 when probeAlpha says so, else eemeter's own search
// (searchAlphaExact) — so a piece with an inner optimum gets eemeter's α
// and weights to the bit. It skips the probes when a remembered probing of
// as many residuals settles the matter. Moving the residuals from x₀ to x
// changes the fall of the objective between shapes a < b by
// Σ ∫ t·(w_b(t) − w_a(t)) dt over each residual's path, w being ρ's
// weight ∂ρ/∂x / x (the partition term does not move). For a < b ≤ 2, 0 ≤ w_b − w_a ≤ 1 − w_a(t) ≤
// q·ln(1 + t²/d) with d = 2 − a, q = d/2 (Bernoulli's inequality on
// (1 + t²/d)^(−q)) and at most 1, so each fall changes by at most c·B with
// c = min(1, q·ln(1 + T²/d)), T the largest |t| on the paths, and B = Σ
// max(|x₀ᵢ|, |xᵢ|)·|xᵢ − x₀ᵢ|. If every remembered fall exceeds its c·B,
// every fall at x is positive and the probes would again end at α = 2 —
// the same answer without the four passes of exp and log1p. Near α = 2 c
// is tiny, so the optimiser's trial points, which move the residuals
// little, mostly take this O(n) test.
func (s *robustState) chooseAlpha(x, x2 []float64) float64 {
	for i := range s.memos {
		m := &s.memos[i]
		if m.x == nil || len(m.x) != len(x) {
			continue
		}
		b, top := 0.0, m.xMax
		mx := m.x[:len(x)]
		for j, v := range x {
			av, au := math.Abs(v), math.Abs(mx[j])
			if av > top {
				top = av
			}
			if au > av {
				av = au
			}
			b += av * math.Abs(v-mx[j])
		}
		ok := !math.IsNaN(b)
		for k, sv := range alphaProbes {
			if !ok {
				break
			}
			d := 2 - alphaScaled(sv)
			c := math.Min(1, d/2*math.Log1p(top*top/d))
			ok = m.falls[k] > c*b
		}
		if ok {
			return 2
		}
	}
	falls, ok := probeAlpha(x2)
	if !ok {
		// an inner optimum: eemeter's search, to the bit, since the
		// optimiser's path from here on is sensitive to α's last bits
		return s.searchAlphaExact(x2)
	}
	m := &s.memos[s.nextMemo]
	s.nextMemo = (s.nextMemo + 1) % len(s.memos)
	m.x = append(m.x[:0], x...)
	m.falls = falls
	m.xMax = 0
	for _, v := range x {
		m.xMax = math.Max(m.xMax, math.Abs(v))
	}
	return 2
}
