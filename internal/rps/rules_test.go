package rps

import (
	"math/big"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
)

// TestRequirementPercentagesExactlyAsPublished pins every year's
// percentage to the published decimals (issue 7; research/rps.md §1.1;
// 20 CCR §3204(a)(2) for POUs' CP2).
func TestRequirementPercentagesExactlyAsPublished(t *testing.T) {
	retail := map[string]string{
		"CP1": "20 20 20", "CP2": "21.7 23.3 25", "CP3": "27 29 31 33", "CP4": "35.75 38.5 41.25 44",
		"CP5": "46.67 49.33 52", "CP6": "54.67 57.33 60", "CP7": "60 60 60", "CP8": "60 60 60",
	}
	pou := map[string]string{"CP1": "20 20 20", "CP2": "20 20 25", "CP3": "27 29 31 33", "CP4": "35.75 38.5 41.25 44"}
	for j, table := range map[Jurisdiction]map[string]string{CPUCRetailSeller: retail, CPUCESP: retail, CPUCSMJU: retail, CECPOU: pou} {
		for period, want := range table {
			rs := ruleSet(t, j, period)
			var got []string
			for _, y := range rs.Years() {
				got = append(got, string(rs.Targets[y]))
			}
			if strings.Join(got, " ") != want {
				t.Errorf("%s %s percentages %v, want %s", j, period, got, want)
			}
		}
	}
}

// TestBalanceLimitsPerPeriod checks §399.16(c)(1)-(2): 50/25 for the
// period ending 2013, 65/15 ending 2016, 75/10 after; none for §399.17-18
// utilities.
func TestBalanceLimitsPerPeriod(t *testing.T) {
	for _, c := range []struct {
		j           Jurisdiction
		period      string
		pcc1, pcc3  Percent
		from        string
		longTermMin Percent
	}{
		{CPUCRetailSeller, "CP1", "50", "25", "2010-06-01", "0"},
		{CPUCRetailSeller, "CP2", "65", "15", "2010-06-01", "0"},
		{CPUCRetailSeller, "CP3", "75", "10", "2010-06-01", "0"},
		{CPUCRetailSeller, "CP4", "75", "10", "2010-06-01", "65"},
		{CPUCRetailSeller, "CP6", "75", "10", "2010-06-01", "65"},
		{CPUCESP, "CP4", "75", "10", "2011-01-14", "65"},
		{CPUCSMJU, "CP4", "0", "100", "2010-06-01", "65"},
	} {
		rs := ruleSet(t, c.j, c.period)
		if rs.PCC1Min != c.pcc1 || rs.PCC3Max != c.pcc3 || rs.BalanceFrom.String() != c.from || rs.LongTermMin != c.longTermMin {
			t.Errorf("%s %s: PCC1 ≥ %s, PCC3 ≤ %s, from %v, long-term %s; want %s, %s, %s, %s",
				c.j, c.period, rs.PCC1Min, rs.PCC3Max, rs.BalanceFrom, rs.LongTermMin, c.pcc1, c.pcc3, c.from, c.longTermMin)
		}
		if len(rs.Sources) == 0 {
			t.Errorf("%s %s has no sources", c.j, c.period)
		}
	}
}

// TestPQRFromPublishedPercentages checks research/rps.md T1–T6: the
// requirement is Σ percentage × that year's sales, exactly.
func TestPQRFromPublishedPercentages(t *testing.T) {
	for _, c := range []struct {
		name   string
		j      Jurisdiction
		period string
		sales  []int64
		want   string
	}{
		{"T1 CP1", CPUCRetailSeller, "CP1", []int64{10_000_000, 10_500_000, 11_000_000}, "6300000"},
		{"T2 CP2 retail seller", CPUCRetailSeller, "CP2", []int64{1_000_000, 1_000_000, 1_000_000}, "700000"},
		{"T3 CP2 POU", CECPOU, "CP2", []int64{1_000_000, 1_000_000, 1_000_000}, "650000"},
		{"T4 CP3", CPUCRetailSeller, "CP3", []int64{1_000_000, 1_000_000, 1_000_000, 1_000_000}, "1200000"},
		{"T5 CP4", CPUCRetailSeller, "CP4", []int64{1_000_000, 1_000_000, 1_000_000, 1_000_000}, "1595000"},
		{"T5b CP4 CCA", CPUCRetailSeller, "CP4", []int64{2_450_000, 2_600_000, 2_700_000, 2_800_000}, "4222625"},
		{"T6 CP5 not thirds", CPUCRetailSeller, "CP5", []int64{1_000_000, 1_000_000, 1_000_000}, "1480000"},
		{"T6 CP6", CPUCRetailSeller, "CP6", []int64{1_000_000, 1_000_000, 1_000_000}, "1720000"},
		{"CP2 fraction", CPUCRetailSeller, "CP2", []int64{1, 1, 1}, "7/10"},
	} {
		rs := ruleSet(t, c.j, c.period)
		sales := map[int]int64{}
		for i, y := range rs.Years() {
			sales[y] = c.sales[i]
		}
		got, _, err := PQR(&rs, sales)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		want, _ := new(big.Rat).SetString(c.want)
		if got.Cmp(want) != 0 {
			t.Errorf("%s: PQR %s, want %s", c.name, got.RatString(), c.want)
		}
	}
}

