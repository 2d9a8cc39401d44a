package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/gridbook/gridbook/internal/store"
)

// Browser tests of the console and portal pages over the seeded site
// (site_test.go), driven through real sign-in forms.

// browse runs actions and fails the test on error.
func browse(t *testing.T, ctx context.Context, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// eval evaluates a JavaScript expression and returns its value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript predicate until it holds (30 s ceiling so a
// broken page fails instead of hanging; not a timing assertion).
func waitFor(expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Poll[chromedp.Void](expr)
}

// signIn opens path signed out, which must lead to a sign-in form, and
// signs in as email; waitSel is an element of the page expected after.
func signIn(t *testing.T, ctx context.Context, base, path, email, waitSel string) {
	t.Helper()
	browse(t, ctx,
		chromedp.Navigate(base+path),
		chromedp.WaitVisible(chromedp.CSS(`#f-password`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), email),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), testPassword),
		chromedp.Click(chromedp.CSS(`form.stack button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(waitSel)),
	)
}

// text returns the text content of the first element matching a CSS
// selector ("" when there is none).
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return eval[string](t, ctx, fmt.Sprintf(`(e => e ? e.textContent.replace(/\s+/g, " ").trim() : "")(document.querySelector(%q))`, sel))
}

func TestBrowserConsoleSignInDashboardSearchAndCustomerDetail(t *testing.T) {
	site := newTestSite(t)
	srv := httptest.NewServer(site.h)
	defer srv.Close()
	ctx := newBrowser(t)
	ce := watchConsole(t, ctx)
	browse(t, ctx, chromedp.EmulateViewport(1280, 900))

	// Signed out, the dashboard sends us to the staff sign-in and back.
	signIn(t, ctx, srv.URL, "/", managerEmail, ".cards")
	if got := text(t, ctx, "h1"); got != "Dashboard" {
		t.Errorf("after sign-in h1 = %q, want Dashboard", got)
	}
	cards := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('.card')).map(c =>
		c.querySelector('.card-label').textContent.trim() + '=' + c.querySelector('.card-value').textContent.trim())`)
	// The seed: 3 customers and accounts; Maria in CARE, at a DAC tract and
	// with solar; Dana in FERA and medical baseline.
	for _, want := range []string{"Customers=3", "Accounts in service=3", "CARE=1", "FERA=1", "Medical baseline=1",
		"In a DAC (SB 535)=1", "Solar (received channel)=1"} {
		if !slices.Contains(cards, want) {
			t.Errorf("dashboard cards %q lack %q", cards, want)
		}
	}
	browse(t, ctx, chromedp.WaitVisible(chromedp.CSS(`.chart-plot canvas`)))
	if got := text(t, ctx, ".share-col"); got == "" {
		t.Error("no member-agency share table")
	}
	screenshot(t, ctx, "console_dashboard_live")

	// Live search swaps only the results table (the page is not reloaded:
	// a marker set on window survives) and pushes the query into the URL.
	browse(t, ctx,
		chromedp.Click(chromedp.CSS(`.sidenav a[href="/customers"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-q`)),
	)
	eval[bool](t, ctx, `window.__sameDocument = true`)
	browse(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#f-q`), "lopez"),
		waitFor(`(b => b.includes("Maria Lopez") && !b.includes("Dana"))(document.querySelector("#results tbody").textContent)`),
		waitFor(`location.search.includes("q=lopez")`),
	)
	if !eval[bool](t, ctx, `window.__sameDocument === true`) {
		t.Error("live search reloaded the whole page")
	}
	// "Customer since" is Maria's first service start, 2023-04-01.
	if got := text(t, ctx, "#results tbody"); !strings.Contains(got, "Apr 1, 2023") {
		t.Errorf("search results %q lack Maria's first service start", got)
	}

	browse(t, ctx,
		chromedp.Click(chromedp.CSS(`#results tbody a`)),
		chromedp.WaitVisible(chromedp.CSS(`.account-block`)),
	)
	if got := text(t, ctx, "h1"); got != "Maria Lopez" {
		t.Errorf("customer page h1 = %q", got)
	}
	block := text(t, ctx, ".account-block")
	for _, want := range []string{"3000012345", "TOU-D-4-9PM", "CCA", "310 South A Street", "Oxnard, CA 93030", "Ventura",
		"Zone 6", "06111004902", "CalEnviroScreen 4.0 top 25%", "Outside the HFTD", "4 persons", "$52,000.00",
		"CARE", "2025-07-01", "OX-1001", "delivered, received"} {
		if !strings.Contains(block, want) {
			t.Errorf("account block lacks %q:\n%s", want, block)
		}
	}
	audit := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('.audit tbody tr')).map(r => r.textContent.replace(/\s+/g, " ").trim())`)
	var created []string
	for _, row := range audit {
		if strings.Contains(row, "create") {
			created = append(created, row)
		}
	}
	// The seed created the customer, premise, account, CARE enrollment and
	// meter: five records.
	if len(created) != 5 {
		t.Errorf("audit trail has %d create rows, want 5:\n%s", len(created), strings.Join(audit, "\n"))
	}
	if !strings.Contains(strings.Join(audit, "\n"), "Maria Lopez") {
		t.Error("audit trail does not show the customer's created name")
	}
	screenshot(t, ctx, "console_customer")

	// The account page draws the monthly chart and the day's profile.
	browse(t, ctx,
		chromedp.Click(chromedp.CSS(`.account-block h2 a`)),
		chromedp.WaitVisible(chromedp.CSS(`#profile .chart-plot canvas`)),
	)
	if n := eval[int](t, ctx, `document.querySelectorAll('.chart-plot canvas').length`); n != 2 {
		t.Errorf("account page draws %d charts, want 2", n)
	}
	// The newest day with readings is 2026-03-09 (the seed stops at 03-10).
	if got := eval[string](t, ctx, `document.querySelector('#f-day').value`); got != "2026-03-09" {
		t.Errorf("profile day = %q, want 2026-03-09", got)
	}
	screenshot(t, ctx, "console_account")

	// The premise link leads to the premise page: attributes, the accounts
	// served there and the premise's own audit trail.
	browse(t, ctx,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/premises/%d"]`, site.mariaPremise.ID))),
		chromedp.WaitVisible(chromedp.CSS(`#premise-accounts`)),
	)
	if got := text(t, ctx, "h1"); got != "310 South A Street" {
		t.Errorf("premise page h1 = %q", got)
	}
	facts := text(t, ctx, ".details")
	for _, want := range []string{"Oxnard, CA 93030", "Ventura 06111", "Oxnard", "Zone 6", "06111004902", "CalEnviroScreen 4.0 top 25%"} {
		if !strings.Contains(facts, want) {
			t.Errorf("premise attributes lack %q:\n%s", want, facts)
		}
	}
	if got := text(t, ctx, "#premise-accounts tbody"); !strings.Contains(got, "3000012345") || !strings.Contains(got, "Maria Lopez") {
		t.Errorf("premise accounts = %q", got)
	}
	if got := text(t, ctx, ".audit tbody"); !strings.Contains(got, "premise "+fmt.Sprint(site.mariaPremise.ID)) || !strings.Contains(got, "create") {
		t.Errorf("premise audit trail = %q", got)
	}
	screenshot(t, ctx, "console_premise")
	for _, m := range ce.take() {
		t.Errorf("browser console: %s", m)
	}
}

