package savings

import (
	"math"
	"slices"
	"sort"
	"strings"
)

// The eemeter 4.x daily model's choice of data split (eemeter 4.1.1
// models/daily/model.py, utilities/ellipsoid_test.py,
// utilities/selection_criteria.py; research/caltrack.md §6.2, §6.4).
//
// Days split by season — summer June–September, shoulder March–May and
// October, winter November–February — and by weekday (Monday–Friday) or
// weekend; a component such as "wd-su_sh_wi" is the weekdays of all three
// seasons. Every way of covering the year with components is generated,
// pruned (a season alone needs 30 days and an ellipse of its (T, use)
// points disjoint from the other seasons'; weekday/weekend splits need
// disjoint ellipses in some season; every component needs 8 weekend days)
// and scored with a BIC-like criterion on the initial fits' weighted RMSE,
// relative to the unsplit model, penalised 0.24·K·(ln N)^2.061/N for K
// components. The lowest score wins, the first on ties.

// dailyRow is one day of modelling data.
type dailyRow struct {
	t, obs float64
	season int // 0 summer, 1 shoulder, 2 winter
	dow    int // 1 Monday … 7 Sunday
}

// seasonOf is the default season of a month (DailySettings.season).
func seasonOf(month int) int {
	switch month {
	case 6, 7, 8, 9:
		return 0
	case 3, 4, 5, 10:
		return 1
	}
	return 2
}

var seasonCodes = [3]string{"su", "sh", "wi"}

func seasonIndex(code string) int { return slices.Index(seasonCodes[:], code) }

// inDays reports whether day of week d belongs to day group g (fw, wd, we).
func inDays(g string, d int) bool {
	switch g {
	case "wd":
		return d <= 5
	case "we":
		return d >= 6
	}
	return true
}

// segmentRows returns the rows of component c (e.g. "we-su_sh").
func segmentRows(rows []dailyRow, c string) []dailyRow {
	days := c[:2]
	var seasons [3]bool
	for _, s := range strings.Split(c[3:], "_") {
		if i := seasonIndex(s); i >= 0 {
			seasons[i] = true
		}
	}
	var out []dailyRow
	for _, r := range rows {
		if seasons[r.season] && inDays(days, r.dow) {
			out = append(out, r)
		}
	}
	return out
}

type comboItem struct {
	prefix string
	groups []string
}

// allCombinations generates the candidate splits as DailyModel._combinations
// does before trimming: weekday and weekend season groupings, common groups
// merged into full-week ("fw") components three times over, as strings
// sorted by (length, text), with eemeter's duplicate-permutation filter
// (which drops a combination only when its sorted form equals a
// combination already kept).
func allCombinations() []string {
	options := [][]string{{"su_sh_wi"}, {"su", "sh_wi"}, {"su_sh", "wi"}, {"su_wi", "sh"}, {"su", "sh", "wi"}}
	var combos [][]comboItem
	for _, a := range options {
		for _, b := range options {
			combos = append(combos, []comboItem{{"wd", a}, {"we", b}})
		}
	}
	without := func(gs []string, g string) []string {
		var out []string
		for _, x := range gs {
			if x != g {
				out = append(out, x)
			}
		}
		return out
	}
	for range 3 {
		var next [][]comboItem
		for _, c := range combos {
			next = append(next, slices.Clone(c))
			iwd, iwe, ifw := -1, -1, -1
			for i := len(c) - 1; i >= 0; i-- {
				switch c[i].prefix {
				case "wd":
					iwd = i
				case "we":
					iwe = i
				case "fw":
					ifw = i
				}
			}
			if iwd < 0 || iwe < 0 {
				continue
			}
			for _, g := range c[iwd].groups {
				if !slices.Contains(c[iwe].groups, g) {
					continue
				}
				t0, t1 := without(c[iwd].groups, g), without(c[iwe].groups, g)
				fw := comboItem{"fw", []string{g}}
				if ifw >= 0 {
					fw = comboItem{"fw", append(slices.Clone(c[ifw].groups), g)}
				}
				nc := []comboItem{fw}
				if len(t0) > 0 {
					nc = append(nc, comboItem{c[iwd].prefix, t0})
				}
				if len(t1) > 0 {
					nc = append(nc, comboItem{c[iwe].prefix, t1})
				}
				next = append(next, nc)
			}
		}
		combos = next
	}
	set := map[string]bool{}
	for _, c := range combos {
		var parts []string
		for _, it := range c {
			for _, g := range it.groups {
				parts = append(parts, it.prefix+"-"+g)
			}
		}
		set[strings.Join(parts, "__")] = true
	}
	list := make([]string, 0, len(set))
	for s := range set {
		list = append(list, s)
	}
	sort.Slice(list, func(i, j int) bool {
		if len(list[i]) != len(list[j]) {
			return len(list[i]) < len(list[j])
		}
		return list[i] < list[j]
	})
	var kept []string
	for _, c := range list {
		parts := strings.Split(c, "__")
		sort.Strings(parts)
		if !slices.Contains(kept, strings.Join(parts, "__")) {
			kept = append(kept, c)
		}
	}
	return kept
}

