package emissions

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/energy"
)

// CPA's 2025 EV SmartCharge figures (seed 000): 70,463 lb CO2 avoided,
// "equivalent to 528 tree seedlings grown for 10 years", about 37.9 lb per
// EV; research/dr-ev.md §5.2 works them at both EPA factors.
func TestCPAFiguresReproduceWithTheUnroundedEPAFactor(t *testing.T) {
	cases := []struct {
		name   string
		lbs    float64
		factor string
		tons   float64
		trees  int64
	}{
		{"EV SmartCharge at the unrounded factor", 70463, "epa-unrounded", 31.961, 528},
		{"EV SmartCharge at the published factor", 70463, "epa", 31.961, 533},
		{"Power Ready is exactly 300 t", 661387, "epa", 300.000, 5000},
		{"Power Ready at the unrounded factor", 661387, "epa-unrounded", 300.000, 4959},
	}
	for _, c := range cases {
		f, err := FactorNamed(c.factor)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Equivalents(c.lbs, f)
		if err != nil {
			t.Fatal(err)
		}
		if got.MetricTons != c.tons || got.TreeSeedlings10yr != c.trees {
			t.Errorf("%s: %v t, %d seedlings; want %v t, %d", c.name, got.MetricTons, got.TreeSeedlings10yr, c.tons, c.trees)
		}
		if got.Factor.Version == "" {
			t.Errorf("%s: the factor has no version", c.name)
		}
	}
}

// "about 37.9 lbs per EV" for "over 1,800 EVs": 70,463 / 1,860 = 37.88.
func TestPerEVFigureIsOneDecimal(t *testing.T) {
	got, err := PerUnit(70463, 1860, 1)
	if err != nil || got != 37.9 {
		t.Errorf("PerUnit = %v, %v; want 37.9", got, err)
	}
	if _, err := PerUnit(1, 0, 1); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("zero count: %v", err)
	}
}

func TestUnitConversionsAreExactDefinitions(t *testing.T) {
	// 1 lb = 0.45359237 kg, so 1,000 lb/MWh = 453.59237 g/kWh.
	if g, _ := ToGPerKWh(1000, LbsPerMWh); math.Abs(g-453.59237) > 1e-9 {
		t.Errorf("1000 lbs/MWh = %v g/kWh, want 453.59237", g)
	}
	if g, _ := ToGPerKWh(0.412, KgPerKWh); math.Abs(g-412) > 1e-9 {
		t.Errorf("0.412 kg/kWh = %v g/kWh, want 412", g)
	}
	if _, err := ToGPerKWh(1, "t/GWh"); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("unknown unit: %v", err)
	}
	// 661,387 lb is 300.000 metric tons (research/dr-ev.md §5.2).
	if tons := LbsToMetricTons(661387); math.Abs(tons-300) > 0.0005 {
		t.Errorf("661,387 lb = %v t", tons)
	}
}

