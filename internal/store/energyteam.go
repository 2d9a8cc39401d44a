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
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/energyteam"
	"github.com/gridbook/gridbook/internal/incentive"
)

// EnergyTeamInputs gathers what an Energy Team plan for an account is
// made from: the account as a bill run sees it (premise climate zone and
// DAC status, enrollments, meters), every stored tariff and export-price
// table, its metered use over the last months whole calendar months
// before today's month that have readings (at most months, none before
// the first stored version of its schedule), the incentive catalog and
// income tables, and the registry's facts on today.
func (q queries) EnergyTeamInputs(ctx context.Context, accountID int64, months int, today calendar.Date) (energyteam.Inputs, error) {
	const op = "store.EnergyTeamInputs"
	var in energyteam.Inputs
	a, err := q.Account(ctx, accountID)
	if err != nil {
		return in, err
	}
	p, err := q.Premise(ctx, a.PremiseID)
	if err != nil {
		return in, err
	}
	es, err := q.Enrollments(ctx, accountID)
	if err != nil {
		return in, err
	}
	ms, err := q.Meters(ctx, accountID)
	if err != nil {
		return in, err
	}
	in.Account = billrun.Account{Account: a, ClimateZone: p.ClimateZone, DAC: p.DAC, Enrollments: es, Meters: ms}
	in.Premise, in.Income = p, q.db.ref
	in.Facts = incentive.RegistryFacts(a, p, es, today)
	versions, tables, err := q.BillingCatalog(ctx)
	if err != nil {
		return in, err
	}
	in.Tariffs = billrun.NewCatalog(versions, tables)
	if in.Programs, err = q.IncentiveCatalog(ctx); err != nil {
		return in, err
	}
	last, err := q.LastUsageCycle(ctx, accountID, today.String()[:7])
	if err != nil {
		return in, err
	}
	if last == "" {
		return in, apperr.NotFoundf(op, "account %s has no whole month of readings", a.Number)
	}
	end, err := time.ParseInLocation("2006-01", last, calendar.Pacific)
	if err != nil {
		return in, err
	}
	end = end.AddDate(0, 1, 0)
	startT := end.AddDate(0, -months, 0)
	// bill only months the account's schedule has a version for
	first := calendar.Date{}
	for _, v := range versions {
		if v.Version.Code == a.RateSchedule && (first.IsZero() || v.Version.From.Before(first)) {
			first = v.Version.From
		}
	}
	if first.IsZero() {
		return in, apperr.NotFoundf(op, "no stored tariff for the account's schedule %s", a.RateSchedule)
	}
	if fs := first.In(calendar.Pacific); fs.After(startT) {
		startT = time.Date(fs.Year(), fs.Month(), 1, 0, 0, 0, 0, calendar.Pacific)
		if fs.Day() != 1 {
			startT = startT.AddDate(0, 1, 0)
		}
	}
	if !startT.Before(end) {
		return in, apperr.NotFoundf(op, "the stored %s versions start %s, after the account's readings", a.RateSchedule, first)
	}
	for m := startT; m.Before(end); m = m.AddDate(0, 1, 0) {
		in.Periods = append(in.Periods, calendar.Period{Start: calendar.DateOf(m), End: calendar.DateOf(m.AddDate(0, 1, 0))})
	}
	in.Usage, err = q.accountUsage(ctx, a, ms, startT, end)
	return in, err
}

