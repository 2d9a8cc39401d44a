package savings

import (
	"encoding/json"
	"math"
)

// Metrics are measures of a model's fit to observed values (eemeter 3.2.0
// ModelMetrics, eemeter/metrics.py), residual = predicted − observed. The
// observations are the pairs where both values are present.
type Metrics struct {
	N             int     `json:"n"`
	NumParameters int     `json:"num_parameters"`
	ObservedMean  float64 `json:"observed_mean"` // mean of |observed| (solar-safe)
	ObservedVar   float64 `json:"observed_variance"`
	RSquared      float64 `json:"r_squared"`
	RSquaredAdj   float64 `json:"r_squared_adj"`
	RMSE          float64 `json:"rmse"`
	RMSEAdj       float64 `json:"rmse_adj"`
	CVRMSE        float64 `json:"cvrmse"`
	CVRMSEAdj     float64 `json:"cvrmse_adj"`
	NMAE          float64 `json:"nmae"`
	NMBE          float64 `json:"nmbe"`
	AutocorrResid float64 `json:"autocorr_resid"`
	NPrime        float64 `json:"n_prime"`
	resid         []float64
}

// MarshalJSON writes undefined statistics (NaN) as null.
func (m Metrics) MarshalJSON() ([]byte, error) {
	type plain Metrics
	return json.Marshal(struct {
		plain
		AutocorrResid *float64 `json:"autocorr_resid"`
		NPrime        *float64 `json:"n_prime"`
		RSquared      *float64 `json:"r_squared"`
		RSquaredAdj   *float64 `json:"r_squared_adj"`
	}{plain(m), nullable(m.AutocorrResid), nullable(m.NPrime), nullable(m.RSquared), nullable(m.RSquaredAdj)})
}

func newMetrics(obs, pred []float64, numParams int) *Metrics {
	var o, p []float64
	for i := range obs {
		if !math.IsNaN(obs[i]) && !math.IsNaN(pred[i]) {
			o, p = append(o, obs[i]), append(p, pred[i])
		}
	}
	m := &Metrics{N: len(o), NumParameters: numParams}
	if m.N == 0 {
		return m
	}
	n := float64(m.N)
	r := make([]float64, len(o))
	var sumAbs, sumO, sumR2, sumAbsR, sumR float64
	for i := range o {
		r[i] = p[i] - o[i]
		sumAbs += math.Abs(o[i])
		sumO += o[i]
		sumR2 += r[i] * r[i]
		sumAbsR += math.Abs(r[i])
		sumR += r[i]
	}
	m.resid = r
	m.ObservedMean = sumAbs / n
	mo := sumO / n
	for _, v := range o {
		m.ObservedVar += (v - mo) * (v - mo)
	}
	m.ObservedVar /= n
	c := pearson(p, o)
	m.RSquared = c * c
	k := float64(numParams)
	m.RSquaredAdj = 1 - (1-m.RSquared)*(n-1)/(n-k-1)
	m.RMSE = math.Sqrt(sumR2 / n)
	m.RMSEAdj = math.Sqrt(sumR2 / (n - k))
	m.CVRMSE = m.RMSE / m.ObservedMean
	m.CVRMSEAdj = m.RMSEAdj / m.ObservedMean
	m.NMAE = sumAbsR / sumO
	m.NMBE = sumR / sumO
	m.AutocorrResid = math.NaN()
	if len(r) > 2 {
		m.AutocorrResid = pearson(r[1:], r[:len(r)-1])
	}
	m.NPrime = n * (1 - m.AutocorrResid) / (1 + m.AutocorrResid)
	return m
}

// pearson is the Pearson correlation of a and b (NaN when either is
// constant), as pandas' Series.corr and Series.autocorr compute it.
func pearson(a, b []float64) float64 {
	n := float64(len(a))
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= n
	mb /= n
	var sab, saa, sbb float64
	for i := range a {
		da, db := a[i]-ma, b[i]-mb
		sab += da * db
		saa += da * da
		sbb += db * db
	}
	return sab / math.Sqrt(saa*sbb)
}

// ErrorBands are eemeter 3.x's savings uncertainty bands for metered
// savings (ASHRAE Guideline 14 style; CalTRACK 3.5; eemeter/derivatives.py
// _compute_error_bands_metered_savings), in the meter's unit, at 90%
// two-sided confidence.
type ErrorBands struct {
	FSUErrorBand  float64 `json:"fsu_error_band"`
	OLSErrorBand  float64 `json:"ols_error_band"`
	OLSModelError float64 `json:"ols_model_error"`
	OLSNoise      float64 `json:"ols_noise"`
}

// Empirical polynomial coefficients (a·M² + b·M + c) of the FSU band by
// reporting months M, from eemeter 3.x derivatives.py (CalTRACK 3.5).
var (
	fsuDaily   = [3]float64{-0.00024, 0.03535, 1.00286}
	fsuBilling = [3]float64{-0.00022, 0.03306, 0.94054}
)

// fsuHourly is eemeter 4.1.1 ReportingMetrics' factor of the hourly
// savings uncertainty (common/metrics.py; research/caltrack.md §9.2).
const fsuHourly = 1.26

// meteredErrorBands computes the bands from the baseline totals metrics and
// the reporting rows: observed values where both observed and predicted
// exist (NaN elsewhere), and for billing the span of the reporting index in
// days. It returns nil where eemeter returns None.
func meteredErrorBands(base *Metrics, billing bool, reportObs []float64, spanDays int) *ErrorBands {
	if base == nil || base.N == 0 {
		return nil
	}
	k := float64(base.NumParameters)
	baseObs := float64(base.N)
	var postObs, postSum float64
	var anyRow bool
	for _, v := range reportObs {
		if !math.IsNaN(v) {
			postObs++
			postSum += v
			anyRow = true
		}
	}
	postAvg := postSum / postObs
	if billing && anyRow {
		// eemeter counts reporting months as round(days/30), Python's
		// round half to even.
		postObs = math.RoundToEven(float64(spanDays) / 30)
	}
	rho := base.AutocorrResid
	if postObs == 0 || math.IsNaN(rho) || math.Abs(rho) == 1 || base.ObservedMean == 0 || base.ObservedVar == 0 {
		return nil
	}
	t := tQuantile(0.95, baseObs-k)
	rmse := base.RMSEAdj
	nPrime := baseObs * (1 - rho) / (1 + rho)
	var b ErrorBands
	b.OLSModelError = t * rmse * postObs / math.Sqrt(baseObs) *
		math.Sqrt(1+(base.ObservedMean-postAvg)*(base.ObservedMean-postAvg)/base.ObservedVar)
	b.OLSNoise = t * rmse * math.Sqrt(postObs*baseObs/nPrime)
	b.OLSErrorBand = math.Hypot(b.OLSModelError, b.OLSNoise)
	coef, months := fsuDaily, postObs/30
	if billing {
		coef, months = fsuBilling, postObs
	}
	total := base.ObservedMean * baseObs
	b.FSUErrorBand = total * t * (coef[0]*months*months + coef[1]*months + coef[2]) *
		(rmse / base.ObservedMean) * math.Sqrt(baseObs/nPrime*(1+2/nPrime)/postObs)
	return &b
}
