package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/nem"
)

// NEMTransition is a stored legacy transition: the enrollment that ended
// and the one that replaced it, when and by whom.
type NEMTransition struct {
	ID int64 `json:"id"`
	nem.Transition
	OldEnrollmentID int64     `json:"old_enrollment_id"`
	NewEnrollmentID int64     `json:"new_enrollment_id"`
	At              time.Time `json:"at"`
	Actor           string    `json:"actor"`
}

const nemTransitionCols = `id, application_id, account_id, from_program, from_label, to_program, to_label, pto_on, on_date,
	COALESCE(old_enrollment_id, 0), new_enrollment_id, at_unix, actor`

func scanNEMTransition(s interface{ Scan(...any) error }) (NEMTransition, error) {
	var t NEMTransition
	var at int64
	err := s.Scan(&t.ID, &t.ApplicationID, &t.AccountID, &t.From.Program, &t.From.Label, &t.To.Program, &t.To.Label, &t.PTO, &t.On,
		&t.OldEnrollmentID, &t.NewEnrollmentID, &at, &t.Actor)
	t.At = time.Unix(at, 0).UTC()
	return t, err
}

// NEMTransitionOf returns an application's legacy transition, or NotFound
// when it has not moved.
func (q queries) NEMTransitionOf(ctx context.Context, applicationID int64) (NEMTransition, error) {
	t, err := scanNEMTransition(q.q.QueryRowContext(ctx, `SELECT `+nemTransitionCols+` FROM nem_legacy_transitions WHERE application_id = $1`, applicationID))
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.NotFoundf("store.NEMTransitionOf", "application %d has not moved to the successor tariff", applicationID)
	} else if err != nil {
		return t, fmt.Errorf("store: transition: %w", err)
	}
	t.Number = fmt.Sprintf("NEM-%06d", applicationID)
	return t, nil
}

// DueNEMTransitions lists the interconnections whose NEM 1.0/2.0 legacy
// period has ended by today and that have not moved to the successor
// tariff yet (nem.VintageRules.TransitionOf), oldest PTO first.
func (q queries) DueNEMTransitions(ctx context.Context, today calendar.Date) ([]nem.Transition, error) {
	rules := nemRules().Vintages
	// A legacy period ends on PTO + LegacyYears, so only PTOs up to that
	// many years before today can be due; TransitionOf decides exactly.
	cutoff := calendar.Date{Year: today.Year - rules.LegacyYears, Month: today.Month, Day: today.Day}
	if _, err := calendar.NewDate(cutoff.Year, cutoff.Month, cutoff.Day); err != nil {
		cutoff.Day = 28 // 29 February of a common year
	}
	apps, err := collect(ctx, q, scanNEM, `SELECT `+nemCols+` FROM nem_applications a WHERE status IN ('pto_issued', 'active')
		AND vintage_program IN ($1, $2) AND pto_on <= $3
		AND NOT EXISTS (SELECT 1 FROM nem_legacy_transitions t WHERE t.application_id = a.id) ORDER BY pto_on, id`,
		nem.NEM1, nem.NEM2, cutoff.String())
	if err != nil {
		return nil, err
	}
	var out []nem.Transition
	for _, a := range apps {
		if t, due := rules.TransitionOf(a, today); due {
			out = append(out, t)
		}
	}
	return out, nil
}

// NEMTransitions lists the transitions made, newest first, at most limit.
func (q queries) NEMTransitions(ctx context.Context, limit int) ([]NEMTransition, error) {
	ts, err := collect(ctx, q, scanNEMTransition, `SELECT `+nemTransitionCols+` FROM nem_legacy_transitions ORDER BY id DESC LIMIT $1`, clampLimit(limit))
	for i := range ts {
		ts[i].Number = fmt.Sprintf("NEM-%06d", ts[i].ApplicationID)
	}
	return ts, err
}

