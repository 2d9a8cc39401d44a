package savings

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// Balance points of the CalTRACK 2.0 grid search: every whole °F from 30 to
// 90 (CalTRACK 3.2.2; eemeter 3.2.0 create_caltrack_daily_design_matrix).
const (
	minBalancePoint = 30
	maxBalancePoint = 90
	nBalancePoints  = maxBalancePoint - minBalancePoint + 1
)

// CalTRACK model types, named as eemeter names them.
const (
	InterceptOnly = "intercept_only"
	HDDOnly       = "hdd_only"
	CDDOnly       = "cdd_only"
	CDDHDD        = "cdd_hdd"
)

// Candidate statuses, as eemeter reports them.
const (
	StatusQualified    = "QUALIFIED"
	StatusDisqualified = "DISQUALIFIED"
	StatusNotAttempted = "NOT ATTEMPTED"
	StatusError        = "ERROR"
)

// CalTRACKSettings are the knobs of eemeter 3.2.0
// fit_caltrack_usage_per_day_model. DailySettings and BillingSettings give
// the library defaults.
type CalTRACKSettings struct {
	Billing bool // billing presets: WLS weighted by kept days
	FitCDD  bool // false for gas: no cdd_only or cdd_hdd candidates

	MinNonZeroCDD, MinNonZeroHDD int     // rows with degree days > 0
	MinTotalCDD, MinTotalHDD     float64 // Σ degree days × period days
	// MaxPValueCDD/HDD screen the slopes; 1 (the default) screens nothing.
	// CalTRACK 1.0 used 0.1.
	MaxPValueCDD, MaxPValueHDD float64

	// BimonthlyQuirk reproduces eemeter 3.2.0's billing design matrix, which
	// matches temperatures to a period only up to 35 days after its start,
	// so a bimonthly period's degree days come from its first 35 days while
	// prediction uses the whole period. Off by default; parity runs set it.
	BimonthlyQuirk bool
}

// DailySettings returns CalTRACK daily defaults for a fuel.
func DailySettings(fuel Fuel) CalTRACKSettings {
	return CalTRACKSettings{FitCDD: fuel != Gas, MinNonZeroCDD: 10, MinNonZeroHDD: 10,
		MinTotalCDD: 20, MinTotalHDD: 20, MaxPValueCDD: 1, MaxPValueHDD: 1}
}

// BillingSettings returns CalTRACK billing presets for a fuel (CalTRACK
// 3.2.2.2: no minimum count of non-zero degree days, totals of 20).
func BillingSettings(fuel Fuel) CalTRACKSettings {
	s := DailySettings(fuel)
	s.Billing = true
	s.MinNonZeroCDD, s.MinNonZeroHDD = 0, 0
	return s
}

// Fuel is what a meter measures.
type Fuel string

// The fuels.
const (
	Electricity Fuel = "electricity"
	Gas         Fuel = "gas"
)

// Coefficients are a CalTRACK usage-per-day model's parameters, named as
// eemeter names them; a balance point is 0 when the model has no such term.
type Coefficients struct {
	Intercept           float64 `json:"intercept"`
	BetaCDD             float64 `json:"beta_cdd,omitempty"`
	BetaHDD             float64 `json:"beta_hdd,omitempty"`
	CoolingBalancePoint int     `json:"cooling_balance_point,omitempty"`
	HeatingBalancePoint int     `json:"heating_balance_point,omitempty"`
}

// Candidate is one fitted (or skipped) model of the grid.
type Candidate struct {
	ModelType   string
	Status      string
	Coeffs      Coefficients
	RSquaredAdj float64
	Reasons     []string // why it was not attempted or was disqualified
}

// CalTRACKModel is the chosen usage-per-day model with its fit statistics.
type CalTRACKModel struct {
	Status      string // SUCCESS, NO MODEL or NO DATA
	Interval    string // daily or billing
	ModelType   string
	Coeffs      Coefficients
	RSquaredAdj float64
	Candidates  []Candidate
	// Totals are the baseline fit's metrics on period totals (eemeter's
	// totals_metrics), the input of the savings uncertainty.
	Totals   *Metrics
	Settings CalTRACKSettings
}

