package savings

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// TestTOWTMatchesEemeter runs every CalTRACK hourly case — eemeter 3.2.0's
// caltrack_hourly and 4.1.1's hourly_caltrack (with its data preparation,
// Eemeter4Hourly) — and compares each segment's formula terms and coefficients (1e-6
// absolute, the case's tolerance) and the reporting year's sums (1e-6
// relative) with eemeter's outputs.
func TestTOWTMatchesEemeter(t *testing.T) {
	n := 0
	for _, c := range loadParityCases(t) {
		if c.Method != "caltrack_hourly" && c.Method != "hourly_caltrack" {
			continue
		}
		n++
		t.Run(c.CaseID, func(t *testing.T) {
			var full struct {
				Model struct {
					Segments map[string]struct {
						Params map[string]float64 `json:"model_params"`
					} `json:"segments"`
				} `json:"model"`
			}
			b, err := os.ReadFile(filepath.Join(eemeterDir, "cases", c.CaseID+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &full); err != nil {
				t.Fatal(err)
			}
			o := CalcOptions{Method: MethodCalTRACKHourly, Fuel: Fuel(c.Inputs.Fuel), Days: DayUTC, Eemeter4Hourly: c.Version == "4.1.1",
				BlackoutStart: mustDate(t, c.Inputs.BlackoutStart), BlackoutEnd: mustDate(t, c.Inputs.BlackoutEnd)}
			res, err := Calc(CalcFiles{Meter: readShared(t, c.InputFiles.Meter), Temperature: readShared(t, c.InputFiles.Temperature)}, o)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Segments) != 12 {
				t.Fatalf("%d segments", len(res.Segments))
			}
			for _, seg := range res.Segments {
				want := full.Model.Segments[seg.Name].Params
				if len(want) != len(seg.Params) {
					t.Errorf("%s: %d parameters, eemeter %d (%v)", seg.Name, len(seg.Params), len(want), keysMissing(want, seg.Params))
					continue
				}
				worst, at := 0.0, ""
				for k, w := range want {
					if d := math.Abs(seg.Params[k] - w); d > worst {
						worst, at = d, k
					}
				}
				t.Logf("%s: %d params, worst |Δ| %.2g", seg.Name, len(want), worst)
				if worst > 1e-6 {
					t.Errorf("%s: %s = %.10g, eemeter %.10g", seg.Name, at, seg.Params[at], want[at])
				}
			}
			sv := res.Savings
			if sv.Periods != c.Savings.Rows || !relClose(sv.PredictedSum, c.Savings.Predicted, 1e-6, 1e-9) ||
				!relClose(sv.ObservedSum, c.Savings.Observed, 1e-6, 1e-9) || !relClose(sv.Savings, c.Savings.Savings, 1e-6, 1e-9) {
				t.Errorf("savings %+v, eemeter %+v", sv, c.Savings)
			}
		})
	}
	if n == 0 {
		t.Fatal("no CalTRACK hourly parity cases")
	}
}

func keysMissing(a, b map[string]float64) []string {
	var out []string
	for k := range a {
		if _, ok := b[k]; !ok {
			out = append(out, "-"+k)
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, "+"+k)
		}
	}
	sort.Strings(out)
	return out
}
