package job

import (
	"context"
	"database/sql"
	"encoding/json"
	"path/filepath"
	"testing"
)

// TestSQLiteJobsBesideStoreHandle checks the arrangement recommended for
// SQLite: the store keeps its own *sql.DB on the file and the queue gets a
// second, one-connection handle from OpenSQLite. Handlers write through the
// store's handle while the queue writes through its own, and every job must
// complete with its row written on its first attempt (no SQLITE_BUSY, and no
// deadlock from a progress report made inside a store transaction).
func TestSQLiteJobsBesideStoreHandle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gridbook.db")
	// The store's DSN needs _txlock=immediate as well: with the lead's
	// pragmas alone, a handler's read-then-write transaction fails with
	// "database is locked (5) (SQLITE_BUSY)" whenever the queue's handle
	// wrote after it began, busy_timeout notwithstanding (seen here, with
	// 19 of 50 jobs failing).
	store, err := sql.Open("sqlite", SQLiteDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	if _, err := store.Exec(`CREATE TABLE imported (job_id INTEGER PRIMARY KEY, n INTEGER NOT NULL) STRICT`); err != nil {
		t.Fatal(err)
	}
	jobsDB, err := OpenSQLite(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { jobsDB.Close() })
	q, err := NewSQLite(t.Context(), jobsDB, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := q.Register("test.import", func(ctx context.Context, _ json.RawMessage, p *Progress) error {
		tx, err := store.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM imported`).Scan(&n); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO imported (job_id, n) VALUES ($1, $2)`, p.JobID(), n); err != nil {
			return err
		}
		p.Report(1, 1, "imported")
		return tx.Commit()
	}); err != nil {
		t.Fatal(err)
	}
	if err := q.Start(context.Background(), 4); err != nil {
		t.Fatal(err)
	}
	stopOnCleanup(t, q)

	const jobs = 50
	for range jobs {
		if _, err := q.Enqueue(t.Context(), "test.import", nil); err != nil {
			t.Fatal(err)
		}
	}
	var list []Info
	waitFor(t, "all jobs to finish", func() bool {
		list, err = q.List(t.Context(), Filter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range list {
			if !j.State.Final() {
				return false
			}
		}
		return true
	})
	for _, j := range list {
		if j.State != StateCompleted || j.Attempt != 1 {
			t.Errorf("job %d = state %q attempt %d errors %v, want completed on attempt 1", j.ID, j.State, j.Attempt, j.Errors)
		}
	}
	var rows int
	if err := store.QueryRow(`SELECT count(*) FROM imported`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != jobs {
		t.Errorf("store has %d rows, want %d", rows, jobs)
	}
}
