package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

func TestConsolePagesRender(t *testing.T) {
	s := newTestSite(t)
	admin := s.login(t, "/login", adminEmail)
	for _, tc := range []struct {
		path    string
		want    []string
		notWant []string
	}{
		{"/", []string{"Accounts in service on Mar 10, 2026", `<span class="card-value">3</span>`,
			"In a DAC (SB 535)", "33.33% of accounts", "Oxnard", "Unincorporated Ventura County", "Tier 3",
			"2025-26 (CPUC, 200%/250% of the 2025 HHS poverty guidelines)", "FY2024", "CCA service"},
			[]string{"2024-25 (CPUC", "FY2023"}}, // not in force on 2026-03-10
		{"/customers", []string{"Maria Lopez", "Hillside Winery LLC", "Dana Whitfield", "Organization"}, []string{"Next page"}},
		{"/customers?q=LOPEZ", []string{"Maria Lopez"}, []string{"Hillside", "Dana"}},
		{"/customers?q=3000067890", []string{"Hillside Winery LLC"}, []string{"Maria", "Dana"}},
		{"/customers?q=ocean%20park", []string{"Dana Whitfield"}, []string{"Maria", "Hillside"}},
		{"/customers?q=805-555", []string{"Maria Lopez"}, []string{"Hillside", "Dana"}},
		{"/customers?q=office@hillside", []string{"Hillside Winery LLC"}, []string{"Maria", "Dana"}},
		{"/customers?q=nobody-matches", []string{"No customers match “nobody-matches”."}, nil},
		{fmt.Sprintf("/customers/%d", s.maria.ID), []string{"<h1>Maria Lopez</h1>", "3000012345", "Residential", "TOU-D-4-9PM",
			"Oxnard, CA 93030", "Ventura", "<strong>Zone 6</strong>", "06111004902", "CalEnviroScreen 4.0 top 25%",
			"Outside the HFTD", "4 persons · $52,000.00 a year", "self-attested", `badge-care">CARE`, "2025-07-01",
			"OX-1001", "15 min", "delivered, received", "Audit trail", "$52,000.00"}, nil},
		{fmt.Sprintf("/customers/%d", s.hillside.ID), []string{"Commercial", "Bundled", "(override: site survey: inland valley parcel)",
			"ZIP table says zone 5", "HFTD Tier 3", "not reported", "No meters."}, nil},
		{fmt.Sprintf("/accounts/%d", s.mariaAcct.ID), []string{"Energy by month (kWh), meter OX-1001",
			"Load profile, Mar 9, 2026 (15-minute average kW)", `value="2026-03-09"`,
			// CARE/FERA 2025-26, 4 persons: CARE up to $64,300, FERA $64,301–$80,375.
			"$64,300.00", "$64,301.00 – $80,375.00", `badge-ok">Eligible`, `badge-danger">Not eligible`,
			"Add enrollment", "Override climate zone", "End enrollment"}, nil},
		{fmt.Sprintf("/accounts/%d", s.hillAcct.ID), []string{"This account has no meter.",
			"No household size and income are on file", "Clear override (use ZIP table)"}, nil},
		{"/audit", []string{"Audit log", "login", "ana@cpa.example", "customer 1"}, nil},
		{"/customers/new", []string{"New customer", `name="zip"`, `<option value="Oxnard">Oxnard (Ventura)</option>`}, nil},
	} {
		t.Run(tc.path, func(t *testing.T) {
			w := s.get(t, tc.path, admin)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d:\n%s", w.Code, w.Body)
			}
			body := w.Body.String()
			for _, want := range tc.want {
				if !strings.Contains(body, want) {
					t.Errorf("lacks %q", want)
				}
			}
			for _, bad := range tc.notWant {
				if strings.Contains(body, bad) {
					t.Errorf("contains %q", bad)
				}
			}
		})
	}
}

