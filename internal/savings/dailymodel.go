package savings

import (
	"math"
	"slices"
	"sort"
)

// The eemeter 4.x daily model's fit of one data segment, written anew from
// eemeter 4.1.1 (openeemeter/eemeter, eemeter/eemeter/models/daily/:
// base_models/full_model.py, hdd_tidd_cdd.py, c_hdd_tidd.py, tidd.py,
// objective_function.py, optimize.py, optimize_results.py,
// utilities/base_model.py; ../../../shared/research/caltrack.md §6).
//
// Energy per day is a continuous piecewise-linear function of the day's
// mean temperature — a heating slope below hdd_bp, flat ("temperature
// independent", TIDD) between, a cooling slope above cdd_bp — optionally
// smoothed near the breakpoints by an exponential. A segment is fitted in
// two stages:
//
//  1. initial: the two breakpoints are searched with DIRECT (199
//     evaluations at most, x tolerance 1e-3 relative, f tolerance 0.5
//     relative, which stops it early) on a penalised least-squares
//     objective in which each trial breakpoint pair gets its slopes from a
//     loose Brent search; the whole model (7 coefficients with smoothing, 5
//     without) is then refined by Subplex (1999 evaluations, 1e-5 x and f
//     tolerances) on least squares plus a small lasso penalty, and reduced
//     (a zero slope drops its side, zero smoothing drops the smooth form);
//  2. final (for the segments of the chosen split): the reduced model is
//     refitted by Subplex from the initial solution without the penalty,
//     with adaptive robust weights (or least squares in the legacy
//     settings), within ±|x| of the initial coefficients.

// modelKey names the functional forms (OptimizedResult.model_key).
type modelKey int

const (
	keyHTCSmooth modelKey = iota // hdd_tidd_cdd_smooth: 7 coefficients, k as shares of the breakpoint gap
	keyHTC                       // hdd_tidd_cdd: hdd_bp, hdd_beta, cdd_bp, cdd_beta, intercept
	keyCHTSmooth                 // c_hdd_tidd_smooth: bp, signed beta, k, intercept
	keyCHT                       // c_hdd_tidd: bp, signed beta, intercept
	keyTIDD                      // tidd: intercept
)

func (k modelKey) String() string {
	return [...]string{"hdd_tidd_cdd_smooth", "hdd_tidd_cdd", "c_hdd_tidd_smooth", "c_hdd_tidd", "tidd"}[k]
}

// coefficient positions within each form's vector.
func (k modelKey) bpIdx() []int {
	switch k {
	case keyHTCSmooth:
		return []int{0, 3}
	case keyHTC:
		return []int{0, 2}
	case keyCHTSmooth, keyCHT:
		return []int{0}
	}
	return nil
}

func (k modelKey) betaIdx() []int {
	switch k {
	case keyHTCSmooth:
		return []int{1, 4}
	case keyHTC:
		return []int{1, 3}
	case keyCHTSmooth, keyCHT:
		return []int{1}
	}
	return nil
}

func (k modelKey) kIdx() []int {
	switch k {
	case keyHTCSmooth:
		return []int{2, 5}
	case keyCHTSmooth:
		return []int{2}
	}
	return nil
}

// dailySettings are the DailySettings of eemeter 4.1.1
// (utilities/settings.py) this port uses.
type dailySettings struct {
	smooth            bool    // allow_smooth_model
	alphaFinal        float64 // alpha_final when not adaptive
	adaptiveFinal     bool    // alpha_final = "adaptive"
	alphaSelection    float64 // alpha_selection
	regAlpha          float64 // regularization_alpha (lasso share 1)
	segMin            int     // segment_minimum_count
	maxSlopeOoM       float64 // maximum_slope_oom_scalar
	initialStep       float64 // initial_step_percentage
	finalBoundsScalar float64
	allowSummer       bool
	allowShoulder     bool
	allowWinter       bool
	allowWeekdaySplit bool
	reduceByGaussian  bool
	numStd            [2]float64 // reduce_splits_num_std
	penaltyMult       float64    // split_selection.penalty_multiplier
	penaltyPower      float64    // split_selection.penalty_power
	uncAlpha          float64    // uncertainty_alpha
	cvrmseThreshold   float64
	// exactPath follows eemeter's optimiser path to the last bit where it
	// costs time: the final fit's search over the robust loss's shape runs
	// SciPy's bounded search over correctly rounded powers every time (see
	// searchAlphaExact), and the smoothing exponential is correctly
	// rounded. Off: the faster path of searchAlpha, within the issue's
	// tolerances of eemeter.
	exactPath bool
}

// currentDailySettings are DailyModel()'s defaults ("current").
func currentDailySettings() dailySettings {
	return dailySettings{smooth: true, adaptiveFinal: true, alphaSelection: 2, regAlpha: 0.001, segMin: 6,
		maxSlopeOoM: 2, initialStep: 0.1, finalBoundsScalar: 1,
		allowSummer: true, allowShoulder: true, allowWinter: true, allowWeekdaySplit: true,
		reduceByGaussian: true, numStd: [2]float64{1.4, 0.89}, penaltyMult: 0.24, penaltyPower: 2.061,
		uncAlpha: 0.1, cvrmseThreshold: 1}
}

// legacyDailySettings are DailyModel(model="legacy") and BillingModel's:
// no smoothing, least squares in the final fit, 10 points per sloped
// segment, no splits.
func legacyDailySettings() dailySettings {
	s := currentDailySettings()
	s.smooth, s.adaptiveFinal, s.alphaFinal, s.segMin = false, false, 2, 10
	s.allowSummer, s.allowShoulder, s.allowWinter, s.allowWeekdaySplit, s.reduceByGaussian = false, false, false, false, false
	return s
}

// Bounds on the exponent of the smoothing term (LN_MIN_POS_SYSTEM_VALUE,
// LN_MAX_POS_SYSTEM_VALUE in eemeter/common/utils.py).
var (
	lnMinPos = math.Log(math.Pow(2.2250738585072014e-308*1e20, 0.5))
	lnMaxPos = math.Log(math.Pow(math.MaxFloat64*1e-20, 0.5))
)

