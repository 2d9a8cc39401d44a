package web

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserConsoleBillDetail opens Maria's July bill from her account
// page: the ledgers, the CARE discount, the inputs and a drawn usage
// chart whose legend names the TOU periods, with no browser errors.
func TestBrowserConsoleBillDetail(t *testing.T) {
	site, july, _ := billSite(t)
	srv := httptest.NewServer(site.h)
	defer srv.Close()
	ctx := newBrowser(t)
	ce := watchConsole(t, ctx)
	browse(t, ctx, chromedp.EmulateViewport(1280, 900))

	signIn(t, ctx, srv.URL, fmt.Sprintf("/accounts/%d", site.mariaAcct.ID), analystEmail, "#bills")
	browse(t, ctx,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#bills a[href="/bills/%d"]`, july))),
		chromedp.WaitVisible(chromedp.CSS(`.bill-ledger`)),
		chromedp.WaitVisible(chromedp.CSS(`.chart-plot canvas`)),
	)
	if got := text(t, ctx, "h1"); !strings.HasPrefix(got, fmt.Sprintf("Bill %d · Jul 1, 2025 – Jul 31, 2025", july)) {
		t.Errorf("h1 %q", got)
	}
	ledgers := eval[int](t, ctx, `document.querySelectorAll(".bill-ledger").length`)
	if ledgers != 2 {
		t.Errorf("%d ledgers, want SCE's and the CCA's", ledgers)
	}
	main := text(t, ctx, "main")
	for _, want := range []string{"CARE discount", "Non-bypassable charges", "Due to this ledger", "gridbook-billing/1"} {
		if !strings.Contains(main, want) {
			t.Errorf("bill page lacks %q", want)
		}
	}
	legend := text(t, ctx, ".chart .u-legend")
	for _, want := range []string{"Summer On-Peak", "Summer Off-Peak", "Received"} {
		if !strings.Contains(legend, want) {
			t.Errorf("chart legend %q lacks %q", legend, want)
		}
	}
	screenshot(t, ctx, "console_bill")
	for _, m := range ce.take() {
		t.Errorf("browser console: %s", m)
	}
}

// TestBrowserPortalBillOnAPhone: Maria opens her July bill from her
// account on a phone-sized screen: it fits without sideways scrolling,
// shows the total and draws the usage chart.
func TestBrowserPortalBillOnAPhone(t *testing.T) {
	site, july, _ := billSite(t)
	srv := httptest.NewServer(site.h)
	defer srv.Close()
	ctx := newBrowser(t)
	ce := watchConsole(t, ctx)
	browse(t, ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile))

	signIn(t, ctx, srv.URL, fmt.Sprintf("/my/accounts/%d", site.mariaAcct.ID), mariaEmail, "#bills")
	browse(t, ctx,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`#bills a[href="/my/bills/%d"]`, july))),
		chromedp.WaitVisible(chromedp.CSS(`.bill-ledger`)),
		chromedp.WaitVisible(chromedp.CSS(`.chart-plot canvas`)),
	)
	if got := text(t, ctx, "h1"); got != "Your bill for July 2025" {
		t.Errorf("h1 %q", got)
	}
	if total := text(t, ctx, ".cards .card"); !strings.HasPrefix(total, "Total due $") {
		t.Errorf("first card %q, want the total due", total)
	}
	if !eval[bool](t, ctx, noHorizontalScroll) {
		t.Errorf("bill scrolls sideways at 390px: %d px wide", eval[int](t, ctx, `document.documentElement.scrollWidth`))
	}
	screenshot(t, ctx, "portal_bill_phone")
	for _, m := range ce.take() {
		t.Errorf("browser console: %s", m)
	}
}
