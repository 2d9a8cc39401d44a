package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gridbook/gridbook/internal/api"
	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/store"
)

// nemVerb is one `gridbook nem <verb>`.
type nemVerb struct {
	args, short string
	run         func(ctx context.Context, e *env, args []string) error
}

// nemVerbs are the verbs of `gridbook nem`. The lifecycle verbs (submit …
// terminate) take an application number (NEM-000042 or 42).
func nemVerbs() map[string]nemVerb {
	step := func(to nem.Status, extra string) nemVerb {
		return nemVerb{"ID [--on DATE] [--note TEXT]" + extra + " [--json]", "move an application to " + string(to),
			func(ctx context.Context, e *env, args []string) error { return runNEMStep(ctx, e, to, args) }}
	}
	return map[string]nemVerb{
		"apply": {"--account NUMBER --technology T --kw KW --annual-kwh KWH --use-kwh KWH [--variant standard|fuel_cell|virtual|aggregation] " +
			"[--system FILE.json] [--installer ID] [--new-service] [--submit] [--on DATE] [--json]",
			"file an application (a draft, or submitted with --submit); refused naming each failed rule", runNEMApply},
		"submit":    step(nem.Submitted, ""),
		"review":    {"ID --stage completeness|technical|incomplete [--on DATE] [--note TEXT] [--json]", "start the completeness review, find the application complete (technical review) or return it incomplete", runNEMReview},
		"approve":   step(nem.Approved, ""),
		"reject":    step(nem.Rejected, ""),
		"sign":      step(nem.AgreementSigned, ""),
		"meter":     step(nem.MeterReady, " --method reprogram|swap"),
		"pto":       step(nem.PTOIssued, ""),
		"activate":  step(nem.Active, ""),
		"terminate": step(nem.Terminated, ""),
		"withdraw":  step(nem.Withdrawn, ""),
		"decide":    {"ID [--on DATE] [--json]", "check an application's eligibility again and store the decision", runNEMDecide},
		"transition": {"[ID] [--date DATE] [--dry-run] [--json]",
			"move NEM 1.0/2.0 systems whose 20-year legacy period has ended to the Net Billing Tariff (also a daily job)", runNEMTransition},
		"show":     {"ID [--json]", "show an application with its history, decisions and documents", runNEMShow},
		"list":     {"[--status S[,S]] [--installer ID] [--account NUMBER] [--json|--csv]", "list applications with their meter due date and age", runNEMList},
		"document": {"ID --kind single_line_diagram|site_plan|agreement|inspection|pto_letter|other FILE [--json]", "attach a document (its SHA-256 is kept)", runNEMDocument},
		"cap-report": {"--month YYYY-MM [--applications FILE.csv --aggregate-peak-mw MW [--floor-mw MW]] [--json]",
			"the AB 327 program-cap report, from the database or from a CSV export (no database)", runNEMCapReport},
		"installer": {"add --name N --license L [--email E] | link --installer ID (--user EMAIL | --client ID) | list [--json]",
			"manage installers and the users and API clients that act for them", runNEMInstaller},
		"special": {"request --rate option_r|tou8_option_a --account NUMBER ... | enroll ID --on DATE | generator ID --kw KW --on DATE | report [--json]",
			"TOU-8 Option R and Option A", runNEMSpecial},
		"fit": {"request ... | step ID --to S [--reason R] | inspect ID ... | list | allocate --peak UTILITY=MW[:iou]... [--json]",
			"the ReMAT/BioMAT feed-in tariff queue and allocation", runNEMFIT},
	}
}

// runNEM dispatches `gridbook nem <verb>`.
func runNEM(ctx context.Context, e *env, args []string) error {
	verbs := nemVerbs()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		nemUsage(e.stdout, verbs)
		return nil
	}
	v, ok := verbs[args[0]]
	if !ok {
		nemUsage(e.stderr, verbs)
		return apperr.Invalidf("nem", "unknown verb %q", args[0])
	}
	err := v.run(ctx, e, args[1:])
	if err == errUsage {
		return apperr.Invalidf("nem", "usage: gridbook nem %s %s", args[0], v.args)
	}
	return err
}

func nemUsage(w io.Writer, verbs map[string]nemVerb) {
	fmt.Fprintln(w, "usage: gridbook nem <verb> [flags]\n\nverbs:")
	names := make([]string, 0, len(verbs))
	for n := range verbs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-11s %s\n", n, verbs[n].short)
	}
}

// idArg takes the leading application number off args (flags may follow
// it) and parses the rest.
func idArg(fs *flag.FlagSet, args []string) (string, error) {
	id := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		id, args = args[0], args[1:]
	}
	if err := parse(fs, args); err != nil {
		return "", err
	}
	if id == "" && fs.NArg() > 0 {
		id = fs.Arg(0)
	}
	if id == "" {
		return "", errUsage
	}
	return id, nil
}

