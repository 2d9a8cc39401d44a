package dr

import (
	"testing"
	"time"
)

// Four 13.5 kWh, 5 kW batteries keeping the program's 20% reserve
// (2.7 kWh) on a 3-hour event, dispatched an hour before it with the
// dispatch's assumed charge 100%. Their reported charge, at most the
// program's 60 minutes old (programs.json battery_vpp):
//   - 60% half an hour ago: 8.1 kWh, 5.4 kWh above the reserve → 1.8 kW,
//     5.4 kWh;
//   - 30% two hours ago: too old, so 100% → 10.8 kWh → 3.6 kW;
//   - 15% five minutes ago: 2.025 kWh, below the reserve → nothing;
//   - 90% stamped after the dispatch: not taken, so 100% → 3.6 kW.
//
// Asked for 20 kW the fleet gives 9 kW. With readings allowed three hours
// old the second battery's 30% (4.05 kWh, 1.35 kWh above the reserve)
// gives 0.45 kW.
func TestFleetDispatchUsesEachSiteReportedCharge(t *testing.T) {
	p := program(t, "battery_vpp")
	if p.ChargeMaxAgeMinutes != 60 {
		t.Fatalf("battery_vpp charge_max_age_minutes = %d, want 60", p.ChargeMaxAgeMinutes)
	}
	now := time.Date(2026, 8, 20, 22, 0, 0, 0, time.UTC)
	e := Event{ID: 4, Program: p.Code, Status: Scheduled, Start: now.Add(time.Hour), End: now.Add(4 * time.Hour)}
	var devs []Device
	for id := int64(1); id <= 4; id++ {
		devs = append(devs, Device{ID: id, Program: p.Code, Type: "battery", CapacityWh: 13500, MaxW: 5000, Enrolled: day(2026, 1, 15)})
	}
	latest := map[int64]ChargeReading{
		1: {600, now.Add(-30 * time.Minute)},
		2: {300, now.Add(-2 * time.Hour)},
		3: {150, now.Add(-5 * time.Minute)},
		4: {900, now.Add(time.Minute)},
	}
	c := Charges{Latest: latest, Now: now, MaxAge: time.Duration(p.ChargeMaxAgeMinutes) * time.Minute}
	plan, err := PlanChargedFleet(p, e, devs, 20000, 100, c)
	if err != nil {
		t.Fatal(err)
	}
	if plan.FleetW != 9000 || plan.SOCPct != 100 {
		t.Errorf("fleet %d W at %d%%, want 9,000 W, 100%% assumed", plan.FleetW, plan.SOCPct)
	}
	for i, want := range []Dispatch{{1, 1800, 5400, "reserve"}, {2, 3600, 10800, "reserve"}, {3, 0, 0, "reserve"}, {4, 3600, 10800, "reserve"}} {
		if plan.Dispatches[i] != want {
			t.Errorf("battery %d: %+v, want %+v", i+1, plan.Dispatches[i], want)
		}
	}
	// Beside each share, the charge it was planned with: the readings
	// used as reported (60% at 21:30 UTC, 15% at 21:55 UTC), the
	// setting's 100% for the too-old and the future reading.
	for i, want := range []DispatchCharge{
		{1, 600, "reported", time.Date(2026, 8, 20, 21, 30, 0, 0, time.UTC)},
		{2, 1000, "setting", time.Time{}},
		{3, 150, "reported", time.Date(2026, 8, 20, 21, 55, 0, 0, time.UTC)},
		{4, 1000, "setting", time.Time{}},
	} {
		if i >= len(plan.Charges) || plan.Charges[i] != want {
			t.Errorf("battery %d's charge: %+v, want %+v", i+1, plan.Charges, want)
		}
	}
	c.MaxAge = 3 * time.Hour
	plan, _ = PlanChargedFleet(p, e, devs, 20000, 100, c)
	if got := plan.Charges[1]; got.Permille != 300 || got.Source != "reported" || !got.At.Equal(time.Date(2026, 8, 20, 20, 0, 0, 0, time.UTC)) {
		t.Errorf("30%% three hours allowed: charge %+v, want 300‰ reported at 20:00 UTC", got)
	}
	if d := plan.Dispatches[1]; d.W != 450 || d.Wh != 1350 {
		t.Errorf("30%% three hours allowed: %+v, want 450 W, 1,350 Wh", d)
	}
}
