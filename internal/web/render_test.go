package web

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
)

func get(t *testing.T, h http.Handler, path string, header map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestEmbeddedTemplatesParse(t *testing.T) {
	static, err := NewStatic()
	if err != nil {
		t.Fatal(err)
	}
	rd, err := NewRenderer(slog.New(slog.DiscardHandler), static)
	if err != nil {
		t.Fatal(err)
	}
	for _, page := range []string{"login", "error"} {
		if rd.pages[page] == nil {
			t.Errorf("page %q not parsed", page)
		}
	}
}

func TestFullPageHasLayoutAndHtmxRequestGetsOnlyContent(t *testing.T) {
	h := demoHandler(t, newTestRenderer(t, nil))
	for _, tc := range []struct {
		name       string
		header     map[string]string
		wantLayout bool
	}{
		{"plain request", nil, true},
		{"htmx request", map[string]string{"HX-Request": "true"}, false},
		{"boosted link wants the whole page", map[string]string{"HX-Request": "true", "HX-Boosted": "true"}, true},
		{"history restore wants the whole page", map[string]string{"HX-Request": "true", "HX-History-Restore-Request": "true"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := get(t, h, "/", tc.header)
			body := w.Body.String()
			if w.Code != http.StatusOK {
				t.Fatalf("status %d: %s", w.Code, body)
			}
			hasLayout := strings.Contains(body, `<html lang="en">`) && strings.Contains(body, `class="skip-link" href="#main"`)
			if hasLayout != tc.wantLayout {
				t.Errorf("layout present = %v, want %v", hasLayout, tc.wantLayout)
			}
			if !strings.Contains(body, "Recent bills") {
				t.Error("content block missing")
			}
			if got := w.Header().Get("Vary"); got != "HX-Request" {
				t.Errorf("Vary = %q, want HX-Request", got)
			}
		})
	}
}

func TestConsoleLayoutShowsNavUserAndLogoutForm(t *testing.T) {
	h := demoHandler(t, newTestRenderer(t, nil))
	body := get(t, h, "/", nil).Body.String()
	for _, want := range []string{
		`<title>Dashboard · gridbook</title>`,
		`<a href="/" aria-current="page">Dashboard</a>`,
		`<a href="/customers">Customers</a>`,
		`<a href="/jobs">Jobs</a>`,
		`<a href="/audit">Audit</a>`,
		`Ana Ruiz`, `Program manager`, `>AR<`,
		`<form method="post" action="/logout">`,
		`<main id="main" tabindex="-1">`,
		`role="status">Bill run for February 2026 finished: 12,480 bills.</div>`,
		// template funcs through a real page
		`<td class="num">$5,123.90</td>`,
		`<td class="num">18,402</td>`,
		`<td class="num">-$12.50</td>`,
		`<span class="badge badge-hftd3">HFTD Tier 3</span>`,
		// inline field error wired to its input
		`aria-describedby="f-amount-error" aria-invalid="true"`,
		`<p class="field-error" id="f-amount-error">must be a positive amount, such as 250.00</p>`,
		`aria-describedby="f-account-hint"`,
		`role="alert">Please correct the fields marked below.</div>`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("console page lacks %s", want)
		}
	}
}

func TestPortalLayoutHasItsOwnNavAndLogout(t *testing.T) {
	h := demoHandler(t, newTestRenderer(t, nil))
	body := get(t, h, "/my/", nil).Body.String()
	for _, want := range []string{
		`<a href="/my/" aria-current="page">My accounts</a>`,
		`<form method="post" action="/my/logout">`,
		`Sign out</button>`,
		`<span class="account-amount">$64.12</span>`,
		`due Mar 20, 2026`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("portal page lacks %s", want)
		}
	}
	if strings.Contains(body, `href="/audit"`) {
		t.Error("portal page shows console navigation")
	}
}

