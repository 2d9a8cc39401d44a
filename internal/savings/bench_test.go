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

// BenchmarkDailyModelFit fits the eemeter 4.x daily model to one
// meter-year (the IL samples' baseline): the current settings (splits
// tested, smoothing, adaptive robust final fit) on electricity and gas,
// the same with the exact path (CalcOptions.DailyExactPath), the legacy
// settings, and the billing model on monthly bills. Target
// ≤ 20 ms per meter-year; eemeter 4.1.1 takes about 1 s (current), 0.2 s
// (legacy) and 0.14 s (billing). Figures in docs/performance.md.
func BenchmarkDailyModelFit(b *testing.B) {
	temp, err := ReadTemperatureCSV(bytesReader(readSharedB(b, "samples/il-tempF.csv.gz")), UnitAuto)
	if err != nil {
		b.Fatal(err)
	}
	end := time.Date(2016, 12, 26, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name, file string
		fuel       Fuel
		freq       MeterFrequency
		s          dailySettings
	}{
		{"current/electricity", "il-electricity-cdd-hdd-daily.csv.gz", Electricity, FreqDaily, currentDailySettings()},
		{"current/gas", "il-gas-hdd-only-daily.csv.gz", Gas, FreqDaily, currentDailySettings()},
		{"current-exact/electricity", "il-electricity-cdd-hdd-daily.csv.gz", Electricity, FreqDaily, exactDailySettings()},
		{"current-exact/gas", "il-gas-hdd-only-daily.csv.gz", Gas, FreqDaily, exactDailySettings()},
		{"legacy/electricity", "il-electricity-cdd-hdd-daily.csv.gz", Electricity, FreqDaily, legacyDailySettings()},
		{"billing/electricity-monthly", "il-electricity-cdd-hdd-billing_monthly.csv.gz", Electricity, FreqBilling, legacyDailySettings()},
	} {
		b.Run(c.name, func(b *testing.B) {
			u, err := ReadMeterCSV(bytesReader(readSharedB(b, "samples/"+c.file)), c.freq, DayUTC)
			if err != nil {
				b.Fatal(err)
			}
			base := u.Select(end.AddDate(0, 0, -365), end)
			if c.freq == FreqBilling {
				base = spreadBills(base)
			}
			b.ResetTimer()
			for b.Loop() {
				if _, m := fitDaily(base, temp, c.fuel, c.s); m == nil {
					b.Fatal("no model")
				}
			}
		})
	}
}

// exactDailySettings are the current settings on eemeter's exact
// optimiser path.
func exactDailySettings() dailySettings {
	s := currentDailySettings()
	s.exactPath = true
	return s
}