// fullModel evaluates the general form at temperatures t into out
// (full_model): the sides swap when cdd_bp < hdd_bp; with equal
// breakpoints every day is heating (breakpoint at or above the warmest
// fitted day) or cooling (at or below the coldest); k ≠ 0 adds
// |β·k|·(exp((T − T_bp)/k) − 1), which meets the line with zero slope at
// the breakpoint. exact takes the exponential correctly rounded
// (dailySettings.exactPath), otherwise expF.
//
// cache, when not nil, remembers each day's exponential per side for the
// side's breakpoint and width, so that evaluations which move only slopes,
// the intercept or the other side reuse them (bit for bit what computing
// them again gives).
func fullModel(hddBp, hddBeta, hddK, cddBp, cddBeta, cddK, intercept, tMin, tMax float64, t, out []float64, exact bool, cache *expCache) {
	if hddBeta == 0 && cddBeta == 0 {
		for i := range t {
			out[i] = intercept
		}
		return
	}
	if cddBp < hddBp {
		hddBp, cddBp = cddBp, hddBp
		hddBeta, cddBeta = cddBeta, hddBeta
		hddK, cddK = cddK, hddK
	}
	var gen [2]uint32
	if cache != nil {
		gen = [2]uint32{cache.use(0, hddBp, hddK, len(t)), cache.use(1, cddBp, cddK, len(t))}
	}
	for i, ti := range t {
		var tbp, beta, k float64
		side := 0
		switch {
		case ti < hddBp || (hddBp == cddBp && cddBp >= tMax):
			tbp, beta, k = hddBp, -hddBeta, hddK
		case ti > cddBp || (hddBp == cddBp && hddBp <= tMin):
			tbp, beta, k, side = cddBp, cddBeta, -cddK, 1
		default:
			beta = 0
		}
		switch {
		case beta == 0:
			out[i] = intercept
		case k == 0:
			out[i] = beta*(ti-tbp) + intercept
		default:
			lin := beta*(ti-tbp) + intercept
			if cache != nil && cache.at[side][i] == gen[side] {
				out[i] = math.Abs(beta*k)*(cache.ex[side][i]-1) + lin
				continue
			}
			e := 1 / k * (ti - tbp)
			// clipped to the bounds (NaN stays NaN)
			if e < lnMinPos {
				e = lnMinPos
			} else if e > lnMaxPos {
				e = lnMaxPos
			}
			var ex float64
			switch {
			case e < -38:
				// exp(e) < 2^-54, so exp(e) − 1 rounds to −1 whatever
				// exp's last bits: skipped
			case exact:
				ex = fastExp(e)
			default:
				ex = expF(e)
			}
			if cache != nil {
				cache.at[side][i], cache.ex[side][i] = gen[side], ex
			}
			out[i] = math.Abs(beta*k)*(ex-1) + lin
		}
	}
}

// fullModelSorted is fullModel over temperatures ts in ascending order
// (no NaN), the heating, flat and cooling days being runs of them: the
// same arithmetic day by day without the per-day choice of side.
func fullModelSorted(hddBp, hddBeta, hddK, cddBp, cddBeta, cddK, intercept, tMin, tMax float64, ts, out []float64, exact bool, cache *expCache) {
	if hddBeta == 0 && cddBeta == 0 || math.IsNaN(hddBp) || math.IsNaN(cddBp) {
		fullModel(hddBp, hddBeta, hddK, cddBp, cddBeta, cddK, intercept, tMin, tMax, ts, out, exact, cache)
		return
	}
	if cddBp < hddBp {
		hddBp, cddBp = cddBp, hddBp
		hddBeta, cddBeta = cddBeta, hddBeta
		hddK, cddK = cddK, hddK
	}
	n := len(ts)
	// heating [0, h), flat [h, c), cooling [c, n)
	h := sort.SearchFloat64s(ts, hddBp) // #(T < hddBp)
	var c int
	switch {
	case hddBp == cddBp && cddBp >= tMax:
		h, c = n, n
	case hddBp == cddBp && hddBp <= tMin:
		c = h
	default:
		c = max(h, sort.Search(n, func(i int) bool { return ts[i] > cddBp }))
	}
	out = out[:n]
	for i := h; i < c; i++ {
		out[i] = intercept
	}
	side := func(lo, hi, s int, tbp, beta, k float64) {
		// the run's days, resliced so that the loops need no bounds checks
		t, o := ts[lo:hi], out[lo:hi]
		o = o[:len(t)]
		switch {
		case beta == 0:
			for i := range o {
				o[i] = intercept
			}
			return
		case k == 0:
			for i, ti := range t {
				o[i] = beta*(ti-tbp) + intercept
			}
			return
		}
		g := cache.use(s, tbp, k, n)
		at, exs := cache.at[s][lo:hi], cache.ex[s][lo:hi]
		at, exs = at[:len(t)], exs[:len(t)]
		scale := math.Abs(beta * k)
		for i, ti := range t {
			lin := beta*(ti-tbp) + intercept
			if at[i] == g {
				o[i] = scale*(exs[i]-1) + lin
				continue
			}
			e := 1 / k * (ti - tbp)
			if e < lnMinPos {
				e = lnMinPos
			} else if e > lnMaxPos {
				e = lnMaxPos
			}
			var ex float64
			switch {
			case e < -38: // see fullModel
			case exact:
				ex = fastExp(e)
			default:
				ex = expF(e)
			}
			at[i], exs[i] = g, ex
			o[i] = scale*(ex-1) + lin
		}
	}
	side(0, h, 0, hddBp, -hddBeta, hddK)
	side(c, n, 1, cddBp, cddBeta, -cddK)
}

// expCache holds fullModel's exponentials of the last breakpoint and
// width of each side (0 heating, 1 cooling): ex[side][i] is day i's value,
// valid while at[side][i] equals the side's current generation.
type expCache struct {
	bp, k [2]float64
	gen   [2]uint32
	at    [2][]uint32
	ex    [2][]float64
}

