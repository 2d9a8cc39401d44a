package web

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/gridbook/gridbook/internal/apperr"
)

// Config holds what the web handler depends on. Store and auth
// dependencies join it as the pages that need them are written.
type Config struct {
	Log *slog.Logger // required
}

// handler is the staff console and customer portal. Each page or action is
// a method in its own file; routes.go lists them all.
type handler struct {
	log    *slog.Logger
	rd     *Renderer
	static *Static
}

// NewHandler returns the web interface: static assets, console and portal
// pages, wrapped in cross-origin (CSRF) protection and security headers.
func NewHandler(cfg Config) (http.Handler, error) {
	if cfg.Log == nil {
		return nil, fmt.Errorf("web: Config.Log is required")
	}
	static, err := NewStatic()
	if err != nil {
		return nil, err
	}
	rd, err := NewRenderer(cfg.Log, static)
	if err != nil {
		return nil, err
	}
	h := &handler{log: cfg.Log, rd: rd, static: static}
	mux := http.NewServeMux()
	h.routes(mux)
	// Go's CrossOriginProtection rejects cross-origin unsafe requests using
	// Sec-Fetch-Site and Origin, so forms need no CSRF tokens (DESIGN.md,
	// Security).
	return SecureHeaders(http.NewCrossOriginProtection().Handler(mux)), nil
}

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
