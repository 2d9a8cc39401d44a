package savings

import (
	"math"
	"slices"
)

// Derivative-free optimisers that follow NLopt 2.7.1 (the library eemeter
// 4.1.1 calls through its Python binding) step for step, so that the
// eemeter 4.x daily model lands where eemeter's does: eemeter stops where
// these algorithms stop, not at the global optimum of its objective.
//
//   - direct: the DIRECT global search of Jones, Perttunen and Stuckman
//     (1993) as NLopt's GN_DIRECT runs it (src/algs/cdirect/cdirect.c,
//     Steven G. Johnson's implementation): the box rescaled to the unit
//     cube, rectangle size the half diagonal rounded to single precision,
//     all longest sides trisected when every side is longest (else only
//     the first longest one), every point of the lower convex hull of
//     (size, value) kept, duplicates included, and no ε test (NLopt passes
//     magic_eps = 0 for GN_DIRECT).
//   - subplex: Rowan's Subplex (1990) as NLopt's LN_SBPLX runs it
//     (src/algs/neldermead/sbplx.c with nldrmd.c): subspaces of 2 to 5
//     coordinates chosen by Rowan's figure of merit on the last progress
//     vector, bounded Nelder–Mead (reflection 1, contraction ½, expansion
//     2, shrink ½; points pinned to the box as Richardson and Kuester
//     suggest) until each simplex is ¼ of its first size, step sizes
//     rescaled between sweeps within [0.1, 10].
//
// Both count evaluations and stop exactly where NLopt does (stop.c): the
// evaluation budget is checked after every evaluation, a relative tolerance
// r is met when |new − old| < r·(|new| + |old|)/2 (or both are equal), and
// absolute tolerances are zero unless set.

// nlStop holds NLopt's stopping criteria (nlopt_stopping) for one run.
type nlStop struct {
	ftolRel float64
	xtolRel float64
	xtolAbs []float64 // per coordinate; nil means all zero
	maxEval int       // 0: no limit
	nevals  int
}

func (s *nlStop) xAbs(i int) float64 {
	if s.xtolAbs == nil {
		return 0
	}
	return s.xtolAbs[i]
}

// relStop is NLopt's relstop: vnew is within the relative tolerance rel
// (or the absolute abs) of vold; never when vold is infinite.
func relStop(vold, vnew, rel, abs float64) bool {
	if math.IsInf(vold, 0) {
		return false
	}
	d := math.Abs(vnew - vold)
	return d < abs || d < rel*(math.Abs(vnew)+math.Abs(vold))*0.5 || (rel > 0 && vnew == vold)
}

func (s *nlStop) ftol(f, oldf float64) bool { return relStop(oldf, f, s.ftolRel, 0) }

// xtol is nlopt_stop_x: every coordinate moved less than its tolerance.
func (s *nlStop) xtol(x, oldx []float64) bool {
	for i := range x {
		if !relStop(oldx[i], x[i], s.xtolRel, s.xAbs(i)) {
			return false
		}
	}
	return true
}

func (s *nlStop) evalsDone() bool { return s.maxEval > 0 && s.nevals >= s.maxEval }

// nlResult says why an optimiser stopped (NLopt's nlopt_result values that
// can occur here).
type nlResult int

const (
	nlSuccess nlResult = iota
	nlFailure
	nlFtolReached
	nlXtolReached
	nlMaxEvalReached
)

// ---------------------------------------------------------------------------
// DIRECT

// directRect is one hyper-rectangle: its size (d), the objective at its
// centre (f), its age (the tie-breaker: rectangles are ordered by d, then
// f, then age), centre c and side widths w, all in the unit cube.
type directRect struct {
	d, f float64
	age  float64
	c, w []float64
}

// rectCmp orders keys as cdirect_hyperrect_compare does (NaN compares as
// neither smaller nor larger and falls through to the next key).
func rectCmp(a, b *directRect) int {
	switch {
	case a.d < b.d:
		return -1
	case a.d > b.d:
		return 1
	case a.f < b.f:
		return -1
	case a.f > b.f:
		return 1
	case a.age < b.age:
		return -1
	case a.age > b.age:
		return 1
	}
	return 0
}

// directSearch is the state of one DIRECT run: the rectangles in key order
// (NLopt keeps a red-black tree; a sorted slice gives the same order).
type directSearch struct {
	n      int
	f      func(x []float64) float64
	lb, ub []float64
	stop   *nlStop
	rects  []*directRect
	age    float64
	minf   float64
	xmin   []float64 // unit-cube coordinates of the best point
	x      []float64 // scratch: a point in the original box
	fv     []float64
	isort  []int
}

