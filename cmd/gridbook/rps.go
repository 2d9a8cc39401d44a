package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gridbook/gridbook/internal/api"
	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/rec"
	"github.com/gridbook/gridbook/internal/rps"
	"github.com/gridbook/gridbook/internal/store"
)

// verb is one `gridbook <noun> <verb>` of a noun with many verbs.
type verb struct {
	args, short string
	run         func(ctx context.Context, e *env, args []string) error
}

// runVerbs dispatches `gridbook <noun> <verb>`; `gridbook <noun> help`
// lists the verbs.
func runVerbs(ctx context.Context, e *env, noun string, verbs map[string]verb, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		verbUsage(e.stdout, noun, verbs)
		return nil
	}
	v, ok := verbs[args[0]]
	if !ok {
		verbUsage(e.stderr, noun, verbs)
		return apperr.Invalidf(noun, "unknown verb %q", args[0])
	}
	err := v.run(ctx, e, args[1:])
	if err == errUsage {
		return apperr.Invalidf(noun, "usage: gridbook %s %s %s", noun, args[0], v.args)
	}
	return err
}

func verbUsage(w io.Writer, noun string, verbs map[string]verb) {
	fmt.Fprintf(w, "usage: gridbook %s <verb> [flags]\n\nverbs:\n", noun)
	names := make([]string, 0, len(verbs))
	for n := range verbs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-17s %s\n", n, verbs[n].short)
	}
	fmt.Fprintf(w, "\nRun `gridbook %s <verb> -h` for a verb's flags.\n", noun)
}

// rpsVerbs are the verbs of `gridbook rps`.
func rpsVerbs() map[string]verb {
	return map[string]verb{
		"calc": {"--input FILE.json [--json]", "compute a period's position from a JSON document alone (no database; docs/rps.md)", runRPSCalc},
		"eligibility": {"--facility FILE.json [--on DATE] [--seller NAME] [--json]",
			"apply the §399.12 eligibility rules to a facility document (no database)", runRPSEligibility},
		"rules":     {"[--jurisdiction J] [--json]", "list the rule sets: percentages as published, limits, eras, sources", runRPSRules},
		"profile":   {"[--db DB] [--seller S] [--jurisdiction J] [--anchor END|START] [--lt-denominator PQR|APPLIED] [--opening-bank MWH] [--json]", "show or change the seller's RPS profile", runRPSProfile},
		"sales":     {"[--db DB] [--year Y --mwh N --source S] [--json]", "list retail sales by year, or record one year's", runRPSSales},
		"contract":  {"[--db DB] --file FILE.json [--json]", "record a procurement contract (rps.Contract JSON)", runRPSContract},
		"amend":     {"ID [--db DB] --date D --kind extension|capacity_increase|generation_increase|resource_substitution|other [--new-end D] [--note T] [--json]", "append an amendment to a contract", runRPSAmend},
		"contracts": {"[--db DB] [--json]", "list contracts with their long-term standing today", runRPSContracts},
		"claim":     {"[--db DB] --retirement ID --contract ID [--mwh N] [--hourly FILE.json] [--key K] [--json]", "apply an RPS retirement to its period under a contract", runRPSClaim},
		"claims":    {"[--db DB] [--period CP] [--json]", "list claims", runRPSClaims},
		"position":  {"[--db DB] [--json]", "the position in every period on record, with the bank carried", runRPSPosition},
		"report":    {"--year Y [--db DB] [--csv|--json|--procurement]", "the annual compliance report (§399.13(a)(3)); --procurement: its procurement detail CSV, one row per contract, category, vintage and retirement month", runRPSReport},
		"hourly-match": {"(--load FILE --generation FILE | [--db DB] --year Y [--program P --facility ID...]) [--json]",
			"match a green product's hourly load against its facilities' hourly generation (files: one Wh value a line)", runRPSHourlyMatch},
	}
}

// runRPS dispatches `gridbook rps <verb>`.
func runRPS(ctx context.Context, e *env, args []string) error {
	return runVerbs(ctx, e, "rps", rpsVerbs(), args)
}

