package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/gridbook/gridbook/internal/api"
	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/job"
	"github.com/gridbook/gridbook/internal/store"
)

// kindBillRun is the job kind that works a stored bill run, with its
// arguments and attempts (billrun.JobKind: the console enqueues it too).
const (
	kindBillRun     = billrun.JobKind
	billRunAttempts = billrun.JobAttempts
)

// billRunArgs are the arguments of a bill.run job.
type billRunArgs = billrun.JobArgs

// registerBillRun binds the bill.run job kind to the runner.
func registerBillRun(q *job.Queue, db *store.DB) error {
	return q.Register(kindBillRun, job.Decode(func(ctx context.Context, a billRunArgs, p *job.Progress) error {
		ps, err := billrun.LoadPolicies()
		if err != nil {
			return job.Permanent(err)
		}
		r := &billrun.Runner{Store: db, Policies: ps, Progress: p.Report}
		run, err := r.Execute(ctx, a.RunID, p.JobID())
		if err != nil {
			if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Invalid) {
				return job.Permanent(err)
			}
			return err
		}
		c := run.Counts
		p.Report(int64(c.Done()), int64(max(run.Accounts, c.Done())), fmt.Sprintf("billed %d, unchanged %d, failed %d, skipped %d",
			c.Billed, c.Unchanged, c.Failed, c.Skipped))
		return nil
	}))
}

// runBillRun creates a run of a billing cycle (or resumes one) and works
// it as a durable job in this process, unless --enqueue leaves it to a
// server's workers.
func runBillRun(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bill run")
	dsn := dbFlag(e, fs, "gridbook.db")
	cycle := fs.String("cycle", "", "billing cycle YYYY-MM")
	readDay := fs.Int("read-day", 1, "meter read day of the month, 1–28 (1: calendar months)")
	resume := fs.Int64("resume", 0, "resume the unfinished run with this id instead of starting one")
	enqueue := fs.Bool("enqueue", false, "only enqueue the job for a running server's workers")
	asJSON := fs.Bool("json", false, "print the run as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || (*cycle == "") == (*resume == 0) {
		return errUsage
	}
	db, q, err := openWithQueue(ctx, e, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var run billrun.Run
	if *resume != 0 {
		if run, err = db.BillRun(ctx, *resume); err != nil {
			return err
		}
		if run.Status == billrun.RunCompleted {
			return apperr.Conflictf("bill run", "bill run %d is completed; start a new run of cycle %s to bill it again", run.ID, run.Cycle)
		}
	} else {
		err = db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			run, err = tx.CreateBillRun(ctx, cliActor(e), *cycle, *readDay)
			return err
		})
		if err != nil {
			return err
		}
	}
	if *enqueue {
		id, err := q.Enqueue(ctx, kindBillRun, billRunArgs{RunID: run.ID}, job.MaxAttempts(billRunAttempts))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "bill run %d of cycle %s enqueued as job %d; follow it with: gridbook job show %d\n", run.ID, run.Cycle, id, id)
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
	run, err = workBillRun(ctx, out, db.DB, q, run)
	if *asJSON && run.ID != 0 {
		if perr := printJSON(e.stdout, run); err == nil {
			err = perr
		}
	}
	return err
}

// workBillRun enqueues a run's job, waits for the started queue to work
// it, printing progress to a terminal, and prints the run's outcome.
func workBillRun(ctx context.Context, out io.Writer, db *store.DB, q *job.Queue, run billrun.Run) (billrun.Run, error) {
	id, err := q.Enqueue(ctx, kindBillRun, billRunArgs{RunID: run.ID}, job.MaxAttempts(billRunAttempts))
	if err != nil {
		return run, err
	}
	fmt.Fprintf(out, "bill run %d: cycle %s, %s (job %d)…\n", run.ID, run.Cycle, run.Period, id)
	info, err := waitJob(ctx, q, id, func(j job.Info) {
		if isTerminal(out) {
			fmt.Fprintf(out, "\r  %s   ", progressText(j))
		}
	})
	if isTerminal(out) {
		fmt.Fprintln(out)
	}
	if err != nil {
		return run, err
	}
	if run, err = db.BillRun(ctx, run.ID); err != nil {
		return run, err
	}
	if err := printRun(ctx, out, db, run); err != nil {
		return run, err
	}
	if info.State != job.StateCompleted {
		msg := string(info.State)
		if n := len(info.Errors); n > 0 {
			msg = info.Errors[n-1].Error
		}
		return run, fmt.Errorf("bill run %d did not complete: %s (resume it with --resume %d)", run.ID, msg, run.ID)
	}
	return run, nil
}

