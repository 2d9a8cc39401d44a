package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
)

// ReservationDays is how long a reservation holds funds before it
// expires unless a claim is submitted (gridbook's default; research
// programs.md §4.2 names the expiry without a period).
const ReservationDays = 90

// PayeeAnomalyLimit is how many other rebates one payee may already
// receive before a new claim is held for review (research/programs.md
// §4.3 item 5; the number is ours).
const PayeeAnomalyLimit = 5

const applicationCols = `id, program_id, measure, COALESCE(account_id, 0), member_agency, household_key, status, facts_json, decision_json,
	amount_cents, reserved_cents, approved_cents, paid_cents, COALESCE(budget_id, 0), submitted_unix, reservation_expires, purchase_date,
	invoice_number, contractor, payee, payment_method, flags_json, created_unix, updated_unix`

func scanApplication(s interface{ Scan(...any) error }) (incentive.Application, error) {
	var a incentive.Application
	var status, facts, decision, flags string
	var submitted sql.NullInt64
	var expires, purchase sql.NullString
	var cr, up int64
	err := s.Scan(&a.ID, &a.ProgramID, &a.Measure, &a.AccountID, &a.MemberAgency, &a.HouseholdKey, &status, &facts, &decision,
		&a.AmountCents, &a.ReservedCents, &a.ApprovedCents, &a.PaidCents, &a.BudgetID, &submitted, &expires, &purchase,
		&a.InvoiceNumber, &a.Contractor, &a.Payee, &a.PaymentMethod, &flags, &cr, &up)
	if err != nil {
		return a, err
	}
	a.Status = incentive.Status(status)
	if err := json.Unmarshal([]byte(facts), &a.Facts); err != nil {
		return a, fmt.Errorf("facts: %w", err)
	}
	if err := json.Unmarshal([]byte(decision), &a.Decision); err != nil {
		return a, fmt.Errorf("decision: %w", err)
	}
	if err := json.Unmarshal([]byte(flags), &a.Flags); err != nil {
		return a, fmt.Errorf("flags: %w", err)
	}
	if submitted.Valid {
		a.Submitted = time.Unix(submitted.Int64, 0).UTC()
	}
	a.Expires, a.PurchaseDate = optDate(expires), optDate(purchase)
	a.Created, a.Updated = time.Unix(cr, 0).UTC(), time.Unix(up, 0).UTC()
	a.Serials = []string{}
	return a, nil
}

// NewApplication is what an applicant (or staff for them) submits.
type NewApplication struct {
	ProgramID     string
	AccountID     int64  // the customer's service account
	MemberAgency  string // grants: the applying member agency (no account)
	Facts         incentive.Facts
	PurchaseDate  calendar.Date
	Serials       []string
	InvoiceNumber string
	Contractor    string
	Payee         string
}

// CreateApplication decides the program for the applicant's facts merged
// with what the registry knows about the account on the rule date (the
// facts' date, else the purchase date, else today) and stores a draft
// with the decision and trace. Facts a rule needs and nobody gave are an
// Invalid error naming them, and nothing is stored.
func (tx *Tx) CreateApplication(ctx context.Context, actor auth.Actor, n NewApplication) (incentive.Application, error) {
	a, _, err := tx.prepareApplication(ctx, n)
	if err != nil {
		return a, err
	}
	a.Created, a.Updated = tx.now(), tx.now()
	fj, _ := json.Marshal(a.Facts)
	dj, _ := json.Marshal(a.Decision)
	var acct any
	if a.AccountID > 0 {
		acct = a.AccountID
	}
	err = tx.q.QueryRowContext(ctx, `INSERT INTO incentive_applications (program_id, measure, account_id, member_agency, household_key, status,
		facts_json, decision_json, amount_cents, purchase_date, invoice_number, contractor, payee, payment_method, created_unix, updated_unix)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
		a.ProgramID, a.Measure, acct, a.MemberAgency, a.HouseholdKey, string(a.Status), string(fj), string(dj), a.AmountCents,
		dateText(a.PurchaseDate), a.InvoiceNumber, a.Contractor, a.Payee, a.PaymentMethod, a.Created.Unix(), a.Updated.Unix()).Scan(&a.ID)
	if err != nil {
		return a, fmt.Errorf("store: create application: %w", mapErr(err))
	}
	for _, s := range a.Serials {
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO incentive_serials (application_id, serial) VALUES ($1, $2)`, a.ID, s); err != nil {
			return a, fmt.Errorf("store: serial: %w", mapErr(err))
		}
	}
	if err := tx.event(ctx, actor, a.ID, "", incentive.Draft, "created"); err != nil {
		return a, err
	}
	return a, tx.audit(ctx, actor, "create", "incentive_application", a.ID, nil, a)
}

