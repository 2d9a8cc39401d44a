package job

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/riverqueue/river"

	"github.com/gridbook/gridbook/internal/apperr"
)

// TestHandlerProgressIsVisibleWhileRunningAndAfterCompletion checks that a
// job runs once to completion and that the progress it reports is shown by
// Get both mid-run and at the end.
func TestHandlerProgressIsVisibleWhileRunningAndAfterCompletion(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			q := b.open(t, testOptions(t))
			reported := make(chan struct{})
			release := make(chan struct{})
			var gotArgs struct {
				Period string `json:"period"`
			}
			err := q.Register("test.bill_run", Decode(func(ctx context.Context, args struct {
				Period string `json:"period"`
			}, p *Progress) error {
				gotArgs = args
				p.Report(1, 3, "rating accounts")
				close(reported)
				<-release
				p.Report(3, 3, "bills issued")
				return nil
			}))
			if err != nil {
				t.Fatal(err)
			}
			if err := q.Start(context.Background(), 2); err != nil {
				t.Fatal(err)
			}
			stopOnCleanup(t, q)

			id, err := q.Enqueue(t.Context(), "test.bill_run", map[string]string{"period": "2026-03"})
			if err != nil {
				t.Fatal(err)
			}
			<-reported
			var mid Info
			waitFor(t, "progress to be stored", func() bool { mid = mustGet(t, q, id); return mid.Progress != nil })
			if mid.State != StateRunning {
				t.Errorf("state while running = %q, want running", mid.State)
			}
			if mid.Progress == nil || mid.Progress.Done != 1 || mid.Progress.Total != 3 || mid.Progress.Message != "rating accounts" {
				t.Errorf("progress while running = %+v, want 1/3 rating accounts", mid.Progress)
			}
			close(release)

			var end Info
			waitFor(t, "completion", func() bool { end = mustGet(t, q, id); return end.State.Final() })
			if end.State != StateCompleted || end.Attempt != 1 || end.FinalizedAt == nil || len(end.Errors) != 0 {
				t.Errorf("final job = state %q attempt %d finalized %v errors %v; want completed on attempt 1 without errors",
					end.State, end.Attempt, end.FinalizedAt, end.Errors)
			}
			if end.Progress == nil || end.Progress.Done != 3 || end.Progress.Total != 3 || end.Progress.Message != "bills issued" {
				t.Errorf("final progress = %+v, want 3/3 bills issued", end.Progress)
			}
			if gotArgs.Period != "2026-03" {
				t.Errorf("handler got period %q, want 2026-03", gotArgs.Period)
			}
			var args map[string]string
			if err := json.Unmarshal(end.Args, &args); err != nil || args["period"] != "2026-03" {
				t.Errorf("Info.Args = %s, want {\"period\":\"2026-03\"}", end.Args)
			}
		})
	}
}

// TestFailedAttemptsAreRecorded checks how a handler's error ends an
// attempt, keeping the error text each time. River's default retry policy
// waits attempt⁴ seconds (river retry_policy.go, DefaultClientRetryPolicy), and
// a retry due within its 5 s scheduler interval is made "available" at once
// rather than "retryable" (river internal/jobexecutor/job_executor.go): so a
// first failure leaves the job available for its 1 s retry, a second failure
// leaves it retryable for 16 s, a failure on the last attempt discards it,
// and a Permanent error cancels it.
func TestFailedAttemptsAreRecorded(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		opts      []EnqueueOption
		failures  int // failed attempts to wait for
		wantState State
		wantError string
	}{
		{"first failure: retry due now", errors.New("meter file missing"), nil, 1, StateAvailable, "meter file missing"},
		{"second failure: retryable", errors.New("meter file missing"), nil, 2, StateRetryable, "meter file missing"},
		{"last attempt: discarded", errors.New("meter file missing"), []EnqueueOption{MaxAttempts(1)}, 1, StateDiscarded, "meter file missing"},
		// River prefixes the cause with its error type (rivertype.JobCancelError.Error).
		{"permanent: cancelled", Permanent(errors.New("meter file missing")), nil, 1, StateCancelled, "JobCancelError: meter file missing"},
	}
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			q := b.open(t, testOptions(t))
			if err := q.Register("test.import", func(ctx context.Context, args json.RawMessage, p *Progress) error {
				var a struct{ Case int }
				if err := json.Unmarshal(args, &a); err != nil {
					return err
				}
				return tests[a.Case].err
			}); err != nil {
				t.Fatal(err)
			}
			if err := q.Start(context.Background(), 2); err != nil {
				t.Fatal(err)
			}
			stopOnCleanup(t, q)
			for i, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					id, err := q.Enqueue(t.Context(), "test.import", map[string]int{"Case": i}, tc.opts...)
					if err != nil {
						t.Fatal(err)
					}
					var got Info
					waitFor(t, "the attempts to fail", func() bool {
						got = mustGet(t, q, id)
						return len(got.Errors) >= tc.failures && got.State != StateRunning
					})
					if got.State != tc.wantState || got.Attempt != tc.failures || len(got.Errors) != tc.failures {
						t.Errorf("job = state %q attempt %d with %d errors, want %q after %d failed attempts",
							got.State, got.Attempt, len(got.Errors), tc.wantState, tc.failures)
					}
					for n, e := range got.Errors {
						if e.Attempt != n+1 || e.Error != tc.wantError {
							t.Errorf("error %d = attempt %d %q, want attempt %d %q", n, e.Attempt, e.Error, n+1, tc.wantError)
						}
					}
				})
			}
		})
	}
}

