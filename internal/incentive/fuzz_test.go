package incentive

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
)

// FuzzParseFacts checks that any facts document is either refused with an
// Invalid error or decoded into facts every shipped program can quote
// without panicking (an error, when there is one, is classified).
func FuzzParseFacts(f *testing.F) {
	for _, s := range []string{
		`{"date":"2026-03-10","customer_class":"residential","income_program":"FERA","hftd_tier":"TIER3","measure":{"paired_with_solar":true}}`,
		`{"date":"2026-03-10","dwelling_type":"multifamily","quantity":40,"measure":{"type":"led_lamp","lamp_type":"wall_pack","watts":60.5}}`,
		`{"date":"2025-09-01","county":"Ventura","household_size":9,"household_income_usd":112551.01,"homeowner":true}`,
		`{"measure":{"upgrades":["duct_sealing"],"energy_factor":-1}}`, `[]`, `{"date":"2026-02-30"}`, `{"quantity":0}`,
	} {
		f.Add(s)
	}
	cat, ref := fixtures(f)
	f.Fuzz(func(t *testing.T, doc string) {
		facts, err := ParseFacts(strings.NewReader(doc))
		if err != nil {
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("error %v is not Invalid", err)
			}
			return
		}
		for _, p := range cat.Programs() {
			d, err := p.Quote(facts, ref)
			if err != nil {
				if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.NotFound {
					t.Fatalf("%s: unclassified error %v", p.ID, err)
				}
				continue
			}
			if d.Eligible && (d.AmountCents < 0 || len(d.Reasons) != 0) {
				t.Fatalf("%s: eligible decision %+v", p.ID, d)
			}
			if !d.Eligible && d.AmountCents != 0 {
				t.Fatalf("%s: not eligible but amount %s", p.ID, d.AmountCents)
			}
		}
	})
}

// FuzzParsePrograms checks that a programs document is refused with an
// Invalid error or validated into a catalog whose programs re-validate.
func FuzzParsePrograms(f *testing.F) {
	f.Add(string(ShippedJSON()))
	f.Add(`{"programs":[]}`)
	f.Add(`[{"id":"x","name":"X","source":"s","effective_from":"2026-01-01","payment_method":"check","measures":[{"id":"m","rules":[{"id":"b","kind":"base","label":"B","amount_cents":100}]}]}]`)
	f.Fuzz(func(t *testing.T, doc string) {
		c, err := ParsePrograms([]byte(doc))
		if err != nil {
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("error %v is not Invalid", err)
			}
			return
		}
		for _, p := range c.Programs() {
			if err := p.Validate(); err != nil {
				t.Fatalf("accepted program %s fails validation: %v", p.ID, err)
			}
		}
	})
}

// FuzzParseResults checks the payment results parser refuses or accepts
// cleanly, never with a bad status.
func FuzzParseResults(f *testing.F) {
	f.Add("payment_id,status,reference,note\n1,paid,ACH-1,\n2,returned,,closed\n")
	f.Add("payment_id,status,reference,note\n0,paid,,\n")
	f.Add("nope")
	f.Fuzz(func(t *testing.T, doc string) {
		rs, err := ParseResults(bytes.NewReader([]byte(doc)))
		if err != nil {
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("error %v is not Invalid", err)
			}
			return
		}
		for _, r := range rs {
			if r.PaymentID <= 0 || (r.Status != "paid" && r.Status != "returned") {
				t.Fatalf("accepted %+v", r)
			}
		}
	})
}
