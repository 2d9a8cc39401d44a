// Package store persists gridbook's records in SQLite (embedded, the
// default) or PostgreSQL (production, shared by several processes). SQL is
// written by hand: each DML statement once with $N placeholders, DDL per
// dialect in embedded migrations applied at start. Every mutation runs inside
// one transaction through InTx together with its audit record, so a failure
// part-way leaves nothing half-written.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/reference"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the database engine behind a DB.
type Dialect string

// Supported dialects.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open gridbook database.
type DB struct {
	queries
	sql     *sql.DB
	pool    *pgxpool.Pool // PostgreSQL only
	dialect Dialect
	path    string // SQLite file path
	ref     *reference.Tables
	// reads is a read-only pool beside the one-connection SQLite writer,
	// so that long reads (a bill run's loader) go on while it writes;
	// nil on PostgreSQL, whose pool already has many connections.
	reads *sql.DB
	// Now is the clock; tests may replace it.
	Now func() time.Time
	// oadrRevoked counts OpenADR token revocations committed through this
	// handle (OADRRevocations).
	oadrRevoked atomic.Int64
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// SQLiteDSN returns the driver DSN for a SQLite file with gridbook's
// settings: WAL, foreign keys enforced, a busy timeout.
func SQLiteDSN(path string) string {
	v := url.Values{}
	v.Add("_pragma", "foreign_keys(1)")
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "journal_mode(WAL)")
	v.Add("_pragma", "synchronous(NORMAL)")
	v.Set("_txlock", "immediate")
	return "file:" + path + "?" + v.Encode()
}

// sqliteReadDSN is the DSN of SQLite read connections: queries only,
// with the writer's busy timeout. Under WAL they read the last committed
// state while the writer writes.
func sqliteReadDSN(path string) string {
	v := url.Values{}
	v.Add("_pragma", "busy_timeout(10000)")
	v.Add("_pragma", "query_only(1)")
	return "file:" + path + "?" + v.Encode()
}

// snapshot returns the queries of the read pool (the main handle on
// PostgreSQL): they see committed data only and never wait for the
// writer's connection.
func (db *DB) snapshot() queries {
	if db.reads == nil {
		return db.queries
	}
	return queries{q: db.reads, db: db}
}

// Open opens (creating if needed) the database named by dsn — a file path
// for SQLite or a postgres:// URL — and applies pending migrations.
func Open(ctx context.Context, dsn string) (*DB, error) {
	ref, err := reference.Load()
	if err != nil {
		return nil, fmt.Errorf("store: reference tables: %w", err)
	}
	db := &DB{Now: func() time.Time { return time.Now().UTC() }, ref: ref}
	if IsPostgres(dsn) {
		cfg, err := pgxpool.ParseConfig(dsn)
		if err != nil {
			return nil, apperr.E(apperr.Invalid, "store.Open", "bad PostgreSQL URL", err)
		}
		pool, err := pgxpool.NewWithConfig(ctx, cfg)
		if err != nil {
			return nil, fmt.Errorf("store: connect: %w", err)
		}
		if err := pool.Ping(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("store: connect: %w", err)
		}
		db.pool, db.sql, db.dialect = pool, stdlib.OpenDBFromPool(pool), Postgres
	} else {
		if dsn == "" {
			return nil, apperr.Invalidf("store.Open", "no database given")
		}
		s, err := sql.Open("sqlite", SQLiteDSN(dsn))
		if err != nil {
			return nil, fmt.Errorf("store: open %s: %w", dsn, err)
		}
		// SQLite allows one writer; one connection avoids SQLITE_BUSY between
		// our own goroutines (WAL still lets other processes read).
		s.SetMaxOpenConns(1)
		db.sql, db.dialect, db.path = s, SQLite, dsn
		if db.reads, err = sql.Open("sqlite", sqliteReadDSN(dsn)); err != nil {
			s.Close()
			return nil, fmt.Errorf("store: open %s: %w", dsn, err)
		}
		db.reads.SetMaxOpenConns(2)
	}
	db.queries = queries{q: db.sql, db: db}
	err = db.migrate(ctx)
	// Two processes opening a new SQLite file together contend for its
	// write lock; on a loaded machine one migration can outlast the other's
	// busy timeout. Both must start, so a busy migration is tried again
	// (for at most a minute); the re-check under the lock keeps each
	// migration applied once.
	for deadline := time.Now().Add(time.Minute); err != nil && db.dialect == SQLite && sqliteBusy(err) && time.Now().Before(deadline); {
		select {
		case <-ctx.Done():
			db.Close()
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		err = db.migrate(ctx)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// sqliteBusy reports whether err is SQLite's "database is locked" (or a
// busy snapshot) from another connection holding the file.
func sqliteBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()&0xff == sqlite3.SQLITE_BUSY
	}
	return strings.Contains(err.Error(), "SQLITE_BUSY") // from the driver's connection set-up
}

// Close releases the database.
func (db *DB) Close() error {
	err := db.sql.Close()
	if db.reads != nil {
		db.reads.Close()
	}
	if db.pool != nil {
		db.pool.Close()
	}
	return err
}

// Reference returns the reference tables premises are resolved against.
func (db *DB) Reference() *reference.Tables { return db.ref }

// Dialect reports the database engine.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL returns the underlying handle, for packages (such as the job queue)
// that manage their own tables.
func (db *DB) SQL() *sql.DB { return db.sql }

// Pool returns the PostgreSQL connection pool, or nil on SQLite.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Path returns the SQLite file path, or "" on PostgreSQL.
func (db *DB) Path() string { return db.path }

// Tx is a database transaction. Mutations are methods of Tx, so they always
// run inside one.
type Tx struct {
	queries
	tx *sql.Tx
	// committed runs after the transaction commits.
	committed []func()
}

// InTx runs fn in a transaction, committing when it returns nil and rolling
// back otherwise (or on panic).
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	stx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", mapErr(err))
	}
	tx := &Tx{queries: queries{q: stx, db: db}, tx: stx}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback() // the panic is what matters
			panic(p)
		}
		if err != nil {
			_ = stx.Rollback() // the original error is what matters
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = stx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", mapErr(err))
	}
	for _, f := range tx.committed {
		f()
	}
	return nil
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// queries holds the read methods shared by DB and Tx.
type queries struct {
	q  querier
	db *DB
}

func (q queries) now() time.Time { return q.db.Now().UTC() }

// mapErr classifies driver errors by code, never by text: unique and
// foreign-key violations become Conflict and Invalid.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return apperr.E(apperr.Conflict, "store", "already exists", err)
		case "23503":
			return apperr.E(apperr.Invalid, "store", "refers to a record that does not exist", err)
		case "23514":
			return apperr.E(apperr.Invalid, "store", "violates a check rule", err)
		}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return apperr.E(apperr.Conflict, "store", "already exists", err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return apperr.E(apperr.Invalid, "store", "refers to a record that does not exist", err)
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			return apperr.E(apperr.Invalid, "store", "violates a check rule", err)
		}
	}
	return err
}

// b2i stores a flag as 0 or 1 in both dialects.
func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// nullDate stores a zero calendar date as NULL.
func nullText(s string) any {
	if s == "" {
		return nil
	}
	return s
}
