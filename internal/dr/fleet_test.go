package dr

import (
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/energy"
)

// Three home batteries of 13.5 kWh and 5 kW (a common home battery's
// rating; the program publishes none) on a 3-hour evening event, full at
// the start. Two keep the program's 20% reserve (10.8 kWh available,
// 3.6 kW over three hours), one keeps 50% (6.75 kWh, 2.25 kW); a removed
// battery and a thermostat are not dispatched. Asked for 10 kW the fleet
// gives all it has, 9.45 kW, each held by its reserve.
func TestFleetDispatchKeepsEachSiteReserve(t *testing.T) {
	p := program(t, "battery_vpp")
	e := Event{ID: 4, Program: p.Code, Status: Scheduled, Start: time.Date(2026, 8, 20, 23, 0, 0, 0, time.UTC), End: time.Date(2026, 8, 21, 2, 0, 0, 0, time.UTC)}
	bat := func(id int64, reserve int) Device {
		return Device{ID: id, Program: p.Code, Type: "battery", CapacityWh: 13500, MaxW: 5000, ReservePct: reserve, Enrolled: day(2026, 1, 15)}
	}
	removed := bat(9, 0)
	removed.Removed = day(2026, 8, 1)
	devs := []Device{bat(1, 0), bat(2, 0), bat(3, 50), removed, {ID: 10, Program: p.Code, Type: "thermostat", Enrolled: day(2026, 1, 1)}}
	plan, err := PlanFleet(p, e, devs, 10000, DefaultSOCPct)
	if err != nil {
		t.Fatal(err)
	}
	if plan.FleetW != 9450 || len(plan.Dispatches) != 3 {
		t.Fatalf("plan %+v; want 9,450 W from three batteries", plan)
	}
	for i, want := range []Dispatch{{1, 3600, 10800, "reserve"}, {2, 3600, 10800, "reserve"}, {3, 2250, 6750, "reserve"}} {
		if plan.Dispatches[i] != want {
			t.Errorf("dispatch %d %+v, want %+v", i, plan.Dispatches[i], want)
		}
	}
	// Half charged, the 20% batteries have 4.05 kWh above the reserve
	// (1.35 kW over three hours) and the 50% one nothing.
	half, _ := PlanFleet(p, e, devs, 10000, 50)
	if half.FleetW != 2700 || half.Dispatches[2].W != 0 {
		t.Errorf("half charged %+v; want 2,700 W", half)
	}
}

func TestFleetDispatchRefusesWhatCannotBeDispatched(t *testing.T) {
	p := program(t, "battery_vpp")
	e := Event{ID: 4, Program: p.Code, Status: Completed, Start: time.Date(2026, 8, 20, 23, 0, 0, 0, time.UTC), End: time.Date(2026, 8, 21, 2, 0, 0, 0, time.UTC)}
	devs := []Device{{ID: 1, Program: p.Code, Type: "battery", CapacityWh: 13500, MaxW: 5000, Enrolled: day(2026, 1, 15)}}
	if _, err := PlanFleet(p, e, devs, 1000, 100); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("completed event: %v", err)
	}
	e.Status = Scheduled
	if _, err := PlanFleet(p, e, devs, 0, 100); !apperr.Is(err, apperr.Invalid) || apperr.FieldsOf(err)[0].Field != "target_kw" {
		t.Errorf("zero target: %v", err)
	}
	if _, err := PlanFleet(p, e, devs, 1000, 120); !apperr.Is(err, apperr.Invalid) || apperr.FieldsOf(err)[0].Field != "soc_pct" {
		t.Errorf("120%% charged: %v", err)
	}
	if _, err := PlanFleet(program(t, "pmp"), e, devs, 1000, 100); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("PMP is no fleet: %v", err)
	}
	if _, err := PlanFleet(p, e, nil, 1000, 100); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("no batteries: %v", err)
	}
}

// Dispatched 10.8, 10.8 and 6.75 kWh; the first reported 10.0 kWh, the
// third all of its 6.75, the second nothing: 16.75 of the 17.55 kWh
// dispatched to the batteries that reported is 954‰ (rounded down), and
// one battery is unreported rather than counted as a shortfall.
func TestCompareDeliveryCountsOnlyWhatWasReported(t *testing.T) {
	ds := []Dispatch{{DeviceID: 1, Wh: 10800}, {DeviceID: 2, Wh: 10800}, {DeviceID: 3, Wh: 6750}}
	rows, sum := CompareDelivery(ds, map[int64]energy.Wh{1: 10000, 3: 6750})
	want := DeliverySummary{Batteries: 3, Reported: 2, Unreported: 1, DispatchedWh: 28350, DeliveredWh: 16750, ReportedWh: 17550, SharePermille: 954}
	if sum != want {
		t.Errorf("summary %+v, want %+v", sum, want)
	}
	if rows[1].Reported || rows[1].DeliveredWh != 0 || !rows[2].Reported || rows[2].DeliveredWh != 6750 {
		t.Errorf("rows %+v", rows)
	}
}