func TestLoginPageHasLabelledInputsAndAreaSpecificAction(t *testing.T) {
	h := demoHandler(t, newTestRenderer(t, nil))
	for _, tc := range []struct {
		path       string
		wantStatus int
		want       []string
	}{
		{"/login?next=/jobs", http.StatusOK, []string{
			`<h1>Staff sign in</h1>`, `action="/login"`,
			`<label for="f-username">Email`, `id="f-username" name="username" type="email"`,
			`<label for="f-password">Password`, `type="password" value="" required autocomplete="current-password"`,
			` autofocus`, `<input type="hidden" name="next" value="/jobs">`,
		}},
		{"/login?next=//evil.example", http.StatusOK, []string{`action="/login"`}},
		{"/my/login", http.StatusUnauthorized, []string{
			`<h1>Sign in to your account</h1>`, `action="/my/login"`,
			`<label for="f-username">Email`, `type="email" value="dana@example.com"`,
			`role="alert">Wrong email or password.</div>`, `class="portal signed-out"`,
		}},
	} {
		w := get(t, h, tc.path, nil)
		body := w.Body.String()
		if w.Code != tc.wantStatus {
			t.Errorf("%s: status %d, want %d", tc.path, w.Code, tc.wantStatus)
		}
		for _, want := range tc.want {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %s", tc.path, want)
			}
		}
		if strings.Contains(body, "evil.example") {
			t.Errorf("%s: a non-local next was kept", tc.path)
		}
		if strings.Contains(body, `class="sidenav"`) {
			t.Errorf("%s: signed-out page shows the navigation", tc.path)
		}
	}
}

func TestErrorKindsMapToStatusCodes(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want int
	}{
		{apperr.Invalidf("op", "bad"), 400},
		{apperr.E(apperr.Unauthorized, "op", "who are you", nil), 401},
		{apperr.Forbiddenf("op", "no"), 403},
		{apperr.NotFoundf("op", "gone"), 404},
		{apperr.Conflictf("op", "clash"), 409},
		{apperr.E(apperr.Internal, "op", "broken", nil), 500},
		{errors.New("plain"), 500},
		{fmt.Errorf("wrapped: %w", apperr.NotFoundf("op", "gone")), 404},
	} {
		if got := StatusOf(tc.err); got != tc.want {
			t.Errorf("StatusOf(%v) = %d, want %d", tc.err, got, tc.want)
		}
	}
}

func TestErrorPageHidesInternalDetailAndLogsIt(t *testing.T) {
	var logs bytes.Buffer
	h := demoHandler(t, newTestRenderer(t, slog.New(slog.NewTextHandler(&logs, nil))))

	w := get(t, h, "/boom", nil)
	if w.Code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", w.Code)
	}
	body := w.Body.String()
	if strings.Contains(body, "on fire") {
		t.Error("internal detail reached the page")
	}
	for _, want := range []string{`<p class="error-code">500</p>`, `<h1>Internal Server Error</h1>`, `internal error`} {
		if !strings.Contains(body, want) {
			t.Errorf("500 page lacks %s", want)
		}
	}
	if !strings.Contains(logs.String(), "database is on fire") || !strings.Contains(logs.String(), "path=/boom") {
		t.Errorf("internal error not logged with detail: %s", logs.String())
	}

	logs.Reset()
	w = get(t, h, "/my/nothing", nil)
	body = w.Body.String()
	if w.Code != http.StatusNotFound || !strings.Contains(body, "There is no page at this address.") ||
		!strings.Contains(body, "Back to my accounts") || !strings.Contains(body, `class="portal signed-out"`) {
		t.Errorf("portal 404 page wrong: %d %s", w.Code, body)
	}
	if logs.Len() != 0 {
		t.Errorf("a 404 was logged: %s", logs.String())
	}
}

func TestInvalidErrorListsFieldsOnErrorPage(t *testing.T) {
	rd := newTestRenderer(t, nil)
	var fe apperr.Fields
	fe.Add("zip", "must be five digits")
	w := httptest.NewRecorder()
	rd.Error(w, httptest.NewRequest(http.MethodPost, "/customers", nil), fe.Err("customer.Validate"))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "<li><strong>zip</strong>: must be five digits</li>") {
		t.Errorf("got %d %s", w.Code, w.Body.String())
	}
}