// accountUsage reads an account's meters' delivered and received
// channels over [from, to) into one usage at the shortest interval, a
// reading missing from every meter staying missing.
func (q queries) accountUsage(ctx context.Context, a customer.Account, ms []customer.Meter, from, to time.Time) (billing.Usage, error) {
	var step time.Duration
	for _, m := range ms {
		if s := time.Duration(m.IntervalSeconds) * time.Second; step == 0 || s < step {
			step = s
		}
	}
	if step == 0 {
		return billing.Usage{}, apperr.NotFoundf("store.EnergyTeamInputs", "account %s has no meter", a.Number)
	}
	n := int(to.Sub(from) / step)
	u := billing.Usage{Start: from.UTC(), Step: step, Delivered: make([]energy.Wh, n)}
	for i := range u.Delivered {
		u.Delivered[i] = billing.Missing
	}
	for _, m := range ms {
		for _, ch := range m.Channels {
			if time.Duration(ch.IntervalSeconds)*time.Second != step {
				continue
			}
			into := &u.Delivered
			if ch.Direction == customer.Received {
				if u.Received == nil {
					u.Received = make([]energy.Wh, n)
				}
				into = &u.Received
			}
			for lo := from; lo.Before(to); lo = lo.AddDate(0, 6, 0) {
				hi := lo.AddDate(0, 6, 0)
				if hi.After(to) {
					hi = to
				}
				s, err := q.Intervals(ctx, ch.ID, lo, hi)
				if err != nil {
					return u, err
				}
				off := int(lo.Sub(from) / step)
				for i, v := range s.Values {
					if v == Missing {
						continue
					}
					if (*into)[off+i] == billing.Missing {
						(*into)[off+i] = 0
					}
					(*into)[off+i] += v
				}
			}
		}
	}
	return u, nil
}

const caseCols = `id, account_id, status, source, subject, advisor, recommended_json, follow_up, opened_by, opened_unix, updated_unix, closed_unix`

func scanCase(s interface{ Scan(...any) error }) (energyteam.Case, error) {
	var c energyteam.Case
	var rec string
	var follow sql.NullString
	var opened, updated int64
	var closed sql.NullInt64
	if err := s.Scan(&c.ID, &c.AccountID, &c.Status, &c.Source, &c.Subject, &c.Advisor, &rec, &follow, &c.OpenedBy, &opened, &updated, &closed); err != nil {
		return c, err
	}
	c.FollowUp = optDate(follow)
	c.Opened, c.Updated = time.Unix(opened, 0).UTC(), time.Unix(updated, 0).UTC()
	if closed.Valid {
		c.Closed = time.Unix(closed.Int64, 0).UTC()
	}
	c.Notes, c.Referrals = []energyteam.Note{}, []energyteam.Referral{}
	return c, json.Unmarshal([]byte(rec), &c.Recommended)
}

// OpenCase opens an Energy Team case for an account, audited. An account
// with a case that is not closed cannot open another (Conflict naming
// it); an unknown account is an Invalid error naming account_id.
func (tx *Tx) OpenCase(ctx context.Context, actor auth.Actor, n energyteam.NewCase) (energyteam.Case, error) {
	const op = "store.OpenCase"
	if err := n.Validate(); err != nil {
		return energyteam.Case{}, err
	}
	if _, err := tx.Account(ctx, n.AccountID); apperr.Is(err, apperr.NotFound) {
		var f apperr.Fields
		f.Add("account_id", "account %d does not exist", n.AccountID)
		return energyteam.Case{}, f.Err(op)
	} else if err != nil {
		return energyteam.Case{}, err
	}
	if cur, err := tx.currentCase(ctx, n.AccountID); err == nil {
		return energyteam.Case{}, apperr.E(apperr.Conflict, op, fmt.Sprintf("the account already has an Energy Team case (%d, %s)", cur.ID, cur.Status), nil)
	} else if !apperr.Is(err, apperr.NotFound) {
		return energyteam.Case{}, err
	}
	now := tx.now()
	c := energyteam.Case{AccountID: n.AccountID, Status: energyteam.Open, Source: n.Source, Subject: n.Subject, Advisor: n.Advisor,
		Recommended: []string{}, OpenedBy: actor.String(), Opened: now, Updated: now, Notes: []energyteam.Note{}, Referrals: []energyteam.Referral{}}
	if n.Advisor != "" {
		c.Status = energyteam.Advising
	}
	err := tx.q.QueryRowContext(ctx, `INSERT INTO energy_team_cases (account_id, status, source, subject, advisor, recommended_json,
		opened_by, opened_unix, updated_unix) VALUES ($1, $2, $3, $4, $5, '[]', $6, $7, $7) RETURNING id`,
		c.AccountID, string(c.Status), c.Source, c.Subject, c.Advisor, c.OpenedBy, now.Unix()).Scan(&c.ID)
	if err != nil {
		return c, fmt.Errorf("store: open case: %w", mapErr(err))
	}
	return c, tx.audit(ctx, actor, "open", "energy_team_case", c.ID, nil, c)
}

