package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/job"
)

// fakeJobs is a job queue of fixed jobs, newest first, that records the
// filters it is asked for.
type fakeJobs struct {
	jobs    []job.Info
	filters []job.Filter
}

func (f *fakeJobs) List(_ context.Context, flt job.Filter) ([]job.Info, error) {
	f.filters = append(f.filters, flt)
	var out []job.Info
	for _, j := range f.jobs {
		if len(flt.States) > 0 && !slices.Contains(flt.States, j.State) || flt.BeforeID > 0 && j.ID >= flt.BeforeID {
			continue
		}
		out = append(out, j)
	}
	return out[:min(len(out), flt.Limit)], nil
}

func (f *fakeJobs) Get(_ context.Context, id int64) (job.Info, error) {
	for _, j := range f.jobs {
		if j.ID == id {
			return j, nil
		}
	}
	return job.Info{}, apperr.NotFoundf("fake", "no such job")
}

// twoJobs are a running demo generation at 40 of 100 and a cancelled
// import that failed twice.
func twoJobs() []job.Info {
	at := func(h int) time.Time { return time.Date(2026, 3, 10, h, 0, 0, 0, time.UTC) }
	done := at(18)
	return []job.Info{
		{ID: 2, Kind: "demo.generate", State: job.StateRunning, Attempt: 1, MaxAttempts: 5, CreatedAt: at(19), ScheduledAt: at(19),
			Args:     json.RawMessage(`{"accounts":2000,"seed":1,"year":2025}`),
			Progress: &job.ProgressInfo{Done: 40, Total: 100, Message: "accounts generated", UpdatedAt: at(19)}},
		{ID: 1, Kind: "intervals.import", State: job.StateCancelled, Attempt: 2, MaxAttempts: 5, CreatedAt: at(17), ScheduledAt: at(17),
			FinalizedAt: &done, Args: json.RawMessage(`{"file":"sce.csv"}`),
			Errors: []job.AttemptError{{At: at(17), Attempt: 1, Error: "meter GB1 not found"}, {At: done, Attempt: 2, Error: "file sce.csv: line 4: bad date"}}},
	}
}

// jobsSite is the seeded site with fake jobs.
func jobsSite(t *testing.T, jobs []job.Info) (*testSite, *fakeJobs) {
	t.Helper()
	s := newTestSite(t)
	fj := &fakeJobs{jobs: jobs}
	h, err := NewHandler(Config{Log: discardLog(), DB: s.db, Jobs: fj})
	if err != nil {
		t.Fatal(err)
	}
	s.h = h
	return s, fj
}

func TestJobsPageListsKindStateProgressAttemptsTimesAndErrors(t *testing.T) {
	s, _ := jobsSite(t, twoJobs())
	analyst := s.login(t, "/login", analystEmail) // read-only staff may look
	w := s.get(t, "/jobs", analyst)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d:\n%s", w.Code, w.Body)
	}
	body := html.UnescapeString(w.Body.String())
	for _, want := range []string{
		`<a href="/jobs/2">#2</a>`, "demo.generate", `badge-info">running`, `<progress max="100" value="40"`,
		"40 of 100 (40%) · accounts generated", "1 of 5", "Mar 10, 2026 12:00 PM PDT", // created 19:00 UTC
		`<a href="/jobs/1">#1</a>`, "intervals.import", `badge-danger">cancelled`, "2 of 5",
		"Mar 10, 2026 11:00 AM PDT",                                // finished 18:00 UTC
		"2 · <span class=\"small\">file sce.csv: line 4: bad date", // error count and the last error
		`aria-current="page">Jobs`,
		`hx-trigger="every 2s"`, // a job is running: the table refreshes
	} {
		if !strings.Contains(body, want) {
			t.Errorf("jobs page lacks %q", want)
		}
	}
}

func TestJobsPagePollsOnlyWhileAJobIsUnfinishedAndSendsOnlyTheBlock(t *testing.T) {
	s, fj := jobsSite(t, twoJobs())
	pm := s.login(t, "/login", managerEmail)
	w := getWith(t, s, "/jobs", pm, map[string]string{"HX-Request": "true", "HX-Target": "jobs"})
	body := strings.TrimSpace(w.Body.String())
	if !strings.HasPrefix(body, `<section id="jobs"`) || strings.Contains(body, "<html") || !strings.Contains(body, "every 2s") {
		t.Errorf("htmx refresh did not answer the polling jobs block:\n%.300s", body)
	}
	// Only finished jobs: no polling.
	w = s.get(t, "/jobs?state=cancelled", pm)
	if b := w.Body.String(); strings.Contains(b, "hx-trigger") || !strings.Contains(b, "intervals.import") || strings.Contains(b, "demo.generate") {
		t.Errorf("cancelled jobs page polls or lists the wrong jobs:\n%s", b)
	}
	if last := fj.filters[len(fj.filters)-1]; !slices.Equal(last.States, []job.State{job.StateCancelled}) || last.Limit != jobsPageSize+1 {
		t.Errorf("queue asked for %+v, want cancelled jobs, %d of them", last, jobsPageSize+1)
	}
	// An unknown state is ignored rather than passed to the queue.
	s.get(t, "/jobs?state=exploded", pm)
	if last := fj.filters[len(fj.filters)-1]; len(last.States) != 0 {
		t.Errorf("unknown state reached the queue: %+v", last)
	}
}

