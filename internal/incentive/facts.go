package incentive

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
)

// Facts are what a decision is made from: the customer, the premise, the
// household and the equipment, as of Date. Every field is optional in the
// JSON; a rule that needs an absent fact does not guess — the decision
// names the missing field (docs/incentives.md lists the schema).
//
// Booleans and numbers are pointers so that "false" and "0" are told
// apart from "not given".
type Facts struct {
	Date          calendar.Date `json:"date"`           // the application, purchase or installation date (YYYY-MM-DD)
	CustomerClass string        `json:"customer_class"` // residential, commercial, agricultural, municipal
	// IncomeProgram is the rate-assistance program the account is on:
	// CARE, FERA or none.
	IncomeProgram string `json:"income_program"`
	DAC           *bool  `json:"dac"`       // premise in an SB 535 disadvantaged community
	HFTDTier      string `json:"hftd_tier"` // none, ZONE1 (Tier 1 high hazard zone), TIER2, TIER3
	// County is the premise's county as a 5-digit FIPS code ("06037") or
	// a name ("Los Angeles").
	County        string `json:"county"`
	ClimateZone   *int   `json:"climate_zone"` // California building climate zone 1–16
	MemberAgency  string `json:"member_agency"`
	CCACustomer   *bool  `json:"cca_customer"` // served by the CCA (not opted out) on Date
	DwellingType  string `json:"dwelling_type"`
	HouseholdSize *int   `json:"household_size"`
	// HouseholdIncomeUSD is gross annual household income in dollars
	// (cents allowed: 48720.50).
	HouseholdIncomeUSD *json.Number `json:"household_income_usd"`
	Homeowner          *bool        `json:"homeowner"`
	GasCustomer        *bool        `json:"gas_customer"` // also a SoCalGas customer
	// Measure holds the equipment's attributes: type, energy_star,
	// energy_factor, lamp_type, watts, shutters, savings_percent,
	// year_made, cubic_feet, … (numbers, booleans or strings).
	Measure          map[string]json.RawMessage `json:"measure"`
	Quantity         *int                       `json:"quantity"`           // units; 1 when absent
	InvoiceCostCents *money.Cents               `json:"invoice_cost_cents"` // equipment and installation, as invoiced
	RequestedCents   *money.Cents               `json:"requested_cents"`    // grants: the amount applied for
	Pathway          string                     `json:"pathway"`            // grants: e.g. building_electrification
}

// ParseFacts decodes a facts document strictly: unknown top-level fields,
// malformed JSON and values of the wrong type are Invalid errors naming
// the field.
func ParseFacts(r io.Reader) (Facts, error) {
	const op = "incentive.ParseFacts"
	var f Facts
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(&f); err != nil {
		var fe apperr.Fields
		var te *json.UnmarshalTypeError
		switch {
		case asTypeErr(err, &te):
			fe.Add(te.Field, "must be a %s", te.Type.String())
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
			fe.Add(name, "is not a known fact (see docs/incentives.md)")
		default:
			fe.Add("facts", "%s", err.Error())
		}
		return f, fe.Err(op)
	}
	if dec.More() {
		var fe apperr.Fields
		fe.Add("facts", "must be one JSON object")
		return f, fe.Err(op)
	}
	return f, f.Validate()
}

func asTypeErr(err error, te **json.UnmarshalTypeError) bool {
	t, ok := err.(*json.UnmarshalTypeError)
	if ok {
		*te = t
	}
	return ok
}

var fipsRE = regexp.MustCompile(`^06[0-9]{3}$`)

