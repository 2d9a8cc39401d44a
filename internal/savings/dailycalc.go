package savings

import (
	"encoding/json"
	"math"
	"sort"
	"strings"
	"time"
)

// Data preparation, data sufficiency, metrics and savings of the eemeter
// 4.x daily model (eemeter 4.1.1 models/daily/data.py DailyBaselineData and
// DailyReportingData, common/sufficiency_criteria.py
// DailySufficiencyCriteria, common/metrics.py BaselineMetrics and
// ReportingMetrics; research/caltrack.md §4.2, §9.2).

// dailyDay is one day of the 4.x data class: the day's start, its use
// (electricity zeros are missing) and the mean of its hourly temperatures
// (missing when half or fewer of its hours have a reading).
type dailyDay struct {
	start   time.Time
	days    float64 // length in days (NaN for the last row, as day_counts gives it)
	obs, t  float64
	notNull int
	null    int
}

// prepDaily builds the daily data frame from days u (with their end
// marker) and hourly temperature: the meter trimmed to its first and last
// value (from_series), a row per day, electricity zeros set missing
// (CalTRACK 2.2.1.4) and a temperature only for days with more than half
// their hours (CalTRACK 2.2.2.3).
func prepDaily(u Usage, temp Temperature, fuel Fuel) []dailyDay {
	first, last := -1, -1
	for i := 0; i+1 < len(u); i++ {
		if !math.IsNaN(u[i].Value) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		return nil
	}
	out := make([]dailyDay, 0, last-first+1)
	for i := first; i <= last; i++ {
		d := dailyDay{start: u[i].Start, obs: u[i].Value, t: math.NaN(), days: u.Days(i)}
		if fuel == Electricity && d.obs == 0 {
			d.obs = math.NaN()
		}
		// pandas' groupby mean (group_mean, pandas 1.5) sums with Kahan
		// compensation; the optimiser downstream is sensitive to the last
		// bit of every day's temperature, so sum the same way.
		sum, comp := 0.0, 0.0
		for _, v := range temp.window(u[i].Start, u[i+1].Start) {
			if math.IsNaN(v) {
				d.null++
			} else {
				d.notNull++
				y := v - comp
				t := sum + y
				comp = t - sum - y
				sum = t
			}
		}
		if d.notNull > 0 && float64(d.notNull)/float64(d.notNull+d.null) > 0.5 {
			d.t = sum / float64(d.notNull)
		}
		out = append(out, d)
	}
	out[len(out)-1].days = math.NaN()
	return out
}

// spreadBills spreads each billing period's use evenly over its days as
// eemeter 4.1.1's billing data class does (BillingBaselineData: as_freq
// "cumulative" with one-minute atoms, summed into days from the first
// period's start): periods of the wrong length for the series' cycle
// (monthly when the median period is at most 35 days: 25–35 days, else
// 25–70 days; CalTRACK 2.2.3.4–5) are dropped, each minute carries
// value·60/seconds of its period, and a day is the (Kahan-compensated, as
// pandas sums) sum of its minutes. The result is days with their end
// marker.
func spreadBills(u Usage) Usage {
	if len(u) < 2 {
		return nil
	}
	var lens []float64
	for i := 0; i+1 < len(u); i++ {
		lens = append(lens, u.Days(i))
	}
	maxDays := 70.0
	if npMedian(lens) <= 35 {
		maxDays = 35
	}
	perMinute := make([]float64, len(u)-1)
	for i := range perMinute {
		secs := u[i+1].Start.Sub(u[i].Start).Seconds()
		days := math.Floor(secs / 86400)
		v := u[i].Value
		if days < 25 || days > maxDays {
			v = math.NaN()
		}
		perMinute[i] = v * (60 / secs)
	}
	start, end := u[0].Start, u[len(u)-1].Start
	var out Usage
	p := 0
	for day := start; day.Before(end); day = day.Add(24 * time.Hour) {
		next := day.Add(24 * time.Hour)
		sum, comp, n := 0.0, 0.0, 0
		for at := day; at.Before(next) && at.Before(end); at = at.Add(time.Minute) {
			for p+1 < len(u)-1 && !at.Before(u[p+1].Start) {
				p++
			}
			v := perMinute[p]
			if math.IsNaN(v) {
				continue
			}
			n++
			y := v - comp
			t := sum + y
			comp = t - sum - y
			sum = t
		}
		val := math.NaN()
		if n > 0 {
			val = sum
		}
		out = append(out, Period{Start: day, Value: val})
	}
	if len(out) == 0 {
		return nil
	}
	return append(out, Period{Start: out[len(out)-1].Start.Add(24 * time.Hour), Value: math.NaN()})
}