func TestUnknownRecordsAreNotFound(t *testing.T) {
	s := newTestSite(t)
	admin := s.login(t, "/login", adminEmail)
	for _, p := range []string{"/customers/999", "/customers/abc", "/accounts/999", "/accounts/-1", "/no/such/page"} {
		if w := s.get(t, p, admin); w.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, w.Code)
		}
	}
}

func TestLiveSearchSendsOnlyTheResultsBlock(t *testing.T) {
	s := newTestSite(t)
	admin := s.login(t, "/login", adminEmail)
	req := map[string]string{"HX-Request": "true", "HX-Target": "results"}
	w := getWith(t, s, "/customers?q=dana", admin, req)
	body := strings.TrimSpace(w.Body.String())
	if !strings.HasPrefix(body, `<section id="results"`) || strings.Contains(body, "<html") || strings.Contains(body, `id="f-q"`) {
		t.Errorf("htmx search answered more than the results block:\n%.400s", body)
	}
	if !strings.Contains(body, "Dana Whitfield") || strings.Contains(body, "Maria") {
		t.Errorf("results block has the wrong rows:\n%s", body)
	}
}

func TestCustomerListPagesWithACursor(t *testing.T) {
	s := newTestSite(t)
	ctx := context.Background()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		for i := range 52 {
			c := customer.Customer{Kind: customer.Person, Name: fmt.Sprintf("Paging Person %02d", i)}
			if err := tx.CreateCustomer(ctx, seedActor, &c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	admin := s.login(t, "/login", adminEmail)
	rows := regexp.MustCompile(`Paging Person \d\d`)
	next := regexp.MustCompile(`href="(/customers\?after=\d+&amp;q=paging)">Next page`)
	w := s.get(t, "/customers?q=paging", admin)
	if n := len(rows.FindAllString(w.Body.String(), -1)); n != 50 {
		t.Errorf("first page has %d rows, want 50", n)
	}
	m := next.FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatalf("first page has no Next page link:\n%s", w.Body)
	}
	w = s.get(t, html.UnescapeString(m[1]), admin)
	got := rows.FindAllString(w.Body.String(), -1)
	if len(got) != 2 || got[0] != "Paging Person 50" || got[1] != "Paging Person 51" {
		t.Errorf("second page rows = %q, want Paging Person 50 and 51", got)
	}
	if strings.Contains(w.Body.String(), "Next page") {
		t.Error("last page offers a next page")
	}
}

func TestLoadProfileFollowsDSTDays(t *testing.T) {
	s := newTestSite(t)
	admin := s.login(t, "/login", adminEmail)
	chart := regexp.MustCompile(`<div id="profile"[\s\S]*?data-chart="([^"]*)"`)
	for _, tc := range []struct {
		day  string
		want int
	}{
		{"2026-03-07", 96},  // an ordinary day of 15-minute intervals
		{"2026-03-08", 92},  // spring forward: 23 hours
		{"2025-11-02", 100}, // fall back: 25 hours
	} {
		w := getWith(t, s, fmt.Sprintf("/accounts/%d?day=%s", s.mariaAcct.ID, tc.day), admin,
			map[string]string{"HX-Request": "true", "HX-Target": "profile"})
		m := chart.FindStringSubmatch(w.Body.String())
		if m == nil {
			t.Fatalf("%s: no profile chart:\n%s", tc.day, w.Body)
		}
		var spec struct {
			X      []int64 `json:"x"`
			Series []struct {
				Label string `json:"label"`
			} `json:"series"`
		}
		if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &spec); err != nil {
			t.Fatal(err)
		}
		if len(spec.X) != tc.want || len(spec.Series) != 2 {
			t.Errorf("%s: %d intervals and %d series, want %d and 2", tc.day, len(spec.X), len(spec.Series), tc.want)
		}
	}
}

