package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/demo"
	"github.com/gridbook/gridbook/internal/rec"
	"github.com/gridbook/gridbook/internal/rps"
	"github.com/gridbook/gridbook/internal/store"
)

// rpsSite is a test site holding the demo's RPS book through 2025.
func rpsSite(t *testing.T) *testSite {
	t.Helper()
	s := newTestSite(t)
	if _, err := demo.GenerateRPS(context.Background(), s.db, 1, 2025); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRPSPagesRender renders every RPS and registry page over the demo
// book: the CP4 requirement from the demo's sales (.3575×11.2M +
// .385×11.45M + .4125×11.3M + .44×11.6M = 18,177,500 MWh), the PCC3 cap
// binding, the annual report's §399.13(a)(3) contents, facilities with
// their findings, the inbox, retirements and the verified event log.
func TestRPSPagesRender(t *testing.T) {
	s := rpsSite(t)
	analyst := s.login(t, "/login", analystEmail)
	ctx := context.Background()
	facs, err := s.db.RecFacilities(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var hydro, bow int64
	for _, f := range facs {
		switch f.WREGISID {
		case "W01104":
			hydro = f.ID
		case "W12044":
			bow = f.ID
		}
	}
	accts, _ := s.db.RecAccounts(ctx)
	var ccaActive int64
	for _, a := range accts {
		if a.Name == "Demo CCA active" {
			ccaActive = a.ID
		}
	}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/rps", []string{"Renewables Portfolio Standard", "Demo CCA", "18,177,500", "CP5", "to date, through 2025", "above the 10% PCC3 maximum",
			"§399.16(c)(2)", "Procurement applied by portfolio content category", `aria-current="page">Renewables`, "demo: synthetic"}},
		{"/rps/report?year=2024", []string{"RPS compliance report 2024", "11,600,000 MWh", "the year's published percentage: 44%",
			"Out-of-state WECC procurement", "Medicine Bow Wind", "Sonoran Desert Solar", "PCC3", "Transmission upgrades into the Antelope Valley",
			"Download CSV"}},
		{"/rec", []string{"Certificate registry", "Demo CCA RPS retirement", "Piru Creek Small Hydro", "Salton Sea Geothermal Unit 7", "IID"}},
		{fmt.Sprintf("/rec/facilities/%d", hydro), []string{"Piru Creek Small Hydro", "eligible only for Southern California Edison; checked when a seller claims",
			"§399.12(e)(1)(A)", "Issuances"}},
		{fmt.Sprintf("/rec/facilities/%d", bow), []string{"Medicine Bow Wind", "outside California balancing authorities", "W12044"}},
		{fmt.Sprintf("/rec/accounts/%d", ccaActive), []string{"Demo CCA active", "W"}},
		{"/rec/transfers", []string{"Awaiting acceptance", "PPA delivery 2025-12", "accepted"}},
		{"/rec/retirements?year=2024", []string{"Retirements", "Antelope Valley Solar", "2024-"}},
		{"/rec/retirements", []string{"green_product", "Demo CCA 100% Green Power customers"}},
		{"/rec/events?verify=1", []string{"Sound.", "certificates.issued", "transfer.initiated"}},
	} {
		t.Run(tc.path, func(t *testing.T) {
			w := s.get(t, tc.path, analyst)
			if w.Code != http.StatusOK {
				t.Fatalf("status %d:\n%.2000s", w.Code, w.Body)
			}
			for _, want := range tc.want {
				if !strings.Contains(w.Body.String(), want) {
					t.Errorf("lacks %q", want)
				}
			}
		})
	}
	for path, want := range map[string]string{"/rps/report.csv?year=2024": "summary,retail_sales_mwh,11600000", "/rec/retirements.csv?year=2024": "Retirement ID,Retired On"} {
		w := s.get(t, path, analyst)
		if w.Code != http.StatusOK || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") || !strings.Contains(w.Body.String(), want) {
			t.Errorf("%s: %d %s\n%.300s", path, w.Code, w.Header().Get("Content-Type"), w.Body)
		}
	}
	if w := s.get(t, "/rps", s.login(t, "/my/login", mariaEmail)); w.Code == http.StatusOK {
		t.Errorf("a customer saw the RPS page")
	}
}

