package incentive

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/reference"
)

var (
	loadOnce sync.Once
	shared   struct {
		cat *Catalog
		ref *reference.Tables
		err error
	}
)

// fixtures returns the shipped catalog and the reference tables.
func fixtures(t testing.TB) (*Catalog, *reference.Tables) {
	t.Helper()
	loadOnce.Do(func() {
		if shared.cat, shared.err = Shipped(); shared.err != nil {
			return
		}
		shared.ref, shared.err = reference.Load()
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.cat, shared.ref
}

func quote(t *testing.T, program, facts string) (Decision, error) {
	t.Helper()
	cat, ref := fixtures(t)
	f, err := ParseFacts(strings.NewReader(facts))
	if err != nil {
		t.Fatalf("facts %s: %v", facts, err)
	}
	return cat.Quote(program, f, ref)
}

func hasReason(d Decision, code string) bool {
	return slices.ContainsFunc(d.Reasons, func(r Reason) bool { return r.Code == code })
}

// quoteCase is one worked scenario: facts in, the literal expected amount
// (or the reason code a refusal must carry) out.
type quoteCase struct {
	name, program, facts string
	eligible             bool
	amount               money.Cents
	reason               string // a reason code the decision must carry
	flag                 string // a flag the decision must carry
}

func runQuotes(t *testing.T, cases []quoteCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := quote(t, c.program, c.facts)
			if err != nil {
				t.Fatalf("quote: %v", err)
			}
			if d.Eligible != c.eligible || d.AmountCents != c.amount {
				t.Errorf("eligible %v amount %s, want %v %s; reasons %+v", d.Eligible, d.AmountCents, c.eligible, c.amount, d.Reasons)
			}
			if c.reason != "" && !hasReason(d, c.reason) {
				t.Errorf("reasons %+v lack %s", d.Reasons, c.reason)
			}
			if c.flag != "" && !slices.Contains(d.Flags, c.flag) {
				t.Errorf("flags %v lack %s", d.Flags, c.flag)
			}
			if c.eligible && len(d.Reasons) != 0 {
				t.Errorf("eligible with reasons %+v", d.Reasons)
			}
		})
	}
}

const res = `"date":"2026-03-10","customer_class":"residential"`

// TestSunStorageRebateAmounts is research/programs.md §7 scenario 10 with
// the seed 000 amounts: $750 base, +$250 CARE/FERA, +$1,250 in HFTD Tier 2
// or 3; the add-ons need the base measure.
func TestSunStorageRebateAmounts(t *testing.T) {
	battery := `"measure":{"paired_with_solar":true}`
	runQuotes(t, []quoteCase{
		{"non-CARE, not HFTD: $750", "sun-storage-rebate", `{` + res + `,"income_program":"none","hftd_tier":"none",` + battery + `}`, true, 75000, "", ""},
		{"CARE, not HFTD: $1,000", "sun-storage-rebate", `{` + res + `,"income_program":"CARE","hftd_tier":"none",` + battery + `}`, true, 100000, "", ""},
		{"non-CARE in Tier 2: $2,000", "sun-storage-rebate", `{` + res + `,"income_program":"none","hftd_tier":"TIER2",` + battery + `}`, true, 200000, "", ""},
		{"FERA in Tier 3: $2,250", "sun-storage-rebate", `{` + res + `,"income_program":"FERA","hftd_tier":"TIER3",` + battery + `}`, true, 225000, "", ""},
		// §7 scenario 9: Zone 1 is not in the default {TIER2, TIER3}.
		{"Zone 1 gets no HFTD add-on", "sun-storage-rebate", `{` + res + `,"income_program":"none","hftd_tier":"ZONE1",` + battery + `}`, true, 75000, "", ""},
		{"add-on without the base measure is rejected", "sun-storage-rebate", `{` + res + `,"income_program":"CARE","hftd_tier":"TIER3","measure":{"paired_with_solar":false}}`,
			false, 0, ReasonPrerequisite, ""},
		{"commercial account not eligible", "sun-storage-rebate", `{"date":"2026-03-10","customer_class":"commercial","income_program":"none","hftd_tier":"none",` + battery + `}`,
			false, 0, "not_residential", ""},
	})
}

