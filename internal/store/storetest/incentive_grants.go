package storetest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// grantApp files and submits a grant application for a member agency and
// returns it reserved.
func grantApp(t *testing.T, db *store.DB, program, measure, agency string, facts string, cents money.Cents) incentive.Application {
	t.Helper()
	var f incentive.Facts
	if err := json.Unmarshal([]byte(`{"date":"2026-02-02","measure":{"type":"`+measure+`"}`+facts+`}`), &f); err != nil {
		t.Fatal(err)
	}
	f.RequestedCents = &cents
	var a incentive.Application
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		if a, err = tx.CreateApplication(ctx, staff, store.NewApplication{ProgramID: program, MemberAgency: agency, Facts: f}); err != nil {
			return err
		}
		a, err = tx.SubmitApplication(ctx, staff, a.ID)
		return err
	})
	if a.Status != incentive.Reserved || a.ReservedCents != cents {
		t.Fatalf("grant %+v", a)
	}
	return a
}

func grantBudget(t *testing.T, db *store.DB, slug, program, measure string, cents money.Cents) {
	t.Helper()
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		b := incentive.Budget{Slug: slug, ProgramID: program, Measure: measure, Name: slug, From: day(2026, 1, 1), AllocatedCents: cents, Source: "test allocation"}
		return tx.CreateBudget(ctx, staff, &b)
	})
}

func wantField(t *testing.T, what string, err error, field, rule string) {
	t.Helper()
	for _, f := range apperr.FieldsOf(err) {
		if f.Field == field && strings.Contains(f.Msg, rule) {
			return
		}
	}
	t.Errorf("%s: %v, want %s naming %s", what, err, field, rule)
}

// testIncentiveGrantTranches: a $250,000 Energized Communities pathway
// grant (seed 000: up to $250,000 per agency and pathway) paid in three
// tranches, $50,000 / $100,000 / $100,000, each committed from the award's
// reservation when its milestone is approved on attached evidence and paid
// through the ledger; refusals (no evidence, out of order, more than what
// is left of the award, a generic approval, a withdrawal with a tranche
// awaiting payment) store nothing; the last tranche approved for $80,000
// releases the unplanned $20,000 and the grant is paid: the budget paid
// $230,000 and holds nothing more for it.
func testIncentiveGrantTranches(t *testing.T, db *store.DB) {
	setClock(db, t0)
	importShipped(t, db)
	ctx := context.Background()
	grantBudget(t, db, "pathways-2026", "energized-communities", "pathway", money.Dollars(400_000))
	a := grantApp(t, db, "energized-communities", "pathway", "Carson", `,"pathway":"building_electrification"`, money.Dollars(250_000))
	today := day(2026, 6, 15)
	var d store.Disbursement
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		d, err = tx.PlanDisbursement(ctx, staff, a.ID, 0, []incentive.TrancheSpec{{Milestone: "agreement", AmountCents: money.Dollars(50_000)},
			{Milestone: "midpoint_report", AmountCents: money.Dollars(100_000)}, {Milestone: "completion", AmountCents: money.Dollars(100_000)}})
		return err
	})
	if len(d.Tranches) != 3 || d.HeldCents != money.Dollars(250_000) {
		t.Fatalf("plan %+v", d)
	}
	if got, _ := db.Application(ctx, a.ID); !got.Expires.IsZero() {
		t.Errorf("a planned grant's reservation still lapses on %s", got.Expires)
	}
	ledger := func() int { return countRows(t, db, "incentive_ledger") }
	try := func(fn func(tx *store.Tx) error) error { return db.InTx(ctx, fn) }
	approve := func(seq int, cents money.Cents, on int) error {
		return try(func(tx *store.Tx) error {
			_, err := tx.ApproveTranche(ctx, staff, a.ID, seq, cents, day(2026, 2, on), today)
			return err
		})
	}
	pay := func(seq int, ref string) {
		t.Helper()
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.PayTranche(ctx, staff, a.ID, seq, day(2026, 6, 1), ref, today)
			return err
		})
	}
	attach := func(seq int, name string) {
		t.Helper()
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.AttachTrancheDocument(ctx, staff, a.ID, seq, name, "application/pdf", []byte(name), "")
			return err
		})
	}
	before := ledger()
	wantField(t, "no evidence", approve(1, 0, 10), "documents", incentive.RuleTrancheDocument)
	attach(1, "agreement.pdf")
	if err := approve(2, 0, 10); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("midpoint before the agreement: %v", err)
	}
	if ledger() != before {
		t.Fatal("a refused approval wrote the ledger")
	}
	if err := approve(1, 0, 10); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.Application(ctx, a.ID); got.ReservedCents != money.Dollars(200_000) || got.ApprovedCents != money.Dollars(50_000) {
		t.Errorf("after the agreement: reserved %s approved %s", got.ReservedCents, got.ApprovedCents)
	}
	attach(2, "midpoint.pdf")
	wantField(t, "more than the award has left", approve(2, money.Dollars(200_001), 20), "amount_cents", incentive.RuleRemainingAward)
	err := try(func(tx *store.Tx) error {
		_, err := tx.TransitionApplication(ctx, staff, a.ID, store.Transition{To: incentive.ClaimSubmitted})
		return err
	})
	if !apperr.Is(err, apperr.Conflict) {
		t.Errorf("a generic claim on a tranche grant: %v", err)
	}
	pay(1, "ACH-1001")
	if err := approve(2, 0, 20); err != nil {
		t.Fatal(err)
	}
	err = try(func(tx *store.Tx) error {
		_, err := tx.TransitionApplication(ctx, staff, a.ID, store.Transition{To: incentive.Withdrawn, Note: "agency withdrew"})
		return err
	})
	if !apperr.Is(err, apperr.Conflict) {
		t.Errorf("withdrawn with an approved tranche unpaid: %v", err)
	}
	pay(2, "ACH-1002")
	attach(3, "completion.pdf")
	if err := approve(3, money.Dollars(80_000), 25); err != nil {
		t.Fatal(err)
	}
	pay(3, "ACH-1003")
	got, _ := db.Application(ctx, a.ID)
	if got.Status != incentive.Paid || got.PaidCents != money.Dollars(230_000) || got.ReservedCents != 0 {
		t.Errorf("after the last tranche: %s paid %s reserved %s", got.Status, got.PaidCents, got.ReservedCents)
	}
	bs, _ := db.Budgets(ctx, "energized-communities")
	for _, b := range bs {
		if b.Slug == "pathways-2026" && (b.PaidCents != money.Dollars(230_000) || b.ReservedCents != 0 || b.CommittedCents != 0 || b.Available() != money.Dollars(170_000)) {
			t.Errorf("budget %s", b)
		}
	}
	d, _ = db.Disbursement(ctx, a.ID)
	if len(d.Documents[1]) != 1 || d.Tranches[2].Reference != "ACH-1003" || d.Tranches[2].AmountCents != money.Dollars(80_000) {
		t.Errorf("plan after payment %+v", d)
	}
}

