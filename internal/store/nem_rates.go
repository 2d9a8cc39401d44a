package store

import (
	"context"
	"crypto/rand"
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
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/nem"
)

// Special-rate statuses: approved (eligible, awaiting the Rate Change
// Request), enrolled, expired (no Rate Change Request within 15 days) and
// removed (the generator grew beyond its approved size).
const (
	RateApproved = "approved"
	RateEnrolled = "enrolled"
	RateExpired  = "expired"
	RateRemoved  = "removed"
)

// SpecialRateRecord is an account approved for (or on) a special rate.
type SpecialRateRecord struct {
	ID           int64           `json:"id"`
	Rate         nem.SpecialRate `json:"rate"`
	AccountID    int64           `json:"account_id"`
	Status       string          `json:"status"`
	ApprovedW    energy.W        `json:"approved_w"`
	RequestedOn  calendar.Date   `json:"requested_on"`
	ApprovedOn   calendar.Date   `json:"approved_on"`
	RateChangeOn calendar.Date   `json:"rate_change_on"`
	RemovedOn    calendar.Date   `json:"removed_on"`
	Request      nem.RateRequest `json:"request"`
	Decision     nem.Decision    `json:"decision"`
	EnrollmentID int64           `json:"enrollment_id"`
	Note         string          `json:"note"`
	Created      time.Time       `json:"created_at"`
	Updated      time.Time       `json:"updated_at"`
}

// StatusOn is the record's status on a day: an approval whose 15-day
// window for the Rate Change Request has passed has expired.
func (r SpecialRateRecord) StatusOn(d calendar.Date) string {
	if r.Status == RateApproved && r.Rate == nem.OptionA && d.After(r.ApprovedOn.AddDays(nem.OptionARateChangeDays)) {
		return RateExpired
	}
	return r.Status
}

const rateCols = `id, rate, account_id, status, approved_w, requested_on, approved_on, rate_change_on, removed_on, request_json,
	decision_json, enrollment_id, note, created_unix, updated_unix`

func scanRate(s interface{ Scan(...any) error }) (SpecialRateRecord, error) {
	var r SpecialRateRecord
	var req, dec string
	var enr sql.NullInt64
	var cr, up int64
	if err := s.Scan(&r.ID, &r.Rate, &r.AccountID, &r.Status, &r.ApprovedW, &r.RequestedOn, &r.ApprovedOn, &r.RateChangeOn,
		&r.RemovedOn, &req, &dec, &enr, &r.Note, &cr, &up); err != nil {
		return r, err
	}
	r.EnrollmentID, r.Created, r.Updated = enr.Int64, time.Unix(cr, 0).UTC(), time.Unix(up, 0).UTC()
	if err := json.Unmarshal([]byte(req), &r.Request); err != nil {
		return r, err
	}
	return r, json.Unmarshal([]byte(dec), &r.Decision)
}

// SpecialRates lists the records of a rate ("" for all), oldest first.
func (q queries) SpecialRates(ctx context.Context, rate nem.SpecialRate) ([]SpecialRateRecord, error) {
	return collect(ctx, q, scanRate, `SELECT `+rateCols+` FROM nem_special_rates WHERE ($1 = '' OR rate = $1) ORDER BY id`, string(rate))
}

