// Package storetest is the store conformance suite: the same checks run on
// every supported database. SQLite runs always; PostgreSQL runs when
// GRIDBOOK_TEST_POSTGRES holds a connection URL.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver, for creating scratch databases

	"github.com/gridbook/gridbook/internal/store"
)

// Opener opens a fresh, empty, migrated database for one test.
type Opener func(t *testing.T) *store.DB

// SQLite returns an Opener for a new SQLite file in the test's temp dir.
func SQLite() Opener {
	return func(t *testing.T) *store.DB {
		t.Helper()
		db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatalf("open sqlite: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
}

// PostgresURL returns the URL in GRIDBOOK_TEST_POSTGRES, or skips the test
// with a clear message when it is unset.
func PostgresURL(t testing.TB) string {
	u := os.Getenv("GRIDBOOK_TEST_POSTGRES")
	if u == "" && os.Getenv("CI") == "true" {
		t.Fatal("GRIDBOOK_TEST_POSTGRES is unset in CI: the PostgreSQL leg must run there")
	}
	if u == "" {
		t.Skip("PostgreSQL leg skipped: set GRIDBOOK_TEST_POSTGRES=postgres://… to run it (CI does)")
	}
	return u
}

// ScratchPostgres creates an empty database on the server named by
// GRIDBOOK_TEST_POSTGRES, returns its URL and drops it when the test ends.
// It skips the test when the variable is unset.
func ScratchPostgres(t testing.TB) string {
	t.Helper()
	base := PostgresURL(t)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "gridbook_t_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		admin.Close()
		t.Fatalf("postgres: create scratch database: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`) // best effort; the name is random
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("postgres URL: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Postgres returns an Opener that gives each test its own scratch database.
func Postgres() Opener {
	return func(t *testing.T) *store.DB {
		t.Helper()
		db, err := store.Open(context.Background(), ScratchPostgres(t))
		if err != nil {
			t.Fatalf("open postgres: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
}
