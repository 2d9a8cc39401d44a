package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/incentive"
)

const projectCols = `id, program, name, agency, county, partner, facility, backup_reserve_bp, battery_kwh, solar_kw, expected_kwh,
	amount_cents, equity, chargers, milestones_json, source, created_unix`

func scanProject(s interface{ Scan(...any) error }) (incentive.Project, error) {
	var p incentive.Project
	var equity, cr int64
	var ms string
	err := s.Scan(&p.ID, &p.Program, &p.Name, &p.Agency, &p.County, &p.Partner, &p.Facility, &p.BackupReserveBP, &p.BatteryKWh, &p.SolarKW,
		&p.ExpectedKWh, &p.AmountCents, &equity, &p.Chargers, &ms, &p.Source, &cr)
	if err != nil {
		return p, err
	}
	p.Equity, p.Created = equity != 0, time.Unix(cr, 0).UTC()
	return p, json.Unmarshal([]byte(ms), &p.Milestones)
}

// CreateProject stores a tracked project (Power Ready, CALeVIP,
// Building Electrification); the member agency, when given, must be one
// of the reference table's.
func (tx *Tx) CreateProject(ctx context.Context, actor auth.Actor, p *incentive.Project) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if p.Agency != "" {
		if _, ok := tx.db.ref.MemberAgency(p.Agency); !ok {
			var f apperr.Fields
			f.Add("agency", "%q is not a member agency in the reference table", p.Agency)
			return f.Err("store.CreateProject")
		}
	}
	ms, _ := json.Marshal(p.Milestones)
	p.Created = tx.now()
	err := tx.q.QueryRowContext(ctx, `INSERT INTO incentive_projects (program, name, agency, county, partner, facility, backup_reserve_bp,
		battery_kwh, solar_kw, expected_kwh, amount_cents, equity, chargers, milestones_json, source, created_unix)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
		p.Program, p.Name, p.Agency, p.County, p.Partner, p.Facility, p.BackupReserveBP, p.BatteryKWh, p.SolarKW, p.ExpectedKWh,
		p.AmountCents, b2i(p.Equity), p.Chargers, string(ms), p.Source, p.Created.Unix()).Scan(&p.ID)
	if err != nil {
		return fmt.Errorf("store: create project: %w", mapErr(err))
	}
	return tx.audit(ctx, actor, "create", "incentive_project", p.ID, nil, p)
}

// Project returns a tracked project, or NotFound.
func (q queries) Project(ctx context.Context, id int64) (incentive.Project, error) {
	p, err := scanProject(q.q.QueryRowContext(ctx, `SELECT `+projectCols+` FROM incentive_projects WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFoundf("store.Project", "project %d not found", id)
	} else if err != nil {
		return p, fmt.Errorf("store: project: %w", err)
	}
	return p, nil
}

