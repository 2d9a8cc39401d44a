package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/evcharge"
)

// RegisterCharger registers an OCPP charge point identity for OCPP 1.6
// Security Profile 1 (HTTP Basic authentication on the WebSocket
// upgrade, the identity as user) and returns its password, shown once:
// 24 random bytes, URL-safe base64; only its SHA-256 is kept. When
// vehicleID is not 0 the vehicle's charger becomes identity. An identity
// already registered is a Conflict unless reset is set, which replaces
// its password.
func (tx *Tx) RegisterCharger(ctx context.Context, actor auth.Actor, identity string, vehicleID int64, reset bool) (secret string, err error) {
	const op = "store.RegisterCharger"
	identity = strings.TrimSpace(identity)
	var f apperr.Fields
	// OCPP-J puts the identity in the URL path; OCPP 1.6 CiString20Type
	// is the length of chargeBoxIdentity in the SOAP binding and the
	// Security Whitepaper keeps it (identities up to 20 characters).
	if identity == "" || len(identity) > 20 || strings.ContainsAny(identity, "/?#: ") {
		f.Add("id", "must be 1 to 20 characters without /, ?, #, : or spaces")
	}
	if err := f.Err(op); err != nil {
		return "", err
	}
	if vehicleID != 0 {
		v, err := tx.Vehicle(ctx, vehicleID)
		if err != nil {
			return "", err
		}
		if _, err := tx.q.ExecContext(ctx, `UPDATE ev_vehicles SET charger = $1 WHERE id = $2`, identity, vehicleID); err != nil {
			return "", fmt.Errorf("store: charger: %w", mapErr(err))
		}
		after := v
		after.Charger = identity
		if err := tx.audit(ctx, actor, "update", "ev_vehicle", v.ID, v, after); err != nil {
			return "", err
		}
	}
	secret = randomToken(24)
	q := `INSERT INTO ev_charger_keys (identity, secret_sha256, actor, created_unix) VALUES ($1, $2, $3, $4)`
	if reset {
		q += ` ON CONFLICT (identity) DO UPDATE SET secret_sha256 = excluded.secret_sha256, actor = excluded.actor, created_unix = excluded.created_unix`
	}
	if _, err := tx.q.ExecContext(ctx, q, identity, sha(secret), actor.String(), tx.now().Unix()); err != nil {
		err = mapErr(err)
		if apperr.Is(err, apperr.Conflict) {
			return "", apperr.E(apperr.Conflict, op, fmt.Sprintf("charger %q is already registered (reset gives it a new password)", identity), nil)
		}
		return "", fmt.Errorf("store: charger: %w", err)
	}
	return secret, tx.audit(ctx, actor, "create", "ev_charger_key", 0, nil, map[string]any{"identity": identity, "vehicle_id": vehicleID, "reset": reset})
}

// ChargerAuth reports whether identity is registered with password
// secret (false for an unknown identity or a wrong password).
func (q queries) ChargerAuth(ctx context.Context, identity, secret string) (bool, error) {
	var want string
	err := q.q.QueryRowContext(ctx, `SELECT secret_sha256 FROM ev_charger_keys WHERE identity = $1`, identity).Scan(&want)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: charger auth: %w", err)
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(sha(secret))) == 1, nil
}

// ChargerRegistered reports whether identity has a password.
func (q queries) ChargerRegistered(ctx context.Context, identity string) (bool, error) {
	var n int
	if err := q.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM ev_charger_keys WHERE identity = $1`, identity).Scan(&n); err != nil {
		return false, fmt.Errorf("store: charger: %w", err)
	}
	return n > 0, nil
}

// OCPPTransaction is an OCPP transaction as the central system stores
// it from StartTransaction until StopTransaction.
type OCPPTransaction struct {
	ID        int
	Charger   string
	Connector int
	IDTag     string
	VehicleID int64 // 0: no enrolled vehicle charges at the charger
	Start     time.Time
	MeterWh   energy.Wh // meterStart
	// Readings are the energy register readings so far, in time order,
	// meterStart first.
	Readings []evcharge.MeterReading
	Stopped  bool
}

// StartOCPPTransaction stores an open transaction and sets t.ID to the
// transaction id allocated for it, with meterStart as its first reading.
func (tx *Tx) StartOCPPTransaction(ctx context.Context, t *OCPPTransaction) error {
	var vehicle any
	if t.VehicleID != 0 {
		vehicle = t.VehicleID
	}
	err := tx.q.QueryRowContext(ctx, `INSERT INTO ev_transactions (charger, connector, id_tag, vehicle_id, meter_start_wh, start_unix)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, t.Charger, t.Connector, t.IDTag, vehicle, int64(t.MeterWh), t.Start.Unix()).Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("store: ocpp transaction: %w", mapErr(err))
	}
	t.Readings = []evcharge.MeterReading{{At: t.Start.UTC().Truncate(time.Second), Wh: t.MeterWh}}
	return tx.AddOCPPReadings(ctx, t.ID, t.Readings)
}

