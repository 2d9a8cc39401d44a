package job

import (
	"time"

	"github.com/riverqueue/river"

	"github.com/gridbook/gridbook/internal/apperr"
)

// periodic is a job kind enqueued on a fixed interval.
type periodic struct {
	kind     string
	interval time.Duration
	args     []byte
}

// MinInterval is the shortest interval Every accepts: recurring work is
// housekeeping (expiries, tariff transitions), not a polling loop.
const MinInterval = time.Minute

// Every makes the queue enqueue a job of kind with args every interval,
// and once when it starts. Only the elected leader among the processes
// sharing the queue enqueues (River's periodic job scheduler), and at
// most one job of the kind is inserted per interval (River's unique jobs
// by period), so several `gridbook serve --workers` processes, or a
// restart, never run the work twice in one interval. The kind must be
// registered, and Every called before Start. Handlers of recurring kinds
// must be idempotent, like every handler.
func (q *Queue) Every(kind string, interval time.Duration, args any) error {
	const op = "job.Every"
	if interval < MinInterval {
		return apperr.Invalidf(op, "interval %s is shorter than %s", interval, MinInterval)
	}
	raw, err := encodeArgs(args)
	if err != nil {
		return apperr.E(apperr.Invalid, op, "job arguments are not JSON", err)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, ok := q.handlers[kind]; !ok {
		return apperr.Invalidf(op, "unknown job kind %q", kind)
	}
	if q.running != nil {
		return apperr.Conflictf(op, "cannot schedule job kind %q after Start", kind)
	}
	for _, p := range q.periodic {
		if p.kind == kind {
			return apperr.Conflictf(op, "job kind %q is already scheduled", kind)
		}
	}
	q.periodic = append(q.periodic, periodic{kind: kind, interval: interval, args: raw})
	return nil
}

// periodicJobs builds River's periodic jobs for the queue's schedules.
func (q *Queue) periodicJobs() []*river.PeriodicJob {
	out := make([]*river.PeriodicJob, 0, len(q.periodic))
	for _, p := range q.periodic {
		out = append(out, river.NewPeriodicJob(river.PeriodicInterval(p.interval),
			func() (river.JobArgs, *river.InsertOpts) {
				return rawArgs{kind: p.kind, raw: p.args}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: p.interval}}
			},
			&river.PeriodicJobOpts{ID: p.kind, RunOnStart: true}))
	}
	return out
}