// TestCancel checks that a waiting job is cancelled at once, that a running
// job's context is cancelled and the job ends cancelled, and that unknown IDs
// are NotFound.
func TestCancel(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			q := b.open(t, testOptions(t))
			started := make(chan int64, 1)
			if err := q.Register("test.report", func(ctx context.Context, args json.RawMessage, p *Progress) error {
				started <- p.JobID()
				<-ctx.Done()
				return ctx.Err()
			}); err != nil {
				t.Fatal(err)
			}

			// Not started: the queue has no workers, so the job waits.
			waiting, err := q.Enqueue(t.Context(), "test.report", nil)
			if err != nil {
				t.Fatal(err)
			}
			info, err := q.Cancel(t.Context(), waiting)
			if err != nil {
				t.Fatal(err)
			}
			if info.State != StateCancelled || info.FinalizedAt == nil || info.Attempt != 0 {
				t.Errorf("cancelled waiting job = state %q finalized %v attempt %d; want cancelled, finalized, never attempted",
					info.State, info.FinalizedAt, info.Attempt)
			}

			if err := q.Start(context.Background(), 1); err != nil {
				t.Fatal(err)
			}
			stopOnCleanup(t, q)
			running, err := q.Enqueue(t.Context(), "test.report", nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := <-started; got != running {
				t.Fatalf("worker started job %d, want %d", got, running)
			}
			if _, err := q.Cancel(t.Context(), running); err != nil {
				t.Fatal(err)
			}
			var end Info
			waitFor(t, "the running job to end", func() bool { end = mustGet(t, q, running); return end.State.Final() })
			if end.State != StateCancelled || end.CancelRequestedAt == nil {
				t.Errorf("cancelled running job = state %q cancel requested %v; want cancelled with a request time", end.State, end.CancelRequestedAt)
			}

			if _, err := q.Get(t.Context(), 999_999); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("Get(unknown) error = %v, want NotFound", err)
			}
			if _, err := q.Cancel(t.Context(), 999_999); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("Cancel(unknown) error = %v, want NotFound", err)
			}
		})
	}
}

// TestListWithoutWorkers checks that a queue that was never started (as in
// the CLI) enqueues and lists jobs newest first, by kind, by state and page
// by page.
func TestListWithoutWorkers(t *testing.T) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			q := b.open(t, testOptions(t))
			noop := func(context.Context, json.RawMessage, *Progress) error { return nil }
			for _, k := range []string{"test.import", "test.settle"} {
				if err := q.Register(k, noop); err != nil {
					t.Fatal(err)
				}
			}
			var ids []int64
			for _, k := range []string{"test.import", "test.settle", "test.import"} {
				id, err := q.Enqueue(t.Context(), k, nil)
				if err != nil {
					t.Fatal(err)
				}
				ids = append(ids, id)
			}
			if _, err := q.Cancel(t.Context(), ids[1]); err != nil {
				t.Fatal(err)
			}
			tests := []struct {
				name string
				f    Filter
				want []int64 // indexes into ids
			}{
				{"all, newest first", Filter{}, []int64{2, 1, 0}},
				{"by kind", Filter{Kinds: []string{"test.import"}}, []int64{2, 0}},
				{"by state", Filter{States: []State{StateAvailable}}, []int64{2, 0}},
				{"cancelled", Filter{States: []State{StateCancelled}}, []int64{1}},
				{"limit", Filter{Limit: 1}, []int64{2}},
				{"next page", Filter{Limit: 1, BeforeID: ids[2]}, []int64{1}},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					got, err := q.List(t.Context(), tc.f)
					if err != nil {
						t.Fatal(err)
					}
					var gotIDs, wantIDs []int64
					for _, g := range got {
						gotIDs = append(gotIDs, g.ID)
					}
					for _, i := range tc.want {
						wantIDs = append(wantIDs, ids[i])
					}
					if diff := cmp.Diff(wantIDs, gotIDs); diff != "" {
						t.Errorf("listed IDs (-want +got):\n%s", diff)
					}
				})
			}
			if _, err := q.List(t.Context(), Filter{States: []State{"sleeping"}}); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("List(unknown state) error = %v, want Invalid", err)
			}
		})
	}
}

