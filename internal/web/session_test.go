package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/store"
)

func TestLoginIsRateLimitedPerNameWith429AfterFiveFailures(t *testing.T) {
	s := newTestSite(t)
	wrong := url.Values{"username": {managerEmail}, "password": {"not-the-password"}}
	// auth.MaxLoginFailures is 5 (OWASP: throttle, do not lock for good).
	for i := 1; i <= 5; i++ {
		w := s.post(t, "/login", "", wrong)
		if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "Wrong email or password.") {
			t.Fatalf("failure %d: status %d, want 401 with the message", i, w.Code)
		}
	}
	// The sixth attempt is refused even with the right password.
	w := s.post(t, "/login", "", url.Values{"username": {managerEmail}, "password": {testPassword}})
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("attempt after 5 failures: status %d, want 429", w.Code)
	}
	if !strings.Contains(w.Body.String(), "Too many failed sign-in attempts. Please wait 15 minutes and try again.") {
		t.Errorf("429 page lacks the explanation:\n%s", w.Body)
	}
	if cs := w.Result().Cookies(); len(cs) > 0 {
		for _, c := range cs {
			if c.Name == auth.SessionCookie {
				t.Error("a rate-limited attempt got a session")
			}
		}
	}
	// The window is 15 minutes: after it the right password works again.
	s.clock.Advance(16 * time.Minute)
	s.login(t, "/login", managerEmail)
}

func TestFailuresOfOneNameDoNotLockOutOthersFromTheSameAddress(t *testing.T) {
	s := newTestSite(t)
	// Five failures for one name from httptest's 192.0.2.1 …
	for range 5 {
		s.post(t, "/login", "", url.Values{"username": {managerEmail}, "password": {"wrong"}})
	}
	if w := s.post(t, "/login", "", url.Values{"username": {managerEmail}, "password": {testPassword}}); w.Code != http.StatusTooManyRequests {
		t.Errorf("that name from that address: %d, want 429", w.Code)
	}
	// … and a colleague at the same address signs in.
	s.login(t, "/login", adminEmail)
}

func TestLoginIsRateLimitedPerClientAddressAcrossNames(t *testing.T) {
	s := newTestSite(t)
	// auth.MaxAddressLoginFailures (50) failures from one address, each for
	// a different name so that no (address, name) pair reaches its limit.
	for i := range 50 {
		w := s.post(t, "/login", "", url.Values{"username": {fmt.Sprintf("nobody%02d@cpa.example", i)}, "password": {"x"}})
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d, want 401", i+1, w.Code)
		}
	}
	w := s.post(t, "/login", "", url.Values{"username": {adminEmail}, "password": {testPassword}})
	if w.Code != http.StatusTooManyRequests {
		t.Errorf("attempt after 50 failures from one address: %d, want 429", w.Code)
	}
	s.clock.Advance(16 * time.Minute)
	s.login(t, "/login", adminEmail)
}

func TestLoginSetsHardenedSessionCookieAndAuditsIt(t *testing.T) {
	for _, secure := range []bool{false, true} {
		s := newTestSite(t)
		h, err := NewHandler(Config{Log: discardLog(), DB: s.db, SecureCookies: secure})
		if err != nil {
			t.Fatal(err)
		}
		s.h = h
		w := s.post(t, "/login", "", url.Values{"username": {adminEmail}, "password": {testPassword}})
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/" {
			t.Fatalf("sign-in: %d to %q, want 303 to /", w.Code, w.Header().Get("Location"))
		}
		var c *http.Cookie
		for _, ck := range w.Result().Cookies() {
			if ck.Name == auth.SessionCookie {
				c = ck
			}
		}
		if c == nil {
			t.Fatal("no session cookie")
		}
		// auth.SessionTTL is 12 hours.
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure != secure || c.MaxAge != 12*3600 {
			t.Errorf("cookie %+v: want HttpOnly, SameSite=Lax, Path=/, Secure=%v, Max-Age=43200", c, secure)
		}
		recs, err := s.db.AuditLog(context.Background(), store.AuditFilter{Entity: "user", Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1 || recs[0].Action != "login" || !strings.Contains(recs[0].Actor, adminEmail) {
			t.Fatalf("last user audit record = %+v, want a login by %s", recs, adminEmail)
		}
		var detail map[string]string
		if err := json.Unmarshal(recs[0].After, &detail); err != nil || detail["area"] != "console" || detail["ip"] != "192.0.2.1" {
			t.Errorf("login audit detail = %s, want area console and ip 192.0.2.1", recs[0].After)
		}
	}
}

func TestExpiredSessionSendsBackToSignIn(t *testing.T) {
	s := newTestSite(t)
	tok := s.login(t, "/login", adminEmail)
	if w := s.get(t, "/customers", tok); w.Code != http.StatusOK {
		t.Fatalf("fresh session: %d", w.Code)
	}
	s.clock.Advance(auth.SessionTTL + time.Minute)
	w := s.get(t, "/customers?q=lopez", tok)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login?next=%2Fcustomers%3Fq%3Dlopez" {
		t.Errorf("expired session: %d to %q, want 303 to the sign-in with next", w.Code, w.Header().Get("Location"))
	}
	cleared := false
	for _, c := range w.Result().Cookies() {
		cleared = cleared || c.Name == auth.SessionCookie && c.MaxAge < 0
	}
	if !cleared {
		t.Error("the stale session cookie was not cleared")
	}
}