// Validate checks the values given (never that a fact is present) and
// normalizes their spelling (CARE, TIER2, …).
func (f *Facts) Validate() error {
	var fe apperr.Fields
	f.CustomerClass = strings.ToLower(strings.TrimSpace(f.CustomerClass))
	switch strings.ToUpper(strings.TrimSpace(f.IncomeProgram)) {
	case "":
	case "CARE", "FERA":
		f.IncomeProgram = strings.ToUpper(strings.TrimSpace(f.IncomeProgram))
	case "NONE":
		f.IncomeProgram = "none"
	default:
		fe.Add("income_program", "must be CARE, FERA or none, got %q", f.IncomeProgram)
	}
	switch t := strings.ToUpper(strings.TrimSpace(f.HFTDTier)); t {
	case "":
	case "NONE":
		f.HFTDTier = "none"
	case "TIER1", "ZONE1":
		f.HFTDTier = "ZONE1"
	case "TIER2", "TIER3":
		f.HFTDTier = t
	default:
		fe.Add("hftd_tier", "must be none, ZONE1, TIER2 or TIER3, got %q", f.HFTDTier)
	}
	switch f.CustomerClass {
	case "", "residential", "commercial", "agricultural", "municipal":
	default:
		fe.Add("customer_class", "must be residential, commercial, agricultural or municipal, got %q", f.CustomerClass)
	}
	if z := f.ClimateZone; z != nil && (*z < 1 || *z > 16) {
		fe.Add("climate_zone", "must be 1 to 16, got %d", *z)
	}
	if n := f.HouseholdSize; n != nil && (*n < 1 || *n > 30) {
		fe.Add("household_size", "must be 1 to 30, got %d", *n)
	}
	if f.HouseholdIncomeUSD != nil {
		if c, err := money.ParseDollars(f.HouseholdIncomeUSD.String()); err != nil || c < 0 {
			fe.Add("household_income_usd", "must be a non-negative dollar amount with at most 2 decimals, got %s", f.HouseholdIncomeUSD.String())
		}
	}
	if q := f.Quantity; q != nil && (*q < 1 || *q > 100_000) {
		fe.Add("quantity", "must be 1 to 100000, got %d", *q)
	}
	if c := f.InvoiceCostCents; c != nil && *c < 0 {
		fe.Add("invoice_cost_cents", "must not be negative")
	}
	if c := f.RequestedCents; c != nil && *c <= 0 {
		fe.Add("requested_cents", "must be positive")
	}
	for _, k := range sortedKeys(f.Measure) {
		if _, err := parseValue(f.Measure[k]); err != nil {
			fe.Add("measure."+k, "%s", err.Error())
		}
	}
	return fe.Err("incentive.Facts")
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// value is one fact's value: a string, a boolean or an exact decimal
// (micro-units, six decimals).
type value struct {
	kind  byte // 's', 'b', 'n', 'l' (list of strings)
	str   string
	b     bool
	micro int64
	list  []string
}

func (v value) String() string {
	switch v.kind {
	case 'b':
		return strconv.FormatBool(v.b)
	case 'n':
		return formatMicro(v.micro)
	case 'l':
		return "[" + strings.Join(v.list, ", ") + "]"
	}
	return strconv.Quote(v.str)
}

// parseValue reads a measure attribute: number, boolean, string or a list
// of strings.
func parseValue(raw json.RawMessage) (value, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return value{}, fmt.Errorf("is empty")
	}
	switch raw[0] {
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return value{}, fmt.Errorf("is not a valid string")
		}
		return value{kind: 's', str: strings.TrimSpace(s)}, nil
	case 't', 'f':
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return value{}, fmt.Errorf("is not a valid boolean")
		}
		return value{kind: 'b', b: b}, nil
	case '[':
		var l []string
		if err := json.Unmarshal(raw, &l); err != nil {
			return value{}, fmt.Errorf("must be a list of strings")
		}
		return value{kind: 'l', list: l}, nil
	}
	m, err := parseMicro(string(raw))
	if err != nil {
		return value{}, fmt.Errorf("must be a number, a boolean, a string or a list of strings")
	}
	return value{kind: 'n', micro: m}, nil
}

// parseMicro parses a decimal with at most six places, exactly.
func parseMicro(s string) (int64, error) {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	m, err := money.ParseMicro(strings.TrimPrefix(s, "-"))
	if err != nil || strings.HasPrefix(strings.TrimPrefix(s, "-"), "-") {
		return 0, fmt.Errorf("%q is not a decimal number with at most 6 places", s)
	}
	if neg {
		m = -m
	}
	return m, nil
}

// formatMicro writes a micro-unit decimal without trailing zeros.
func formatMicro(m int64) string {
	neg := m < 0
	if neg {
		m = -m
	}
	s := strconv.FormatInt(m/1_000_000, 10)
	if frac := m % 1_000_000; frac != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%06d", frac), "0")
	}
	if neg {
		s = "-" + s
	}
	return s
}

// lookup returns the named fact ("income_program", "measure.energy_factor")
// and whether it was given.
func (f *Facts) lookup(name string) (value, bool) {
	if k, ok := strings.CutPrefix(name, "measure."); ok {
		raw, ok := f.Measure[k]
		if !ok {
			return value{}, false
		}
		v, err := parseValue(raw)
		return v, err == nil
	}
	str := func(s string) (value, bool) { return value{kind: 's', str: s}, s != "" }
	boolean := func(b *bool) (value, bool) {
		if b == nil {
			return value{}, false
		}
		return value{kind: 'b', b: *b}, true
	}
	integer := func(n *int) (value, bool) {
		if n == nil {
			return value{}, false
		}
		return value{kind: 'n', micro: int64(*n) * 1_000_000}, true
	}
	switch name {
	case "customer_class":
		return str(f.CustomerClass)
	case "income_program":
		return str(f.IncomeProgram)
	case "hftd_tier":
		return str(f.HFTDTier)
	case "county":
		return str(f.County)
	case "member_agency":
		return str(f.MemberAgency)
	case "dwelling_type":
		return str(f.DwellingType)
	case "pathway":
		return str(f.Pathway)
	case "dac":
		return boolean(f.DAC)
	case "homeowner":
		return boolean(f.Homeowner)
	case "gas_customer":
		return boolean(f.GasCustomer)
	case "cca_customer":
		return boolean(f.CCACustomer)
	case "climate_zone":
		return integer(f.ClimateZone)
	case "household_size":
		return integer(f.HouseholdSize)
	case "quantity":
		return integer(f.Quantity)
	}
	return value{}, false
}

// FactNames lists the top-level fact names conditions may use, besides
// "measure.<attribute>".
var FactNames = []string{"customer_class", "income_program", "dac", "hftd_tier", "county", "climate_zone", "member_agency",
	"cca_customer", "dwelling_type", "household_size", "homeowner", "gas_customer", "quantity", "pathway"}

// quantity is the number of units, 1 when not given.
func (f *Facts) quantity() int64 {
	if f.Quantity == nil {
		return 1
	}
	return int64(*f.Quantity)
}

// jsonNumberOfCents writes cents as a dollar json.Number ("48720.5").
func jsonNumberOfCents(c money.Cents) json.Number {
	return json.Number(formatMicro(int64(c) * 10_000))
}
