package rps

import (
	"testing"
)

func certifiedFacility(t *testing.T, tech Technology, kw int64, cod string) Facility {
	return Facility{Name: "F", WREGISID: "W1", Technology: tech, NameplateKW: kw, COD: date(t, cod), State: "CA",
		Certifications: []Certification{{Status: Certified, From: date(t, "2000-01-01")}}}
}

// TestSmallHydroBoundaries checks §399.12(e)(1)(A): 30 MW or less, and
// the 2005-12-31 line between existing hydro (eligible only for the
// seller that procured from it by then) and new hydro (eligible only
// without adverse in-stream effects).
func TestSmallHydroBoundaries(t *testing.T) {
	on := date(t, "2022-06-01")
	at30 := certifiedFacility(t, SmallHydro, 30_000, "2010-01-01")
	at30.Hydro = &HydroFacts{}
	if d := Eligibility(&at30, on, ""); !d.Eligible {
		t.Errorf("30 MW new hydro without adverse effects: %s", d.Reason())
	}
	above := at30
	above.NameplateKW = 30_001
	if d := Eligibility(&above, on, ""); d.Eligible {
		t.Errorf("30.001 MW small hydro accepted")
	}
	adverse := at30
	adverse.Hydro = &HydroFacts{AdverseInstreamEffect: true}
	if d := Eligibility(&adverse, on, ""); d.Eligible {
		t.Errorf("new hydro (2010) with adverse in-stream effects accepted")
	}
	existing := certifiedFacility(t, SmallHydro, 12_000, "2005-12-31")
	existing.Hydro = &HydroFacts{AdverseInstreamEffect: true, ProcuredBy2005: []string{"Southern California Edison"}}
	if d := Eligibility(&existing, on, "Southern California Edison"); !d.Eligible {
		t.Errorf("existing hydro for its pre-2006 buyer: %s", d.Reason())
	}
	if d := Eligibility(&existing, on, "Clean Power Alliance"); d.Eligible {
		t.Errorf("existing hydro accepted for a seller that did not procure from it by 2005")
	}
	if d := Eligibility(&existing, on, ""); !d.Eligible || d.Findings[len(d.Findings)-1].Outcome != NotApplicable {
		t.Errorf("without a seller the procurer rule should be left to the claim: %+v", d.Findings)
	}
	newer := existing
	newer.COD = date(t, "2006-01-01")
	if d := Eligibility(&newer, on, "Southern California Edison"); d.Eligible {
		t.Errorf("hydro from 2006-01-01 with adverse effects accepted")
	}
}

// TestWaterSupplyHydroLimits checks §399.12(e)(1)(D): 40 MW, one
// procurer, no applications from 2013-01-01, resale up to 100,000 MWh.
func TestWaterSupplyHydroLimits(t *testing.T) {
	on := date(t, "2022-06-01")
	f := certifiedFacility(t, WaterSupplyHydro, 40_000, "1990-01-01")
	f.Hydro = &HydroFacts{ProcuredBy2005: []string{"Anaheim"}, CertificationApplied: date(t, "2012-12-31"), POUResaleMWh: 100_000}
	if d := Eligibility(&f, on, "Anaheim"); !d.Eligible {
		t.Errorf("at the limits: %s", d.Reason())
	}
	for name, mut := range map[string]func(*Facility){
		"40.001 MW":          func(g *Facility) { g.NameplateKW = 40_001 },
		"applied 2013-01-01": func(g *Facility) { g.Hydro.CertificationApplied = date(t, "2013-01-01") },
		"resold 100,001 MWh": func(g *Facility) { g.Hydro.POUResaleMWh = 100_001 },
		"two 2005 procurers": func(g *Facility) { g.Hydro.ProcuredBy2005 = []string{"Anaheim", "Riverside"} },
	} {
		g := f
		h := *f.Hydro
		g.Hydro = &h
		mut(&g)
		if d := Eligibility(&g, on, "Anaheim"); d.Eligible {
			t.Errorf("%s accepted", name)
		}
	}
}

