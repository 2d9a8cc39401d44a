package evcharge

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/money"
)

// Rate is one value over [Start, End): a price in micro-dollars per kWh,
// or a marginal emission rate in g CO2/kWh.
type Rate struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Value float64   `json:"value"`
}

// Rates are sorted by Start and do not overlap; gaps are allowed (no value
// is known there).
type Rates []Rate

// Objective is what a plan minimises: one objective per plan.
type Objective string

// Objectives.
const (
	LeastCost Objective = "cost" // Rates are prices, micro-dollars per kWh
	LeastCO2  Objective = "co2"  // Rates are marginal emissions, g CO2/kWh
)

// Need is one plug-in's charging need.
type Need struct {
	PlugIn    time.Time
	Departure time.Time
	// EnergyWh is the energy to add to the battery.
	EnergyWh energy.Wh
	MaxW     energy.W
	// Precondition is charged in the last minutes before departure
	// whatever it costs, to warm the battery and cabin.
	Precondition time.Duration
	// Continuous plans one contiguous window instead of the cheapest
	// slots.
	Continuous bool
}

// Slot is one planned charging period at power W.
type Slot struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	W        energy.W  `json:"w"`
	EnergyWh energy.Wh `json:"energy_wh"`
	// Value is the rate over the slot; null (NaN in Go) where none is
	// known.
	Value *float64 `json:"value"`
}

// Plan is a charging plan.
type Plan struct {
	Objective   Objective   `json:"objective"`
	Slots       []Slot      `json:"slots"`
	EnergyWh    energy.Wh   `json:"energy_wh"`
	ShortfallWh energy.Wh   `json:"shortfall_wh"`
	CostCents   money.Cents `json:"cost_cents"` // LeastCost: Σ slot kWh × price, rounded once
	CO2g        float64     `json:"co2_g"`      // LeastCO2: Σ slot kWh × g/kWh
	// UnpricedWh is planned energy in slots without a known rate (not in
	// CostCents or CO2g).
	UnpricedWh energy.Wh `json:"unpriced_wh"`
	Notes      []string  `json:"notes,omitempty"`
}

// piece is a stretch of the charging window with one rate (or none).
type piece struct {
	start, end time.Time
	value      float64 // NaN: unknown
}

func (p piece) dur() time.Duration { return p.end.Sub(p.start) }

// whIn is the energy MaxW delivers over d, rounded down to whole Wh.
func whIn(w energy.W, d time.Duration) energy.Wh {
	return energy.Wh(int64(w) * int64(d) / int64(time.Hour))
}

// durFor is the time MaxW needs to deliver e, rounded up to the second.
func durFor(w energy.W, e energy.Wh) time.Duration {
	ns := (int64(e)*int64(time.Hour) + int64(w) - 1) / int64(w)
	return time.Duration((ns + int64(time.Second) - 1) / int64(time.Second) * int64(time.Second))
}