// Qualified returns the number of qualified candidates.
func (m *CalTRACKModel) Qualified() int {
	n := 0
	for _, c := range m.Candidates {
		if c.Status == StatusQualified {
			n++
		}
	}
	return n
}

// tolerance is how far after a period's start temperatures are matched.
func (s CalTRACKSettings) tolerance(daily bool) time.Duration {
	switch {
	case daily:
		return 24 * time.Hour
	case s.BimonthlyQuirk:
		return 35 * 24 * time.Hour
	}
	return 0
}

// FitCalTRACK fits the CalTRACK 2.0 usage-per-day model (daily, or billing
// with s.Billing) to baseline periods u and hourly temperature t, as eemeter
// 3.2.0 does: usage per day regressed on degree days for every candidate —
// intercept only, HDD only and CDD only at each balance point 30–90 °F, and
// CDD+HDD for each pair with HBP ≤ CBP (2,014 candidates; 62 without CDD) —
// skipping candidates with too few degree days, disqualifying those with a
// negative parameter or (optionally) a high slope p-value, and choosing the
// highest adjusted R² (the first on ties). oneDay treats every period as a
// single day (daily data on local days).
func FitCalTRACK(u Usage, t Temperature, s CalTRACKSettings, oneDay bool) *CalTRACKModel {
	daily := !s.Billing
	feats := temperatureFeatures(u, t, s.tolerance(daily), oneDay && daily)
	m := &CalTRACKModel{Status: "NO DATA", Interval: "daily", Settings: s}
	if s.Billing {
		m.Interval = "billing"
	}
	// rows usable for the fit: meter value, period length and temperature
	var rows []int
	var y, w []float64
	for i := range feats {
		days := u.Days(i)
		if !feats[i].ok || math.IsNaN(u[i].Value) || math.IsNaN(days) || days <= 0 {
			continue
		}
		rows = append(rows, i)
		y = append(y, u[i].Value/days)
		if s.Billing {
			w = append(w, float64(feats[i].nDaysKept))
		} else {
			w = append(w, 1)
		}
	}
	if len(rows) == 0 {
		return m
	}
	d := newWLSData(y, w)
	type column struct {
		x, xc []float64
		mean  float64
		m     moments
		ok    bool // enough degree days
		why   []string
	}
	mk := func(heat bool, bp int) column {
		var c column
		c.x = make([]float64, len(rows))
		nonZero, total := 0, 0.0
		for k, i := range rows {
			c.x[k] = feats[i].dd(float64(bp), heat, false)
			if c.x[k] > 0 {
				nonZero++
			}
			total += c.x[k] * w[k]
		}
		kind, minNZ, minTot := "cdd", s.MinNonZeroCDD, s.MinTotalCDD
		if heat {
			kind, minNZ, minTot = "hdd", s.MinNonZeroHDD, s.MinTotalHDD
		}
		if total < minTot {
			c.why = append(c.why, fmt.Sprintf("total_%s_too_low", kind))
		}
		if nonZero < minNZ {
			c.why = append(c.why, fmt.Sprintf("too_few_non_zero_%s", kind))
		}
		c.ok = len(c.why) == 0
		if c.ok {
			c.xc, c.mean = d.centred(c.x)
			c.m = d.moments(c.xc)
		}
		return c
	}
	var hdd, cdd [nBalancePoints]column
	for k := range nBalancePoints {
		hdd[k] = mk(true, minBalancePoint+k)
		if s.FitCDD {
			cdd[k] = mk(false, minBalancePoint+k)
		}
	}

	add := func(c Candidate) { m.Candidates = append(m.Candidates, c) }
	qualify := func(c *Candidate, f wlsFit, pChecks []float64, pMax []float64) {
		if !f.ok {
			c.Status = StatusError
			c.Reasons = append(c.Reasons, "model_results")
			return
		}
		c.RSquaredAdj = f.rSquaredAdj
		if c.Coeffs.Intercept < 0 {
			c.Reasons = append(c.Reasons, "intercept_negative")
		}
		if c.Coeffs.BetaCDD < 0 {
			c.Reasons = append(c.Reasons, "beta_cdd_negative")
		}
		if c.Coeffs.BetaHDD < 0 {
			c.Reasons = append(c.Reasons, "beta_hdd_negative")
		}
		for j, p := range pChecks {
			if p > pMax[j] {
				c.Reasons = append(c.Reasons, "p_value_too_high")
			}
		}
		c.Status = StatusQualified
		if len(c.Reasons) > 0 {
			c.Status = StatusDisqualified
		}
	}

	// CalTRACK 3.4.3.1: intercept only; its adjusted R² is defined as 0.
	{
		f := d.fit(nil, 0, nil, false)
		c := Candidate{ModelType: InterceptOnly, Coeffs: Coefficients{Intercept: f.intercept}}
		qualify(&c, f, nil, nil)
		c.RSquaredAdj = 0
		add(c)
	}
	// single-slope candidates: hdd_only at each balance point, then cdd_only
	single := func(heat bool, cols *[nBalancePoints]column, maxP float64) {
		for k := range nBalancePoints {
			bp := minBalancePoint + k
			c := Candidate{ModelType: CDDOnly, Coeffs: Coefficients{CoolingBalancePoint: bp}}
			if heat {
				c = Candidate{ModelType: HDDOnly, Coeffs: Coefficients{HeatingBalancePoint: bp}}
			}
			if col := &cols[k]; !col.ok {
				c.Status, c.Reasons = StatusNotAttempted, col.why
			} else {
				f := d.fit([]moments{col.m}, 0, []float64{col.mean}, maxP < 1)
				c.Coeffs.Intercept = f.intercept
				if heat {
					c.Coeffs.BetaHDD = f.beta[0]
				} else {
					c.Coeffs.BetaCDD = f.beta[0]
				}
				qualify(&c, f, f.pValue[:1], []float64{maxP})
			}
			add(c)
		}
	}
	single(true, &hdd, s.MaxPValueHDD)
	if s.FitCDD {
		single(false, &cdd, s.MaxPValueCDD)
		for kc := range nBalancePoints {
			for kh := 0; kh <= kc; kh++ {
				c := Candidate{ModelType: CDDHDD, Coeffs: Coefficients{
					CoolingBalancePoint: minBalancePoint + kc, HeatingBalancePoint: minBalancePoint + kh}}
				if !cdd[kc].ok || !hdd[kh].ok {
					c.Status = StatusNotAttempted
					c.Reasons = append(append(c.Reasons, cdd[kc].why...), hdd[kh].why...)
					add(c)
					continue
				}
				f := d.fit([]moments{cdd[kc].m, hdd[kh].m}, d.dot(cdd[kc].xc, hdd[kh].xc), []float64{cdd[kc].mean, hdd[kh].mean},
					s.MaxPValueCDD < 1 || s.MaxPValueHDD < 1)
				c.Coeffs.Intercept, c.Coeffs.BetaCDD, c.Coeffs.BetaHDD = f.intercept, f.beta[0], f.beta[1]
				qualify(&c, f, f.pValue[:2], []float64{s.MaxPValueCDD, s.MaxPValueHDD})
				add(c)
			}
		}
	}

	// CalTRACK 3.4.3.3: the highest adjusted R² among qualified candidates.
	best, bestR2 := -1, math.Inf(-1)
	for i, c := range m.Candidates {
		if c.Status == StatusQualified && c.RSquaredAdj > bestR2 {
			best, bestR2 = i, c.RSquaredAdj
		}
	}
	if best < 0 {
		m.Status = "NO MODEL"
		return m
	}
	c := m.Candidates[best]
	m.Status, m.ModelType, m.Coeffs, m.RSquaredAdj = "SUCCESS", c.ModelType, c.Coeffs, c.RSquaredAdj

	// totals_metrics: observed and fitted period totals over the fit rows.
	obs := make([]float64, len(rows))
	pred := make([]float64, len(rows))
	for k, i := range rows {
		days := u.Days(i)
		obs[k] = y[k] * days
		pred[k] = m.perDay(&feats[i], false) * days
	}
	m.Totals = newMetrics(obs, pred, m.numParameters())
	return m
}

