package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/nem"
)

// billRunCredits reads what other capabilities owe the bills of a batch
// of accounts (sorted by id): pending incentive payments by bill credit
// (bill_credit payment batches), late-meter estimated-generation credits
// not yet on a bill, the credits already on their bills
// (bill_credits_applied), and for accounts with any of them the starts of
// their first and latest current bills.
func (q queries) billRunCredits(ctx context.Context, out []billrun.Account) error {
	lo, hi := out[0].ID, out[len(out)-1].ID
	pos := make(map[int64]int, len(out))
	for i := range out {
		pos[out[i].ID] = i
	}
	type pending struct {
		payment, account, app int64
		cents, exported       int64
		program               string
	}
	pays, err := collect(ctx, q, func(s interface{ Scan(...any) error }) (pending, error) {
		var p pending
		return p, s.Scan(&p.payment, &p.account, &p.cents, &p.program, &p.app, &p.exported)
	}, `SELECT p.id, a.id, p.amount_cents, COALESCE(app.program_id, ''), COALESCE(p.application_id, 0), b.created_unix
		FROM incentive_payments p JOIN incentive_payment_batches b ON b.id = p.batch_id
		JOIN accounts a ON a.number = p.account_number LEFT JOIN incentive_applications app ON app.id = p.application_id
		WHERE p.status = 'pending' AND b.method = $1 AND a.id BETWEEN $2 AND $3 ORDER BY p.id`, incentive.BatchBillCredit, lo, hi)
	if err != nil {
		return fmt.Errorf("store: bill run credits: %w", err)
	}
	admins := map[string]string{}
	for _, p := range pays {
		i, ok := pos[p.account]
		if !ok {
			continue
		}
		admin, ok := admins[p.program]
		if !ok {
			if prog, err := q.IncentiveProgram(ctx, p.program); err == nil {
				admin = prog.Administrator
			} else if !apperr.Is(err, apperr.NotFound) {
				return err
			}
			admins[p.program] = admin
		}
		out[i].Credits = append(out[i].Credits, billrun.BillCredit{PaymentID: p.payment, Exported: time.Unix(p.exported, 0).UTC(), Credit: billing.Credit{
			Ref:   billrun.CreditIncentive + ":" + strconv.FormatInt(p.payment, 10),
			Label: incentive.BillCreditLabel(incentive.Payment{ProgramID: p.program, ApplicationID: p.app}),
			Cents: money.Cents(p.cents), Side: creditSide(admin)}})
	}
	type lateRow struct {
		id, account int64
		start, end  string
		number, doc string
	}
	lates, err := collect(ctx, q, func(s interface{ Scan(...any) error }) (lateRow, error) {
		var r lateRow
		return r, s.Scan(&r.id, &r.account, &r.start, &r.end, &r.number, &r.doc)
	}, `SELECT c.id, c.account_id, c.start_date, c.end_date, app.number, app.system_json
		FROM nem_estimated_credits c JOIN nem_applications app ON app.id = c.application_id
		WHERE c.account_id BETWEEN $1 AND $2 AND NOT EXISTS (SELECT 1 FROM bill_credits_applied x
			WHERE x.kind = $3 AND x.ref = CAST(c.id AS TEXT)) ORDER BY c.id`, lo, hi, billrun.CreditLateMeter)
	if err != nil {
		return fmt.Errorf("store: bill run late-meter credits: %w", err)
	}
	for _, r := range lates {
		i, ok := pos[r.account]
		if !ok {
			continue
		}
		days, err := parsePeriod(r.start, r.end)
		if err != nil {
			return err
		}
		var sys nem.System
		if err := json.Unmarshal([]byte(r.doc), &sys); err != nil {
			return fmt.Errorf("store: application %s system: %w", r.number, err)
		}
		out[i].LateMeter = append(out[i].LateMeter, billrun.LateMeterCredit{ID: r.id, Application: r.number, Days: days, ExpectedAnnualWh: sys.ExpectedAnnualWh})
	}
	type appliedRow struct {
		kind, ref   string
		account     int64
		period, doc string
	}
	applied, err := collect(ctx, q, func(s interface{ Scan(...any) error }) (appliedRow, error) {
		var r appliedRow
		return r, s.Scan(&r.kind, &r.ref, &r.account, &r.period, &r.doc)
	}, `SELECT kind, ref, account_id, period_start, applied_json FROM bill_credits_applied WHERE account_id BETWEEN $1 AND $2 ORDER BY kind, ref`, lo, hi)
	if err != nil {
		return fmt.Errorf("store: bill run applied credits: %w", err)
	}
	for _, r := range applied {
		i, ok := pos[r.account]
		if !ok {
			continue
		}
		on, err := calendar.ParseDate(r.period)
		if err != nil {
			return err
		}
		id, _ := strconv.ParseInt(r.ref, 10, 64)
		switch r.kind {
		case billrun.CreditIncentive:
			c := billrun.BillCredit{PaymentID: id, AppliedTo: on}
			if err := json.Unmarshal([]byte(r.doc), &c.Credit); err != nil {
				return fmt.Errorf("store: applied credit %s %s: %w", r.kind, r.ref, err)
			}
			out[i].Credits = append(out[i].Credits, c)
		case billrun.CreditLateMeter:
			var est billing.EstimatedExport
			if err := json.Unmarshal([]byte(r.doc), &est); err != nil {
				return fmt.Errorf("store: applied credit %s %s: %w", r.kind, r.ref, err)
			}
			out[i].LateMeter = append(out[i].LateMeter, billrun.LateMeterCredit{ID: id, AppliedTo: on, Applied: &est})
		}
	}
	var with []int64
	for i := range out {
		if len(out[i].Credits) > 0 || len(out[i].LateMeter) > 0 {
			with = append(with, out[i].ID)
		}
	}
	if len(with) == 0 {
		return nil
	}
	args := make([]any, len(with))
	for i, id := range with {
		args[i] = id
	}
	rows, err := q.q.QueryContext(ctx, `SELECT account_id, MIN(period_start), MAX(period_start) FROM bills
		WHERE superseded_by IS NULL AND account_id IN (`+placeholders(1, len(with))+`) GROUP BY account_id`, args...)
	if err != nil {
		return fmt.Errorf("store: bill run first and last bills: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var first, last string
		if err := rows.Scan(&id, &first, &last); err != nil {
			return fmt.Errorf("store: bill run first and last bills: %w", err)
		}
		a := &out[pos[id]]
		if a.FirstBill, err = calendar.ParseDate(first); err == nil {
			a.LastBill, err = calendar.ParseDate(last)
		}
		if err != nil {
			return err
		}
	}
	return rows.Err()
}

// creditSide is the ledger an incentive program's bill credit goes on: a
// CCA program's on the CCA's generation ledger (billrun moves it to the
// utility's on a bundled account), any other on the utility's.
func creditSide(administrator string) billing.Side {
	if administrator == "CPA" {
		return billing.Generation
	}
	return billing.Utility
}

// BillRunArrangements returns the Virtual NEM and NEM Aggregation
// arrangements in force during p: applications of those variants whose
// NEM enrollment (from PTO until termination) overlaps p, each with its
// generating account, the benefiting or aggregated accounts of its
// system, the generator's track and PTO, and the designated rounding
// account. An account named in the system that does not exist is left
// out (eligibility refused such systems when they were decided).
func (q queries) BillRunArrangements(ctx context.Context, p calendar.Period) ([]billrun.Arrangement, error) {
	type row struct {
		number, variant, doc, track, pto string
		account                          int64
	}
	rs, err := collect(ctx, q, func(s interface{ Scan(...any) error }) (row, error) {
		var r row
		return r, s.Scan(&r.number, &r.variant, &r.account, &r.doc, &r.track, &r.pto)
	}, `SELECT app.number, app.variant, app.account_id, app.system_json, e.track, e.start_date
		FROM nem_applications app JOIN enrollments e ON e.id = app.enrollment_id
		WHERE app.variant IN ($1, $2) AND e.start_date < $3 AND (e.end_date IS NULL OR e.end_date > $4) ORDER BY app.id`,
		string(nem.Virtual), string(nem.Aggregation), p.End.String(), p.Start.String())
	if err != nil {
		return nil, fmt.Errorf("store: bill run arrangements: %w", err)
	}
	out := make([]billrun.Arrangement, 0, len(rs))
	for _, r := range rs {
		var sys nem.System
		if err := json.Unmarshal([]byte(r.doc), &sys); err != nil {
			return nil, fmt.Errorf("store: application %s system: %w", r.number, err)
		}
		pto, err := calendar.ParseDate(r.pto)
		if err != nil {
			return nil, err
		}
		ar := billrun.Arrangement{Application: r.number, Variant: r.variant, Track: r.track, PTO: pto,
			Allocations: sys.Allocations, Rounding: sys.Rounding}
		numbers := sys.Accounts()
		cond := "a.id = $1"
		if len(numbers) > 0 {
			cond += " OR a.number IN (" + placeholders(2, len(numbers)) + ")"
		}
		accts, err := q.billRunAccountsWhere(ctx, cond, append([]any{r.account}, anySlice(numbers)...)...)
		if err != nil {
			return nil, err
		}
		for i := range accts {
			if a := &accts[i]; a.ID == r.account {
				ar.Generator = a
			} else {
				ar.Members = append(ar.Members, a)
			}
		}
		if ar.Generator == nil {
			return nil, fmt.Errorf("store: application %s: generating account %d not found", r.number, r.account)
		}
		out = append(out, ar)
	}
	return out, nil
}

// billRunAccountsWhere reads the accounts matching cond (over accounts a)
// with their climate zone, DAC status, enrollments and meters.
func (q queries) billRunAccountsWhere(ctx context.Context, cond string, args ...any) ([]billrun.Account, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+accountCols+`, p.climate_zone, p.dac
		FROM accounts a JOIN premises p ON p.id = a.premise_id WHERE `+cond+` ORDER BY a.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: bill run accounts: %w", err)
	}
	out, err := scanBillRunAccounts(rows)
	if err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]any, len(out))
	for i := range out {
		ids[i] = out[i].ID
	}
	return out, q.fillBillRunAccounts(ctx, out, "IN ("+placeholders(1, len(ids))+")", ids...)
}

func anySlice(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// applyCredits records the one-off credits bill b applies, in the
// transaction that stores it. A credit not yet on any bill is recorded
// against b's period and, for an incentive payment, paid through the
// incentive ledger as a billing results file would pay it (ReconcileBatch:
// the payment paid, its application paid, the budget's ledger row). A
// credit already on this account's bill of the same period (b is a new
// version of it) moves to b. A credit on any other bill is a Conflict:
// the batch is refused and the job's next attempt plans again without it.
func (w *billWriter) applyCredits(ctx context.Context, actor auth.Actor, b *billrun.Bill, uses []billrun.CreditUse) error {
	const op = "store.SaveBillRunOutcomes"
	tx := w.tx
	for _, u := range uses {
		var account int64
		var period string
		err := tx.q.QueryRowContext(ctx, `SELECT account_id, period_start FROM bill_credits_applied WHERE kind = $1 AND ref = $2`,
			u.Kind, u.Ref).Scan(&account, &period)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if _, err := tx.q.ExecContext(ctx, `INSERT INTO bill_credits_applied (kind, ref, account_id, period_start, bill_id, applied_json, applied_unix)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, u.Kind, u.Ref, b.AccountID, b.Period.Start.String(), b.ID, string(u.Doc), w.now); err != nil {
				return fmt.Errorf("store: bill credit %s %s: %w", u.Kind, u.Ref, mapErr(err))
			}
			if u.Kind == billrun.CreditIncentive {
				if err := w.payBillCredit(ctx, actor, b, u.Ref); err != nil {
					return err
				}
			}
			if err := tx.audit(ctx, actor, "apply", "bill_credit", b.ID, nil, map[string]any{"kind": u.Kind, "ref": u.Ref,
				"account": b.AccountNumber, "period": b.Period.String(), "applied": u.Doc}); err != nil {
				return err
			}
		case err != nil:
			return fmt.Errorf("store: bill credit %s %s: %w", u.Kind, u.Ref, err)
		case account == b.AccountID && period == b.Period.Start.String():
			if _, err := tx.q.ExecContext(ctx, `UPDATE bill_credits_applied SET bill_id = $1 WHERE kind = $2 AND ref = $3`, b.ID, u.Kind, u.Ref); err != nil {
				return fmt.Errorf("store: bill credit %s %s: %w", u.Kind, u.Ref, err)
			}
		default:
			return apperr.Conflictf(op, "the %s credit %s is already on the bill of account %d for the period from %s; it is applied once", u.Kind, u.Ref, account, period)
		}
	}
	return nil
}

// payBillCredit pays the pending incentive payment ref, credited on b.
func (w *billWriter) payBillCredit(ctx context.Context, actor auth.Actor, b *billrun.Bill, ref string) error {
	id, err := strconv.ParseInt(ref, 10, 64)
	if err != nil {
		return fmt.Errorf("store: incentive payment %q: %w", ref, err)
	}
	var batch int64
	var status string
	err = w.tx.q.QueryRowContext(ctx, `SELECT batch_id, status FROM incentive_payments WHERE id = $1`, id).Scan(&batch, &status)
	if err != nil {
		return fmt.Errorf("store: incentive payment %d: %w", id, err)
	}
	if status != "pending" {
		return apperr.Conflictf("store.SaveBillRunOutcomes", "incentive payment %d is %s, no longer pending: it was settled while the run billed account %s",
			id, status, b.AccountNumber)
	}
	_, err = w.tx.ReconcileBatch(ctx, actor, batch, []incentive.PaymentResult{{PaymentID: id, Status: "paid",
		Reference: fmt.Sprintf("bill %d", b.ID), Note: fmt.Sprintf("credited on the bill of account %s for %s", b.AccountNumber, b.Period)}})
	return err
}
