package tariff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

// URDBOptions adjusts a URDB import.
type URDBOptions struct {
	// Code replaces the rate code derived from each item's name.
	Code string
	// Holidays is the holiday calendar to bill by; URDB has none
	// (research/billing.md §1.2). Empty picks sce for SCE, pge for PG&E and
	// none otherwise.
	Holidays string
	// DataSource is recorded as Source.Data (file and license).
	DataSource string
}

// eiaUtilities maps EIA utility ids to short names (ids from
// research/billing.md §1.1: SCE 17609, PG&E 14328; SDG&E 16609 is its EIA
// id in the same URDB records).
var eiaUtilities = map[int64]string{17609: "SCE", 14328: "PG&E", 16609: "SDG&E"}

// ParseURDB reads OpenEI URDB JSON: the API's {"items":[…]} wrapper, a
// bare list of items or a bare item. Field names are matched without
// regard to case (one export writes dgRules, another demandRateUnits).
// startdate and enddate may be Unix seconds or ISO-8601 strings; either
// is read as the UTC calendar date, because URDB records the midnight
// starting the effective day in some US zone (offsets 0 to −8 h are seen).
// An enddate that is not after startdate (seen in one history) is dropped:
// the next version's start ends it. rate + adj is each tier's price
// (research/billing.md §1.2). The whole file is rejected if any item is
// invalid.
func ParseURDB(data []byte, opt URDBOptions) ([]Version, error) {
	const op = "tariff.ParseURDB"
	items, err := urdbItems(data)
	if err != nil {
		return nil, apperr.E(apperr.Invalid, op, "not URDB JSON: "+err.Error(), nil)
	}
	if len(items) == 0 {
		return nil, apperr.Invalidf(op, "no URDB items in the file")
	}
	out := make([]Version, 0, len(items))
	for i, it := range items {
		v, err := it.version(opt)
		if err == nil {
			err = v.Validate()
		}
		if err != nil {
			return nil, prefixFields(err, op, fmt.Sprintf("items[%d]", i))
		}
		out = append(out, v)
	}
	return out, nil
}

// prefixFields re-labels an Invalid error's fields under prefix.
func prefixFields(err error, op, prefix string) error {
	fs := apperr.FieldsOf(err)
	if len(fs) == 0 {
		return apperr.E(apperr.KindOf(err), op, prefix+": "+apperr.MessageOf(err), err)
	}
	var f apperr.Fields
	for _, fe := range fs {
		f.Add(prefix+"."+fe.Field, "%s", fe.Msg)
	}
	return f.Err(op)
}

// urdbItem is one URDB record with lower-cased keys.
type urdbItem map[string]json.RawMessage

func urdbItems(data []byte) ([]urdbItem, error) {
	data = bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	var raws []json.RawMessage
	switch {
	case len(data) > 0 && data[0] == '[':
		if err := json.Unmarshal(data, &raws); err != nil {
			return nil, err
		}
	case len(data) > 0 && data[0] == '{':
		var top map[string]json.RawMessage
		if err := json.Unmarshal(data, &top); err != nil {
			return nil, err
		}
		if items, ok := lower(top)["items"]; ok {
			if err := json.Unmarshal(items, &raws); err != nil {
				return nil, fmt.Errorf("items: %w", err)
			}
		} else {
			raws = []json.RawMessage{data}
		}
	default:
		return nil, fmt.Errorf("want a JSON object or list")
	}
	out := make([]urdbItem, 0, len(raws))
	for i, r := range raws {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(r, &m); err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
		out = append(out, lower(m))
	}
	return out, nil
}

// lower lower-cases keys; of two keys that differ only in case the first
// non-null one wins.
func lower(m map[string]json.RawMessage) map[string]json.RawMessage {
	out := make(map[string]json.RawMessage, len(m))
	for k, v := range m {
		lk := strings.ToLower(k)
		if old, ok := out[lk]; ok && string(old) != "null" {
			continue
		}
		out[lk] = v
	}
	return out
}

// has reports whether key is present and not null.
func (it urdbItem) has(key string) bool {
	v, ok := it[key]
	return ok && string(bytes.TrimSpace(v)) != "null"
}

func (it urdbItem) str(key string) string {
	if !it.has(key) {
		return ""
	}
	var s string
	if json.Unmarshal(it[key], &s) == nil {
		return strings.TrimSpace(s)
	}
	return strings.Trim(string(it[key]), `"`)
}

