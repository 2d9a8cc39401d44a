package tariff

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
)

// maxPeriods bounds the periods of one map: period numbers are uint8 in
// the compiled index.
const maxPeriods = 255

// Validate checks v and returns an Invalid error naming every problem:
// missing identity or dates, a period map with gaps (a season without 24
// weekday and 24 weekend hours, or no seasons), a schedule pointing at a
// missing period, seasons out of order, tiers out of order, and negative
// quantities or prices where the kind does not allow them.
func (v *Version) Validate() error {
	var f apperr.Fields
	if strings.TrimSpace(v.Utility) == "" {
		f.Add("utility", "is required")
	}
	if strings.TrimSpace(v.Code) == "" {
		f.Add("code", "is required")
	}
	if err := v.Effective().Validate(); err != nil {
		for _, fe := range apperr.FieldsOf(err) {
			f.Add("effective_"+fe.Field, "%s", fe.Msg)
		}
	}
	switch v.Holidays {
	case HolidaysNone, HolidaysSCE, HolidaysPGE:
	default:
		f.Add("holidays", "must be sce, pge or none, not %q", v.Holidays)
	}
	names := map[string]bool{}
	for i := range v.Maps {
		m := &v.Maps[i]
		field := fmt.Sprintf("period_maps[%d]", i)
		if m.Name == "" {
			f.Add(field+".name", "is required")
		} else if names[m.Name] {
			f.Add(field+".name", "map %q is defined twice", m.Name)
		}
		names[m.Name] = true
		m.validate(&f, field)
	}
	if len(v.Components) == 0 {
		f.Add("components", "a tariff needs at least one component")
	}
	for i, c := range v.Components {
		v.validateComponent(&f, fmt.Sprintf("components[%d]", i), c)
	}
	v.validateTierAgreement(&f)
	return f.Err("tariff.Validate")
}

func (m *PeriodMap) validate(f *apperr.Fields, field string) {
	if len(m.Periods) == 0 {
		f.Add(field+".periods", "a period map needs at least one period")
	}
	if len(m.Periods) > maxPeriods {
		f.Add(field+".periods", "has %d periods, at most %d allowed", len(m.Periods), maxPeriods)
	}
	seen := map[string]bool{}
	for j, name := range m.Periods {
		switch {
		case strings.TrimSpace(name) == "":
			f.Add(fmt.Sprintf("%s.periods[%d]", field, j), "a period needs a name (it labels the period grid)")
		case seen[name]:
			f.Add(fmt.Sprintf("%s.periods[%d]", field, j), "period %q is named twice", name)
		}
		seen[name] = true
	}
	if len(m.Seasons) == 0 {
		f.Add(field+".seasons", "gap: no season covers the year")
	}
	if len(m.Seasons) > maxPeriods {
		f.Add(field+".seasons", "has %d seasons, at most %d allowed", len(m.Seasons), maxPeriods)
	}
	prev := ""
	for j, s := range m.Seasons {
		sf := fmt.Sprintf("%s.seasons[%d]", field, j)
		if _, _, ok := parseMonthDay(s.From); !ok {
			f.Add(sf+".from", "want a day of the year written MM-DD, not %q", s.From)
		} else if j > 0 && s.From <= prev {
			f.Add(sf+".from", "seasons out of order: %s does not follow %s", s.From, prev)
		}
		prev = s.From
		checkHours(f, sf+".weekday", s.Weekday, len(m.Periods))
		checkHours(f, sf+".weekend", s.Weekend, len(m.Periods))
	}
}

// checkHours checks one day's 24 hours of period numbers.
func checkHours(f *apperr.Fields, field string, hours []int, periods int) {
	if len(hours) != 24 {
		f.Add(field, "gap in the period map: %d hours given, want 24", len(hours))
	}
	for h, p := range hours {
		if p < 0 || p >= periods {
			f.Add(field, "hour %d points at period %d, which does not exist (the map has %d)", h, p, periods)
			return
		}
	}
}

// parseMonthDay parses MM-DD; February 29 is refused because a season must
// start every year.
func parseMonthDay(s string) (month, day int, ok bool) {
	if len(s) != 5 || s[2] != '-' || !digitsOnly(s[:2]) || !digitsOnly(s[3:]) {
		return 0, 0, false
	}
	month = int(s[0]-'0')*10 + int(s[1]-'0')
	day = int(s[3]-'0')*10 + int(s[4]-'0')
	lengths := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}
	if month < 1 || month > 12 || day < 1 || day > lengths[month] {
		return 0, 0, false
	}
	return month, day, true
}

