package savings

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// wlsFit is a weighted least-squares fit with an intercept and up to two
// regressors, with what statsmodels' WLS results report and CalTRACK uses.
type wlsFit struct {
	ok          bool
	intercept   float64
	beta        [2]float64
	pValue      [2]float64
	rSquared    float64
	rSquaredAdj float64
	dfResid     float64
}

// wlsData is a regression's observations, already stripped of missing rows.
type wlsData struct {
	y, w []float64
	sw   float64 // Σw
	ybar float64 // weighted mean of y
	yc   []float64
	tss  float64 // Σw(y−ȳ)², the weighted centred total sum of squares
}

func newWLSData(y, w []float64) *wlsData {
	d := &wlsData{y: y, w: w, yc: make([]float64, len(y))}
	for i := range y {
		d.sw += w[i]
		d.ybar += w[i] * y[i]
	}
	d.ybar /= d.sw
	for i := range y {
		d.yc[i] = y[i] - d.ybar
		d.tss += w[i] * d.yc[i] * d.yc[i]
	}
	return d
}

// centred returns x minus its weighted mean, and the mean.
func (d *wlsData) centred(x []float64) ([]float64, float64) {
	m := 0.0
	for i, v := range x {
		m += d.w[i] * v
	}
	m /= d.sw
	c := make([]float64, len(x))
	for i, v := range x {
		c[i] = v - m
	}
	return c, m
}

func (d *wlsData) dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += d.w[i] * a[i] * b[i]
	}
	return s
}

// moments are a centred regressor's weighted sums: Σw·x², Σw·x·y.
type moments struct{ xx, xy float64 }

func (d *wlsData) moments(xc []float64) moments {
	return moments{d.dot(xc, xc), d.dot(xc, d.yc)}
}

// fit regresses y on up to two centred regressors given their moments, the
// cross moment Σw·x₀·x₁ and their means. Solving the centred normal
// equations keeps the degree-day columns well conditioned; the result
// equals statsmodels' pseudo-inverse solution whenever the design has full
// rank, and a rank-deficient design is reported as not ok. P-values are
// computed only when pValues is set (they cost an incomplete beta each).
func (d *wlsData) fit(m []moments, cross float64, xm []float64, pValues bool) wlsFit {
	k := len(m)
	n := float64(len(d.y))
	var f wlsFit
	f.dfResid = n - float64(k) - 1
	if f.dfResid <= 0 {
		return f
	}
	var inv [2][2]float64
	explained := 0.0
	switch k {
	case 1:
		if !(m[0].xx > 0) {
			return f
		}
		f.beta[0] = m[0].xy / m[0].xx
		inv[0][0] = 1 / m[0].xx
		explained = f.beta[0] * m[0].xy
	case 2:
		a, b, c := m[0].xx, cross, m[1].xx
		det := a*c - b*b
		if !(det > 1e-12*a*c) {
			return f
		}
		f.beta[0] = (c*m[0].xy - b*m[1].xy) / det
		f.beta[1] = (a*m[1].xy - b*m[0].xy) / det
		inv = [2][2]float64{{c / det, -b / det}, {-b / det, a / det}}
		explained = f.beta[0]*m[0].xy + f.beta[1]*m[1].xy
	}
	f.intercept = d.ybar
	for j := 0; j < k; j++ {
		f.intercept -= f.beta[j] * xm[j]
	}
	// SSR = TSS − β'X'y for the least-squares β (centred).
	ssr := math.Max(d.tss-explained, 0)
	f.ok = true
	if d.tss > 0 {
		f.rSquared = 1 - ssr/d.tss
		f.rSquaredAdj = 1 - (n-1)/f.dfResid*(1-f.rSquared)
	}
	if pValues {
		scale := ssr / f.dfResid
		t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: f.dfResid}
		for j := 0; j < k; j++ {
			se := math.Sqrt(scale * inv[j][j])
			f.pValue[j] = 2 * t.Survival(math.Abs(f.beta[j]/se))
		}
	}
	return f
}

// tQuantile returns the p-quantile of Student's t with df degrees of
// freedom (scipy.stats.t.ppf).
func tQuantile(p, df float64) float64 {
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.Quantile(p)
}