// Engagement returns an engagement, or NotFound.
func (q queries) Engagement(ctx context.Context, id int64) (incentive.Engagement, error) {
	e, err := scanEngagement(q.q.QueryRowContext(ctx, `SELECT `+engagementCols+` FROM incentive_engagements WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, apperr.NotFoundf("store.Engagement", "engagement %d not found", id)
	} else if err != nil {
		return e, fmt.Errorf("store: engagement: %w", err)
	}
	return e, nil
}

// Projects lists the tracked projects of a program ("" for all).
func (q queries) Projects(ctx context.Context, program string) ([]incentive.Project, error) {
	return collect(ctx, q, scanProject, `SELECT `+projectCols+` FROM incentive_projects WHERE ($1 = '' OR program = $1) ORDER BY program, id`, program)
}

// CompleteMilestone records a project's milestone as done on d (in order;
// incentive.Project.Complete).
func (tx *Tx) CompleteMilestone(ctx context.Context, actor auth.Actor, id int64, name string, d calendar.Date) (incentive.Project, error) {
	p, err := scanProject(tx.q.QueryRowContext(ctx, `SELECT `+projectCols+` FROM incentive_projects WHERE id = $1`+tx.forUpdate(), id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, apperr.NotFoundf("store.CompleteMilestone", "project %d not found", id)
	} else if err != nil {
		return p, fmt.Errorf("store: project: %w", err)
	}
	before := p
	before.Milestones = append([]incentive.Milestone(nil), p.Milestones...)
	if err := p.Complete(name, d); err != nil {
		return p, err
	}
	ms, _ := json.Marshal(p.Milestones)
	if _, err := tx.q.ExecContext(ctx, `UPDATE incentive_projects SET milestones_json = $2 WHERE id = $1`, id, string(ms)); err != nil {
		return p, fmt.Errorf("store: project: %w", err)
	}
	return p, tx.audit(ctx, actor, "update", "incentive_project", id, before, p)
}

const engagementCols = `id, program, agency, COALESCE(account_id, 0), channel, topic, status, referred_json, follow_up, opened, closed, note`

func scanEngagement(s interface{ Scan(...any) error }) (incentive.Engagement, error) {
	var e incentive.Engagement
	var ref, opened string
	var follow, closed sql.NullString
	if err := s.Scan(&e.ID, &e.Program, &e.Agency, &e.AccountID, &e.Channel, &e.Topic, &e.Status, &ref, &follow, &opened, &closed, &e.Note); err != nil {
		return e, err
	}
	e.Opened, _ = calendar.ParseDate(opened)
	e.FollowUp, e.Closed = optDate(follow), optDate(closed)
	return e, json.Unmarshal([]byte(ref), &e.ReferredTo)
}

// SaveEngagement creates (ID 0) or updates a Reach Code engagement or an
// Energy Team case.
func (tx *Tx) SaveEngagement(ctx context.Context, actor auth.Actor, e *incentive.Engagement) error {
	if err := e.Validate(); err != nil {
		return err
	}
	if e.ReferredTo == nil {
		e.ReferredTo = []string{}
	}
	ref, _ := json.Marshal(e.ReferredTo)
	var acct any
	if e.AccountID != 0 {
		acct = e.AccountID
	}
	if e.ID == 0 {
		err := tx.q.QueryRowContext(ctx, `INSERT INTO incentive_engagements (program, agency, account_id, channel, topic, status, referred_json,
			follow_up, opened, closed, note, created_unix) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
			e.Program, e.Agency, acct, e.Channel, e.Topic, e.Status, string(ref), dateText(e.FollowUp), e.Opened.String(), dateText(e.Closed),
			e.Note, tx.now().Unix()).Scan(&e.ID)
		if err != nil {
			return fmt.Errorf("store: engagement: %w", mapErr(err))
		}
		return tx.audit(ctx, actor, "create", "incentive_engagement", e.ID, nil, e)
	}
	before, err := scanEngagement(tx.q.QueryRowContext(ctx, `SELECT `+engagementCols+` FROM incentive_engagements WHERE id = $1`, e.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.NotFoundf("store.SaveEngagement", "engagement %d not found", e.ID)
	} else if err != nil {
		return err
	}
	_, err = tx.q.ExecContext(ctx, `UPDATE incentive_engagements SET status = $2, referred_json = $3, follow_up = $4, closed = $5, note = $6 WHERE id = $1`,
		e.ID, e.Status, string(ref), dateText(e.FollowUp), dateText(e.Closed), e.Note)
	if err != nil {
		return fmt.Errorf("store: engagement: %w", mapErr(err))
	}
	return tx.audit(ctx, actor, "update", "incentive_engagement", e.ID, before, e)
}

// Engagements lists engagements of a program ("" for all), newest first.
func (q queries) Engagements(ctx context.Context, program string) ([]incentive.Engagement, error) {
	return collect(ctx, q, scanEngagement, `SELECT `+engagementCols+` FROM incentive_engagements WHERE ($1 = '' OR program = $1) ORDER BY id DESC`, program)
}
