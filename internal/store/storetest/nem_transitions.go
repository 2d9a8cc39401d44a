package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/store"
)

// legacyHome creates a home in service since 2003 (ending on end, if
// given) with a solar system filed on applied and active from pto.
func legacyHome(t *testing.T, db *store.DB, n int, applied, pto, end calendar.Date) nem.Application {
	t.Helper()
	c := customer.Customer{Kind: customer.Person, Name: fmt.Sprintf("Legacy Home %d", n)}
	p := customer.Premise{Address: fmt.Sprintf("%d Old Orchard Rd", n), City: "Ventura", ZIP: "93001", CountyFIPS: "06111", MemberAgency: "Ventura"}
	a := customer.Account{Number: fmt.Sprintf("71000000%02d", n), Class: customer.Residential, RateSchedule: "TOU-D-4-9PM", LSE: customer.CCA,
		ServiceStart: day(2003, 1, 1), ServiceEnd: end}
	m := customer.Meter{Serial: fmt.Sprintf("L-%d", n), IntervalSeconds: 3600, Installed: day(2003, 1, 1),
		Channels: []customer.Channel{{Direction: customer.Delivered}, {Direction: customer.Received}}}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return createMetered(ctx, tx, &c, &p, &a, &m) })
	app := fileNEM(t, db, a, solarHome(), applied)
	return advance(t, db, app.ID, pto,
		nem.Step{To: nem.CompletenessReview, On: applied.AddDays(1)},
		nem.Step{To: nem.TechnicalReview, On: applied.AddDays(3)},
		nem.Step{To: nem.Approved, On: applied.AddDays(10)},
		nem.Step{To: nem.AgreementSigned, On: applied.AddDays(11)},
		nem.Step{To: nem.MeterReady, On: applied.AddDays(20), MeterMethod: nem.MeterSwap},
		nem.Step{To: nem.PTOIssued, On: pto},
		nem.Step{To: nem.Active, On: pto},
	)
}

