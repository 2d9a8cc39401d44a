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
// relative) with eemeter's outputs, and for 4.1.1 its BaselineMetrics and
// ReportingMetrics over the model's hours as the research runner computed
// them (1e-6 relative).
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
				Metrics *struct {
					Baseline  map[string]float64 `json:"baseline_metrics"`
					Reporting map[string]float64 `json:"reporting_metrics"`
				} `json:"uncertainty_eemeter_4_1_metrics"`
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
			if full.Metrics != nil {
				checkMetrics4(t, res.Eemeter4, full.Metrics.Baseline, full.Metrics.Reporting)
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

// checkMetrics4 compares eemeter 4.1.1 metrics with a case's, 1e-6
// relative (1e-9 absolute).
func checkMetrics4(t *testing.T, m *Eemeter4Metrics, base, rep map[string]float64) {
	t.Helper()
	if m == nil {
		t.Fatal("no eemeter 4.1.1 metrics")
	}
	b, r := m.Baseline, m.Reporting
	val := func(p *float64) float64 {
		if p == nil {
			return math.NaN()
		}
		return *p
	}
	got := map[string]float64{"n": float64(b.N), "n_prime": b.NPrime, "ddof": b.DDoF, "ddof_autocorr": b.DDoFAutocorr,
		"mae": b.MAE, "nmae": val(b.NMAE), "mbe": b.MBE, "nmbe": val(b.NMBE), "rmse": b.RMSE, "rmse_adj": b.RMSEAdj,
		"rmse_autocorr_adj": b.RMSEAutocorrAdj, "cvrmse": val(b.CVRMSE), "cvrmse_adj": val(b.CVRMSEAdj),
		"cvrmse_autocorr_adj": val(b.CVRMSEAutocorrAdj), "pnrmse": val(b.PNRMSE), "r_squared": b.RSquared,
		"r_squared_adj": val(b.RSquaredAdj), "mape": val(b.MAPE)}
	for k, want := range base {
		if g, ok := got[k]; !ok || !relClose(g, want, 1e-6, 1e-9) {
			t.Errorf("baseline %s = %.12g, eemeter %.12g", k, g, want)
		}
	}
	gotR := map[string]float64{"n": float64(r.N), "observed_sum": r.ObservedSum, "predicted_sum": r.PredictedSum,
		"t_stat": r.TStat, "savings": r.Savings, "total_savings_uncertainty": r.TotalSavingsUncertainty,
		"fsu": val(r.FSU), "predicted_data_point_unc": r.PredictedDataPointUnc}
	for k, want := range rep {
		if g, ok := gotR[k]; !ok || !relClose(g, want, 1e-6, 1e-9) {
			t.Errorf("reporting %s = %.12g, eemeter %.12g", k, g, want)
		}
	}
}