// prepareApplication validates an application and decides it, without
// storing anything.
func (tx *Tx) prepareApplication(ctx context.Context, n NewApplication) (incentive.Application, incentive.Program, error) {
	const op = "store.CreateApplication"
	a := incentive.Application{ProgramID: n.ProgramID, AccountID: n.AccountID, MemberAgency: strings.TrimSpace(n.MemberAgency),
		Serials: n.Serials, InvoiceNumber: n.InvoiceNumber, Contractor: n.Contractor, Payee: n.Payee, PurchaseDate: n.PurchaseDate}
	if err := a.Validate(); err != nil {
		return a, incentive.Program{}, err
	}
	p, err := tx.IncentiveProgram(ctx, a.ProgramID)
	if apperr.Is(err, apperr.NotFound) {
		var f apperr.Fields
		f.Add("program", "unknown program %q", a.ProgramID)
		return a, incentive.Program{}, f.Err(op)
	} else if err != nil {
		return a, incentive.Program{}, err
	}
	on := n.Facts.Date
	if on.IsZero() {
		on = n.PurchaseDate
	}
	if on.IsZero() {
		on = calendar.DateOf(tx.now())
	}
	facts := n.Facts
	facts.Date = on
	if a.AccountID > 0 {
		acct, err := tx.Account(ctx, a.AccountID)
		if apperr.Is(err, apperr.NotFound) {
			var f apperr.Fields
			f.Add("account_id", "account %d does not exist", a.AccountID)
			return a, incentive.Program{}, f.Err(op)
		} else if err != nil {
			return a, incentive.Program{}, err
		}
		prem, err := tx.Premise(ctx, acct.PremiseID)
		if err != nil {
			return a, incentive.Program{}, err
		}
		es, err := tx.Enrollments(ctx, acct.ID)
		if err != nil {
			return a, incentive.Program{}, err
		}
		facts = incentive.Merge(facts, incentive.RegistryFacts(acct, prem, es, on))
		a.HouseholdKey = fmt.Sprintf("premise:%d", prem.ID)
	} else {
		if _, ok := tx.db.ref.MemberAgency(a.MemberAgency); !ok {
			var f apperr.Fields
			f.Add("member_agency", "%q is not a member agency in the reference table", a.MemberAgency)
			return a, incentive.Program{}, f.Err(op)
		}
		facts.MemberAgency = a.MemberAgency
		a.HouseholdKey = "agency:" + a.MemberAgency
	}
	d, err := p.Quote(facts, tx.db.ref)
	if err != nil {
		return a, incentive.Program{}, err
	}
	a.Facts, a.Decision, a.Measure, a.AmountCents, a.PaymentMethod = facts, d, d.Measure, d.AmountCents, p.PaymentMethod
	a.Status, a.Flags = incentive.Draft, []incentive.RiskFlag{}
	if p.ID == "energized-communities" || p.Kind == "grant" {
		// The per-agency cap holds across applications for a pathway.
		if err := tx.capGrant(ctx, &a, p); err != nil {
			return a, incentive.Program{}, err
		}
	}
	return a, p, nil
}

