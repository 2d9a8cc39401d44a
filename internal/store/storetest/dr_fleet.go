package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/store"
)

// testDRFleetDispatchOnce dispatches a battery_vpp event to two enrolled
// batteries and checks the stored plan, that the same dispatch again
// stores nothing, that another target is refused naming the first, and
// the reads (plan, dispatches, plan list, VEN reports by dispatch id).
//
// The figures are worked by hand from the program's rule (seed 000:
// each site keeps a reserved share; battery_vpp's default is 20%):
//
//	A: 13.5 kWh, 5 kW, site reserve unset → 20%: 13,500 − 2,700 =
//	   10,800 Wh above the reserve, 5,400 W over the 2-hour event, so its
//	   5 kW rating holds it: 5,000 W.
//	B: 10 kWh, 5 kW, site reserve 50%: 10,000 − 5,000 = 5,000 Wh,
//	   2,500 W over 2 hours.
//
// The fleet can give 7,500 W; a 6 kW target scales both by 6/7.5:
// A 4,000 W (8,000 Wh), B 2,000 W (4,000 Wh). A Power Response battery
// and a removed battery_vpp battery are not dispatched.
func testDRFleetDispatchOnce(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0) // 2026-06-15 09:00 Pacific
	_, _, a, _ := seed(t, db)
	devs := []dr.Device{
		{AccountID: a.ID, Program: "battery_vpp", Type: "battery", Brand: "tesla", Serial: "PW-A", Enrolled: day(2026, 5, 1), CapacityWh: 13500, MaxW: 5000},
		{AccountID: a.ID, Program: "battery_vpp", Type: "battery", Brand: "enphase", Serial: "EN-B", Enrolled: day(2026, 5, 1), CapacityWh: 10000, MaxW: 5000, ReservePct: 50},
		{AccountID: a.ID, Program: "power_response", Type: "battery", Brand: "sunnova", Serial: "SN-C", Enrolled: day(2026, 5, 1), CapacityWh: 10000, MaxW: 5000},
		{AccountID: a.ID, Program: "battery_vpp", Type: "battery", Brand: "tesla", Serial: "PW-GONE", Enrolled: day(2026, 5, 1), Removed: day(2026, 6, 1), CapacityWh: 13500, MaxW: 5000},
	}
	for i := range devs {
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.RegisterDevice(ctx, staff, &devs[i]) })
	}
	vpp := drProgram(t, "battery_vpp")
	e, err := schedule(db, vpp, day(2026, 6, 17), 17, 19, t0)
	if err != nil {
		t.Fatal(err)
	}
	dispatch := func(p dr.Program, id int64, kw energy.W, soc int) (store.FleetRecord, bool, error) {
		var rec store.FleetRecord
		var saved bool
		err := txErr(db, func(ctx context.Context, tx *store.Tx) error {
			var err error
			rec, saved, err = tx.DispatchFleet(ctx, staff, p, id, kw, soc)
			return err
		})
		return rec, saved, err
	}
	rec, saved, err := dispatch(vpp, e.ID, 6000, 100)
	if err != nil || !saved {
		t.Fatalf("dispatch: saved %v, %v", saved, err)
	}
	check := func(what string, r store.FleetRecord) {
		t.Helper()
		if r.EventID != e.ID || r.TargetW != 6000 || r.FleetW != 6000 || r.SOCPct != 100 || r.Batteries != 2 || r.Actor != staff.String() || !r.Created.Equal(t0) {
			t.Errorf("%s: plan %+v, want 6 kW of 6 kW from 2 batteries at 100%% by %s at %s", what, r, staff, t0)
		}
		want := []store.DispatchRecord{
			{Dispatch: dr.Dispatch{DeviceID: devs[0].ID, W: 4000, Wh: 8000, Limit: "target"}, EventID: e.ID, AccountID: a.ID, Serial: "PW-A"},
			{Dispatch: dr.Dispatch{DeviceID: devs[1].ID, W: 2000, Wh: 4000, Limit: "target"}, EventID: e.ID, AccountID: a.ID, Serial: "EN-B"},
		}
		// No battery reported its charge: each share was planned with the
		// dispatch's 100% setting, 1,000 thousandths.
		for i := range r.Dispatches {
			if c := r.Dispatches[i].Charge; c == nil || *c != (dr.DispatchCharge{DeviceID: want[i].DeviceID, Permille: 1000, Source: "setting"}) {
				t.Errorf("%s: battery %d's charge %+v, want 1000‰ from the setting", what, i, c)
			}
			r.Dispatches[i].Charge = nil
		}
		if len(r.Dispatches) != 2 || r.Dispatches[0] != want[0] || r.Dispatches[1] != want[1] {
			t.Errorf("%s: dispatches %+v, want %+v", what, r.Dispatches, want)
		}
		if len(r.FleetPlan.Dispatches) != 2 || r.FleetPlan.Dispatches[0] != want[0].Dispatch || r.FleetPlan.Dispatches[1] != want[1].Dispatch {
			t.Errorf("%s: plan dispatches %+v", what, r.FleetPlan.Dispatches)
		}
	}
	check("dispatched", rec)
	audits := countRows(t, db, "audit_log")
	again, saved, err := dispatch(vpp, e.ID, 6000, 100)
	if err != nil || saved {
		t.Fatalf("same dispatch again: saved %v, %v; want the stored plan", saved, err)
	}
	check("again", again)
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		saved, err := tx.SaveFleetPlan(ctx, staff, rec.FleetPlan)
		if saved {
			t.Errorf("SaveFleetPlan of the stored plan saved it again")
		}
		return err
	})
	_, _, err = dispatch(vpp, e.ID, 7000, 100)
	wantErr(t, "another target", err, apperr.Conflict, "")
	if n := countRows(t, db, "dr_fleet_dispatches"); n != 1 {
		t.Errorf("%d plans stored, want 1", n)
	}
	if n := countRows(t, db, "dr_dispatches"); n != 2 {
		t.Errorf("%d dispatches stored, want 2", n)
	}
	if n := countRows(t, db, "audit_log"); n != audits {
		t.Errorf("a repeated or refused dispatch wrote %d audit records", n-audits)
	}
	got, err := db.FleetPlanOf(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	check("FleetPlanOf", got)
	if all, err := db.Dispatches(ctx, 0); err != nil || len(all) != 2 {
		t.Errorf("Dispatches(0) = %d, %v; want 2", len(all), err)
	}
	list, err := db.FleetPlans(ctx, 0)
	if err != nil || len(list) != 1 || list[0].EventID != e.ID || list[0].Batteries != 2 || list[0].FleetW != 6000 {
		t.Errorf("FleetPlans = %+v, %v", list, err)
	}

	// Refusals store nothing: a program that is not storage, an event of
	// another program, an event never dispatched, a cancelled event.
	pmp := drProgram(t, "pmp")
	pe, err := schedule(db, pmp, day(2026, 6, 18), 16, 21, localAt(day(2026, 6, 17), 14))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = dispatch(pmp, pe.ID, 6000, 100)
	wantErr(t, "PMP event", err, apperr.Invalid, "")
	_, _, err = dispatch(vpp, pe.ID, 6000, 100)
	wantErr(t, "PMP event as battery_vpp", err, apperr.Invalid, "")
	_, err = db.FleetPlanOf(ctx, pe.ID)
	wantErr(t, "plan of an event not dispatched", err, apperr.NotFound, "")
	ce, err := schedule(db, vpp, day(2026, 6, 19), 17, 19, t0)
	if err != nil {
		t.Fatal(err)
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.MoveEvent(ctx, staff, ce.ID, dr.Cancelled, "cool evening")
		return err
	})
	_, _, err = dispatch(vpp, ce.ID, 6000, 100)
	wantErr(t, "cancelled event", err, apperr.Conflict, "")
	_, _, err = dispatch(vpp, e.ID+1000, 6000, 100)
	wantErr(t, "unknown event", err, apperr.NotFound, "")
	if n := countRows(t, db, "dr_fleet_dispatches"); n != 1 {
		t.Errorf("%d plans stored after refusals, want 1", n)
	}

	// VEN reports are found by their dispatch event id; another event's
	// report and a non-report object are not.
	put := func(id, kind, eventID string) {
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			return tx.PutOADRObject(ctx, staff, store.OADRObject{ID: id, Kind: kind, ClientID: "ven-client", EventID: eventID, Body: []byte(`{}`), Created: t0, Modified: t0})
		})
	}
	put("report-a", "REPORT", store.DispatchEventID(e.ID, devs[0].ID))
	put("report-other", "REPORT", store.DispatchEventID(e.ID+10, devs[0].ID))
	put("sub-a", "SUBSCRIPTION", store.DispatchEventID(e.ID, devs[1].ID))
	reps, err := db.DispatchReports(ctx, e.ID)
	if err != nil || len(reps) != 1 || reps[0].ID != "report-a" {
		t.Errorf("DispatchReports = %+v, %v; want report-a", reps, err)
	}
	if ev, dev, ok := store.ParseDispatchEventID(store.DispatchEventID(e.ID, devs[1].ID)); !ok || ev != e.ID || dev != devs[1].ID {
		t.Errorf("ParseDispatchEventID round trip = %d, %d, %v", ev, dev, ok)
	}
	for _, bad := range []string{"dispatch-1", "dispatch-01-2", "event-1-2", "dispatch-1-2x"} {
		if _, _, ok := store.ParseDispatchEventID(bad); ok {
			t.Errorf("ParseDispatchEventID(%q) accepted", bad)
		}
	}

	// Each share keeps the charge it was planned with. PW-A reported 60%
	// twenty minutes before the dispatch (15:40 UTC, within battery_vpp's
	// 60 minutes): 8,100 Wh, 5,400 Wh above its 20% reserve, 2,700 W over
	// the 2-hour event. EN-B reported nothing: the 100% setting, 5,000 Wh
	// above its 50% reserve, 2,500 W. The 6 kW target is not met.
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		return tx.RecordCharge(ctx, "PW-A", t0.Add(-20*time.Minute), 600, "test")
	})
	e2, err := schedule(db, vpp, day(2026, 6, 20), 17, 19, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := dispatch(vpp, e2.ID, 6000, 100); err != nil {
		t.Fatal(err)
	}
	got2, err := db.FleetPlanOf(ctx, e2.ID)
	if err != nil || len(got2.Dispatches) != 2 {
		t.Fatalf("plan with a reported charge: %+v, %v", got2, err)
	}
	for i, want := range []struct {
		w, wh int64
		c     dr.DispatchCharge
	}{
		{2700, 5400, dr.DispatchCharge{DeviceID: devs[0].ID, Permille: 600, Source: "reported", At: time.Date(2026, 6, 15, 15, 40, 0, 0, time.UTC)}},
		{2500, 5000, dr.DispatchCharge{DeviceID: devs[1].ID, Permille: 1000, Source: "setting"}},
	} {
		d := got2.Dispatches[i]
		if int64(d.W) != want.w || int64(d.Wh) != want.wh || d.Charge == nil || d.Charge.DeviceID != want.c.DeviceID ||
			d.Charge.Permille != want.c.Permille || d.Charge.Source != want.c.Source || !d.Charge.At.Equal(want.c.At) {
			t.Errorf("battery %d: %d W, %d Wh, charge %+v; want %d W, %d Wh, %+v", i, d.W, d.Wh, d.Charge, want.w, want.wh, want.c)
		}
	}
}
