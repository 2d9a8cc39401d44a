package web

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserNEMQueueShowsBreachFirstAndOpensTheApplication signs in as an
// analyst, follows "Solar & NEM" in the navigation and reads the queue:
// the application whose meter was due 2026-02-19 (30 business days from
// its complete date, Presidents' Day skipped) is first and says it is 19
// days late; filtering to breaches leaves it alone; opening it shows the
// eligibility rules and the history; the page fits a phone.
func TestBrowserNEMQueueShowsBreachFirstAndOpensTheApplication(t *testing.T) {
	s := newNEMSite(t)
	srv := httptest.NewServer(s.h)
	defer srv.Close()
	ctx := newBrowser(t)
	ce := watchConsole(t, ctx)
	browse(t, ctx, chromedp.EmulateViewport(1280, 900))
	signIn(t, ctx, srv.URL, "/", analystEmail, ".cards")
	browse(t, ctx,
		chromedp.Click(chromedp.CSS(`.sidenav a[href="/nem"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#nem-queue tbody tr`)),
	)
	if got := eval[string](t, ctx, `document.querySelector('.sidenav a[aria-current="page"]').textContent`); got != "Solar & NEM" {
		t.Errorf("current nav item = %q", got)
	}
	rows := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('#nem-queue tbody tr')).map(r => r.textContent.replace(/\s+/g, ' ').trim())`)
	if len(rows) != 2 || !strings.HasPrefix(rows[0], s.late.Number) || !strings.Contains(rows[0], "2026-02-19") ||
		!strings.Contains(rows[0], "19 days late") || !strings.HasPrefix(rows[1], s.ontime.Number) {
		t.Errorf("queue rows %q", rows)
	}
	screenshot(t, ctx, "console_nem_queue")
	eval[bool](t, ctx, `(s => { s.value = 'breach'; return true })(document.querySelector('#f-status'))`)
	browse(t, ctx,
		chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#nem-queue tbody tr.row-breach:only-child`)),
	)
	if got := text(t, ctx, "#nem-queue tbody tr td"); got != s.late.Number {
		t.Errorf("breach filter first cell %q", got)
	}
	browse(t, ctx,
		chromedp.Click(chromedp.CSS(`#nem-queue tbody a`)),
		chromedp.WaitVisible(chromedp.CSS(`#eligibility table`)),
	)
	if got := text(t, ctx, "h1"); got != s.late.Number {
		t.Errorf("h1 %q", got)
	}
	if got := text(t, ctx, "#meter-service"); !strings.Contains(got, "meter due 2026-02-19") || !strings.Contains(got, "19 days late") {
		t.Errorf("meter service %q", got)
	}
	checks := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('#eligibility tbody tr td:first-child')).map(td => td.textContent)`)
	if fmt.Sprint(checks) != "[nem.account_in_service nem.technology nem.capacity_1000kw nem.sized_to_use]" {
		t.Errorf("rules %q", checks)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('#history tbody tr').length`); n != 5 {
		t.Errorf("%d history rows, want 5 (filed, completeness, technical, approved, agreement)", n)
	}
	screenshot(t, ctx, "console_nem_application")
	browse(t, ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`#eligibility table`)),
	)
	if !eval[bool](t, ctx, noHorizontalScroll) {
		t.Errorf("application page scrolls sideways at 390px: %d px wide", eval[int](t, ctx, `document.documentElement.scrollWidth`))
	}
	for _, m := range ce.take() {
		t.Errorf("browser: %s", m)
	}
}

// TestBrowserInstallerFilesAnApplicationAfterARefusal: an installer signs
// in at the portal, withdraws its draft for Hillside (saying why), is
// refused a 1,001 kW system for that account with the rule shown by the
// capacity field, corrects it and submits; the application page says it
// is submitted under the Net Billing Tariff.
func TestBrowserInstallerFilesAnApplicationAfterARefusal(t *testing.T) {
	s := newNEMSite(t)
	srv := httptest.NewServer(s.h)
	defer srv.Close()
	ctx := newBrowser(t)
	ce := watchConsole(t, ctx)
	browse(t, ctx, chromedp.EmulateViewport(1280, 900))
	signIn(t, ctx, srv.URL, "/my/", installerEmail, "#new-application")
	browse(t, ctx,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#installer-queue a[href="/my/installer/applications/%d"]`, s.draft.ID))),
		chromedp.WaitVisible(chromedp.CSS(`#step`)),
	)
	eval[bool](t, ctx, `(s => { s.value = 'withdrawn'; return true })(document.querySelector('#f-to'))`)
	browse(t, ctx,
		chromedp.SetValue(chromedp.CSS(`#f-note`), "customer chose a smaller system"),
		chromedp.Click(chromedp.CSS(`#step button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-success`)),
		chromedp.Click(chromedp.CSS(`.portal-nav a[href="/my/installer/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#new-application`)),
	)
	fill := func(kw string) {
		browse(t, ctx,
			chromedp.SetValue(chromedp.CSS(`#f-account`), s.hillAcct.Number),
			chromedp.SetValue(chromedp.CSS(`#f-kw`), kw),
			chromedp.SetValue(chromedp.CSS(`#f-annual_kwh`), "6000"),
			chromedp.SetValue(chromedp.CSS(`#f-use_kwh`), "7000"),
			chromedp.Click(chromedp.CSS(`#new-application button[name=submit]`)),
		)
	}
	fill("1001")
	browse(t, ctx, chromedp.WaitVisible(chromedp.CSS(`#f-kw-error`)))
	if got := text(t, ctx, "#f-kw-error"); !strings.Contains(got, "rule nem.capacity_1000kw") {
		t.Errorf("kW error %q", got)
	}
	if got := eval[string](t, ctx, `document.querySelector('#f-kw').getAttribute('aria-invalid')`); got != "true" {
		t.Errorf("kW field aria-invalid = %q", got)
	}
	screenshot(t, ctx, "portal_installer_refused")
	fill("7.6")
	browse(t, ctx, chromedp.WaitVisible(chromedp.CSS(`#history`)))
	if got := text(t, ctx, ".panel-head .badge"); got != "Submitted" {
		t.Errorf("status badge %q", got)
	}
	if got := text(t, ctx, "dl.facts"); !strings.Contains(got, "Net Billing Tariff (applied 2026-03-10)") {
		t.Errorf("facts %q", got)
	}
	screenshot(t, ctx, "portal_installer_application")
	for _, m := range ce.take() {
		if !strings.Contains(m, "400") { // the refusal answers 400
			t.Errorf("browser: %s", m)
		}
	}
}
