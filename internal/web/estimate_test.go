package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energyteam"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/tariff"
)

// storeTariffsAndPrograms stores the shipped tariffs and program catalog.
func storeTariffsAndPrograms(t *testing.T, s *testSite) {
	t.Helper()
	vs, err := tariff.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	cat, err := incentive.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ImportTariffs(ctx, seedActor, vs, nil); err != nil {
			return err
		}
		_, err := tx.ImportPrograms(ctx, seedActor, cat)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestEstimatePagesShowThePlan: without stored tariffs the advisor's page
// says so; with the shipped ones Maria's June 2025 – February 2026 use is
// billed on both SCE residential schedules as a CCA account (generation
// apart), each option with its cost and rebates — HEER's $200 for the
// water heater (seed 003) — and the plan of the ticked options: the water
// heater ($6,500) and managed charging ($1,500) less $200 is $7,800. She
// sees the same in the portal with the form to ask an advisor; another
// customer's account is not found.
func TestEstimatePagesShowThePlan(t *testing.T) {
	s := newTestSite(t)
	manager := s.login(t, "/login", managerEmail)
	path := fmt.Sprintf("/accounts/%d/estimate", s.mariaAcct.ID)
	if w := s.get(t, path, manager); !strings.Contains(w.Body.String(), "no stored tariff for the account") {
		t.Fatalf("without tariffs:\n%s", w.Body)
	}
	storeTariffsAndPrograms(t, s)
	body := s.get(t, path+"?grid_co2=500&plan=1&option=hpwh&option=ev_managed", manager).Body.String()
	for _, want := range []string{"2025-06-01 to 2026-03-01", "TOU-D-4-9PM", "TOU-D-PRIME", "Current", "Lowest", "CCA generation",
		"Electric vehicle, managed overnight charging", "<strong>$200.00</strong> Heat pump water heater rebate (HEER)",
		"no program in the incentive catalog pays for induction cooking", "$6,300.00", `id="plan-net"><strong>$7,800.00</strong>`,
		`id="open-case"`, "The CCA&#39;s generation is priced", `id="product-green100"`, "100% Green Power", "3% above the utility",
		"2% to 1% below the utility"} {
		if !strings.Contains(body, want) {
			t.Errorf("console lacks %q", want)
		}
	}
	maria := s.login(t, "/my/login", mariaEmail)
	for _, p := range []string{"plan", "estimate"} {
		w := s.get(t, fmt.Sprintf("/my/accounts/%d/%s", s.mariaAcct.ID, p), maria)
		if !strings.Contains(w.Body.String(), "Heat pump water heater") || !strings.Contains(w.Body.String(), `id="ask-advisor"`) {
			t.Errorf("portal %s:\n%s", p, w.Body)
		}
	}
	if w := s.get(t, fmt.Sprintf("/my/accounts/%d/plan", s.danaAcct.ID), maria); w.Code != http.StatusNotFound {
		t.Errorf("another's account: %d", w.Code)
	}
}

// TestEnergyTeamCaseFlow: Maria asks an advisor from her plan (an empty
// question is refused next to the box); the case is in the queue as from
// the portal; the program manager takes it, recommends two options with a
// follow-up date, adds an internal and a shared note and refers the water
// heater to HEER (a draft application); HVAC quality installation without
// its calculated incentive is refused naming it. Maria's plan then shows
// the recommendation, the shared note only and the referral; her next
// message joins the open case.
func TestEnergyTeamCaseFlow(t *testing.T) {
	s := newTestSite(t)
	storeTariffsAndPrograms(t, s)
	maria := s.login(t, "/my/login", mariaEmail)
	ask := fmt.Sprintf("/my/accounts/%d/plan/case", s.mariaAcct.ID)
	if w := s.post(t, ask, maria, url.Values{"subject": {" "}}); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `id="f-subject-error"`) {
		t.Fatalf("empty question: %d", w.Code)
	}
	if w := s.post(t, ask, maria, url.Values{"subject": {"Should I get a heat pump water heater?"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("ask: %d\n%s", w.Code, w.Body)
	}
	c, err := s.db.AccountCase(context.Background(), s.mariaAcct.ID)
	if err != nil || c.Source != energyteam.FromPortal {
		t.Fatalf("case %+v %v", c, err)
	}
	manager := s.login(t, "/login", managerEmail)
	if q := s.get(t, "/energy-team", manager).Body.String(); !strings.Contains(q, "Should I get a heat pump water heater?") || !strings.Contains(q, "From the portal") {
		t.Errorf("queue:\n%s", q)
	}
	casePath := fmt.Sprintf("/energy-team/cases/%d", c.ID)
	follow := calendar.DateOf(testNow).AddDays(7).String()
	w := s.post(t, casePath, manager, url.Values{"status": {"advising"}, "advisor": {"Pat Moreno"}, "follow_up": {follow},
		"recommended": {"hpwh", "ev_managed"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", w.Code, w.Body)
	}
	if w := s.post(t, casePath, manager, url.Values{"status": {"advising"}, "follow_up": {"2001-01-01"}}); w.Code != http.StatusBadRequest ||
		!strings.Contains(w.Body.String(), `id="f-follow_up-error"`) {
		t.Errorf("past follow-up: %d", w.Code)
	}
	for _, n := range []url.Values{{"text": {"Prefers weekends."}}, {"text": {"Your plan is ready below."}, "shared": {"on"}}} {
		if w := s.post(t, casePath+"/notes", manager, n); w.Code != http.StatusSeeOther {
			t.Fatalf("note: %d", w.Code)
		}
	}
	if w := s.post(t, casePath+"/referrals", manager, url.Values{"choice": {"hpwh|heer-hpwh"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("refer: %d\n%s", w.Code, w.Body)
	}
	w = s.post(t, casePath+"/referrals", manager, url.Values{"choice": {"hp_heating|residential-hvac-qi"}})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "calculated_incentive_usd") {
		t.Errorf("HVAC referral without its fact: %d", w.Code)
	}
	page := s.get(t, casePath, manager).Body.String()
	for _, want := range []string{"Prefers weekends.", "shared with the customer", "/incentives/applications/", "(draft)",
		"The plan: 2 options together", `value="hpwh" checked`} {
		if !strings.Contains(page, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	mine := s.get(t, fmt.Sprintf("/my/accounts/%d/plan", s.mariaAcct.ID), maria).Body.String()
	for _, want := range []string{"Your plan is ready below.", "Your advisor recommends", "heer-hpwh: draft application", "Advising", "Message your advisor"} {
		if !strings.Contains(mine, want) {
			t.Errorf("portal lacks %q", want)
		}
	}
	if strings.Contains(mine, "Prefers weekends.") {
		t.Error("the portal shows an internal note")
	}
	s.post(t, ask, maria, url.Values{"subject": {"Saturday works for me."}})
	if c, _ := s.db.Case(context.Background(), c.ID); len(c.Notes) != 3 || !c.Notes[2].Shared {
		t.Errorf("the customer's message: %+v", c.Notes)
	}
}

// TestBrowserPortalPlan: Maria opens her plan from her account page, ticks
// the water heater and managed charging and sees the plan's net cost
// ($6,500 + $1,500 − $200 HEER = $7,800), then asks an advisor and sees
// her case open.
func TestBrowserPortalPlan(t *testing.T) {
	site := newTestSite(t)
	storeTariffsAndPrograms(t, site)
	srv := httptest.NewServer(site.h)
	defer srv.Close()
	ctx := newBrowser(t)
	ce := watchConsole(t, ctx)
	browse(t, ctx, chromedp.EmulateViewport(1024, 900))
	signIn(t, ctx, srv.URL, fmt.Sprintf("/my/accounts/%d", site.mariaAcct.ID), mariaEmail, "h1")
	browse(t, ctx,
		chromedp.Click(chromedp.CSS(`#plan-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#estimate-options`)),
		chromedp.Click(chromedp.CSS(`#plan-choices input[value=hpwh]`)),
		chromedp.Click(chromedp.CSS(`#plan-choices input[value=ev_managed]`)),
		chromedp.Click(chromedp.CSS(`#plan-choices button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#estimate-plan`)),
	)
	if got := text(t, ctx, "#plan-net"); got != "$7,800.00" {
		t.Errorf("plan net cost %q", got)
	}
	if got := text(t, ctx, "#option-hpwh .rebates"); !strings.Contains(got, "$200.00 Heat pump water heater rebate (HEER)") {
		t.Errorf("water heater rebates %q", got)
	}
	browse(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#f-subject`), "Can I afford a heat pump water heater?"),
		chromedp.Click(chromedp.CSS(`#ask-advisor button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#case-status`)),
	)
	if got := text(t, ctx, "#case-status"); got != "Open" {
		t.Errorf("case status %q", got)
	}
	screenshot(t, ctx, "portal_plan")
	for _, msg := range ce.take() {
		t.Errorf("browser console: %s", msg)
	}
}

// TestBrowserAdvisorCase: the program manager opens a case from Maria's
// plan, recommends the water heater, sets a follow-up date, adds a note
// shared with her and refers the water heater to HEER; the case page then
// lists the draft application and the plan of the recommendation, and the
// queue shows the case with its advisor.
func TestBrowserAdvisorCase(t *testing.T) {
	site := newTestSite(t)
	storeTariffsAndPrograms(t, site)
	srv := httptest.NewServer(site.h)
	defer srv.Close()
	ctx := newBrowser(t)
	ce := watchConsole(t, ctx)
	browse(t, ctx, chromedp.EmulateViewport(1280, 1000))
	signIn(t, ctx, srv.URL, fmt.Sprintf("/accounts/%d/estimate", site.mariaAcct.ID), managerEmail, "#estimate-tariffs")
	follow := calendar.DateOf(testNow).AddDays(10)
	browse(t, ctx,
		chromedp.Click(chromedp.CSS(`#open-case button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#case-form`)),
		chromedp.SetValue(chromedp.CSS(`#f-status`), "advising"),
		chromedp.Click(chromedp.CSS(`#case-form input[value=hpwh]`)),
		chromedp.SetValue(chromedp.CSS(`#f-follow_up`), follow.String()),
		chromedp.Click(chromedp.CSS(`#case-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#estimate-plan`)),
	)
	browse(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#f-text`), "Quotes requested from two contractors."),
		chromedp.Click(chromedp.CSS(`#note-form input[name=shared]`)),
		chromedp.Click(chromedp.CSS(`#note-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#case-notes li[data-note]`)),
	)
	browse(t, ctx,
		chromedp.SetValue(chromedp.CSS(`#f-choice`), "hpwh|heer-hpwh"),
		chromedp.Click(chromedp.CSS(`#refer-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#case-referrals li[data-referral]`)),
	)
	if got := text(t, ctx, "#case-referrals"); !strings.Contains(got, "quoted $200.00") || !strings.Contains(got, "(draft)") {
		t.Errorf("referrals %q", got)
	}
	if got := text(t, ctx, "#plan-net"); got != "$6,300.00" {
		t.Errorf("plan of the recommendation %q", got)
	}
	screenshot(t, ctx, "console_energy_team_case")
	browse(t, ctx, chromedp.Navigate(srv.URL+"/energy-team"), chromedp.WaitVisible(chromedp.CSS(`#case-queue`)))
	if got := text(t, ctx, "#case-queue tbody"); !strings.Contains(got, "Maria Lopez") || !strings.Contains(got, "Pat Moreno") ||
		!strings.Contains(got, follow.String()) {
		t.Errorf("queue %q", got)
	}
	for _, msg := range ce.take() {
		t.Errorf("browser console: %s", msg)
	}
}
