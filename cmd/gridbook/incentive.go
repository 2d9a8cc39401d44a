package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/reference"
	"github.com/gridbook/gridbook/internal/store"
)

// factsHelp documents the facts schema in `gridbook incentive quote -h`
// (docs/incentives.md has the full description).
const factsHelp = `Facts (JSON object; every field optional, a rule that needs a missing one names it):
  date                 YYYY-MM-DD the rules are evaluated on (required)
  customer_class       residential | commercial | agricultural | municipal
  income_program       CARE | FERA | none
  dac                  true | false (premise in an SB 535 disadvantaged community)
  hftd_tier            none | ZONE1 | TIER2 | TIER3
  county               FIPS code ("06037") or name ("Los Angeles")
  climate_zone         1-16
  member_agency        CPA member agency (grants)
  cca_customer         true | false (served by the CCA on the date)
  dwelling_type        single_family | multifamily | mobile_home
  household_size       persons
  household_income_usd gross annual household income in dollars
  homeowner            true | false
  gas_customer         true | false (also a SoCalGas customer)
  measure              {"type": "...", "energy_star": true, "energy_factor": 2.0, "lamp_type": "reflector",
                        "watts": 17, "shutters": true, "savings_percent": 12, "year_made": 1998, "cubic_feet": 18, ...}
  quantity             units (default 1)
  invoice_cost_cents   invoiced cost; the incentive never exceeds it
  requested_cents      grants: the amount applied for
  pathway              grants: building_electrification | fleet_electrification | community_ev_charging
`

// runIncentiveQuote decides one program for a facts file without a
// database: eligibility, the amount and the trace.
func runIncentiveQuote(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "incentive quote")
	program := fs.String("program", "", "program id, e.g. sun-storage-rebate (see `gridbook incentive programs`)")
	factsFile := fs.String("facts", "", "facts JSON file (- for standard input)")
	catalogFile := fs.String("catalog", "", "programs document to use instead of the shipped catalog")
	asJSON := fs.Bool("json", false, "print the decision as JSON: eligible, amount_cents, reasons, trace")
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, "usage: gridbook incentive quote --program ID --facts FILE.json [--catalog FILE] [--json]")
		fs.PrintDefaults()
		fmt.Fprint(e.stderr, "\n"+factsHelp)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	var f apperr.Fields
	if *program == "" {
		f.Add("program", "is required")
	}
	if *factsFile == "" {
		f.Add("facts", "is required")
	}
	if err := f.Err("incentive quote"); err != nil {
		return err
	}
	cat, err := loadCatalog(*catalogFile)
	if err != nil {
		return err
	}
	var r io.Reader = e.stdin
	if *factsFile != "-" {
		b, err := os.ReadFile(*factsFile)
		if err != nil {
			return apperr.E(apperr.Invalid, "incentive quote", fmt.Sprintf("cannot read %s", *factsFile), err)
		}
		r = bytes.NewReader(b)
	}
	facts, err := incentive.ParseFacts(r)
	if err != nil {
		return err
	}
	ref, err := reference.Load()
	if err != nil {
		return err
	}
	d, qerr := cat.Quote(*program, facts, ref)
	if apperr.KindOf(qerr) == apperr.NotFound {
		return apperr.E(apperr.Invalid, "incentive quote", apperr.MessageOf(qerr), qerr)
	}
	if qerr != nil && d.Measure == "" { // no decision: unknown measure or no date
		return qerr
	}
	if *asJSON {
		if err := printJSON(e.stdout, d); err != nil {
			return err
		}
	} else {
		printDecision(e.stdout, d)
	}
	return qerr
}

