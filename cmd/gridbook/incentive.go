package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
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

// runIncentiveExpire expires lapsed reservations and coupons on a day
// (default today), releasing their funds and promoting the waitlists, in
// one transaction, and records the run (also a daily job).
func runIncentiveExpire(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "incentive expire")
	dsn := dbFlag(e, fs, "gridbook.db")
	on := fs.String("date", "", "the day to expire on (YYYY-MM-DD; default today in Pacific time)")
	asJSON := fs.Bool("json", false, "print the counts as JSON")
	if err := parse(fs, args); err != nil {
		return err
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
	run, err := db.RunIncentiveExpiry(ctx, cliActor(e), day)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, map[string]int64{"reservations": run.Counts["reservations"], "coupons": run.Counts["coupons"]})
	}
	fmt.Fprintln(e.stdout, run.Summary)
	return nil
}

// dayFlag parses a --date flag, defaulting to today in Pacific time.
func dayFlag(s string, db *store.DB) (calendar.Date, error) {
	if s == "" {
		return calendar.DateOf(db.Now()), nil
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		var f apperr.Fields
		f.Add("date", "must be a date such as 2026-03-08")
		return d, f.Err("incentive")
	}
	return d, nil
}

// runPowerShareEnroll fills Power Share up to its capacity with the
// eligible accounts at the highest risk of disconnection (a CSV of
// account_number,arrears_cents,notices from the utility's collections
// data; accounts absent from it count as no risk).
func runPowerShareEnroll(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "incentive power-share-enroll")
	dsn := dbFlag(e, fs, "gridbook.db")
	capacity := fs.Int("capacity", -1, "how many accounts Power Share serves at most")
	riskFile := fs.String("risk", "", "CSV account_number,arrears_cents,notices")
	on := fs.String("date", "", "enrolment start (YYYY-MM-DD; default today)")
	asJSON := fs.Bool("json", false, "print the enrolled account numbers as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *capacity < 0 {
		var f apperr.Fields
		f.Add("capacity", "is required: how many accounts the program serves")
		return f.Err("incentive power-share-enroll")
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
	risk := map[int64]incentive.Candidate{}
	if *riskFile != "" {
		if risk, err = readRisk(ctx, db, *riskFile); err != nil {
			return err
		}
	}
	var ids []int64
	err = db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		ids, err = tx.AutoEnrollPowerShare(ctx, cliActor(e), day, *capacity, risk)
		return err
	})
	if err != nil {
		return err
	}
	var numbers []string
	for _, id := range ids {
		a, err := db.Account(ctx, id)
		if err != nil {
			return err
		}
		numbers = append(numbers, a.Number)
	}
	if *asJSON {
		return printJSON(e.stdout, map[string]any{"enrolled": append([]string{}, numbers...)})
	}
	fmt.Fprintf(e.stdout, "enrolled %d accounts in Power Share from %s\n", len(numbers), day)
	for _, n := range numbers {
		fmt.Fprintln(e.stdout, " ", n)
	}
	return nil
}

// readRisk reads account_number,arrears_cents,notices lines into
// candidates by account id; a problem names the line.
func readRisk(ctx context.Context, db *store.DB, name string) (map[int64]incentive.Candidate, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, apperr.E(apperr.Invalid, "incentive", fmt.Sprintf("cannot read %s", name), err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	var fe apperr.Fields
	if err != nil || len(recs) == 0 || strings.Join(recs[0], ",") != "account_number,arrears_cents,notices" {
		fe.Add("risk", "%s must be CSV starting with account_number,arrears_cents,notices", name)
		return nil, fe.Err("incentive")
	}
	out := map[int64]incentive.Candidate{}
	for i, rec := range recs[1:] {
		line := fmt.Sprintf("%s line %d", name, i+2)
		if len(rec) != 3 {
			fe.Add(line, "want 3 fields")
			continue
		}
		arrears, err1 := strconv.ParseInt(strings.TrimSpace(rec[1]), 10, 64)
		notices, err2 := strconv.Atoi(strings.TrimSpace(rec[2]))
		if err1 != nil || err2 != nil || arrears < 0 || notices < 0 {
			fe.Add(line, "arrears_cents and notices must be non-negative integers")
			continue
		}
		a, err := db.AccountByNumber(ctx, strings.TrimSpace(rec[0]))
		if err != nil {
			fe.Add(line, "account %q not found", rec[0])
			continue
		}
		out[a.ID] = incentive.Candidate{AccountID: a.ID, ArrearsCents: money.Cents(arrears), Notices: notices}
	}
	return out, fe.Err("incentive")
}

// runScoreRound scores a competitive innovation-fund round from a file:
// weighted scores, ranks and awards in rank order while the fund lasts.
func runScoreRound(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "incentive score-round")
	file := fs.String("round", "", "round JSON: name, fund_cents, min_score_bp, criteria [{name, weight_bp, max}], proposals [{agency, title, requested_cents, scores}]")
	asJSON := fs.Bool("json", false, "print the results as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *file == "" {
		var f apperr.Fields
		f.Add("round", "is required")
		return f.Err("incentive score-round")
	}
	b, err := os.ReadFile(*file)
	if err != nil {
		return apperr.E(apperr.Invalid, "incentive score-round", fmt.Sprintf("cannot read %s", *file), err)
	}
	var r incentive.Round
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		var f apperr.Fields
		f.Add("round", "%s: %v", *file, err)
		return f.Err("incentive score-round")
	}
	res, err := r.Score()
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, res)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RANK\tAGENCY\tSCORE\tREQUESTED\tAWARD\tWHY")
	for _, x := range res {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", x.Rank, x.Agency, x.Score, x.Requested, x.Award, x.Reason)
	}
	return tw.Flush()
}
