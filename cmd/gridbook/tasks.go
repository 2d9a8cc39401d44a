package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/job"
	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/store"
)

// Recurring tasks: each is a job kind the queue enqueues once a day (and
// when a `gridbook serve --workers` process starts; job.Queue.Every), and
// a CLI command that does the same on demand. Both record their run
// (store.TaskRun), which the console shows.
const (
	kindIncentiveExpire = store.TaskIncentiveExpire // expire lapsed reservations and coupons
	kindNEMLegacy       = store.TaskNEMLegacy       // move NEM 1.0/2.0 systems past their legacy period
)

// taskInterval is how often the recurring tasks run: both act on civil
// dates (reservation expiry, coupon expiry on December 31, a legacy end),
// so once a day is enough; the unique-by-period insert keeps it to once.
const taskInterval = 24 * time.Hour

// taskArgs are the arguments of a recurring task's job: the day to run for,
// empty for today in Pacific time when the job runs.
type taskArgs struct {
	Date string `json:"date,omitempty"`
}

// day is the job's day.
func (a taskArgs) day(db *store.DB) (calendar.Date, error) {
	if a.Date == "" {
		return calendar.DateOf(db.Now()), nil
	}
	return calendar.ParseDate(a.Date)
}

// registerTasks registers the recurring tasks' job kinds and schedules
// them daily.
func registerTasks(q *job.Queue, db *store.DB) error {
	kinds := map[string]func(ctx context.Context, day calendar.Date) (store.TaskRun, error){
		kindIncentiveExpire: func(ctx context.Context, day calendar.Date) (store.TaskRun, error) {
			return db.RunIncentiveExpiry(ctx, auth.System, day)
		},
		kindNEMLegacy: func(ctx context.Context, day calendar.Date) (store.TaskRun, error) {
			run, _, err := db.RunNEMTransitions(ctx, auth.System, day, false)
			return run, err
		},
	}
	for _, kind := range []string{kindIncentiveExpire, kindNEMLegacy} {
		work := kinds[kind]
		err := q.Register(kind, job.Decode(func(ctx context.Context, a taskArgs, p *job.Progress) error {
			day, err := a.day(db)
			if err != nil {
				return job.Permanent(apperr.E(apperr.Invalid, kind, "bad date", err))
			}
			run, err := work(ctx, day)
			if err == nil {
				var n int64
				for _, c := range run.Counts {
					n += c
				}
				p.Report(n, n, run.Summary)
			}
			return err
		}))
		if err == nil {
			err = q.Every(kind, taskInterval, taskArgs{})
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// runNEMTransition moves interconnections past their legacy period to the
// successor tariff: every one due on --date (default today), or the one
// named, or with --dry-run lists what is due.
func runNEMTransition(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "nem transition")
	dsn := dbFlag(e, fs, "gridbook.db")
	on := fs.String("date", "", "the day to run for (YYYY-MM-DD; default today in Pacific time)")
	dry := fs.Bool("dry-run", false, "list what is due; change nothing")
	asJSON := fs.Bool("json", false, "print JSON")
	id := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil || fs.NArg() > 0 {
		return errUsage
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	day, err := dayFlag(*on, db)
	if err != nil {
		return err
	}
	if id != "" {
		n, err := parseNumber(id)
		if err != nil {
			return err
		}
		if *dry {
			return apperr.Invalidf("nem transition", "--dry-run lists every due interconnection; give no application number")
		}
		var t store.NEMTransition
		err = db.InTx(ctx, func(tx *store.Tx) error {
			t, err = tx.TransitionNEMLegacy(ctx, cliActor(e), n, day)
			return err
		})
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, t)
		}
		fmt.Fprintf(e.stdout, "%s moved from %s to the %s on %s (enrollment %d)\n", t.Number, t.From.Label, t.To.Label, t.On, t.NewEnrollmentID)
		return nil
	}
	run, ts, err := db.RunNEMTransitions(ctx, cliActor(e), day, *dry)
	if err != nil {
		return err
	}
	if *asJSON {
		if ts == nil {
			ts = []nem.Transition{}
		}
		return printJSON(e.stdout, map[string]any{"run": run, "transitions": ts, "dry_run": *dry})
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "APPLICATION\tFROM\tTO\tPTO\tON")
	for _, t := range ts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Number, t.From.Label, t.To.Label, t.PTO, t.On)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, run.Summary)
	if run.Error != "" {
		fmt.Fprintln(e.stdout, run.Error)
		return apperr.Conflictf("nem transition", "%s", run.Error)
	}
	return nil
}
