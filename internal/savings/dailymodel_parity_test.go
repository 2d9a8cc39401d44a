package savings

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// daily4Case is one eemeter 4.1.1 daily- or billing-model case file
// (../shared/data/eemeter/cases/4.1.1/<method>/<sample>.json).
type daily4Case struct {
	Method string `json:"method"`
	Inputs struct {
		Sample        string `json:"sample"`
		Meter         string `json:"meter"`
		Temperature   string `json:"temperature"`
		Fuel          string `json:"fuel"`
		BlackoutStart string `json:"blackout_start"`
		BlackoutEnd   string `json:"blackout_end"`
	} `json:"inputs"`
	Baseline struct {
		Rows             int      `json:"rows"`
		Disqualification []string `json:"disqualification"`
		Warnings         []string `json:"warnings"`
	} `json:"baseline"`
	Model struct {
		Combinations    []string `json:"combinations"`
		BestCombination string   `json:"best_combination"`
		Submodels       map[string]struct {
			Coefficients map[string]any     `json:"coefficients"`
			FUnc         float64            `json:"f_unc"`
			Constraints  map[string]float64 `json:"temperature_constraints"`
		} `json:"submodels"`
		Error     map[string]float64 `json:"error"`
		WRMSEBase float64            `json:"baseline_wRMSE_no_split"`
	} `json:"model"`
	Savings struct {
		Rows      int     `json:"reporting_rows_with_obs_and_pred"`
		Predicted float64 `json:"predicted_sum"`
		Observed  float64 `json:"observed_sum"`
		Savings   float64 `json:"savings_predicted_minus_observed"`
		Baseline  float64 `json:"baseline_predicted_sum"`
	} `json:"savings"`
	BaselineFit *struct {
		Predicted float64 `json:"predicted_sum"`
		Observed  float64 `json:"observed_sum"`
	} `json:"baseline_fit"`
	Metrics *struct {
		Baseline  map[string]float64 `json:"baseline_metrics"`
		Reporting map[string]float64 `json:"reporting_metrics"`
	} `json:"uncertainty_eemeter_4_1_metrics"`
	Ashrae14 map[string]float64 `json:"uncertainty_legacy_ashrae14"`
}

// daily4Cases lists every eemeter 4.1.1 case of the daily model family in
// the parity folder: DailyModel() and DailyModel("legacy") on the IL daily
// samples, BillingModel() on the IL bills, and DailyModel() on eemeter's
// own test data (daily_df).
func daily4Cases(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, m := range []string{"daily", "daily_legacy", "billing", "daily_df"} {
		files, _ := filepath.Glob(filepath.Join(eemeterDir, "cases/4.1.1", m, "*.json"))
		for _, f := range files {
			rel, _ := filepath.Rel(eemeterDir, f)
			out = append(out, rel)
		}
	}
	if len(out) == 0 {
		t.Skip("eemeter parity data not available")
	}
	sort.Strings(out)
	return out
}

func loadDaily4Case(t *testing.T, rel string) daily4Case {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(eemeterDir, rel))
	if err != nil {
		t.Skipf("eemeter parity data not available: %v", err)
	}
	var c daily4Case
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// wantCoefficients returns eemeter's coefficients of a submodel, nulls
// dropped, and its model type.
func wantCoefficients(raw map[string]any) (map[string]float64, string) {
	out := map[string]float64{}
	mt := ""
	for k, v := range raw {
		switch x := v.(type) {
		case float64:
			out[k] = x
		case string:
			mt = x
		}
	}
	return out, mt
}

// runDaily4Case fits the case's model as eemeter's runner did.
func runDaily4Case(t *testing.T, c daily4Case) *CalcResult { return runDaily4CaseP(t, c, false, false) }

