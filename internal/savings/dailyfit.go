package savings

import (
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strings"
)

// DailyModelFit is a fitted eemeter 4.x daily model: the chosen split and
// one submodel per component of it.
type DailyModelFit struct {
	// Combination is the chosen split, e.g. "fw-su_sh_wi" (no split) or
	// "wd-su_sh_wi__we-su_sh_wi" (weekdays and weekends).
	Combination string `json:"best_combination"`
	// Combinations are the splits that survived pruning, in eemeter's
	// order; Components the data segments they are made of.
	Combinations []string         `json:"combinations"`
	Components   []string         `json:"components"`
	Submodels    []DailySubmodel  `json:"submodels"`
	Error        DailyModelErrors `json:"error"`
	// WRMSEBase is the unsplit model's weighted RMSE, the reference of the
	// split criterion.
	WRMSEBase float64 `json:"baseline_wRMSE_no_split"`
}

// DailySubmodel is one component's model, named as eemeter serialises it
// (DailySubmodelParameters).
type DailySubmodel struct {
	Component string `json:"component"`
	ModelType string `json:"model_type"`
	// Coefficients: intercept, hdd_bp, hdd_beta, hdd_k, cdd_bp, cdd_beta,
	// cdd_k as the model type has them. hdd_beta is positive in
	// hdd_tidd_cdd(_smooth) models and negative (the raw slope) in
	// hdd_tidd(_smooth); hdd_k and cdd_k are shares of the breakpoint gap
	// in hdd_tidd_cdd_smooth and widths in °F in the one-sided smooth
	// forms.
	Coefficients map[string]float64 `json:"coefficients"`
	TMin         float64            `json:"T_min"`
	TMax         float64            `json:"T_max"`
	TMinSeg      float64            `json:"T_min_seg"`
	TMaxSeg      float64            `json:"T_max_seg"`
	// FUnc is the prediction uncertainty of one day (f_unc).
	FUnc float64 `json:"f_unc"`
	// Evaluations counts objective evaluations of its two fits.
	Evaluations int `json:"evaluations"`
	key         modelKey
	x           []float64
}

// DailyModelErrors are eemeter's info.error of the chosen split, from its
// initial (penalised least-squares) fits.
type DailyModelErrors struct {
	WRMSE  float64 `json:"wRMSE"`
	RMSE   float64 `json:"RMSE"`
	MAE    float64 `json:"MAE"`
	CVRMSE float64 `json:"CVRMSE"`
	PNRMSE float64 `json:"PNRMSE"`
}

// MarshalJSON writes undefined metrics (NaN, an infinity) as null.
func (e DailyModelErrors) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]*float64{"wRMSE": nullable(e.WRMSE), "RMSE": nullable(e.RMSE), "MAE": nullable(e.MAE),
		"CVRMSE": nullable(e.CVRMSE), "PNRMSE": nullable(e.PNRMSE)})
}

// finite reports whether every coefficient and constraint of the model is
// a number.
func (m *DailyModelFit) finite() bool {
	for _, sm := range m.Submodels {
		for _, v := range sm.Coefficients {
			if !isFinite(v) {
				return false
			}
		}
		for _, v := range []float64{sm.TMin, sm.TMax, sm.TMinSeg, sm.TMaxSeg} {
			if !isFinite(v) {
				return false
			}
		}
	}
	return isFinite(m.WRMSEBase)
}

// MarshalJSON writes an undefined prediction uncertainty as null.
func (s DailySubmodel) MarshalJSON() ([]byte, error) {
	type plain DailySubmodel
	return json.Marshal(struct {
		plain
		FUnc *float64 `json:"f_unc"`
	}{plain(s), nullable(s.FUnc)})
}

// modelTypeName is the eemeter ModelType of a reduced form.
func modelTypeName(key modelKey, x []float64) string {
	switch key {
	case keyHTCSmooth:
		return "hdd_tidd_cdd_smooth"
	case keyHTC:
		return "hdd_tidd_cdd"
	case keyCHTSmooth:
		if x[1] < 0 {
			return "hdd_tidd_smooth"
		}
		return "tidd_cdd_smooth"
	case keyCHT:
		if x[1] < 0 {
			return "hdd_tidd"
		}
		return "tidd_cdd"
	}
	return "tidd"
}

// namedCoefficients are ModelCoefficients.from_np_arrays.
func namedCoefficients(key modelKey, x []float64) map[string]float64 {
	switch key {
	case keyHTCSmooth:
		return map[string]float64{"hdd_bp": x[0], "hdd_beta": x[1], "hdd_k": x[2], "cdd_bp": x[3], "cdd_beta": x[4], "cdd_k": x[5], "intercept": x[6]}
	case keyHTC:
		return map[string]float64{"hdd_bp": x[0], "hdd_beta": x[1], "cdd_bp": x[2], "cdd_beta": x[3], "intercept": x[4]}
	case keyCHTSmooth:
		if x[1] < 0 {
			return map[string]float64{"hdd_bp": x[0], "hdd_beta": x[1], "hdd_k": x[2], "intercept": x[3]}
		}
		return map[string]float64{"cdd_bp": x[0], "cdd_beta": x[1], "cdd_k": x[2], "intercept": x[3]}
	case keyCHT:
		if x[1] < 0 {
			return map[string]float64{"hdd_bp": x[0], "hdd_beta": x[1], "intercept": x[2]}
		}
		return map[string]float64{"cdd_bp": x[0], "cdd_beta": x[1], "intercept": x[2]}
	}
	return map[string]float64{"intercept": x[0]}
}