// first returns the first present key's name, for the camelCase/lowercase
// and singular/plural variants of one field.
func (it urdbItem) first(keys ...string) string {
	for _, k := range keys {
		if it.has(k) {
			return k
		}
	}
	return keys[0]
}

func (it urdbItem) version(opt URDBOptions) (Version, error) {
	var f apperr.Fields
	v := Version{
		Name:    it.str("name"),
		Sector:  it.str("sector"),
		Service: it.str("servicetype"),
		DGRules: it.str(it.first("dgrules", "usenetmetering")),
		Source: Source{
			Citation:  "OpenEI Utility Rate Database",
			URL:       it.str("source"),
			URDBLabel: it.str("label"),
			Data:      opt.DataSource,
		},
	}
	if it.has("uri") {
		v.Source.Citation += " " + it.str("uri")
	}
	if v.DGRules == "true" || v.DGRules == "false" {
		v.DGRules = map[string]string{"true": "Net Metering", "false": ""}[v.DGRules]
	}
	v.Utility = it.str("utility")
	if it.has("eiaid") {
		var id json.Number
		if json.Unmarshal(it["eiaid"], &id) == nil {
			if n, err := id.Int64(); err == nil && eiaUtilities[n] != "" {
				v.Utility = eiaUtilities[n]
			}
		} else if n, err := strconv.ParseInt(it.str("eiaid"), 10, 64); err == nil && eiaUtilities[n] != "" {
			v.Utility = eiaUtilities[n]
		}
	}
	v.Code = opt.Code
	if v.Code == "" {
		v.Code = codeFromName(v.Name, v.Source.URDBLabel)
	}
	v.Holidays = opt.Holidays
	if v.Holidays == "" {
		switch v.Utility {
		case "SCE":
			v.Holidays = HolidaysSCE
		case "PG&E":
			v.Holidays = HolidaysPGE
		default:
			v.Holidays = HolidaysNone
		}
	}
	from, ok := it.date("startdate", &f)
	if !ok && len(f) == 0 {
		f.Add("startdate", "is required")
	}
	v.From = from
	if to, ok := it.date("enddate", &f); ok && to.After(from) {
		v.To = to
	}

	// Energy.
	if it.has("energyratestructure") {
		m, err := it.periodMap("energy", "energyweekdayschedule", "energyweekendschedule", "energytoulabels")
		if err != nil {
			return v, err
		}
		rates, err := it.rates("energyratestructure", KWh)
		if err != nil {
			return v, err
		}
		v.Maps = append(v.Maps, m)
		v.Components = append(v.Components, Component{Name: "Energy", Kind: Energy, Bucket: Bundled, Map: "energy", Rates: rates})
	}
	// TOU demand.
	if it.has("demandratestructure") {
		if u := it.str(it.first("demandrateunit", "demandrateunits")); u != "" && u != "kW" {
			f.Add("demandrateunit", "only kW demand is supported, not %q", u)
		}
		m, err := it.periodMap("demand", "demandweekdayschedule", "demandweekendschedule", "")
		if err != nil {
			return v, err
		}
		rates, err := it.rates("demandratestructure", KW)
		if err != nil {
			return v, err
		}
		v.Maps = append(v.Maps, m)
		v.Components = append(v.Components, Component{Name: "TOU demand", Kind: DemandTOU, Bucket: Bundled, Map: "demand",
			Rates: rates, WindowMinutes: it.int("demandwindow")})
	}
	// Flat (monthly) demand.
	if it.has("flatdemandstructure") {
		if u := it.str(it.first("flatdemandunit", "flatdemandunits")); u != "" && u != "kW" {
			f.Add("flatdemandunit", "only kW demand is supported, not %q", u)
		}
		rates, err := it.rates("flatdemandstructure", KW)
		if err != nil {
			return v, err
		}
		var months []int
		if it.has("flatdemandmonths") {
			if err := json.Unmarshal(it["flatdemandmonths"], &months); err != nil {
				f.Add("flatdemandmonths", "want 12 integers")
			}
		} else if len(rates) == 1 {
			months = make([]int, 12)
		}
		v.Components = append(v.Components, Component{Name: "Facilities demand", Kind: DemandFlat, Bucket: Bundled,
			Rates: rates, Months: months, WindowMinutes: it.int("demandwindow")})
	}
	// Fixed and minimum charges.
	if it.has("fixedchargefirstmeter") {
		c, err := it.perUnit("fixedchargefirstmeter", it.str("fixedchargeunits"), "Customer charge", FixedDay, FixedMonth)
		if err != nil {
			f.Add("fixedchargeunits", "%s", err)
		}
		v.Components = append(v.Components, c)
	} else if it.has("fixedmonthlycharge") {
		c, _ := it.perUnit("fixedmonthlycharge", "$/month", "Customer charge", FixedDay, FixedMonth)
		v.Components = append(v.Components, c)
	}
	if it.has("mincharge") {
		c, err := it.perUnit("mincharge", it.str("minchargeunits"), "Minimum charge", MinimumDay, MinimumMonth)
		if err != nil {
			f.Add("minchargeunits", "%s", err)
		}
		v.Components = append(v.Components, c)
	} else if it.has("minmonthlycharge") {
		c, _ := it.perUnit("minmonthlycharge", "$/month", "Minimum charge", MinimumDay, MinimumMonth)
		v.Components = append(v.Components, c)
	}
	return v, f.Err("tariff.ParseURDB")
}