// runDaily4CaseP is runDaily4Case, with every day's prediction when
// predictions is set, on eemeter's exact optimiser path when exact is.
func runDaily4CaseP(t *testing.T, c daily4Case, predictions, exact bool) *CalcResult {
	t.Helper()
	if c.Method == "daily_df" {
		rows := loadTestDataRows(t)
		s := currentDailySettings()
		s.exactPath = exact
		m := fitDailyModel(rows, s)
		if m == nil {
			t.Fatal("no model")
		}
		return &CalcResult{Status: "SUCCESS", Daily: m}
	}
	o := CalcOptions{Method: MethodDaily, Fuel: Fuel(c.Inputs.Fuel), Days: DayUTC, DailyLegacy: c.Method == "daily_legacy", DailyExactPath: exact,
		Predictions: predictions, BlackoutStart: mustDate(t, c.Inputs.BlackoutStart), BlackoutEnd: mustDate(t, c.Inputs.BlackoutEnd)}
	if c.Method == "billing" {
		o.Method = MethodBilling
	}
	res, err := Calc(CalcFiles{Meter: readShared(t, "samples/"+c.Inputs.Meter), Temperature: readShared(t, "samples/"+c.Inputs.Temperature)}, o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestDailyModelMatchesEemeter411 fits every eemeter 4.1.1 daily-model
// case (current and legacy settings, the billing model, eemeter's own test
// data) and holds the result to the tolerances: split and model
// types exact, savings and predicted sums within 1e-3 relative,
// breakpoints and slopes within 1e-2 relative. The port follows eemeter's
// optimisers step for step except where the fast path (exactPath off)
// rounds differently or settles the robust loss's shape early, and the
// cases in fact agree to ~1e-13 (1.8e-9 for the billing cases); the test
// also reports the largest relative difference it saw.
// TestDailyModelExactPathMatchesEemeter411 holds the exact path to 1e-9.
func TestDailyModelMatchesEemeter411(t *testing.T) {
	for _, rel := range daily4Cases(t) {
		t.Run(strings.TrimSuffix(rel, ".json"), func(t *testing.T) {
			c := loadDaily4Case(t, rel)
			res := runDaily4Case(t, c)
			if res.Daily == nil {
				t.Fatalf("no model: %v", res.Disqualifications)
			}
			m := res.Daily
			if m.Combination != c.Model.BestCombination {
				t.Fatalf("split %s, eemeter %s", m.Combination, c.Model.BestCombination)
			}
			if c.Model.Combinations != nil && strings.Join(m.Combinations, " ") != strings.Join(c.Model.Combinations, " ") {
				t.Errorf("combinations %v, eemeter %v", m.Combinations, c.Model.Combinations)
			}
			worst := 0.0
			check := func(name string, got, want, tol float64) {
				d := math.Abs(got-want) / math.Max(math.Abs(want), 1e-12)
				worst = math.Max(worst, d)
				if d > tol {
					t.Errorf("%s = %.12g, eemeter %.12g (relative difference %.2g > %g)", name, got, want, d, tol)
				}
			}
			for _, sm := range m.Submodels {
				w, ok := c.Model.Submodels[sm.Component]
				if !ok {
					t.Fatalf("component %s not in eemeter's model", sm.Component)
				}
				want, mt := wantCoefficients(w.Coefficients)
				if sm.ModelType != mt {
					t.Fatalf("%s: model %s %v, eemeter %s %v", sm.Component, sm.ModelType, sm.Coefficients, mt, want)
				}
				if len(want) != len(sm.Coefficients) {
					t.Errorf("%s: coefficients %v, eemeter %v", sm.Component, sm.Coefficients, want)
				}
				for k, v := range want {
					tol := 1e-2 // breakpoints and slopes (and intercept, smoothing)
					check(sm.Component+"."+k, sm.Coefficients[k], v, tol)
				}
				check(sm.Component+".f_unc", sm.FUnc, w.FUnc, 1e-3)
			}
			for k, v := range c.Model.Error {
				got := map[string]float64{"wRMSE": m.Error.WRMSE, "RMSE": m.Error.RMSE, "MAE": m.Error.MAE, "CVRMSE": m.Error.CVRMSE, "PNRMSE": m.Error.PNRMSE}[k]
				check("error."+k, got, v, 1e-3)
			}
			if c.Method == "daily_df" {
				return
			}
			if _, err := json.Marshal(res); err != nil {
				t.Errorf("the result does not marshal: %v", err)
			}
			sv := res.Savings
			if sv.Periods != c.Savings.Rows {
				t.Errorf("%d reporting days with both values, eemeter %d", sv.Periods, c.Savings.Rows)
			}
			check("predicted_sum", sv.PredictedSum, c.Savings.Predicted, 1e-3)
			check("observed_sum", sv.ObservedSum, c.Savings.Observed, 1e-9)
			check("savings", sv.Savings, c.Savings.Savings, 1e-3)
			if got, want := strings.Join(res.Disqualifications, ","), strings.Join(stripPrefix(c.Baseline.Disqualification), ","); got != want {
				t.Errorf("disqualifications %q, eemeter %q", got, want)
			}
			t.Logf("largest relative difference from eemeter: %.2g", worst)
		})
	}
}

func stripPrefix(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = strings.TrimPrefix(n, "eemeter.sufficiency_criteria.")
	}
	return out
}

// loadTestDataRows reads eemeter's tests/daily_model/test_data.csv
// (datetime, temperature, observed; the season and day of week are
// recomputed as eemeter's DailyModel does).
func loadTestDataRows(t *testing.T) []dailyRow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(eemeterDir, "tests/daily_model_test_data.csv"))
	if err != nil {
		t.Skipf("eemeter test data not available: %v", err)
	}
	recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []dailyRow
	for _, r := range recs[1:] {
		at, err := time.Parse("2006-01-02 15:04:05-07", r[0])
		if err != nil {
			t.Fatal(err)
		}
		tv, err1 := strconv.ParseFloat(r[1], 64)
		ov, err2 := strconv.ParseFloat(r[2], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("row %v: %v %v", r, err1, err2)
		}
		rows = append(rows, dailyRow{t: tv, obs: ov, season: seasonOf(int(at.Month())), dow: isoWeekday(at)})
	}
	return rows
}

