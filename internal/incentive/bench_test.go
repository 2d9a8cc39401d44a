package incentive

import (
	"strings"
	"testing"
)

func benchQuote(b *testing.B, program, facts string) {
	cat, ref := fixtures(b)
	f, err := ParseFacts(strings.NewReader(facts))
	if err != nil {
		b.Fatal(err)
	}
	p, err := cat.Program(program)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		d, err := p.Quote(f, ref)
		if err != nil || !d.Eligible {
			b.Fatalf("%+v %v", d, err)
		}
	}
}

// BenchmarkQuoteSunStorage is eligibility and the award decision for a
// battery with both add-ons.
func BenchmarkQuoteSunStorage(b *testing.B) {
	benchQuote(b, "sun-storage-rebate", `{"date":"2026-03-10","customer_class":"residential","income_program":"FERA","hftd_tier":"TIER3","measure":{"paired_with_solar":true}}`)
}

// BenchmarkQuoteDirectInstall includes the household income test against
// the Direct Install table.
func BenchmarkQuoteDirectInstall(b *testing.B) {
	benchQuote(b, "direct-install", `{"date":"2026-03-10","customer_class":"residential","household_size":4,"household_income_usd":70000,"climate_zone":15,"measure":{"type":"central_ac","working_ac":true,"seer":13,"age_years":12}}`)
}

// BenchmarkQuoteMultifamilyLED walks the LED wattage table to its last
// row.
func BenchmarkQuoteMultifamilyLED(b *testing.B) {
	benchQuote(b, "multifamily-rebates", `{"date":"2026-03-10","dwelling_type":"multifamily","quantity":40,"measure":{"type":"led_lamp","lamp_type":"wall_pack","watts":60}}`)
}

// BenchmarkParseAndQuote includes decoding the facts document, as the
// CLI and the API do.
func BenchmarkParseAndQuote(b *testing.B) {
	cat, ref := fixtures(b)
	doc := `{"date":"2026-03-10","customer_class":"residential","income_program":"CARE","hftd_tier":"none","measure":{"paired_with_solar":true}}`
	b.ReportAllocs()
	for b.Loop() {
		f, err := ParseFacts(strings.NewReader(doc))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := cat.Quote("sun-storage-rebate", f, ref); err != nil {
			b.Fatal(err)
		}
	}
}
