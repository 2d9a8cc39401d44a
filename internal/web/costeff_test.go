package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestCosteffPageShowsTheSeedTable: the seed's values, N/A for Residential
// Direct Install, the first-year label and the chart.
func TestCosteffPageShowsTheSeedTable(t *testing.T) {
	s := newTestSite(t)
	w := s.get(t, "/costeff", s.login(t, "/login", analystEmail))
	body := w.Body.String()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d", w.Code)
	}
	for _, want := range []string{"$ per first-year kWh", "$0.19", "$0.52", "$1.5", "$2.7", "$5.2", "$15.1", "Against retail ($0.17/kWh)",
		"$23,635,570.00", "124,188,519", "a <strong>first-year</strong> metric, not a levelized cost", `class="chart-plot"`} {
		if !strings.Contains(body, want) {
			t.Errorf("lacks %q", want)
		}
	}
	if strings.Count(body, ">N/A<") != 3 {
		t.Errorf("want N/A in budget, kWh and cost of Residential Direct Install")
	}
}

// TestBrowserCosteffPageDrawsTheChart opens the page from the navigation
// and finds the drawn chart and the Multifamily row's $15.1.
func TestBrowserCosteffPageDrawsTheChart(t *testing.T) {
	site := newTestSite(t)
	srv := httptest.NewServer(site.h)
	defer srv.Close()
	ctx := newBrowser(t)
	ce := watchConsole(t, ctx)
	browse(t, ctx, chromedp.EmulateViewport(1280, 900))
	signIn(t, ctx, srv.URL, "/", analystEmail, "h1")
	browse(t, ctx,
		chromedp.Click(chromedp.CSS(`nav a[href="/costeff"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#costeff-table`)),
		chromedp.WaitVisible(chromedp.CSS(`.chart-plot canvas`)),
	)
	if row := text(t, ctx, "#costeff-table tbody tr:last-child"); !strings.Contains(row, "Multifamily Energy Efficiency Rebates") || !strings.Contains(row, "$15.1") {
		t.Errorf("last row %q", row)
	}
	screenshot(t, ctx, "console_costeff")
	for _, msg := range ce.take() {
		t.Errorf("browser console: %s", msg)
	}
}
