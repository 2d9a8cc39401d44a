package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/job"
)

// enqueueJobs is fakeJobs that also takes work, recording it.
type enqueueJobs struct {
	fakeJobs
	kinds []string
	args  []json.RawMessage
}

func (q *enqueueJobs) Enqueue(_ context.Context, kind string, args any, _ ...job.EnqueueOption) (int64, error) {
	b, err := json.Marshal(args)
	q.kinds, q.args = append(q.kinds, kind), append(q.args, b)
	return int64(40 + len(q.kinds)), err
}

// TestRunBillsEnqueuesTheRunsJob: a program manager starts the July 2025
// run from /bill-runs; the run is recorded with the manager as its actor
// and its bill.run job is enqueued; the answer is the run's page, which
// follows its progress. A bad cycle and read day are named next to their
// fields; a second run of a cycle still queued is refused; an analyst
// sees no form and is refused; without a job queue there is no form.
func TestRunBillsEnqueuesTheRunsJob(t *testing.T) {
	s := newTestSite(t)
	q := &enqueueJobs{}
	h, err := NewHandler(Config{Log: discardLog(), DB: s.db, Jobs: q})
	if err != nil {
		t.Fatal(err)
	}
	s.h = h
	mgr := s.login(t, "/login", managerEmail)
	if w := s.get(t, "/bill-runs", mgr); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `action="/bill-runs"`) {
		t.Fatalf("manager's page: %d\n%s", w.Code, w.Body)
	}
	w := s.post(t, "/bill-runs", mgr, url.Values{"cycle": {"2025-07"}, "read_day": {"1"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/bill-runs/1" {
		t.Fatalf("start: %d %q\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	run, err := s.db.BillRun(context.Background(), 1)
	if err != nil || run.Cycle != "2025-07" || run.ReadDay != 1 || run.Status != billrun.RunQueued || !strings.Contains(run.Actor, managerEmail) {
		t.Errorf("run %+v (%v)", run, err)
	}
	if len(q.kinds) != 1 || q.kinds[0] != billrun.JobKind || string(q.args[0]) != `{"run_id":1}` {
		t.Errorf("enqueued %v %s, want one bill.run of run 1", q.kinds, q.args)
	}
	if w := s.get(t, "/bill-runs/1", mgr); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "waiting for its job") {
		t.Errorf("run page: %d\n%s", w.Code, w.Body)
	}
	w = s.post(t, "/bill-runs", mgr, url.Values{"cycle": {"2025-13"}, "read_day": {"30"}})
	if body := w.Body.String(); w.Code != http.StatusBadRequest || !strings.Contains(body, "must be a month such as 2025-07") || !strings.Contains(body, "must be 1–28") {
		t.Errorf("bad input: %d\n%s", w.Code, body)
	}
	w = s.post(t, "/bill-runs", mgr, url.Values{"cycle": {"2025-07"}, "read_day": {"1"}})
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "still queued or running") {
		t.Errorf("second run of a queued cycle: %d\n%s", w.Code, w.Body)
	}
	if len(q.kinds) != 1 {
		t.Errorf("%d jobs enqueued, want 1", len(q.kinds))
	}
	analyst := s.login(t, "/login", analystEmail)
	if w := s.get(t, "/bill-runs", analyst); strings.Contains(w.Body.String(), `action="/bill-runs"`) {
		t.Error("an analyst sees the Run bills form")
	}
	if w := s.post(t, "/bill-runs", analyst, url.Values{"cycle": {"2025-08"}, "read_day": {"1"}}); w.Code != http.StatusForbidden {
		t.Errorf("analyst start: %d", w.Code)
	}
	plain, err := NewHandler(Config{Log: discardLog(), DB: s.db, Jobs: &fakeJobs{}})
	if err != nil {
		t.Fatal(err)
	}
	s.h = plain
	if w := s.get(t, "/bill-runs", mgr); strings.Contains(w.Body.String(), `action="/bill-runs"`) {
		t.Error("the form is shown without a queue that takes work")
	}
}