// withApp parses the leading application number and the flags, opens the
// database and runs fn with them.
func withApp(ctx context.Context, fs *flag.FlagSet, args []string, dsn *string, fn func(db *store.DB, id int64) error) error {
	id, err := idArg(fs, args)
	if err != nil {
		return err
	}
	n, err := parseNumber(id)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	return fn(db, n)
}

// parseNumber reads NEM-000042, FIT-000003 or 42.
func parseNumber(s string) (int64, error) {
	t := s
	if i := strings.LastIndex(t, "-"); i >= 0 {
		t = t[i+1:]
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n <= 0 {
		var f apperr.Fields
		f.Add("id", "%q is not an application number such as NEM-000042", s)
		return 0, f.Err("nem")
	}
	return n, nil
}

// dateFlag parses an optional --on flag value, defaulting to today.
func dateFlag(name, s string, today calendar.Date) (calendar.Date, error) {
	if s == "" {
		return today, nil
	}
	d, err := calendar.ParseDate(s)
	if err != nil {
		var f apperr.Fields
		f.Add(name, "%q: want YYYY-MM-DD", s)
		return d, f.Err("nem")
	}
	return d, nil
}

// parseKW reads kilowatts with up to three decimals as watts.
func parseKW(name, s string) (energy.W, error) {
	wh, err := energy.ParseKWh(s)
	if err != nil || wh < 0 {
		var f apperr.Fields
		f.Add(name, "%q: want kW with at most 3 decimals, such as 7.6", s)
		return 0, f.Err("nem")
	}
	return energy.W(wh), nil
}

func parseKWh(name, s string) (energy.Wh, error) {
	if s == "" {
		return 0, nil
	}
	wh, err := energy.ParseKWh(s)
	if err != nil || wh < 0 {
		var f apperr.Fields
		f.Add(name, "%q: want kWh with at most 3 decimals", s)
		return 0, f.Err("nem")
	}
	return wh, nil
}

func today(db *store.DB) calendar.Date { return calendar.DateOf(db.Now()) }

func runNEMApply(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "nem apply")
	dsn := dbFlag(e, fs, "gridbook.db")
	account := fs.String("account", "", "the generating service account number")
	variant := fs.String("variant", "standard", "standard, fuel_cell, virtual or aggregation")
	technology := fs.String("technology", "solar_pv", "generator technology")
	kw := fs.String("kw", "", "rated capacity, kW")
	annual := fs.String("annual-kwh", "", "expected annual production, kWh")
	use := fs.String("use-kwh", "", "the past 12 months of use (an estimate with --new-service), kWh")
	newService := fs.Bool("new-service", false, "the account is new: --use-kwh is an estimate")
	systemFile := fs.String("system", "", "the system as JSON (the API's system object), instead of the flags above")
	installer := fs.Int64("installer", 0, "the installer filing, by ID")
	submit := fs.Bool("submit", false, "submit now instead of saving a draft")
	on := fs.String("on", "", "application date (default today)")
	asJSON := fs.Bool("json", false, "print the application as JSON")
	if err := parse(fs, args); err != nil || fs.NArg() > 0 || *account == "" {
		return errUsage
	}
	var sys nem.System
	if *systemFile != "" {
		b, err := os.ReadFile(*systemFile)
		if err != nil {
			return apperr.E(apperr.Invalid, "nem apply", "cannot read "+*systemFile, err)
		}
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&sys); err != nil {
			return apperr.E(apperr.Invalid, "nem apply", fmt.Sprintf("%s: %v", filepath.Base(*systemFile), err), err)
		}
	} else {
		var err error
		sys = nem.System{Variant: nem.Variant(*variant), Technology: nem.Technology(*technology), NewService: *newService}
		if sys.CapacityW, err = parseKW("kw", *kw); err != nil {
			return err
		}
		if sys.ExpectedAnnualWh, err = parseKWh("annual-kwh", *annual); err != nil {
			return err
		}
		if sys.AnnualUseWh, err = parseKWh("use-kwh", *use); err != nil {
			return err
		}
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	date, err := dateFlag("on", *on, today(db))
	if err != nil {
		return err
	}
	var app nem.Application
	err = db.InTx(ctx, func(tx *store.Tx) error {
		a, err := tx.AccountByNumber(ctx, *account)
		if err != nil {
			var f apperr.Fields
			f.Add("account", "no service account numbered %s", *account)
			return f.Err("nem apply")
		}
		app = nem.Application{AccountID: a.ID, InstallerID: *installer, System: sys}
		_, err = tx.CreateNEMApplication(ctx, cliActor(e), &app, *submit, date)
		return err
	})
	if err != nil {
		return err
	}
	return printNEM(ctx, e, db, app.ID, *asJSON)
}