// TransitionNEMLegacy moves one interconnection whose legacy period has
// ended (on or before today) to the successor tariff, in the caller's
// transaction: the account's "nem" enrollment of the old vintage ends on
// the legacy end, a "nem" enrollment with the successor's track (nbt)
// starts on it with source nem.TransitionSource (the billing engine then
// credits exports at the ACC of the year billed, without the lock-in or
// ACC Plus), the application points at the new enrollment, and the
// history, the transition record and the audit log say so. An
// application that is not due is a Conflict naming why; one already
// moved is a Conflict.
func (tx *Tx) TransitionNEMLegacy(ctx context.Context, actor auth.Actor, id int64, today calendar.Date) (NEMTransition, error) {
	const op = "store.TransitionNEMLegacy"
	a, err := tx.NEMApplication(ctx, id)
	if err != nil {
		return NEMTransition{}, err
	}
	if done, err := tx.NEMTransitionOf(ctx, id); err == nil {
		return done, apperr.Conflictf(op, "%s already moved to the %s on %s", a.Number, done.To.Label, done.On)
	} else if !apperr.Is(err, apperr.NotFound) {
		return NEMTransition{}, err
	}
	rules := nemRules().Vintages
	tr, due := rules.TransitionOf(a, today)
	if !due {
		why := fmt.Sprintf("%s is %s under %s", a.Number, a.Status, a.Vintage.Label)
		if end := rules.TermsAt(a.Vintage, a.PTO).LegacyEnd; !end.IsZero() {
			why = fmt.Sprintf("%s keeps %s until its legacy period ends on %s (20 years from PTO on %s)", a.Number, a.Vintage.Label, end, a.PTO)
		}
		return NEMTransition{}, apperr.Conflictf(op, "not due on %s: %s", today, why)
	}
	t := NEMTransition{Transition: tr, OldEnrollmentID: a.EnrollmentID, At: tx.now(), Actor: actor.String()}
	if a.EnrollmentID != 0 {
		old, err := scanEnrollment(tx.q.QueryRowContext(ctx, `SELECT `+enrollmentCols+` FROM enrollments WHERE id = $1`, a.EnrollmentID))
		if err != nil {
			return t, fmt.Errorf("store: enrollment %d: %w", a.EnrollmentID, err)
		}
		if !old.To.IsZero() && !old.To.After(tr.On) {
			return t, apperr.Conflictf(op, "%s: the account's net-metering enrollment already ended on %s, before the legacy end %s",
				a.Number, old.To, tr.On)
		}
		if err := tx.EndEnrollment(ctx, actor, old.ID, tr.On); err != nil {
			return t, err
		}
	}
	e := customer.Enrollment{AccountID: a.AccountID, Program: nem.EnrollmentProgram, Track: tr.To.Program, From: tr.On,
		Source: nem.TransitionSource, Note: fmt.Sprintf("%s: %s legacy period (20 years from PTO on %s) ended; %s from %s (D.22-12-056)",
			a.Number, tr.From.Label, tr.PTO, tr.To.Label, tr.On)}
	if err := tx.Enroll(ctx, actor, &e); err != nil {
		return t, err
	}
	t.NewEnrollmentID = e.ID
	before := a
	a.EnrollmentID, a.Updated = e.ID, tx.now()
	if err := tx.saveNEM(ctx, &a); err != nil {
		return t, err
	}
	var old any
	if t.OldEnrollmentID != 0 {
		old = t.OldEnrollmentID
	}
	err = tx.q.QueryRowContext(ctx, `INSERT INTO nem_legacy_transitions (application_id, account_id, from_program, from_label, to_program,
		to_label, pto_on, on_date, old_enrollment_id, new_enrollment_id, at_unix, actor) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		RETURNING id`, a.ID, a.AccountID, tr.From.Program, tr.From.Label, tr.To.Program, tr.To.Label, tr.PTO, tr.On, old, e.ID,
		t.At.Unix(), t.Actor).Scan(&t.ID)
	if err != nil {
		return t, fmt.Errorf("store: transition: %w", mapErr(err))
	}
	if err := tx.nemEvent(ctx, actor, a.ID, a.Status, a.Status, tr.On,
		fmt.Sprintf("legacy period ended: %s from %s", tr.To.Label, tr.On)); err != nil {
		return t, err
	}
	return t, tx.audit(ctx, actor, "transition", "nem_application", a.ID, before, t)
}

// RunNEMTransitions moves every interconnection due on today, each in its
// own transaction so that one that cannot move (named in the run's error)
// does not hold back the others, and records the run (TaskNEMLegacy).
// With dryRun nothing moves and no run is recorded: the result lists what
// is due.
func (db *DB) RunNEMTransitions(ctx context.Context, actor auth.Actor, today calendar.Date, dryRun bool) (TaskRun, []nem.Transition, error) {
	run := TaskRun{Task: TaskNEMLegacy, On: today, Started: db.Now().UTC(), Actor: actor.String(), Counts: map[string]int64{}}
	due, err := db.DueNEMTransitions(ctx, today)
	if err != nil {
		return run, nil, err
	}
	run.Counts["due"] = int64(len(due))
	if dryRun {
		run.Summary = fmt.Sprintf("%d interconnections due to move to the successor tariff on %s", len(due), today)
		return run, due, nil
	}
	var moved []nem.Transition
	var failed []string
	for _, t := range due {
		err := db.InTx(ctx, func(tx *Tx) error {
			_, err := tx.TransitionNEMLegacy(ctx, actor, t.ApplicationID, today)
			return err
		})
		if err != nil {
			if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Conflict {
				return run, moved, err
			}
			failed = append(failed, t.Number+": "+whyNot(err))
			continue
		}
		moved = append(moved, t)
	}
	run.Counts["moved"], run.Counts["failed"] = int64(len(moved)), int64(len(failed))
	run.Summary = fmt.Sprintf("%d of %d interconnections moved to the successor tariff on %s", len(moved), len(due), today)
	if len(failed) > 0 {
		run.Error = fmt.Sprintf("%d could not move: %s", len(failed), joinFirst(failed, 5))
	}
	err = db.InTx(ctx, func(tx *Tx) error { return tx.RecordTaskRun(ctx, &run) })
	return run, moved, err
}

// whyNot is a refusal as one line, each field error named by its field.
func whyNot(err error) string {
	fs := apperr.FieldsOf(err)
	if len(fs) == 0 {
		return apperr.MessageOf(err)
	}
	var parts []string
	for _, f := range fs {
		parts = append(parts, f.Field+" "+f.Msg)
	}
	return strings.Join(parts, ", ")
}

// joinFirst joins up to n items and says how many more there are.
func joinFirst(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(items[:n], "; "), len(items)-n)
}
