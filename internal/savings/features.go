package savings

import (
	"math"
	"time"
)

// periodTemps is what the hourly temperatures matched to one meter period
// give the CalTRACK daily and billing methods: eemeter 3.2.0
// compute_temperature_features with degree_day_method "daily"
// (eemeter/features.py, _degree_day_columns).
type periodTemps struct {
	ok           bool    // false: eemeter's row would be all NaN
	mean         float64 // temperature_mean: mean of the non-missing hours
	notNull      int     // temperature_not_null
	null         int     // temperature_null
	nDaysKept    int     // days with more than half their hours
	nDaysDropped int
	dayMeans     []float64 // the kept days' mean temperatures
	multiDay     bool      // the period held more than 24 hourly rows
}

// ddTotal returns the period's degree days at balance point bp (heating when
// heat), as a mean per kept day, or as a period total (the mean times the
// number of 24-hour chunks) when total is set and the period spans more
// than one day.
func (p *periodTemps) dd(bp float64, heat, total bool) float64 {
	if len(p.dayMeans) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, t := range p.dayMeans {
		if heat {
			s += math.Max(bp-t, 0)
		} else {
			s += math.Max(t-bp, 0)
		}
	}
	m := s / float64(len(p.dayMeans))
	if total && p.multiDay {
		m *= float64(p.nDaysKept + p.nDaysDropped)
	}
	return m
}

// Coverage thresholds of CalTRACK 2.2.2.3 (a day needs more than 50% of its
// hours) and 2.2.3.2 (a billing period needs 90% of its hours).
const (
	dayCoverage    = 0.5
	periodCoverage = 0.9
)

// temperatureFeatures matches each period of u with the hourly readings in
// [start, next start) — capped at start+tolerance inclusive when tolerance
// is positive, as pandas merge_asof does — and summarises them. Periods of
// at most 24 readings, or every period when oneDay is set, take the fast
// single-day route (one day, kept when more than 12 readings exist,
// counting missing ones as eemeter does); longer periods are cut into
// 24-reading chunks, each kept when more than 12 of its readings are
// present, and none kept when fewer than 90% of the period's readings are.
// The last period (the end marker) is never ok.
func temperatureFeatures(u Usage, t Temperature, tolerance time.Duration, oneDay bool) []periodTemps {
	out := make([]periodTemps, len(u))
	for i := 0; i+1 < len(u); i++ {
		from, to := u[i].Start, u[i+1].Start
		if tolerance > 0 && from.Add(tolerance).Before(to) {
			to = from.Add(tolerance + time.Nanosecond)
		}
		out[i] = summarise(t.window(from, to), oneDay)
	}
	return out
}

func summarise(temps []float64, oneDay bool) periodTemps {
	var p periodTemps
	count := len(temps)
	if count == 0 {
		return p
	}
	sum := 0.0
	for _, v := range temps {
		if math.IsNaN(v) {
			p.null++
		} else {
			p.notNull++
			sum += v
		}
	}
	if p.notNull == 0 {
		return p
	}
	p.mean = sum / float64(p.notNull)
	limitDay := 24 * dayCoverage
	if count <= 24 || oneDay {
		if float64(count) > limitDay {
			p.nDaysKept, p.dayMeans = 1, []float64{p.mean}
		} else {
			p.nDaysDropped = 1
			return p // degree days NaN: the whole row is NaN
		}
		p.ok = true
		return p
	}
	p.multiDay = true
	nChunks := (count + 23) / 24
	if float64(p.notNull) >= periodCoverage*float64(count) {
		for c := 0; c < nChunks; c++ {
			chunk := temps[c*24 : min(count, (c+1)*24)]
			s, n := 0.0, 0
			for _, v := range chunk {
				if !math.IsNaN(v) {
					s += v
					n++
				}
			}
			if float64(n) > limitDay {
				p.dayMeans = append(p.dayMeans, s/float64(n))
			}
		}
	}
	p.nDaysKept = len(p.dayMeans)
	p.nDaysDropped = nChunks - p.nDaysKept
	p.ok = p.nDaysKept > 0
	return p
}