func TestSecurityHeadersForbidInlineScriptAndFraming(t *testing.T) {
	h := demoHandler(t, newTestRenderer(t, nil))
	w := get(t, h, "/", nil)
	for k, want := range map[string]string{
		"Content-Security-Policy": contentSecurityPolicy,
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Cache-Control":           "no-store",
		"Content-Type":            "text/html; charset=utf-8",
	} {
		if got := w.Header().Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(contentSecurityPolicy, "script-src 'self';") || strings.Contains(contentSecurityPolicy, "unsafe") {
		t.Errorf("CSP allows more than our own scripts: %s", contentSecurityPolicy)
	}
}

func TestFlashCookieIsShownOnceOnTheNextFullPage(t *testing.T) {
	rd := newTestRenderer(t, nil)
	post := httptest.NewRequest(http.MethodPost, "/customers", nil)
	w := httptest.NewRecorder()
	SetFlash(w, post, Flash{Kind: FlashSuccess, Msg: "Customer <saved>."})
	Redirect(w, post, "/customers/7")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/customers/7" {
		t.Fatalf("redirect: %d %q", w.Code, w.Header().Get("Location"))
	}
	cookies := w.Result().Cookies()

	next := httptest.NewRequest(http.MethodGet, "/customers/7", nil)
	for _, c := range cookies {
		next.AddCookie(c)
	}
	w = httptest.NewRecorder()
	rd.Render(w, next, http.StatusOK, "login", &View{Title: "x", Data: LoginPage{}})
	if !strings.Contains(w.Body.String(), `<div class="flash flash-success" role="status">Customer &lt;saved&gt;.</div>`) {
		t.Errorf("flash not shown escaped: %s", w.Body.String())
	}
	var cleared bool
	for _, c := range w.Result().Cookies() {
		cleared = cleared || c.Name == flashCookie && c.MaxAge < 0
	}
	if !cleared {
		t.Error("flash cookie not cleared after showing")
	}
}

func TestRedirectUsesHXRedirectForHtmx(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/customers", nil)
	r.Header.Set("HX-Request", "true")
	w := httptest.NewRecorder()
	Redirect(w, r, "/customers/7")
	if w.Code != http.StatusNoContent || w.Header().Get("HX-Redirect") != "/customers/7" {
		t.Errorf("got %d HX-Redirect=%q", w.Code, w.Header().Get("HX-Redirect"))
	}
}

func TestUnknownPageOrBrokenTemplateGivesPlain500(t *testing.T) {
	var logs bytes.Buffer
	rd := newTestRenderer(t, slog.New(slog.NewTextHandler(&logs, nil)))
	w := httptest.NewRecorder()
	rd.Render(w, httptest.NewRequest(http.MethodGet, "/", nil), http.StatusOK, "console/nope", nil)
	if w.Code != 500 || !strings.Contains(logs.String(), "console/nope") {
		t.Errorf("got %d, log %q", w.Code, logs.String())
	}
	// A chart whose series length does not match its labels fails while
	// rendering; nothing of the half-rendered page is sent.
	w = httptest.NewRecorder()
	rd.Render(w, httptest.NewRequest(http.MethodGet, "/", nil), http.StatusOK, "console/demo_more",
		&View{Data: Chart{Title: "bad", Labels: []string{"a"}, Series: []Series{{Label: "s", Values: []float64{1, 2}}}}})
	if w.Code != 500 || strings.Contains(w.Body.String(), "<figure") {
		t.Errorf("got %d %q", w.Code, w.Body.String())
	}
}

func TestInitials(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Ana Ruiz", "AR"}, {"ana maría de la cruz", "AC"}, {"Ömer", "Ö"}, {"", "?"},
	} {
		if got := (&User{Name: tc.in}).Initials(); got != tc.want {
			t.Errorf("Initials(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNewHandlerServesLoginStaticAndNotFound(t *testing.T) {
	if _, err := NewHandler(Config{Log: slog.New(slog.DiscardHandler)}); err == nil {
		t.Error("NewHandler without a database succeeded, want an error")
	}
	h := newTestSite(t).h
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/login", 200},
		{"/my/login", 200},
		{"/static/app.css", 200},
		{"/static/nope.css", 404},
		{"/no/such/page", 404},
	} {
		if got := get(t, h, tc.path, nil).Code; got != tc.want {
			t.Errorf("GET %s = %d, want %d", tc.path, got, tc.want)
		}
	}
	// Cross-origin form posts are refused before reaching any handler.
	r := httptest.NewRequest(http.MethodPost, "/login", nil)
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusForbidden {
		t.Errorf("cross-site POST = %d, want 403", w.Code)
	}
}
