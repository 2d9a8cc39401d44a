package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// runBillSeedBalance records the opening net-metering balances of an
// account migrated to gridbook part-way through a Relevant Period: the
// State its first bill in gridbook (the period starting on --through)
// carries in, from flags or a State JSON file. It is checked
// (billrun.CheckOpening), refused once the account has bills, and
// audited.
func runBillSeedBalance(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bill seed-balance")
	dsn := dbFlag(e, fs, "gridbook.db")
	number := fs.String("account", "", "service account number")
	throughS := fs.String("through", "", "first day of the account's first bill in gridbook, YYYY-MM-DD")
	stateFile := fs.String("state", "", "a billing State JSON file (utility and cca ledgers) instead of the ledger flags")
	start := fs.String("relevant-start", "", "utility ledger: first day of the current Relevant Period")
	bills := fs.Int("bills", 0, "utility ledger: bills already in the Relevant Period (0–11)")
	balance := fs.Int64("balance-cents", 0, "utility ledger: net-metering balance, cents (positive: charges deferred to the true-up; negative: credit)")
	minimum := fs.Int64("minimum-paid-cents", 0, "utility ledger: minimum-charge top-ups paid in the Relevant Period")
	export := fs.Int64("export-credits-cents", 0, "utility ledger: unused Net Billing export credits")
	accPlus := fs.Int64("acc-plus-cents", 0, "utility ledger: unused ACC Plus credits")
	ccaStart := fs.String("cca-relevant-start", "", "CCA generation ledger: first day of its current Relevant Period")
	ccaBills := fs.Int("cca-bills", 0, "CCA generation ledger: bills already in its Relevant Period")
	ccaBalance := fs.Int64("cca-balance-cents", 0, "CCA generation ledger: net-metering balance, cents")
	asJSON := fs.Bool("json", false, "print the seeded balance as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *number == "" || *throughS == "" || fs.NArg() > 0 {
		return errUsage
	}
	ledgerFlags := false
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "db", "account", "through", "state", "json":
		default:
			ledgerFlags = true
		}
	})
	var fields apperr.Fields
	through, err := calendar.ParseDate(*throughS)
	if err != nil {
		fields.Add("through", "must be a date such as 2025-07-01")
	}
	var st billing.State
	switch {
	case *stateFile != "" && ledgerFlags:
		fields.Add("state", "give the balances either as a State file or as ledger flags, not both")
	case *stateFile != "":
		b, err := os.ReadFile(*stateFile)
		if err != nil {
			return err
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&st); err != nil {
			fields.Add("state", "is not a billing State: %v", err)
		}
	default:
		st.Utility = billing.LedgerState{Bills: *bills, Balance: money.Cents(*balance), MinimumPaid: money.Cents(*minimum),
			ExportCredits: money.Cents(*export), ACCPlus: money.Cents(*accPlus)}
		st.Generation = billing.LedgerState{Bills: *ccaBills, Balance: money.Cents(*ccaBalance)}
		for _, d := range []struct {
			name string
			s    string
			dst  *calendar.Date
		}{{"relevant-start", *start, &st.Utility.Start}, {"cca-relevant-start", *ccaStart, &st.Generation.Start}} {
			if d.s == "" {
				continue
			}
			if *d.dst, err = calendar.ParseDate(d.s); err != nil {
				fields.Add(d.name, "must be a date such as 2025-03-14")
			}
		}
	}
	if err := fields.Err("bill seed-balance"); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := db.AccountByNumber(ctx, *number)
	if err != nil {
		return err
	}
	out := billrun.OpeningBalance{AccountID: a.ID, AccountNumber: a.Number, Through: through, State: st}
	if err := seedBalance(ctx, db, cliActor(e), out); err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, out)
	}
	fmt.Fprintf(e.stdout, "account %s: opening balances seeded for the bill from %s (utility %s over %d bills from %s; CCA %s)\n",
		a.Number, through, st.Utility.Balance, st.Utility.Bills, st.Utility.Start, st.Generation.Balance)
	return nil
}

// seedBalance checks and stores an opening balance in one transaction
// (audited by the store).
func seedBalance(ctx context.Context, db *store.DB, actor auth.Actor, s billrun.OpeningBalance) error {
	if err := billrun.CheckOpening(s.State, s.Through); err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *store.Tx) error { return tx.SeedBillingState(ctx, actor, s.AccountID, s.Through, s.State) })
}
