package api

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gridbook/gridbook/internal/store/storetest"
)

func ptr[T any](v T) *T { return &v }

// TestRegistryRoundTrip creates a customer, premise, account, meter and
// enrollment through the API, reads each back, replaces it, and reads the
// replacement back.
func TestRegistryRoundTrip(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newEnv(t, open)

		var c customerJSON
		e.do("POST", "/api/v1/customers", `{"kind":"person","name":"  Carmen Ortiz ","email":"carmen@example.org","phone":"+1 213 555 0101"}`, e.admin).
			want(t, http.StatusCreated).decode(t, &c)
		var got customerJSON
		e.do("GET", "/api/v1/customers/"+itoa(c.ID), "", e.admin).want(t, http.StatusOK).decode(t, &got)
		want := customerJSON{ID: c.ID, Kind: "person", Name: "Carmen Ortiz", Email: "carmen@example.org", Phone: "+1 213 555 0101"}
		if d := cmp.Diff(want, got, cmpopts.IgnoreFields(customerJSON{}, "CreatedAt", "UpdatedAt")); d != "" {
			t.Errorf("customer (-want +got):\n%s", d)
		}
		e.do("PUT", "/api/v1/customers/"+itoa(c.ID), `{"kind":"person","name":"Carmen Ortiz-Reyes"}`, e.writeClient).want(t, http.StatusOK)
		e.do("GET", "/api/v1/customers/"+itoa(c.ID), "", e.admin).want(t, http.StatusOK).decode(t, &got)
		if got.Name != "Carmen Ortiz-Reyes" || got.Email != "" {
			t.Errorf("after PUT: name %q email %q, want Carmen Ortiz-Reyes and an empty email (PUT replaces)", got.Name, got.Email)
		}

		// 91505 is climate zone 9 in the CZ2010 ZIP table, and tract
		// 06037102105 is on the SB 535 (2022) list as ces4_top25
		// (internal/reference/data).
		var p premiseJSON
		e.do("POST", "/api/v1/premises", `{"address":"12 Elm St","city":"Burbank","zip":"91505","county_fips":"06037",
			"member_agency":"Unincorporated Los Angeles County","tract_geoid":"06037102105","hftd_tier":2}`, e.manager).want(t, http.StatusCreated).decode(t, &p)
		if p.ClimateZone != 9 || !p.DAC || p.DACCategory != "ces4_top25" || p.HFTDTier != 2 || p.ClimateZoneOverride {
			t.Errorf("premise = %+v, want zone 9, DAC ces4_top25, tier 2", p)
		}
		var gotP premiseJSON
		e.do("GET", "/api/v1/premises/"+itoa(p.ID), "", e.analyst).want(t, http.StatusOK).decode(t, &gotP)
		if d := cmp.Diff(p, gotP); d != "" {
			t.Errorf("premise read back (-created +read):\n%s", d)
		}
		e.do("PUT", "/api/v1/premises/"+itoa(p.ID), `{"address":"12 Elm St","city":"Burbank","zip":"91505","county_fips":"06037",
			"climate_zone":16,"climate_zone_reason":"site survey found mountain exposure"}`, e.manager).want(t, http.StatusOK).decode(t, &gotP)
		if gotP.ClimateZone != 16 || !gotP.ClimateZoneOverride || gotP.ClimateZoneTable != "override" || gotP.DAC {
			t.Errorf("premise after override = %+v, want zone 16 overridden and no tract (so no DAC)", gotP)
		}

		var a accountJSON
		e.do("POST", "/api/v1/accounts", `{"number":"7000000100","customer_id":`+itoa(c.ID)+`,"premise_id":`+itoa(p.ID)+`,
			"class":"residential","rate_schedule":"tou-d-5-8pm","lse":"cca","service_start":"2026-03-08",
			"household_size":3,"household_income_cents":0,"income_verification":"categorical","income_verified_on":"2026-03-01"}`, e.admin).
			want(t, http.StatusCreated).decode(t, &a)
		wantA := accountJSON{ID: a.ID, Number: "7000000100", CustomerID: c.ID, PremiseID: p.ID, Class: "residential",
			RateSchedule: "TOU-D-5-8PM", LSE: "cca", ServiceStart: "2026-03-08", HouseholdSize: ptr(3), HouseholdIncomeCents: ptr(int64(0)),
			IncomeVerification: ptr("categorical"), IncomeVerifiedOn: ptr("2026-03-01")}
		var gotA accountJSON
		e.do("GET", "/api/v1/accounts/"+itoa(a.ID), "", e.readClient).want(t, http.StatusOK).decode(t, &gotA)
		if d := cmp.Diff(wantA, gotA, cmpopts.IgnoreFields(accountJSON{}, "CreatedAt", "UpdatedAt")); d != "" {
			t.Errorf("account (-want +got):\n%s", d)
		}
		e.do("PUT", "/api/v1/accounts/"+itoa(a.ID), `{"number":"7000000100","customer_id":`+itoa(c.ID)+`,"premise_id":`+itoa(p.ID)+`,
			"class":"residential","rate_schedule":"TOU-D-5-8PM","lse":"bundled","service_start":"2026-03-08","service_end":"2026-11-01"}`, e.admin).
			want(t, http.StatusOK).decode(t, &gotA)
		if gotA.LSE != "bundled" || gotA.ServiceEnd == nil || *gotA.ServiceEnd != "2026-11-01" || gotA.HouseholdSize != nil {
			t.Errorf("account after PUT = %+v, want bundled, ended 2026-11-01, no household", gotA)
		}

		var m meterJSON
		e.do("POST", "/api/v1/meters", `{"account_id":`+itoa(a.ID)+`,"serial":"M-0100","interval_seconds":900,"installed":"2026-03-08"}`, e.admin).
			want(t, http.StatusCreated).decode(t, &m)
		if len(m.Channels) != 1 || m.Channels[0].Direction != "delivered" || m.Channels[0].IntervalSeconds != 900 {
			t.Errorf("meter channels = %+v, want one delivered 900 s channel by default", m.Channels)
		}
		e.do("PUT", "/api/v1/meters/"+itoa(m.ID), `{"account_id":`+itoa(a.ID)+`,"serial":"M-0100","interval_seconds":900,"installed":"2026-03-08",
			"channels":[{"direction":"delivered"},{"direction":"received"}]}`, e.admin).want(t, http.StatusOK).decode(t, &m)
		var gotM meterJSON
		e.do("GET", "/api/v1/meters/"+itoa(m.ID), "", e.admin).want(t, http.StatusOK).decode(t, &gotM)
		if d := cmp.Diff(m, gotM); d != "" || len(gotM.Channels) != 2 {
			t.Errorf("meter after adding a received channel (-put +get):\n%s", d)
		}

		var en enrollmentJSON
		e.do("POST", "/api/v1/accounts/"+itoa(a.ID)+"/enrollments", `{"program":"CARE","start_date":"2026-04-01","note":"categorically eligible (CalFresh)"}`, e.admin).
			want(t, http.StatusCreated).decode(t, &en)
		if en.Program != "care" || en.StartDate != "2026-04-01" || en.EndDate != nil || en.Source != "staff" {
			t.Errorf("enrollment = %+v", en)
		}
		e.do("POST", "/api/v1/accounts/"+itoa(a.ID)+"/enrollments/"+itoa(en.ID)+"/end", `{"end_date":"2026-10-01"}`, e.admin).
			want(t, http.StatusOK).decode(t, &en)
		var ens list[enrollmentJSON]
		e.do("GET", "/api/v1/accounts/"+itoa(a.ID)+"/enrollments", "", e.admin).want(t, http.StatusOK).decode(t, &ens)
		if len(ens.Data) != 1 || ens.Data[0].EndDate == nil || *ens.Data[0].EndDate != "2026-10-01" {
			t.Errorf("enrollments = %+v, want the CARE enrollment ended 2026-10-01", ens.Data)
		}
	})
}

