package storetest

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/evcharge"
	"github.com/gridbook/gridbook/internal/store"
)

// twoHandles opens two handles on one fresh database of db's dialect (a
// file for SQLite, a scratch database for PostgreSQL), as two server
// processes would, both with the clock at t0.
func twoHandles(t *testing.T, db *store.DB, name string) [2]*store.DB {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), name+".db")
	if db.Dialect() == store.Postgres {
		dsn = ScratchPostgres(t)
	}
	var dbs [2]*store.DB
	for i := range dbs {
		var err error
		if dbs[i], err = store.Open(context.Background(), dsn); err != nil {
			t.Fatal(err)
		}
		setClock(dbs[i], t0)
		t.Cleanup(func() { dbs[i].Close() })
	}
	return dbs
}

// evVehicleWithPlans enrolls vehicle EV-O at charge point CP-O with n
// plans: the first departed before t0 (16:00 UTC on 15 June 2026), the
// others departing after it.
func evVehicleWithPlans(t *testing.T, db *store.DB, n int) (evcharge.Vehicle, []store.EVPlanRecord) {
	t.Helper()
	_, _, a, _ := seed(t, db)
	v := evcharge.Vehicle{AccountID: a.ID, Name: "EV-O", BatteryWh: 60000, MaxW: 7200, Charger: "CP-O", Enrolled: day(2026, 6, 1)}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.EnrollVehicle(ctx, staff, &v) })
	var ps []store.EVPlanRecord
	for i := range n {
		plug := t0.Add(-24 * time.Hour)
		if i > 0 {
			plug = t0.Add(time.Duration(i) * time.Hour)
		}
		p := store.EVPlanRecord{VehicleID: v.ID, PlugIn: plug, Departure: plug.Add(10 * time.Hour), NeedWh: 7200, Source: "test",
			Plan: evcharge.Plan{Objective: evcharge.LeastCost, EnergyWh: 7200, Slots: []evcharge.Slot{{Start: plug, End: plug.Add(time.Hour), W: 7200, EnergyWh: 7200}}}}
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.SaveEVPlan(ctx, staff, &p) })
		ps = append(ps, p)
	}
	return v, ps
}

