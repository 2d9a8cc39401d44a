package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/savings"
)

// runEstimate is the Energy Team estimator for one account: shadow bills
// on every schedule the account may take and the effect of
// electrification options on its own interval data.
func runEstimate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "estimate")
	dsn := dbFlag(e, fs, "gridbook.db")
	account := fs.String("account", "", "account number (required)")
	months := fs.Int("months", 12, "whole months billed, ending with the last month with readings")
	grid := fs.Float64("grid-co2", 0, "CO2 of the power supplied, lb/MWh (the supplier's power content label; default: counted as zero)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	var f apperr.Fields
	if *account == "" {
		f.Add("account", "is required")
	}
	if *months < 1 || *months > 24 {
		f.Add("months", "want 1–24, not %d", *months)
	}
	if err := f.Err("estimate"); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := db.AccountByNumber(ctx, *account)
	if err != nil {
		return err
	}
	in, err := db.EstimateInputs(ctx, a.ID, *months, calendar.DateOf(db.Now()))
	if err != nil {
		return err
	}
	in.GridCO2LbsPerMWh = *grid
	est, err := savings.EstimateAccount(in, savings.DefaultOptions())
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, est)
	}
	printEstimate(e, a.Number, est)
	return nil
}

func printEstimate(e *env, number string, est *savings.Estimate) {
	fmt.Fprintf(e.stdout, "account %s, %s – %s\n", number, est.Span.Start, est.Span.End.AddDays(-1))
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "schedule\tbills\t")
	for _, t := range est.Tariffs {
		mark := ""
		if t.Current {
			mark = " (current)"
		}
		if t.Code == est.Best {
			mark += " (lowest)"
		}
		total := t.Total.String()
		if t.Error != "" {
			total = "cannot bill: " + t.Error
		}
		fmt.Fprintf(tw, "%s%s\t%s\t\n", t.Code, mark, total)
	}
	tw.Flush()
	tw = tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\noption\tadded kWh\tbill change (current schedule)\tbest schedule\tCO2 change lb")
	for _, o := range est.Options {
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s %s\t%.0f\n", o.Name, o.AddedKWh, o.BillChange, o.BestSchedule, o.BestTotal, o.CO2ChangeLbs)
	}
	tw.Flush()
	for _, s := range est.OpenItems {
		fmt.Fprintf(e.stdout, "not included: %s\n", s)
	}
}
