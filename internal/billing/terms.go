package billing

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/tariff"
)

// Program is the customer-generation program an account is billed under.
type Program string

// The programs.
const (
	// NoProgram bills imports only; received energy earns nothing.
	NoProgram Program = "none"
	// NEM1 nets imports and exports per TOU period within the billing
	// period at the otherwise applicable rate, every bucket included.
	NEM1 Program = "nem1"
	// NEM2 nets like NEM1 but charges non-bypassable charges on every
	// imported kWh (D.16-01-044; research/billing.md §4.1).
	NEM2 Program = "nem2"
	// NBT is the Net Billing Tariff (D.22-12-056): imports and exports are
	// never netted; exports earn hourly export credits that offset energy
	// charges only (research/billing.md §4.2).
	NBT Program = "nbt"
)

// Programs lists the programs in a fixed order.
var Programs = []Program{NoProgram, NEM1, NEM2, NBT}

// ParseProgram reads a program name.
func ParseProgram(s string) (Program, error) {
	for _, p := range Programs {
		if string(p) == s {
			return p, nil
		}
	}
	return "", apperr.Invalidf("billing.ParseProgram", "program %q: want none, nem1, nem2 or nbt", s)
}

// LSE is the account's load-serving side: who sells it generation.
type LSE string

// The load-serving sides.
const (
	// Bundled accounts buy generation from the utility: one ledger.
	Bundled LSE = "bundled"
	// CCA accounts buy generation from a community choice aggregator: the
	// utility bills delivery, non-bypassable and cost-responsibility
	// charges, the CCA bills generation, each with its own ledger and
	// true-up calendar (research/billing.md §4.1, "CCA layer").
	CCA LSE = "cca"
)

// Side names one of an account's two ledgers.
type Side string

// The ledgers.
const (
	// Utility is the utility's ledger: everything for a bundled account,
	// delivery and the charges that go with it for a CCA account.
	Utility Side = "utility"
	// Generation is the CCA's generation ledger (CCA accounts only).
	Generation Side = "cca"
)

// Settlement says when a ledger's net-metering energy charges are due.
type Settlement string

// Settlements.
const (
	// Annual defers net energy charges to the true-up: the monthly bill
	// shows them but only non-energy charges and minimums are due (SCE
	// and PG&E residential NEM; research/billing.md §4.1).
	Annual Settlement = "annual"
	// Monthly makes positive net energy charges due each month after
	// carried credits; negative ones become a credit carried to later
	// months and to the true-up (Clean Power Alliance's generation side,
	// "monthly bill payment"; research/billing.md §4.1).
	Monthly Settlement = "monthly"
)

// CreditPolicy says what happens to unused Net Billing export credits at
// the true-up (research/billing.md §4.2).
type CreditPolicy string

// Credit policies.
const (
	// Forfeit zeroes unused export credits at the true-up (SCE).
	Forfeit CreditPolicy = "forfeit"
	// Carry keeps unused export credits into the next Relevant Period
	// (PG&E, while the customer stays on NBT).
	Carry CreditPolicy = "carry"
)

// Ledger is the policy of one side's ledger.
type Ledger struct {
	// Settlement of net-metering energy charges (NEM programs).
	Settlement Settlement `json:"settlement"`
	// TrueUpMonth, when set, trues the ledger up at the end of the bill
	// whose last day falls in that month (CPA trues up its generation
	// side every April for all customers). When zero the ledger trues up
	// after every 12 bills of the Relevant Period.
	TrueUpMonth time.Month `json:"true_up_month,omitempty"`
	// NSCRate is the net surplus compensation rate paid per kWh of net
	// surplus energy at the true-up; zero pays none.
	NSCRate money.MicroPerKWh `json:"nsc_rate"`
	// NSCMarkupBP raises NSCRate by basis points (CPA pays SCE's NSC rate
	// + 10%: 1000).
	NSCMarkupBP int64 `json:"nsc_markup_bp,omitempty"`
	// UnusedCredits is the NBT policy for export credits left at the
	// true-up.
	UnusedCredits CreditPolicy `json:"unused_credits"`
}

