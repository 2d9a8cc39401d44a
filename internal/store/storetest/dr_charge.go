package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
)

// testDRBatteryChargeLatest: a battery's charge readings (one replaced
// at the same time), a thermostat's serial and an unknown serial refused
// as no battery, an out-of-range reading refused naming the field; the
// latest reading per battery of the program is the newest by reading
// time, not by when it was recorded.
func testDRBatteryChargeLatest(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	_, _, a, _ := seed(t, db)
	var bat dr.Device
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		bat = dr.Device{AccountID: a.ID, Program: "battery_vpp", Type: "battery", Serial: "PW-1", CapacityWh: 13500, MaxW: 5000, Enrolled: day(2025, 5, 1)}
		if err := tx.RegisterDevice(ctx, staff, &bat); err != nil {
			return err
		}
		th := dr.Device{AccountID: a.ID, Program: "power_response", Type: "thermostat", Serial: "ECO-1", Enrolled: day(2025, 5, 1)}
		return tx.RegisterDevice(ctx, staff, &th)
	})
	at := t0.Add(-time.Hour)
	for _, r := range []struct {
		at       time.Time
		permille int
	}{{at, 400}, {at.Add(30 * time.Minute), 700}, {at, 450}} {
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			return tx.RecordCharge(ctx, "PW-1", r.at, r.permille, "test")
		})
	}
	for _, s := range []string{"ECO-1", "NOPE"} {
		wantErr(t, "charge of "+s, txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.RecordCharge(ctx, s, at, 500, "test") }), apperr.NotFound, "")
	}
	wantErr(t, "charge 1001‰", txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.RecordCharge(ctx, "PW-1", at, 1001, "test") }), apperr.Invalid, "charge")
	got, err := db.LatestCharges(ctx, "battery_vpp")
	if err != nil {
		t.Fatal(err)
	}
	if r := got[bat.ID]; len(got) != 1 || r.Permille != 700 || !r.At.Equal(at.Add(30*time.Minute)) {
		t.Errorf("latest charges %v, want PW-1 at 700‰ half an hour after the first reading", got)
	}
}
