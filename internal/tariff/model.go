package tariff

import (
	"github.com/gridbook/gridbook/internal/calendar"
)

// Kind is what a component charges for and how its price is applied.
// The list follows research/billing.md §6.1 ("components, each with kind").
type Kind string

// The component kinds.
const (
	// Energy is a price per kWh imported, by TOU period and tier.
	Energy Kind = "energy"
	// FixedDay is a charge per day of service (SCE Basic Charge, PG&E
	// Base Services Charge).
	FixedDay Kind = "fixed_per_day"
	// FixedMonth is a charge per billing month (commercial customer charges).
	FixedMonth Kind = "fixed_per_month"
	// MinimumDay is a floor per day of service (SCE residential Minimum
	// Charge, $0.346/day, which applies to delivery only).
	MinimumDay Kind = "minimum_per_day"
	// MinimumMonth is a floor per billing month (URDB mincharge in $/month).
	MinimumMonth Kind = "minimum_per_month"
	// DemandTOU is a price per kW of the highest demand measured in each
	// TOU period of the month.
	DemandTOU Kind = "demand_tou"
	// DemandFlat is a price per kW of the month's highest demand whatever
	// the hour (facilities-related demand), chosen by month.
	DemandFlat Kind = "demand_flat"
	// BaselineCredit is a (negative) price per kWh of usage up to the
	// customer's baseline allowance, which depends on climate zone and
	// season and is supplied by the billing engine.
	BaselineCredit Kind = "baseline_credit"
	// ExportCredit is a (positive) price per kWh exported, by TOU period.
	// Net Billing Tariff export prices are hourly tables instead
	// (ExportTable).
	ExportCredit Kind = "export_credit"
)

// Unit is the unit a component of kind k is priced in: "$/kWh" for
// energy, baseline and export credits, "$/day" and "$/month" for fixed
// and minimum charges, "$/kW" for demand charges.
func (k Kind) Unit() string {
	switch k {
	case FixedDay, MinimumDay:
		return "$/day"
	case FixedMonth, MinimumMonth:
		return "$/month"
	case DemandTOU, DemandFlat:
		return "$/kW"
	}
	return "$/kWh"
}

// Kinds lists every component kind.
var Kinds = []Kind{Energy, FixedDay, FixedMonth, MinimumDay, MinimumMonth, DemandTOU, DemandFlat, BaselineCredit, ExportCredit}

// Bucket is the part of the bill a component's money belongs to. CCA
// billing splits delivery (the utility's) from generation (the CCA's);
// NEM 2.0 and the Net Billing Tariff charge non-bypassable charges on every
// imported kWh and never offset them with export credits (research/billing.md
// §1.5, §4.1, §4.2).
type Bucket string

// The buckets.
const (
	Delivery   Bucket = "delivery"
	Generation Bucket = "generation"
	NBC        Bucket = "nbc"      // non-bypassable charges: PPP, ND, CTC, WF, bond charges
	PCIA       Bucket = "pcia_crs" // PCIA and other cost-responsibility surcharges
	Tax        Bucket = "tax"
	// Bundled is an unsplit bundled price, as URDB publishes it: URDB has no
	// delivery/generation split (research/billing.md §1.5).
	Bundled Bucket = "bundled"
)

// Buckets lists every bucket in a fixed order; PriceTable uses it.
var Buckets = []Bucket{Delivery, Generation, NBC, PCIA, Tax, Bundled}

// TierUnit is the unit of a tier's upper bound.
type TierUnit string

// Tier units. URDB's "kWh daily" is KWhPerDay (research/billing.md §1.2).
const (
	KWh       TierUnit = "kWh"     // per billing period
	KWhPerDay TierUnit = "kWh/day" // times the days in the billing period
	KWhPerKW  TierUnit = "kWh/kW"  // times the billing demand (hours-use tiers)
	KW        TierUnit = "kW"      // demand tiers
)

// Holiday calendars a version may bill holidays by.
const (
	HolidaysNone = "none"
	HolidaysSCE  = "sce"
	HolidaysPGE  = "pge"
)

// Version is one effective-dated version of a tariff: what applies from
// From (inclusive) until To (exclusive; zero while in force). Its JSON form
// is the native tariff format (see native.go).
type Version struct {
	Utility string        `json:"utility"` // "SCE", "PG&E", or the URDB utility name
	Code    string        `json:"code"`    // rate schedule code, e.g. "TOU-D-PRIME"
	Name    string        `json:"name"`
	Sector  string        `json:"sector,omitempty"`  // Residential, Commercial, …
	Service string        `json:"service,omitempty"` // Bundled, Delivery, Energy
	From    calendar.Date `json:"effective_from"`
	To      calendar.Date `json:"effective_to,omitzero"`
	Source  Source        `json:"source"`
	// Holidays names the holiday calendar whose days are billed as
	// weekends: "sce", "pge" or "none".
	Holidays string `json:"holidays"`
	// DGRules is URDB's compensation label for on-site generation ("Net
	// Metering", "Net Billing Hourly", …), informational.
	DGRules    string      `json:"dg_rules,omitempty"`
	Maps       []PeriodMap `json:"period_maps"`
	Components []Component `json:"components"`
	Notes      string      `json:"notes,omitempty"`
}