// testIncentivePowerReadyTranchesFollowTheProject: a Power Ready site grant
// linked to its tracked project pays a tranche only once the project's
// milestone is done (seed 000's milestones), and a tranche for a
// milestone the project does not have is refused.
func testIncentivePowerReadyTranchesFollowTheProject(t *testing.T, db *store.DB) {
	setClock(db, t0)
	importShipped(t, db)
	ctx := context.Background()
	grantBudget(t, db, "power-ready-2026", "power-ready", "", money.Dollars(2_000_000))
	p := incentive.Project{Program: incentive.TrackPowerReady, Name: "Oxnard Fire Station 3", Agency: "Oxnard", Partner: "Coast Energy", BackupReserveBP: 3000}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateProject(ctx, staff, &p) })
	a := grantApp(t, db, "power-ready", "resilience_site", "Oxnard", "", money.Dollars(600_000))
	err := db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.PlanDisbursement(ctx, staff, a.ID, p.ID, []incentive.TrancheSpec{{Milestone: "design", AmountCents: money.Dollars(200_000)}, {Milestone: "ribbon_cutting", AmountCents: money.Dollars(100_000)}})
		return err
	})
	wantField(t, "a milestone the project lacks", err, "tranches[1].milestone", "not a milestone of Oxnard Fire Station 3")
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.PlanDisbursement(ctx, staff, a.ID, p.ID, []incentive.TrancheSpec{{Milestone: "design", AmountCents: money.Dollars(200_000)},
			{Milestone: "construction", AmountCents: money.Dollars(300_000)}, {Milestone: "operation", AmountCents: money.Dollars(100_000)}})
		return err
	})
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.AttachTrancheDocument(ctx, staff, a.ID, 1, "design-set.pdf", "application/pdf", []byte("plans"), "")
		return err
	})
	approve := func() error {
		return db.InTx(ctx, func(tx *store.Tx) error {
			_, err := tx.ApproveTranche(ctx, staff, a.ID, 1, 0, day(2026, 5, 1), day(2026, 6, 15))
			return err
		})
	}
	wantField(t, "design not done", approve(), "tranche", incentive.RuleProjectMilestone)
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		if _, err := tx.CompleteMilestone(ctx, staff, p.ID, "site_lease", day(2026, 3, 1)); err != nil {
			return err
		}
		_, err := tx.CompleteMilestone(ctx, staff, p.ID, "design", day(2026, 4, 20))
		return err
	})
	if err := approve(); err != nil {
		t.Fatal(err)
	}
}
