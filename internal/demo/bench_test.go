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

// BenchmarkGenerateLarge is the measurement at scale recorded in
// docs/performance.md: one generation of GRIDBOOK_DEMO_ACCOUNTS accounts
// (default 100,000) per iteration into GRIDBOOK_DEMO_DB (default a file in
// the temp directory, replaced each iteration). Run it once:
//
//	go test -run '^$' -bench BenchmarkGenerateLarge -benchtime 1x -timeout 60m ./internal/demo
//
// Besides the time per generation it reports accounts per second and the
// database size after a WAL checkpoint (MB, and bytes per reading).
func BenchmarkGenerateLarge(b *testing.B) {
	n := 100_000
	if s := os.Getenv("GRIDBOOK_DEMO_ACCOUNTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("GRIDBOOK_DEMO_ACCOUNTS=%q: %v", s, err)
		}
	}
	path := os.Getenv("GRIDBOOK_DEMO_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "large.db")
	}
	ctx := context.Background()
	var size int64
	var s Summary
	for b.Loop() {
		b.StopTimer()
		for _, suffix := range []string{"", "-wal", "-shm"} {
			os.Remove(path + suffix)
		}
		db, err := store.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		began := time.Now()
		s, err = Generate(ctx, db, Options{Accounts: n, Seed: 1, Progress: func(done, total int) {
			if done%25_000 == 0 || done == total {
				b.Logf("%d/%d accounts after %s", done, total, time.Since(began).Round(time.Second))
			}
		}})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if _, err := db.SQL().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			b.Fatal(err)
		}
		db.Close()
		size = 0
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if fi, err := os.Stat(path + suffix); err == nil {
				size += fi.Size()
			}
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n)/(b.Elapsed().Seconds()/float64(b.N)), "accounts/s")
	b.ReportMetric(float64(size)/(1<<20), "MB")
	if s.Readings > 0 {
		b.ReportMetric(float64(size)/float64(s.Readings), "bytes/reading")
	}
	b.Logf("%d accounts, %d meters, %d channels, %d readings, %d MB packed", s.Accounts, s.Meters, s.Channels, s.Readings, s.PackedBytes>>20)
}