// capGrant bounds a grant by the per-agency, per-pathway cap less what
// the agency already holds for the pathway (seed 000: up to $250,000 per
// member agency), tracing the cap.
func (tx *Tx) capGrant(ctx context.Context, a *incentive.Application, p incentive.Program) error {
	m, err := p.Measure(a.Measure)
	if err != nil || m.CapCents == 0 || !a.Decision.Eligible {
		return nil
	}
	var held money.Cents
	err = tx.q.QueryRowContext(ctx, `SELECT COALESCE(SUM(amount_cents), 0) FROM incentive_applications
		WHERE program_id = $1 AND measure = $2 AND member_agency = $3 AND status NOT IN ('draft', 'rejected', 'withdrawn', 'expired')`,
		a.ProgramID, a.Measure, a.MemberAgency).Scan(&held)
	if err != nil {
		return fmt.Errorf("store: grant cap: %w", err)
	}
	amt, _, trace := incentive.Award(a.AmountCents, m.CapCents, held, a.AmountCents, incentive.GrantPartial)
	a.Decision.Trace = append(a.Decision.Trace, trace...)
	if amt == 0 {
		a.Decision.Eligible = false
		a.Decision.Reasons = append(a.Decision.Reasons, incentive.Reason{Code: "agency_cap_reached", Rule: "cap.agency_pathway",
			Message: fmt.Sprintf("%s already holds %s of the %s cap for %s", a.MemberAgency, held, m.CapCents, m.Name)})
	}
	a.AmountCents, a.Decision.AmountCents = amt, amt
	return nil
}

// event records a status change.
func (tx *Tx) event(ctx context.Context, actor auth.Actor, id int64, from, to incentive.Status, note string) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO incentive_events (application_id, from_status, to_status, at_unix, actor, note) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, string(from), string(to), tx.now().Unix(), actor.String(), note)
	if err != nil {
		return fmt.Errorf("store: application event: %w", err)
	}
	return nil
}

// Application returns one application with its serial numbers.
func (q queries) Application(ctx context.Context, id int64) (incentive.Application, error) {
	return q.application(ctx, id, "")
}

