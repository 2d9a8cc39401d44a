package api

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestCosteffSeedTableOverHTTP: the seed's table as published, N/A kept.
func TestCosteffSeedTableOverHTTP(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	var out struct {
		Metric   string `json:"metric"`
		Programs []struct {
			Display string `json:"usd_per_first_year_kwh"`
		} `json:"programs"`
	}
	e.do("GET", "/api/v1/costeff/first-year", "", e.analyst).want(t, http.StatusOK).decode(t, &out)
	var got []string
	for _, p := range out.Programs {
		got = append(got, p.Display)
	}
	if strings.Join(got, " ") != "0.19 0.52 1.5 2.7 5.2 N/A 15.1" || out.Metric != "$ per first-year kWh" {
		t.Errorf("table %v, metric %q", got, out.Metric)
	}
	e.do("GET", "/api/v1/costeff/first-year?retail=x", "", e.analyst).want(t, http.StatusBadRequest)
}

// TestCosteffCalcWorkedExampleOverHTTP: research/programs.md §1.6 posted in
// the CEDARS layout — TRC 0.753, PAC 1.476, levelized PAC $0.1694/kWh;
// bad settings name the field; nothing is stored.
func TestCosteffCalcWorkedExampleOverHTTP(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	before := e.size()
	claims, _ := json.Marshal("CEInputID,PrgID,NumUnits,EUL_Yrs,NTGRkWh,NTGRCost,UnitkWh1stBaseline,UnitMeaCost1stBaseline,UnitEndUserRebate\nC1,P1,100,10,0.8,0.8,500,900,300\n")
	progs, _ := json.Marshal("PrgID,AdminCostsOther\nP1,20000\n")
	body := func(settings string) string {
		return fmt.Sprintf(`{"claims": %s, "program_costs": %s, "settings": %s}`, claims, progs, settings)
	}
	var out struct {
		Portfolio struct {
			TRC    float64 `json:"trc_ratio"`
			PAC    float64 `json:"pac_ratio"`
			LevPAC float64 `json:"levelized_pac_usd_per_kwh"`
		} `json:"portfolio"`
	}
	e.do("POST", "/api/v1/costeff/calc", body(`{"discount_rate": 0.075, "avoided_elec_usd_per_kwh": "0.25", "acc_version": "flat"}`), e.readClient).
		want(t, http.StatusOK).decode(t, &out)
	p := out.Portfolio
	if math.Round(p.TRC*1000) != 753 || math.Round(p.PAC*1000) != 1476 || math.Round(p.LevPAC*1e4) != 1694 {
		t.Errorf("portfolio %+v", p)
	}
	pr := e.do("POST", "/api/v1/costeff/calc", body(`{"discount_rate": 0.075, "avoided_elec_usd_per_kwh": "cheap", "acc_version": ""}`), e.admin).
		want(t, http.StatusBadRequest).problem(t)
	for _, f := range []string{"avoided_elec_usd_per_kwh"} {
		if !strings.Contains(fmt.Sprint(pr), f) {
			t.Errorf("problem %+v does not name %s", pr, f)
		}
	}
	if after := e.size(); after != before {
		t.Errorf("database changed")
	}
}
