package meterdata

import (
	"bytes"
	"testing"
	"time"
)

// syntheticYear is a year of 15-minute delivered and received readings
// (2 × 35,040) with every 97th delivered reading estimated: about 14 MB.
func syntheticYear(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	feed := SyntheticFeed{Start: time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC), Days: 365, IntervalSeconds: 900, EstimatedEvery: 97}
	if _, err := feed.WriteTo(&buf); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkParseESPI measures Green Button XML parsing throughput (MB/s)
// on the synthetic year and on the Green Button Alliance hourly sample.
func BenchmarkParseESPI(b *testing.B) {
	b.Run("synthetic-15min-year", func(b *testing.B) {
		data := syntheticYear(b)
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseESPI(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gba-inland-hourly-year", func(b *testing.B) {
		data := sample(b, "Inland_Single_Family_Jan_1_2011_to_Jan_1_2012_RetailCustomer_9.xml")
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ParseESPI(bytes.NewReader(data)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
