package store

// Store methods the JSON API needs beyond the registry basics: a paged,
// filtered meter list, meter updates, and the registry sizes exported as
// metrics.

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
)

// MeterFilter selects meters; zero fields match everything.
type MeterFilter struct {
	AccountID int64
	Serial    string  // exact serial
	IDs       []int64 // restrict to meters of these accounts (portal users); empty matches nothing
	After     int64   // cursor: meters with id > After
	Limit     int
}

// MeterList lists meters with their channels in ID order after the cursor.
func (q queries) MeterList(ctx context.Context, f MeterFilter) ([]customer.Meter, error) {
	args := []any{f.After, f.AccountID, f.Serial, clampLimit(f.Limit)}
	query := `SELECT id, account_id, serial, interval_seconds, installed, removed FROM meters
		WHERE id > $1 AND ($2 = 0 OR account_id = $2) AND ($3 = '' OR serial = $3)`
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return nil, nil
		}
		query += ` AND account_id IN (` + placeholders(len(args)+1, len(f.IDs)) + `)`
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	query += ` ORDER BY id LIMIT $4`
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: meter list: %w", err)
	}
	var out []customer.Meter
	for rows.Next() {
		var m customer.Meter
		var inst string
		var rem sql.NullString
		if err := rows.Scan(&m.ID, &m.AccountID, &m.Serial, &m.IntervalSeconds, &inst, &rem); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: meter list: %w", err)
		}
		m.Installed, err = calendar.ParseDate(inst)
		if err == nil && rem.Valid {
			m.Removed, err = calendar.ParseDate(rem.String)
		}
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: meter list: %w", err)
		}
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: meter list: %w", err)
	}
	for i := range out {
		if out[i].Channels, err = q.channels(ctx, out[i].ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UpdateMeter validates m and saves it over the stored meter: account,
// serial, installation and removal dates. The interval length is fixed for
// the life of a meter (its stored readings are laid out by it), and
// channels may be added (say, a received channel when solar is installed)
// but never removed, since readings may hang off them.
func (tx *Tx) UpdateMeter(ctx context.Context, actor auth.Actor, m *customer.Meter) error {
	before, err := tx.Meter(ctx, m.ID)
	if err != nil {
		return err
	}
	if err := m.Validate(); err != nil {
		return err
	}
	if m.IntervalSeconds != before.IntervalSeconds {
		var f apperr.Fields
		f.Add("interval_seconds", "cannot change from %d; install a new meter instead", before.IntervalSeconds)
		return f.Err("store.UpdateMeter")
	}
	if _, err := tx.Account(ctx, m.AccountID); apperr.Is(err, apperr.NotFound) {
		var f apperr.Fields
		f.Add("account_id", "account %d does not exist", m.AccountID)
		return f.Err("store.UpdateMeter")
	} else if err != nil {
		return err
	}
	var f apperr.Fields
	for _, old := range before.Channels {
		if !slices.ContainsFunc(m.Channels, func(c customer.Channel) bool { return c.Direction == old.Direction }) {
			f.Add("channels", "the %s channel cannot be removed", old.Direction)
		}
	}
	if err := f.Err("store.UpdateMeter"); err != nil {
		return err
	}
	_, err = tx.q.ExecContext(ctx, `UPDATE meters SET account_id = $2, serial = $3, installed = $4, removed = $5 WHERE id = $1`,
		m.ID, m.AccountID, m.Serial, m.Installed.String(), dateText(m.Removed))
	if err != nil {
		if apperr.KindOf(mapErr(err)) == apperr.Conflict {
			return apperr.E(apperr.Conflict, "store.UpdateMeter", fmt.Sprintf("meter serial %s already exists", m.Serial), err)
		}
		return fmt.Errorf("store: update meter: %w", mapErr(err))
	}
	for i := range m.Channels {
		c := &m.Channels[i]
		c.MeterID = m.ID
		j := slices.IndexFunc(before.Channels, func(o customer.Channel) bool { return o.Direction == c.Direction })
		if j >= 0 {
			old := before.Channels[j]
			if c.IntervalSeconds != old.IntervalSeconds || c.NetOnly != old.NetOnly {
				f.Add("channels", "the %s channel's interval and net_only cannot change", c.Direction)
				return f.Err("store.UpdateMeter")
			}
			c.ID = old.ID
			continue
		}
		err := tx.q.QueryRowContext(ctx, `INSERT INTO channels (meter_id, direction, interval_seconds, net_only) VALUES ($1, $2, $3, $4) RETURNING id`,
			m.ID, c.Direction, c.IntervalSeconds, b2i(c.NetOnly)).Scan(&c.ID)
		if err != nil {
			return fmt.Errorf("store: add channel: %w", mapErr(err))
		}
	}
	return tx.audit(ctx, actor, "update", "meter", m.ID, before, m)
}

// RegistrySize is how many rows the registry holds, for monitoring.
type RegistrySize struct {
	Customers, Premises, Accounts, Meters int64
}

// RegistrySize counts customers, premises, accounts and meters.
func (q queries) RegistrySize(ctx context.Context) (RegistrySize, error) {
	var s RegistrySize
	err := q.q.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM customers), (SELECT count(*) FROM premises),
		(SELECT count(*) FROM accounts), (SELECT count(*) FROM meters)`).Scan(&s.Customers, &s.Premises, &s.Accounts, &s.Meters)
	if err != nil {
		return s, fmt.Errorf("store: registry size: %w", err)
	}
	return s, nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	var one int
	if err := db.sql.QueryRowContext(ctx, `SELECT 1`).Scan(&one); err != nil {
		return fmt.Errorf("store: ping: %w", err)
	}
	return nil
}
