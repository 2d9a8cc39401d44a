package main

import (
	"context"
	"fmt"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/gridbook/gridbook/internal/demo"
	"github.com/gridbook/gridbook/internal/job"
	"github.com/gridbook/gridbook/internal/store"
)

// Job kinds known to every gridbook process. Each process registers all of
// them so that any process can enqueue any kind and any worker can run it.
const kindDemoGenerate = "demo.generate"

// demoArgs are the arguments of a demo.generate job.
type demoArgs struct {
	Accounts int   `json:"accounts"`
	Seed     int64 `json:"seed"`
	Year     int   `json:"year"`
}

// openQueue opens the job queue beside db and registers every job kind.
// On SQLite the queue has its own single-connection handle on the same
// file, which closeQueue releases.
func openQueue(ctx context.Context, db *store.DB, log *slog.Logger) (q *job.Queue, closeQueue func(), err error) {
	opts := job.Options{Logger: log}
	closeQueue = func() {}
	if db.Dialect() == store.Postgres {
		q, err = job.NewPostgres(ctx, db.Pool(), opts)
	} else {
		h, oerr := job.OpenSQLite(db.Path())
		if oerr != nil {
			return nil, nil, oerr
		}
		closeQueue = func() { h.Close() }
		q, err = job.NewSQLite(ctx, h, opts)
	}
	if err != nil {
		closeQueue()
		return nil, nil, fmt.Errorf("job queue: %w", err)
	}
	err = q.Register(kindDemoGenerate, job.Decode(func(ctx context.Context, a demoArgs, p *job.Progress) error {
		s, err := demo.Generate(ctx, db, demo.Options{Accounts: a.Accounts, Seed: a.Seed, Year: a.Year,
			Progress: func(done, total int) { p.Report(int64(done), int64(total), "accounts generated") }})
		if err == nil {
			p.Report(int64(s.Accounts), int64(s.Accounts), fmt.Sprintf("generated %d accounts, %d interval readings", s.Accounts, s.Readings))
		}
		return err
	}))
	if err == nil {
		err = registerBillRun(q, db)
	}
	if err == nil {
		err = registerSavingsRun(q, db)
	}
	if err == nil {
		err = registerDR(q, db, log)
	}
	if err == nil {
		err = registerTasks(q, db)
	}
	if err != nil {
		closeQueue()
		return nil, nil, err
	}
	return q, closeQueue, nil
}

// waitJob polls a job until it reaches a final state, calling show with
// each new progress report.
func waitJob(ctx context.Context, q *job.Queue, id int64, show func(job.Info)) (job.Info, error) {
	var last time.Time
	for {
		info, err := q.Get(ctx, id)
		if err != nil {
			return info, err
		}
		if info.Progress != nil && info.Progress.UpdatedAt.After(last) {
			last = info.Progress.UpdatedAt
			show(info)
		}
		if info.State.Final() {
			return info, nil
		}
		select {
		case <-ctx.Done():
			return info, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func runJobList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "job list")
	dsn := dbFlag(e, fs, "gridbook.db")
	state := fs.String("state", "", "only jobs in this state (available, running, completed, retryable, cancelled, discarded, ...)")
	limit := fs.Int("limit", 50, "how many jobs, newest first")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, q, err := openWithQueue(ctx, e, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	f := job.Filter{Limit: *limit}
	if *state != "" {
		f.States = []job.State{job.State(*state)}
	}
	jobs, err := q.List(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, jobs)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tSTATE\tATTEMPT\tPROGRESS\tCREATED")
	for _, j := range jobs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d/%d\t%s\t%s\n", j.ID, j.Kind, j.State, j.Attempt, j.MaxAttempts, progressText(j), j.CreatedAt.Format(time.RFC3339))
	}
	return tw.Flush()
}

func runJobShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "job show")
	dsn := dbFlag(e, fs, "gridbook.db")
	asJSON := fs.Bool("json", false, "print JSON")
	id, err := parseWithID(fs, args)
	if err != nil {
		return err
	}
	db, q, err := openWithQueue(ctx, e, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	j, err := q.Get(ctx, id)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, j)
	}
	fmt.Fprintf(e.stdout, "job %d %s\nstate     %s\nattempt   %d of %d\nprogress  %s\ncreated   %s\nargs      %s\n",
		j.ID, j.Kind, j.State, j.Attempt, j.MaxAttempts, progressText(j), j.CreatedAt.Format(time.RFC3339), j.Args)
	if j.FinalizedAt != nil {
		fmt.Fprintf(e.stdout, "finished  %s\n", j.FinalizedAt.Format(time.RFC3339))
	}
	for _, ae := range j.Errors {
		fmt.Fprintf(e.stdout, "error     attempt %d at %s: %s\n", ae.Attempt, ae.At.Format(time.RFC3339), ae.Error)
	}
	return nil
}

func progressText(j job.Info) string {
	p := j.Progress
	if p == nil {
		return "-"
	}
	if p.Total > 0 {
		return fmt.Sprintf("%d/%d %s", p.Done, p.Total, p.Message)
	}
	return p.Message
}

// withQueue is a database with its job queue; Close releases both.
type withQueue struct {
	*store.DB
	closeQueue func()
}

// Close closes the queue's handle and then the database.
func (w withQueue) Close() error {
	w.closeQueue()
	return w.DB.Close()
}

func openWithQueue(ctx context.Context, e *env, dsn string) (withQueue, *job.Queue, error) {
	db, err := openDB(ctx, dsn)
	if err != nil {
		return withQueue{}, nil, err
	}
	q, closeQueue, err := openQueue(ctx, db, slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		db.Close()
		return withQueue{}, nil, err
	}
	return withQueue{db, closeQueue}, q, nil
}
