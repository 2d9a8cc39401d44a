package api

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestSeedBillingStateOpensAMigratedAccount: a program manager seeds the
// balances a migrated account carries into its first gridbook bill
// (from 2025-07-01: the utility's Relevant Period began 2025-03-14 with
// 4 bills and $123.45 deferred, the CCA's on 2025-05-01 with a $8.00
// credit). Without an Idempotency-Key, with a bad field, or as an
// analyst nothing is written; the key replays; the store keeps the State
// for that period and audits it.
func TestSeedBillingStateOpensAMigratedAccount(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newEnv(t, open)
		path := fmt.Sprintf("/api/v1/accounts/%d/billing-state", e.acct1.ID)
		body := `{"through":"2025-07-01","state":{"utility":{"relevant_start":"2025-03-14","bills":4,"nem_balance_cents":12345,` +
			`"delivered_wh":2000000,"received_wh":1500000},"cca":{"relevant_start":"2025-05-01","bills":2,"nem_balance_cents":-800}}}`
		before := e.size()
		pr := e.do("POST", path, body, e.manager).want(t, http.StatusBadRequest).problem(t)
		if len(pr.Errors) != 1 || pr.Errors[0].Field != "Idempotency-Key" {
			t.Errorf("without a key: %+v", pr)
		}
		bad := `{"through":"2025-07-01","state":{"utility":{"relevant_start":"2025-07-02","bills":12}}}`
		pr = e.do("POST", path, bad, e.manager, "Idempotency-Key", "s0").want(t, http.StatusBadRequest).problem(t)
		if len(pr.Errors) != 2 || pr.Errors[0].Field != "utility.relevant_start" || pr.Errors[1].Field != "utility.bills" {
			t.Errorf("bad state: %+v, want utility.relevant_start and utility.bills named", pr.Errors)
		}
		e.do("POST", path, body, e.analyst, "Idempotency-Key", "s1").want(t, http.StatusForbidden)
		if e.size() != before {
			t.Errorf("refused requests wrote: %v → %v", before, e.size())
		}
		var got billrun.OpeningBalance
		e.do("POST", path, body, e.manager, "Idempotency-Key", "s2").want(t, http.StatusCreated).decode(t, &got)
		if got.AccountNumber != e.acct1.Number || got.Through != (calendar.Date{Year: 2025, Month: 7, Day: 1}) ||
			got.State.Utility.Balance != 12345 || got.State.Generation.Balance != -800 || got.State.Utility.Bills != 4 {
			t.Errorf("answer %+v", got)
		}
		if res := e.do("POST", path, body, e.manager, "Idempotency-Key", "s2").want(t, http.StatusCreated); res.header.Get("Idempotent-Replayed") != "true" {
			t.Error("the same key did not replay")
		}
		st, through, ok, err := e.db.BillingState(context.Background(), e.acct1.ID)
		if err != nil || !ok || through != got.Through || st != got.State {
			t.Errorf("stored %+v through %s (%v, %v)", st, through, ok, err)
		}
		var audits int
		if err := e.db.SQL().QueryRowContext(context.Background(), `SELECT count(*) FROM audit_log WHERE entity = 'billing_state'`).Scan(&audits); err != nil || audits != 1 {
			t.Errorf("%d audit records (%v), want 1", audits, err)
		}
	})
}