func (s *directSearch) eval(c []float64) float64 {
	for i := range c {
		s.x[i] = s.lb[i] + c[i]*(s.ub[i]-s.lb[i])
	}
	f := s.f(s.x)
	if f < s.minf {
		s.minf = f
		copy(s.xmin, c)
	}
	s.stop.nevals++
	return f
}

// diameter is the Jones size of a rectangle: half its diagonal, rounded
// to single precision so that equal sizes compare equal.
func diameter(w []float64) float64 {
	sum := 0.0
	for _, v := range w {
		sum += v * v
	}
	return float64(float32(math.Sqrt(sum) * 0.5))
}

func (s *directSearch) find(r *directRect) int {
	i, ok := slices.BinarySearchFunc(s.rects, r, rectCmp)
	if !ok {
		return -1
	}
	return i
}

func (s *directSearch) insert(r *directRect) {
	i, _ := slices.BinarySearchFunc(s.rects, r, rectCmp)
	s.rects = slices.Insert(s.rects, i, r)
}

// findGT returns the index of the first rectangle whose key exceeds
// (d, −∞), or len when none does.
func (s *directSearch) findGT(d float64) int {
	k := &directRect{d: d, f: math.Inf(-1), age: -1}
	i, _ := slices.BinarySearchFunc(s.rects, k, func(a, b *directRect) int {
		if rectCmp(a, b) <= 0 {
			return -1
		}
		return 1
	})
	return i
}

const (
	directThird  = 0.3333333333333333333333
	equalSideTol = 5e-2 // sides within 5% of the longest count as longest
)

// divide trisects rectangle r (cdirect.c divide_rect with which_div 0).
func (s *directSearch) divide(r *directRect) nlResult {
	n := s.n
	wmax, imax := r.w[0], 0
	for i := 1; i < n; i++ {
		if r.w[i] > wmax {
			imax = i
			wmax = r.w[i]
		}
	}
	nlongest := 0
	for i := 0; i < n; i++ {
		if wmax-r.w[i] <= wmax*equalSideTol {
			nlongest++
		}
	}
	if nlongest == n {
		for i := 0; i < n; i++ {
			if wmax-r.w[i] <= wmax*equalSideTol {
				save := r.c[i]
				r.c[i] = save - r.w[i]*directThird
				s.fv[2*i] = s.eval(r.c)
				if s.stop.evalsDone() {
					return nlMaxEvalReached
				}
				r.c[i] = save + r.w[i]*directThird
				s.fv[2*i+1] = s.eval(r.c)
				if s.stop.evalsDone() {
					return nlMaxEvalReached
				}
				r.c[i] = save
			} else {
				s.fv[2*i], s.fv[2*i+1] = math.Inf(1), math.Inf(1)
			}
		}
		for i := range s.isort {
			s.isort[i] = i
		}
		slices.SortStableFunc(s.isort, func(a, b int) int {
			fa := math.Min(s.fv[2*a], s.fv[2*a+1])
			fb := math.Min(s.fv[2*b], s.fv[2*b+1])
			switch {
			case fa < fb:
				return -1
			case fa > fb:
				return 1
			}
			return 0
		})
		pos := s.find(r)
		if pos < 0 {
			return nlFailure
		}
		for i := 0; i < nlongest; i++ {
			j := s.isort[i]
			s.rects = slices.Delete(s.rects, pos, pos+1)
			r.w[j] *= directThird
			r.d = diameter(r.w)
			r.age = s.age
			s.age++
			s.insert(r)
			for k := 0; k <= 1; k++ {
				nr := &directRect{d: r.d, c: slices.Clone(r.c), w: slices.Clone(r.w)}
				nr.c[j] += r.w[j] * float64(2*k-1)
				nr.f = s.fv[2*j+k]
				nr.age = s.age
				s.age++
				s.insert(nr)
			}
			pos = s.find(r)
		}
		return nlSuccess
	}
	i := imax
	pos := s.find(r)
	if pos < 0 {
		return nlFailure
	}
	s.rects = slices.Delete(s.rects, pos, pos+1)
	r.w[i] *= directThird
	r.d = diameter(r.w)
	r.age = s.age
	s.age++
	s.insert(r)
	for k := 0; k <= 1; k++ {
		nr := &directRect{d: r.d, f: r.f, c: slices.Clone(r.c), w: slices.Clone(r.w)}
		nr.c[i] += r.w[i] * float64(2*k-1)
		nr.f = s.eval(nr.c)
		if s.stop.evalsDone() {
			return nlMaxEvalReached
		}
		nr.age = s.age
		s.age++
		s.insert(nr)
	}
	return nlSuccess
}

