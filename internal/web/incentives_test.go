package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// seedIncentives imports the shipped programs and gives the Sun Storage
// Rebate a $10,000 budget.
func seedIncentives(t *testing.T, s *testSite) {
	t.Helper()
	ctx := context.Background()
	cat, err := incentive.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ImportPrograms(ctx, seedActor, cat); err != nil {
			return err
		}
		b := incentive.Budget{Slug: "sun-2026", ProgramID: "sun-storage-rebate", Name: "Sun Storage 2026",
			From: calendar.Date{Year: 2026, Month: 1, Day: 1}, AllocatedCents: money.Dollars(10_000), Source: "test allocation"}
		return tx.CreateBudget(ctx, seedActor, &b)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func wantIncentivePage(t *testing.T, w *httptest.ResponseRecorder, status int, parts ...string) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body:\n%s", w.Code, status, w.Body)
	}
	for _, p := range parts {
		if !strings.Contains(w.Body.String(), p) {
			t.Errorf("page lacks %q", p)
		}
	}
}

// TestPortalProgramsShowAmountAndWhyAndApply checks the portal: Maria
// (CARE, in a DAC, outside the fire-threat districts) sees the $300
// Instant AC coupon and that Sun Storage depends on her equipment;
// applying for a battery paired with solar reserves $1,000 (seed 000:
// $750 + $250 CARE/FERA); Dana cannot see Maria's application.
func TestPortalProgramsShowAmountAndWhyAndApply(t *testing.T) {
	s := newTestSite(t)
	seedIncentives(t, s)
	maria := s.login(t, "/my/login", mariaEmail)
	wantIncentivePage(t, s.get(t, "/my/programs", maria), http.StatusOK, "Instant AC Savings", "You would get $300.00", "Depends on your equipment: paired with solar")
	wantIncentivePage(t, s.get(t, "/my/programs/sun-storage-rebate", maria), http.StatusOK, `name="measure.paired_with_solar"`)
	w := s.post(t, "/my/programs/sun-storage-rebate", maria, url.Values{"measure": {"battery"}, "measure.paired_with_solar": {"true"}, "serial": {"BAT-9"}})
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/my/applications/") {
		t.Fatalf("apply: %d %s\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	loc := w.Header().Get("Location")
	wantIncentivePage(t, s.get(t, loc, maria), http.StatusOK, "reserved", "$1,000.00")
	dana := s.login(t, "/my/login", danaEmail)
	wantIncentivePage(t, s.get(t, loc, dana), http.StatusNotFound)
	// An answer the rules need and the form lacks comes back on the form.
	w = s.post(t, "/my/programs/sun-storage-rebate", maria, url.Values{"measure": {"battery"}})
	wantIncentivePage(t, w, http.StatusBadRequest, "paired with solar")
	// The coupon: issued once per household and measure.
	w = s.post(t, "/my/programs/instant-ac-savings/coupon", maria, url.Values{"retailer": {"retailer-a"}, "channel": {"in_store"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("coupon: %d\n%s", w.Code, w.Body)
	}
	wantIncentivePage(t, s.post(t, "/my/programs/instant-ac-savings/coupon", maria, url.Values{"retailer": {"retailer-a"}, "channel": {"in_store"}}),
		http.StatusConflict, "still valid until 2026-12-31")
	wantIncentivePage(t, s.get(t, "/my/applications", maria), http.StatusOK, "sun-storage-rebate", "retailer-a")
}

// TestConsoleQueueReviewAndPayments checks the console: the catalog and
// program page with its burn-down, the queue, the application's rule
// trace, an approval above the reservation refused on the page, approval,
// a payment batch and its file; analysts see no actions.
func TestConsoleQueueReviewAndPayments(t *testing.T) {
	s := newTestSite(t)
	seedIncentives(t, s)
	maria := s.login(t, "/my/login", mariaEmail)
	w := s.post(t, "/my/programs/sun-storage-rebate", maria, url.Values{"measure": {"battery"}, "measure.paired_with_solar": {"true"}})
	app := strings.TrimPrefix(w.Header().Get("Location"), "/my/applications/")
	pat := s.login(t, "/login", managerEmail)
	wantIncentivePage(t, s.get(t, "/incentives", pat), http.StatusOK, "Sun Storage Rebate", "$10,000.00", "$3,150,000.00")
	wantIncentivePage(t, s.get(t, "/incentives/programs/sun-storage-rebate", pat), http.StatusOK, "Budget burn-down", "data-chart", "Reliability")
	wantIncentivePage(t, s.get(t, "/incentives/applications?status=reserved", pat), http.StatusOK, `href="/incentives/applications/`+app+`"`)
	path := "/incentives/applications/" + app
	wantIncentivePage(t, s.get(t, path, pat), http.StatusOK, "battery.income_qualified", "$250.00", "Claim received")
	for _, step := range []string{"claim_submitted"} {
		if w := s.post(t, path+"/transition", pat, url.Values{"status": {step}}); w.Code != http.StatusSeeOther {
			t.Fatalf("%s: %d\n%s", step, w.Code, w.Body)
		}
	}
	wantIncentivePage(t, s.post(t, path+"/transition", pat, url.Values{"status": {"approved"}, "amount": {"1000.01"}}), http.StatusBadRequest,
		"above the reservation")
	if w := s.post(t, path+"/transition", pat, url.Values{"status": {"approved"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", w.Code, w.Body)
	}
	w = s.post(t, "/incentives/payments", pat, url.Values{"method": {"ach"}})
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/incentives/payments/") {
		t.Fatalf("batch: %d %s", w.Code, w.Header().Get("Location"))
	}
	batch := w.Header().Get("Location")
	wantIncentivePage(t, s.get(t, batch, pat), http.StatusOK, "$1,000.00", "Download file")
	wantIncentivePage(t, s.get(t, batch+"/file", pat), http.StatusOK, "payment_id,payee,account_number,amount_usd,program,reference", ",1000.00,sun-storage-rebate,")
	alex := s.login(t, "/login", analystEmail)
	w = s.get(t, path, alex)
	if w.Code != http.StatusOK || strings.Contains(w.Body.String(), `id="actions"`) {
		t.Errorf("analyst sees actions (%d)", w.Code)
	}
	wantIncentivePage(t, s.post(t, path+"/transition", alex, url.Values{"status": {"rejected"}}), http.StatusForbidden)
}

// TestBrowserPortalApplicationFlow drives the portal: sign in, open the
// programs, apply for the battery rebate and see it reserved.
func TestBrowserPortalApplicationFlow(t *testing.T) {
	s := newTestSite(t)
	seedIncentives(t, s)
	srv := httptest.NewServer(s.h)
	defer srv.Close()
	ctx := newBrowser(t)
	ce := watchConsole(t, ctx)
	browse(t, ctx, chromedp.EmulateViewport(390, 844))
	signIn(t, ctx, srv.URL, "/my/programs", mariaEmail, "#offers")
	if got := text(t, ctx, "#offer-instant-ac-savings"); !strings.Contains(got, "$300.00") {
		t.Errorf("Instant AC offer %q", got)
	}
	browse(t, ctx,
		chromedp.Click(chromedp.CSS(`#offer-sun-storage-rebate a.button`)),
		chromedp.WaitVisible(chromedp.CSS(`#apply-form`)),
		chromedp.SetValue(chromedp.CSS(`select[name="measure.paired_with_solar"]`), "true"),
		chromedp.Click(chromedp.CSS(`#apply-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#my-status`)),
	)
	if got := text(t, ctx, "#my-status"); got != "reserved" {
		t.Errorf("status %q, want reserved", got)
	}
	if !eval[bool](t, ctx, noHorizontalScroll) {
		t.Errorf("the application page scrolls sideways on a phone: %s", eval[string](t, ctx, `Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > window.innerWidth).map(e => e.tagName + '.' + e.className).join(' ')`))
	}
	screenshot(t, ctx, "portal-application")
	for _, m := range ce.take() {
		t.Errorf("console: %s", m)
	}
}

// TestBrowserConsoleQueueApprove drives the console queue: a manager
// opens the queue, the application with its trace, and approves it.
func TestBrowserConsoleQueueApprove(t *testing.T) {
	s := newTestSite(t)
	seedIncentives(t, s)
	maria := s.login(t, "/my/login", mariaEmail)
	w := s.post(t, "/my/programs/sun-storage-rebate", maria, url.Values{"measure": {"battery"}, "measure.paired_with_solar": {"true"}})
	app := strings.TrimPrefix(w.Header().Get("Location"), "/my/applications/")
	pat := s.login(t, "/login", managerEmail)
	s.post(t, "/incentives/applications/"+app+"/transition", pat, url.Values{"status": {"claim_submitted"}})
	srv := httptest.NewServer(s.h)
	defer srv.Close()
	ctx := newBrowser(t)
	ce := watchConsole(t, ctx)
	browse(t, ctx, chromedp.EmulateViewport(1280, 900))
	signIn(t, ctx, srv.URL, "/incentives/applications", managerEmail, "#application-queue")
	browse(t, ctx,
		chromedp.Click(chromedp.CSS(`#application-queue a[href="/incentives/applications/`+app+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#trace`)),
		chromedp.Click(chromedp.CSS(`#actions form:has(input[value=approved]) button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if got := text(t, ctx, "#app-status"); got != "approved" {
		t.Errorf("status %q, want approved", got)
	}
	browse(t, ctx, chromedp.Navigate(srv.URL+"/incentives/programs/sun-storage-rebate"), waitFor(`document.querySelector('.chart canvas') !== null`))
	screenshot(t, ctx, "console-incentive-program")
	for _, m := range ce.take() {
		t.Errorf("console: %s", m)
	}
}

// TestGreenLeaderDirectoryListsOptedInBusinesses checks the public
// directory: a commercial account enrolled in Green Leader with the
// "listed" opt-in appears by name without signing in; one without the
// opt-in does not.
func TestGreenLeaderDirectoryListsOptedInBusinesses(t *testing.T) {
	s := newTestSite(t)
	ctx := context.Background()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		e := customer.Enrollment{AccountID: s.hillAcct.ID, Program: ProgramGreenLeader, Track: TrackListed, From: calendar.Date{Year: 2025, Month: 4, Day: 22}, Source: "staff"}
		return tx.Enroll(ctx, seedActor, &e)
	})
	if err != nil {
		t.Fatal(err)
	}
	wantIncentivePage(t, s.get(t, "/green-leaders", ""), http.StatusOK, s.hillside.Name, "Green Leader since Apr 22, 2025")
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		es, err := tx.Enrollments(ctx, s.hillAcct.ID)
		if err != nil {
			return err
		}
		return tx.EndEnrollment(ctx, seedActor, es[len(es)-1].ID, calendar.Date{Year: 2026, Month: 1, Day: 1})
	})
	if err != nil {
		t.Fatal(err)
	}
	w := s.get(t, "/green-leaders", "")
	if strings.Contains(w.Body.String(), s.hillside.Name) {
		t.Error("an ended listing is still shown")
	}
}

// TestTrackedProgramsPage checks /incentives/tracking: a Power Ready
// project's next milestone and its completion by a writer, CALeVIP equity
// against the county targets, and an Energy Team referral.
func TestTrackedProgramsPage(t *testing.T) {
	s := newTestSite(t)
	ctx := context.Background()
	var pr incentive.Project
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		pr = incentive.Project{Program: incentive.TrackPowerReady, Name: "Oxnard community center", Agency: "Oxnard", Partner: "Coast Energy", BackupReserveBP: 3000}
		if err := tx.CreateProject(ctx, seedActor, &pr); err != nil {
			return err
		}
		for _, c := range []incentive.Project{
			{Program: incentive.TrackCALeVIP, Name: "LA equity", County: "06037", AmountCents: 50000, Equity: true, Chargers: 30},
			{Program: incentive.TrackCALeVIP, Name: "LA other", County: "06037", AmountCents: 50000, Chargers: 12},
		} {
			if err := tx.CreateProject(ctx, seedActor, &c); err != nil {
				return err
			}
		}
		e := incentive.Engagement{Program: incentive.TrackEnergyTeam, Channel: "phone", Topic: "heat_pump_water_heater", Status: "referred",
			ReferredTo: []string{"heer-hpwh"}, Opened: calendar.Date{Year: 2026, Month: 3, Day: 2}}
		return tx.SaveEngagement(ctx, seedActor, &e)
	})
	if err != nil {
		t.Fatal(err)
	}
	pat := s.login(t, "/login", managerEmail)
	wantIncentivePage(t, s.get(t, "/incentives/tracking", pat), http.StatusOK, "Coast Energy", "site_lease", "30.00%", "Los Angeles", "50.00%", "60.00%", "below target", "heer-hpwh")
	w := s.post(t, "/incentives/tracking/projects/"+strconv.FormatInt(pr.ID, 10)+"/milestone", pat, url.Values{"milestone": {"site_lease"}, "date": {"2026-03-01"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("milestone: %d", w.Code)
	}
	wantIncentivePage(t, s.get(t, "/incentives/tracking", pat), http.StatusOK, "site_lease 2026-03-01", ">design<")
	alex := s.login(t, "/login", analystEmail)
	wantIncentivePage(t, s.post(t, "/incentives/tracking/projects/"+strconv.FormatInt(pr.ID, 10)+"/milestone", alex, url.Values{"milestone": {"design"}, "date": {"2026-03-02"}}), http.StatusForbidden)
}