func TestAnalystSeesNoWriteControlsAndWritesAreForbidden(t *testing.T) {
	s := newTestSite(t)
	analyst := s.login(t, "/login", analystEmail)
	acct := fmt.Sprintf("/accounts/%d", s.mariaAcct.ID)
	for _, p := range []string{"/", "/customers", acct, fmt.Sprintf("/customers/%d", s.maria.ID)} {
		body := s.get(t, p, analyst).Body.String()
		for _, control := range []string{`method="post" action="/accounts`, `href="/customers/new"`, "End enrollment", "Override climate zone"} {
			if strings.Contains(body, control) {
				t.Errorf("%s shows the analyst %q", p, control)
			}
		}
	}
	before := auditCount(t, s)
	for _, p := range []string{"/customers", acct + "/enrollments", acct + "/climate-zone", acct + "/climate-zone/clear",
		fmt.Sprintf("%s/enrollments/%d/end", acct, s.mariaCARE.ID)} {
		w := s.post(t, p, analyst, map[string][]string{"program": {"medical_baseline"}, "start_date": {"2026-03-10"},
			"source": {"staff"}, "climate_zone": {"9"}, "climate_zone_reason": {"x"}, "end_date": {"2026-03-10"}})
		if w.Code != http.StatusForbidden {
			t.Errorf("analyst POST %s = %d, want 403", p, w.Code)
		}
	}
	if s.get(t, "/customers/new", analyst).Code != http.StatusForbidden {
		t.Error("analyst can open the new-customer form")
	}
	if auditCount(t, s) != before {
		t.Error("a refused analyst POST wrote to the audit log")
	}
}