// readInput reads a named file, or standard input for "-".
func readInput(e *env, name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(e.stdin)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, apperr.E(apperr.Invalid, "read", fmt.Sprintf("cannot read %s", name), err)
	}
	return b, nil
}

// decodeFile strictly decodes a JSON file into v, naming the file.
func decodeFile(e *env, name string, v any) error {
	b, err := readInput(e, name)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return apperr.E(apperr.Invalid, "decode", fmt.Sprintf("%s: %v", name, strings.TrimPrefix(err.Error(), "json: ")), err)
	}
	return nil
}

func runRPSCalc(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "rps calc")
	input := fs.String("input", "", "calculator document (- for standard input; layout in docs/rps.md)")
	asJSON := fs.Bool("json", false, "print the position as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *input == "" || fs.NArg() > 0 {
		return errUsage
	}
	b, err := readInput(e, *input)
	if err != nil {
		return err
	}
	in, err := rps.ParseCalcInput(bytes.NewReader(b))
	if err != nil {
		return err
	}
	out, err := rps.Calc(nil, in)
	if err != nil {
		return err
	}
	if *asJSON {
		return rps.EncodeCalcOutput(e.stdout, out)
	}
	printPosition(e.stdout, out)
	return nil
}

// printPosition writes a period's position as a table.
func printPosition(w io.Writer, o rps.CalcOutput) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s %s\n", o.Jurisdiction, o.Period)
	for _, y := range o.Years {
		fmt.Fprintf(tw, "  %d\t%d MWh sales\t× %s%%\t= %s MWh\n", y.Year, y.RetailSales, y.Percent, y.MWh)
	}
	fmt.Fprintf(tw, "requirement\t%d MWh\t(exactly %s)\n", o.PQRMWh, o.PQRExact)
	fmt.Fprintf(tw, "available\tPCC0 %d\tPCC1 %d\tPCC2 %d\tPCC3 %d\n", o.Available.PCC0, o.Available.PCC1, o.Available.PCC2, o.Available.PCC3)
	fmt.Fprintf(tw, "applied\tPCC0 %d\tPCC1 %d\tPCC2 %d\tPCC3 %d\tbanked %d\ttotal %d MWh\n", o.Applied.PCC0, o.Applied.PCC1, o.Applied.PCC2,
		o.Applied.PCC3, o.Applied.Banked, o.Applied.Total)
	fmt.Fprintf(tw, "balance\tPCC1 %s (≥ %s%%)\tPCC3 %s (≤ %s%%)\n", o.PCC1Share, o.PCC1Min, o.PCC3Share, o.PCC3Max)
	fmt.Fprintf(tw, "long-term\t%d MWh applied\t%d MWh required\n", o.LTApplied, o.LTRequired)
	fmt.Fprintf(tw, "excess\t%d MWh (%s)\tbank in %d\tbank out %d\n", o.Excess, o.ExcessEra, o.BankIn, o.BankOut)
	fmt.Fprintf(tw, "shortfall\t%d MWh\n", o.Shortfall)
	tw.Flush()
	for _, x := range o.Excluded {
		fmt.Fprintf(w, "not applied: %d MWh %s — %s (%s)\n", x.MWh, rps.PCC(x.PCC), x.Rule, x.Citation)
	}
	if o.Complies {
		fmt.Fprintln(w, "complies")
	}
	for _, v := range o.Violations {
		fmt.Fprintf(w, "VIOLATION %s: %s (%s)\n", v.Rule, v.Message, v.Citation)
	}
}

