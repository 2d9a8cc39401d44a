package api

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/nem/nemtest"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// installers adds two installers, each with an installer user (signed
// in), and an nem:apply client for the first; it returns their creds.
func (e *env) installers() (sunrise, other, sunriseClient cred, sunriseID int64) {
	e.t.Helper()
	ctx := context.Background()
	hash, err := auth.HashPassword("correct horse battery", bcrypt.MinCost)
	if err != nil {
		e.t.Fatal(err)
	}
	tokens := map[string]string{}
	err = e.db.InTx(ctx, func(tx *store.Tx) error {
		for i, name := range []string{"Sunrise Solar Inc.", "Other Solar Co."} {
			in := store.Installer{Name: name, License: fmt.Sprintf("C46-%d", 1000+i)}
			if err := tx.CreateInstaller(ctx, seedActor, &in); err != nil {
				return err
			}
			u := auth.User{Email: fmt.Sprintf("permits%d@installer.example", i), Name: name, Role: auth.Installer, PasswordHash: hash}
			if err := tx.CreateUser(ctx, seedActor, &u); err != nil {
				return err
			}
			if err := tx.LinkInstallerUser(ctx, seedActor, in.ID, u.ID); err != nil {
				return err
			}
			tok, _, err := tx.CreateSession(ctx, u.ID)
			if err != nil {
				return err
			}
			tokens[name] = tok
			if i == 0 {
				sunriseID = in.ID
				c := auth.Client{Name: "sunrise-crm", Scopes: []string{auth.ScopeNEMApply}}
				if tokens["client"], err = tx.CreateClient(ctx, seedActor, &c); err != nil {
					return err
				}
				if err := tx.LinkInstallerClient(ctx, seedActor, in.ID, c.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return session(tokens["Sunrise Solar Inc."]), session(tokens["Other Solar Co."]), bearer(tokens["client"]), sunriseID
}

const rooftopBody = `{"account_number":"7000000001","submit":true,"on":"2025-03-03",
	"system":{"variant":"standard","technology":"solar_pv","capacity_w":7600,"expected_annual_wh":6000000,"annual_use_wh":7000000}}`

// TestNEMApplicationFiledByInstallerWalkedToPTOByStaff: an installer files
// for a customer and sees only its own applications; it may submit and
// withdraw but not approve; staff walk the application to PTO, which
// enrolls the account in nem/nbt; the customer sees it in the portal.
func TestNEMApplicationFiledByInstallerWalkedToPTOByStaff(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newEnv(t, open)
		sunrise, other, client, sunriseID := e.installers()
		var app NEMApplicationJSON
		e.do("POST", "/api/v1/nem/applications", rooftopBody, sunrise).want(t, http.StatusCreated).decode(t, &app)
		if app.InstallerID == nil || *app.InstallerID != sunriseID || app.Status != nem.Submitted || app.Vintage == nil || app.Vintage.Program != "nbt" {
			t.Fatalf("filed %+v", app)
		}
		path := fmt.Sprintf("/api/v1/nem/applications/%d", app.ID)
		var page list[NEMApplicationJSON]
		e.do("GET", "/api/v1/nem/applications", "", client).want(t, http.StatusOK).decode(t, &page)
		if len(page.Data) != 1 || page.Data[0].AccountNumber != "7000000001" {
			t.Errorf("the installer's client lists %+v", page.Data)
		}
		e.do("GET", "/api/v1/nem/applications", "", other).want(t, http.StatusOK).decode(t, &page)
		if len(page.Data) != 0 {
			t.Errorf("another installer sees %d applications", len(page.Data))
		}
		e.do("GET", path, "", other).want(t, http.StatusNotFound)
		e.do("POST", path+"/steps", `{"to":"completeness_review","on":"2025-03-04"}`, sunrise).want(t, http.StatusForbidden)
		// Installers see no registry.
		e.do("GET", "/api/v1/accounts", "", sunrise).want(t, http.StatusForbidden)

		for _, s := range []string{`{"to":"completeness_review","on":"2025-03-04"}`, `{"to":"technical_review","on":"2025-03-05"}`,
			`{"to":"approved","on":"2025-03-20"}`, `{"to":"agreement_signed","on":"2025-03-21"}`,
			`{"to":"meter_ready","on":"2025-03-28","meter_method":"reprogram"}`, `{"to":"pto_issued","on":"2025-04-01"}`} {
			e.do("POST", path+"/steps", s, e.manager).want(t, http.StatusOK)
		}
		var d NEMApplicationDetailJSON
		e.do("GET", path, "", e.portal).want(t, http.StatusOK).decode(t, &d)
		if d.Status != nem.PTOIssued || len(d.History) != 7 || len(d.Decisions) != 2 || d.EnrollmentID == nil ||
			d.Vintage.ExportVintage == nil || *d.Vintage.ExportVintage != 2025 || *d.Vintage.ExportLockEnd != "2034-04-01" {
			t.Errorf("detail %+v", d)
		}
		if d.MeterService.DueOn == nil || *d.MeterService.DueOn != "2025-04-16" || d.MeterService.Late {
			t.Errorf("meter service %+v: 30 business days after 2025-03-05 is 2025-04-16", d.MeterService)
		}
		var enr list[enrollmentJSON]
		e.do("GET", fmt.Sprintf("/api/v1/accounts/%d/enrollments", e.acct1.ID), "", e.admin).want(t, http.StatusOK).decode(t, &enr)
		found := false
		for _, x := range enr.Data {
			found = found || (x.Program == "nem" && x.Track == "nbt" && x.StartDate == "2025-04-01")
		}
		if !found {
			t.Errorf("no nem/nbt enrollment from the PTO date: %+v", enr.Data)
		}
		e.do("GET", "/api/v1/nem/applications", "", e.analyst).want(t, http.StatusOK).decode(t, &page)
		if len(page.Data) != 1 {
			t.Errorf("staff list %d", len(page.Data))
		}
	})
}

// TestNEMBadInputNamesTheRuleAndStoresNothing: the bad input over
// HTTP — 1,001 kW, a technology off the list, VNM shares of 99.99%, a PTO
// before approval — answers 400 naming the field and the rule, and writes
// nothing.
func TestNEMBadInputNamesTheRuleAndStoresNothing(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	for _, c := range []struct{ body, field, rule string }{
		{strings.Replace(rooftopBody, `"capacity_w":7600,"expected_annual_wh":6000000,"annual_use_wh":7000000`,
			`"capacity_w":1001000,"expected_annual_wh":6000000,"annual_use_wh":7000000`, 1), "system.capacity_w", "nem.capacity_1000kw"},
		{strings.Replace(rooftopBody, "solar_pv", "diesel", 1), "system.technology", "nem.technology"},
		{strings.Replace(rooftopBody, `"variant":"standard"`, `"variant":"virtual","allocations":[{"from":"2025-01-01","shares_bp":{"7000000001":6000,"7000000002":3999}}]`, 1),
			"system.allocations[0]", "vnm.shares_100pct"},
	} {
		before := e.size()
		p := e.do("POST", "/api/v1/nem/applications", c.body, e.manager).want(t, http.StatusBadRequest).problem(t)
		ok := false
		for _, fe := range p.Errors {
			ok = ok || (fe.Field == c.field && strings.Contains(fe.Msg, "rule "+c.rule))
		}
		if !ok {
			t.Errorf("errors %+v, want %s naming rule %s", p.Errors, c.field, c.rule)
		}
		if after := e.size(); after != before {
			t.Errorf("%s: rows %v → %v", c.rule, before, after)
		}
	}
	var app NEMApplicationJSON
	e.do("POST", "/api/v1/nem/applications", rooftopBody, e.manager).want(t, http.StatusCreated).decode(t, &app)
	path := fmt.Sprintf("/api/v1/nem/applications/%d/steps", app.ID)
	for _, s := range []string{`{"to":"completeness_review","on":"2025-03-04"}`, `{"to":"technical_review","on":"2025-03-05"}`,
		`{"to":"approved","on":"2025-03-20"}`, `{"to":"agreement_signed","on":"2025-03-21"}`, `{"to":"meter_ready","on":"2025-03-21","meter_method":"swap"}`} {
		e.do("POST", path, s, e.manager).want(t, http.StatusOK)
	}
	before := e.size()
	p := e.do("POST", path, `{"to":"pto_issued","on":"2025-03-19"}`, e.manager).want(t, http.StatusBadRequest).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "on" || !strings.Contains(p.Errors[0].Msg, "rule pto_after_approval") {
		t.Errorf("PTO before approval: %+v", p.Errors)
	}
	if e.size() != before {
		t.Error("the refused PTO wrote rows")
	}
	e.do("POST", path, `{"to":"pto_issued","on":"2025-03-25"}`, e.analyst).want(t, http.StatusForbidden)
}

// TestNEMDocumentKeepsItsSHA256: the SHA-256 of "hello" is
// 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824.
func TestNEMDocumentKeepsItsSHA256(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	sunrise, other, _, _ := e.installers()
	var app NEMApplicationJSON
	e.do("POST", "/api/v1/nem/applications", rooftopBody, sunrise).want(t, http.StatusCreated).decode(t, &app)
	path := fmt.Sprintf("/api/v1/nem/applications/%d/documents?kind=single_line_diagram&file_name=sld.pdf", app.ID)
	var doc store.NEMDocument
	e.do("POST", path, "hello", sunrise, "Content-Type", "application/pdf").want(t, http.StatusCreated).decode(t, &doc)
	if doc.SHA256 != "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824" || doc.Size != 5 || doc.ContentType != "application/pdf" {
		t.Errorf("document %+v", doc)
	}
	e.do("POST", path, "hello", other, "Content-Type", "application/pdf").want(t, http.StatusNotFound)
	get := fmt.Sprintf("/api/v1/nem/applications/%d/documents/%d", app.ID, doc.ID)
	var got struct {
		SHA256  string `json:"sha256"`
		Content string `json:"content_base64"`
	}
	e.do("GET", get, "", e.analyst).want(t, http.StatusOK).decode(t, &got)
	if got.Content != "aGVsbG8=" || got.SHA256 != doc.SHA256 { // RFC 4648 §4 of "hello"
		t.Errorf("download %+v", got)
	}
	e.do("GET", get, "", other).want(t, http.StatusNotFound)
	e.do("POST", strings.Replace(path, "single_line_diagram", "selfie", 1), "x", sunrise, "Content-Type", "application/pdf").want(t, http.StatusBadRequest)
}

// TestNEMCapReportCalcReproducesSeptember2014 posts application records
// carrying SCE's September 2014 totals and reads the published lines back.
func TestNEMCapReportCalcReproducesSeptember2014(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	var buf bytes.Buffer
	if err := nem.WriteCapCSV(&buf, nemtest.September2014()); err != nil {
		t.Fatal(err)
	}
	var got CapReportResponse
	e.do("POST", "/api/v1/nem/cap-report/calc?month=2014-09&aggregate_peak_mw=44807&floor_mw=2240", buf.String(), e.analyst,
		"Content-Type", "text/csv").want(t, http.StatusOK).decode(t, &got)
	d := got.Display
	want := CapReportDisplay{CapMW: "2,240", ReceivedCount: "1,021", ReceivedMW: "7.5", PendingCount: "7,138", PendingMW: "94.4",
		InstalledCount: "97,478", InstalledMW: "836.4", TotalCount: "104,616", TotalMW: "930.9", PercentOfPeak: "2.08%",
		RemainingMW: "1,309.1", AggregatePeakMW: "44,807"}
	if d != want {
		t.Errorf("display %+v\nwant    %+v", d, want)
	}
	e.do("POST", "/api/v1/nem/cap-report/calc?month=2014-09", buf.String(), e.analyst, "Content-Type", "text/csv").want(t, http.StatusBadRequest)
	e.do("GET", "/api/v1/nem/cap-report?month=2014-09", "", e.analyst).want(t, http.StatusOK)
}

// TestNEMSpecialRatesAndFeedInTariff: a 450 kW Option A request is refused
// naming its rule; the FIT posting shows the city and not the facility;
// the allocation calculator splits 750 MW by peak demand.
func TestNEMSpecialRatesAndFeedInTariff(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	body := fmt.Sprintf(`{"rate":"tou8_option_a","account_id":%d,"requested_on":"2025-06-02","max_demand_w":450000,"demand_months":12,
		"tou8_eligible":true,"technology":"solar_pv","generator_w":100000,"pto_on":"2025-05-01"}`, e.acct2.ID)
	p := e.do("POST", "/api/v1/nem/special-rates", body, e.manager).want(t, http.StatusBadRequest).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "max_demand_w" || !strings.Contains(p.Errors[0].Msg, "rule option_a.demand_500kw_4mw") {
		t.Errorf("450 kW: %+v", p.Errors)
	}
	var rec store.SpecialRateRecord
	e.do("POST", "/api/v1/nem/special-rates", strings.Replace(body, "450000", "600000", 1), e.manager).want(t, http.StatusCreated).decode(t, &rec)
	e.do("POST", fmt.Sprintf("/api/v1/nem/special-rates/%d/enroll", rec.ID), `{"on":"2025-06-20"}`, e.manager).want(t, http.StatusBadRequest)
	e.do("POST", fmt.Sprintf("/api/v1/nem/special-rates/%d/enroll", rec.ID), `{"on":"2025-06-17"}`, e.manager).want(t, http.StatusOK)
	e.do("POST", fmt.Sprintf("/api/v1/nem/special-rates/%d/generator", rec.ID), `{"generator_w":120000,"on":"2025-07-01"}`, e.manager).want(t, http.StatusOK)
	e.do("GET", "/api/v1/nem/special-rates", "", e.analyst).want(t, http.StatusOK)

	var fit nem.FITRequest
	e.do("POST", "/api/v1/nem/fit/requests", `{"program":"remat","product":"peaking","utility":"SCE","facility":"Acme Dairy Solar LLC",
		"address":"1 Barn Rd","city":"Fillmore","technology":"solar_pv","effective_w":3000000,"nameplate_w":3000000,"term_years":20}`,
		e.manager).want(t, http.StatusCreated).decode(t, &fit)
	e.do("POST", fmt.Sprintf("/api/v1/nem/fit/requests/%d/steps", fit.ID), `{"to":"posted"}`, e.manager).want(t, http.StatusOK)
	res := e.do("GET", "/api/v1/nem/fit/postings", "", anonymous).want(t, http.StatusOK)
	if !strings.Contains(string(res.body), "Fillmore") || strings.Contains(string(res.body), "Acme") || strings.Contains(string(res.body), "Barn") {
		t.Errorf("posting %s", res.body)
	}
	e.do("GET", "/api/v1/nem/fit/requests", "", e.analyst).want(t, http.StatusOK)
	e.do("POST", fmt.Sprintf("/api/v1/nem/fit/requests/%d/steps", fit.ID), `{"to":"denied","reason":"too_expensive"}`, e.manager).want(t, http.StatusBadRequest)
	e.do("POST", fmt.Sprintf("/api/v1/nem/fit/requests/%d/steps", fit.ID), `{"to":"accepted"}`, e.manager).want(t, http.StatusOK)
	e.do("POST", fmt.Sprintf("/api/v1/nem/fit/requests/%d/inspections", fit.ID), `{"inspected_on":"2025-06-01","contractor":"Valley Electric","license":"C10-123456"}`,
		e.manager).want(t, http.StatusCreated)

	var shares list[nem.FITShare]
	e.do("POST", "/api/v1/nem/fit/allocation", `{"peaks":[{"utility":"A","peak_w":30000000000,"iou":true},{"utility":"B","peak_w":10000000000,"iou":true},
		{"utility":"POUs","peak_w":10000000000}]}`, e.analyst).want(t, http.StatusOK).decode(t, &shares)
	if len(shares.Data) != 3 || shares.Data[0].ReMATW != 450_000_000 || shares.Data[2].ReMATW != 150_000_000 || shares.Data[1].BioW[nem.BioForest] != 12_500_000 {
		t.Errorf("shares %+v", shares.Data)
	}
	var ins list[store.Installer]
	e.do("POST", "/api/v1/nem/installers", `{"name":"Sunny Co","license":"C46-77"}`, e.admin).want(t, http.StatusCreated)
	e.do("GET", "/api/v1/nem/installers", "", e.analyst).want(t, http.StatusOK).decode(t, &ins)
	if len(ins.Data) != 1 {
		t.Errorf("installers %+v", ins.Data)
	}
}
