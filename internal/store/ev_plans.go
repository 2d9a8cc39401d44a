package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/evcharge"
)

// Vehicle returns one enrolled vehicle.
func (q queries) Vehicle(ctx context.Context, id int64) (evcharge.Vehicle, error) {
	v, err := scanVehicle(q.q.QueryRowContext(ctx, `SELECT `+vehicleCols+` FROM ev_vehicles WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return v, apperr.NotFoundf("store.Vehicle", "vehicle %d not found", id)
	}
	if err != nil {
		return v, fmt.Errorf("store: vehicle: %w", err)
	}
	return v, nil
}

// VehicleByCharger returns the vehicle whose charger is an OCPP charge
// point identity (the lowest id when several share it).
func (q queries) VehicleByCharger(ctx context.Context, identity string) (evcharge.Vehicle, error) {
	v, err := scanVehicle(q.q.QueryRowContext(ctx, `SELECT `+vehicleCols+` FROM ev_vehicles WHERE charger = $1 ORDER BY id LIMIT 1`, identity))
	if errors.Is(err, sql.ErrNoRows) {
		return v, apperr.NotFoundf("store.VehicleByCharger", "no vehicle charges at %q", identity)
	}
	if err != nil {
		return v, fmt.Errorf("store: vehicle: %w", err)
	}
	return v, nil
}

// VehicleFilter pages through enrolled vehicles.
type VehicleFilter struct {
	AccountID int64   // 0: every account
	IDs       []int64 // non-nil: only these accounts (portal users)
	After     int64   // vehicle id cursor
	Limit     int     // 0: no limit
}

// VehiclePage returns vehicles in id order after the cursor.
func (q queries) VehiclePage(ctx context.Context, f VehicleFilter) ([]evcharge.Vehicle, error) {
	query := `SELECT ` + vehicleCols + ` FROM ev_vehicles WHERE id > $1 AND ($2 = 0 OR account_id = $2)`
	args := []any{f.After, f.AccountID}
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return nil, nil
		}
		query += ` AND account_id IN (` + placeholders(len(args)+1, len(f.IDs)) + `)`
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	query += ` ORDER BY id`
	if f.Limit > 0 {
		query += fmt.Sprintf(` LIMIT %d`, f.Limit)
	}
	return collect(ctx, q, scanVehicle, query, args...)
}

// EVPlanRecord is a charging plan stored for a vehicle: the need asked
// and the planner's answer. Vehicle, AccountID and Charger are read from
// the vehicle.
type EVPlanRecord struct {
	ID        int64     `json:"id"`
	VehicleID int64     `json:"vehicle_id"`
	Vehicle   string    `json:"vehicle"`
	AccountID int64     `json:"account_id"`
	Charger   string    `json:"charger"`
	PlugIn    time.Time `json:"plug_in"`
	Departure time.Time `json:"departure"`
	// NeedWh is the energy asked for (the plan's EnergyWh is what it
	// delivers; ShortfallWh the difference when the charger cannot).
	NeedWh energy.Wh `json:"need_wh"`
	// Source names the rates planned against, e.g. "tariff TOU-D-PRIME"
	// or "signal sgip-sce".
	Source  string        `json:"source"`
	Plan    evcharge.Plan `json:"plan"`
	Actor   string        `json:"actor"`
	Created time.Time     `json:"created"`
}

// SaveEVPlan stores a plan for an enrolled vehicle (the vehicle's latest
// plan is the one in force) and audits it.
func (tx *Tx) SaveEVPlan(ctx context.Context, actor auth.Actor, p *EVPlanRecord) error {
	const op = "store.SaveEVPlan"
	var f apperr.Fields
	if !p.Departure.After(p.PlugIn) {
		f.Add("departure", "must be after plug_in")
	}
	if p.NeedWh < 0 {
		f.Add("energy_kwh", "must not be negative")
	}
	if strings.TrimSpace(p.Source) == "" {
		f.Add("source", "is required")
	}
	if err := f.Err(op); err != nil {
		return err
	}
	v, err := tx.Vehicle(ctx, p.VehicleID)
	if err != nil {
		return err
	}
	js, err := json.Marshal(p.Plan)
	if err != nil {
		return fmt.Errorf("store: plan: %w", err)
	}
	p.Vehicle, p.AccountID, p.Charger = v.Name, v.AccountID, v.Charger
	p.Actor, p.Created = actor.String(), tx.now().UTC().Truncate(time.Second)
	err = tx.q.QueryRowContext(ctx, `INSERT INTO ev_plans (vehicle_id, plug_in_unix, departure_unix, need_wh, objective, rates_source, plan_json, actor, created_unix)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, p.VehicleID, p.PlugIn.Unix(), p.Departure.Unix(), int64(p.NeedWh),
		string(p.Plan.Objective), p.Source, string(js), p.Actor, p.Created.Unix()).Scan(&p.ID)
	if err != nil {
		return fmt.Errorf("store: plan: %w", mapErr(err))
	}
	return tx.audit(ctx, actor, "create", "ev_plan", p.ID, nil, p)
}

const evPlanCols = `p.id, p.vehicle_id, v.name, v.account_id, v.charger, p.plug_in_unix, p.departure_unix, p.need_wh, p.rates_source, p.plan_json, p.actor, p.created_unix`

func scanEVPlan(s interface{ Scan(...any) error }) (EVPlanRecord, error) {
	var p EVPlanRecord
	var plug, dep, need, created int64
	var js string
	if err := s.Scan(&p.ID, &p.VehicleID, &p.Vehicle, &p.AccountID, &p.Charger, &plug, &dep, &need, &p.Source, &js, &p.Actor, &created); err != nil {
		return p, err
	}
	p.PlugIn, p.Departure, p.Created = time.Unix(plug, 0).UTC(), time.Unix(dep, 0).UTC(), time.Unix(created, 0).UTC()
	p.NeedWh = energy.Wh(need)
	return p, json.Unmarshal([]byte(js), &p.Plan)
}

func (q queries) evPlans(ctx context.Context, where string, args ...any) ([]EVPlanRecord, error) {
	return collect(ctx, q, scanEVPlan, `SELECT `+evPlanCols+` FROM ev_plans p JOIN ev_vehicles v ON v.id = p.vehicle_id `+where, args...)
}

// EVPlan returns one stored plan.
func (q queries) EVPlan(ctx context.Context, id int64) (EVPlanRecord, error) {
	ps, err := q.evPlans(ctx, `WHERE p.id = $1`, id)
	if err != nil {
		return EVPlanRecord{}, err
	}
	if len(ps) == 0 {
		return EVPlanRecord{}, apperr.NotFoundf("store.EVPlan", "charging plan %d not found", id)
	}
	return ps[0], nil
}

// LatestEVPlan returns the plan in force for a vehicle: its latest.
func (q queries) LatestEVPlan(ctx context.Context, vehicleID int64) (EVPlanRecord, error) {
	ps, err := q.evPlans(ctx, `WHERE p.vehicle_id = $1 ORDER BY p.id DESC LIMIT 1`, vehicleID)
	if err != nil {
		return EVPlanRecord{}, err
	}
	if len(ps) == 0 {
		return EVPlanRecord{}, apperr.NotFoundf("store.LatestEVPlan", "vehicle %d has no charging plan", vehicleID)
	}
	return ps[0], nil
}

// EVPlansOf returns a vehicle's plans newest first, at most limit (0:
// all).
func (q queries) EVPlansOf(ctx context.Context, vehicleID int64, limit int) ([]EVPlanRecord, error) {
	where := `WHERE p.vehicle_id = $1 ORDER BY p.id DESC`
	if limit > 0 {
		where += fmt.Sprintf(` LIMIT %d`, limit)
	}
	return q.evPlans(ctx, where, vehicleID)
}

// EVPlansAfter returns plans stored with an id above after, in id order,
// at most limit: how a service finds the plans made since it last looked.
func (q queries) EVPlansAfter(ctx context.Context, after int64, limit int) ([]EVPlanRecord, error) {
	return q.evPlans(ctx, fmt.Sprintf(`WHERE p.id > $1 ORDER BY p.id LIMIT %d`, max(limit, 1)), after)
}

// CurrentEVPlans returns each vehicle's plan in force whose departure is
// after since, in plan id order.
func (q queries) CurrentEVPlans(ctx context.Context, since time.Time) ([]EVPlanRecord, error) {
	// One lookup of the (vehicle_id, id) index per vehicle, not a scan of
	// every plan ever stored: the VTN runs this on every poll of /events.
	return collect(ctx, q, scanEVPlan, `SELECT `+evPlanCols+` FROM ev_vehicles v
		JOIN ev_plans p ON p.id = (SELECT MAX(l.id) FROM ev_plans l WHERE l.vehicle_id = v.id)
		WHERE p.departure_unix > $1 ORDER BY p.id`, since.Unix())
}

// ChargerStatus is what the OCPP central system last heard from a charge
// point.
type ChargerStatus struct {
	Identity string `json:"identity"`
	// Status is the OCPP 1.6 ChargePointStatus of its last
	// StatusNotification (Available, Preparing, Charging, …), or what the
	// central system saw since: Connected, Booted (a BootNotification)
	// or Disconnected.
	Status        string    `json:"status"`
	Vendor        string    `json:"vendor"`
	Model         string    `json:"model"`
	TransactionID int       `json:"transaction_id"` // 0: none open; -1 to RecordCharger: keep the stored one
	LastSeen      time.Time `json:"last_seen"`
}

// RecordCharger stores what a charge point said: empty fields keep what
// was stored, LastSeen always moves. Not audited: it is telemetry.
func (tx *Tx) RecordCharger(ctx context.Context, c ChargerStatus) error {
	if strings.TrimSpace(c.Identity) == "" {
		var f apperr.Fields
		f.Add("identity", "is required")
		return f.Err("store.RecordCharger")
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO ev_chargers (identity, status, vendor, model, transaction_id, last_seen_unix)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (identity) DO UPDATE SET
		status = CASE WHEN excluded.status = '' THEN ev_chargers.status ELSE excluded.status END,
		vendor = CASE WHEN excluded.vendor = '' THEN ev_chargers.vendor ELSE excluded.vendor END,
		model = CASE WHEN excluded.model = '' THEN ev_chargers.model ELSE excluded.model END,
		transaction_id = CASE WHEN excluded.transaction_id < 0 THEN ev_chargers.transaction_id ELSE excluded.transaction_id END,
		last_seen_unix = excluded.last_seen_unix`,
		c.Identity, c.Status, c.Vendor, c.Model, c.TransactionID, c.LastSeen.Unix())
	if err != nil {
		return fmt.Errorf("store: charger: %w", mapErr(err))
	}
	return nil
}

// Chargers returns every charge point heard from, by identity.
func (q queries) Chargers(ctx context.Context) ([]ChargerStatus, error) {
	return q.chargers(ctx, `ORDER BY identity`)
}

func (q queries) chargers(ctx context.Context, where string, args ...any) ([]ChargerStatus, error) {
	return collect(ctx, q, func(r interface{ Scan(...any) error }) (ChargerStatus, error) {
		var c ChargerStatus
		var seen int64
		err := r.Scan(&c.Identity, &c.Status, &c.Vendor, &c.Model, &c.TransactionID, &seen)
		c.LastSeen = time.Unix(seen, 0).UTC()
		return c, err
	}, `SELECT identity, status, vendor, model, transaction_id, last_seen_unix FROM ev_chargers `+where, args...)
}

// Charger returns what was last heard from one charge point.
func (q queries) Charger(ctx context.Context, identity string) (ChargerStatus, error) {
	cs, err := q.chargers(ctx, `WHERE identity = $1`, identity)
	if err != nil {
		return ChargerStatus{}, err
	}
	if len(cs) == 1 {
		return cs[0], nil
	}
	return ChargerStatus{}, apperr.NotFoundf("store.Charger", "charger %q has not connected", identity)
}

// EVRates reads what a vehicle's plan is made against over [from, to):
// for LeastCost the energy prices of the account's rate schedule (the
// tariff version in force at from, 15-minute steps); for LeastCO2 the
// stored emission signal named signal. source names them for the plan.
func (q queries) EVRates(ctx context.Context, v evcharge.Vehicle, obj evcharge.Objective, signal string, from, to time.Time) (rates evcharge.Rates, source string, err error) {
	const op = "store.EVRates"
	switch obj {
	case evcharge.LeastCost:
		a, err := q.Account(ctx, v.AccountID)
		if err != nil {
			return nil, "", err
		}
		rec, err := q.TariffOn(ctx, "", a.RateSchedule, calendar.DateOf(from))
		if apperr.Is(err, apperr.NotFound) {
			var f apperr.Fields
			f.Add("objective", "no tariff %q is stored for account %s on %s: import it, or plan for emissions", a.RateSchedule, a.Number, calendar.DateOf(from))
			return nil, "", f.Err(op)
		} else if err != nil {
			return nil, "", err
		}
		rates, err := evcharge.TariffRates(&rec.Version, from, to, 15*time.Minute)
		return rates, "tariff " + a.RateSchedule, err
	case evcharge.LeastCO2:
		if strings.TrimSpace(signal) == "" {
			var f apperr.Fields
			f.Add("signal", "is required to plan for emissions: a stored emission signal (gridbook emissions import)")
			return nil, "", f.Err(op)
		}
		s, err := q.Signal(ctx, signal, from, to)
		if apperr.Is(err, apperr.NotFound) {
			var f apperr.Fields
			f.Add("signal", "%v", err)
			return nil, "", f.Err(op)
		} else if err != nil {
			return nil, "", err
		}
		return evcharge.SignalRates(s, from, to), "signal " + signal, nil
	}
	var f apperr.Fields
	f.Add("objective", "must be cost or emissions")
	return nil, "", f.Err(op)
}

// PlanVehicle plans one plug-in of vehicle id and stores the
// plan: need turns the vehicle into the planner's need and objective,
// the rates come from EVRates (signal for emissions). The API, the
// console and the demo call it.
func (tx *Tx) PlanVehicle(ctx context.Context, actor auth.Actor, id int64, need func(evcharge.Vehicle) (evcharge.Need, evcharge.Objective, error), signal string) (EVPlanRecord, error) {
	v, err := tx.Vehicle(ctx, id)
	if err != nil {
		return EVPlanRecord{}, err
	}
	n, obj, err := need(v)
	if err != nil {
		return EVPlanRecord{}, err
	}
	if !n.Departure.After(n.PlugIn) {
		var f apperr.Fields
		f.Add("departure", "must be after plug_in")
		return EVPlanRecord{}, f.Err("store.PlanVehicle")
	}
	rates, source, err := tx.EVRates(ctx, v, obj, signal, n.PlugIn, n.Departure)
	if err != nil {
		return EVPlanRecord{}, err
	}
	plan, err := evcharge.PlanCharging(n, rates, obj)
	if err != nil {
		return EVPlanRecord{}, err
	}
	rec := EVPlanRecord{VehicleID: v.ID, PlugIn: n.PlugIn, Departure: n.Departure, NeedWh: n.EnergyWh, Source: source, Plan: plan}
	if err := tx.SaveEVPlan(ctx, actor, &rec); err != nil {
		return EVPlanRecord{}, err
	}
	return rec, nil
}

// LastEVPlanID is the highest plan id stored (0: none).
func (q queries) LastEVPlanID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	if err := q.q.QueryRowContext(ctx, `SELECT MAX(id) FROM ev_plans`).Scan(&id); err != nil {
		return 0, fmt.Errorf("store: plans: %w", err)
	}
	return id.Int64, nil
}
