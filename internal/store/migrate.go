package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFS embed.FS

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the embedded migrations of a dialect in version order.
func Migrations(d Dialect) ([]Migration, error) {
	dir := path.Join("migrations", string(d))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("store: migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("store: migration %s: want NNNN_name.sql", name)
		}
		b, err := migrationFS.ReadFile(path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: strings.TrimSuffix(name, ".sql"), SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// migrationLockKey is the PostgreSQL advisory lock key that serializes the
// creation of schema_migrations among processes starting at once (any
// constant works; this one spells "gridbook" in ASCII hex, truncated).
const migrationLockKey int64 = 0x67726964626f6f

// migrate applies pending migrations, each in its own transaction with its
// row in schema_migrations.
func (db *DB) migrate(ctx context.Context) error {
	err := db.InTx(ctx, func(tx *Tx) error {
		if db.dialect == Postgres {
			// Two processes running CREATE TABLE IF NOT EXISTS at once can
			// both pass the existence check and one then fails on the
			// catalog's unique index; a transaction-scoped advisory lock
			// serializes them (PostgreSQL docs §9.28.10, advisory locks).
			if _, err := tx.q.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLockKey); err != nil {
				return err
			}
		}
		_, err := tx.q.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_unix BIGINT NOT NULL)`)
		return err
	})
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	ms, err := Migrations(db.dialect)
	if err != nil {
		return err
	}
	applied, err := db.appliedVersions(ctx)
	if err != nil {
		return err
	}
	for _, m := range ms {
		// Apply every migration not yet recorded, not only those above the
		// highest: a migration numbered into a gap (0002 after 0003) must
		// still run on databases that already have later ones.
		if applied[m.Version] {
			continue
		}
		err := db.InTx(ctx, func(tx *Tx) error {
			if db.dialect == Postgres {
				// Serialize concurrent starts of several processes. (SQLite
				// transactions begin IMMEDIATE, which already takes the
				// write lock.)
				if _, err := tx.q.ExecContext(ctx, `LOCK TABLE schema_migrations IN EXCLUSIVE MODE`); err != nil {
					return err
				}
			}
			// Another process may have applied m since SchemaVersion was
			// read; re-check under the lock.
			var n int
			if err := tx.q.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, m.Version).Scan(&n); err != nil || n > 0 {
				return err
			}
			if _, err := tx.q.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.q.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_unix) VALUES ($1, $2, $3)`,
				m.Version, m.Name, db.Now().Unix())
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %s: %w", m.Name, err)
		}
	}
	return nil
}

// appliedVersions returns the versions recorded in schema_migrations.
func (db *DB) appliedVersions(ctx context.Context) (map[int]bool, error) {
	rows, err := db.sql.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("store: applied migrations: %w", err)
	}
	defer rows.Close()
	out := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out[v] = true
	}
	return out, rows.Err()
}

// SchemaVersion returns the highest applied migration version (0 if none).
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := db.sql.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: schema version: %w", err)
	}
	return v, nil
}