// Source cites where a version's numbers come from.
type Source struct {
	Citation  string `json:"citation"`             // tariff sheet, advice letter, effective date
	URL       string `json:"url,omitempty"`        // the utility's sheet, if known
	URDBLabel string `json:"urdb_label,omitempty"` // URDB page id for URDB imports
	Data      string `json:"data,omitempty"`       // the file it was read from and its license
}

// Effective returns the version's effective span.
func (v *Version) Effective() calendar.Span { return calendar.Span{From: v.From, To: v.To} }

// PeriodMap assigns a TOU period to every hour of the year. Seasons are
// date based: a season applies from its From day (MM-DD) until the next
// season's, wrapping at the year end; within a season, Weekday gives the
// period of each hour beginning 0–23 Monday to Friday and Weekend the
// period on Saturdays, Sundays and the version's holidays. URDB's 12×24
// month matrices become one season per run of identical months
// (FromMatrices); Grid renders a map back as 12×24 matrices.
type PeriodMap struct {
	Name    string   `json:"name"`    // "energy" or "demand"
	Periods []string `json:"periods"` // period names; a period is its index
	Seasons []Season `json:"seasons"`
}

// Season is one date-based season of a period map. Weekday and Weekend
// hold 24 period numbers each, for hours beginning 00:00 to 23:00 local
// time.
type Season struct {
	Name    string `json:"name"`
	From    string `json:"from"` // MM-DD
	Weekday []int  `json:"weekday"`
	Weekend []int  `json:"weekend"`
}

// Component is one priced line of a tariff.
//
// Energy, DemandTOU and ExportCredit components are priced per period of
// the period map Map (Rates[period][tier]); an Energy or ExportCredit
// component with no Map has one flat rate (Rates has one row) that applies
// in every hour. DemandFlat components have one Rates row per flat-demand
// group and Months (12 entries, January first) choose the row. FixedDay,
// FixedMonth, MinimumDay, MinimumMonth and BaselineCredit use Price.
type Component struct {
	Name   string   `json:"name"`
	Kind   Kind     `json:"kind"`
	Bucket Bucket   `json:"bucket"`
	Map    string   `json:"map,omitempty"`
	Rates  [][]Tier `json:"rates,omitempty"`
	Months []int    `json:"months,omitempty"`
	Price  Price    `json:"price,omitzero"`
	// WindowMinutes is the demand interval (15 for SCE and PG&E demand
	// charges); 0 means the meter's interval.
	WindowMinutes int    `json:"window_minutes,omitempty"`
	Note          string `json:"note,omitempty"`
}

// Tier is one block of a rate: Price applies to the quantity above the
// previous tier's Max up to this tier's Max. The last tier has no Max
// (zero). Max is cumulative within the billing period and is in Unit
// (kWh, kWh per day of the period, kWh per kW of billing demand, or kW).
type Tier struct {
	Max   Quantity `json:"max,omitzero"`
	Unit  TierUnit `json:"unit,omitempty"`
	Price Price    `json:"price"`
}

// DayType classifies a local day for a period map.
type DayType uint8

// Day types. Holidays are billed with the weekend map.
const (
	Weekday DayType = iota
	Weekend
	Holiday
)

// String names the day type.
func (d DayType) String() string {
	switch d {
	case Weekday:
		return "weekday"
	case Weekend:
		return "weekend"
	default:
		return "holiday"
	}
}

// holidays returns the calendar of v's holiday rule. SCE and PG&E publish
// the same list with the same Sunday→Monday rule (calendar.UtilityHolidays
// cites both).
func (v *Version) holidays() (calendar.Holidays, bool) {
	switch v.Holidays {
	case HolidaysSCE, HolidaysPGE:
		return calendar.UtilityHolidays(), true
	}
	return calendar.Holidays{}, false
}

// HolidayCalendar returns the holiday calendar whose days v bills as
// weekends; ok is false when v bills no holidays ("none").
func (v *Version) HolidayCalendar() (cal calendar.Holidays, ok bool) { return v.holidays() }

// PeriodMap returns the map named name.
func (v *Version) PeriodMap(name string) (*PeriodMap, bool) {
	for i := range v.Maps {
		if v.Maps[i].Name == name {
			return &v.Maps[i], true
		}
	}
	return nil, false
}

// ComponentsOf returns v's components of kind k, in order.
func (v *Version) ComponentsOf(k Kind) []Component {
	var out []Component
	for _, c := range v.Components {
		if c.Kind == k {
			out = append(out, c)
		}
	}
	return out
}
