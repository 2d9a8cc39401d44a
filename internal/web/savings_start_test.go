package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/job"
	"github.com/gridbook/gridbook/internal/savings"
	"github.com/gridbook/gridbook/internal/store"
)

// TestRunSavingsEnqueuesTheRunsJob: a program manager starts a portfolio
// run of the smart thermostat enrollments with the eemeter 4.x daily model
// from /savings; the run is recorded with its settings and the manager as
// its actor, its savings.run job is enqueued, and the run's page follows.
// A missing program, an unknown model and fuel and blackout days out of
// range are named next to their fields with nothing recorded; an analyst
// sees no form and is refused; without a job queue there is no form.
func TestRunSavingsEnqueuesTheRunsJob(t *testing.T) {
	s := newTestSite(t)
	q := &enqueueJobs{}
	h, err := NewHandler(Config{Log: discardLog(), DB: s.db, Jobs: q})
	if err != nil {
		t.Fatal(err)
	}
	s.h = h
	mgr := s.login(t, "/login", managerEmail)
	if w := s.get(t, "/savings", mgr); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `action="/savings"`) {
		t.Fatalf("manager's page: %d\n%s", w.Code, w.Body)
	}
	w := s.post(t, "/savings", mgr, url.Values{"program": {"smart_thermostat"}, "method": {"daily"}, "fuel": {"electricity"}, "blackout_days": {"30"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/savings/1" {
		t.Fatalf("start: %d %q\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	run, err := s.db.SavingsRun(context.Background(), 1)
	if err != nil || run.Program != "smart_thermostat" || run.Method != string(savings.MethodDaily) || run.Fuel != "electricity" ||
		run.BlackoutDays != 30 || !strings.Contains(run.Actor, managerEmail) {
		t.Errorf("run %+v (%v)", run, err)
	}
	if len(q.kinds) != 1 || q.kinds[0] != savings.RunJobKind || string(q.args[0]) != `{"run_id":1}` {
		t.Errorf("enqueued %v %s, want one savings.run of run 1", q.kinds, q.args)
	}
	w = s.post(t, "/savings", mgr, url.Values{"program": {" "}, "method": {"caltrack-billing"}, "fuel": {"steam"}, "blackout_days": {"400"}})
	body := w.Body.String()
	for _, want := range []string{"is required", "want caltrack-daily or daily", "want electricity or gas", "want 0–366 days"} {
		if w.Code != http.StatusBadRequest || !strings.Contains(body, want) {
			t.Errorf("bad input: %d, want %q in\n%s", w.Code, want, body)
		}
	}
	if w := s.post(t, "/savings", mgr, url.Values{"program": {"x"}, "blackout_days": {"ten"}}); w.Code != http.StatusBadRequest ||
		!strings.Contains(w.Body.String(), "must be a whole number of days") {
		t.Errorf("non-numeric blackout days: %d\n%s", w.Code, w.Body)
	}
	if runs, err := s.db.SavingsRuns(context.Background(), 10); err != nil || len(runs) != 1 || len(q.kinds) != 1 {
		t.Errorf("%d runs (%v), %d jobs after refusals; want 1 and 1", len(runs), err, len(q.kinds))
	}
	analyst := s.login(t, "/login", analystEmail)
	if w := s.get(t, "/savings", analyst); strings.Contains(w.Body.String(), `action="/savings"`) {
		t.Error("an analyst sees the Run savings form")
	}
	if w := s.post(t, "/savings", analyst, url.Values{"program": {"smart_thermostat"}}); w.Code != http.StatusForbidden {
		t.Errorf("analyst start: %d", w.Code)
	}
	plain, err := NewHandler(Config{Log: discardLog(), DB: s.db, Jobs: &fakeJobs{}})
	if err != nil {
		t.Fatal(err)
	}
	s.h = plain
	if w := s.get(t, "/savings", mgr); strings.Contains(w.Body.String(), `action="/savings"`) {
		t.Error("the form is shown without a queue that takes work")
	}
}

// refusingJobs is a queue that takes work but cannot enqueue it.
type refusingJobs struct{ enqueueJobs }

func (*refusingJobs) Enqueue(context.Context, string, any, ...job.EnqueueOption) (int64, error) {
	return 0, errors.New("queue unavailable")
}

// TestRunSavingsWithoutItsJobFails: when the job cannot be enqueued the
// run is not left "running" for ever: it is recorded as failed, with the
// reason in its audit entry, and the manager gets an error page.
func TestRunSavingsWithoutItsJobFails(t *testing.T) {
	s := newTestSite(t)
	h, err := NewHandler(Config{Log: discardLog(), DB: s.db, Jobs: &refusingJobs{}})
	if err != nil {
		t.Fatal(err)
	}
	s.h = h
	mgr := s.login(t, "/login", managerEmail)
	w := s.post(t, "/savings", mgr, url.Values{"program": {"smart_thermostat"}, "method": {"daily"}, "fuel": {"electricity"}})
	if w.Code < 500 {
		t.Fatalf("start with a refusing queue: %d\n%s", w.Code, w.Body)
	}
	ctx := context.Background()
	run, err := s.db.SavingsRun(ctx, 1)
	if err != nil || run.Status != store.SavingsRunFailed || run.JobID != 0 {
		t.Fatalf("run %+v (%v), want failed without a job", run, err)
	}
	if err := s.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.FailSavingsRun(ctx, seedActor, 1, "again")
		return err
	}); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("failing a failed run: %v, want a conflict", err)
	}
	entries, err := s.db.AuditLog(ctx, store.AuditFilter{Entity: "savings_run", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		if e.Action == "fail" && strings.Contains(string(e.After), "could not enqueue its job: queue unavailable") {
			found = true
		}
	}
	if !found {
		t.Errorf("no audit entry with the reason: %+v", entries)
	}
}
