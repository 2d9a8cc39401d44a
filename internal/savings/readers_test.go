package savings

import (
	"bytes"
	"compress/gzip"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
)

// TestISDLiteReadsTenthsOfCelsiusAsFahrenheit reads ISD-Lite lines (NOAA's
// fixed-width layout: year month day hour temperature in tenths of °C …,
// -9999 missing): 21.1 °C is 69.98 °F and a missing reading stays missing.
func TestISDLiteReadsTenthsOfCelsiusAsFahrenheit(t *testing.T) {
	const file = "2016 01 01 00   211   -39 10230   270    31     0     0 -9999\n" +
		"2016 01 01 01 -9999   -44 10228   280    36     0 -9999 -9999\n" +
		"2016 01 01 03  -100   -50 10226   290    41     0 -9999 -9999\n"
	temp, err := ReadISDLite(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	if !temp.Start.Equal(time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)) || len(temp.DegF) != 4 {
		t.Fatalf("grid %s × %d", temp.Start, len(temp.DegF))
	}
	if !relClose(temp.DegF[0], 69.98, 1e-12, 0) || !math.IsNaN(temp.DegF[1]) || !math.IsNaN(temp.DegF[2]) || !relClose(temp.DegF[3], 14, 1e-12, 0) {
		t.Errorf("°F %v, want [69.98 NaN NaN 14]", temp.DegF)
	}
}

// TestISDLiteBadLineNamesTheLine refuses a malformed line, naming it.
func TestISDLiteBadLineNamesTheLine(t *testing.T) {
	_, err := ReadISDLite(strings.NewReader("2016 01 01 00 211\n2016 13 01 00 211\n"))
	if !apperr.Is(err, apperr.Invalid) || !strings.Contains(apperr.FieldsOf(err)[0].Msg, "line 2") {
		t.Fatalf("err %v", err)
	}
}

// TestCelsiusColumnConvertsToFahrenheit: eemeter's UK samples are °C
// (",dt,tempC" with an index column); F = 32 + 1.8·C.
func TestCelsiusColumnConvertsToFahrenheit(t *testing.T) {
	temp, err := ReadTemperatureCSV(strings.NewReader(",dt,tempC\n0,2020-04-01 01:00:00,5\n1,2020-04-01 02:00:00,-10\n"), UnitAuto)
	if err != nil {
		t.Fatal(err)
	}
	if temp.DegF[0] != 41 || temp.DegF[1] != 14 {
		t.Errorf("°F %v, want [41 14]", temp.DegF)
	}
	// an explicit unit wins over a neutral column name
	temp, err = ReadTemperatureCSV(strings.NewReader("timestamp,temperature\n2020-04-01T01:00:00Z,100\n"), UnitCelsius)
	if err == nil || !strings.Contains(err.Error(), "212.0 °F") {
		t.Errorf("100 °C should be refused as an implausible air temperature, got %v, %v", temp, err)
	}
}

// TestGzipAndPlainMeterFilesReadAlike reads the same rows plain and gzip.
func TestGzipAndPlainMeterFilesReadAlike(t *testing.T) {
	const csv = "start,value\n2016-01-01T00:00:00-06:00,1.5\n2016-01-02T00:00:00-06:00,nan\n2016-01-03T00:00:00-06:00,2\n"
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte(csv))
	zw.Close()
	a, err := ReadMeterCSV(strings.NewReader(csv), FreqDaily, DayUTC)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadMeterCSV(&gz, FreqDaily, DayUTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 4 || len(b) != 4 || a[0].Value != 1.5 || !math.IsNaN(a[1].Value) || a[2].Value != 2 || b[2].Value != 2 {
		t.Errorf("plain %v gzip %v", a, b)
	}
}

// TestLocalDaysHaveTheirDSTLength sums hourly readings into Pacific days:
// 2026-03-08 has 23 hours and 2026-11-01 has 25, and each stays one day.
func TestLocalDaysHaveTheirDSTLength(t *testing.T) {
	var s []sample
	for at := time.Date(2026, 3, 7, 8, 0, 0, 0, time.UTC); at.Before(time.Date(2026, 3, 10, 7, 0, 0, 0, time.UTC)); at = at.Add(time.Hour) {
		s = append(s, sample{at, 1})
	}
	u, err := groupUsage(s, FreqDaily, DayLocal)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{24, 23, 24}
	for i, w := range want {
		if u[i].Value != w {
			t.Errorf("day %s: %v kWh, want %v", u[i].Start.Format("2006-01-02"), u[i].Value, w)
		}
	}
	if d := u.Days(1); d != 23.0/24 {
		t.Errorf("2026-03-08 lasts %v days of 24 hours, want 23/24", d)
	}
	s = s[:0]
	for at := time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC); at.Before(time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)); at = at.Add(time.Hour) {
		s = append(s, sample{at, 1})
	}
	if u, _ = groupUsage(s, FreqDaily, DayLocal); u[0].Value != 25 {
		t.Errorf("2026-11-01: %v kWh, want 25", u[0].Value)
	}
}

// TestDailyUsageScalesPartialDaysAndDropsHalfEmptyOnes: CalTRACK 2.2.2.1 —
// a Pacific day with more than half its intervals is scaled by the share
// present, one with half or less is missing; 2026-03-08 has 23 hours.
func TestDailyUsageScalesPartialDaysAndDropsHalfEmptyOnes(t *testing.T) {
	start := time.Date(2026, 3, 7, 8, 0, 0, 0, time.UTC) // 00:00 PST
	kwh := make([]float64, 24+23+24)
	for i := range kwh {
		kwh[i] = 1
	}
	for i := 24; i < 24+11; i++ { // 11 of 2026-03-08's 23 hours missing
		kwh[i] = math.NaN()
	}
	for i := 47; i < 47+12; i++ { // 12 of 2026-03-09's 24 hours missing
		kwh[i] = math.NaN()
	}
	u := DailyUsage(start, time.Hour, kwh)
	if len(u) != 4 || u[0].Value != 24 || u[1].Value != 23 || !math.IsNaN(u[2].Value) || !math.IsNaN(u[3].Value) {
		t.Errorf("days %v", u)
	}
	if !u[3].Start.Equal(time.Date(2026, 3, 10, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("end marker %s", u[3].Start)
	}
}

// TestHourlyUsageKeepsOnlyWholeHours: four 15-minute readings make an hour;
// an hour missing one of them is missing.
func TestHourlyUsageKeepsOnlyWholeHours(t *testing.T) {
	start := time.Date(2026, 3, 8, 9, 0, 0, 0, time.UTC)
	kwh := []float64{0.25, 0.25, 0.25, 0.25, 0.5, math.NaN(), 0.5, 0.5}
	u := HourlyUsage(start, 15*time.Minute, kwh)
	if len(u) != 3 || u[0].Value != 1 || !math.IsNaN(u[1].Value) || !u[2].Start.Equal(start.Add(2*time.Hour)) {
		t.Errorf("hours %v", u)
	}
}