// nscRate is the ledger's NSC rate with its markup, in micro-dollars per
// kWh, rounded to the micro-dollar.
func (l Ledger) nscRate() money.MicroPerKWh {
	return money.MicroPerKWh(money.RoundDiv(int64(l.NSCRate)*(10_000+l.NSCMarkupBP), 10_000))
}

// Discounts are the income-qualified and green-tariff discounts of an
// account, in basis points of the bill they apply to.
type Discounts struct {
	// CAREBP is the CARE discount (PU Code §739.1: an average effective
	// discount of 30–35%, set per tariff): 3000–3500. Zero when not on
	// CARE.
	CAREBP int64 `json:"care_bp,omitempty"`
	// FERABP is the FERA discount (18%: 1800). Zero when not on FERA.
	FERABP int64 `json:"fera_bp,omitempty"`
	// PowerShareBP is CPA's Power Share (DAC-GT) discount on the bill
	// already discounted by CARE or FERA (20%: 2000). It "is based on
	// your total bill" and appears on the CPA generation line
	// (research/programs.md §4, worked example 29).
	PowerShareBP int64 `json:"power_share_bp,omitempty"`
	// MedicalBaselinePerDay is the medical-baseline allowance added to
	// the baseline allowance of every day.
	MedicalBaselinePerDay energy.Wh `json:"medical_baseline_wh_per_day,omitempty"`
}

// CPP is a critical-peak-pricing rider such as CPA's Peak Management
// Pricing: a surcharge on energy used in event hours on event days, a
// credit on energy used in the credit hours of credit months on other
// days, and first-year bill protection. Event days come from the
// demand-response calendar; the engine takes them as input.
type CPP struct {
	// EventDays are the local days with an event, in any order.
	EventDays []calendar.Date `json:"event_days"`
	// EventStart and EventEnd are the event hours, local hour beginning
	// and hour ending: 16 and 21 for 4–9 pm.
	EventStart int `json:"event_start_hour"`
	EventEnd   int `json:"event_end_hour"`
	// EventPrice is the surcharge per kWh delivered in event hours.
	EventPrice money.MicroPerKWh `json:"event_price"`
	// CreditPrice is the credit per kWh delivered in the credit hours of
	// the credit months on non-event weekdays (a positive number; the
	// bill shows it negative).
	CreditPrice money.MicroPerKWh `json:"credit_price"`
	// CreditMonths are the months the credit applies (June–September).
	CreditMonths []time.Month `json:"credit_months"`
	// CreditStart and CreditEnd are the credit hours (usually the event
	// hours).
	CreditStart int `json:"credit_start_hour"`
	CreditEnd   int `json:"credit_end_hour"`
	// ProtectionUntil is the first day after first-year bill protection:
	// until then, if the rider's charges exceed its credits over the
	// protection year, the difference is credited on the bill that ends
	// the protection year (or the last bill before it).
	ProtectionUntil calendar.Date `json:"protection_until,omitzero"`
}

// Storage is paired storage behind the account's revenue meter. Paired
// storage follows the generator's metering rules, but energy a battery
// took from the grid must not earn export credit. The CPUC's paired
// storage rules (D.14-05-033; summarised in CALSSA's
// "NEM/NBT Paired Storage" fact sheet) allow two configurations: a
// battery charged only by the on-site generator (its exports are credited
// like the generator's), or a battery that may charge from the grid but
// never exports — systems above 10 kW prove it with a certified power
// control system or an extra meter, smaller ones with meter data and
// estimated solar production. gridbook implements the rule as: when the
// battery may charge from the grid, the energy credited as exported in
// each interval is at most the generator's output in that interval
// (Usage.Generated, from a net generation output meter or an estimate);
// any excess is neither netted nor credited, and the bill says how much.
type Storage struct {
	KWh          energy.Wh `json:"capacity_wh"`
	KW           energy.W  `json:"power_w"`
	GridCharging bool      `json:"grid_charging"`
	// Metering records how compliance is shown: "pcs_solar_only",
	// "pcs_no_export", "ngom" or "estimated".
	Metering string `json:"metering"`
}

