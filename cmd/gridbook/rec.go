package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/gridbook/gridbook/internal/api"
	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/rec"
	"github.com/gridbook/gridbook/internal/rps"
	"github.com/gridbook/gridbook/internal/store"
)

// recVerbs are the verbs of `gridbook rec`. Every verb that changes the
// registry takes --key: repeating it with the same key and arguments
// changes nothing and prints the first answer.
func recVerbs() map[string]verb {
	return map[string]verb{
		"open":        {"--org O --name N --kind active|retirement|export [--key K] [--json]", "open a registry account", runRecOpen},
		"accounts":    {"[--json]", "list accounts with what each holds by status", runRecAccounts},
		"register":    {"--file FILE.json [--key K] [--json]", "register a facility (the facility object of the API)", runRecRegister},
		"certify":     {"FACILITY --status precertified|certified|suspended|revoked --from DATE [--cec-id ID] [--source S] [--json]", "append a CEC certification record", runRecCertify},
		"facilities":  {"[--json]", "list registered facilities", runRecFacilities},
		"report":      {"--facility ID --vintage YYYY-MM (--mwh X | --hourly FILE) [--revision N] [--source S] [--key K] [--json]", "report a month's generation", runRecReport},
		"import":      {"FILE.csv [--layout generation|holdings|retirements] [--issue] [--json]", "import a WREGIS-style generation upload (and issue each month with --issue), holdings report or retirements report (serials kept; read twice, nothing changes)", runRecImport},
		"issue":       {"--facility ID --vintage YYYY-MM [--key K] [--json]", "issue a vintage's certificates", runRecIssue},
		"blocks":      {"[--account ID] [--facility ID] [--status S] [--vintage YYYY-MM] [--csv|--json]", "list blocks (holdings)", runRecBlocks},
		"transfer":    {"--block ID --quantity N --to ACCOUNT [--expect-version V] [--note T] [--key K] [--json]", "start a transfer (pending until accepted)", runRecTransfer},
		"accept":      {"TRANSFER [--note T] [--key K] [--json]", "accept a pending transfer", resolveVerb(rec.TransferAccepted)},
		"reject":      {"TRANSFER [--note T] [--key K] [--json]", "reject a pending transfer (certificates return to the sender)", resolveVerb(rec.TransferRejected)},
		"cancel":      {"TRANSFER [--note T] [--key K] [--json]", "cancel a pending transfer you sent", resolveVerb(rec.TransferCancelled)},
		"transfers":   {"[--status pending|accepted|rejected|cancelled] [--account ID] [--json]", "list transfers (the inbox: --status pending)", runRecTransfers},
		"retire":      {"--block ID --quantity N --account RETIREMENT --reason rps|voluntary|green_product|other [--year Y] [--beneficiary B] [--key K] [--json]", "retire certificates", runRecRetire},
		"retirements": {"[--year Y] [--account ID] [--csv|--json]", "list retirements (--csv: the WREGIS-style report)", runRecRetirements},
		"export":      {"--block ID --quantity N --account EXPORT --destination REGISTRY [--key K] [--json]", "export certificates to another registry", runRecExport},
		"withdraw":    {"--block ID --quantity N --reason R [--key K] [--json]", "withdraw certificates", runRecWithdraw},
		"events":      {"[--after SEQ] [--limit N] [--json]", "read the hash-chained event log", runRecEvents},
		"verify":      {"[--json]", "rehash the event log and check the serial invariants (exit 1 when broken)", runRecVerify},
		"members":     {"[--json]", "list the participant users and API clients acting for an organization", runRecMembers},
		"link":        {"--org O (--user EMAIL | --client ID)", "make an existing participant user or rec:write API client act for an organization (audited)", runRecLink},
	}
}

// runRec dispatches `gridbook rec <verb>`.
func runRec(ctx context.Context, e *env, args []string) error {
	return runVerbs(ctx, e, "rec", recVerbs(), args)
}

// recFlags are the flags every registry verb shares.
type recFlags struct {
	dsn, key *string
	asJSON   *bool
}

