package web

import (
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/store"
)

// LoginPage is the Data of the shared "login" page.
type LoginPage struct {
	Action        string // form action: "/login" (console) or "/my/login" (portal)
	UsernameLabel string // "Email" (both areas sign in with the user's email)
	UsernameType  string // input type
	Username      string // redisplayed after a failed attempt
	Next          string // local path to return to after signing in
}

// NewLoginView builds the view for the login page of the request's area.
// The POST handler redisplays it with v.Message set on failure.
func NewLoginView(r *http.Request, username string) *View {
	next := r.FormValue("next")
	if !isLocalPath(next) {
		next = ""
	}
	if areaOf(r) == Portal {
		return &View{Title: "Sign in to your account", Area: Portal,
			Data: LoginPage{Action: "/my/login", UsernameLabel: "Email", UsernameType: "email", Username: username, Next: next}}
	}
	return &View{Title: "Staff sign in", Area: Console,
		Data: LoginPage{Action: "/login", UsernameLabel: "Email", UsernameType: "email", Username: username, Next: next}}
}

// loginForm shows the sign-in form of the console or the portal; someone
// already signed in goes straight to their start page.
func (h *handler) loginForm(w http.ResponseWriter, r *http.Request) {
	if u := UserFromContext(r.Context()); u != nil {
		Redirect(w, r, homeOf(u, areaOf(r), r.FormValue("next")))
		return
	}
	h.rd.Render(w, r, http.StatusOK, "login", NewLoginView(r, ""))
}

// noSuchUserHash is a bcrypt hash (cost 10) of a random phrase no one
// uses. Checking a password against it when the email is unknown makes a
// failed sign-in take as long as a wrong password, so response time does
// not reveal which emails have accounts (OWASP Authentication Cheat Sheet,
// "Authentication responses").
const noSuchUserHash = "$2a$10$LS2Ea9oDYe64U5CfZF.qBu1AcyRaUXDGa0To9P57Uo3Qr3oD.UJmW"

// login checks a sign-in attempt of the console (/login) or the portal
// (/my/login) and starts a server-side session.
//
// Failed attempts are limited per login name from one client address and
// per address (auth.LoginLimits: auth.MaxLoginFailures and
// auth.MaxAddressLoginFailures within auth.LoginWindow); past either limit
// the page answers 429 Too Many Requests (RFC 6585 §4) without checking
// the password. Staff cannot sign in through the portal; a customer who signs
// in at the console is sent to the portal.
func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("username")))
	password := r.PostFormValue("password")
	area := areaOf(r)
	v := NewLoginView(r, email)
	ip := clientIP(r)
	limits := auth.LoginLimits(ip, email)
	keys := make([]string, len(limits))
	for i, l := range limits {
		keys[i] = l.Key
	}

	for _, l := range limits {
		ok, err := h.db.LoginAllowed(ctx, l)
		if err != nil {
			h.rd.Error(w, r, err)
			return
		}
		if !ok {
			v.Message = fmt.Sprintf("Too many failed sign-in attempts. Please wait %d minutes and try again.",
				int(auth.LoginWindow.Minutes()))
			h.rd.Render(w, r, http.StatusTooManyRequests, "login", v)
			return
		}
	}

	u, err := h.db.UserByEmail(ctx, email)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		h.rd.Error(w, r, err)
		return
	}
	hash := noSuchUserHash
	if err == nil {
		hash = u.PasswordHash
	}
	if !auth.CheckPassword(hash, password) || err != nil || u.Disabled {
		if err := h.db.InTx(ctx, func(tx *store.Tx) error { return tx.RecordLoginFailure(ctx, keys...) }); err != nil {
			h.rd.Error(w, r, err)
			return
		}
		v.Message = "Wrong email or password."
		h.rd.Render(w, r, http.StatusUnauthorized, "login", v)
		return
	}
	if area == Portal && u.Role != auth.CustomerRole && u.Role != auth.Installer {
		v.Message = "This sign-in is for customers. Staff sign in to the console at /login."
		h.rd.Render(w, r, http.StatusForbidden, "login", v)
		return
	}

	var token string
	var s auth.Session
	err = h.db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.ClearLoginFailures(ctx, limits[0].Key); err != nil { // the pair's; the address keeps its count
			return err
		}
		var err error
		if token, s, err = tx.CreateSession(ctx, u.ID); err != nil {
			return err
		}
		where := "console"
		if area == Portal {
			where = "portal"
		}
		return tx.Audit(ctx, newUser(u).Actor(), "login", "user", u.ID, map[string]string{"area": where, "ip": ip})
	})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.setSessionCookie(w, token, s.Expires)
	Redirect(w, r, homeOf(newUser(u), area, r.PostFormValue("next")))
}

// logout ends the session of the request, if any, and returns to the
// sign-in page of its area.
func (h *handler) logout(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if ck, err := r.Cookie(auth.SessionCookie); err == nil && ck.Value != "" {
		err := h.db.InTx(ctx, func(tx *store.Tx) error {
			if u := UserFromContext(ctx); u != nil {
				if err := tx.Audit(ctx, u.Actor(), "logout", "user", u.ID, nil); err != nil {
					return err
				}
			}
			return tx.DeleteSession(ctx, ck.Value)
		})
		if err != nil {
			h.rd.Error(w, r, err)
			return
		}
	}
	h.clearSessionCookie(w)
	SetFlash(w, r, Flash{Kind: FlashInfo, Msg: "You have signed out."})
	login := "/login"
	if areaOf(r) == Portal {
		login = "/my/login"
	}
	Redirect(w, r, login)
}

// homeOf is where a signed-in user goes after signing in: next when it is
// a local page of the area the user may use, otherwise that area's start
// page. Customers always land in the portal, staff in the console.
func homeOf(u *User, area Area, next string) string {
	portal := next == "/my" || strings.HasPrefix(next, "/my/")
	authPage := next == "/login" || next == "/logout" || next == "/my/login" || next == "/my/logout" ||
		strings.HasPrefix(next, "/login?") || strings.HasPrefix(next, "/my/login?")
	ok := isLocalPath(next) && !authPage
	if u.Access == auth.Installer { // installers work in the portal's frame
		if ok && strings.HasPrefix(next, "/my/installer/") {
			return next
		}
		return "/my/installer/"
	}
	if u.Access == auth.Participant { // participants see only the registry
		if ok && (next == "/rec" || strings.HasPrefix(next, "/rec/") || strings.HasPrefix(next, "/rec?")) {
			return next
		}
		return "/rec"
	}
	if u.Access == auth.CustomerRole {
		if ok && portal && area == Portal {
			return next
		}
		return "/my/"
	}
	if ok && !portal {
		return next
	}
	return "/"
}

// clientIP is the address the request came from, for the per-address
// login limit. gridbook serves browsers directly; behind a reverse proxy
// every request would share the proxy's address, so the limit per login
// name is the one that still protects each account.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// isLocalPath reports whether p is a path on this site ("/x"), not a
// scheme-relative or absolute URL ("//evil", "/\evil", "https://…"), so
// that a post-login redirect cannot be pointed elsewhere. Backslashes and
// control characters are refused anywhere: browsers read "\" as "/" and
// drop tabs and newlines from URLs (WHATWG URL Standard, "URL parsing"), so
// "/\t/evil" would become "//evil".
func isLocalPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.Contains(p, "\\") {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < 0x20 || p[i] == 0x7f {
			return false
		}
	}
	return true
}
