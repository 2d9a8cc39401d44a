package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
)

// Demand-response payables paid from the incentive budgets: each payable
// becomes a budget payment once (its reserve, commit and pay ledger
// entries carry its key, unique in the ledger), in the transaction that
// marks it paid, or is refused whole with the rule named.

// PayResult is the outcome of paying one payable.
type PayResult struct {
	Key       string      `json:"key"`
	Status    string      `json:"status"` // paid or refused
	Amount    money.Cents `json:"amount_cents"`
	Reference string      `json:"reference,omitempty"`
	BudgetID  int64       `json:"budget_id,omitempty"`
	// Before: it was paid by an earlier call; nothing moved now.
	Before bool `json:"paid_before,omitempty"`
	// Rule and Reason say why it was refused.
	Rule   string `json:"rule,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// PayPayable pays the payable key from the budgets that fund it (f): it
// locks the payable, then its incentive program's budgets, picks the
// budget in force on the due day that the account's set-asides allow and
// that covers the whole amount (incentive.PickBudget), posts reserve,
// commit and pay entries for it and marks the payable paid with the
// ledger reference, all in this transaction. A payable paid before is
// returned as it was (Before). When no budget can pay the whole amount
// the payable is marked refused with the rule (dr.RuleNoFunding,
// RuleNoBudgetInForce, RuleBudgetClosed, RuleBudgetExhausted) and
// nothing else changes; a refused payable is tried again by the next
// call. An unknown key is NotFound.
func (tx *Tx) PayPayable(ctx context.Context, actor auth.Actor, key string, f *dr.Funding) (PayResult, error) {
	const op = "store.PayPayable"
	res := PayResult{Key: key}
	var status, due, ref string
	var amount, accountID int64
	var budgetID sql.NullInt64
	err := tx.q.QueryRowContext(ctx, `SELECT status, due, amount_cents, account_id, reference, budget_id FROM dr_payables WHERE key = $1`+tx.forUpdate(), key).
		Scan(&status, &due, &amount, &accountID, &ref, &budgetID)
	if errors.Is(err, sql.ErrNoRows) {
		return res, apperr.NotFoundf(op, "payable %s not found", key)
	} else if err != nil {
		return res, fmt.Errorf("store: payable: %w", err)
	}
	res.Amount = money.Cents(amount)
	if status == "paid" {
		res.Status, res.Reference, res.BudgetID, res.Before = "paid", ref, budgetID.Int64, true
		return res, nil
	}
	day, err := calendar.ParseDate(due)
	if err != nil {
		return res, fmt.Errorf("store: payable %s due %q: %w", key, due, err)
	}
	refuse := func(rule, format string, args ...any) (PayResult, error) {
		res.Status, res.Rule, res.Reason = "refused", rule, fmt.Sprintf(format, args...)
		msg := rule + ": " + res.Reason
		if _, err := tx.q.ExecContext(ctx, `UPDATE dr_payables SET status = 'refused', refusal = $2 WHERE key = $1`, key, msg); err != nil {
			return res, fmt.Errorf("store: refuse payable: %w", err)
		}
		return res, tx.audit(ctx, actor, "update", "dr_payable", accountID, map[string]string{"key": key, "status": status},
			map[string]string{"key": key, "status": "refused", "refusal": msg})
	}
	if f == nil || f.IncentiveProgram == "" {
		return refuse(dr.RuleNoFunding, "the program names no incentive budget to pay from")
	}
	var b *incentive.Budget
	var entry int64
	if amount > 0 {
		budgets, err := tx.lockBudgets(ctx, f.IncentiveProgram)
		if err != nil {
			return res, err
		}
		q, err := tx.payQualifier(ctx, accountID, day)
		if err != nil {
			return res, err
		}
		i, err := incentive.PickBudget(budgets, day, q, f.Measure, res.Amount)
		switch {
		case err != nil && len(budgets) > 0 && allClosed(budgets, day):
			return refuse(dr.RuleBudgetClosed, "every %s budget in force on %s is closed", f.IncentiveProgram, day)
		case err != nil:
			return refuse(dr.RuleNoBudgetInForce, "no %s budget (measure %q) is in force on %s", f.IncentiveProgram, f.Measure, day)
		case i < 0:
			var avail money.Cents
			for _, x := range budgets {
				if x.Covers(day) && x.Qualifies(q) && !x.Closed && (x.Measure == "" || x.Measure == f.Measure) {
					avail = max(avail, x.Available())
				}
			}
			return refuse(dr.RuleBudgetExhausted, "paying %s would overspend the %s budgets (at most %s available in one budget on %s)",
				res.Amount, f.IncentiveProgram, avail, day)
		}
		b = &budgets[i]
		note := "dr " + key
		for _, k := range []incentive.LedgerKind{incentive.Reserve, incentive.Commit, incentive.Pay} {
			if entry, err = tx.postKeyed(ctx, actor, b, incentive.Entry{Kind: k, AmountCents: res.Amount, Note: note}, 0, key); err != nil {
				return res, err
			}
		}
		res.BudgetID = b.ID
		res.Reference = fmt.Sprintf("%s#%d", b.Slug, entry)
	} else {
		res.Reference = "nothing owed"
	}
	res.Status = "paid"
	_, err = tx.q.ExecContext(ctx, `UPDATE dr_payables SET status = 'paid', reference = $2, budget_id = $3, paid_unix = $4, refusal = '' WHERE key = $1`,
		key, res.Reference, nullID(res.BudgetID), tx.now().Unix())
	if err != nil {
		return res, fmt.Errorf("store: pay payable: %w", err)
	}
	return res, tx.audit(ctx, actor, "update", "dr_payable", accountID, map[string]string{"key": key, "status": status},
		map[string]any{"key": key, "status": "paid", "reference": res.Reference, "budget_id": res.BudgetID, "amount_cents": res.Amount})
}

// allClosed reports whether every budget in force on d is closed.
func allClosed(bs []incentive.Budget, d calendar.Date) bool {
	n := 0
	for _, b := range bs {
		if b.Covers(d) {
			if !b.Closed {
				return false
			}
			n++
		}
	}
	return n > 0
}

// payQualifier says which set-asides a participant's payment may draw
// on: whether the account is on CARE or FERA on day d and whether its
// premise is in a disadvantaged community.
func (q queries) payQualifier(ctx context.Context, accountID int64, d calendar.Date) (incentive.Qualifier, error) {
	var out incentive.Qualifier
	var dac int64
	err := q.q.QueryRowContext(ctx, `SELECT p.dac,
		EXISTS (SELECT 1 FROM enrollments i WHERE i.account_id = a.id AND i.program IN ('care', 'fera') AND i.start_date <= $2 AND (i.end_date IS NULL OR i.end_date > $2))
		FROM accounts a JOIN premises p ON p.id = a.premise_id WHERE a.id = $1`, accountID, d.String()).Scan(&dac, &out.IncomeQualified)
	if err != nil {
		return out, fmt.Errorf("store: payee %d: %w", accountID, err)
	}
	out.DAC = dac != 0
	return out, nil
}

// TxPayer is the dr.Payer inside one transaction: each Pay is
// PayPayable with the funding of the payment's program. A refusal is
// recorded in the transaction and returned as the dr.Refusal error
// naming the rule; the transaction stays usable, so a caller that
// commits after dr.PayAll keeps the refusals with the payments.
type TxPayer struct {
	Tx    *Tx
	Actor auth.Actor
	// Funding returns what pays a program's payables (nil: nothing).
	Funding func(program string) *dr.Funding
}

// Pay implements dr.Payer.
func (p TxPayer) Pay(ctx context.Context, pm dr.Payment) (string, error) {
	var f *dr.Funding
	if p.Funding != nil {
		f = p.Funding(pm.Program)
	}
	res, err := p.Tx.PayPayable(ctx, p.Actor, pm.Key, f)
	if err != nil {
		return "", err
	}
	if res.Status == "refused" {
		return "", dr.Refusal("store.PayPayable", res.Rule, "%s", res.Reason)
	}
	return res.Reference, nil
}

// BudgetPayer is the dr.Payer over the stored budgets that pays each
// payment in a transaction of its own (TxPayer), committing a refusal
// too before returning it.
type BudgetPayer struct {
	DB    *DB
	Actor auth.Actor
	// Funding returns what pays a program's payables (nil: nothing).
	Funding func(program string) *dr.Funding
}

// Pay implements dr.Payer.
func (p BudgetPayer) Pay(ctx context.Context, pm dr.Payment) (string, error) {
	var ref string
	var refused error
	err := p.DB.InTx(ctx, func(tx *Tx) error {
		var err error
		ref, err = TxPayer{Tx: tx, Actor: p.Actor, Funding: p.Funding}.Pay(ctx, pm)
		if dr.RefusalRule(err) != "" {
			refused, err = err, nil // keep the refusal recorded
		}
		return err
	})
	if err != nil {
		return "", err
	}
	return ref, refused
}

var (
	_ dr.Payer = BudgetPayer{}
	_ dr.Payer = TxPayer{}
)

// CatalogFunding returns the Funding function of a program catalog.
func CatalogFunding(cat *dr.Catalog) func(string) *dr.Funding {
	return func(code string) *dr.Funding {
		p, err := cat.Program(code)
		if err != nil {
			return nil
		}
		return p.Funding
	}
}

// PayableFilter selects payables; zero fields match everything.
type PayableFilter struct {
	AccountID int64
	Program   string
	EventID   int64
	// Status is payable, paid or refused; Open matches payable and
	// refused (what a pay run tries).
	Status string
	Open   bool
	Limit  int // default 500, at most 100,000
}

const payableCols = `key, program, account_id, COALESCE(device_id, 0), COALESCE(event_id, 0), kind, due, amount_cents, paid_as, source, status, reference,
	created_unix, COALESCE(budget_id, 0), paid_unix, refusal`

func scanPayable(s interface{ Scan(...any) error }) (Payable, error) {
	var p Payable
	var due string
	var amt, cr int64
	var paid sql.NullInt64
	if err := s.Scan(&p.Key, &p.Program, &p.AccountID, &p.DeviceID, &p.EventID, &p.Kind, &due, &amt, &p.PaidAs, &p.Source, &p.Status, &p.Reference,
		&cr, &p.BudgetID, &paid, &p.Refusal); err != nil {
		return p, err
	}
	var err error
	if p.Due, err = calendar.ParseDate(due); err != nil {
		return p, err
	}
	p.Amount, p.Created = money.Cents(amt), time.Unix(cr, 0).UTC()
	if paid.Valid {
		p.PaidAt = time.Unix(paid.Int64, 0).UTC()
	}
	return p, nil
}

// PayablesWhere returns payables, oldest due first.
func (q queries) PayablesWhere(ctx context.Context, f PayableFilter) ([]Payable, error) {
	if f.Limit <= 0 {
		f.Limit = 500
	}
	f.Limit = min(f.Limit, 100_000)
	return collect(ctx, q, scanPayable, `SELECT `+payableCols+` FROM dr_payables
		WHERE ($1 = 0 OR account_id = $1) AND ($2 = '' OR program = $2) AND ($3 = 0 OR event_id = $3) AND ($4 = '' OR status = $4)
		AND ($5 = 0 OR status IN ('payable', 'refused')) ORDER BY due, key LIMIT $6`, f.AccountID, f.Program, f.EventID, f.Status, b2i(f.Open), f.Limit)
}

// PayableTotal counts a program's payables in one status.
type PayableTotal struct {
	Program string      `json:"program"`
	PaidAs  string      `json:"paid_as"`
	Status  string      `json:"status"`
	Count   int         `json:"count"`
	Amount  money.Cents `json:"amount_cents"`
}

// PayableTotals counts payables by program, how they are paid and status.
func (q queries) PayableTotals(ctx context.Context) ([]PayableTotal, error) {
	return collect(ctx, q, func(s interface{ Scan(...any) error }) (PayableTotal, error) {
		var t PayableTotal
		err := s.Scan(&t.Program, &t.PaidAs, &t.Status, &t.Count, &t.Amount)
		return t, err
	}, `SELECT program, paid_as, status, COUNT(*), COALESCE(SUM(amount_cents), 0) FROM dr_payables GROUP BY program, paid_as, status ORDER BY program, paid_as, status`)
}

// OpenPayments returns the open payables (owed, or refused before) that
// f selects, oldest due first: what a pay run tries.
func (q queries) OpenPayments(ctx context.Context, f PayableFilter) ([]dr.Payment, error) {
	f.Open, f.Status = true, ""
	if f.Limit <= 0 {
		f.Limit = 100_000
	}
	ps, err := q.PayablesWhere(ctx, f)
	if err != nil {
		return nil, err
	}
	due := make([]dr.Payment, len(ps))
	for i, p := range ps {
		due[i] = p.Payment
	}
	return due, nil
}

// PayOpen pays every open payable that f selects through payer (each in
// a transaction of its own with a BudgetPayer) and reports what was paid
// and refused.
func (db *DB) PayOpen(ctx context.Context, payer dr.Payer, f PayableFilter) (dr.PaySummary, error) {
	due, err := db.OpenPayments(ctx, f)
	if err != nil {
		return dr.PaySummary{}, err
	}
	return dr.PayAll(ctx, payer, due)
}
