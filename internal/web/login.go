package web

import (
	"net/http"
	"strings"
)

// LoginPage is the Data of the shared "login" page.
type LoginPage struct {
	Action        string // form action: "/login" (console) or "/my/login" (portal)
	UsernameLabel string // "Username" for staff, "Email" for customers
	UsernameType  string // input type: "text" for staff, "email" for customers
	Username      string // redisplayed after a failed attempt
	Next          string // local path to return to after signing in
}

// NewLoginView builds the view for the login page of the request's area.
// The POST handler (with auth) redisplays it with v.Message set on failure.
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
		Data: LoginPage{Action: "/login", UsernameLabel: "Username", UsernameType: "text", Username: username, Next: next}}
}

// loginForm shows the sign-in form of the console or the portal.
func (h *handler) loginForm(w http.ResponseWriter, r *http.Request) {
	h.rd.Render(w, r, http.StatusOK, "login", NewLoginView(r, ""))
}

// isLocalPath reports whether p is a path on this site ("/x"), not a
// scheme-relative or absolute URL ("//evil", "/\evil", "https://…"), so
// that a post-login redirect cannot be pointed elsewhere.
func isLocalPath(p string) bool {
	return strings.HasPrefix(p, "/") && !strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "/\\")
}
