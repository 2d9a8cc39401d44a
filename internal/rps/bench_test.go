package rps

import (
	"testing"
)

// BenchmarkCompute1MClaims is the compliance calculation over one million
// claims (issue 7: under 2 seconds).
func BenchmarkCompute1MClaims(b *testing.B) {
	rs := ruleSet(b, CPUCRetailSeller, "CP4")
	claims := make([]Claim, 1_000_000)
	for i := range claims {
		claims[i] = Claim{PCC: PCC(i % 4), MWh: int64(1 + i%50), ContractExecuted: executed2015, LongTerm: i%3 != 0}
		if claims[i].PCC == PCC0 {
			claims[i].ContractExecuted = date(b, "2009-01-01")
		}
	}
	in := Input{Rules: rs, Settings: DefaultSettings(), RetailSales: flatSales(rs, 30_000_000), Claims: claims, Bank: 1_000_000}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Compute(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMaxApplicable is the balance solver alone.
func BenchmarkMaxApplicable(b *testing.B) {
	for b.Loop() {
		MaxApplicable(min75, max10, Balance{700_000_000, 200_000_000, 150_000_000})
	}
}
