package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestBadInputNamesFieldAndWritesNothing sends each kind of bad input the
// registry must refuse and checks for a 400 problem naming the field, and
// that nothing was written (registry rows, enrollments, audit records,
// idempotency keys).
func TestBadInputNamesFieldAndWritesNothing(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newEnv(t, open)
		acct := func(extra string) string {
			return `{"number":"7000000200","customer_id":` + itoa(e.cust1.ID) + `,"premise_id":` + itoa(e.prem1.ID) +
				`,"class":"residential","rate_schedule":"TOU-D-4-9PM","lse":"cca","service_start":"2026-01-01"` + extra + `}`
		}
		premise := func(zip, tract string) string {
			return `{"address":"1 A St","city":"Los Angeles","zip":"` + zip + `","county_fips":"06037","tract_geoid":"` + tract + `"}`
		}
		enroll := "/api/v1/accounts/" + itoa(e.acct1.ID) + "/enrollments"
		tests := []struct {
			name, method, path, body string
			field                    string
		}{
			{"ZIP not in the California table", "POST", "/api/v1/premises", premise("99999", ""), "zip"},
			{"ZIP not five digits", "POST", "/api/v1/premises", premise("9000", ""), "zip"},
			{"tract in a county that does not exist", "POST", "/api/v1/premises", premise("90001", "06999000100"), "tract_geoid"},
			{"tract outside the premise's county", "POST", "/api/v1/premises", premise("90001", "06001400900"), "tract_geoid"},
			{"climate zone override without reason", "POST", "/api/v1/premises",
				`{"address":"1 A St","city":"Los Angeles","zip":"90001","county_fips":"06037","climate_zone":9}`, "climate_zone_reason"},
			{"tract that does not exist", "POST", "/api/v1/premises", premise("90001", "06037999999"), "tract_geoid"},
			{"ZIP of another county", "POST", "/api/v1/premises", premise("93030", ""), "zip"},
			{"member agency not in the table", "POST", "/api/v1/premises",
				`{"address":"1 A St","city":"Burbank","zip":"91505","county_fips":"06037","member_agency":"Burbank"}`, "member_agency"},
			// Account 1 is on CARE from 2025-01-01 with no end; its household
			// (4 persons, $64,300) is at the CARE limit, so FERA needs a note.
			{"FERA overlapping CARE", "POST", enroll, `{"program":"fera","start_date":"2026-01-01","note":"utility file"}`, "start_date"},
			{"CARE failing the 2024-25 income test without a note", "POST", enroll, `{"program":"care","start_date":"2024-06-01","end_date":"2024-12-01"}`, "note"},
			{"CARE on a commercial account", "POST", "/api/v1/accounts/" + itoa(e.acct2.ID) + "/enrollments",
				`{"program":"care","start_date":"2026-01-01","note":"owner asked"}`, "program"},
			// Account 1's service started 2024-01-01.
			{"enrollment before service start", "POST", enroll, `{"program":"power_response","start_date":"2023-12-31"}`, "start_date"},
			{"income without a verification source", "POST", "/api/v1/accounts", acct(`,"household_size":2,"household_income_cents":5000000`), "income_verification"},
			{"enrollment date that does not exist", "POST", enroll, `{"program":"fera","start_date":"2026-02-29"}`, "start_date"},
			{"household size 0", "POST", "/api/v1/accounts", acct(`,"household_size":0,"household_income_cents":5000000`), "household_size"},
			{"negative income", "POST", "/api/v1/accounts", acct(`,"household_size":2,"household_income_cents":-1`), "household_income_cents"},
			{"income without household size", "POST", "/api/v1/accounts", acct(`,"household_income_cents":5000000`), "household_size"},
			{"household size of the wrong type", "POST", "/api/v1/accounts", acct(`,"household_size":"four","household_income_cents":1`), "household_size"},
			{"income with a fraction of a cent", "POST", "/api/v1/accounts", acct(`,"household_size":2,"household_income_cents":10.5`), "household_income_cents"},
			{"unknown field", "POST", "/api/v1/accounts", acct(`,"houshold_size":2`), "houshold_size"},
			{"read-only field sent", "POST", "/api/v1/customers", `{"id":5,"kind":"person","name":"X"}`, "id"},
			{"malformed JSON", "POST", "/api/v1/customers", `{"kind":"person","name":"X"`, "body"},
			{"not JSON at all", "POST", "/api/v1/customers", `kind=person`, "body"},
			{"two JSON values", "POST", "/api/v1/customers", `{"kind":"person","name":"X"} {}`, "body"},
			{"array instead of object", "POST", "/api/v1/customers", `[]`, "body"},
			{"empty body", "POST", "/api/v1/customers", ``, "body"},
			{"service start that does not exist", "PUT", "/api/v1/accounts/" + itoa(e.acct1.ID),
				strings.Replace(acct(""), "2026-01-01", "2026-02-30", 1), "service_start"},
			{"unknown customer", "POST", "/api/v1/accounts", strings.Replace(acct(""), `"customer_id":`+itoa(e.cust1.ID), `"customer_id":999`, 1), "customer_id"},
			{"bad customer kind", "POST", "/api/v1/customers", `{"kind":"robot","name":"X"}`, "kind"},
			{"meter interval", "POST", "/api/v1/meters", `{"account_id":` + itoa(e.acct1.ID) + `,"serial":"M-9","interval_seconds":600,"installed":"2026-01-01"}`, "interval_seconds"},
			{"meter interval cannot change", "PUT", "/api/v1/meters/" + itoa(e.meter1.ID), `{"account_id":` + itoa(e.acct1.ID) +
				`,"serial":"M-0001","interval_seconds":900,"installed":"2024-01-01","channels":[{"direction":"delivered"},{"direction":"received"}]}`, "interval_seconds"},
			{"meter channel cannot be removed", "PUT", "/api/v1/meters/" + itoa(e.meter1.ID), `{"account_id":` + itoa(e.acct1.ID) +
				`,"serial":"M-0001","interval_seconds":3600,"installed":"2024-01-01"}`, "channels"},
			{"limit out of range", "GET", "/api/v1/accounts?limit=0", "", "limit"},
			{"misspelt filter", "GET", "/api/v1/accounts?clas=residential", "", "clas"},
			{"unknown class", "GET", "/api/v1/accounts?class=industrial", "", "class"},
			{"bad cursor", "GET", "/api/v1/customers?after=abc", "", "after"},
			{"bad date filter", "GET", "/api/v1/portfolio?on=2026-13-01", "", "on"},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e.t = t
				before := e.size()
				res := e.do(tt.method, tt.path, tt.body, e.admin, "Idempotency-Key", "bad-input-"+itoa(int64(i)))
				p := res.want(t, http.StatusBadRequest).problem(t)
				found := false
				for _, f := range p.Errors {
					found = found || f.Field == tt.field
				}
				if !found {
					t.Errorf("errors %+v do not name %q", p.Errors, tt.field)
				}
				if after := e.size(); after != before {
					t.Errorf("refused request changed the database: %v → %v", before, after)
				}
			})
		}
	})
}

