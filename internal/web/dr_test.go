package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
)

// seedDR enrolls Maria in Power Response (Smart Home) and PMP, holds a
// Power Response event on Wednesday 10 September 2025, 4–6 pm, settles it
// on her stored 15-minute readings, and schedules a PMP event for
// Thursday 12 March 2026 (two days after the site's clock). It returns
// the two event ids.
func seedDR(t *testing.T, s *testSite) (past, upcoming int64) {
	t.Helper()
	ctx := context.Background()
	cat, err := dr.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	pr, _ := cat.Program("power_response")
	pmp, _ := cat.Program("pmp")
	local := func(y int, m time.Month, d, h int) time.Time {
		return time.Date(y, m, d, h, 0, 0, 0, calendar.Pacific).UTC()
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		for _, e := range []customer.Enrollment{
			{AccountID: s.mariaAcct.ID, Program: "power_response", Track: "smart_home", From: calendar.Date{Year: 2025, Month: 1, Day: 1}, Source: "portal"},
			{AccountID: s.mariaAcct.ID, Program: "pmp", Track: "residential", From: calendar.Date{Year: 2025, Month: 1, Day: 1}, Source: "portal"},
		} {
			if err := tx.Enroll(ctx, seedActor, &e); err != nil {
				return err
			}
		}
		e, err := tx.ScheduleEvent(ctx, seedActor, pr, dr.Proposal{Event: dr.Event{Start: local(2025, 9, 10, 16), End: local(2025, 9, 10, 18), Reason: "heat wave"},
			Notice: local(2025, 9, 10, 9)})
		if err != nil {
			return err
		}
		past = e.ID
		for _, st := range []dr.Status{dr.Notified, dr.Active, dr.Completed} {
			if _, err := tx.MoveEvent(ctx, seedActor, e.ID, st, ""); err != nil {
				return err
			}
		}
		up, err := tx.ScheduleEvent(ctx, seedActor, pmp, dr.Proposal{Event: dr.Event{Start: local(2026, 3, 12, 16), End: local(2026, 3, 12, 21)},
			Notice: local(2026, 3, 11, 14)})
		upcoming = up.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := dr.SettleEvent(ctx, s.db, pr, past, dr.SettleOptions{Holidays: calendar.UtilityHolidays()}, s.db.SaveOutcomes(seedActor, pr.Code))
	if err != nil || sum.Settled != 1 {
		t.Fatalf("settle: %+v, %v", sum, err)
	}
	return past, upcoming
}

// TestEventCalendarExplainsBrokenRules: the calendar shows September's
// event on its day; scheduling PMP on Labor Day 2025 is refused with the
// holiday rule explained, and nothing is stored.
func TestEventCalendarExplainsBrokenRules(t *testing.T) {
	s := newTestSite(t)
	past, _ := seedDR(t, s)
	mgr := s.login(t, "/login", managerEmail)
	w := s.get(t, "/dr/events?month=2025-09", mgr)
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, `href="/dr/events/`+strconv.FormatInt(past, 10)+`"`) || !strings.Contains(body, `data-date="2025-09-10"`) {
		t.Fatalf("calendar: %d\n%s", w.Code, body)
	}
	form := url.Values{"program": {"pmp"}, "day": {"2025-09-01"}, "start": {"16:00"}, "end": {"21:00"}, "notice": {"2025-08-29T14:00"}}
	w = s.post(t, "/dr/events", mgr, form)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `id="violations"`) ||
		!strings.Contains(w.Body.String(), "2025-09-01 is Labor Day") {
		t.Fatalf("Labor Day: %d\n%s", w.Code, w.Body.String())
	}
	evs, _ := s.db.DREvents(context.Background(), store.DREventFilter{})
	if len(evs) != 2 {
		t.Errorf("%d events stored, want the 2 seeded", len(evs))
	}
	analyst := s.login(t, "/login", analystEmail)
	form.Set("day", "2026-03-17")
	if w := s.post(t, "/dr/events", analyst, form); w.Code != http.StatusForbidden {
		t.Errorf("analyst scheduling: %d", w.Code)
	}
}

