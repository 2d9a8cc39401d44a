package api

import (
	"context"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/evcharge"
	"github.com/gridbook/gridbook/internal/store"
)

// EV SmartCharge vehicles and their charging plans. Staff and
// registry:write clients enroll vehicles and make plans; any reader sees
// them, a customer only the vehicles of their own accounts.

func (h *handler) evVehicleRoutes(mux *http.ServeMux) {
	h.handle(mux, "GET /ev/vehicles", read, h.listVehicles)
	h.handle(mux, "POST /ev/vehicles", write, h.enrollVehicle)
	h.handle(mux, "GET /ev/vehicles/{id}", read, h.getVehicle)
	h.handle(mux, "GET /ev/vehicles/{id}/plans", read, h.listVehiclePlans)
	h.handle(mux, "POST /ev/vehicles/{id}/plans", write, h.planVehicle)
	h.handle(mux, "GET /ev/plans/{id}", read, h.getEVPlan)
}

// vehicleJSON is an enrolled vehicle; the detail adds its plan in force
// and what its charger last told the OCPP central system.
type vehicleJSON struct {
	evcharge.Vehicle
	Plan          *evPlanJSON          `json:"plan,omitempty"`
	ChargerStatus *store.ChargerStatus `json:"charger_status,omitempty"`
}

// vehicleRequest is the body of POST /ev/vehicles, with the fields of
// gridbook ev vehicle add.
type vehicleRequest struct {
	AccountID  int64    `json:"account_id"`
	Name       string   `json:"name"`
	Make       string   `json:"make"`
	Model      string   `json:"model"`
	BatteryKWh *float64 `json:"battery_kwh"`
	MaxKW      *float64 `json:"max_kw"`
	Charger    string   `json:"charger"`
	Enrolled   string   `json:"enrolled"`
}

// kwField reads a positive kW or kWh quantity into W or Wh (rounded to
// the unit).
func kwField(f *apperr.Fields, name string, v *float64) int64 {
	switch {
	case v == nil:
		f.Add(name, "is required")
	case math.IsNaN(*v) || *v <= 0 || *v > 1e6:
		f.Add(name, "must be a positive number")
	default:
		return int64(math.Round(*v * 1000))
	}
	return 0
}

func (h *handler) enrollVehicle(w http.ResponseWriter, r *http.Request, p *principal) {
	var req vehicleRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	var f apperr.Fields
	v := evcharge.Vehicle{AccountID: req.AccountID, Name: req.Name, Make: strings.TrimSpace(req.Make), Model: strings.TrimSpace(req.Model),
		Charger: strings.TrimSpace(req.Charger)}
	if req.AccountID <= 0 {
		f.Add("account_id", "is required")
	}
	v.BatteryWh = kwField(&f, "battery_kwh", req.BatteryKWh)
	v.MaxW = energy.W(kwField(&f, "max_kw", req.MaxKW))
	if v.Charger == "" {
		v.Charger = "level2"
	}
	if len(v.Charger) > 64 {
		f.Add("charger", "must be at most 64 characters")
	}
	if req.Enrolled != "" {
		v.Enrolled = parseDate(&f, "enrolled", req.Enrolled)
	} else {
		v.Enrolled = calendar.DateOf(h.db.Now())
	}
	if err := f.Err("api.enrollVehicle"); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		if err := tx.EnrollVehicle(ctx, p.actor, &v); err != nil {
			if apperr.Is(err, apperr.NotFound) { // the account
				var f apperr.Fields
				f.Add("account_id", "account %d not found", v.AccountID)
				return 0, nil, f.Err("api.enrollVehicle")
			}
			return 0, nil, err
		}
		return http.StatusCreated, vehicleJSON{Vehicle: v}, nil
	})
}

func (h *handler) listVehicles(w http.ResponseWriter, r *http.Request, p *principal) {
	ps := newParams(r, "account_id", "after", "limit")
	f := store.VehicleFilter{AccountID: ps.int64("account_id"), IDs: p.accountIDs()}
	writePage(h, w, r, ps, func(after int64, limit int) ([]evcharge.Vehicle, error) {
		f.After, f.Limit = after, limit
		return h.db.VehiclePage(r.Context(), f)
	}, func(v evcharge.Vehicle) int64 { return v.ID }, func(v evcharge.Vehicle) vehicleJSON { return vehicleJSON{Vehicle: v} })
}

