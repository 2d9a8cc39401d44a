package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"golang.org/x/crypto/bcrypt"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// forEachDB runs fn on SQLite and, when GRIDBOOK_TEST_POSTGRES is set, on
// a scratch PostgreSQL database.
func forEachDB(t *testing.T, fn func(t *testing.T, open storetest.Opener)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, storetest.SQLite()) })
	t.Run("postgres", func(t *testing.T) { fn(t, storetest.Postgres()) })
}

// cred adds credentials to a request.
type cred func(r *http.Request)

func session(token string) cred {
	return func(r *http.Request) { r.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: token}) }
}

func bearer(token string) cred {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

func anonymous(*http.Request) {}

// env is a served API over a seeded database.
type env struct {
	t      *testing.T
	db     *store.DB
	h      *handler
	srv    http.Handler
	doc    *openapi3.T
	docMux *http.ServeMux // answers which documented path a request is for

	adminUser, portalUser           auth.User
	admin, manager, analyst, portal cred
	readClient, writeClient         cred
	readClientID, writeClientID     int64
	cust1, cust2                    customer.Customer
	prem1, prem2                    customer.Premise
	acct1, acct2                    customer.Account
	meter1                          customer.Meter
	care1                           customer.Enrollment
}

var seedActor = auth.Actor{Kind: "cli", Name: "test seed"}

// newEnv opens a database, seeds two customers with a premise and account
// each (the first with a household, a CARE enrollment and a meter), users
// of every role (the customer user linked to account 1) and two API
// clients, and serves the API.
func newEnv(t *testing.T, open storetest.Opener) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, db: open(t)}
	e.cust1 = customer.Customer{Kind: customer.Person, Name: "Ana Reyes", Email: "ana@example.org"}
	e.cust2 = customer.Customer{Kind: customer.Organization, Name: "Bo's Bakery", Phone: "818-555-0100"}
	e.prem1 = customer.Premise{Address: "100 Main St", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037", MemberAgency: "Unincorporated Los Angeles County"}
	e.prem2 = customer.Premise{Address: "200 Olive Ave", City: "Burbank", ZIP: "91505", CountyFIPS: "06037", TractGEOID: "06037102105"}
	start := calendar.Date{Year: 2024, Month: 1, Day: 1}
	e.acct1 = customer.Account{Number: "7000000001", Class: customer.Residential, RateSchedule: "TOU-D-4-9PM", LSE: customer.CCA,
		ServiceStart: start, Household: &customer.Household{Size: 4, AnnualIncome: 6430000, Verification: customer.VerifySelfAttested}}
	e.acct2 = customer.Account{Number: "7000000002", Class: customer.Commercial, RateSchedule: "TOU-GS-1-D", LSE: customer.Bundled, ServiceStart: start}
	e.meter1 = customer.Meter{Serial: "M-0001", IntervalSeconds: 3600, Installed: start,
		Channels: []customer.Channel{{Direction: customer.Delivered}, {Direction: customer.Received}}}
	hash, err := auth.HashPassword("correct horse battery", bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	err = e.db.InTx(ctx, func(tx *store.Tx) error {
		for _, c := range []*customer.Customer{&e.cust1, &e.cust2} {
			if err := tx.CreateCustomer(ctx, seedActor, c); err != nil {
				return err
			}
		}
		for _, p := range []*customer.Premise{&e.prem1, &e.prem2} {
			if err := tx.CreatePremise(ctx, seedActor, p); err != nil {
				return err
			}
		}
		e.acct1.CustomerID, e.acct1.PremiseID = e.cust1.ID, e.prem1.ID
		e.acct2.CustomerID, e.acct2.PremiseID = e.cust2.ID, e.prem2.ID
		for _, a := range []*customer.Account{&e.acct1, &e.acct2} {
			if err := tx.CreateAccount(ctx, seedActor, a); err != nil {
				return err
			}
		}
		e.meter1.AccountID = e.acct1.ID
		if err := tx.CreateMeter(ctx, seedActor, &e.meter1); err != nil {
			return err
		}
		e.care1 = customer.Enrollment{AccountID: e.acct1.ID, Program: customer.ProgramCARE, From: calendar.Date{Year: 2025, Month: 1, Day: 1}, Source: "utility",
			Note: "utility certified"}
		if err := tx.Enroll(ctx, seedActor, &e.care1); err != nil {
			return err
		}
		users := []auth.User{
			{Email: "admin@cpa.example", Name: "Admin", Role: auth.Admin},
			{Email: "pm@cpa.example", Name: "Program Manager", Role: auth.ProgramManager},
			{Email: "analyst@cpa.example", Name: "Analyst", Role: auth.Analyst},
			{Email: "ana@example.org", Name: "Ana Reyes", Role: auth.CustomerRole, AccountIDs: []int64{e.acct1.ID}},
		}
		for i := range users {
			u := &users[i]
			u.PasswordHash = hash
			if err := tx.CreateUser(ctx, seedActor, u); err != nil {
				return err
			}
			tok, _, err := tx.CreateSession(ctx, u.ID)
			if err != nil {
				return err
			}
			tokens[string(u.Role)] = tok
		}
		e.adminUser, e.portalUser = users[0], users[3]
		rc := auth.Client{Name: "reader", Scopes: []string{auth.ScopeRegistryRead}}
		if tokens["reader"], err = tx.CreateClient(ctx, seedActor, &rc); err != nil {
			return err
		}
		wc := auth.Client{Name: "writer", Scopes: []string{auth.ScopeRegistryRead, auth.ScopeRegistryWrite}}
		if tokens["writer"], err = tx.CreateClient(ctx, seedActor, &wc); err != nil {
			return err
		}
		e.readClientID, e.writeClientID = rc.ID, wc.ID
		return nil
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	e.admin, e.manager, e.analyst, e.portal = session(tokens["admin"]), session(tokens["program_manager"]), session(tokens["analyst"]), session(tokens["customer"])
	e.readClient, e.writeClient = bearer(tokens["reader"]), bearer(tokens["writer"])

	e.h, e.srv = newHandler(e.db, slog.New(slog.DiscardHandler))
	e.doc, e.docMux = loadDoc(t, e.h.openapi)
	return e
}

// loadDoc parses and validates the OpenAPI document and builds a mux that
// finds the documented path of a request.
func loadDoc(t *testing.T, b []byte) (*openapi3.T, *http.ServeMux) {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(b)
	if err != nil {
		t.Fatalf("OpenAPI document does not load: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("OpenAPI document is not valid: %v", err)
	}
	mux := http.NewServeMux()
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			mux.HandleFunc(method+" "+Prefix+path, func(http.ResponseWriter, *http.Request) {})
		}
	}
	return doc, mux
}

// result is a recorded response.
type result struct {
	status int
	header http.Header
	body   []byte
}

// decode unmarshals the body into v.
func (r result) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// problemOf decodes a problem response.
func (r result) problem(t *testing.T) problem {
	t.Helper()
	if ct := r.header.Get("Content-Type"); ct != problemContentType {
		t.Fatalf("Content-Type = %q, want %s (body %s)", ct, problemContentType, r.body)
	}
	var p problem
	r.decode(t, &p)
	return p
}

// do sends a request through the API and checks the response against the
// OpenAPI document: its status must be documented for the operation and
// its body must match the schema. hdr holds extra header name/value pairs.
func (e *env) do(method, path, body string, who cred, hdr ...string) result {
	e.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	who(req)
	rec := httptest.NewRecorder()
	e.srv.ServeHTTP(rec, req)
	res := result{status: rec.Code, header: rec.Header(), body: rec.Body.Bytes()}
	e.validate(req, res)
	return res
}

// validate checks a response against the operation the request is
// documented under. Requests to undocumented paths must answer 404.
func (e *env) validate(req *http.Request, res result) {
	e.t.Helper()
	_, pattern := e.docMux.Handler(req)
	if pattern == "" {
		if res.status != http.StatusNotFound {
			e.t.Errorf("%s %s is not documented but answered %d", req.Method, req.URL.Path, res.status)
		}
		return
	}
	method, full, _ := strings.Cut(pattern, " ")
	path := strings.TrimPrefix(full, Prefix)
	item := e.doc.Paths.Value(path)
	route := &routers.Route{Spec: e.doc, Path: path, PathItem: item, Method: method, Operation: item.GetOperation(method)}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: route},
		Status:                 res.status,
		Header:                 res.header,
		Body:                   io.NopCloser(bytes.NewReader(res.body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		e.t.Errorf("%s %s → %d does not match the OpenAPI document: %v\nbody: %s", req.Method, req.URL.Path, res.status, err, res.body)
	}
}

// want fails the test unless the response has the given status.
func (r result) want(t *testing.T, status int) result {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d; body %s", r.status, status, r.body)
	}
	return r
}

// size returns how many registry rows, enrollments, audit records and
// idempotency keys the database holds, to show that a refused request
// wrote nothing.
func (e *env) size() [4]int64 {
	e.t.Helper()
	var out [4]int64
	err := e.db.SQL().QueryRowContext(context.Background(), `SELECT
		(SELECT count(*) FROM customers) + (SELECT count(*) FROM premises) + (SELECT count(*) FROM accounts)
			+ (SELECT count(*) FROM meters) + (SELECT count(*) FROM channels),
		(SELECT count(*) FROM enrollments), (SELECT count(*) FROM audit_log), (SELECT count(*) FROM idempotency_keys)`).
		Scan(&out[0], &out[1], &out[2], &out[3])
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// itoa formats an id for a path.
func itoa(id int64) string {
	b, _ := json.Marshal(id)
	return string(b)
}