// perUnit reads a fixed or minimum charge in $/day or $/month.
func (it urdbItem) perUnit(key, unit, name string, perDay, perMonth Kind) (Component, error) {
	p, err := parseScaled(jsonDecimal(it[key]), 6)
	c := Component{Name: name, Bucket: Bundled, Price: Price(p)}
	if err != nil {
		return c, fmt.Errorf("%s: %v", key, err)
	}
	switch unit {
	case "$/day":
		c.Kind = perDay
	case "$/month", "":
		c.Kind = perMonth
	default:
		c.Kind = perMonth
		return c, fmt.Errorf("unit %q is not supported (want $/day or $/month)", unit)
	}
	return c, nil
}

func (it urdbItem) int(key string) int {
	if !it.has(key) {
		return 0
	}
	var n json.Number
	if json.Unmarshal(it[key], &n) != nil {
		return 0
	}
	i, err := n.Int64()
	if err != nil || i < 0 || i > 1440 {
		return 0
	}
	return int(i)
}

// date reads startdate/enddate as Unix seconds or an ISO-8601 string.
func (it urdbItem) date(key string, f *apperr.Fields) (calendar.Date, bool) {
	if !it.has(key) {
		return calendar.Date{}, false
	}
	raw := bytes.TrimSpace(it[key])
	var t time.Time
	if raw[0] == '"' {
		s := it.str(key)
		var err error
		if t, err = time.Parse(time.RFC3339Nano, s); err != nil {
			if t, err = time.Parse("2006-01-02", s); err != nil {
				f.Add(key, "want Unix seconds or an ISO-8601 date, not %q", s)
				return calendar.Date{}, false
			}
		}
	} else {
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			f.Add(key, "want Unix seconds or an ISO-8601 date")
			return calendar.Date{}, false
		}
		sec, err := n.Int64()
		if err != nil || sec < -62135596800 || sec > 253402300799 {
			f.Add(key, "Unix seconds %s out of range", n)
			return calendar.Date{}, false
		}
		t = time.Unix(sec, 0)
	}
	y, m, d := t.UTC().Date()
	date, err := calendar.NewDate(y, m, d)
	if err != nil {
		f.Add(key, "no such date")
		return calendar.Date{}, false
	}
	return date, true
}

// urdbTier is one tier as URDB writes it.
type urdbTier struct {
	Max  json.RawMessage `json:"max"`
	Unit string          `json:"unit"`
	Rate json.RawMessage `json:"rate"`
	Adj  json.RawMessage `json:"adj"`
}

// rates reads a period × tier structure; unit is the default tier unit.
func (it urdbItem) rates(key string, unit TierUnit) ([][]Tier, error) {
	var raw [][]urdbTier
	if err := json.Unmarshal(it[key], &raw); err != nil {
		return nil, apperr.Invalidf("tariff.ParseURDB", "%s: want a list of periods, each a list of tiers", key)
	}
	var f apperr.Fields
	out := make([][]Tier, len(raw))
	for p, tiers := range raw {
		for t, rt := range tiers {
			field := fmt.Sprintf("%s[%d][%d]", key, p, t)
			tier := Tier{Unit: unit}
			switch strings.ToLower(strings.TrimSpace(rt.Unit)) {
			case "", "kwh", "kw":
			case "kwh daily", "kwh/day":
				tier.Unit = KWhPerDay
			case "kwh/kw":
				tier.Unit = KWhPerKW
			default:
				f.Add(field+".unit", "tier unit %q is not supported", rt.Unit)
			}
			if unit == KW {
				tier.Unit = KW
			}
			rate, err := optScaled(rt.Rate, 6)
			if err != nil {
				f.Add(field+".rate", "%s", err)
			}
			adj, err := optScaled(rt.Adj, 6)
			if err != nil {
				f.Add(field+".adj", "%s", err)
			}
			tier.Price = Price(rate + adj)
			// The last tier is unbounded whatever its max says (ssc writes
			// 1e38 for "no limit", research/billing.md §1.2).
			if t < len(tiers)-1 {
				max, err := optScaled(rt.Max, 3)
				if err != nil {
					f.Add(field+".max", "%s", err)
				}
				tier.Max = Quantity(max)
			}
			out[p] = append(out[p], tier)
		}
	}
	return out, f.Err("tariff.ParseURDB")
}

