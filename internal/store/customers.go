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
)

const customerCols = `id, kind, name, email, phone, mailing_address, created_unix, updated_unix`

func scanCustomer(s interface{ Scan(...any) error }) (customer.Customer, error) {
	var c customer.Customer
	var cr, up int64
	err := s.Scan(&c.ID, &c.Kind, &c.Name, &c.Email, &c.Phone, &c.MailingAddress, &cr, &up)
	c.Created, c.Updated = time.Unix(cr, 0).UTC(), time.Unix(up, 0).UTC()
	return c, err
}

// CreateCustomer validates and inserts c, setting its ID.
func (tx *Tx) CreateCustomer(ctx context.Context, actor auth.Actor, c *customer.Customer) error {
	if err := c.Validate(); err != nil {
		return err
	}
	now := tx.now()
	c.Created, c.Updated = now, now
	err := tx.q.QueryRowContext(ctx, `INSERT INTO customers (kind, name, email, phone, mailing_address, created_unix, updated_unix)
		VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, c.Kind, c.Name, c.Email, c.Phone, c.MailingAddress, now.Unix()).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("store: create customer: %w", mapErr(err))
	}
	return tx.audit(ctx, actor, "create", "customer", c.ID, nil, c)
}

// UpdateCustomer validates and saves c over the stored customer.
func (tx *Tx) UpdateCustomer(ctx context.Context, actor auth.Actor, c *customer.Customer) error {
	before, err := tx.Customer(ctx, c.ID)
	if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	c.Created, c.Updated = before.Created, tx.now()
	_, err = tx.q.ExecContext(ctx, `UPDATE customers SET kind = $2, name = $3, email = $4, phone = $5, mailing_address = $6, updated_unix = $7
		WHERE id = $1`, c.ID, c.Kind, c.Name, c.Email, c.Phone, c.MailingAddress, c.Updated.Unix())
	if err != nil {
		return fmt.Errorf("store: update customer: %w", mapErr(err))
	}
	return tx.audit(ctx, actor, "update", "customer", c.ID, before, c)
}

// Customer returns the customer with the given ID.
func (q queries) Customer(ctx context.Context, id int64) (customer.Customer, error) {
	c, err := scanCustomer(q.q.QueryRowContext(ctx, `SELECT `+customerCols+` FROM customers WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFoundf("store.Customer", "customer %d not found", id)
	}
	if err != nil {
		return c, fmt.Errorf("store: customer %d: %w", id, err)
	}
	return c, nil
}

// CustomerFilter selects customers. Query matches name, email, phone, an
// account number or a premise address (case-insensitive substring).
type CustomerFilter struct {
	Query string
	Kind  customer.Kind
	After int64 // cursor: customers with id > After
	Limit int   // default 50, at most 500
}

// Customers lists customers in ID order after the cursor.
func (q queries) Customers(ctx context.Context, f CustomerFilter) ([]customer.Customer, error) {
	f.Limit = clampLimit(f.Limit)
	like := ""
	if f.Query != "" {
		like = "%" + escapeLike(f.Query) + "%"
	}
	rows, err := q.q.QueryContext(ctx, `SELECT `+customerCols+` FROM customers c
		WHERE c.id > $1 AND ($2 = '' OR c.kind = $2)
		AND ($3 = '' OR lower(c.name) LIKE lower($3) ESCAPE '\' OR lower(c.email) LIKE lower($3) ESCAPE '\' OR c.phone LIKE $3 ESCAPE '\'
			OR EXISTS (SELECT 1 FROM accounts a JOIN premises p ON p.id = a.premise_id
				WHERE a.customer_id = c.id AND (a.number LIKE $3 ESCAPE '\' OR lower(p.address) LIKE lower($3) ESCAPE '\')))
		ORDER BY c.id LIMIT $4`, f.After, string(f.Kind), like, f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: customers: %w", err)
	}
	defer rows.Close()
	var out []customer.Customer
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return nil, fmt.Errorf("store: customers: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func clampLimit(n int) int {
	if n <= 0 {
		return 50
	}
	return min(n, 500)
}

// escapeLike escapes LIKE wildcards in user text (ESCAPE '\').
func escapeLike(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' || s[i] == '_' || s[i] == '\\' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// FirstServiceStarts returns, for each of the given customers that has an
// account, the earliest service start of its accounts: when the customer
// began taking service, as opposed to when the record was created.
func (q queries) FirstServiceStarts(ctx context.Context, customerIDs []int64) (map[int64]calendar.Date, error) {
	out := make(map[int64]calendar.Date, len(customerIDs))
	if len(customerIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(customerIDs))
	for i, id := range customerIDs {
		args[i] = id
	}
	rows, err := q.q.QueryContext(ctx, `SELECT customer_id, min(service_start) FROM accounts
		WHERE customer_id IN (`+placeholders(1, len(args))+`) GROUP BY customer_id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: first service starts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var start string
		if err := rows.Scan(&id, &start); err != nil {
			return nil, fmt.Errorf("store: first service starts: %w", err)
		}
		d, err := calendar.ParseDate(start)
		if err != nil {
			return nil, fmt.Errorf("store: first service start of customer %d: %w", id, err)
		}
		out[id] = d
	}
	return out, rows.Err()
}
