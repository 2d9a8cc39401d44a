package nem

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
)

// Technology is a generator technology.
type Technology string

// The renewable technologies eligible for standard NEM, exactly as SCE's
// NEM page lists them (seed 002; spec/nem.md "Variants").
const (
	SolarPV       Technology = "solar_pv"
	Wind          Technology = "wind"
	FuelCell      Technology = "fuel_cell" // standard NEM only if fully powered by renewable fuel
	Biogas        Technology = "biogas"
	Biomass       Technology = "biomass"
	DigesterGas   Technology = "digester_gas"
	Geothermal    Technology = "geothermal"
	Hydro         Technology = "hydro" // up to 30 MW, and not if it harms in-stream uses or flow
	LandfillGas   Technology = "landfill_gas"
	MSWConversion Technology = "msw_conversion" // only as defined in PRC §25741(b)(3)
	OceanThermal  Technology = "ocean_thermal"
	OceanWave     Technology = "ocean_wave"
	SolarThermal  Technology = "solar_thermal"
	TidalCurrent  Technology = "tidal_current"
)

// Technologies lists the eligible technologies in the page's order.
var Technologies = []Technology{SolarPV, Wind, FuelCell, Biogas, Biomass, DigesterGas, Geothermal, Hydro,
	LandfillGas, MSWConversion, OceanThermal, OceanWave, SolarThermal, TidalCurrent}

// Variant is a net energy metering arrangement.
type Variant string

// The variants of spec/nem.md. Paired storage is not a variant of its own
// here: any variant may pair storage behind the revenue meter (System.Storage),
// and the decision then carries the paired-storage checks.
const (
	Standard    Variant = "standard"    // Standard NEM
	FuelCellNEM Variant = "fuel_cell"   // NEM Fuel Cell (PU Code §2827.10)
	Virtual     Variant = "virtual"     // Virtual NEM: benefiting accounts by percentage
	Aggregation Variant = "aggregation" // NEM Aggregation: several meters of one customer
)

// Variants lists the variants.
var Variants = []Variant{Standard, FuelCellNEM, Virtual, Aggregation}

// Label is the variant's name.
func (v Variant) Label() string {
	switch v {
	case Standard:
		return "Standard NEM"
	case FuelCellNEM:
		return "NEM Fuel Cell"
	case Virtual:
		return "Virtual NEM"
	case Aggregation:
		return "NEM Aggregation"
	}
	return string(v)
}

// MaxCapacity is the largest generator NEM takes: "never above 1,000 kW"
// (seed 002: "không thể vượt quá 1,000 kilowatt"); NEM Aggregation "no more
// than 1 MW in total" is the same limit.
const MaxCapacity energy.W = 1_000_000

// MaxHydro is the hydro limit of standard NEM: "hydro up to 30 MW" (seed
// 002, footnote 2). It can never bind below MaxCapacity but is its own rule.
const MaxHydro energy.W = 30_000_000

// FuelCellOperatingFrom is the first day a NEM Fuel Cell generator may
// have begun operating (seed 002: "on or after 1 January 2015").
var FuelCellOperatingFrom = calendar.Date{Year: 2015, Month: 1, Day: 1}

// Parcel relations of an aggregated account to the generator's parcel.
const (
	SameParcel    = "same_parcel"
	Adjacent      = "adjacent"
	Contiguous    = "contiguous"
	NonContiguous = "non_contiguous"
)

// AggregatedAccount is one account of a NEM Aggregation arrangement other
// than the generating account.
type AggregatedAccount struct {
	Account string `json:"account"` // service account number
	Parcel  string `json:"parcel"`  // assessor's parcel number
	// Relation of its parcel to the generator's: same_parcel, adjacent,
	// contiguous or non_contiguous.
	Relation string `json:"relation"`
	// SoleOwnerOrLessee: the parcel is owned or leased solely by the
	// customer-generator.
	SoleOwnerOrLessee bool      `json:"sole_owner_or_lessee"`
	AnnualUseWh       energy.Wh `json:"annual_use_wh"` // the account's past 12 months of use
}