// TestEfficiencyRebateAmounts is §7 scenarios 11–18 and 20 with the seed
// 003 amounts.
func TestEfficiencyRebateAmounts(t *testing.T) {
	runQuotes(t, []quoteCase{
		{"room AC coupon for CARE: $300", "instant-ac-savings", `{` + res + `,"income_program":"CARE","measure":{"energy_star":true}}`, true, 30000, "", ""},
		{"room AC coupon for FERA: $300", "instant-ac-savings", `{` + res + `,"income_program":"FERA","measure":{"energy_star":true}}`, true, 30000, "", ""},
		{"room AC coupon not for non-CARE", "instant-ac-savings", `{` + res + `,"income_program":"none","measure":{"energy_star":true}}`, false, 0, "not_care_fera", ""},
		{"thermostat electric only: $75", "heer-smart-thermostat", `{` + res + `,"gas_customer":false,"measure":{"energy_day_enrolled":true}}`, true, 7500, "", ""},
		{"thermostat with SoCalGas: $125", "heer-smart-thermostat", `{` + res + `,"gas_customer":true,"measure":{"energy_day_enrolled":true}}`, true, 12500, "", ""},
		{"pool pump: $200", "heer-pool-pump", `{` + res + `,"dwelling_type":"single_family","measure":{"variable_speed":true,"replaces":"single_speed"}}`, true, 20000, "", ""},
		{"evaporative cooler: $300", "heer-evaporative-cooler", `{` + res + `,"measure":{"shutters":false}}`, true, 30000, "", ""},
		{"evaporative cooler with shutters: $400", "heer-evaporative-cooler", `{` + res + `,"measure":{"shutters":true}}`, true, 40000, "", ""},
		{"cooler and shutters flags: $400 not $700", "heer-evaporative-cooler", `{` + res + `,"measure":{"type":"evaporative_cooler","shutters":true}}`, true, 40000, "", ""},
		{"HPWH EF 2.0: $200", "heer-hpwh", `{` + res + `,"measure":{"energy_factor":2.0}}`, true, 20000, "", ""},
		{"HPWH EF 1.99: not eligible", "heer-hpwh", `{` + res + `,"measure":{"energy_factor":1.99}}`, false, 0, "energy_factor_below_min", ""},
		{"fridge recycling: $50", "heer-fridge-recycling", `{` + res + `}`, true, 5000, "", ""},
		{"ENERGY STAR fridge: $35", "heer-energy-star-fridge", `{` + res + `,"measure":{"energy_star":true,"most_efficient":false}}`, true, 3500, "", ""},
		{"most efficient fridge: $75", "heer-energy-star-fridge", `{` + res + `,"measure":{"energy_star":true,"most_efficient":true}}`, true, 7500, "", ""},
		{"HVAC QI computed $600: $600", "residential-hvac-qi", `{` + res + `,"measure":{"licensed_contractor":true,"energy_star":true,"calculated_incentive_usd":600}}`, true, 60000, "", ""},
		{"HVAC QI computed $900: capped at $750", "residential-hvac-qi", `{` + res + `,"measure":{"licensed_contractor":true,"energy_star":true,"calculated_incentive_usd":900}}`, true, 75000, "", FlagCappedByMeasure},
		{"whole home 9.9%: not eligible", "euc-basic", `{` + res + `,"measure":{"savings_percent":9.9,"calculated_incentive_usd":3100}}`, false, 0, "savings_below_10_percent", ""},
		{"whole home basic 10.0% computed $3,100: $2,500", "euc-basic", `{` + res + `,"measure":{"savings_percent":10.0,"calculated_incentive_usd":3100}}`, true, 250000, "", FlagCappedByMeasure},
		{"whole home advanced computed $7,200: $6,500", "euc-advanced", `{` + res + `,"measure":{"savings_percent":30,"calculated_incentive_usd":7200}}`, true, 650000, "", FlagCappedByMeasure},
		{"basic measure table: duct sealing + attic $700", "euc-basic", `{` + res + `,"measure":{"savings_percent":12,"upgrades":["duct_sealing","attic_insulation_air_sealing"]}}`, true, 70000, "", ""},
		{"new construction 9%: not eligible", "ca-advanced-homes", `{"date":"2026-03-10","measure":{"savings_percent":9,"calculated_incentive_usd":60000}}`, false, 0, "savings_below_10_percent_title24", ""},
		{"new construction 12% computed $60,000: $50,000", "ca-advanced-homes", `{"date":"2026-03-10","measure":{"savings_percent":12,"calculated_incentive_usd":60000}}`, true, 5000000, "", FlagCappedByMeasure},
		{"HPWH invoice $150: pay $150", "heer-hpwh", `{` + res + `,"invoice_cost_cents":15000,"measure":{"energy_factor":2.2}}`, true, 15000, "", FlagCappedAtInvoice},
	})
}

