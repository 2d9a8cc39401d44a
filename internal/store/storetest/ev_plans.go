package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/evcharge"
	"github.com/gridbook/gridbook/internal/store"
)

// testEVPlansAndChargers pages vehicles (by account and for a portal
// user's accounts), stores two plans of one vehicle (the second is the
// one in force; both are found after the first id), refuses a plan of an
// unknown vehicle and one departing before it plugs in, and records a
// charger's status keeping fields a later message leaves empty.
func testEVPlansAndChargers(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	_, _, a, _ := seed(t, db)
	var vs []evcharge.Vehicle
	for i, name := range []string{"EV-A", "EV-B", "EV-C"} {
		v := evcharge.Vehicle{AccountID: a.ID, Name: name, BatteryWh: 60000, MaxW: 7200, Charger: "level2", Enrolled: day(2026, 6, 1)}
		if i == 2 {
			v.Charger = "CP-9"
		}
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.EnrollVehicle(ctx, staff, &v) })
		vs = append(vs, v)
	}
	page, err := db.VehiclePage(ctx, store.VehicleFilter{AccountID: a.ID, After: vs[0].ID, Limit: 1})
	if err != nil || len(page) != 1 || page[0].Name != "EV-B" {
		t.Errorf("page after EV-A: %+v, %v", page, err)
	}
	if none, err := db.VehiclePage(ctx, store.VehicleFilter{IDs: []int64{}}); err != nil || len(none) != 0 {
		t.Errorf("portal user without accounts sees %+v, %v", none, err)
	}
	if mine, err := db.VehiclePage(ctx, store.VehicleFilter{IDs: []int64{a.ID}}); err != nil || len(mine) != 3 {
		t.Errorf("portal user sees %d vehicles, want 3 (%v)", len(mine), err)
	}
	if v, err := db.VehicleByCharger(ctx, "CP-9"); err != nil || v.Name != "EV-C" {
		t.Errorf("vehicle at CP-9: %+v, %v", v, err)
	}
	plug := time.Date(2026, 6, 16, 3, 0, 0, 0, time.UTC) // 20:00 PDT
	mk := func(wh int64) store.EVPlanRecord {
		return store.EVPlanRecord{VehicleID: vs[2].ID, PlugIn: plug, Departure: plug.Add(11 * time.Hour), NeedWh: 14000, Source: "tariff TOU-D-PRIME",
			Plan: evcharge.Plan{Objective: evcharge.LeastCost, EnergyWh: 14000, CostCents: 350,
				Slots: []evcharge.Slot{{Start: plug.Add(4 * time.Hour), End: plug.Add(4*time.Hour + time.Duration(wh)*time.Hour/7200), W: 7200, EnergyWh: 14000}}}}
	}
	first, second := mk(14000), mk(14000)
	second.NeedWh = 7000
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.SaveEVPlan(ctx, staff, &first) })
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.SaveEVPlan(ctx, staff, &second) })
	got, err := db.LatestEVPlan(ctx, vs[2].ID)
	if err != nil || got.ID != second.ID || got.NeedWh != 7000 || got.Vehicle != "EV-C" || got.Charger != "CP-9" || got.AccountID != a.ID ||
		len(got.Plan.Slots) != 1 || got.Plan.Slots[0].W != 7200 || !got.PlugIn.Equal(plug) || got.Plan.CostCents != 350 {
		t.Errorf("latest plan %+v, %v", got, err)
	}
	if after, err := db.EVPlansAfter(ctx, first.ID, 10); err != nil || len(after) != 1 || after[0].ID != second.ID {
		t.Errorf("plans after %d: %+v, %v", first.ID, after, err)
	}
	if cur, err := db.CurrentEVPlans(ctx, plug); err != nil || len(cur) != 1 || cur[0].ID != second.ID {
		t.Errorf("current plans %+v, %v", cur, err)
	}
	if cur, _ := db.CurrentEVPlans(ctx, plug.Add(11*time.Hour)); len(cur) != 0 {
		t.Errorf("plans departed are still current: %+v", cur)
	}
	if _, err := db.LatestEVPlan(ctx, vs[0].ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("vehicle without a plan: %v", err)
	}
	bad := mk(14000)
	bad.VehicleID = 9999
	wantErr(t, "unknown vehicle", txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.SaveEVPlan(ctx, staff, &bad) }), apperr.NotFound, "")
	bad = mk(14000)
	bad.Departure = plug
	wantErr(t, "departure at plug-in", txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.SaveEVPlan(ctx, staff, &bad) }), apperr.Invalid, "departure")

	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		return tx.RecordCharger(ctx, store.ChargerStatus{Identity: "CP-9", Status: "Connected", Vendor: "Acme", Model: "L2", LastSeen: t0})
	})
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		return tx.RecordCharger(ctx, store.ChargerStatus{Identity: "CP-9", Status: "Charging", TransactionID: 5, LastSeen: t0.Add(time.Minute)})
	})
	c, err := db.Charger(ctx, "CP-9")
	if err != nil || c.Status != "Charging" || c.Vendor != "Acme" || c.Model != "L2" || c.TransactionID != 5 || !c.LastSeen.Equal(t0.Add(time.Minute)) {
		t.Errorf("charger %+v, %v", c, err)
	}
	if _, err := db.Charger(ctx, "CP-404"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown charger: %v", err)
	}
}
