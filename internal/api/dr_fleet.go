package api

import (
	"context"
	"math"
	"net/http"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/openadr"
	"github.com/gridbook/gridbook/internal/store"
)

// Battery fleet dispatch: a storage event's plan (each battery's share
// above its site's reserve, store.Tx.DispatchFleet) and its delivery
// against the VEN reports (openadr.Delivered).

func (h *handler) drFleetRoutes(mux *http.ServeMux) {
	h.handle(mux, "GET /dr/events/{id}/fleet", read, h.getDRFleet)
	h.handle(mux, "POST /dr/events/{id}/fleet", write, h.dispatchDRFleet)
	h.handle(mux, "POST /dr/devices/{serial}/charge", write, h.recordDRCharge)
}

// drChargeRequest is a battery's state of charge from site telemetry.
type drChargeRequest struct {
	ChargePct *float64 `json:"charge_pct"`
	At        string   `json:"at"`
}

// drChargeJSON is a recorded reading.
type drChargeJSON struct {
	Serial         string    `json:"serial"`
	ChargePermille int       `json:"charge_permille"`
	At             time.Time `json:"at"`
}

// recordDRCharge stores a battery's state of charge (percent of full, at
// a time, default now) for fleet dispatch, as a VEN's STORAGE_CHARGE_LEVEL
// report does (store.Tx.RecordCharge).
func (h *handler) recordDRCharge(w http.ResponseWriter, r *http.Request, p *principal) {
	var req drChargeRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	var f apperr.Fields
	permille := 0
	if req.ChargePct == nil {
		f.Add("charge_pct", "is required")
	} else if *req.ChargePct < 0 || *req.ChargePct > 100 || math.IsNaN(*req.ChargePct) {
		f.Add("charge_pct", "must be 0 to 100")
	} else {
		permille = int(math.Round(*req.ChargePct * 10))
	}
	at := parseInstantField(&f, "at", req.At, false)
	if err := f.Err("api.recordDRCharge"); err != nil {
		h.writeError(w, r, err)
		return
	}
	serial := r.PathValue("serial")
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		when := at
		if when.IsZero() {
			when = h.db.Now().UTC().Truncate(time.Second)
		}
		if err := tx.RecordCharge(ctx, serial, when, permille, "api:"+p.actor.String()); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, drChargeJSON{Serial: serial, ChargePermille: permille, At: when}, nil
	})
}

// drFleetRequest is a dispatch: the fleet's target and the state of
// charge assumed at the event's start.
type drFleetRequest struct {
	TargetKW *float64 `json:"target_kw"`
	SOCPct   *int     `json:"soc_pct"`
}

// fleetTarget validates a target in kW and a state of charge (default
// dr.DefaultSOCPct), naming the fields.
func fleetTarget(f *apperr.Fields, kw *float64, soc *int) (energy.W, int) {
	var w energy.W
	if kw == nil {
		f.Add("target_kw", "is required")
	} else if *kw <= 0 || *kw > 1e9 || math.IsNaN(*kw) {
		f.Add("target_kw", "must be a positive number of kW")
	} else {
		w = energy.W(math.Round(*kw * 1000))
	}
	pct := dr.DefaultSOCPct
	if soc != nil {
		pct = *soc
		if pct < 0 || pct > 100 {
			f.Add("soc_pct", "must be 0 to 100")
		}
	}
	return w, pct
}

// drFleetBatteryJSON is one battery's share and delivery.
type drFleetBatteryJSON struct {
	DeviceID    int64  `json:"device_id"`
	AccountID   int64  `json:"account_id"`
	Serial      string `json:"serial"`
	W           int64  `json:"w"`
	Wh          int64  `json:"wh"`
	Limit       string `json:"limit"`
	Reported    bool   `json:"reported"`
	DeliveredWh *int64 `json:"delivered_wh"`
	// Charge is the state of charge the share was planned with; null for
	// a plan stored before it was kept.
	Charge *drDispatchChargeJSON `json:"charge"`
}

// drDispatchChargeJSON is a share's state of charge and its source.
type drDispatchChargeJSON struct {
	ChargePermille int     `json:"charge_permille"`
	Source         string  `json:"source"`     // reported or setting
	ReadingAt      *string `json:"reading_at"` // the reported reading's time; null for the setting
}

// drFleetJSON is a storage event's plan with its delivery.
type drFleetJSON struct {
	EventID   int64                `json:"event_id"`
	TargetW   int64                `json:"target_w"`
	FleetW    int64                `json:"fleet_w"`
	SOCPct    int                  `json:"soc_pct"`
	Actor     string               `json:"actor"`
	CreatedAt string               `json:"created_at"`
	Batteries []drFleetBatteryJSON `json:"batteries"`
	Summary   dr.DeliverySummary   `json:"summary"`
	Reports   int                  `json:"reports"`
	Skipped   []string             `json:"skipped"`
}

func drFleetOut(d openadr.FleetDelivery) drFleetJSON {
	p := d.Plan
	out := drFleetJSON{EventID: p.EventID, TargetW: int64(p.TargetW), FleetW: int64(p.FleetW), SOCPct: p.SOCPct, Actor: p.Actor,
		CreatedAt: instant(p.Created), Batteries: make([]drFleetBatteryJSON, 0, len(d.Rows)), Summary: d.Summary, Reports: d.Reports,
		Skipped: append([]string{}, d.Skipped...)}
	for _, r := range d.Rows {
		b := drFleetBatteryJSON{DeviceID: r.DispatchRecord.DeviceID, AccountID: r.AccountID, Serial: r.Serial, W: int64(r.W),
			Wh: int64(r.DispatchedWh), Limit: r.Limit, Reported: r.Reported}
		if r.Reported {
			wh := int64(r.DeliveredWh)
			b.DeliveredWh = &wh
		}
		if c := r.Charge; c != nil {
			b.Charge = &drDispatchChargeJSON{ChargePermille: c.Permille, Source: c.Source}
			if c.Source == dr.ChargeReported {
				at := instant(c.At)
				b.Charge.ReadingAt = &at
			}
		}
		out.Batteries = append(out.Batteries, b)
	}
	return out
}

func (h *handler) getDRFleet(w http.ResponseWriter, r *http.Request, _ *principal) {
	id, err := pathID(r, "id", "event")
	if err == nil {
		err = newParams(r).err()
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	d, err := openadr.Delivered(r.Context(), h.db, id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, drFleetOut(d))
}

func (h *handler) dispatchDRFleet(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "event")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req drFleetRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	var f apperr.Fields
	target, soc := fleetTarget(&f, req.TargetKW, req.SOCPct)
	if err := f.Err("api.dispatchDRFleet"); err != nil {
		h.writeError(w, r, err)
		return
	}
	cat, err := h.drCatalog()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		e, err := tx.DREvent(ctx, id)
		if err != nil {
			return 0, nil, err
		}
		prog, err := cat.Program(e.Program)
		if err != nil {
			return 0, nil, err
		}
		_, saved, err := tx.DispatchFleet(ctx, p.actor, prog, id, target, soc)
		if err != nil {
			return 0, nil, err
		}
		d, err := openadr.Delivered(ctx, tx, id)
		if err != nil {
			return 0, nil, err
		}
		if saved {
			return http.StatusCreated, drFleetOut(d), nil
		}
		return http.StatusOK, drFleetOut(d), nil
	})
}
