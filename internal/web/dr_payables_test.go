package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/store"
)

// TestPayablesPagePaysFromTheBudgetAndNamesRefusals: Maria's Nest
// thermostat, enrolled 1 May 2025, has earned CPA's $85 and $40
// (research/dr-ev.md §2.4). With $100 in Power Response's budget the
// manager's "Pay" pays the $85 and refuses the $40 naming
// budget_exhausted; an analyst may look but not pay.
func TestPayablesPagePaysFromTheBudgetAndNamesRefusals(t *testing.T) {
	s := newTestSite(t)
	ctx := context.Background()
	cat, _ := dr.Shipped()
	p, _ := cat.Program("power_response")
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		ic, err := incentive.Shipped()
		if err != nil {
			return err
		}
		if _, err := tx.ImportPrograms(ctx, seedActor, ic); err != nil {
			return err
		}
		b := incentive.Budget{Slug: "pr-web", ProgramID: "power-response", Name: "Power Response web test", From: calendar.Date{Year: 2025, Month: 1, Day: 1},
			AllocatedCents: 10000, Source: "test allocation"}
		if err := tx.CreateBudget(ctx, seedActor, &b); err != nil {
			return err
		}
		d := dr.Device{AccountID: s.mariaAcct.ID, Program: p.Code, Type: "thermostat", Brand: "nest", Serial: "TS-WEB", Enrolled: calendar.Date{Year: 2025, Month: 5, Day: 1}}
		if err := tx.RegisterDevice(ctx, seedActor, &d); err != nil {
			return err
		}
		_, err = tx.AddPayables(ctx, seedActor, dr.IncentivesDue(p, d, calendar.Date{Year: 2026, Month: 6, Day: 1}))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	analyst := s.login(t, "/login", analystEmail)
	body := s.get(t, "/dr/payables", analyst).Body.String()
	if !strings.Contains(body, `<span class="card-value" id="owed">$125.00</span>`) || strings.Contains(body, `id="pay-form"`) ||
		!strings.Contains(body, "Power Response web test") {
		t.Fatalf("payables page before paying:\n%s", body)
	}
	if w := s.post(t, "/dr/payables/pay", analyst, url.Values{"program": {"power_response"}}); w.Code != http.StatusForbidden {
		t.Errorf("analyst paid: %d", w.Code)
	}
	mgr := s.login(t, "/login", managerEmail)
	w := s.post(t, "/dr/payables/pay", mgr, url.Values{"program": {"power_response"}})
	if w.Code != http.StatusSeeOther && w.Code != http.StatusFound {
		t.Fatalf("pay: %d %s", w.Code, w.Body.String())
	}
	body = s.get(t, "/dr/payables?program=power_response", mgr).Body.String()
	for _, want := range []string{`<span class="card-value" id="paid">$85.00</span>`, `<span class="card-value" id="refused">$40.00</span>`,
		"budget_exhausted: paying $40.00 would overspend the power-response budgets", "pr-web#", `id="pay-form"`} {
		if !strings.Contains(body, want) {
			t.Errorf("payables page lacks %q", want)
		}
	}
	if body := s.get(t, "/dr/payables?status=paid", mgr).Body.String(); !strings.Contains(body, "1 payables shown") {
		t.Errorf("filter by status:\n%s", body)
	}
}
