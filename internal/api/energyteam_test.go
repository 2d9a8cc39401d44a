package api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/energyteam"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestEnergyTeamCasesOverHTTP: Ana opens a case for her own account from
// the portal (not for another's: 404), a second is 409; the program
// manager takes it (advising, follow-up, recommended options), adds an
// internal and a shared note, refers the water heater to HEER (a draft
// pre-filled with energy factor 2.35 and quoted $200, seed 003) and is
// told which fact HVAC quality installation needs; Ana reads her case
// with the shared note only and adds one of her own (shared); an analyst
// may list but not change; every response matches the OpenAPI document.
func TestEnergyTeamCasesOverHTTP(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	cat, err := incentive.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.InTx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.ImportPrograms(context.Background(), auth.System, cat)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	e.do("POST", "/api/v1/energy-team/cases", `{"account_id":`+itoa(e.acct2.ID)+`,"subject":"x"}`, e.portal).want(t, http.StatusNotFound)
	var c energyteam.Case
	e.do("POST", "/api/v1/energy-team/cases", `{"account_id":`+itoa(e.acct1.ID)+`,"subject":"Is a heat pump water heater worth it?","advisor":"me"}`,
		e.portal).want(t, http.StatusCreated).decode(t, &c)
	if c.Source != energyteam.FromPortal || c.Status != energyteam.Open || c.Advisor != "" {
		t.Fatalf("opened %+v", c)
	}
	e.do("POST", "/api/v1/energy-team/cases", `{"account_id":`+itoa(e.acct1.ID)+`,"subject":"again"}`, e.manager).want(t, http.StatusConflict)
	path := "/api/v1/energy-team/cases/" + itoa(c.ID)
	e.do("PUT", path, `{"status":"advising","advisor":"Program Manager","follow_up":"2099-01-15","recommended":["hpwh","ev_managed"]}`, e.manager).
		want(t, http.StatusOK).decode(t, &c)
	if c.Status != energyteam.Advising || c.FollowUp.String() != "2099-01-15" || len(c.Recommended) != 2 {
		t.Errorf("updated %+v", c)
	}
	e.do("PUT", path, `{"status":"open"}`, e.manager).want(t, http.StatusConflict)
	if p := e.do("PUT", path, `{"follow_up":"2001-01-01","recommended":["pool"]}`, e.manager).want(t, http.StatusBadRequest).problem(t); len(p.Errors) != 2 {
		t.Errorf("bad update %+v", p)
	}
	e.do("PUT", path, `{"status":"closed"}`, e.analyst).want(t, http.StatusForbidden)
	e.do("POST", path+"/notes", `{"text":"Internal: customer prefers weekends."}`, e.manager).want(t, http.StatusCreated)
	e.do("POST", path+"/notes", `{"text":"We sent your plan.","shared":true}`, e.manager).want(t, http.StatusCreated)
	var ref energyteam.Referral
	e.do("POST", path+"/referrals", `{"option":"hpwh","program":"heer-hpwh"}`, e.manager).want(t, http.StatusCreated).decode(t, &ref)
	if ref.ApplicationID == 0 || !strings.Contains(ref.Outcome, "quoted $200.00") {
		t.Errorf("referral %+v", ref)
	}
	p := e.do("POST", path+"/referrals", `{"option":"hp_heating","program":"residential-hvac-qi"}`, e.manager).want(t, http.StatusBadRequest).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "facts.calculated_incentive_usd" {
		t.Errorf("missing fact %+v", p)
	}
	e.do("POST", path+"/referrals", `{"option":"induction","program":"x"}`, e.manager).want(t, http.StatusBadRequest)
	var mine energyteam.Case
	e.do("GET", path, "", e.portal).want(t, http.StatusOK).decode(t, &mine)
	if len(mine.Notes) != 1 || mine.Notes[0].Text != "We sent your plan." || len(mine.Referrals) != 1 {
		t.Errorf("portal view %+v", mine)
	}
	var n energyteam.Note
	e.do("POST", path+"/notes", `{"text":"Thanks! Saturday works.","shared":false}`, e.portal).want(t, http.StatusCreated).decode(t, &n)
	if !n.Shared {
		t.Error("a customer's note is shared")
	}
	var list struct {
		Data []struct {
			ID            int64  `json:"id"`
			AccountNumber string `json:"account_number"`
		} `json:"data"`
	}
	e.do("GET", "/api/v1/energy-team/cases", "", e.analyst).want(t, http.StatusOK).decode(t, &list)
	if len(list.Data) != 1 || list.Data[0].AccountNumber != e.acct1.Number {
		t.Errorf("queue %+v", list)
	}
	e.do("GET", "/api/v1/energy-team/cases", "", e.portal).want(t, http.StatusForbidden)
	e.do("GET", "/api/v1/energy-team/cases/"+itoa(c.ID+99), "", e.manager).want(t, http.StatusNotFound)
}