// trimCombinations drops the splits the data cannot support
// (_trim_combinations with split_min_days 30).
func trimCombinations(list []string, rows []dailyRow, s dailySettings) []string {
	const splitMinDays = 30
	allow := [3]bool{s.allowSummer, s.allowShoulder, s.allowWinter}
	allowWdWe := s.allowWeekdaySplit
	if s.reduceByGaussian {
		sep := ellipsoidSplitFilter(rows, s.numStd)
		for i := range allow {
			allow[i] = allow[i] && sep.season[i]
		}
		allowWdWe = allowWdWe && sep.weekdayWeekend
	}
	var count [3]int
	var weekend [3]int
	for _, r := range rows {
		count[r.season]++
		if r.dow >= 6 {
			weekend[r.season]++
		}
	}
	for i := range allow {
		if count[i] < splitMinDays {
			allow[i] = false
		}
	}
	var out []string
	for _, c := range list {
		if c == "fw-su_sh_wi" {
			out = append(out, c)
			continue
		}
		if strings.Contains(c, "wd") && !allowWdWe {
			continue
		}
		ok := true
		for _, item := range strings.Split(c, "__") {
			seasons := strings.Split(item[3:], "_")
			if len(seasons) == 1 && !allow[seasonIndex(seasons[0])] {
				ok = false
				break
			}
			we := 0
			for _, sn := range seasons {
				we += weekend[seasonIndex(sn)]
			}
			if float64(we) < splitMinDays/3.75 {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, c)
		}
	}
	return out
}

// splitFilter says which splits the ellipse test allows.
type splitFilter struct {
	season         [3]bool
	weekdayWeekend bool
}

type ellipse struct {
	ok  bool
	mu  [2]float64
	cov [2][2]float64
}

// medianFilter5 is scipy.ndimage.median_filter(y, size=5) with its default
// "reflect" edges (d c b a | a b c d | d c b a).
func medianFilter5(y []float64) []float64 {
	n := len(y)
	out := make([]float64, n)
	var w [5]float64
	for j := range y {
		for k := -2; k <= 2; k++ {
			i := j + k
			m := 2 * n
			i = ((i % m) + m) % m
			if i >= n {
				i = m - 1 - i
			}
			w[k+2] = y[i]
		}
		s := w
		slices.Sort(s[:])
		out[j] = s[2]
	}
	return out
}