// currentCase returns the account's case that is not closed.
func (q queries) currentCase(ctx context.Context, accountID int64) (energyteam.Case, error) {
	c, err := scanCase(q.q.QueryRowContext(ctx, `SELECT `+caseCols+` FROM energy_team_cases WHERE account_id = $1 AND status <> 'closed'`, accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFoundf("store.Case", "account %d has no open Energy Team case", accountID)
	}
	if err != nil {
		return c, fmt.Errorf("store: case: %w", err)
	}
	return c, nil
}

// AccountCase returns the account's latest Energy Team case (the open one
// if any) with its notes and referrals, or NotFound.
func (q queries) AccountCase(ctx context.Context, accountID int64) (energyteam.Case, error) {
	var id int64
	err := q.q.QueryRowContext(ctx, `SELECT id FROM energy_team_cases WHERE account_id = $1
		ORDER BY CASE WHEN status = 'closed' THEN 1 ELSE 0 END, id DESC LIMIT 1`, accountID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return energyteam.Case{}, apperr.NotFoundf("store.Case", "account %d has no Energy Team case", accountID)
	}
	if err != nil {
		return energyteam.Case{}, fmt.Errorf("store: case: %w", err)
	}
	return q.Case(ctx, id)
}

// Case returns one case with its notes and referrals, oldest first.
func (q queries) Case(ctx context.Context, id int64) (energyteam.Case, error) {
	c, err := scanCase(q.q.QueryRowContext(ctx, `SELECT `+caseCols+` FROM energy_team_cases WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFoundf("store.Case", "Energy Team case %d not found", id)
	}
	if err != nil {
		return c, fmt.Errorf("store: case %d: %w", id, err)
	}
	rows, err := q.q.QueryContext(ctx, `SELECT id, at_unix, author, body, shared FROM energy_team_notes WHERE case_id = $1 ORDER BY id`, id)
	if err != nil {
		return c, fmt.Errorf("store: case notes: %w", err)
	}
	for rows.Next() {
		var n energyteam.Note
		var at, shared int64
		if err := rows.Scan(&n.ID, &at, &n.Author, &n.Text, &shared); err != nil {
			rows.Close()
			return c, fmt.Errorf("store: case notes: %w", err)
		}
		n.At, n.Shared = time.Unix(at, 0).UTC(), shared == 1
		c.Notes = append(c.Notes, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return c, err
	}
	rows, err = q.q.QueryContext(ctx, `SELECT id, at_unix, by_actor, option_code, program, measure, application_id, outcome
		FROM energy_team_referrals WHERE case_id = $1 ORDER BY id`, id)
	if err != nil {
		return c, fmt.Errorf("store: case referrals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r energyteam.Referral
		var at int64
		var app sql.NullInt64
		if err := rows.Scan(&r.ID, &at, &r.By, &r.Option, &r.Program, &r.Measure, &app, &r.Outcome); err != nil {
			return c, fmt.Errorf("store: case referrals: %w", err)
		}
		r.At, r.ApplicationID = time.Unix(at, 0).UTC(), app.Int64
		c.Referrals = append(c.Referrals, r)
	}
	return c, rows.Err()
}

// CaseFilter selects cases for the advisors' queue.
type CaseFilter struct {
	Status  energyteam.Status // "" every case not closed
	Advisor string
	After   int64
	Limit   int
}

// CaseRow is a case in a list, with its account number and customer.
type CaseRow struct {
	energyteam.Case
	AccountNumber string `json:"account_number"`
	CustomerName  string `json:"customer_name"`
}

// Cases lists cases in id order after the cursor: those with the status,
// or every case not closed.
func (q queries) Cases(ctx context.Context, f CaseFilter) ([]CaseRow, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT c.id, c.account_id, c.status, c.source, c.subject, c.advisor, c.recommended_json, c.follow_up,
		c.opened_by, c.opened_unix, c.updated_unix, c.closed_unix, a.number, cu.name
		FROM energy_team_cases c JOIN accounts a ON a.id = c.account_id JOIN customers cu ON cu.id = a.customer_id
		WHERE c.id > $1 AND (($2 = '' AND c.status <> 'closed') OR c.status = $2) AND ($3 = '' OR c.advisor = $3)
		ORDER BY c.id LIMIT $4`, f.After, string(f.Status), f.Advisor, clampLimit(f.Limit))
	if err != nil {
		return nil, fmt.Errorf("store: cases: %w", err)
	}
	defer rows.Close()
	var out []CaseRow
	for rows.Next() {
		var r CaseRow
		var number, name string
		c, err := scanCase(scanFunc(func(dest ...any) error { return rows.Scan(append(dest, &number, &name)...) }))
		if err != nil {
			return nil, fmt.Errorf("store: cases: %w", err)
		}
		r.Case, r.AccountNumber, r.CustomerName = c, number, name
		out = append(out, r)
	}
	return out, rows.Err()
}

// scanFunc adapts a function to the Scan interface.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// UpdateCase applies an update (status, advisor, follow-up date,
// recommended options) checked on today, audited with the before and
// after; closing records when.
func (tx *Tx) UpdateCase(ctx context.Context, actor auth.Actor, id int64, u energyteam.Update, today calendar.Date) (energyteam.Case, error) {
	before, err := tx.Case(ctx, id)
	if err != nil {
		return before, err
	}
	c := before
	changed, err := c.Apply(u, today)
	if err != nil || !changed {
		return c, err
	}
	now := tx.now()
	c.Updated = now
	var closed any
	if c.Status == energyteam.Closed {
		c.Closed = now
		closed = now.Unix()
	} else {
		c.Closed = time.Time{}
	}
	rec, _ := json.Marshal(c.Recommended)
	var follow any
	if !c.FollowUp.IsZero() {
		follow = c.FollowUp.String()
	}
	_, err = tx.q.ExecContext(ctx, `UPDATE energy_team_cases SET status = $2, advisor = $3, recommended_json = $4, follow_up = $5,
		updated_unix = $6, closed_unix = $7 WHERE id = $1`, id, string(c.Status), c.Advisor, string(rec), follow, now.Unix(), closed)
	if err != nil {
		return c, fmt.Errorf("store: update case: %w", mapErr(err))
	}
	return c, tx.audit(ctx, actor, "update", "energy_team_case", id, caseAudit(before), caseAudit(c))
}

// caseAudit is what the audit log records of a case.
func caseAudit(c energyteam.Case) map[string]any {
	return map[string]any{"status": c.Status, "advisor": c.Advisor, "recommended": c.Recommended, "follow_up": c.FollowUp}
}

// AddCaseNote adds a note to a case, audited.
func (tx *Tx) AddCaseNote(ctx context.Context, actor auth.Actor, caseID int64, text string, shared bool) (energyteam.Note, error) {
	text, err := energyteam.CheckNote(text)
	if err != nil {
		return energyteam.Note{}, err
	}
	if _, err := tx.Case(ctx, caseID); err != nil {
		return energyteam.Note{}, err
	}
	n := energyteam.Note{At: tx.now(), Author: actor.String(), Text: text, Shared: shared}
	err = tx.q.QueryRowContext(ctx, `INSERT INTO energy_team_notes (case_id, at_unix, author, body, shared) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		caseID, n.At.Unix(), n.Author, n.Text, b2i(shared)).Scan(&n.ID)
	if err != nil {
		return n, fmt.Errorf("store: case note: %w", mapErr(err))
	}
	if err := tx.touchCase(ctx, caseID); err != nil {
		return n, err
	}
	return n, tx.audit(ctx, actor, "note", "energy_team_case", caseID, nil, n)
}

func (tx *Tx) touchCase(ctx context.Context, id int64) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE energy_team_cases SET updated_unix = $2 WHERE id = $1`, id, tx.now().Unix())
	if err != nil {
		return fmt.Errorf("store: case: %w", err)
	}
	return nil
}

// ReferCase refers a case's option to one of its programs, audited. For
// a program of the incentive catalog it creates a draft application for
// the case's account, pre-filled with the registry's facts and the planned
// equipment's (plus the request's facts) — facts the quote still needs
// are an Invalid error naming them, and nothing is written; for an
// enrollment program, or one not in the catalog, the referral is recorded
// with what the customer should do.
func (tx *Tx) ReferCase(ctx context.Context, actor auth.Actor, caseID int64, r energyteam.ReferralRequest) (energyteam.Referral, error) {
	c, err := tx.Case(ctx, caseID)
	if err != nil {
		return energyteam.Referral{}, err
	}
	if c.Status == energyteam.Closed {
		return energyteam.Referral{}, apperr.E(apperr.Conflict, "store.ReferCase", "the case is closed: reopen it to refer", nil)
	}
	of, err := r.OfferFor()
	if err != nil {
		return energyteam.Referral{}, err
	}
	ref := energyteam.Referral{At: tx.now(), By: actor.String(), Option: r.Option, Program: r.Program, Measure: of.Measure}
	var app any
	switch _, perr := tx.IncentiveProgram(ctx, of.Program); {
	case of.Program == "":
		ref.Outcome = "referred to enroll: " + of.Why
	case apperr.Is(perr, apperr.NotFound):
		ref.Outcome = "program " + of.Program + " is not in the incentive catalog: no application was drafted"
	case perr != nil:
		return ref, perr
	default:
		measure := map[string]json.RawMessage{"type": json.RawMessage(fmt.Sprintf("%q", of.Measure))}
		for k, v := range of.Equipment {
			measure[k] = v
		}
		for k, v := range r.Facts {
			measure[k] = v
		}
		a, err := tx.CreateApplication(ctx, actor, NewApplication{ProgramID: of.Program, AccountID: c.AccountID,
			Facts: incentive.Facts{Measure: measure}})
		if err != nil {
			return ref, err
		}
		ref.ApplicationID, app = a.ID, a.ID
		ref.Outcome = fmt.Sprintf("draft application %d: not eligible (%s)", a.ID, reasonCodes(a.Decision.Reasons))
		if a.Decision.Eligible {
			ref.Outcome = fmt.Sprintf("draft application %d pre-filled, quoted %s; the customer completes and submits it", a.ID, a.AmountCents)
		}
	}
	err = tx.q.QueryRowContext(ctx, `INSERT INTO energy_team_referrals (case_id, at_unix, by_actor, option_code, program, measure, application_id, outcome)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, caseID, ref.At.Unix(), ref.By, ref.Option, ref.Program, ref.Measure, app,
		ref.Outcome).Scan(&ref.ID)
	if err != nil {
		return ref, fmt.Errorf("store: referral: %w", mapErr(err))
	}
	if err := tx.touchCase(ctx, caseID); err != nil {
		return ref, err
	}
	return ref, tx.audit(ctx, actor, "refer", "energy_team_case", caseID, nil, ref)
}

// EnergyTeamPlan makes the account's Energy Team plan over its last 12
// whole months with the supplier's grid CO2 factor: chosen names the
// plan's options; nil takes those recommended in the account's case.
func (db *DB) EnergyTeamPlan(ctx context.Context, accountID int64, today calendar.Date, gridCO2 float64, chosen []string) (*energyteam.Plan, error) {
	in, err := db.EnergyTeamInputs(ctx, accountID, 12, today)
	if err != nil {
		return nil, err
	}
	in.GridCO2LbsPerMWh = gridCO2
	if chosen == nil {
		if c, err := db.AccountCase(ctx, accountID); err == nil {
			chosen = c.Recommended
		} else if !apperr.Is(err, apperr.NotFound) {
			return nil, err
		}
	}
	return energyteam.MakePlan(in, chosen)
}