// printNEM prints an application's detail: as JSON (GET
// /api/v1/nem/applications/{id}) or as text.
func printNEM(ctx context.Context, e *env, db *store.DB, id int64, asJSON bool) error {
	a, err := db.NEMApplication(ctx, id)
	if err != nil {
		return err
	}
	d, err := api.NEMDetail(ctx, db, a, today(db))
	if err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, d)
	}
	w := e.stdout
	s := d.System
	fmt.Fprintf(w, "%s  account %s  %s\n", d.Number, d.AccountNumber, d.Status.Label())
	fmt.Fprintf(w, "system     %s, %s, %s kW, %s kWh/yr against %s kWh/yr of use\n", s.Variant.Label(), s.Technology, s.CapacityW.KWString(),
		s.ExpectedAnnualWh.KWhString(), s.AnnualUseWh.KWhString())
	if v := d.Vintage; v != nil {
		fmt.Fprintf(w, "vintage    %s (applied %s)", v.Label, v.AppliedOn)
		if v.LegacyEnd != nil {
			fmt.Fprintf(w, ", legacy period until %s", *v.LegacyEnd)
		}
		if v.ExportVintage != nil {
			fmt.Fprintf(w, ", export prices of vintage %d until %s", *v.ExportVintage, *v.ExportLockEnd)
		}
		fmt.Fprintln(w)
	}
	if t := d.Transition; t != nil {
		fmt.Fprintf(w, "successor  %s from %s: the %s legacy period ended (moved %s by %s, enrollment %d)\n", t.To.Label, t.On, t.From.Label,
			t.At.Format("2006-01-02"), t.Actor, t.NewEnrollmentID)
	}
	if ms := d.MeterService; ms.DueOn != nil {
		fmt.Fprintf(w, "meter      due %s", *ms.DueOn)
		if ms.DoneOn != nil {
			fmt.Fprintf(w, ", done %s (%s)", *ms.DoneOn, d.MeterMethod)
		}
		if ms.Late {
			fmt.Fprintf(w, ", LATE by %d days", ms.DelayDays)
		}
		if ms.CreditStart != nil {
			fmt.Fprintf(w, "; estimated generation credited %s to %s", *ms.CreditStart, dayBefore(*ms.CreditEnd))
		}
		fmt.Fprintln(w)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "history\ton\tstep\tby\tnote")
	for _, h := range d.History {
		fmt.Fprintf(tw, "\t%s\t%s\t%s\t%s\n", h.On, h.To, h.Actor, h.Note)
	}
	tw.Flush()
	if n := len(d.Decisions); n > 0 {
		last := d.Decisions[n-1]
		fmt.Fprintf(w, "eligibility (%s): %s\n", last.On, map[bool]string{true: "eligible", false: "NOT eligible"}[last.Eligible])
		for _, c := range last.Checks {
			fmt.Fprintf(w, "  %-4s %-26s %s\n", map[bool]string{true: "ok", false: "FAIL"}[c.Passed], c.Rule, c.Detail)
		}
	}
	for _, doc := range d.Documents {
		fmt.Fprintf(w, "document   %s %s (%d bytes) sha256 %s\n", doc.Kind, doc.FileName, doc.Size, doc.SHA256)
	}
	return nil
}

func dayBefore(s string) string {
	d, err := calendar.ParseDate(s)
	if err != nil {
		return s
	}
	return d.AddDays(-1).String()
}

func runNEMStep(ctx context.Context, e *env, to nem.Status, args []string) error {
	fs := newFlags(e, "nem "+string(to))
	dsn := dbFlag(e, fs, "gridbook.db")
	on := fs.String("on", "", "the date of the step (default today)")
	note := fs.String("note", "", "why (required to reject, withdraw or terminate)")
	method := fs.String("method", "", "meter: reprogram or swap")
	asJSON := fs.Bool("json", false, "print the application as JSON")
	return withApp(ctx, fs, args, dsn, func(db *store.DB, id int64) error {
		return nemStep(ctx, e, db, id, *on, nem.Step{To: to, Note: *note, MeterMethod: *method}, *asJSON)
	})
}

func nemStep(ctx context.Context, e *env, db *store.DB, id int64, on string, step nem.Step, asJSON bool) error {
	var err error
	if step.On, err = dateFlag("on", on, today(db)); err != nil {
		return err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.AdvanceNEMApplication(ctx, cliActor(e), id, step, today(db))
		return err
	})
	if err != nil {
		return err
	}
	return printNEM(ctx, e, db, id, asJSON)
}