// billDemoNow works billDemo on this process's queue.
func billDemoNow(ctx context.Context, out io.Writer, db *store.DB, q *job.Queue, year int) error {
	if err := q.Start(ctx, 1); err != nil {
		return err
	}
	defer q.Stop(context.WithoutCancel(ctx))
	return billDemo(ctx, out, db, q, year)
}

// billDemo bills the demo year's cycles in order, from the first month
// whose first day has a version of SCE TOU-D-4-9PM in force (the shipped
// residential tariffs start on 2025-06-01) to December, so that the
// console and portal show bills from the start. The queue must be
// started.
func billDemo(ctx context.Context, out io.Writer, db *store.DB, q *job.Queue, year int) error {
	for m := time.January; m <= time.December; m++ {
		first := calendar.Date{Year: year, Month: m, Day: 1}
		if _, err := db.TariffOn(ctx, "SCE", "TOU-D-4-9PM", first); apperr.Is(err, apperr.NotFound) {
			continue
		} else if err != nil {
			return err
		}
		var run billrun.Run
		err := db.InTx(ctx, func(tx *store.Tx) error {
			var err error
			run, err = tx.CreateBillRun(ctx, auth.System, fmt.Sprintf("%d-%02d", year, m), 1)
			return err
		})
		if err != nil {
			return err
		}
		if _, err := workBillRun(ctx, out, db, q, run); err != nil {
			return err
		}
	}
	return nil
}

// printRun describes a run: its counts and the commonest reasons for
// failed and skipped accounts.
func printRun(ctx context.Context, w io.Writer, db *store.DB, run billrun.Run) error {
	c := run.Counts
	fmt.Fprintf(w, "bill run %d %s: cycle %s, %s\n", run.ID, run.Status, run.Cycle, run.Period)
	fmt.Fprintf(w, "accounts %d: billed %d, unchanged %d, failed %d, skipped %d\n", run.Accounts, c.Billed, c.Unchanged, c.Failed, c.Skipped)
	if !run.Started.IsZero() && !run.Finished.IsZero() {
		fmt.Fprintf(w, "took %s\n", run.Finished.Sub(run.Started).Round(time.Second))
	}
	if run.Error != "" {
		fmt.Fprintf(w, "error: %s\n", run.Error)
	}
	for _, st := range []billrun.Status{billrun.Failed, billrun.Skipped} {
		reasons, err := db.BillReasons(ctx, run.ID, st, 5)
		if err != nil {
			return err
		}
		for _, r := range reasons {
			fmt.Fprintf(w, "  %-8s %6d  %s\n", st, r.N, r.Label)
		}
	}
	return nil
}

// runBillRuns lists bill runs, newest first.
func runBillRuns(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bill runs")
	dsn := dbFlag(e, fs, "gridbook.db")
	limit := fs.Int("limit", 20, "how many runs, newest first")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	runs, err := db.BillRuns(ctx, 0, *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, nonNil(runs))
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tCYCLE\tPERIOD\tSTATUS\tACCOUNTS\tBILLED\tUNCHANGED\tFAILED\tSKIPPED")
	for _, r := range runs {
		c := r.Counts
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\n", r.ID, r.Cycle, r.Period, r.Status, r.Accounts, c.Billed, c.Unchanged, c.Failed, c.Skipped)
	}
	return tw.Flush()
}

// runBillList lists an account's bills, newest first.
func runBillList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bill list")
	dsn := dbFlag(e, fs, "gridbook.db")
	number := fs.String("account", "", "service account number")
	versions := fs.Bool("versions", false, "include superseded versions")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *number == "" || fs.NArg() > 0 {
		return errUsage
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := db.AccountByNumber(ctx, *number)
	if err != nil {
		return err
	}
	bills, err := db.Bills(ctx, store.BillFilter{AccountID: a.ID, Versions: *versions})
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]api.StoredBill, len(bills))
		for i, b := range bills {
			out[i] = api.NewStoredBill(b, false)
		}
		return printJSON(e.stdout, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "BILL\tPERIOD\tDAYS\tVERSION\tKWH IN\tKWH OUT\tTOTAL\tNEM BALANCE\tTRUE-UP\t")
	for _, b := range bills {
		v := strconv.Itoa(b.Version)
		if b.SupersededBy != 0 {
			v += " (superseded)"
		}
		tu := ""
		if b.TrueUp {
			tu = "yes"
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t\n", b.ID, b.Period, b.Period.Days(), v, b.Delivered.KWhString(),
			b.Received.KWhString(), b.Total, b.NEMBalance, tu)
	}
	return tw.Flush()
}