// use returns the generation of the side's values for breakpoint bp and
// width k, starting a new one when either differs (in any bit) from the
// last call's.
func (c *expCache) use(side int, bp, k float64, n int) uint32 {
	if len(c.at[side]) != n {
		c.at[side], c.ex[side] = make([]uint32, n), make([]float64, n)
		c.gen[side] = 0
	}
	if c.gen[side] == 0 || math.Float64bits(bp) != math.Float64bits(c.bp[side]) || math.Float64bits(k) != math.Float64bits(c.k[side]) {
		c.bp[side], c.k[side] = bp, k
		c.gen[side]++
		if c.gen[side] == 0 { // wrapped: forget every value
			clear(c.at[side])
			c.gen[side] = 1
		}
	}
	return c.gen[side]
}

// smoothCoeffs turns the smoothing shares into temperature widths and moves
// the breakpoints (get_smooth_coeffs): no smoothing when both shares are
// below 1%, shares summing above 1 are normalised.
func smoothCoeffs(hddBp, pctH, cddBp, pctC float64) (float64, float64, float64, float64) {
	const minPct = 0.01
	if pctH < minPct && pctC < minPct {
		return hddBp, 0, cddBp, 0
	}
	if sum := pctH + pctC; sum > 1 {
		pctH /= sum
		pctC /= sum
	}
	hk := pctH * (cddBp - hddBp) / 1
	ck := pctC * (cddBp - hddBp) / 1
	return hddBp + hk*1, hk, cddBp - ck*1, ck
}

// fullX maps a form's coefficient vector to the seven general coefficients
// as the model and weight functions receive them (k still a share for the
// smooth two-sided form).
func fullX(key modelKey, x []float64) [7]float64 {
	switch key {
	case keyHTCSmooth:
		return [7]float64{x[0], x[1], x[2], x[3], x[4], x[5], x[6]}
	case keyHTC:
		return [7]float64{x[0], x[1], 0, x[2], x[3], 0, x[4]}
	case keyCHTSmooth, keyCHT:
		k := 0.0
		icp := x[2]
		if key == keyCHTSmooth {
			k, icp = x[2], x[3]
		}
		if x[1] < 0 {
			return [7]float64{x[0], -x[1], k, x[0], 0, 0, icp}
		}
		return [7]float64{x[0], 0, 0, x[0], x[1], k, icp}
	}
	return [7]float64{0, 0, 0, 0, 0, 0, x[0]}
}

// evalModel is the model function of form key at x over t.
func evalModel(key modelKey, x []float64, tMin, tMax float64, t, out []float64, exact bool, cache *expCache) {
	v := fullX(key, x)
	if key == keyHTCSmooth {
		v[0], v[2], v[3], v[5] = smoothCoeffs(v[0], v[2], v[3], v[5])
	}
	fullModel(v[0], v[1], v[2], v[3], v[4], v[5], v[6], tMin, tMax, t, out, exact, cache)
}

// argminAbs is np.argmin(|t − v|): the first index of the closest value.
func argminAbs(t []float64, v float64) int {
	best, bi := math.Inf(1), 0
	for i, x := range t {
		if d := math.Abs(x - v); d < best || (math.IsNaN(best) && !math.IsNaN(d)) {
			best, bi = d, i
		}
	}
	return bi
}

// weightPieces returns the boundaries of the pieces of the T-sorted
// residuals that get their own robust weights (full_model_weight): the
// heating, flat and cooling ranges split at the data points nearest the
// breakpoints.
func weightPieces(v [7]float64, ts []float64) []int {
	hddBp, hddBeta, cddBp, cddBeta := v[0], v[1], v[3], v[4]
	if hddBp > cddBp {
		hddBp, cddBp = cddBp, hddBp
	}
	n := len(ts)
	switch {
	case hddBeta == 0 && cddBeta == 0, cddBp >= ts[n-1] || hddBp <= ts[0]:
		return []int{0, n}
	case hddBeta == 0:
		return []int{0, argminAbs(ts, cddBp), n}
	case cddBeta == 0:
		return []int{0, argminAbs(ts, hddBp), n}
	}
	ih, ic := argminAbs(ts, hddBp), argminAbs(ts, cddBp)
	if hddBp == cddBp {
		return []int{0, ih, n} // eemeter takes [:ih] and [ic:], equal here
	}
	return []int{0, ih, ic, n}
}

// fitProblem is one segment's data and the state of its objective
// (obj_fcn_decorator).
type fitProblem struct {
	s        dailySettings
	t, obs   []float64 // date order
	order    []int     // indices sorting t ascending
	ts, os   []float64 // t and obs in that order
	tMin     float64
	tMax     float64
	tStd     float64 // numpy.std of all temperatures and of all use
	oStd     float64
	alpha    float64
	adaptive bool
	regAlpha float64
	key      modelKey
	model    []float64
	ms       []float64 // the model in temperature order
	sortedOK bool      // no NaN temperature: fullModelSorted applies
	resid    []float64
	rs, ws   []float64 // residuals and weights in temperature order
	w        []float64
	sq       []float64
	robust   robustState
	exps     expCache    // the model's exponentials
	stds     [8]stdEntry // recent sideStd results
	nextStd  int
}

func newFitProblem(t, obs []float64, s dailySettings) *fitProblem {
	n := len(t)
	p := &fitProblem{s: s, t: t, obs: obs, order: npArgsort(t),
		ts: make([]float64, n), os: make([]float64, n),
		model: make([]float64, n), resid: make([]float64, n), rs: make([]float64, n),
		ws: make([]float64, n), w: make([]float64, n), sq: make([]float64, n)}
	for i, j := range p.order {
		p.ts[i], p.os[i] = t[j], obs[j]
	}
	p.tMin, p.tMax = p.ts[0], p.ts[n-1]
	p.tStd, p.oStd = npStd(p.ts), npStd(p.os)
	p.robust.exact = s.exactPath
	p.ms = make([]float64, n)
	p.sortedOK = !slices.ContainsFunc(p.ts, math.IsNaN)
	for i := range p.w {
		p.w[i] = 1
	}
	return p
}