// Validate checks a paired-storage description; field names are the
// JSON names ("metering", "grid_charging", "capacity_wh", "power_w").
func (s Storage) Validate() error {
	var f apperr.Fields
	switch s.Metering {
	case "pcs_solar_only", "pcs_no_export", "ngom", "estimated":
	default:
		f.Add("metering", "must be pcs_solar_only, pcs_no_export, ngom or estimated, not %q", s.Metering)
	}
	if s.GridCharging && s.Metering == "pcs_solar_only" {
		f.Add("grid_charging", "a power control system in solar-only charging mode keeps the battery from charging from the grid")
	}
	if s.KWh < 0 {
		f.Add("capacity_wh", "must not be negative")
	}
	if s.KW < 0 {
		f.Add("power_w", "must not be negative")
	}
	return f.Err("billing.Storage")
}

// Credit is a one-off credit on a bill.
type Credit struct {
	// Ref identifies the credit at its source (an incentive payment id),
	// so that the source can mark it applied.
	Ref   string      `json:"ref"`
	Label string      `json:"label"`
	Cents money.Cents `json:"credit_cents"` // positive; the bill shows it negative
	// Side is the ledger it is credited on: the utility's, or the CCA's
	// for a CCA program's incentive on a CCA account.
	Side Side `json:"side"`
}

// EstimatedExport is generation a customer is credited with although no
// meter recorded it: the estimated production of the days a late meter
// kept from being recorded. The utility "reprograms a smart meter or
// swaps the meter free of charge within 30 business days of a complete
// NEM application, or else credits the customer for estimated production
// during any delay" (seed 002; spec/nem.md). Wh holds the estimate of
// each clock hour from Start. The engine credits it on the bill it is put
// on as exports under the account's program: each hour is counted as
// received energy of the TOU period it falls in (by the energy period map
// of the version in force on the bill's first day) — netted at the bill's
// period rates under NEM 1.0 and NEM 2.0 — or, under the Net Billing
// Tariff, valued at the export price of that hour in the account's
// export-price table. It counts toward the Relevant Period's received
// energy (net surplus) like metered exports.
type EstimatedExport struct {
	Label string      `json:"label"`
	Start time.Time   `json:"start"` // the first hour, UTC, on a clock hour
	Wh    []energy.Wh `json:"wh_per_hour"`
}

// total is the estimate's energy.
func (e EstimatedExport) total() energy.Wh {
	var s energy.Wh
	for _, v := range e.Wh {
		s += v
	}
	return s
}

// Terms is everything about an account that its bill depends on, other
// than its interval data and carried balances.
type Terms struct {
	// Tariff holds the effective-dated versions of the otherwise
	// applicable rate schedule, in any order; their spans must not
	// overlap. A bill spanning a change is split by days.
	Tariff []*tariff.Version `json:"-"`
	// GenerationTariff holds a CCA's generation rate versions. When empty,
	// a CCA account's generation is priced with the generation bucket of
	// Tariff (CPA prices generation at parity with or a discount to SCE's;
	// load its own rates for exact bills).
	GenerationTariff []*tariff.Version `json:"-"`
	LSE              LSE               `json:"lse"`
	Program          Program           `json:"program"`
	// RelevantStart is the first day of the first Relevant Period (the
	// first bill after permission to operate). Zero: the first day billed.
	RelevantStart calendar.Date `json:"relevant_start,omitzero"`
	// UtilityLedger and GenerationLedger are the policies of the two
	// sides; GenerationLedger only matters for CCA accounts.
	UtilityLedger    Ledger `json:"utility_ledger"`
	GenerationLedger Ledger `json:"generation_ledger"`
	// ExportPrices is the NBT export-price table of the account's vintage
	// (9-year lock-in); required for NBT.
	ExportPrices *tariff.ExportTable `json:"-"`
	// ACCPlus is the NBT ACC Plus adder per kWh exported; its credit
	// offsets any charge and rolls over until used.
	ACCPlus money.MicroPerKWh `json:"acc_plus,omitempty"`
	// Baseline is the baseline allowance per day, by the name of the
	// energy period map's season in force that day ("summer", "winter").
	Baseline  map[string]energy.Wh `json:"baseline_wh_per_day,omitempty"`
	Discounts Discounts            `json:"discounts"`
	CPP       *CPP                 `json:"cpp,omitempty"`
	// Credits are one-off credits to put on this bill, such as an
	// incentive paid as a bill credit (incentive payment method
	// bill_credit; docs/incentives.md). Each becomes a line of its own.
	Credits []Credit `json:"credits,omitempty"`
	// EstimatedExports are estimated generation credited on this bill as
	// exports (a late meter's days; EstimatedExport explains the rule).
	EstimatedExports []EstimatedExport `json:"estimated_exports,omitempty"`
	// Exempt names energy components of the tariff the account does not
	// pay: CARE and medical-baseline customers pay no Wildfire Fund
	// non-bypassable charge (research/billing.md §4.2: "WFC $0 for
	// CARE/medical"). Names must match the tariff's component names.
	Exempt []string `json:"exempt_components,omitempty"`
	// Storage describes NEM/NBT paired storage, if any.
	Storage *Storage `json:"storage,omitempty"`
	// AllowIncomplete bills cycles with missing intervals (billing them
	// as zero and saying so on the bill). Off by default: a bill is never
	// produced from incomplete data without saying so.
	AllowIncomplete bool `json:"allow_incomplete,omitempty"`
}

