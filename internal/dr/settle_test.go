package dr

import (
	"errors"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/money"
)

func result(pairs ...[2]energy.Wh) Result {
	r := Result{Method: "caiso-10in10", Factor: 1}
	for i, p := range pairs {
		iv := Interval{Start: time.Unix(int64(i)*3600, 0).UTC(), BaselineWh: p[0], ActualWh: p[1]}
		r.Intervals = append(r.Intervals, iv)
		if p[1] == meterdata.Missing {
			r.MissingIntervals++
		} else {
			r.DeltaWh += p[0] - p[1]
		}
	}
	return r
}

// Reduction = Σ (adjusted baseline − actual), floored per event, at the
// program's rate; with $1/kWh (1,000,000 micro-dollars), 700 Wh earn 70¢.
func TestSettlementFloorsPerEventAndPricesAtTheRate(t *testing.T) {
	p := program(t, "power_response")
	p.Rate = money.MicroPerKWh(1_000_000)
	s := Settle(p, "home", 9, 42, result([2]energy.Wh{1100, 700}, [2]energy.Wh{1100, 800}), nil, false)
	if s.Status != Settled || s.ReductionWh != 700 || s.DeltaWh != 700 || s.Amount != 70 || s.BaselineWh != 2200 || s.ActualWh != 1500 {
		t.Errorf("settlement %+v; want 700 Wh and 70¢", s)
	}
	// +400 in one hour and −600 in the other: −200 unfloored, 0 floored
	// per event, 400 floored per interval.
	r := result([2]energy.Wh{1100, 700}, [2]energy.Wh{1100, 1700})
	if s := Settle(p, "home", 9, 42, r, nil, false); s.ReductionWh != 0 || s.DeltaWh != -200 || s.Amount != 0 {
		t.Errorf("per-event floor: %+v", s)
	}
	p.Floor = FloorInterval
	if s := Settle(p, "home", 9, 42, r, nil, false); s.ReductionWh != 400 || s.Amount != 40 {
		t.Errorf("per-interval floor: %+v", s)
	}
	// Unfloored, a participant who used more pays for it — unless they
	// overrode on a track that allows it without penalty.
	p.Floor = FloorNone
	if s := Settle(p, "home", 9, 42, r, nil, false); s.Amount != -20 {
		t.Errorf("unfloored: %+v, want −20¢", s)
	}
	if s := Settle(p, "smart_home", 9, 42, r, nil, true); s.Amount != 0 || !s.Overridden {
		t.Errorf("override without penalty: %+v, want 0¢", s)
	}
}

func TestSettlementWithoutBaselineOrReadingsEarnsNothingAndSaysWhy(t *testing.T) {
	p := program(t, "power_response")
	p.Rate = 1_000_000
	s := Settle(p, "home", 9, 42, Result{}, apperr.Invalidf("dr.Compute", "no baseline: found 2 eligible days"), false)
	if s.Status != NoBaseline || s.Amount != 0 || s.Reason != "no baseline: found 2 eligible days" {
		t.Errorf("no baseline: %+v", s)
	}
	s = Settle(p, "home", 9, 42, result([2]energy.Wh{1100, 700}, [2]energy.Wh{1100, meterdata.Missing}), nil, false)
	if s.Status != MissingData || s.Amount != 0 || s.Reason != "1 of 2 event intervals have no reading" {
		t.Errorf("missing data: %+v", s)
	}
	s = Settle(p, "home", 9, 42, Result{}, errors.New("disk on fire"), false)
	if s.Reason != "internal error" {
		t.Errorf("internal causes stay hidden: %q", s.Reason)
	}
}

// CPA Smart Home: ecobee or Nest thermostat $85 on enrollment and $40
// each year after; a leap-day enrollment's anniversaries fall on 1 March.
func TestThermostatIncentivesAreEnrollmentThenAnnual(t *testing.T) {
	p := program(t, "power_response")
	d := Device{ID: 5, AccountID: 42, Program: p.Code, Type: "thermostat", Brand: "Ecobee", Enrolled: day(2024, 2, 29)}
	got := IncentivesDue(p, d, day(2026, 6, 1))
	want := []Payment{
		{Key: "dr:power_response:device:5:enrollment", Kind: "enrollment", Due: day(2024, 2, 29), Amount: 8500},
		{Key: "dr:power_response:device:5:annual:1", Kind: "annual", Due: day(2025, 3, 1), Amount: 4000},
		{Key: "dr:power_response:device:5:annual:2", Kind: "annual", Due: day(2026, 3, 1), Amount: 4000},
	}
	if len(got) != len(want) {
		t.Fatalf("payments %+v", got)
	}
	for i, w := range want {
		g := got[i]
		if g.Key != w.Key || g.Kind != w.Kind || g.Due != w.Due || g.Amount != w.Amount || g.PaidAs != "budget" {
			t.Errorf("payment %d = %+v, want %+v", i, g, w)
		}
	}
	d.Removed = day(2026, 1, 1)
	if n := len(IncentivesDue(p, d, day(2026, 6, 1))); n != 2 {
		t.Errorf("removed before the second anniversary: %d payments, want 2", n)
	}
	d.Brand = "honeywell"
	if n := len(IncentivesDue(p, d, day(2026, 6, 1))); n != 0 {
		t.Errorf("a brand the program does not list earns nothing, got %d payments", n)
	}
}