func newRecFlags(e *env, name string) (*flag.FlagSet, recFlags) {
	fs := newFlags(e, name)
	return fs, recFlags{dsn: dbFlag(e, fs, "gridbook.db"), key: fs.String("key", "", "idempotency key: a repeat with it changes nothing"),
		asJSON: fs.Bool("json", false, "print JSON (the API's objects)")}
}

// registryCommand opens the database and runs fn as one registry
// transaction behind the idempotency key, printing the JSON answer with
// --json or the line show makes of it.
func registryCommand[T any](ctx context.Context, e *env, f recFlags, request []string, fn func(reg *rec.Registry, tx *store.Tx) (T, error), show func(T) string) error {
	db, err := openDB(ctx, *f.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	out, err := cliCommand(ctx, e, db, *f.key, request, func(tx *store.Tx) (any, error) {
		reg, err := tx.Registry(ctx, cliActor(e))
		if err != nil {
			return nil, err
		}
		return fn(reg, tx)
	})
	if err != nil {
		return err
	}
	if *f.asJSON {
		_, err := e.stdout.Write(out)
		return err
	}
	var v T
	if err := json.Unmarshal(out, &v); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, show(v))
	return nil
}

func runRecOpen(ctx context.Context, e *env, args []string) error {
	fs, f := newRecFlags(e, "rec open")
	org, name, kind := fs.String("org", "", "organization"), fs.String("name", "", "account name"), fs.String("kind", "", "active, retirement or export")
	if err := parse(fs, args); err != nil {
		return err
	}
	return registryCommand(ctx, e, f, append([]string{"rec open"}, args...), func(reg *rec.Registry, _ *store.Tx) (api.RecAccountJSON, error) {
		a, err := reg.OpenAccount(ctx, rec.Account{Org: *org, Name: *name, Kind: rec.AccountKind(*kind)})
		return api.NewRecAccounts([]rec.Account{a}, nil)[0], err
	}, func(a api.RecAccountJSON) string {
		return fmt.Sprintf("account %d: %s %q (%s)", a.ID, a.Org, a.Name, a.Kind)
	})
}

