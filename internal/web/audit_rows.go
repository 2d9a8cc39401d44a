package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/money"
)

// AuditRow is one audit record as listed: who, when, what, and the fields
// that changed. The "audit_rows" partial shows a slice of them.
type AuditRow struct {
	ID       int64
	At       time.Time
	Actor    string // the actor's name, e.g. "ana@cpa.example"
	ActorKey string // the actor's kind and id, e.g. "user:3"
	Action   string
	Entity   string
	EntityID string
	Href     string // page of the entity, when it has one
	Changes  []Change
}

// OnlyValues reports whether no change has a before value (a created
// record or a logged event), so the fields can be listed inline.
func (r AuditRow) OnlyValues() bool {
	for _, c := range r.Changes {
		if c.Before != "" {
			return false
		}
	}
	return true
}

// Change is one field of an audit record: its value before and after.
// Before is empty for a created record and After for a deleted one.
type Change struct {
	Field  string
	Before string
	After  string
}

// newAuditRow prepares an audit record for display.
func newAuditRow(rec auth.AuditRecord) AuditRow {
	row := AuditRow{ID: rec.ID, At: rec.At, Action: rec.Action, Entity: rec.Entity, EntityID: rec.EntityID,
		Changes: diffJSON(rec.Before, rec.After)}
	row.ActorKey, row.Actor, _ = strings.Cut(rec.Actor, " ")
	if row.Actor == "" {
		row.Actor, row.ActorKey = row.ActorKey, ""
	}
	switch rec.Entity {
	case "customer":
		row.Href = "/customers/" + rec.EntityID
	case "account":
		row.Href = "/accounts/" + rec.EntityID
	case "premise":
		row.Href = "/premises/" + rec.EntityID
	}
	return row
}

// skippedFields are bookkeeping fields every record has; they change on
// every update and say nothing a reader needs. Records are written with the
// JSON API's snake_case names; the Go names are those of records written
// before that.
var skippedFields = []string{"id", "created_at", "updated_at", "ID", "Created", "Updated"}

// diffJSON compares two JSON objects (the before and after of an audit
// record) and lists the fields whose values differ, nested objects
// flattened to "Household size". For a create (no before) it lists the
// fields that have a value. Values that are not objects are shown whole.
func diffJSON(before, after json.RawMessage) []Change {
	b, bok := flatten(before)
	a, aok := flatten(after)
	if !bok && !aok {
		if len(before) == 0 && len(after) == 0 {
			return nil
		}
		return []Change{{Field: "value", Before: compactJSON(before), After: compactJSON(after)}}
	}
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	var out []Change
	for _, k := range names {
		if slices.Contains(skippedFields, k) {
			continue
		}
		bv, av := b[k], a[k]
		if bytes.Equal(bv, av) {
			continue
		}
		c := Change{Field: fieldLabel(k), Before: showJSON(k, bv), After: showJSON(k, av)}
		if c.Before == c.After {
			continue
		}
		out = append(out, c)
	}
	return out
}

// flatten reads a JSON object into a map of dotted keys to raw values,
// descending into nested objects. ok is false when raw is not an object.
func flatten(raw json.RawMessage) (map[string]json.RawMessage, bool) {
	var obj map[string]json.RawMessage
	if len(raw) == 0 || json.Unmarshal(raw, &obj) != nil {
		return nil, false
	}
	out := map[string]json.RawMessage{}
	for k, v := range obj {
		if sub, ok := flatten(v); ok && len(sub) > 0 {
			for sk, sv := range sub {
				out[k+"."+sk] = sv
			}
			continue
		}
		out[k] = v
	}
	return out, true
}

// showJSON renders one value for people: strings without quotes, null,
// false, zero and "" as empty, and integers of income and amount fields as
// dollars (they are money.Cents).
func showJSON(key string, v json.RawMessage) string {
	s := strings.TrimSpace(string(v))
	switch s {
	case "", "null", `""`, "false", "0", "[]", "{}":
		return ""
	}
	var str string
	if json.Unmarshal(v, &str) == nil {
		return str
	}
	var list []json.RawMessage
	if json.Unmarshal(v, &list) == nil {
		// Scalars are listed; records (a meter's channels) are counted.
		var parts []string
		for _, item := range list {
			if t := strings.TrimSpace(string(item)); strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
				return fmt.Sprintf("%d items", len(list))
			}
			parts = append(parts, showJSON(key, item))
		}
		return strings.Join(parts, ", ")
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && isMoneyKey(key) {
		return money.Cents(n).String()
	}
	return compactJSON(v)
}

func compactJSON(v json.RawMessage) string {
	var buf bytes.Buffer
	if json.Compact(&buf, v) != nil {
		return string(v)
	}
	return buf.String()
}

// isMoneyKey reports whether an audited field holds money.Cents: the API's
// *_cents fields, or an income or amount field of an older record
// ("Household.AnnualIncome").
func isMoneyKey(key string) bool {
	last := key[strings.LastIndex(key, ".")+1:]
	return strings.HasSuffix(last, "_cents") || strings.HasSuffix(last, "Income") || strings.HasSuffix(last, "Cents")
}

// labelAcronyms are the words of snake_case field names written in capitals.
var labelAcronyms = map[string]string{"id": "ID", "zip": "ZIP", "dac": "DAC", "hftd": "HFTD", "lse": "LSE", "geoid": "GEOID",
	"fips": "FIPS", "ids": "IDs"}

// fieldLabel turns a field path into words: "hftd_tier" → "HFTD tier",
// "household_income_cents" → "household income" (shown in dollars), and
// for older records "Household.AnnualIncome" → "household annual income",
// "DACTable" → "DAC table".
func fieldLabel(key string) string {
	var words []string
	for _, part := range strings.Split(key, ".") {
		if strings.Contains(part, "_") || strings.ToLower(part) == part {
			snake := strings.Split(part, "_")
			if len(snake) > 1 && snake[len(snake)-1] == "cents" {
				snake = snake[:len(snake)-1]
			}
			for _, w := range snake {
				if a, ok := labelAcronyms[w]; ok {
					w = a
				}
				words = append(words, w)
			}
			continue
		}
		for _, w := range splitCamel(part) {
			if len(w) <= 1 || strings.ToUpper(w) != w { // keep acronyms: DAC, ZIP, HFTD, LSE
				w = strings.ToLower(w)
			}
			words = append(words, w)
		}
	}
	return strings.Join(words, " ")
}

// splitCamel splits "ClimateZoneOverride" into words and keeps acronyms
// whole ("HFTDTier" → "HFTD", "Tier"; "TractGEOID" → "Tract", "GEOID").
func splitCamel(s string) []string {
	rs := []rune(s)
	var words []string
	start := 0
	for i := 1; i < len(rs); i++ {
		lowerToUpper := unicode.IsLower(rs[i-1]) && unicode.IsUpper(rs[i])
		acronymEnd := unicode.IsUpper(rs[i-1]) && unicode.IsUpper(rs[i]) && i+1 < len(rs) && unicode.IsLower(rs[i+1])
		if lowerToUpper || acronymEnd {
			words = append(words, string(rs[start:i]))
			start = i
		}
	}
	if start < len(rs) {
		words = append(words, string(rs[start:]))
	}
	return words
}
