package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
)

// Disbursement is a grant application's plan of staged payments: its
// tranches in milestone order and, for a grant to a tracked project (Power
// Ready), the project whose milestones the tranches follow.
type Disbursement struct {
	ApplicationID int64               `json:"application_id"`
	ProjectID     int64               `json:"project_id,omitempty"`
	AwardCents    money.Cents         `json:"award_cents"`
	HeldCents     money.Cents         `json:"held_cents"` // still reserved in the budget for the award
	Tranches      []incentive.Tranche `json:"tranches"`
	Documents     map[int][]int64     `json:"documents"` // evidence document ids by tranche seq
	Planned       time.Time           `json:"planned_at"`
	Actor         string              `json:"actor"`
}

// Engine is the plan as the incentive engine checks it.
func (d Disbursement) Engine() incentive.Disbursement {
	return incentive.Disbursement{AwardCents: d.AwardCents, HeldCents: d.HeldCents, Tranches: slices.Clone(d.Tranches)}
}

const trancheCols = `id, application_id, seq, milestone, planned_cents, amount_cents, status, approved_on, paid_on, reference, note`

func scanTranche(s interface{ Scan(...any) error }) (incentive.Tranche, error) {
	var t incentive.Tranche
	var status string
	err := s.Scan(&t.ID, &t.ApplicationID, &t.Seq, &t.Milestone, &t.PlannedCents, &t.AmountCents, &status, &t.ApprovedOn, &t.PaidOn,
		&t.Reference, &t.Note)
	t.Status = incentive.TrancheStatus(status)
	return t, err
}