// TestEventPageChartsBaselineAgainstActual: the settled event's page shows
// the chart and Maria's settlement.
func TestEventPageChartsBaselineAgainstActual(t *testing.T) {
	s := newTestSite(t)
	past, _ := seedDR(t, s)
	w := s.get(t, "/dr/events/"+strconv.FormatInt(past, 10), s.login(t, "/login", analystEmail))
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, "data-chart") || !strings.Contains(body, `id="settlements"`) ||
		!strings.Contains(body, "caiso-10in10") {
		t.Fatalf("event page: %d\n%s", w.Code, body)
	}
	if strings.Contains(body, "Cancel event") {
		t.Error("an analyst sees the cancel button")
	}
}

// TestPortalShowsMyEventsAndRecordsOverride: Maria sees the upcoming PMP
// event with an override button and her past Power Response result;
// overriding records it once; Dana cannot override for Maria.
func TestPortalShowsMyEventsAndRecordsOverride(t *testing.T) {
	s := newTestSite(t)
	_, up := seedDR(t, s)
	maria := s.login(t, "/my/login", mariaEmail)
	w := s.get(t, "/my/events", maria)
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, "Override this event") || !strings.Contains(body, "Power Response, Sep 10, 2025") {
		t.Fatalf("my events: %d\n%s", w.Code, body)
	}
	dana := s.login(t, "/my/login", danaEmail)
	if w := s.post(t, "/my/events/"+strconv.FormatInt(up, 10)+"/override", dana, url.Values{"account_id": {strconv.FormatInt(s.mariaAcct.ID, 10)}}); w.Code != http.StatusNotFound {
		t.Errorf("Dana overriding for Maria: %d", w.Code)
	}
	if w := s.post(t, "/my/events/"+strconv.FormatInt(up, 10)+"/override", maria, url.Values{"account_id": {strconv.FormatInt(s.mariaAcct.ID, 10)}}); w.Code != http.StatusSeeOther && w.Code != http.StatusFound {
		t.Fatalf("override: %d %s", w.Code, w.Body.String())
	}
	ov, _ := s.db.Overrides(context.Background(), up)
	if !ov[s.mariaAcct.ID] {
		t.Error("override not recorded")
	}
	if body := s.get(t, "/my/events", maria).Body.String(); strings.Contains(body, "Override this event") || !strings.Contains(body, "You overrode this event") {
		t.Errorf("after overriding:\n%s", body)
	}
}

