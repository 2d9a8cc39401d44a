package costeff

import (
	"bytes"
	"math"
	"os"
	"strings"
	"testing"
)

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWorkedExampleFromCEDARSFiles reads the worked example as CEDARS
// claim and program-cost files ($12,000 + $5,000 + $3,000 = $20,000 of
// program costs) and gets its numbers: TRC $98,000, ratios 0.753 and 1.476.
func TestWorkedExampleFromCEDARSFiles(t *testing.T) {
	claims, err := ReadClaims(bytes.NewReader(readFile(t, "worked_example_claims.csv")))
	if err != nil {
		t.Fatal(err)
	}
	progs, err := ReadProgramCosts(bytes.NewReader(readFile(t, "worked_example_programs.csv")))
	if err != nil {
		t.Fatal(err)
	}
	if len(claims) != 1 || claims[0].InstallationRateTherm != 1 || progs[0].Admin != 20000 {
		t.Fatalf("claims %+v programs %+v", claims, progs)
	}
	ev, err := Evaluate(claims, progs, Settings{DiscountRate: 0.075, AvoidedElec: []float64{0.25}, ACCVersion: "flat", FirstYear: 2026, QuarterlyRate: ExactQuarterly(0.075)})
	if err != nil {
		t.Fatal(err)
	}
	p := ev.Programs[0]
	if math.Round(p.TRCCost) != 98000 || math.Round(*p.TRCRatio*1000) != 753 || math.Round(*p.PACRatio*1000) != 1476 {
		t.Errorf("program %+v", p)
	}
}

// TestClaimsRoundTripThroughTheCEDARSLayout: export then import gives the
// same claims.
func TestClaimsRoundTripThroughTheCEDARSLayout(t *testing.T) {
	claims, _, _ := workedExample()
	claims[0].RULYrs, claims[0].UnitkWh2ndBaseline, claims[0].MeasDescription = 3, 250, `LED "A19", 9 W`
	var b bytes.Buffer
	if err := WriteClaims(&b, claims); err != nil {
		t.Fatal(err)
	}
	back, err := ReadClaims(&b)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != 1 || back[0] != claims[0] {
		t.Errorf("round trip\n%+v\n%+v", back, claims)
	}
}

// TestClaimsFileErrorsNameLineAndColumn.
func TestClaimsFileErrorsNameLineAndColumn(t *testing.T) {
	for _, c := range []struct{ file, want string }{
		{"PrgID,NumUnits,EUL_Yrs\nP,1,2\n", "CEInputID"},
		{"CEInputID,PrgID,NumUnits,EUL_Yrs\nC,P,many,2\n", `line 2, column NumUnits: "many"`},
	} {
		if _, err := ReadClaims(strings.NewReader(c.file)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v", c.file, err)
		}
	}
	if _, err := ReadProgramCosts(strings.NewReader("PrgID,Year\nP,twenty\n")); err == nil || !strings.Contains(err.Error(), "column Year") {
		t.Errorf("program costs: %v", err)
	}
}

// FuzzReadClaims: no input panics; what is read writes and reads back the same.
func FuzzReadClaims(f *testing.F) {
	f.Add([]byte("CEInputID,PrgID,NumUnits,EUL_Yrs,UnitkWh1stBaseline\nC1,P1,100,10,500\n"))
	f.Add([]byte("CEInputID,PrgID,NumUnits,EUL_Yrs\n\"a,b\",P,1e308,NaN\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		claims, err := ReadClaims(bytes.NewReader(b))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteClaims(&out, claims); err != nil {
			t.Fatal(err)
		}
		back, err := ReadClaims(&out)
		if err != nil || len(back) != len(claims) {
			t.Fatalf("re-read: %v (%d vs %d claims)", err, len(back), len(claims))
		}
	})
}

// FuzzReadProgramRecords: no input panics.
func FuzzReadProgramRecords(f *testing.F) {
	f.Add(pge2015)
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ReadProgramRecords(bytes.NewReader(b)) })
}

// FuzzReadProgramCosts: no input panics.
func FuzzReadProgramCosts(f *testing.F) {
	f.Add([]byte("PrgID,Year,AdminCostsOther\nP1,2026,100\n"))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = ReadProgramCosts(bytes.NewReader(b)) })
}
