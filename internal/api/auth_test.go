package api

import (
	"net/http"
	"testing"

	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestCustomerUserSeesOnlyOwnAccounts checks that a customer user reads
// their own account and its customer, premise, meters and enrollments,
// gets 404 for everyone else's, sees only their own in lists, and cannot
// write or see registry-wide figures.
func TestCustomerUserSeesOnlyOwnAccounts(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newEnv(t, open)
		own, other := itoa(e.acct1.ID), itoa(e.acct2.ID)
		ch := itoa(e.meter1.Channels[0].ID)
		tests := []struct {
			method, path, body string
			status             int
		}{
			{"GET", "/api/v1/accounts/" + own, "", 200},
			{"GET", "/api/v1/accounts/" + other, "", 404},
			{"GET", "/api/v1/customers/" + itoa(e.cust1.ID), "", 200},
			{"GET", "/api/v1/customers/" + itoa(e.cust2.ID), "", 404},
			{"GET", "/api/v1/premises/" + itoa(e.prem1.ID), "", 200},
			{"GET", "/api/v1/premises/" + itoa(e.prem2.ID), "", 404},
			{"GET", "/api/v1/meters/" + itoa(e.meter1.ID), "", 200},
			{"GET", "/api/v1/meters/" + itoa(e.meter1.ID) + "/channels/" + ch + "/intervals?from=2026-01-01T00:00:00Z&to=2026-01-01T02:00:00Z", "", 200},
			{"GET", "/api/v1/accounts/" + own + "/enrollments", "", 200},
			{"GET", "/api/v1/accounts/" + other + "/enrollments", "", 404},
			{"PUT", "/api/v1/customers/" + itoa(e.cust1.ID), `{"kind":"person","name":"Ana R"}`, 403},
			{"POST", "/api/v1/accounts/" + own + "/enrollments", `{"program":"medical_baseline","start_date":"2026-01-01"}`, 403},
			{"GET", "/api/v1/portfolio", "", 403},
			{"GET", "/api/v1/audit", "", 403},
		}
		for _, tt := range tests {
			t.Run(tt.method+" "+tt.path, func(t *testing.T) {
				e.t = t
				e.do(tt.method, tt.path, tt.body, e.portal).want(t, tt.status)
			})
		}
		lists := []struct {
			path string
			want int64
		}{
			{"/api/v1/accounts", e.acct1.ID},
			{"/api/v1/accounts?customer_id=" + itoa(e.cust2.ID), 0},
			{"/api/v1/customers", e.cust1.ID},
			{"/api/v1/premises", e.prem1.ID},
			{"/api/v1/meters", e.meter1.ID},
		}
		for _, tt := range lists {
			t.Run("list "+tt.path, func(t *testing.T) {
				e.t = t
				var page list[struct {
					ID int64 `json:"id"`
				}]
				e.do("GET", tt.path, "", e.portal).want(t, http.StatusOK).decode(t, &page)
				switch {
				case tt.want == 0 && len(page.Data) != 0:
					t.Errorf("got %d rows, want none", len(page.Data))
				case tt.want != 0 && (len(page.Data) != 1 || page.Data[0].ID != tt.want):
					t.Errorf("got %+v, want only id %d", page.Data, tt.want)
				}
			})
		}
	})
}

// TestRolesAndScopes checks who may read and write: analysts and
// read-only clients may read but not write, customer users and clients
// may not read the audit log, and unknown credentials are 401.
func TestRolesAndScopes(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newEnv(t, open)
		cust := `{"kind":"person","name":"New Person"}`
		tests := []struct {
			name               string
			who                cred
			method, path, body string
			status             int
		}{
			{"analyst reads", e.analyst, "GET", "/api/v1/accounts", "", 200},
			{"analyst cannot create", e.analyst, "POST", "/api/v1/customers", cust, 403},
			{"analyst cannot replace", e.analyst, "PUT", "/api/v1/customers/" + itoa(e.cust1.ID), cust, 403},
			{"analyst cannot enroll", e.analyst, "POST", "/api/v1/accounts/" + itoa(e.acct2.ID) + "/enrollments", `{"program":"care","start_date":"2026-01-01"}`, 403},
			{"analyst reads the audit log", e.analyst, "GET", "/api/v1/audit", "", 200},
			{"analyst reads the portfolio", e.analyst, "GET", "/api/v1/portfolio?on=2026-01-01", "", 200},
			{"program manager creates", e.manager, "POST", "/api/v1/customers", cust, 201},
			{"read-only client reads", e.readClient, "GET", "/api/v1/customers", "", 200},
			{"read-only client cannot create", e.readClient, "POST", "/api/v1/customers", cust, 403},
			{"read-only client cannot replace", e.readClient, "PUT", "/api/v1/customers/" + itoa(e.cust1.ID), cust, 403},
			{"read-only client reads the portfolio", e.readClient, "GET", "/api/v1/portfolio", "", 200},
			{"client cannot read the audit log", e.writeClient, "GET", "/api/v1/audit", "", 403},
			{"write client creates", e.writeClient, "POST", "/api/v1/customers", cust, 201},
			{"no credentials", anonymous, "GET", "/api/v1/accounts", "", 401},
			{"unknown bearer token", bearer("gbk_nope"), "GET", "/api/v1/accounts", "", 401},
			{"unknown session", session("gbs_nope"), "GET", "/api/v1/accounts", "", 401},
			{"not a bearer scheme", func(r *http.Request) { r.Header.Set("Authorization", "Basic YTpi") }, "GET", "/api/v1/accounts", "", 401},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e.t = t
				before := e.size()
				res := e.do(tt.method, tt.path, tt.body, tt.who).want(t, tt.status)
				if tt.status == 401 && res.header.Get("WWW-Authenticate") == "" {
					t.Error("401 without a WWW-Authenticate challenge")
				}
				if tt.status >= 400 && e.size() != before {
					t.Error("refused request changed the database")
				}
			})
		}
	})
}

// TestCrossOriginWriteRefused checks that a browser request from another
// origin cannot use the session cookie to change data.
func TestCrossOriginWriteRefused(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	before := e.size()
	res := e.do("POST", "/api/v1/customers", `{"kind":"person","name":"X"}`, e.admin, "Sec-Fetch-Site", "cross-site", "Origin", "https://evil.example")
	if res.status != http.StatusForbidden || e.size() != before {
		t.Errorf("cross-site POST: status %d, database changed %v", res.status, e.size() != before)
	}
}
