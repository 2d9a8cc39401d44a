package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/costeff"
)

// runCosteffTable prints the portfolio's cost per first-year kWh: the
// seed's PG&E 2015 residential table, or programs from a CSV.
func runCosteffTable(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "costeff table")
	file := fs.String("file", "", "programs CSV: program,budget_usd,first_year_kwh[,source] (default: the seed's PG&E 2015 residential portfolio)")
	retail := fs.String("retail", "", "retail price, $/kWh (default 0.17, PG&E 2015)")
	title := fs.String("title", "", "table title")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	recs, price, err := costeff.PGE2015()
	if err != nil {
		return err
	}
	name := "PG&E 2015 residential energy-efficiency programs (seed 003)"
	if *file != "" {
		b, err := os.ReadFile(*file)
		if err != nil {
			return fileFieldError("file", *file, err)
		}
		if recs, err = costeff.ReadProgramRecords(bytes.NewReader(b)); err != nil {
			return err
		}
		name = *file
	}
	if *retail != "" {
		price = *retail
	}
	if *title != "" {
		name = *title
	}
	tab, err := costeff.CostPerFirstYearKWh(name, recs, price)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, tab)
	}
	fmt.Fprintf(e.stdout, "%s — cost per first-year kWh saved (budget ÷ first-year kWh; not a levelized cost), retail $%s/kWh\n", tab.Title, tab.Retail)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "program\tbudget\tfirst-year kWh\t$ per first-year kWh\tvs retail")
	for _, p := range tab.Programs {
		budget, kwh, vs := costeff.NA, costeff.NA, ""
		if p.Budget != nil {
			budget = p.Budget.String()
		}
		if p.FirstYearKWh != nil {
			kwh = fmt.Sprintf("%d", *p.FirstYearKWh)
		}
		if p.Available {
			vs = "below"
			if p.AboveRetail {
				vs = "above"
			}
		}
		cost := p.Display
		if p.Available {
			cost = "$" + cost
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Name, budget, kwh, cost, vs)
	}
	return tw.Flush()
}

// runCosteffCalc runs the CPUC cost-effectiveness tests on claims in the
// CEDARS layout, from files alone.
func runCosteffCalc(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "costeff calc")
	claimsFile := fs.String("claims", "", "measure claims, CSV in the CET's CEDARS layout (required)")
	programsFile := fs.String("programs", "", "program costs CSV: PrgID,Year and cost categories")
	var in costeff.SettingsInput
	fs.Float64Var(&in.DiscountRate, "discount", 0, "annual discount rate Ra, e.g. 0.075 (required)")
	fs.StringVar(&in.QuarterlyRate, "quarterly", "exact", "quarterly rate: a number (as stored with the ACC), exact ((1+Ra)^¼−1) or flexvalue (Ra/4)")
	fs.Float64Var(&in.SocietalDiscountRate, "societal-discount", 0, "SCT discount rate (default: --discount)")
	fs.IntVar(&in.FirstYear, "first-year", 0, "first year of the analysis: claims installed later are discounted by quarter (0: none)")
	fs.StringVar(&in.AvoidedElec, "avoided-elec", "", "electric avoided cost $/kWh, one value or one per year of life, comma-separated")
	fs.StringVar(&in.AvoidedGas, "avoided-gas", "", "gas avoided cost $/therm, one value or one per year")
	fs.Float64Var(&in.RetailElec, "retail-elec", 0, "retail electric rate $/kWh lost to the program (RIM)")
	fs.Float64Var(&in.RetailGas, "retail-gas", 0, "retail gas rate $/therm (RIM)")
	fs.StringVar(&in.ACCVersion, "acc-version", "", "avoided-cost version stamped on the report, e.g. \"2024 ACC\" (required)")
	export := fs.String("export", "", "also write the claims as read (defaults filled in) to this CSV, CEDARS layout")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	var f apperr.Fields
	if *claimsFile == "" {
		f.Add("claims", "is required")
	}
	if err := f.Err("costeff calc"); err != nil {
		return err
	}
	s, err := in.Settings()
	if err != nil {
		return err
	}
	b, err := os.ReadFile(*claimsFile)
	if err != nil {
		return fileFieldError("claims", *claimsFile, err)
	}
	claims, err := costeff.ReadClaims(bytes.NewReader(b))
	if err != nil {
		return err
	}
	var progs []costeff.ProgramCost
	if *programsFile != "" {
		b, err := os.ReadFile(*programsFile)
		if err != nil {
			return fileFieldError("programs", *programsFile, err)
		}
		if progs, err = costeff.ReadProgramCosts(bytes.NewReader(b)); err != nil {
			return err
		}
	}
	ev, err := costeff.Evaluate(claims, progs, s)
	if err != nil {
		return err
	}
	if *export != "" {
		var out bytes.Buffer
		if err := costeff.WriteClaims(&out, claims); err != nil {
			return err
		}
		if err := os.WriteFile(*export, out.Bytes(), 0o644); err != nil {
			return fileFieldError("export", *export, err)
		}
	}
	if *asJSON {
		return printJSON(e.stdout, ev)
	}
	printEvaluation(e.stdout, ev)
	return nil
}

func fileFieldError(field, path string, err error) error {
	var f apperr.Fields
	f.Add(field, "cannot read %s: %v", path, err)
	return f.Err("costeff")
}

// printEvaluation writes the program and portfolio results for a person.
func printEvaluation(w io.Writer, ev *costeff.Evaluation) {
	st := ev.Settings
	fmt.Fprintf(w, "avoided costs %s; discount %.4g/yr, quarterly %.6g (%s); SCT %.4g; %s\n", st.ACCVersion, st.DiscountRate, st.QuarterlyRate,
		st.QuarterlyRateSource, st.SocietalDiscountRate, st.Annuity)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "program\tfirst-yr net kWh\tPV net kWh\tbenefits $\tPAC $\tTRC $\tTRC\tPAC\tRIM\tSCT\tlev. PAC $/kWh\tlev. TRC $/kWh\tTSB $\t")
	for _, r := range append(ev.Programs, ev.Portfolio) {
		fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%.2f\t%.2f\t%.2f\t%s\t%s\t%s\t%s\t%s\t%s\t%.2f\t\n", r.Name, r.FirstYearNetKWh, r.PVNetKWh,
			r.ElecBen+r.GasBen, r.PACCost, r.TRCCost, ratioText(r.TRCRatio, 3), ratioText(r.PACRatio, 3), ratioText(r.RIMRatio, 3),
			ratioText(r.SCTRatio, 3), ratioText(r.LevPACKWh, 4), ratioText(r.LevTRCKWh, 4), r.TSB)
	}
	tw.Flush()
}

func ratioText(v *float64, places int) string {
	if v == nil {
		return "–"
	}
	return fmt.Sprintf("%.*f", places, *v)
}
