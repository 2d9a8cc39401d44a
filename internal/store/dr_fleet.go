package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
)

// Battery fleet dispatch: a storage event's plan (dr.PlanFleet) is
// stored once with each battery's share; the OpenADR VTN publishes each
// share as an event for the battery's VEN.

// DispatchRecord is one battery's stored dispatch with the device's
// account and serial (the resourceName its VEN reports under).
type DispatchRecord struct {
	dr.Dispatch
	EventID   int64  `json:"event_id"`
	AccountID int64  `json:"account_id"`
	Serial    string `json:"serial"`
	// Charge is the state of charge the share was planned with and its
	// source; nil for a plan stored before it was kept (migration 0045).
	Charge *dr.DispatchCharge `json:"charge,omitempty"`
}

// FleetRecord is a stored fleet plan.
type FleetRecord struct {
	dr.FleetPlan
	Actor      string           `json:"actor"`
	Created    time.Time        `json:"created_at"`
	Batteries  int              `json:"batteries"`
	Dispatches []DispatchRecord `json:"dispatches"`
}

// DispatchEventID is the OpenADR id of a battery's dispatch event.
func DispatchEventID(eventID, deviceID int64) string {
	return "dispatch-" + strconv.FormatInt(eventID, 10) + "-" + strconv.FormatInt(deviceID, 10)
}

// ParseDispatchEventID reads "dispatch-<event>-<device>".
func ParseDispatchEventID(id string) (eventID, deviceID int64, ok bool) {
	var e, d int64
	if n, err := fmt.Sscanf(id, "dispatch-%d-%d", &e, &d); err != nil || n != 2 || DispatchEventID(e, d) != id {
		return 0, 0, false
	}
	return e, d, true
}

