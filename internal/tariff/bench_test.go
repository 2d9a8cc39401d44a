package tariff

import (
	"testing"
	"time"
)

// BenchmarkPeriodIndex builds the compiled period index of TOU-D-4-9PM for
// 2025 (hourly and 15-minute).
func BenchmarkPeriodIndex(b *testing.B) {
	v := shippedVersion(b, "TOU-D-4-9PM")
	for _, step := range []time.Duration{time.Hour, 15 * time.Minute} {
		b.Run(step.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Index("energy", 2025, step); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkEnergyPriceLookup prices every hour of 2025 through the index
// and the price table (one Energy call per interval).
func BenchmarkEnergyPriceLookup(b *testing.B) {
	v := shippedVersion(b, "TOU-D-4-9PM")
	ix, err := v.Index("energy", 2025, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	prices, err := v.EnergyPrices()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var sum int64
	for b.Loop() {
		for _, p := range ix.Period {
			sum += int64(prices.Energy(p, 0))
		}
	}
	if sum == 0 {
		b.Fatal("no prices")
	}
}

// BenchmarkEnergyPrices builds the price table of a version.
func BenchmarkEnergyPrices(b *testing.B) {
	v := shippedVersion(b, "E-ELEC")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.EnergyPrices(); err != nil {
			b.Fatal(err)
		}
	}
}