// loss is the objective at x: Σw·r²/N plus, in the initial fit, the lasso
// penalty; it leaves the model, residuals and weights in p.
func (p *fitProblem) loss(x []float64) float64 {
	n := len(p.t)
	if p.sortedOK {
		v := fullX(p.key, x)
		if p.key == keyHTCSmooth {
			v[0], v[2], v[3], v[5] = smoothCoeffs(v[0], v[2], v[3], v[5])
		}
		fullModelSorted(v[0], v[1], v[2], v[3], v[4], v[5], v[6], p.tMin, p.tMax, p.ts, p.ms, p.s.exactPath, &p.exps)
		order := p.order[:n]
		ms, os := p.ms[:len(order)], p.os[:len(order)]
		if !p.adaptive && p.alpha == 2 {
			// least squares: every weight is 1 (p.w stays all ones); the
			// squares go to their days' places, as eemeter sums them in
			// date order (result fills p.model and p.resid)
			sq := p.sq[:n]
			for i, j := range order {
				r := ms[i] - os[i]
				sq[j] = r * r
			}
			return p.lsLoss(x)
		}
		model, resid, rs := p.model[:n], p.resid[:n], p.rs[:n]
		for i, j := range order {
			r := ms[i] - os[i]
			model[j], resid[j], rs[i] = ms[i], r, r
		}
	} else {
		evalModel(p.key, x, p.tMin, p.tMax, p.t, p.model, p.s.exactPath, &p.exps)
		for i := range p.model {
			p.resid[i] = p.model[i] - p.obs[i]
		}
		if !p.adaptive && p.alpha == 2 {
			for i, r := range p.resid {
				p.sq[i] = r * r
			}
			return p.lsLoss(x)
		}
		for i, j := range p.order {
			p.rs[i] = p.resid[j]
		}
	}
	v := fullX(p.key, x)
	cuts := weightPieces(v, p.ts)
	for c := 0; c+1 < len(cuts); c++ {
		a, b := cuts[c], cuts[c+1]
		switch {
		case b == a:
		case b-a < 3:
			for i := a; i < b; i++ {
				p.ws[i] = 1
			}
		default:
			p.robust.adaptiveWeightsCached(p.rs[a:b], p.ws[a:b], p.alpha, p.adaptive)
		}
	}
	for i, j := range p.order {
		p.w[j] = p.ws[i]
	}
	for i, r := range p.resid {
		p.sq[i] = p.w[i] * (r * r)
	}
	l := npSum(p.sq) / float64(len(p.t))
	if p.regAlpha != 0 {
		l += p.penalty(x, math.Sqrt(l))
	}
	return l
}

// lsLoss is the least-squares objective from the squared residuals in
// p.sq: their mean plus the penalty of the initial fit.
func (p *fitProblem) lsLoss(x []float64) float64 {
	l := npSum(p.sq) / float64(len(p.t))
	if p.regAlpha != 0 {
		l += p.penalty(x, math.Sqrt(l))
	}
	return l
}

// penalty is the elastic-net term of the initial fit (lasso share 1):
// regularisation α times the L1 norm of the breakpoints' distances to the
// data's edge plus half their gap, scaled by wRMSE/range; the slopes
// scaled by std(T)/std(obs) of their side (×1e30 when a side has fewer
// than segment_minimum_count days); and the smoothing shares times half
// the scaled slopes. The data are sorted by temperature, so every side is
// a contiguous range of them.
func (p *fitProblem) penalty(x []float64, wrmse float64) float64 {
	nMin := p.s.segMin
	bp, bi, ki := p.key.bpIdx(), p.key.betaIdx(), p.key.kIdx()
	var e [7]float64
	copy(e[:], x)
	tRange := p.tMax - p.tMin
	for _, i := range bp {
		e[i] = math.Min(math.Abs(x[i]-p.tMin), math.Abs(x[i]-p.tMax))
	}
	if len(bp) == 2 {
		half := (x[bp[1]] - x[bp[0]]) / 2
		e[bp[0]] += half
		e[bp[1]] += half
	}
	for _, i := range bp {
		e[i] *= wrmse / tRange
	}
	ts := p.ts
	n := len(ts)
	below := func(v float64) int { return sort.SearchFloat64s(ts, v) }                             // #(T < v)
	atMost := func(v float64) int { return sort.Search(n, func(i int) bool { return ts[i] > v }) } // #(T ≤ v)
	type rng struct{ lo, hi int }
	var hdd, tidd, cdd rng
	switch len(bp) {
	case 2:
		h, c := x[bp[0]], x[bp[1]]
		hdd = rng{0, below(h)}
		c1 := atMost(c)
		tidd = rng{hdd.hi, max(c1, hdd.hi)}
		if !(h <= c) {
			tidd = rng{0, 0}
		}
		cdd = rng{c1, n}
	case 1:
		b := x[bp[0]]
		if x[bi[0]] < 0 {
			k := atMost(b)
			hdd, tidd = rng{0, k}, rng{k, n}
		} else {
			k := below(b)
			tidd, cdd = rng{0, k}, rng{k, n}
		}
	default:
		tidd = rng{0, n}
	}
	size := func(r rng) int { return r.hi - r.lo }
	lenH, lenT, lenC := size(hdd), size(tidd), size(cdd)
	if lenH < nMin && lenC >= nMin {
		if lenT > 0 { // hdd followed by the flat days: contiguous
			if lenH == 0 {
				hdd = tidd
			} else {
				hdd.hi = tidd.hi
			}
		}
	} else if lenH >= nMin && lenC < nMin {
		if lenT > 0 {
			if lenC == 0 {
				cdd = tidd
			} else {
				cdd.lo = tidd.lo
			}
		}
	}
	std := func(r rng) (float64, float64) {
		// every weight is 1 in the initial fit, so fast_std is numpy.std
		return p.sideStd(r.lo, r.hi)
	}
	var nBeta, tSd, oSd [2]float64
	nb := 1
	switch {
	case len(bp) == 2 && size(hdd) >= nMin && size(cdd) >= nMin:
		nb = 2
		tSd[0], oSd[0] = std(hdd)
		tSd[1], oSd[1] = std(cdd)
		nBeta = [2]float64{float64(lenH), float64(lenC)}
	case len(bp) == 1 && size(hdd) >= nMin:
		tSd[0], oSd[0] = std(hdd)
		nBeta[0] = float64(lenH)
	case len(bp) == 1 && size(cdd) >= nMin:
		tSd[0], oSd[0] = std(cdd)
		nBeta[0] = float64(lenC)
	default:
		tSd[0], oSd[0] = p.tStd, p.oStd
		nBeta[0] = float64(lenT)
	}
	for j, i := range bi {
		jj := min(j, nb-1) // NumPy broadcasting of a length-1 array
		e[i] *= tSd[jj] / oSd[jj]
		if nBeta[jj] < float64(nMin) {
			e[i] *= 1e30
		}
	}
	if len(ki) > 0 {
		for _, i := range ki {
			e[i] = x[i]
		}
		if len(ki) == 2 {
			if sum := e[ki[0]] + e[ki[1]]; sum > 1 {
				e[ki[0]] /= sum
				e[ki[1]] /= sum
			}
		}
		for j, i := range ki {
			e[i] *= e[bi[j]] / 2
		}
	}
	// every coefficient but the intercept is regularised, in index order
	l1 := 0.0
	for i := 0; i < len(x)-1; i++ {
		l1 += math.Abs(e[i])
	}
	return p.regAlpha * l1
}