func TestBrowserPortalShowsOwnAccountAndNotAnother(t *testing.T) {
	site := newTestSite(t)
	srv := httptest.NewServer(site.h)
	defer srv.Close()
	ctx := newBrowser(t)
	ce := watchConsole(t, ctx)
	browse(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))

	signIn(t, ctx, srv.URL, "/my/", danaEmail, ".account-list")
	list := text(t, ctx, ".account-list")
	for _, want := range []string{"1418 Ocean Park Blvd", "•••• 1111", "TOU-D-5-8PM", "Community choice", "FERA",
		"Family Electric Rate Assistance", "Medical Baseline Allowance"} {
		if !strings.Contains(list, want) {
			t.Errorf("my accounts lacks %q:\n%s", want, list)
		}
	}
	for _, leak := range []string{"3000011111", "Maria", "310 South A Street"} {
		if strings.Contains(list, leak) {
			t.Errorf("my accounts shows %q", leak)
		}
	}
	browse(t, ctx, chromedp.WaitVisible(chromedp.CSS(`.chart-plot canvas`)))
	if !eval[bool](t, ctx, noHorizontalScroll) {
		t.Errorf("portal scrolls sideways at 390px: %d px wide", eval[int](t, ctx, `document.documentElement.scrollWidth`))
	}
	screenshot(t, ctx, "portal_accounts_phone")

	browse(t, ctx,
		chromedp.Click(chromedp.CSS(`a.account`)),
		chromedp.WaitVisible(chromedp.CSS(`.program-list`)),
		chromedp.WaitVisible(chromedp.CSS(`.chart-plot canvas`)),
	)
	if !eval[bool](t, ctx, noHorizontalScroll) {
		t.Error("account page scrolls sideways at 390px")
	}
	screenshot(t, ctx, "portal_account_phone")

	// Maria's account exists, but is not Dana's: the same 404 as no account.
	browse(t, ctx,
		chromedp.Navigate(fmt.Sprintf("%s/my/accounts/%d", srv.URL, site.mariaAcct.ID)),
		chromedp.WaitVisible(chromedp.CSS(`.error-code`)),
	)
	if got := text(t, ctx, ".error-code"); got != "404" {
		t.Errorf("another customer's account: error code %q, want 404", got)
	}
	if got := text(t, ctx, "h1"); got != "Not Found" {
		t.Errorf("another customer's account: h1 %q, want Not Found", got)
	}
	if body := text(t, ctx, "main"); strings.Contains(body, "310 South A Street") || strings.Contains(body, "Maria") {
		t.Errorf("404 page leaks the other account: %s", body)
	}
	screenshot(t, ctx, "portal_not_found_phone")
	for _, m := range ce.take() {
		if !strings.Contains(m, "status of 404") {
			t.Errorf("browser console: %s", m)
		}
	}
}

