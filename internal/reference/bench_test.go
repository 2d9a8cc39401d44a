package reference

import "testing"

func BenchmarkEligible(b *testing.B) {
	tabs := mustLoad(b)
	on := date(b, "2025-06-15")
	h := Household{Size: 4, AnnualIncome: usd(70000), CountyFIPS: "06037"}
	for _, p := range []Program{CARE, FERA, AMI80} {
		b.Run(string(p), func(b *testing.B) {
			for b.Loop() {
				if _, err := tabs.Eligible(p, h, on); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkClimateZone(b *testing.B) {
	tabs := mustLoad(b)
	for b.Loop() {
		if _, err := tabs.ClimateZone("90012"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}
