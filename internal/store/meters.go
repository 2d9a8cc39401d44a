package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
)

// CreateMeter validates m and inserts it with its channels.
func (tx *Tx) CreateMeter(ctx context.Context, actor auth.Actor, m *customer.Meter) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if _, err := tx.Account(ctx, m.AccountID); apperr.Is(err, apperr.NotFound) {
		var f apperr.Fields
		f.Add("account_id", "account %d does not exist", m.AccountID)
		return f.Err("store.CreateMeter")
	} else if err != nil {
		return err
	}
	err := tx.q.QueryRowContext(ctx, `INSERT INTO meters (account_id, serial, interval_seconds, installed, removed)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, m.AccountID, m.Serial, m.IntervalSeconds, m.Installed.String(), dateText(m.Removed)).Scan(&m.ID)
	if err != nil {
		if apperr.KindOf(mapErr(err)) == apperr.Conflict {
			return apperr.E(apperr.Conflict, "store.CreateMeter", fmt.Sprintf("meter serial %s already exists", m.Serial), err)
		}
		return fmt.Errorf("store: create meter: %w", mapErr(err))
	}
	for i := range m.Channels {
		c := &m.Channels[i]
		c.MeterID = m.ID
		err := tx.q.QueryRowContext(ctx, `INSERT INTO channels (meter_id, direction, interval_seconds, net_only) VALUES ($1, $2, $3, $4) RETURNING id`,
			m.ID, c.Direction, c.IntervalSeconds, b2i(c.NetOnly)).Scan(&c.ID)
		if err != nil {
			return fmt.Errorf("store: create channel: %w", mapErr(err))
		}
	}
	return tx.audit(ctx, actor, "create", "meter", m.ID, nil, m)
}

// Meter returns a meter with its channels.
func (q queries) Meter(ctx context.Context, id int64) (customer.Meter, error) {
	ms, err := q.meters(ctx, `WHERE id = $1`, id)
	if err != nil {
		return customer.Meter{}, err
	}
	if len(ms) == 0 {
		return customer.Meter{}, apperr.NotFoundf("store.Meter", "meter %d not found", id)
	}
	return ms[0], nil
}

// Meters returns an account's meters with their channels.
func (q queries) Meters(ctx context.Context, accountID int64) ([]customer.Meter, error) {
	return q.meters(ctx, `WHERE account_id = $1`, accountID)
}

func (q queries) meters(ctx context.Context, where string, arg any) ([]customer.Meter, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, account_id, serial, interval_seconds, installed, removed FROM meters `+where+` ORDER BY id`, arg)
	if err != nil {
		return nil, fmt.Errorf("store: meters: %w", err)
	}
	var out []customer.Meter
	for rows.Next() {
		var m customer.Meter
		var inst string
		var rem sql.NullString
		if err := rows.Scan(&m.ID, &m.AccountID, &m.Serial, &m.IntervalSeconds, &inst, &rem); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: meters: %w", err)
		}
		m.Installed, err = calendar.ParseDate(inst)
		if err == nil && rem.Valid {
			m.Removed, err = calendar.ParseDate(rem.String)
		}
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: meters: %w", err)
		}
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if out[i].Channels, err = q.channels(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (q queries) channels(ctx context.Context, meterID int64) ([]customer.Channel, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, meter_id, direction, interval_seconds, net_only FROM channels WHERE meter_id = $1 ORDER BY id`, meterID)
	if err != nil {
		return nil, fmt.Errorf("store: channels: %w", err)
	}
	defer rows.Close()
	var out []customer.Channel
	for rows.Next() {
		var c customer.Channel
		var net int64
		if err := rows.Scan(&c.ID, &c.MeterID, &c.Direction, &c.IntervalSeconds, &net); err != nil {
			return nil, fmt.Errorf("store: channels: %w", err)
		}
		c.NetOnly = net == 1
		out = append(out, c)
	}
	return out, rows.Err()
}

// Channel returns one channel.
func (q queries) Channel(ctx context.Context, id int64) (customer.Channel, error) {
	var c customer.Channel
	var net int64
	err := q.q.QueryRowContext(ctx, `SELECT id, meter_id, direction, interval_seconds, net_only FROM channels WHERE id = $1`, id).
		Scan(&c.ID, &c.MeterID, &c.Direction, &c.IntervalSeconds, &net)
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFoundf("store.Channel", "channel %d not found", id)
	}
	c.NetOnly = net == 1
	return c, err
}