// numParameters counts the slopes (eemeter's num_parameters excludes the
// intercept).
func (m *CalTRACKModel) numParameters() int {
	switch m.ModelType {
	case CDDHDD:
		return 2
	case HDDOnly, CDDOnly:
		return 1
	}
	return 0
}

// perDay returns the model's usage per day for a period's temperatures, or
// its parts; total makes degree days period totals.
func (m *CalTRACKModel) perDay(p *periodTemps, total bool) float64 {
	b, h, c := m.parts(p, total)
	return b + h + c
}

// parts returns base, heating and cooling load per day (or, with total,
// base per day and heating and cooling as period totals).
func (m *CalTRACKModel) parts(p *periodTemps, total bool) (base, heat, cool float64) {
	base = m.Coeffs.Intercept
	switch m.ModelType {
	case HDDOnly, CDDHDD:
		heat = m.Coeffs.BetaHDD * p.dd(float64(m.Coeffs.HeatingBalancePoint), true, total)
	}
	switch m.ModelType {
	case CDDOnly, CDDHDD:
		cool = m.Coeffs.BetaCDD * p.dd(float64(m.Coeffs.CoolingBalancePoint), false, total)
	}
	return base, heat, cool
}

// Prediction is the model's estimate for one period, NaN where the period
// lacks temperature (or is the end marker).
type Prediction struct {
	Start     time.Time `json:"start"`
	Predicted float64   `json:"predicted"`
	Observed  float64   `json:"observed"`
	Base      float64   `json:"base_load"`
	Heating   float64   `json:"heating_load"`
	Cooling   float64   `json:"cooling_load"`
}