// PlanCharging plans a need against rates, after evcc's planner
// (evcc-io/evcc core/planner, research/dr-ev.md §3.2), rewritten here:
//
//   - the window is [plug-in, departure); a need larger than the charger
//     can deliver in it is planned at full power throughout and the
//     shortfall is reported;
//   - a precondition tail just before departure is always charged;
//   - time after the last known rate is charged in full (as late as it
//     lies), and the rest is optimised over the known rates — the plan
//     never misses a feasible departure;
//   - with no rates at all the plan charges as late as possible, ending
//     at departure;
//   - the default strategy takes the cheapest slots first, ties to the
//     later slot, and trims the last slot to the exact energy (at its
//     start when it is earlier than every slot chosen, so charging ends
//     late, else at its end); gaps between known rates are used last;
//   - the continuous strategy takes the cheapest contiguous window, ties
//     to the later start.
func PlanCharging(n Need, rates Rates, obj Objective) (Plan, error) {
	const op = "evcharge.PlanCharging"
	var f apperr.Fields
	if !n.Departure.After(n.PlugIn) {
		f.Add("departure", "must be after plug_in")
	}
	if n.MaxW <= 0 {
		f.Add("max_kw", "must be positive")
	}
	if n.EnergyWh < 0 {
		f.Add("energy_kwh", "must not be negative")
	}
	if n.Precondition < 0 {
		f.Add("precondition", "must not be negative")
	}
	if obj != LeastCost && obj != LeastCO2 {
		f.Add("objective", "must be cost or co2")
	}
	for i, r := range rates {
		if !r.End.After(r.Start) || math.IsNaN(r.Value) || (i > 0 && r.Start.Before(rates[i-1].End)) {
			f.Add(fmt.Sprintf("rates[%d]", i), "rates must be sorted, non-overlapping, non-empty spans with a value")
			break
		}
	}
	if err := f.Err(op); err != nil {
		return Plan{}, err
	}
	plan := Plan{Objective: obj}
	if n.EnergyWh == 0 {
		return plan, nil
	}
	window := n.Departure.Sub(n.PlugIn)
	need := n.EnergyWh
	if most := whIn(n.MaxW, window); most < need {
		plan.ShortfallWh = need - most
		plan.Notes = append(plan.Notes, fmt.Sprintf("the need of %s kWh is more than %s kW can deliver between plug-in and departure; planned the maximum, %s kWh",
			need.KWhString(), n.MaxW.KWString(), most.KWhString()))
		need = most
	}
	pieces := split(n.PlugIn, n.Departure, rates)
	required := durFor(n.MaxW, need)
	if required > window {
		required = window
	}
	var chosen []piece
	if len(rates) == 0 {
		plan.Notes = append(plan.Notes, "no rates known: charging is planned to end at departure")
		chosen = []piece{{n.Departure.Add(-required), n.Departure, math.NaN()}}
		return finish(plan, chosen, n, need), nil
	}
	// Precondition: the tail before departure, always.
	pre := min(n.Precondition, required)
	if pre > 0 {
		var rest []piece
		rest, tail := cut(pieces, n.Departure.Add(-pre))
		pieces = rest
		chosen = append(chosen, tail...)
		required -= pre
	}
	// Time after the last known rate is charged in full.
	last := rates[len(rates)-1].End
	if end := pieces[len(pieces)-1].end; end.After(last) && required > 0 {
		rest, tail := cut(pieces, maxTime(last, end.Add(-required)))
		var tailDur time.Duration
		for _, p := range tail {
			tailDur += p.dur()
		}
		plan.Notes = append(plan.Notes, fmt.Sprintf("rates end at %s: %s of charging after that is planned without a price; re-plan when rates arrive",
			last.Format(time.RFC3339), tailDur))
		pieces, chosen = rest, append(chosen, tail...)
		required -= tailDur
	}
	if required > 0 {
		if n.Continuous {
			chosen = append(chosen, continuous(pieces, required)...)
		} else {
			chosen = append(chosen, cheapest(pieces, required)...)
		}
	}
	for _, p := range chosen {
		if math.IsNaN(p.value) && p.start.Before(last) {
			plan.Notes = append(plan.Notes, "some planned time has no known rate (a gap in the rates); it was used only because it was needed")
			break
		}
	}
	return finish(plan, chosen, n, need), nil
}

// split cuts [from, to) at the rates' boundaries; stretches without a rate
// get NaN.
func split(from, to time.Time, rates Rates) []piece {
	var out []piece
	t := from
	for _, r := range rates {
		if !r.End.After(t) {
			continue
		}
		if !r.Start.Before(to) {
			break
		}
		if r.Start.After(t) {
			out = append(out, piece{t, r.Start, math.NaN()})
			t = r.Start
		}
		end := minTime(r.End, to)
		out = append(out, piece{t, end, r.Value})
		t = end
	}
	if t.Before(to) {
		out = append(out, piece{t, to, math.NaN()})
	}
	return out
}

