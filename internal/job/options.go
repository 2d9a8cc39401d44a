package job

import (
	"log/slog"
	"os"
	"time"
)

// Options tunes a Queue. The zero value gives gridbook's defaults.
type Options struct {
	// JobTimeout is how long one attempt may run before its context is
	// cancelled. River never rescues a job whose timeout is negative
	// (internal/maintenance/job_rescuer.go, makeRetryDecision), so a
	// timeout is always set. Default DefaultJobTimeout.
	JobTimeout time.Duration

	// RescueStuckJobsAfter is how long a job may stay "running" before the
	// leader's rescuer treats its worker as dead and schedules a retry. River
	// requires it to be at least JobTimeout (river.Config.validate). Default
	// JobTimeout + DefaultRescueMargin.
	RescueStuckJobsAfter time.Duration

	// FetchPollInterval is how often idle workers poll for new jobs when no
	// notification arrives. Default: River's FetchPollIntervalDefault (1 s).
	FetchPollInterval time.Duration

	// PollOnly disables PostgreSQL LISTEN/NOTIFY (needed behind PgBouncer in
	// transaction mode); workers then only poll.
	PollOnly bool

	// MaxAttempts is how many times a job is tried before it is discarded.
	// It is fixed when the job is enqueued. Default DefaultMaxAttempts.
	MaxAttempts int

	// Retention is how long finalized jobs (completed, cancelled, discarded)
	// stay listable before River's cleaner deletes them. Default
	// DefaultRetention.
	Retention time.Duration

	// Logger receives River's log output. Default: warnings and errors as
	// text on standard error (River's own default writes to standard output,
	// which would corrupt `--json` CLI output).
	Logger *slog.Logger
}

// Defaults chosen for gridbook's batch work. They are design choices, not
// values from a standard.
const (
	// DefaultJobTimeout bounds one attempt of a bill run or a large import.
	DefaultJobTimeout = time.Hour
	// DefaultRescueMargin is added to JobTimeout to get the rescue horizon,
	// so that a job that is merely slow is cancelled by its own worker before
	// any other worker may rescue it.
	DefaultRescueMargin = 5 * time.Minute
	// DefaultMaxAttempts is lower than River's 25 (river.MaxAttemptsDefault),
	// whose backoff spans about three weeks: a failing bill run should reach
	// a person within the day.
	DefaultMaxAttempts = 5
	// DefaultRetention keeps a week of finished jobs visible in the console.
	DefaultRetention = 7 * 24 * time.Hour
)

// withDefaults returns o with zero fields filled in.
func (o Options) withDefaults() Options {
	if o.JobTimeout <= 0 {
		o.JobTimeout = DefaultJobTimeout
	}
	if o.RescueStuckJobsAfter <= 0 {
		o.RescueStuckJobsAfter = o.JobTimeout + DefaultRescueMargin
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = DefaultMaxAttempts
	}
	if o.Retention <= 0 {
		o.Retention = DefaultRetention
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	return o
}
