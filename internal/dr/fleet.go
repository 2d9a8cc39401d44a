package dr

import (
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
)

// FleetPlan is a storage program's dispatch of its batteries for one
// event: the target, what the fleet can give within every site's
// reserve, and each battery's share.
type FleetPlan struct {
	EventID int64    `json:"event_id"`
	TargetW energy.W `json:"target_w"`
	FleetW  energy.W `json:"fleet_w"` // Σ dispatched W; below the target when the fleet cannot meet it
	// SOCPct is the state of charge assumed at the event's start for a
	// battery without a recent reported charge (PlanChargedFleet).
	SOCPct     int        `json:"soc_pct"`
	Dispatches []Dispatch `json:"dispatches"`
	// Charges is the state of charge each battery's share was planned
	// with, in the order of Dispatches (PlanChargedFleet).
	Charges []DispatchCharge `json:"charges,omitempty"`
}

// DispatchCharge is the state of charge a battery's share was planned
// with and where it came from: Source "reported" is the battery's
// latest reading (At its time), used as reported, not projected to the
// event's start, when no older than the program's charge_max_age_minutes;
// "setting" is the dispatch's soc_pct (At zero).
type DispatchCharge struct {
	DeviceID int64     `json:"device_id"`
	Permille int       `json:"charge_permille"`
	Source   string    `json:"source"`
	At       time.Time `json:"reading_at,omitzero"`
}

// Charge sources of a DispatchCharge.
const (
	ChargeReported = "reported"
	ChargeSetting  = "setting"
)

// DefaultSOCPct is the state of charge a fleet dispatch assumes at the
// event's start when no site reports one: the Solar and Battery Access
// batteries charge from their own solar during the day and the events
// fall after 4 pm (programs.json, battery_vpp). It is a setting; the
// program publishes no figure (seed 000).
const DefaultSOCPct = 100

// FleetBatteries turns a storage program's devices into batteries as a
// dispatch sees them on local day d: the batteries enrolled on d (not
// removed), each holding socPct of its capacity and keeping its site's
// reserve, or the program's default reserve when the site sets none
// (Power Ready: "a reserved share of the battery is guaranteed to carry
// critical loads", seed 000).
func FleetBatteries(p Program, devices []Device, d calendar.Date, socPct int) ([]Battery, error) {
	return ChargedBatteries(p, devices, d, socPct, Charges{})
}

// ChargeReading is a battery's reported state of charge: Permille of its
// capacity (0–1000) at At.
type ChargeReading struct {
	Permille int       `json:"charge_permille"`
	At       time.Time `json:"at"`
}

// Charges is what a dispatch knows of its batteries' charge: each
// device's latest reading (by device id), the time of the dispatch and
// how old a reading may be (zero: 60 minutes).
type Charges struct {
	Latest map[int64]ChargeReading
	Now    time.Time
	MaxAge time.Duration
}

// reading returns device id's reading when it is no older than MaxAge
// at Now (and not after Now).
func (c Charges) reading(id int64) (ChargeReading, bool) {
	r, ok := c.Latest[id]
	maxAge := c.MaxAge
	if maxAge <= 0 {
		maxAge = time.Hour
	}
	if !ok || r.At.After(c.Now) || c.Now.Sub(r.At) > maxAge {
		return ChargeReading{}, false
	}
	return r, true
}

// ChargedBatteries is FleetBatteries with each battery holding its latest
// reported charge when that is recent enough (Charges), and socPct
// otherwise. The site's reserve is kept either way.
func ChargedBatteries(p Program, devices []Device, d calendar.Date, socPct int, charges Charges) ([]Battery, error) {
	bs, _, err := chargedBatteries(p, devices, d, socPct, charges)
	return bs, err
}

// chargedBatteries is ChargedBatteries with the charge each battery was
// given and its source.
func chargedBatteries(p Program, devices []Device, d calendar.Date, socPct int, charges Charges) ([]Battery, []DispatchCharge, error) {
	if socPct < 0 || socPct > 100 {
		var f apperr.Fields
		f.Add("soc_pct", "must be 0 to 100")
		return nil, nil, f.Err("dr.FleetBatteries")
	}
	var out []Battery
	var used []DispatchCharge
	for _, dv := range devices {
		if dv.Type != "battery" || dv.Program != p.Code || dv.Enrolled.After(d) || (!dv.Removed.IsZero() && !dv.Removed.After(d)) {
			continue
		}
		reserve := dv.ReservePct
		if reserve == 0 {
			reserve = p.ReservePctDefault
		}
		stored := energy.Wh(dv.CapacityWh * int64(socPct) / 100)
		c := DispatchCharge{DeviceID: dv.ID, Permille: socPct * 10, Source: ChargeSetting}
		if r, ok := charges.reading(dv.ID); ok {
			stored = energy.Wh(dv.CapacityWh * int64(r.Permille) / 1000)
			c = DispatchCharge{DeviceID: dv.ID, Permille: r.Permille, Source: ChargeReported, At: r.At}
		}
		out = append(out, Battery{DeviceID: dv.ID, CapacityWh: energy.Wh(dv.CapacityWh), MaxW: energy.W(dv.MaxW),
			StoredWh: stored, ReservePct: reserve})
		used = append(used, c)
	}
	return out, used, nil
}

