package storetest

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/gridbook/gridbook/internal/store"
)

// dsnOf returns the DSN that opened db, so a check can open it again.
func dsnOf(db *store.DB) string {
	if db.Dialect() == store.Postgres {
		return db.Pool().Config().ConnString()
	}
	return db.Path()
}

func versions(t *testing.T, d store.Dialect) []int {
	t.Helper()
	ms, err := store.Migrations(d)
	if err != nil {
		t.Fatalf("Migrations(%s): %v", d, err)
	}
	var vs []int
	for _, m := range ms {
		vs = append(vs, m.Version)
	}
	return vs
}

// testMigrationVersionsMatch checks DESIGN.md "Storage": DDL migrations per
// dialect, "same version numbers in both".
func testMigrationVersionsMatch(t *testing.T, _ *store.DB) {
	lite, pg := versions(t, store.SQLite), versions(t, store.Postgres)
	if len(lite) == 0 {
		t.Fatal("no migrations")
	}
	if !slices.Equal(lite, pg) {
		t.Fatalf("sqlite versions %v, postgres versions %v", lite, pg)
	}
	for i := 1; i < len(lite); i++ {
		if lite[i] <= lite[i-1] {
			t.Fatalf("versions %v are not strictly increasing", lite)
		}
	}
}

func testSchemaVersion(t *testing.T, db *store.DB) {
	vs := versions(t, db.Dialect())
	v, err := db.SchemaVersion(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := vs[len(vs)-1]; v != want {
		t.Fatalf("schema version %d, want %d", v, want)
	}
	if n := countRows(t, db, "schema_migrations"); n != len(vs) {
		t.Fatalf("schema_migrations has %d rows, want %d", n, len(vs))
	}
}

type migrationRow struct {
	version int
	name    string
	applied int64
}

func migrationRows(t *testing.T, db *store.DB) []migrationRow {
	t.Helper()
	rows, err := db.SQL().QueryContext(context.Background(), `SELECT version, name, applied_unix FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []migrationRow
	for rows.Next() {
		var r migrationRow
		if err := rows.Scan(&r.version, &r.name, &r.applied); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func testReopenAppliesNothing(t *testing.T, db *store.DB) {
	ctx := context.Background()
	seed(t, db) // data must survive a reopen
	before := migrationRows(t, db)
	again, err := store.Open(ctx, dsnOf(db))
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer again.Close()
	after := migrationRows(t, again)
	if !slices.Equal(before, after) {
		t.Fatalf("schema_migrations changed on reopen:\nbefore %v\nafter  %v", before, after)
	}
	if _, err := again.AccountByNumber(ctx, "7000000001"); err != nil {
		t.Fatalf("seeded account after reopen: %v", err)
	}
}

// testConcurrentOpens opens one fresh database twice at the same moment, as
// two gridbook processes starting together would; both must succeed and
// the schema must be applied once.
func testConcurrentOpens(t *testing.T, db *store.DB) {
	var dsn string
	if db.Dialect() == store.Postgres {
		dsn = ScratchPostgres(t)
	} else {
		dsn = filepath.Join(t.TempDir(), "concurrent.db")
	}
	const n = 2
	dbs := make([]*store.DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { dbs[i], errs[i] = store.Open(context.Background(), dsn) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Errorf("open %d: %v", i, errs[i])
			continue
		}
		defer dbs[i].Close()
	}
	if t.Failed() {
		return
	}
	vs := versions(t, db.Dialect())
	if rows := migrationRows(t, dbs[0]); len(rows) != len(vs) {
		t.Fatalf("schema_migrations has %d rows, want %d", len(rows), len(vs))
	}
}