// System is what an application asks to interconnect: the generator, how
// it is sized, and the variant-specific facts.
type System struct {
	Variant    Variant    `json:"variant"`
	Technology Technology `json:"technology"`
	// CapacityW is the generator's rated capacity (CEC-AC for solar).
	CapacityW energy.W `json:"capacity_w"`
	// ExpectedAnnualWh is the expected annual production.
	ExpectedAnnualWh energy.Wh `json:"expected_annual_wh"`
	// AnnualUseWh is the customer's past 12 months of use; for new service
	// (NewService) an estimate.
	AnnualUseWh energy.Wh `json:"annual_use_wh"`
	NewService  bool      `json:"new_service"`

	// RenewableFuel: a fuel cell fully powered by renewable fuel (standard NEM).
	RenewableFuel bool `json:"renewable_fuel"`
	// HydroHarm: a small hydro facility that would harm in-stream
	// beneficial uses or change the volume or timing of flow.
	HydroHarm bool `json:"hydro_harm"`
	// MSWQualified: municipal solid waste conversion as defined in Public
	// Resources Code §25741(b)(3).
	MSWQualified bool `json:"msw_qualified"`

	// NEM Fuel Cell.
	FuelCellCPUCApproved bool          `json:"fuel_cell_cpuc_approved"` // PU Code §2827.10(b)
	FuelCellEmissions    bool          `json:"fuel_cell_emissions_met"` // PU Code §379.6(c)
	OperatingFrom        calendar.Date `json:"operating_from,omitzero"` // when the generator began operating

	// Storage paired behind the same revenue meter, if any.
	Storage *billing.Storage `json:"storage,omitempty"`
	// Allocations are the Virtual NEM benefiting accounts' effective-dated
	// shares, keyed by account number, in basis points.
	Allocations []billing.Allocation `json:"allocations,omitempty"`
	// Aggregated are the NEM Aggregation accounts besides the generator's.
	Aggregated []AggregatedAccount `json:"aggregated,omitempty"`
	// Rounding is the number of the account designated to take the
	// rounding remainders when the output is divided (billing.AllocateVNM
	// and billing.AllocateAggregation): a benefiting account of every VNM
	// allocation, or the generating or an aggregated account. When empty,
	// billing runs take the generating account for an aggregation and the
	// largest first share for VNM (billrun.Arrangement.RoundingAccount).
	Rounding string `json:"rounding_account,omitempty"`
}