// seeVehicle reads a vehicle the caller may see: a customer's other
// vehicles are not found, as if they did not exist.
func (h *handler) seeVehicle(ctx context.Context, p *principal, id int64) (evcharge.Vehicle, error) {
	v, err := h.db.Vehicle(ctx, id)
	if err != nil {
		return v, err
	}
	if ids := p.accountIDs(); ids != nil && !slices.Contains(ids, v.AccountID) {
		return evcharge.Vehicle{}, apperr.NotFoundf("api.vehicle", "vehicle %d not found", id)
	}
	return v, nil
}

func (h *handler) getVehicle(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "vehicle")
	if err == nil {
		var out vehicleJSON
		if out.Vehicle, err = h.seeVehicle(r.Context(), p, id); err == nil {
			err = h.vehicleDetail(r.Context(), &out)
		}
		if err == nil {
			writeJSON(w, http.StatusOK, out)
			return
		}
	}
	h.writeError(w, r, err)
}

// vehicleDetail adds the plan in force and the charger's status.
func (h *handler) vehicleDetail(ctx context.Context, out *vehicleJSON) error {
	pl, err := h.db.LatestEVPlan(ctx, out.ID)
	if err == nil {
		j := evPlanOut(pl)
		out.Plan = &j
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	c, err := h.db.Charger(ctx, out.Charger)
	if err == nil {
		out.ChargerStatus = &c
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	return nil
}

// evPlanJSON is a stored charging plan as the API shows it: cost_cents
// for a least-cost plan, co2_g for a least-emissions one; shortfall_wh
// and notes say when the charger cannot deliver the need by departure.
type evPlanJSON struct {
	ID          int64              `json:"id"`
	VehicleID   int64              `json:"vehicle_id"`
	Vehicle     string             `json:"vehicle"`
	AccountID   int64              `json:"account_id"`
	PlugIn      string             `json:"plug_in"`
	Departure   string             `json:"departure"`
	NeedWh      int64              `json:"need_wh"`
	Objective   evcharge.Objective `json:"objective"`
	Source      string             `json:"source"`
	Slots       []evcharge.Slot    `json:"slots"`
	EnergyWh    int64              `json:"energy_wh"`
	ShortfallWh int64              `json:"shortfall_wh"`
	CostCents   *int64             `json:"cost_cents,omitempty"`
	CO2g        *float64           `json:"co2_g,omitempty"`
	UnpricedWh  int64              `json:"unpriced_wh"`
	Notes       []string           `json:"notes"`
	Actor       string             `json:"actor"`
	CreatedAt   string             `json:"created_at"`
}

func evPlanOut(p store.EVPlanRecord) evPlanJSON {
	out := evPlanJSON{ID: p.ID, VehicleID: p.VehicleID, Vehicle: p.Vehicle, AccountID: p.AccountID, PlugIn: instant(p.PlugIn), Departure: instant(p.Departure),
		NeedWh: int64(p.NeedWh), Objective: p.Plan.Objective, Source: p.Source, Slots: p.Plan.Slots, EnergyWh: int64(p.Plan.EnergyWh),
		ShortfallWh: int64(p.Plan.ShortfallWh), UnpricedWh: int64(p.Plan.UnpricedWh), Notes: p.Plan.Notes, Actor: p.Actor, CreatedAt: instant(p.Created)}
	if out.Slots == nil {
		out.Slots = []evcharge.Slot{}
	}
	if out.Notes == nil {
		out.Notes = []string{}
	}
	if p.Plan.Objective == evcharge.LeastCost {
		c := int64(p.Plan.CostCents)
		out.CostCents = &c
	} else {
		g := p.Plan.CO2g
		out.CO2g = &g
	}
	return out
}

// evPlanRequest is the body of POST /ev/vehicles/{id}/plans: one
// plug-in's need, as energy_kwh or as soc_pct and target_soc_pct of the
// vehicle's battery.
type evPlanRequest struct {
	PlugIn              string   `json:"plug_in"`
	Departure           string   `json:"departure"`
	EnergyKWh           *float64 `json:"energy_kwh"`
	SoCPct              *int     `json:"soc_pct"`
	TargetSoCPct        *int     `json:"target_soc_pct"`
	Objective           string   `json:"objective"`
	Signal              string   `json:"signal"`
	PreconditionMinutes int      `json:"precondition_minutes"`
	Continuous          bool     `json:"continuous"`
}

// need checks the request against the vehicle and returns the planner's
// need and objective.
func (req evPlanRequest) need(v evcharge.Vehicle) (evcharge.Need, evcharge.Objective, error) {
	var f apperr.Fields
	n := evcharge.Need{MaxW: v.MaxW, Precondition: time.Duration(req.PreconditionMinutes) * time.Minute, Continuous: req.Continuous}
	at := func(name, s string) time.Time {
		if s == "" {
			f.Add(name, "is required (RFC 3339)")
			return time.Time{}
		}
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			f.Add(name, "must be an RFC 3339 timestamp such as 2026-07-01T21:00:00-07:00")
		}
		return t.UTC()
	}
	n.PlugIn, n.Departure = at("plug_in", req.PlugIn), at("departure", req.Departure)
	if !n.PlugIn.IsZero() && !n.Departure.IsZero() {
		if !n.Departure.After(n.PlugIn) {
			f.Add("departure", "must be after plug_in")
		} else if n.Departure.Sub(n.PlugIn) > 7*24*time.Hour {
			f.Add("departure", "must be within 7 days of plug_in")
		}
	}
	switch {
	case req.EnergyKWh != nil && (req.SoCPct != nil || req.TargetSoCPct != nil):
		f.Add("energy_kwh", "give energy_kwh or soc_pct with target_soc_pct, not both")
	case req.EnergyKWh != nil:
		if math.IsNaN(*req.EnergyKWh) || *req.EnergyKWh < 0 || *req.EnergyKWh > 1e4 {
			f.Add("energy_kwh", "must be a non-negative number of kWh")
		} else {
			n.EnergyWh = energy.Wh(math.Round(*req.EnergyKWh * 1000))
		}
	case req.SoCPct != nil && req.TargetSoCPct != nil:
		soc, target := *req.SoCPct, *req.TargetSoCPct
		if soc < 0 || soc > 100 {
			f.Add("soc_pct", "must be a percentage from 0 to 100")
		}
		if target < 0 || target > 100 {
			f.Add("target_soc_pct", "must be a percentage from 0 to 100")
		}
		if soc >= 0 && soc < target && target <= 100 {
			// Wh = battery × (target − soc) / 100, rounded down to the Wh.
			n.EnergyWh = energy.Wh(v.BatteryWh * int64(target-soc) / 100)
		}
	default:
		f.Add("energy_kwh", "give energy_kwh, or soc_pct with target_soc_pct")
	}
	if req.PreconditionMinutes < 0 || req.PreconditionMinutes > 120 {
		f.Add("precondition_minutes", "must be from 0 to 120")
	}
	var obj evcharge.Objective
	switch req.Objective {
	case "", "cost":
		obj = evcharge.LeastCost
	case "emissions", "co2":
		obj = evcharge.LeastCO2
	default:
		f.Add("objective", "must be cost or emissions")
	}
	if obj == evcharge.LeastCost && req.Signal != "" {
		f.Add("signal", "is used only with objective emissions")
	}
	return n, obj, f.Err("api.planVehicle")
}

// planVehicle plans a plug-in of a vehicle against its account's TOU
// tariff (objective cost) or a stored marginal-emission signal
// (objective emissions) and stores the plan as the vehicle's plan in
// force. A need larger than the charger can deliver by departure is
// planned at the maximum; the answer says so (shortfall_wh, notes).
func (h *handler) planVehicle(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "vehicle")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req evPlanRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		rec, err := tx.PlanVehicle(ctx, p.actor, id, req.need, req.Signal)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, evPlanOut(rec), nil
	})
}

func (h *handler) listVehiclePlans(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "vehicle")
	if err == nil {
		_, err = h.seeVehicle(r.Context(), p, id)
	}
	var ps []store.EVPlanRecord
	if err == nil {
		ps, err = h.db.EVPlansOf(r.Context(), id, 100)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[evPlanJSON]{Data: make([]evPlanJSON, 0, len(ps))}
	for _, pl := range ps {
		out.Data = append(out.Data, evPlanOut(pl))
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) getEVPlan(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "charging plan")
	var pl store.EVPlanRecord
	if err == nil {
		pl, err = h.db.EVPlan(r.Context(), id)
	}
	if err == nil {
		if ids := p.accountIDs(); ids != nil && !slices.Contains(ids, pl.AccountID) {
			err = apperr.NotFoundf("api.getEVPlan", "charging plan %d not found", id)
		}
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, evPlanOut(pl))
}
