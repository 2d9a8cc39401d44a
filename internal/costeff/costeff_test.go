package costeff

import (
	"math"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/money"
)

// TestSeedTableCostPerFirstYearKWh reproduces seed 003's PG&E 2015 table
// from the program records exactly: $0.19, $0.52, $1.5, $2.7, $5.2, N/A,
// $15.1, every program above the $0.17 retail price.
func TestSeedTableCostPerFirstYearKWh(t *testing.T) {
	recs, retail, err := PGE2015()
	if err != nil {
		t.Fatal(err)
	}
	tab, err := CostPerFirstYearKWh("PG&E 2015 residential", recs, retail)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"0.19", "0.52", "1.5", "2.7", "5.2", "N/A", "15.1"}
	if len(tab.Programs) != len(want) {
		t.Fatalf("%d programs", len(tab.Programs))
	}
	for i, w := range want {
		p := tab.Programs[i]
		if p.Display != w {
			t.Errorf("%s: %s, seed %s", p.Name, p.Display, w)
		}
		if w != NA && !p.AboveRetail {
			t.Errorf("%s: not above the $0.17 retail price", p.Name)
		}
	}
	if tab.Programs[5].Available || tab.Programs[5].Budget != nil {
		t.Errorf("Residential Direct Install: %+v, want N/A with no budget", tab.Programs[5])
	}
	if tab.Metric != "$ per first-year kWh" || retail != "0.17" {
		t.Errorf("metric %q, retail %s", tab.Metric, retail)
	}
}

// TestDisplayRoundingBoundaries: below $1 to the cent, from $1 to the
// dime, half away from zero (0.185 → 0.19, 0.995 → 1.00 stays in cents,
// 1.45 → 1.5, 15.149 → 15.1).
func TestDisplayRoundingBoundaries(t *testing.T) {
	for _, c := range []struct {
		budget int64 // dollars
		kwh    int64
		want   string
	}{{185, 1000, "0.19"}, {995, 1000, "1.00"}, {1450, 1000, "1.5"}, {15149, 1000, "15.1"}, {100, 100, "1.0"}, {0, 5, "0.00"}} {
		b, k := c.budget, c.kwh
		rec := ProgramRecord{Name: "x", Budget: centsPtr(100 * b), FirstYearKWh: &k}
		tab, err := CostPerFirstYearKWh("", []ProgramRecord{rec}, "0.17")
		if err != nil {
			t.Fatal(err)
		}
		if got := tab.Programs[0].Display; got != c.want {
			t.Errorf("$%d / %d kWh = %s, want %s", b, k, got, c.want)
		}
	}
}

// TestFirstYearMetricAtThreeDecimals: research/programs.md scenario 36 —
// $23,600,000 / 124,200,000 kWh = $0.190; $1,520,000 / 100,000 kWh =
// $15.20; zero kWh is N/A, never a division error.
func TestFirstYearMetricAtThreeDecimals(t *testing.T) {
	k1, k2, k0 := int64(124_200_000), int64(100_000), int64(0)
	tab, err := CostPerFirstYearKWh("", []ProgramRecord{
		{Name: "a", Budget: centsPtr(2_360_000_000), FirstYearKWh: &k1},
		{Name: "b", Budget: centsPtr(152_000_000), FirstYearKWh: &k2},
		{Name: "c", Budget: centsPtr(100), FirstYearKWh: &k0},
	}, "0.17")
	if err != nil {
		t.Fatal(err)
	}
	if got := tab.Programs[0].Format(3); got != "0.190" {
		t.Errorf("a: %s", got)
	}
	if got := tab.Programs[1].Format(2); got != "15.20" {
		t.Errorf("b: %s", got)
	}
	if got := tab.Programs[2].Display; got != NA || tab.Programs[2].Format(2) != NA {
		t.Errorf("c: %s", got)
	}
}

// TestRetailMustBeAPrice names the field.
func TestRetailMustBeAPrice(t *testing.T) {
	if _, err := CostPerFirstYearKWh("", nil, "cheap"); err == nil || !strings.Contains(err.Error(), "retail") {
		t.Errorf("err %v", err)
	}
}

// TestAnnuityDueFactors: research/programs.md scenario 32 — A(10) at 7.5%
// = 7.378887, A(1) = 1, A(15) = 9.489154, A(20) = 10.959078.
func TestAnnuityDueFactors(t *testing.T) {
	for _, c := range []struct {
		n    float64
		want float64
	}{{10, 7.378887}, {1, 1}, {15, 9.489154}, {20, 10.959078}} {
		if got := AnnuityDue(c.n, 0.075); math.Abs(got-c.want) > 5e-7 {
			t.Errorf("A(%g) = %.7f, want %.6f", c.n, got, c.want)
		}
	}
}

// TestQuarterlyRates: scenario 35 — ExactQuarterly(0.075) = 0.0182446,
// flexvalue's Ra/4 = 0.01875.
func TestQuarterlyRates(t *testing.T) {
	if got := ExactQuarterly(0.075); math.Abs(got-0.0182446) > 5e-8 {
		t.Errorf("exact %.8f", got)
	}
	if got := FlexvalueQuarterly(0.075); got != 0.01875 {
		t.Errorf("flexvalue %v", got)
	}
}

