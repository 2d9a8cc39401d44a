package nem

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
)

func day(y int, m time.Month, d int) calendar.Date { return calendar.Date{Year: y, Month: m, Day: d} }

// home is a residential generating account on a TOU rate.
var home = Facts{Account: AccountFacts{Number: "3000012345", CustomerID: 7, RateSchedule: "TOU-D-PRIME", Active: true}}

// rooftop is a typical eligible standard NEM application.
func rooftop() System {
	return System{Variant: Standard, Technology: SolarPV, CapacityW: 7_600, ExpectedAnnualWh: 11_000_000, AnnualUseWh: 12_000_000}
}

// outcome reports whether the decision checked rule and, if so, whether
// it passed.
func outcome(d Decision, rule Rule) (checked, passed bool) {
	passed = true
	for _, c := range d.Checks {
		if c.Rule == rule {
			checked = true
			passed = passed && c.Passed
		}
	}
	return checked, passed
}

func wantRule(t *testing.T, d Decision, rule Rule, pass bool) {
	t.Helper()
	checked, passed := outcome(d, rule)
	if !checked {
		t.Fatalf("rule %s was not checked; checks %+v", rule, d.Checks)
	}
	if passed != pass {
		t.Errorf("rule %s passed = %v, want %v (%+v)", rule, passed, pass, d.Checks)
	}
	if !pass && d.Eligible {
		t.Errorf("eligible = %v with rule %s failing", d.Eligible, rule)
	}
}

// TestCapacityLimitIs1000kWInclusive: "never above 1,000 kW" (seed 002):
// 1,000 kW is eligible, 1,001 kW is not.
func TestCapacityLimitIs1000kWInclusive(t *testing.T) {
	for _, c := range []struct {
		kw   energy.W
		want bool
	}{{1_000_000, true}, {1_001_000, false}, {999_999, true}, {1_000_001, false}} {
		s := rooftop()
		s.CapacityW, s.ExpectedAnnualWh, s.AnnualUseWh = c.kw, 1_500_000_000, 2_000_000_000
		d := Decide(s, home, day(2026, 3, 2))
		wantRule(t, d, RuleCapacity, c.want)
		if d.Eligible != c.want {
			t.Errorf("%d W: eligible = %v, want %v", c.kw, d.Eligible, c.want)
		}
	}
}

// TestEligibleTechnologiesAreExactlyTheSeedsList checks the fourteen
// technologies of seed 002 and refuses others with rule nem.technology.
func TestEligibleTechnologiesAreExactlyTheSeedsList(t *testing.T) {
	want := []Technology{"solar_pv", "wind", "fuel_cell", "biogas", "biomass", "digester_gas", "geothermal", "hydro",
		"landfill_gas", "msw_conversion", "ocean_thermal", "ocean_wave", "solar_thermal", "tidal_current"}
	if !slices.Equal(Technologies, want) {
		t.Fatalf("Technologies = %v, want %v", Technologies, want)
	}
	for _, tech := range want {
		s := rooftop()
		s.Technology, s.RenewableFuel, s.MSWQualified = tech, true, true
		if d := Decide(s, home, day(2026, 3, 2)); !d.Eligible {
			t.Errorf("%s: not eligible: %+v", tech, d.Failed())
		}
	}
	for _, tech := range []Technology{"diesel", "natural_gas", "battery", "nuclear"} {
		s := rooftop()
		s.Technology = tech
		wantRule(t, Decide(s, home, day(2026, 3, 2)), RuleTechnology, false)
	}
}

// TestFuelCellOnStandardNEMOnlyOnRenewableFuel: footnote 1 of seed 002.
func TestFuelCellOnStandardNEMOnlyOnRenewableFuel(t *testing.T) {
	s := rooftop()
	s.Technology = FuelCell
	wantRule(t, Decide(s, home, day(2026, 3, 2)), RuleRenewableFuel, false)
	s.RenewableFuel = true
	wantRule(t, Decide(s, home, day(2026, 3, 2)), RuleRenewableFuel, true)
}

