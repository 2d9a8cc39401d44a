package evcharge

import (
	"math"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/emissions"
	"github.com/gridbook/gridbook/internal/tariff"
)

// TariffRates returns the energy price of tariff version v over [from, to)
// in steps of step (a divisor of one hour), in micro-dollars per kWh: the
// price of the TOU period in force at each step, first tier (tiers
// depend on the month's usage, which a plan does not know). Adjacent steps
// with one price are merged.
func TariffRates(v *tariff.Version, from, to time.Time, step time.Duration) (Rates, error) {
	const op = "evcharge.TariffRates"
	if !to.After(from) {
		return nil, apperr.Invalidf(op, "the span must end after it starts")
	}
	if to.Sub(from) > 400*24*time.Hour {
		return nil, apperr.Invalidf(op, "at most 400 days of rates")
	}
	prices, err := v.EnergyPrices()
	if err != nil {
		return nil, err
	}
	byPeriod := prices.ByPeriod()
	from = from.Truncate(step)
	var out Rates
	ixs := map[int]*tariff.Index{}
	for t := from; t.Before(to); t = t.Add(step) {
		y := calendar.DateOf(t).Year
		ix := ixs[y]
		if ix == nil {
			if _, ok := v.PeriodMap("energy"); !ok {
				out = appendRate(out, t, t.Add(step), float64(byPeriod[0]))
				continue
			}
			if ix, err = v.Index("energy", y, step); err != nil {
				return nil, err
			}
			ixs[y] = ix
		}
		i := int(t.Sub(ix.Start) / step)
		out = appendRate(out, t, t.Add(step), float64(byPeriod[ix.Period[i]]))
	}
	return out, nil
}

// SignalRates returns a signal's rates over [from, to) in g CO2/kWh;
// missing points are left out (gaps).
func SignalRates(s emissions.Signal, from, to time.Time) Rates {
	var out Rates
	for i, v := range s.Values {
		start := s.Start.Add(time.Duration(i) * s.Step)
		end := start.Add(s.Step)
		if math.IsNaN(v) || !end.After(from) || !start.Before(to) {
			continue
		}
		out = appendRate(out, maxTime(start, from), minTime(end, to), v)
	}
	return out
}

func appendRate(rs Rates, start, end time.Time, v float64) Rates {
	if n := len(rs); n > 0 && rs[n-1].End.Equal(start) && rs[n-1].Value == v {
		rs[n-1].End = end
		return rs
	}
	return append(rs, Rate{Start: start, End: end, Value: v})
}