// TestMultifamilyLEDTable is §7 scenario 19 over seed 003 table 4: a lamp
// type and wattage band pays its row per lamp; a wattage outside every
// band of its lamp type is an explicit "not eligible", never $0.
func TestMultifamilyLEDTable(t *testing.T) {
	mf := `"date":"2026-03-10","dwelling_type":"multifamily"`
	led := func(lamp, watts string, qty int) string {
		return `{` + mf + `,"quantity":` + itoa(qty) + `,"measure":{"type":"led_lamp","lamp_type":"` + lamp + `","watts":` + watts + `}}`
	}
	runQuotes(t, []quoteCase{
		{"reflector 17 W: $10", "multifamily-rebates", led("reflector", "17", 1), true, 1000, "", ""},
		{"reflector 18 W ×10: $150", "multifamily-rebates", led("reflector", "18", 10), true, 15000, "", ""},
		{"reflector 26 W: not eligible", "multifamily-rebates", led("reflector", "26", 1), false, 0, "watts_outside_bands", ""},
		{"reflector 17.5 W between bands: not eligible", "multifamily-rebates", led("reflector", "17.5", 1), false, 0, "watts_outside_bands", ""},
		{"MR16 6 W: $10", "multifamily-rebates", led("mr16", "6", 1), true, 1000, "", ""},
		{"MR16 11 W: not eligible", "multifamily-rebates", led("mr16", "11", 1), false, 0, "watts_outside_bands", ""},
		{"candelabra 1 W: not eligible", "multifamily-rebates", led("candelabra", "1", 1), false, 0, "watts_outside_bands", ""},
		{"candelabra 4 W: $12", "multifamily-rebates", led("candelabra", "4", 1), true, 1200, "", ""},
		{"landscape 40 W: $20", "multifamily-rebates", led("landscape", "40", 1), true, 2000, "", ""},
		{"landscape 41 W: not eligible", "multifamily-rebates", led("landscape", "41", 1), false, 0, "watts_outside_bands", ""},
		{"wall pack 50 W: $50", "multifamily-rebates", led("wall_pack", "50", 1), true, 5000, "", ""},
		{"wall pack 51 W: $75", "multifamily-rebates", led("wall_pack", "51", 1), true, 7500, "", ""},
		{"pool pump motor ×2: $2,000", "multifamily-rebates", `{` + mf + `,"quantity":2,"measure":{"type":"pool_pump"}}`, true, 200000, "", ""},
		{"ceiling fan ×3: $60", "multifamily-rebates", `{` + mf + `,"quantity":3,"measure":{"type":"ceiling_fan"}}`, true, 6000, "", ""},
	})
}

func itoa(n int) string { return strconv.Itoa(n) }