// confidenceEllipse is ellipsoid_test.confidence_ellipse on points sorted
// by x: the covariance of x and the median-filtered y, scaled elementwise
// by v, its eigen-decomposition and the mean.
func confidenceEllipse(x, y []float64, v [2][2]float64) (mu [2]float64, cov [2][2]float64, a, b, phi float64) {
	order := npArgsort(x)
	ys := make([]float64, len(y))
	for i, j := range order {
		ys[i] = y[j]
	}
	fs := medianFilter5(ys)
	yf := make([]float64, len(y))
	for i, j := range order {
		yf[j] = fs[i]
	}
	n := float64(len(x))
	mx, my := npMean(x), npMean(yf)
	var sxx, sxy, syy float64
	for i := range x {
		dx, dy := x[i]-mx, yf[i]-my
		sxx += dx * dx
		sxy += dx * dy
		syy += dy * dy
	}
	f := 1 / (n - 1)
	cov = [2][2]float64{{sxx * f * v[0][0], sxy * f * v[0][1]}, {sxy * f * v[1][0], syy * f * v[1][1]}}
	// symmetric 2×2 eigenproblem: λ1 with its unit eigenvector (e1, e2)
	p, q, r := cov[0][0], cov[0][1], cov[1][1]
	mean, d := (p+r)/2, math.Hypot((p-r)/2, q)
	l1, l2 := mean+d, mean-d
	e1, e2 := q, l1-p
	if e1 == 0 && e2 == 0 {
		e1, e2 = 1, 0
		if r > p {
			e1, e2 = 0, 1
		}
	}
	norm := math.Hypot(e1, e2)
	e1, e2 = e1/norm, e2/norm
	a, b = math.Sqrt(l1), math.Sqrt(l2)
	phi = math.Atan2(e2, e1)
	return [2]float64{mx, my}, cov, a, b, phi
}

func allEqual(x []float64) bool {
	for _, v := range x {
		if v != x[0] {
			return false
		}
	}
	return true
}

// robustEllipse is robust_confidence_ellipse: three rounds of dropping
// points outside the 3.6σ ellipse, then the ellipse at the scales v.
func robustEllipse(x, y []float64, v [2][2]float64) ellipse {
	const outlierStd, rounds = 3.6, 3
	vo := [2][2]float64{{outlierStd * outlierStd, outlierStd * outlierStd}, {outlierStd * outlierStd, outlierStd * outlierStd}}
	for range rounds {
		if len(x) <= 1 || allEqual(x) || allEqual(y) {
			break
		}
		mu, _, a, b, phi := confidenceEllipse(x, y, vo)
		if a == 0 || b == 0 {
			break
		}
		phi *= -1
		c, s := math.Cos(phi), math.Sin(phi)
		var kx, ky []float64
		for i := range x {
			xc, yc := x[i]-mu[0], y[i]-mu[1]
			xt, yt := xc*c-yc*s, xc*s+yc*c
			if (xt/a)*(xt/a)+(yt/b)*(yt/b) <= 1 {
				kx, ky = append(kx, x[i]), append(ky, y[i])
			}
		}
		if len(kx) < 3 || len(kx) == len(x) {
			break
		}
		x, y = kx, ky
	}
	if len(x) < 3 || allEqual(x) || allEqual(y) {
		return ellipse{}
	}
	mu, cov, _, _, _ := confidenceEllipse(x, y, v)
	return ellipse{ok: true, mu: mu, cov: cov}
}

// ellipsesIntersect is ellipsoid_intersection_test: with the generalised
// eigen-decomposition of the two covariances, the ellipses intersect when
// K(s) = 1 − Σ v_i²·s(1 − s)/(1 + s(λ_i − 1)) stays non-negative at its
// bounded minimum on [0, 1].
func ellipsesIntersect(a, b ellipse) bool {
	ca, cb := a.cov, b.cov
	if ca[1][1] == 0 {
		ca[1][1] = 1e-14
	}
	if cb[1][1] == 0 {
		cb[1][1] = 1e-14
	}
	// B = LLᵀ; C = L⁻¹AL⁻ᵀ has the generalised eigenvalues; v = Uᵀ L⁻¹ (μA − μB)
	l11 := math.Sqrt(cb[0][0])
	l21 := cb[1][0] / l11
	l22 := math.Sqrt(cb[1][1] - l21*l21)
	inv := [2][2]float64{{1 / l11, 0}, {-l21 / (l11 * l22), 1 / l22}}
	mul := func(m, n [2][2]float64) [2][2]float64 {
		return [2][2]float64{
			{m[0][0]*n[0][0] + m[0][1]*n[1][0], m[0][0]*n[0][1] + m[0][1]*n[1][1]},
			{m[1][0]*n[0][0] + m[1][1]*n[1][0], m[1][0]*n[0][1] + m[1][1]*n[1][1]},
		}
	}
	invT := [2][2]float64{{inv[0][0], inv[1][0]}, {inv[0][1], inv[1][1]}}
	c := mul(mul(inv, ca), invT)
	p, q, r := c[0][0], (c[0][1]+c[1][0])/2, c[1][1]
	mean, d := (p+r)/2, math.Hypot((p-r)/2, q)
	lam := [2]float64{mean - d, mean + d}
	dm := [2]float64{a.mu[0] - b.mu[0], a.mu[1] - b.mu[1]}
	z := [2]float64{inv[0][0]*dm[0] + inv[0][1]*dm[1], inv[1][0]*dm[0] + inv[1][1]*dm[1]}
	var vs [2]float64
	for i, l := range lam {
		u1, u2 := q, l-p
		if u1 == 0 && u2 == 0 {
			u1, u2 = 1, 0
			if (i == 0) == (p > r) {
				u1, u2 = 0, 1
			}
		}
		nrm := math.Hypot(u1, u2)
		proj := (u1*z[0] + u2*z[1]) / nrm
		vs[i] = proj * proj
	}
	k := func(s float64) float64 {
		sum := 0.0
		for i := range lam {
			sum += vs[i] * ((s * (1 - s)) / (1 + s*(lam[i]-1)))
		}
		return 1 - sum
	}
	_, fmin := boundedMinimize(k, 0, 1, 1e-5)
	return fmin >= 0
}

