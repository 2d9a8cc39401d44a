package web

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserTariffsOpenPrimeAndReadOnPeakCell signs in as an analyst,
// follows "Tariffs" in the navigation, opens TOU-D-PRIME and reads the
// summer weekday 16:00 cell of the energy grid: it says Summer On-Peak in
// text (SCE Schedule TOU-D: on-peak 4–9 p.m. weekdays, June–September),
// not only in colour. The price-by-hour chart is drawn and redrawn for
// another month through htmx, and the page fits a phone.
func TestBrowserTariffsOpenPrimeAndReadOnPeakCell(t *testing.T) {
	s, _ := tariffSite(t)
	srv := httptest.NewServer(s.h)
	defer srv.Close()
	ctx := newBrowser(t)
	ce := watchConsole(t, ctx)
	browse(t, ctx, chromedp.EmulateViewport(1280, 900))

	signIn(t, ctx, srv.URL, "/", analystEmail, ".cards")
	browse(t, ctx,
		chromedp.Click(chromedp.CSS(`.sidenav a[href="/tariffs"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main table tbody a`)),
	)
	if got := eval[string](t, ctx, `document.querySelector('.sidenav a[aria-current="page"]').textContent`); got != "Tariffs" {
		t.Errorf("current nav item = %q, want Tariffs", got)
	}
	screenshot(t, ctx, "console_tariffs")
	eval[bool](t, ctx, `(a => { a.click(); return true })(Array.from(document.querySelectorAll('main table tbody a')).find(a => a.textContent.trim() === 'TOU-D-PRIME'))`)
	browse(t, ctx, chromedp.WaitVisible(chromedp.CSS(`#energy-weekday`)))
	if got := text(t, ctx, "h1"); got != "SCE TOU-D-PRIME" {
		t.Errorf("h1 = %q", got)
	}
	// Row 7 is July; column 17 is hour beginning 16 (the first is the month).
	cell := eval[[]string](t, ctx, `(() => {
		const table = document.querySelector('#energy-weekday');
		const row = table.tBodies[0].rows[6];
		const cell = row.cells[17];
		const col = table.tHead.rows[0].cells[17].textContent.trim();
		return [row.cells[0].textContent.trim(), col, cell.textContent.replace(/\s+/g, ' ').trim(), cell.title,
			getComputedStyle(cell).backgroundColor];
	})()`)
	if len(cell) != 5 || cell[0] != "Jul" || cell[1] != "16" || !strings.Contains(cell[2], "Summer On-Peak") || cell[3] != "Summer On-Peak" {
		t.Errorf("July weekday 16:00 cell = %q, want it labelled Summer On-Peak", cell)
	}
	if cell[4] == "rgba(0, 0, 0, 0)" {
		t.Error("the on-peak cell has no colour")
	}
	// The name is read out; what is shown is the period number, which
	// the legend names.
	if got := eval[string](t, ctx, `document.querySelector('#energy-weekday').tBodies[0].rows[6].cells[17].querySelector('[aria-hidden="true"]').textContent`); got != "0" {
		t.Errorf("visible text of the cell = %q, want 0", got)
	}
	if legend := text(t, ctx, ".heat-legend"); !strings.Contains(legend, "0 Summer On-Peak · $0.56368/kWh") {
		t.Errorf("legend = %q, want period 0 named Summer On-Peak at the sheet's $0.56368/kWh", legend)
	}
	browse(t, ctx, chromedp.WaitVisible(chromedp.CSS(`#price-by-hour .chart-plot canvas`)))
	eval[bool](t, ctx, `(s => { s.value = '1'; s.dispatchEvent(new Event('change', {bubbles: true})); return true })(document.querySelector('#f-month'))`)
	browse(t, ctx,
		waitFor(`document.querySelector('#price-by-hour .chart-title').textContent.includes('January')`),
		chromedp.WaitVisible(chromedp.CSS(`#price-by-hour .chart-plot canvas`)),
	)
	screenshot(t, ctx, "console_tariff")

	browse(t, ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`#energy-weekday`)),
	)
	if !eval[bool](t, ctx, noHorizontalScroll) {
		t.Errorf("tariff page scrolls sideways at 390px: %d px wide", eval[int](t, ctx, `document.documentElement.scrollWidth`))
	}
	screenshot(t, ctx, "console_tariff_phone")

	// The export prices of SCE's 2024 vintage, in 2026 by default.
	browse(t, ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(srv.URL+"/export-prices"),
		chromedp.Click(chromedp.CSS(`main table tbody a`)),
		chromedp.WaitVisible(chromedp.CSS(`#weekend`)),
		chromedp.WaitVisible(chromedp.CSS(`.chart-plot canvas`)),
	)
	if got := text(t, ctx, "#grids-head"); got != "2026: total export price" {
		t.Errorf("export grid heading = %q", got)
	}
	if !eval[bool](t, ctx, noHorizontalScroll) {
		t.Errorf("export prices scroll sideways at 1280px: %d px wide", eval[int](t, ctx, `document.documentElement.scrollWidth`))
	}
	screenshot(t, ctx, "console_export_prices")
	for _, m := range ce.take() {
		t.Errorf("browser console: %s", m)
	}
}