// NumCoefficients is the number of coefficients of all submodels.
func (m *DailyModelFit) NumCoefficients() int {
	n := 0
	for _, s := range m.Submodels {
		n += len(s.x)
	}
	return n
}

func rowsTO(rows []dailyRow) (t, o []float64) {
	t, o = make([]float64, len(rows)), make([]float64, len(rows))
	for i, r := range rows {
		t[i], o[i] = r.t, r.obs
	}
	return t, o
}

// fitDailyModel fits the eemeter 4.x daily model to rows (days with a
// temperature and an observed value, in date order) — DailyModel._fit.
func fitDailyModel(rows []dailyRow, s dailySettings) *DailyModelFit {
	m := &DailyModelFit{}
	m.Combinations = trimCombinations(allCombinations(), rows, s)
	seen := map[string]bool{}
	for _, c := range m.Combinations {
		for _, p := range strings.Split(c, "__") {
			if !seen[p] {
				seen[p] = true
				m.Components = append(m.Components, p)
			}
		}
	}
	sort.Slice(m.Components, func(i, j int) bool {
		a, b := m.Components[i], m.Components[j]
		if len(a) != len(b) {
			return len(a) < len(b)
		}
		return a < b
	})
	initial := map[string]*segmentResult{}
	for _, c := range m.Components {
		t, o := rowsTO(segmentRows(rows, c))
		if len(t) < 2*s.segMin+1 {
			continue // too few days to fit (eemeter fails on such a component)
		}
		initial[c] = fitInitial(t, o, s)
	}
	metrics := func(combo string) (DailyModelErrors, int, bool) {
		var e DailyModelErrors
		n, wsse := 0, 0.0
		var resid, obs []float64
		for _, c := range strings.Split(combo, "__") {
			r := initial[c]
			if r == nil {
				return e, 0, false
			}
			wsse += r.wsse
			n += r.n
			resid = append(resid, r.resid...)
			obs = append(obs, r.obs...)
		}
		e.WRMSE = math.Sqrt(wsse / float64(n))
		sq, ab := make([]float64, len(resid)), make([]float64, len(resid))
		for i, v := range resid {
			sq[i], ab[i] = v*v, math.Abs(v)
		}
		e.RMSE = math.Pow(npMean(sq), 0.5)
		e.MAE = npMean(ab)
		e.CVRMSE = e.RMSE / npMean(obs)
		so := sortedCopy(obs)
		e.PNRMSE = e.RMSE / (npQuantileSorted(so, 0.95) - npQuantileSorted(so, 0.05))
		return e, n, true
	}
	base, _, ok := metrics("fw-su_sh_wi")
	if !ok {
		return nil
	}
	m.WRMSEBase = base.WRMSE
	best, bestScore := "", math.Inf(1)
	for _, c := range m.Combinations {
		e, n, ok := metrics(c)
		if !ok {
			continue
		}
		w := e.WRMSE
		if c == "fw-su_sh_wi" {
			w = m.WRMSEBase
		}
		score := selectionCriterion(w/m.WRMSEBase, n, len(strings.Split(c, "__")), s.penaltyMult, s.penaltyPower)
		if score < bestScore {
			best, bestScore = c, score
		}
	}
	if best == "" {
		return nil
	}
	m.Combination = best
	m.Error, _, _ = metrics(best)
	for _, c := range strings.Split(best, "__") {
		t, o := rowsTO(segmentRows(rows, c))
		prior := initial[c]
		f := fitFinal(t, o, s, prior)
		m.Submodels = append(m.Submodels, DailySubmodel{Component: c, ModelType: modelTypeName(f.key, f.x),
			Coefficients: namedCoefficients(f.key, f.x), TMin: f.tMin, TMax: f.tMax, TMinSeg: f.tMinSeg, TMaxSeg: f.tMaxSeg,
			FUnc: f.fUnc, Evaluations: prior.nevals + f.nevals, key: f.key, x: slices.Clone(f.x)})
	}
	return m
}

// dailyPrediction is one day's prediction: the model and its heating and
// cooling parts (the model less the intercept where T is at or beyond the
// breakpoint).
type dailyPrediction struct {
	predicted, heating, cooling, unc float64
	component                        string
}

// predict evaluates the fitted model on one day (DailyModel._predict_submodel).
func (m *DailyModelFit) predict(r dailyRow) dailyPrediction {
	for _, sm := range m.Submodels {
		c := sm.Component
		if !inDays(c[:2], r.dow) || !strings.Contains(c[3:], seasonCodes[r.season]) {
			continue
		}
		v := reducible(sm.key, sm.x, sm.TMin, sm.TMax, sm.TMinSeg, sm.TMaxSeg)
		if sm.key == keyHTCSmooth {
			v[0], v[2], v[3], v[5] = smoothCoeffs(v[0], v[2], v[3], v[5])
		}
		var out [1]float64
		fullModel(v[0], v[1], v[2], v[3], v[4], v[5], v[6], sm.TMin, sm.TMax, []float64{r.t}, out[:], true, nil)
		p := dailyPrediction{predicted: out[0], unc: sm.FUnc, component: c}
		load := out[0] - v[6]
		if r.t <= v[0] {
			p.heating = load
		}
		if r.t >= v[3] {
			p.cooling = load
		}
		return p
	}
	return dailyPrediction{predicted: math.NaN(), heating: math.NaN(), cooling: math.NaN(), unc: math.NaN()}
}
