package web

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/store"
)

// Config holds what the web handler depends on.
type Config struct {
	Log *slog.Logger // required
	DB  *store.DB    // required: registry, sessions, audit log

	// Now is the clock for "today" on pages (the Pacific date of Now);
	// nil means DB.Now, so that tests move pages and sessions together.
	Now func() time.Time

	// SecureCookies sets the Secure attribute on the session cookie. Turn
	// it on everywhere except plain http on a loopback address, where
	// browsers would drop a Secure cookie.
	SecureCookies bool

	// Jobs is the durable job queue the console lists at /jobs; nil when
	// the process has none (the pages then answer Not Found).
	Jobs Jobs
}

// handler is the staff console and customer portal. Each page or action is
// a method in its own file; routes.go lists them all.
type handler struct {
	log           *slog.Logger
	rd            *Renderer
	static        *Static
	db            *store.DB
	now           func() time.Time
	secureCookies bool
	jobs          Jobs
}

// NewHandler returns the web interface: static assets, console and portal
// pages, wrapped in cross-origin (CSRF) protection and security headers.
func NewHandler(cfg Config) (http.Handler, error) {
	if cfg.Log == nil {
		return nil, fmt.Errorf("web: Config.Log is required")
	}
	if cfg.DB == nil {
		return nil, fmt.Errorf("web: Config.DB is required")
	}
	now := cfg.Now
	if now == nil {
		db := cfg.DB
		now = func() time.Time { return db.Now() }
	}
	static, err := NewStatic()
	if err != nil {
		return nil, err
	}
	rd, err := NewRenderer(cfg.Log, static)
	if err != nil {
		return nil, err
	}
	h := &handler{log: cfg.Log, rd: rd, static: static, db: cfg.DB, now: now, secureCookies: cfg.SecureCookies, jobs: cfg.Jobs}
	mux := http.NewServeMux()
	h.routes(mux)
	// Go's CrossOriginProtection rejects cross-origin unsafe requests using
	// Sec-Fetch-Site and Origin, so forms need no CSRF tokens (DESIGN.md,
	// Security). The session is loaded after it, so a refused request never
	// touches the database.
	return SecureHeaders(http.NewCrossOriginProtection().Handler(h.withSession(mux))), nil
}

// today is the current civil date in Pacific time, where program dates are
// evaluated (DESIGN.md principle 4).
func (h *handler) today() calendar.Date { return calendar.DateOf(h.now()) }

// notFound answers any path no route matched.
func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.rd.Error(w, r, apperr.NotFoundf("web", "There is no page at this address."))
}

// contentSecurityPolicy allows only our own scripts, styles and images:
// no inline script or style, no eval (htmx is configured not to need it in
// partials/head.html), no framing, forms post only to us. Directives are
// those of CSP Level 3 (W3C).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; " +
	"form-action 'self'; frame-ancestors 'none'"

// SecureHeaders sets browser security headers on every response: a strict
// Content-Security-Policy, no MIME sniffing, no framing, and no referrer
// sent to other origins.
func SecureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY") // for browsers without frame-ancestors
		h.Set("Referrer-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}
