package api

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestOpenAPICoversRoutes checks that every route registered on the mux
// is documented and every documented operation is served.
func TestOpenAPICoversRoutes(t *testing.T) {
	h, _ := newHandler(storetest.SQLite()(t), slog.New(slog.DiscardHandler))
	doc, _ := loadDoc(t, h.openapi)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented = append(documented, method+" "+Prefix+path)
		}
	}
	served := slices.Clone(h.patterns)
	slices.Sort(served)
	slices.Sort(documented)
	for _, p := range served {
		if !slices.Contains(documented, p) {
			t.Errorf("route %s is served but not documented", p)
		}
	}
	for _, p := range documented {
		if !slices.Contains(served, p) {
			t.Errorf("operation %s is documented but not served", p)
		}
	}
	// 22 registry, reading, audit and portfolio operations, 5 tariff and
	// export-price operations, the bill calculator, 3 interval-data
	// operations (a meter's intervals, uploading them, its imports), plus
	// the document, and 3 stored-bill operations (an account's bills, one
	// bill, seeding an opening balance).
	// … and 22 customer-generation operations (openapi_nem.go).
	// 21 incentive-program operations (openapi_incentive.go).
	// 12 tracked-program, innovation-fund round and program-policy operations (openapi_incentive_tracking.go).
	// 1 stored-meter savings operation (openapi_savings.go; the savings calculator is counted with the bill calculator's group above).
	// 34 certificate registry and RPS operations (openapi_rps.go).
	// 14 demand-response, TOU-signal and EV operations (openapi_dr.go).
	// 2 battery fleet operations: a storage event's plan and delivery, dispatching it (openapi_dr.go).
	// 3 cost-effectiveness operations (openapi_costeff.go).
	// 1 estimator operation (openapi_energyteam.go).
	// 6 Energy Team case operations (openapi_energyteam.go).
	// 5 grant disbursement operations: plan, read, a tranche's documents, approval and payment (openapi_incentive_tracking.go).
	// 2 more registry reads for participants: one account, one transfer (openapi_rps.go).
	// 2 registry participant operations: list and link (openapi_rps.go).
	// 1 annual report procurement detail (openapi_rps.go).
	// 6 EV SmartCharge vehicle and plan operations (openapi_ev.go).
	if len(served) != 169 {
		t.Errorf("%d routes served, want 169", len(served))
	}
}

// TestOpenAPIServed checks that the document is served without
// credentials as JSON.
func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	res := e.do("GET", "/api/v1/openapi.json", "", anonymous).want(t, http.StatusOK)
	if !strings.Contains(string(res.body), `"openapi": "3.1.0"`) {
		t.Errorf("served document does not declare OpenAPI 3.1.0")
	}
	for _, p := range []string{"bearer", "session", "/accounts/{id}/enrollments/{eid}/end", "Idempotency-Key"} {
		if !strings.Contains(string(res.body), p) {
			t.Errorf("served document lacks %q", p)
		}
	}
}

// TestUnknownRouteIsProblem checks that paths the API does not serve
// answer a problem document.
func TestUnknownRouteIsProblem(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	p := e.do("GET", "/api/v1/nothing-here", "", e.admin).want(t, http.StatusNotFound).problem(t)
	if p.Status != 404 || p.Title != "Not Found" {
		t.Errorf("problem = %+v", p)
	}
}
