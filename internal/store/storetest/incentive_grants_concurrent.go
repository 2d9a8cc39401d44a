package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// testIncentiveTranchesConcurrently: staff racing on one grant never
// spend a tranche twice. A $250,000 Energized Communities pathway grant
// (seed 000: up to $250,000 per agency and pathway) from a $300,000
// budget is planned as $100,000 + $150,000; ten concurrent approvals of
// the first tranche commit it once (the others are refused, 409), ten
// concurrent payments of it pay it once, and the budget has paid
// $100,000, commits nothing, still reserves $150,000 for the award and has
// $50,000 available, its ledger replaying to those balances.
func testIncentiveTranchesConcurrently(t *testing.T, db *store.DB) {
	setClock(db, t0)
	importShipped(t, db)
	ctx := context.Background()
	grantBudget(t, db, "pathways-race", "energized-communities", "pathway", money.Dollars(300_000))
	a := grantApp(t, db, "energized-communities", "pathway", "Carson", `,"pathway":"fleet_electrification"`, money.Dollars(250_000))
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		if _, err := tx.PlanDisbursement(ctx, staff, a.ID, 0, []incentive.TrancheSpec{{Milestone: "agreement", AmountCents: money.Dollars(100_000)},
			{Milestone: "completion", AmountCents: money.Dollars(150_000)}}); err != nil {
			return err
		}
		_, err := tx.AttachTrancheDocument(ctx, staff, a.ID, 1, "agreement.pdf", "application/pdf", []byte("signed"), "")
		return err
	})
	today := day(2026, 6, 15)
	race := func(what string, step func(i int, tx *store.Tx) error) {
		t.Helper()
		var wg sync.WaitGroup
		errs := make([]error, 10)
		start := make(chan struct{})
		for i := range errs {
			wg.Go(func() {
				<-start
				errs[i] = db.InTx(ctx, func(tx *store.Tx) error { return step(i, tx) })
			})
		}
		close(start)
		wg.Wait()
		ok := 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case !apperr.Is(err, apperr.Conflict):
				t.Errorf("%s %d: %v, want a conflict", what, i, err)
			}
		}
		if ok != 1 {
			t.Errorf("%d of 10 concurrent %s succeeded, want 1", ok, what)
		}
	}
	race("approvals", func(i int, tx *store.Tx) error {
		_, err := tx.ApproveTranche(ctx, staff, a.ID, 1, 0, day(2026, 6, 1), today)
		return err
	})
	race("payments", func(i int, tx *store.Tx) error {
		_, err := tx.PayTranche(ctx, staff, a.ID, 1, day(2026, 6, 10), fmt.Sprintf("ACH-%d", i), today)
		return err
	})
	bs, err := db.Budgets(ctx, "energized-communities")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		if b.Slug != "pathways-race" {
			continue
		}
		if b.PaidCents != money.Dollars(100_000) || b.CommittedCents != 0 || b.ReservedCents != money.Dollars(150_000) || b.Available() != money.Dollars(50_000) {
			t.Errorf("budget %s, want $100,000 paid, $150,000 reserved, $50,000 available", b)
		}
		l, err := db.Ledger(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		var replay incentive.Budget
		pays := 0
		for _, e := range l {
			if err := replay.Apply(e.Entry); err != nil {
				t.Fatalf("ledger entry %+v: %v", e, err)
			}
			if e.Kind == incentive.Pay {
				pays++
			}
		}
		if replay.PaidCents != b.PaidCents || replay.ReservedCents != b.ReservedCents || replay.CommittedCents != b.CommittedCents || pays != 1 {
			t.Errorf("ledger replays to %s with %d pay entries, balances %s", replay, pays, b)
		}
	}
	got, err := db.Application(ctx, a.ID)
	if err != nil || got.PaidCents != money.Dollars(100_000) || got.ReservedCents != money.Dollars(150_000) || got.Status != incentive.Reserved {
		t.Errorf("application %+v %v", got, err)
	}
}