// sideStd is numpy.std of the temperatures and of the use of the
// T-sorted days lo…hi−1, remembered: the optimiser's trial breakpoints
// mostly fall between the same days as the last few did.
func (p *fitProblem) sideStd(lo, hi int) (float64, float64) {
	for _, e := range p.stds {
		if e.ok && e.lo == lo && e.hi == hi {
			return e.t, e.o
		}
	}
	t, o := npStd(p.ts[lo:hi]), npStd(p.os[lo:hi])
	p.stds[p.nextStd] = stdEntry{lo: lo, hi: hi, t: t, o: o, ok: true}
	p.nextStd = (p.nextStd + 1) % len(p.stds)
	return t, o
}

// stdEntry is one remembered sideStd result.
type stdEntry struct {
	lo, hi int
	t, o   float64
	ok     bool
}

// segmentResult is one fitted segment (OptimizedResult).
type segmentResult struct {
	key        modelKey // after reduction
	x          []float64
	n          int
	tMin, tMax float64 // coldest and warmest day
	tMinSeg    float64 // the (segMin+1)-th coldest and warmest
	tMaxSeg    float64
	obs, resid []float64 // date order; obs as eemeter recovers it (model − resid)
	wsse       float64
	fUnc       float64
	nevals     int
}

// tBounds are get_T_bnds: the extremes and the segMin-th inner values.
func tBounds(t []float64, segMin int) (tMin, tMax, tMinSeg, tMaxSeg float64) {
	s := sortedCopy(t)
	n := len(s)
	return s[0], s[n-1], s[min(segMin, n-1)], s[max(n-segMin, 0)]
}

// runOptimizer is eemeter's Optimizer with NLopt Subplex
// (NLoptOptimizer.run): only coordinates with distinct bounds move, x0 is
// clipped into the box, the first steps are 10% of each bound range (in the
// other direction when that step would leave the box), at most 1999
// evaluations, x and f tolerances 1e-5 relative. It returns the full
// coefficient vector at the optimum (fixed coordinates keep x0's values).
func runOptimizer(f func([]float64) float64, x0 []float64, lb, ub []float64, step float64) ([]float64, int) {
	n := len(x0)
	tmpl := slices.Clone(x0)
	var idx []int
	for i := 0; i < n; i++ {
		if lb[i] < ub[i] {
			idx = append(idx, i)
		}
	}
	xo := make([]float64, len(idx))
	lo, hi, st := make([]float64, len(idx)), make([]float64, len(idx)), make([]float64, len(idx))
	for j, i := range idx {
		xo[j] = math.Min(math.Max(x0[i], lb[i]), ub[i])
		lo[j], hi[j] = lb[i], ub[i]
		maxStep := math.Max(math.Abs(lb[i]-xo[j]), math.Abs(ub[i]-xo[j]))
		st[j] = (ub[i] - lb[i]) * step
		st[j] = math.Min(math.Max(st[j], -maxStep), maxStep)
		if x1 := xo[j] + st[j]; x1 < lo[j] || x1 > hi[j] {
			st[j] = -st[j]
		}
	}
	full := func(v []float64) []float64 {
		for j, i := range idx {
			tmpl[i] = v[j]
		}
		return tmpl
	}
	stop := &nlStop{ftolRel: 1e-5, xtolRel: 1e-5, maxEval: 2000 - 1}
	if len(idx) > 0 {
		subplex(func(v []float64) float64 { return f(full(v)) }, lo, hi, xo, st, stop)
	}
	return slices.Clone(full(xo)), stop.nevals
}

// fixIdenticalBounds widens equal bounds by ±10^⌊log10|b|⌋ (±10 when b = 0)
// and sorts each pair (fix_identical_bnds after np.sort).
func fixBounds(lb, ub []float64) {
	for i := range lb {
		if lb[i] > ub[i] {
			lb[i], ub[i] = ub[i], lb[i]
		}
		if lb[i] == ub[i] {
			d := pow10(oomFloor(lb[i]))
			lb[i], ub[i] = lb[i]-d, ub[i]+d
		}
	}
}

// quantileBounds are the intercept bounds: the 1st and 99th percentiles of
// the observations.
func quantileBounds(obs []float64) (float64, float64) {
	s := sortedCopy(obs)
	return npQuantileSorted(s, 0.01), npQuantileSorted(s, 0.99)
}

