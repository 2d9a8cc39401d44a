package api

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestIdempotentPost checks Idempotency-Key handling: a retry replays the
// first response without a second change, the same key with another body
// is a conflict, keys belong to one caller, and a refused request does
// not use up its key.
func TestIdempotentPost(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newEnv(t, open)
		body := `{"kind":"person","name":"Eve Idem"}`
		first := e.do("POST", "/api/v1/customers", body, e.admin, "Idempotency-Key", "key-1").want(t, http.StatusCreated)
		afterFirst := e.size()

		again := e.do("POST", "/api/v1/customers", body, e.admin, "Idempotency-Key", "key-1").want(t, http.StatusCreated)
		if !bytes.Equal(again.body, first.body) || again.header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("replay = %s (replayed %q), want the first body %s", again.body, again.header.Get("Idempotent-Replayed"), first.body)
		}
		if e.size() != afterFirst {
			t.Errorf("replay changed the database: %v → %v", afterFirst, e.size())
		}

		p := e.do("POST", "/api/v1/customers", `{"kind":"person","name":"Someone Else"}`, e.admin, "Idempotency-Key", "key-1").
			want(t, http.StatusConflict).problem(t)
		if p.Detail == "" || e.size() != afterFirst {
			t.Errorf("reused key: detail %q, database changed %v", p.Detail, e.size() != afterFirst)
		}

		// Another caller's key-1 is a different key.
		other := e.do("POST", "/api/v1/customers", body, e.writeClient, "Idempotency-Key", "key-1").want(t, http.StatusCreated)
		if bytes.Equal(other.body, first.body) {
			t.Error("another caller's request replayed the admin's response")
		}

		// A refused request stores nothing under its key.
		e.do("POST", "/api/v1/customers", `{"kind":"person"}`, e.admin, "Idempotency-Key", "key-2").want(t, http.StatusBadRequest)
		e.do("POST", "/api/v1/customers", body, e.admin, "Idempotency-Key", "key-2").want(t, http.StatusCreated)

		// Enrollment POSTs and the end action are idempotent too.
		path := "/api/v1/accounts/" + itoa(e.acct2.ID) + "/enrollments"
		en := e.do("POST", path, `{"program":"power_response","track":"commercial_leaders","start_date":"2026-01-01"}`, e.admin, "Idempotency-Key", "enroll-1").want(t, http.StatusCreated)
		en2 := e.do("POST", path, `{"program":"power_response","track":"commercial_leaders","start_date":"2026-01-01"}`, e.admin, "Idempotency-Key", "enroll-1").want(t, http.StatusCreated)
		if !bytes.Equal(en.body, en2.body) {
			t.Errorf("enrollment replay %s, want %s", en2.body, en.body)
		}
		e.do("POST", "/api/v1/customers", body, e.admin, "Idempotency-Key", "bad key with spaces").want(t, http.StatusBadRequest)
	})
}
