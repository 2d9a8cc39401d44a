package energyteam

import (
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/reference"
	"github.com/gridbook/gridbook/internal/tariff"
)

func date(y int, m time.Month, d int) calendar.Date { return calendar.Date{Year: y, Month: m, Day: d} }

// julyInputs is a residential CCA home on TOU-D-4-9PM using 1 kWh every
// hour of July 2025, with the shipped tariffs and incentive catalog.
func julyInputs(t *testing.T, mods ...func(*Inputs)) Inputs {
	t.Helper()
	vs, err := tariff.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	tabs, err := tariff.ShippedExportTables()
	if err != nil {
		t.Fatal(err)
	}
	var sv []billrun.StoredVersion
	for i := range vs {
		sv = append(sv, billrun.StoredVersion{Version: &vs[i], Ref: billrun.VersionRef{ID: int64(i + 1), Utility: vs[i].Utility, Code: vs[i].Code}})
	}
	var st []billrun.StoredTable
	for i := range tabs {
		st = append(st, billrun.StoredTable{Table: &tabs[i], Ref: billrun.TableRef{ID: int64(i + 1)}})
	}
	cat, err := incentive.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := reference.Load()
	if err != nil {
		t.Fatal(err)
	}
	acct := billrun.Account{Account: customer.Account{ID: 1, Number: "8000000001", Class: customer.Residential, RateSchedule: "TOU-D-4-9PM",
		LSE: customer.CCA, ServiceStart: date(2020, 1, 1)}, ClimateZone: 6,
		Meters: []customer.Meter{{ID: 5, AccountID: 1, IntervalSeconds: 3600, Installed: date(2020, 1, 1), Channels: []customer.Channel{
			{ID: 11, Direction: customer.Delivered, IntervalSeconds: 3600}}}}}
	prem := customer.Premise{ID: 2, CountyFIPS: "06111", MemberAgency: "Oxnard", ClimateZone: 6,
		Home: customer.Home{DwellingType: "single_family", HeatingFuel: "gas", FloorAreaSqFt: 1500}}
	july := calendar.Period{Start: date(2025, 7, 1), End: date(2025, 8, 1)}
	u := billing.Usage{Start: july.Start.Start(), Step: time.Hour, Delivered: make([]energy.Wh, 744)}
	for i := range u.Delivered {
		u.Delivered[i] = 1000
	}
	in := Inputs{Account: acct, Premise: prem, Tariffs: billrun.NewCatalog(sv, st), Periods: []calendar.Period{july}, Usage: u,
		Programs: cat, Income: ref, GridCO2LbsPerMWh: 500}
	for _, m := range mods {
		m(&in)
	}
	in.Facts = incentive.RegistryFacts(in.Account.Account, in.Premise, in.Account.Enrollments, date(2026, 3, 8))
	return in
}

func option(p *Plan, code string) PlanOption {
	for _, o := range p.Options {
		if o.Code == code {
			return o
		}
	}
	return PlanOption{}
}