// testEVPlanSendsClaimedOnce claims each of two plans on both channels
// from ten goroutines over two handles: exactly one claim of each plan
// and channel wins. A watch starting at t0 starts just before the first
// plan not departed (the second stored).
func testEVPlanSendsClaimedOnce(t *testing.T, db *store.DB) {
	ctx := context.Background()
	dbs := twoHandles(t, db, "sends")
	_, ps := evVehicleWithPlans(t, dbs[0], 3)
	if start, err := dbs[1].EVPlanWatchStart(ctx); err != nil || start != ps[0].ID {
		t.Errorf("watch start %d, %v; want %d (just before plan %d)", start, err, ps[0].ID, ps[1].ID)
	}
	for _, p := range ps[1:] {
		for _, ch := range []string{"openadr", "ocpp"} {
			var mu sync.Mutex
			var wg sync.WaitGroup
			won := 0
			for i := range 10 {
				wg.Go(func() {
					ok, err := dbs[i%2].ClaimEVPlanSend(ctx, p.ID, ch)
					if err != nil {
						t.Error(err)
					}
					if ok {
						mu.Lock()
						won++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if won != 1 {
				t.Errorf("plan %d on %s: %d claims won, want 1", p.ID, ch, won)
			}
		}
	}
	if _, err := dbs[0].ClaimEVPlanSend(ctx, ps[1].ID, "fax"); err == nil {
		t.Error("a claim on an unknown channel was stored")
	}
}

// testOCPPTransactionsDurable registers charge point CP-O (its password
// checks, a wrong one and an unknown identity do not, a second
// registration is a Conflict unless reset), starts a transaction through
// one handle (register 1,000 Wh), adds a reading and stops it through the
// other (15,000 Wh): the transaction comes back with its vehicle and both
// readings, is stopped once, and a second start gets another id.
func testOCPPTransactionsDurable(t *testing.T, db *store.DB) {
	ctx := context.Background()
	dbs := twoHandles(t, db, "ocpp")
	v, _ := evVehicleWithPlans(t, dbs[0], 0)
	var secret string
	inTx(t, dbs[0], func(ctx context.Context, tx *store.Tx) (err error) {
		secret, err = tx.RegisterCharger(ctx, staff, "CP-O", 0, false)
		return err
	})
	for _, c := range []struct {
		id, pass string
		ok       bool
	}{{"CP-O", secret, true}, {"CP-O", secret + "x", false}, {"CP-X", secret, false}} {
		if ok, err := dbs[1].ChargerAuth(ctx, c.id, c.pass); ok != c.ok || err != nil {
			t.Errorf("ChargerAuth(%s) = %v, %v; want %v", c.id, ok, err, c.ok)
		}
	}
	err := dbs[1].InTx(ctx, func(tx *store.Tx) error { _, err := tx.RegisterCharger(ctx, staff, "CP-O", 0, false); return err })
	if !apperr.Is(err, apperr.Conflict) {
		t.Errorf("second registration: %v, want Conflict", err)
	}
	var reset string
	inTx(t, dbs[1], func(ctx context.Context, tx *store.Tx) (err error) {
		reset, err = tx.RegisterCharger(ctx, staff, "CP-O", v.ID, true)
		return err
	})
	if ok, _ := dbs[0].ChargerAuth(ctx, "CP-O", secret); ok || reset == secret {
		t.Error("the old password still checks after a reset")
	}
	if ok, _ := dbs[0].ChargerAuth(ctx, "CP-O", reset); !ok {
		t.Error("the new password does not check")
	}

	start := time.Date(2026, 6, 16, 4, 0, 0, 0, time.UTC)
	tr := store.OCPPTransaction{Charger: "CP-O", Connector: 2, IDTag: "TAG1", VehicleID: v.ID, Start: start, MeterWh: 1000}
	inTx(t, dbs[0], func(ctx context.Context, tx *store.Tx) error { return tx.StartOCPPTransaction(ctx, &tr) })
	inTx(t, dbs[1], func(ctx context.Context, tx *store.Tx) error {
		return tx.AddOCPPReadings(ctx, tr.ID, []evcharge.MeterReading{{At: start.Add(time.Hour), Wh: 8200}})
	})
	open, err := dbs[1].OpenOCPPTransaction(ctx, "CP-O")
	if err != nil || open.ID != tr.ID || open.Connector != 2 || open.VehicleID != v.ID || open.IDTag != "TAG1" || len(open.Readings) != 2 ||
		open.Readings[0] != (evcharge.MeterReading{At: start, Wh: 1000}) || open.Readings[1] != (evcharge.MeterReading{At: start.Add(time.Hour), Wh: 8200}) {
		t.Errorf("open transaction %+v, %v", open, err)
	}
	for i, want := range []bool{true, false} {
		var closed bool
		inTx(t, dbs[i], func(ctx context.Context, tx *store.Tx) (err error) {
			_, closed, err = tx.StopOCPPTransaction(ctx, tr.ID, start.Add(2*time.Hour), 15000)
			return err
		})
		if closed != want {
			t.Errorf("stop %d closed = %v, want %v", i+1, closed, want)
		}
	}
	if _, err := dbs[0].OpenOCPPTransaction(ctx, "CP-O"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("open after stop: %v, want NotFound", err)
	}
	err = dbs[0].InTx(ctx, func(tx *store.Tx) error {
		return tx.AddOCPPReadings(ctx, tr.ID, []evcharge.MeterReading{{At: start.Add(3 * time.Hour), Wh: 16000}})
	})
	if !apperr.Is(err, apperr.NotFound) {
		t.Errorf("reading after stop: %v, want NotFound", err)
	}
	err = dbs[0].InTx(ctx, func(tx *store.Tx) error { _, _, err := tx.StopOCPPTransaction(ctx, 999999, start, 0); return err })
	if !apperr.Is(err, apperr.NotFound) {
		t.Errorf("stop of an unknown transaction: %v, want NotFound", err)
	}
	second := store.OCPPTransaction{Charger: "CP-O", Connector: 1, Start: start.Add(5 * time.Hour), MeterWh: 15000}
	inTx(t, dbs[1], func(ctx context.Context, tx *store.Tx) error { return tx.StartOCPPTransaction(ctx, &second) })
	if second.ID == tr.ID || second.ID <= 0 {
		t.Errorf("second transaction id %d (first %d)", second.ID, tr.ID)
	}
}
