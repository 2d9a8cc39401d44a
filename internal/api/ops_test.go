package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestHealth checks /healthz while the database is open and after it is
// closed.
func TestHealth(t *testing.T) {
	db := storetest.SQLite()(t)
	h := Health(db)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != 200 || rec.Body.String() != "ok\n" {
		t.Errorf("open database: %d %q, want 200 ok", rec.Code, rec.Body.String())
	}
	db.Close()
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("closed database: %d, want 503", rec.Code)
	}
}

// TestMetrics checks that requests are counted by route pattern and
// status class, timed, and that the registry gauges are exported.
func TestMetrics(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	m := NewMetrics(e.db)
	srv := m.Wrap(e.srv)
	send := func(path string, who cred) {
		req := httptest.NewRequest("GET", path, nil)
		who(req)
		srv.ServeHTTP(httptest.NewRecorder(), req)
	}
	send("/api/v1/customers/"+itoa(e.cust1.ID), e.admin)
	send("/api/v1/customers/"+itoa(e.cust2.ID), e.admin)
	send("/api/v1/customers/999", e.admin)
	send("/api/v1/customers", anonymous)
	rec := httptest.NewRecorder()
	m.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	out := rec.Body.String()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type = %q", ct)
	}
	for _, line := range []string{
		`gridbook_http_requests_total{route="GET /api/v1/customers/{id}",code="2xx"} 2`,
		`gridbook_http_requests_total{route="GET /api/v1/customers/{id}",code="4xx"} 1`,
		`gridbook_http_requests_total{route="GET /api/v1/customers",code="4xx"} 1`,
		`gridbook_http_request_duration_seconds_bucket{route="GET /api/v1/customers/{id}",le="+Inf"} 3`,
		`gridbook_http_request_duration_seconds_count{route="GET /api/v1/customers/{id}"} 3`,
		"# TYPE gridbook_http_request_duration_seconds histogram",
		"gridbook_customers 2",
		"gridbook_premises 2",
		"gridbook_accounts 2",
		"gridbook_meters 1",
		"gridbook_database_up 1",
	} {
		if !strings.Contains(out, line+"\n") {
			t.Errorf("metrics lack %q:\n%s", line, out)
		}
	}
}
