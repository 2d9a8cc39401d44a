package billrun

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/solar"
)

// policyJSON holds the program settings that are policy, each value with
// its source (DESIGN.md principle 6).
//
//go:embed policy.json
var policyJSON []byte

// Cited is a policy value with the source it comes from.
type Cited[T any] struct {
	Value  T      `json:"value"`
	Source string `json:"source"`
}

// Policy is one effective-dated version of the program settings a bill
// run applies: who the distribution utility is, how each ledger settles
// net-metering balances and unused credits, the net surplus compensation
// rate, the discounts, baseline allowances, ACC Plus adders and the Net
// Billing export-price lock-in. It applies from From until the next
// version's From.
type Policy struct {
	From                 calendar.Date                `json:"from"`
	Utility              Cited[string]                `json:"utility"`
	UtilitySettlement    Cited[billing.Settlement]    `json:"utility_settlement"`
	UtilityUnusedCredits Cited[billing.CreditPolicy]  `json:"utility_unused_credits"`
	NSCRate              Cited[string]                `json:"nsc_rate"` // $/kWh as published
	NSCToCCAAccounts     Cited[bool]                  `json:"nsc_to_cca_accounts"`
	CCASettlement        Cited[billing.Settlement]    `json:"cca_settlement"`
	CCATrueUpMonth       Cited[time.Month]            `json:"cca_true_up_month"`
	CCANSCMarkupBP       Cited[int64]                 `json:"cca_nsc_markup_bp"`
	CCAUnusedCredits     Cited[billing.CreditPolicy]  `json:"cca_unused_credits"`
	CAREBP               Cited[map[string]int64]      `json:"care_bp"` // by rate schedule; "default" for the rest
	FERABP               Cited[int64]                 `json:"fera_bp"`
	PowerShareBP         Cited[int64]                 `json:"power_share_bp"`
	CAREMedicalExempt    Cited[[]string]              `json:"care_medical_exempt"` // tariff component names
	MedicalBaseline      Cited[energy.Wh]             `json:"medical_baseline_wh_per_day"`
	Baseline             Cited[map[string]Allowances] `json:"baseline_wh_per_day"` // by climate zone ("9")
	ACCPlus              Cited[map[string]string]     `json:"acc_plus"`            // by vintage, $/kWh
	ACCPlusEquity        Cited[map[string]string]     `json:"acc_plus_equity"`
	NBTLockPTOUntil      Cited[calendar.Date]         `json:"nbt_lock_pto_until"`
	NBTLockYears         Cited[int]                   `json:"nbt_lock_years"`
	// Peak Management Pricing: the rider's prices per kWh ($/kWh as
	// published), the months of the summer credit and the length of
	// first-year bill protection from the enrollment's start.
	PMPEventSurcharge Cited[string]       `json:"pmp_event_surcharge"`
	PMPSummerCredit   Cited[string]       `json:"pmp_summer_credit"`
	PMPCreditMonths   Cited[[]time.Month] `json:"pmp_credit_months"`
	PMPProtectionMo   Cited[int]          `json:"pmp_protection_months"`
	// AggregationShares is how a NEM Aggregation or NBT-A arrangement's
	// exports are shared each period (billing.SharePolicy).
	AggregationShares Cited[billing.SharePolicy] `json:"aggregation_share_policy"`
	// EstimateSite is where late-meter generation estimates take their
	// hourly shape from (solar.HourlyShare).
	EstimateSite Cited[solar.Site] `json:"estimated_generation_site"`

	nsc                  money.MicroPerKWh
	pmpEvent, pmpCredit  money.MicroPerKWh
	accPlus, accPlusEqty map[int]money.MicroPerKWh
}

// Allowances are a baseline region's allowances per day by season name of
// the tariff's energy period map ("summer", "winter").
type Allowances map[string]energy.Wh

// Policies is the effective-dated list of policy versions, oldest first.
type Policies []Policy

// LoadPolicies returns the built-in policy versions (policy.json),
// validated.
func LoadPolicies() (Policies, error) { return ParsePolicies(policyJSON) }