// optScaled parses an optional JSON number (null or absent is zero).
func optScaled(raw json.RawMessage, scale int) (int64, error) {
	s := jsonDecimal(raw)
	if s == "" || s == "null" {
		return 0, nil
	}
	return parseScaled(s, scale)
}

// periodMap reads two 12×24 schedules into a map with seasons.
func (it urdbItem) periodMap(name, wdKey, weKey, labelsKey string) (PeriodMap, error) {
	var f apperr.Fields
	var wd, we [][]int
	if err := json.Unmarshal(it[wdKey], &wd); err != nil || !it.has(wdKey) {
		f.Add(wdKey, "gap in the period map: want 12 rows of 24 period numbers")
	}
	if err := json.Unmarshal(it[weKey], &we); err != nil || !it.has(weKey) {
		f.Add(weKey, "gap in the period map: want 12 rows of 24 period numbers")
	}
	if err := f.Err("tariff.ParseURDB"); err != nil {
		return PeriodMap{}, err
	}
	seasons, err := FromMatrices(wd, we)
	if err != nil {
		var g apperr.Fields
		for _, fe := range apperr.FieldsOf(err) {
			k := wdKey
			if strings.HasPrefix(fe.Field, "weekend") {
				k = weKey
			}
			g.Add(k+strings.TrimPrefix(strings.TrimPrefix(fe.Field, "weekday"), "weekend"), "%s", fe.Msg)
		}
		return PeriodMap{}, g.Err("tariff.ParseURDB")
	}
	var n int
	var structure [][]json.RawMessage
	key := strings.Replace(wdKey, "weekdayschedule", "ratestructure", 1)
	if json.Unmarshal(it[key], &structure) == nil {
		n = len(structure)
	}
	for _, sched := range []struct {
		key  string
		rows [][]int
	}{{wdKey, wd}, {weKey, we}} {
		if highest := slices.Max(slices.Concat(sched.rows...)); highest >= n {
			f.Add(sched.key, "the schedule points at period %d, which does not exist (%s has %d)", highest, key, n)
		}
	}
	if err := f.Err("tariff.ParseURDB"); err != nil {
		return PeriodMap{}, err
	}
	m := PeriodMap{Name: name, Seasons: seasons}
	var labels []string
	if labelsKey != "" && it.has(labelsKey) {
		_ = json.Unmarshal(it[labelsKey], &labels)
	}
	for p := range n {
		if len(labels) == n && strings.TrimSpace(labels[p]) != "" {
			m.Periods = append(m.Periods, strings.TrimSpace(labels[p]))
		} else {
			m.Periods = append(m.Periods, fmt.Sprintf("period %d", p))
		}
	}
	return m, nil
}

var (
	scheduleToken = regexp.MustCompile(`^[A-Z]{1,6}[0-9]*(-[A-Z0-9]+)+$`)
	optionWord    = regexp.MustCompile(`\bOption ([A-Za-z0-9]+)\b`)
	nonCode       = regexp.MustCompile(`[^A-Z0-9]+`)
)

// codeFromName derives a rate code from a URDB name: the first word shaped
// like a schedule code ("TOU-8", "E-19", "BEV-2-S"), with "-X" appended
// for an "Option X" in the name; failing that, the name in capitals with
// dashes, or the URDB label.
func codeFromName(name, label string) string {
	code := ""
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return strings.ContainsRune(" ,:;()/", r) }) {
		if scheduleToken.MatchString(w) {
			code = w
			break
		}
	}
	if code == "" {
		code = strings.Trim(nonCode.ReplaceAllString(strings.ToUpper(name), "-"), "-")
		if len(code) > 40 {
			code = strings.TrimRight(code[:40], "-")
		}
		if code == "" {
			return label
		}
		return code
	}
	if m := optionWord.FindStringSubmatch(name); m != nil {
		code += "-" + strings.ToUpper(m[1])
	}
	return code
}