// runBillShow prints one stored bill: its lines by ledger and bucket,
// totals and carried balances, true-ups, notes and inputs; --verify
// recomputes it from its inputs and checks it byte for byte.
func runBillShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bill show")
	dsn := dbFlag(e, fs, "gridbook.db")
	asJSON := fs.Bool("json", false, "print JSON as GET /api/v1/bills/{id}: the bill document, its inputs and the state it leaves")
	verify := fs.Bool("verify", false, "recompute the bill from its stored inputs and compare")
	id, err := parseWithID(fs, args)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	b, err := db.Bill(ctx, id)
	if err != nil {
		return err
	}
	if *verify {
		if err := verifyBill(ctx, db, &b); err != nil {
			return err
		}
	}
	if *asJSON {
		return printJSON(e.stdout, api.NewStoredBill(b, true))
	}
	doc, err := b.Decode()
	if err != nil {
		return err
	}
	printBill(e.stdout, b, doc)
	if *verify {
		fmt.Fprintln(e.stdout, "verified: recomputed from its stored inputs, the bill is identical byte for byte")
	}
	return nil
}

// verifyBill recomputes a stored bill from its inputs.
func verifyBill(ctx context.Context, db *store.DB, b *billrun.Bill) error {
	versions, tables, err := db.BillingCatalog(ctx)
	if err != nil {
		return err
	}
	series, err := db.BillRunIntervals(ctx, append(append([]int64{}, b.Inputs.Delivered...), b.Inputs.Received...),
		b.Period.Start.Start(), b.Period.End.Start())
	if err != nil {
		return err
	}
	doc, err := billrun.Reproduce(billing.NewCalculator(), b, billrun.NewCatalog(versions, tables), series)
	if err != nil {
		return err
	}
	if !bytes.Equal(doc, b.Document) {
		return apperr.Conflictf("bill show", "bill %d recomputed from its inputs differs from the stored bill", b.ID)
	}
	return nil
}

func printBill(w io.Writer, b billrun.Bill, doc *billing.Bill) {
	fmt.Fprintf(w, "bill %d, account %s, %s (%d days), version %d", b.ID, b.AccountNumber, b.Period, doc.Days, b.Version)
	if b.SupersededBy != 0 {
		fmt.Fprintf(w, ", superseded by bill %d", b.SupersededBy)
	}
	fmt.Fprintf(w, "\n%s\ntariffs: ", b.Reason)
	for i, v := range doc.Versions {
		if i > 0 {
			fmt.Fprint(w, ", ")
		}
		fmt.Fprint(w, v)
	}
	fmt.Fprintf(w, "\nenergy: delivered %s kWh, received %s kWh\n\n", doc.Delivered.KWhString(), doc.Received.KWhString())
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LEDGER\tBUCKET\tLINE\tQUANTITY\tAMOUNT")
	for _, l := range doc.Lines {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.Side, l.Bucket, l.Label, quantity(l), l.Amount)
	}
	tw.Flush()
	fmt.Fprintln(w)
	for _, s := range doc.Sides {
		fmt.Fprintf(w, "%-8s due %s, NEM balance %s", s.Side, s.Total, s.Balance)
		if s.ExportCredits != 0 || s.ACCPlus != 0 {
			fmt.Fprintf(w, ", export credits %s, ACC Plus %s", s.ExportCredits, s.ACCPlus)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "total due %s\n", doc.Total)
	for _, tu := range doc.TrueUps {
		fmt.Fprintf(w, "true-up (%s, %s): balance %s, charged %s, forfeited %s, NSC %s on %s kWh net surplus\n",
			tu.Side, tu.Span, tu.Balance, tu.Charged, tu.Forfeited, tu.NSC, tu.NetSurplus.KWhString())
	}
	for _, n := range doc.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	fmt.Fprintf(w, "inputs: %s, intervals sha256 %s, inputs sha256 %s\n", b.Inputs.EngineVersion, b.Inputs.IntervalsSHA256, b.InputsSHA256)
}

// parseWithID parses flags around one positional id, which may come
// before or after them ("show 7 --json", "show --json 7").
func parseWithID(fs *flag.FlagSet, args []string) (int64, error) {
	var idArg string
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		idArg, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return 0, err
	}
	if idArg == "" && fs.NArg() == 1 {
		idArg = fs.Arg(0)
	}
	id, err := strconv.ParseInt(idArg, 10, 64)
	if err != nil || id <= 0 {
		return 0, errUsage
	}
	return id, nil
}

// nonNil returns an empty list for nil, so that JSON shows [].
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
