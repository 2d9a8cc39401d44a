package dr

import (
	"slices"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/tariff"
)

// Segment is a stretch of one TOU period within a local day.
type Segment struct {
	Start  time.Time         `json:"start"`
	End    time.Time         `json:"end"`
	Period string            `json:"period"`
	Price  money.MicroPerKWh `json:"price_micro_usd_per_kwh"`
	// Level is the OpenADR SIMPLE level a light switch shows: 0 for the
	// day's cheapest period, 2 for its dearest, 1 between
	// (research/dr-ev.md §7).
	Level int `json:"level"`
}

// TOUSignal is what a device polling for the TOU period needs: the period
// in force, its price and level, when it next changes, and the day's
// schedule.
type TOUSignal struct {
	Tariff     string    `json:"tariff"`
	Utility    string    `json:"utility"`
	At         time.Time `json:"at"`
	Current    Segment   `json:"current"`
	NextChange time.Time `json:"next_change"`
	Next       *Segment  `json:"next"`
	// NextPeak is the start of the next segment at level 2 (the peak),
	// today or tomorrow; zero when neither day has one.
	NextPeak time.Time `json:"next_peak,omitzero"`
	Day      []Segment `json:"schedule"`
}

// DaySchedule returns the TOU periods of local day d under tariff version
// v, in order, with the total energy price of each (first tier) and its
// level.
func DaySchedule(v *tariff.Version, d calendar.Date) ([]Segment, error) {
	const step = 15 * time.Minute
	prices, err := v.EnergyPrices()
	if err != nil {
		return nil, err
	}
	byPeriod := prices.ByPeriod()
	names := []string{"all hours"}
	var ix *tariff.Index
	if m, ok := v.PeriodMap("energy"); ok {
		names = m.Periods
		if ix, err = v.Index("energy", d.Year, step); err != nil {
			return nil, err
		}
	}
	var out []Segment
	for _, t := range calendar.Intervals(d, step) {
		p := uint8(0)
		if ix != nil {
			p = ix.Period[int(t.Sub(ix.Start)/step)]
		}
		if n := len(out); n > 0 && out[n-1].Period == names[p] {
			out[n-1].End = t.Add(step)
			continue
		}
		out = append(out, Segment{Start: t, End: t.Add(step), Period: names[p], Price: byPeriod[p]})
	}
	var ps []money.MicroPerKWh
	for _, s := range out {
		ps = append(ps, s.Price)
	}
	lo, hi := slices.Min(ps), slices.Max(ps)
	for i := range out {
		switch {
		case hi == lo || out[i].Price == lo:
			out[i].Level = 0
		case out[i].Price == hi:
			out[i].Level = 2
		default:
			out[i].Level = 1
		}
	}
	return out, nil
}

// SignalAt returns the TOU signal of v at instant at.
func SignalAt(v *tariff.Version, at time.Time) (TOUSignal, error) {
	d := calendar.DateOf(at)
	day, err := DaySchedule(v, d)
	if err != nil {
		return TOUSignal{}, err
	}
	tomorrow, err := DaySchedule(v, d.Next())
	if err != nil {
		return TOUSignal{}, err
	}
	sig := TOUSignal{Tariff: v.Code, Utility: v.Utility, At: at.UTC(), Day: day}
	both := append(slices.Clone(day), tomorrow...)
	for i, s := range both {
		if !at.Before(s.Start) && at.Before(s.End) {
			sig.Current = s
			sig.NextChange = s.End
			for j := i + 1; j < len(both); j++ {
				if both[j].Period != s.Period {
					n := both[j]
					sig.Next, sig.NextChange = &n, n.Start
					break
				}
			}
		}
		if s.Level == 2 && s.Start.After(at) && sig.NextPeak.IsZero() {
			sig.NextPeak = s.Start
		}
	}
	return sig, nil
}