func TestJobsPagePagesWithACursor(t *testing.T) {
	var jobs []job.Info
	for id := int64(jobsPageSize + 3); id >= 1; id-- {
		jobs = append(jobs, job.Info{ID: id, Kind: "demo.generate", State: job.StateCompleted, Attempt: 1, MaxAttempts: 5})
	}
	s, _ := jobsSite(t, jobs)
	pm := s.login(t, "/login", managerEmail)
	first := s.get(t, "/jobs", pm).Body.String()
	next := fmt.Sprintf(`href="/jobs?before=%d"`, 4)
	if !strings.Contains(first, next) || strings.Contains(first, `href="/jobs/3"`) {
		t.Fatalf("first page lacks the cursor %s or lists job 3", next)
	}
	second := s.get(t, "/jobs?before=4", pm).Body.String()
	for _, id := range []string{"1", "2", "3"} {
		if !strings.Contains(second, `href="/jobs/`+id+`"`) {
			t.Errorf("second page lacks job %s", id)
		}
	}
	if strings.Contains(second, "Next page") {
		t.Error("last page offers a next page")
	}
}

func TestJobPageShowsProgressArgumentsAndErrors(t *testing.T) {
	s, _ := jobsSite(t, twoJobs())
	pm := s.login(t, "/login", managerEmail)
	running := html.UnescapeString(s.get(t, "/jobs/2", pm).Body.String())
	for _, want := range []string{"<h1>Job 2", "demo.generate", `<progress max="100" value="40"`, "40 of 100 (40%)",
		`<dt class="mono">accounts</dt><dd class="mono">2000</dd>`, `<dt class="mono">seed</dt><dd class="mono">1</dd>`,
		"No failed attempts.", `hx-get="/jobs/2"`, "Attempt</dt><dd>1 of 5"} {
		if !strings.Contains(running, want) {
			t.Errorf("running job page lacks %q", want)
		}
	}
	failed := html.UnescapeString(s.get(t, "/jobs/1", pm).Body.String())
	for _, want := range []string{`<dt class="mono">file</dt><dd class="mono">sce.csv</dd>`, "meter GB1 not found",
		"file sce.csv: line 4: bad date", "no progress reported"} {
		if !strings.Contains(failed, want) {
			t.Errorf("failed job page lacks %q", want)
		}
	}
	if strings.Contains(failed, "hx-trigger") {
		t.Error("a finished job's page polls")
	}
	w := getWith(t, s, "/jobs/2", pm, map[string]string{"HX-Request": "true", "HX-Target": "job"})
	if b := strings.TrimSpace(w.Body.String()); !strings.HasPrefix(b, `<div id="job"`) || strings.Contains(b, "<h1>") {
		t.Errorf("htmx refresh did not answer the job block:\n%.200s", b)
	}
}

func TestJobPagesAreStaffOnlyAndUnknownJobsAreNotFound(t *testing.T) {
	s, _ := jobsSite(t, twoJobs())
	admin := s.login(t, "/login", adminEmail)
	for _, p := range []string{"/jobs/99", "/jobs/abc", "/jobs/0"} {
		if w := s.get(t, p, admin); w.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, w.Code)
		}
	}
	maria := s.login(t, "/my/login", mariaEmail)
	for _, p := range []string{"/jobs", "/jobs/2"} {
		if w := s.get(t, p, maria); w.Code == http.StatusOK || strings.Contains(w.Body.String(), "demo.generate") {
			t.Errorf("customer GET %s = %d, shows jobs", p, w.Code)
		}
		if w := s.get(t, p, ""); w.Code == http.StatusOK {
			t.Errorf("signed-out GET %s = %d", p, w.Code)
		}
	}
	// A process without a queue says so instead of failing.
	plain := newTestSite(t)
	if w := plain.get(t, "/jobs", plain.login(t, "/login", adminEmail)); w.Code != http.StatusNotFound ||
		!strings.Contains(w.Body.String(), "This process has no job queue.") {
		t.Errorf("no queue: %d\n%s", w.Code, w.Body)
	}
}

func TestJobArgumentsAreListedByName(t *testing.T) {
	got := argFields(json.RawMessage(`{"seed":1,"path":"/tmp/a b.csv","opts":{"dry":true},"list":[1,2]}`))
	want := []ArgField{{"list", "[1,2]"}, {"opts", `{"dry":true}`}, {"path", "/tmp/a b.csv"}, {"seed", "1"}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("argFields = %v, want %v", got, want)
	}
	if got := argFields(json.RawMessage(`[1,2]`)); len(got) != 1 || got[0].Name != "arguments" || got[0].Value != "[1,2]" {
		t.Errorf("non-object arguments = %v", got)
	}
	if got := argFields(nil); got != nil {
		t.Errorf("no arguments = %v", got)
	}
}