func TestBrowserAnalystSeesNoWriteButtonsAndForgedPostIsRefused(t *testing.T) {
	site := newTestSite(t)
	srv := httptest.NewServer(site.h)
	defer srv.Close()
	ctx := newBrowser(t)
	browse(t, ctx, chromedp.EmulateViewport(1280, 900))

	path := fmt.Sprintf("/accounts/%d", site.mariaAcct.ID)
	signIn(t, ctx, srv.URL, path, analystEmail, "#eligibility")
	forms := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('main form[method=post]')).map(f => new URL(f.action).pathname)`)
	if len(forms) != 0 {
		t.Errorf("analyst sees write forms: %q", forms)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('a[href="/customers/new"]').length`); n != 0 {
		t.Errorf("analyst sees %d New customer links", n)
	}
	// The evidence is still shown, read-only: Maria's $52,000 for 4
	// persons is within the 2025-26 CARE limit of $64,300
	// (care_fera_esa_income_limits_2025_26.csv).
	if ev := text(t, ctx, "#eligibility"); !strings.Contains(ev, "$64,300.00") {
		t.Errorf("eligibility evidence lacks the CARE limit: %s", ev)
	}

	// A POST forged from the page itself (same origin, so CSRF protection
	// lets it through) is refused by role.
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`fetch(%q, {method: "POST", body: new URLSearchParams({program: "medical_baseline",
		start_date: "2026-03-10", source: "staff", note: "forged"})}).then(r => r.status)`, path+"/enrollments"), chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if status != 403 {
		t.Errorf("analyst POST status = %d, want 403", status)
	}
	es, err := site.db.Enrollments(context.Background(), site.mariaAcct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 {
		t.Errorf("after the refused POST the account has %d enrollments, want the seeded 1", len(es))
	}
	screenshot(t, ctx, "console_account_analyst")
}

