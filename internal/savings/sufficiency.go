package savings

import (
	"math"
	"sort"
	"time"
)

// Sufficiency is the outcome of CalTRACK's baseline data sufficiency check
// (CalTRACK 2.2; eemeter 3.2.0 caltrack_sufficiency_criteria).
type Sufficiency struct {
	Status string `json:"status"` // PASS, FAIL or NO DATA
	// Disqualifications name the critical failures (eemeter's critical
	// warnings); Warnings the non-critical findings.
	Disqualifications []string `json:"disqualifications"`
	Warnings          []string `json:"warnings"`

	DaysTotal            int `json:"n_days_total"`
	ValidDays            int `json:"n_valid_days"`
	ValidMeterDays       int `json:"n_valid_meter_days"`
	ValidTemperatureDays int `json:"n_valid_temperature_days"`
	NegativeValues       int `json:"n_negative_meter_values"`
	ExtremeValues        int `json:"n_extreme_values"`
}

// Sufficiency thresholds of CalTRACK 2.2.1.2 and 2.2.2: a 365-day baseline
// with 90% of its days holding both meter and temperature data, a period's
// temperature counting when more than 90% of its hours are present.
const (
	baselineDays         = 365
	minFractionDaily     = 0.9
	minFractionHourlyPer = 0.9
)

// CheckSufficiency checks baseline periods u (with their end marker)
// against the window [requestedStart, requestedEnd]. Negative values
// disqualify unless allowNegative (electricity with declared solar; eemeter
// 4.x allows negative electricity, 3.x never does). Off-cycle billing
// periods (outside 25–35 days for monthly, 25–70 for bimonthly, eemeter
// 4.1.1 clean_billing_data) are reported as a warning.
func CheckSufficiency(u Usage, t Temperature, requestedStart, requestedEnd time.Time, billing, allowNegative bool) Sufficiency {
	s := Sufficiency{Status: "PASS", Disqualifications: []string{}, Warnings: []string{}}
	var tol time.Duration
	if !billing {
		tol = 24 * time.Hour
	}
	feats := temperatureFeatures(u, t, tol, false)
	any := false
	for i := range u {
		if feats[i].ok && !math.IsNaN(u[i].Value) {
			any = true
		}
	}
	if len(u) == 0 || !any {
		s.Status = "NO DATA"
		s.Disqualifications = append(s.Disqualifications, "no_data")
		return s
	}
	start, end := u[0].Start, u[len(u)-1].Start
	nData := int(end.Sub(start) / (24 * time.Hour))
	startGap := int(math.Floor(start.Sub(requestedStart).Hours() / 24))
	endGap := int(math.Floor(requestedEnd.Sub(end).Hours() / 24))
	if endGap < 0 {
		s.Disqualifications = append(s.Disqualifications, "extra_data_after_requested_end_date")
		endGap = 0
	}
	if startGap < 0 {
		s.Disqualifications = append(s.Disqualifications, "extra_data_before_requested_start_date")
		startGap = 0
	}
	s.DaysTotal = nData + startGap + endGap

	var vals []float64
	var meterDays, tempDays, bothDays float64
	for i := range u {
		v := u[i].Value
		// eemeter's design matrix blanks the meter value of a row without
		// temperature, so only rows with both count as valid meter rows.
		validMeter := !math.IsNaN(v) && feats[i].ok
		validTemp := feats[i].ok && float64(feats[i].notNull)/float64(feats[i].notNull+feats[i].null) > minFractionHourlyPer
		if validMeter {
			vals = append(vals, v)
			if v < 0 {
				s.NegativeValues++
			}
		}
		days := u.Days(i)
		if math.IsNaN(days) {
			continue
		}
		if validMeter {
			meterDays += days
		}
		if validTemp {
			tempDays += days
		}
		if validMeter && validTemp {
			bothDays += days
		}
	}
	s.ValidMeterDays, s.ValidTemperatureDays, s.ValidDays = int(meterDays), int(tempDays), int(bothDays)
	if s.NegativeValues > 0 && !allowNegative {
		s.Disqualifications = append(s.Disqualifications, "negative_meter_values")
	}
	if s.DaysTotal != baselineDays {
		s.Disqualifications = append(s.Disqualifications, "incorrect_number_of_total_days")
	}
	s.checkCoverage()
	s.flagExtremes(vals)
	if billing && offCycle(u) {
		s.Warnings = append(s.Warnings, "offcycle_reads_in_billing_data")
	}
	if len(s.Disqualifications) > 0 {
		s.Status = "FAIL"
	}
	return s
}

// checkCoverage disqualifies a baseline with fewer than 90% of its days
// valid: with both use and temperature, with use, with temperature
// (CalTRACK 2.2.1.2, 2.2.2).
func (s *Sufficiency) checkCoverage() {
	frac := func(n int) float64 {
		if s.DaysTotal <= 0 {
			return 0
		}
		return float64(n) / float64(s.DaysTotal)
	}
	if frac(s.ValidDays) < minFractionDaily {
		s.Disqualifications = append(s.Disqualifications, "too_many_days_with_missing_data")
	}
	if frac(s.ValidMeterDays) < minFractionDaily {
		s.Disqualifications = append(s.Disqualifications, "too_many_days_with_missing_meter_data")
	}
	if frac(s.ValidTemperatureDays) < minFractionDaily {
		s.Disqualifications = append(s.Disqualifications, "too_many_days_with_missing_temperature_data")
	}
}

// flagExtremes warns of values above median + 3·IQR (CalTRACK 2.3.6:
// flagged for review), quantiles interpolated linearly as pandas does.
func (s *Sufficiency) flagExtremes(vals []float64) {
	if len(vals) == 0 {
		return
	}
	sorted := append([]float64(nil), vals...)
	sort.Float64s(sorted)
	med, q1, q3 := quantile(sorted, 0.5), quantile(sorted, 0.25), quantile(sorted, 0.75)
	limit := med + 3*(q3-q1)
	for _, v := range vals {
		if v > limit {
			s.ExtremeValues++
		}
	}
	if s.ExtremeValues > 0 {
		s.Warnings = append(s.Warnings, "extreme_values_detected")
	}
}

// quantile is pandas' default (linear interpolation) quantile of sorted x.
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	h := q * float64(len(sorted)-1)
	lo := int(math.Floor(h))
	if lo+1 >= len(sorted) {
		return sorted[lo]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// offCycle reports billing periods of the wrong length for the series'
// cycle: monthly when the median period is at most 35 days (periods must
// then last 25–35 days), else bimonthly (25–70 days).
func offCycle(u Usage) bool {
	var d []float64
	for i := 0; i+1 < len(u); i++ {
		d = append(d, u.Days(i))
	}
	if len(d) == 0 {
		return false
	}
	sorted := append([]float64(nil), d...)
	sort.Float64s(sorted)
	hi := 35.0
	if quantile(sorted, 0.5) > 35 {
		hi = 70
	}
	for _, v := range d {
		if v < 25 || v > hi {
			return true
		}
	}
	return false
}
