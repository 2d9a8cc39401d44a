package demo

import (
	"context"
	"fmt"
	"testing"

	"github.com/gridbook/gridbook/internal/rps"
	"github.com/gridbook/gridbook/internal/store"
)

// TestDemoRPSBookIsSoundAndCompliesInCP4 generates the RPS book through
// 2025 and checks the registry verifies, the categories the book was
// built to show are there, and the position follows from the rules.
func TestDemoRPSBookIsSoundAndCompliesInCP4(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, "rps.db")
	sum, err := GenerateRPS(ctx, db, 1, 2025)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Facilities != 11 || sum.Contracts != 10 || sum.Pending == 0 || sum.Claimed == 0 {
		t.Errorf("summary %+v", sum)
	}
	if p, err := db.CheckRecRegistry(ctx); err != nil || len(p) > 0 {
		t.Errorf("invariants: %v %v", p, err)
	}
	if st, err := db.VerifyRecChain(ctx); err != nil || st.Break != nil {
		t.Errorf("chain: %+v %v", st.Break, err)
	}
	_, hist, err := db.RPSHistory(ctx)
	if err != nil || len(hist) != 2 {
		t.Fatalf("history %+v %v", hist, err)
	}
	cp4 := hist[0].Result
	if hist[0].Period != "CP4" || cp4 == nil {
		t.Fatalf("CP4: %+v", hist[0])
	}
	// The book was built to show every category and the CP4 requirement
	// from the synthetic sales: .3575×11.2M + .385×11.45M + .4125×11.3M +
	// .44×11.6M = 18,177,500 MWh.
	if cp4.PQRMWh != 18_177_500 {
		t.Errorf("CP4 PQR %d, want 18,177,500", cp4.PQRMWh)
	}
	if cp4.Shortfall != 0 || len(cp4.Violations) != 0 {
		t.Errorf("the demo book should meet CP4: %+v", cp4.Violations)
	}
	for c := rps.PCC1; c <= rps.PCC3; c++ {
		if cp4.Applied[c] == 0 {
			t.Errorf("CP4 applied no %v", c)
		}
	}
	if again := dumpRPS(t, openGenerated(t, ctx, 1)); again != dumpRPS(t, db) {
		t.Errorf("the same seed gave different RPS rows")
	}
}

func openGenerated(t *testing.T, ctx context.Context, seed int64) *store.DB {
	db := openDB(t, "rps2.db")
	if _, err := GenerateRPS(ctx, db, seed, 2025); err != nil {
		t.Fatal(err)
	}
	return db
}

func dumpRPS(t *testing.T, db *store.DB) string {
	t.Helper()
	var n, q, h int64
	var last string
	err := db.SQL().QueryRow(`SELECT count(*), COALESCE(SUM(serial_end - serial_start + 1), 0) FROM rec_blocks WHERE status <> 'split'`).Scan(&n, &q)
	if err == nil {
		err = db.SQL().QueryRow(`SELECT count(*), COALESCE(MAX(hash), '') FROM rec_events`).Scan(&h, &last)
	}
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(n, q, h, last)
}
