package savings

import (
	"bytes"
	"compress/gzip"
	"io"
	"slices"
	"strings"
	"testing"
)

// sampleLines returns the lines of a gzip sample.
func sampleLines(t *testing.T, name string) []string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(readShared(t, "samples/"+name)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func calcLines(t *testing.T, lines []string, o CalcOptions) *CalcResult {
	t.Helper()
	o.BlackoutStart, o.BlackoutEnd, o.Days = mustDate(t, "2016-12-26"), mustDate(t, "2017-01-04"), DayUTC
	if o.Method == "" {
		o.Method = MethodCalTRACKDaily
	}
	res, err := Calc(CalcFiles{Meter: []byte(strings.Join(lines, "\n")), Temperature: readShared(t, "samples/il-tempF.csv.gz")}, o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestGapOverTenPercentDisqualifiesTheBaseline: CalTRACK 2.2.1.2 needs 90%
// of the 365 baseline days with meter and temperature data; blanking 40
// days (2016-03-01 … 2016-04-09) leaves 325 and fails, naming the reason,
// while the model is still reported.
func TestGapOverTenPercentDisqualifiesTheBaseline(t *testing.T) {
	lines := sampleLines(t, "il-electricity-cdd-hdd-daily.csv.gz")
	blanked := 0
	for i, l := range lines {
		if l >= "2016-03-01" && l < "2016-04-10" {
			lines[i] = strings.Split(l, ",")[0] + ","
			blanked++
		}
	}
	if blanked != 40 {
		t.Fatalf("blanked %d days", blanked)
	}
	res := calcLines(t, lines, CalcOptions{})
	if res.Sufficiency.Status != "FAIL" || res.Sufficiency.ValidMeterDays != 325 {
		t.Fatalf("sufficiency %+v", res.Sufficiency)
	}
	for _, want := range []string{"too_many_days_with_missing_data", "too_many_days_with_missing_meter_data"} {
		if !slices.Contains(res.Disqualifications, want) {
			t.Errorf("disqualifications %v lack %s", res.Disqualifications, want)
		}
	}
	// 36 days blanked leaves 329 ≥ 0.9 × 365 = 328.5: sufficient.
	lines = sampleLines(t, "il-electricity-cdd-hdd-daily.csv.gz")
	for i, l := range lines {
		if l >= "2016-03-01" && l < "2016-04-06" {
			lines[i] = strings.Split(l, ",")[0] + ","
		}
	}
	if res := calcLines(t, lines, CalcOptions{}); res.Sufficiency.Status != "PASS" {
		t.Errorf("329 of 365 days: %+v", res.Sufficiency)
	}
}

// TestNegativeElectricityNeedsDeclaredSolar: CalTRACK 2.3.5 treats negative
// values as a sign of net metering; they disqualify unless the premise
// declares solar (eemeter 4.x allows negative electricity).
func TestNegativeElectricityNeedsDeclaredSolar(t *testing.T) {
	lines := sampleLines(t, "il-electricity-cdd-hdd-daily.csv.gz")
	for i, l := range lines {
		if strings.HasPrefix(l, "2016-06-15") {
			lines[i] = strings.Split(l, ",")[0] + ",-3.5"
		}
	}
	if res := calcLines(t, lines, CalcOptions{Fuel: Electricity}); !slices.Contains(res.Disqualifications, "negative_meter_values") {
		t.Errorf("without solar: %v", res.Disqualifications)
	}
	if res := calcLines(t, lines, CalcOptions{Fuel: Electricity, Solar: true}); slices.Contains(res.Disqualifications, "negative_meter_values") {
		t.Errorf("with solar: %v", res.Disqualifications)
	}
	if res := calcLines(t, lines, CalcOptions{Fuel: Gas, Solar: true}); !slices.Contains(res.Disqualifications, "negative_meter_values") {
		t.Errorf("gas: %v", res.Disqualifications)
	}
}

// TestBimonthlyQuirkIsOffByDefault: without bug compatibility a bimonthly
// period's degree days come from all its days, so the model differs from
// eemeter 3.2.0's cdd_hdd 44/75 on il-electricity-cdd-hdd.
func TestBimonthlyQuirkIsOffByDefault(t *testing.T) {
	lines := sampleLines(t, "il-electricity-cdd-hdd-billing_bimonthly.csv.gz")
	quirk := calcLines(t, lines, CalcOptions{Method: MethodCalTRACKBilling, BimonthlyQuirk: true})
	plain := calcLines(t, lines, CalcOptions{Method: MethodCalTRACKBilling})
	if quirk.Coefficients["heating_balance_point"] != 44 || quirk.Coefficients["cooling_balance_point"] != 75 {
		t.Fatalf("with the quirk: %v", quirk.Coefficients)
	}
	if plain.Coefficients["heating_balance_point"] == 44 && plain.Coefficients["cooling_balance_point"] == 75 {
		t.Errorf("without the quirk the balance points should move: %v", plain.Coefficients)
	}
}