// TestPlanBillsTheCCASplitAndPricesRebates: July 2025 at 1 kWh an hour on
// TOU-D-4-9PM for a CCA home is $228.77 to SCE and $73.97 of generation
// (hand computation in billrun's TestShadowBillsAnotherScheduleWithThe
// AccountsTerms); TOU-D-PRIME is billed too. The heat pump water heater
// ($6,500, cited) earns HEER's $200 (seed 003: energy factor 2.35 ≥ 2.0,
// residential), net $6,300; HVAC quality installation needs the
// program's calculated incentive before it can be quoted; induction and a
// home charger have no program; managed charging refers to EV
// SmartCharge without a payment. The plan of the water heater and
// managed charging costs $6,500 + $1,500 less $200: $7,800.
func TestPlanBillsTheCCASplitAndPricesRebates(t *testing.T) {
	p, err := MakePlan(julyInputs(t), []string{"hpwh", "ev_managed"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Tariffs) != 2 || p.Tariffs[0].Code != "TOU-D-4-9PM" || p.Tariffs[1].Code != "TOU-D-PRIME" {
		t.Fatalf("tariffs %+v", p.Tariffs)
	}
	cur := p.Tariffs[0]
	if !cur.Current || cur.LSE != "cca" || cur.UtilityTotal != 22877 || cur.GenerationTotal != 7397 || cur.Total != 30274 || cur.Error != "" {
		t.Errorf("TOU-D-4-9PM %+v", cur)
	}
	if !strings.Contains(strings.Join(p.Notes, " "), "CCA's generation is priced at the utility schedule's generation rates") {
		t.Errorf("notes %q", p.Notes)
	}
	hpwh := option(p, "hpwh")
	if hpwh.Cost.Cents != 650000 || hpwh.RebateCents != 20000 || hpwh.NetCents != 630000 || len(hpwh.Rebates) != 1 ||
		!hpwh.Rebates[0].Eligible || !hpwh.Rebates[0].Referable || hpwh.Rebates[0].ProgramName != "Heat pump water heater rebate (HEER)" {
		t.Errorf("hpwh %+v", hpwh)
	}
	hvac := option(p, "hp_heating")
	if r := hvac.Rebates[0]; r.Eligible || r.Referable || !strings.Contains(r.Reasons[0], "needs measure.calculated_incentive_usd") || hvac.NetCents != 1800000 {
		t.Errorf("hp_heating %+v", hvac)
	}
	if r := option(p, "induction").Rebates[0]; r.Program != "" || !strings.Contains(r.Reasons[0], "induction") {
		t.Errorf("induction %+v", r)
	}
	if r := option(p, "ev_managed").Rebates[0]; r.Program != EVSmartCharge || r.Eligible || r.AmountCents != 0 {
		t.Errorf("managed charging %+v", r)
	}
	c := p.Combined
	if c == nil || c.Cost.Cents != 800000 || c.RebateCents != 20000 || c.NetCents != 780000 || c.AddedKWh <= 0 || c.BillChange <= 0 {
		t.Fatalf("plan %+v", c)
	}
}

// TestPlanUsesTheAccountsTerms: a bundled home has no generation ledger;
// a commercial account is not eligible for the residential water-heater
// rebate, with the seed's rule as the reason; a home heating with a heat
// pump is not offered heat pump heating and gets no rebate for it.
func TestPlanUsesTheAccountsTerms(t *testing.T) {
	p, err := MakePlan(julyInputs(t, func(in *Inputs) { in.Account.LSE = customer.Bundled }), nil)
	if err != nil {
		t.Fatal(err)
	}
	if cur := p.Tariffs[0]; cur.LSE != "bundled" || cur.GenerationTotal != 0 || cur.UtilityTotal != cur.Total || p.Combined != nil {
		t.Errorf("bundled %+v", cur)
	}
	p, err = MakePlan(julyInputs(t, func(in *Inputs) { in.Account.Class = customer.Commercial }), nil)
	if err != nil {
		t.Fatal(err)
	}
	if r := option(p, "hpwh").Rebates[0]; r.Eligible || !strings.Contains(strings.Join(r.Reasons, ";"), "residential customers only") {
		t.Errorf("commercial hpwh %+v", r)
	}
	p, err = MakePlan(julyInputs(t, func(in *Inputs) { in.Premise.Home.HeatingFuel = "heat_pump" }), nil)
	if err != nil {
		t.Fatal(err)
	}
	if o := option(p, "hp_heating"); o.NotApplicable == "" || len(o.Rebates) != 0 || o.NetCents != 0 {
		t.Errorf("heat pump home %+v", o)
	}
}

// TestPlanPricesTheCCAProducts: the July home's $73.97 of generation on
// TOU-D-4-9PM (beside $228.77 of delivery) moved by each product's
// relative price, rounded half away from zero: Lean −2% / −1% is
// 73.97 − 1.4794 → $72.49 and 73.97 − 0.7397 → $73.23; Clean −1% / 0 is
// $73.23 / $73.97; 100% Green +3% is 73.97 + 2.2191 → $76.19. A bundled
// home and a Power Share home get no products, each with its reason.
func TestPlanPricesTheCCAProducts(t *testing.T) {
	p, err := MakePlan(julyInputs(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		code           string
		genLo, genHi   int64
		totLo, totHigh int64
	}{
		{"lean", 7249, 7323, 30126, 30200},
		{"clean", 7323, 7397, 30200, 30274},
		{"green100", 7619, 7619, 30496, 30496},
	}
	if len(p.Products) != len(want) || p.ProductsNote != "" {
		t.Fatalf("products %+v note %q", p.Products, p.ProductsNote)
	}
	for i, w := range want {
		g := p.Products[i]
		if g.Code != w.code || int64(g.GenerationLow) != w.genLo || int64(g.GenerationHigh) != w.genHi ||
			int64(g.TotalLow) != w.totLo || int64(g.TotalHigh) != w.totHigh || g.Source == "" {
			t.Errorf("product %d: got %+v, want %+v", i, g, w)
		}
	}
	p, err = MakePlan(julyInputs(t, func(in *Inputs) { in.Account.LSE = customer.Bundled }), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Products) != 0 || !strings.Contains(p.ProductsNote, "bundled") {
		t.Errorf("bundled: products %+v note %q", p.Products, p.ProductsNote)
	}
	p, err = MakePlan(julyInputs(t, func(in *Inputs) {
		in.Account.Enrollments = append(in.Account.Enrollments, customer.Enrollment{AccountID: 1, Program: billrun.ProgramPowerShare, From: date(2024, 1, 1)})
	}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Products) != 0 || !strings.Contains(p.ProductsNote, "Power Share") {
		t.Errorf("power share: products %+v note %q", p.Products, p.ProductsNote)
	}
}

// TestProductRelative: the products' prices in words.
func TestProductRelative(t *testing.T) {
	for _, c := range []struct {
		lo, hi int64
		want   string
	}{{-200, -100, "2% to 1% below"}, {-100, 0, "1% below to at parity"}, {300, 300, "3% above"}, {0, 0, "at parity"}, {-150, -150, "1.5% below"}, {-5, 25, "0.05% below to 0.25% above"}} {
		if got := (Product{LowBP: c.lo, HighBP: c.hi}).Relative(); got != c.want {
			t.Errorf("%d..%d: %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
}