func (v *Version) validateComponent(f *apperr.Fields, field string, c Component) {
	if !slices.Contains(Kinds, c.Kind) {
		f.Add(field+".kind", "unknown kind %q", c.Kind)
		return
	}
	if !slices.Contains(Buckets, c.Bucket) {
		f.Add(field+".bucket", "unknown bucket %q", c.Bucket)
	}
	if c.WindowMinutes < 0 {
		f.Add(field+".window_minutes", "must not be negative")
	}
	switch c.Kind {
	case FixedDay, FixedMonth, MinimumDay, MinimumMonth:
		if c.Price < 0 {
			f.Add(field+".price", "a %s charge must not be negative (%s)", c.Kind, c.Price)
		}
		if len(c.Rates) > 0 || c.Map != "" {
			f.Add(field+".rates", "a %s charge has one price, no rates", c.Kind)
		}
	case BaselineCredit:
		if c.Price > 0 {
			f.Add(field+".price", "a baseline credit is a negative price per kWh, not %s", c.Price)
		}
		if len(c.Rates) > 0 || c.Map != "" {
			f.Add(field+".rates", "a baseline credit has one price, no rates")
		}
	case Energy, ExportCredit, DemandTOU:
		periods := 1
		if c.Map != "" || c.Kind == DemandTOU {
			m, ok := v.PeriodMap(c.Map)
			if !ok {
				f.Add(field+".map", "refers to period map %q, which does not exist", c.Map)
				return
			}
			if c.Kind == Energy && c.Map != "energy" {
				f.Add(field+".map", "energy is priced by the \"energy\" period map (or by none, for a flat price), not %q", c.Map)
				return
			}
			periods = len(m.Periods)
		}
		if len(c.Rates) != periods {
			f.Add(field+".rates", "has rates for %d periods, the map %q has %d", len(c.Rates), c.Map, periods)
		}
		v.validateRates(f, field, c)
	case DemandFlat:
		if len(c.Months) != 12 {
			f.Add(field+".months", "want 12 months, got %d", len(c.Months))
		}
		for i, r := range c.Months {
			if r < 0 || r >= len(c.Rates) {
				f.Add(field+".months", "month %d points at rate %d, which does not exist", i+1, r)
				break
			}
		}
		v.validateRates(f, field, c)
	}
}

// validateRates checks the tiers of every rate row of c: bounds increasing,
// the last unbounded, one unit per row, and signs allowed for the kind.
func (v *Version) validateRates(f *apperr.Fields, field string, c Component) {
	for p, tiers := range c.Rates {
		rf := fmt.Sprintf("%s.rates[%d]", field, p)
		if len(tiers) == 0 {
			f.Add(rf, "a rate needs at least one tier")
			continue
		}
		var prev Quantity
		for t, tier := range tiers {
			tf := fmt.Sprintf("%s[%d]", rf, t)
			last := t == len(tiers)-1
			switch {
			case tier.Max < 0:
				f.Add(tf+".max", "a tier bound must not be negative (%s)", tier.Max)
			case last && tier.Max != 0:
				f.Add(tf+".max", "the last tier must be unbounded (no max)")
			case !last && tier.Max == 0:
				f.Add(tf+".max", "tiers out of order: only the last tier may be unbounded")
			case !last && tier.Max <= prev:
				f.Add(tf+".max", "tiers out of order: max %s does not exceed the previous tier's %s", tier.Max, prev)
			}
			prev = tier.Max
			if tier.Unit != "" && tier.Unit != tiers[0].Unit {
				f.Add(tf+".unit", "tiers of one rate must share a unit (%s, then %s)", tiers[0].Unit, tier.Unit)
			}
			switch c.Kind {
			case DemandTOU, DemandFlat:
				if tier.Unit != "" && tier.Unit != KW {
					f.Add(tf+".unit", "demand tiers are in kW, not %s", tier.Unit)
				}
				if tier.Price < 0 {
					f.Add(tf+".price", "a demand charge must not be negative (%s)", tier.Price)
				}
			case ExportCredit:
				if tier.Price < 0 {
					f.Add(tf+".price", "an export credit is a positive price per kWh exported, not %s", tier.Price)
				}
				fallthrough
			default:
				if !slices.Contains([]TierUnit{"", KWh, KWhPerDay, KWhPerKW}, tier.Unit) {
					f.Add(tf+".unit", "energy tiers are in kWh, kWh/day or kWh/kW, not %q", tier.Unit)
				}
			}
		}
	}
}

// validateTierAgreement checks that tiered energy components of one
// version agree on their tier bounds in each period, so that one tier index
// prices all of them (PriceTable). A single-tier component applies in every
// tier.
func (v *Version) validateTierAgreement(f *apperr.Fields) {
	var ref []Tier
	refName := ""
	for i, c := range v.Components {
		if c.Kind != Energy {
			continue
		}
		for _, tiers := range c.Rates {
			if len(tiers) < 2 {
				continue
			}
			if ref == nil {
				ref, refName = tiers, c.Name
				continue
			}
			if !sameBounds(ref, tiers) {
				f.Add(fmt.Sprintf("components[%d].rates", i), "tier bounds differ from those of %q; tiered energy components must share bounds", refName)
				return
			}
		}
	}
}

func sameBounds(a, b []Tier) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Max != b[i].Max || a[i].Unit != b[i].Unit {
			return false
		}
	}
	return true
}
