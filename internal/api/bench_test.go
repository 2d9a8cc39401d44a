package api

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/store"
)

// benchAccounts is the size of the benchmark registry.
const benchAccounts = 100_000

// BenchmarkAccountList measures GET /api/v1/accounts?limit=100 through the
// whole handler (authentication, query, encoding) on a registry of 100,000
// customers, premises and accounts: the first page, a filtered page and a
// deep cursor page. The database is GRIDBOOK_BENCH_DB when that names an
// existing SQLite file, otherwise one built once in os.TempDir() and
// reused.
func BenchmarkAccountList(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, benchDB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	c := auth.Client{Name: "api-benchmark-" + rand.Text()[:8], Scopes: []string{auth.ScopeRegistryRead}}
	var token string
	err = db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		token, err = tx.CreateClient(ctx, auth.Actor{Kind: "cli", Name: "benchmark"}, &c)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		// The benchmark's own client is removed again; failing to is harmless.
		_, _ = db.SQL().ExecContext(ctx, `DELETE FROM api_clients WHERE id = $1`, c.ID)
	}()
	_, srv := newHandler(db, slog.New(slog.DiscardHandler))
	for _, bc := range []struct{ name, path string }{
		{"first", "/api/v1/accounts?limit=100"},
		{"filtered", "/api/v1/accounts?limit=100&class=commercial&lse=cca"},
		{"deep", "/api/v1/accounts?limit=100&after=90000"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("GET", bc.path, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// benchDB returns the path of the benchmark database, building it on
// first use.
func benchDB(b *testing.B) string {
	if p := os.Getenv("GRIDBOOK_BENCH_DB"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		b.Logf("GRIDBOOK_BENCH_DB=%s does not exist; using the temporary benchmark database", p)
	}
	path := filepath.Join(os.TempDir(), "gridbook-api-bench-100k.db")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	b.Logf("building %s (%d accounts), once", path, benchAccounts)
	tmp := path + ".building-" + rand.Text()[:8]
	if err := seedBench(tmp); err != nil {
		os.Remove(tmp)
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// seedBench fills a new SQLite database with benchAccounts customers,
// premises and accounts in one transaction, by plain INSERTs (the store's
// validation and audit are not what is being measured). Classes and
// load-serving sides follow i mod 10 and i mod 5.
func seedBench(path string) error {
	ctx := context.Background()
	db, err := store.Open(ctx, path)
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // after Commit this does nothing
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	stmts := []string{
		`INSERT INTO customers (id, kind, name, email, phone, mailing_address, created_unix, updated_unix) VALUES ($1, 'person', $2, '', '', '', $3, $3)`,
		`INSERT INTO premises (id, address, city, zip, county_fips, member_agency, tract_geoid, climate_zone, climate_zone_override,
			climate_zone_reason, climate_zone_table, dac, dac_category, dac_table, hftd_tier, created_unix, updated_unix)
			VALUES ($1, $2, 'Los Angeles', '90001', '06037', 'Unincorporated Los Angeles County', '', 8, 0, '', 'bench', 0, '', '', 0, $3, $3)`,
		`INSERT INTO accounts (id, number, customer_id, premise_id, class, rate_schedule, lse, service_start, service_end,
			household_size, household_income_cents, income_verification, income_verified_on, created_unix, updated_unix)
			VALUES ($1, $2, $1, $1, $3, 'TOU-D-4-9PM', $4, '2024-01-01', NULL, 3, 5000000, 'self_attested', NULL, $5, $5)`,
	}
	cust, err := tx.PrepareContext(ctx, stmts[0])
	if err != nil {
		return err
	}
	prem, err := tx.PrepareContext(ctx, stmts[1])
	if err != nil {
		return err
	}
	acct, err := tx.PrepareContext(ctx, stmts[2])
	if err != nil {
		return err
	}
	classes := [10]string{"residential", "residential", "residential", "residential", "residential", "residential", "residential",
		"commercial", "commercial", "agricultural"}
	for i := int64(1); i <= benchAccounts; i++ {
		if _, err := cust.ExecContext(ctx, i, fmt.Sprintf("Customer %06d", i), now); err != nil {
			return err
		}
		if _, err := prem.ExecContext(ctx, i, fmt.Sprintf("%d Main St", i), now); err != nil {
			return err
		}
		lse := "cca"
		if i%5 == 0 {
			lse = "bundled"
		}
		if _, err := acct.ExecContext(ctx, i, fmt.Sprintf("8%09d", i), classes[i%10], lse, now); err != nil {
			return err
		}
	}
	return tx.Commit()
}
