package job

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/gridbook/gridbook/internal/apperr"
)

// State is where a job is in its life, as River names it
// (rivertype.JobState).
type State string

// The job states. Completed, Cancelled and Discarded are final.
const (
	StateAvailable State = "available" // waiting for a worker
	StateScheduled State = "scheduled" // waiting for its RunAt time
	StatePending   State = "pending"   // held back (not used by gridbook yet)
	StateRunning   State = "running"   // a worker is on it
	StateRetryable State = "retryable" // an attempt failed; will run again after backoff
	StateCompleted State = "completed" // succeeded
	StateCancelled State = "cancelled" // cancelled, or failed permanently
	StateDiscarded State = "discarded" // failed MaxAttempts times
)

// allStates lists every State, in the order the console shows them.
var allStates = []State{StateAvailable, StateScheduled, StatePending, StateRunning, StateRetryable, StateCompleted, StateCancelled, StateDiscarded}

// Final reports whether s is an end state.
func (s State) Final() bool {
	return s == StateCompleted || s == StateCancelled || s == StateDiscarded
}

// Info is what gridbook shows about a job.
type Info struct {
	ID          int64           `json:"id"`
	Kind        string          `json:"kind"`
	State       State           `json:"state"`
	Attempt     int             `json:"attempt"` // attempts started so far
	MaxAttempts int             `json:"max_attempts"`
	Priority    int             `json:"priority"`
	CreatedAt   time.Time       `json:"created_at"`
	ScheduledAt time.Time       `json:"scheduled_at"`
	AttemptedAt *time.Time      `json:"attempted_at,omitempty"` // start of the latest attempt
	FinalizedAt *time.Time      `json:"finalized_at,omitempty"`
	AttemptedBy []string        `json:"attempted_by,omitempty"` // River client IDs, one per attempt
	Args        json.RawMessage `json:"args"`
	Progress    *ProgressInfo   `json:"progress,omitempty"`
	Errors      []AttemptError  `json:"errors,omitempty"`
	// CancelRequestedAt is set when Cancel was called while the job ran; it
	// stays running until its worker notices.
	CancelRequestedAt *time.Time `json:"cancel_requested_at,omitempty"`
}

// AttemptError is the error one failed attempt ended with.
type AttemptError struct {
	At      time.Time `json:"at"`
	Attempt int       `json:"attempt"`
	Error   string    `json:"error"`
}

// Filter narrows List. The zero value lists the newest jobs of every kind and
// state.
type Filter struct {
	Kinds    []string
	States   []State
	Limit    int   // default DefaultListLimit, at most MaxListLimit
	BeforeID int64 // when > 0, only jobs with smaller IDs (next page)
}

// List limits.
const (
	DefaultListLimit = 100
	MaxListLimit     = 10_000 // River's JobListParams.First maximum
)

// List returns jobs matching f, newest first.
func (q *Queue) List(ctx context.Context, f Filter) ([]Info, error) {
	const op = "job.List"
	var errs apperr.Fields
	limit := f.Limit
	if limit == 0 {
		limit = DefaultListLimit
	}
	if limit < 0 || limit > MaxListLimit {
		errs.Add("limit", "must be 1..%d", MaxListLimit)
	}
	states := make([]rivertype.JobState, 0, len(f.States))
	for _, s := range f.States {
		if !knownState(s) {
			errs.Add("state", "unknown job state %q", s)
		}
		states = append(states, rivertype.JobState(s))
	}
	if err := errs.Err(op); err != nil {
		return nil, err
	}

	params := river.NewJobListParams().OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(limit)
	if len(f.Kinds) > 0 {
		params = params.Kinds(f.Kinds...)
	}
	if len(states) > 0 {
		params = params.States(states...)
	}
	if f.BeforeID > 0 {
		params = params.After(river.JobListCursorFromJob(&rivertype.JobRow{ID: f.BeforeID}))
	}
	res, err := q.eng.list(ctx, params)
	if err != nil {
		return nil, apperr.E(apperr.Internal, op, "", err)
	}
	out := make([]Info, 0, len(res.Jobs))
	for _, row := range res.Jobs {
		out = append(out, infoFromRow(row))
	}
	return out, nil
}

func knownState(s State) bool {
	for _, k := range allStates {
		if s == k {
			return true
		}
	}
	return false
}

// Get returns one job; a missing job is an apperr.NotFound error.
func (q *Queue) Get(ctx context.Context, id int64) (Info, error) {
	row, err := q.eng.get(ctx, id)
	if err != nil {
		return Info{}, rowError("job.Get", id, err)
	}
	return infoFromRow(row), nil
}

// Cancel cancels a job and returns it as it then is. A job that has not
// started is cancelled at once; a running job's context is cancelled (in
// whichever process runs it) and the job ends cancelled unless it completes
// first; a job already in a final state is returned unchanged.
func (q *Queue) Cancel(ctx context.Context, id int64) (Info, error) {
	row, err := q.eng.cancel(ctx, id)
	if err != nil {
		return Info{}, rowError("job.Cancel", id, err)
	}
	return infoFromRow(row), nil
}

func rowError(op string, id int64, err error) error {
	if errors.Is(err, rivertype.ErrNotFound) {
		return apperr.E(apperr.NotFound, op, "no such job", err)
	}
	return apperr.E(apperr.Internal, op, "", err)
}

// riverMetadata is the part of River's job metadata Info shows.
type riverMetadata struct {
	Output            *ProgressInfo `json:"output"`              // rivertype.MetadataKeyOutput
	CancelAttemptedAt *time.Time    `json:"cancel_attempted_at"` // set by Client.JobCancel
}

func infoFromRow(row *rivertype.JobRow) Info {
	info := Info{
		ID:          row.ID,
		Kind:        row.Kind,
		State:       State(row.State),
		Attempt:     row.Attempt,
		MaxAttempts: row.MaxAttempts,
		Priority:    row.Priority,
		CreatedAt:   row.CreatedAt.UTC(),
		ScheduledAt: row.ScheduledAt.UTC(),
		AttemptedAt: utcPtr(row.AttemptedAt),
		FinalizedAt: utcPtr(row.FinalizedAt),
		AttemptedBy: row.AttemptedBy,
		Args:        json.RawMessage(row.EncodedArgs),
	}
	var md riverMetadata
	if len(row.Metadata) > 0 && json.Unmarshal(row.Metadata, &md) == nil {
		info.Progress = md.Output
		info.CancelRequestedAt = utcPtr(md.CancelAttemptedAt)
	}
	if info.Progress != nil {
		info.Progress.UpdatedAt = info.Progress.UpdatedAt.UTC()
	}
	for _, e := range row.Errors {
		info.Errors = append(info.Errors, AttemptError{At: e.At.UTC(), Attempt: e.Attempt, Error: e.Error})
	}
	return info
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