// TestIncomeQualifiedPrograms checks programs decided by the reference
// income tables: ≤80% AMI from HUD's published limit (§7 scenario 6), the
// Direct Install table of seed 003, and Power Share's CARE/FERA + DAC
// rule (§7 scenario 30).
func TestIncomeQualifiedPrograms(t *testing.T) {
	sba := func(county, income string) string {
		return `{"date":"2025-09-01","customer_class":"residential","homeowner":true,"county":"` + county +
			`","household_size":4,"household_income_usd":` + income + `}`
	}
	di := func(size, income string, zone int) string {
		return `{"date":"2026-03-10","customer_class":"residential","household_size":` + size + `,"household_income_usd":` + income +
			`,"climate_zone":` + itoa(zone) + `,"measure":{"type":"evaporative_cooler","working_ac":true}}`
	}
	ps := func(income, dac string) string {
		return `{"date":"2026-03-10","customer_class":"residential","cca_customer":true,"income_program":"` + income + `","dac":` + dac + `}`
	}
	runQuotes(t, []quoteCase{
		{"LA 4 persons $100,000 is within 80% AMI ($110,950)", "solar-battery-access", sba("06037", "100000"), true, 0, "", ""},
		{"Ventura 4 persons $112,551 is above 80% AMI ($112,550)", "solar-battery-access", sba("Ventura", "112551"), false, 0, "income_above_80_ami", ""},
		{"renter not eligible", "solar-battery-access", strings.Replace(sba("06037", "50000"), `"homeowner":true`, `"homeowner":false`, 1), false, 0, "not_homeowner", ""},
		{"direct install 4 persons $73,800 zone 14", "direct-install", di("4", "73800", 14), true, 0, "", ""},
		{"direct install 4 persons $73,801", "direct-install", di("4", "73801", 14), false, 0, "income_above_direct_install_limit", ""},
		{"direct install 7 persons $107,160 (98,800 + 8,360)", "direct-install", di("7", "107160", 10), true, 0, "", ""},
		{"evaporative cooler in zone 9: not eligible", "direct-install", di("2", "40000", 9), false, 0, "climate_zone_not_eligible", ""},
		{"Power Share: CARE in a DAC", "power-share", ps("CARE", "true"), true, 0, "", ""},
		{"Power Share: CARE outside a DAC", "power-share", ps("CARE", "false"), false, 0, "not_dac", ""},
		{"Power Share: FERA in a DAC", "power-share", ps("FERA", "true"), true, 0, "", ""},
		{"Power Share: neither in a DAC", "power-share", ps("none", "true"), false, 0, "not_care_fera", ""},
	})
}

// TestDirectInstallMeasureRules checks the seed 003 measure rules: the
// pre-1999, working, ≥ 10 ft³ refrigerator and central AC with SEER ≤ 10
// or ≥ 10 years old in zones 14–15.
func TestDirectInstallMeasureRules(t *testing.T) {
	base := `"date":"2026-03-10","customer_class":"residential","household_size":2,"household_income_usd":30000,"climate_zone":15`
	runQuotes(t, []quoteCase{
		{"fridge 1998 working 18 ft³", "direct-install", `{` + base + `,"measure":{"type":"refrigerator","year_made":1998,"working":true,"cubic_feet":18}}`, true, 0, "", ""},
		{"fridge 1999", "direct-install", `{` + base + `,"measure":{"type":"refrigerator","year_made":1999,"working":true,"cubic_feet":18}}`, false, 0, "refrigerator_too_new", ""},
		{"fridge 9.5 ft³", "direct-install", `{` + base + `,"measure":{"type":"refrigerator","year_made":1990,"working":true,"cubic_feet":9.5}}`, false, 0, "refrigerator_too_small", ""},
		{"central AC SEER 10, 5 years", "direct-install", `{` + base + `,"measure":{"type":"central_ac","working_ac":true,"seer":10,"age_years":5}}`, true, 0, "", ""},
		{"central AC SEER 13, 12 years", "direct-install", `{` + base + `,"measure":{"type":"central_ac","working_ac":true,"seer":13,"age_years":12}}`, true, 0, "", ""},
		{"central AC SEER 13, 5 years", "direct-install", `{` + base + `,"measure":{"type":"central_ac","working_ac":true,"seer":13,"age_years":5}}`, false, 0, "central_ac_not_eligible", ""},
	})
}