// printDecision writes a decision for people: the verdict, the reasons
// and the trace.
func printDecision(w io.Writer, d incentive.Decision) {
	verdict := "not eligible"
	if d.Eligible {
		verdict = "eligible, " + d.AmountCents.String()
	}
	fmt.Fprintf(w, "%s / %s: %s (%s)\n", d.Program, d.Measure, verdict, d.PaymentMethod)
	for _, r := range d.Reasons {
		fmt.Fprintf(w, "  why: %s — %s\n", r.Code, r.Message)
	}
	if len(d.Flags) > 0 {
		fmt.Fprintf(w, "  flags: %s\n", strings.Join(d.Flags, ", "))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  rule\toutcome\tamount\tdetail")
	for _, s := range d.Trace {
		amt := ""
		if s.AmountCents != nil {
			amt = s.AmountCents.String()
		}
		detail := s.Detail
		if s.Table != "" {
			detail += " [" + s.Table + ", " + s.Row + "]"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", s.Rule, s.Outcome, amt, detail)
	}
	tw.Flush()
}

// loadCatalog reads a programs document, or the shipped catalog for "".
func loadCatalog(name string) (*incentive.Catalog, error) {
	if name == "" {
		return incentive.Shipped()
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, apperr.E(apperr.Invalid, "incentive", fmt.Sprintf("cannot read %s", name), err)
	}
	c, err := incentive.ParsePrograms(b)
	if err != nil {
		return nil, fileError(name, err)
	}
	return c, nil
}

// runIncentivePrograms lists the programs of the shipped catalog (or a
// programs document).
func runIncentivePrograms(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "incentive programs")
	catalogFile := fs.String("catalog", "", "programs document to list instead of the shipped catalog")
	asJSON := fs.Bool("json", false, "print the programs as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	cat, err := loadCatalog(*catalogFile)
	if err != nil {
		return err
	}
	ps := cat.Programs()
	if *asJSON {
		return printJSON(e.stdout, map[string]any{"programs": ps})
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tADMIN\tKIND\tPAYMENT\tMEASURES\tNAME")
	for _, p := range ps {
		var ms []string
		for _, m := range p.Measures {
			ms = append(ms, m.ID)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Administrator, p.Kind, p.PaymentMethod, strings.Join(ms, ","), p.Name)
	}
	return tw.Flush()
}

// runIncentiveImport stores a programs document (or the shipped catalog)
// in one transaction: a bad document stores nothing and repeating an
// import changes nothing.
func runIncentiveImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "incentive import-programs")
	dsn := dbFlag(e, fs, "gridbook.db")
	shipped := fs.Bool("shipped", false, "import the catalog built into gridbook")
	asJSON := fs.Bool("json", false, "print the counts as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 || (fs.NArg() == 0) == !*shipped {
		return errUsage
	}
	name := ""
	if fs.NArg() == 1 {
		name = fs.Arg(0)
	}
	cat, err := loadCatalog(name)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var res store.ProgramImport
	err = db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		res, err = tx.ImportPrograms(ctx, cliActor(e), cat)
		return err
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, map[string]int{"added": res.Added, "changed": res.Changed, "unchanged": res.Unchanged, "budgets_added": res.BudgetsAdded})
	}
	fmt.Fprintf(e.stdout, "programs: %d added, %d changed, %d unchanged; budgets added: %d\n", res.Added, res.Changed, res.Unchanged, res.BudgetsAdded)
	return nil
}

// runIncentiveReport prints a program's published figures from the
// records: participants, paid, committed, reserved, shares, coupons,
// budgets and the burn-down.
func runIncentiveReport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "incentive report")
	dsn := dbFlag(e, fs, "gridbook.db")
	program := fs.String("program", "", "program id")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *program == "" {
		var f apperr.Fields
		f.Add("program", "is required")
		return f.Err("incentive report")
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	r, err := db.IncentiveReport(ctx, *program)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.E(apperr.Invalid, "incentive report", apperr.MessageOf(err), err)
	} else if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, r)
	}
	fmt.Fprintln(e.stdout, r.String())
	fmt.Fprintf(e.stdout, "applications %d, waitlisted %d; CARE/FERA participants %d, DAC participants %d\n",
		r.Applications, r.Waitlisted, r.IncomeQualifiedPaid, r.DACPaid)
	if r.CouponsIssued > 0 {
		fmt.Fprintf(e.stdout, "coupons: %d issued, %d redeemed, %d reserved\n", r.CouponsIssued, r.CouponsRedeemed, r.CouponsOpen)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "budget\tallocated\treserved\tcommitted\tpaid\tavailable\t")
	for _, b := range r.Budgets {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t\n", b.Name, b.AllocatedCents, b.ReservedCents, b.CommittedCents, b.PaidCents, b.Available())
	}
	for _, a := range r.ByAgency {
		fmt.Fprintf(tw, "%s (%s)\t%d awards\t%s\t\t\t\t\n", a.Agency, a.Measure, a.Awards, a.AmountCents)
	}
	return tw.Flush()
}
