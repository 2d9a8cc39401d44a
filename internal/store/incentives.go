package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
)

// Incentive programs, budgets and their ledger, applications and their
// workflow. Every change of money writes ledger rows in the same
// transaction as the state change that caused it (DESIGN.md principle 5);
// budget rows are locked (SELECT … FOR UPDATE on PostgreSQL, SQLite's one
// writer) before their balances are read, so concurrent reservations
// never overspend a budget.

// forUpdate is the row-lock clause of the dialect.
func (q queries) forUpdate() string {
	if q.db.dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

func optDate(s sql.NullString) calendar.Date {
	if !s.Valid {
		return calendar.Date{}
	}
	d, _ := calendar.ParseDate(s.String) // written by us as YYYY-MM-DD
	return d
}

// ProgramImport counts what an import of programs stored.
type ProgramImport struct {
	Added, Changed, Unchanged int
	BudgetsAdded              int
}

// ImportPrograms saves every program of the catalog: new programs are
// added, programs whose document changed are replaced (audited with
// before and after), identical ones are left alone, so an import is
// idempotent. Budgets a program names are created (with their allocation
// in the ledger) when no budget has their id yet.
func (tx *Tx) ImportPrograms(ctx context.Context, actor auth.Actor, cat *incentive.Catalog) (ProgramImport, error) {
	var res ProgramImport
	for _, p := range cat.Programs() {
		doc, err := json.Marshal(p)
		if err != nil {
			return res, fmt.Errorf("store: program: %w", err)
		}
		sum := sha256.Sum256(doc)
		hash := hex.EncodeToString(sum[:])
		var oldDoc, oldHash string
		err = tx.q.QueryRowContext(ctx, `SELECT doc_json, sha256 FROM incentive_programs WHERE id = $1`, p.ID).Scan(&oldDoc, &oldHash)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.q.ExecContext(ctx, `INSERT INTO incentive_programs (id, name, doc_json, sha256, updated_unix) VALUES ($1, $2, $3, $4, $5)`,
				p.ID, p.Name, string(doc), hash, tx.now().Unix()); err != nil {
				return res, fmt.Errorf("store: program %s: %w", p.ID, mapErr(err))
			}
			if err := tx.auditText(ctx, actor, "create", "incentive_program", p.ID, nil, json.RawMessage(doc)); err != nil {
				return res, err
			}
			res.Added++
		case err != nil:
			return res, fmt.Errorf("store: program %s: %w", p.ID, err)
		case oldHash == hash:
			res.Unchanged++
		default:
			if _, err := tx.q.ExecContext(ctx, `UPDATE incentive_programs SET name = $2, doc_json = $3, sha256 = $4, updated_unix = $5 WHERE id = $1`,
				p.ID, p.Name, string(doc), hash, tx.now().Unix()); err != nil {
				return res, fmt.Errorf("store: program %s: %w", p.ID, mapErr(err))
			}
			if err := tx.auditText(ctx, actor, "update", "incentive_program", p.ID, json.RawMessage(oldDoc), json.RawMessage(doc)); err != nil {
				return res, err
			}
			res.Changed++
		}
		for _, spec := range p.Budgets {
			var n int
			if err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM incentive_budgets WHERE slug = $1`, spec.ID).Scan(&n); err != nil {
				return res, fmt.Errorf("store: budget: %w", err)
			}
			if n > 0 {
				continue
			}
			b := incentive.Budget{Slug: spec.ID, ProgramID: p.ID, Measure: spec.Measure, Name: spec.Name, From: spec.From, To: spec.To,
				AllocatedCents: spec.AllocatedCents, MinReservableCents: spec.MinReservableCents, SetAside: spec.SetAside, Source: spec.Source}
			if err := tx.CreateBudget(ctx, actor, &b); err != nil {
				return res, err
			}
			res.BudgetsAdded++
		}
	}
	return res, nil
}

// auditText writes an audit record for an entity with a text id.
func (tx *Tx) auditText(ctx context.Context, actor auth.Actor, action, entity, id string, before, after any) error {
	enc := func(v any) (any, error) {
		if v == nil {
			return nil, nil
		}
		b, err := json.Marshal(v)
		return string(b), err
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
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, tx.now().Unix(), actor.String(), action, entity, id, bj, aj)
	if err != nil {
		return fmt.Errorf("store: audit: %w", err)
	}
	return nil
}

// IncentivePrograms returns the stored programs in id order.
func (q queries) IncentivePrograms(ctx context.Context) ([]incentive.Program, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT doc_json FROM incentive_programs ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("store: programs: %w", err)
	}
	defer rows.Close()
	var out []incentive.Program
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, fmt.Errorf("store: programs: %w", err)
		}
		var p incentive.Program
		if err := json.Unmarshal([]byte(doc), &p); err != nil {
			return nil, fmt.Errorf("store: program document: %w", err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// IncentiveCatalog returns the stored programs as a catalog.
func (q queries) IncentiveCatalog(ctx context.Context) (*incentive.Catalog, error) {
	ps, err := q.IncentivePrograms(ctx)
	if err != nil {
		return nil, err
	}
	return incentive.NewCatalog(ps)
}

// IncentiveProgram returns one stored program, or NotFound.
func (q queries) IncentiveProgram(ctx context.Context, id string) (incentive.Program, error) {
	var doc string
	err := q.q.QueryRowContext(ctx, `SELECT doc_json FROM incentive_programs WHERE id = $1`, id).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return incentive.Program{}, apperr.NotFoundf("store.IncentiveProgram", "program %q not found", id)
	} else if err != nil {
		return incentive.Program{}, fmt.Errorf("store: program: %w", err)
	}
	var p incentive.Program
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return p, fmt.Errorf("store: program document: %w", err)
	}
	return p, nil
}

const budgetCols = `id, slug, program_id, measure, name, period_from, period_to, allocated_cents, reserved_cents, committed_cents,
	paid_cents, min_reservable_cents, set_aside, closed, source`

func scanBudget(s interface{ Scan(...any) error }) (incentive.Budget, error) {
	var b incentive.Budget
	var from string
	var to sql.NullString
	var closed int64
	err := s.Scan(&b.ID, &b.Slug, &b.ProgramID, &b.Measure, &b.Name, &from, &to, &b.AllocatedCents, &b.ReservedCents, &b.CommittedCents,
		&b.PaidCents, &b.MinReservableCents, &b.SetAside, &closed, &b.Source)
	if err != nil {
		return b, err
	}
	b.From, _ = calendar.ParseDate(from)
	b.To, b.Closed = optDate(to), closed != 0
	return b, nil
}

// CreateBudget stores a budget with nothing allocated and posts its
// allocation to the ledger.
func (tx *Tx) CreateBudget(ctx context.Context, actor auth.Actor, b *incentive.Budget) error {
	var f apperr.Fields
	if strings.TrimSpace(b.Name) == "" {
		f.Add("name", "is required")
	}
	if b.AllocatedCents <= 0 {
		f.Add("allocated_cents", "must be positive")
	}
	if b.From.IsZero() {
		f.Add("period_from", "is required")
	}
	if strings.TrimSpace(b.Source) == "" {
		f.Add("source", "is required: the decision or plan that funds the budget")
	}
	if err := f.Err("store.CreateBudget"); err != nil {
		return err
	}
	if _, err := tx.IncentiveProgram(ctx, b.ProgramID); err != nil {
		return err
	}
	alloc := b.AllocatedCents
	b.AllocatedCents, b.ReservedCents, b.CommittedCents, b.PaidCents = 0, 0, 0, 0
	err := tx.q.QueryRowContext(ctx, `INSERT INTO incentive_budgets (slug, program_id, measure, name, period_from, period_to, min_reservable_cents, set_aside, closed, source)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		b.Slug, b.ProgramID, b.Measure, b.Name, b.From.String(), dateText(b.To), b.MinReservableCents, b.SetAside, b2i(b.Closed), b.Source).Scan(&b.ID)
	if err != nil {
		return fmt.Errorf("store: create budget: %w", mapErr(err))
	}
	if err := tx.post(ctx, actor, b, incentive.Entry{Kind: incentive.Allocate, AmountCents: alloc, Note: b.Source}, 0); err != nil {
		return err
	}
	return tx.audit(ctx, actor, "create", "incentive_budget", b.ID, nil, b)
}

// post applies a ledger entry to b (already locked by the caller),
// writes the new balances and the ledger row.
func (tx *Tx) post(ctx context.Context, actor auth.Actor, b *incentive.Budget, e incentive.Entry, couponID int64) error {
	_, err := tx.postKeyed(ctx, actor, b, e, couponID, "")
	return err
}

// postKeyed is post for an entry made for a demand-response payable
// (payableKey, "" for none); it returns the ledger row's id.
func (tx *Tx) postKeyed(ctx context.Context, actor auth.Actor, b *incentive.Budget, e incentive.Entry, couponID int64, payableKey string) (int64, error) {
	if err := b.Apply(e); err != nil {
		return 0, err
	}
	_, err := tx.q.ExecContext(ctx, `UPDATE incentive_budgets SET allocated_cents = $2, reserved_cents = $3, committed_cents = $4, paid_cents = $5 WHERE id = $1`,
		b.ID, b.AllocatedCents, b.ReservedCents, b.CommittedCents, b.PaidCents)
	if err != nil {
		return 0, fmt.Errorf("store: budget balances: %w", mapErr(err))
	}
	var app, cp, key any
	if e.ApplicationID != 0 {
		app = e.ApplicationID
	}
	if couponID != 0 {
		cp = couponID
	}
	if payableKey != "" {
		key = payableKey
	}
	var id int64
	err = tx.q.QueryRowContext(ctx, `INSERT INTO incentive_ledger (budget_id, application_id, coupon_id, kind, amount_cents, at_unix, actor, note, payable_key)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, b.ID, app, cp, string(e.Kind), e.AmountCents, tx.now().Unix(), actor.String(), e.Note, key).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("store: ledger: %w", mapErr(err))
	}
	return id, nil
}

// Budgets lists budgets, of one program or ("") all, by program and
// period.
func (q queries) Budgets(ctx context.Context, programID string) ([]incentive.Budget, error) {
	return q.budgets(ctx, `SELECT `+budgetCols+` FROM incentive_budgets WHERE ($1 = '' OR program_id = $1) ORDER BY program_id, period_from, id`, programID)
}

// lockBudgets reads a program's budgets for update, in id order (the
// same order everywhere, so two transactions never wait on each other in
// a cycle).
func (tx *Tx) lockBudgets(ctx context.Context, programID string) ([]incentive.Budget, error) {
	return tx.budgets(ctx, `SELECT `+budgetCols+` FROM incentive_budgets WHERE program_id = $1 ORDER BY id`+tx.forUpdate(), programID)
}

func (q queries) budgets(ctx context.Context, query string, args ...any) ([]incentive.Budget, error) {
	return collect(ctx, q, scanBudget, query, args...)
}

// Budget returns one budget, or NotFound.
func (q queries) Budget(ctx context.Context, id int64) (incentive.Budget, error) {
	b, err := scanBudget(q.q.QueryRowContext(ctx, `SELECT `+budgetCols+` FROM incentive_budgets WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, apperr.NotFoundf("store.Budget", "budget %d not found", id)
	} else if err != nil {
		return b, fmt.Errorf("store: budget: %w", err)
	}
	return b, nil
}

// LedgerRow is one stored ledger entry.
type LedgerRow struct {
	ID       int64 `json:"id"`
	BudgetID int64 `json:"budget_id"`
	incentive.Entry
	CouponID int64     `json:"coupon_id,omitempty"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
}

// Ledger returns a budget's ledger, oldest first.
func (q queries) Ledger(ctx context.Context, budgetID int64) ([]LedgerRow, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, budget_id, COALESCE(application_id, 0), COALESCE(coupon_id, 0), kind, amount_cents, at_unix, actor, note
		FROM incentive_ledger WHERE budget_id = $1 ORDER BY id`, budgetID)
	if err != nil {
		return nil, fmt.Errorf("store: ledger: %w", err)
	}
	defer rows.Close()
	var out []LedgerRow
	for rows.Next() {
		var r LedgerRow
		var kind string
		var at int64
		if err := rows.Scan(&r.ID, &r.BudgetID, &r.ApplicationID, &r.CouponID, &kind, &r.AmountCents, &at, &r.Actor, &r.Note); err != nil {
			return nil, fmt.Errorf("store: ledger: %w", err)
		}
		r.Kind, r.At = incentive.LedgerKind(kind), time.Unix(at, 0).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// AdjustBudget changes a budget's allocation by amount (signed) with a
// note, refusing a cut below what is reserved, committed and paid.
func (tx *Tx) AdjustBudget(ctx context.Context, actor auth.Actor, id int64, amount money.Cents, note string) (incentive.Budget, error) {
	b, err := tx.lockBudget(ctx, id)
	if err != nil {
		return b, err
	}
	if strings.TrimSpace(note) == "" || amount == 0 {
		var f apperr.Fields
		if amount == 0 {
			f.Add("amount_cents", "must not be zero")
		}
		if strings.TrimSpace(note) == "" {
			f.Add("note", "is required: say why the allocation changes")
		}
		return b, f.Err("store.AdjustBudget")
	}
	before := b
	if err := tx.post(ctx, actor, &b, incentive.Entry{Kind: incentive.Adjust, AmountCents: amount, Note: note}, 0); err != nil {
		return b, err
	}
	if err := tx.audit(ctx, actor, "adjust", "incentive_budget", id, before, b); err != nil {
		return b, err
	}
	return b, tx.promote(ctx, actor, b.ProgramID)
}

// SetBudgetClosed closes a budget to new reservations or reopens it.
func (tx *Tx) SetBudgetClosed(ctx context.Context, actor auth.Actor, id int64, closed bool) (incentive.Budget, error) {
	b, err := tx.lockBudget(ctx, id)
	if err != nil {
		return b, err
	}
	before := b
	b.Closed = closed
	if _, err := tx.q.ExecContext(ctx, `UPDATE incentive_budgets SET closed = $2 WHERE id = $1`, id, b2i(closed)); err != nil {
		return b, fmt.Errorf("store: close budget: %w", err)
	}
	if err := tx.audit(ctx, actor, "update", "incentive_budget", id, before, b); err != nil {
		return b, err
	}
	if !closed {
		return b, tx.promote(ctx, actor, b.ProgramID)
	}
	return b, nil
}

func (tx *Tx) lockBudget(ctx context.Context, id int64) (incentive.Budget, error) {
	b, err := scanBudget(tx.q.QueryRowContext(ctx, `SELECT `+budgetCols+` FROM incentive_budgets WHERE id = $1`+tx.forUpdate(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return b, apperr.NotFoundf("store.Budget", "budget %d not found", id)
	} else if err != nil {
		return b, fmt.Errorf("store: budget: %w", err)
	}
	return b, nil
}
