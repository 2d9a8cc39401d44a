package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
)

// audit writes one audit record in the transaction. before and after are
// marshalled to JSON; pass nil for "did not exist".
func (tx *Tx) audit(ctx context.Context, actor auth.Actor, action, entity string, id int64, before, after any) error {
	enc := func(v any) (any, error) {
		if v == nil {
			return nil, nil
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		return string(b), nil
	}
	bj, err := enc(before)
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	aj, err := enc(after)
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	_, err = tx.q.ExecContext(ctx, `INSERT INTO audit_log (at_unix, actor, action, entity, entity_id, before_json, after_json)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, tx.now().Unix(), actor.String(), action, entity, strconv.FormatInt(id, 10), bj, aj)
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	return nil
}

// Audit records an action that changes no registry row (a login, a job
// enqueued) in the audit log.
func (tx *Tx) Audit(ctx context.Context, actor auth.Actor, action, entity string, id int64, detail any) error {
	return tx.audit(ctx, actor, action, entity, id, nil, detail)
}

// AuditFilter selects audit records; zero fields match everything.
type AuditFilter struct {
	Entity   string
	EntityID string
	Before   int64 // cursor: records with id < Before
	Limit    int
}

// AuditLog returns audit records, newest first.
func (q queries) AuditLog(ctx context.Context, f AuditFilter) ([]auth.AuditRecord, error) {
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	if f.Before <= 0 {
		f.Before = 1 << 62
	}
	rows, err := q.q.QueryContext(ctx, `SELECT id, at_unix, actor, action, entity, entity_id, before_json, after_json
		FROM audit_log WHERE ($1 = '' OR entity = $1) AND ($2 = '' OR entity_id = $2) AND id < $3
		ORDER BY id DESC LIMIT $4`, f.Entity, f.EntityID, f.Before, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	var out []auth.AuditRecord
	for rows.Next() {
		var r auth.AuditRecord
		var at int64
		var b, a sql.NullString
		if err := rows.Scan(&r.ID, &at, &r.Actor, &r.Action, &r.Entity, &r.EntityID, &b, &a); err != nil {
			return nil, fmt.Errorf("store: audit log: %w", err)
		}
		r.At = time.Unix(at, 0).UTC()
		if b.Valid {
			r.Before = json.RawMessage(b.String)
		}
		if a.Valid {
			r.After = json.RawMessage(a.String)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