// SCE Energy Day (seed 003): $75 bill credit, +$50 for SoCalGas
// customers, up to $125.
func TestEnergyDayThermostatCreditAddsSoCalGas(t *testing.T) {
	p := program(t, "energy_day")
	d := Device{ID: 1, Type: "thermostat", Enrolled: day(2026, 5, 1)}
	if got := IncentivesDue(p, d, day(2026, 5, 1)); len(got) != 1 || got[0].Amount != 7500 || got[0].PaidAs != "bill_credit" {
		t.Errorf("Energy Day: %+v, want one $75 bill credit", got)
	}
	d.Extras = []string{"socalgas"}
	if got := IncentivesDue(p, d, day(2027, 6, 1)); len(got) != 1 || got[0].Amount != 12500 {
		t.Errorf("Energy Day with SoCalGas: %+v, want one $125 credit", got)
	}
}

// Two batteries, 2-hour event. A: 13.5 kWh full, 5 kW, 20% reserve:
// 10.8 kWh over 2 h is 5.4 kW, so its 5 kW rating binds. B: 6 kWh stored
// of 10, 30% reserve: 3 kWh over 2 h is 1.5 kW, the reserve binds. The
// fleet can give 6.5 kW; a 4 kW target scales both by 4/6.5: 3,076.9 and
// 923.07 W, rounded down, the 1 W left to the larger.
func TestBatteryDispatchRespectsEachSiteReserve(t *testing.T) {
	bs := []Battery{
		{DeviceID: 1, CapacityWh: 13500, MaxW: 5000, StoredWh: 13500, ReservePct: 20},
		{DeviceID: 2, CapacityWh: 10000, MaxW: 5000, StoredWh: 6000, ReservePct: 30},
	}
	out, total, err := DispatchFleet(bs, 10000, 2*time.Hour)
	if err != nil || total != 6500 || out[0].W != 5000 || out[0].Limit != "power" || out[1].W != 1500 || out[1].Limit != "reserve" || out[1].Wh != 3000 {
		t.Errorf("short fleet: %v %d %+v", err, total, out)
	}
	out, total, err = DispatchFleet(bs, 4000, 2*time.Hour)
	if err != nil || total != 4000 || out[0].W != 3077 || out[1].W != 923 || out[0].Wh != 6154 || out[1].Wh != 1846 {
		t.Errorf("scaled fleet: %v %d %+v", err, total, out)
	}
	// A battery at or below its reserve gives nothing.
	out, _, _ = DispatchFleet([]Battery{{DeviceID: 3, CapacityWh: 10000, MaxW: 5000, StoredWh: 2000, ReservePct: 20}}, 1000, time.Hour)
	if out[0].W != 0 {
		t.Errorf("at reserve: %+v", out)
	}
	if _, _, err := DispatchFleet(bs, 1000, 0); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("zero duration: %v", err)
	}
}

func TestReportCountsBothFlooredAndPortfolioReductions(t *testing.T) {
	p := program(t, "power_response")
	parts := []Participant{
		{AccountID: 1, Track: "smart_home", Class: customer.Residential, IncomeQualified: true, DAC: true},
		{AccountID: 2, Track: "home", Class: customer.Residential, DAC: true},
		{AccountID: 3, Track: "home", Class: customer.Residential},
		{AccountID: 4, Track: "commercial_leaders", Class: customer.Commercial, DAC: true},
	}
	events := []Event{{Status: Completed}, {Status: Completed}, {Status: Cancelled}, {Status: Scheduled}}
	ss := []Settlement{
		{Status: Settled, DeltaWh: 700, ReductionWh: 700, Amount: 0},
		{Status: Settled, DeltaWh: -200, ReductionWh: 0},
		{Status: NoBaseline},
	}
	r := Report(p, parts, events, ss)
	if r.Households != 3 || r.Businesses != 1 || r.HouseholdsIQOrDAC != 2 || r.IncomeQualified != 1 || r.DAC != 3 {
		t.Errorf("participants %+v", r)
	}
	if r.EventsHeld != 2 || r.EventsCancelled != 1 || r.ReducedWh != 700 || r.PortfolioDeltaWh != 500 || r.Unsettled != 1 {
		t.Errorf("events and energy %+v", r)
	}
	if r.ByTrack[0].Track != "home" || r.ByTrack[0].Count != 2 {
		t.Errorf("by track %+v", r.ByTrack)
	}
}
