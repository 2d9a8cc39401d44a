package web

import (
	"net/http"
	"net/url"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
)

// withSession loads the user of the session cookie, if any, into the
// request context (ContextWithUser). An expired or unknown session is the
// same as none, and its cookie is cleared. Pages then ask for the role they
// need with staffOnly, writersOnly or customersOnly.
func (h *handler) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(auth.SessionCookie)
		if err != nil || ck.Value == "" {
			next.ServeHTTP(w, r)
			return
		}
		u, err := h.db.SessionUser(r.Context(), ck.Value)
		switch {
		case apperr.Is(err, apperr.Unauthorized):
			h.clearSessionCookie(w)
		case err != nil:
			h.rd.Error(w, r, err)
			return
		default:
			vu := newUser(u)
			if u.Role == auth.Participant {
				org, err := h.db.RecOrgOfUser(r.Context(), u.ID)
				if err != nil && !apperr.Is(err, apperr.NotFound) {
					h.rd.Error(w, r, err)
					return
				}
				vu.Org = org
			}
			r = r.WithContext(ContextWithUser(r.Context(), vu))
		}
		next.ServeHTTP(w, r)
	})
}

// registryReaders lets through staff and registry participants linked to
// their organization (the registry pages scope what a participant sees).
// Others go where they belong.
func (h *handler) registryReaders(next http.HandlerFunc) http.HandlerFunc {
	return h.registryOnly(false, next)
}

// registryCommanders lets through writing staff and linked participants:
// registry commands on accounts (transfers, retirements, generation
// reports). Analysts get 403.
func (h *handler) registryCommanders(next http.HandlerFunc) http.HandlerFunc {
	return h.registryOnly(true, next)
}

func (h *handler) registryOnly(command bool, next http.HandlerFunc) http.HandlerFunc {
	staff := h.staffOnly(next)
	if command {
		staff = h.writersOnly(next)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		u := UserFromContext(r.Context())
		switch {
		case !u.IsParticipant():
			staff(w, r)
		case u.Org == "":
			h.rd.Error(w, r, apperr.Forbiddenf("web", "Your sign-in is not linked to a registry organization yet; ask the registry operator to link it."))
		default:
			next(w, r)
		}
	}
}

// staffOnly lets staff (admin, program manager, analyst) through. Anyone
// signed out is sent to the staff sign-in page and back here afterwards; a
// customer is sent to the portal, which is the only place they may go.
func (h *handler) staffOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u := UserFromContext(r.Context())
		switch {
		case u == nil:
			redirectToLogin(w, r, "/login")
		case !u.Access.Staff():
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				Redirect(w, r, homeOf(u, Portal, ""))
				return
			}
			h.rd.Error(w, r, apperr.Forbiddenf("web", "The staff console is for staff accounts."))
		default:
			next(w, r)
		}
	}
}

// writersOnly lets through staff who may change data (admin, program
// manager). Analysts are read-only (DESIGN.md, Security): they are shown no
// write buttons, and a forged request gets 403 here.
func (h *handler) writersOnly(next http.HandlerFunc) http.HandlerFunc {
	return h.staffOnly(func(w http.ResponseWriter, r *http.Request) {
		if !UserFromContext(r.Context()).CanWrite() {
			h.rd.Error(w, r, apperr.Forbiddenf("web", "Your role is read-only: you cannot change records."))
			return
		}
		next(w, r)
	})
}

// customersOnly lets customer users through to the portal. Signed-out
// visitors go to the portal sign-in; staff are refused, since the portal
// shows a customer's own accounts and staff have none.
func (h *handler) customersOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		u := UserFromContext(r.Context())
		switch {
		case u == nil:
			redirectToLogin(w, r, "/my/login")
		case u.IsInstaller() && (r.Method == http.MethodGet || r.Method == http.MethodHead):
			Redirect(w, r, "/my/installer/")
		case u.Access != auth.CustomerRole:
			h.rd.Error(w, r, apperr.Forbiddenf("web", "The customer portal is for customer accounts. Staff use the console at /."))
		default:
			next(w, r)
		}
	}
}

// redirectToLogin sends the browser to the sign-in page with the page it
// asked for as next (only for GET: a form post cannot be replayed).
func redirectToLogin(w http.ResponseWriter, r *http.Request, login string) {
	target := login
	if r.Method == http.MethodGet {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	Redirect(w, r, target)
}

// setSessionCookie hands the browser its session token: HttpOnly so
// scripts cannot read it, SameSite=Lax so other sites cannot send it with
// their form posts, Secure unless serving plain http locally, and expiring
// with the server-side session. The lifetime is sent as Max-Age (seconds
// from now, RFC 6265 §5.2.2) rather than an Expires date, so a browser
// whose clock differs from the server's keeps it as long.
func (h *handler) setSessionCookie(w http.ResponseWriter, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{
		Name:     auth.SessionCookie,
		Value:    token,
		Path:     "/",
		MaxAge:   max(1, int(expires.Sub(h.now()).Seconds())),
		HttpOnly: true,
		Secure:   h.secureCookies,
		SameSite: http.SameSiteLaxMode,
	})
}

// clearSessionCookie tells the browser to forget its session cookie.
func (h *handler) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name:     auth.SessionCookie,
		Value:    "",
		Path:     "/",
		MaxAge:   -1,
		HttpOnly: true,
		Secure:   h.secureCookies,
		SameSite: http.SameSiteLaxMode,
	})
}