// hull returns the rectangles on the lower convex hull of (d, f) in key
// order, duplicates included (cdirect.c convex_hull with allow_dups, and
// its shortcuts: sizes within 1e-13 relative of the extremes count as the
// extremes, and only the lowest point of each size can be on the hull).
func (s *directSearch) hull() []*directRect {
	rs := s.rects
	if len(rs) == 0 {
		return nil
	}
	var h []*directRect
	xmin, yminmin := rs[0].d, rs[0].f
	xmax := rs[len(rs)-1].d
	k := 0
	for {
		h = append(h, rs[k])
		k++
		if !(k < len(rs) && rs[k].d == xmin && rs[k].f == yminmin) {
			break
		}
	}
	if xmin == xmax {
		return h
	}
	nmax := s.findGT(xmax * (1 - 1e-13))
	ymaxmin := rs[nmax].f
	minslope := (ymaxmin - yminmin) / (xmax - xmin)
	for n := s.findGT(xmin * (1 + 1e-13)); n != nmax; n++ {
		r := rs[n]
		if r.f > yminmin+(r.d-xmin)*minslope {
			continue
		}
		if len(h) > 0 && r.d == h[len(h)-1].d {
			if r.f > h[len(h)-1].f {
				// skip the rest of this size: resume at its last member
				n = s.findGT(r.d*(1+1e-13)) - 1
				continue
			}
			h = append(h, r)
			continue
		}
		for len(h) > 1 {
			t1 := h[len(h)-1]
			it2 := len(h) - 2
			var t2 *directRect
			for {
				t2 = h[it2]
				it2--
				if !(it2 >= 0 && t2.d == t1.d && t2.f == t1.f) {
					break
				}
			}
			if it2 < 0 {
				break
			}
			if (t1.d-t2.d)*(r.f-t2.f)-(t1.f-t2.f)*(r.d-t2.d) >= 0 {
				break
			}
			h = h[:len(h)-1]
		}
		h = append(h, r)
	}
	for m := nmax; ; {
		h = append(h, rs[m])
		m++
		if !(m < len(rs) && rs[m].d == xmax && rs[m].f == ymaxmin) {
			break
		}
	}
	return h
}

// small reports whether every side of w is within the x tolerances.
func (s *directSearch) small(w []float64) bool {
	for i := range w {
		if w[i] > s.stop.xAbs(i) && w[i] > s.stop.xtolRel {
			return false
		}
	}
	return true
}

// divideGood divides every potentially optimal rectangle: each point of
// the hull whose line through its neighbours' slopes reaches the best
// value so far, and always the largest (cdirect.c divide_good_rects with
// magic_eps 0). The hull keeps pointers to rectangles, so a rectangle
// divided earlier in the pass shows its new size to later slope tests, and
// the best value moves as points are evaluated — both as in NLopt.
func (s *directSearch) divideGood() nlResult {
	h := s.hull()
	xtolReached, dividedSome := true, false
	for i := 0; i < len(h); i++ {
		k1, k2 := math.Inf(-1), math.Inf(-1)
		im := i - 1
		for im >= 0 && h[im].d == h[i].d {
			im--
		}
		ip := i + 1
		for ip < len(h) && h[ip].d == h[i].d {
			ip++
		}
		if im >= 0 {
			k1 = (h[i].f - h[im].f) / (h[i].d - h[im].d)
		}
		if ip < len(h) {
			k2 = (h[i].f - h[ip].f) / (h[i].d - h[ip].d)
		}
		k := k2 // C's MAX(K1, K2)
		if k1 > k2 {
			k = k1
		}
		if h[i].f-k*h[i].d <= s.minf || ip == len(h) {
			if ret := s.divide(h[i]); ret != nlSuccess {
				return ret
			}
			dividedSome = true
			xtolReached = xtolReached && s.small(h[i].w)
		}
	}
	if !dividedSome {
		// divide the largest rectangle with the smallest value
		m := len(s.rects) - 1
		wmax := s.rects[m].d
		for m > 0 && s.rects[m-1].d == wmax {
			m--
		}
		return s.divide(s.rects[m])
	}
	if xtolReached {
		return nlXtolReached
	}
	return nlSuccess
}