// slopeLimit is the slope bound from a first estimate: |β| plus
// 10^(log10|β| + log10 scalar) (zero stays zero).
func slopeLimit(beta, scalar float64) float64 {
	if beta == 0 {
		return 0
	}
	return beta + pow10(glibcLog10(math.Abs(beta))+glibcLog10(scalar))
}

// estimateSlope is get_slope: the slope through (bp, intercept) minimising
// √SSE (least squares, α = 2) or the log-cosh loss otherwise, by Brent's
// method with tolerance 0.1.
func estimateSlope(x, y []float64, bp, intercept float64, ls bool) float64 {
	r := make([]float64, len(x))
	obj := func(s float64) float64 {
		for i := range x {
			res := y[i] - (s*(x[i]-bp) + intercept)
			if ls {
				r[i] = res * res
			} else {
				r[i] = logAddExp(res, -res) - math.Ln2
			}
		}
		if ls {
			return math.Sqrt(npSum(r))
		}
		return npSum(r)
	}
	return brentMinimize(obj, 0.1)
}

// logAddExp is numpy.logaddexp.
func logAddExp(a, b float64) float64 {
	if a == b {
		return a + math.Ln2
	}
	d := a - b
	switch {
	case d > 0:
		return a + math.Log1p(fastExp(-d))
	case d <= 0:
		return b + math.Log1p(fastExp(d))
	}
	return math.NaN()
}

// centre is get_intercept: the mean (least squares) or the median.
func centre(y []float64, ls bool) float64 {
	if ls {
		return npMean(y)
	}
	return npMedian(y)
}

// estimateBetas is estimate_betas_and_intercept on T-sorted data: the
// intercept from the flat days (or the days around an empty flat range, or
// the 20th percentile), then each slope by Brent, a heating slope kept only
// when negative (and reported positive), a cooling slope only when
// positive.
func estimateBetas(ts, os []float64, hddBp, cddBp float64, nMin int, ls bool) (hb, cb, icp float64) {
	n := len(ts)
	h0 := 0
	for h0 < n && ts[h0] < hddBp {
		h0++
	}
	c0 := h0
	for c0 < n && ts[c0] <= cddBp {
		c0++
	}
	// heating: [0, h0), flat: [h0, c0), cooling: [c0, n) — the flat range
	// is exactly hddBp ≤ T ≤ cddBp when hddBp ≤ cddBp
	nh, nc := h0, n-c0
	var flat []float64
	for i := 0; i < n; i++ {
		if hddBp <= ts[i] && ts[i] <= cddBp {
			flat = append(flat, os[i])
		}
	}
	switch {
	case len(flat) > 0:
		icp = centre(flat, ls)
	case nc >= nMin && nh >= nMin && (c0+nMin-1)-(h0-nMin) > 0:
		icp = centre(os[h0-nMin:c0+nMin-1], ls)
	default:
		icp = npQuantile(os, 0.20)
	}
	hb = estimateSlope(ts[:h0], os[:h0], hddBp, icp, ls)
	if hb > 0 {
		hb = 0
	} else {
		hb *= -1
	}
	cb = estimateSlope(ts[c0:], os[c0:], cddBp, icp, ls)
	if cb < 0 {
		cb = 0
	}
	return hb, cb, icp
}

// initialGuess is _hdd_tidd_cdd_smooth_x0: DIRECT over the two breakpoints
// between the segMin-th coldest and warmest days, each trial scored by the
// least-squares fit of estimateBetas (intercept re-centred on the mean
// residual) plus the lasso term on the breakpoints. It returns hdd_bp,
// hdd_beta, cdd_bp, cdd_beta, intercept.
func (p *fitProblem) initialGuess() (x [5]float64, nevals int) {
	s := p.s
	nMin := s.segMin
	ts, os := p.ts, p.os
	n := len(ts)
	ls := s.alphaSelection == 2
	tFitMin, tFitMax := ts[0], ts[n-1]
	model := make([]float64, n)
	resid := make([]float64, n)
	sq := make([]float64, n)
	eval := func(v []float64) ([5]float64, float64) {
		hdd, cdd := v[0], v[1]
		if !(v[0] < v[1]) {
			hdd, cdd = v[1], v[0]
		}
		hb, cb, icp := estimateBetas(ts, os, hdd, cdd, nMin, ls)
		fullModel(hdd, hb, 0, cdd, cb, 0, icp, tFitMin, tFitMax, ts, model, true, nil) // no smoothing: no exponential
		for i := range model {
			resid[i] = model[i] - os[i]
		}
		var c float64
		if ls {
			c = npMean(resid)
		} else {
			c = npMedian(resid)
		}
		for i := range resid {
			resid[i] -= c
			sq[i] = resid[i] * resid[i] // the weights are all 1 at α = 2
		}
		icp += c
		loss := npSum(sq)
		wrmse := math.Sqrt(loss / float64(n))
		tRange := tFitMax - tFitMin
		l1 := 0.0
		for _, b := range v {
			d := math.Min(math.Abs(b-tFitMin), math.Abs(b-tFitMax))
			d += (v[1] - v[0]) / 2
			d *= wrmse / tRange
			l1 += math.Abs(d)
		}
		loss += s.regAlpha * l1
		return [5]float64{hdd, hb, cdd, cb, icp}, loss
	}
	lo, hi := ts[nMin-1], ts[n-nMin]
	if lo == hi {
		lo, hi = ts[0], ts[n-1]
	}
	if hi < lo {
		lo, hi = hi, lo
	}
	r := hi - lo
	x0 := []float64{r*0.10 + lo, r*0.90 + lo}
	stop := &nlStop{xtolRel: 1e-3, ftolRel: 0.5, maxEval: 200 - 1}
	xo, _, _ := direct(func(v []float64) float64 { _, l := eval(v); return l }, []float64{lo, lo}, []float64{hi, hi}, x0, stop)
	x, _ = eval(xo)
	return x, stop.nevals
}