// TestDailyModelPredictionsMatchEemeterRowByRow compares every baseline
// and reporting day's prediction, heating and cooling load with the
// per-day predictions eemeter 4.1.1 wrote for the daily, legacy and
// billing cases.
func TestDailyModelPredictionsMatchEemeterRowByRow(t *testing.T) {
	n := 0
	for _, rel := range daily4Cases(t) {
		c := loadDaily4Case(t, rel)
		file := filepath.Join(eemeterDir, "predictions", "4.1.1__"+c.Method+"__"+c.Inputs.Sample+".csv.gz")
		want := readDaily4Predictions(t, file)
		if want == nil {
			continue
		}
		n++
		t.Run(strings.TrimSuffix(rel, ".json"), func(t *testing.T) {
			res := runDaily4CaseP(t, c, true, false)
			if len(res.Predictions) != len(want) {
				t.Fatalf("%d prediction rows, eemeter %d", len(res.Predictions), len(want))
			}
			same := func(got, want, rel float64) bool {
				if math.IsNaN(want) || math.IsNaN(got) {
					return math.IsNaN(want) == math.IsNaN(got)
				}
				// eemeter's file holds 10 significant digits
				return math.Abs(got-want) <= rel*math.Max(math.Abs(want), 1)
			}
			for i, p := range res.Predictions {
				w := want[i]
				if p.Period != w.period || !p.Start.Equal(w.start) {
					t.Fatalf("row %d: %s %s, eemeter %s %s", i, p.Period, p.Start, w.period, w.start)
				}
				if !same(p.Observed, w.observed, 1e-9) || !same(p.Predicted, w.predicted, 1e-8) ||
					!same(p.Heating, w.heating, 1e-8) || !same(p.Cooling, w.cooling, 1e-8) {
					t.Errorf("row %d (%s): observed %.10g predicted %.10g heating %.10g cooling %.10g; eemeter %.10g %.10g %.10g %.10g",
						i, p.Start.Format("2006-01-02"), p.Observed, p.Predicted, p.Heating, p.Cooling, w.observed, w.predicted, w.heating, w.cooling)
				}
			}
		})
	}
	if n == 0 {
		t.Skip("no 4.1.1 per-day predictions")
	}
}

type daily4Prediction struct {
	start                                 time.Time
	observed, predicted, heating, cooling float64
	period                                string
}

func readDaily4Predictions(t *testing.T, file string) []daily4Prediction {
	t.Helper()
	recs := readGzipCSV(t, file)
	if recs == nil {
		return nil
	}
	num := func(s string) float64 {
		if s == "" {
			return math.NaN()
		}
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	var out []daily4Prediction
	for _, r := range recs[1:] {
		at, err := ParseTime(r[0])
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, daily4Prediction{at, num(r[2]), num(r[3]), num(r[5]), num(r[6]), r[len(r)-1]})
	}
	return out
}