// Disbursement returns an application's disbursement plan, or NotFound
// when it is not paid in tranches.
func (q queries) Disbursement(ctx context.Context, appID int64) (Disbursement, error) {
	d := Disbursement{ApplicationID: appID, Documents: map[int][]int64{}}
	var project sql.NullInt64
	var planned int64
	err := q.q.QueryRowContext(ctx, `SELECT project_id, planned_unix, actor FROM incentive_disbursements WHERE application_id = $1`, appID).
		Scan(&project, &planned, &d.Actor)
	if errors.Is(err, sql.ErrNoRows) {
		return d, apperr.NotFoundf("store.Disbursement", "application %d is not paid in tranches", appID)
	} else if err != nil {
		return d, fmt.Errorf("store: disbursement: %w", err)
	}
	d.ProjectID, d.Planned = project.Int64, time.Unix(planned, 0).UTC()
	a, err := q.Application(ctx, appID)
	if err != nil {
		return d, err
	}
	d.AwardCents, d.HeldCents = a.AmountCents, a.ReservedCents
	if d.Tranches, err = collect(ctx, q, scanTranche, `SELECT `+trancheCols+` FROM incentive_tranches WHERE application_id = $1 ORDER BY seq`, appID); err != nil {
		return d, err
	}
	rows, err := q.q.QueryContext(ctx, `SELECT t.seq, d.id FROM incentive_documents d JOIN incentive_tranches t ON t.id = d.tranche_id
		WHERE t.application_id = $1 ORDER BY t.seq, d.id`, appID)
	if err != nil {
		return d, fmt.Errorf("store: tranche documents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int
		var id int64
		if err := rows.Scan(&seq, &id); err != nil {
			return d, err
		}
		d.Documents[seq] = append(d.Documents[seq], id)
	}
	return d, rows.Err()
}

// PlanDisbursement plans the staged payment of a reserved grant award:
// the tranches by milestone (incentive.PlanTranches: together no more than
// the award) and, with projectID, the tracked project whose milestones
// they follow (each tranche's milestone must be one of the project's).
// The application must be a grant, reserved for its whole award and not
// planned yet. From then on its reservation does not lapse (an award is a
// multi-year commitment: Energized Communities is a "three-year
// commitment", spec/cca-programs.md) and it is paid only through its
// tranches. The plan, a history event and the audit record are written in
// the caller's transaction.
func (tx *Tx) PlanDisbursement(ctx context.Context, actor auth.Actor, appID, projectID int64, specs []incentive.TrancheSpec) (Disbursement, error) {
	const op = "store.PlanDisbursement"
	a, err := tx.application(ctx, appID, tx.forUpdate())
	if err != nil {
		return Disbursement{}, err
	}
	if a.PaymentMethod != incentive.PayGrant {
		return Disbursement{}, apperr.Conflictf(op, "application %d pays by %s: only grants are paid in tranches", a.ID, a.PaymentMethod)
	}
	if a.Status != incentive.Reserved || a.ReservedCents != a.AmountCents || a.ApprovedCents != 0 {
		return Disbursement{}, apperr.Conflictf(op, "application %d is %s with %s of its %s award reserved: a plan needs the whole award reserved",
			a.ID, a.Status, a.ReservedCents, a.AmountCents)
	}
	if _, err := tx.Disbursement(ctx, appID); err == nil {
		return Disbursement{}, apperr.Conflictf(op, "application %d already has a disbursement plan", appID)
	} else if !apperr.Is(err, apperr.NotFound) {
		return Disbursement{}, err
	}
	ts, err := incentive.PlanTranches(a.AmountCents, specs)
	if err != nil {
		return Disbursement{}, err
	}
	var project any
	if projectID != 0 {
		p, err := tx.Project(ctx, projectID)
		if apperr.Is(err, apperr.NotFound) {
			var f apperr.Fields
			f.Add("project_id", "project %d does not exist", projectID)
			return Disbursement{}, f.Err(op)
		} else if err != nil {
			return Disbursement{}, err
		}
		var f apperr.Fields
		for i, t := range ts {
			if !slices.ContainsFunc(p.Milestones, func(m incentive.Milestone) bool { return m.Name == t.Milestone }) {
				f.Add(fmt.Sprintf("tranches[%d].milestone", i), "%q is not a milestone of %s", t.Milestone, p.Name)
			}
		}
		if err := f.Err(op); err != nil {
			return Disbursement{}, err
		}
		project = projectID
	}
	now := tx.now()
	if _, err := tx.q.ExecContext(ctx, `INSERT INTO incentive_disbursements (application_id, project_id, planned_unix, actor) VALUES ($1, $2, $3, $4)`,
		appID, project, now.Unix(), actor.String()); err != nil {
		return Disbursement{}, fmt.Errorf("store: disbursement: %w", mapErr(err))
	}
	for i := range ts {
		t := &ts[i]
		t.ApplicationID = appID
		err := tx.q.QueryRowContext(ctx, `INSERT INTO incentive_tranches (application_id, seq, milestone, planned_cents, status)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, appID, t.Seq, t.Milestone, t.PlannedCents, string(t.Status)).Scan(&t.ID)
		if err != nil {
			return Disbursement{}, fmt.Errorf("store: tranche: %w", mapErr(err))
		}
	}
	before := a
	a.Expires = calendar.Date{}
	if err := tx.save(ctx, actor, &before, &a, ""); err != nil {
		return Disbursement{}, err
	}
	if err := tx.event(ctx, actor, a.ID, a.Status, a.Status, fmt.Sprintf("paid in %d tranches as milestones are approved; the reservation no longer lapses", len(ts))); err != nil {
		return Disbursement{}, err
	}
	d, err := tx.Disbursement(ctx, appID)
	if err != nil {
		return d, err
	}
	return d, tx.audit(ctx, actor, "plan_disbursement", "incentive_application", a.ID, nil, d)
}

// trancheOf returns tranche seq of plan d, or an Invalid error naming
// tranche.
func trancheOf(d Disbursement, seq int) (incentive.Tranche, error) {
	i := slices.IndexFunc(d.Tranches, func(t incentive.Tranche) bool { return t.Seq == seq })
	if i < 0 {
		var f apperr.Fields
		f.Add("tranche", "application %d has no tranche %d", d.ApplicationID, seq)
		return incentive.Tranche{}, f.Err("store.tranche")
	}
	return d.Tranches[i], nil
}

// AttachTrancheDocument stores the evidence of a tranche's milestone (a
// signed agreement, a progress report, an inspection) as a document of the
// application (AddDocument: SHA-256 kept, a stated checksum must match)
// and ties it to the tranche.
func (tx *Tx) AttachTrancheDocument(ctx context.Context, actor auth.Actor, appID int64, seq int, name, contentType string, content []byte, claimed string) (DocumentInfo, error) {
	d, err := tx.Disbursement(ctx, appID)
	if err != nil {
		return DocumentInfo{}, err
	}
	t, err := trancheOf(d, seq)
	if err != nil {
		return DocumentInfo{}, err
	}
	if t.Status == incentive.TrancheCancelled || t.Status == incentive.TranchePaid {
		return DocumentInfo{}, apperr.Conflictf("store.AttachTrancheDocument", "tranche %d (%s) is %s", t.Seq, t.Milestone, t.Status)
	}
	doc, err := tx.AddDocument(ctx, actor, appID, name, contentType, content, claimed)
	if err != nil {
		return doc, err
	}
	if _, err := tx.q.ExecContext(ctx, `UPDATE incentive_documents SET tranche_id = $2 WHERE id = $1`, doc.ID, t.ID); err != nil {
		return doc, fmt.Errorf("store: tranche document: %w", err)
	}
	return doc, tx.audit(ctx, actor, "attach", "incentive_tranche", t.ID, nil, map[string]any{"document_id": doc.ID, "sha256": doc.SHA256})
}

// ApproveTranche approves a tranche's milestone on on (not after today)
// and commits its amount (0: the planned amount) from the award's
// reservation, through the budget ledger, in the caller's transaction:
// incentive.Disbursement.Approve's rules (in order, on evidence, a linked
// project's milestone done, never more than what is left of the award nor
// than the budget holds) refuse anything else, naming the rule, and
// nothing is stored.
func (tx *Tx) ApproveTranche(ctx context.Context, actor auth.Actor, appID int64, seq int, amount money.Cents, on, today calendar.Date) (incentive.Tranche, error) {
	a, err := tx.application(ctx, appID, tx.forUpdate())
	if err != nil {
		return incentive.Tranche{}, err
	}
	d, err := tx.Disbursement(ctx, appID)
	if err != nil {
		return incentive.Tranche{}, err
	}
	if a.Status != incentive.Reserved {
		return incentive.Tranche{}, apperr.Conflictf("store.ApproveTranche", "application %d is %s: no tranche can be approved", a.ID, a.Status)
	}
	t, err := trancheOf(d, seq)
	if err != nil {
		return t, err
	}
	ap := incentive.Approval{Seq: seq, AmountCents: amount, On: on, Documents: len(d.Documents[seq])}
	if d.ProjectID != 0 {
		p, err := tx.Project(ctx, d.ProjectID)
		if err != nil {
			return t, err
		}
		ap.ProjectLink, ap.ProjectLabel = true, p.Name
		if i := slices.IndexFunc(p.Milestones, func(m incentive.Milestone) bool { return m.Name == t.Milestone }); i >= 0 {
			ap.ProjectDone = p.Milestones[i].Done
		}
	}
	eng := d.Engine()
	t, err = eng.Approve(ap, today)
	if err != nil {
		return t, err
	}
	b, err := tx.lockBudget(ctx, a.BudgetID)
	if err != nil {
		return t, err
	}
	note := fmt.Sprintf("tranche %d (%s) approved", t.Seq, t.Milestone)
	if err := tx.post(ctx, actor, &b, incentive.Entry{Kind: incentive.Commit, AmountCents: t.AmountCents, ApplicationID: a.ID, Note: note}, 0); err != nil {
		return t, err
	}
	before := a
	a.ReservedCents -= t.AmountCents
	a.ApprovedCents += t.AmountCents
	if err := tx.save(ctx, actor, &before, &a, ""); err != nil {
		return t, err
	}
	if err := tx.saveTranche(ctx, t); err != nil {
		return t, err
	}
	if err := tx.event(ctx, actor, a.ID, a.Status, a.Status, fmt.Sprintf("%s on %s: %s committed", note, t.ApprovedOn, t.AmountCents)); err != nil {
		return t, err
	}
	return t, tx.audit(ctx, actor, "approve", "incentive_tranche", t.ID, trancheOfID(d, t.ID), t)
}

func trancheOfID(d Disbursement, id int64) incentive.Tranche {
	for _, t := range d.Tranches {
		if t.ID == id {
			return t
		}
	}
	return incentive.Tranche{}
}

func (tx *Tx) saveTranche(ctx context.Context, t incentive.Tranche) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE incentive_tranches SET amount_cents = $2, status = $3, approved_on = $4, paid_on = $5,
		reference = $6, note = $7 WHERE id = $1`, t.ID, t.AmountCents, string(t.Status), t.ApprovedOn, t.PaidOn, t.Reference, t.Note)
	if err != nil {
		return fmt.Errorf("store: tranche: %w", mapErr(err))
	}
	return nil
}

// PayTranche records an approved tranche's disbursement (paid on on with
// its payment reference) through the budget ledger, in the caller's
// transaction. When the last tranche is paid, whatever of the award was
// never planned is released to the budget (promoting its waitlist) and the
// application is paid.
func (tx *Tx) PayTranche(ctx context.Context, actor auth.Actor, appID int64, seq int, on calendar.Date, reference string, today calendar.Date) (incentive.Tranche, error) {
	a, err := tx.application(ctx, appID, tx.forUpdate())
	if err != nil {
		return incentive.Tranche{}, err
	}
	d, err := tx.Disbursement(ctx, appID)
	if err != nil {
		return incentive.Tranche{}, err
	}
	eng := d.Engine()
	t, err := eng.Pay(seq, on, reference, today)
	if err != nil {
		return t, err
	}
	b, err := tx.lockBudget(ctx, a.BudgetID)
	if err != nil {
		return t, err
	}
	note := fmt.Sprintf("tranche %d (%s) paid, %s", t.Seq, t.Milestone, t.Reference)
	if err := tx.post(ctx, actor, &b, incentive.Entry{Kind: incentive.Pay, AmountCents: t.AmountCents, ApplicationID: a.ID, Note: note}, 0); err != nil {
		return t, err
	}
	if err := tx.saveTranche(ctx, t); err != nil {
		return t, err
	}
	before := a
	a.PaidCents += t.AmountCents
	if eng.Done() {
		if a.ReservedCents > 0 {
			if err := tx.release(ctx, actor, &a, a.ReservedCents, "the award's unplanned remainder, released when the last tranche was paid"); err != nil {
				return t, err
			}
		}
		a.Status = incentive.Paid
		note += "; the last tranche"
	}
	if err := tx.save(ctx, actor, &before, &a, note); err != nil {
		return t, err
	}
	if before.Status == a.Status {
		if err := tx.event(ctx, actor, a.ID, a.Status, a.Status, note); err != nil {
			return t, err
		}
	}
	if a.Status == incentive.Paid {
		if err := tx.promote(ctx, actor, a.ProgramID); err != nil {
			return t, err
		}
	}
	return t, tx.audit(ctx, actor, "pay", "incentive_tranche", t.ID, trancheOfID(d, t.ID), t)
}

// guardDisbursement keeps an application paid in tranches on its plan:
// it is approved, claimed, expired or paid only through its tranches
// (Conflict), and a withdrawal or rejection, refused while an approved
// tranche awaits payment, cancels the tranches still planned (the
// reservation they held is released by the transition).
func (tx *Tx) guardDisbursement(ctx context.Context, a incentive.Application, to incentive.Status) error {
	const op = "store.TransitionApplication"
	d, err := tx.Disbursement(ctx, a.ID)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	} else if err != nil {
		return err
	}
	switch to {
	case incentive.ClaimSubmitted, incentive.QAInspection, incentive.Approved, incentive.PaymentPending, incentive.Paid, incentive.Expired:
		return apperr.Conflictf(op, "application %d is paid in tranches: approve and pay its milestones instead", a.ID)
	case incentive.Withdrawn, incentive.Rejected:
		for _, t := range d.Tranches {
			if t.Status == incentive.TrancheApproved {
				return apperr.Conflictf(op, "tranche %d (%s) is approved and unpaid: pay it before the grant ends", t.Seq, t.Milestone)
			}
		}
		_, err := tx.q.ExecContext(ctx, `UPDATE incentive_tranches SET status = 'cancelled', note = $2 WHERE application_id = $1 AND status = 'planned'`,
			a.ID, "grant "+string(to))
		return err
	}
	return nil
}