// SpecialRate returns one record.
func (q queries) SpecialRate(ctx context.Context, id int64) (SpecialRateRecord, error) {
	r, err := scanRate(q.q.QueryRowContext(ctx, `SELECT `+rateCols+` FROM nem_special_rates WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundf("store.SpecialRate", "special-rate record %d not found", id)
	}
	return r, err
}

// SpecialRateReport is a rate's approved and available capacity on a day:
// approvals still within their window and enrolled accounts count.
func (q queries) SpecialRateReport(ctx context.Context, rate nem.SpecialRate, on calendar.Date) (nem.RateReport, error) {
	recs, err := q.SpecialRates(ctx, rate)
	if err != nil {
		return nem.RateReport{}, err
	}
	return nem.Report(rate, approvedOn(recs, on, 0)), nil
}

// approvedOn lists the capacities counting against a rate on a day,
// leaving out record skip.
func approvedOn(recs []SpecialRateRecord, on calendar.Date, skip int64) []energy.W {
	var out []energy.W
	for _, r := range recs {
		if s := r.StatusOn(on); r.ID != skip && (s == RateApproved || s == RateEnrolled) {
			out = append(out, r.ApprovedW)
		}
	}
	return out
}

func sumW(ws []energy.W) energy.W {
	var t energy.W
	for _, w := range ws {
		t += w
	}
	return t
}

// RequestSpecialRate decides a special-rate request on its date against
// the rate's rules and the capacity others hold (nem.DecideRate); an
// eligible request is stored as approved, an ineligible one refused naming
// each failed rule with nothing stored. For Option A the PTO must be on
// file: when the request leaves PTO empty, the account's interconnected NEM
// application supplies it.
func (tx *Tx) RequestSpecialRate(ctx context.Context, actor auth.Actor, req nem.RateRequest) (SpecialRateRecord, error) {
	const op = "store.RequestSpecialRate"
	acct, err := tx.Account(ctx, req.AccountID)
	if apperr.Is(err, apperr.NotFound) {
		var f apperr.Fields
		f.Add("account_id", "account %d does not exist", req.AccountID)
		return SpecialRateRecord{}, f.Err(op)
	} else if err != nil {
		return SpecialRateRecord{}, err
	}
	if _, ok := nem.CapOf(req.Rate); !ok {
		var f apperr.Fields
		f.Add("rate", "must be option_r or tou8_option_a")
		return SpecialRateRecord{}, f.Err(op)
	}
	if req.On.IsZero() {
		req.On = calendar.DateOf(tx.now())
	}
	if req.Rate == nem.OptionA && req.PTO.IsZero() {
		apps, err := tx.NEMApplications(ctx, NEMFilter{AccountID: acct.ID, Statuses: []nem.Status{nem.PTOIssued, nem.Active}})
		if err != nil {
			return SpecialRateRecord{}, err
		}
		for _, a := range apps {
			if req.PTO.IsZero() || a.PTO.After(req.PTO) {
				req.PTO = a.PTO
			}
		}
	}
	recs, err := tx.SpecialRates(ctx, req.Rate)
	if err != nil {
		return SpecialRateRecord{}, err
	}
	for _, r := range recs {
		if s := r.StatusOn(req.On); r.AccountID == acct.ID && (s == RateApproved || s == RateEnrolled) {
			return SpecialRateRecord{}, apperr.Conflictf(op, "account %s is already %s for %s", acct.Number, s, req.Rate)
		}
	}
	d := nem.DecideRate(req, sumW(approvedOn(recs, req.On, 0)))
	if err := d.Err(op); err != nil {
		return SpecialRateRecord{}, err
	}
	rec := SpecialRateRecord{Rate: req.Rate, AccountID: acct.ID, Status: RateApproved, ApprovedW: req.GeneratorW, RequestedOn: req.On,
		ApprovedOn: req.On, Request: req, Decision: d, Created: tx.now()}
	rec.Updated = rec.Created
	if err := tx.insertRate(ctx, &rec); err != nil {
		return rec, err
	}
	return rec, tx.audit(ctx, actor, "create", "special_rate", rec.ID, nil, rec)
}

func (tx *Tx) insertRate(ctx context.Context, r *SpecialRateRecord) error {
	req, err := json.Marshal(r.Request)
	if err != nil {
		return err
	}
	dec, err := json.Marshal(r.Decision)
	if err != nil {
		return err
	}
	err = tx.q.QueryRowContext(ctx, `INSERT INTO nem_special_rates (rate, account_id, status, approved_w, requested_on, approved_on,
		rate_change_on, removed_on, request_json, decision_json, enrollment_id, note, created_unix, updated_unix)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id`,
		string(r.Rate), r.AccountID, r.Status, int64(r.ApprovedW), r.RequestedOn, r.ApprovedOn, r.RateChangeOn, r.RemovedOn,
		string(req), string(dec), nullID(r.EnrollmentID), r.Note, r.Created.Unix(), r.Updated.Unix()).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("store: special rate: %w", mapErr(err))
	}
	return nil
}

func (tx *Tx) saveRate(ctx context.Context, r SpecialRateRecord) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE nem_special_rates SET status = $2, approved_w = $3, rate_change_on = $4, removed_on = $5,
		enrollment_id = $6, note = $7, updated_unix = $8 WHERE id = $1`,
		r.ID, r.Status, int64(r.ApprovedW), r.RateChangeOn, r.RemovedOn, nullID(r.EnrollmentID), r.Note, r.Updated.Unix())
	if err != nil {
		return fmt.Errorf("store: special rate: %w", err)
	}
	return nil
}

// EnrollSpecialRate records the Rate Change Request of an approved account
// on date on (for Option A within 15 calendar days of the approval) and
// enrolls the account in the rate's program from that day.
func (tx *Tx) EnrollSpecialRate(ctx context.Context, actor auth.Actor, id int64, on calendar.Date) (SpecialRateRecord, error) {
	before, err := tx.SpecialRate(ctx, id)
	if err != nil {
		return before, err
	}
	if before.Status != RateApproved {
		return before, apperr.Conflictf("store.EnrollSpecialRate", "record %d is %s, not approved", id, before.Status)
	}
	if before.Rate == nem.OptionA {
		if err := nem.CheckRateChange(before.ApprovedOn, on); err != nil {
			return before, err
		}
	}
	e := customer.Enrollment{AccountID: before.AccountID, Program: string(before.Rate), From: on, Source: "utility",
		Note: fmt.Sprintf("rate change request: %s kW generator approved %s", before.ApprovedW.KWString(), before.ApprovedOn)}
	if err := tx.Enroll(ctx, actor, &e); err != nil {
		return before, err
	}
	after := before
	after.Status, after.RateChangeOn, after.EnrollmentID, after.Updated = RateEnrolled, on, e.ID, tx.now()
	if err := tx.saveRate(ctx, after); err != nil {
		return before, err
	}
	return after, tx.audit(ctx, actor, "update", "special_rate", id, before, after)
}

// ReportSpecialRateGenerator records an enrolled or approved account's
// generator at newW on date on (nem.CheckGrowth): no larger than approved
// changes nothing; growth within an open cap raises the approved size;
// growth after the rate closed removes the account (ending its
// enrollment); growth past an open cap is refused.
func (tx *Tx) ReportSpecialRateGenerator(ctx context.Context, actor auth.Actor, id int64, newW energy.W, on calendar.Date) (SpecialRateRecord, nem.Growth, error) {
	before, err := tx.SpecialRate(ctx, id)
	if err != nil {
		return before, nem.Growth{}, err
	}
	if s := before.StatusOn(on); s != RateApproved && s != RateEnrolled {
		return before, nem.Growth{}, apperr.Conflictf("store.ReportSpecialRateGenerator", "record %d is %s", id, s)
	}
	recs, err := tx.SpecialRates(ctx, before.Rate)
	if err != nil {
		return before, nem.Growth{}, err
	}
	g, err := nem.CheckGrowth(before.Rate, before.ApprovedW, newW, sumW(approvedOn(recs, on, id)), on)
	if err != nil || newW <= before.ApprovedW {
		return before, g, err
	}
	after := before
	after.Updated, after.Note = tx.now(), g.Detail
	if g.Removed {
		after.Status, after.RemovedOn = RateRemoved, on
		if after.EnrollmentID != 0 {
			if err := tx.EndEnrollment(ctx, actor, after.EnrollmentID, on); err != nil {
				return before, g, err
			}
		}
	} else {
		after.ApprovedW = newW
	}
	if err := tx.saveRate(ctx, after); err != nil {
		return before, g, err
	}
	return after, g, tx.audit(ctx, actor, "update", "special_rate", id, before, after)
}

// ImportSpecialRate stores a historical special-rate record as it stands
// (the demo's and migrations' path for accounts enrolled before gridbook),
// audited; its request is decided as of its own date.
func (tx *Tx) ImportSpecialRate(ctx context.Context, actor auth.Actor, r *SpecialRateRecord) error {
	recs, err := tx.SpecialRates(ctx, r.Rate)
	if err != nil {
		return err
	}
	r.Decision = nem.DecideRate(r.Request, sumW(approvedOn(recs, r.Request.On, 0)))
	if err := r.Decision.Err("store.ImportSpecialRate"); err != nil {
		return err
	}
	r.Created = tx.now()
	r.Updated = r.Created
	if err := tx.insertRate(ctx, r); err != nil {
		return err
	}
	return tx.audit(ctx, actor, "create", "special_rate", r.ID, nil, r)
}

const fitCols = `id, number, program, category, product, utility, facility, address, city, technology, effective_w, nameplate_w,
	max_export_w, rule21, term_years, operating_on, account_id, received_unix, status, posted_on, decided_on, denial_reason,
	appealed_on, appeal_outcome, ended_on, note`

func scanFIT(s interface{ Scan(...any) error }) (nem.FITRequest, error) {
	var r nem.FITRequest
	var acct sql.NullInt64
	var rule21, received int64
	err := s.Scan(&r.ID, &r.Number, &r.Program, &r.Category, &r.Product, &r.Utility, &r.Facility, &r.Address, &r.City, &r.Technology,
		&r.EffectiveW, &r.NameplateW, &r.MaxExportW, &rule21, &r.TermYears, &r.OperatingOn, &acct, &received, &r.Status, &r.PostedOn,
		&r.DecidedOn, &r.Denial, &r.AppealedOn, &r.Appeal, &r.EndedOn, &r.Note)
	r.AccountID, r.Rule21, r.Received = acct.Int64, rule21 == 1, time.Unix(received, 0).UTC()
	return r, err
}

// FITRequests lists feed-in tariff requests in queue order (first come,
// first served), optionally of one utility.
func (q queries) FITRequests(ctx context.Context, utility string) ([]nem.FITRequest, error) {
	return collect(ctx, q, scanFIT, `SELECT `+fitCols+` FROM fit_requests WHERE ($1 = '' OR utility = $1) ORDER BY received_unix, id`, utility)
}

// FITRequest returns one request.
func (q queries) FITRequest(ctx context.Context, id int64) (nem.FITRequest, error) {
	r, err := scanFIT(q.q.QueryRowContext(ctx, `SELECT `+fitCols+` FROM fit_requests WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundf("store.FITRequest", "feed-in tariff request %d not found", id)
	}
	return r, err
}

// FITDecision returns the eligibility decision stored with a request.
func (q queries) FITDecision(ctx context.Context, id int64) (nem.Decision, error) {
	var js string
	var d nem.Decision
	if err := q.q.QueryRowContext(ctx, `SELECT decision_json FROM fit_requests WHERE id = $1`, id).Scan(&js); err != nil {
		return d, fmt.Errorf("store: fit decision: %w", err)
	}
	return d, json.Unmarshal([]byte(js), &d)
}

// accountTakesNEM reports whether an account takes net metering: a "nem"
// enrollment on the day or an application in process or interconnected.
func (q queries) accountTakesNEM(ctx context.Context, accountID int64, on calendar.Date) (bool, error) {
	es, err := q.Enrollments(ctx, accountID)
	if err != nil {
		return false, err
	}
	for _, e := range es {
		if e.Program == nem.EnrollmentProgram && e.ActiveOn(on) {
			return true, nil
		}
	}
	apps, err := q.NEMApplications(ctx, NEMFilter{AccountID: accountID})
	if err != nil {
		return false, err
	}
	for _, a := range apps {
		if a.Status.Open() || a.Status == nem.PTOIssued || a.Status == nem.Active {
			return true, nil
		}
	}
	return false, nil
}

// CreateFITRequest queues a feed-in tariff request received now: checked
// first (nem.DecideFIT; a facility whose account takes net metering is
// refused), then numbered, stored with its decision and audited. Nothing
// is stored for a refused request.
func (tx *Tx) CreateFITRequest(ctx context.Context, actor auth.Actor, r *nem.FITRequest) (nem.Decision, error) {
	const op = "store.CreateFITRequest"
	r.Facility, r.City, r.Utility = strings.TrimSpace(r.Facility), strings.TrimSpace(r.City), strings.TrimSpace(r.Utility)
	var f apperr.Fields
	if r.Facility == "" {
		f.Add("facility", "is required")
	}
	if r.City == "" {
		f.Add("city", "is required: the public posting shows the city")
	}
	if r.Utility == "" {
		r.Utility = "SCE"
	}
	if _, ok := nem.FITShareOf(r.Utility); !ok {
		f.Add("utility", "must be PG&E, SCE or SDG&E (a utility with a published allocation)")
	}
	if err := f.Err(op); err != nil {
		return nem.Decision{}, err
	}
	if r.Received.IsZero() {
		r.Received = tx.now()
	}
	on := calendar.DateOf(r.Received)
	hasNEM := false
	if r.AccountID != 0 {
		if _, err := tx.Account(ctx, r.AccountID); apperr.Is(err, apperr.NotFound) {
			var f apperr.Fields
			f.Add("account_id", "account %d does not exist", r.AccountID)
			return nem.Decision{}, f.Err(op)
		} else if err != nil {
			return nem.Decision{}, err
		}
		var err error
		if hasNEM, err = tx.accountTakesNEM(ctx, r.AccountID, on); err != nil {
			return nem.Decision{}, err
		}
	}
	d := nem.DecideFIT(*r, hasNEM, on)
	if err := d.Err(op); err != nil {
		return d, err
	}
	js, err := json.Marshal(d)
	if err != nil {
		return d, err
	}
	r.Status = nem.FITReceived
	now := tx.now().Unix()
	tmp := make([]byte, 8)
	rand.Read(tmp)
	err = tx.q.QueryRowContext(ctx, `INSERT INTO fit_requests (number, program, category, product, utility, facility, address, city,
		technology, effective_w, nameplate_w, max_export_w, rule21, term_years, operating_on, account_id, received_unix, status,
		decision_json, created_unix, updated_unix)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id`,
		"tmp-"+hex.EncodeToString(tmp), string(r.Program), string(r.Category), r.Product, r.Utility, r.Facility, r.Address, r.City,
		r.Technology, int64(r.EffectiveW), int64(r.NameplateW), int64(r.MaxExportW), b2i(r.Rule21), r.TermYears, r.OperatingOn,
		nullID(r.AccountID), r.Received.Unix(), string(r.Status), string(js), now, now).Scan(&r.ID)
	if err != nil {
		return d, fmt.Errorf("store: fit request: %w", mapErr(err))
	}
	r.Number = fmt.Sprintf("FIT-%06d", r.ID)
	if _, err := tx.q.ExecContext(ctx, `UPDATE fit_requests SET number = $2 WHERE id = $1`, r.ID, r.Number); err != nil {
		return d, err
	}
	return d, tx.audit(ctx, actor, "create", "fit_request", r.ID, nil, r)
}

// AdvanceFITRequest moves a request one step (nem.AdvanceFIT); accepting
// it, directly or on appeal, applies first come, first served and the
// utility's allocation (nem.CheckFITAcceptance).
func (tx *Tx) AdvanceFITRequest(ctx context.Context, actor auth.Actor, id int64, step nem.FITStep, today calendar.Date) (nem.FITRequest, error) {
	before, err := tx.FITRequest(ctx, id)
	if err != nil {
		return before, err
	}
	after, err := nem.AdvanceFIT(before, step, today)
	if err != nil {
		return before, err
	}
	if after.Status == nem.FITAccepted {
		all, err := tx.FITRequests(ctx, before.Utility)
		if err != nil {
			return before, err
		}
		if err := nem.CheckFITAcceptance(after, all); err != nil {
			return before, err
		}
	}
	_, err = tx.q.ExecContext(ctx, `UPDATE fit_requests SET status = $2, posted_on = $3, decided_on = $4, denial_reason = $5,
		appealed_on = $6, appeal_outcome = $7, ended_on = $8, note = $9, updated_unix = $10 WHERE id = $1`,
		id, string(after.Status), after.PostedOn, after.DecidedOn, after.Denial, after.AppealedOn, after.Appeal, after.EndedOn,
		after.Note, tx.now().Unix())
	if err != nil {
		return before, fmt.Errorf("store: fit request: %w", err)
	}
	return after, tx.audit(ctx, actor, "update", "fit_request", id, before, after)
}

// AddFITInspection records a biennial inspection-and-maintenance report of
// an accepted facility (nem.CheckInspection: a licensed contractor who is
// not the owner or operator).
func (tx *Tx) AddFITInspection(ctx context.Context, actor auth.Actor, in *nem.Inspection) error {
	if err := nem.CheckInspection(*in); err != nil {
		return err
	}
	r, err := tx.FITRequest(ctx, in.RequestID)
	if err != nil {
		return err
	}
	if r.Status != nem.FITAccepted {
		return apperr.Conflictf("store.AddFITInspection", "%s is %s; inspections are for facilities on the tariff", r.Number, r.Status)
	}
	err = tx.q.QueryRowContext(ctx, `INSERT INTO fit_inspections (request_id, inspected_on, contractor, license, at_unix, actor)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, in.RequestID, in.On, in.Contractor, in.License, tx.now().Unix(), actor.String()).Scan(&in.ID)
	if err != nil {
		return fmt.Errorf("store: inspection: %w", mapErr(err))
	}
	return tx.audit(ctx, actor, "create", "fit_inspection", in.ID, nil, in)
}

// FITInspections lists a request's inspection reports, oldest first.
func (q queries) FITInspections(ctx context.Context, requestID int64) ([]nem.Inspection, error) {
	return collect(ctx, q, func(s interface{ Scan(...any) error }) (nem.Inspection, error) {
		var in nem.Inspection
		err := s.Scan(&in.ID, &in.RequestID, &in.On, &in.Contractor, &in.License)
		return in, err
	}, `SELECT id, request_id, inspected_on, contractor, license FROM fit_inspections WHERE request_id = $1 ORDER BY inspected_on, id`, requestID)
}