// fitInitial is fit_initial_models_from_full_model with the default full
// model (hdd_tidd_cdd): DIRECT for the breakpoints, then Subplex on the
// whole model with the lasso penalty.
func fitInitial(t, obs []float64, s dailySettings) *segmentResult {
	p := newFitProblem(t, obs, s)
	p.alpha, p.adaptive, p.regAlpha = s.alphaSelection, false, s.regAlpha
	g, ne := p.initialGuess()
	maxSlope := slopeLimit(math.Max(g[1], g[3]), s.maxSlopeOoM)
	q01, q99 := quantileBounds(obs)
	var x0, lb, ub []float64
	if s.smooth {
		p.key = keyHTCSmooth
		x0 = []float64{g[0], g[1], 0, g[2], g[3], 0, g[4]}
		lb = []float64{p.tMin, 0, 0, p.tMin, 0, 0, q01}
		ub = []float64{p.tMax, math.Abs(maxSlope), 1, p.tMax, math.Abs(maxSlope), 1, q99}
	} else {
		p.key = keyHTC
		x0 = []float64{g[0], g[1], g[2], g[3], g[4]}
		lb = []float64{p.tMin, 0, p.tMin, 0, q01}
		ub = []float64{p.tMax, math.Abs(maxSlope), p.tMax, math.Abs(maxSlope), q99}
	}
	fixBounds(lb, ub)
	for _, i := range append(p.key.betaIdx(), p.key.kIdx()...) {
		lb[i] = math.Max(lb[i], 0)
	}
	x, nev := runOptimizer(p.loss, x0, lb, ub, s.initialStep)
	return p.result(x, ne+nev)
}

// finalBounds are x0 ± 10^(log10|x0| + log10 scalar), ±10 at zero
// (fit_final_model.get_bnds).
func finalBounds(x0 []float64, scalar float64) (lb, ub []float64) {
	lb, ub = make([]float64, len(x0)), make([]float64, len(x0))
	for i, v := range x0 {
		d := pow10(oomExact(v) + glibcLog10(scalar))
		lb[i], ub[i] = v-d, v+d
	}
	return lb, ub
}

// fitFinal refits a segment's reduced initial model (fit_final_model)
// without the penalty and with the final loss.
func fitFinal(t, obs []float64, s dailySettings, prior *segmentResult) *segmentResult {
	p := newFitProblem(t, obs, s)
	p.alpha, p.adaptive, p.regAlpha = s.alphaFinal, s.adaptiveFinal, 0
	p.key = prior.key
	ls := !s.adaptiveFinal && s.alphaFinal == 2
	lb, ub := finalBounds(prior.x, s.finalBoundsScalar)
	x0 := slices.Clone(prior.x)
	_, _, tMinSeg, tMaxSeg := tBounds(t, s.segMin)
	q01, q99 := quantileBounds(obs)
	switch p.key {
	case keyHTCSmooth, keyHTC:
		for _, i := range p.key.bpIdx() {
			lb[i], ub[i] = tMinSeg, tMaxSeg
		}
		lb[len(x0)-1], ub[len(x0)-1] = q01, q99
		fixBounds(lb, ub)
		for _, i := range append(p.key.betaIdx(), p.key.kIdx()...) {
			lb[i] = math.Max(lb[i], 0)
		}
	case keyCHTSmooth, keyCHT:
		smooth := p.key == keyCHTSmooth
		icp := len(x0) - 1
		bp, beta := x0[0], x0[1]
		// re-estimate the slope on its side (_c_hdd_tidd_x0_final)
		var xs, ys []float64
		for i, v := range t {
			if (beta < 0 && v <= bp) || (beta >= 0 && v >= bp) {
				xs, ys = append(xs, v), append(ys, obs[i])
			}
		}
		if len(xs) >= s.segMin {
			x0[1] = estimateSlope(xs, ys, bp, x0[icp], ls)
		}
		bpLo, bpHi := tMinSeg, tMaxSeg
		if !smooth {
			tMin, tMax, _, _ := tBounds(t, s.segMin)
			const rtol = 1e-5
			near := func(a, b float64) bool { return math.Abs(a-b) <= rtol*math.Max(math.Abs(a), math.Abs(b)) }
			if x0[1] < 0 && (x0[0] >= tMaxSeg || near(x0[0], tMaxSeg)) {
				// heating only, breakpoint at the warm edge (sic: intercept − bp·T_max)
				x0[icp] -= x0[0] * tMax
				x0[0] = tMax
				bpLo, bpHi = tMax, tMax
			}
			if x0[1] >= 0 && (x0[0] <= tMinSeg || near(x0[0], tMinSeg)) {
				x0[icp] -= x0[0] * tMin
				x0[0] = tMin
				bpLo, bpHi = tMin, tMin
			}
		}
		lb[0], ub[0] = bpLo, bpHi
		lb[icp], ub[icp] = q01, q99
		fixBounds(lb, ub)
		if smooth && lb[2] < 0 {
			lb[2] = 0
		}
		if bpLo == bpHi {
			lb[0], ub[0] = bpLo, bpHi
		}
	case keyTIDD:
		lb[0], ub[0] = q01, q99
		fixBounds(lb, ub)
	}
	x, nev := runOptimizer(p.loss, x0, lb, ub, s.initialStep)
	return p.result(x, nev)
}

// result evaluates the objective at x and builds the segment's result
// (OptimizedResult): prediction uncertainty from the residuals before the
// model is reduced, then reduction.
func (p *fitProblem) result(x []float64, nevals int) *segmentResult {
	p.loss(x)
	if p.sortedOK {
		// the least-squares objective leaves only the squares in date order
		for i, j := range p.order {
			p.model[j], p.resid[j] = p.ms[i], p.ms[i]-p.os[i]
		}
	}
	r := &segmentResult{n: len(p.t), nevals: nevals}
	r.tMin, r.tMax, r.tMinSeg, r.tMaxSeg = tBounds(p.t, p.s.segMin)
	r.resid = slices.Clone(p.resid)
	r.obs = make([]float64, len(p.t))
	for i := range r.obs {
		r.obs[i] = p.model[i] - p.resid[i]
		p.sq[i] = p.w[i] * (p.resid[i] * p.resid[i])
	}
	r.wsse = npSum(p.sq)
	r.fUnc = predictionUncertainty(r.resid, len(x), p.s.uncAlpha)
	v := reducible(p.key, x, r.tMin, r.tMax, r.tMinSeg, r.tMaxSeg)
	r.key, r.x = reduceModel(v, r.tMin, r.tMax, r.tMinSeg, r.tMaxSeg, p.key)
	return r
}