func runNEMReview(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "nem review")
	dsn := dbFlag(e, fs, "gridbook.db")
	stage := fs.String("stage", "", "completeness (start the review), technical (the application is complete) or incomplete (return it)")
	on := fs.String("on", "", "the date (default today)")
	note := fs.String("note", "", "what is missing (incomplete)")
	asJSON := fs.Bool("json", false, "print the application as JSON")
	return withApp(ctx, fs, args, dsn, func(db *store.DB, id int64) error {
		to := map[string]nem.Status{"completeness": nem.CompletenessReview, "technical": nem.TechnicalReview, "incomplete": nem.Draft}[*stage]
		if to == "" {
			var f apperr.Fields
			f.Add("stage", "must be completeness, technical or incomplete")
			return f.Err("nem review")
		}
		return nemStep(ctx, e, db, id, *on, nem.Step{To: to, Note: *note}, *asJSON)
	})
}

func runNEMDecide(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "nem decide")
	dsn := dbFlag(e, fs, "gridbook.db")
	on := fs.String("on", "", "decision date (default today)")
	asJSON := fs.Bool("json", false, "print the decision as JSON")
	return withApp(ctx, fs, args, dsn, func(db *store.DB, id int64) error {
		date, err := dateFlag("on", *on, today(db))
		if err != nil {
			return err
		}
		var d nem.Decision
		err = db.InTx(ctx, func(tx *store.Tx) error {
			d, err = tx.DecideNEMApplication(ctx, cliActor(e), id, date)
			return err
		})
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, d)
		}
		fmt.Fprintf(e.stdout, "%s on %s: %s\n", d.Variant.Label(), d.On, map[bool]string{true: "eligible", false: "NOT eligible"}[d.Eligible])
		for _, c := range d.Checks {
			fmt.Fprintf(e.stdout, "  %-4s %-26s %s\n", map[bool]string{true: "ok", false: "FAIL"}[c.Passed], c.Rule, c.Detail)
		}
		return nil
	})
}

func runNEMShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "nem show")
	dsn := dbFlag(e, fs, "gridbook.db")
	asJSON := fs.Bool("json", false, "print as JSON (GET /api/v1/nem/applications/{id})")
	return withApp(ctx, fs, args, dsn, func(db *store.DB, id int64) error { return printNEM(ctx, e, db, id, *asJSON) })
}

func runNEMList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "nem list")
	dsn := dbFlag(e, fs, "gridbook.db")
	status := fs.String("status", "", "comma-separated statuses")
	installer := fs.Int64("installer", 0, "filed by this installer")
	account := fs.String("account", "", "for this account number")
	asJSON := fs.Bool("json", false, "print as JSON (the objects of GET /api/v1/nem/applications)")
	asCSV := fs.Bool("csv", false, "print the cap report's CSV (id,status,kw,submitted,approved,pto,terminated)")
	if err := parse(fs, args); err != nil || fs.NArg() > 0 {
		return errUsage
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	f := store.NEMFilter{InstallerID: *installer}
	for _, s := range strings.Split(*status, ",") {
		if s = strings.TrimSpace(s); s != "" {
			if !nem.Status(s).Valid() {
				var fe apperr.Fields
				fe.Add("status", "%q is not a status", s)
				return fe.Err("nem list")
			}
			f.Statuses = append(f.Statuses, nem.Status(s))
		}
	}
	numbers := map[int64]string{}
	if *account != "" {
		a, err := db.AccountByNumber(ctx, *account)
		if err != nil {
			var fe apperr.Fields
			fe.Add("account", "no service account numbered %s", *account)
			return fe.Err("nem list")
		}
		f.AccountID = a.ID
	}
	apps, err := db.NEMApplications(ctx, f)
	if err != nil {
		return err
	}
	if *asCSV {
		recs := make([]nem.CapRecord, 0, len(apps))
		for _, a := range apps {
			recs = append(recs, nem.CapRecordOf(a))
		}
		return nem.WriteCapCSV(e.stdout, recs)
	}
	out := make([]api.NEMApplicationJSON, 0, len(apps))
	t := today(db)
	for _, a := range apps {
		n, ok := numbers[a.AccountID]
		if !ok {
			acct, err := db.Account(ctx, a.AccountID)
			if err != nil {
				return err
			}
			n, numbers[a.AccountID] = acct.Number, acct.Number
		}
		out = append(out, api.NewNEMApplicationJSON(a, n, t))
	}
	if *asJSON {
		return printJSON(e.stdout, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "number\taccount\tstatus\tkW\tvintage\tsubmitted\tdays open\tmeter due\tlate")
	for _, a := range out {
		v, due, late := "-", "-", ""
		if a.Vintage != nil {
			v = a.Vintage.Label
		}
		if a.MeterService.DueOn != nil {
			due = *a.MeterService.DueOn
		}
		if a.MeterService.Late {
			late = fmt.Sprintf("%d days", a.MeterService.DelayDays)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t%s\n", a.Number, a.AccountNumber, a.Status, a.System.CapacityW.KWString(), v,
			deref(a.SubmittedOn), a.Ageing.Total, due, late)
	}
	return tw.Flush()
}

func deref(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}

func runNEMDocument(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "nem document")
	dsn := dbFlag(e, fs, "gridbook.db")
	kind := fs.String("kind", "", "what the document is")
	asJSON := fs.Bool("json", false, "print the document record as JSON")
	return withApp(ctx, fs, args, dsn, func(db *store.DB, id int64) error {
		if fs.NArg() != 1 {
			return errUsage
		}
		name := fs.Arg(0)
		content, err := os.ReadFile(name)
		if err != nil {
			return apperr.E(apperr.Invalid, "nem document", "cannot read "+name, err)
		}
		doc := store.NEMDocument{ApplicationID: id, Kind: *kind, FileName: filepath.Base(name), ContentType: contentTypeOf(name)}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.AddNEMDocument(ctx, cliActor(e), &doc, content) }); err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, doc)
		}
		fmt.Fprintf(e.stdout, "attached %s %s to NEM-%06d: %d bytes, sha256 %s\n", doc.Kind, doc.FileName, id, doc.Size, doc.SHA256)
		return nil
	})
}