// TestDailyModelMetricsMatchEemeter411 compares eemeter 4.1.1's
// BaselineMetrics and ReportingMetrics of each case (as the research
// runner computed them: daily rows, or calendar-month totals for billing;
// every coefficient counted as a parameter) with ours.
func TestDailyModelMetricsMatchEemeter411(t *testing.T) {
	for _, rel := range daily4Cases(t) {
		c := loadDaily4Case(t, rel)
		if c.Metrics == nil {
			continue
		}
		t.Run(strings.TrimSuffix(rel, ".json"), func(t *testing.T) {
			res := runDaily4Case(t, c)
			if res.Eemeter4 == nil {
				t.Fatal("no eemeter 4.1.1 metrics")
			}
			b, r := res.Eemeter4.Baseline, res.Eemeter4.Reporting
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
			for k, want := range c.Metrics.Baseline {
				g, ok := got[k]
				if !ok {
					t.Errorf("no baseline metric %s", k)
					continue
				}
				if !relClose(g, want, 1e-6, 1e-9) {
					t.Errorf("baseline %s = %.12g, eemeter %.12g", k, g, want)
				}
			}
			gotR := map[string]float64{"n": float64(r.N), "observed_sum": r.ObservedSum, "predicted_sum": r.PredictedSum,
				"t_stat": r.TStat, "savings": r.Savings, "total_savings_uncertainty": r.TotalSavingsUncertainty,
				"fsu": val(r.FSU), "predicted_data_point_unc": r.PredictedDataPointUnc}
			for k, want := range c.Metrics.Reporting {
				if !relClose(gotR[k], want, 1e-6, 1e-9) {
					t.Errorf("reporting %s = %.12g, eemeter %.12g", k, gotR[k], want)
				}
			}
			// eemeter 3's metered-savings bands applied to the same rows
			if c.Ashrae14 != nil {
				if res.Uncertainty == nil || res.Uncertainty.Bands == nil {
					t.Fatal("no eemeter 3 error bands")
				}
				bd := res.Uncertainty.Bands
				for name, g := range map[string]float64{"fsu_error_band": bd.FSUErrorBand, "ols_error_band": bd.OLSErrorBand,
					"fsu_fraction": *res.Uncertainty.FSU, "rmse_adj": res.Metrics.RMSEAdj, "n_prime": res.Metrics.NPrime} {
					if want := c.Ashrae14[name]; !relClose(g, want, 1e-6, 1e-9) {
						t.Errorf("eemeter 3 %s = %.12g, eemeter %.12g", name, g, want)
					}
				}
			}
		})
	}
}

// TestDailyModelExactPathMatchesEemeter411: on the exact path
// (CalcOptions.DailyExactPath: eemeter's search over the robust loss's
// shape with correctly rounded powers at every evaluation) the current
// settings' cases reproduce eemeter 4.1.1's split, model types and every
// coefficient to 1e-9 relative — the optimiser visits the points
// eemeter's does.
func TestDailyModelExactPathMatchesEemeter411(t *testing.T) {
	for _, rel := range daily4Cases(t) {
		c := loadDaily4Case(t, rel)
		if c.Method != "daily" && c.Method != "daily_df" {
			continue
		}
		t.Run(strings.TrimSuffix(rel, ".json"), func(t *testing.T) {
			res := runDaily4CaseP(t, c, false, true)
			m := res.Daily
			if m == nil || m.Combination != c.Model.BestCombination {
				t.Fatalf("model %v, eemeter's split %s", m, c.Model.BestCombination)
			}
			for _, sm := range m.Submodels {
				want, mt := wantCoefficients(c.Model.Submodels[sm.Component].Coefficients)
				if sm.ModelType != mt || len(want) != len(sm.Coefficients) {
					t.Fatalf("%s: model %s %v, eemeter %s %v", sm.Component, sm.ModelType, sm.Coefficients, mt, want)
				}
				for k, v := range want {
					if !relClose(sm.Coefficients[k], v, 1e-9, 1e-12) {
						t.Errorf("%s.%s = %.15g, eemeter %.15g", sm.Component, k, sm.Coefficients[k], v)
					}
				}
			}
			if c.Method == "daily" && !relClose(res.Savings.Savings, c.Savings.Savings, 1e-9, 1e-9) {
				t.Errorf("savings %.15g, eemeter %.15g", res.Savings.Savings, c.Savings.Savings)
			}
		})
	}
}