// ellipsoidSplitFilter is ellipsoid_split_filter.
func ellipsoidSplitFilter(rows []dailyRow, numStd [2]float64) splitFilter {
	v := [2][2]float64{{numStd[0] * numStd[0], numStd[0] * numStd[1]}, {numStd[1] * numStd[0], numStd[1] * numStd[1]}}
	// clusters: wd-su, we-su, wd-sh, we-sh, wd-wi, we-wi
	var cl [3][2]ellipse
	for s := 0; s < 3; s++ {
		for dt := 0; dt < 2; dt++ {
			var sel []dailyRow
			for _, r := range rows {
				if r.season == s && !math.IsNaN(r.obs) && (r.dow >= 6) == (dt == 1) {
					sel = append(sel, r)
				}
			}
			if len(sel) < 3 {
				continue
			}
			// pandas sort_values: NumPy's (unstable) quicksort argsort
			ts := make([]float64, len(sel))
			for i, r := range sel {
				ts[i] = r.t
			}
			t, o := make([]float64, len(sel)), make([]float64, len(sel))
			for i, j := range npArgsort(ts) {
				t[i], o[i] = sel[j].t, sel[j].obs
			}
			cl[s][dt] = robustEllipse(t, o, v)
		}
	}
	cache := map[[4]int]bool{}
	overlap := func(s1, d1, s2, d2 int) bool {
		key := [4]int{s1, d1, s2, d2}
		if v, ok := cache[key]; ok {
			return v
		}
		a, b := cl[s1][d1], cl[s2][d2]
		v := a.ok && b.ok && ellipsesIntersect(a, b)
		cache[key] = v
		return v
	}
	// a season may stand alone when, against each other season, its
	// weekday or its weekend ellipses are disjoint
	var f splitFilter
	for s := 0; s < 3; s++ {
		all := true
		for o := 0; o < 3; o++ {
			if o == s {
				continue
			}
			s1, s2 := min(s, o), max(s, o)
			if overlap(s1, 0, s2, 0) && overlap(s1, 1, s2, 1) {
				all = false
			}
		}
		f.season[s] = all
	}
	for s := 0; s < 3 && !f.weekdayWeekend; s++ {
		if !overlap(s, 0, s, 1) {
			f.weekdayWeekend = true
		}
	}
	return f
}

// selectionCriterion is selection_criteria with "bic": (−2·ln L +
// c0·K·(ln N)^d0)/N, ln L the Gaussian log-likelihood of loss over N.
func selectionCriterion(loss float64, n, k int, c0, d0 float64) float64 {
	nf := float64(n)
	var ll float64
	if loss <= 0 || n <= 0 {
		ll = math.Inf(1)
	} else {
		ll = -nf / 2 * (crLog(2*math.Pi) + crLog(loss/nf) + 1)
	}
	c := -2*ll + c0*float64(k)*fastPow(crLog(nf), d0)
	return c / nf
}