func runRPSEligibility(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "rps eligibility")
	file := fs.String("facility", "", "facility JSON (the facility object of GET /api/v1/rec/facilities)")
	on := fs.String("on", "", "the day of generation (default today)")
	seller := fs.String("seller", "", "the retail seller claiming the output (for the hydro procurer rules)")
	asJSON := fs.Bool("json", false, "print the decision as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *file == "" || fs.NArg() > 0 {
		return errUsage
	}
	var reg rec.Facility // a registered facility's JSON; account_id is ignored here
	if err := decodeFile(e, *file, &reg); err != nil {
		return err
	}
	f := reg.Facility
	if err := f.Validate(); err != nil {
		return err
	}
	day, err := dateFlag("on", *on, calendar.DateOf(time.Now()))
	if err != nil {
		return err
	}
	d := rps.Eligibility(&f, day, *seller)
	if *asJSON {
		return printJSON(e.stdout, struct {
			rps.Decision
			Share string `json:"eligible_share"`
		}{d, d.Share.FloatString(4)})
	}
	verdict := "ELIGIBLE"
	if !d.Eligible {
		verdict = "NOT ELIGIBLE"
	}
	fmt.Fprintf(e.stdout, "%s on %v: %s (share of output %s)\n", f.Name, day, verdict, d.Share.FloatString(4))
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, x := range d.Findings {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", x.Outcome, x.Rule, x.Detail, x.Citation)
	}
	return tw.Flush()
}

func runRPSRules(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "rps rules")
	j := fs.String("jurisdiction", "", "only this jurisdiction")
	asJSON := fs.Bool("json", false, "print JSON (the rule sets of GET /api/v1/rps/rules)")
	if err := parse(fs, args); err != nil {
		return err
	}
	rules, err := rps.DefaultRules()
	if err != nil {
		return err
	}
	var sets []rps.RuleSet
	for _, s := range rules.All() {
		if *j == "" || string(s.Jurisdiction) == *j {
			sets = append(sets, s)
		}
	}
	if *asJSON {
		return printJSON(e.stdout, sets)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "JURISDICTION\tPERIOD\tYEARS\tPERCENT BY YEAR\tPCC1 ≥\tPCC3 ≤\tLONG-TERM\tEXCESS")
	for _, s := range sets {
		var pct []string
		for _, y := range s.Years() {
			pct = append(pct, string(s.Targets[y]))
		}
		fmt.Fprintf(tw, "%s\t%s\t%d–%d\t%s\t%s%%\t%s%%\t%s%%\t%s\n", s.Jurisdiction, s.Period, s.FirstYear, s.LastYear, strings.Join(pct, " / "),
			s.PCC1Min, s.PCC3Max, s.LongTermMin, s.ExcessEra)
	}
	return tw.Flush()
}

func runRPSProfile(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "rps profile")
	dsn := dbFlag(e, fs, "gridbook.db")
	seller := fs.String("seller", "", "the retail seller's name")
	jur := fs.String("jurisdiction", "", "CPUC_RETAIL_SELLER, CPUC_ESP, CPUC_SMJU or CEC_POU")
	anchor := fs.String("anchor", "", "36-month window from the vintage month's START (default: the initial date of generation, §399.21(a)(7)) or END")
	lt := fs.String("lt-denominator", "", "the long-term 65% of the PQR (default) or of APPLIED procurement")
	bank := fs.Int64("opening-bank", -1, "excess procurement carried into the first period on record (MWh)")
	asJSON := fs.Bool("json", false, "print the profile as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := db.RPSProfile(ctx)
	if err != nil {
		return err
	}
	changed := false
	set := func(cond bool, fn func()) {
		if cond {
			fn()
			changed = true
		}
	}
	set(*seller != "", func() { p.Seller = *seller })
	set(*jur != "", func() { p.Jurisdiction = rps.Jurisdiction(*jur) })
	set(*anchor != "", func() { p.Settings.WindowAnchor = rps.Anchor("VINTAGE_MONTH_" + strings.ToUpper(*anchor)) })
	set(*lt != "", func() { p.Settings.LongTermDenominator = rps.LTDenominator(strings.ToUpper(*lt)) })
	set(*bank >= 0, func() { p.OpeningBank = *bank })
	if changed {
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.SetRPSProfile(ctx, cliActor(e), p) }); err != nil {
			return err
		}
	}
	if *asJSON {
		return printJSON(e.stdout, p)
	}
	anchorName := "start"
	if p.Settings.WindowAnchor == rps.AnchorMonthEnd {
		anchorName = "end"
	}
	fmt.Fprintf(e.stdout, "seller %q, %s; 36-month window from the vintage month's %s; long-term 65%% of the %s; opening bank %d MWh\n",
		p.Seller, p.Jurisdiction, anchorName, p.Settings.LongTermDenominator, p.OpeningBank)
	return nil
}

