package main

import (
	"context"
	"flag"
	"fmt"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// runDisbursement dispatches `gridbook incentive disbursement VERB`: the
// staged payment of a grant award by milestone (docs/incentives.md,
// "Staged disbursement").
func runDisbursement(ctx context.Context, e *env, args []string) error {
	return runVerbs(ctx, e, "incentive disbursement", disbursementVerbs(), args)
}

func disbursementVerbs() map[string]verb {
	return map[string]verb{
		"show":    {"APPLICATION [--db DB] [--json]", "a grant's tranches: milestone, planned and committed amounts, status, evidence, approval and payment", runDisbursementShow},
		"plan":    {"APPLICATION --tranche MILESTONE=DOLLARS... [--project ID] [--db DB] [--json]", "plan a reserved grant's tranches in milestone order (together no more than the award)", runDisbursementPlan},
		"attach":  {"APPLICATION --tranche N --file PATH [--sha256 HEX] [--db DB] [--json]", "attach the evidence that a tranche's milestone is done", runDisbursementAttach},
		"approve": {"APPLICATION --tranche N [--on DATE] [--amount DOLLARS] [--db DB] [--json]", "approve a milestone and commit its tranche from the award's reservation", runDisbursementApprove},
		"pay":     {"APPLICATION --tranche N --reference REF [--on DATE] [--db DB] [--json]", "record an approved tranche's payment (the last one pays the grant and releases what was never planned)", runDisbursementPay},
	}
}

// disbursementCommand runs fn in a transaction, then prints the
// application's plan as JSON or as a table.
func disbursementCommand(ctx context.Context, e *env, dsn string, id int64, asJSON bool, fn func(db *store.DB, tx *store.Tx) error) error {
	db, err := openDB(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if fn != nil {
		if err := db.InTx(ctx, func(tx *store.Tx) error { return fn(db, tx) }); err != nil {
			return err
		}
	}
	d, err := db.Disbursement(ctx, id)
	if err != nil {
		return err
	}
	if asJSON {
		if d.Tranches == nil {
			d.Tranches = []incentive.Tranche{}
		}
		return printJSON(e.stdout, d)
	}
	eng := d.Engine()
	fmt.Fprintf(e.stdout, "application %d: award %s, committed %s, left %s, held in the budget %s", d.ApplicationID, d.AwardCents,
		eng.Committed(), eng.Remaining(), d.HeldCents)
	if d.ProjectID != 0 {
		fmt.Fprintf(e.stdout, ", follows project %d", d.ProjectID)
	}
	fmt.Fprintln(e.stdout)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tMILESTONE\tPLANNED\tCOMMITTED\tSTATUS\tAPPROVED\tPAID\tREFERENCE\tDOCUMENTS")
	for _, t := range d.Tranches {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", t.Seq, t.Milestone, t.PlannedCents, t.AmountCents, t.Status,
			dateOrDash(t.ApprovedOn), dateOrDash(t.PaidOn), orDash(t.Reference), len(d.Documents[t.Seq]))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// trancheFlags are the flags every tranche step shares.
type trancheFlags struct {
	dsn    *string
	seq    *int
	asJSON *bool
}

func newTrancheFlags(e *env, name string) (*flag.FlagSet, trancheFlags) {
	fs := newFlags(e, name)
	return fs, trancheFlags{dsn: dbFlag(e, fs, "gridbook.db"), seq: fs.Int("tranche", 0, "tranche number, 1 for the first milestone (required)"),
		asJSON: fs.Bool("json", false, "print the plan as JSON")}
}

// onDate reads an optional --on date (empty: today) into f.
func onDate(f *apperr.Fields, s string) calendar.Date {
	if s == "" {
		return calendar.Date{}
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		f.Add("on", "must be a date such as 2026-03-08")
	}
	return d
}

func runDisbursementShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "incentive disbursement show")
	dsn := dbFlag(e, fs, "gridbook.db")
	asJSON := fs.Bool("json", false, "print the plan as JSON")
	id, err := parseWithID(fs, args)
	if err != nil {
		return err
	}
	return disbursementCommand(ctx, e, *dsn, id, *asJSON, nil)
}

func runDisbursementPlan(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "incentive disbursement plan")
	dsn := dbFlag(e, fs, "gridbook.db")
	var tranches multiFlag
	fs.Var(&tranches, "tranche", "MILESTONE=DOLLARS, once per tranche in the order they are paid, e.g. design=200000")
	project := fs.Int64("project", 0, "a tracked project (Power Ready) whose milestones the tranches follow")
	asJSON := fs.Bool("json", false, "print the plan as JSON")
	id, err := parseWithID(fs, args)
	if err != nil {
		return err
	}
	var f apperr.Fields
	var specs []incentive.TrancheSpec
	for i, t := range tranches {
		m, amount, ok := strings.Cut(t, "=")
		cents, err := money.ParseDollars(strings.TrimSpace(amount))
		if !ok || err != nil {
			f.Add(fmt.Sprintf("tranche[%d]", i), "write MILESTONE=DOLLARS such as design=200000, not %q", t)
			continue
		}
		specs = append(specs, incentive.TrancheSpec{Milestone: strings.TrimSpace(m), AmountCents: cents})
	}
	if err := f.Err("incentive disbursement plan"); err != nil {
		return err
	}
	return disbursementCommand(ctx, e, *dsn, id, *asJSON, func(db *store.DB, tx *store.Tx) error {
		_, err := tx.PlanDisbursement(ctx, cliActor(e), id, *project, specs)
		return err
	})
}

