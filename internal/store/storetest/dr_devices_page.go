package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
)

// testDRDevicesPagedAndCounted: five switches and a thermostat; the
// switches read two at a time after a cursor come in id order, and
// DeviceCounts counts five switches (six devices in all) of which the
// two touched were heard from.
func testDRDevicesPagedAndCounted(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	_, _, a, _ := seed(t, db)
	var ids []int64
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		th := dr.Device{AccountID: a.ID, Program: "power_response", Type: "thermostat", Serial: "ECO-1", Enrolled: day(2025, 5, 1)}
		if err := tx.RegisterDevice(ctx, staff, &th); err != nil {
			return err
		}
		for i := 1; i <= 5; i++ {
			d := dr.Device{AccountID: a.ID, Program: "smart_light_switch", Type: "light_switch", Serial: fmt.Sprintf("SW-%d", i), Enrolled: day(2025, 5, 1)}
			if err := tx.RegisterDevice(ctx, staff, &d); err != nil {
				return err
			}
			ids = append(ids, d.ID)
		}
		for _, s := range []string{"SW-2", "SW-5"} {
			if err := tx.TouchDevice(ctx, "light_switch", s); err != nil {
				return err
			}
		}
		return nil
	})
	ds, err := db.Devices(ctx, store.DeviceFilter{Type: "light_switch", AfterID: ids[1], Limit: 2})
	if err != nil || len(ds) != 2 || ds[0].Serial != "SW-3" || ds[1].Serial != "SW-4" {
		t.Errorf("switches after SW-2, two: %+v %v, want SW-3 and SW-4", ds, err)
	}
	for _, c := range []struct {
		typ         string
		total, seen int
	}{{"light_switch", 5, 2}, {"", 6, 2}, {"battery", 0, 0}} {
		if total, seen, err := db.DeviceCounts(ctx, c.typ); err != nil || total != c.total || seen != c.seen {
			t.Errorf("DeviceCounts(%q) = %d, %d, %v; want %d, %d", c.typ, total, seen, err, c.total, c.seen)
		}
	}
}
