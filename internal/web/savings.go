package web

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/savings"
	"github.com/gridbook/gridbook/internal/store"
)

// SavingsPage is the Data of console/savings: a meter's CalTRACK savings
// for the blackout window in the form.
type SavingsPage struct {
	Meter         customer.Meter
	Account       customer.Account
	BlackoutStart string // the form's values, YYYY-MM-DD
	BlackoutEnd   string
	Fuel          string
	Method        string
	Inputs        store.SavingsInputs
	Result        *savings.CalcResult
	Coefficients  []Coefficient
	Chart         *Chart // weekly observed and predicted use
	Problem       string // why there is no result (no weather, bad dates)
	FSU           string // fractional savings uncertainty, e.g. "39.7%"
	R2            string // the model's adjusted R², four places
	// Submodels are the eemeter 4.x daily model's components, one row each.
	Submodels []SubmodelRow
	FSU4      string // eemeter 4.1.1's fractional savings uncertainty
	// Metrics4 are eemeter 4.1.1's baseline and reporting metrics of the
	// 4.x model, labelled for the page.
	Metrics4 []Coefficient
}

// metrics4Rows lays out eemeter 4.1.1's BaselineMetrics and
// ReportingMetrics (common/metrics.py) for the page; an undefined value
// (eemeter's NaN, or a ratio over a zero denominator) shows as "–".
func metrics4Rows(m *savings.Eemeter4Metrics) []Coefficient {
	f := func(v *float64, places int) string {
		if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
			return "–"
		}
		return strconv.FormatFloat(*v, 'f', places, 64)
	}
	p := func(v *float64) string {
		if v == nil || math.IsNaN(*v) || math.IsInf(*v, 0) {
			return "–"
		}
		return percent(*v)
	}
	b, r := m.Baseline, m.Reporting
	return []Coefficient{
		{"Baseline points (n, autocorrelation-adjusted n′)", strconv.Itoa(b.N) + ", " + f(&b.NPrime, 1)},
		{"Model parameters", strconv.Itoa(b.NumModelParams)},
		{"R² (adjusted)", f(&b.RSquared, 4) + " (" + f(b.RSquaredAdj, 4) + ")"},
		{"CV(RMSE) (adjusted, autocorrelation-adjusted)", f(b.CVRMSE, 4) + " (" + f(b.CVRMSEAdj, 4) + ", " + f(b.CVRMSEAutocorrAdj, 4) + ")"},
		{"NMBE · NMAE · MAPE", f(b.NMBE, 4) + " · " + f(b.NMAE, 4) + " · " + f(b.MAPE, 4)},
		{"Reporting points", strconv.Itoa(r.N)},
		{"Savings (predicted − observed)", f(&r.Savings, 1)},
		{"90% total savings uncertainty (±)", f(&r.TotalSavingsUncertainty, 1)},
		{"Fractional savings uncertainty", p(r.FSU)},
		{"Predicted data point uncertainty", f(&r.PredictedDataPointUnc, 3)},
	}
}

// SubmodelRow is one component of an eemeter 4.x daily model as the page
// lists it: its days, model type, breakpoints (°F) and slopes.
type SubmodelRow struct {
	Component, Days, ModelType                string
	HDDBp, HDDBeta, CDDBp, CDDBeta, Intercept string
}

// componentDays names a daily-model component's days, e.g. "we-su_sh" is
// "weekends in summer and the shoulder months".
func componentDays(c string) string {
	if len(c) < 4 {
		return c
	}
	days := map[string]string{"fw": "every day", "wd": "weekdays", "we": "weekends"}[c[:2]]
	names := map[string]string{"su": "summer (Jun–Sep)", "sh": "shoulder (Mar–May, Oct)", "wi": "winter (Nov–Feb)"}
	var seasons []string
	for _, s := range strings.Split(c[3:], "_") {
		seasons = append(seasons, names[s])
	}
	if len(seasons) == 3 {
		return days + ", all year"
	}
	return days + " in " + strings.Join(seasons, " and ")
}

// submodelRows lays out the daily model's submodels for the page.
func submodelRows(m *savings.DailyModelFit) []SubmodelRow {
	var out []SubmodelRow
	for _, sm := range m.Submodels {
		c := func(k string) string {
			if v, ok := sm.Coefficients[k]; ok {
				return strconv.FormatFloat(v, 'f', 3, 64)
			}
			return "–"
		}
		out = append(out, SubmodelRow{Component: sm.Component, Days: componentDays(sm.Component), ModelType: sm.ModelType,
			HDDBp: c("hdd_bp"), HDDBeta: c("hdd_beta"), CDDBp: c("cdd_bp"), CDDBeta: c("cdd_beta"), Intercept: c("intercept")})
	}
	return out
}

// Coefficient is one named model parameter as the page lists it.
type Coefficient struct {
	Name  string
	Value string
}

