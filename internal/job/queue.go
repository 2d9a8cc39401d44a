package job

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/gridbook/gridbook/internal/apperr"
)

// Handler does the work of one job kind. args is the JSON given to Enqueue.
// A returned error makes the attempt fail: the job is retried with backoff
// until Options.MaxAttempts, unless the error is wrapped with Permanent. The
// context is cancelled when Options.JobTimeout elapses, when the job is
// cancelled, or when the queue stops hard.
type Handler func(ctx context.Context, args json.RawMessage, p *Progress) error

// Decode adapts a handler that takes typed arguments: the job's JSON is
// decoded into a T before f is called, and a decoding failure is permanent,
// since retrying cannot fix it.
func Decode[T any](f func(ctx context.Context, args T, p *Progress) error) Handler {
	return func(ctx context.Context, raw json.RawMessage, p *Progress) error {
		var args T
		if err := json.Unmarshal(raw, &args); err != nil {
			return Permanent(apperr.E(apperr.Invalid, "job.Decode", "bad job arguments", err))
		}
		return f(ctx, args, p)
	}
}

// Permanent marks err as not worth retrying: the job ends in state cancelled
// with err recorded among its errors.
func Permanent(err error) error { return river.JobCancel(err) }

// kindPattern is River's rule for job kinds
// (river internal/rivercommon.UserSpecifiedIDOrKindRE, v0.51.2).
var kindPattern = regexp.MustCompile(`\A[\w][\w\-\[\]<>\/.·:+]+\z`)

// Queue is a durable job queue in the application database. It is safe for
// concurrent use. A Queue that is never started can still enqueue, list, show
// and cancel jobs (the CLI does that).
type Queue struct {
	eng    engine
	opts   Options
	logger *slog.Logger

	mu       sync.Mutex
	handlers map[string]Handler
	periodic []periodic // recurring kinds (Every)
	running  worker     // nil until Start
}

func newQueue(eng engine, opts Options) *Queue {
	return &Queue{eng: eng, opts: opts, logger: opts.Logger, handlers: map[string]Handler{}}
}

// insertConfig is the River configuration of the insert-only client every
// Queue has.
func insertConfig(opts Options) *river.Config {
	return &river.Config{
		Logger:      opts.Logger,
		MaxAttempts: opts.MaxAttempts,
		// Kinds are checked by Enqueue against Register instead, because
		// River's check needs a Workers bundle fixed at client creation.
		SkipUnknownJobCheck: true,
	}
}