func runDisbursementAttach(ctx context.Context, e *env, args []string) error {
	fs, tf := newTrancheFlags(e, "incentive disbursement attach")
	file := fs.String("file", "", "the document (required)")
	sum := fs.String("sha256", "", "the document's SHA-256 as stated by its sender; refused if it does not match")
	id, err := parseWithID(fs, args)
	if err != nil {
		return err
	}
	var f apperr.Fields
	if *tf.seq <= 0 {
		f.Add("tranche", "is required: the tranche's number, 1 for the first")
	}
	var content []byte
	if *file == "" {
		f.Add("file", "is required")
	} else if content, err = os.ReadFile(*file); err != nil {
		f.Add("file", "cannot be read: %v", err)
	}
	if err := f.Err("incentive disbursement attach"); err != nil {
		return err
	}
	ctype := mime.TypeByExtension(filepath.Ext(*file))
	if i := strings.IndexByte(ctype, ';'); i >= 0 {
		ctype = ctype[:i]
	}
	return disbursementCommand(ctx, e, *tf.dsn, id, *tf.asJSON, func(db *store.DB, tx *store.Tx) error {
		_, err := tx.AttachTrancheDocument(ctx, cliActor(e), id, *tf.seq, filepath.Base(*file), ctype, content, *sum)
		return err
	})
}

func runDisbursementApprove(ctx context.Context, e *env, args []string) error {
	fs, tf := newTrancheFlags(e, "incentive disbursement approve")
	on := fs.String("on", "", "the approval date, YYYY-MM-DD (default today)")
	amount := fs.String("amount", "", "dollars to commit (default the planned amount)")
	id, err := parseWithID(fs, args)
	if err != nil {
		return err
	}
	var f apperr.Fields
	if *tf.seq <= 0 {
		f.Add("tranche", "is required: the tranche's number, 1 for the first")
	}
	day := onDate(&f, *on)
	var cents money.Cents
	if *amount != "" {
		if cents, err = money.ParseDollars(*amount); err != nil || cents <= 0 {
			f.Add("amount", "must be a positive dollar amount such as 200000.00")
		}
	}
	if err := f.Err("incentive disbursement approve"); err != nil {
		return err
	}
	return disbursementCommand(ctx, e, *tf.dsn, id, *tf.asJSON, func(db *store.DB, tx *store.Tx) error {
		_, err := tx.ApproveTranche(ctx, cliActor(e), id, *tf.seq, cents, day, today(db))
		return err
	})
}

func runDisbursementPay(ctx context.Context, e *env, args []string) error {
	fs, tf := newTrancheFlags(e, "incentive disbursement pay")
	on := fs.String("on", "", "the payment date, YYYY-MM-DD (default today)")
	ref := fs.String("reference", "", "the payment's reference: check or ACH trace number (required)")
	id, err := parseWithID(fs, args)
	if err != nil {
		return err
	}
	var f apperr.Fields
	if *tf.seq <= 0 {
		f.Add("tranche", "is required: the tranche's number, 1 for the first")
	}
	day := onDate(&f, *on)
	if err := f.Err("incentive disbursement pay"); err != nil {
		return err
	}
	return disbursementCommand(ctx, e, *tf.dsn, id, *tf.asJSON, func(db *store.DB, tx *store.Tx) error {
		_, err := tx.PayTranche(ctx, cliActor(e), id, *tf.seq, day, *ref, today(db))
		return err
	})
}