func runRPSSales(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "rps sales")
	dsn := dbFlag(e, fs, "gridbook.db")
	year := fs.Int("year", 0, "record this year's retail sales")
	mwh := fs.Int64("mwh", -1, "retail sales, MWh")
	source := fs.String("source", "", "where the figure comes from")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if *year != 0 {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			return tx.SetRetailSales(ctx, cliActor(e), store.RetailSales{Year: *year, MWh: *mwh, Source: *source})
		})
		if err != nil {
			return err
		}
	}
	sales, err := db.RPSRetailSales(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, sales)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "YEAR\tRETAIL SALES MWh\tSOURCE")
	for _, s := range sales {
		fmt.Fprintf(tw, "%d\t%d\t%s\n", s.Year, s.MWh, s.Source)
	}
	return tw.Flush()
}

func runRPSContract(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "rps contract")
	dsn := dbFlag(e, fs, "gridbook.db")
	file := fs.String("file", "", "contract JSON (the body of POST /api/v1/rps/contracts)")
	asJSON := fs.Bool("json", false, "print the stored contract as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *file == "" {
		return errUsage
	}
	var c rps.Contract
	if err := decodeFile(e, *file, &c); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateContract(ctx, cliActor(e), &c) }); err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, c)
	}
	fmt.Fprintf(e.stdout, "contract %d %q recorded\n", c.ID, c.Name)
	return nil
}

func runRPSAmend(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "rps amend")
	dsn := dbFlag(e, fs, "gridbook.db")
	on := fs.String("date", "", "the amendment's date")
	kind := fs.String("kind", "", "extension, capacity_increase, generation_increase, resource_substitution or other")
	newEnd := fs.String("new-end", "", "extension: the new end of deliveries (exclusive)")
	note := fs.String("note", "", "what changed")
	asJSON := fs.Bool("json", false, "print the contract as JSON")
	idStr, err := idArg(fs, args)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(idStr, 10, 64)
	if err != nil {
		return apperr.Invalidf("rps amend", "contract id %q is not a number", idStr)
	}
	var f apperr.Fields
	a := rps.Amendment{Kind: rps.AmendmentKind(*kind), Note: *note}
	a.Date = parseDateField(&f, "date", *on)
	a.NewEnd = parseDateField(&f, "new-end", *newEnd)
	if err := f.Err("rps amend"); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var c rps.Contract
	if err := db.InTx(ctx, func(tx *store.Tx) error { c, err = tx.AmendContract(ctx, cliActor(e), id, a); return err }); err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, c)
	}
	fmt.Fprintf(e.stdout, "contract %d %q: %d amendment(s)\n", c.ID, c.Name, len(c.Amendments))
	return nil
}

// parseDateField parses an optional YYYY-MM-DD flag into a date.
func parseDateField(f *apperr.Fields, name, s string) calendar.Date {
	if s == "" {
		return calendar.Date{}
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		f.Add(name, "%q: want YYYY-MM-DD", s)
	}
	return d
}

func runRPSContracts(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "rps contracts")
	dsn := dbFlag(e, fs, "gridbook.db")
	asJSON := fs.Bool("json", false, "print JSON (the objects of GET /api/v1/rps/contracts)")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	cs, err := db.Contracts(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, cs)
	}
	today := calendar.DateOf(db.Now())
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tCOUNTERPARTY\tFACILITY\tEXECUTED\tDELIVERIES\tDELIVERY\tLONG-TERM TODAY\tAMENDMENTS")
	for _, c := range cs {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%v\t%v – %v\t%s\t%v\t%d\n", c.ID, c.Name, c.Counterparty, c.FacilityID, c.Executed, c.Start, c.End, c.Delivery,
			c.LongTermOn(today), len(c.Amendments))
	}
	return tw.Flush()
}