// TestRegisterAndEnqueueRules checks the input rules of Register, Enqueue
// and Start, which need no running workers.
func TestRegisterAndEnqueueRules(t *testing.T) {
	q := openSQLiteQueue(t, testOptions(t))
	noop := func(context.Context, json.RawMessage, *Progress) error { return nil }
	if err := q.Register("test.ok", noop); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		call func() error
		want apperr.Kind
	}{
		{"kind with a space", func() error { return q.Register("bill run", noop) }, apperr.Invalid},
		{"one-letter kind", func() error { return q.Register("b", noop) }, apperr.Invalid},
		{"nil handler", func() error { return q.Register("test.nil", nil) }, apperr.Invalid},
		{"duplicate kind", func() error { return q.Register("test.ok", noop) }, apperr.Conflict},
		{"unregistered kind", func() error { _, err := q.Enqueue(t.Context(), "test.unknown", nil); return err }, apperr.Invalid},
		{"raw args not JSON", func() error { _, err := q.Enqueue(t.Context(), "test.ok", json.RawMessage("{")); return err }, apperr.Invalid},
		{"priority 5", func() error { _, err := q.Enqueue(t.Context(), "test.ok", nil, Priority(5)); return err }, apperr.Invalid},
		{"zero workers", func() error { return q.Start(context.Background(), 0) }, apperr.Invalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil || apperr.KindOf(err) != tc.want {
				t.Errorf("error = %v, want kind %v", err, tc.want)
			}
		})
	}
}

// TestNewSQLiteRules checks that River's migrations can be applied again to
// the same database, and that a handle allowing several connections (which
// River's SQLite driver warns against) is refused.
func TestNewSQLiteRules(t *testing.T) {
	db, err := OpenSQLite(t.TempDir() + "/gridbook.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for range 2 {
		if _, err := NewSQLite(t.Context(), db, testOptions(t)); err != nil {
			t.Fatalf("NewSQLite: %v", err)
		}
	}
	db.SetMaxOpenConns(0)
	if _, err := NewSQLite(t.Context(), db, testOptions(t)); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("NewSQLite with unlimited connections: error = %v, want Invalid", err)
	}
}

// TestNilProgressIsANoOp checks that handlers can be unit-tested with a nil
// *Progress.
func TestNilProgressIsANoOp(t *testing.T) {
	var p *Progress
	p.Report(1, 2, "x")
	if p.JobID() != 0 || p.Attempt() != 0 {
		t.Errorf("nil Progress = job %d attempt %d, want 0, 0", p.JobID(), p.Attempt())
	}
}

// TestDecodeRejectsMistypedArgsPermanently checks that Decode hands typed
// arguments to its function and that arguments of the wrong shape fail as a
// permanent Invalid error rather than being retried.
func TestDecodeRejectsMistypedArgsPermanently(t *testing.T) {
	type billRun struct {
		Period string `json:"period"`
	}
	var got string
	h := Decode(func(_ context.Context, a billRun, _ *Progress) error { got = a.Period; return nil })
	if err := h(t.Context(), json.RawMessage(`{"period":"2026-03"}`), nil); err != nil || got != "2026-03" {
		t.Errorf("Decode(good args) = %v with period %q, want nil and 2026-03", err, got)
	}
	err := h(t.Context(), json.RawMessage(`{"period":202603}`), nil)
	var cancel *river.JobCancelError
	if !errors.As(err, &cancel) || !apperr.Is(err, apperr.Invalid) {
		t.Errorf("Decode(mistyped args) error = %v, want a permanent Invalid error", err)
	}
}