// meterSavings shows a meter's savings: the form (blackout dates, fuel),
// the fitted model, data sufficiency, savings with their uncertainty and
// a chart of weekly observed and predicted use.
func (h *handler) meterSavings(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	var page SavingsPage
	if page.Meter, err = h.db.Meter(ctx, id); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	if page.Account, err = h.db.Account(ctx, page.Meter.AccountID); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	page.BlackoutStart, page.BlackoutEnd, page.Fuel, page.Method = q.Get("blackout_start"), q.Get("blackout_end"), q.Get("fuel"), q.Get("method")
	if page.BlackoutStart == "" {
		page.BlackoutStart = h.midData(r, page.Meter)
	}
	if page.BlackoutEnd == "" {
		page.BlackoutEnd = page.BlackoutStart
	}
	v := &View{Title: "Savings · meter " + page.Meter.Serial, Nav: NavCustomers, Data: &page}
	o := savings.CalcOptions{Method: savings.MethodCalTRACKDaily, Fuel: savings.Fuel(page.Fuel), Predictions: true}
	switch page.Method {
	case string(savings.MethodCalTRACKHourly), string(savings.MethodDaily):
		o.Method = savings.Method(page.Method)
	case "daily-legacy":
		o.Method, o.DailyLegacy = savings.MethodDaily, true
	}
	var f apperr.Fields
	switch page.Method {
	case "", string(savings.MethodCalTRACKDaily), string(savings.MethodCalTRACKHourly), string(savings.MethodDaily), "daily-legacy":
	default:
		f.Add("method", "a stored meter is modelled on its days or hours: choose CalTRACK daily, CalTRACK hourly or the eemeter 4.x daily model, not %q", page.Method)
	}
	o.BlackoutStart, o.BlackoutEnd = savings.ParseBlackout(page.BlackoutStart, page.BlackoutEnd, &f)
	if err := f.Err("web.meterSavings"); err == nil && page.BlackoutStart != "" {
		page.Result, page.Inputs, err = h.db.MeterSavings(ctx, id, o)
		if err != nil && apperr.KindOf(err) == apperr.Internal {
			h.rd.Error(w, r, err)
			return
		}
		f = append(f, apperr.FieldsOf(err)...)
		if err != nil && len(apperr.FieldsOf(err)) == 0 {
			page.Problem = apperr.MessageOf(err)
		}
	}
	if len(f) > 0 {
		v.Fields = map[string]string{}
		for _, fe := range f {
			v.Fields[fe.Field] = fe.Msg
		}
		page.Result = nil
	}
	if page.Result != nil {
		page.Coefficients = coefficients(page.Result)
		page.Chart = weeklySavingsChart(page.Result)
		if r2 := page.Result.RSquaredAdj; r2 != nil {
			page.R2 = strconv.FormatFloat(*r2, 'f', 4, 64)
		}
		if u := page.Result.Uncertainty; u != nil && u.FSU != nil {
			page.FSU = percent(*u.FSU)
		}
		if m := page.Result.Daily; m != nil {
			page.Submodels = submodelRows(m)
		}
		if e := page.Result.Eemeter4; e != nil {
			if e.Reporting.FSU != nil {
				page.FSU4 = percent(*e.Reporting.FSU)
			}
			page.Metrics4 = metrics4Rows(e)
		}
	}
	h.rd.Render(w, r, http.StatusOK, "console/savings", v)
}

// midData proposes a blackout date for the form: the first day of the
// month in the middle of the meter's stored readings, so that a demo
// meter's year splits into a baseline and a reporting half.
func (h *handler) midData(r *http.Request, m customer.Meter) string {
	for _, ch := range m.Channels {
		if ch.Direction != customer.Delivered {
			continue
		}
		months, err := h.db.MonthlyTotals(r.Context(), ch.ID)
		if err != nil || len(months) == 0 {
			return ""
		}
		mid := months[len(months)/2].Label // YYYY-MM
		return mid + "-01"
	}
	return ""
}

func coefficients(r *savings.CalcResult) []Coefficient {
	var out []Coefficient
	for k, v := range r.Coefficients {
		out = append(out, Coefficient{k, strconv.FormatFloat(v, 'f', 4, 64)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// weeklySavingsChart sums the daily predictions into weeks: observed and
// predicted use in the baseline and the reporting period.
func weeklySavingsChart(r *savings.CalcResult) *Chart {
	if len(r.Predictions) == 0 {
		return nil
	}
	c := &Chart{Title: "Weekly use: observed and the baseline model's prediction", Unit: "kWh", Kind: ChartLine}
	var obs, pred []float64
	var start time.Time
	sumO, sumP, n := 0.0, 0.0, 0
	flush := func() {
		if n == 0 {
			return
		}
		c.Times = append(c.Times, start)
		obs, pred = append(obs, sumO), append(pred, sumP)
		sumO, sumP, n = 0, 0, 0
	}
	for _, p := range r.Predictions {
		if math.IsNaN(p.Observed) || math.IsNaN(p.Predicted) {
			continue
		}
		if n == 0 {
			start = p.Start
		} else if p.Start.Sub(start) >= 7*24*time.Hour-time.Hour {
			flush()
			start = p.Start
		}
		sumO += p.Observed
		sumP += p.Predicted
		n++
	}
	flush()
	if len(c.Times) == 0 {
		return nil
	}
	c.Series = []Series{{Label: "Observed", Values: obs}, {Label: "Predicted (baseline model)", Values: pred}}
	return c
}

// percent formats a fraction as a percentage with one decimal.
func percent(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }
