package web

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/job"
)

// Jobs is what the console needs of the durable job queue; *job.Queue
// satisfies it.
type Jobs interface {
	List(ctx context.Context, f job.Filter) ([]job.Info, error)
	Get(ctx context.Context, id int64) (job.Info, error)
}

// JobsPage is the Data of console/jobs.
type JobsPage struct {
	State   string // the state filter, "" for every state
	States  []Option
	Rows    []JobRow
	First   bool
	NextURL string
	Polling bool // some listed job is not finished: the table refreshes itself
}

// JobPage is the Data of console/job.
type JobPage struct {
	Job JobRow
}

// JobRow is a job as the console shows it.
type JobRow struct {
	job.Info
	Args []ArgField // the job's arguments, one per top-level field
}

// ArgField is one argument of a job: its name and value as text.
type ArgField struct {
	Name, Value string
}

// Finished reports whether the job is in a final state.
func (r JobRow) Finished() bool { return r.State.Final() }

// HasTotal reports whether the job's progress has a known total, so that a
// bar can be drawn.
func (r JobRow) HasTotal() bool { return r.Progress != nil && r.Progress.Total > 0 }

// Percent is the job's progress in whole percent (0–100), for the text
// beside the bar.
func (r JobRow) Percent() int64 {
	if !r.HasTotal() {
		return 0
	}
	return min(100, max(0, r.Progress.Done*100/r.Progress.Total))
}

// LastError is the error of the newest failed attempt, or "".
func (r JobRow) LastError() string {
	if len(r.Errors) == 0 {
		return ""
	}
	return r.Errors[len(r.Errors)-1].Error
}

// LastErrorShort is LastError cut to lastErrorRunes for the list.
func (r JobRow) LastErrorShort() string {
	e := []rune(r.LastError())
	if len(e) <= lastErrorRunes {
		return string(e)
	}
	return string(e[:lastErrorRunes-1]) + "…"
}

// lastErrorRunes is how much of a job's last error the list shows.
const lastErrorRunes = 120

// jobStates are the states the list can be filtered by, in the order a job
// passes through them (job.State).
var jobStates = []job.State{job.StateAvailable, job.StateScheduled, job.StateRunning, job.StateRetryable,
	job.StateCompleted, job.StateCancelled, job.StateDiscarded}

// jobsPageSize is how many jobs one page lists.
const jobsPageSize = 50

// jobPollSeconds is how often a page with unfinished jobs asks again for
// their progress; the queue stores progress at most once a second
// (job.Progress).
const jobPollSeconds = 2

// PollSeconds is how often the job pages refresh unfinished jobs.
func (JobsPage) PollSeconds() int { return jobPollSeconds }

// PollSeconds is how often the job page refreshes an unfinished job.
func (JobPage) PollSeconds() int { return jobPollSeconds }

// jobsList lists the durable jobs, newest first, optionally in one state
// (?state=), a page at a time with the cursor ?before=. While a listed job
// is unfinished the table polls itself (htmx, HX-Target "jobs") so that
// progress bars move.
func (h *handler) jobsList(w http.ResponseWriter, r *http.Request) {
	if h.jobs == nil {
		h.rd.Error(w, r, apperr.NotFoundf("web", "This process has no job queue."))
		return
	}
	q := r.URL.Query()
	state := q.Get("state")
	if !slices.Contains(jobStates, job.State(state)) {
		state = ""
	}
	before, _ := strconv.ParseInt(q.Get("before"), 10, 64)
	f := job.Filter{Limit: jobsPageSize + 1, BeforeID: max(before, 0)}
	if state != "" {
		f.States = []job.State{job.State(state)}
	}
	infos, err := h.jobs.List(r.Context(), f)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page := JobsPage{State: state, First: before <= 0, States: []Option{{Value: "", Label: "Every state"}}}
	for _, s := range jobStates {
		page.States = append(page.States, Option{Value: string(s), Label: string(s)})
	}
	infos, page.NextURL = cutPage(infos, jobsPageSize, func(j job.Info) int64 { return j.ID }, "/jobs", "before", "state", state)
	for _, info := range infos {
		page.Rows = append(page.Rows, newJobRow(info))
		page.Polling = page.Polling || !info.State.Final()
	}
	v := &View{Title: "Jobs", Nav: NavJobs, Data: page}
	if isPartial(r) && r.Header.Get("HX-Target") == "jobs" {
		h.rd.RenderBlock(w, r, http.StatusOK, "console/jobs", "jobs", v)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/jobs", v)
}

// jobDetail shows one job: its state, progress, attempts, arguments and
// the error of every failed attempt. While it is unfinished the job block
// polls itself (HX-Target "job").
func (h *handler) jobDetail(w http.ResponseWriter, r *http.Request) {
	if h.jobs == nil {
		h.rd.Error(w, r, apperr.NotFoundf("web", "This process has no job queue."))
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	info, err := h.jobs.Get(r.Context(), id)
	if apperr.Is(err, apperr.NotFound) {
		err = apperr.NotFoundf("web", "There is no job %d.", id)
	}
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	v := &View{Title: "Job " + strconv.FormatInt(id, 10), Nav: NavJobs, Data: JobPage{Job: newJobRow(info)}}
	if isPartial(r) && r.Header.Get("HX-Target") == "job" {
		h.rd.RenderBlock(w, r, http.StatusOK, "console/job", "job", v)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/job", v)
}

// newJobRow prepares a job for display, its arguments as name and value.
func newJobRow(info job.Info) JobRow {
	return JobRow{Info: info, Args: argFields(info.Args)}
}

// argFields lists the top-level fields of a job's JSON arguments in name
// order, strings without quotes and other values as compact JSON; arguments
// that are not an object are one field named "arguments".
func argFields(raw json.RawMessage) []ArgField {
	var obj map[string]json.RawMessage
	if len(raw) == 0 {
		return nil
	}
	if json.Unmarshal(raw, &obj) != nil {
		return []ArgField{{Name: "arguments", Value: compactJSON(raw)}}
	}
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, k)
	}
	slices.Sort(names)
	out := make([]ArgField, 0, len(names))
	for _, k := range names {
		v := obj[k]
		var s string
		if json.Unmarshal(v, &s) != nil {
			s = compactJSON(bytes.TrimSpace(v))
		}
		out = append(out, ArgField{Name: k, Value: s})
	}
	return out
}
