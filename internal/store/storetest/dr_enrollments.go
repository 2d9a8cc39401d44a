package storetest

import (
	"context"
	"testing"

	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
)

// testDREnrollmentsListsProgramsWithDevices enrolls an account in Power
// Response and Peak Management Pricing with two thermostats registered to
// Power Response and one light switch to another program, and lists the
// enrollments: both programs, the device counts per program (2 and 0), the
// program filter, the limit and the cursor.
func testDREnrollmentsListsProgramsWithDevices(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	_, _, a, _ := seed(t, db)
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		for _, e := range []customer.Enrollment{
			{AccountID: a.ID, Program: "power_response", Track: "home", From: day(2024, 6, 1), Source: "staff"},
			{AccountID: a.ID, Program: "pmp", From: day(2025, 1, 1), To: day(2026, 1, 1), Source: "staff"},
		} {
			if err := tx.Enroll(ctx, staff, &e); err != nil {
				return err
			}
		}
		for _, d := range []dr.Device{
			{AccountID: a.ID, Program: "power_response", Type: "thermostat", Serial: "ECO-1", Enrolled: day(2024, 6, 1)},
			{AccountID: a.ID, Program: "power_response", Type: "thermostat", Serial: "ECO-2", Enrolled: day(2024, 6, 1)},
			{AccountID: a.ID, Program: "smart_light_switch", Type: "light_switch", Serial: "FLICK-1", Enrolled: day(2024, 6, 1)},
		} {
			if err := tx.RegisterDevice(ctx, staff, &d); err != nil {
				return err
			}
		}
		return nil
	})
	progs := []string{"power_response", "pmp"}
	all, err := db.DREnrollments(ctx, store.DREnrollmentFilter{Programs: progs})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[0].Program != "power_response" || all[0].Devices != 2 || all[0].Track != "home" ||
		all[1].Program != "pmp" || all[1].Devices != 0 || all[1].To != day(2026, 1, 1) || !all[0].To.IsZero() {
		t.Fatalf("enrollments %+v", all)
	}
	if got, _ := db.DREnrollments(ctx, store.DREnrollmentFilter{Programs: progs, Program: "pmp"}); len(got) != 1 || got[0].Program != "pmp" {
		t.Errorf("pmp only: %+v", got)
	}
	if got, _ := db.DREnrollments(ctx, store.DREnrollmentFilter{Programs: progs, Limit: 1}); len(got) != 1 || got[0].ID != all[0].ID {
		t.Errorf("limit 1: %+v", got)
	}
	if got, _ := db.DREnrollments(ctx, store.DREnrollmentFilter{Programs: progs, AfterID: all[0].ID}); len(got) != 1 || got[0].ID != all[1].ID {
		t.Errorf("after the first: %+v", got)
	}
	if got, _ := db.DREnrollments(ctx, store.DREnrollmentFilter{Programs: []string{"care"}}); len(got) != 0 {
		t.Errorf("no CARE enrollment: %+v", got)
	}
}
