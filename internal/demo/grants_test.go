package demo

import (
	"context"
	"testing"

	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// TestDemoPowerReadyTranches checks the demo's Power Ready awards
// (grants.go): $600,000 with design ($150,000) paid and permits ($100,000)
// approved awaiting payment, $450,000 with design ($100,000) paid, and
// $500,000 only planned — so the $2,000,000 budget has paid $250,000,
// committed $100,000 and reserves $350,000 + $350,000 + $500,000, with
// $450,000 available, and each approval carries its evidence.
func TestDemoPowerReadyTranches(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, "pr.db")
	generate(t, db, Options{Accounts: 200, Seed: 7})
	apps, err := db.Applications(ctx, store.ApplicationFilter{ProgramID: "power-ready", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 3 {
		t.Fatalf("%d Power Ready applications, want 3", len(apps))
	}
	var stages []string
	for _, a := range apps {
		d, err := db.Disbursement(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		s := ""
		for _, tr := range d.Tranches {
			s += string(tr.Status)[:2] + " "
			if tr.Status != incentive.TranchePlanned && len(d.Documents[tr.Seq]) == 0 {
				t.Errorf("application %d tranche %d %s without evidence", a.ID, tr.Seq, tr.Status)
			}
		}
		stages = append(stages, s)
	}
	want := map[string]bool{"pa ap pl pl ": true, "pa pl pl ": true, "pl pl pl ": true}
	for _, s := range stages {
		if !want[s] {
			t.Errorf("tranche stages %q, want one of %v", stages, want)
		}
		delete(want, s)
	}
	bs, err := db.Budgets(ctx, "power-ready")
	if err != nil || len(bs) != 1 {
		t.Fatalf("budgets %v %v", bs, err)
	}
	b := bs[0]
	if b.PaidCents != money.Dollars(250_000) || b.CommittedCents != money.Dollars(100_000) || b.ReservedCents != money.Dollars(1_200_000) ||
		b.Available() != money.Dollars(450_000) {
		t.Errorf("budget %s", b)
	}
}