// testNEMLegacyTransition: a NEM 1.0 home with PTO on 2004-06-01 keeps its
// tariff through 2024-05-31 and moves to the Net Billing Tariff on
// 2024-06-01 (20 years, research/billing.md §4.1): the old enrollment
// ends that day, a "nem"/nbt enrollment with source legacy_transition
// starts, the application points at it, the history, the audit log and
// the run record say so. A second run finds nothing due; moving it again
// is a Conflict; a home whose service ended before its legacy end cannot
// move and is named in the run's error without holding back the other or
// leaving anything half-done; a dry run changes nothing.
func testNEMLegacyTransition(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	home := legacyHome(t, db, 1, day(2004, 3, 1), day(2004, 6, 1), calendar.Date{})
	gone := legacyHome(t, db, 2, day(2004, 3, 2), day(2004, 6, 2), day(2024, 3, 1))
	if home.Vintage.Program != nem.NEM1 || home.EnrollmentID == 0 {
		t.Fatalf("interconnected %+v", home)
	}
	run, due, err := db.RunNEMTransitions(ctx, staff, day(2024, 5, 31), false)
	if err != nil || len(due) != 0 || run.Counts["due"] != 0 {
		t.Fatalf("on 2024-05-31: %d moved, %+v, %v; want none", len(due), run, err)
	}
	before := rowCounts(t, db)
	_, due, err = db.RunNEMTransitions(ctx, staff, day(2024, 6, 2), true)
	if err != nil || len(due) != 2 || due[0].Number != home.Number || due[0].On != day(2024, 6, 1) {
		t.Fatalf("dry run on 2024-06-02: %+v %v", due, err)
	}
	sameCounts(t, "a dry run", before, rowCounts(t, db))

	audits := countRows(t, db, "audit_log")
	run, moved, err := db.RunNEMTransitions(ctx, staff, day(2024, 6, 2), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(moved) != 1 || moved[0].ApplicationID != home.ID || run.Counts["moved"] != 1 || run.Counts["failed"] != 1 ||
		!strings.Contains(run.Error, gone.Number) || !strings.Contains(run.Error, "start_date") {
		t.Errorf("run %+v moved %+v", run, moved)
	}
	// End of the old enrollment, the new one, the application: 3 audits.
	if n := countRows(t, db, "audit_log") - audits; n != 3 {
		t.Errorf("%d audit records, want 3", n)
	}
	es, err := db.Enrollments(ctx, home.AccountID)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[0].Track != nem.NEM1 || es[0].To != day(2024, 6, 1) ||
		es[1].Track != nem.NBT || es[1].From != day(2024, 6, 1) || !es[1].To.IsZero() || es[1].Source != customer.SourceLegacyTransition {
		t.Errorf("enrollments %+v", es)
	}
	app, _ := db.NEMApplication(ctx, home.ID)
	if app.EnrollmentID != es[1].ID || app.Vintage.Program != nem.NEM1 || app.Status != nem.Active {
		t.Errorf("application after the move %+v", app)
	}
	tr, err := db.NEMTransitionOf(ctx, home.ID)
	if err != nil || tr.On != day(2024, 6, 1) || tr.OldEnrollmentID != home.EnrollmentID || tr.NewEnrollmentID != es[1].ID ||
		tr.To.Label != "Net Billing Tariff" || tr.Actor != staff.String() {
		t.Errorf("transition %+v %v", tr, err)
	}
	hist, _ := db.NEMHistory(ctx, home.ID)
	if last := hist[len(hist)-1]; last.On != day(2024, 6, 1) || !strings.Contains(last.Note, "Net Billing Tariff") {
		t.Errorf("last history event %+v", last)
	}
	// The home that could not move kept its enrollment and application.
	if es, _ := db.Enrollments(ctx, gone.AccountID); len(es) != 1 || !es[0].To.IsZero() {
		t.Errorf("the failed move changed enrollments %+v", es)
	}
	if _, err := db.NEMTransitionOf(ctx, gone.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("the failed move was recorded: %v", err)
	}
	last, err := db.LastTaskRun(ctx, store.TaskNEMLegacy)
	if err != nil || last.ID != run.ID || last.On != day(2024, 6, 2) || last.Counts["moved"] != 1 || last.Error == "" {
		t.Errorf("last run %+v %v", last, err)
	}
	// Again: nothing more moves; moving it by hand is a Conflict.
	_, moved, err = db.RunNEMTransitions(ctx, staff, day(2024, 6, 3), false)
	if err != nil || len(moved) != 0 {
		t.Errorf("second run moved %+v %v", moved, err)
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.TransitionNEMLegacy(ctx, staff, home.ID, day(2024, 6, 3))
		return err
	})
	if !apperr.Is(err, apperr.Conflict) || !strings.Contains(apperr.Detail(err), "already moved") {
		t.Errorf("moved twice: %v", err)
	}
	// Not yet due: the error says when the legacy period ends.
	young := legacyHome(t, db, 3, day(2016, 3, 1), day(2016, 6, 1), calendar.Date{})
	err = db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.TransitionNEMLegacy(ctx, staff, young.ID, day(2024, 6, 3))
		return err
	})
	if !apperr.Is(err, apperr.Conflict) || !strings.Contains(apperr.Detail(err), "2036-06-01") {
		t.Errorf("moved before its legacy end: %v", err)
	}
	runs, err := db.TaskRuns(ctx, store.TaskNEMLegacy, 10)
	if err != nil || len(runs) != 3 {
		t.Errorf("%d runs recorded (%v), want 3 (dry runs are not recorded)", len(runs), err)
	}
}

// testTaskRunsIncentiveExpiry: the expiry run records what it did, and
// the latest run is what LastTaskRun returns; before any run it is
// NotFound.
func testTaskRunsIncentiveExpiry(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	if _, err := db.LastTaskRun(ctx, store.TaskIncentiveExpire); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("before any run: %v", err)
	}
	for _, d := range []calendar.Date{day(2026, 6, 14), day(2026, 6, 15)} {
		run, err := db.RunIncentiveExpiry(ctx, staff, d)
		if err != nil || run.Summary != "expired on "+d.String()+": 0 reservations, 0 coupons" {
			t.Fatalf("run on %s: %+v %v", d, run, err)
		}
	}
	last, err := db.LastTaskRun(ctx, store.TaskIncentiveExpire)
	if err != nil || last.On != day(2026, 6, 15) || last.Actor != staff.String() || last.Finished != t0 ||
		last.Counts["reservations"] != 0 || len(last.Counts) != 2 {
		t.Errorf("last run %+v %v", last, err)
	}
}
