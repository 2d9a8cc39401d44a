package storetest

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/gridbook/gridbook/internal/store"
)

// testOADRWatchClaimsOnce: two handles on one database (two server
// processes) each claim the same watch changes ten times at once; each
// change is won by exactly one claim, a claim from a state no longer
// current wins nothing, and SetOADRWatch overrides whatever was there.
func testOADRWatchClaimsOnce(t *testing.T, db *store.DB) {
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "watch.db")
	if db.Dialect() == store.Postgres {
		dsn = ScratchPostgres(t)
	}
	var dbs [2]*store.DB
	for i := range dbs {
		var err error
		if dbs[i], err = store.Open(ctx, dsn); err != nil {
			t.Fatal(err)
		}
		defer dbs[i].Close()
	}
	k := store.OADRWatchKey{EventID: 7, Aspect: "status"}
	claims := func(from, to string) int {
		var mu sync.Mutex
		var wg sync.WaitGroup
		won := 0
		for i := range 10 {
			wg.Go(func() {
				ok, err := dbs[i%2].ClaimOADRWatch(ctx, k, from, to)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					won++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		return won
	}
	for _, c := range []struct {
		from, to string
		won      int
	}{
		{"", "scheduled", 1},
		{"", "scheduled", 0},          // already recorded
		{"scheduled", "notified", 1},  // one of ten moves it
		{"scheduled", "cancelled", 0}, // no longer scheduled
		{"notified", "cancelled", 1},
	} {
		if n := claims(c.from, c.to); n != c.won {
			t.Errorf("claim %q → %q: %d won, want %d", c.from, c.to, n, c.won)
		}
	}
	if err := dbs[0].InTx(ctx, func(tx *store.Tx) error { return tx.SetOADRWatch(ctx, k, "active") }); err != nil {
		t.Fatal(err)
	}
	if err := dbs[1].InTx(ctx, func(tx *store.Tx) error {
		return tx.SetOADRWatch(ctx, store.OADRWatchKey{EventID: 9, Aspect: "fleet"}, "announced")
	}); err != nil {
		t.Fatal(err)
	}
	got, err := dbs[1].OADRWatchStates(ctx, 7, 8)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[k] != "active" {
		t.Errorf("states of events 7–8: %v, want only 7's status active", got)
	}
}
