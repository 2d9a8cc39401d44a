package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// rpsEnv is an API env with a registry client (rec:write) and a
// compliance client (rps:write), the clock on 2026-06-15.
type rpsEnv struct {
	*env
	recClient, rpsClient cred
}

func newRPSEnv(t *testing.T, open storetest.Opener) *rpsEnv {
	t.Helper()
	e := &rpsEnv{env: newEnv(t, open)}
	e.db.Now = func() time.Time { return time.Date(2026, 6, 15, 16, 0, 0, 0, time.UTC) }
	toks := map[string]string{}
	err := e.db.InTx(context.Background(), func(tx *store.Tx) error {
		for _, s := range []string{auth.ScopeRECWrite, auth.ScopeRPSWrite} {
			c := auth.Client{Name: s, Scopes: []string{s}}
			tok, err := tx.CreateClient(context.Background(), seedActor, &c)
			if err != nil {
				return err
			}
			toks[s] = tok
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	e.recClient, e.rpsClient = bearer(toks[auth.ScopeRECWrite]), bearer(toks[auth.ScopeRPSWrite])
	return e
}

// post sends a JSON body and decodes the answer into out.
func (e *rpsEnv) post(path string, body any, who cred, status int, out any) result {
	e.t.Helper()
	b, _ := json.Marshal(body)
	res := e.do("POST", path, string(b), who).want(e.t, status)
	if out != nil {
		res.decode(e.t, out)
	}
	return res
}

type idOnly struct {
	ID      int64 `json:"id"`
	BlockID int64 `json:"block_id"`
}

// TestRegistryAndComplianceThroughTheAPI runs a certificate's life: a
// generator's facility reports a month, certificates are issued (whole
// MWh, remainder carried), 300 are transferred to the CCA (split) and
// accepted, 200 retired for RPS and claimed under a contract, the
// position and annual report follow, and the chain verifies; every
// response matches the OpenAPI document.
func TestRegistryAndComplianceThroughTheAPI(t *testing.T) {
	e := newRPSEnv(t, storetest.SQLite())
	var gen, cca, ccaRet idOnly
	e.post("/api/v1/rec/accounts", obj{"org": "Desert Sun LLC", "name": "active", "kind": "active"}, e.recClient, 201, &gen)
	e.post("/api/v1/rec/accounts", obj{"org": "Demo CCA", "name": "active", "kind": "active"}, e.recClient, 201, &cca)
	e.post("/api/v1/rec/accounts", obj{"org": "Demo CCA", "name": "RPS", "kind": "retirement"}, e.recClient, 201, &ccaRet)
	var fac idOnly
	e.post("/api/v1/rec/facilities", obj{"name": "Desert Sun Solar", "wregis_id": "W9001", "technology": "solar_pv", "nameplate_kw": 20000,
		"balancing_authority": "CISO", "in_cba": true, "cod": "2019-01-01", "state": "CA", "account_id": gen.ID,
		"certifications": []obj{{"status": "certified", "from": "2019-01-01"}}}, e.recClient, 201, &fac)
	f := itoa(fac.ID)
	e.post("/api/v1/rec/facilities/"+f+"/reports", obj{"vintage": "2026-01", "generation_wh": 1_000_567_000}, e.recClient, 201, nil)
	// A second report of January without the next revision is refused.
	p := e.post("/api/v1/rec/facilities/"+f+"/reports", obj{"vintage": "2026-01", "generation_wh": 1}, e.recClient, 400, nil).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "revision" {
		t.Errorf("overlapping report: %+v", p)
	}
	var iss struct {
		Quantity   int64 `json:"quantity"`
		CarryOutWh int64 `json:"carry_out_wh"`
		BlockID    int64 `json:"block_id"`
	}
	e.post("/api/v1/rec/facilities/"+f+"/issuances", obj{"vintage": "2026-01"}, e.recClient, 201, &iss)
	if iss.Quantity != 1000 || iss.CarryOutWh != 567_000 {
		t.Fatalf("issuance %+v", iss)
	}
	before := e.rpsRows()
	p = e.post("/api/v1/rec/transfers", obj{"block_id": iss.BlockID, "quantity": 1001, "to_account_id": cca.ID}, e.recClient, 400, nil).problem(t)
	if p.Errors[0].Field != "quantity" || e.rpsRows() != before {
		t.Errorf("transfer of more than the block: %+v; stored something: %v", p, e.rpsRows() != before)
	}
	var tr idOnly
	e.post("/api/v1/rec/transfers", obj{"block_id": iss.BlockID, "quantity": 300, "to_account_id": cca.ID}, e.recClient, 201, &tr)
	var pending struct {
		Data []idOnly `json:"data"`
	}
	e.do("GET", "/api/v1/rec/transfers?status=pending&account_id="+itoa(cca.ID), "", e.analyst).want(t, 200).decode(t, &pending)
	if len(pending.Data) != 1 || pending.Data[0].ID != tr.ID {
		t.Errorf("inbox %+v", pending)
	}
	e.post("/api/v1/rec/transfers/"+itoa(tr.ID)+"/accept", obj{}, e.recClient, 200, nil)
	e.post("/api/v1/rec/transfers/"+itoa(tr.ID)+"/accept", obj{}, e.recClient, 409, nil)
	var blk struct {
		Serials string `json:"serials"`
		Account int64  `json:"account_id"`
	}
	e.do("GET", "/api/v1/rec/blocks/"+itoa(tr.BlockID), "", e.readClient).want(t, 200).decode(t, &blk)
	if blk.Serials != "W9001-CA-01-2026-1-1 to 300" || blk.Account != cca.ID {
		t.Errorf("block %+v", blk)
	}
	retire := obj{"block_id": tr.BlockID, "quantity": 200, "account_id": ccaRet.ID, "reason": "rps", "compliance_year": 2026}
	b, _ := json.Marshal(retire)
	var ret idOnly
	e.do("POST", "/api/v1/rec/retirements", string(b), e.recClient, "Idempotency-Key", "ret-1").want(t, 201).decode(t, &ret)
	replay := e.do("POST", "/api/v1/rec/retirements", string(b), e.recClient, "Idempotency-Key", "ret-1").want(t, 201)
	if replay.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry was not replayed")
	}
	e.post("/api/v1/rec/retirements", retire, e.recClient, 409, nil) // the block is retired: nothing to take

	var con idOnly
	e.post("/api/v1/rps/contracts", obj{"name": "Desert Sun PPA", "counterparty": "Desert Sun LLC", "facility_id": fac.ID, "executed": "2018-05-01",
		"delivery_start": "2019-01-01", "delivery_end": "2039-01-01", "delivery": "in_cba"}, e.rpsClient, 201, &con)
	p = e.post("/api/v1/rps/contracts/"+itoa(con.ID)+"/amendments", obj{"date": "2018-04-30", "kind": "other"}, e.rpsClient, 400, nil).problem(t)
	if p.Errors[0].Field != "amendments[0].date" {
		t.Errorf("backdated amendment: %+v", p)
	}
	var claims struct {
		Data []struct {
			PCC, MWh int64
			Period   string
		} `json:"data"`
	}
	e.post("/api/v1/rps/claims", obj{"retirement_id": ret.ID, "contract_id": con.ID}, e.rpsClient, 201, &claims)
	if len(claims.Data) != 1 || claims.Data[0].PCC != 1 || claims.Data[0].MWh != 200 || claims.Data[0].Period != "CP5" {
		t.Errorf("claims %+v", claims)
	}
	e.post("/api/v1/rps/claims", obj{"retirement_id": ret.ID, "contract_id": con.ID, "mwh": 1}, e.rpsClient, 409, nil)
	for y, mwh := range map[string]int{"2025": 400, "2026": 400} {
		e.do("PUT", "/api/v1/rps/retail-sales/"+y, fmt.Sprintf(`{"mwh": %d, "source": "test"}`, mwh), e.rpsClient).want(t, 200)
	}
	e.do("PUT", "/api/v1/rps/profile", `{"seller": "Demo CCA", "jurisdiction": "CPUC_RETAIL_SELLER", "settings": {}}`, e.rpsClient).want(t, 200)
	var pos struct {
		Periods []struct {
			Period   string `json:"period"`
			Partial  bool   `json:"partial"`
			Position struct {
				PQR       int64 `json:"pqr_mwh"`
				Shortfall int64 `json:"shortfall_mwh"`
			} `json:"position"`
		} `json:"periods"`
	}
	e.do("GET", "/api/v1/rps/position", "", e.analyst).want(t, 200).decode(t, &pos)
	// CP5 through 2026: 46.67% × 400 + 49.33% × 400 = 384 MWh; 200 applied.
	if len(pos.Periods) != 1 || pos.Periods[0].Position.PQR != 384 || pos.Periods[0].Position.Shortfall != 184 || !pos.Periods[0].Partial {
		t.Errorf("position %+v", pos)
	}
	var rep struct {
		Procured int64  `json:"procured_mwh"`
		Percent  string `json:"procured_percent_of_retail_sales"`
	}
	e.do("GET", "/api/v1/rps/report?year=2026", "", e.readClient).want(t, 200).decode(t, &rep)
	if rep.Procured != 200 || rep.Percent != "50.00" {
		t.Errorf("report %+v", rep)
	}
	// The procurement detail: the one claim as one row — the contract's
	// 2019-01-01 to 2039-01-01 term is 240 months (long-term), vintage
	// January 2026 retired on the clock's 2026-06-15.
	var detail struct {
		Data []struct {
			Contract        string `json:"contract"`
			WREGISID        string `json:"wregis_id"`
			TermMonths      int    `json:"term_months"`
			LongTerm        bool   `json:"long_term"`
			PCC             int    `json:"pcc"`
			Vintage         string `json:"vintage"`
			RetirementMonth string `json:"retirement_month"`
			MWh             int64  `json:"mwh"`
			Period          string `json:"period"`
		} `json:"data"`
	}
	e.do("GET", "/api/v1/rps/report/procurement?year=2026", "", e.readClient).want(t, 200).decode(t, &detail)
	if d := detail.Data; len(d) != 1 || d[0].Contract != "Desert Sun PPA" || d[0].WREGISID != "W9001" || d[0].TermMonths != 240 || !d[0].LongTerm ||
		d[0].PCC != 1 || d[0].Vintage != "2026-01" || d[0].RetirementMonth != "2026-06" || d[0].MWh != 200 || d[0].Period != "CP5" {
		t.Errorf("procurement detail %+v", d)
	}
	e.do("GET", "/api/v1/rps/report/procurement", "", e.readClient).want(t, 400)
	e.do("GET", "/api/v1/rps/report/procurement?year=2030", "", e.readClient).want(t, 400)
	var v struct {
		Sound  bool  `json:"sound"`
		Events int64 `json:"events"`
	}
	e.do("GET", "/api/v1/rec/verify", "", e.analyst).want(t, 200).decode(t, &v)
	// 3 accounts, the facility, the report, the issuance, the transfer,
	// its acceptance, the retirement and the claim.
	if !v.Sound || v.Events != 10 {
		t.Errorf("verify %+v", v)
	}
	e.do("GET", "/api/v1/rec/events?limit=3", "", e.readClient).want(t, 200)
	e.do("GET", "/api/v1/rec/facilities/"+f, "", e.analyst).want(t, 200)
	e.do("GET", "/api/v1/rec/facilities/"+f+"/reports", "", e.analyst).want(t, 200)
	e.do("GET", "/api/v1/rec/accounts", "", e.analyst).want(t, 200)
	e.do("GET", "/api/v1/rec/blocks?status=retired", "", e.analyst).want(t, 200)
	e.do("GET", "/api/v1/rec/retirements?compliance_year=2026", "", e.analyst).want(t, 200)
	e.do("GET", "/api/v1/rps/claims?period=CP5", "", e.analyst).want(t, 200)
	e.do("GET", "/api/v1/rps/contracts", "", e.analyst).want(t, 200)
	e.do("GET", "/api/v1/rps/retail-sales", "", e.analyst).want(t, 200)
	e.do("GET", "/api/v1/rps/rules?jurisdiction=CEC_POU", "", e.analyst).want(t, 200)
	e.do("GET", "/api/v1/rps/profile", "", e.analyst).want(t, 200)
}

// rpsRows counts what the registry and ledger hold, with audit records.
func (e *rpsEnv) rpsRows() string {
	e.t.Helper()
	var n [4]int64
	err := e.db.SQL().QueryRowContext(context.Background(), `SELECT (SELECT count(*) FROM rec_blocks), (SELECT count(*) FROM rec_events),
		(SELECT count(*) FROM rec_transfers), (SELECT count(*) FROM audit_log)`).Scan(&n[0], &n[1], &n[2], &n[3])
	if err != nil {
		e.t.Fatal(err)
	}
	return fmt.Sprint(n)
}

// TestRPSRetirementAfterDeadlineRefusedWithDeadline: an RPS retirement of
// vintage 2023-01 on 2026-06-15 is past its 2026-01-01 deadline (36 months
// from the vintage month's first day, §399.21(a)(7));
// the answer names the deadline and stores nothing, and the same
// certificates retire as voluntary.
func TestRPSRetirementAfterDeadlineRefusedWithDeadline(t *testing.T) {
	e := newRPSEnv(t, storetest.SQLite())
	var gen, ret idOnly
	e.post("/api/v1/rec/accounts", obj{"org": "G", "name": "active", "kind": "active"}, e.recClient, 201, &gen)
	e.post("/api/v1/rec/accounts", obj{"org": "G", "name": "retire", "kind": "retirement"}, e.recClient, 201, &ret)
	var fac idOnly
	e.post("/api/v1/rec/facilities", obj{"name": "Old Wind", "wregis_id": "W7", "technology": "wind", "nameplate_kw": 5000, "cod": "2010-01-01",
		"account_id": gen.ID, "certifications": []obj{{"status": "certified", "from": "2010-01-01"}}}, e.recClient, 201, &fac)
	e.post("/api/v1/rec/facilities/"+itoa(fac.ID)+"/reports", obj{"vintage": "2023-01", "generation_wh": 3_000_000}, e.recClient, 201, nil)
	var iss idOnly
	e.post("/api/v1/rec/facilities/"+itoa(fac.ID)+"/issuances", obj{"vintage": "2023-01"}, e.recClient, 201, &iss)
	before := e.rpsRows()
	in := obj{"block_id": iss.BlockID, "quantity": 3, "account_id": ret.ID, "reason": "rps", "compliance_year": 2023}
	p := e.post("/api/v1/rec/retirements", in, e.recClient, 400, nil).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "reason" || !strings.Contains(p.Errors[0].Msg, "2026-01-01") {
		t.Errorf("problem %+v", p)
	}
	if e.rpsRows() != before {
		t.Errorf("a refused retirement stored something")
	}
	in["reason"] = "voluntary"
	var r struct {
		RPSEligible bool   `json:"rps_eligible"`
		Deadline    string `json:"rps_deadline"`
	}
	e.post("/api/v1/rec/retirements", in, e.recClient, 201, &r)
	if r.RPSEligible || r.Deadline != "2026-01-01" {
		t.Errorf("voluntary %+v", r)
	}
}

// TestRPSAccessByRoleAndScope: analysts and registry:read clients read;
// the registry and ledger scopes write only their own part; customers
// see nothing.
func TestRPSAccessByRoleAndScope(t *testing.T) {
	e := newRPSEnv(t, storetest.SQLite())
	acct := `{"org": "O", "name": "n", "kind": "active"}`
	e.do("POST", "/api/v1/rec/accounts", acct, e.analyst).want(t, http.StatusForbidden)
	e.do("POST", "/api/v1/rec/accounts", acct, e.rpsClient).want(t, http.StatusForbidden)
	e.do("POST", "/api/v1/rec/accounts", acct, e.writeClient).want(t, http.StatusForbidden)
	e.do("POST", "/api/v1/rec/accounts", acct, e.manager).want(t, http.StatusCreated)
	e.do("PUT", "/api/v1/rps/retail-sales/2025", `{"mwh": 1, "source": "x"}`, e.recClient).want(t, http.StatusForbidden)
	e.do("GET", "/api/v1/rec/accounts", "", e.portal).want(t, http.StatusForbidden)
	e.do("GET", "/api/v1/rps/position", "", e.recClient).want(t, http.StatusOK)
	e.do("GET", "/api/v1/rps/position", "", e.readClient).want(t, http.StatusOK)
}

// TestRPSCalcEndpoint posts the calculator document of docs/rps.md with
// research/rps.md T7's availabilities on CP3 sales of 1,000,000 a year.
func TestRPSCalcEndpoint(t *testing.T) {
	e := newRPSEnv(t, storetest.SQLite())
	doc := `{"jurisdiction":"CPUC_RETAIL_SELLER","period":"CP3","retail_sales_mwh":{"2017":1000000,"2018":1000000,"2019":1000000,"2020":1000000},
	  "claims":[{"pcc":1,"mwh":700000,"contract_executed":"2015-01-01","long_term":true},{"pcc":2,"mwh":200000,"contract_executed":"2015-01-01"},
	            {"pcc":3,"mwh":150000,"contract_executed":"2015-01-01"}]}`
	var out struct {
		Applied struct{ Total, PCC2, PCC3 int64 } `json:"applied_mwh"`
		Short   int64                             `json:"shortfall_mwh"`
	}
	e.do("POST", "/api/v1/rps/calc", doc, e.analyst).want(t, 200).decode(t, &out)
	if out.Applied.Total != 933_333 || out.Applied.PCC2 != 140_000 || out.Applied.PCC3 != 93_333 || out.Short != 266_667 {
		t.Errorf("calc %+v", out)
	}
	p := e.do("POST", "/api/v1/rps/calc", `{"jurisdiction":"CPUC_RETAIL_SELLER","period":"CP3","retail_sales_mwh":{"2017":1}}`, e.analyst).
		want(t, 400).problem(t)
	if p.Errors[0].Field != "retail_sales_mwh.2018" {
		t.Errorf("problem %+v", p)
	}
}

// TestRegistryImportOverHTTP: a holdings report posted as text/csv comes
// in with its serial ranges (201, origin "imported"), posting it again
// changes nothing (200), and an overlapping range is refused (409) naming
// both the range and the block, storing nothing.
func TestRegistryImportOverHTTP(t *testing.T) {
	e := newRPSEnv(t, storetest.SQLite())
	var gen, cca idOnly
	e.post("/api/v1/rec/accounts", obj{"org": "Desert Sun LLC", "name": "active", "kind": "active"}, e.recClient, 201, &gen)
	e.post("/api/v1/rec/accounts", obj{"org": "Demo CCA", "name": "active", "kind": "active"}, e.recClient, 201, &cca)
	e.post("/api/v1/rec/facilities", obj{"name": "Desert Sun Solar", "wregis_id": "W9001", "technology": "solar_pv", "nameplate_kw": 20000,
		"cod": "2019-01-01", "state": "CA", "account_id": gen.ID, "certifications": []obj{{"status": "certified", "from": "2019-01-01"}}}, e.recClient, 201, nil)
	file := "Account,Organization,Status,Generating Unit ID,Vintage,Certificate Serial Numbers,Quantity\n" +
		"active,Desert Sun LLC,active,W9001,02/2026,W9001-CA-02-2026-X1-1 to 400,400\n" +
		"active,Demo CCA,active,W9001,02/2026,W9001-CA-02-2026-X1-401 to 900,500\n"
	post := func(body string, status int) result {
		return e.do("POST", "/api/v1/rec/imports", body, e.recClient, "Content-Type", "text/csv").want(t, status)
	}
	var out struct {
		Layout    string `json:"layout"`
		Already   int    `json:"already_imported"`
		Issuances []struct {
			Origin string `json:"origin"`
			Batch  string `json:"batch"`
			First  int64  `json:"first_serial"`
		} `json:"issuances"`
		Blocks []struct {
			Serials string `json:"serials"`
			Account int64  `json:"account_id"`
		} `json:"blocks"`
	}
	post(file, 201).decode(t, &out)
	if out.Layout != "holdings" || len(out.Blocks) != 2 || out.Blocks[1].Serials != "W9001-CA-02-2026-X1-401 to 900" || out.Blocks[1].Account != cca.ID ||
		out.Issuances[1].Origin != "imported" || out.Issuances[1].Batch != "X1" || out.Issuances[1].First != 401 {
		t.Errorf("import %+v", out)
	}
	before := e.rpsRows()
	post(file, 200).decode(t, &out)
	if out.Already != 2 || e.rpsRows() != before {
		t.Errorf("second import %+v", out)
	}
	p := post(strings.Replace(file, "X1-401 to 900,500", "X1-400 to 900,501", 1), 409).problem(t)
	if !strings.Contains(p.Detail, "W9001-CA-02-2026-X1-400 to 900 overlaps block") || !strings.Contains(p.Detail, "(W9001-CA-02-2026-X1-1 to 400,") {
		t.Errorf("overlap %+v", p)
	}
	if e.rpsRows() != before {
		t.Errorf("a refused import stored something")
	}
	p = e.do("POST", "/api/v1/rec/imports", file, e.recClient).want(t, 400).problem(t)
	if p.Errors[0].Field != "Content-Type" {
		t.Errorf("JSON content type: %+v", p)
	}
}