func TestSGIPSignalIsKilogramsPerKWhEveryFiveMinutes(t *testing.T) {
	in := "point_time,moer,version,ba\n" +
		"2026-07-01T23:05:00Z,0.300,1.0,SGIP_CAISO_SCE\n" +
		"2026-07-01T23:00:00Z,0.250,1.0,SGIP_CAISO_SCE\n" +
		"2026-07-01T23:10:00Z,0.400,1.0,SGIP_CAISO_SCE\n"
	s, err := ParseSignalCSV(strings.NewReader(in), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Step != 5*time.Minute || len(s.Values) != 3 || s.Region != "SGIP_CAISO_SCE" {
		t.Fatalf("signal = %+v", s)
	}
	want := []float64{250, 300, 400}
	for i, w := range want {
		if math.Abs(s.Values[i]-w) > 1e-9 {
			t.Errorf("value %d = %v g/kWh, want %v", i, s.Values[i], w)
		}
	}
	// 2 kWh in the first 5 minutes and 1 kWh in the third: 500 + 400 g.
	g, err := Emitted(Load{Start: s.Start, Step: 5 * time.Minute, Wh: []energy.Wh{2000, 0, 1000}}, s)
	if err != nil || math.Abs(g-900) > 1e-9 {
		t.Errorf("Emitted = %v, %v; want 900 g", g, err)
	}
	// A 15-minute interval of 3 kWh takes the mean of the three points:
	// 3 × (250+300+400)/3 = 950 g.
	g, err = Emitted(Load{Start: s.Start, Step: 15 * time.Minute, Wh: []energy.Wh{3000}}, s)
	if err != nil || math.Abs(g-950) > 1e-9 {
		t.Errorf("Emitted over 15 minutes = %v, %v; want 950 g", g, err)
	}
}

func TestWattTimeValueIsPoundsPerMWh(t *testing.T) {
	in := "point_time,value\n2026-07-01T00:00:00Z,1000\n2026-07-01T01:00:00Z,800\n"
	s, err := ParseSignalCSV(strings.NewReader(in), CSVOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Step != time.Hour || math.Abs(s.Values[0]-453.59237) > 1e-9 {
		t.Errorf("signal = %+v", s)
	}
	// Moving 10 kWh from the 1,000 lb/MWh hour to the 800 lb/MWh hour
	// avoids 10 × 200 × 0.45359237 = 907.18474 g.
	ref := Load{Start: s.Start, Step: time.Hour, Wh: []energy.Wh{10000, 0}}
	act := Load{Start: s.Start, Step: time.Hour, Wh: []energy.Wh{0, 10000}}
	g, err := Avoided(ref, act, s)
	if err != nil || math.Abs(g-907.18474) > 1e-6 {
		t.Errorf("Avoided = %v, %v; want 907.18474 g", g, err)
	}
}

func TestSignalWithAGapIsRefusedNamingTheGap(t *testing.T) {
	in := "point_time,moer\n2026-07-01T00:00:00Z,0.3\n2026-07-01T00:05:00Z,0.3\n2026-07-01T00:20:00Z,0.3\n"
	_, err := ParseSignalCSV(strings.NewReader(in), CSVOptions{})
	if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "2 missing") || !strings.Contains(err.Error(), "2026-07-01T00:10:00Z") {
		t.Errorf("gap: %v", err)
	}
	s, err := ParseSignalCSV(strings.NewReader(in), CSVOptions{AllowGaps: true})
	if err != nil {
		t.Fatal(err)
	}
	if gaps := s.Gaps(); len(gaps) != 1 || gaps[0].To.Sub(gaps[0].From) != 10*time.Minute {
		t.Errorf("gaps = %+v", gaps)
	}
	if _, err := Emitted(Load{Start: s.Start, Step: 5 * time.Minute, Wh: []energy.Wh{1, 1, 1}}, s); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("emitted over a gap: %v", err)
	}
}

func TestBadSignalFilesNameTheLine(t *testing.T) {
	cases := map[string]string{
		"":                                 "empty",
		"a,b\n1,2\n":                       "lacks",
		"point_time,moer\nyesterday,0.3\n": "line 2",
		"point_time,moer\n2026-07-01T00:00:00Z,x":                                                   "line 2",
		"point_time,moer\n2026-07-01T00:00:00Z,-1\n":                                                "negative",
		"point_time,moer\n2026-07-01T00:00:00Z,1\n2026-07-01T00:00:00Z,2\n":                         "second value",
		"point_time,moer\n2026-07-01T00:00:00Z,1\n2026-07-01T00:05:00Z,1\n2026-07-01T00:07:00Z,1\n": "line 4",
	}
	for in, want := range cases {
		_, err := ParseSignalCSV(strings.NewReader(in), CSVOptions{Step: 5 * time.Minute})
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want Invalid mentioning %q", in, err, want)
		}
	}
}

func FuzzParseSignalCSV(f *testing.F) {
	f.Add("point_time,moer\n2026-07-01T00:00:00Z,0.3\n2026-07-01T00:05:00Z,0.2\n")
	f.Add("point_time,value\n2026-07-01T00:00:00Z,900\n")
	f.Add("point_time,moer\n2026-07-01T00:00:00Z,0.3\n2026-07-01T00:20:00Z,0.2\n")
	f.Fuzz(func(t *testing.T, in string) {
		s, err := ParseSignalCSV(strings.NewReader(in), CSVOptions{AllowGaps: true})
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("error of kind %v: %v", apperr.KindOf(err), err)
			}
			return
		}
		if s.Step <= 0 || len(s.Values) == 0 {
			t.Fatalf("accepted an empty or stepless signal: %+v", s)
		}
		for _, v := range s.Values {
			if v < 0 {
				t.Fatalf("negative rate %v", v)
			}
		}
	})
}