// TestHydroUpTo30MWAndOnlyWithoutHarmToInstreamUsesOrFlow: footnote 2.
func TestHydroUpTo30MWAndOnlyWithoutHarmToInstreamUsesOrFlow(t *testing.T) {
	s := rooftop()
	s.Technology = Hydro
	d := Decide(s, home, day(2026, 3, 2))
	wantRule(t, d, RuleHydroSize, true)
	wantRule(t, d, RuleHydroHarm, true)
	s.HydroHarm = true
	wantRule(t, Decide(s, home, day(2026, 3, 2)), RuleHydroHarm, false)
	s.HydroHarm, s.CapacityW = false, 30_000_001
	wantRule(t, Decide(s, home, day(2026, 3, 2)), RuleHydroSize, false)
}

// TestMSWConversionOnlyAsDefinedInPRC25741b3: footnote 3.
func TestMSWConversionOnlyAsDefinedInPRC25741b3(t *testing.T) {
	s := rooftop()
	s.Technology = MSWConversion
	wantRule(t, Decide(s, home, day(2026, 3, 2)), RuleMSW, false)
	s.MSWQualified = true
	wantRule(t, Decide(s, home, day(2026, 3, 2)), RuleMSW, true)
}

// TestSystemSizedToPastYearOfUseOrNewServiceEstimate: "System sized to the
// customer's historical use" (spec/nem.md).
func TestSystemSizedToPastYearOfUseOrNewServiceEstimate(t *testing.T) {
	s := rooftop()
	s.ExpectedAnnualWh, s.AnnualUseWh = 12_000_000, 12_000_000
	wantRule(t, Decide(s, home, day(2026, 3, 2)), RuleSizedToUse, true)
	s.ExpectedAnnualWh = 12_000_001
	wantRule(t, Decide(s, home, day(2026, 3, 2)), RuleSizedToUse, false)
	s.NewService, s.AnnualUseWh = true, 15_000_000
	d := Decide(s, home, day(2026, 3, 2))
	wantRule(t, d, RuleSizedToUse, true)
	if c := d.Checks[slices.IndexFunc(d.Checks, func(c Check) bool { return c.Rule == RuleSizedToUse })]; !strings.Contains(c.Detail, "estimated") {
		t.Errorf("new service detail %q does not say the use is estimated", c.Detail)
	}
}

// TestFuelCellNEMOperatingFrom2015: NEM Fuel Cell needs operation on or
// after 2015-01-01 (2014-12-31 is refused), a TOU rate, a technology the
// CPUC found to cut greenhouse gases (§2827.10(b)) and the emissions
// standard of §379.6(c).
func TestFuelCellNEMOperatingFrom2015(t *testing.T) {
	fc := System{Variant: FuelCellNEM, Technology: FuelCell, CapacityW: 200_000, ExpectedAnnualWh: 1_500_000_000,
		AnnualUseWh: 1_600_000_000, FuelCellCPUCApproved: true, FuelCellEmissions: true, OperatingFrom: day(2015, 1, 1)}
	d := Decide(fc, home, day(2026, 3, 2))
	if !d.Eligible {
		t.Fatalf("fuel cell operating 2015-01-01 not eligible: %+v", d.Failed())
	}
	// Natural gas is not renewable fuel, and NEM Fuel Cell does not ask.
	if checked, _ := outcome(d, RuleRenewableFuel); checked {
		t.Error("NEM Fuel Cell checked the standard NEM renewable-fuel rule")
	}
	fc.OperatingFrom = day(2014, 12, 31)
	wantRule(t, Decide(fc, home, day(2026, 3, 2)), RuleFCOperating, false)
	fc.OperatingFrom = calendar.Date{}
	wantRule(t, Decide(fc, home, day(2026, 3, 2)), RuleFCOperating, false)

	fc.OperatingFrom = day(2016, 5, 1)
	tiered := Facts{Account: AccountFacts{Number: "1", RateSchedule: "D", Active: true}}
	wantRule(t, Decide(fc, tiered, day(2026, 3, 2)), RuleFCTOU, false)
	for _, rate := range []string{"TOU-8-D", "TOU-GS-2-D", "E-ELEC", "E-TOU-C", "EV-TOU-5"} {
		wantRule(t, Decide(fc, Facts{Account: AccountFacts{Number: "1", RateSchedule: rate, Active: true}}, day(2026, 3, 2)), RuleFCTOU, true)
	}
	fc.FuelCellCPUCApproved = false
	wantRule(t, Decide(fc, home, day(2026, 3, 2)), RuleFCCPUC, false)
	fc.FuelCellCPUCApproved, fc.FuelCellEmissions = true, false
	wantRule(t, Decide(fc, home, day(2026, 3, 2)), RuleFCEmissions, false)
	fc.FuelCellEmissions, fc.Technology = true, SolarPV
	wantRule(t, Decide(fc, home, day(2026, 3, 2)), RuleFCTechnology, false)
}