// Validate checks t and returns an Invalid error naming every problem.
func (t *Terms) Validate() error {
	return t.validate(func(v *tariff.Version) error { return v.Validate() })
}

// Validate checks t like Terms.Validate, validating each tariff version
// only the first time this Calculator sees it: a bill run checks the terms
// of every account, and they share a handful of versions.
func (c *Calculator) Validate(t *Terms) error {
	return t.validate(func(v *tariff.Version) error {
		_, err := c.compile(v)
		return err
	})
}

func (t *Terms) validate(checkVersion func(*tariff.Version) error) error {
	var f apperr.Fields
	if len(t.Tariff) == 0 {
		f.Add("tariff", "at least one tariff version is required")
	}
	checkVersions(&f, "tariff", t.Tariff, checkVersion)
	checkVersions(&f, "generation_tariff", t.GenerationTariff, checkVersion)
	switch t.LSE {
	case Bundled:
		if len(t.GenerationTariff) > 0 {
			f.Add("generation_tariff", "only CCA accounts have a generation tariff")
		}
	case CCA:
	default:
		f.Add("lse", "must be bundled or cca, not %q", t.LSE)
	}
	if !slices.Contains(Programs, t.Program) {
		f.Add("program", "must be none, nem1, nem2 or nbt, not %q", t.Program)
	}
	if t.Program == NBT && t.ExportPrices == nil {
		f.Add("export_prices", "the Net Billing Tariff needs the export-price table of the account's vintage")
	}
	if t.ACCPlus < 0 {
		f.Add("acc_plus", "must not be negative")
	}
	if t.ACCPlus != 0 && t.Program != NBT {
		f.Add("acc_plus", "the ACC Plus adder is for Net Billing Tariff accounts only")
	}
	checkLedger(&f, "utility_ledger", t.UtilityLedger)
	checkLedger(&f, "generation_ledger", t.GenerationLedger)
	for name, wh := range t.Baseline {
		if wh < 0 {
			f.Add("baseline."+name, "allowance must not be negative")
		}
	}
	d := t.Discounts
	if d.CAREBP != 0 && d.FERABP != 0 {
		f.Add("discounts", "an account is on CARE or on FERA, not both")
	}
	for _, c := range []struct {
		name string
		bp   int64
	}{{"care_bp", d.CAREBP}, {"fera_bp", d.FERABP}, {"power_share_bp", d.PowerShareBP}} {
		if c.bp < 0 || c.bp > 10_000 {
			f.Add("discounts."+c.name, "must be 0–10000 basis points")
		}
	}
	if d.PowerShareBP != 0 && t.LSE != CCA {
		f.Add("discounts.power_share_bp", "Power Share is a CCA program; the account must be a CCA account")
	}
	if d.MedicalBaselinePerDay < 0 {
		f.Add("discounts.medical_baseline_wh_per_day", "must not be negative")
	}
	if st := t.Storage; st != nil {
		for _, fe := range apperr.FieldsOf(st.Validate()) {
			f.Add("storage."+fe.Field, "%s", fe.Msg)
		}
	}
	for i, c := range t.Credits {
		field := fmt.Sprintf("credits[%d]", i)
		if c.Cents <= 0 {
			f.Add(field+".credit_cents", "a bill credit must be positive, not %s", c.Cents)
		}
		if c.Side != Utility && (c.Side != Generation || t.LSE != CCA) {
			f.Add(field+".side", "must be utility, or cca on a CCA account, not %q", c.Side)
		}
		if strings.TrimSpace(c.Label) == "" {
			f.Add(field+".label", "is required")
		}
	}
	for i, e := range t.EstimatedExports {
		field := fmt.Sprintf("estimated_exports[%d]", i)
		if t.Program == NoProgram {
			f.Add(field, "estimated generation is credited under a net-metering program; the account has none")
		}
		if e.Start.IsZero() || e.Start.Unix()%3600 != 0 {
			f.Add(field+".start", "must be on a clock hour")
		}
		if len(e.Wh) == 0 {
			f.Add(field+".wh_per_hour", "at least one hour is required")
		}
		if slices.ContainsFunc(e.Wh, func(v energy.Wh) bool { return v < 0 }) {
			f.Add(field+".wh_per_hour", "estimated generation must not be negative")
		}
		if strings.TrimSpace(e.Label) == "" {
			f.Add(field+".label", "is required")
		}
	}
	if c := t.CPP; c != nil {
		if c.EventStart < 0 || c.EventEnd > 24 || c.EventStart >= c.EventEnd {
			f.Add("cpp.event_hours", "event hours must satisfy 0 ≤ start < end ≤ 24")
		}
		if c.CreditPrice != 0 && (c.CreditStart < 0 || c.CreditEnd > 24 || c.CreditStart >= c.CreditEnd) {
			f.Add("cpp.credit_hours", "credit hours must satisfy 0 ≤ start < end ≤ 24")
		}
		if c.EventPrice < 0 || c.CreditPrice < 0 {
			f.Add("cpp", "event and credit prices must not be negative (the credit is shown negative on the bill)")
		}
	}
	return f.Err("billing.Terms")
}

