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
	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/store"
)

// systemForm is a Standard NEM solar system as the forms post it.
func systemForm(kw, annual, use string) url.Values {
	return url.Values{"variant": {"standard"}, "technology": {"solar_pv"}, "kw": {kw}, "annual_kwh": {annual}, "use_kwh": {use}}
}

func nemApp(t *testing.T, s *nemSite, id int64) nem.Application {
	t.Helper()
	a, err := s.db.NEMApplication(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestInstallerRevisesItsDraft: Sunrise's 48 kW draft shows the revision
// form filled from the stored system; a 1,001 kW system is refused with
// the capacity rule next to the kW input (seed 002: at most 1,000 kW) and
// an unreadable number by its input, the draft unchanged; 9.5 kW is saved
// and decided again. Another installer cannot revise it, and a submitted
// application has no revision form and refuses one (only a draft).
func TestInstallerRevisesItsDraft(t *testing.T) {
	s := newNEMSite(t)
	ines := s.login(t, "/my/login", installerEmail)
	page := fmt.Sprintf("/my/installer/applications/%d", s.draft.ID)
	checkPage(t, s.get(t, page, ines), []string{`id="revise"`, `action="` + page + `/system"`, `name="kw" type="text" value="48"`,
		`name="annual_kwh" type="text" value="6000"`, `name="use_kwh" type="text" value="7000"`}, nil)
	decisions := func() int {
		ds, err := s.db.NEMDecisions(context.Background(), s.draft.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(ds)
	}
	before := decisions()
	w := s.post(t, page+"/system", ines, systemForm("1001", "6000", "2000000"))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `id="f-kw-error"`) ||
		!strings.Contains(w.Body.String(), "rule nem.capacity_1000kw") || !strings.Contains(w.Body.String(), `value="1001"`) {
		t.Errorf("1,001 kW: %d\n%s", w.Code, w.Body)
	}
	w = s.post(t, page+"/system", ines, systemForm("lots", "6000", "7000"))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `id="f-kw-error"`) || !strings.Contains(w.Body.String(), "must be a number") {
		t.Errorf("unreadable kW: %d", w.Code)
	}
	if a := nemApp(t, s, s.draft.ID); a.System.CapacityW != energyW(48_000) || decisions() != before {
		t.Fatalf("a refused revision changed the draft: %s, %d decisions", a.System.CapacityW.KWString(), decisions())
	}
	olu := s.login(t, "/my/login", otherEmail)
	if w := s.post(t, page+"/system", olu, systemForm("9.5", "6000", "7000")); w.Code != http.StatusNotFound {
		t.Errorf("another installer's revision: %d", w.Code)
	}
	if w := s.post(t, page+"/system", ines, systemForm("9.5", "6000", "7000")); w.Code != http.StatusSeeOther || w.Header().Get("Location") != page {
		t.Fatalf("revision: %d %s\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	if a := nemApp(t, s, s.draft.ID); a.System.CapacityW != energyW(9_500) || a.Status != nem.Draft || decisions() != before+1 {
		t.Errorf("after the revision: %s kW, %s, %d decisions", a.System.CapacityW.KWString(), a.Status, decisions())
	}
	late := fmt.Sprintf("/my/installer/applications/%d", s.late.ID)
	checkPage(t, s.get(t, late, ines), nil, []string{`id="revise"`})
	w = s.post(t, late+"/system", ines, systemForm("9.5", "6000", "7000"))
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "only a draft can be revised") {
		t.Errorf("revising a signed agreement: %d", w.Code)
	}
}

// TestStaffFilesAnApplicationForACustomer: a program manager files for
// Dana from the console's queue — refused while Dana's application is in
// process, then (once it is withdrawn) each bad input named by its field
// and an ineligible 1,001 kW system refused with the rule, nothing stored;
// a 6.5 kW system submitted for Sunrise Solar is filed dated today
// (2026-03-10) on the Net Billing Tariff (applications from 2023-04-15,
// seed 002) and shows in Sunrise's list. Staff may revise a draft from the
// console; analysts see neither form and may not post.
func TestStaffFilesAnApplicationForACustomer(t *testing.T) {
	s := newNEMSite(t)
	ctx := context.Background()
	manager := s.login(t, "/login", managerEmail)
	checkPage(t, s.get(t, "/nem", manager), []string{`id="file-application"`, `<option value="` + fmt.Sprint(s.sunrise.ID) + `"`}, nil)
	file := func(v url.Values) *httptest.ResponseRecorder {
		return s.post(t, "/nem/applications", manager, v)
	}
	with := func(v url.Values, kv ...string) url.Values {
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	w := file(with(systemForm("6.5", "6000", "7000"), "account", s.danaAcct.Number, "submit", "1"))
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "already has application "+s.ontime.Number) {
		t.Errorf("Dana's second application: %d\n%s", w.Code, w.Body)
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		today := calendar.Date{Year: 2026, Month: 3, Day: 10}
		_, err := tx.AdvanceNEMApplication(ctx, seedActor, s.ontime.ID, nem.Step{To: nem.Withdrawn, On: today, Note: "customer changed installer"}, today)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	before := len(mustApps(t, s))
	w = file(with(systemForm("x", "6000", "7000"), "installer_id", "abc"))
	for _, id := range []string{`id="f-account-error"`, `id="f-kw-error"`, `id="f-installer_id-error"`} {
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), id) {
			t.Errorf("bad inputs: %d, no %s", w.Code, id)
		}
	}
	w = file(with(systemForm("6.5", "6000", "7000"), "account", "9999999999"))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "no service account numbered 9999999999") {
		t.Errorf("unknown account: %d", w.Code)
	}
	w = file(with(systemForm("1001", "6000", "2000000"), "account", s.danaAcct.Number))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "rule nem.capacity_1000kw") || !strings.Contains(w.Body.String(), `value="`+s.danaAcct.Number+`"`) {
		t.Errorf("1,001 kW: %d", w.Code)
	}
	if len(mustApps(t, s)) != before {
		t.Fatal("a refused filing was stored")
	}
	w = file(with(systemForm("6.5", "6000", "7000"), "account", s.danaAcct.Number, "installer_id", fmt.Sprint(s.sunrise.ID), "submit", "1"))
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/nem/applications/") {
		t.Fatalf("filing: %d\n%s", w.Code, w.Body)
	}
	apps := mustApps(t, s)
	a := apps[0]
	for _, x := range apps {
		if x.ID > a.ID {
			a = x
		}
	}
	if a.AccountID != s.danaAcct.ID || a.InstallerID != s.sunrise.ID || a.Status != nem.Submitted || a.Submitted.String() != "2026-03-10" ||
		a.System.CapacityW != energyW(6_500) || a.Vintage.Program != "nbt" {
		t.Errorf("filed %+v", a)
	}
	ines := s.login(t, "/my/login", installerEmail)
	checkPage(t, s.get(t, "/my/installer/", ines), []string{a.Number}, nil)

	draft := fmt.Sprintf("/nem/applications/%d", s.draft.ID)
	checkPage(t, s.get(t, draft, manager), []string{`id="revise"`}, nil)
	if w := s.post(t, draft+"/system", manager, systemForm("40", "6000", "7000")); w.Code != http.StatusSeeOther {
		t.Errorf("staff revision: %d\n%s", w.Code, w.Body)
	}
	analyst := s.login(t, "/login", analystEmail)
	checkPage(t, s.get(t, "/nem", analyst), nil, []string{`id="file-application"`})
	checkPage(t, s.get(t, draft, analyst), nil, []string{`id="revise"`})
	if w := s.post(t, "/nem/applications", analyst, with(systemForm("6.5", "6000", "7000"), "account", s.danaAcct.Number)); w.Code != http.StatusForbidden {
		t.Errorf("analyst filing: %d", w.Code)
	}
}

