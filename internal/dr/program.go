package dr

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/money"
)

// Kind is what a program asks of its participants.
type Kind string

// Program kinds.
const (
	LoadReduction   Kind = "load_reduction"   // events ask participants to cut load (Power Response, Energy Day)
	PeakPricing     Kind = "peak_pricing"     // a rate rider with event days (PMP, CPP)
	ManagedCharging Kind = "managed_charging" // vehicles charge to a plan (EV SmartCharge)
	Storage         Kind = "storage"          // a battery fleet dispatched as a virtual power plant
	PriceSignal     Kind = "price_signal"     // devices follow the TOU schedule (Smart Light Switch)
)

// Program is a demand-response program with its tracks, event rules,
// baseline and settlement, as data with sources (programs.json).
type Program struct {
	Code        string      `json:"code"` // the enrollment program code, e.g. "power_response"
	Name        string      `json:"name"`
	Kind        Kind        `json:"kind"`
	Description string      `json:"description"`
	Tracks      []Track     `json:"tracks"`
	Rules       *EventRules `json:"event_rules,omitempty"` // nil: the program holds no events
	// Baseline names the method of Methods used for the weekday and the
	// weekend-or-holiday events of the program.
	Baseline        string `json:"baseline,omitempty"`
	WeekendBaseline string `json:"weekend_baseline,omitempty"`
	// Rate is paid per kWh of settled reduction (0: the program pays
	// participation incentives only).
	Rate money.MicroPerKWh `json:"rate_micro_usd_per_kwh"`
	// Floor is how reductions are floored: "event" (max(0, Σ) per event,
	// research/dr-ev.md §2.4), "interval" (Σ max(0, ·)) or "none".
	Floor string `json:"floor"`
	// Incentives are the participation incentives by device type.
	Incentives []Incentive `json:"incentives,omitempty"`
	// Funding names the incentive budgets that pay the program's
	// incentives and settlements (nil: none; a payment is refused).
	Funding *Funding `json:"funding,omitempty"`
	// Signal is the OpenADR payload the program's events carry:
	// SIMPLE, PRICE, CONTROL_LEVEL_OFFSET, DISPATCH_SETPOINT, GHG.
	Signal string `json:"signal,omitempty"`
	// ReservePctDefault is, for storage programs, the share of a battery
	// kept for the site's backup when no site setting says otherwise.
	ReservePctDefault int `json:"reserve_pct_default,omitempty"`
	// ChargeMaxAgeMinutes is, for storage programs, how old a battery's
	// reported state of charge may be for a dispatch to use it instead
	// of the dispatch's assumed charge.
	ChargeMaxAgeMinutes int      `json:"charge_max_age_minutes,omitempty"`
	Sources             []string `json:"sources"`
}

// Track is one way of taking part in a program.
type Track struct {
	Code    string           `json:"code"`
	Name    string           `json:"name"`
	Classes []customer.Class `json:"classes"`
	// Automated tracks dispatch to registered devices; the others notify
	// people.
	Automated bool `json:"automated"`
	// OverrideWithoutPenalty: participants may override an event and are
	// settled on what they did, never charged (CPA Smart Home FAQ).
	OverrideWithoutPenalty bool `json:"override_without_penalty"`
}

// Incentive is a participation incentive for one device type.
type Incentive struct {
	DeviceType string      `json:"device_type"` // thermostat, ev_charger, battery, …
	Brands     []string    `json:"brands,omitempty"`
	Enrollment money.Cents `json:"enrollment_cents"`
	Annual     money.Cents `json:"annual_cents"` // each year after the first
	// Extra is added to the enrollment incentive when the participant
	// has ExtraWhen (e.g. "socalgas": also a SoCalGas customer).
	Extra     money.Cents `json:"extra_cents,omitempty"`
	ExtraWhen string      `json:"extra_when,omitempty"`
	// PaidAs is "budget" (the incentive budgets) or "bill_credit".
	PaidAs string `json:"paid_as"`
	Source string `json:"source"`
}

// EventRules are the rules an event must keep when it is scheduled.
type EventRules struct {
	// Window is the local clock span events must fall in, "HH:MM"; with
	// Fixed, events are exactly the window (PMP's 4–9 pm).
	WindowStart Clock `json:"window_start"`
	WindowEnd   Clock `json:"window_end"`
	Fixed       bool  `json:"fixed_window"`
	// MinMinutes and MaxMinutes bound an event's length.
	MinMinutes int `json:"min_minutes"`
	MaxMinutes int `json:"max_minutes"`
	// PreconditionMinutes is the pre-cool (or pre-charge) lead before the
	// event that devices are sent; it is not part of the event window.
	PreconditionMinutes int   `json:"precondition_minutes,omitempty"`
	WeekdaysOnly        bool  `json:"weekdays_only"`
	ExcludeHolidays     bool  `json:"exclude_holidays"`
	Months              []int `json:"months,omitempty"` // allowed months, 1–12; empty: any
	MaxPerYear          int   `json:"max_per_year,omitempty"`
	MaxPerWeek          int   `json:"max_per_week,omitempty"` // Monday–Sunday weeks
	MaxHoursPerYear     int   `json:"max_hours_per_year,omitempty"`
	// MinNoticeMinutes is the least time between notifying participants
	// and the event's start; DayAhead also requires the notice on an
	// earlier local day.
	MinNoticeMinutes int  `json:"min_notice_minutes"`
	DayAhead         bool `json:"day_ahead"`
	// CancelledCounts: a cancelled event still counts toward the caps.
	CancelledCounts bool     `json:"cancelled_counts"`
	Notes           []string `json:"notes,omitempty"`
}

// Clock is a local time of day in minutes after midnight, written "HH:MM".
type Clock int

