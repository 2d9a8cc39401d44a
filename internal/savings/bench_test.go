package savings

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func benchInputs(b *testing.B, file string, freq MeterFrequency) (Usage, Temperature) {
	b.Helper()
	u, err := ReadMeterCSV(bytesReader(readSharedB(b, "samples/"+file)), freq, DayUTC)
	if err != nil {
		b.Fatal(err)
	}
	temp, err := ReadTemperatureCSV(bytesReader(readSharedB(b, "samples/il-tempF.csv.gz")), UnitAuto)
	if err != nil {
		b.Fatal(err)
	}
	end := time.Date(2016, 12, 26, 0, 0, 0, 0, time.UTC)
	return u.Select(end.AddDate(0, 0, -365), end), temp
}

// BenchmarkCalTRACKDailyFit fits CalTRACK 2.0 daily (2,014 candidates) to
// one meter-year of electricity data. Target ≤ 5 ms; eemeter 3.2.0 takes
// 7–8 s. Figures in docs/performance.md.
func BenchmarkCalTRACKDailyFit(b *testing.B) {
	u, temp := benchInputs(b, "il-electricity-cdd-hdd-daily.csv.gz", FreqDaily)
	s := DailySettings(Electricity)
	b.ResetTimer()
	for b.Loop() {
		if m := FitCalTRACK(u, temp, s, false); m.Status != "SUCCESS" {
			b.Fatal(m.Status)
		}
	}
}

// BenchmarkCalTRACKBillingFit fits CalTRACK 2.0 billing to a year of
// monthly bills.
func BenchmarkCalTRACKBillingFit(b *testing.B) {
	u, temp := benchInputs(b, "il-electricity-cdd-hdd-billing_monthly.csv.gz", FreqBilling)
	s := BillingSettings(Electricity)
	b.ResetTimer()
	for b.Loop() {
		if m := FitCalTRACK(u, temp, s, false); m.Status != "SUCCESS" {
			b.Fatal(m.Status)
		}
	}
}

func readSharedB(b *testing.B, rel string) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join(eemeterDir, rel))
	if err != nil {
		b.Skipf("eemeter samples not available: %v", err)
	}
	return data
}

// BenchmarkTOWTFit fits CalTRACK hourly (twelve segments, occupancy, bins,
// 170-odd coefficients each) to one meter-year of hourly data. Target ≤ 50
// ms; eemeter takes about 3.8 s (4.1.1) or 3.1 s (3.2.0).
func BenchmarkTOWTFit(b *testing.B) {
	u, temp := benchInputs(b, "il-electricity-cdd-hdd-hourly.csv.gz", FreqHourly)
	b.ResetTimer()
	for b.Loop() {
		if m := FitTOWT(u, temp, time.UTC); !m.Segments[0].ok {
			b.Fatal("no model")
		}
	}
}
