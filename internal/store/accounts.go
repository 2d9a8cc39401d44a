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
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/money"
)

const accountCols = `a.id, a.number, a.customer_id, a.premise_id, a.class, a.rate_schedule, a.lse, a.service_start, a.service_end,
	a.household_size, a.household_income_cents, a.income_verification, a.income_verified_on, a.created_unix, a.updated_unix`

func scanAccount(s interface{ Scan(...any) error }) (customer.Account, error) {
	var a customer.Account
	var start string
	var end, verifiedOn sql.NullString
	var size, income sql.NullInt64
	var verification string
	var cr, up int64
	err := s.Scan(&a.ID, &a.Number, &a.CustomerID, &a.PremiseID, &a.Class, &a.RateSchedule, &a.LSE, &start, &end,
		&size, &income, &verification, &verifiedOn, &cr, &up)
	if err != nil {
		return a, err
	}
	if a.ServiceStart, err = calendar.ParseDate(start); err != nil {
		return a, err
	}
	if end.Valid {
		if a.ServiceEnd, err = calendar.ParseDate(end.String); err != nil {
			return a, err
		}
	}
	if size.Valid {
		h := &customer.Household{Size: int(size.Int64), AnnualIncome: money.Cents(income.Int64), Verification: verification}
		if verifiedOn.Valid {
			if h.VerifiedOn, err = calendar.ParseDate(verifiedOn.String); err != nil {
				return a, err
			}
		}
		a.Household = h
	}
	a.Created, a.Updated = time.Unix(cr, 0).UTC(), time.Unix(up, 0).UTC()
	return a, nil
}