// ParsePolicies reads policy versions from JSON ({"policies": [...]}) and
// checks every value, naming the field of the first bad one.
func ParsePolicies(b []byte) (Policies, error) {
	const op = "billrun.ParsePolicies"
	var doc struct {
		Policies []Policy `json:"policies"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, apperr.E(apperr.Invalid, op, "policy file: "+err.Error(), err)
	}
	if len(doc.Policies) == 0 {
		return nil, apperr.Invalidf(op, "policy file: no policies")
	}
	for i := range doc.Policies {
		if err := doc.Policies[i].prepare(); err != nil {
			return nil, err
		}
		if i > 0 && !doc.Policies[i].From.After(doc.Policies[i-1].From) {
			return nil, apperr.Invalidf(op, "policies[%d].from: policy versions must be in date order", i)
		}
	}
	return doc.Policies, nil
}

// On returns the policy version in force on d.
func (ps Policies) On(d calendar.Date) (*Policy, error) {
	i := len(ps) - 1
	for i >= 0 && ps[i].From.After(d) {
		i--
	}
	if i < 0 {
		return nil, apperr.Invalidf("billrun.Policies", "no billing policy is in force on %s (the first applies from %s)", d, ps[0].From)
	}
	return &ps[i], nil
}

// prepare validates p and parses its decimal prices.
func (p *Policy) prepare() error {
	var f apperr.Fields
	if p.From.IsZero() {
		f.Add("from", "is required")
	}
	if p.Utility.Value == "" {
		f.Add("utility", "is required")
	}
	checkSettlement(&f, "utility_settlement", p.UtilitySettlement.Value)
	checkSettlement(&f, "cca_settlement", p.CCASettlement.Value)
	checkCredits(&f, "utility_unused_credits", p.UtilityUnusedCredits.Value)
	checkCredits(&f, "cca_unused_credits", p.CCAUnusedCredits.Value)
	var err error
	if p.nsc, err = parsePrice(p.NSCRate.Value); err != nil {
		f.Add("nsc_rate", "%s", err)
	}
	if m := p.CCATrueUpMonth.Value; m < time.January || m > time.December {
		f.Add("cca_true_up_month", "must be a month 1–12")
	}
	if p.CCANSCMarkupBP.Value < 0 {
		f.Add("cca_nsc_markup_bp", "must not be negative")
	}
	if _, ok := p.CAREBP.Value["default"]; !ok {
		f.Add("care_bp", "needs a \"default\" entry")
	}
	for _, code := range slices.Sorted(maps.Keys(p.CAREBP.Value)) {
		if bp := p.CAREBP.Value[code]; bp < 0 || bp > 10_000 {
			f.Add("care_bp."+code, "must be 0–10000 basis points")
		}
	}
	if bp := p.FERABP.Value; bp < 0 || bp > 10_000 {
		f.Add("fera_bp", "must be 0–10000 basis points")
	}
	if bp := p.PowerShareBP.Value; bp < 0 || bp > 10_000 {
		f.Add("power_share_bp", "must be 0–10000 basis points")
	}
	if p.MedicalBaseline.Value < 0 {
		f.Add("medical_baseline_wh_per_day", "must not be negative")
	}
	for _, zone := range slices.Sorted(maps.Keys(p.Baseline.Value)) {
		if z, err := strconv.Atoi(zone); err != nil || z < 1 || z > 16 {
			f.Add("baseline_wh_per_day."+zone, "keys are climate zones 1–16")
		}
		al := p.Baseline.Value[zone]
		for _, season := range slices.Sorted(maps.Keys(al)) {
			if al[season] < 0 {
				f.Add("baseline_wh_per_day."+zone+"."+season, "must not be negative")
			}
		}
	}
	if p.accPlus, err = vintagePrices(p.ACCPlus.Value); err != nil {
		f.Add("acc_plus", "%s", err)
	}
	if p.accPlusEqty, err = vintagePrices(p.ACCPlusEquity.Value); err != nil {
		f.Add("acc_plus_equity", "%s", err)
	}
	if p.NBTLockPTOUntil.Value.IsZero() {
		f.Add("nbt_lock_pto_until", "is required")
	}
	if p.NBTLockYears.Value < 1 {
		f.Add("nbt_lock_years", "must be at least 1")
	}
	if p.pmpEvent, err = parsePrice(p.PMPEventSurcharge.Value); err != nil {
		f.Add("pmp_event_surcharge", "%s", err)
	}
	if p.pmpCredit, err = parsePrice(p.PMPSummerCredit.Value); err != nil {
		f.Add("pmp_summer_credit", "%s", err)
	}
	for _, m := range p.PMPCreditMonths.Value {
		if m < time.January || m > time.December {
			f.Add("pmp_credit_months", "months are 1–12, not %d", m)
		}
	}
	if p.PMPProtectionMo.Value < 0 {
		f.Add("pmp_protection_months", "must not be negative")
	}
	if sp := p.AggregationShares.Value; sp != billing.Cumulative && sp != billing.PeriodOnly {
		f.Add("aggregation_share_policy", "must be cumulative or period, not %q", sp)
	}
	if s := p.EstimateSite.Value; s.Latitude < -90 || s.Latitude > 90 || s.Longitude < -180 || s.Longitude > 180 || s.Tilt < 0 || s.Tilt > 90 || s.Derate <= 0 || s.Derate > 1 {
		f.Add("estimated_generation_site", "latitude −90–90, longitude −180–180, tilt 0–90 and derate in (0, 1] are required")
	}
	src := p.sources()
	for _, name := range slices.Sorted(maps.Keys(src)) {
		if src[name] == "" {
			f.Add(name, "has no source")
		}
	}
	return f.Err("billrun.Policy")
}

// sources returns every setting's citation by field name.
func (p *Policy) sources() map[string]string {
	return map[string]string{
		"utility": p.Utility.Source, "utility_settlement": p.UtilitySettlement.Source,
		"utility_unused_credits": p.UtilityUnusedCredits.Source, "nsc_rate": p.NSCRate.Source,
		"nsc_to_cca_accounts": p.NSCToCCAAccounts.Source, "cca_settlement": p.CCASettlement.Source,
		"cca_true_up_month": p.CCATrueUpMonth.Source, "cca_nsc_markup_bp": p.CCANSCMarkupBP.Source,
		"cca_unused_credits": p.CCAUnusedCredits.Source, "care_bp": p.CAREBP.Source, "fera_bp": p.FERABP.Source,
		"power_share_bp": p.PowerShareBP.Source, "care_medical_exempt": p.CAREMedicalExempt.Source, "medical_baseline_wh_per_day": p.MedicalBaseline.Source,
		"baseline_wh_per_day": p.Baseline.Source, "acc_plus": p.ACCPlus.Source, "acc_plus_equity": p.ACCPlusEquity.Source,
		"nbt_lock_pto_until": p.NBTLockPTOUntil.Source, "nbt_lock_years": p.NBTLockYears.Source,
		"pmp_event_surcharge": p.PMPEventSurcharge.Source, "pmp_summer_credit": p.PMPSummerCredit.Source,
		"pmp_credit_months": p.PMPCreditMonths.Source, "pmp_protection_months": p.PMPProtectionMo.Source,
		"aggregation_share_policy": p.AggregationShares.Source, "estimated_generation_site": p.EstimateSite.Source,
	}
}

func checkSettlement(f *apperr.Fields, field string, s billing.Settlement) {
	if s != billing.Annual && s != billing.Monthly {
		f.Add(field, "must be annual or monthly, not %q", s)
	}
}

func checkCredits(f *apperr.Fields, field string, c billing.CreditPolicy) {
	if c != billing.Forfeit && c != billing.Carry {
		f.Add(field, "must be forfeit or carry, not %q", c)
	}
}

// parsePrice reads a published $/kWh decimal ("0.01786") exactly.
func parsePrice(s string) (money.MicroPerKWh, error) {
	v, err := money.ParseMicro(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a $/kWh price with at most 6 decimals", s)
	}
	if v < 0 {
		return 0, fmt.Errorf("%q must not be negative", s)
	}
	return money.MicroPerKWh(v), nil
}

func vintagePrices(m map[string]string) (map[int]money.MicroPerKWh, error) {
	out := make(map[int]money.MicroPerKWh, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		y, err := strconv.Atoi(k)
		if err != nil || y < 2000 || y > 2100 {
			return nil, fmt.Errorf("vintage %q is not a year", k)
		}
		if out[y], err = parsePrice(m[k]); err != nil {
			return nil, fmt.Errorf("vintage %s: %w", k, err)
		}
	}
	return out, nil
}

// careBP is the CARE discount of a rate schedule.
func (p *Policy) careBP(schedule string) int64 {
	if bp, ok := p.CAREBP.Value[schedule]; ok {
		return bp
	}
	return p.CAREBP.Value["default"]
}
