package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/store"
)

// TestOpenWaitsOutAnotherWriter: while another process holds a new SQLite
// file's write lock for longer than the busy timeout (10 s), Open keeps
// trying and succeeds once the lock is released, applying every
// migration — two gridbook processes starting together on a loaded
// machine both start.
func TestOpenWaitsOutAnotherWriter(t *testing.T) {
	if testing.Short() {
		t.Skip("holds a lock for 12 s")
	}
	path := filepath.Join(t.TempDir(), "busy.db")
	other, err := sql.Open("sqlite", store.SQLiteDSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(12 * time.Second)
		conn.ExecContext(ctx, `COMMIT`)
		conn.Close()
	}()
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatalf("open while another writer held the lock for 12 s: %v", err)
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil || v == 0 {
		t.Fatalf("schema version %d (%v) after the wait", v, err)
	}
}