func TestBrowserNewCustomerFormShowsFieldErrorsAndWritesNothing(t *testing.T) {
	site := newTestSite(t)
	srv := httptest.NewServer(site.h)
	defer srv.Close()
	ctx := newBrowser(t)
	ce := watchConsole(t, ctx)
	browse(t, ctx, chromedp.EmulateViewport(1280, 900))

	signIn(t, ctx, srv.URL, "/customers/new", adminEmail, "#f-name")
	before := auditCount(t, site) // after the sign-in's own record
	browse(t, ctx,
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Rosa Delgado"),
		chromedp.SendKeys(chromedp.CSS(`#f-address`), "77 Pine Avenue"),
		chromedp.SendKeys(chromedp.CSS(`#f-city`), "Oxnard"),
		chromedp.SendKeys(chromedp.CSS(`#f-zip`), "9303"), // four digits
		chromedp.SetValue(chromedp.CSS(`#f-member_agency`), "Oxnard"),
		chromedp.SendKeys(chromedp.CSS(`#f-number`), "3000055555"),
		chromedp.SendKeys(chromedp.CSS(`#f-rate_schedule`), "TOU-D-4-9PM"),
		chromedp.SendKeys(chromedp.CSS(`#f-household_size`), "0"),
		chromedp.SendKeys(chromedp.CSS(`#f-household_income`), "41000"),
		chromedp.SetValue(chromedp.CSS(`#f-income_verification`), "documents"),
		chromedp.Click(chromedp.CSS(`.form-actions button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.field-error`)),
	)
	errs := eval[map[string]string](t, ctx, `Object.fromEntries(Array.from(document.querySelectorAll('.field-invalid')).map(f =>
		[f.querySelector('input,select,textarea').name, f.querySelector('.field-error').textContent.trim()]))`)
	want := map[string]string{
		"zip":            `ZIP must be 5 digits, got "9303"`,
		"household_size": "must be at least 1",
	}
	if fmt.Sprint(errs) != fmt.Sprint(want) {
		t.Errorf("field errors = %v, want %v", errs, want)
	}
	if got := eval[string](t, ctx, `document.querySelector('#f-name').value`); got != "Rosa Delgado" {
		t.Errorf("name was not kept for correction: %q", got)
	}
	list, err := site.db.Customers(context.Background(), store.CustomerFilter{Query: "Rosa"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 0 || auditCount(t, site) != before {
		t.Errorf("an invalid form wrote: %d customers named Rosa, audit %d → %d", len(list), before, auditCount(t, site))
	}
	screenshot(t, ctx, "console_new_customer_errors")

	// Corrected, the same form creates all three records.
	browse(t, ctx,
		chromedp.SetValue(chromedp.CSS(`#f-zip`), "93030"),
		chromedp.SetValue(chromedp.CSS(`#f-household_size`), "3"),
		chromedp.Click(chromedp.CSS(`.form-actions button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-success`)),
	)
	if got := text(t, ctx, ".flash-success"); got != "Created Rosa Delgado with account 3000055555." {
		t.Errorf("flash = %q", got)
	}
	if got := text(t, ctx, "h1"); got != "Rosa Delgado" {
		t.Errorf("after create h1 = %q", got)
	}
	for _, m := range ce.take() {
		if !strings.Contains(m, "status of 400") {
			t.Errorf("browser console: %s", m)
		}
	}
}

// auditCount is the number of audit records in the site's database.
func auditCount(t *testing.T, site *testSite) int {
	t.Helper()
	recs, err := site.db.AuditLog(context.Background(), store.AuditFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}
