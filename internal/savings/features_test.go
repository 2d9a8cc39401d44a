package savings

import (
	"bytes"
	"math"
	"testing"
	"time"
)

func readSampleUsage(t *testing.T, name string, freq MeterFrequency) Usage {
	t.Helper()
	u, err := ReadMeterCSV(bytesReader(readShared(t, "samples/"+name)), freq, DayUTC)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func readSampleTemp(t *testing.T) Temperature {
	t.Helper()
	tt, err := ReadTemperatureCSV(bytesReader(readShared(t, "samples/il-tempF.csv.gz")), UnitAuto)
	if err != nil {
		t.Fatal(err)
	}
	return tt
}

// TestDegreeDaysMatchEemeterSnapshots reproduces the snapshots of eemeter's
// tests/test_features.py (snapshots/snap_test_features.py, identical at
// 3.2.0 and 4.1.1): compute_temperature_features with daily degree days on
// the IL samples, balance points HDD 60/61 and CDD 65/66, the means of
// [hdd_60, hdd_61, cdd_65, cdd_66, n_days_kept, n_days_dropped] rounded to
// two places.
func TestDegreeDaysMatchEemeterSnapshots(t *testing.T) {
	temp := readSampleTemp(t)
	for _, c := range []struct {
		name      string
		file      string
		freq      MeterFrequency
		tolerance time.Duration
		totals    bool
		want      [6]float64
	}{
		{"daily meter, daily degree days", "il-electricity-cdd-hdd-daily.csv.gz", FreqDaily, 24 * time.Hour, false, [6]float64{11.05, 11.61, 3.61, 3.25, 1.0, 0.0}},
		{"monthly billing, mean daily values", "il-electricity-cdd-hdd-billing_monthly.csv.gz", FreqBilling, 0, false, [6]float64{10.83, 11.39, 3.68, 3.31, 30.38, 0.0}},
		{"monthly billing, period totals", "il-electricity-cdd-hdd-billing_monthly.csv.gz", FreqBilling, 0, true, [6]float64{324.38, 341.38, 112.59, 101.33, 30.38, 0.0}},
		{"bimonthly billing, mean daily values", "il-electricity-cdd-hdd-billing_bimonthly.csv.gz", FreqBilling, 0, false, [6]float64{10.94, 11.51, 3.65, 3.28, 61.62, 0.0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := readSampleUsage(t, c.file, c.freq)
			var sum [6]float64
			n := 0
			for _, p := range temperatureFeatures(u, temp, c.tolerance, false) {
				if !p.ok {
					continue
				}
				n++
				for k, v := range []float64{p.dd(60, true, c.totals), p.dd(61, true, c.totals), p.dd(65, false, c.totals),
					p.dd(66, false, c.totals), float64(p.nDaysKept), float64(p.nDaysDropped)} {
					sum[k] += v
				}
			}
			for k := range sum {
				if got := math.Round(sum[k]/float64(n)*100) / 100; got != c.want[k] {
					t.Errorf("column %d: mean %.4f rounds to %.2f, eemeter snapshot %.2f", k, sum[k]/float64(n), got, c.want[k])
				}
			}
		})
	}
}

// TestTQuantileIsExact checks Student's t 95% quantile at 4 degrees of
// freedom against the closed form of that distribution's CDF,
// F(t) = ½ + ¾(u − u³/3) with u = t/√(t²+4), solved to 30 digits:
// 2.131846786326650318….
func TestTQuantileIsExact(t *testing.T) {
	if got := tQuantile(0.95, 4); !relClose(got, 2.13184678632665031834686666672, 1e-15, 0) {
		t.Errorf("t(0.95, 4) = %.17g", got)
	}
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