func contentTypeOf(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".pdf":
		return "application/pdf"
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	}
	return "application/octet-stream"
}

// runNEMCapReport prints the AB 327 cap report: from the database, or
// with --applications from a CSV export and the cap inputs alone (no
// database), the stateless form analysts reproduce published reports with.
func runNEMCapReport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "nem cap-report")
	dsn := dbFlag(e, fs, "gridbook.db")
	month := fs.String("month", "", "the report month, YYYY-MM")
	file := fs.String("applications", "", "CSV of id,status,kw,submitted,approved,pto,terminated (no database)")
	peak := fs.Int64("aggregate-peak-mw", 0, "with --applications: aggregate customer peak demand, MW")
	floor := fs.Int64("floor-mw", 0, "with --applications: the cap is never below this, MW (SCE: 2240)")
	asJSON := fs.Bool("json", false, "print the numbers as JSON")
	if err := parse(fs, args); err != nil || fs.NArg() > 0 {
		return errUsage
	}
	m, err := nem.ParseMonth(*month)
	if err != nil {
		var f apperr.Fields
		f.Add("month", "%q: want YYYY-MM", *month)
		return f.Err("nem cap-report")
	}
	var recs []nem.CapRecord
	rule := nem.SCECap
	if *file != "" {
		if *peak <= 0 {
			var f apperr.Fields
			f.Add("aggregate-peak-mw", "is required with --applications: the aggregate customer peak demand in MW")
			return f.Err("nem cap-report")
		}
		rule = nem.CapRule{Utility: filepath.Base(*file), AggregatePeakMW: *peak, FloorMW: *floor, Source: filepath.Base(*file)}
		fh, err := os.Open(*file)
		if err != nil {
			return apperr.E(apperr.Invalid, "nem cap-report", "cannot read "+*file, err)
		}
		defer fh.Close()
		if recs, err = nem.ReadCapCSV(fh); err != nil {
			return fileError(*file, err)
		}
	} else {
		db, err := openDB(ctx, *dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		if recs, err = db.NEMCapRecords(ctx); err != nil {
			return err
		}
	}
	r := nem.BuildCapReport(recs, rule, m)
	if *asJSON {
		return printJSON(e.stdout, r.JSON())
	}
	printCapReport(e.stdout, r)
	return nil
}

func printCapReport(w io.Writer, r nem.CapReport) {
	last := r.Month.Last()
	fmt.Fprintf(w, "NEM program cap report (AB 327, PU Code §2827(c)(4)(C)), data as of %s\n", last)
	line := func(label, count, mw string) { fmt.Fprintf(w, "  %-44s %9s %12s\n", label, count, mw) }
	line("total cap available", "", nem.MWDecimals(r.CapW, 0)+" MW")
	fmt.Fprintf(w, "  %-44s (5%% of %s MW, never below %s MW)\n", "", nem.Count(r.Rule.AggregatePeakMW), nem.Count(r.Rule.FloorMW))
	line("applications received in "+r.Month.String(), nem.Count(r.ReceivedCount), nem.MW(r.ReceivedW)+" MW")
	line("pending applications at "+last.String(), nem.Count(r.PendingCount), nem.MW(r.PendingW)+" MW")
	line("cumulative installations", nem.Count(r.InstalledCount), nem.MW(r.InstalledW)+" MW")
	line("installed + pending", nem.Count(r.TotalCount()), nem.MW(r.TotalW())+" MW")
	line("percent of aggregate peak", "", r.Percent()+"%")
	line("MW remaining under the cap", "", nem.MW(r.RemainingW())+" MW")
}