// TestRegistryActionsFromTheConsole: an analyst may not retire; a program
// manager retires from an account page, and an RPS retirement after the
// deadline is refused with the deadline and changes nothing; transfers
// are accepted and rejected from the inbox.
func TestRegistryActionsFromTheConsole(t *testing.T) {
	s := newTestSite(t) // clock: 2026-03-10
	ctx := context.Background()
	var gen, genRet, cca int64
	var old, fresh rec.Issuance
	var tr1, tr2 rec.Transfer
	err := s.db.Registry(ctx, seedActor, func(ctx context.Context, reg *rec.Registry, tx *store.Tx) error {
		for _, a := range []struct {
			id   *int64
			org  string
			kind rec.AccountKind
		}{{&gen, "Gen", rec.ActiveAccount}, {&genRet, "Gen", rec.RetirementAccount}, {&cca, "CCA", rec.ActiveAccount}} {
			acct, err := reg.OpenAccount(ctx, rec.Account{Org: a.org, Name: a.org + " " + string(a.kind), Kind: a.kind})
			if err != nil {
				return err
			}
			*a.id = acct.ID
		}
		f, err := reg.RegisterFacility(ctx, rec.Facility{AccountID: gen, Facility: rps.Facility{Name: "Test Solar", WREGISID: "W1", Technology: rps.SolarPV,
			NameplateKW: 10_000, COD: rps.Month{Year: 2020, Month: 1}.First(), State: "CA",
			Certifications: []rps.Certification{{Status: rps.Certified, From: rps.Month{Year: 2020, Month: 1}.First()}}}})
		if err != nil {
			return err
		}
		for _, v := range []rps.Month{{Year: 2022, Month: 1}, {Year: 2025, Month: 1}} {
			if _, err := reg.SubmitReport(ctx, rec.Report{FacilityID: f.ID, Vintage: v, Wh: 50_000_000}); err != nil {
				return err
			}
		}
		if old, err = reg.Issue(ctx, f.ID, rps.Month{Year: 2022, Month: 1}); err != nil {
			return err
		}
		if fresh, err = reg.Issue(ctx, f.ID, rps.Month{Year: 2025, Month: 1}); err != nil {
			return err
		}
		if tr1, err = reg.InitiateTransfer(ctx, rec.TransferCmd{BlockID: fresh.BlockID, Quantity: 10, To: cca}); err != nil {
			return err
		}
		tr2, err = reg.InitiateTransfer(ctx, rec.TransferCmd{BlockID: old.BlockID, Quantity: 5, To: cca})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	retire := func(session string, block, qty int64, reason string) *httptest.ResponseRecorder {
		return s.post(t, fmt.Sprintf("/rec/accounts/%d/retire", gen), session, url.Values{"retire.block_id": {fmt.Sprint(block)}, "retire.quantity": {fmt.Sprint(qty)},
			"retire.reason": {reason}, "retire.compliance_year": {"2022"}, "retire.account_id": {fmt.Sprint(genRet)}})
	}
	// flash reads the message a redirect carries in its flash cookie.
	flash := func(res *http.Response) string {
		for _, c := range res.Cookies() {
			if c.Name == flashCookie {
				b, _ := base64.RawURLEncoding.DecodeString(c.Value)
				var f Flash
				json.Unmarshal(b, &f)
				return f.Msg
			}
		}
		return ""
	}
	if w := retire(s.login(t, "/login", analystEmail), old.BlockID, 1, "rps"); w.Code != http.StatusForbidden {
		t.Errorf("analyst retire: %d", w.Code)
	}
	pm := s.login(t, "/login", managerEmail)
	events := countEvents(t, s.db)
	// Vintage 2022-01's deadline was 2025-01-01; the page says so next to
	// the reason.
	w := retire(pm, blockOf(t, s.db, old.ID, gen), 1, "rps")
	if w.Code != http.StatusBadRequest {
		t.Fatalf("refused retire: %d", w.Code)
	}
	if msg := fieldError(w.Body.String(), "retire.reason"); !strings.Contains(msg, "could be retired for RPS until 2025-01-01") {
		t.Errorf("the refusal says %q", msg)
	}
	if countEvents(t, s.db) != events {
		t.Errorf("a refused retirement appended events")
	}
	retire(pm, blockOf(t, s.db, old.ID, gen), 2, "voluntary")
	if countEvents(t, s.db) != events+1 {
		t.Errorf("voluntary retirement not recorded")
	}
	for id, action := range map[int64]string{tr1.ID: "accept", tr2.ID: "reject"} {
		if w := s.post(t, fmt.Sprintf("/rec/transfers/%d/%s", id, action), pm, nil); w.Code != http.StatusSeeOther {
			t.Errorf("%s: %d", action, w.Code)
		}
	}
	t1, _ := s.db.RecTransfer(ctx, tr1.ID)
	t2, _ := s.db.RecTransfer(ctx, tr2.ID)
	if t1.Status != rec.TransferAccepted || t2.Status != rec.TransferRejected {
		t.Errorf("transfers %s %s", t1.Status, t2.Status)
	}
	w = s.post(t, fmt.Sprintf("/rec/transfers/%d/accept", tr2.ID), pm, nil)
	if msg := flash(w.Result()); w.Code != http.StatusSeeOther || !strings.Contains(msg, "already rejected") {
		t.Errorf("accepting a rejected transfer: %d %q", w.Code, msg)
	}
}

// blockOf returns the active block of an issuance in an account.
func blockOf(t *testing.T, db *store.DB, issuance, account int64) int64 {
	t.Helper()
	bs, err := db.RecBlocks(context.Background(), store.BlockFilter{IssuanceID: issuance, AccountID: account, Status: rec.StatusActive})
	if err != nil || len(bs) != 1 {
		t.Fatalf("blocks %+v %v", bs, err)
	}
	return bs[0].ID
}

func countEvents(t *testing.T, db *store.DB) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRow(`SELECT count(*) FROM rec_events`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