// modelRows are the days with both a temperature and a use, with their
// season and day of week in the days' own time zone (DailyModel._initialize_data).
func modelRows(days []dailyDay) ([]dailyRow, []int) {
	var rows []dailyRow
	var idx []int
	for i, d := range days {
		if math.IsNaN(d.t) || math.IsNaN(d.obs) || math.IsInf(d.t, 0) || math.IsInf(d.obs, 0) {
			continue
		}
		rows = append(rows, dailyRow{t: d.t, obs: d.obs, season: seasonOf(int(d.start.Month())), dow: isoWeekday(d.start)})
		idx = append(idx, i)
	}
	return rows, idx
}

func isoWeekday(t time.Time) int {
	if w := int(t.Weekday()); w != 0 {
		return w
	}
	return 7
}

// checkDailySufficiency applies eemeter 4.1.1's DailySufficiencyCriteria to
// baseline days: a span of 329 to 365 days between the first and last day
// with data (both ends counted), 90% of days with use and a temperature of
// more than 90% hourly coverage, 90% of each calendar month's days with a
// temperature, no negative gas use; use above median + 3·IQR is a warning.
func checkDailySufficiency(days []dailyDay, fuel Fuel, utc bool) Sufficiency {
	s := Sufficiency{Status: "PASS", Disqualifications: []string{}, Warnings: []string{}}
	if utc {
		s.Warnings = append(s.Warnings, "utc_index")
	}
	first, last := -1, -1
	for i, d := range days {
		if !math.IsNaN(d.obs) && !math.IsNaN(d.t) {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first < 0 {
		s.Status = "NO DATA"
		s.Disqualifications = append(s.Disqualifications, "no_data")
		return s
	}
	s.DaysTotal = int(math.Floor(days[last].start.Sub(days[first].start).Hours()/24)) + 1
	var vals []float64
	var meterDays, tempDays, bothDays float64
	monthRows, monthTemp := map[time.Month]int{}, map[time.Month]int{}
	for _, d := range days {
		m := d.start.Month()
		monthRows[m]++
		if !math.IsNaN(d.t) {
			monthTemp[m]++
		}
		if !math.IsNaN(d.obs) {
			vals = append(vals, d.obs)
			if d.obs < 0 {
				s.NegativeValues++
			}
		}
		if math.IsNaN(d.days) {
			continue
		}
		validMeter := !math.IsNaN(d.obs)
		validTemp := d.notNull+d.null > 0 && float64(d.notNull)/float64(d.notNull+d.null) > minFractionHourlyPer
		if validMeter {
			meterDays += d.days
		}
		if validTemp {
			tempDays += d.days
		}
		if validMeter && validTemp {
			bothDays += d.days
		}
	}
	s.ValidMeterDays, s.ValidTemperatureDays, s.ValidDays = int(meterDays), int(tempDays), int(bothDays)
	if s.NegativeValues > 0 && fuel == Gas {
		s.Disqualifications = append(s.Disqualifications, "negative_meter_values")
	}
	if s.DaysTotal > baselineDays || s.DaysTotal < int(math.Ceil(0.9*baselineDays)) {
		s.Disqualifications = append(s.Disqualifications, "incorrect_number_of_total_days")
	}
	s.checkCoverage()
	for m, n := range monthRows {
		if float64(monthTemp[m])/float64(n) < minFractionDaily {
			s.Disqualifications = append(s.Disqualifications, "missing_monthly_temperature_data")
			break
		}
	}
	s.flagExtremes(vals)
	if len(s.Disqualifications) > 0 {
		s.Status = "FAIL"
	}
	return s
}

// Eemeter4Metrics are eemeter 4.1.1's BaselineMetrics of the baseline fit
// and ReportingMetrics of the reporting year (common/metrics.py), residual
// = observed − predicted over days with both, the model's parameters
// counted as all its submodels' coefficients. eemeter defines these but
// its daily model does not call them; they are computed here as the
// research note's runner computed them.
type Eemeter4Metrics struct {
	Baseline  BaselineMetrics4  `json:"baseline_metrics"`
	Reporting ReportingMetrics4 `json:"reporting_metrics"`
}

// BaselineMetrics4 is eemeter 4.1.1's BaselineMetrics. Ratios whose
// denominator is at most 0.001 (with a numerator above 0.01) are null.
type BaselineMetrics4 struct {
	N                 int      `json:"n"`
	NumModelParams    int      `json:"num_model_params"`
	NPrime            float64  `json:"n_prime"`
	DDoF              float64  `json:"ddof"`
	DDoFAutocorr      float64  `json:"ddof_autocorr"`
	MAE               float64  `json:"mae"`
	NMAE              *float64 `json:"nmae"`
	MBE               float64  `json:"mbe"`
	NMBE              *float64 `json:"nmbe"`
	RMSE              float64  `json:"rmse"`
	RMSEAdj           float64  `json:"rmse_adj"`
	RMSEAutocorrAdj   float64  `json:"rmse_autocorr_adj"`
	CVRMSE            *float64 `json:"cvrmse"`
	CVRMSEAdj         *float64 `json:"cvrmse_adj"`
	CVRMSEAutocorrAdj *float64 `json:"cvrmse_autocorr_adj"`
	PNRMSE            *float64 `json:"pnrmse"`
	RSquared          float64  `json:"r_squared"`
	RSquaredAdj       *float64 `json:"r_squared_adj"`
	MAPE              *float64 `json:"mape"`
	observedMean      float64
}

// MarshalJSON writes undefined statistics (NaN, an infinity) as null.
func (m BaselineMetrics4) MarshalJSON() ([]byte, error) {
	type plain BaselineMetrics4
	return json.Marshal(struct {
		plain
		NPrime          *float64 `json:"n_prime"`
		MAE             *float64 `json:"mae"`
		MBE             *float64 `json:"mbe"`
		RMSE            *float64 `json:"rmse"`
		RMSEAdj         *float64 `json:"rmse_adj"`
		RMSEAutocorrAdj *float64 `json:"rmse_autocorr_adj"`
		RSquared        *float64 `json:"r_squared"`
	}{plain(m), nullable(m.NPrime), nullable(m.MAE), nullable(m.MBE), nullable(m.RMSE), nullable(m.RMSEAdj),
		nullable(m.RMSEAutocorrAdj), nullable(m.RSquared)})
}

// MarshalJSON writes undefined statistics (NaN, an infinity) as null.
func (r ReportingMetrics4) MarshalJSON() ([]byte, error) {
	type plain ReportingMetrics4
	return json.Marshal(struct {
		plain
		TStat                   *float64 `json:"t_stat"`
		TotalSavingsUncertainty *float64 `json:"total_savings_uncertainty"`
		PredictedDataPointUnc   *float64 `json:"predicted_data_point_unc"`
	}{plain(r), nullable(r.TStat), nullable(r.TotalSavingsUncertainty), nullable(r.PredictedDataPointUnc)})
}

// ReportingMetrics4 is eemeter 4.1.1's ReportingMetrics at 90% confidence,
// two-tailed, for daily (or billing) data.
type ReportingMetrics4 struct {
	N                       int      `json:"n"`
	ObservedSum             float64  `json:"observed_sum"`
	PredictedSum            float64  `json:"predicted_sum"`
	TStat                   float64  `json:"t_stat"`
	Savings                 float64  `json:"savings"`
	TotalSavingsUncertainty float64  `json:"total_savings_uncertainty"`
	FSU                     *float64 `json:"fsu"`
	PredictedDataPointUnc   float64  `json:"predicted_data_point_unc"`
}

// safeDivide is _safe_divide: nil when the denominator is at most 1e-3 and
// the numerator above 1e-2 (and, for JSON, when the ratio is not a number).
func safeDivide(num, den float64) *float64 {
	const minDen = 1e-3
	if den <= minDen && num > 10*minDen {
		return nil
	}
	return nullable(num / den)
}

// baselineMetrics4 computes BaselineMetrics of paired observed and
// predicted values (pairs with a non-finite member dropped).
func baselineMetrics4(obs, pred []float64, params int) BaselineMetrics4 {
	var o, p, r []float64
	for i := range obs {
		if isFinite(obs[i]) && isFinite(pred[i]) {
			o, p = append(o, obs[i]), append(p, pred[i])
			r = append(r, obs[i]-pred[i])
		}
	}
	m := BaselineMetrics4{N: len(o), NumModelParams: max(params, 1)}
	if m.N == 0 {
		return m
	}
	n := float64(m.N)
	ac := math.NaN()
	if m.N > 2 {
		ac = pearson(r[1:], r[:len(r)-1])
	}
	m.NPrime = n * (1 - ac) / (1 + ac)
	if !isFinite(m.NPrime) {
		m.NPrime = 1
	}
	m.DDoF = math.Max(n-float64(m.NumModelParams), 1)
	m.DDoFAutocorr = math.Max(m.NPrime-float64(m.NumModelParams), 1)
	abs, sq := make([]float64, len(r)), make([]float64, len(r))
	for i, v := range r {
		abs[i], sq[i] = math.Abs(v), v*v
	}
	m.observedMean = npSum(o) / n
	iqr := npQuantile(o, 0.75) - npQuantile(o, 0.25)
	m.MAE = npMean(abs)
	m.NMAE = safeDivide(m.MAE, m.observedMean)
	m.MBE = npSum(r) / n
	m.NMBE = safeDivide(m.MBE, m.observedMean)
	sse := npSum(sq)
	m.RMSE = math.Pow(sse/n, 0.5)
	m.RMSEAdj = math.Pow(sse/m.DDoF, 0.5)
	m.RMSEAutocorrAdj = math.Pow(sse/m.DDoFAutocorr, 0.5)
	m.CVRMSE = safeDivide(m.RMSE, m.observedMean)
	m.CVRMSEAdj = safeDivide(m.RMSEAdj, m.observedMean)
	m.CVRMSEAutocorrAdj = safeDivide(m.RMSEAutocorrAdj, m.observedMean)
	m.PNRMSE = safeDivide(m.RMSE, iqr)
	c := pearson(p, o)
	m.RSquared = c * c
	if adj := safeDivide((1-m.RSquared)*(n-1), m.DDoF-1); adj != nil {
		m.RSquaredAdj = nullable(1 - *adj)
	}
	var ape []float64
	for i := range o {
		if math.Abs(o[i]) >= 1e-3 {
			ape = append(ape, math.Abs(r[i]/o[i]))
		}
	}
	if len(ape) > 0 {
		m.MAPE = nullable(npMean(ape))
	}
	return m
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// reportingMetrics4 is ReportingMetrics for daily, billing or hourly data:
// the savings uncertainty Σpredicted · t · CV(RMSE) autocorrelation-adjusted
// · √(n/(m·n′)·(1 + 2/n′)), scaled by the CalTRACK polynomial in the number
// of distinct calendar months M (daily, billing) or by 1.26 (hourly).
func reportingMetrics4(base BaselineMetrics4, starts []time.Time, obs, pred []float64, freq MeterFrequency) ReportingMetrics4 {
	var o, p []float64
	months := map[time.Month]bool{}
	for i := range obs {
		if isFinite(obs[i]) && isFinite(pred[i]) {
			o, p = append(o, obs[i]), append(p, pred[i])
			months[starts[i].Month()] = true
		}
	}
	r := ReportingMetrics4{N: len(o), ObservedSum: npSum(o), PredictedSum: npSum(p)}
	r.Savings = r.PredictedSum - r.ObservedSum
	conf := 0.90 // confidence_level, two tails; computed at run time as Python does
	r.TStat = tQuantile(1-(1-conf)/2, base.DDoF-1)
	if base.N == 0 || r.N == 0 || base.CVRMSEAutocorrAdj == nil {
		return r
	}
	n, np, m := float64(base.N), base.NPrime, float64(r.N)
	approx := math.Sqrt(n / (m * np) * (1 + (2 / np)))
	u := r.PredictedSum * (r.TStat * *base.CVRMSEAutocorrAdj * approx)
	switch freq {
	case FreqHourly:
		// hourly: a constant factor instead of the months polynomial
		r.TotalSavingsUncertainty = fsuHourly * u
	default:
		coef := fsuDaily
		if freq == FreqBilling {
			coef = fsuBilling
		}
		mm := float64(len(months))
		r.TotalSavingsUncertainty = (coef[0]*mm+coef[1])*mm + coef[2]
		r.TotalSavingsUncertainty *= u
	}
	r.FSU = nullable(r.TotalSavingsUncertainty / r.Savings)
	r.PredictedDataPointUnc = r.TotalSavingsUncertainty / math.Sqrt(m)
	return r
}

// monthTotals sums daily predictions and observations by calendar month
// (pandas resample("MS").sum(): a missing value adds nothing), every month
// from the first day's to the last day's.
func monthTotals(ps []Prediction) (starts []time.Time, obs, pred []float64) {
	if len(ps) == 0 {
		return nil, nil, nil
	}
	month := func(t time.Time) time.Time { return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location()) }
	cur := month(ps[0].Start)
	var o, p []float64
	flush := func() {
		starts, obs, pred = append(starts, cur), append(obs, npSum(o)), append(pred, npSum(p))
		o, p = o[:0], p[:0]
	}
	for _, x := range ps {
		for m := month(x.Start); m.After(cur); {
			flush()
			cur = cur.AddDate(0, 1, 0)
		}
		if isFinite(x.Observed) {
			o = append(o, x.Observed)
		}
		if isFinite(x.Predicted) {
			p = append(p, x.Predicted)
		}
	}
	flush()
	return starts, obs, pred
}

// fitDaily prepares baseline days and fits the 4.x daily model with
// settings s; the model is nil when no segment could be fitted.
func fitDaily(base Usage, temp Temperature, fuel Fuel, s dailySettings) ([]dailyDay, *DailyModelFit) {
	days := prepDaily(base, temp, fuel)
	rows, _ := modelRows(days)
	if len(rows) < 2*s.segMin+1 {
		return days, nil
	}
	return days, fitDailyModel(rows, s)
}

// dailyPredictions predicts every day with a temperature and a use (eemeter
// predicts only rows without missing values when the data carries use).
func dailyPredictions(m *DailyModelFit, days []dailyDay) []Prediction {
	out := make([]Prediction, len(days))
	for i, d := range days {
		out[i] = Prediction{Start: d.start, Observed: d.obs, Predicted: math.NaN(), Base: math.NaN(), Heating: math.NaN(), Cooling: math.NaN()}
		if !isFinite(d.t) || !isFinite(d.obs) {
			continue
		}
		p := m.predict(dailyRow{t: d.t, obs: d.obs, season: seasonOf(int(d.start.Month())), dow: isoWeekday(d.start)})
		out[i].Predicted, out[i].Heating, out[i].Cooling = p.predicted, p.heating, p.cooling
		out[i].Base = p.predicted - p.heating - p.cooling
	}
	return out
}

// calcDaily fits the eemeter 4.x daily model (current settings, or legacy
// with o.DailyLegacy) or billing model (legacy settings on bills spread
// over their days) to the baseline and sums the reporting year's savings.
func calcDaily(usage Usage, temp Temperature, o CalcOptions) *CalcResult {
	res, base, rep, _, _ := begin(usage, o)
	s := currentDailySettings()
	billing := o.Method == MethodBilling
	if o.DailyLegacy || billing {
		s = legacyDailySettings()
	}
	s.exactPath = o.DailyExactPath
	if billing {
		base, rep = spreadBills(base), spreadBills(rep)
	}
	days, m := fitDaily(base, temp, o.Fuel, s)
	res.Sufficiency = checkDailySufficiency(days, o.Fuel, o.Days == DayUTC)
	res.Disqualifications = append(res.Disqualifications, res.Sufficiency.Disqualifications...)
	res.Warnings = append(res.Warnings, res.Sufficiency.Warnings...)
	if m == nil || !m.finite() {
		res.Status = "NO MODEL"
		res.Disqualifications = append(res.Disqualifications, "no_model")
		return res
	}
	res.Status = "SUCCESS"
	res.Daily = m
	if m.Error.CVRMSE > s.cvrmseThreshold {
		res.Disqualifications = append(res.Disqualifications, "model_fit_metrics.cvrmse")
	}
	types := map[string]bool{}
	for _, sm := range m.Submodels {
		types[sm.ModelType] = true
		for k, v := range sm.Coefficients {
			if len(m.Submodels) == 1 {
				res.Coefficients[k] = v
			} else {
				res.Coefficients[sm.Component+"/"+k] = v
			}
		}
	}
	if len(types) == 1 {
		res.ModelType = m.Submodels[0].ModelType
	} else {
		names := make([]string, 0, len(types))
		for t := range types {
			names = append(names, t)
		}
		sort.Strings(names)
		res.ModelType = strings.Join(names, "+")
	}
	basePred := dailyPredictions(m, days)
	repDays := prepDaily(rep, temp, o.Fuel)
	repPred := dailyPredictions(m, repDays)

	obsOf := func(ps []Prediction) (obs, pred []float64, starts []time.Time) {
		for _, p := range ps {
			obs, pred, starts = append(obs, p.Observed), append(pred, p.Predicted), append(starts, p.Start)
		}
		return obs, pred, starts
	}
	bo, bp, _ := obsOf(basePred)
	ro, rp, rs := obsOf(repPred)
	var reportObs []float64
	res.Savings, reportObs = tallySavings(repPred)
	sv := &res.Savings
	params := m.NumCoefficients()
	spanDays := 0
	if billing {
		// eemeter's billing metrics are of calendar-month totals
		// (BillingModel.predict(aggregation="monthly"))
		_, bo, bp = monthTotals(basePred)
		rs, ro, rp = monthTotals(repPred)
		if len(rs) > 0 {
			spanDays = int(rs[len(rs)-1].Sub(rs[0]).Hours() / 24)
		}
		reportObs = ro
	}
	b4 := baselineMetrics4(bo, bp, params)
	freq := FreqDaily
	if billing {
		freq = FreqBilling
	}
	res.Eemeter4 = &Eemeter4Metrics{Baseline: b4, Reporting: reportingMetrics4(b4, rs, ro, rp, freq)}
	// eemeter 3's metered-savings bands, the model's coefficients counted
	// as its parameters
	res.Metrics = newMetrics(bo, bp, params)
	if bands := meteredErrorBands(res.Metrics, billing, reportObs, spanDays); bands != nil {
		res.Uncertainty = &Uncertainty{Bands: bands}
		if sv.Savings != 0 {
			fsu := bands.FSUErrorBand / sv.Savings
			res.Uncertainty.FSU = &fsu
		}
	}
	if o.Predictions {
		for _, p := range basePred {
			res.Predictions = append(res.Predictions, PredictionRow{p, "baseline"})
		}
		for _, p := range repPred {
			res.Predictions = append(res.Predictions, PredictionRow{p, "reporting"})
		}
	}
	return res
}