func dateText(d calendar.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

func householdArgs(h *customer.Household) (size, income, verification, verifiedOn any) {
	if h == nil {
		return nil, nil, "", nil
	}
	return h.Size, int64(h.AnnualIncome), h.Verification, dateText(h.VerifiedOn)
}

// CreateAccount validates and inserts a service account.
func (tx *Tx) CreateAccount(ctx context.Context, actor auth.Actor, a *customer.Account) error {
	if err := a.Validate(); err != nil {
		return err
	}
	if err := tx.checkAccountRefs(ctx, a); err != nil {
		return err
	}
	now := tx.now()
	a.Created, a.Updated = now, now
	size, income, ver, verOn := householdArgs(a.Household)
	err := tx.q.QueryRowContext(ctx, `INSERT INTO accounts (number, customer_id, premise_id, class, rate_schedule, lse, service_start,
		service_end, household_size, household_income_cents, income_verification, income_verified_on, created_unix, updated_unix)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) RETURNING id`,
		a.Number, a.CustomerID, a.PremiseID, a.Class, a.RateSchedule, a.LSE, a.ServiceStart.String(), dateText(a.ServiceEnd),
		size, income, ver, verOn, now.Unix()).Scan(&a.ID)
	if err != nil {
		if apperr.KindOf(mapErr(err)) == apperr.Conflict {
			return apperr.E(apperr.Conflict, "store.CreateAccount", fmt.Sprintf("account number %s already exists", a.Number), err)
		}
		return fmt.Errorf("store: create account: %w", mapErr(err))
	}
	return tx.audit(ctx, actor, "create", "account", a.ID, nil, a)
}

func (tx *Tx) checkAccountRefs(ctx context.Context, a *customer.Account) error {
	var f apperr.Fields
	if _, err := tx.Customer(ctx, a.CustomerID); apperr.Is(err, apperr.NotFound) {
		f.Add("customer_id", "customer %d does not exist", a.CustomerID)
	} else if err != nil {
		return err
	}
	if _, err := tx.Premise(ctx, a.PremiseID); apperr.Is(err, apperr.NotFound) {
		f.Add("premise_id", "premise %d does not exist", a.PremiseID)
	} else if err != nil {
		return err
	}
	return f.Err("store.Account")
}

// UpdateAccount validates and saves a over the stored account.
func (tx *Tx) UpdateAccount(ctx context.Context, actor auth.Actor, a *customer.Account) error {
	before, err := tx.Account(ctx, a.ID)
	if err != nil {
		return err
	}
	if err := a.Validate(); err != nil {
		return err
	}
	if err := tx.checkAccountRefs(ctx, a); err != nil {
		return err
	}
	a.Created, a.Updated = before.Created, tx.now()
	size, income, ver, verOn := householdArgs(a.Household)
	_, err = tx.q.ExecContext(ctx, `UPDATE accounts SET number = $2, customer_id = $3, premise_id = $4, class = $5, rate_schedule = $6,
		lse = $7, service_start = $8, service_end = $9, household_size = $10, household_income_cents = $11,
		income_verification = $12, income_verified_on = $13, updated_unix = $14 WHERE id = $1`,
		a.ID, a.Number, a.CustomerID, a.PremiseID, a.Class, a.RateSchedule, a.LSE, a.ServiceStart.String(), dateText(a.ServiceEnd),
		size, income, ver, verOn, a.Updated.Unix())
	if err != nil {
		return fmt.Errorf("store: update account: %w", mapErr(err))
	}
	return tx.audit(ctx, actor, "update", "account", a.ID, before, a)
}

// Account returns the account with the given ID.
func (q queries) Account(ctx context.Context, id int64) (customer.Account, error) {
	a, err := scanAccount(q.q.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts a WHERE a.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFoundf("store.Account", "account %d not found", id)
	}
	if err != nil {
		return a, fmt.Errorf("store: account %d: %w", id, err)
	}
	return a, nil
}

// AccountByNumber returns the account with the given utility number.
func (q queries) AccountByNumber(ctx context.Context, number string) (customer.Account, error) {
	a, err := scanAccount(q.q.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts a WHERE a.number = $1`, number))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFoundf("store.AccountByNumber", "account %s not found", number)
	}
	if err != nil {
		return a, fmt.Errorf("store: account %s: %w", number, err)
	}
	return a, nil
}

// AccountFilter selects accounts; zero fields match everything.
type AccountFilter struct {
	CustomerID   int64
	PremiseID    int64
	Class        customer.Class
	LSE          customer.LSE
	RateSchedule string
	MemberAgency string
	DAC          *bool
	Program      string        // enrolled in this program on the date On
	On           calendar.Date // defaults to today (Pacific) when Program is set
	Number       string        // account number prefix
	IDs          []int64       // restrict to these accounts (portal users)
	After        int64         // cursor: accounts with id > After
	Limit        int
}

// Accounts lists accounts in ID order after the cursor.
func (q queries) Accounts(ctx context.Context, f AccountFilter) ([]customer.Account, error) {
	dac := int64(-1)
	if f.DAC != nil {
		dac = b2i(*f.DAC)
	}
	on := f.On
	if on.IsZero() {
		on = calendar.DateOf(q.now())
	}
	args := []any{f.After, f.CustomerID, f.PremiseID, string(f.Class), string(f.LSE), f.RateSchedule, f.MemberAgency, dac,
		f.Program, on.String(), escapeLike(f.Number) + "%", clampLimit(f.Limit)}
	query := `SELECT ` + accountCols + ` FROM accounts a
		WHERE a.id > $1 AND ($2 = 0 OR a.customer_id = $2) AND ($3 = 0 OR a.premise_id = $3) AND ($4 = '' OR a.class = $4)
		AND ($5 = '' OR a.lse = $5) AND ($6 = '' OR a.rate_schedule = $6)
		AND ($7 = '' OR EXISTS (SELECT 1 FROM premises p WHERE p.id = a.premise_id AND p.member_agency = $7))
		AND ($8 < 0 OR EXISTS (SELECT 1 FROM premises p WHERE p.id = a.premise_id AND p.dac = $8))
		AND ($9 = '' OR EXISTS (SELECT 1 FROM enrollments e WHERE e.account_id = a.id AND e.program = $9
			AND e.start_date <= $10 AND (e.end_date IS NULL OR e.end_date > $10)))
		AND a.number LIKE $11 ESCAPE '\'`
	if f.IDs != nil {
		if len(f.IDs) == 0 {
			return nil, nil
		}
		query += ` AND a.id IN (` + placeholders(len(args)+1, len(f.IDs)) + `)`
		for _, id := range f.IDs {
			args = append(args, id)
		}
	}
	query += ` ORDER BY a.id LIMIT $12`
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: accounts: %w", err)
	}
	defer rows.Close()
	var out []customer.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, fmt.Errorf("store: accounts: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// placeholders returns "$first, $first+1, …" for n arguments.
func placeholders(first, n int) string {
	b := make([]byte, 0, n*4)
	for i := range n {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = fmt.Appendf(b, "$%d", first+i)
	}
	return string(b)
}