// TestBrowserEventCalendarAndPortalEvents drives the event calendar and
// the portal's events page in Chromium.
func TestBrowserEventCalendarAndPortalEvents(t *testing.T) {
	site := newTestSite(t)
	past, up := seedDR(t, site)
	srv := httptest.NewServer(site.h)
	defer srv.Close()
	ctx := newBrowser(t)
	ce := watchConsole(t, ctx)
	browse(t, ctx, chromedp.EmulateViewport(1280, 900))
	signIn(t, ctx, srv.URL, "/dr/events?month=2025-09", managerEmail, ".dr-calendar")
	if got := text(t, ctx, `td[data-date="2025-09-10"] .cal-event`); !strings.Contains(got, "power_response 16:00–18:00 · completed") {
		t.Errorf("calendar cell = %q", got)
	}
	if got := text(t, ctx, `td[data-date="2025-09-01"]`); !strings.Contains(got, "Labor Day") {
		t.Errorf("Labor Day cell = %q", got)
	}
	// Schedule a PMP event on Labor Day through the form: refused, the
	// rule explained.
	browse(t, ctx,
		chromedp.SetValue(chromedp.CSS(`#f-program`), "pmp"),
		chromedp.SetValue(chromedp.CSS(`#f-day`), "2025-09-01"),
		chromedp.SetValue(chromedp.CSS(`#f-start`), "16:00"),
		chromedp.SetValue(chromedp.CSS(`#f-end`), "21:00"),
		chromedp.SetValue(chromedp.CSS(`#f-notice`), "2025-08-29T14:00"),
		chromedp.Click(chromedp.CSS(`#schedule-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#violations`)),
	)
	if got := text(t, ctx, "#violations tbody"); !strings.Contains(got, "holiday") || !strings.Contains(got, "Labor Day") {
		t.Errorf("violations = %q", got)
	}
	screenshot(t, ctx, "console_dr_calendar")
	browse(t, ctx, chromedp.Navigate(srv.URL+"/dr/events/"+strconv.FormatInt(past, 10)), chromedp.WaitVisible(chromedp.CSS(`.chart-plot canvas`)))
	if got := text(t, ctx, "#settled"); !strings.HasPrefix(got, "1 ") {
		t.Errorf("settled = %q", got)
	}
	for _, m := range ce.take() {
		if !strings.Contains(m, "status of 400") { // the refused form answers 400 by design
			t.Errorf("browser console: %s", m)
		}
	}

	pctx := newBrowser(t)
	browse(t, pctx, chromedp.EmulateViewport(1024, 800))
	signIn(t, pctx, srv.URL, "/my/events", mariaEmail, ".event-card")
	if got := text(t, pctx, "#event-"+strconv.FormatInt(up, 10)+" h3"); !strings.Contains(got, "Peak Management Pricing") {
		t.Errorf("upcoming = %q", got)
	}
	browse(t, pctx,
		chromedp.Click(chromedp.CSS(`#event-`+strconv.FormatInt(up, 10)+` button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-success`)),
	)
	if got := text(t, pctx, "#event-"+strconv.FormatInt(up, 10)); !strings.Contains(got, "You overrode this event") {
		t.Errorf("after overriding: %q", got)
	}
	if got := text(t, pctx, "#earned"); !strings.Contains(got, "kWh") {
		t.Errorf("results = %q", got)
	}
	screenshot(t, pctx, "portal_events")
}

// TestProgramReportCountsParticipantsEventsAndReductions: the seeded
// Power Response year has one household (Maria: CARE and in a DAC tract),
// one event held, and her settled reduction.
func TestProgramReportCountsParticipantsEventsAndReductions(t *testing.T) {
	s := newTestSite(t)
	seedDR(t, s)
	w := s.get(t, "/dr/report?program=power_response&year=2025", s.login(t, "/login", analystEmail))
	body := w.Body.String()
	for _, want := range []string{`<span class="card-label">Households</span><span class="card-value">1</span>`,
		`<span class="card-label">Households income-qualified or in a DAC</span><span class="card-value">1</span>`, `id="events-held">1<`} {
		if !strings.Contains(body, want) {
			t.Errorf("report lacks %s", want)
		}
	}
	if w.Code != http.StatusOK || !strings.Contains(body, "Smart Home") {
		t.Fatalf("report: %d\n%s", w.Code, body)
	}
	if w := s.get(t, "/dr/report?program=nope", s.login(t, "/login", analystEmail)); w.Code != http.StatusNotFound {
		t.Errorf("unknown program: %d", w.Code)
	}
}

// TestDevicesPageShowsLastSeen lists a switch heard from and one never seen.
func TestDevicesPageShowsLastSeen(t *testing.T) {
	s := newTestSite(t)
	ctx := context.Background()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		for i, serial := range []string{"FLICK-0001", "FLICK-0002"} {
			d := dr.Device{AccountID: s.mariaAcct.ID, Program: "smart_light_switch", Type: "light_switch", Brand: "flick", Serial: serial,
				Enrolled: calendar.Date{Year: 2026, Month: 1, Day: 15}}
			if err := tx.RegisterDevice(ctx, seedActor, &d); err != nil {
				return err
			}
			if i == 0 {
				if err := tx.TouchDevice(ctx, "light_switch", serial); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	body := s.get(t, "/dr/devices?type=light_switch", s.login(t, "/login", analystEmail)).Body.String()
	if !strings.Contains(body, "2 devices, 1 heard from.") || !strings.Contains(body, "never") {
		t.Errorf("devices page:\n%s", body)
	}
}