// TestVirtualNEMSharesSumToExactly100Percent: benefiting accounts'
// effective-dated percentages sum to exactly 100% (billing.Allocation).
func TestVirtualNEMSharesSumToExactly100Percent(t *testing.T) {
	facts := Facts{Account: home.Account, Others: map[string]AccountFacts{"3000000001": {}, "3000000002": {}, "3000000003": {}}}
	vnm := rooftop()
	vnm.Variant, vnm.CapacityW, vnm.ExpectedAnnualWh, vnm.AnnualUseWh = Virtual, 40_000, 60_000_000, 70_000_000
	vnm.Allocations = []billing.Allocation{{From: day(2026, 1, 1), Shares: map[string]int64{"3000000001": 6000, "3000000002": 4000}}}
	if d := Decide(vnm, facts, day(2026, 3, 2)); !d.Eligible {
		t.Fatalf("60%%/40%% refused: %+v", d.Failed())
	}
	vnm.Allocations[0].Shares["3000000002"] = 3999
	d := Decide(vnm, facts, day(2026, 3, 2))
	wantRule(t, d, RuleVNMShares, false)
	err := d.Err("test")
	if f := apperr.FieldsOf(err); len(f) != 1 || f[0].Field != "allocations[0]" || !strings.Contains(f[0].Msg, "99.99%") {
		t.Errorf("error fields %+v, want allocations[0] naming 99.99%%", f)
	}
	// A later allocation may change the shares, but may not overlap.
	vnm.Allocations = []billing.Allocation{
		{From: day(2026, 1, 1), To: day(2027, 1, 1), Shares: map[string]int64{"3000000001": 10000}},
		{From: day(2027, 1, 1), Shares: map[string]int64{"3000000001": 5000, "3000000003": 5000}},
	}
	if d := Decide(vnm, facts, day(2026, 3, 2)); !d.Eligible {
		t.Fatalf("consecutive allocations refused: %+v", d.Failed())
	}
	vnm.Allocations[1].From = day(2026, 6, 1)
	wantRule(t, Decide(vnm, facts, day(2026, 3, 2)), RuleVNMShares, false)
	vnm.Allocations = []billing.Allocation{{From: day(2026, 1, 1), Shares: map[string]int64{"3999999999": 10000}}}
	wantRule(t, Decide(vnm, facts, day(2026, 3, 2)), RuleVNMAccounts, false)
}

