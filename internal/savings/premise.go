package savings

import (
	"math"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

// DailyUsage sums interval readings (kWh, NaN where missing; the first
// reading starts at start, each lasts step) into Pacific civil days. A
// day with half or less of its intervals present is missing; a day with
// more is scaled up by the share missing (CalTRACK 2.2.2.1, as eemeter
// 4.x's daily data class does), so a few lost readings neither drop a day
// nor bias it low. Days with all readings present are exact sums.
func DailyUsage(start time.Time, step time.Duration, kwh []float64) Usage {
	if len(kwh) == 0 || step <= 0 {
		return nil
	}
	floor, next := dayFloor(calendar.Pacific), dayNext(calendar.Pacific)
	var out Usage
	end := start.Add(time.Duration(len(kwh)) * step)
	for day := floor(start); day.Before(end); day = next(day) {
		dEnd := next(day)
		expected := int(dEnd.Sub(day) / step)
		sum, present := 0.0, 0
		for at := day; at.Before(dEnd); at = at.Add(step) {
			i := int(at.Sub(start) / step)
			if at.Before(start) || i >= len(kwh) || math.IsNaN(kwh[i]) {
				continue
			}
			sum += kwh[i]
			present++
		}
		v := math.NaN()
		if float64(present) > 0.5*float64(expected) {
			v = sum * float64(expected) / float64(present)
		}
		out = append(out, Period{Start: day, Value: v})
	}
	return append(out, Period{Start: next(floor(end.Add(-time.Nanosecond))), Value: math.NaN()})
}

// Evaluate fits and applies a CalTRACK model to usage already grouped into
// periods (days or bills for the daily and billing methods, hours for
// CalTRACK hourly) and hourly temperature — the path for meters and
// weather held in the database. Files are read by Calc.
func Evaluate(usage Usage, temp Temperature, o CalcOptions) (*CalcResult, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	return evaluate(usage, temp, o), nil
}

// HourlyUsage sums interval readings (kWh, NaN where missing) into clock
// hours; an hour missing any of its intervals is missing (CalTRACK hourly
// models whole hours only).
func HourlyUsage(start time.Time, step time.Duration, kwh []float64) Usage {
	if len(kwh) == 0 || step <= 0 || time.Hour%step != 0 {
		return nil
	}
	per := int(time.Hour / step)
	var out Usage
	first := start.Truncate(time.Hour)
	end := start.Add(time.Duration(len(kwh)) * step)
	for h := first; h.Before(end); h = h.Add(time.Hour) {
		sum, n := 0.0, 0
		for k := 0; k < per; k++ {
			i := int(h.Add(time.Duration(k)*step).Sub(start) / step)
			if i < 0 || i >= len(kwh) || math.IsNaN(kwh[i]) {
				continue
			}
			sum += kwh[i]
			n++
		}
		v := math.NaN()
		if n == per {
			v = sum
		}
		out = append(out, Period{Start: h, Value: v})
	}
	last := end.Truncate(time.Hour)
	if last.Before(end) {
		last = last.Add(time.Hour)
	}
	return append(out, Period{Start: last, Value: math.NaN()})
}

// CheckOptions validates o and fills in its defaults (electricity, Pacific
// days), naming each bad field.
func CheckOptions(o *CalcOptions) error { return o.check() }

// ParseBlackout reads blackout dates written YYYY-MM-DD as forms, queries
// and flags give them ("" leaves a date zero for CheckOptions to require),
// adding a field error naming each malformed one to f.
func ParseBlackout(start, end string, f *apperr.Fields) (s, e calendar.Date) {
	for _, d := range []struct {
		name, s string
		into    *calendar.Date
	}{{"blackout_start", start, &s}, {"blackout_end", end, &e}} {
		if d.s == "" {
			continue
		}
		v, err := calendar.ParseDate(d.s)
		if err != nil {
			f.Add(d.name, "want a date written YYYY-MM-DD, not %q", d.s)
		}
		*d.into = v
	}
	return s, e
}