// SaveFleetPlan stores a storage event's plan once. The same plan again
// (target and state of charge) stores nothing (saved false); another
// target for an event already dispatched is a Conflict naming the first.
func (tx *Tx) SaveFleetPlan(ctx context.Context, actor auth.Actor, plan dr.FleetPlan) (saved bool, err error) {
	const op = "store.SaveFleetPlan"
	var target, soc int64
	err = tx.q.QueryRowContext(ctx, `SELECT target_w, soc_pct FROM dr_fleet_dispatches WHERE event_id = $1`+tx.forUpdate(), plan.EventID).Scan(&target, &soc)
	switch {
	case err == nil && energy.W(target) == plan.TargetW && int(soc) == plan.SOCPct:
		return false, nil
	case err == nil:
		return false, apperr.Conflictf(op, "event %d was dispatched at %s kW with %d%% charge; a dispatch is sent once", plan.EventID,
			energy.W(target).KWString(), soc)
	case !errors.Is(err, sql.ErrNoRows):
		return false, fmt.Errorf("store: fleet dispatch: %w", err)
	}
	if _, err := tx.DREvent(ctx, plan.EventID); err != nil {
		return false, err
	}
	_, err = tx.q.ExecContext(ctx, `INSERT INTO dr_fleet_dispatches (event_id, target_w, fleet_w, soc_pct, actor, created_unix) VALUES ($1, $2, $3, $4, $5, $6)`,
		plan.EventID, int64(plan.TargetW), int64(plan.FleetW), plan.SOCPct, actor.String(), tx.now().Unix())
	if err != nil {
		return false, fmt.Errorf("store: fleet dispatch: %w", mapErr(err))
	}
	charges := make(map[int64]dr.DispatchCharge, len(plan.Charges))
	for _, c := range plan.Charges {
		charges[c.DeviceID] = c
	}
	for _, d := range plan.Dispatches {
		var permille, at sql.NullInt64
		if c, ok := charges[d.DeviceID]; ok {
			permille = sql.NullInt64{Int64: int64(c.Permille), Valid: true}
			at = sql.NullInt64{Int64: c.At.Unix(), Valid: c.Source == dr.ChargeReported}
		}
		_, err := tx.q.ExecContext(ctx, `INSERT INTO dr_dispatches (event_id, device_id, w, wh, limit_reason, charge_permille, charge_at_unix)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			plan.EventID, d.DeviceID, int64(d.W), int64(d.Wh), d.Limit, permille, at)
		if err != nil {
			return false, fmt.Errorf("store: dispatch of device %d: %w", d.DeviceID, mapErr(err))
		}
	}
	return true, tx.audit(ctx, actor, "create", "dr_fleet_dispatch", plan.EventID, nil, plan)
}

// FleetPlanOf returns a storage event's stored plan with its dispatches
// in device order; NotFound when the event was not dispatched.
func (q queries) FleetPlanOf(ctx context.Context, eventID int64) (FleetRecord, error) {
	var r FleetRecord
	var target, fleet, created int64
	err := q.q.QueryRowContext(ctx, `SELECT target_w, fleet_w, soc_pct, actor, created_unix FROM dr_fleet_dispatches WHERE event_id = $1`, eventID).
		Scan(&target, &fleet, &r.SOCPct, &r.Actor, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundf("store.FleetPlanOf", "event %d has no fleet dispatch", eventID)
	} else if err != nil {
		return r, fmt.Errorf("store: fleet dispatch: %w", err)
	}
	r.EventID, r.TargetW, r.FleetW, r.Created = eventID, energy.W(target), energy.W(fleet), time.Unix(created, 0).UTC()
	if r.Dispatches, err = q.Dispatches(ctx, eventID); err != nil {
		return r, err
	}
	r.Batteries = len(r.Dispatches)
	r.FleetPlan.Dispatches = make([]dr.Dispatch, len(r.Dispatches))
	for i, d := range r.Dispatches {
		r.FleetPlan.Dispatches[i] = d.Dispatch
	}
	return r, nil
}

// Dispatches returns the batteries' dispatches of one event, or of every
// event (eventID 0), by event and device.
func (q queries) Dispatches(ctx context.Context, eventID int64) ([]DispatchRecord, error) {
	return collect(ctx, q, func(s interface{ Scan(...any) error }) (DispatchRecord, error) {
		var d DispatchRecord
		var w, wh int64
		var permille, at sql.NullInt64
		err := s.Scan(&d.EventID, &d.DeviceID, &w, &wh, &d.Limit, &d.AccountID, &d.Serial, &permille, &at)
		d.W, d.Wh = energy.W(w), energy.Wh(wh)
		if permille.Valid {
			d.Charge = &dr.DispatchCharge{DeviceID: d.DeviceID, Permille: int(permille.Int64), Source: dr.ChargeSetting}
			if at.Valid {
				d.Charge.Source, d.Charge.At = dr.ChargeReported, time.Unix(at.Int64, 0).UTC()
			}
		}
		return d, err
	}, `SELECT x.event_id, x.device_id, x.w, x.wh, x.limit_reason, v.account_id, v.serial, x.charge_permille, x.charge_at_unix
		FROM dr_dispatches x JOIN dr_devices v ON v.id = x.device_id
		WHERE ($1 = 0 OR x.event_id = $1) ORDER BY x.event_id, x.device_id`, eventID)
}

// FleetPlans returns the stored plans (without their dispatches), newest
// event first, at most limit (default 100).
func (q queries) FleetPlans(ctx context.Context, limit int) ([]FleetRecord, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	return collect(ctx, q, func(s interface{ Scan(...any) error }) (FleetRecord, error) {
		var r FleetRecord
		var target, fleet, created int64
		err := s.Scan(&r.EventID, &target, &fleet, &r.SOCPct, &r.Actor, &created, &r.Batteries)
		r.TargetW, r.FleetW, r.Created = energy.W(target), energy.W(fleet), time.Unix(created, 0).UTC()
		return r, err
	}, `SELECT f.event_id, f.target_w, f.fleet_w, f.soc_pct, f.actor, f.created_unix, (SELECT COUNT(*) FROM dr_dispatches x WHERE x.event_id = f.event_id)
		FROM dr_fleet_dispatches f JOIN dr_events e ON e.id = f.event_id ORDER BY e.start_unix DESC, f.event_id DESC LIMIT $1`, limit)
}

// DispatchReports returns the VEN reports on an event's battery dispatch
// events ("dispatch-<event>-…"), oldest first.
func (q queries) DispatchReports(ctx context.Context, eventID int64) ([]OADRObject, error) {
	prefix := "dispatch-" + strconv.FormatInt(eventID, 10) + "-"
	return collect(ctx, q, scanOADR, `SELECT `+oadrCols+` FROM oadr_objects WHERE kind = 'REPORT' AND event_id LIKE $1
		ORDER BY modified_unix, id`, prefix+"%")
}

// DispatchFleet plans and stores a storage event's dispatch in one step:
// the event (which must be program p's), p's batteries
// (dr.PlanChargedFleet at targetW: each battery's latest reported charge
// when it is at most the program's ChargeMaxAgeMinutes old, else socPct)
// and SaveFleetPlan. Dispatching an event again with the same target and
// charge returns the stored plan (saved false), even
// once the event is under way or over; another target is a Conflict
// naming the first. A refused plan stores nothing.
func (tx *Tx) DispatchFleet(ctx context.Context, actor auth.Actor, p dr.Program, eventID int64, targetW energy.W, socPct int) (FleetRecord, bool, error) {
	const op = "store.DispatchFleet"
	e, err := tx.DREvent(ctx, eventID)
	if err != nil {
		return FleetRecord{}, false, err
	}
	if e.Program != p.Code {
		return FleetRecord{}, false, apperr.Invalidf(op, "event %d belongs to program %s, not %s", eventID, e.Program, p.Code)
	}
	if prev, err := tx.FleetPlanOf(ctx, eventID); err == nil {
		if prev.TargetW == targetW && prev.SOCPct == socPct {
			return prev, false, nil
		}
		return FleetRecord{}, false, apperr.Conflictf(op, "event %d was dispatched at %s kW with %d%% charge; a dispatch is sent once", eventID,
			prev.TargetW.KWString(), prev.SOCPct)
	} else if !apperr.Is(err, apperr.NotFound) {
		return FleetRecord{}, false, err
	}
	devs, err := tx.Devices(ctx, DeviceFilter{Program: p.Code, Type: "battery", Limit: 100000})
	if err != nil {
		return FleetRecord{}, false, err
	}
	ds := make([]dr.Device, len(devs))
	for i, d := range devs {
		ds[i] = d.Device
	}
	latest, err := tx.LatestCharges(ctx, p.Code)
	if err != nil {
		return FleetRecord{}, false, err
	}
	plan, err := dr.PlanChargedFleet(p, e, ds, targetW, socPct, dr.Charges{Latest: latest, Now: tx.now(), MaxAge: time.Duration(p.ChargeMaxAgeMinutes) * time.Minute})
	if err != nil {
		return FleetRecord{}, false, err
	}
	saved, err := tx.SaveFleetPlan(ctx, actor, plan)
	if err != nil {
		return FleetRecord{}, false, err
	}
	rec, err := tx.FleetPlanOf(ctx, eventID)
	return rec, saved, err
}