// predictionUncertainty is OptimizedResult._prediction_uncertainty: the
// residuals' standard deviation times the two-sided t quantile at 1 − α/2
// on the autocorrelation-adjusted degrees of freedom, times
// (1 + 1/√(dof + 1)).
func predictionUncertainty(resid []float64, nCoeffs int, alpha float64) float64 {
	n := len(resid)
	m := npMean(resid)
	v := npVar(resid)
	lag1 := 0.0
	for t := 0; t+1 < n; t++ {
		lag1 += (resid[t] - m) * (resid[t+1] - m)
	}
	lag1 = lag1 / v / float64(n)
	nEff := float64(n) * (1 - lag1) / (1 + lag1)
	dof := nEff - float64(nCoeffs)
	if dof < 1 {
		dof = 1
	}
	k := dof + 1
	return npStd(resid) * tQuantile(1-alpha/2, k-1) * (1 + 1/math.Sqrt(k))
}

// reducible is get_full_model_x followed by fix_full_model_x: the seven
// general coefficients of form key at x (a single slope's breakpoint kept
// within the inner temperature range), ordered, a slope whose breakpoint
// sits at or beyond the data's edge dropped, smoothing dropped with its
// slope.
func reducible(key modelKey, x []float64, tMin, tMax, tMinSeg, tMaxSeg float64) [7]float64 {
	v := fullX(key, x)
	if key == keyCHT {
		bp := x[0]
		if x[0] < tMinSeg {
			bp = tMinSeg
		} else if x[0] > tMaxSeg {
			bp = tMaxSeg
		}
		v[0], v[3] = bp, bp
	}
	return fixFullX(v, tMin, tMax)
}

// fixFullX is fix_full_model_x.
func fixFullX(v [7]float64, tMin, tMax float64) [7]float64 {
	if v[3] < v[0] {
		v[0], v[3] = v[3], v[0]
		v[1], v[4] = v[4], v[1]
		v[2], v[5] = v[5], v[2]
	}
	if v[0] != v[3] {
		if v[3] >= tMax {
			v[4] = 0
		} else if v[0] <= tMin {
			v[1] = 0
		}
	}
	if v[1] == 0 {
		v[2] = 0
	}
	if v[4] == 0 {
		v[5] = 0
	}
	return v
}

// smoothWidths is optimize_results.get_k: the smoothing widths, dropped on
// a side whose breakpoint lies beyond the inner temperature range.
func smoothWidths(hddBp, pctH, cddBp, pctC, tMinSeg, tMaxSeg float64) (hb, hk, cb, ck float64) {
	hb, hk, cb, ck = smoothCoeffs(hddBp, pctH, cddBp, pctC)
	if hddBp >= tMaxSeg {
		hb, hk = hddBp, 0
		if ck == 0 && hk == 0 {
			cb = hb
		}
	}
	if cddBp <= tMinSeg {
		cb, ck = cddBp, 0
		if ck == 0 && hk == 0 {
			hb = cb
		}
	}
	return hb, hk, cb, ck
}

// reduceModel is optimize_results.reduce_model: the simplest form that
// expresses v (both slopes, one slope or none; smoothed or not), single
// slopes signed (negative for heating) and smoothing of a single slope as
// a width in °F.
func reduceModel(v [7]float64, tMin, tMax, tMinSeg, tMaxSeg float64, from modelKey) (modelKey, []float64) {
	hddBp, hddBeta, pctH, cddBp, cddBeta, pctC, icp := v[0], v[1], v[2], v[3], v[4], v[5], v[6]
	switch {
	case cddBeta != 0 && hddBeta != 0 && (pctC != 0 || pctH != 0):
		return keyHTCSmooth, []float64{hddBp, hddBeta, pctH, cddBp, cddBeta, pctC, icp}
	case cddBeta != 0 && hddBeta != 0 && pctC == 0 && pctH == 0:
		return keyHTC, []float64{hddBp, hddBeta, cddBp, cddBeta, icp}
	case hddBeta != 0 && cddBeta == 0 && pctH != 0:
		hk := pctH
		if from == keyHTCSmooth {
			var ck float64
			hddBp, hk, cddBp, ck = smoothWidths(hddBp, pctH, cddBp, pctC, tMinSeg, tMaxSeg)
			if hk == 0 && ck == 0 {
				return reduceModel([7]float64{hddBp, hddBeta, hk, cddBp, cddBeta, ck, icp}, tMin, tMax, tMinSeg, tMaxSeg, keyCHTSmooth)
			}
		}
		return keyCHTSmooth, []float64{hddBp, -hddBeta, hk, icp}
	case hddBeta == 0 && cddBeta != 0 && pctC != 0:
		ck := pctC
		if from == keyHTCSmooth {
			var hk float64
			hddBp, hk, cddBp, ck = smoothWidths(hddBp, pctH, cddBp, pctC, tMinSeg, tMaxSeg)
			if hk == 0 && ck == 0 {
				return reduceModel([7]float64{hddBp, hddBeta, hk, cddBp, cddBeta, ck, icp}, tMin, tMax, tMinSeg, tMaxSeg, keyCHTSmooth)
			}
		}
		return keyCHTSmooth, []float64{cddBp, cddBeta, ck, icp}
	case hddBeta != 0 && cddBeta == 0 && pctH == 0:
		if hddBp >= tMaxSeg {
			hddBp = tMaxSeg
		}
		return keyCHT, []float64{hddBp, -hddBeta, icp}
	case hddBeta == 0 && cddBeta != 0 && pctC == 0:
		if cddBp <= tMinSeg {
			cddBp = tMinSeg
		}
		return keyCHT, []float64{cddBp, cddBeta, icp}
	}
	return keyTIDD, []float64{icp}
}
