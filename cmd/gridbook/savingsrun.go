package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/job"
	"github.com/gridbook/gridbook/internal/savings"
	"github.com/gridbook/gridbook/internal/store"
)

// registerSavingsRun binds the savings.run job kind: it evaluates every
// enrolled meter not yet evaluated (a retried attempt resumes).
func registerSavingsRun(q *job.Queue, db *store.DB) error {
	return q.Register(savings.RunJobKind, job.Decode(func(ctx context.Context, a savings.RunJobArgs, p *job.Progress) error {
		run, err := db.WorkSavingsRun(ctx, auth.System, a.RunID, p.Report)
		if apperr.Is(err, apperr.NotFound) {
			return job.Permanent(err)
		}
		if err == nil {
			p.Report(int64(run.Meters), int64(run.Meters), fmt.Sprintf("%d meters: %d modelled (%d sufficient), %d not; %s kWh saved",
				run.Meters, run.Modelled, run.Sufficient, run.Failed, kwhText(int64(run.SavingsWh))))
		}
		return err
	}))
}

// runSavingsPortfolio evaluates every metered account enrolled in a
// program as a durable job, in this process unless --enqueue leaves it to
// a server's workers.
func runSavingsPortfolio(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "savings portfolio")
	dsn := dbFlag(e, fs, "gridbook.db")
	program := fs.String("program", "", "enrollment program code (each enrollment's start is its intervention date) (required)")
	days := fs.Int("blackout-days", 0, "days from the intervention to the start of the reporting year")
	fuel := fs.String("fuel", "electricity", "electricity or gas")
	method := fs.String("method", "caltrack-daily", "caltrack-daily or daily (the eemeter 4.x daily model)")
	enqueue := fs.Bool("enqueue", false, "only enqueue the job for a running server's workers")
	asJSON := fs.Bool("json", false, "print the run as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	db, q, err := openWithQueue(ctx, e, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var run store.SavingsRun
	err = db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		run, err = tx.CreateSavingsRun(ctx, cliActor(e), *program, savings.Method(*method), *days, savings.Fuel(*fuel))
		return err
	})
	if err != nil {
		return err
	}
	id, err := q.Enqueue(ctx, savings.RunJobKind, savings.RunJobArgs{RunID: run.ID}, job.MaxAttempts(savings.RunJobAttempts))
	if err != nil {
		// Without its job the run would stay running: end it as failed.
		if ferr := db.InTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
			_, err := tx.FailSavingsRun(context.WithoutCancel(ctx), cliActor(e), run.ID, "could not enqueue its job: "+err.Error())
			return err
		}); ferr != nil {
			fmt.Fprintf(e.stderr, "savings run %d is left running without a job: %v\n", run.ID, ferr)
		}
		return err
	}
	if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.SetSavingsRunJob(ctx, run.ID, id) }); err != nil {
		return err
	}
	if *enqueue {
		fmt.Fprintf(e.stdout, "savings run %d of program %s enqueued as job %d; follow it with: gridbook job show %d\n", run.ID, run.Program, id, id)
		return nil
	}
	if err := q.Start(ctx, 1); err != nil {
		return err
	}
	defer q.Stop(context.WithoutCancel(ctx))
	out := e.stdout
	if *asJSON {
		out = io.Discard
	}
	fmt.Fprintf(out, "savings run %d: program %s (job %d)…\n", run.ID, run.Program, id)
	info, err := waitJob(ctx, q, id, func(j job.Info) {
		if isTerminal(out) {
			fmt.Fprintf(out, "\r  %s   ", progressText(j))
		}
	})
	if err != nil {
		return err
	}
	if run, err = db.SavingsRun(ctx, run.ID); err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, run)
	}
	printSavingsRun(out, run)
	if info.State != job.StateCompleted {
		return fmt.Errorf("savings run %d did not complete: %s", run.ID, info.State)
	}
	return nil
}

// runSavingsRuns lists portfolio savings runs, newest first.
func runSavingsRuns(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "savings runs")
	dsn := dbFlag(e, fs, "gridbook.db")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	runs, err := db.SavingsRuns(ctx, 100)
	if err != nil {
		return err
	}
	if *asJSON {
		if runs == nil {
			runs = []store.SavingsRun{}
		}
		return printJSON(e.stdout, runs)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tprogram\tstatus\tmeters\tmodelled\tsufficient\tnot modelled\tsaved kWh")
	for _, r := range runs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", r.ID, r.Program, r.Status, r.Meters, r.Modelled, r.Sufficient, r.Failed, kwhText(int64(r.SavingsWh)))
	}
	return tw.Flush()
}

// runSavingsRun shows one portfolio run and its results by meter.
func runSavingsRun(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "savings run")
	dsn := dbFlag(e, fs, "gridbook.db")
	asJSON := fs.Bool("json", false, "print JSON")
	if len(args) == 0 {
		return errUsage
	}
	id, perr := strconv.ParseInt(args[0], 10, 64)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if perr != nil || id <= 0 {
		return errUsage
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	run, err := db.SavingsRun(ctx, id)
	if err != nil {
		return err
	}
	res, err := db.SavingsResults(ctx, id)
	if err != nil {
		return err
	}
	if *asJSON {
		if res == nil {
			res = []store.SavingsResult{}
		}
		return printJSON(e.stdout, struct {
			store.SavingsRun
			Results []store.SavingsResult `json:"results"`
		}{run, res})
	}
	printSavingsRun(e.stdout, run)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "account\tmeter\tintervention\tstatus\tmodel\tsufficient\tpredicted kWh\tobserved kWh\tsaved kWh\tnote")
	for _, r := range res {
		note := r.Error
		if note == "" && len(r.Disqualifications) > 0 {
			note = fmt.Sprint(r.Disqualifications)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%v\t%s\t%s\t%s\t%s\n", r.AccountNumber, r.MeterID, r.BlackoutStart, r.Status, r.ModelType,
			r.Sufficient, kwhText(int64(r.PredictedWh)), kwhText(int64(r.ObservedWh)), kwhText(int64(r.SavingsWh)), note)
	}
	return tw.Flush()
}

func printSavingsRun(w io.Writer, r store.SavingsRun) {
	fmt.Fprintf(w, "savings run %d: program %s, %s, %s, blackout %d days — %s\n", r.ID, r.Program, r.Method, r.Fuel, r.BlackoutDays, r.Status)
	fmt.Fprintf(w, "  %d meters: %d modelled, %d on a sufficient baseline, %d not modelled\n", r.Meters, r.Modelled, r.Sufficient, r.Failed)
	fmt.Fprintf(w, "  saved %s kWh of %s kWh predicted (sufficient baselines only)\n", kwhText(int64(r.SavingsWh)), kwhText(int64(r.PredictedWh)))
}