// TestPQRNeedsEveryYearsSales refuses a period without one year's sales,
// naming the year.
func TestPQRNeedsEveryYearsSales(t *testing.T) {
	rs := ruleSet(t, CPUCRetailSeller, "CP4")
	_, _, err := PQR(&rs, map[int]int64{2021: 1, 2022: 1, 2024: 1, 2019: 5})
	fields := apperr.FieldsOf(err)
	if apperr.KindOf(err) != apperr.Invalid || len(fields) != 2 || fields[0].Field != "retail_sales_mwh.2023" || fields[1].Field != "retail_sales_mwh.2019" {
		t.Errorf("err = %v, want retail_sales_mwh.2023 missing and .2019 outside", err)
	}
}

// TestRuleSetMissingYearRefused: a rule-set document whose percentages
// skip a year of the period is refused, naming the year (issue 7, bad
// input).
func TestRuleSetMissingYearRefused(t *testing.T) {
	doc := `{"jurisdictions":[{"jurisdiction":"CPUC_RETAIL_SELLER","balance_from":"2010-06-01","periods":[
		{"period":"CP2","first_year":2014,"last_year":2016,"targets":{"2014":"21.7","2016":"25"},
		 "pcc1_min":"65","pcc3_max":"15","long_term_min":"0","excess_era":"SB2_1X"}]}]}`
	_, err := ParseRules([]byte(doc))
	fields := apperr.FieldsOf(err)
	if len(fields) != 1 || fields[0].Field != "CPUC_RETAIL_SELLER.CP2.targets.2015" {
		t.Fatalf("err = %v, want CPUC_RETAIL_SELLER.CP2.targets.2015", err)
	}
}

// TestRuleSetPercentagesParsedExactly refuses percentages that are not
// plain published decimals.
func TestRuleSetPercentagesParsedExactly(t *testing.T) {
	for _, p := range []Percent{"", "21,7", "1e2", "-5", "100.5", "33.33333", "12."} {
		if _, err := p.Fraction(); err == nil {
			t.Errorf("%q accepted", p)
		}
	}
	f, err := Percent("46.67").Fraction()
	if err != nil || f.Cmp(big.NewRat(4667, 10000)) != 0 {
		t.Errorf("46.67 = %v, %v; want 4667/10000", f, err)
	}
}

// TestRuleSetLimitsMustBeSatisfiable refuses a PCC1 minimum and PCC3
// maximum that cannot both hold.
func TestRuleSetLimitsMustBeSatisfiable(t *testing.T) {
	rs := ruleSet(t, CPUCRetailSeller, "CP4")
	rs.PCC1Min, rs.PCC3Max = "95", "10"
	if err := rs.Validate(); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("95%% PCC1 with 10%% PCC3 accepted: %v", err)
	}
}

// TestForYearFindsThePeriod maps years to periods, with the boundary years.
func TestForYearFindsThePeriod(t *testing.T) {
	r := defaultRules(t)
	for y, want := range map[int]string{2011: "CP1", 2013: "CP1", 2014: "CP2", 2020: "CP3", 2021: "CP4", 2024: "CP4", 2025: "CP5", 2030: "CP6", 2031: "CP7"} {
		rs, err := r.ForYear(CPUCRetailSeller, y)
		if err != nil || rs.Period != want {
			t.Errorf("%d: %s %v, want %s", y, rs.Period, err, want)
		}
	}
	if _, err := r.ForYear(CPUCRetailSeller, 2010); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("2010: %v, want not found", err)
	}
}
