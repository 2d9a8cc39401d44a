package web

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserMeterImportUploadsAFile signs in as a program manager, goes
// from the account page to the meter page, uploads an interval file
// through the form and reads the summary and the history row.
func TestBrowserMeterImportUploadsAFile(t *testing.T) {
	site := newTestSite(t)
	srv := httptest.NewServer(site.h)
	defer srv.Close()
	m := site.danaMeter(t)
	file := filepath.Join(t.TempDir(), "september.csv")
	if err := os.WriteFile(file, []byte(september), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	ce := watchConsole(t, ctx)
	browse(t, ctx, chromedp.EmulateViewport(1280, 900))
	signIn(t, ctx, srv.URL, fmt.Sprintf("/accounts/%d", site.danaAcct.ID), managerEmail, "h1")
	browse(t, ctx,
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href="/meters/%d"]`, m.ID))),
		chromedp.WaitVisible(chromedp.CSS(`#import-intervals form`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#f-file`), []string{file}),
		chromedp.Click(chromedp.CSS(`#import-intervals button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-summary`)),
	)
	if got := text(t, ctx, "h1"); got != "Meter SM-2002" {
		t.Errorf("h1 = %q", got)
	}
	flash := text(t, ctx, ".flash")
	// Three hours added to an empty stretch of the meter.
	if !strings.Contains(flash, "Imported september.csv: 3 intervals changed (3 added, 0 replaced), 0 unchanged.") {
		t.Errorf("flash = %q", flash)
	}
	if got := text(t, ctx, "#import-summary h2"); got != "Import 1: september.csv" {
		t.Errorf("summary heading = %q", got)
	}
	row := text(t, ctx, "section:last-of-type tbody tr")
	for _, want := range []string{"september.csv", "pat@cpa.example"} {
		if !strings.Contains(row, want) {
			t.Errorf("history row %q lacks %q", row, want)
		}
	}
	screenshot(t, ctx, "console_meter_import")
	for _, msg := range ce.take() {
		t.Errorf("browser console: %s", msg)
	}
}
