package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestMutationsAreAudited checks that every kind of change writes an audit
// record naming the actor, the action and the entity before and after.
func TestMutationsAreAudited(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newEnv(t, open)
		admin := fmt.Sprintf("user:%d admin@cpa.example", e.adminUser.ID)
		writer := fmt.Sprintf("client:%d writer", e.writeClientID)
		a1 := itoa(e.acct1.ID)
		acctBody := `{"number":"7000000001","customer_id":` + itoa(e.cust1.ID) + `,"premise_id":` + itoa(e.prem1.ID) +
			`,"class":"residential","rate_schedule":"TOU-D-5-8PM","lse":"cca","service_start":"2024-01-01"}`
		meterBody := `{"account_id":` + a1 + `,"serial":"M-0001","interval_seconds":3600,"installed":"2024-01-01","removed":"2026-06-01",
			"channels":[{"direction":"delivered"},{"direction":"received"}]}`
		tests := []struct {
			name, method, path, body string
			who                      cred
			entity, action, actor    string
			field                    string // field of the audited value, named as in the API
			before, after            any    // nil before: a create
		}{
			{"create customer", "POST", "/api/v1/customers", `{"kind":"person","name":"Dee Park"}`, e.admin,
				"customer", "create", admin, "name", nil, "Dee Park"},
			{"replace customer", "PUT", "/api/v1/customers/" + itoa(e.cust1.ID), `{"kind":"person","name":"Ana María Reyes"}`, e.writeClient,
				"customer", "update", writer, "name", "Ana Reyes", "Ana María Reyes"},
			{"create premise", "POST", "/api/v1/premises", `{"address":"9 Pine St","city":"Los Angeles","zip":"90002","county_fips":"06037"}`, e.admin,
				"premise", "create", admin, "zip", nil, "90002"},
			{"replace premise", "PUT", "/api/v1/premises/" + itoa(e.prem1.ID), `{"address":"100 Main St","city":"Los Angeles","zip":"90001","county_fips":"06037","hftd_tier":3}`, e.admin,
				"premise", "update", admin, "hftd_tier", 0.0, 3.0},
			{"replace account", "PUT", "/api/v1/accounts/" + a1, acctBody, e.writeClient,
				"account", "update", writer, "rate_schedule", "TOU-D-4-9PM", "TOU-D-5-8PM"},
			{"create meter", "POST", "/api/v1/meters", `{"account_id":` + a1 + `,"serial":"M-0002","interval_seconds":900,"installed":"2026-01-01"}`, e.admin,
				"meter", "create", admin, "serial", nil, "M-0002"},
			{"replace meter", "PUT", "/api/v1/meters/" + itoa(e.meter1.ID), meterBody, e.admin,
				"meter", "update", admin, "removed", "", "2026-06-01"},
			{"enroll", "POST", "/api/v1/accounts/" + itoa(e.acct2.ID) + "/enrollments", `{"program":"power_response","track":"commercial_leaders","start_date":"2026-02-01"}`, e.admin,
				"enrollment", "create", admin, "program", nil, "power_response"},
			{"end enrollment", "POST", "/api/v1/accounts/" + a1 + "/enrollments/" + itoa(e.care1.ID) + "/end", `{"end_date":"2026-07-01"}`, e.writeClient,
				"enrollment", "update", writer, "end_date", "", "2026-07-01"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e.t = t
				var out struct {
					ID int64 `json:"id"`
				}
				res := e.do(tt.method, tt.path, tt.body, tt.who)
				if res.status != 200 && res.status != 201 {
					t.Fatalf("status %d: %s", res.status, res.body)
				}
				res.decode(t, &out)
				var page list[auditJSON]
				e.do("GET", "/api/v1/audit?entity="+tt.entity+"&entity_id="+itoa(out.ID)+"&limit=1", "", e.analyst).
					want(t, http.StatusOK).decode(t, &page)
				if len(page.Data) != 1 {
					t.Fatalf("no audit record for %s %d", tt.entity, out.ID)
				}
				rec := page.Data[0]
				if rec.Actor != tt.actor || rec.Action != tt.action {
					t.Errorf("audit actor %q action %q, want %q %q", rec.Actor, rec.Action, tt.actor, tt.action)
				}
				if got := auditField(t, rec.Before, tt.field); fmt.Sprint(got) != fmt.Sprint(tt.before) {
					t.Errorf("before.%s = %v, want %v", tt.field, got, tt.before)
				}
				if got := auditField(t, rec.After, tt.field); fmt.Sprint(got) != fmt.Sprint(tt.after) {
					t.Errorf("after.%s = %v, want %v", tt.field, got, tt.after)
				}
			})
		}
	})
}

// auditField returns one field of an audited value, or nil for null.
func auditField(t *testing.T, raw json.RawMessage, field string) any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("audit value %s: %v", raw, err)
	}
	if m == nil {
		return nil
	}
	return m[field]
}

// TestAuditPagination walks the audit log of one entity newest first.
func TestAuditPagination(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	path := "/api/v1/customers/" + itoa(e.cust1.ID)
	for _, name := range []string{"A One", "A Two", "A Three"} {
		e.do("PUT", path, `{"kind":"person","name":"`+name+`"}`, e.admin).want(t, http.StatusOK)
	}
	var names []string
	url := "/api/v1/audit?entity=customer&entity_id=" + itoa(e.cust1.ID) + "&limit=2"
	for range 3 {
		var page list[auditJSON]
		e.do("GET", url, "", e.admin).want(t, http.StatusOK).decode(t, &page)
		for _, r := range page.Data {
			names = append(names, fmt.Sprint(auditField(t, r.After, "name")))
		}
		if page.NextCursor == nil {
			break
		}
		url = "/api/v1/audit?entity=customer&entity_id=" + itoa(e.cust1.ID) + "&limit=2&after=" + *page.NextCursor
	}
	want := []string{"A Three", "A Two", "A One", "Ana Reyes"}
	if fmt.Sprint(names) != fmt.Sprint(want) {
		t.Errorf("audit walk = %q, want %q", names, want)
	}
}