func TestAreaRules(t *testing.T) {
	s := newTestSite(t)
	staff := s.login(t, "/login", analystEmail)
	cust := s.login(t, "/my/login", danaEmail)
	for _, tc := range []struct {
		name, method, path, session string
		wantStatus                  int
		wantLocation, wantBody      string
	}{
		{"signed out console page goes to staff sign-in", "GET", "/accounts/1", "", 303, "/login?next=%2Faccounts%2F1", ""},
		{"signed out portal page goes to portal sign-in", "GET", "/my/", "", 303, "/my/login?next=%2Fmy%2F", ""},
		{"signed out POST goes to sign-in without next", "POST", "/customers", "", 303, "/login", ""},
		{"staff in the portal is refused", "GET", "/my/", staff, 403, "", "The customer portal is for customer accounts."},
		{"customer in the console goes to the portal", "GET", "/customers", cust, 303, "/my/", ""},
		{"customer POST to the console is refused", "POST", "/customers", cust, 403, "", "The staff console is for staff accounts."},
		{"signed-in staff at /login go home", "GET", "/login", staff, 303, "/", ""},
		{"signed-in customer at /my/login goes home", "GET", "/my/login", cust, 303, "/my/", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := s.do(t, tc.method, tc.path, tc.session, url.Values{})
			if w.Code != tc.wantStatus {
				t.Fatalf("%s %s = %d, want %d", tc.method, tc.path, w.Code, tc.wantStatus)
			}
			if got := w.Header().Get("Location"); got != tc.wantLocation {
				t.Errorf("Location = %q, want %q", got, tc.wantLocation)
			}
			if !strings.Contains(w.Body.String(), tc.wantBody) {
				t.Errorf("body lacks %q", tc.wantBody)
			}
		})
	}
}

func TestCustomerSigningInAtConsoleIsSentToPortal(t *testing.T) {
	s := newTestSite(t)
	w := s.post(t, "/login", "", url.Values{"username": {mariaEmail}, "password": {testPassword}, "next": {"/customers"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/my/" {
		t.Fatalf("customer at /login: %d to %q, want 303 to /my/", w.Code, w.Header().Get("Location"))
	}
	tok := sessionOf(t, w)
	if w := s.get(t, "/my/", tok); w.Code != http.StatusOK {
		t.Errorf("customer session in the portal: %d", w.Code)
	}
	if w := s.get(t, "/", tok); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/my/" {
		t.Errorf("customer session at the console: %d to %q", w.Code, w.Header().Get("Location"))
	}
}

func TestStaffCannotSignInThroughPortal(t *testing.T) {
	s := newTestSite(t)
	w := s.post(t, "/my/login", "", url.Values{"username": {adminEmail}, "password": {testPassword}})
	if w.Code != http.StatusForbidden {
		t.Fatalf("staff at /my/login: %d, want 403", w.Code)
	}
	if !strings.Contains(w.Body.String(), "This sign-in is for customers.") {
		t.Error("no explanation on the refused portal sign-in")
	}
	for _, c := range w.Result().Cookies() {
		if c.Name == auth.SessionCookie {
			t.Error("staff got a session from the portal sign-in")
		}
	}
}

func TestSignInFollowsOnlyLocalNextOfTheRightArea(t *testing.T) {
	for _, tc := range []struct {
		login, email, next, want string
	}{
		{"/login", adminEmail, "/customers?q=lopez", "/customers?q=lopez"},
		{"/login", adminEmail, "https://evil.example/", "/"},
		{"/login", adminEmail, "//evil.example/", "/"},
		{"/login", adminEmail, "/\t/evil.example/", "/"},
		{"/login", adminEmail, "/my/", "/"},
		{"/login", adminEmail, "/login", "/"},
		{"/my/login", danaEmail, "/my/accounts/3", "/my/accounts/3"},
		{"/my/login", danaEmail, "/customers", "/my/"},
	} {
		s := newTestSite(t)
		w := s.post(t, tc.login, "", url.Values{"username": {tc.email}, "password": {testPassword}, "next": {tc.next}})
		if got := w.Header().Get("Location"); w.Code != http.StatusSeeOther || got != tc.want {
			t.Errorf("%s next=%q: %d to %q, want %q", tc.login, tc.next, w.Code, got, tc.want)
		}
	}
}

func TestSignOutEndsTheSession(t *testing.T) {
	s := newTestSite(t)
	for _, tc := range []struct{ login, email, logout, page string }{
		{"/login", managerEmail, "/logout", "/customers"},
		{"/my/login", mariaEmail, "/my/logout", "/my/"},
	} {
		tok := s.login(t, tc.login, tc.email)
		w := s.post(t, tc.logout, tok, nil)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != tc.login {
			t.Errorf("%s: %d to %q, want 303 to %s", tc.logout, w.Code, w.Header().Get("Location"), tc.login)
		}
		if w := s.get(t, tc.page, tok); w.Code != http.StatusSeeOther {
			t.Errorf("%s after %s: %d, want a redirect to sign in", tc.page, tc.logout, w.Code)
		}
	}
}

func TestDisabledUserCannotSignIn(t *testing.T) {
	s := newTestSite(t)
	u, err := s.db.UserByEmail(context.Background(), analystEmail)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.InTx(context.Background(), func(tx *store.Tx) error {
		return tx.SetUserDisabled(context.Background(), seedActor, u.ID, true)
	}); err != nil {
		t.Fatal(err)
	}
	w := s.post(t, "/login", "", url.Values{"username": {analystEmail}, "password": {testPassword}})
	if w.Code != http.StatusUnauthorized {
		t.Errorf("disabled user with the right password: %d, want 401", w.Code)
	}
}
