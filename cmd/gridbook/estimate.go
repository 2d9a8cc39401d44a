package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energyteam"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/savings"
)

// runEstimate is the Energy Team estimator for one account: shadow bills
// on every schedule it may take under its own billing terms, the effect
// of electrification options on its own interval data with their costs
// and rebates, and the plan of the chosen options.
func runEstimate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "estimate")
	dsn := dbFlag(e, fs, "gridbook.db")
	account := fs.String("account", "", "account number (required)")
	grid := fs.Float64("grid-co2", 0, "CO2 of the power supplied, lb/MWh (the supplier's power content label; default: counted as zero)")
	options := fs.String("options", "", "the plan's options, comma-separated ("+strings.Join(savings.OptionCodes(), ", ")+"); default: those recommended in the account's case")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	var f apperr.Fields
	if *account == "" {
		f.Add("account", "is required")
	}
	if *grid < 0 {
		f.Add("grid-co2", "must not be negative")
	}
	if err := f.Err("estimate"); err != nil {
		return err
	}
	var chosen []string
	if *options != "" {
		chosen = strings.Split(*options, ",")
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
	p, err := db.EnergyTeamPlan(ctx, a.ID, calendar.DateOf(db.Now()), *grid, chosen)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, p)
	}
	printPlan(e, a.Number, p)
	return nil
}

func printPlan(e *env, number string, p *energyteam.Plan) {
	fmt.Fprintf(e.stdout, "account %s, %s – %s\n", number, p.Span.Start, p.Span.End.AddDays(-1))
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "schedule\tterms\tcost\tutility\tCCA generation\t")
	for _, t := range p.Tariffs {
		mark := ""
		if t.Current {
			mark = " (current)"
		}
		if t.Code == p.Best {
			mark += " (lowest)"
		}
		if t.Error != "" {
			fmt.Fprintf(tw, "%s%s\t\tcannot bill: %s\t\t\t\n", t.Code, mark, t.Error)
			continue
		}
		fmt.Fprintf(tw, "%s%s\t%s %s\t%s\t%s\t%s\t\n", t.Code, mark, t.LSE, t.Program, t.Cost, t.UtilityTotal, t.GenerationTotal)
	}
	tw.Flush()
	if len(p.Products) > 0 {
		tw = tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "\nCCA product (current schedule)\trenewable\tgeneration price\tCCA generation\tcost\t")
		span := func(lo, hi money.Cents) string {
			if lo == hi {
				return lo.String()
			}
			return lo.String() + "–" + hi.String()
		}
		for _, g := range p.Products {
			fmt.Fprintf(tw, "%s\t%d%%\t%s the utility's\t%s\t%s\t\n", g.Name, g.RenewablePct, g.Relative(), span(g.GenerationLow, g.GenerationHigh), span(g.TotalLow, g.TotalHigh))
		}
		tw.Flush()
		fmt.Fprintf(e.stdout, "products priced from %s\n", p.Products[0].Source)
	} else if p.ProductsNote != "" {
		fmt.Fprintf(e.stdout, "CCA products: %s\n", p.ProductsNote)
	}
	tw = tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\noption\tadded kWh\tbill change\tCO2 lb\tcost\trebates\tnet cost")
	row := func(o energyteam.PlanOption) {
		if o.NotApplicable != "" {
			fmt.Fprintf(tw, "%s\tnot applicable: %s\t\t\t\t\t\n", o.Name, o.NotApplicable)
			return
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%.0f\t%s\t%s\t%s\n", o.Name, o.AddedKWh, o.BillChange, o.CO2ChangeLbs, o.Cost.Cents, o.RebateCents, o.NetCents)
	}
	for _, o := range p.Options {
		row(o)
	}
	if p.Combined != nil {
		row(*p.Combined)
	}
	tw.Flush()
	for _, o := range p.Options {
		for _, r := range o.Rebates {
			what := r.ProgramName
			if what == "" {
				what = o.Name
			}
			if r.Eligible {
				fmt.Fprintf(e.stdout, "rebate: %s %s\n", what, r.AmountCents)
			} else {
				fmt.Fprintf(e.stdout, "no rebate: %s: %s\n", what, strings.Join(r.Reasons, "; "))
			}
		}
	}
	for _, n := range p.Notes {
		fmt.Fprintf(e.stdout, "note: %s\n", n)
	}
}
