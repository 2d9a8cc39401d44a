package store

import (
	"context"
	"fmt"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/dr"
)

// RecordCharge stores a battery's reported state of charge (permille of
// full at at) under its serial; source names who reported it
// ("openadr:<client>"). A second reading of the same time replaces the
// first. An unknown serial is NotFound. It is telemetry, not audited.
func (tx *Tx) RecordCharge(ctx context.Context, serial string, at time.Time, permille int, source string) error {
	const op = "store.RecordCharge"
	if permille < 0 || permille > 1000 {
		var f apperr.Fields
		f.Add("charge", "must be 0 to 1000 thousandths of full")
		return f.Err(op)
	}
	res, err := tx.q.ExecContext(ctx, `INSERT INTO dr_device_charge (device_id, at_unix, charge_permille, source, recorded_unix)
		SELECT id, $2, $3, $4, $5 FROM dr_devices WHERE device_type = 'battery' AND serial = $1
		ON CONFLICT (device_id, at_unix) DO UPDATE SET charge_permille = excluded.charge_permille, source = excluded.source, recorded_unix = excluded.recorded_unix`,
		serial, at.Unix(), permille, source, tx.now().Unix())
	if err != nil {
		return fmt.Errorf("store: battery charge: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundf(op, "no battery with serial %q", serial)
	}
	return nil
}

// LatestCharges returns the latest reported charge of each battery of a
// program, by device id.
func (q queries) LatestCharges(ctx context.Context, program string) (map[int64]dr.ChargeReading, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT c.device_id, c.charge_permille, c.at_unix FROM dr_device_charge c
		JOIN dr_devices d ON d.id = c.device_id
		WHERE d.program = $1 AND c.at_unix = (SELECT MAX(x.at_unix) FROM dr_device_charge x WHERE x.device_id = c.device_id)`, program)
	if err != nil {
		return nil, fmt.Errorf("store: battery charges: %w", err)
	}
	defer rows.Close()
	out := map[int64]dr.ChargeReading{}
	for rows.Next() {
		var id, at int64
		var r dr.ChargeReading
		if err := rows.Scan(&id, &r.Permille, &at); err != nil {
			return nil, fmt.Errorf("store: battery charges: %w", err)
		}
		r.At = time.Unix(at, 0).UTC()
		out[id] = r
	}
	return out, rows.Err()
}
