package api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestDRPayablesPaidOnceThroughTheAPI: a Smart Home thermostat enrolled
// on 1 May 2025 has earned CPA's $85 and, on its anniversary, $40
// (research/dr-ev.md §2.4). With $100 in the Power Response budget, POST
// /dr/payables/pay pays the $85 and refuses the $40 whole naming
// budget_exhausted; without an Idempotency-Key nothing moves; replaying
// the key replays the answer; customers see only their own payables.
func TestDRPayablesPaidOnceThroughTheAPI(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newEnv(t, open)
		ctx := context.Background()
		cat, err := dr.Shipped()
		if err != nil {
			t.Fatal(err)
		}
		p, _ := cat.Program("power_response")
		var b incentive.Budget
		err = e.db.InTx(ctx, func(tx *store.Tx) error {
			ic, err := incentive.Shipped()
			if err != nil {
				return err
			}
			if _, err := tx.ImportPrograms(ctx, seedActor, ic); err != nil {
				return err
			}
			b = incentive.Budget{Slug: "pr-api", ProgramID: "power-response", Name: "Power Response (API test)", From: calendar.Date{Year: 2025, Month: 1, Day: 1},
				AllocatedCents: 10000, Source: "test allocation"}
			if err := tx.CreateBudget(ctx, seedActor, &b); err != nil {
				return err
			}
			d := dr.Device{AccountID: e.acct1.ID, Program: p.Code, Type: "thermostat", Brand: "ecobee", Serial: "TS-API", Enrolled: calendar.Date{Year: 2025, Month: 5, Day: 1}}
			if err := tx.RegisterDevice(ctx, seedActor, &d); err != nil {
				return err
			}
			_, err = tx.AddPayables(ctx, seedActor, dr.IncentivesDue(p, d, calendar.Date{Year: 2026, Month: 6, Day: 1}))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		before := e.size()
		pr := e.do("POST", "/api/v1/dr/payables/pay", `{"program":"power_response"}`, e.manager).want(t, http.StatusBadRequest).problem(t)
		if len(pr.Errors) != 1 || pr.Errors[0].Field != "Idempotency-Key" || e.size() != before {
			t.Errorf("without a key: %+v; want a 400 naming Idempotency-Key and nothing written", pr)
		}
		e.do("POST", "/api/v1/dr/payables/pay", `{"program":"nope"}`, e.manager, "Idempotency-Key", "k0").want(t, http.StatusBadRequest)
		e.do("POST", "/api/v1/dr/payables/pay", `{}`, e.analyst, "Idempotency-Key", "k1").want(t, http.StatusForbidden)
		var sum drPaySummaryJSON
		e.do("POST", "/api/v1/dr/payables/pay", `{"program":"power_response"}`, e.manager, "Idempotency-Key", "k2").want(t, http.StatusOK).decode(t, &sum)
		if sum.Paid != 1 || sum.PaidCents != 8500 || sum.Refused != 1 || sum.RefusedCents != 4000 || sum.Rules["budget_exhausted"] != 1 {
			t.Errorf("pay %+v; want $85 paid and $40 refused as budget_exhausted", sum)
		}
		res := e.do("POST", "/api/v1/dr/payables/pay", `{"program":"power_response"}`, e.manager, "Idempotency-Key", "k2").want(t, http.StatusOK)
		if res.header.Get("Idempotent-Replayed") != "true" {
			t.Error("the same key did not replay")
		}
		var ps struct{ Data []drPayableJSON }
		e.do("GET", "/api/v1/dr/payables?account="+itoa(e.acct1.ID), "", e.portal).want(t, http.StatusOK).decode(t, &ps)
		if len(ps.Data) != 2 || ps.Data[0].Status != "paid" || !strings.HasPrefix(ps.Data[0].Reference, "pr-api#") || ps.Data[1].Status != "refused" ||
			!strings.HasPrefix(ps.Data[1].Refusal, "budget_exhausted: paying $40.00 would overspend") {
			t.Errorf("payables %+v", ps.Data)
		}
		e.do("GET", "/api/v1/dr/payables", "", e.portal).want(t, http.StatusForbidden)
		e.do("GET", "/api/v1/dr/payables?status=owed", "", e.analyst).want(t, http.StatusBadRequest)
		if b, err = e.db.Budget(ctx, b.ID); err != nil || b.PaidCents != 8500 {
			t.Errorf("budget %v, %v; want $85 paid", b, err)
		}
	})
}
