package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
)

const couponCols = `id, code, program_id, measure, account_id, household_key, retailer, channel, amount_cents, budget_id, issued_on,
	expires_on, status, redeemed_on, returned_on, redemption_ref, paid`

// couponRow is a stored coupon with its budget and payment state.
type couponRow struct {
	incentive.Coupon
	budgetID int64
	paid     bool
}

func scanCoupon(s interface{ Scan(...any) error }) (couponRow, error) {
	var c couponRow
	var issued, expires string
	var redeemed, returned sql.NullString
	var paid int64
	err := s.Scan(&c.ID, &c.Code, &c.ProgramID, &c.Measure, &c.AccountID, &c.HouseholdKey, &c.Retailer, &c.Channel, &c.AmountCents,
		&c.budgetID, &issued, &expires, &c.Status, &redeemed, &returned, &c.Ref, &paid)
	if err != nil {
		return c, err
	}
	c.Issued, _ = calendar.ParseDate(issued)
	c.Expires, _ = calendar.ParseDate(expires)
	c.RedeemedOn, c.ReturnedOn, c.paid = optDate(redeemed), optDate(returned), paid != 0
	return c, nil
}

// IssueCouponRequest asks for an instant coupon.
type IssueCouponRequest struct {
	AccountID int64
	ProgramID string
	Retailer  string
	Channel   string // in_store or online
	Code      string // optional; a random code when empty (the demo passes its own)
}