// TestAggregationAccountsOnContiguousParcelsOfTheSameCustomer: aggregated
// meters on the generator's parcel or adjacent/contiguous ones, each solely
// owned or leased by the customer; the generator no larger than their
// annual load and 1 MW (seed 002).
func TestAggregationAccountsOnContiguousParcelsOfTheSameCustomer(t *testing.T) {
	farm := Facts{Account: AccountFacts{Number: "5000000001", CustomerID: 42, RateSchedule: "TOU-PA-2-D", Active: true},
		Others: map[string]AccountFacts{"5000000002": {CustomerID: 42}, "5000000003": {CustomerID: 42}, "5000000009": {CustomerID: 99}}}
	agg := System{Variant: Aggregation, Technology: SolarPV, CapacityW: 1_000_000, ExpectedAnnualWh: 1_700_000_000, AnnualUseWh: 500_000_000,
		Aggregated: []AggregatedAccount{
			{Account: "5000000002", Parcel: "109-0-010-020", Relation: Adjacent, SoleOwnerOrLessee: true, AnnualUseWh: 700_000_000},
			{Account: "5000000003", Parcel: "109-0-010-030", Relation: Contiguous, SoleOwnerOrLessee: true, AnnualUseWh: 500_000_000},
		}}
	if d := Decide(agg, farm, day(2026, 3, 2)); !d.Eligible {
		t.Fatalf("aggregation refused: %+v", d.Failed())
	}
	bad := agg
	bad.Aggregated = slices.Clone(agg.Aggregated)
	bad.Aggregated[1].Relation = NonContiguous
	d := Decide(bad, farm, day(2026, 3, 2))
	wantRule(t, d, RuleAggParcel, false)
	if f := apperr.FieldsOf(d.Err("t")); len(f) != 1 || f[0].Field != "aggregated[1].relation" || !strings.HasPrefix(f[0].Msg, "rule agg.contiguous_parcel:") {
		t.Errorf("fields %+v, want aggregated[1].relation naming agg.contiguous_parcel", f)
	}
	bad.Aggregated[1] = AggregatedAccount{Account: "5000000009", Parcel: "109-0-010-040", Relation: Adjacent, SoleOwnerOrLessee: true, AnnualUseWh: 500_000_000}
	wantRule(t, Decide(bad, farm, day(2026, 3, 2)), RuleAggOwner, false)
	bad.Aggregated[1] = agg.Aggregated[1]
	bad.Aggregated[1].SoleOwnerOrLessee = false
	wantRule(t, Decide(bad, farm, day(2026, 3, 2)), RuleAggOwner, false)
	// 1,700,000 kWh against 500 + 700 + 500 = 1,700,000 kWh passes; one more Wh fails.
	big := agg
	big.ExpectedAnnualWh = 1_700_000_001
	wantRule(t, Decide(big, farm, day(2026, 3, 2)), RuleAggLoad, false)
	big.ExpectedAnnualWh, big.CapacityW = 1_000_000_000, 1_001_000
	wantRule(t, Decide(big, farm, day(2026, 3, 2)), RuleCapacity, false)
}

// TestPairedStorageFollowsTheBillingEnginesStorageRules: a battery that
// may charge from the grid cannot claim a solar-only power control system
// (billing.Storage), and its size is recorded.
func TestPairedStorageFollowsTheBillingEnginesStorageRules(t *testing.T) {
	s := rooftop()
	s.Storage = &billing.Storage{KWh: 13_500, KW: 5_000, Metering: "pcs_solar_only"}
	d := Decide(s, home, day(2026, 3, 2))
	if !d.Eligible || !d.Storage {
		t.Fatalf("solar-only battery refused: %+v", d.Failed())
	}
	s.Storage.GridCharging = true
	wantRule(t, Decide(s, home, day(2026, 3, 2)), RuleStorage, false)
	s.Storage = &billing.Storage{KWh: 13_500, KW: 5_000, Metering: "smart"}
	wantRule(t, Decide(s, home, day(2026, 3, 2)), RuleStorage, false)
	s.Storage = &billing.Storage{Metering: "ngom", GridCharging: true}
	wantRule(t, Decide(s, home, day(2026, 3, 2)), RuleStorageSize, false)
}

// TestDecisionRecordsEveryRuleAndTheAccountMustBeInService.
func TestDecisionRecordsEveryRuleAndTheAccountMustBeInService(t *testing.T) {
	d := Decide(rooftop(), home, day(2026, 3, 2))
	var rules []Rule
	for _, c := range d.Checks {
		rules = append(rules, c.Rule)
		if !c.Passed || c.Detail == "" || c.Field == "" {
			t.Errorf("check %+v", c)
		}
	}
	if want := []Rule{RuleAccountActive, RuleTechnology, RuleCapacity, RuleSizedToUse}; !slices.Equal(rules, want) {
		t.Errorf("rules %v, want %v", rules, want)
	}
	closed := home
	closed.Account.Active = false
	wantRule(t, Decide(rooftop(), closed, day(2026, 3, 2)), RuleAccountActive, false)
}
