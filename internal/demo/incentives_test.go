package demo

import (
	"context"
	"testing"

	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// TestDemoIncentivesAreConsistent checks the demo's incentive activity:
// every page has data (applications in several statuses, coupons, paid
// batches), every budget's balances equal its ledger, nothing is
// overspent, and the same seed gives the same figures.
func TestDemoIncentivesAreConsistent(t *testing.T) {
	ctx := context.Background()
	opt := Options{Accounts: 600, Seed: 5}
	db := openDB(t, "inc.db")
	s := generate(t, db, opt)
	if s.Incentives.Programs != 20 || s.Incentives.Applications == 0 || s.Incentives.Coupons == 0 || s.Incentives.Batches == 0 || s.Incentives.PaidCents <= 0 {
		t.Fatalf("incentive summary %+v", s.Incentives)
	}
	statuses := map[incentive.Status]int{}
	apps, err := db.Applications(ctx, storeFilterAll())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range apps {
		statuses[a.Status]++
	}
	for _, st := range []incentive.Status{incentive.Paid, incentive.Reserved} {
		if statuses[st] == 0 {
			t.Errorf("no %s applications: %v", st, statuses)
		}
	}
	bs, err := db.Budgets(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bs {
		l, err := db.Ledger(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		var replay incentive.Budget
		for _, e := range l {
			if err := replay.Apply(e.Entry); err != nil {
				t.Fatalf("budget %s: ledger entry %+v: %v", b.Name, e, err)
			}
		}
		if replay.AllocatedCents != b.AllocatedCents || replay.ReservedCents != b.ReservedCents || replay.PaidCents != b.PaidCents ||
			replay.CommittedCents != b.CommittedCents || b.Available() < 0 {
			t.Errorf("budget %s: balances %s, ledger replays to %s", b.Name, b, replay)
		}
	}
	again := generate(t, openDB(t, "inc2.db"), opt)
	if again.Incentives != s.Incentives {
		t.Errorf("same seed, different incentive figures: %+v vs %+v", s.Incentives, again.Incentives)
	}
	if s.Incentives.PaidCents%money.Cents(100) != 0 {
		t.Errorf("paid %s: every shipped amount is whole dollars", s.Incentives.PaidCents)
	}
}

func storeFilterAll() store.ApplicationFilter { return store.ApplicationFilter{Limit: 200} }