func runRecAccounts(ctx context.Context, e *env, args []string) error {
	fs, f := newRecFlags(e, "rec accounts")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *f.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	accts, err := db.RecAccounts(ctx)
	if err != nil {
		return err
	}
	holds, err := db.RecHoldings(ctx)
	if err != nil {
		return err
	}
	out := api.NewRecAccounts(accts, holds)
	if *f.asJSON {
		return printJSON(e.stdout, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tORGANIZATION\tNAME\tKIND\tACTIVE\tPENDING\tRETIRED\tEXPORTED\tWITHDRAWN")
	for _, a := range out {
		h := a.Holdings
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\n", a.ID, a.Org, a.Name, a.Kind, h["active"], h["pending"], h["retired"], h["exported"], h["withdrawn"])
	}
	return tw.Flush()
}

func runRecRegister(ctx context.Context, e *env, args []string) error {
	fs, f := newRecFlags(e, "rec register")
	file := fs.String("file", "", "facility JSON (- for standard input)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *file == "" {
		return errUsage
	}
	var in rec.Facility
	if err := decodeFile(e, *file, &in); err != nil {
		return err
	}
	b, _ := json.Marshal(in)
	return registryCommand(ctx, e, f, []string{"rec register", string(b)}, func(reg *rec.Registry, _ *store.Tx) (rec.Facility, error) {
		return reg.RegisterFacility(ctx, in)
	}, func(x rec.Facility) string { return fmt.Sprintf("facility %d: %s (%s)", x.ID, x.Name, x.WREGISID) })
}

func runRecCertify(ctx context.Context, e *env, args []string) error {
	fs, f := newRecFlags(e, "rec certify")
	status, from := fs.String("status", "", "precertified, certified, suspended or revoked"), fs.String("from", "", "effective date")
	cecID, source := fs.String("cec-id", "", "CEC RPS ID"), fs.String("source", "", "the certification letter or notice")
	idStr, err := idArg(fs, args)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(idStr, 10, 64)
	if err != nil {
		return apperr.Invalidf("rec certify", "facility id %q is not a number", idStr)
	}
	var fe apperr.Fields
	c := rps.Certification{Status: rps.CertStatus(*status), From: parseDateField(&fe, "from", *from), CECRPSID: *cecID, Source: *source}
	if err := fe.Err("rec certify"); err != nil {
		return err
	}
	return registryCommand(ctx, e, f, append([]string{"rec certify"}, args...), func(reg *rec.Registry, _ *store.Tx) (rec.Facility, error) {
		return reg.Certify(ctx, id, c)
	}, func(x rec.Facility) string {
		return fmt.Sprintf("%s: %d certification record(s)", x.Name, len(x.Certifications))
	})
}

func runRecFacilities(ctx context.Context, e *env, args []string) error {
	fs, f := newRecFlags(e, "rec facilities")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *f.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	facs, err := db.RecFacilities(ctx)
	if err != nil {
		return err
	}
	if *f.asJSON {
		return printJSON(e.stdout, facs)
	}
	today := todayPacific(db)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tWREGIS\tNAME\tTECHNOLOGY\tMW\tBA\tSTATE\tCOD\tELIGIBLE TODAY")
	for _, x := range facs {
		d := rps.Eligibility(&x.Facility, today, "")
		el := "yes"
		if !d.Eligible {
			el = "no: " + d.Reason()
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%v\t%s\n", x.ID, x.WREGISID, x.Name, x.Technology, energy.W(x.NameplateKW).KWString(),
			x.BalancingAuthority, x.State, x.COD, el)
	}
	return tw.Flush()
}

func runRecReport(ctx context.Context, e *env, args []string) error {
	fs, f := newRecFlags(e, "rec report")
	facility, vintage := fs.Int64("facility", 0, "facility id"), fs.String("vintage", "", "the month, YYYY-MM")
	mwh := fs.String("mwh", "", "the month's generation in MWh (up to six decimals)")
	hourly := fs.String("hourly", "", "JSON array of the month's hourly generation in Wh (one per clock hour, Pacific time)")
	revision := fs.Int("revision", 0, "0 for the first report of the month, then 1, 2 …")
	source := fs.String("source", "", "where the numbers come from (meter, QRE upload)")
	if err := parse(fs, args); err != nil {
		return err
	}
	v, err := rps.ParseMonth(*vintage)
	if err != nil {
		return err
	}
	rep := rec.Report{FacilityID: *facility, Vintage: v, Revision: *revision, Source: *source}
	if *mwh != "" {
		if rep.Wh, err = rec.ParseMWh(*mwh); err != nil {
			var fe apperr.Fields
			fe.Add("mwh", "%q: %v", *mwh, err)
			return fe.Err("rec report")
		}
	}
	if *hourly != "" {
		if err := decodeFile(e, *hourly, &rep.Hourly); err != nil {
			return err
		}
	}
	if rep.Source == "" {
		rep.Source = "gridbook rec report"
	}
	return registryCommand(ctx, e, f, append([]string{"rec report"}, args...), func(reg *rec.Registry, _ *store.Tx) (api.ReportJSON, error) {
		r, err := reg.SubmitReport(ctx, rep)
		return api.NewReportJSON(r), err
	}, func(r api.ReportJSON) string {
		return fmt.Sprintf("report %d: facility %d %s revision %d, %s MWh", r.ID, r.FacilityID, r.Vintage, r.Revision, rec.FormatMWh(energy.Wh(r.GenerationWh)))
	})
}

func runRecImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "rec import")
	dsn := dbFlag(e, fs, "gridbook.db")
	issue := fs.Bool("issue", false, "generation: issue each reported month")
	layout := fs.String("layout", "", "generation, holdings or retirements (default: told from the header)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errUsage
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return apperr.E(apperr.Invalid, "rec import", "cannot read "+fs.Arg(0), err)
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var res api.ImportJSON
	// One transaction: a bad row stores nothing.
	err = db.Registry(ctx, cliActor(e), func(ctx context.Context, reg *rec.Registry, tx *store.Tx) error {
		res, err = api.ImportRegistryFile(ctx, reg, tx, rec.Layout(*layout), data, fs.Arg(0), *issue)
		return err
	})
	if err != nil {
		return fileError(fs.Arg(0), err)
	}
	if *asJSON {
		return printJSON(e.stdout, res)
	}
	var certs int64
	for _, i := range res.Issuances {
		certs += i.Quantity
	}
	switch res.Layout {
	case rec.LayoutGeneration:
		fmt.Fprintf(e.stdout, "%d generation report(s) stored; %d issuance(s), %d certificate(s)", len(res.Reports), len(res.Issuances), certs)
	default:
		fmt.Fprintf(e.stdout, "%s: %d certificate(s) imported in %d block(s), %d retirement(s)", res.Layout, certs, len(res.Blocks), len(res.Retirements))
	}
	if res.Already > 0 {
		fmt.Fprintf(e.stdout, "; %d line(s) already imported", res.Already)
	}
	fmt.Fprintln(e.stdout)
	return nil
}

func runRecIssue(ctx context.Context, e *env, args []string) error {
	fs, f := newRecFlags(e, "rec issue")
	facility, vintage := fs.Int64("facility", 0, "facility id"), fs.String("vintage", "", "the month, YYYY-MM")
	if err := parse(fs, args); err != nil {
		return err
	}
	v, err := rps.ParseMonth(*vintage)
	if err != nil {
		return err
	}
	return registryCommand(ctx, e, f, append([]string{"rec issue"}, args...), func(reg *rec.Registry, _ *store.Tx) (api.IssuanceJSON, error) {
		i, err := reg.Issue(ctx, *facility, v)
		return api.NewIssuanceJSON(i), err
	}, func(i api.IssuanceJSON) string {
		s := fmt.Sprintf("issuance %d: %d certificate(s) of %s; %s kWh carried", i.ID, i.Quantity, i.Vintage, energy.Wh(i.CarryOutWh).KWhString())
		if i.BlockID != nil {
			s += fmt.Sprintf(" (block %d)", *i.BlockID)
		}
		if i.Note != "" {
			s += "\n  " + i.Note
		}
		return s
	})
}

func runRecBlocks(ctx context.Context, e *env, args []string) error {
	fs, f := newRecFlags(e, "rec blocks")
	account, facility := fs.Int64("account", 0, "held in this account"), fs.Int64("facility", 0, "from this facility")
	status, vintage := fs.String("status", "", "active, pending, split, retired, exported or withdrawn"), fs.String("vintage", "", "YYYY-MM")
	asCSV := fs.Bool("csv", false, "print the WREGIS-style holdings report")
	if err := parse(fs, args); err != nil {
		return err
	}
	filter := store.BlockFilter{AccountID: *account, FacilityID: *facility, Status: rec.Status(*status), Limit: 1 << 30}
	if *vintage != "" {
		v, err := rps.ParseMonth(*vintage)
		if err != nil {
			return err
		}
		filter.Vintage = v
	}
	db, err := openDB(ctx, *f.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	blocks, err := db.RecBlocks(ctx, filter)
	if err != nil {
		return err
	}
	facs, accts, err := registryIndexes(ctx, db)
	if err != nil {
		return err
	}
	switch {
	case *asCSV:
		rows := make([]rec.HoldingRow, 0, len(blocks))
		for _, b := range blocks {
			rows = append(rows, rec.HoldingRow{Account: accts[b.AccountID], Facility: facs[b.FacilityID].Facility, Block: b})
		}
		return rec.WriteHoldingsCSV(e.stdout, rows)
	case *f.asJSON:
		out := make([]api.BlockJSON, 0, len(blocks))
		for _, b := range blocks {
			out = append(out, api.NewBlockJSON(b, facs[b.FacilityID]))
		}
		return printJSON(e.stdout, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BLOCK\tACCOUNT\tSTATUS\tSERIALS\tQUANTITY\tVERSION")
	for _, b := range blocks {
		x := facs[b.FacilityID]
		fmt.Fprintf(tw, "%d\t%d %s\t%s\t%s\t%d\t%d\n", b.ID, b.AccountID, accts[b.AccountID].Name, b.Status,
			b.Serials(x.Facility), b.Quantity(), b.Version)
	}
	return tw.Flush()
}

// registryIndexes loads facilities and accounts by id.
func registryIndexes(ctx context.Context, db *store.DB) (map[int64]rec.Facility, map[int64]rec.Account, error) {
	facs, err := db.RecFacilities(ctx)
	if err != nil {
		return nil, nil, err
	}
	accts, err := db.RecAccounts(ctx)
	if err != nil {
		return nil, nil, err
	}
	fi, ai := map[int64]rec.Facility{}, map[int64]rec.Account{}
	for _, x := range facs {
		fi[x.ID] = x
	}
	for _, a := range accts {
		ai[a.ID] = a
	}
	return fi, ai, nil
}

// blockFlags registers --block and --quantity, the certificates a
// command takes.
func blockFlags(fs *flag.FlagSet, block, qty *int64, what string) {
	fs.Int64Var(block, "block", 0, "block id")
	fs.Int64Var(qty, "quantity", 0, what)
}

func showTransfer(t api.TransferJSON) string {
	return fmt.Sprintf("transfer %d: %d certificate(s), block %d, account %d → %d, %s", t.ID, t.Quantity, t.BlockID, t.From, t.To, t.Status)
}

func runRecTransfer(ctx context.Context, e *env, args []string) error {
	fs, f := newRecFlags(e, "rec transfer")
	var c rec.TransferCmd
	blockFlags(fs, &c.BlockID, &c.Quantity, "certificates to move")
	fs.Int64Var(&c.To, "to", 0, "receiving active account")
	fs.Int64Var(&c.ExpectVersion, "expect-version", 0, "refuse if the block changed since this version")
	fs.StringVar(&c.Note, "note", "", "a note for the receiver")
	if err := parse(fs, args); err != nil {
		return err
	}
	return registryCommand(ctx, e, f, append([]string{"rec transfer"}, args...), func(reg *rec.Registry, _ *store.Tx) (api.TransferJSON, error) {
		t, err := reg.InitiateTransfer(ctx, c)
		return api.NewTransferJSON(t), err
	}, showTransfer)
}

// resolveVerb makes the accept, reject and cancel verbs.
func resolveVerb(to rec.TransferStatus) func(ctx context.Context, e *env, args []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		fs, f := newRecFlags(e, "rec "+string(to))
		note := fs.String("note", "", "a note for the other party")
		idStr, err := idArg(fs, args)
		if err != nil {
			return err
		}
		id, err := strconv.ParseInt(idStr, 10, 64)
		if err != nil {
			return apperr.Invalidf("rec", "transfer id %q is not a number", idStr)
		}
		return registryCommand(ctx, e, f, append([]string{"rec " + string(to)}, args...), func(reg *rec.Registry, _ *store.Tx) (api.TransferJSON, error) {
			t, err := reg.ResolveTransfer(ctx, id, to, *note)
			return api.NewTransferJSON(t), err
		}, showTransfer)
	}
}

func runRecTransfers(ctx context.Context, e *env, args []string) error {
	fs, f := newRecFlags(e, "rec transfers")
	status, account := fs.String("status", "", "pending, accepted, rejected or cancelled"), fs.Int64("account", 0, "sent from or to this account")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *f.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ts, err := db.RecTransfers(ctx, store.TransferFilter{Status: rec.TransferStatus(*status), AccountID: *account, Limit: 1 << 30})
	if err != nil {
		return err
	}
	out := make([]api.TransferJSON, 0, len(ts))
	for _, t := range ts {
		out = append(out, api.NewTransferJSON(t))
	}
	if *f.asJSON {
		return printJSON(e.stdout, out)
	}
	for _, t := range out {
		fmt.Fprintln(e.stdout, showTransfer(t))
	}
	return nil
}

func runRecRetire(ctx context.Context, e *env, args []string) error {
	fs, f := newRecFlags(e, "rec retire")
	var c rec.RetireCmd
	blockFlags(fs, &c.BlockID, &c.Quantity, "certificates to retire")
	fs.Int64Var(&c.AccountID, "account", 0, "the holder's retirement account")
	reason := fs.String("reason", "", "rps, voluntary, green_product or other")
	fs.IntVar(&c.ComplianceYear, "year", 0, "compliance year (rps)")
	fs.StringVar(&c.Beneficiary, "beneficiary", "", "on whose behalf (default the holder)")
	fs.Int64Var(&c.ExpectVersion, "expect-version", 0, "refuse if the block changed since this version")
	if err := parse(fs, args); err != nil {
		return err
	}
	c.Reason = rec.Reason(*reason)
	return registryCommand(ctx, e, f, append([]string{"rec retire"}, args...), func(reg *rec.Registry, _ *store.Tx) (api.RetirementJSON, error) {
		r, err := reg.Retire(ctx, c)
		return api.NewRetirementJSON(r), err
	}, func(r api.RetirementJSON) string {
		return fmt.Sprintf("retirement %d: %d certificate(s) of %s, %s, block %d; counts for RPS: %v (deadline %s)", r.ID, r.Quantity, r.Vintage, r.Reason,
			r.BlockID, r.RPSEligible, r.Deadline)
	})
}

func runRecRetirements(ctx context.Context, e *env, args []string) error {
	fs, f := newRecFlags(e, "rec retirements")
	year, account := fs.Int("year", 0, "compliance year"), fs.Int64("account", 0, "retirement account")
	asCSV := fs.Bool("csv", false, "print the WREGIS-style retirements report")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *f.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	rets, err := db.RecRetirements(ctx, store.RetirementFilter{ComplianceYear: *year, AccountID: *account, Limit: 1 << 30})
	if err != nil {
		return err
	}
	switch {
	case *asCSV:
		facs, accts, err := registryIndexes(ctx, db)
		if err != nil {
			return err
		}
		rows := make([]rec.RetirementRow, 0, len(rets))
		for _, r := range rets {
			b, err := db.RecBlock(ctx, r.BlockID)
			if err != nil {
				return err
			}
			rows = append(rows, rec.RetirementRow{Retirement: r, Account: accts[r.AccountID], Facility: facs[r.FacilityID].Facility, Block: b})
		}
		return rec.WriteRetirementsCSV(e.stdout, rows)
	case *f.asJSON:
		out := make([]api.RetirementJSON, 0, len(rets))
		for _, r := range rets {
			out = append(out, api.NewRetirementJSON(r))
		}
		return printJSON(e.stdout, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRETIRED ON\tVINTAGE\tQUANTITY\tREASON\tYEAR\tBENEFICIARY\tRPS\tDEADLINE")
	for _, r := range rets {
		fmt.Fprintf(tw, "%d\t%v\t%v\t%d\t%s\t%d\t%s\t%v\t%v\n", r.ID, r.RetiredOn, r.Vintage, r.Quantity, r.Reason, r.ComplianceYear, r.Beneficiary, r.RPSEligible, r.Deadline)
	}
	return tw.Flush()
}

func runRecExport(ctx context.Context, e *env, args []string) error {
	fs, f := newRecFlags(e, "rec export")
	var c rec.ExportCmd
	blockFlags(fs, &c.BlockID, &c.Quantity, "certificates to export")
	fs.Int64Var(&c.AccountID, "account", 0, "the holder's export account")
	fs.StringVar(&c.Destination, "destination", "", "the receiving registry")
	if err := parse(fs, args); err != nil {
		return err
	}
	return registryCommand(ctx, e, f, append([]string{"rec export"}, args...), func(reg *rec.Registry, _ *store.Tx) (rec.Export, error) {
		return reg.Export(ctx, c)
	}, func(x rec.Export) string {
		return fmt.Sprintf("export %d: %d certificate(s) to %s (block %d)", x.ID, x.Quantity, x.Destination, x.BlockID)
	})
}

func runRecWithdraw(ctx context.Context, e *env, args []string) error {
	fs, f := newRecFlags(e, "rec withdraw")
	var c rec.WithdrawCmd
	blockFlags(fs, &c.BlockID, &c.Quantity, "certificates to withdraw")
	fs.StringVar(&c.Reason, "reason", "", "why")
	if err := parse(fs, args); err != nil {
		return err
	}
	return registryCommand(ctx, e, f, append([]string{"rec withdraw"}, args...), func(reg *rec.Registry, tx *store.Tx) (api.BlockJSON, error) {
		b, err := reg.Withdraw(ctx, c)
		if err != nil {
			return api.BlockJSON{}, err
		}
		x, err := tx.RecFacility(ctx, b.FacilityID)
		return api.NewBlockJSON(b, x), err
	}, func(b api.BlockJSON) string { return fmt.Sprintf("withdrawn: block %d, %s", b.ID, b.Serials) })
}

func runRecEvents(ctx context.Context, e *env, args []string) error {
	fs, f := newRecFlags(e, "rec events")
	after, limit := fs.Int64("after", 0, "events after this sequence number"), fs.Int("limit", 100, "how many")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *f.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	evs, err := db.RecEvents(ctx, *after, *limit)
	if err != nil {
		return err
	}
	if *f.asJSON {
		out := make([]api.EventJSON, 0, len(evs))
		for _, ev := range evs {
			out = append(out, api.NewEventJSON(ev))
		}
		return printJSON(e.stdout, out)
	}
	for _, ev := range evs {
		fmt.Fprintf(e.stdout, "%d\t%s\t%s\t%s\t%s…\n", ev.Seq, ev.At.Format("2006-01-02 15:04:05Z"), ev.Kind, ev.Actor, ev.Hash[:12])
	}
	return nil
}

func runRecVerify(ctx context.Context, e *env, args []string) error {
	fs, f := newRecFlags(e, "rec verify")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *f.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := api.VerifyRegistry(ctx, db)
	if err != nil {
		return err
	}
	if *f.asJSON {
		if err := printJSON(e.stdout, v); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "%d events, head %s\n", v.Events, v.HeadHash)
		if v.Break != nil {
			fmt.Fprintf(e.stdout, "BROKEN at entry %d: %s\n", v.Break.Seq, v.Break.Reason)
		}
		for _, p := range v.Problems {
			fmt.Fprintln(e.stdout, "INVARIANT:", p)
		}
		if v.Sound {
			fmt.Fprintln(e.stdout, "sound: the chain verifies and every issuance's serials are conserved")
		}
	}
	if !v.Sound {
		return apperr.Conflictf("rec verify", "the registry is not sound")
	}
	return nil
}

func runRecMembers(ctx context.Context, e *env, args []string) error {
	fs, f := newRecFlags(e, "rec members")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *f.dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ms, err := db.RecMembers(ctx)
	if err != nil {
		return err
	}
	if *f.asJSON {
		return printJSON(e.stdout, ms)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ORGANIZATION\tKIND\tWHO\tID\tLINKED")
	for _, m := range ms {
		kind, id := "user", m.UserID
		if m.ClientID != 0 {
			kind, id = "client", m.ClientID
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", m.Org, kind, m.Who, id, m.Created.Format("2006-01-02"))
	}
	return tw.Flush()
}

func runRecLink(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "rec link")
	dsn := dbFlag(e, fs, "gridbook.db")
	org, user := fs.String("org", "", "the organization (it holds a registry account)"), fs.String("user", "", "a participant user's login email")
	client := fs.Int64("client", 0, "an API client's id (it holds "+auth.ScopeRECWrite+")")
	if err := parse(fs, args); err != nil {
		return err
	}
	if (*user == "") == (*client == 0) || fs.NArg() > 0 {
		return errUsage
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var m store.RecMember
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if *client != 0 {
			m, err = tx.LinkRecClient(ctx, cliActor(e), *org, *client)
			return err
		}
		u, err := tx.UserByEmail(ctx, *user)
		if apperr.Is(err, apperr.NotFound) {
			var f apperr.Fields
			f.Add("user", "no user %s", *user)
			return f.Err("rec link")
		} else if err != nil {
			return err
		}
		m, err = tx.LinkRecUser(ctx, cliActor(e), *org, u.ID)
		return err
	})
	if err != nil {
		return err
	}
	who := *user
	if who == "" {
		who = fmt.Sprintf("API client %d", *client)
	}
	fmt.Fprintf(e.stdout, "%s acts for %s in the registry\n", who, m.Org)
	return nil
}