// workedExample is research/programs.md §1.6: 100 units × 500 kWh/yr,
// IR = RR = 1, NTG 0.8, EUL 10, Ra 7.5%, no installation-quarter
// discount; admin $20,000, $300 rebate and $900 gross cost per unit; flat
// avoided cost $0.25/kWh.
func workedExample() ([]Claim, []ProgramCost, Settings) {
	c := Claim{CEInputID: "C1", PrgID: "P1", ClaimYearQuarter: "2026Q1", NumUnits: 100, EULYrs: 10,
		NTGRkWh: 0.8, NTGRCost: 0.8, InstallationRatekWh: 1, RealizationRatekWh: 1,
		UnitkWh1stBaseline: 500, UnitMeaCost1stBaseline: 900, UnitEndUserRebate: 300}
	return []Claim{c}, []ProgramCost{{PrgID: "P1", Admin: 20_000}},
		Settings{DiscountRate: 0.075, AvoidedElec: []float64{0.25}, ACCVersion: "flat $0.25/kWh (worked example)"}
}

// TestWorkedExampleLevelizedCostsAndRatios: scenario 33 — PV net kWh
// 295,155.48; PAC $50,000; TRC $98,000; levelized PAC $0.1694/kWh and TRC
// $0.3320/kWh; first-year PAC $1.25 per net kWh; benefits $73,788.87; TRC
// ratio 0.753, PAC ratio 1.476; TSB $73,788.87.
func TestWorkedExampleLevelizedCostsAndRatios(t *testing.T) {
	claims, progs, s := workedExample()
	ev, err := Evaluate(claims, progs, s)
	if err != nil {
		t.Fatal(err)
	}
	p := ev.Portfolio
	round := func(v float64, d int) float64 { f := math.Pow(10, float64(d)); return math.Round(v*f) / f }
	for _, c := range []struct {
		name      string
		got, want float64
		places    int
	}{
		{"PV net kWh", p.PVNetKWh, 295155.48, 2},
		{"PAC cost", p.PACCost, 50000, 2},
		{"TRC cost", p.TRCCost, 98000, 2},
		{"levelized PAC $/kWh", *p.LevPACKWh, 0.1694, 4},
		{"levelized TRC $/kWh", *p.LevTRCKWh, 0.3320, 4},
		{"first-year PAC $/net kWh", *p.CostPerFirstYearKWh, 1.25, 2},
		{"benefits", p.ElecBen, 73788.87, 2},
		{"TRC ratio", *p.TRCRatio, 0.753, 3},
		{"PAC ratio", *p.PACRatio, 1.476, 3},
		{"TSB", p.TSB, 73788.87, 2},
		{"lifecycle net kWh", p.LifecycleNetKWh, 400000, 2},
	} {
		if got := round(c.got, c.places); got != c.want {
			t.Errorf("%s = %.6f, want %v", c.name, c.got, c.want)
		}
	}
	if ev.Settings.ACCVersion == "" || !strings.Contains(ev.Settings.Annuity, "annuity due") {
		t.Errorf("settings stamp %+v", ev.Settings)
	}
}

// TestExcessIncentiveAddedBack: scenario 34 — gross measure cost $900 and
// $1,000 paid to others: the $100 excess is added back, so the
// participant's cost NTG × (900 − 1000 + 100) is 0 and TRC = PAC.
func TestExcessIncentiveAddedBack(t *testing.T) {
	claims, _, s := workedExample()
	claims[0].NumUnits, claims[0].UnitEndUserRebate, claims[0].UnitIncentiveToOthers = 1, 0, 1000
	ev, err := Evaluate(claims, nil, s)
	if err != nil {
		t.Fatal(err)
	}
	c := ev.Claims[0]
	if c.ExcessIncentives != 100 || c.TRCCost != c.PACCost || c.PACCost != 1000 {
		t.Errorf("claim %+v", c)
	}
}

// TestOneYearLifeLevelizedEqualsFirstYear: scenario 37 — a Home Energy
// Report claim with EUL 1 and no quarter discount: levelized PAC cost =
// first-year PAC cost per net kWh.
func TestOneYearLifeLevelizedEqualsFirstYear(t *testing.T) {
	claims, progs, s := workedExample()
	claims[0].EULYrs = 1
	ev, err := Evaluate(claims, progs, s)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := *ev.Portfolio.LevPACKWh, *ev.Portfolio.CostPerFirstYearKWh; math.Abs(a-b) > 1e-12 {
		t.Errorf("levelized %v, first-year %v", a, b)
	}
}

// TestAdminAllocatedByBenefits: a program's own costs follow its claims'
// positive benefits (two claims, benefits 3:1 → admin 75% / 25%).
func TestAdminAllocatedByBenefits(t *testing.T) {
	claims, progs, s := workedExample()
	second := claims[0]
	second.CEInputID, second.NumUnits = "C2", 100.0/3
	claims = append(claims, second)
	ev, err := Evaluate(claims, progs, s)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := ev.Claims[0].AdminAllocated, ev.Claims[1].AdminAllocated; math.Abs(a-15000) > 1e-6 || math.Abs(b-5000) > 1e-6 {
		t.Errorf("admin %v and %v, want 15,000 and 5,000", a, b)
	}
}

// TestBadSettingsAndClaimsNameTheField.
func TestBadSettingsAndClaimsNameTheField(t *testing.T) {
	claims, progs, s := workedExample()
	claims[0].EULYrs, claims[0].RULYrs = 0, 2
	s.ACCVersion, s.DiscountRate = "", 0
	_, err := Evaluate(claims, progs, s)
	for _, want := range []string{"discount_rate", "acc_version", "claims[0].EUL_Yrs", "claims[0].RUL_Yrs"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not name %s", err, want)
		}
	}
}

func centsPtr(c int64) *money.Cents { v := money.Cents(c); return &v }
