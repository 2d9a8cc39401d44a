package storetest

import (
	"context"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

// testEnrollments walks one account through the CARE/FERA rule (spec
// cca-programs.md, cross-cutting rules: "a customer is on at most one of
// them") with half-open [start, end) spans.
func testEnrollments(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	_, _, a, _ := seed(t, db)
	open := calendar.Date{}
	enroll := func(program string, from, to calendar.Date) (customer.Enrollment, error) {
		e := customer.Enrollment{AccountID: a.ID, Program: program, From: from, To: to, Source: "staff", Note: "test"}
		err := txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.Enroll(ctx, staff, &e) })
		return e, err
	}
	care, err := enroll(customer.ProgramCARE, day(2025, 1, 1), day(2025, 7, 1))
	if err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		name     string
		program  string
		from, to calendar.Date
		kind     apperr.Kind // Internal: no error
		field    string
	}{
		{"FERA overlapping CARE by one day", customer.ProgramFERA, day(2025, 6, 30), open, apperr.Invalid, "start_date"},
		{"FERA inside CARE", customer.ProgramFERA, day(2025, 2, 1), day(2025, 3, 1), apperr.Invalid, "start_date"},
		{"CARE again overlapping", customer.ProgramCARE, day(2025, 6, 1), day(2025, 8, 1), apperr.Conflict, ""},
		{"FERA ending the day CARE starts", customer.ProgramFERA, day(2024, 7, 1), day(2025, 1, 1), apperr.Internal, ""},
		{"FERA starting the day CARE ends, open-ended", customer.ProgramFERA, day(2025, 7, 1), open, apperr.Internal, ""},
		{"CARE years later overlaps the open FERA", customer.ProgramCARE, day(2030, 1, 1), open, apperr.Invalid, "start_date"},
		{"FERA again overlapping the open FERA", customer.ProgramFERA, day(2031, 1, 1), open, apperr.Conflict, ""},
		{"medical baseline alongside", customer.ProgramMedicalBaseline, day(2025, 3, 1), open, apperr.Internal, ""},
		{"end before start", customer.ProgramCARE, day(2020, 3, 1), day(2020, 2, 1), apperr.Invalid, "end_date"},
	}
	var fera customer.Enrollment
	for _, s := range steps {
		e, err := enroll(s.program, s.from, s.to)
		if s.kind == apperr.Internal {
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
			if s.program == customer.ProgramFERA && s.to.IsZero() {
				fera = e
			}
			continue
		}
		wantErr(t, s.name, err, s.kind, s.field)
	}

	got, err := db.Enrollments(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	type span struct {
		program  string
		from, to calendar.Date
	}
	want := []span{
		{"fera", day(2024, 7, 1), day(2025, 1, 1)},
		{"care", day(2025, 1, 1), day(2025, 7, 1)},
		{"medical_baseline", day(2025, 3, 1), open},
		{"fera", day(2025, 7, 1), open},
	}
	if len(got) != len(want) {
		t.Fatalf("Enrollments = %+v, want %d spans", got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Program != w.program || g.From != w.from || g.To != w.to || g.Source != "staff" || g.Note != "test" || !g.Created.Equal(t0) {
			t.Errorf("enrollment %d = %+v, want %+v (source staff, note test, created %v)", i, g, w, t0)
		}
	}

	// End the open FERA enrollment; CARE may then start on its end day.
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		return tx.EndEnrollment(ctx, staff, fera.ID, day(2026, 1, 1))
	})
	if _, err := enroll(customer.ProgramCARE, day(2026, 1, 1), open); err != nil {
		t.Fatalf("CARE from the day FERA ends: %v", err)
	}
	// Moving FERA's end later would now run into that CARE enrollment.
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		return tx.EndEnrollment(ctx, staff, fera.ID, day(2026, 2, 1))
	})
	wantErr(t, "extend FERA into CARE", err, apperr.Invalid, "start_date")
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		return tx.EndEnrollment(ctx, staff, fera.ID, day(2025, 7, 1))
	})
	wantErr(t, "end on the start day", err, apperr.Invalid, "end_date")
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		return tx.EndEnrollment(ctx, staff, fera.ID+1000, day(2026, 1, 1))
	})
	wantErr(t, "end a missing enrollment", err, apperr.NotFound, "")
	// Ending earlier is fine.
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		return tx.EndEnrollment(ctx, staff, care.ID, day(2025, 4, 1))
	})

	got, err = db.Enrollments(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	ends := map[int64]calendar.Date{}
	for _, e := range got {
		ends[e.ID] = e.To
	}
	if ends[fera.ID] != day(2026, 1, 1) || ends[care.ID] != day(2025, 4, 1) {
		t.Errorf("ends: FERA %s, CARE %s; want 2026-01-01 and 2025-04-01", ends[fera.ID], ends[care.ID])
	}

	orphan := customer.Enrollment{AccountID: a.ID + 1000, Program: customer.ProgramCARE, From: day(2025, 1, 1)}
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.Enroll(ctx, staff, &orphan) })
	wantErr(t, "enroll a missing account", err, apperr.Invalid, "account_id")
	if none, err := db.Enrollments(ctx, a.ID+1000); err != nil || len(none) != 0 {
		t.Errorf("Enrollments(missing account) = %v, %v; want none", none, err)
	}

	// The account rules of customer.CheckEnrollment hold for every caller:
	// the seeded account is residential, in service from 2024-01-01, with
	// 4 persons at $64,300 (over the 2024-25 CARE limit of $62,400, at the
	// 2025-26 limit of $64,300).
	before := countRows(t, db, "enrollments")
	for _, tt := range []struct {
		name  string
		e     customer.Enrollment
		field string
	}{
		{"start before service start", customer.Enrollment{AccountID: a.ID, Program: "power_response", From: day(2023, 12, 31)}, "start_date"},
		{"CARE failing the 2024-25 income test without a note",
			customer.Enrollment{AccountID: a.ID, Program: customer.ProgramCARE, From: day(2024, 6, 1), To: day(2024, 6, 15)}, "note"},
	} {
		e := tt.e
		err := txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.Enroll(ctx, staff, &e) })
		wantErr(t, tt.name, err, apperr.Invalid, tt.field)
	}
	biz := seedCommercial(t, db)
	medical := customer.Enrollment{AccountID: biz.ID, Program: customer.ProgramMedicalBaseline, From: day(2025, 1, 1), Note: "asked"}
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.Enroll(ctx, staff, &medical) })
	wantErr(t, "medical baseline on a commercial account", err, apperr.Invalid, "program")
	if after := countRows(t, db, "enrollments"); after != before {
		t.Errorf("refused enrollments left %d rows", after-before)
	}
}

// seedCommercial creates a commercial customer, premise and account (no
// household) in service from 2024-01-01 and returns the account.
func seedCommercial(t *testing.T, db *store.DB) customer.Account {
	t.Helper()
	c := customer.Customer{Kind: customer.Organization, Name: "Bo's Bakery"}
	p := newPremise("200 Olive Ave", "90001", "06037", "Unincorporated Los Angeles County")
	var a customer.Account
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.CreateCustomer(ctx, staff, &c); err != nil {
			return err
		}
		if err := tx.CreatePremise(ctx, staff, &p); err != nil {
			return err
		}
		a = newAccount("7000000099", c, p)
		a.Class, a.RateSchedule = customer.Commercial, "TOU-GS-1-D"
		return tx.CreateAccount(ctx, staff, &a)
	})
	return a
}
