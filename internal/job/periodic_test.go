package job

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
)

// TestEveryRunsOnStartAndOncePerInterval: a recurring kind is enqueued
// when the queue starts, and a restart within the interval (a second
// process, or the same one again) does not enqueue it a second time.
func TestEveryRunsOnStartAndOncePerInterval(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gridbook.db")
	var runs atomic.Int32
	start := func() *Queue {
		db, err := OpenSQLite(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		q, err := NewSQLite(t.Context(), db, testOptions(t))
		if err != nil {
			t.Fatal(err)
		}
		if err := q.Register("test.expire", Decode(func(ctx context.Context, a struct {
			Scope string `json:"scope"`
		}, p *Progress) error {
			if a.Scope != "all" {
				t.Errorf("args scope %q, want all", a.Scope)
			}
			runs.Add(1)
			return nil
		})); err != nil {
			t.Fatal(err)
		}
		if err := q.Every("test.expire", 24*time.Hour, map[string]string{"scope": "all"}); err != nil {
			t.Fatal(err)
		}
		if err := q.Start(t.Context(), 1); err != nil {
			t.Fatal(err)
		}
		return q
	}
	stop := func(q *Queue) {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		if err := q.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	q := start()
	waitWithin(t, 30*time.Second, "the recurring job to run on start", func() bool { return runs.Load() == 1 })
	stop(q)

	q = start()
	time.Sleep(2 * time.Second) // room for a second insert, which must not happen
	jobs, err := q.List(t.Context(), Filter{Kinds: []string{"test.expire"}})
	stop(q)
	if err != nil {
		t.Fatal(err)
	}
	if len(jobs) != 1 || runs.Load() != 1 {
		t.Errorf("%d jobs and %d runs after a restart within the interval, want 1 and 1", len(jobs), runs.Load())
	}
}

// TestEveryRules: the kind must be registered, the interval at least a
// minute, each kind scheduled once, before Start.
func TestEveryRules(t *testing.T) {
	q := openSQLiteQueue(t, testOptions(t))
	noop := func(context.Context, json.RawMessage, *Progress) error { return nil }
	if err := q.Every("test.unknown", time.Hour, nil); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("unregistered kind: %v, want Invalid", err)
	}
	if err := q.Register("test.tick", noop); err != nil {
		t.Fatal(err)
	}
	if err := q.Every("test.tick", time.Second, nil); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("1 s interval: %v, want Invalid", err)
	}
	if err := q.Every("test.tick", time.Hour, nil); err != nil {
		t.Fatal(err)
	}
	if err := q.Every("test.tick", 2*time.Hour, nil); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("scheduled twice: %v, want Conflict", err)
	}
	if err := q.Start(t.Context(), 1); err != nil {
		t.Fatal(err)
	}
	stopOnCleanup(t, q)
	if err := q.Every("test.tick", 3*time.Hour, nil); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("scheduled after Start: %v, want Conflict", err)
	}
}