// TestMSWCombustionStanislausException checks §399.12(e)(2): MSW
// combustion is excluded, except generation before 2017-01-01 from a
// Stanislaus County facility operating before 1996-09-26.
func TestMSWCombustionStanislausException(t *testing.T) {
	f := certifiedFacility(t, MSWCombustion, 22_000, "1988-01-01")
	f.County = "Stanislaus"
	if d := Eligibility(&f, date(t, "2016-12-31"), ""); !d.Eligible {
		t.Errorf("Stanislaus 2016-12-31: %s", d.Reason())
	}
	if d := Eligibility(&f, date(t, "2017-01-01"), ""); d.Eligible {
		t.Errorf("Stanislaus 2017-01-01 accepted")
	}
	late := f
	late.COD = date(t, "1996-09-26")
	if d := Eligibility(&late, date(t, "2016-06-01"), ""); d.Eligible {
		t.Errorf("facility operating from 1996-09-26 accepted")
	}
	other := f
	other.County = "Los Angeles"
	if d := Eligibility(&other, date(t, "2016-06-01"), ""); d.Eligible {
		t.Errorf("Los Angeles MSW combustion accepted")
	}
}

// TestDeMinimisFuel is T17 and §399.12(h)(3)(A): 1.5% gas leaves all
// output eligible; 3% leaves the renewable 97%; 3% within a CEC-raised 5%
// limit for natural gas with conditions (i)-(ii) leaves all; a raised
// limit for diesel, or above 5%, falls back to 2%.
func TestDeMinimisFuel(t *testing.T) {
	on := date(t, "2022-06-01")
	for _, c := range []struct {
		name  string
		fuel  FuelFacts
		share string
	}{
		{"1.5%", FuelFacts{NonrenewableShare: "1.5", Fuel: "natural_gas"}, "1"},
		{"2% exactly", FuelFacts{NonrenewableShare: "2", Fuel: "natural_gas"}, "1"},
		{"2.01%", FuelFacts{NonrenewableShare: "2.01", Fuel: "natural_gas"}, "9799/10000"},
		{"3%", FuelFacts{NonrenewableShare: "3", Fuel: "natural_gas"}, "97/100"},
		{"3% raised to 5%", FuelFacts{NonrenewableShare: "3", RaisedLimit: "5", Fuel: "natural_gas", IncreasesRenewableOutput: true, ReducesVariability: true}, "1"},
		{"3% raised, fossil hydrogen", FuelFacts{NonrenewableShare: "3", RaisedLimit: "5", Fuel: "fossil_hydrogen", IncreasesRenewableOutput: true, ReducesVariability: true}, "1"},
		{"3% raised, diesel", FuelFacts{NonrenewableShare: "3", RaisedLimit: "5", Fuel: "diesel", IncreasesRenewableOutput: true, ReducesVariability: true}, "97/100"},
		{"3% raised, condition (ii) unmet", FuelFacts{NonrenewableShare: "3", RaisedLimit: "5", Fuel: "natural_gas", IncreasesRenewableOutput: true}, "97/100"},
		{"5.5% raised to 6%", FuelFacts{NonrenewableShare: "5.5", RaisedLimit: "6", Fuel: "natural_gas", IncreasesRenewableOutput: true, ReducesVariability: true}, "189/200"},
	} {
		f := certifiedFacility(t, Biomass, 20_000, "2001-01-01")
		f.Fuel = &c.fuel
		d := Eligibility(&f, on, "")
		if !d.Eligible || d.Share.RatString() != c.share {
			t.Errorf("%s: eligible %v share %s, want %s", c.name, d.Eligible, d.Share.RatString(), c.share)
		}
	}
	// 10,000 MWh at 3% is 9,700 eligible MWh (T17).
	f := certifiedFacility(t, Biomass, 20_000, "2001-01-01")
	f.Fuel = &FuelFacts{NonrenewableShare: "3", Fuel: "natural_gas"}
	d := Eligibility(&f, on, "")
	if got := floorRat(mulInt(d.Share, 10_000)); got != 9_700 {
		t.Errorf("T17: %d eligible MWh, want 9,700", got)
	}
}