// direct minimises f over the box [lb, ub] (x0 only seeds the answer
// should no value be finite) with DIRECT as NLopt's
// GN_DIRECT runs it, and returns the best point, its value and why it
// stopped. stop.xtolAbs is in the units of x.
func direct(f func([]float64) float64, lb, ub, x0 []float64, stop *nlStop) ([]float64, float64, nlResult) {
	n := len(lb)
	s := &directSearch{n: n, f: f, lb: lb, ub: ub, minf: math.Inf(1),
		xmin: make([]float64, n), x: make([]float64, n), fv: make([]float64, 2*n), isort: make([]int, n)}
	for i := range x0 { // the best point until a value beats +Inf
		s.xmin[i] = (x0[i] - lb[i]) / (ub[i] - lb[i])
	}
	// NLopt rescales absolute x tolerances into the unit cube.
	scaled := *stop
	if stop.xtolAbs != nil {
		scaled.xtolAbs = make([]float64, n)
		for i := range lb {
			scaled.xtolAbs[i] = stop.xtolAbs[i] / (ub[i] - lb[i])
		}
	}
	s.stop = &scaled
	r := &directRect{c: make([]float64, n), w: make([]float64, n)}
	for i := range r.c {
		r.c[i], r.w[i] = 0.5, 1
	}
	r.d = diameter(r.w)
	r.f = s.eval(r.c)
	r.age = s.age
	s.age++
	s.insert(r)
	ret := s.divide(r)
	for ret == nlSuccess {
		minf0 := s.minf
		ret = s.divideGood()
		if ret != nlSuccess {
			break
		}
		if s.minf < minf0 && s.stop.ftol(s.minf, minf0) {
			ret = nlFtolReached
		}
	}
	stop.nevals = scaled.nevals
	x := make([]float64, n)
	for i := range x {
		x[i] = lb[i] + s.xmin[i]*(ub[i]-lb[i])
	}
	return x, s.minf, ret
}

// ---------------------------------------------------------------------------
// Subplex

// Rowan's Subplex constants as NLopt uses them (sbplx.c): simplex
// reduction ψ, step scale bound ω, subspace sizes 2…5.
const (
	sbplxPsi   = 0.25
	sbplxOmega = 0.1
	sbplxNsMin = 2
	sbplxNsMax = 5
)