// cliCommand runs fn in a transaction with an optional idempotency key:
// the first run's output is stored with the key, and a repeat with the
// same key and the same request prints it again without changing
// anything (the API's Idempotency-Key, for the shell).
func cliCommand(ctx context.Context, e *env, db *store.DB, key string, request []string, fn func(tx *store.Tx) (any, error)) ([]byte, error) {
	owner := cliActor(e).String()
	sum := sha256.Sum256([]byte(strings.Join(request, "\x00")))
	hash := hex.EncodeToString(sum[:])
	if key != "" {
		prev, ok, err := db.IdempotentResult(ctx, owner, key)
		if err != nil {
			return nil, err
		}
		if ok {
			if prev.RequestHash != hash {
				return nil, apperr.Conflictf("cli", "key %q was already used with a different command", key)
			}
			fmt.Fprintf(e.stderr, "replayed: key %q was already used for this command; nothing changed\n", key)
			return prev.Body, nil
		}
	}
	var out []byte
	err := db.InTx(ctx, func(tx *store.Tx) error {
		v, err := fn(tx)
		if err != nil {
			return err
		}
		if out, err = json.MarshalIndent(v, "", "  "); err != nil {
			return err
		}
		out = append(out, '\n')
		if key == "" {
			return nil
		}
		return tx.SaveIdempotentResult(ctx, owner, key, store.IdempotentResponse{RequestHash: hash, Status: 200, Body: out})
	})
	return out, err
}

func runRPSClaim(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "rps claim")
	dsn := dbFlag(e, fs, "gridbook.db")
	retirement := fs.Int64("retirement", 0, "retirement id")
	contract := fs.Int64("contract", 0, "contract id")
	mwh := fs.Int64("mwh", 0, "certificates to claim (default: all not yet claimed)")
	hourly := fs.String("hourly", "", "hourly delivery evidence JSON ([{hour, generated_wh, scheduled_wh}]) for an hourly-scheduled contract")
	key := fs.String("key", "", "idempotency key: repeating the command with it changes nothing")
	asJSON := fs.Bool("json", false, "print the claims as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *retirement == 0 || *contract == 0 {
		return errUsage
	}
	in := store.ClaimInput{RetirementID: *retirement, ContractID: *contract, MWh: *mwh}
	if *hourly != "" {
		if err := decodeFile(e, *hourly, &in.Hourly); err != nil {
			return err
		}
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	out, err := cliCommand(ctx, e, db, *key, append([]string{"rps claim"}, args...), func(tx *store.Tx) (any, error) {
		reg, err := tx.Registry(ctx, cliActor(e))
		if err != nil {
			return nil, err
		}
		return tx.ClaimRetirement(ctx, reg, in)
	})
	if err != nil {
		return err
	}
	if *asJSON {
		_, err := e.stdout.Write(out)
		return err
	}
	var cs []store.ClaimRecord
	if err := json.Unmarshal(out, &cs); err != nil {
		return err
	}
	for _, c := range cs {
		fmt.Fprintf(e.stdout, "claim %d: %d MWh %s of %v in %s, long-term %v\n", c.ID, c.MWh, c.PCC, c.Vintage, c.Period, c.LongTerm)
	}
	return nil
}

func runRPSClaims(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "rps claims")
	dsn := dbFlag(e, fs, "gridbook.db")
	period := fs.String("period", "", "only this period (CP4 …)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	cs, err := db.Claims(ctx, store.ClaimFilter{Period: *period})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, cs)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPERIOD\tVINTAGE\tPCC\tMWh\tLONG-TERM\tRETIREMENT\tCONTRACT\tRETIRED ON")
	for _, c := range cs {
		fmt.Fprintf(tw, "%d\t%s\t%v\t%s\t%d\t%v\t%d\t%d\t%v\n", c.ID, c.Period, c.Vintage, c.PCC, c.MWh, c.LongTerm, c.RetirementID, c.ContractID, c.RetiredOn)
	}
	return tw.Flush()
}