// Register binds kind to h. Kinds follow River's pattern (letters, digits and
// _-[]<>/.·:+, at least two characters); every kind must be registered before
// Start and before it is enqueued, in every process that uses the queue.
func (q *Queue) Register(kind string, h Handler) error {
	const op = "job.Register"
	if !kindPattern.MatchString(kind) {
		return apperr.Invalidf(op, "job kind %q must match %s", kind, kindPattern)
	}
	if h == nil {
		return apperr.Invalidf(op, "job kind %q has no handler", kind)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.running != nil {
		return apperr.Conflictf(op, "cannot register job kind %q after Start", kind)
	}
	if _, ok := q.handlers[kind]; ok {
		return apperr.Conflictf(op, "job kind %q is already registered", kind)
	}
	q.handlers[kind] = h
	return nil
}

// EnqueueOption adjusts one enqueued job.
type EnqueueOption func(*river.InsertOpts)

// MaxAttempts overrides Options.MaxAttempts for one job.
func MaxAttempts(n int) EnqueueOption {
	return func(o *river.InsertOpts) { o.MaxAttempts = n }
}

// RunAt schedules the job to become available at t instead of now.
func RunAt(t time.Time) EnqueueOption {
	return func(o *river.InsertOpts) { o.ScheduledAt = t.UTC() }
}

// Priority sets the job's priority, 1 (first) to 4 (last); the default is 1
// (River's InsertOpts.Priority).
func Priority(p int) EnqueueOption {
	return func(o *river.InsertOpts) { o.Priority = p }
}

// Enqueue stores a new job of a registered kind and returns its ID. args is
// encoded as JSON; a json.RawMessage or []byte is taken as already encoded,
// and nil means {}.
func (q *Queue) Enqueue(ctx context.Context, kind string, args any, opts ...EnqueueOption) (int64, error) {
	const op = "job.Enqueue"
	q.mu.Lock()
	_, known := q.handlers[kind]
	q.mu.Unlock()
	if !known {
		return 0, apperr.Invalidf(op, "unknown job kind %q", kind)
	}
	raw, err := encodeArgs(args)
	if err != nil {
		return 0, apperr.E(apperr.Invalid, op, "job arguments are not JSON", err)
	}
	var io river.InsertOpts
	for _, o := range opts {
		o(&io)
	}
	if io.Priority < 0 || io.Priority > 4 || io.MaxAttempts < 0 {
		return 0, apperr.Invalidf(op, "priority must be 1..4 and max attempts positive")
	}
	res, err := q.eng.insert(ctx, rawArgs{kind: kind, raw: raw}, &io)
	if err != nil {
		return 0, apperr.E(apperr.Internal, op, "", err)
	}
	return res.Job.ID, nil
}

func encodeArgs(args any) (json.RawMessage, error) {
	switch a := args.(type) {
	case nil:
		return json.RawMessage("{}"), nil
	case json.RawMessage:
		return validJSON(a)
	case []byte:
		return validJSON(a)
	default:
		return json.Marshal(args)
	}
}

func validJSON(b []byte) (json.RawMessage, error) {
	if !json.Valid(b) {
		return nil, errors.New("invalid JSON")
	}
	return json.RawMessage(b), nil
}

// Start runs workers job-working goroutines in this process until Stop is
// called or ctx is cancelled (which stops the queue as Stop does). It fails
// when no kind is registered or the queue is already started.
func (q *Queue) Start(ctx context.Context, workers int) error {
	const op = "job.Start"
	if workers < 1 || workers > river.QueueNumWorkersMax {
		return apperr.Invalidf(op, "workers must be 1..%d, not %d", river.QueueNumWorkersMax, workers)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.running != nil {
		return apperr.Conflictf(op, "queue already started")
	}
	if len(q.handlers) == 0 {
		return apperr.Invalidf(op, "no job kinds registered")
	}
	bundle := river.NewWorkers()
	for kind, h := range q.handlers {
		// AddWorkerArgs (documented by River as meant for tests) is the only
		// way to register a worker under a kind chosen at run time: AddWorker
		// takes the kind from the zero value of the args type.
		river.AddWorkerArgs(bundle, rawArgs{kind: kind}, &kindWorker{q: q, handler: h})
	}
	retention := q.opts.Retention
	cfg := &river.Config{
		CancelledJobRetentionPeriod: retention,
		CompletedJobRetentionPeriod: retention,
		DiscardedJobRetentionPeriod: retention,
		FetchPollInterval:           q.opts.FetchPollInterval,
		JobTimeout:                  q.opts.JobTimeout,
		Logger:                      q.logger,
		MaxAttempts:                 q.opts.MaxAttempts,
		PollOnly:                    q.opts.PollOnly,
		Queues:                      map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: workers}},
		RescueStuckJobsAfter:        q.opts.RescueStuckJobsAfter,
		Workers:                     bundle,
		PeriodicJobs:                q.periodicJobs(),
	}
	if cfg.FetchPollInterval > 0 && cfg.FetchPollInterval < river.FetchCooldownDefault {
		// River refuses a poll interval shorter than the fetch cooldown.
		cfg.FetchCooldown = cfg.FetchPollInterval
	}
	w, err := q.eng.newWorker(cfg)
	if err != nil {
		return apperr.E(apperr.Internal, op, "", err)
	}
	if err := w.Start(ctx); err != nil {
		return apperr.E(apperr.Internal, op, "", err)
	}
	q.running = w
	return nil
}

// Stop lets running jobs finish and stops fetching new ones. If ctx ends
// first, running jobs' contexts are cancelled and Stop waits up to
// hardStopWait more for them to return. A job still running then is rescued
// later like a crashed worker's. Stop on a queue that is not started does
// nothing.
func (q *Queue) Stop(ctx context.Context) error {
	q.mu.Lock()
	w := q.running
	q.running = nil
	q.mu.Unlock()
	if w == nil {
		return nil
	}
	err := w.Stop(ctx)
	if err == nil || ctx.Err() == nil {
		return err
	}
	hard, cancel := context.WithTimeout(context.WithoutCancel(ctx), hardStopWait)
	defer cancel()
	if err := w.StopAndCancel(hard); err != nil {
		return fmt.Errorf("job.Stop: %w", err)
	}
	return nil
}

// hardStopWait bounds how long Stop waits for cancelled jobs to return.
const hardStopWait = 10 * time.Second

// kindWorker runs one registered Handler for River.
type kindWorker struct {
	river.WorkerDefaults[rawArgs]
	q       *Queue
	handler Handler
}

// Work implements river.Worker.
func (w *kindWorker) Work(ctx context.Context, j *river.Job[rawArgs]) error {
	p := startProgress(ctx, w.q, j.ID, j.Attempt)
	defer p.finish()
	return w.handler(ctx, json.RawMessage(j.EncodedArgs), p)
}

var (
	_ river.Worker[rawArgs] = (*kindWorker)(nil)
	_ river.JobArgs         = rawArgs{}
)