// AddOCPPReadings stores register readings of an open transaction (a
// second reading at the same second is ignored). Readings of a
// transaction not stored are NotFound.
func (tx *Tx) AddOCPPReadings(ctx context.Context, txID int, rs []evcharge.MeterReading) error {
	var n int
	if err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM ev_transactions WHERE id = $1 AND stop_unix IS NULL`, txID).Scan(&n); err != nil {
		return fmt.Errorf("store: ocpp readings: %w", err)
	}
	if n == 0 {
		return apperr.NotFoundf("store.AddOCPPReadings", "no open OCPP transaction %d", txID)
	}
	for _, r := range rs {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO ev_transaction_readings (transaction_id, at_unix, wh) VALUES ($1, $2, $3)
			ON CONFLICT (transaction_id, at_unix) DO NOTHING`, txID, r.At.Unix(), int64(r.Wh)); err != nil {
			return fmt.Errorf("store: ocpp readings: %w", mapErr(err))
		}
	}
	return nil
}

// OCPPTransaction returns a stored transaction with its readings.
func (q queries) OCPPTransaction(ctx context.Context, id int) (OCPPTransaction, error) {
	var t OCPPTransaction
	var vehicle sql.NullInt64
	var start, meter int64
	var stop sql.NullInt64
	err := q.q.QueryRowContext(ctx, `SELECT id, charger, connector, id_tag, vehicle_id, meter_start_wh, start_unix, stop_unix FROM ev_transactions WHERE id = $1`, id).
		Scan(&t.ID, &t.Charger, &t.Connector, &t.IDTag, &vehicle, &meter, &start, &stop)
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.NotFoundf("store.OCPPTransaction", "no OCPP transaction %d", id)
	}
	if err != nil {
		return t, fmt.Errorf("store: ocpp transaction: %w", err)
	}
	t.VehicleID, t.MeterWh, t.Start, t.Stopped = vehicle.Int64, energy.Wh(meter), time.Unix(start, 0).UTC(), stop.Valid
	rows, err := q.q.QueryContext(ctx, `SELECT at_unix, wh FROM ev_transaction_readings WHERE transaction_id = $1 ORDER BY at_unix`, id)
	if err != nil {
		return t, fmt.Errorf("store: ocpp readings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var at, wh int64
		if err := rows.Scan(&at, &wh); err != nil {
			return t, fmt.Errorf("store: ocpp readings: %w", err)
		}
		t.Readings = append(t.Readings, evcharge.MeterReading{At: time.Unix(at, 0).UTC(), Wh: energy.Wh(wh)})
	}
	return t, rows.Err()
}

// OpenOCPPTransaction returns the open transaction at a charger (the
// latest when several are open); NotFound when none is.
func (q queries) OpenOCPPTransaction(ctx context.Context, charger string) (OCPPTransaction, error) {
	var id int
	err := q.q.QueryRowContext(ctx, `SELECT id FROM ev_transactions WHERE charger = $1 AND stop_unix IS NULL ORDER BY id DESC LIMIT 1`, charger).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return OCPPTransaction{}, apperr.NotFoundf("store.OpenOCPPTransaction", "no open OCPP transaction at %q", charger)
	}
	if err != nil {
		return OCPPTransaction{}, fmt.Errorf("store: ocpp transaction: %w", err)
	}
	return q.OCPPTransaction(ctx, id)
}

// StopOCPPTransaction closes an open transaction and returns it with its
// readings; closed reports whether this call closed it (false: it was
// already stopped, so its session is not to be stored again). An unknown
// id is NotFound.
func (tx *Tx) StopOCPPTransaction(ctx context.Context, id int, stop time.Time, meterStop energy.Wh) (t OCPPTransaction, closed bool, err error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE ev_transactions SET stop_unix = $2, meter_stop_wh = $3 WHERE id = $1 AND stop_unix IS NULL`, id, stop.Unix(), int64(meterStop))
	if err != nil {
		return t, false, fmt.Errorf("store: ocpp transaction: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return t, false, fmt.Errorf("store: ocpp transaction: %w", err)
	}
	t, err = tx.OCPPTransaction(ctx, id)
	return t, n == 1, err
}

// ClaimEVPlanSend claims a plan for sending on channel ("openadr" or
// "ocpp") and reports whether this call made the claim. It is one insert
// that does nothing on conflict, so of several processes claiming the
// same plan and channel exactly one gets true: the one that is to send.
func (q queries) ClaimEVPlanSend(ctx context.Context, planID int64, channel string) (bool, error) {
	res, err := q.q.ExecContext(ctx, `INSERT INTO ev_plan_sends (plan_id, channel, sent_unix) VALUES ($1, $2, $3)
		ON CONFLICT (plan_id, channel) DO NOTHING`, planID, channel, q.now().Unix())
	if err != nil {
		return false, fmt.Errorf("store: plan send: %w", mapErr(err))
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// EVPlanWatchStart is the plan id after which a watch of stored plans
// starting now looks: the lowest id of a plan departing after now, minus
// one; with no such plan, the highest plan id stored (0: none).
func (q queries) EVPlanWatchStart(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	if err := q.q.QueryRowContext(ctx, `SELECT MIN(id) FROM ev_plans WHERE departure_unix > $1`, q.now().Unix()).Scan(&id); err != nil {
		return 0, fmt.Errorf("store: plans: %w", err)
	}
	if id.Valid {
		return id.Int64 - 1, nil
	}
	return q.LastEVPlanID(ctx)
}