func TestAddEnrollmentChecksEligibilityAndOverlap(t *testing.T) {
	s := newTestSite(t)
	pm := s.login(t, "/login", managerEmail)
	dana := fmt.Sprintf("/accounts/%d/enrollments", s.danaAcct.ID)
	maria := fmt.Sprintf("/accounts/%d/enrollments", s.mariaAcct.ID)
	form := func(program, start, note string) map[string][]string {
		return map[string][]string{"program": {program}, "start_date": {start}, "source": {"staff"}, "note": {note}}
	}
	for _, tc := range []struct {
		name       string
		path       string
		form       map[string][]string
		wantStatus int
		wantField  string // id of the input whose error must show
		wantText   string
	}{
		// Dana: 2 persons, $45,000; 2025-26 CARE limit for 1–2 persons is $42,300.
		{"CARE over the limit needs a note", dana, form("care", "2026-03-10", ""), 400, "f-note", "exceeds CARE limit $42,300 for 2 persons"},
		// With a note the income test is waived, but Dana's open FERA period overlaps.
		{"CARE overlapping FERA is refused by the store", dana, form("care", "2026-03-10", "utility verified categorically"), 400,
			"f-start_date", "CARE period overlaps the FERA period that starts 2025-10-01; CARE and FERA cannot overlap"},
		// Maria: 4 persons, $52,000 is at or below the CARE limit, so not FERA.
		{"FERA below its range needs a note", maria, form("fera", "2026-03-10", ""), 400, "f-note", "CARE applies instead"},
		{"double enrollment is a conflict", maria, form("care", "2026-03-10", ""), 409, "", "account is already enrolled in care from 2025-07-01"},
		{"a bad start date is reported on its field", maria, form("medical_baseline", "03/10/2026", ""), 400, "f-start_date", "must be a date such as 2026-03-08"},
		{"another program needs its code", maria, form("other", "2026-03-10", ""), 400, "f-program_other", "name the program"},
		// Hillside is a commercial account; CARE is a residential rate.
		{"CARE on a commercial account is refused", fmt.Sprintf("/accounts/%d/enrollments", s.hillAcct.ID),
			form("care", "2026-03-10", "owner asked"), 400, "f-program", "CARE is only for residential accounts; account 3000067890 is commercial"},
		// Maria's service started 2023-04-01.
		{"an enrollment before service start is refused", maria, form("medical_baseline", "2023-03-31", ""), 400,
			"f-start_date", "must be on or after the account's service start, 2023-04-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := auditCount(t, s)
			w := s.post(t, tc.path, pm, tc.form)
			body := w.Body.String()
			if w.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d:\n%s", w.Code, tc.wantStatus, body)
			}
			if !strings.Contains(html.UnescapeString(body), tc.wantText) {
				t.Errorf("page lacks %q", tc.wantText)
			}
			if tc.wantField != "" && !strings.Contains(body, `id="`+tc.wantField+`-error"`) {
				t.Errorf("no inline error on %s", tc.wantField)
			}
			if auditCount(t, s) != before {
				t.Error("a refused enrollment wrote")
			}
		})
	}

	w := s.post(t, maria, pm, map[string][]string{"program": {"medical_baseline"}, "start_date": {"2026-03-10"}, "source": {"staff"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != fmt.Sprintf("/accounts/%d", s.mariaAcct.ID) {
		t.Fatalf("valid enrollment: %d to %q", w.Code, w.Header().Get("Location"))
	}
	es, err := s.db.Enrollments(context.Background(), s.mariaAcct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || es[1].Program != "medical_baseline" || es[1].From.String() != "2026-03-10" || es[1].Source != "staff" {
		t.Errorf("enrollments after the POST: %+v", es)
	}
	recs, err := s.db.AuditLog(context.Background(), store.AuditFilter{Entity: "enrollment", Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || !strings.Contains(recs[0].Actor, managerEmail) {
		t.Errorf("enrollment audit = %+v, want actor %s", recs, managerEmail)
	}
}

func TestEndEnrollment(t *testing.T) {
	s := newTestSite(t)
	pm := s.login(t, "/login", managerEmail)
	end := fmt.Sprintf("/accounts/%d/enrollments/%d/end", s.mariaAcct.ID, s.mariaCARE.ID)

	w := s.post(t, end, pm, map[string][]string{"end_date": {"2025-06-01"}})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "Could not end the CARE enrollment: end date must be after start_date") {
		t.Errorf("end before start: %d\n%s", w.Code, w.Body)
	}
	other := fmt.Sprintf("/accounts/%d/enrollments/%d/end", s.danaAcct.ID, s.mariaCARE.ID)
	if w := s.post(t, other, pm, map[string][]string{"end_date": {"2026-03-10"}}); w.Code != http.StatusNotFound {
		t.Errorf("ending another account's enrollment: %d, want 404", w.Code)
	}
	w = s.post(t, end, pm, map[string][]string{"end_date": {"2026-03-10"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("end: %d\n%s", w.Code, w.Body)
	}
	es, err := s.db.Enrollments(context.Background(), s.mariaAcct.ID)
	if err != nil {
		t.Fatal(err)
	}
	if es[0].To.String() != "2026-03-10" {
		t.Errorf("CARE ends %s, want 2026-03-10", es[0].To)
	}
}

func TestClimateZoneOverrideNeedsZoneAndReasonAndCanBeCleared(t *testing.T) {
	s := newTestSite(t)
	pm := s.login(t, "/login", managerEmail)
	base := fmt.Sprintf("/accounts/%d/climate-zone", s.mariaAcct.ID)

	w := s.post(t, base, pm, map[string][]string{"climate_zone": {"17"}, "climate_zone_reason": {""}})
	body := w.Body.String()
	if w.Code != http.StatusBadRequest || !strings.Contains(body, "must be between 1 and 16") ||
		!strings.Contains(body, "is required when the climate zone is overridden") {
		t.Fatalf("bad override: %d\n%s", w.Code, body)
	}
	if w := s.post(t, base, pm, map[string][]string{"climate_zone": {"9"}, "climate_zone_reason": {"CEC lookup for parcel"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("override: %d\n%s", w.Code, w.Body)
	}
	p, err := s.db.Premise(context.Background(), s.mariaPremise.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !p.ClimateZoneOverride || p.ClimateZone != 9 || p.ClimateZoneReason != "CEC lookup for parcel" {
		t.Errorf("after override: %+v", p)
	}
	page := s.get(t, fmt.Sprintf("/accounts/%d", s.mariaAcct.ID), pm).Body.String()
	for _, want := range []string{"(override: CEC lookup for parcel)", "ZIP table says zone 6", "Clear override (use ZIP table)"} {
		if !strings.Contains(page, want) {
			t.Errorf("account page lacks %q", want)
		}
	}
	if w := s.post(t, base+"/clear", pm, nil); w.Code != http.StatusSeeOther {
		t.Fatalf("clear: %d", w.Code)
	}
	if p, _ = s.db.Premise(context.Background(), s.mariaPremise.ID); p.ClimateZoneOverride || p.ClimateZone != 6 {
		t.Errorf("after clear: override %v zone %d, want the ZIP table's 6", p.ClimateZoneOverride, p.ClimateZone)
	}
}

// newCustomerForm is a valid new-customer form; tests change fields.
func newCustomerForm() map[string][]string {
	return map[string][]string{
		"kind": {"person"}, "name": {"Rosa Delgado"}, "email": {"rosa@example.org"}, "phone": {"805-555-0199"},
		"address": {"77 Pine Avenue"}, "city": {"Oxnard"}, "zip": {"93030"}, "member_agency": {"Oxnard"},
		"tract_geoid": {"06111003900"}, "hftd_tier": {"0"},
		"number": {"3000055555"}, "class": {"residential"}, "rate_schedule": {"tou-d-4-9pm"}, "lse": {"cca"},
		"service_start": {"2026-03-01"}, "household_size": {"3"}, "household_income": {"41,000"},
		"income_verification": {"documents"},
	}
}

func TestNewCustomerCreatesAllThreeRecordsInOneTransaction(t *testing.T) {
	s := newTestSite(t)
	admin := s.login(t, "/login", adminEmail)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		change map[string]string
		status int
		fields map[string]string // input → expected error text
	}{
		{"bad ZIP and household size 0", map[string]string{"zip": "9303", "household_size": "0"}, 400,
			map[string]string{"zip": `ZIP must be 5 digits, got &#34;9303&#34;`, "household_size": "must be at least 1"}},
		{"every section's errors at once", map[string]string{"name": "", "email": "not-an-email", "member_agency": "",
			"number": "12", "service_start": "", "tract_geoid": "06037102105"}, 400,
			map[string]string{"name": "is required", "email": "is not a valid email address", "member_agency": "is required",
				"number": "must be 6 to 20 digits", "service_start": "is required"}},
		{"a ZIP not in the table", map[string]string{"zip": "10001"}, 400,
			map[string]string{"zip": "ZIP 10001 is not a California ZIP in the climate-zone table"}},
		{"a ZIP of another county", map[string]string{"zip": "90001"}, 400,
			map[string]string{"zip": "ZIP 90001 is in Los Angeles County, not Ventura County"}},
		{"a tract that does not exist", map[string]string{"tract_geoid": "06111999999"}, 400,
			map[string]string{"tract_geoid": "census tract 06111999999 is not a 2010 tract of Ventura County"}},
		{"income without a verification source", map[string]string{"income_verification": ""}, 400,
			map[string]string{"income_verification": "is required with household income"}},
		// The customer and premise are inserted before the account fails:
		// the transaction must take them back.
		{"duplicate account number", map[string]string{"number": "3000012345"}, 409,
			map[string]string{"number": "account number 3000012345 already exists"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := auditCount(t, s)
			form := newCustomerForm()
			for k, v := range tc.change {
				form[k] = []string{v}
			}
			w := s.post(t, "/customers", admin, form)
			body := w.Body.String()
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d\n%s", w.Code, tc.status, body)
			}
			for field, msg := range tc.fields {
				re := regexp.MustCompile(`id="f-` + field + `-error">([^<]*)<`)
				m := re.FindStringSubmatch(body)
				if m == nil || !strings.Contains(m[1], msg) {
					t.Errorf("%s error = %v, want %q", field, m, msg)
				}
			}
			if !strings.Contains(body, `value="77 Pine Avenue"`) && tc.change["address"] == "" {
				t.Error("typed values were not kept")
			}
			list, err := s.db.Customers(ctx, store.CustomerFilter{Query: "Rosa"})
			if err != nil {
				t.Fatal(err)
			}
			if len(list) != 0 || auditCount(t, s) != before {
				t.Errorf("invalid form wrote: %d customers, audit %d → %d", len(list), before, auditCount(t, s))
			}
		})
	}

	w := s.post(t, "/customers", admin, newCustomerForm())
	if w.Code != http.StatusSeeOther {
		t.Fatalf("valid form: %d\n%s", w.Code, w.Body)
	}
	a, err := s.db.AccountByNumber(ctx, "3000055555")
	if err != nil {
		t.Fatal(err)
	}
	if w.Header().Get("Location") != fmt.Sprintf("/customers/%d", a.CustomerID) {
		t.Errorf("redirect to %q", w.Header().Get("Location"))
	}
	p, err := s.db.Premise(ctx, a.PremiseID)
	if err != nil {
		t.Fatal(err)
	}
	// 93030 is zone 6; 06111003900 is an Oxnard CES 4.0 top-25% tract (sb535_dac_tracts_2022.csv).
	if p.CountyFIPS != "06111" || p.ClimateZone != 6 || !p.DAC || p.DACCategory != "ces4_top25" {
		t.Errorf("premise = %+v", p)
	}
	if a.RateSchedule != "TOU-D-4-9PM" || a.Household == nil || a.Household.Size != 3 || a.Household.AnnualIncome != 4_100_000 {
		t.Errorf("account = %+v household %+v", a, a.Household)
	}
}

func TestPortalPagesShowOnlyTheCustomersOwnAccounts(t *testing.T) {
	s := newTestSite(t)
	dana := s.login(t, "/my/login", danaEmail)
	w := s.get(t, "/my/", dana)
	body := w.Body.String()
	for _, want := range []string{"1418 Ocean Park Blvd", "•••• 1111", "TOU-D-5-8PM", "Community choice",
		"Family Electric Rate Assistance", "Medical Baseline Allowance", "Your monthly electricity (kWh)", "Used from the grid"} {
		if !strings.Contains(body, want) {
			t.Errorf("/my/ lacks %q", want)
		}
	}
	for _, leak := range []string{"3000011111", "Maria", "3000012345", "Hillside", "Sent to the grid"} {
		if strings.Contains(body, leak) {
			t.Errorf("/my/ shows %q", leak)
		}
	}
	maria := s.login(t, "/my/login", mariaEmail)
	if body := s.get(t, fmt.Sprintf("/my/accounts/%d", s.mariaAcct.ID), maria).Body.String(); !strings.Contains(body, "Sent to the grid") ||
		!strings.Contains(body, "California Alternate Rates for Energy") {
		t.Error("Maria's solar account page lacks its received series or CARE")
	}

	// Linked to someone else, nonexistent, or not a number: the same 404.
	var pages []string
	for _, p := range []string{fmt.Sprintf("/my/accounts/%d", s.mariaAcct.ID), "/my/accounts/99999", "/my/accounts/x"} {
		w := s.get(t, p, dana)
		if w.Code != http.StatusNotFound {
			t.Errorf("%s = %d, want 404", p, w.Code)
		}
		pages = append(pages, w.Body.String())
	}
	if pages[0] != pages[1] || pages[1] != pages[2] {
		t.Error("the 404 for another customer's account differs from a nonexistent one")
	}
}

func TestMaskNumberShowsOnlyTheLastFourDigits(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"3000012345", "•••• 2345"}, {"123456", "•••• 3456"}, {"1234", "1234"},
	} {
		if got := maskNumber(tc.in); got != tc.want {
			t.Errorf("maskNumber(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// getWith sends a GET with extra headers (htmx's).
func getWith(t *testing.T, s *testSite, path, session string, headers map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	r.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: session})
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w
}

func TestPremisePageShowsAttributesAccountsAndAuditTrail(t *testing.T) {
	s := newTestSite(t)
	analyst := s.login(t, "/login", analystEmail)
	path := fmt.Sprintf("/premises/%d", s.hillsidePremise.ID)
	w := s.get(t, path, analyst)
	if w.Code != http.StatusOK {
		t.Fatalf("status %d:\n%s", w.Code, w.Body)
	}
	body := html.UnescapeString(w.Body.String())
	// The seed: 8800 Creek Road, Ojai 93023 (zone 5 and doubtful in the ZIP
	// table), zone 9 by override, HFTD Tier 3, Hillside's commercial account.
	for _, want := range []string{"<h1>8800 Creek Road</h1>", "Ojai, CA 93023", "Ventura County", "Unincorporated Ventura County",
		"<strong>Zone 9</strong>", "(override: site survey: inland valley parcel)", "ZIP table says zone 5",
		"CZ2010 (CalTRACK station mapping, 2017)", "not recorded", "unknown (no tract)", "HFTD Tier 3",
		"Accounts at this premise", fmt.Sprintf(`<a href="/accounts/%d" class="mono">3000067890</a>`, s.hillAcct.ID),
		fmt.Sprintf(`<a href="/customers/%d">Hillside Winery LLC</a>`, s.hillside.ID), "Commercial", "TOU-GS-1-D", "Bundled",
		"2019-07-15 – present", "Audit trail", fmt.Sprintf(`<a href="/premises/%d">premise %d</a>`, s.hillsidePremise.ID, s.hillsidePremise.ID)} {
		if !strings.Contains(body, want) {
			t.Errorf("premise page lacks %q", want)
		}
	}
	// Maria's premise: a DAC tract with the SB 535 table version.
	maria := html.UnescapeString(s.get(t, fmt.Sprintf("/premises/%d", s.mariaPremise.ID), analyst).Body.String())
	for _, want := range []string{"06111004902", "CalEnviroScreen 4.0 top 25%", "SB 535 disadvantaged communities 2022 (CalEnviroScreen 4.0, 2010 census tracts)"} {
		if !strings.Contains(maria, want) {
			t.Errorf("Maria's premise page lacks %q", want)
		}
	}
	// Customer and account pages link to it.
	link := fmt.Sprintf(`href="/premises/%d"`, s.mariaPremise.ID)
	for _, p := range []string{fmt.Sprintf("/customers/%d", s.maria.ID), fmt.Sprintf("/accounts/%d", s.mariaAcct.ID)} {
		if !strings.Contains(s.get(t, p, analyst).Body.String(), link) {
			t.Errorf("%s does not link to the premise page", p)
		}
	}
	for _, p := range []string{"/premises/999", "/premises/abc"} {
		if w := s.get(t, p, analyst); w.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, w.Code)
		}
	}
	if w := s.get(t, path, s.login(t, "/my/login", mariaEmail)); w.Code == http.StatusOK {
		t.Error("a customer opened a console premise page")
	}
}

func TestCustomerListShowsTheFirstServiceStart(t *testing.T) {
	s := newTestSite(t)
	body := s.get(t, "/customers", s.login(t, "/login", adminEmail)).Body.String()
	// Service starts of the seed: Maria 2023-04-01, Hillside 2019-07-15,
	// Dana 2024-09-01 (the records were all created on 2026-03-10).
	for _, want := range []string{"(first service start)", "Apr 1, 2023", "Jul 15, 2019", "Sep 1, 2024"} {
		if !strings.Contains(body, want) {
			t.Errorf("customer list lacks %q", want)
		}
	}
	if strings.Contains(body, "Mar 10, 2026") {
		t.Error("customer list shows the record creation date")
	}
}
