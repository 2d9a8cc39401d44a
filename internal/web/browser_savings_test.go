package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserSavingsPageDrawsTheWeeklyChart signs in as an analyst, goes
// from the meter page to its savings, fits with the proposed blackout and
// finds the model, the sufficiency verdict and a drawn uPlot chart.
func TestBrowserSavingsPageDrawsTheWeeklyChart(t *testing.T) {
	site := newTestSite(t)
	storeMariaWeather(t, site)
	srv := httptest.NewServer(site.h)
	defer srv.Close()
	ms, err := site.db.Meters(context.Background(), site.mariaAcct.ID)
	if err != nil || len(ms) != 1 {
		t.Fatalf("meters %v %v", ms, err)
	}
	ctx := newBrowser(t)
	ce := watchConsole(t, ctx)
	browse(t, ctx, chromedp.EmulateViewport(1280, 1000))
	signIn(t, ctx, srv.URL, fmt.Sprintf("/meters/%d", ms[0].ID), analystEmail, "h1")
	browse(t, ctx,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/meters/%d/savings"]`, ms[0].ID))),
		chromedp.WaitVisible(chromedp.CSS(`#savings-model`)),
		chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#savings-result .chart-plot canvas`)),
	)
	if got := text(t, ctx, "#savings-sufficiency h2"); got != "Data sufficiency: FAIL" {
		t.Errorf("sufficiency heading %q", got)
	}
	if got := text(t, ctx, "#savings-model"); !strings.Contains(got, "SUCCESS") || !strings.Contains(got, "OXNARD") {
		t.Errorf("model panel %q", got)
	}
	screenshot(t, ctx, "console_meter_savings")
	for _, msg := range ce.take() {
		t.Errorf("browser console: %s", msg)
	}
}
