package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserRPSPositionDashboard signs in as an analyst, follows
// "Renewables" in the navigation and reads the position: both charts are
// drawn, the CP4 row shows the requirement the demo's sales give
// (18,177,500 MWh) and that the period complies, the PCC3 cap is named as
// binding; then the annual report for 2024 shows 44% as the year's
// percentage; the page fits a phone without sideways scrolling.
func TestBrowserRPSPositionDashboard(t *testing.T) {
	s := rpsSite(t)
	srv := httptest.NewServer(s.h)
	defer srv.Close()
	ctx := newBrowser(t)
	ce := watchConsole(t, ctx)
	browse(t, ctx, chromedp.EmulateViewport(1280, 900))

	signIn(t, ctx, srv.URL, "/", analystEmail, ".cards")
	browse(t, ctx,
		chromedp.Click(chromedp.CSS(`.sidenav a[href="/rps"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#position-chart .chart-plot canvas`)),
		chromedp.WaitVisible(chromedp.CSS(`#progress-chart .chart-plot canvas`)),
	)
	if got := eval[string](t, ctx, `document.querySelector('.sidenav a[aria-current="page"]').textContent`); got != "Renewables" {
		t.Errorf("current nav item = %q", got)
	}
	row := eval[[]string](t, ctx, `Array.from(document.querySelectorAll('#period-CP4 td')).map(td => td.textContent.trim())`)
	if len(row) < 13 || row[0] != "18,177,500" || row[12] != "complies" {
		t.Errorf("CP4 row = %q, want requirement 18,177,500 and complies", row)
	}
	if got := text(t, ctx, "main"); !strings.Contains(got, "above the 10% PCC3 maximum of the applied total") {
		t.Error("the binding PCC3 cap is not named")
	}
	screenshot(t, ctx, "console_rps")

	browse(t, ctx,
		chromedp.Click(chromedp.CSS(`a[href="/rps/report"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#report-summary`)),
		chromedp.Navigate(srv.URL+"/rps/report?year=2024"), // what the year picker submits
		chromedp.WaitVisible(chromedp.CSS(`#report-summary`)),
	)
	if got := text(t, ctx, "h1"); got != "RPS compliance report 2024" {
		t.Errorf("h1 = %q", got)
	}
	if got := text(t, ctx, "#report-summary"); !strings.Contains(got, "11,600,000 MWh") || !strings.Contains(got, "the year's published percentage: 44%") {
		t.Errorf("report summary = %q", got)
	}
	screenshot(t, ctx, "console_rps_report")

	browse(t, ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(srv.URL+"/rps"),
		chromedp.WaitVisible(chromedp.CSS(`#position-chart .chart-plot canvas`)),
	)
	if !eval[bool](t, ctx, noHorizontalScroll) {
		t.Errorf("RPS page scrolls sideways at 390px: %d px wide", eval[int](t, ctx, `document.documentElement.scrollWidth`))
	}
	screenshot(t, ctx, "console_rps_phone")
	for _, m := range ce.take() {
		t.Errorf("browser console: %s", m)
	}
}