// IssueCoupon issues an instant coupon for an account in one transaction:
// the account must qualify (the program's quote on today's registry
// facts, for ENERGY STAR equipment), the household must have no live
// coupon, redemption or return blocking the measure
// (incentive.CheckCouponIssue), and the program's budget must cover the
// amount, which is reserved. Refusals: Invalid naming the field, Conflict
// for the duplicate rules and an exhausted or closed budget.
func (tx *Tx) IssueCoupon(ctx context.Context, actor auth.Actor, r IssueCouponRequest) (incentive.Coupon, error) {
	const op = "store.IssueCoupon"
	var f apperr.Fields
	r.Retailer, r.Channel = strings.TrimSpace(r.Retailer), strings.TrimSpace(r.Channel)
	p, err := tx.IncentiveProgram(ctx, r.ProgramID)
	if apperr.Is(err, apperr.NotFound) {
		f.Add("program", "unknown program %q", r.ProgramID)
		return incentive.Coupon{}, f.Err(op)
	} else if err != nil {
		return incentive.Coupon{}, err
	}
	if p.Coupon == nil {
		f.Add("program", "%s does not issue coupons", p.ID)
		return incentive.Coupon{}, f.Err(op)
	}
	if r.Retailer == "" || len(r.Retailer) > 80 || len(p.Coupon.Retailers) > 0 && !slices.Contains(p.Coupon.Retailers, r.Retailer) {
		f.Add("retailer", "is required: a participating retailer")
	}
	if !slices.Contains(p.Coupon.Channels, r.Channel) {
		f.Add("channel", "must be one of %s", strings.Join(p.Coupon.Channels, ", "))
	}
	if err := f.Err(op); err != nil {
		return incentive.Coupon{}, err
	}
	today := calendar.DateOf(tx.now())
	// The coupon request is decided like an application (registry facts
	// on today, for ENERGY STAR equipment) but only the coupon is kept.
	a, _, err := tx.prepareApplication(ctx, NewApplication{ProgramID: p.ID, AccountID: r.AccountID,
		Facts: incentive.Facts{Date: today, Measure: map[string]json.RawMessage{"energy_star": json.RawMessage("true")}}})
	if err != nil {
		return incentive.Coupon{}, err
	}
	if !a.Decision.Eligible {
		var msgs []string
		for _, r := range a.Decision.Reasons {
			msgs = append(msgs, r.Message)
		}
		f.Add("account_id", "not eligible: %s", strings.Join(msgs, "; "))
		return incentive.Coupon{}, f.Err(op)
	}
	prior, err := tx.coupons(ctx, `WHERE household_key = $1 AND program_id = $2 AND measure = $3 ORDER BY id`, a.HouseholdKey, p.ID, a.Measure)
	if err != nil {
		return incentive.Coupon{}, err
	}
	var pc []incentive.Coupon
	for _, c := range prior {
		pc = append(pc, c.Coupon)
	}
	if err := incentive.CheckCouponIssue(p, pc, today); err != nil {
		return incentive.Coupon{}, err
	}
	budgets, err := tx.lockBudgets(ctx, p.ID)
	if err != nil {
		return incentive.Coupon{}, err
	}
	i, err := incentive.PickBudget(budgets, today, a.Qualifier(), a.Measure, a.AmountCents)
	if err != nil {
		return incentive.Coupon{}, err
	}
	if i < 0 {
		return incentive.Coupon{}, apperr.Conflictf(op, "the coupon budget is exhausted: no coupons are available")
	}
	c := incentive.Coupon{Code: r.Code, ProgramID: p.ID, Measure: a.Measure, AccountID: r.AccountID, HouseholdKey: a.HouseholdKey,
		Retailer: r.Retailer, Channel: r.Channel, AmountCents: a.AmountCents, Issued: today, Expires: incentive.CouponExpiry(today),
		Status: incentive.CouponIssued}
	if c.Code == "" {
		c.Code = newCouponCode()
	}
	err = tx.q.QueryRowContext(ctx, `INSERT INTO incentive_coupons (code, program_id, measure, account_id, household_key, retailer, channel,
		amount_cents, budget_id, issued_on, expires_on, status, created_unix) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		c.Code, c.ProgramID, c.Measure, c.AccountID, c.HouseholdKey, c.Retailer, c.Channel, c.AmountCents, budgets[i].ID,
		c.Issued.String(), c.Expires.String(), c.Status, tx.now().Unix()).Scan(&c.ID)
	if err != nil {
		return c, fmt.Errorf("store: coupon: %w", mapErr(err))
	}
	b := budgets[i]
	if err := tx.post(ctx, actor, &b, incentive.Entry{Kind: incentive.Reserve, AmountCents: c.AmountCents, Note: "coupon " + c.Code}, c.ID); err != nil {
		return c, err
	}
	return c, tx.audit(ctx, actor, "create", "incentive_coupon", c.ID, nil, c)
}

// newCouponCode returns a random code such as "GB-7K2QX9M4PA": 50 bits,
// so codes cannot be guessed.
func newCouponCode() string {
	b := make([]byte, 7)
	rand.Read(b) // never fails (Go 1.24+)
	return "GB-" + base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)[:10]
}

// RedeemCoupon records a retailer's redemption on day on: the coupon must
// be live, bound to that retailer and channel (incentive.CheckRedeem). Its
// reservation is committed (owed to the retailer until a payment batch
// pays it). A coupon redeemed twice is a Conflict.
func (tx *Tx) RedeemCoupon(ctx context.Context, actor auth.Actor, code, retailer, channel, ref string, on calendar.Date) (incentive.Coupon, error) {
	c, err := tx.lockCoupon(ctx, code)
	if err != nil {
		return c.Coupon, err
	}
	if err := incentive.CheckRedeem(c.Coupon, retailer, channel, on); err != nil {
		return c.Coupon, err
	}
	before := c.Coupon
	b, err := tx.lockBudget(ctx, c.budgetID)
	if err != nil {
		return c.Coupon, err
	}
	if err := tx.post(ctx, actor, &b, incentive.Entry{Kind: incentive.Commit, AmountCents: c.AmountCents, Note: "coupon " + c.Code + " redeemed"}, c.ID); err != nil {
		return c.Coupon, err
	}
	c.Status, c.RedeemedOn, c.Ref = incentive.CouponRedeemed, on, strings.TrimSpace(ref)
	if _, err := tx.q.ExecContext(ctx, `UPDATE incentive_coupons SET status = $2, redeemed_on = $3, redemption_ref = $4 WHERE id = $1`,
		c.ID, c.Status, on.String(), c.Ref); err != nil {
		return c.Coupon, fmt.Errorf("store: redeem: %w", err)
	}
	return c.Coupon, tx.audit(ctx, actor, "redeem", "incentive_coupon", c.ID, before, c.Coupon)
}

// ReturnCoupon records that the product bought with a redeemed coupon was
// returned on day on, which blocks a new coupon for the household and
// measure for the program's ReturnBlockYears.
func (tx *Tx) ReturnCoupon(ctx context.Context, actor auth.Actor, code string, on calendar.Date) (incentive.Coupon, error) {
	c, err := tx.lockCoupon(ctx, code)
	if err != nil {
		return c.Coupon, err
	}
	if c.Status != incentive.CouponRedeemed {
		return c.Coupon, apperr.Conflictf("store.ReturnCoupon", "coupon %s is %s; only a redeemed coupon's product can be returned", c.Code, c.Status)
	}
	before := c.Coupon
	c.Status, c.ReturnedOn = incentive.CouponReturned, on
	if _, err := tx.q.ExecContext(ctx, `UPDATE incentive_coupons SET status = $2, returned_on = $3 WHERE id = $1`, c.ID, c.Status, on.String()); err != nil {
		return c.Coupon, fmt.Errorf("store: return: %w", err)
	}
	return c.Coupon, tx.audit(ctx, actor, "return", "incentive_coupon", c.ID, before, c.Coupon)
}

// ExpireCoupons marks issued coupons past their expiry as expired and
// releases their reservations; it returns how many expired.
func (tx *Tx) ExpireCoupons(ctx context.Context, actor auth.Actor, today calendar.Date) (int, error) {
	cs, err := tx.coupons(ctx, `WHERE status = 'issued' AND expires_on < $1 ORDER BY id`+tx.forUpdate(), today.String())
	if err != nil {
		return 0, err
	}
	for _, c := range cs {
		b, err := tx.lockBudget(ctx, c.budgetID)
		if err != nil {
			return 0, err
		}
		if err := tx.post(ctx, actor, &b, incentive.Entry{Kind: incentive.Release, AmountCents: c.AmountCents, Note: "coupon " + c.Code + " expired"}, c.ID); err != nil {
			return 0, err
		}
		if _, err := tx.q.ExecContext(ctx, `UPDATE incentive_coupons SET status = 'expired' WHERE id = $1`, c.ID); err != nil {
			return 0, err
		}
		after := c.Coupon
		after.Status = incentive.CouponExpired
		if err := tx.audit(ctx, actor, "expire", "incentive_coupon", c.ID, c.Coupon, after); err != nil {
			return 0, err
		}
	}
	return len(cs), nil
}

func (tx *Tx) lockCoupon(ctx context.Context, code string) (couponRow, error) {
	cs, err := tx.coupons(ctx, `WHERE code = $1`+tx.forUpdate(), strings.TrimSpace(code))
	if err != nil {
		return couponRow{}, err
	}
	if len(cs) == 0 {
		return couponRow{}, apperr.NotFoundf("store.Coupon", "coupon %q not found", code)
	}
	return cs[0], nil
}

func (q queries) coupons(ctx context.Context, where string, args ...any) ([]couponRow, error) {
	return collect(ctx, q, scanCoupon, `SELECT `+couponCols+` FROM incentive_coupons `+where, args...)
}

// CouponFilter selects coupons; zero fields match everything.
type CouponFilter struct {
	ProgramID  string
	AccountIDs []int64 // portal users: only these accounts (non-nil, maybe empty)
	After      int64
	Limit      int
}

// Coupons lists coupons in id order after the cursor.
func (q queries) Coupons(ctx context.Context, f CouponFilter) ([]incentive.Coupon, error) {
	args := []any{f.After, f.ProgramID, clampLimit(f.Limit)}
	where := `WHERE id > $1 AND ($2 = '' OR program_id = $2)`
	if f.AccountIDs != nil {
		if len(f.AccountIDs) == 0 {
			return nil, nil
		}
		where += ` AND account_id IN (` + placeholders(len(args)+1, len(f.AccountIDs)) + `)`
		for _, id := range f.AccountIDs {
			args = append(args, id)
		}
	}
	cs, err := q.coupons(ctx, where+` ORDER BY id LIMIT $3`, args...)
	var out []incentive.Coupon
	for _, c := range cs {
		out = append(out, c.Coupon)
	}
	return out, err
}

// Coupon returns a coupon by code, or NotFound.
func (q queries) Coupon(ctx context.Context, code string) (incentive.Coupon, error) {
	cs, err := q.coupons(ctx, `WHERE code = $1`, code)
	if err != nil {
		return incentive.Coupon{}, err
	}
	if len(cs) == 0 {
		return incentive.Coupon{}, apperr.NotFoundf("store.Coupon", "coupon %q not found", code)
	}
	return cs[0].Coupon, nil
}

// PaymentBatch is a stored payment batch.
type PaymentBatch struct {
	ID         int64       `json:"id"`
	Method     string      `json:"method"`
	Status     string      `json:"status"` // exported, reconciled
	Count      int         `json:"count"`
	TotalCents money.Cents `json:"total_cents"`
	FileSHA256 string      `json:"file_sha256"`
	Created    time.Time   `json:"created_at"`
	Actor      string      `json:"actor"`
}

// CreatePaymentBatch gathers everything approved and not yet in a batch
// for the method — approved applications paid by check, ACH or grant
// disbursement (ach), by bill credit (bill_credit), or redeemed coupons
// owed to retailers (retailer) — moves the applications to
// payment_pending and stores the batch with the SHA-256 of its file.
// Nothing to pay is a Conflict.
func (tx *Tx) CreatePaymentBatch(ctx context.Context, actor auth.Actor, method string) (PaymentBatch, []incentive.Payment, error) {
	const op = "store.CreatePaymentBatch"
	if !slices.Contains(incentive.BatchMethods, method) {
		var f apperr.Fields
		f.Add("method", "must be one of %s", strings.Join(incentive.BatchMethods, ", "))
		return PaymentBatch{}, nil, f.Err(op)
	}
	var ps []incentive.Payment
	var apps []incentive.Application
	if method == incentive.BatchRetailer {
		cs, err := tx.coupons(ctx, `WHERE status IN ('redeemed', 'returned') AND paid = 0 AND NOT EXISTS
			(SELECT 1 FROM incentive_payments p WHERE p.coupon_id = incentive_coupons.id AND p.status = 'pending') ORDER BY id`)
		if err != nil {
			return PaymentBatch{}, nil, err
		}
		for _, c := range cs {
			ps = append(ps, incentive.Payment{CouponID: c.ID, ProgramID: c.ProgramID, Payee: c.Retailer, AmountCents: c.AmountCents, Status: "pending"})
		}
	} else {
		methods := []any{incentive.PayCheck, incentive.PayACH, incentive.PayGrant}
		if method == incentive.BatchBillCredit {
			methods = []any{incentive.PayBillCredit, incentive.PayBillCredit, incentive.PayBillCredit}
		}
		ids, err := collect(ctx, tx.queries, scanID, `SELECT id FROM incentive_applications WHERE status = 'approved' AND approved_cents > 0
			AND payment_method IN ($1, $2, $3) ORDER BY id`+tx.forUpdate(), methods...)
		if err != nil {
			return PaymentBatch{}, nil, err
		}
		for _, id := range ids {
			a, err := tx.Application(ctx, id)
			if err != nil {
				return PaymentBatch{}, nil, err
			}
			p := incentive.Payment{ApplicationID: a.ID, ProgramID: a.ProgramID, Payee: a.Payee, AmountCents: a.ApprovedCents, Status: "pending"}
			if a.AccountID > 0 {
				acct, err := tx.Account(ctx, a.AccountID)
				if err != nil {
					return PaymentBatch{}, nil, err
				}
				p.AccountNumber = acct.Number
				if p.Payee == "" {
					c, err := tx.Customer(ctx, acct.CustomerID)
					if err != nil {
						return PaymentBatch{}, nil, err
					}
					p.Payee = c.Name
				}
			} else if p.Payee == "" {
				p.Payee = a.MemberAgency
			}
			ps = append(ps, p)
			apps = append(apps, a)
		}
	}
	if len(ps) == 0 {
		return PaymentBatch{}, nil, apperr.Conflictf(op, "nothing is approved and unpaid for %s payment", method)
	}
	b := PaymentBatch{Method: method, Status: "exported", Count: len(ps), Created: tx.now(), Actor: actor.String()}
	for _, p := range ps {
		b.TotalCents += p.AmountCents
	}
	err := tx.q.QueryRowContext(ctx, `INSERT INTO incentive_payment_batches (method, status, count, total_cents, file_sha256, created_unix, actor)
		VALUES ($1, $2, $3, $4, '', $5, $6) RETURNING id`, b.Method, b.Status, b.Count, b.TotalCents, b.Created.Unix(), b.Actor).Scan(&b.ID)
	if err != nil {
		return b, nil, fmt.Errorf("store: batch: %w", mapErr(err))
	}
	for i := range ps {
		p := &ps[i]
		p.BatchID = b.ID
		var app, cp any
		if p.ApplicationID != 0 {
			app = p.ApplicationID
		}
		if p.CouponID != 0 {
			cp = p.CouponID
		}
		err := tx.q.QueryRowContext(ctx, `INSERT INTO incentive_payments (batch_id, application_id, coupon_id, payee, account_number, amount_cents, status)
			VALUES ($1, $2, $3, $4, $5, $6, 'pending') RETURNING id`, b.ID, app, cp, p.Payee, p.AccountNumber, p.AmountCents).Scan(&p.ID)
		if err != nil {
			return b, nil, fmt.Errorf("store: payment: %w", mapErr(err))
		}
	}
	for _, a := range apps {
		if _, err := tx.TransitionApplication(ctx, actor, a.ID, Transition{To: incentive.PaymentPending, Note: fmt.Sprintf("payment batch %d", b.ID)}); err != nil {
			return b, nil, err
		}
	}
	var buf bytes.Buffer
	if err := incentive.WritePaymentFile(&buf, method, ps); err != nil {
		return b, nil, err
	}
	sum := sha256.Sum256(buf.Bytes())
	b.FileSHA256 = hex.EncodeToString(sum[:])
	if _, err := tx.q.ExecContext(ctx, `UPDATE incentive_payment_batches SET file_sha256 = $2 WHERE id = $1`, b.ID, b.FileSHA256); err != nil {
		return b, nil, err
	}
	return b, ps, tx.audit(ctx, actor, "create", "incentive_payment_batch", b.ID, nil, b)
}

// PaymentBatches lists payment batches, newest first.
func (q queries) PaymentBatches(ctx context.Context) ([]PaymentBatch, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, method, status, count, total_cents, file_sha256, created_unix, actor
		FROM incentive_payment_batches ORDER BY id DESC LIMIT 200`)
	if err != nil {
		return nil, fmt.Errorf("store: batches: %w", err)
	}
	defer rows.Close()
	var out []PaymentBatch
	for rows.Next() {
		var b PaymentBatch
		var at int64
		if err := rows.Scan(&b.ID, &b.Method, &b.Status, &b.Count, &b.TotalCents, &b.FileSHA256, &at, &b.Actor); err != nil {
			return nil, err
		}
		b.Created = time.Unix(at, 0).UTC()
		out = append(out, b)
	}
	return out, rows.Err()
}