// TestMissingFactNamesTheField checks that a rule needing an absent fact
// does not guess: the error names the field (HTTP 400 / exit 2).
func TestMissingFactNamesTheField(t *testing.T) {
	d, err := quote(t, "sun-storage-rebate", `{`+res+`,"income_program":"CARE","measure":{"paired_with_solar":true}}`)
	if apperr.KindOf(err) != apperr.Invalid {
		t.Fatalf("error %v, want Invalid", err)
	}
	fs := apperr.FieldsOf(err)
	if len(fs) != 1 || fs[0].Field != "hftd_tier" {
		t.Errorf("fields %+v, want hftd_tier", fs)
	}
	if d.Eligible || !hasReason(d, ReasonMissingFact) {
		t.Errorf("decision %+v, want not eligible with missing_fact", d)
	}
	// A base rule waiting for a fact leaves its add-ons undecided: the
	// answer names the fact, not a missing prerequisite.
	d, err = quote(t, "sun-storage-rebate", `{`+res+`,"income_program":"CARE","hftd_tier":"none"}`)
	if fs := apperr.FieldsOf(err); len(fs) != 1 || fs[0].Field != "measure.paired_with_solar" || hasReason(d, ReasonPrerequisite) {
		t.Errorf("missing base fact: %v %+v", err, d.Reasons)
	}
	// A failure that already rules the application out needs no more
	// facts.
	d, err = quote(t, "sun-storage-rebate", `{"date":"2026-03-10","customer_class":"commercial","measure":{"paired_with_solar":true}}`)
	if err != nil || d.Eligible || !hasReason(d, "not_residential") {
		t.Errorf("commercial without tiers: %+v %v", d, err)
	}
}

// TestUnknownProgramAndMeasure checks the bad-input errors.
func TestUnknownProgramAndMeasure(t *testing.T) {
	cat, ref := fixtures(t)
	if _, err := cat.Quote("no-such-program", Facts{}, ref); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("unknown program: %v", err)
	}
	_, err := quote(t, "multifamily-rebates", `{"date":"2026-03-10","dwelling_type":"multifamily","measure":{"type":"jacuzzi"}}`)
	if fs := apperr.FieldsOf(err); len(fs) != 1 || fs[0].Field != "measure.type" {
		t.Errorf("unknown measure: %v", err)
	}
	if _, err := ParseFacts(strings.NewReader(`{"date":"2026-03-10","incom_program":"CARE"}`)); len(apperr.FieldsOf(err)) != 1 || apperr.FieldsOf(err)[0].Field != "incom_program" {
		t.Errorf("misspelt fact: %v", err)
	}
	if _, err := ParseFacts(strings.NewReader(`{"date":"2026-03-10","hftd_tier":"TIER9"}`)); len(apperr.FieldsOf(err)) != 1 || apperr.FieldsOf(err)[0].Field != "hftd_tier" {
		t.Errorf("bad tier: %v", err)
	}
}

// TestDecisionTraceNamesRulesAndCaps checks that a decision says which
// rules applied, which cap bound and which table row decided.
func TestDecisionTraceNamesRulesAndCaps(t *testing.T) {
	d, err := quote(t, "residential-hvac-qi", `{`+res+`,"measure":{"licensed_contractor":true,"energy_star":true,"calculated_incentive_usd":900}}`)
	if err != nil {
		t.Fatal(err)
	}
	var applied, capped bool
	for _, s := range d.Trace {
		applied = applied || (s.Rule == "hvac_qi.calculated" && s.Outcome == "applied")
		capped = capped || (s.Rule == "cap.measure" && s.Outcome == "capped")
	}
	if !applied || !capped {
		t.Errorf("trace %+v lacks the applied rule or the binding cap", d.Trace)
	}
	d, err = quote(t, "solar-battery-access", `{"date":"2025-09-01","customer_class":"residential","homeowner":true,"county":"06037","household_size":4,"household_income_usd":100000}`)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(d.Trace, func(s Step) bool { return strings.Contains(s.Table, "HUD") && s.Row != "" }) {
		t.Errorf("trace %+v does not name the HUD table row", d.Trace)
	}
}
