package savings

import (
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
)

// eemeterDir holds eemeter's samples and the outputs eemeter computed on
// them (../shared/data/eemeter, README there). Tests skip when absent.
const eemeterDir = "../../../shared/data/eemeter"

// parityCase is one entry of eemeter_outputs.json.
type parityCase struct {
	CaseID  string `json:"case_id"`
	Method  string `json:"method"`
	Version string `json:"eemeter_version"`
	Inputs  struct {
		Sample        string   `json:"sample"`
		Freq          string   `json:"freq"`
		Fuel          string   `json:"fuel"`
		BlackoutStart string   `json:"blackout_start"`
		BlackoutEnd   string   `json:"blackout_end"`
		PValueMax     *float64 `json:"p_value_max"`
	} `json:"inputs"`
	InputFiles struct {
		Meter       string `json:"meter"`
		Temperature string `json:"temperature"`
	} `json:"input_files"`
	Model struct {
		Status      string             `json:"status"`
		ModelType   string             `json:"model_type"`
		Params      map[string]float64 `json:"model_params"`
		RSquaredAdj float64            `json:"r_squared_adj"`
		NCandidates int                `json:"n_candidates"`
		NQualified  int                `json:"n_qualified_candidates"`
	} `json:"model"`
	Savings struct {
		Rows      int     `json:"reporting_rows_with_obs_and_pred"`
		Predicted float64 `json:"predicted_sum"`
		Observed  float64 `json:"observed_sum"`
		Savings   float64 `json:"savings_predicted_minus_observed"`
		Base      float64 `json:"counterfactual_base_load_sum"`
		Heating   float64 `json:"counterfactual_heating_load_sum"`
		Cooling   float64 `json:"counterfactual_cooling_load_sum"`
	} `json:"savings"`
	FSU struct {
		Bands    map[string]float64 `json:"eemeter3_error_bands"`
		Fraction *float64           `json:"eemeter3_fsu_fraction"`
	} `json:"fsu"`
}

func loadParityCases(t *testing.T) []parityCase {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(eemeterDir, "eemeter_outputs.json"))
	if err != nil {
		t.Skipf("eemeter parity data not available: %v", err)
	}
	var doc struct {
		Cases []parityCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Cases
}

