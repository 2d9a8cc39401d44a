package api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestTrackedProjectsThroughTheAPI: a Power Ready project gets the seed's
// seven milestones, which complete only in order; CALeVIP equity by county
// against the seed 000 targets — Los Angeles $600,000 of $1,000,000 in
// equity communities is 60% (meets ≥ 60%), Ventura $490,000 of $1,000,000
// is 49% (misses ≥ 50%); customers cannot see tracked projects.
func TestTrackedProjectsThroughTheAPI(t *testing.T) {
	e := newIncentiveEnv(t, storetest.SQLite())
	var p projectJSON
	e.do("POST", "/api/v1/incentive/projects", `{"program":"power-ready","name":"Fire Station 3","agency":"Oxnard","partner":"Coast Energy",
		"backup_reserve_bp":3000,"battery_kwh":200,"solar_kw":100,"expected_kwh_per_year":160000}`, e.manager).want(t, http.StatusCreated).decode(t, &p)
	if len(p.Milestones) != 7 || p.Stage != "site_lease" || p.Milestones[6].Name != "operation" {
		t.Fatalf("project %+v", p)
	}
	path := "/api/v1/incentive/projects/" + itoa(p.ID)
	pr := e.do("POST", path+"/milestones", `{"milestone":"design","date":"2025-03-01"}`, e.manager).want(t, http.StatusConflict).problem(t)
	if !strings.Contains(pr.Detail, "comes after site_lease") {
		t.Errorf("design before the lease: %+v", pr)
	}
	e.do("POST", path+"/milestones", `{"milestone":"site_lease","date":"2025-03-01"}`, e.manager).want(t, http.StatusOK).decode(t, &p)
	if p.Stage != "design" || p.Milestones[0].Done == nil || *p.Milestones[0].Done != "2025-03-01" {
		t.Errorf("after the lease %+v", p)
	}
	e.do("POST", path+"/milestones", `{"milestone":"design","date":"2025-02-01"}`, e.manager).want(t, http.StatusBadRequest)
	e.do("POST", path+"/milestones", `{"milestone":"design","date":"2025-04-01"}`, e.analyst).want(t, http.StatusForbidden)
	e.do("GET", path, "", e.portal).want(t, http.StatusForbidden)
	for _, c := range []string{`"county":"06037","amount_cents":60000000,"equity":true,"chargers":12`, `"county":"06037","amount_cents":40000000,"chargers":8`,
		`"county":"06111","amount_cents":49000000,"equity":true,"chargers":10`, `"county":"06111","amount_cents":51000000,"chargers":10`} {
		e.do("POST", "/api/v1/incentive/projects", `{"program":"calevip","name":"CALeVIP site",`+c+`}`, e.manager).want(t, http.StatusCreated)
	}
	var eq list[countyEquityJSON]
	e.do("GET", "/api/v1/incentive/calevip/equity", "", e.analyst).want(t, http.StatusOK).decode(t, &eq)
	if len(eq.Data) != 2 || eq.Data[0].County != "06037" || !eq.Data[0].MeetsTarget || eq.Data[0].ShareBPFloor != 6000 ||
		eq.Data[1].County != "06111" || eq.Data[1].MeetsTarget || eq.Data[1].ShareBPFloor != 4900 || eq.Data[1].TargetBP != 5000 {
		t.Errorf("equity %+v", eq.Data)
	}
	var ps list[projectJSON]
	e.do("GET", "/api/v1/incentive/projects?program=calevip", "", e.analyst).want(t, http.StatusOK).decode(t, &ps)
	if len(ps.Data) != 4 {
		t.Errorf("%d CALeVIP projects", len(ps.Data))
	}
	e.do("GET", "/api/v1/incentive/projects?program=bogus", "", e.analyst).want(t, http.StatusBadRequest)
}

// TestEngagementsThroughTheAPI: an Energy Team case is opened, referred
// to a program, and may not change what was asked.
func TestEngagementsThroughTheAPI(t *testing.T) {
	e := newIncentiveEnv(t, storetest.SQLite())
	body := `{"program":"energy-team","account_id":` + itoa(e.acct1.ID) + `,"channel":"phone","topic":"heat_pump_water_heater","opened":"2026-03-02"}`
	var g engagementJSON
	e.do("POST", "/api/v1/incentive/engagements", body, e.manager).want(t, http.StatusCreated).decode(t, &g)
	if g.Status != "open" || g.AccountID == nil || *g.AccountID != e.acct1.ID {
		t.Fatalf("engagement %+v", g)
	}
	path := "/api/v1/incentive/engagements/" + itoa(g.ID)
	referred := strings.Replace(body, `"opened"`, `"status":"referred","referred_to":["heer-hpwh"],"follow_up":"2026-04-01","opened"`, 1)
	e.do("PUT", path, referred, e.manager).want(t, http.StatusOK).decode(t, &g)
	if g.Status != "referred" || len(g.ReferredTo) != 1 || g.FollowUp == nil || *g.FollowUp != "2026-04-01" {
		t.Errorf("after referral %+v", g)
	}
	p := e.do("PUT", path, strings.Replace(referred, "heat_pump_water_heater", "ev_charger", 1), e.manager).want(t, http.StatusBadRequest).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "topic" {
		t.Errorf("changed topic: %+v", p)
	}
	e.do("POST", "/api/v1/incentive/engagements", strings.Replace(body, `"phone"`, `"fax"`, 1), e.manager).want(t, http.StatusBadRequest)
	var es list[engagementJSON]
	e.do("GET", "/api/v1/incentive/engagements?program=energy-team", "", e.analyst).want(t, http.StatusOK).decode(t, &es)
	if len(es.Data) != 1 {
		t.Errorf("%d engagements", len(es.Data))
	}
}