// cut splits pieces at instant at: those before and those after.
func cut(ps []piece, at time.Time) (before, after []piece) {
	for _, p := range ps {
		switch {
		case !p.end.After(at):
			before = append(before, p)
		case !p.start.Before(at):
			after = append(after, p)
		default:
			before = append(before, piece{p.start, at, p.value})
			after = append(after, piece{at, p.end, p.value})
		}
	}
	return before, after
}

// rank orders values for choosing: known values ascending, unknown last.
func rank(v float64) float64 {
	if math.IsNaN(v) {
		return math.Inf(1)
	}
	return v
}

// cheapest takes the cheapest pieces first (ties to the later piece) and
// trims the one that overshoots.
func cheapest(ps []piece, required time.Duration) []piece {
	order := slices.Clone(ps)
	slices.SortStableFunc(order, func(a, b piece) int {
		if c := cmpFloat(rank(a.value), rank(b.value)); c != 0 {
			return c
		}
		return b.start.Compare(a.start) // later first
	})
	var out []piece
	for _, p := range order {
		if required <= 0 {
			break
		}
		if p.dur() <= required {
			out = append(out, p)
			required -= p.dur()
			continue
		}
		earliest := true
		for _, c := range out {
			if c.start.Before(p.start) {
				earliest = false
				break
			}
		}
		if earliest {
			p.start = p.end.Add(-required) // charge as late as possible
		} else {
			p.end = p.start.Add(required)
		}
		out = append(out, p)
		required = 0
	}
	return out
}

// continuous finds the cheapest window of length required within ps,
// starting at a piece boundary or ending at the last piece's end; ties go
// to the later start.
func continuous(ps []piece, required time.Duration) []piece {
	if len(ps) == 0 {
		return nil
	}
	end := ps[len(ps)-1].end
	var starts []time.Time
	for _, p := range ps {
		starts = append(starts, p.start)
	}
	starts = append(starts, end.Add(-required))
	best, bestCost := time.Time{}, math.Inf(1)
	for _, s := range starts {
		e := s.Add(required)
		if s.Before(ps[0].start) || e.After(end) {
			continue
		}
		var cost float64
		for _, p := range ps {
			lo, hi := maxTime(p.start, s), minTime(p.end, e)
			if hi.After(lo) {
				cost += rank(p.value) * hi.Sub(lo).Hours()
			}
		}
		if cost <= bestCost || best.IsZero() {
			if cost < bestCost || s.After(best) {
				best, bestCost = s, cost
			}
		}
	}
	_, in := cut(ps, best)
	win, _ := cut(in, best.Add(required))
	return win
}

// finish turns chosen pieces into slots in time order, with the energy of
// each and the exact total: the last slot in time carries the rounding.
func finish(plan Plan, chosen []piece, n Need, need energy.Wh) Plan {
	slices.SortFunc(chosen, func(a, b piece) int { return a.start.Compare(b.start) })
	var nanos money.Nanos
	left := need
	for i, p := range chosen {
		if !p.end.After(p.start) {
			continue
		}
		e := min(whIn(n.MaxW, p.dur()), left)
		if i == len(chosen)-1 {
			e = left
		}
		left -= e
		s := Slot{Start: p.start, End: p.end, W: n.MaxW, EnergyWh: e}
		if !math.IsNaN(p.value) {
			v := p.value
			s.Value = &v
			switch plan.Objective {
			case LeastCost:
				nanos += money.Nanos(math.Round(float64(e) * v))
			case LeastCO2:
				plan.CO2g += float64(e) / 1000 * v
			}
		} else {
			plan.UnpricedWh += e
		}
		plan.EnergyWh += e
		plan.Slots = append(plan.Slots, s)
	}
	plan.CostCents = nanos.Round()
	plan.CO2g = math.Round(plan.CO2g*1000) / 1000
	return plan
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
