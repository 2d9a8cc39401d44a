package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energyteam"
	"github.com/gridbook/gridbook/internal/store"
)

// runCase is `gridbook case <verb>`: Energy Team cases.
func runCase(ctx context.Context, e *env, args []string) error {
	return runVerbs(ctx, e, "case", caseVerbs(), args)
}

func caseVerbs() map[string]verb {
	return map[string]verb{
		"open":   {"--account NUMBER --subject S [--advisor A] [--json]", "open an Energy Team case for an account (one not closed at a time)", runCaseOpen},
		"list":   {"[--status S] [--advisor A] [--json]", "the case queue: cases not closed, or those with a status", runCaseList},
		"show":   {"ID [--json]", "a case with its notes and referrals", runCaseShow},
		"note":   {"ID --text T [--shared] [--json]", "add a note (--shared: the customer sees it in the portal)", runCaseNote},
		"update": {"ID [--status S] [--advisor A] [--follow-up DATE|none] [--recommend hpwh,ev_managed,…] [--json]", "change a case's status, advisor, follow-up date or recommended options", runCaseUpdate},
		"refer":  {"ID --option O --program P [--fact KEY=VALUE]... [--json]", "refer an option to a program; an incentive program gets a pre-filled draft application", runCaseRefer},
	}
}

// caseCommand opens the database, runs fn in a transaction and prints the
// result as JSON or with show.
func caseCommand(ctx context.Context, e *env, dsn string, asJSON bool, fn func(db *store.DB, tx *store.Tx) (any, error), show func(any)) error {
	db, err := openDB(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var out any
	if err := db.InTx(ctx, func(tx *store.Tx) error { var err error; out, err = fn(db, tx); return err }); err != nil {
		return err
	}
	if asJSON {
		return printJSON(e.stdout, out)
	}
	show(out)
	return nil
}

func runCaseOpen(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "case open")
	dsn := dbFlag(e, fs, "gridbook.db")
	account := fs.String("account", "", "account number (required)")
	subject := fs.String("subject", "", "what the customer would like help with (required)")
	advisor := fs.String("advisor", "", "the advisor taking the case")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	return caseCommand(ctx, e, *dsn, *asJSON, func(db *store.DB, tx *store.Tx) (any, error) {
		a, err := tx.AccountByNumber(ctx, *account)
		if err != nil {
			return nil, err
		}
		return tx.OpenCase(ctx, cliActor(e), energyteam.NewCase{AccountID: a.ID, Subject: *subject, Source: energyteam.FromAdvisor, Advisor: *advisor})
	}, func(v any) { c := v.(energyteam.Case); fmt.Fprintf(e.stdout, "case %d opened (%s)\n", c.ID, c.Status) })
}

func runCaseList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "case list")
	dsn := dbFlag(e, fs, "gridbook.db")
	status := fs.String("status", "", "only cases with this status (default: every case not closed)")
	advisor := fs.String("advisor", "", "only this advisor's cases")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	return caseCommand(ctx, e, *dsn, *asJSON, func(db *store.DB, tx *store.Tx) (any, error) {
		return tx.Cases(ctx, store.CaseFilter{Status: energyteam.Status(*status), Advisor: *advisor, Limit: 1000})
	}, func(v any) {
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "case\taccount\tcustomer\tstatus\tadvisor\tfollow-up\tsubject")
		for _, c := range v.([]store.CaseRow) {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.AccountNumber, c.CustomerName, c.Status, c.Advisor, dateOrDash(c.FollowUp), c.Subject)
		}
		tw.Flush()
	})
}

func dateOrDash(d calendar.Date) string {
	if d.IsZero() {
		return "—"
	}
	return d.String()
}

func runCaseShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "case show")
	dsn := dbFlag(e, fs, "gridbook.db")
	asJSON := fs.Bool("json", false, "print JSON")
	id, err := parseWithID(fs, args)
	if err != nil {
		return err
	}
	return caseCommand(ctx, e, *dsn, *asJSON, func(db *store.DB, tx *store.Tx) (any, error) { return tx.Case(ctx, id) }, func(v any) {
		c := v.(energyteam.Case)
		fmt.Fprintf(e.stdout, "case %d, account %d: %s\nstatus %s, advisor %s, follow-up %s, opened %s by %s (%s)\nrecommended: %s\n",
			c.ID, c.AccountID, c.Subject, c.Status, c.Advisor, dateOrDash(c.FollowUp), c.Opened.Format("2006-01-02"), c.OpenedBy, c.Source,
			strings.Join(c.Recommended, ", "))
		for _, n := range c.Notes {
			shared := ""
			if n.Shared {
				shared = " (shared)"
			}
			fmt.Fprintf(e.stdout, "note %s %s%s: %s\n", n.At.Format("2006-01-02"), n.Author, shared, n.Text)
		}
		for _, r := range c.Referrals {
			fmt.Fprintf(e.stdout, "referral %s → %s: %s\n", r.Option, r.Program, r.Outcome)
		}
	})
}