// TestRequestLimits checks the body size limit and the media type.
func TestRequestLimits(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	big := `{"kind":"person","name":"` + strings.Repeat("x", 1<<20) + `"}`
	p := e.do("POST", "/api/v1/customers", big, e.admin).want(t, http.StatusRequestEntityTooLarge).problem(t)
	if p.Status != 413 {
		t.Errorf("problem status = %d", p.Status)
	}
	p = e.do("POST", "/api/v1/customers", `{"kind":"person","name":"X"}`, e.admin, "Content-Type", "text/plain").
		want(t, http.StatusBadRequest).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "Content-Type" {
		t.Errorf("errors = %+v, want Content-Type", p.Errors)
	}
}

// TestFieldErrorsGiveTheReason checks that a refused premise or account
// names the field with the reference table's reason, not "invalid input".
// Messages are the tables' own: the CEC ZIP table has no 99999, the Census
// 2010 tract list of Los Angeles County has no 999999, and the Census
// ZCTA–county file puts 93030 in Ventura County.
func TestFieldErrorsGiveTheReason(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	tests := []struct {
		name, path, body, field, msg string
	}{
		{"ZIP not in the table", "/api/v1/premises", `{"address":"1 A St","city":"Los Angeles","zip":"99999","county_fips":"06037"}`,
			"zip", "ZIP 99999 is not a California ZIP in the climate-zone table"},
		{"tract that does not exist", "/api/v1/premises",
			`{"address":"1 A St","city":"Los Angeles","zip":"90001","county_fips":"06037","tract_geoid":"06037999999"}`,
			"tract_geoid", "census tract 06037999999 is not a 2010 tract of Los Angeles County"},
		{"ZIP of another county", "/api/v1/premises", `{"address":"1 A St","city":"Oxnard","zip":"93030","county_fips":"06037"}`,
			"zip", "ZIP 93030 is in Ventura County, not Los Angeles County"},
		{"income without verification", "/api/v1/accounts", `{"number":"7000000300","customer_id":` + itoa(e.cust1.ID) +
			`,"premise_id":` + itoa(e.prem1.ID) + `,"class":"residential","rate_schedule":"TOU-D-4-9PM","lse":"cca",` +
			`"service_start":"2026-01-01","household_size":2,"household_income_cents":5000000}`,
			"income_verification", "is required with household income: self_attested, documents, categorical or utility"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := e.do("POST", tt.path, tt.body, e.admin).want(t, http.StatusBadRequest).problem(t)
			var got []string
			for _, f := range p.Errors {
				if f.Field == tt.field {
					got = append(got, f.Msg)
				}
			}
			if len(got) != 1 || got[0] != tt.msg {
				t.Errorf("%s messages %q, want [%q]", tt.field, got, tt.msg)
			}
		})
	}
}