func readShared(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(eemeterDir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustDate(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// relClose reports |got − want| ≤ rel·|want| (or ≤ abs).
func relClose(got, want, rel, abs float64) bool {
	return math.Abs(got-want) <= math.Max(rel*math.Abs(want), abs)
}

// TestCalTRACK2MatchesEemeter320 runs every eemeter 3.2.0 CalTRACK daily
// and billing case in eemeter_outputs.json (library default and the
// p < 0.1 screen) and compares model type, balance points (exact),
// coefficients (1e-9 relative), adjusted R², savings sums (1e-6 relative)
// and the eemeter-3 error bands with eemeter's own outputs. The bands are
// held to 1e-8: eemeter's t quantile (SciPy 1.10's cephes stdtrit) is off by
// 2.3e-9 relative at 4 degrees of freedom, which the bimonthly gas case
// shows, while ours is exact (see TestTQuantileIsExact).
func TestCalTRACK2MatchesEemeter320(t *testing.T) {
	cases := loadParityCases(t)
	n := 0
	for _, c := range cases {
		var method Method
		switch {
		case strings.HasPrefix(c.Method, "caltrack_daily"):
			method = MethodCalTRACKDaily
		case strings.HasPrefix(c.Method, "caltrack_billing"):
			method = MethodCalTRACKBilling
		default:
			continue
		}
		n++
		t.Run(c.CaseID, func(t *testing.T) {
			o := CalcOptions{Method: method, Fuel: Fuel(c.Inputs.Fuel), Days: DayUTC, BimonthlyQuirk: true,
				BlackoutStart: mustDate(t, c.Inputs.BlackoutStart), BlackoutEnd: mustDate(t, c.Inputs.BlackoutEnd)}
			if c.Inputs.PValueMax != nil {
				o.MaxPValue = *c.Inputs.PValueMax
			}
			res, err := Calc(CalcFiles{Meter: readShared(t, c.InputFiles.Meter), Temperature: readShared(t, c.InputFiles.Temperature)}, o)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != c.Model.Status || res.ModelType != c.Model.ModelType {
				t.Fatalf("status %s model %s (%v), eemeter %s %s %v", res.Status, res.ModelType, res.Coefficients, c.Model.Status, c.Model.ModelType, c.Model.Params)
			}
			if res.Candidates.Total != c.Model.NCandidates || res.Candidates.Qualified != c.Model.NQualified {
				t.Errorf("candidates %d, qualified %d; eemeter %d, %d", res.Candidates.Total, res.Candidates.Qualified, c.Model.NCandidates, c.Model.NQualified)
			}
			for k, want := range c.Model.Params {
				got, ok := res.Coefficients[k]
				if !ok {
					t.Errorf("no coefficient %s", k)
					continue
				}
				if strings.HasSuffix(k, "balance_point") {
					if got != want {
						t.Errorf("%s = %v, eemeter %v", k, got, want)
					}
				} else if !relClose(got, want, 1e-9, 1e-8) {
					t.Errorf("%s = %.15g, eemeter %.15g (rel %.2g)", k, got, want, (got-want)/want)
				}
			}
			if len(res.Coefficients) != len(c.Model.Params) {
				t.Errorf("coefficients %v, eemeter %v", res.Coefficients, c.Model.Params)
			}
			if !relClose(*res.RSquaredAdj, c.Model.RSquaredAdj, 1e-9, 1e-12) {
				t.Errorf("adjusted R² %.15g, eemeter %.15g", *res.RSquaredAdj, c.Model.RSquaredAdj)
			}
			sv := res.Savings
			if sv.Periods != c.Savings.Rows {
				t.Errorf("%d reporting periods with both values, eemeter %d", sv.Periods, c.Savings.Rows)
			}
			for _, x := range []struct {
				name      string
				got, want float64
			}{{"predicted_sum", sv.PredictedSum, c.Savings.Predicted}, {"observed_sum", sv.ObservedSum, c.Savings.Observed},
				{"savings", sv.Savings, c.Savings.Savings}, {"base_load_sum", sv.BaseLoadSum, c.Savings.Base},
				{"heating_load_sum", sv.HeatingSum, c.Savings.Heating}, {"cooling_load_sum", sv.CoolingSum, c.Savings.Cooling}} {
				if !relClose(x.got, x.want, 1e-6, 1e-9) {
					t.Errorf("%s = %.10g, eemeter %.10g", x.name, x.got, x.want)
				}
			}
			if len(c.FSU.Bands) > 0 {
				if res.Uncertainty == nil || res.Uncertainty.Bands == nil {
					t.Fatalf("no error bands, eemeter %v", c.FSU.Bands)
				}
				b := res.Uncertainty.Bands
				for name, got := range map[string]float64{"FSU Error Band": b.FSUErrorBand, "OLS Error Band": b.OLSErrorBand,
					"OLS Error Band: Model Error": b.OLSModelError, "OLS Error Band: Noise": b.OLSNoise} {
					if want := c.FSU.Bands[name]; !relClose(got, want, 1e-8, 1e-9) {
						t.Errorf("%s = %.15g, eemeter %.15g", name, got, want)
					}
				}
				if c.FSU.Fraction != nil && !relClose(*res.Uncertainty.FSU, *c.FSU.Fraction, 1e-6, 1e-12) {
					t.Errorf("FSU %.12g, eemeter %.12g", *res.Uncertainty.FSU, *c.FSU.Fraction)
				}
			}
		})
	}
	if n == 0 {
		t.Fatal("no CalTRACK 2.0 daily or billing parity cases")
	}
}

// TestCalTRACK2PredictionsMatchEemeterRowByRow compares every baseline and
// reporting period's prediction with eemeter's per-period predictions.
func TestCalTRACK2PredictionsMatchEemeterRowByRow(t *testing.T) {
	cases := loadParityCases(t)
	n := 0
	for _, c := range cases {
		if c.Version != "3.2.0" || (c.Method != "caltrack_daily" && c.Method != "caltrack_billing") {
			continue
		}
		file := filepath.Join(eemeterDir, "predictions", c.Version+"__"+c.Method+"__"+c.Inputs.Sample+".csv.gz")
		want := readPredictions(t, file)
		if want == nil {
			continue
		}
		n++
		t.Run(c.CaseID, func(t *testing.T) {
			method := MethodCalTRACKDaily
			if c.Method == "caltrack_billing" {
				method = MethodCalTRACKBilling
			}
			res, err := Calc(CalcFiles{Meter: readShared(t, c.InputFiles.Meter), Temperature: readShared(t, c.InputFiles.Temperature)},
				CalcOptions{Method: method, Fuel: Fuel(c.Inputs.Fuel), Days: DayUTC, BimonthlyQuirk: true, Predictions: true,
					BlackoutStart: mustDate(t, c.Inputs.BlackoutStart), BlackoutEnd: mustDate(t, c.Inputs.BlackoutEnd)})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Predictions) != len(want) {
				t.Fatalf("%d prediction rows, eemeter %d", len(res.Predictions), len(want))
			}
			for i, p := range res.Predictions {
				w := want[i]
				if p.Period != w.period || !p.Start.Equal(w.start) {
					t.Fatalf("row %d: %s %s, eemeter %s %s", i, p.Period, p.Start, w.period, w.start)
				}
				if math.IsNaN(w.pred) != math.IsNaN(p.Predicted) || (!math.IsNaN(w.pred) && !relClose(p.Predicted, w.pred, 1e-6, 1e-9)) {
					t.Errorf("row %d (%s): predicted %.10g, eemeter %.10g", i, p.Start.Format("2006-01-02"), p.Predicted, w.pred)
				}
			}
		})
	}
	if n == 0 {
		t.Skip("no per-period predictions for CalTRACK 2.0 cases")
	}
}

type predRow struct {
	start  timeValue
	pred   float64
	period string
}

type timeValue = time.Time

func readPredictions(t *testing.T, file string) []predRow {
	t.Helper()
	recs := readGzipCSV(t, file)
	if recs == nil {
		return nil
	}
	var out []predRow
	for _, r := range recs[1:] {
		at, err := ParseTime(r[0])
		if err != nil {
			t.Fatal(err)
		}
		v := math.NaN()
		if r[1] != "" {
			if v, err = strconv.ParseFloat(r[1], 64); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, predRow{at, v, r[len(r)-1]})
	}
	return out
}

// readGzipCSV reads a gzipped CSV file's records, nil when it is absent.
func readGzipCSV(t *testing.T, file string) [][]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		return nil
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(zr).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}