// Accounts returns the numbers of the accounts the system names besides
// the generating account — the VNM benefiting accounts and the aggregated
// accounts — sorted, each once.
func (s System) Accounts() []string {
	var out []string
	for _, al := range s.Allocations {
		for n := range al.Shares {
			out = append(out, n)
		}
	}
	for _, m := range s.Aggregated {
		out = append(out, m.Account)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// AccountFacts is what the registry knows about an account an application
// names, for the rules that read it.
type AccountFacts struct {
	Number       string
	CustomerID   int64
	RateSchedule string
	Active       bool // in service on the decision date
}

// Facts is the registry's side of a decision: the generating account and
// every other account the application names, by number (missing ones are
// absent).
type Facts struct {
	Account AccountFacts
	Others  map[string]AccountFacts
}

// Rule names a rule a decision checks. Rules are written family.name.
type Rule string

// The rules, each with its source in the comment.
const (
	RuleTechnology    Rule = "nem.technology"          // seed 002 list of eligible technologies
	RuleRenewableFuel Rule = "nem.fuel_cell_renewable" // seed 002 footnote 1
	RuleHydroSize     Rule = "nem.hydro_30mw"          // seed 002: hydro up to 30 MW
	RuleHydroHarm     Rule = "nem.hydro_instream"      // seed 002 footnote 2
	RuleMSW           Rule = "nem.msw_prc_25741"       // seed 002 footnote 3: PRC §25741(b)(3)
	RuleCapacity      Rule = "nem.capacity_1000kw"     // seed 002: never above 1,000 kW
	RuleSizedToUse    Rule = "nem.sized_to_use"        // seed 002: sized to the customer's historical use
	RuleAccountActive Rule = "nem.account_in_service"  // the generating account must be in service
	RuleFCTechnology  Rule = "fc.technology"           // NEM Fuel Cell is for fuel cells
	RuleFCTOU         Rule = "fc.tou_rate"             // seed 002: customers on a TOU rate
	RuleFCCPUC        Rule = "fc.cpuc_ghg_technology"  // PU Code §2827.10(b)
	RuleFCEmissions   Rule = "fc.emissions_standard"   // PU Code §379.6(c)
	RuleFCOperating   Rule = "fc.operating_2015"       // seed 002: began operating on or after 2015-01-01
	RuleVNMShares     Rule = "vnm.shares_100pct"       // spec/nem.md; billing.Allocation: exactly 100%
	RuleVNMAccounts   Rule = "vnm.benefiting_accounts" // benefiting accounts must be service accounts
	RuleAggParcel     Rule = "agg.contiguous_parcel"   // seed 002: same, adjacent or contiguous property
	RuleAggOwner      Rule = "agg.sole_owner"          // seed 002: solely owned or leased by the customer
	RuleAggLoad       Rule = "agg.sized_to_load"       // seed 002: no larger than the aggregated annual load
	RuleAggAccounts   Rule = "agg.accounts"            // at least one other account, each in the registry
	RuleStorage       Rule = "storage.configuration"   // D.14-05-033 paired storage (billing.Storage)
	RuleStorageSize   Rule = "storage.size"            // storage capacity and power recorded
)

// Check is the outcome of one rule.
type Check struct {
	Rule   Rule   `json:"rule"`
	Field  string `json:"field"` // the input the rule reads, as the API names it
	Passed bool   `json:"passed"`
	Detail string `json:"detail"` // why, with the numbers
}

// Decision is an eligibility decision with every rule it checked.
type Decision struct {
	Variant  Variant       `json:"variant"`
	Storage  bool          `json:"paired_storage"` // the paired-storage rules were checked too
	Eligible bool          `json:"eligible"`
	On       calendar.Date `json:"decided_on"`
	Checks   []Check       `json:"checks"`
}

// Failed lists the checks that did not pass.
func (d Decision) Failed() []Check {
	var out []Check
	for _, c := range d.Checks {
		if !c.Passed {
			out = append(out, c)
		}
	}
	return out
}

// Err is nil for an eligible decision and otherwise an Invalid error with
// one field error per failed rule: the field the rule reads and a message
// beginning "rule <name>:".
func (d Decision) Err(op string) error {
	var f apperr.Fields
	for _, c := range d.Failed() {
		f.Add(c.Field, "rule %s: %s", c.Rule, c.Detail)
	}
	return f.Err(op)
}

// decider accumulates checks.
type decider struct{ checks []Check }

func (dc *decider) check(rule Rule, field string, passed bool, format string, args ...any) {
	dc.checks = append(dc.checks, Check{Rule: rule, Field: field, Passed: passed, Detail: fmt.Sprintf(format, args...)})
}

// Decide checks s against the rules of its variant on date on. Every rule
// of the variant is checked and reported, passing or not:
//
//   - all variants: the technology is on the list (fuel cells on standard
//     NEM only on renewable fuel; hydro up to 30 MW and without harm to
//     in-stream uses or flow; MSW conversion only as defined in PRC
//     §25741(b)(3)); capacity at most 1,000 kW; expected annual production
//     no larger than the past 12 months of use (or the estimate for new
//     service); the generating account in service.
//   - NEM Fuel Cell: a fuel cell; the account on a time-of-use rate; a
//     technology the CPUC found to cut greenhouse gases; the emissions
//     standard met; operating on or after 2015-01-01.
//   - Virtual NEM: each effective-dated allocation sums to exactly 100%
//     (billing.Allocation.Validate), none overlap, and every benefiting
//     account is a service account.
//   - NEM Aggregation: every aggregated account on the generator's parcel
//     or an adjacent or contiguous one, solely owned or leased by the same
//     customer, and the expected production no larger than the annual
//     load of all aggregated accounts (the generator's included).
//   - Paired storage (any variant with Storage): the configuration is one
//     billing.Storage accepts, with capacity and power recorded.
func Decide(s System, facts Facts, on calendar.Date) Decision {
	dc := &decider{}
	standardRules(dc, s, facts)
	switch s.Variant {
	case FuelCellNEM:
		fuelCellRules(dc, s, facts)
	case Virtual:
		virtualRules(dc, s, facts)
	case Aggregation:
		aggregationRules(dc, s, facts)
	}
	if s.Storage != nil {
		storageRules(dc, *s.Storage)
	}
	d := Decision{Variant: s.Variant, Storage: s.Storage != nil, On: on, Checks: dc.checks, Eligible: true}
	for _, c := range dc.checks {
		d.Eligible = d.Eligible && c.Passed
	}
	return d
}

// Validate checks the application's own fields (not eligibility): a known
// variant and technology, positive capacity, non-negative energies.
func (s *System) Validate() error {
	var f apperr.Fields
	s.Technology = Technology(strings.ToLower(strings.TrimSpace(string(s.Technology))))
	if !slices.Contains(Variants, s.Variant) {
		f.Add("variant", "must be standard, fuel_cell, virtual or aggregation, not %q", s.Variant)
	}
	if s.Technology == "" {
		f.Add("technology", "is required, e.g. solar_pv")
	}
	if s.CapacityW <= 0 {
		f.Add("capacity_w", "must be positive")
	}
	if s.ExpectedAnnualWh < 0 {
		f.Add("expected_annual_wh", "must not be negative")
	}
	if s.AnnualUseWh < 0 {
		f.Add("annual_use_wh", "must not be negative")
	}
	return f.Err("nem.System")
}

func standardRules(dc *decider, s System, facts Facts) {
	dc.check(RuleAccountActive, "account", facts.Account.Active, "account %s %s", facts.Account.Number,
		map[bool]string{true: "is in service", false: "is not in service on the decision date"}[facts.Account.Active])
	eligible := slices.Contains(Technologies, s.Technology)
	dc.check(RuleTechnology, "technology", eligible, "%s %s", s.Technology,
		map[bool]string{true: "is an eligible renewable technology", false: "is not on the list of eligible technologies (solar PV, wind, fuel cell on renewable fuel, biogas, biomass, digester gas, geothermal, hydro up to 30 MW, landfill gas, MSW conversion, ocean thermal, ocean wave, solar thermal, tidal current)"}[eligible])
	switch s.Technology {
	case FuelCell:
		if s.Variant != FuelCellNEM {
			dc.check(RuleRenewableFuel, "renewable_fuel", s.RenewableFuel, "%s",
				map[bool]string{true: "the fuel cell is fully powered by renewable fuel", false: "a fuel cell qualifies for standard NEM only if fully powered by renewable fuel (or apply for NEM Fuel Cell)"}[s.RenewableFuel])
		}
	case Hydro:
		dc.check(RuleHydroSize, "capacity_w", s.CapacityW <= MaxHydro, "hydro of %s kW against the 30 MW limit", s.CapacityW.KWString())
		dc.check(RuleHydroHarm, "hydro_harm", !s.HydroHarm, "%s",
			map[bool]string{false: "no harm to in-stream beneficial uses or to the volume or timing of flow", true: "a small hydro facility that harms in-stream beneficial uses or changes the volume or timing of flow is not eligible"}[s.HydroHarm])
	case MSWConversion:
		dc.check(RuleMSW, "msw_qualified", s.MSWQualified, "%s",
			map[bool]string{true: "conversion as defined in PRC §25741(b)(3)", false: "municipal solid waste conversion qualifies only as defined in Public Resources Code §25741(b)(3)"}[s.MSWQualified])
	}
	dc.check(RuleCapacity, "capacity_w", s.CapacityW > 0 && s.CapacityW <= MaxCapacity, "%s kW against the 1,000 kW limit", s.CapacityW.KWString())
	use := "the past 12 months of use"
	if s.NewService {
		use = "the estimated annual use of the new service"
	}
	if s.Variant != Aggregation { // aggregation sizes against all aggregated accounts (agg.sized_to_load)
		dc.check(RuleSizedToUse, "expected_annual_wh", s.ExpectedAnnualWh <= s.AnnualUseWh,
			"expected production %s kWh a year against %s, %s kWh", s.ExpectedAnnualWh.KWhString(), use, s.AnnualUseWh.KWhString())
	}
}

// IsTOURate reports whether a rate schedule code is a time-of-use rate:
// SCE's TOU-*, PG&E's E-TOU-*, E-ELEC and EV2-A, SDG&E's EV-TOU-* and
// TOU-DR-* all either contain "TOU" or are E-ELEC or EV2-A.
func IsTOURate(schedule string) bool {
	s := strings.ToUpper(strings.TrimSpace(schedule))
	return strings.Contains(s, "TOU") || s == "E-ELEC" || s == "EV2-A"
}

func fuelCellRules(dc *decider, s System, facts Facts) {
	dc.check(RuleFCTechnology, "technology", s.Technology == FuelCell, "NEM Fuel Cell is for fuel cells; this is %s", s.Technology)
	tou := IsTOURate(facts.Account.RateSchedule)
	dc.check(RuleFCTOU, "account", tou, "rate schedule %s %s", facts.Account.RateSchedule,
		map[bool]string{true: "is a time-of-use rate", false: "is not a time-of-use rate; NEM Fuel Cell is for customers on a TOU rate"}[tou])
	dc.check(RuleFCCPUC, "fuel_cell_cpuc_approved", s.FuelCellCPUCApproved, "%s",
		map[bool]string{true: "a technology the CPUC found to reduce greenhouse gases (PU Code §2827.10(b))", false: "the technology must be one the CPUC found to reduce greenhouse gases (PU Code §2827.10(b))"}[s.FuelCellCPUCApproved])
	dc.check(RuleFCEmissions, "fuel_cell_emissions_met", s.FuelCellEmissions, "%s",
		map[bool]string{true: "meets the emissions standard for funding (PU Code §379.6(c))", false: "must meet the emissions standard for funding of PU Code §379.6(c)"}[s.FuelCellEmissions])
	ok := !s.OperatingFrom.IsZero() && !s.OperatingFrom.Before(FuelCellOperatingFrom)
	when := "no operating date given"
	if !s.OperatingFrom.IsZero() {
		when = "began operating " + s.OperatingFrom.String()
	}
	dc.check(RuleFCOperating, "operating_from", ok, "%s; NEM Fuel Cell needs operation on or after %s", when, FuelCellOperatingFrom)
}

func virtualRules(dc *decider, s System, facts Facts) {
	if len(s.Allocations) == 0 {
		dc.check(RuleVNMShares, "allocations", false, "Virtual NEM needs the benefiting accounts' percentages")
		return
	}
	var missing []string
	for i, a := range s.Allocations {
		field := fmt.Sprintf("allocations[%d]", i)
		if err := a.Validate(); err != nil {
			dc.check(RuleVNMShares, field, false, "allocation from %s: %s", a.From, fieldsText(err))
		} else {
			dc.check(RuleVNMShares, field, true, "allocation from %s: %d benefiting accounts, shares sum to 100%%", a.From, len(a.Shares))
		}
		for j := range i {
			b := s.Allocations[j]
			if (calendar.Span{From: a.From, To: a.To}).Overlaps(calendar.Span{From: b.From, To: b.To}) {
				dc.check(RuleVNMShares, field, false, "allocations from %s and %s overlap", b.From, a.From)
			}
		}
		for _, n := range sortedKeys(a.Shares) {
			if _, ok := facts.Others[n]; !ok && !slices.Contains(missing, n) {
				missing = append(missing, n)
			}
		}
	}
	dc.check(RuleVNMAccounts, "allocations", len(missing) == 0, "%s", okOr(len(missing) == 0, "every benefiting account is a service account",
		"no service account numbered "+strings.Join(missing, ", ")))
	if n := s.Rounding; n != "" {
		ok := true
		for _, a := range s.Allocations {
			if _, in := a.Shares[n]; !in {
				ok = false
			}
		}
		dc.check(RuleVNMShares, "rounding_account", ok, "%s", okOr(ok, "rounding remainders go to benefiting account "+n,
			"the rounding account "+n+" must have a share in every allocation"))
	}
}

func aggregationRules(dc *decider, s System, facts Facts) {
	if len(s.Aggregated) == 0 {
		dc.check(RuleAggAccounts, "aggregated", false, "NEM Aggregation needs at least one aggregated account besides the generator's")
		return
	}
	load := s.AnnualUseWh
	for i, m := range s.Aggregated {
		field := fmt.Sprintf("aggregated[%d]", i)
		f, ok := facts.Others[m.Account]
		dc.check(RuleAggAccounts, field+".account", ok, "%s", okOr(ok, "account "+m.Account+" is a service account", "no service account numbered "+m.Account))
		switch m.Relation {
		case SameParcel, Adjacent, Contiguous:
			dc.check(RuleAggParcel, field+".relation", true, "account %s on parcel %s: %s", m.Account, m.Parcel, strings.ReplaceAll(m.Relation, "_", " "))
		default:
			dc.check(RuleAggParcel, field+".relation", false, "account %s on parcel %s is not on the generator's parcel or an adjacent or contiguous one (%s)",
				m.Account, m.Parcel, m.Relation)
		}
		same := ok && f.CustomerID == facts.Account.CustomerID
		dc.check(RuleAggOwner, field+".sole_owner_or_lessee", same && m.SoleOwnerOrLessee, "%s",
			okOr(same && m.SoleOwnerOrLessee, "account "+m.Account+" is the same customer's, on a parcel solely owned or leased by them",
				"account "+m.Account+map[bool]string{true: "'s parcel is not solely owned or leased by the customer-generator", false: " is not the customer-generator's account"}[same]))
		load += m.AnnualUseWh
	}
	if n := s.Rounding; n != "" {
		ok := n == facts.Account.Number || slices.ContainsFunc(s.Aggregated, func(m AggregatedAccount) bool { return m.Account == n })
		dc.check(RuleAggAccounts, "rounding_account", ok, "%s", okOr(ok, "rounding remainders go to account "+n,
			"the rounding account "+n+" must be the generating account or an aggregated one"))
	}
	dc.check(RuleAggLoad, "expected_annual_wh", s.ExpectedAnnualWh <= load,
		"expected production %s kWh a year against the aggregated accounts' annual load %s kWh", s.ExpectedAnnualWh.KWhString(), load.KWhString())
}

// storageRules checks paired storage with the billing engine's own rules
// for billing.Storage (billing.Terms.Validate, fields storage.*), so an
// application never records a configuration billing would refuse.
func storageRules(dc *decider, st billing.Storage) {
	t := billing.Terms{Storage: &st}
	var problems []string
	for _, f := range apperr.FieldsOf(t.Validate()) {
		if strings.HasPrefix(f.Field, "storage") {
			problems = append(problems, f.Field+": "+f.Msg)
		}
	}
	dc.check(RuleStorage, "storage", len(problems) == 0, "%s", okOr(len(problems) == 0,
		fmt.Sprintf("metering %s, %s", st.Metering, map[bool]string{true: "may charge from the grid (exports credited up to the generator's output)", false: "charges from the generator only"}[st.GridCharging]),
		strings.Join(problems, "; ")))
	dc.check(RuleStorageSize, "storage", st.KWh > 0 && st.KW > 0, "storage of %s kWh and %s kW", st.KWh.KWhString(), st.KW.KWString())
}

// fieldsText renders an Invalid error's field messages.
func fieldsText(err error) string {
	var parts []string
	for _, f := range apperr.FieldsOf(err) {
		parts = append(parts, f.Field+": "+f.Msg)
	}
	if len(parts) == 0 {
		return apperr.MessageOf(err)
	}
	return strings.Join(parts, "; ")
}

func okOr(ok bool, yes, no string) string {
	if ok {
		return yes
	}
	return no
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
