package rps

import (
	"math/big"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/energy"
)

// HourlyMatch compares a green product's hourly load with the hourly
// generation of the certificates behind it. This goes beyond what the
// state requires (annual RPS accounting is monthly certificates against
// annual sales); it is the EnergyTag-style granular claim
// (research/rps.md §3.1): the hourly-matched share is what the product's
// customers used in the same hours the contracted facilities generated.
type HourlyMatch struct {
	Hours      int       `json:"hours"`
	Load       energy.Wh `json:"load_wh"`
	Generation energy.Wh `json:"generation_wh"`
	// Matched is Σ over hours of min(load, generation).
	Matched energy.Wh `json:"matched_wh"`
	// HourlyShare is Matched / Load; AnnualShare is min(Generation, Load)
	// / Load, the share an annual (volumetric) claim reports.
	HourlyShare *big.Rat `json:"-"`
	AnnualShare *big.Rat `json:"-"`
	// Surplus is generation in hours it exceeded load; Deficit is load
	// not matched in its hour.
	Surplus energy.Wh `json:"surplus_wh"`
	Deficit energy.Wh `json:"deficit_wh"`
	// MatchedByHour is the matched energy by hour of day (index 0 is the
	// hour beginning midnight, local time), for the console's chart.
	MatchedByHour [24]energy.Wh `json:"matched_by_hour_wh"`
	LoadByHour    [24]energy.Wh `json:"load_by_hour_wh"`
	GenByHour     [24]energy.Wh `json:"generation_by_hour_wh"`
}

// MatchHourly matches load against generation hour by hour. Both series
// hold one value per clock hour of the same span; hourOfDay gives each
// index's local hour of day (nil: i mod 24). Negative values are refused.
func MatchHourly(load, generation []energy.Wh, hourOfDay func(i int) int) (HourlyMatch, error) {
	const op = "rps.MatchHourly"
	if len(load) != len(generation) {
		return HourlyMatch{}, apperr.Invalidf(op, "load has %d hours and generation %d: they must cover the same hours", len(load), len(generation))
	}
	if hourOfDay == nil {
		hourOfDay = func(i int) int { return i % 24 }
	}
	m := HourlyMatch{Hours: len(load)}
	for i := range load {
		l, g := load[i], generation[i]
		if l < 0 || g < 0 {
			return HourlyMatch{}, apperr.Invalidf(op, "hour %d: negative energy", i)
		}
		x := min(l, g)
		h := hourOfDay(i)
		m.Load += l
		m.Generation += g
		m.Matched += x
		m.Surplus += g - x
		m.Deficit += l - x
		m.MatchedByHour[h] += x
		m.LoadByHour[h] += l
		m.GenByHour[h] += g
	}
	m.HourlyShare = ratio(int64(m.Matched), int64(m.Load))
	m.AnnualShare = ratio(int64(min(m.Generation, m.Load)), int64(m.Load))
	return m, nil
}