func (q queries) application(ctx context.Context, id int64, lock string) (incentive.Application, error) {
	a, err := scanApplication(q.q.QueryRowContext(ctx, `SELECT `+applicationCols+` FROM incentive_applications WHERE id = $1`+lock, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFoundf("store.Application", "application %d not found", id)
	} else if err != nil {
		return a, fmt.Errorf("store: application %d: %w", id, err)
	}
	rows, err := q.q.QueryContext(ctx, `SELECT serial FROM incentive_serials WHERE application_id = $1 ORDER BY serial`, id)
	if err != nil {
		return a, fmt.Errorf("store: serials: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return a, err
		}
		a.Serials = append(a.Serials, s)
	}
	return a, rows.Err()
}

// ApplicationFilter selects applications; zero fields match everything.
type ApplicationFilter struct {
	ProgramID  string
	Status     incentive.Status
	AccountIDs []int64 // portal users: only these accounts (non-nil, maybe empty)
	After      int64   // cursor: id > After
	Limit      int
}

// Applications lists applications in id order after the cursor.
func (q queries) Applications(ctx context.Context, f ApplicationFilter) ([]incentive.Application, error) {
	args := []any{f.After, f.ProgramID, string(f.Status), clampLimit(f.Limit)}
	query := `SELECT ` + applicationCols + ` FROM incentive_applications WHERE id > $1 AND ($2 = '' OR program_id = $2) AND ($3 = '' OR status = $3)`
	if f.AccountIDs != nil {
		if len(f.AccountIDs) == 0 {
			return nil, nil
		}
		query += ` AND account_id IN (` + placeholders(len(args)+1, len(f.AccountIDs)) + `)`
		for _, id := range f.AccountIDs {
			args = append(args, id)
		}
	}
	query += ` ORDER BY id LIMIT $4`
	return collect(ctx, q, scanApplication, query, args...)
}

// Event is one status change of an application.
type Event struct {
	From, To incentive.Status
	At       time.Time
	Actor    string
	Note     string
}

// ApplicationEvents returns an application's history, oldest first.
func (q queries) ApplicationEvents(ctx context.Context, id int64) ([]Event, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT from_status, to_status, at_unix, actor, note FROM incentive_events WHERE application_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var from, to string
		var at int64
		if err := rows.Scan(&from, &to, &at, &e.Actor, &e.Note); err != nil {
			return nil, err
		}
		e.From, e.To, e.At = incentive.Status(from), incentive.Status(to), time.Unix(at, 0).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// save writes an application's mutable fields, records the status change
// and audits before and after.
func (tx *Tx) save(ctx context.Context, actor auth.Actor, before, a *incentive.Application, note string) error {
	a.Updated = tx.now()
	flags, _ := json.Marshal(a.Flags)
	dj, _ := json.Marshal(a.Decision)
	var submitted, budget any
	if !a.Submitted.IsZero() {
		submitted = a.Submitted.Unix()
	}
	if a.BudgetID != 0 {
		budget = a.BudgetID
	}
	_, err := tx.q.ExecContext(ctx, `UPDATE incentive_applications SET status = $2, reserved_cents = $3, approved_cents = $4, paid_cents = $5,
		budget_id = $6, submitted_unix = $7, reservation_expires = $8, flags_json = $9, decision_json = $10, updated_unix = $11 WHERE id = $1`,
		a.ID, string(a.Status), a.ReservedCents, a.ApprovedCents, a.PaidCents, budget, submitted, dateText(a.Expires), string(flags), string(dj), a.Updated.Unix())
	if err != nil {
		return fmt.Errorf("store: application: %w", mapErr(err))
	}
	if before.Status != a.Status {
		if err := tx.event(ctx, actor, a.ID, before.Status, a.Status, note); err != nil {
			return err
		}
	}
	return tx.audit(ctx, actor, "update", "incentive_application", a.ID, appAudit(before), appAudit(a))
}

// appAudit is what the audit log keeps of an application: its status and
// money, not the whole trace again.
func appAudit(a *incentive.Application) map[string]any {
	return map[string]any{"status": a.Status, "amount_cents": a.AmountCents, "reserved_cents": a.ReservedCents,
		"approved_cents": a.ApprovedCents, "paid_cents": a.PaidCents, "budget_id": a.BudgetID, "flags": a.Flags}
}

// SubmitApplication submits a draft and runs the automatic checks in the
// same transaction: a decision that is not eligible is rejected with its
// reasons; the fraud and duplicate screen rejects or holds it; otherwise
// it is under review and, for a program with budgets, reserved at once
// (first come, first served by submission time) or waitlisted when funds
// are short. A reservation on a program whose budgets are closed is a
// Conflict and nothing is stored.
func (tx *Tx) SubmitApplication(ctx context.Context, actor auth.Actor, id int64) (incentive.Application, error) {
	a, err := tx.application(ctx, id, tx.forUpdate())
	if err != nil {
		return a, err
	}
	if err := incentive.CheckTransition(a.Status, incentive.Submitted); err != nil {
		return a, err
	}
	before := a
	a.Status, a.Submitted = incentive.Submitted, tx.now()
	if err := tx.save(ctx, actor, &before, &a, "submitted"); err != nil {
		return a, err
	}
	before = a
	p, err := tx.IncentiveProgram(ctx, a.ProgramID)
	if err != nil {
		return a, err
	}
	if !a.Decision.Eligible {
		a.Status = incentive.Rejected
		return a, tx.save(ctx, actor, &before, &a, "automatic check: "+reasonCodes(a.Decision.Reasons))
	}
	flags, err := tx.screen(ctx, p, &a)
	if err != nil {
		return a, err
	}
	a.Flags = flags
	switch incentive.Outcome(flags) {
	case incentive.Rejected:
		a.Status = incentive.Rejected
		return a, tx.save(ctx, actor, &before, &a, "automatic check: "+flagCodes(flags))
	case incentive.OnHold:
		a.Status = incentive.OnHold
		return a, tx.save(ctx, actor, &before, &a, "held for review: "+flagCodes(flags))
	}
	a.Status = incentive.UnderReview
	if err := tx.save(ctx, actor, &before, &a, "automatic checks passed"); err != nil {
		return a, err
	}
	return tx.reserveOrWait(ctx, actor, a, false)
}

func reasonCodes(rs []incentive.Reason) string {
	var c []string
	for _, r := range rs {
		c = append(c, r.Code)
	}
	return strings.Join(c, ", ")
}

func flagCodes(fs []incentive.RiskFlag) string {
	var c []string
	for _, f := range fs {
		c = append(c, f.Code)
	}
	return strings.Join(c, ", ")
}

// reserveOrWait reserves the application's amount from the program's
// budgets, or waitlists it. Programs without budgets (no-cost installs,
// tariffs) stay under review. With must, a shortage is a Conflict instead
// of the waitlist.
func (tx *Tx) reserveOrWait(ctx context.Context, actor auth.Actor, a incentive.Application, must bool) (incentive.Application, error) {
	budgets, err := tx.lockBudgets(ctx, a.ProgramID)
	if err != nil || len(budgets) == 0 || a.AmountCents == 0 {
		return a, err
	}
	before := a
	i, err := incentive.PickBudget(budgets, a.Facts.Date, a.Qualifier(), a.Measure, a.AmountCents)
	if err != nil {
		return a, err
	}
	if i < 0 {
		if must {
			return a, apperr.Conflictf("store.Reserve", "the program's budgets lack %s for application %d", a.AmountCents, a.ID)
		}
		if a.Status == incentive.Waitlisted {
			return a, nil
		}
		a.Status = incentive.Waitlisted
		return a, tx.save(ctx, actor, &before, &a, "funds short: waitlisted")
	}
	b := budgets[i]
	if err := tx.post(ctx, actor, &b, incentive.Entry{Kind: incentive.Reserve, AmountCents: a.AmountCents, ApplicationID: a.ID}, 0); err != nil {
		return a, err
	}
	a.Status, a.ReservedCents, a.BudgetID = incentive.Reserved, a.AmountCents, b.ID
	a.Expires = calendar.DateOf(tx.now()).AddDays(ReservationDays)
	return a, tx.save(ctx, actor, &before, &a, fmt.Sprintf("reserved %s from %s until %s", a.AmountCents, b.Name, a.Expires))
}

// promote reserves funds for waitlisted applications of the program in
// submission order, each that the budgets now cover (incentive.Promotions
// over every budget of the program).
func (tx *Tx) promote(ctx context.Context, actor auth.Actor, programID string) error {
	ids, err := collect(ctx, tx.queries, scanID, `SELECT id FROM incentive_applications WHERE program_id = $1 AND status = 'waitlisted'
		ORDER BY submitted_unix, id`, programID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		a, err := tx.application(ctx, id, tx.forUpdate())
		if err != nil {
			return err
		}
		if _, err := tx.reserveOrWait(ctx, actor, a, false); err != nil && !apperr.Is(err, apperr.Conflict) {
			return err
		}
	}
	return nil
}

// screen runs the fraud and duplicate checks against the applications
// sharing a serial, the household, the invoice or the payee.
func (tx *Tx) screen(ctx context.Context, p incentive.Program, a *incentive.Application) ([]incentive.RiskFlag, error) {
	args := []any{a.ID, a.HouseholdKey, a.InvoiceNumber, a.Payee}
	query := `SELECT ` + applicationCols + ` FROM incentive_applications WHERE id <> $1 AND (household_key = $2
		OR ($3 <> '' AND invoice_number = $3) OR ($4 <> '' AND lower(payee) = lower($4))`
	if len(a.Serials) > 0 {
		query += ` OR id IN (SELECT application_id FROM incentive_serials WHERE serial IN (` + placeholders(len(args)+1, len(a.Serials)) + `))`
		for _, s := range a.Serials {
			args = append(args, s)
		}
	}
	query += `) ORDER BY id`
	others, err := collect(ctx, tx.queries, scanApplication, query, args...)
	if err != nil {
		return nil, err
	}
	var claims []incentive.Claim
	for _, o := range others {
		full, err := tx.Application(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		claims = append(claims, full.Claim())
	}
	svc := incentive.Service{CCA: true}
	if a.AccountID > 0 {
		acct, err := tx.Account(ctx, a.AccountID)
		if err != nil {
			return nil, err
		}
		svc = incentive.Service{Start: acct.ServiceStart, End: acct.ServiceEnd, CCA: acct.LSE == customer.CCA}
	}
	return incentive.Screen(p, a.Claim(), claims, svc, PayeeAnomalyLimit), nil
}

// Transition is a staff (or system) action on an application.
type Transition struct {
	To          incentive.Status
	AmountCents money.Cents // approve: the amount to commit (default: what is reserved); clawback_closed: the amount recovered
	Note        string
}

// TransitionApplication moves an application to t.To with the money that
// goes with it, in one transaction: reserving (or a Conflict when funds
// are short), releasing a reservation on withdrawal, rejection or expiry
// (and promoting the waitlist), committing on approval (never more than
// is reserved: Invalid naming amount_cents), paying, recovering a
// clawback. Moves the workflow does not allow are a Conflict.
func (tx *Tx) TransitionApplication(ctx context.Context, actor auth.Actor, id int64, t Transition) (incentive.Application, error) {
	const op = "store.TransitionApplication"
	a, err := tx.application(ctx, id, tx.forUpdate())
	if err != nil {
		return a, err
	}
	if err := incentive.CheckTransition(a.Status, t.To); err != nil {
		return a, err
	}
	if err := tx.guardDisbursement(ctx, a, t.To); err != nil {
		return a, err
	}
	if t.To == incentive.Submitted {
		return tx.SubmitApplication(ctx, actor, id)
	}
	before := a
	note := strings.TrimSpace(t.Note)
	switch t.To {
	case incentive.Reserved:
		if a.Status == incentive.OnHold && a.ReservedCents > 0 {
			break // released from hold with its reservation intact
		}
		r, err := tx.reserveOrWait(ctx, actor, a, true)
		if err != nil {
			return r, err
		}
		if r.Status != incentive.Reserved {
			return r, apperr.Conflictf(op, "application %d has no budget to reserve from", id)
		}
		return r, nil
	case incentive.Rejected, incentive.Withdrawn, incentive.Expired:
		if a.ReservedCents > 0 {
			if err := tx.release(ctx, actor, &a, a.ReservedCents, string(t.To)); err != nil {
				return a, err
			}
		}
	case incentive.Approved:
		if a.Status == incentive.PaymentPending {
			break // a returned payment: the commitment stands
		}
		amt := a.ReservedCents
		if t.AmountCents != 0 {
			amt = t.AmountCents
		}
		if amt > a.ReservedCents || amt < 0 {
			var f apperr.Fields
			f.Add("amount_cents", "%s is above the reservation of %s", amt, a.ReservedCents)
			return a, f.Err(op)
		}
		if amt > 0 {
			b, err := tx.lockBudget(ctx, a.BudgetID)
			if err != nil {
				return a, err
			}
			if err := tx.post(ctx, actor, &b, incentive.Entry{Kind: incentive.Commit, AmountCents: amt, ApplicationID: a.ID}, 0); err != nil {
				return a, err
			}
			a.ReservedCents -= amt
			a.ApprovedCents = amt
		}
		if a.ReservedCents > 0 {
			if err := tx.release(ctx, actor, &a, a.ReservedCents, "approved for less than reserved"); err != nil {
				return a, err
			}
		}
	case incentive.Paid:
		if a.ApprovedCents > 0 {
			if err := tx.payApplication(ctx, actor, &a); err != nil {
				return a, err
			}
		}
	case incentive.ClawbackClosed:
		if t.AmountCents < 0 || t.AmountCents > a.PaidCents {
			var f apperr.Fields
			f.Add("amount_cents", "the amount recovered must be 0 to %s", a.PaidCents)
			return a, f.Err(op)
		}
		if t.AmountCents > 0 {
			b, err := tx.lockBudget(ctx, a.BudgetID)
			if err != nil {
				return a, err
			}
			if err := tx.post(ctx, actor, &b, incentive.Entry{Kind: incentive.Recover, AmountCents: t.AmountCents, ApplicationID: a.ID, Note: note}, 0); err != nil {
				return a, err
			}
		}
	}
	a.Status = t.To
	if err := tx.save(ctx, actor, &before, &a, note); err != nil {
		return a, err
	}
	if t.To == incentive.ClaimSubmitted {
		return tx.sampleClaim(ctx, actor, a)
	}
	if t.To == incentive.Rejected || t.To == incentive.Withdrawn || t.To == incentive.Expired || t.To == incentive.Approved {
		if err := tx.promote(ctx, actor, a.ProgramID); err != nil {
			return a, err
		}
		return tx.Application(ctx, id)
	}
	return a, nil
}

// release returns part of an application's reservation to its budget.
func (tx *Tx) release(ctx context.Context, actor auth.Actor, a *incentive.Application, amt money.Cents, note string) error {
	b, err := tx.lockBudget(ctx, a.BudgetID)
	if err != nil {
		return err
	}
	if err := tx.post(ctx, actor, &b, incentive.Entry{Kind: incentive.Release, AmountCents: amt, ApplicationID: a.ID, Note: note}, 0); err != nil {
		return err
	}
	a.ReservedCents -= amt
	return nil
}

func (tx *Tx) payApplication(ctx context.Context, actor auth.Actor, a *incentive.Application) error {
	b, err := tx.lockBudget(ctx, a.BudgetID)
	if err != nil {
		return err
	}
	if err := tx.post(ctx, actor, &b, incentive.Entry{Kind: incentive.Pay, AmountCents: a.ApprovedCents, ApplicationID: a.ID}, 0); err != nil {
		return err
	}
	a.PaidCents = a.ApprovedCents
	return nil
}

// ExpireReservations expires every reservation whose expiry has passed
// on today, releasing its funds (and promoting the waitlist); it returns
// how many expired.
func (tx *Tx) ExpireReservations(ctx context.Context, actor auth.Actor, today calendar.Date) (int, error) {
	ids, err := collect(ctx, tx.queries, scanID, `SELECT id FROM incentive_applications WHERE status = 'reserved' AND reservation_expires < $1 ORDER BY id`, today.String())
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := tx.TransitionApplication(ctx, actor, id, Transition{To: incentive.Expired, Note: "reservation lapsed"}); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// DocumentInfo describes a stored document.
type DocumentInfo struct {
	ID            int64     `json:"id"`
	ApplicationID int64     `json:"application_id"`
	Name          string    `json:"name"`
	ContentType   string    `json:"content_type"`
	SHA256        string    `json:"sha256"`
	Size          int64     `json:"size_bytes"`
	Uploaded      time.Time `json:"uploaded_at"`
	Actor         string    `json:"actor"`
}

// MaxDocumentBytes bounds one document.
const MaxDocumentBytes = 10 << 20

// AddDocument stores a document of an application (an invoice, a photo,
// proof of income) with its SHA-256. When the uploader states the
// checksum, a mismatch is an Invalid error naming sha256 and nothing is
// stored; the same content twice is a Conflict.
func (tx *Tx) AddDocument(ctx context.Context, actor auth.Actor, appID int64, name, contentType string, content []byte, claimed string) (DocumentInfo, error) {
	const op = "store.AddDocument"
	sum := sha256.Sum256(content)
	d := DocumentInfo{ApplicationID: appID, Name: strings.TrimSpace(name), ContentType: strings.TrimSpace(contentType),
		SHA256: hex.EncodeToString(sum[:]), Size: int64(len(content)), Uploaded: tx.now(), Actor: actor.String()}
	var f apperr.Fields
	if d.Name == "" || len(d.Name) > 200 {
		f.Add("name", "is required, at most 200 characters")
	}
	if len(content) == 0 || len(content) > MaxDocumentBytes {
		f.Add("file", "must be 1 byte to %d MiB", MaxDocumentBytes>>20)
	}
	if claimed = strings.ToLower(strings.TrimSpace(claimed)); claimed != "" && claimed != d.SHA256 {
		f.Add("sha256", "the file's checksum is %s, not %s: the upload is damaged or not the file meant", d.SHA256, claimed)
	}
	if err := f.Err(op); err != nil {
		return d, err
	}
	if d.ContentType == "" {
		d.ContentType = "application/octet-stream"
	}
	if _, err := tx.Application(ctx, appID); err != nil {
		return d, err
	}
	err := tx.q.QueryRowContext(ctx, `INSERT INTO incentive_documents (application_id, name, content_type, sha256, size_bytes, content, uploaded_unix, actor)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, appID, d.Name, d.ContentType, d.SHA256, d.Size, content, d.Uploaded.Unix(), d.Actor).Scan(&d.ID)
	if err != nil {
		return d, fmt.Errorf("store: document: %w", mapErr(err))
	}
	return d, tx.audit(ctx, actor, "create", "incentive_document", d.ID, nil, d)
}

// Documents lists an application's documents.
func (q queries) Documents(ctx context.Context, appID int64) ([]DocumentInfo, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, application_id, name, content_type, sha256, size_bytes, uploaded_unix, actor
		FROM incentive_documents WHERE application_id = $1 ORDER BY id`, appID)
	if err != nil {
		return nil, fmt.Errorf("store: documents: %w", err)
	}
	defer rows.Close()
	var out []DocumentInfo
	for rows.Next() {
		var d DocumentInfo
		var at int64
		if err := rows.Scan(&d.ID, &d.ApplicationID, &d.Name, &d.ContentType, &d.SHA256, &d.Size, &at, &d.Actor); err != nil {
			return nil, err
		}
		d.Uploaded = time.Unix(at, 0).UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// sampleClaim sends a claim to QA inspection when the risk-based policy
// samples it (incentive.SampleForQA with incentive.DefaultQA), noting why.
func (tx *Tx) sampleClaim(ctx context.Context, actor auth.Actor, a incentive.Application) (incentive.Application, error) {
	var claims int
	if a.Contractor != "" {
		err := tx.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM incentive_applications WHERE contractor = $1 AND id <> $2
			AND status IN ('approved', 'payment_pending', 'paid', 'clawback_open', 'clawback_closed')`, a.Contractor, a.ID).Scan(&claims)
		if err != nil {
			return a, fmt.Errorf("store: contractor claims: %w", err)
		}
	}
	sampled, why := incentive.SampleForQA(incentive.DefaultQA, a, claims)
	if !sampled {
		return a, nil
	}
	before := a
	a.Status = incentive.QAInspection
	return a, tx.save(ctx, actor, &before, &a, "QA inspection: "+why)
}

// scanID scans a row of one id.
func scanID(s interface{ Scan(...any) error }) (int64, error) {
	var id int64
	err := s.Scan(&id)
	return id, err
}