func runRPSPosition(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "rps position")
	dsn := dbFlag(e, fs, "gridbook.db")
	asJSON := fs.Bool("json", false, "print JSON (the periods of GET /api/v1/rps/position)")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	p, hist, err := db.RPSHistory(ctx)
	if err != nil {
		return err
	}
	periods := api.NewPositions(hist)
	if *asJSON {
		return printJSON(e.stdout, periods)
	}
	fmt.Fprintf(e.stdout, "%s (%s)\n", p.Seller, p.Jurisdiction)
	if len(periods) == 0 {
		fmt.Fprintln(e.stdout, "no retail sales or claims yet")
	}
	for _, pp := range periods {
		fmt.Fprintln(e.stdout)
		if pp.Position == nil {
			fmt.Fprintf(e.stdout, "%s: %s\n", pp.Period, pp.Problem)
			continue
		}
		if pp.Partial {
			fmt.Fprintf(e.stdout, "(%s to date, through %d)\n", pp.Period, pp.Through)
		}
		printPosition(e.stdout, *pp.Position)
	}
	return nil
}

func runRPSReport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "rps report")
	dsn := dbFlag(e, fs, "gridbook.db")
	year := fs.Int("year", 0, "the report year")
	asCSV := fs.Bool("csv", false, "print CSV (summary rows, then one row per facility)")
	asJSON := fs.Bool("json", false, "print JSON (GET /api/v1/rps/report)")
	detail := fs.Bool("procurement", false, "print the procurement detail CSV (the CPUC template's per-contract, per-facility rows of the year's claims)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *year == 0 {
		return errUsage
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	in, err := db.RPSReportInput(ctx, *year)
	if err == nil && *detail {
		rows, err := db.ProcurementDetail(ctx, *year)
		if err != nil {
			return err
		}
		return rps.WriteProcurementCSV(e.stdout, rows)
	}
	if err != nil {
		return err
	}
	rep, err := rps.BuildReport(in)
	if err != nil {
		return err
	}
	switch {
	case *asCSV:
		return rep.WriteCSV(e.stdout)
	case *asJSON:
		return printJSON(e.stdout, api.ReportJSONOf(rep))
	}
	fmt.Fprintf(e.stdout, "Annual RPS compliance report %d — %s (%s, %s)\n\n", rep.Year, rep.Seller, rep.Jurisdiction, rep.Period)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "retail sales\t%d MWh\n", rep.RetailSales)
	fmt.Fprintf(tw, "procured (%d vintages)\t%d MWh\t%s%% of retail sales (target %s%%)\n", rep.Year, rep.Procured,
		rps.RatString(new(big.Rat).Mul(rep.Percent, big.NewRat(100, 1)), 2), rep.Target)
	fmt.Fprintf(tw, "by category\tPCC0 %d\tPCC1 %d\tPCC2 %d\tPCC3 %d\n", rep.ByPCC.PCC0, rep.ByPCC.PCC1, rep.ByPCC.PCC2, rep.ByPCC.PCC3)
	fmt.Fprintf(tw, "out-of-state (WECC)\t%d MWh\n", rep.OutOfState)
	fmt.Fprintf(tw, "unbundled RECs\t%d MWh\n", rep.Unbundled)
	tw.Flush()
	fmt.Fprintln(e.stdout, "\nFacilities")
	tw = tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	asOf := calendar.Date{Year: rep.Year, Month: 12, Day: 31}
	for _, l := range rep.Facilities {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d MWh\n", l.Facility, l.WREGISID, l.State, l.SitingStatus(asOf), l.Contract, l.PCC, l.MWh)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "\nPeriod to date (%s)\n", rep.Period)
	printPosition(e.stdout, rep.ToDate)
	if rep.Recommendations != "" {
		fmt.Fprintf(e.stdout, "\nRecommendations: %s\n", rep.Recommendations)
	}
	return nil
}