// round is the 2025 round of the CLI script: Santa Monica 10/10 and 5/5
// (100%), Culver City 9/10 × 60% + 4/5 × 40% = 86%, Carson 8/10 × 60% +
// 3/5 × 40% = 72%; a $1,000,000 fund pays the first two in full and has
// $100,000 left, too little for Carson's $300,000.
const round = `{"name": "2025 round 2", "fund_cents": 100000000, "min_score_bp": 5000,
 "criteria": [{"name": "impact", "weight_bp": 6000, "max": 10}, {"name": "equity", "weight_bp": 4000, "max": 5}],
 "proposals": [
  {"agency": "Santa Monica", "title": "Renter heat pumps", "requested_cents": 50000000, "scores": {"impact": 10, "equity": 5}},
  {"agency": "Culver City", "title": "Portable batteries", "requested_cents": 40000000, "scores": {"impact": 9, "equity": 4}},
  {"agency": "Carson", "title": "EV charging wallet", "requested_cents": 30000000, "scores": {"impact": 8, "equity": 3}}]}`

// TestInnovationFundRoundsThroughTheAPI: scoring stores nothing; awarding
// reserves each award from the 2025 innovation fund ($2,000,000, seed 000)
// as an Energized Communities application, all or nothing: a second
// round asking $1,200,000 when $1,100,000 is left stores nothing.
func TestInnovationFundRoundsThroughTheAPI(t *testing.T) {
	e := newIncentiveEnv(t, storetest.SQLite())
	var res list[incentive.RoundResult]
	e.do("POST", "/api/v1/incentive/rounds/score", round, e.analyst).want(t, http.StatusOK).decode(t, &res)
	if len(res.Data) != 3 || res.Data[0].Agency != "Santa Monica" || res.Data[1].Score != "86%" || res.Data[2].Score != "72%" ||
		res.Data[2].Funded || res.Data[1].Award != 40000000 {
		t.Fatalf("scores %+v", res.Data)
	}
	ctx := context.Background()
	apps := func() int {
		as, err := e.db.Applications(ctx, store.ApplicationFilter{ProgramID: store.EnergizedCommunities, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(as)
	}
	if apps() != 0 {
		t.Fatal("scoring stored applications")
	}
	award := `{"on":"2025-12-10","round":` + round + `}`
	e.do("POST", "/api/v1/incentive/rounds/award", award, e.manager).want(t, http.StatusBadRequest) // no Idempotency-Key
	var aw list[store.RoundAward]
	e.do("POST", "/api/v1/incentive/rounds/award", award, e.manager, "Idempotency-Key", "round-2").want(t, http.StatusCreated).decode(t, &aw)
	if len(aw.Data) != 3 || aw.Data[0].ApplicationID == 0 || aw.Data[0].Status != incentive.Reserved || aw.Data[2].ApplicationID != 0 {
		t.Fatalf("awards %+v", aw.Data)
	}
	bs, err := e.db.Budgets(ctx, store.EnergizedCommunities)
	if err != nil || len(bs) != 1 || bs[0].ReservedCents != 90000000 {
		t.Fatalf("innovation fund %+v %v, want $900,000 reserved", bs, err)
	}
	big := strings.NewReplacer(`"fund_cents": 100000000`, `"fund_cents": 150000000`, `"requested_cents": 50000000`, `"requested_cents": 120000000`,
		`"Santa Monica"`, `"West Hollywood"`).Replace(award)
	e.do("POST", "/api/v1/incentive/rounds/award", big, e.manager, "Idempotency-Key", "round-3").want(t, http.StatusConflict)
	if n := apps(); n != 2 {
		t.Errorf("%d applications after the refused award, want the first round's 2", n)
	}
	e.do("POST", "/api/v1/incentive/rounds/score", `{"fund_cents":1}`, e.analyst).want(t, http.StatusBadRequest)
}

// TestProgramPolicyThroughTheAPI: an administrator chooses Power Share's
// broad income basis; a program manager may not; an unknown reading is a
// 400 naming choice.
func TestProgramPolicyThroughTheAPI(t *testing.T) {
	e := newIncentiveEnv(t, storetest.SQLite())
	const path = "/api/v1/incentive/programs/power-share/policies/income_basis"
	e.do("PUT", path, `{"choice":"enrolled_or_eligible"}`, e.manager).want(t, http.StatusForbidden)
	p := e.do("PUT", path, `{"choice":"anyone"}`, e.admin).want(t, http.StatusBadRequest).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "choice" {
		t.Errorf("unknown reading: %+v", p)
	}
	var out programJSON
	e.do("PUT", path, `{"choice":"enrolled_or_eligible"}`, e.admin).want(t, http.StatusOK).decode(t, &out)
	if pol, ok := out.Document.Policy("income_basis"); !ok || pol.InForce().ID != "enrolled_or_eligible" {
		t.Errorf("policy after the change %+v", pol)
	}
	e.do("PUT", "/api/v1/incentive/programs/power-share/policies/dac_definition", `{"choice":"x"}`, e.admin).want(t, http.StatusBadRequest)
}
