package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/emissions"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/evcharge"
)

const vehicleCols = `id, account_id, name, make, model, battery_wh, max_w, charger, enrolled`

func scanVehicle(s interface{ Scan(...any) error }) (evcharge.Vehicle, error) {
	var v evcharge.Vehicle
	var enrolled string
	if err := s.Scan(&v.ID, &v.AccountID, &v.Name, &v.Make, &v.Model, &v.BatteryWh, &v.MaxW, &v.Charger, &enrolled); err != nil {
		return v, err
	}
	var err error
	v.Enrolled, err = calendar.ParseDate(enrolled)
	return v, err
}

// EnrollVehicle stores a vehicle of an account in EV SmartCharge.
func (tx *Tx) EnrollVehicle(ctx context.Context, actor auth.Actor, v *evcharge.Vehicle) error {
	var f apperr.Fields
	v.Name = strings.TrimSpace(v.Name)
	if v.AccountID <= 0 {
		f.Add("account", "is required")
	}
	if v.Name == "" || len(v.Name) > 64 {
		f.Add("name", "must be 1 to 64 characters")
	}
	if v.BatteryWh <= 0 || v.BatteryWh > 500_000 {
		f.Add("battery_kwh", "must be between 0 and 500 kWh")
	}
	if v.MaxW <= 0 || v.MaxW > 400_000 {
		f.Add("max_kw", "must be between 0 and 400 kW")
	}
	if v.Enrolled.IsZero() {
		f.Add("enrolled", "is required")
	}
	if err := f.Err("store.EnrollVehicle"); err != nil {
		return err
	}
	if _, err := tx.Account(ctx, v.AccountID); err != nil {
		return err
	}
	err := tx.q.QueryRowContext(ctx, `INSERT INTO ev_vehicles (account_id, name, make, model, battery_wh, max_w, charger, enrolled, created_unix)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, v.AccountID, v.Name, v.Make, v.Model, v.BatteryWh, int64(v.MaxW), v.Charger,
		v.Enrolled.String(), tx.now().Unix()).Scan(&v.ID)
	if err != nil {
		return fmt.Errorf("store: enroll vehicle: %w", mapErr(err))
	}
	return tx.audit(ctx, actor, "create", "ev_vehicle", v.ID, nil, v)
}

// Vehicles returns the enrolled vehicles of an account (0: every account)
// in id order.
func (q queries) Vehicles(ctx context.Context, accountID int64) ([]evcharge.Vehicle, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+vehicleCols+` FROM ev_vehicles WHERE ($1 = 0 OR account_id = $1) ORDER BY id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: vehicles: %w", err)
	}
	defer rows.Close()
	var out []evcharge.Vehicle
	for rows.Next() {
		v, err := scanVehicle(rows)
		if err != nil {
			return nil, fmt.Errorf("store: vehicles: %w", err)
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// SessionImport counts what ImportSessions stored.
type SessionImport struct {
	Added     int `json:"added"`
	Unchanged int `json:"unchanged"` // already stored (same vehicle and plug-in)
}

// ImportSessions stores charging sessions, each once by vehicle and
// plug-in time. A session of a vehicle that is not enrolled refuses the
// whole import, naming the vehicle.
func (tx *Tx) ImportSessions(ctx context.Context, actor auth.Actor, ss []evcharge.Session) (SessionImport, error) {
	var res SessionImport
	ids := map[string]int64{}
	for _, s := range ss {
		id, ok := ids[s.Vehicle]
		if !ok {
			err := tx.q.QueryRowContext(ctx, `SELECT id FROM ev_vehicles WHERE name = $1`, s.Vehicle).Scan(&id)
			if errors.Is(err, sql.ErrNoRows) {
				var f apperr.Fields
				f.Add("vehicle", "vehicle %q is not enrolled in EV SmartCharge", s.Vehicle)
				return SessionImport{}, f.Err("store.ImportSessions")
			} else if err != nil {
				return SessionImport{}, fmt.Errorf("store: sessions: %w", err)
			}
			ids[s.Vehicle] = id
		}
		js, err := json.Marshal(s.Charges)
		if err != nil {
			return SessionImport{}, err
		}
		r, err := tx.q.ExecContext(ctx, `INSERT INTO ev_sessions (vehicle_id, plug_in_unix, unplug_unix, max_w, energy_wh, charges_json)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (vehicle_id, plug_in_unix) DO NOTHING`,
			id, s.PlugIn.Unix(), s.Unplug.Unix(), int64(s.MaxW), int64(s.EnergyWh()), string(js))
		if err != nil {
			return SessionImport{}, fmt.Errorf("store: sessions: %w", mapErr(err))
		}
		if n, _ := r.RowsAffected(); n > 0 {
			res.Added++
		} else {
			res.Unchanged++
		}
	}
	if res.Added > 0 {
		if err := tx.Audit(ctx, actor, "import", "ev_sessions", 0, res); err != nil {
			return SessionImport{}, err
		}
	}
	return res, nil
}

// Sessions returns the sessions plugged in within [from, to) of one
// account's vehicles (0: every account), in plug-in order.
func (q queries) Sessions(ctx context.Context, accountID int64, from, to time.Time) ([]evcharge.Session, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT v.name, s.plug_in_unix, s.unplug_unix, s.max_w, s.charges_json FROM ev_sessions s
		JOIN ev_vehicles v ON v.id = s.vehicle_id WHERE ($1 = 0 OR v.account_id = $1) AND s.plug_in_unix >= $2 AND s.plug_in_unix < $3
		ORDER BY s.plug_in_unix, v.name`, accountID, from.Unix(), to.Unix())
	if err != nil {
		return nil, fmt.Errorf("store: sessions: %w", err)
	}
	defer rows.Close()
	var out []evcharge.Session
	for rows.Next() {
		var s evcharge.Session
		var plug, unplug, maxW int64
		var js string
		if err := rows.Scan(&s.Vehicle, &plug, &unplug, &maxW, &js); err != nil {
			return nil, fmt.Errorf("store: sessions: %w", err)
		}
		s.PlugIn, s.Unplug, s.MaxW = time.Unix(plug, 0).UTC(), time.Unix(unplug, 0).UTC(), energy.W(maxW)
		if err := json.Unmarshal([]byte(js), &s.Charges); err != nil {
			return nil, fmt.Errorf("store: session charges: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// PutSignal stores an emission signal under a name, a UTC day at a time,
// replacing the days it covers; the signal's step must divide a day.
func (tx *Tx) PutSignal(ctx context.Context, actor auth.Actor, name string, s emissions.Signal) (days int, err error) {
	if strings.TrimSpace(name) == "" || len(name) > 64 {
		var f apperr.Fields
		f.Add("name", "must be 1 to 64 characters")
		return 0, f.Err("store.PutSignal")
	}
	if s.Step <= 0 || (24*time.Hour)%s.Step != 0 {
		return 0, apperr.Invalidf("store.PutSignal", "the signal's step %v must divide a day", s.Step)
	}
	per := int(24 * time.Hour / s.Step)
	byDay := map[string][]any{}
	var order []string
	for i, v := range s.Values {
		t := s.Start.Add(time.Duration(i) * s.Step).UTC()
		day := t.Format(time.DateOnly)
		vals, ok := byDay[day]
		if !ok {
			vals = make([]any, per)
			order = append(order, day)
		}
		if !math.IsNaN(v) {
			vals[int(t.Sub(t.Truncate(24*time.Hour))/s.Step)] = v
		}
		byDay[day] = vals
	}
	for _, day := range order {
		start, _ := time.Parse(time.DateOnly, day)
		js, _ := json.Marshal(byDay[day])
		_, err := tx.q.ExecContext(ctx, `INSERT INTO emission_signal_days (signal, day, kind, region, start_unix, step_s, values_json)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (signal, day) DO UPDATE SET kind = excluded.kind, region = excluded.region,
			start_unix = excluded.start_unix, step_s = excluded.step_s, values_json = excluded.values_json`,
			name, day, string(s.Kind), s.Region, start.Unix(), int64(s.Step/time.Second), string(js))
		if err != nil {
			return 0, fmt.Errorf("store: signal: %w", mapErr(err))
		}
	}
	return len(order), tx.Audit(ctx, actor, "import", "emission_signal", 0, map[string]any{"signal": name, "days": len(order), "step_s": s.Step / time.Second})
}

// Signal reads a stored signal over [from, to) (whole UTC days), with NaN
// where no value is stored. All days must share one step.
func (q queries) Signal(ctx context.Context, name string, from, to time.Time) (emissions.Signal, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT kind, region, start_unix, step_s, values_json FROM emission_signal_days
		WHERE signal = $1 AND start_unix >= $2 AND start_unix < $3 ORDER BY start_unix`, name, from.UTC().Truncate(24*time.Hour).Unix(), to.Unix())
	if err != nil {
		return emissions.Signal{}, fmt.Errorf("store: signal: %w", err)
	}
	defer rows.Close()
	var s emissions.Signal
	for rows.Next() {
		var kind, region, js string
		var start, step int64
		if err := rows.Scan(&kind, &region, &start, &step, &js); err != nil {
			return s, err
		}
		var vals []*float64
		if err := json.Unmarshal([]byte(js), &vals); err != nil {
			return s, fmt.Errorf("store: signal %s: %w", name, err)
		}
		st := time.Duration(step) * time.Second
		if s.Step == 0 {
			s = emissions.Signal{Kind: emissions.Kind(kind), Region: region, Start: time.Unix(start, 0).UTC(), Step: st}
		}
		if st != s.Step {
			return s, apperr.Invalidf("store.Signal", "signal %s changes step on %s", name, time.Unix(start, 0).UTC().Format(time.DateOnly))
		}
		for int64(s.End().Unix()) < start { // a missing day
			s.Values = append(s.Values, math.NaN())
		}
		for _, v := range vals {
			if v == nil {
				s.Values = append(s.Values, math.NaN())
			} else {
				s.Values = append(s.Values, *v)
			}
		}
	}
	if err := rows.Err(); err != nil {
		return s, err
	}
	if s.Step == 0 {
		return s, apperr.NotFoundf("store.Signal", "no emission signal %q stored for that time", name)
	}
	return s, nil
}

// SignalNames lists the stored signals.
func (q queries) SignalNames(ctx context.Context) ([]string, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT DISTINCT signal FROM emission_signal_days ORDER BY signal`)
	if err != nil {
		return nil, fmt.Errorf("store: signals: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// LastSessionStart returns the latest plug-in stored (ok false when there
// is none).
func (q queries) LastSessionStart(ctx context.Context) (time.Time, bool, error) {
	var v sql.NullInt64
	if err := q.q.QueryRowContext(ctx, `SELECT MAX(plug_in_unix) FROM ev_sessions`).Scan(&v); err != nil {
		return time.Time{}, false, fmt.Errorf("store: sessions: %w", err)
	}
	return time.Unix(v.Int64, 0).UTC(), v.Valid, nil
}
