package web

import "net/http"

// routes registers every page and action. Add one line per route here and
// put the method in a file named for the page (customers.go, jobs.go …).
//
// Console pages live at /, portal pages under /my/.
func (h *handler) routes(mux *http.ServeMux) {
	mux.Handle("GET "+StaticPrefix, h.static)
	mux.HandleFunc("GET /login", h.loginForm)
	mux.HandleFunc("GET /my/login", h.loginForm)
	mux.HandleFunc("/", h.notFound)
}