// Predict returns the model's period totals for u (eemeter 3.2.0
// caltrack_usage_per_day_predict): base load is the intercept times the
// period's length in days, heating and cooling the slopes times the
// period's degree-day totals, computed over the whole period (no 35-day
// cap) with the same coverage rules as the fit.
func (m *CalTRACKModel) Predict(u Usage, t Temperature, oneDay bool) []Prediction {
	var tol time.Duration
	if m.Interval == "daily" {
		tol = 24 * time.Hour
	}
	feats := temperatureFeatures(u, t, tol, oneDay && m.Interval == "daily")
	out := make([]Prediction, len(u))
	for i := range u {
		p := Prediction{Start: u[i].Start, Observed: u[i].Value}
		days := u.Days(i)
		if !feats[i].ok || math.IsNaN(days) || m.Status != "SUCCESS" {
			p.Predicted, p.Base, p.Heating, p.Cooling = math.NaN(), math.NaN(), math.NaN(), math.NaN()
		} else {
			b, h, c := m.parts(&feats[i], true)
			p.Base, p.Heating, p.Cooling = b*days, h, c
			p.Predicted = p.Base + p.Heating + p.Cooling
		}
		out[i] = p
	}
	return out
}

// MarshalJSON writes missing values (NaN) as null.
func (p Prediction) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Start     time.Time `json:"start"`
		Predicted *float64  `json:"predicted"`
		Observed  *float64  `json:"observed"`
		Base      *float64  `json:"base_load"`
		Heating   *float64  `json:"heating_load"`
		Cooling   *float64  `json:"cooling_load"`
	}{p.Start, nullable(p.Predicted), nullable(p.Observed), nullable(p.Base), nullable(p.Heating), nullable(p.Cooling)})
}

// nullable returns nil for NaN or an infinity, else a pointer to f.
func nullable(f float64) *float64 {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}
