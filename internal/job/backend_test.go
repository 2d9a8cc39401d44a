package job

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// postgresEnv names the variable holding a PostgreSQL URL for tests.
const postgresEnv = "GRIDBOOK_TEST_POSTGRES"

// backend opens a fresh, empty database and returns a Queue on it.
type backend struct {
	name string
	open func(t *testing.T, opts Options) *Queue
}

// backends returns SQLite always and PostgreSQL when postgresEnv is set.
func backends(t *testing.T) []backend {
	t.Helper()
	bs := []backend{{name: "sqlite", open: openSQLiteQueue}}
	if os.Getenv(postgresEnv) != "" {
		bs = append(bs, backend{name: "postgres", open: func(t *testing.T, opts Options) *Queue {
			pool, _ := freshPostgres(t)
			q, err := NewPostgres(t.Context(), pool, opts)
			if err != nil {
				t.Fatalf("NewPostgres: %v", err)
			}
			return q
		}})
	} else {
		t.Logf("PostgreSQL cases skipped: %s is not set", postgresEnv)
	}
	return bs
}

func openSQLiteQueue(t *testing.T, opts Options) *Queue {
	t.Helper()
	db, err := OpenSQLite(filepath.Join(t.TempDir(), "gridbook.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	q, err := NewSQLite(t.Context(), db, opts)
	if err != nil {
		t.Fatalf("NewSQLite: %v", err)
	}
	return q
}

// testOptions are fast-polling options whose River logs go to the test log.
func testOptions(t *testing.T) Options {
	return Options{
		FetchPollInterval: 50 * time.Millisecond,
		Logger:            slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
}

// freshPostgres creates an empty schema for one test, dropped at cleanup,
// and returns a pool whose search_path is that schema, and the schema name.
// It skips the test when postgresEnv is unset.
func freshPostgres(t *testing.T) (*pgxpool.Pool, string) {
	t.Helper()
	url := os.Getenv(postgresEnv)
	if url == "" {
		t.Skipf("needs PostgreSQL: set %s to a connection URL", postgresEnv)
	}
	ctx := t.Context()
	admin, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "gridbook_jobtest_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatal(err)
	}
	pool := schemaPool(t, url, schema)
	t.Cleanup(func() {
		pool.Close()
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.Exec(dctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	return pool, schema
}

// schemaPool opens a pool on url whose connections use schema.
func schemaPool(t testing.TB, url, schema string) *pgxpool.Pool {
	t.Helper()
	pool, err := newSchemaPool(url, schema)
	if err != nil {
		t.Fatal(err)
	}
	return pool
}

// newSchemaPool opens a pool on url whose search_path is schema.
func newSchemaPool(url, schema string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	return pgxpool.NewWithConfig(context.Background(), cfg)
}

// waitFor polls cond until it holds, failing the test after a bound that is
// only a safety net, not a timing assertion.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	waitWithin(t, 30*time.Second, what, cond)
}

// waitWithin is waitFor with a given safety bound.
func waitWithin(t *testing.T, bound time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(bound)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stopOnCleanup stops q when the test ends.
func stopOnCleanup(t *testing.T, q *Queue) {
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Errorf("Stop: %v", err)
		}
	})
}

// mustGet returns job id or fails the test.
func mustGet(t *testing.T, q *Queue, id int64) Info {
	t.Helper()
	info, err := q.Get(t.Context(), id)
	if err != nil {
		t.Fatalf("Get(%d): %v", id, err)
	}
	return info
}