// TestBrowserStaffFilesForACustomer drives the console's filing form: once
// Hillside's draft is withdrawn, a program manager files for Hillside for
// Sunrise Solar; 1,001 kW comes back with the capacity rule by the kW
// input (aria-invalid), and 40 kW is filed, submitted today.
func TestBrowserStaffFilesForACustomer(t *testing.T) {
	s := newNEMSite(t)
	ctx := context.Background()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		today := calendar.Date{Year: 2026, Month: 3, Day: 10}
		_, err := tx.AdvanceNEMApplication(ctx, seedActor, s.draft.ID, nem.Step{To: nem.Withdrawn, On: today, Note: "refiled by the utility"}, today)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.h)
	defer srv.Close()
	bctx := newBrowser(t)
	ce := watchConsole(t, bctx)
	signIn(t, bctx, srv.URL, "/nem", managerEmail, "#file-application")
	fill := func(kw string) {
		browse(t, bctx,
			chromedp.SetValue(chromedp.CSS(`#f-account`), s.hillAcct.Number),
			chromedp.SetValue(chromedp.CSS(`#f-installer_id`), fmt.Sprint(s.sunrise.ID)),
			chromedp.SetValue(chromedp.CSS(`#f-kw`), kw),
			chromedp.SetValue(chromedp.CSS(`#f-annual_kwh`), "50000"),
			chromedp.SetValue(chromedp.CSS(`#f-use_kwh`), "80000"),
			chromedp.Click(chromedp.CSS(`#file-application button[name=submit]`)),
		)
	}
	fill("1001")
	browse(t, bctx, chromedp.WaitVisible(chromedp.CSS(`#f-kw-error`)))
	if got := text(t, bctx, "#f-kw-error"); !strings.Contains(got, "rule nem.capacity_1000kw") {
		t.Errorf("kW error %q", got)
	}
	if got := eval[string](t, bctx, `document.querySelector('#f-kw').getAttribute('aria-invalid')`); got != "true" {
		t.Errorf("kW aria-invalid = %q", got)
	}
	fill("40")
	browse(t, bctx, chromedp.WaitVisible(chromedp.CSS(`#history`)))
	if got := text(t, bctx, "dl.facts"); !strings.Contains(got, "Sunrise Solar Inc.") || !strings.Contains(got, "Net Billing Tariff (applied 2026-03-10)") {
		t.Errorf("filed application %q", got)
	}
	screenshot(t, bctx, "console_nem_filed_for_customer")
	for _, m := range ce.take() {
		if !strings.Contains(m, "400") { // the refusal answers 400
			t.Errorf("console: %s", m)
		}
	}
}