func runNEMInstaller(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	fs := newFlags(e, "nem installer "+args[0])
	dsn := dbFlag(e, fs, "gridbook.db")
	switch args[0] {
	case "add":
		name := fs.String("name", "", "company name")
		license := fs.String("license", "", "California contractor's license number")
		email := fs.String("email", "", "contact email")
		if err := parse(fs, args[1:]); err != nil || fs.NArg() > 0 {
			return errUsage
		}
		db, err := openDB(ctx, *dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		in := store.Installer{Name: *name, License: *license, Email: *email}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.CreateInstaller(ctx, cliActor(e), &in) }); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added installer %d %s (license %s)\n", in.ID, in.Name, in.License)
		return nil
	case "link":
		installer := fs.Int64("installer", 0, "installer ID")
		user := fs.String("user", "", "email of a user with the installer role")
		client := fs.Int64("client", 0, "ID of an API client with the nem:apply scope")
		if err := parse(fs, args[1:]); err != nil || fs.NArg() > 0 || (*user == "") == (*client == 0) {
			return errUsage
		}
		db, err := openDB(ctx, *dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		return db.InTx(ctx, func(tx *store.Tx) error {
			if *client != 0 {
				if err := tx.LinkInstallerClient(ctx, cliActor(e), *installer, *client); err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "API client %d now acts for installer %d\n", *client, *installer)
				return nil
			}
			u, err := tx.UserByEmail(ctx, *user)
			if err != nil {
				var f apperr.Fields
				f.Add("user", "no user %s", *user)
				return f.Err("nem installer link")
			}
			if err := tx.LinkInstallerUser(ctx, cliActor(e), *installer, u.ID); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s now acts for installer %d\n", u.Email, *installer)
			return nil
		})
	case "list":
		asJSON := fs.Bool("json", false, "print as JSON (GET /api/v1/nem/installers)")
		if err := parse(fs, args[1:]); err != nil || fs.NArg() > 0 {
			return errUsage
		}
		db, err := openDB(ctx, *dsn)
		if err != nil {
			return err
		}
		defer db.Close()
		ins, err := db.Installers(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, append([]store.Installer{}, ins...))
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "id\tname\tlicense\temail")
		for _, in := range ins {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", in.ID, in.Name, in.License, in.Email)
		}
		return tw.Flush()
	}
	return errUsage
}

func runNEMSpecial(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	verb := args[0]
	fs := newFlags(e, "nem special "+verb)
	dsn := dbFlag(e, fs, "gridbook.db")
	asJSON := fs.Bool("json", false, "print as JSON")
	on := fs.String("on", "", "the date (default today)")
	var run func(db *store.DB, tx *store.Tx, date calendar.Date) (any, error)
	switch verb {
	case "request":
		rate := fs.String("rate", "", "option_r or tou8_option_a")
		account := fs.String("account", "", "service account number")
		demand := fs.String("demand-kw", "0", "annual maximum demand over the past 12 months, kW")
		months := fs.Int("months", 12, "months of demand data")
		tou8 := fs.Bool("tou8", false, "the account is eligible for TOU-8")
		tech := fs.String("technology", "solar_pv", "the renewable generator's technology")
		gen := fs.String("generator-kw", "", "generator nameplate, kW")
		nonRenewable := fs.Bool("non-renewable", false, "a non-renewable generator is on site")
		pto := fs.String("pto", "", "PTO date (default: the account's interconnected application)")
		if err := parse(fs, args[1:]); err != nil || fs.NArg() > 0 || *account == "" || *gen == "" {
			return errUsage
		}
		demandW, err := parseKW("demand-kw", *demand)
		if err != nil {
			return err
		}
		genW, err := parseKW("generator-kw", *gen)
		if err != nil {
			return err
		}
		var ptoDate calendar.Date
		if *pto != "" {
			if ptoDate, err = dateFlag("pto", *pto, calendar.Date{}); err != nil {
				return err
			}
		}
		run = func(db *store.DB, tx *store.Tx, date calendar.Date) (any, error) {
			a, err := tx.AccountByNumber(ctx, *account)
			if err != nil {
				var f apperr.Fields
				f.Add("account", "no service account numbered %s", *account)
				return nil, f.Err("nem special request")
			}
			return tx.RequestSpecialRate(ctx, cliActor(e), nem.RateRequest{Rate: nem.SpecialRate(*rate), AccountID: a.ID, On: date,
				MaxDemandW: demandW, DemandMonths: *months, TOU8Eligible: *tou8, Technology: nem.Technology(*tech), GeneratorW: genW,
				NonRenewable: *nonRenewable, PTO: ptoDate})
		}
	case "enroll", "generator":
		kw := fs.String("kw", "", "generator: its nameplate now, kW")
		id, err := idArg(fs, args[1:])
		if err != nil {
			return err
		}
		n, err := parseNumber(id)
		if err != nil {
			return err
		}
		run = func(db *store.DB, tx *store.Tx, date calendar.Date) (any, error) {
			if verb == "enroll" {
				return tx.EnrollSpecialRate(ctx, cliActor(e), n, date)
			}
			w, err := parseKW("kw", *kw)
			if err != nil {
				return nil, err
			}
			rec, g, err := tx.ReportSpecialRateGenerator(ctx, cliActor(e), n, w, date)
			if err == nil && !*asJSON {
				fmt.Fprintln(e.stdout, g.Detail)
			}
			return rec, err
		}
	case "report":
		if err := parse(fs, args[1:]); err != nil || fs.NArg() > 0 {
			return errUsage
		}
		run = func(db *store.DB, tx *store.Tx, date calendar.Date) (any, error) {
			var out []nem.RateReport
			for _, rt := range []nem.SpecialRate{nem.OptionR, nem.OptionA} {
				r, err := tx.SpecialRateReport(ctx, rt, date)
				if err != nil {
					return nil, err
				}
				out = append(out, r)
			}
			return out, nil
		}
	default:
		return errUsage
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	date, err := dateFlag("on", *on, today(db))
	if err != nil {
		return err
	}
	var out any
	if err := db.InTx(ctx, func(tx *store.Tx) error { var err error; out, err = run(db, tx, date); return err }); err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, out)
	}
	switch v := out.(type) {
	case store.SpecialRateRecord:
		fmt.Fprintf(e.stdout, "special rate %d: account %d %s %s, %s kW approved %s\n", v.ID, v.AccountID, v.Rate, v.Status, v.ApprovedW.KWString(), v.ApprovedOn)
	case []nem.RateReport:
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "rate\tapproved MW\tavailable MW\taccounts\tcap MW\tclosed\n")
		for _, r := range v {
			closed := "-"
			if !r.ClosedOn.IsZero() {
				closed = r.ClosedOn.String()
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", r.Name, nem.MWDecimals(r.ApprovedW, 2), nem.MWDecimals(r.AvailableW, 2), r.Accounts,
				nem.MWDecimals(r.CapW, 0), closed)
		}
		return tw.Flush()
	}
	return nil
}