// PlanFleet dispatches a storage program's batteries for event e at
// targetW: FleetBatteries, then DispatchFleet over the event's length.
// Only a storage program's event that has not ended is dispatched.
func PlanFleet(p Program, e Event, devices []Device, targetW energy.W, socPct int) (FleetPlan, error) {
	return PlanChargedFleet(p, e, devices, targetW, socPct, Charges{})
}

// PlanChargedFleet is PlanFleet with the batteries' reported charge
// (ChargedBatteries): socPct is then the charge assumed for a battery
// without a recent reading.
func PlanChargedFleet(p Program, e Event, devices []Device, targetW energy.W, socPct int, charges Charges) (FleetPlan, error) {
	const op = "dr.PlanFleet"
	plan := FleetPlan{EventID: e.ID, TargetW: targetW, SOCPct: socPct}
	if p.Kind != Storage {
		return plan, apperr.Invalidf(op, "%s is not a storage program: only a battery fleet is dispatched", p.Name)
	}
	if e.Status == Completed || e.Status == Cancelled {
		return plan, apperr.Conflictf(op, "event %d is %s; only an event still to come or under way is dispatched", e.ID, e.Status)
	}
	if targetW <= 0 {
		var f apperr.Fields
		f.Add("target_kw", "must be positive")
		return plan, f.Err(op)
	}
	bs, used, err := chargedBatteries(p, devices, e.Day(), socPct, charges)
	if err != nil {
		return plan, err
	}
	if len(bs) == 0 {
		return plan, apperr.Conflictf(op, "%s has no battery enrolled on %s", p.Name, e.Day())
	}
	plan.Dispatches, plan.FleetW, err = DispatchFleet(bs, targetW, e.Duration())
	if err == nil {
		plan.Charges = used
	}
	return plan, err
}

// Delivery is one battery's dispatched and delivered energy.
type Delivery struct {
	DeviceID     int64     `json:"device_id"`
	DispatchedWh energy.Wh `json:"dispatched_wh"`
	DeliveredWh  energy.Wh `json:"delivered_wh"`
	Reported     bool      `json:"reported"` // its VEN reported on the dispatch
}

// DeliverySummary totals a fleet event's dispatched against delivered
// energy. SharePermille is delivered ÷ dispatched in thousandths, over
// the batteries that reported (so a missing report is not a shortfall),
// rounded down; Unreported counts batteries without a report.
type DeliverySummary struct {
	Batteries     int       `json:"batteries"`
	Reported      int       `json:"reported"`
	Unreported    int       `json:"unreported"`
	DispatchedWh  energy.Wh `json:"dispatched_wh"`
	DeliveredWh   energy.Wh `json:"delivered_wh"`
	ReportedWh    energy.Wh `json:"dispatched_reported_wh"` // dispatched to the batteries that reported
	SharePermille int64     `json:"share_permille"`
}

// CompareDelivery sets each dispatch beside what its VEN reported
// delivering (delivered, by device; absent when no report came) and
// totals them.
func CompareDelivery(ds []Dispatch, delivered map[int64]energy.Wh) ([]Delivery, DeliverySummary) {
	out := make([]Delivery, len(ds))
	var s DeliverySummary
	for i, d := range ds {
		got, ok := delivered[d.DeviceID]
		out[i] = Delivery{DeviceID: d.DeviceID, DispatchedWh: d.Wh, DeliveredWh: got, Reported: ok}
		s.Batteries++
		s.DispatchedWh += d.Wh
		if ok {
			s.Reported++
			s.ReportedWh += d.Wh
			s.DeliveredWh += got
		} else {
			s.Unreported++
		}
	}
	if s.ReportedWh > 0 {
		s.SharePermille = int64(s.DeliveredWh) * 1000 / int64(s.ReportedWh)
	}
	return out, s
}