// TestEndEnrollmentRules checks that an enrollment ends once, only under
// its own account, and only after it starts.
func TestEndEnrollmentRules(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	care := itoa(e.care1.ID)
	tests := []struct {
		name, path, body string
		status           int
	}{
		{"under another account", "/api/v1/accounts/" + itoa(e.acct2.ID) + "/enrollments/" + care + "/end", `{"end_date":"2026-01-01"}`, 404},
		{"unknown enrollment", "/api/v1/accounts/" + itoa(e.acct1.ID) + "/enrollments/999/end", `{"end_date":"2026-01-01"}`, 404},
		{"end before start", "/api/v1/accounts/" + itoa(e.acct1.ID) + "/enrollments/" + care + "/end", `{"end_date":"2024-12-31"}`, 400},
		{"missing end date", "/api/v1/accounts/" + itoa(e.acct1.ID) + "/enrollments/" + care + "/end", `{}`, 400},
		{"ends", "/api/v1/accounts/" + itoa(e.acct1.ID) + "/enrollments/" + care + "/end", `{"end_date":"2026-01-01"}`, 200},
		{"already ended", "/api/v1/accounts/" + itoa(e.acct1.ID) + "/enrollments/" + care + "/end", `{"end_date":"2026-02-01"}`, 409},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.t = t
			e.do("POST", tt.path, tt.body, e.admin).want(t, tt.status)
		})
	}
}