func runNEMFIT(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return errUsage
	}
	verb := args[0]
	fs := newFlags(e, "nem fit "+verb)
	asJSON := fs.Bool("json", false, "print as JSON")
	if verb == "allocate" {
		var peaks multiFlag
		fs.Var(&peaks, "peak", "UTILITY=MW or UTILITY=MW:iou (repeatable): a utility's peak demand")
		if err := parse(fs, args[1:]); err != nil || fs.NArg() > 0 {
			return errUsage
		}
		var in []nem.UtilityPeak
		for _, p := range peaks {
			name, val, ok := strings.Cut(p, "=")
			mw, iou := strings.CutSuffix(val, ":iou")
			w, err := parseKW("peak", mw)
			if !ok || err != nil {
				var f apperr.Fields
				f.Add("peak", "%q: want UTILITY=MW or UTILITY=MW:iou", p)
				return f.Err("nem fit allocate")
			}
			in = append(in, nem.UtilityPeak{Utility: name, PeakW: w * 1000, IOU: iou})
		}
		shares, err := nem.AllocateFIT(in)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, shares)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "utility\tReMAT MW\tbiogas MW\tdairy/ag MW\tforest MW\t")
		for _, s := range shares {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", s.Utility, nem.MW(s.ReMATW), nem.MW(s.BioW[nem.BioBiogas]), nem.MW(s.BioW[nem.BioDairy]), nem.MW(s.BioW[nem.BioForest]))
		}
		return tw.Flush()
	}
	dsn := dbFlag(e, fs, "gridbook.db")
	var run func(tx *store.Tx, date calendar.Date) (any, error)
	switch verb {
	case "request":
		program := fs.String("program", "remat", "remat or biomat")
		category := fs.String("category", "", "biomat: biogas, dairy_ag or forest")
		product := fs.String("product", "", "remat: baseload, peaking or non_peaking")
		utility := fs.String("utility", "SCE", "PG&E, SCE or SDG&E")
		facility := fs.String("facility", "", "facility name (never posted)")
		address := fs.String("address", "", "facility address (never posted)")
		city := fs.String("city", "", "city (the public posting shows only this)")
		tech := fs.String("technology", "", "technology")
		eff := fs.String("kw", "", "effective capacity, kW")
		nameplate := fs.String("nameplate-kw", "", "nameplate, kW (default the effective capacity)")
		export := fs.String("export-kw", "", "maximum export, kW (default the effective capacity)")
		rule21 := fs.Bool("rule21", false, "complies with Rule 21")
		term := fs.Int("term", 20, "contract term: 10, 15 or 20 years")
		operating := fs.String("operating", "", "operation start (BioMAT: on or after 2013-06-01)")
		account := fs.String("account", "", "the facility's service account number, if any")
		if err := parse(fs, args[1:]); err != nil || fs.NArg() > 0 || *eff == "" {
			return errUsage
		}
		effW, err := parseKW("kw", *eff)
		if err != nil {
			return err
		}
		nameW, exportW := effW, effW
		if *nameplate != "" {
			if nameW, err = parseKW("nameplate-kw", *nameplate); err != nil {
				return err
			}
		}
		if *export != "" {
			if exportW, err = parseKW("export-kw", *export); err != nil {
				return err
			}
		}
		var op calendar.Date
		if *operating != "" {
			if op, err = dateFlag("operating", *operating, calendar.Date{}); err != nil {
				return err
			}
		}
		run = func(tx *store.Tx, date calendar.Date) (any, error) {
			r := nem.FITRequest{Program: nem.FITProgram(*program), Category: nem.BioCategory(*category), Product: *product, Utility: *utility,
				Facility: *facility, Address: *address, City: *city, Technology: *tech, EffectiveW: effW, NameplateW: nameW, MaxExportW: exportW,
				Rule21: *rule21, TermYears: *term, OperatingOn: op}
			if *account != "" {
				a, err := tx.AccountByNumber(ctx, *account)
				if err != nil {
					var f apperr.Fields
					f.Add("account", "no service account numbered %s", *account)
					return nil, f.Err("nem fit request")
				}
				r.AccountID = a.ID
			}
			_, err := tx.CreateFITRequest(ctx, cliActor(e), &r)
			return r, err
		}
	case "step":
		to := fs.String("to", "", "posted, accepted, denied, appealed or ended")
		reason := fs.String("reason", "", "denied: not_eligible, grid_inadequate, noncompliant or line_harm")
		note := fs.String("note", "", "why (appealed, ended, appeal denied)")
		on := fs.String("on", "", "the date (default today)")
		id, err := idArg(fs, args[1:])
		if err != nil {
			return err
		}
		n, err := parseNumber(id)
		if err != nil {
			return err
		}
		run = func(tx *store.Tx, date calendar.Date) (any, error) {
			d, err := dateFlag("on", *on, date)
			if err != nil {
				return nil, err
			}
			return tx.AdvanceFITRequest(ctx, cliActor(e), n, nem.FITStep{To: nem.FITStatus(*to), On: d, Reason: *reason, Note: *note}, date)
		}
	case "inspect":
		on := fs.String("on", "", "inspection date")
		contractor := fs.String("contractor", "", "the inspecting contractor")
		license := fs.String("license", "", "its California contractor's license number")
		owner := fs.Bool("owner", false, "the contractor is the facility's owner or operator")
		id, err := idArg(fs, args[1:])
		if err != nil {
			return err
		}
		n, err := parseNumber(id)
		if err != nil {
			return err
		}
		run = func(tx *store.Tx, date calendar.Date) (any, error) {
			d, err := dateFlag("on", *on, date)
			if err != nil {
				return nil, err
			}
			in := nem.Inspection{RequestID: n, On: d, Contractor: *contractor, License: *license, ContractorIsOwner: *owner}
			return in, tx.AddFITInspection(ctx, cliActor(e), &in)
		}
	case "list":
		if err := parse(fs, args[1:]); err != nil || fs.NArg() > 0 {
			return errUsage
		}
	default:
		return errUsage
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if verb == "list" {
		all, err := db.FITRequests(ctx, "")
		if err != nil {
			return err
		}
		q, err := api.FITQueue(ctx, db, all, today(db))
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, q)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "number\tprogram\tcity\tkW\treceived\tstatus\tqueue\tposting due")
		for _, r := range q {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%d\t%s\n", r.Number, r.Program, r.City, r.EffectiveW.KWString(),
				calendar.DateOf(r.Received), r.Status, r.QueuePosition, r.PostingDue)
		}
		return tw.Flush()
	}
	var out any
	if err := db.InTx(ctx, func(tx *store.Tx) error { var err error; out, err = run(tx, today(db)); return err }); err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, out)
	}
	switch v := out.(type) {
	case nem.FITRequest:
		fmt.Fprintf(e.stdout, "%s %s %s, %s kW in %s: %s\n", v.Number, v.Program, v.Facility, v.EffectiveW.KWString(), v.City, v.Status)
	case nem.Inspection:
		fmt.Fprintf(e.stdout, "inspection %d recorded: %s by %s (license %s)\n", v.ID, v.On, v.Contractor, v.License)
	}
	return nil
}