// hourlyMatchJSON is the answer of `rps hourly-match --json`.
type hourlyMatchJSON struct {
	rps.HourlyMatch
	HourlyShare string `json:"hourly_share"`
	AnnualShare string `json:"annual_share"`
	Accounts    int    `json:"accounts,omitempty"`
	Unmatchable int    `json:"facility_months_without_hourly_data,omitempty"`
}

func runRPSHourlyMatch(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "rps hourly-match")
	dsn := dbFlag(e, fs, "gridbook.db")
	loadFile, genFile := fs.String("load", "", "hourly load, Wh, one value a line"), fs.String("generation", "", "hourly generation, Wh, one value a line")
	year := fs.Int("year", 0, "the year (stored data)")
	program := fs.String("program", "", "the green product's enrollment program (default: the RPS profile's green product)")
	var facs multiFlag
	fs.Var(&facs, "facility", "a facility behind the product (repeatable; default: the profile's)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	var load, gen []energy.Wh
	out := hourlyMatchJSON{}
	var hourOfDay func(int) int
	switch {
	case *loadFile != "" && *genFile != "":
		var err error
		if load, err = readHourly(e, "load", *loadFile); err != nil {
			return err
		}
		if gen, err = readHourly(e, "generation", *genFile); err != nil {
			return err
		}
	case *year != 0:
		db, err := openDB(ctx, *dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		p, err := db.RPSProfile(ctx)
		if err != nil {
			return err
		}
		ids := []int64{}
		for _, f := range facs {
			id, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				return apperr.Invalidf("rps hourly-match", "facility %q is not an id", f)
			}
			ids = append(ids, id)
		}
		if g := p.GreenProduct; g != nil {
			if *program == "" {
				*program = g.Program
			}
			if len(ids) == 0 {
				ids = g.Facilities
			}
		}
		if *program == "" || len(ids) == 0 {
			return apperr.Invalidf("rps hourly-match", "name --program and --facility, or set the green product in the RPS profile")
		}
		hours, err := db.GreenProductHourly(ctx, *program, ids, *year)
		if err != nil {
			return err
		}
		load, gen, hourOfDay = hours.Load, hours.Gen, hours.HourOfDay
		out.Accounts, out.Unmatchable = hours.Accounts, hours.MonthsWithoutHourly
	default:
		return errUsage
	}
	m, err := rps.MatchHourly(load, gen, hourOfDay)
	if err != nil {
		return err
	}
	out.HourlyMatch, out.HourlyShare, out.AnnualShare = m, m.HourlyShare.FloatString(4), m.AnnualShare.FloatString(4)
	if *asJSON {
		return printJSON(e.stdout, out)
	}
	pc := func(r *big.Rat) string { return new(big.Rat).Mul(r, big.NewRat(100, 1)).FloatString(2) + "%" }
	fmt.Fprintf(e.stdout, "%d hours: load %s kWh, generation %s kWh, matched in the same hour %s kWh\n", m.Hours, m.Load.KWhString(),
		m.Generation.KWhString(), m.Matched.KWhString())
	fmt.Fprintf(e.stdout, "hourly-matched share %s (annual volumetric claim %s); unmatched load %s kWh, surplus generation %s kWh\n",
		pc(m.HourlyShare), pc(m.AnnualShare), m.Deficit.KWhString(), m.Surplus.KWhString())
	if out.Accounts > 0 || out.Unmatchable > 0 {
		fmt.Fprintf(e.stdout, "%d accounts; %d facility-months without hourly data left out\n", out.Accounts, out.Unmatchable)
	}
	return nil
}

// readHourly reads one non-negative Wh value a line.
func readHourly(e *env, what, name string) ([]energy.Wh, error) {
	b, err := readInput(e, name)
	if err != nil {
		return nil, err
	}
	var out []energy.Wh
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		v, err := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
		if err != nil || v < 0 {
			var f apperr.Fields
			f.Add(fmt.Sprintf("%s line %d", what, i+1), "%q: want a whole number of Wh, not negative", line)
			return nil, f.Err("rps hourly-match")
		}
		out = append(out, energy.Wh(v))
	}
	return out, nil
}