func checkLedger(f *apperr.Fields, field string, l Ledger) {
	switch l.Settlement {
	case Annual, Monthly, "":
	default:
		f.Add(field+".settlement", "must be annual or monthly, not %q", l.Settlement)
	}
	switch l.UnusedCredits {
	case Forfeit, Carry, "":
	default:
		f.Add(field+".unused_credits", "must be forfeit or carry, not %q", l.UnusedCredits)
	}
	if l.NSCRate < 0 || l.NSCMarkupBP < 0 {
		f.Add(field+".nsc_rate", "must not be negative")
	}
}

// checkVersions validates each version and checks that no two overlap.
func checkVersions(f *apperr.Fields, field string, vs []*tariff.Version, check func(*tariff.Version) error) {
	for i, v := range vs {
		if v == nil {
			f.Add(fmt.Sprintf("%s[%d]", field, i), "is missing")
			return
		}
		if err := check(v); err != nil {
			f.Add(fmt.Sprintf("%s[%d]", field, i), "%s %s from %s: %s", v.Utility, v.Code, v.From, reason(err))
		}
	}
	sorted := sortedVersions(vs)
	for i := 1; i < len(sorted); i++ {
		if sorted[i-1].Effective().Overlaps(sorted[i].Effective()) {
			f.Add(field, "versions from %s and %s overlap", sorted[i-1].From, sorted[i].From)
		}
	}
}

func sortedVersions(vs []*tariff.Version) []*tariff.Version {
	out := slices.Clone(vs)
	slices.SortFunc(out, func(a, b *tariff.Version) int { return a.From.Compare(b.From) })
	return out
}

// versionOn returns the version in force on d.
func versionOn(vs []*tariff.Version, d calendar.Date) *tariff.Version {
	for _, v := range vs {
		if v.Effective().Contains(d) {
			return v
		}
	}
	return nil
}

// reason renders an Invalid error's field messages for use inside another
// message ("shares_bp: shares sum to 99.99%, not 100%").
func reason(err error) string {
	fs := apperr.FieldsOf(err)
	if len(fs) == 0 {
		return apperr.MessageOf(err)
	}
	s := ""
	for i, f := range fs {
		if i > 0 {
			s += "; "
		}
		s += f.Field + ": " + f.Msg
	}
	return s
}
