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

const enrollmentCols = `id, account_id, program, track, start_date, end_date, source, note, created_unix`

func scanEnrollment(s interface{ Scan(...any) error }) (customer.Enrollment, error) {
	var e customer.Enrollment
	var start string
	var end sql.NullString
	var cr int64
	if err := s.Scan(&e.ID, &e.AccountID, &e.Program, &e.Track, &start, &end, &e.Source, &e.Note, &cr); err != nil {
		return e, err
	}
	var err error
	if e.From, err = calendar.ParseDate(start); err != nil {
		return e, err
	}
	if end.Valid {
		if e.To, err = calendar.ParseDate(end.String); err != nil {
			return e, err
		}
	}
	e.Created = time.Unix(cr, 0).UTC()
	return e, nil
}

// Enroll validates e, checks it against its account (customer.CheckEnrollment:
// within service, residential programs, CARE/FERA income test or a note) and
// the account's other enrollments (no double enrollment, no CARE/FERA
// overlap), and inserts it.
func (tx *Tx) Enroll(ctx context.Context, actor auth.Actor, e *customer.Enrollment) error {
	if err := e.Validate(); err != nil {
		return err
	}
	a, err := tx.Account(ctx, e.AccountID)
	if apperr.Is(err, apperr.NotFound) {
		var f apperr.Fields
		f.Add("account_id", "account %d does not exist", e.AccountID)
		return f.Err("store.Enroll")
	} else if err != nil {
		return err
	}
	p, err := tx.Premise(ctx, a.PremiseID)
	if err != nil {
		return err
	}
	if err := customer.CheckEnrollment(*e, a, p, tx.db.ref); err != nil {
		return err
	}
	existing, err := tx.Enrollments(ctx, e.AccountID)
	if err != nil {
		return err
	}
	if err := customer.CheckOverlap(existing, *e); err != nil {
		return err
	}
	e.Created = tx.now()
	err = tx.q.QueryRowContext(ctx, `INSERT INTO enrollments (account_id, program, track, start_date, end_date, source, note, created_unix)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		e.AccountID, e.Program, e.Track, e.From.String(), dateText(e.To), e.Source, e.Note, e.Created.Unix()).Scan(&e.ID)
	if err != nil {
		return fmt.Errorf("store: enroll: %w", mapErr(err))
	}
	return tx.audit(ctx, actor, "create", "enrollment", e.ID, nil, e)
}

// EndEnrollment sets the end date of an enrollment (the first day it no
// longer applies).
func (tx *Tx) EndEnrollment(ctx context.Context, actor auth.Actor, id int64, end calendar.Date) error {
	before, err := scanEnrollment(tx.q.QueryRowContext(ctx, `SELECT `+enrollmentCols+` FROM enrollments WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf("store.EndEnrollment", "enrollment %d not found", id)
	} else if err != nil {
		return fmt.Errorf("store: enrollment %d: %w", id, err)
	}
	after := before
	after.To = end
	if err := after.Validate(); err != nil {
		return err
	}
	// Moving the end later could run into a following enrollment.
	existing, err := tx.Enrollments(ctx, after.AccountID)
	if err != nil {
		return err
	}
	if err := customer.CheckOverlap(existing, after); err != nil {
		return err
	}
	if _, err := tx.q.ExecContext(ctx, `UPDATE enrollments SET end_date = $2 WHERE id = $1`, id, end.String()); err != nil {
		return fmt.Errorf("store: end enrollment: %w", err)
	}
	return tx.audit(ctx, actor, "update", "enrollment", id, before, after)
}

// Enrollments returns an account's enrollments, oldest first.
func (q queries) Enrollments(ctx context.Context, accountID int64) ([]customer.Enrollment, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+enrollmentCols+` FROM enrollments WHERE account_id = $1 ORDER BY start_date, id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("store: enrollments: %w", err)
	}
	defer rows.Close()
	var out []customer.Enrollment
	for rows.Next() {
		e, err := scanEnrollment(rows)
		if err != nil {
			return nil, fmt.Errorf("store: enrollments: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