func runCaseNote(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "case note")
	dsn := dbFlag(e, fs, "gridbook.db")
	text := fs.String("text", "", "the note (required)")
	shared := fs.Bool("shared", false, "show the note to the customer")
	asJSON := fs.Bool("json", false, "print JSON")
	id, err := parseWithID(fs, args)
	if err != nil {
		return err
	}
	return caseCommand(ctx, e, *dsn, *asJSON, func(db *store.DB, tx *store.Tx) (any, error) {
		return tx.AddCaseNote(ctx, cliActor(e), id, *text, *shared)
	}, func(v any) { fmt.Fprintf(e.stdout, "note %d added\n", v.(energyteam.Note).ID) })
}

func runCaseUpdate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "case update")
	dsn := dbFlag(e, fs, "gridbook.db")
	status := fs.String("status", "", "new status: "+strings.Join(statusNames(), ", "))
	advisor := fs.String("advisor", "\x00", "the advisor (empty: unassigned)")
	follow := fs.String("follow-up", "", "follow-up date YYYY-MM-DD, or none")
	recommend := fs.String("recommend", "\x00", "recommended options, comma-separated (empty: none)")
	asJSON := fs.Bool("json", false, "print JSON")
	id, err := parseWithID(fs, args)
	if err != nil {
		return err
	}
	var u energyteam.Update
	var f apperr.Fields
	if *status != "" {
		s := energyteam.Status(*status)
		u.Status = &s
	}
	if *advisor != "\x00" {
		u.Advisor = advisor
	}
	switch *follow {
	case "":
	case "none":
		u.FollowUp = &calendar.Date{}
	default:
		d, err := calendar.ParseDate(*follow)
		if err != nil {
			f.Add("follow-up", "want a date YYYY-MM-DD or none, not %q", *follow)
		}
		u.FollowUp = &d
	}
	if *recommend != "\x00" {
		rec := []string{}
		if *recommend != "" {
			rec = strings.Split(*recommend, ",")
		}
		u.Recommended = &rec
	}
	if err := f.Err("case update"); err != nil {
		return err
	}
	return caseCommand(ctx, e, *dsn, *asJSON, func(db *store.DB, tx *store.Tx) (any, error) {
		return tx.UpdateCase(ctx, cliActor(e), id, u, calendar.DateOf(db.Now()))
	}, func(v any) { c := v.(energyteam.Case); fmt.Fprintf(e.stdout, "case %d: %s\n", c.ID, c.Status) })
}

func statusNames() []string {
	var out []string
	for _, s := range energyteam.Statuses {
		out = append(out, string(s))
	}
	return out
}

// factFlags collects repeated --fact KEY=VALUE flags.
type factFlags map[string]json.RawMessage

func (f factFlags) String() string { return "" }

// Set reads KEY=VALUE; a value that is JSON (a number, true, false) is
// kept as such, anything else is a string.
func (f factFlags) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want KEY=VALUE, not %q", s)
	}
	if json.Valid([]byte(v)) && !strings.HasPrefix(v, "{") && !strings.HasPrefix(v, "[") {
		f[k] = json.RawMessage(v)
	} else {
		b, _ := json.Marshal(v)
		f[k] = b
	}
	return nil
}

func runCaseRefer(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "case refer")
	dsn := dbFlag(e, fs, "gridbook.db")
	option := fs.String("option", "", "the option referred (hpwh, hp_heating, ev_managed …)")
	program := fs.String("program", "", "the program referred to")
	facts := factFlags{}
	fs.Var(facts, "fact", "a measure fact of the planned equipment, KEY=VALUE (repeatable), e.g. calculated_incentive_usd=600")
	asJSON := fs.Bool("json", false, "print JSON")
	id, err := parseWithID(fs, args)
	if err != nil {
		return err
	}
	return caseCommand(ctx, e, *dsn, *asJSON, func(db *store.DB, tx *store.Tx) (any, error) {
		return tx.ReferCase(ctx, cliActor(e), id, energyteam.ReferralRequest{Option: *option, Program: *program, Facts: facts})
	}, func(v any) { r := v.(energyteam.Referral); fmt.Fprintf(e.stdout, "referral %d: %s\n", r.ID, r.Outcome) })
}