// subplex minimises f from x inside [lb, ub] with initial steps xstep, as
// NLopt's LN_SBPLX does; x is replaced by the best point found and its
// value is returned.
func subplex(f func([]float64) float64, lb, ub, x, xstep0 []float64, stop *nlStop) (float64, nlResult) {
	n := len(x)
	minf := f(x)
	stop.nevals++
	if stop.evalsDone() {
		return minf, nlMaxEvalReached
	}
	xstep := slices.Clone(xstep0)
	xprev := make([]float64, n)
	dx := make([]float64, n)
	p := make([]int, n)
	xs := make([]float64, 0, sbplxNsMax)
	xss := make([]float64, 0, sbplxNsMax)
	lbs := make([]float64, 0, sbplxNsMax)
	ubs := make([]float64, 0, sbplxNsMax)
	// sub runs Nelder–Mead on the coordinates p[is:is+ns].
	sub := func(is, ns int) (float64, nlResult) {
		xs, xss, lbs, ubs = xs[:0], xss[:0], lbs[:0], ubs[:0]
		for k := is; k < is+ns; k++ {
			xs = append(xs, x[p[k]])
			xss = append(xss, xstep[p[k]])
			lbs = append(lbs, lb[p[k]])
			ubs = append(ubs, ub[p[k]])
		}
		full := x
		sf := func(v []float64) float64 {
			for k := range v {
				full[p[is+k]] = v[k]
			}
			return f(full)
		}
		fdiff, r := nelderMead(sf, lbs, ubs, xs, &minf, xss, stop)
		for k := is; k < is+ns; k++ {
			x[p[k]] = xs[k-is]
		}
		return fdiff, r
	}

	// runSub runs one subspace, tracks the largest simplex spread and says
	// whether Subplex must stop (anything but the simplex having shrunk;
	// a failed start counts as converged, as in NLopt).
	runSub := func(is, ns int, fdiffMax *float64) (bool, nlResult) {
		fd, r := sub(is, ns)
		if fd > *fdiffMax {
			*fdiffMax = fd
		}
		switch r {
		case nlFailure:
			return true, nlXtolReached
		case nlXtolReached:
			return false, r
		}
		return true, r
	}

	for {
		normi, normdx, nsubs, fdiffMax := 0.0, 0.0, 0, 0.0
		copy(xprev, x)
		for i := range p {
			p[i] = i
		}
		slices.SortStableFunc(p, func(a, b int) int {
			da, db := math.Abs(dx[a]), math.Abs(dx[b])
			switch {
			case da > db:
				return -1
			case da < db:
				return 1
			}
			return 0
		})
		for i := range dx {
			normdx += math.Abs(dx[i])
		}
		i := 0
		for i+sbplxNsMin < n {
			nk := min(i+sbplxNsMax, n)
			norm := normi
			for k := i; k < i+sbplxNsMin-1; k++ {
				norm += math.Abs(dx[p[k]])
			}
			ns, best := sbplxNsMin, math.Inf(-1)
			for k := i + sbplxNsMin - 1; k < nk; k++ {
				norm += math.Abs(dx[p[k]])
				if n-(k+1) < sbplxNsMin {
					continue
				}
				var goodness float64
				if k+1 < n {
					goodness = norm/float64(k+1) - (normdx-norm)/float64(n-(k+1))
				} else {
					goodness = normdx / float64(n)
				}
				if goodness > best {
					best = goodness
					ns = (k + 1) - i
				}
			}
			for k := i; k < i+ns; k++ {
				normi += math.Abs(dx[p[k]])
			}
			nsubs++
			if done, r := runSub(i, ns, &fdiffMax); done {
				return minf, r
			}
			i += ns
		}
		nsubs++
		if done, r := runSub(i, n-i, &fdiffMax); done {
			return minf, r
		}
		if stop.ftol(minf, minf+fdiffMax) {
			return minf, nlFtolReached
		}
		if stop.xtol(x, xprev) {
			j := 0
			for ; j < n; j++ {
				if math.Abs(xstep[j])*sbplxPsi > stop.xAbs(j) && math.Abs(xstep[j])*sbplxPsi > stop.xtolRel*math.Abs(x[j]) {
					break
				}
			}
			if j == n {
				return minf, nlXtolReached
			}
		}
		for i := range dx {
			dx[i] = x[i] - xprev[i]
		}
		scale := sbplxPsi
		if nsubs != 1 {
			stepnorm, dxnorm := 0.0, 0.0
			for i := range xstep {
				stepnorm += math.Abs(xstep[i])
				dxnorm += math.Abs(dx[i])
			}
			scale = dxnorm / stepnorm
			if scale < sbplxOmega {
				scale = sbplxOmega
			}
			if scale > 1/sbplxOmega {
				scale = 1 / sbplxOmega
			}
		}
		for i := range xstep {
			if dx[i] == 0 {
				xstep[i] = -(xstep[i] * scale)
			} else {
				xstep[i] = math.Copysign(xstep[i]*scale, dx[i])
			}
		}
	}
}

// Nelder–Mead strategy constants (nldrmd.c): reflection α, contraction β,
// expansion γ, shrink δ.
const (
	nmAlpha = 1.0
	nmBeta  = 0.5
	nmGamma = 2.0
	nmDelta = 0.5
)

// nmClose is nldrmd.c's "close": equal to within 1e-13 relative.
func nmClose(a, b float64) bool { return math.Abs(a-b) <= 1e-13*(math.Abs(a)+math.Abs(b)) }

// reflectPt sets xnew = c + scale·(c − xold), pinned to the box, and
// reports false when the new point coincides with c or with xold. xnew
// may be xold.
func reflectPt(xnew, c []float64, scale float64, xold, lb, ub []float64) bool {
	equalC, equalOld := true, true
	for i := range c {
		v := c[i] + scale*(c[i]-xold[i])
		if v < lb[i] {
			v = lb[i]
		}
		if v > ub[i] {
			v = ub[i]
		}
		equalC = equalC && nmClose(v, c[i])
		equalOld = equalOld && nmClose(v, xold[i])
		xnew[i] = v
	}
	return !(equalC || equalOld)
}

// nmPoint is one simplex vertex; the simplex is ordered by (f, index) as
// NLopt's tree orders it (ties by position in its point array).
type nmPoint struct {
	f   float64
	x   []float64
	idx int
}

func nmLess(a, b *nmPoint) bool {
	if a.f < b.f {
		return true
	}
	if a.f > b.f {
		return false
	}
	return a.idx < b.idx
}