// PaymentBatch returns a batch with its payments, or NotFound.
func (q queries) PaymentBatch(ctx context.Context, id int64) (PaymentBatch, []incentive.Payment, error) {
	var b PaymentBatch
	var at int64
	err := q.q.QueryRowContext(ctx, `SELECT id, method, status, count, total_cents, file_sha256, created_unix, actor
		FROM incentive_payment_batches WHERE id = $1`, id).Scan(&b.ID, &b.Method, &b.Status, &b.Count, &b.TotalCents, &b.FileSHA256, &at, &b.Actor)
	if errors.Is(err, sql.ErrNoRows) {
		return b, nil, apperr.NotFoundf("store.PaymentBatch", "payment batch %d not found", id)
	} else if err != nil {
		return b, nil, fmt.Errorf("store: batch: %w", err)
	}
	b.Created = time.Unix(at, 0).UTC()
	rows, err := q.q.QueryContext(ctx, `SELECT p.id, p.batch_id, COALESCE(p.application_id, 0), COALESCE(p.coupon_id, 0),
		COALESCE(a.program_id, c.program_id, ''), p.payee, p.account_number, p.amount_cents, p.status, p.reference, p.result_note
		FROM incentive_payments p LEFT JOIN incentive_applications a ON a.id = p.application_id LEFT JOIN incentive_coupons c ON c.id = p.coupon_id
		WHERE p.batch_id = $1 ORDER BY p.id`, id)
	if err != nil {
		return b, nil, fmt.Errorf("store: payments: %w", err)
	}
	defer rows.Close()
	var ps []incentive.Payment
	for rows.Next() {
		var p incentive.Payment
		if err := rows.Scan(&p.ID, &p.BatchID, &p.ApplicationID, &p.CouponID, &p.ProgramID, &p.Payee, &p.AccountNumber, &p.AmountCents,
			&p.Status, &p.Reference, &p.Note); err != nil {
			return b, nil, err
		}
		ps = append(ps, p)
	}
	return b, ps, rows.Err()
}