// TestCertificationStatusGates: precertified, suspended and revoked
// facilities and days before certification are not eligible.
func TestCertificationStatusGates(t *testing.T) {
	f := certifiedFacility(t, SolarPV, 50_000, "2023-01-01")
	f.Certifications = []Certification{
		{Status: Precertified, From: date(t, "2022-01-01"), To: date(t, "2023-05-10")},
		{Status: Certified, From: date(t, "2023-05-10"), To: date(t, "2024-01-01")},
		{Status: Suspended, From: date(t, "2024-01-01")},
	}
	if err := f.Validate(); err != nil {
		t.Fatal(err)
	}
	for on, want := range map[string]bool{"2021-12-31": false, "2023-05-09": false, "2023-05-10": true, "2023-12-31": true, "2024-01-01": false} {
		if d := Eligibility(&f, date(t, on), ""); d.Eligible != want {
			t.Errorf("%s: eligible %v, want %v (%s)", on, d.Eligible, want, d.Reason())
		}
	}
	if from, ok := f.CertifiedFrom(month(t, "2023-05")); !ok || from.String() != "2023-05-10" {
		t.Errorf("May 2023 certified from %v %v, want 2023-05-10", from, ok)
	}
	if _, ok := f.CertifiedFrom(month(t, "2023-04")); ok {
		t.Errorf("April 2023 should not be certified")
	}
	if from, ok := f.CertifiedFrom(month(t, "2023-06")); !ok || from.String() != "2023-06-01" {
		t.Errorf("June 2023 certified from %v %v", from, ok)
	}
	overlap := f
	overlap.Certifications = []Certification{{Status: Certified, From: date(t, "2023-01-01")}, {Status: Revoked, From: date(t, "2024-01-01")}}
	if err := overlap.Validate(); err == nil {
		t.Errorf("an open record followed by another accepted")
	}
}

// TestHydroEfficiencyIncrement checks §399.12.5(b): only the increment is
// eligible, when all conditions hold; and §399.12.5(a): small hydro taken
// above 30 MW by post-2008 improvements stays eligible.
func TestHydroEfficiencyIncrement(t *testing.T) {
	on := date(t, "2022-06-01")
	up := &EfficiencyUpgrade{Started: date(t, "2008-01-01"), IncrementalShare: "8", RetrofitNoAdverseEffect: true, WaterQualityCertified: true,
		OwnedByRetailSellerOrPOU: true, LongTermCommitment: true}
	f := certifiedFacility(t, LargeHydro, 120_000, "2006-12-31")
	f.Hydro = &HydroFacts{Upgrade: up}
	if d := Eligibility(&f, on, ""); !d.Eligible || d.Share.RatString() != "2/25" {
		t.Errorf("increment: %v share %s (%s)", d.Eligible, d.Share.RatString(), d.Reason())
	}
	early := *up
	early.Started = date(t, "2007-12-31")
	f.Hydro = &HydroFacts{Upgrade: &early}
	if d := Eligibility(&f, on, ""); d.Eligible {
		t.Errorf("improvements started 2007-12-31 accepted")
	}
	f.Hydro = &HydroFacts{Upgrade: up}
	f.COD = date(t, "2007-01-01")
	if d := Eligibility(&f, on, ""); d.Eligible {
		t.Errorf("facility operating from 2007-01-01 accepted")
	}
	small := certifiedFacility(t, SmallHydro, 32_000, "2009-01-01")
	small.Hydro = &HydroFacts{Upgrade: up}
	if d := Eligibility(&small, on, ""); !d.Eligible {
		t.Errorf("small hydro upgraded above 30 MW: %s", d.Reason())
	}
}

// TestBiomethaneRules checks §399.12.6: pre-2012-03-29 contracts keep the
// earlier rules only for sources injecting by 2014-04-01; later contracts
// by common carrier need (A)-(C).
func TestBiomethaneRules(t *testing.T) {
	on := date(t, "2022-06-01")
	f := certifiedFacility(t, Biomethane, 5_000, "2011-01-01")
	f.Biomethane = &BiomethaneFacts{ContractExecuted: date(t, "2012-03-28"), ReportedToCEC: date(t, "2012-03-28"), SourceFirstInjected: date(t, "2014-04-01")}
	if d := Eligibility(&f, on, ""); !d.Eligible {
		t.Errorf("grandfathered biomethane: %s", d.Reason())
	}
	f.Biomethane.SourceFirstInjected = date(t, "2014-04-02")
	if d := Eligibility(&f, on, ""); d.Eligible {
		t.Errorf("source injecting from 2014-04-02 accepted under the old rules")
	}
	f.Biomethane = &BiomethaneFacts{ContractExecuted: date(t, "2012-03-29"), Delivery: "common_carrier", FlowsTowardCalifornia: true, IncrementalInjection: true}
	if d := Eligibility(&f, on, ""); d.Eligible {
		t.Errorf("common carrier without an environmental benefit accepted")
	}
	f.Biomethane.Benefits = []string{"odor"}
	if d := Eligibility(&f, on, ""); !d.Eligible {
		t.Errorf("common carrier with (A)-(C): %s", d.Reason())
	}
}