var clockRE = regexp.MustCompile(`^([01][0-9]|2[0-4]):([0-5][0-9])$`)

// ParseClock parses "HH:MM" (00:00 to 24:00).
func ParseClock(s string) (Clock, error) {
	m := clockRE.FindStringSubmatch(s)
	if m == nil {
		return 0, apperr.Invalidf("dr.ParseClock", "%q is not a time of day HH:MM", s)
	}
	c := Clock(((int(m[1][0]-'0')*10+int(m[1][1]-'0'))*60 + int(m[2][0]-'0')*10 + int(m[2][1]-'0')))
	if c > 24*60 {
		return 0, apperr.Invalidf("dr.ParseClock", "%q is after 24:00", s)
	}
	return c, nil
}

// String writes c as "HH:MM".
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// MarshalText writes "HH:MM".
func (c Clock) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads "HH:MM".
func (c *Clock) UnmarshalText(b []byte) error {
	v, err := ParseClock(string(b))
	*c = v
	return err
}

// On returns the instant of clock c on local day d: 16:00 is the wall
// clock's 4 pm, also on a 23- or 25-hour day; 24:00 is the next midnight.
func (c Clock) On(d calendar.Date) time.Time {
	return time.Date(d.Year, d.Month, d.Day, int(c)/60, int(c)%60, 0, 0, calendar.Pacific).UTC()
}

// Track returns the program's track with code, or false.
func (p *Program) Track(code string) (Track, bool) {
	for _, t := range p.Tracks {
		if t.Code == code {
			return t, true
		}
	}
	return Track{}, false
}

var codeRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)

// Validate checks a program's own fields.
func (p *Program) Validate() error {
	var f apperr.Fields
	if !codeRE.MatchString(p.Code) {
		f.Add("code", "must be a lower-case code such as power_response")
	}
	if p.Name == "" {
		f.Add("name", "is required")
	}
	switch p.Kind {
	case LoadReduction, PeakPricing, ManagedCharging, Storage, PriceSignal:
	default:
		f.Add("kind", "must be load_reduction, peak_pricing, managed_charging, storage or price_signal")
	}
	if len(p.Sources) == 0 {
		f.Add("sources", "every program cites its sources")
	}
	switch p.Floor {
	case FloorEvent, FloorInterval, FloorNone:
	default:
		f.Add("floor", "must be event, interval or none")
	}
	if p.Rate < 0 {
		f.Add("rate_micro_usd_per_kwh", "must not be negative")
	}
	for i, t := range p.Tracks {
		if !codeRE.MatchString(t.Code) {
			f.Add(fmt.Sprintf("tracks[%d].code", i), "must be a lower-case code")
		}
	}
	for _, name := range []string{p.Baseline, p.WeekendBaseline} {
		if _, ok := MethodNamed(name); name != "" && !ok {
			f.Add("baseline", "unknown baseline method %q", name)
		}
	}
	for i, in := range p.Incentives {
		if in.PaidAs != "budget" && in.PaidAs != "bill_credit" {
			f.Add(fmt.Sprintf("incentives[%d].paid_as", i), "must be budget or bill_credit")
		}
		if in.Enrollment < 0 || in.Annual < 0 || in.Extra < 0 {
			f.Add(fmt.Sprintf("incentives[%d]", i), "amounts must not be negative")
		}
	}
	if fu := p.Funding; fu != nil && (fu.IncentiveProgram == "" || fu.Source == "") {
		f.Add("funding", "names an incentive_program and cites its source")
	}
	if r := p.Rules; r != nil {
		if r.WindowEnd <= r.WindowStart {
			f.Add("event_rules.window_end", "must be after window_start")
		}
		if r.MinMinutes <= 0 || (r.MaxMinutes > 0 && r.MaxMinutes < r.MinMinutes) {
			f.Add("event_rules.min_minutes", "must be positive and at most max_minutes")
		}
		for _, m := range r.Months {
			if m < 1 || m > 12 {
				f.Add("event_rules.months", "months are 1 to 12")
			}
		}
		if r.MaxPerYear < 0 || r.MaxPerWeek < 0 || r.MinNoticeMinutes < 0 || r.MaxHoursPerYear < 0 {
			f.Add("event_rules", "caps and notice must not be negative")
		}
	}
	return f.Err("dr.Program")
}

// Catalog is a set of programs by code.
type Catalog struct{ programs []Program }

//go:embed programs.json
var programsJSON []byte

// Shipped returns the programs built into gridbook (programs.json).
func Shipped() (*Catalog, error) { return ParseCatalog(programsJSON) }

// ParseCatalog reads a program document {"programs":[…]}, strictly, and
// validates every program.
func ParseCatalog(b []byte) (*Catalog, error) {
	var doc struct {
		Programs []Program `json:"programs"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, apperr.E(apperr.Invalid, "dr.ParseCatalog", "malformed program document", err)
	}
	seen := map[string]bool{}
	for i := range doc.Programs {
		p := &doc.Programs[i]
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("program %d (%s): %w", i, p.Code, err)
		}
		if seen[p.Code] {
			return nil, apperr.Invalidf("dr.ParseCatalog", "program %s appears twice", p.Code)
		}
		seen[p.Code] = true
	}
	return &Catalog{programs: doc.Programs}, nil
}

// Programs returns the programs in document order.
func (c *Catalog) Programs() []Program { return slices.Clone(c.programs) }

// Program returns the program with code.
func (c *Catalog) Program(code string) (Program, error) {
	for _, p := range c.programs {
		if p.Code == code {
			return p, nil
		}
	}
	return Program{}, apperr.NotFoundf("dr.Catalog", "no demand-response program %q", code)
}
