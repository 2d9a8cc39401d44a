package demo

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/store"
)

// BenchmarkGenerate writes 1,000 accounts (a year of intervals each) into a
// fresh SQLite file per iteration.
func BenchmarkGenerate(b *testing.B) {
	ctx := context.Background()
	for i := 0; b.Loop(); i++ {
		db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench"+strconv.Itoa(i)+".db"))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Generate(ctx, db, Options{Accounts: 1000, Seed: 1}); err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
}

// BenchmarkBuildAccount draws one account's plan and year of intervals
// without writing them.
func BenchmarkBuildAccount(b *testing.B) {
	db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "ref.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	g, err := newGenerator(db.Reference(), 1, DefaultYear)
	if err != nil {
		b.Fatal(err)
	}
	var buf buffers
	for i := 0; b.Loop(); i++ {
		if _, err := g.build(i, &buf); err != nil {
			b.Fatal(err)
		}
	}
}

// TestGenerateLarge is the one-off measurement at scale, off by default:
//
//	GRIDBOOK_DEMO_ACCOUNTS=100000 GRIDBOOK_DEMO_DB=/tmp/demo.db go test -run TestGenerateLarge -timeout 60m -v ./internal/demo
//
// It logs the wall time and the database size; it asserts nothing about
// time.
func TestGenerateLarge(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("GRIDBOOK_DEMO_ACCOUNTS"))
	if n == 0 {
		t.Skip("set GRIDBOOK_DEMO_ACCOUNTS (and optionally GRIDBOOK_DEMO_DB) to measure a large demo generation")
	}
	path := os.Getenv("GRIDBOOK_DEMO_DB")
	if path == "" {
		path = filepath.Join(t.TempDir(), "large.db")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	began := time.Now()
	last := began
	s, err := Generate(ctx, db, Options{Accounts: n, Seed: 1, Progress: func(done, total int) {
		if time.Since(last) > 30*time.Second || done == total {
			last = time.Now()
			t.Logf("%d/%d accounts after %s", done, total, time.Since(began).Round(time.Second))
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	wall := time.Since(began)
	if _, err := db.SQL().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	var size int64
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if fi, err := os.Stat(path + suffix); err == nil {
			size += fi.Size()
		}
	}
	t.Logf("\n%s", s)
	t.Logf("accounts %d: wall %s, database %d MB (%d bytes)", n, wall.Round(time.Second), size>>20, size)
}
