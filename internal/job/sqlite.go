package job

import (
	"context"
	"database/sql"
	"log/slog"
	"net/url"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/gridbook/gridbook/internal/apperr"
)

// SQLiteDSN returns the modernc.org/sqlite data source name for the job
// queue's own handle on the database file at path (which must not contain
// '?'):
//
//   - journal_mode(WAL), so readers and the single writer do not block each
//     other (River's own SQLite test pools set it: rivershared
//     riversharedtest.dbPoolSQLite);
//   - busy_timeout(10000), so a write that meets the store's handle's write
//     lock waits up to 10 s instead of failing with SQLITE_BUSY
//     (https://sqlite.org/pragma.html#pragma_busy_timeout);
//   - foreign_keys(1), as everywhere in gridbook;
//   - _txlock=immediate, so every transaction takes the write lock when it
//     begins; a deferred transaction that reads first and then writes can
//     fail at once with SQLITE_BUSY under WAL when another connection wrote
//     meanwhile, without waiting for busy_timeout
//     (https://sqlite.org/lang_transaction.html, "BEGIN IMMEDIATE").
func SQLiteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// OpenSQLite opens the handle NewSQLite wants on the SQLite file at path: a
// second *sql.DB beside the store's, limited to one connection.
func OpenSQLite(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", SQLiteDSN(path))
	if err != nil {
		return nil, apperr.E(apperr.Internal, "job.OpenSQLite", "", err)
	}
	// River's SQLite driver does many things at once and SQLite allows one
	// writer; River recommends a single connection
	// (riverdriver/riversqlite package doc).
	db.SetMaxOpenConns(1)
	return db, nil
}

// NewSQLite returns a Queue on an SQLite database, applying River's schema
// migrations first (idempotent). db must be limited to one open connection
// (db.SetMaxOpenConns(1), as OpenSQLite does) and must stay open while the
// Queue is used.
func NewSQLite(ctx context.Context, db *sql.DB, opts Options) (*Queue, error) {
	const op = "job.NewSQLite"
	if n := db.Stats().MaxOpenConnections; n != 1 {
		return nil, apperr.Invalidf(op, "the job queue's SQLite handle must allow exactly one open connection (SetMaxOpenConns(1)), not %d", n)
	}
	opts = opts.withDefaults()
	driver := riversqlite.New(db)
	if err := migrate(ctx, driver, opts.Logger); err != nil {
		return nil, apperr.E(apperr.Internal, op, "", err)
	}
	eng, err := newRiverEngine(driver, insertConfig(opts))
	if err != nil {
		return nil, apperr.E(apperr.Internal, op, "", err)
	}
	return newQueue(eng, opts), nil
}

// migrate applies River's schema migrations that are not yet applied.
func migrate[TTx any](ctx context.Context, driver riverdriver.Driver[TTx], logger *slog.Logger) error {
	m, err := rivermigrate.New(driver, &rivermigrate.Config{Logger: logger})
	if err != nil {
		return err
	}
	_, err = m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	return err
}