// nelderMead is nldrmd.c's nldrmd_minimize_ as Subplex calls it (ψ = ¼):
// *minf holds f(x) on entry; x becomes the best point seen; it returns the
// spread between the worst and best vertex of the last simplex.
func nelderMead(f func([]float64) float64, lb, ub, x []float64, minf *float64, xstep []float64, stop *nlStop) (fdiff float64, ret nlResult) {
	n := len(x)
	pts := make([]*nmPoint, n+1)
	pts[0] = &nmPoint{f: *minf, x: slices.Clone(x), idx: 0}
	fdiff = math.Inf(1)
	// check records an evaluation: the best point and the budget.
	check := func(xc []float64, fc float64) bool {
		stop.nevals++
		if fc <= *minf {
			*minf = fc
			copy(x, xc)
		}
		return stop.evalsDone()
	}
	for i := 0; i < n; i++ {
		pt := &nmPoint{x: slices.Clone(x), idx: i + 1}
		pts[i+1] = pt
		pt.x[i] += xstep[i]
		if pt.x[i] > ub[i] {
			if ub[i]-x[i] > math.Abs(xstep[i])*0.1 {
				pt.x[i] = ub[i]
			} else {
				pt.x[i] = x[i] - math.Abs(xstep[i])
			}
		}
		if pt.x[i] < lb[i] {
			if x[i]-lb[i] > math.Abs(xstep[i])*0.1 {
				pt.x[i] = lb[i]
			} else {
				pt.x[i] = x[i] + math.Abs(xstep[i])
				if pt.x[i] > ub[i] {
					far := lb[i]
					if ub[i]-x[i] > x[i]-lb[i] {
						far = ub[i]
					}
					pt.x[i] = 0.5 * (far + x[i])
				}
			}
		}
		if nmClose(pt.x[i], x[i]) {
			return fdiff, nlFailure
		}
		pt.f = f(pt.x)
		if check(pt.x, pt.f) {
			return fdiff, nlMaxEvalReached
		}
	}
	initDiam := 0.0
	c := make([]float64, n)
	xcur := make([]float64, n)
	for {
		// lowest, highest and second-highest vertex
		low, high := pts[0], pts[0]
		for _, p := range pts[1:] {
			if nmLess(p, low) {
				low = p
			}
			if nmLess(high, p) {
				high = p
			}
		}
		var next *nmPoint
		for _, p := range pts {
			if p != high && (next == nil || nmLess(next, p)) {
				next = p
			}
		}
		fl, fh := low.f, high.f
		fdiff = fh - fl
		if initDiam == 0 {
			for i := range c {
				initDiam += math.Abs(low.x[i] - high.x[i])
			}
		}
		for i := range c {
			c[i] = 0
		}
		for _, p := range pts {
			if p != high {
				for j := range c {
					c[j] += p.x[j]
				}
			}
		}
		for i := range c {
			c[i] *= 1 / float64(n)
		}
		diam := 0.0
		for i := range c {
			diam += math.Abs(low.x[i] - high.x[i])
		}
		if diam < sbplxPsi*initDiam {
			return fdiff, nlXtolReached
		}
		if !reflectPt(xcur, c, nmAlpha, high.x, lb, ub) {
			return fdiff, nlXtolReached
		}
		fr := f(xcur)
		if check(xcur, fr) {
			return fdiff, nlMaxEvalReached
		}
		switch {
		case fr < fl: // new best: expand
			if !reflectPt(high.x, c, nmGamma, high.x, lb, ub) {
				return fdiff, nlXtolReached
			}
			fh = f(high.x)
			if check(high.x, fh) {
				return fdiff, nlMaxEvalReached
			}
			if fh >= fr {
				fh = fr
				copy(high.x, xcur)
			}
		case fr < next.f: // accept the reflection
			copy(high.x, xcur)
			fh = fr
		default: // contract, inside or outside
			scale := nmBeta
			if fh <= fr {
				scale = -nmBeta
			}
			if !reflectPt(xcur, c, scale, high.x, lb, ub) {
				return fdiff, nlXtolReached
			}
			fc := f(xcur)
			if check(xcur, fc) {
				return fdiff, nlMaxEvalReached
			}
			if fc < fr && fc < fh {
				copy(high.x, xcur)
				fh = fc
			} else { // shrink towards the best vertex
				for _, p := range pts {
					if p == low {
						continue
					}
					if !reflectPt(p.x, low.x, -nmDelta, p.x, lb, ub) {
						return fdiff, nlXtolReached
					}
					p.f = f(p.x)
					if check(p.x, p.f) {
						return fdiff, nlMaxEvalReached
					}
				}
				continue
			}
		}
		high.f = fh
	}
}
