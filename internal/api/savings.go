package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/savings"
	"github.com/gridbook/gridbook/internal/store"
)

// savingsRoutes registers the savings endpoints.
func (h *handler) savingsRoutes(mux *http.ServeMux) {
	h.handle(mux, "POST /savings/calc", tariffRead, h.calcSavings)
	h.handle(mux, "GET /meters/{id}/savings", read, h.meterSavings)
	h.handle(mux, "GET /accounts/{id}/estimate", read, h.accountEstimate)
	h.energyTeamRoutes(mux)
}

// savingsCalcRequest is the body of POST /savings/calc: the files of
// `gridbook savings calc` as text and its options.
type savingsCalcRequest struct {
	Meter       string             `json:"meter"`
	Temperature string             `json:"temperature"`
	Options     savingsCalcOptions `json:"options"`
}

// savingsCalcOptions are the flags of `gridbook savings calc`.
type savingsCalcOptions struct {
	Method            string        `json:"method"`
	Fuel              string        `json:"fuel"`
	BlackoutStart     calendar.Date `json:"blackout_start"`
	BlackoutEnd       calendar.Date `json:"blackout_end"`
	DayBoundary       string        `json:"day_boundary"`
	TemperatureUnit   string        `json:"temperature_unit"`
	TemperatureFormat string        `json:"temperature_format"`
	Solar             bool          `json:"solar"`
	MaxPValue         float64       `json:"max_p_value"`
	BimonthlyQuirk    bool          `json:"bimonthly_quirk"`
	DailyLegacy       bool          `json:"daily_legacy"`
	DailyExactPath    bool          `json:"daily_exact_path"`
	Predictions       bool          `json:"predictions"`
}

// calcSavings fits a savings model to the posted files with the stateless
// calculator. It reads and writes nothing in the database.
func (h *handler) calcSavings(w http.ResponseWriter, r *http.Request, p *principal) {
	body, ok := h.readCalcBody(w, r, "api.calcSavings")
	if !ok {
		return
	}
	var req savingsCalcRequest
	if err := decodeJSON(body, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	o := req.Options
	unit := savings.UnitAuto
	switch o.TemperatureUnit {
	case "", "auto":
	case "F", "C":
		unit = savings.Unit(o.TemperatureUnit)
	default:
		var f apperr.Fields
		f.Add("temperature_unit", "want F, C or auto, not %q", o.TemperatureUnit)
		h.writeError(w, r, f.Err("api.calcSavings"))
		return
	}
	res, err := savings.Calc(savings.CalcFiles{Meter: []byte(req.Meter), Temperature: []byte(req.Temperature)}, savings.CalcOptions{
		Method: savings.Method(o.Method), Fuel: savings.Fuel(o.Fuel), BlackoutStart: o.BlackoutStart, BlackoutEnd: o.BlackoutEnd,
		Days: savings.DayBoundary(o.DayBoundary), TemperatureUnit: unit, TemperatureFormat: o.TemperatureFormat,
		Solar: o.Solar, MaxPValue: o.MaxPValue, BimonthlyQuirk: o.BimonthlyQuirk, DailyLegacy: o.DailyLegacy, DailyExactPath: o.DailyExactPath,
		Predictions: o.Predictions,
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(context.Context, *store.Tx) (int, any, error) { return http.StatusOK, res, nil })
}

// meterSavingsJSON is the answer of GET /meters/{id}/savings: where the
// weather came from, and the calculation.
type meterSavingsJSON struct {
	MeterID     int64               `json:"meter_id"`
	PremiseID   int64               `json:"premise_id"`
	ZIP         string              `json:"zip"`
	ClimateZone int                 `json:"climate_zone"`
	StationCode string              `json:"station_code"`
	StationName string              `json:"station_name"`
	Solar       bool                `json:"solar"`
	Result      *savings.CalcResult `json:"result"`
}

// meterSavings fits CalTRACK daily (or hourly, or the eemeter 4.x daily
// model) to a stored meter's usage (Pacific days, net of exports) and its
// premise's CZ2010 station weather. The billing methods are refused.
func (h *handler) meterSavings(w http.ResponseWriter, r *http.Request, p *principal) {
	const op = "api.meterSavings"
	m, err := h.visibleMeter(r, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	o := savings.CalcOptions{Method: savings.MethodCalTRACKDaily, Fuel: savings.Fuel(q.Get("fuel"))}
	switch m := q.Get("method"); m {
	case "", string(savings.MethodCalTRACKDaily):
	case string(savings.MethodCalTRACKHourly), string(savings.MethodDaily):
		o.Method = savings.Method(m)
	default:
		var f apperr.Fields
		f.Add("method", "want caltrack-daily, caltrack-hourly or daily for a stored meter (its days or hours, not bills), not %q", m)
		h.writeError(w, r, f.Err("api.meterSavings"))
		return
	}
	var f apperr.Fields
	for _, b := range []struct {
		name string
		to   *bool
	}{{"daily_legacy", &o.DailyLegacy}, {"daily_exact_path", &o.DailyExactPath}} {
		switch s := q.Get(b.name); s {
		case "", "false":
		case "true":
			*b.to = true
		default:
			f.Add(b.name, "want true or false, not %q", s)
		}
	}
	o.BlackoutStart, o.BlackoutEnd = savings.ParseBlackout(q.Get("blackout_start"), q.Get("blackout_end"), &f)
	if s := q.Get("max_p_value"); s != "" {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			f.Add("max_p_value", "want a number, not %q", s)
		}
		o.MaxPValue = v
	}
	o.Predictions = q.Get("predictions") == "true"
	if err := f.Err(op); err != nil {
		h.writeError(w, r, err)
		return
	}
	res, in, err := h.db.MeterSavings(r.Context(), m.ID, o)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, meterSavingsJSON{MeterID: m.ID, PremiseID: in.Premise.ID, ZIP: in.Premise.ZIP, ClimateZone: in.Premise.ClimateZone,
		StationCode: in.StationCode, StationName: in.StationName, Solar: in.Solar, Result: res})
}
