package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// newBrowser starts a headless Chromium for one test and returns a context
// that drives one tab. It skips the test when Chromium is not installed
// (Debian: apt-get install chromium) — except under CI=true, where a
// missing browser fails the test, so that CI proves the browser tests ran.
// The browser gets a fresh profile and no background network traffic, and
// is closed when the test ends.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := "/usr/bin/chromium"
	if _, err := os.Stat(path); err != nil {
		if path, err = exec.LookPath("chromium"); err != nil {
			const msg = "browser test: Chromium not found at /usr/bin/chromium or on PATH (apt-get install chromium)"
			if os.Getenv("CI") == "true" {
				t.Fatal(msg + "; CI=true requires it")
			}
			t.Skip(msg + "; skipped")
		}
	}
	profile := t.TempDir() // before the cancels, so it is removed after Chromium exits
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.UserDataDir(profile),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	tab, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(tab); err != nil { // starts the browser; no timeout on this first call
		t.Fatalf("starting Chromium: %v", err)
	}
	// A ceiling so a wedged browser fails the test instead of hanging it;
	// not a timing assertion.
	ctx, cancelTimeout := context.WithTimeout(tab, 2*time.Minute)
	t.Cleanup(cancelTimeout)
	return ctx
}

// consoleErrors records JavaScript exceptions, console.error calls and
// browser log errors (failed loads, Content-Security-Policy violations).
type consoleErrors struct {
	mu   sync.Mutex
	msgs []string
}

func watchConsole(t *testing.T, ctx context.Context) *consoleErrors {
	t.Helper()
	ce := &consoleErrors{}
	// Listen calls the func on the tab's reader before the reply to the
	// next command, so messages caused by an action are in by the time the
	// action returns. Chromedp enables the Runtime and Log domains itself.
	err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			msg = "exception: " + ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning {
				var parts []string
				for _, a := range ev.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				msg = "console." + string(ev.Type) + ": " + strings.Join(parts, " ")
			}
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
				msg = "log " + string(ev.Entry.Source) + ": " + ev.Entry.Text + " " + ev.Entry.URL
			}
		}
		if msg != "" {
			ce.mu.Lock()
			ce.msgs = append(ce.msgs, msg)
			ce.mu.Unlock()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return ce
}

func (ce *consoleErrors) take() []string {
	ce.mu.Lock()
	defer ce.mu.Unlock()
	m := ce.msgs
	ce.msgs = nil
	return m
}

// screenshot saves a full-page PNG into $GRIDBOOK_SCREENSHOTS, when set,
// for people to look at the layouts (e.g. GRIDBOOK_SCREENSHOTS=/tmp/shots).
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("GRIDBOOK_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// noHorizontalScroll is a script reporting whether the page is no wider
// than the viewport (the WCAG 2.2 SC 1.4.10 "Reflow" criterion asks for no
// two-dimensional scrolling at 320 CSS px; our phones are 390 px wide).
const noHorizontalScroll = `document.documentElement.scrollWidth <= window.innerWidth`

func TestBrowserLayoutsLoadLibrariesDrawChartsAndFitPhones(t *testing.T) {
	ctx := newBrowser(t)
	ce := watchConsole(t, ctx)
	srv := httptest.NewServer(demoHandler(t, newTestRenderer(t, nil)))
	defer srv.Close()

	eval := func(t *testing.T, expr string, dst any) {
		t.Helper()
		var err error
		switch d := dst.(type) {
		case *bool:
			*d, err = chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		case *int:
			*d, err = chromedp.Run(ctx, chromedp.Evaluate[int](expr))
		case *string:
			*d, err = chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		case *[]string:
			*d, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](expr))
		}
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
	}
	checkClean := func(t *testing.T, page string, allow ...string) {
		t.Helper()
	next:
		for _, m := range ce.take() {
			for _, a := range allow {
				if strings.Contains(m, a) {
					continue next
				}
			}
			t.Errorf("%s: %s", page, m)
		}
	}

	t.Run("login form has labelled inputs and focuses the username", func(t *testing.T) {
		err := chromedp.Do(ctx,
			chromedp.EmulateViewport(1280, 900),
			chromedp.Navigate(srv.URL+"/login"),
			chromedp.WaitVisible(chromedp.CSS(`#f-password`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		var labels []string
		var focused string
		var libs bool
		eval(t, `Array.from(document.querySelectorAll('form input:not([type=hidden])')).map(i => i.labels.length ? i.labels[0].textContent.trim() : '(no label for ' + i.name + ')')`, &labels)
		eval(t, `document.activeElement.id`, &focused)
		eval(t, `typeof htmx === 'object' && typeof uPlot === 'function'`, &libs)
		if want := []string{"Email *", "Password *"}; fmt.Sprint(labels) != fmt.Sprint(want) {
			t.Errorf("input labels = %q, want %q", labels, want)
		}
		if focused != "f-username" {
			t.Errorf("focused element = %q, want f-username", focused)
		}
		if !libs {
			t.Error("htmx or uPlot did not load")
		}
		screenshot(t, ctx, "login_console")
		checkClean(t, "/login")
	})

	t.Run("console page draws its charts and htmx swaps in another", func(t *testing.T) {
		err := chromedp.Do(ctx,
			chromedp.EmulateViewport(1280, 900),
			chromedp.Navigate(srv.URL+"/"),
			chromedp.WaitVisible(chromedp.CSS(`.chart-plot canvas`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		var canvases int
		var legend string
		eval(t, `document.querySelectorAll('.chart-plot canvas').length`, &canvases)
		eval(t, `document.querySelector('.chart-plot .u-legend').textContent`, &legend)
		if canvases != 2 {
			t.Errorf("charts drawn = %d, want 2", canvases)
		}
		if !strings.Contains(legend, "2025") || !strings.Contains(legend, "2024") {
			t.Errorf("bar chart legend = %q, want both years", legend)
		}
		screenshot(t, ctx, "console_dashboard")

		// The user menu opens to a sign-out form that posts to /logout.
		err = chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`.usermenu summary`)),
			chromedp.WaitVisible(chromedp.CSS(`.usermenu-panel button`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		var logout string
		eval(t, `(f => f.method + ' ' + new URL(f.action).pathname)(document.querySelector('.usermenu-panel form'))`, &logout)
		if logout != "post /logout" {
			t.Errorf("sign-out form = %q, want post /logout", logout)
		}
		screenshot(t, ctx, "console_usermenu")
		// A click elsewhere closes it (static/app.js).
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`h1`))); err != nil {
			t.Fatal(err)
		}
		var open bool
		eval(t, `document.querySelector('.usermenu').open`, &open)
		if open {
			t.Error("user menu stayed open after a click outside it")
		}

		err = chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`button[hx-get="/demo/more"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#more-usage .chart-plot canvas`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		eval(t, `document.querySelectorAll('.chart-plot canvas').length`, &canvases)
		if canvases != 3 {
			t.Errorf("charts after htmx swap = %d, want 3", canvases)
		}
		var nested bool
		eval(t, `document.querySelectorAll('#more header, #more .sidenav, #more main').length > 0`, &nested)
		if nested {
			t.Error("htmx response contained the layout, not just the content block")
		}
		checkClean(t, "/")
	})

	for _, tc := range []struct {
		path, shot, selector string
		allow                []string // expected network errors for 4xx pages
	}{
		{"/my/", "portal_phone", ".chart-plot canvas", nil},
		{"/my/login", "login_portal_phone", "#f-password", []string{"status of 401"}},
		{"/", "console_phone", ".chart-plot canvas", nil},
		{"/nothing-here", "error_phone", ".error-code", []string{"status of 404"}},
	} {
		t.Run("fits a 390px phone: "+tc.path, func(t *testing.T) {
			err := chromedp.Do(ctx,
				chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
				chromedp.Navigate(srv.URL+tc.path),
				chromedp.WaitVisible(chromedp.CSS(tc.selector)),
			)
			if err != nil {
				t.Fatal(err)
			}
			var fits bool
			var width int
			eval(t, noHorizontalScroll, &fits)
			eval(t, `document.documentElement.scrollWidth`, &width)
			if !fits {
				t.Errorf("%s scrolls sideways at 390px: page is %dpx wide", tc.path, width)
			}
			screenshot(t, ctx, tc.shot)
			checkClean(t, tc.path, tc.allow...)
		})
	}

	t.Run("dark colour scheme follows the system setting", func(t *testing.T) {
		dark := func(on bool) chromedp.Action[chromedp.Void] {
			return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				p := emulation.SetEmulatedMediaParams{}
				if on {
					p.Features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}
				}
				_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, p)
				return err
			})
		}
		t.Cleanup(func() { _ = chromedp.Do(ctx, dark(false)) })
		err := chromedp.Do(ctx,
			chromedp.EmulateViewport(1280, 900),
			dark(true),
			chromedp.Navigate(srv.URL+"/"),
			chromedp.WaitVisible(chromedp.CSS(`.chart-plot canvas`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		var bg string
		eval(t, `getComputedStyle(document.body).backgroundColor`, &bg)
		if bg != "rgb(15, 22, 32)" { // --bg of the dark scheme, #0f1620
			t.Errorf("dark body background = %s", bg)
		}
		screenshot(t, ctx, "console_dark")
		checkClean(t, "/ (dark)")
	})
}