// ReconcileBatch applies a results file to a batch in one transaction:
// each paid payment pays its application (ledger pay) or its coupon's
// reimbursement; a returned payment sends the application back to
// approved (its commitment stands). A result for a payment that is not a
// pending payment of the batch is Invalid naming the line, and nothing is
// applied. The batch is reconciled when no payment is pending.
func (tx *Tx) ReconcileBatch(ctx context.Context, actor auth.Actor, id int64, results []incentive.PaymentResult) (PaymentBatch, error) {
	const op = "store.ReconcileBatch"
	b, ps, err := tx.PaymentBatch(ctx, id)
	if err != nil {
		return b, err
	}
	byID := map[int64]incentive.Payment{}
	for _, p := range ps {
		byID[p.ID] = p
	}
	var f apperr.Fields
	seen := map[int64]bool{}
	for i, r := range results {
		p, ok := byID[r.PaymentID]
		switch {
		case !ok:
			f.Add(fmt.Sprintf("results[%d].payment_id", i), "payment %d is not in batch %d", r.PaymentID, id)
		case p.Status != "pending" || seen[r.PaymentID]:
			f.Add(fmt.Sprintf("results[%d].payment_id", i), "payment %d is already %s", r.PaymentID, p.Status)
		}
		seen[r.PaymentID] = true
	}
	if err := f.Err(op); err != nil {
		return b, err
	}
	for _, r := range results {
		p := byID[r.PaymentID]
		if _, err := tx.q.ExecContext(ctx, `UPDATE incentive_payments SET status = $2, reference = $3, result_note = $4 WHERE id = $1`,
			p.ID, r.Status, r.Reference, r.Note); err != nil {
			return b, fmt.Errorf("store: payment: %w", err)
		}
		switch {
		case p.ApplicationID != 0 && r.Status == "paid":
			_, err = tx.TransitionApplication(ctx, actor, p.ApplicationID, Transition{To: incentive.Paid, Note: "payment " + r.Reference})
		case p.ApplicationID != 0:
			_, err = tx.TransitionApplication(ctx, actor, p.ApplicationID, Transition{To: incentive.Approved, Note: "payment returned: " + r.Note})
		case r.Status == "paid":
			err = tx.payCoupon(ctx, actor, p.CouponID)
		}
		if err != nil {
			return b, err
		}
	}
	var pending int
	if err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM incentive_payments WHERE batch_id = $1 AND status = 'pending'`, id).Scan(&pending); err != nil {
		return b, err
	}
	before := b
	if pending == 0 {
		b.Status = "reconciled"
		if _, err := tx.q.ExecContext(ctx, `UPDATE incentive_payment_batches SET status = 'reconciled' WHERE id = $1`, id); err != nil {
			return b, err
		}
	}
	return b, tx.audit(ctx, actor, "reconcile", "incentive_payment_batch", id, before, map[string]any{"batch": b, "results": results})
}

func (tx *Tx) payCoupon(ctx context.Context, actor auth.Actor, couponID int64) error {
	cs, err := tx.coupons(ctx, `WHERE id = $1`+tx.forUpdate(), couponID)
	if err != nil || len(cs) == 0 {
		return fmt.Errorf("store: coupon %d: %v", couponID, err)
	}
	c := cs[0]
	b, err := tx.lockBudget(ctx, c.budgetID)
	if err != nil {
		return err
	}
	if err := tx.post(ctx, actor, &b, incentive.Entry{Kind: incentive.Pay, AmountCents: c.AmountCents, Note: "coupon " + c.Code + " reimbursed"}, c.ID); err != nil {
		return err
	}
	_, err = tx.q.ExecContext(ctx, `UPDATE incentive_coupons SET paid = 1 WHERE id = $1`, c.ID)
	return err
}
