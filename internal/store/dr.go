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
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/money"
)

const drEventCols = `id, program, track, start_unix, end_unix, status, level, offset_f, reason, notified_unix, cancelled_unix, created_unix`

// scanDREvent scans drEventCols and then any extra columns into extra.
func scanDREvent(s interface{ Scan(...any) error }, extra ...any) (dr.Event, error) {
	var e dr.Event
	var start, end, created int64
	var status string
	var notified, cancelled sql.NullInt64
	dest := append([]any{&e.ID, &e.Program, &e.Track, &start, &end, &status, &e.Level, &e.OffsetF, &e.Reason, &notified, &cancelled, &created}, extra...)
	if err := s.Scan(dest...); err != nil {
		return e, err
	}
	e.Start, e.End, e.Status, e.Created = time.Unix(start, 0).UTC(), time.Unix(end, 0).UTC(), dr.Status(status), time.Unix(created, 0).UTC()
	if notified.Valid {
		e.NotifiedAt = time.Unix(notified.Int64, 0).UTC()
	}
	if cancelled.Valid {
		e.CancelledAt = time.Unix(cancelled.Int64, 0).UTC()
	}
	return e, nil
}

func nullUnix(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

// lockProgram serializes scheduling within one program among processes
// (PostgreSQL; SQLite has one writer already), so that two events
// scheduled at once cannot both pass the annual or weekly cap.
func (tx *Tx) lockProgram(ctx context.Context, program string) error {
	if tx.db.dialect != Postgres {
		return nil
	}
	_, err := tx.q.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, "dr:"+program)
	return err
}

// ScheduleEvent checks a proposed event against every rule of its program
// (dr.CheckSchedule, with the program's other events of the year and
// the utility holidays) and stores it as scheduled with its first history
// row. A broken rule is an Invalid error naming the field and the rule;
// nothing is stored.
func (tx *Tx) ScheduleEvent(ctx context.Context, actor auth.Actor, p dr.Program, prop dr.Proposal) (dr.Event, error) {
	e := prop.Event
	e.Program, e.Status, e.ID = p.Code, dr.Scheduled, 0
	if e.Level == 0 {
		e.Level = 1
	}
	if e.Level < 0 || e.Level > 3 {
		var f apperr.Fields
		f.Add("level", "must be an OpenADR SIMPLE level 1, 2 or 3")
		return dr.Event{}, f.Err("store.ScheduleEvent")
	}
	if err := tx.lockProgram(ctx, p.Code); err != nil {
		return dr.Event{}, fmt.Errorf("store: lock program: %w", err)
	}
	y := calendar.DateOf(e.Start).Year
	from, to := calendar.Date{Year: y, Month: 1, Day: 1}.AddDays(-7), calendar.Date{Year: y + 1, Month: 1, Day: 1}.AddDays(7)
	others, err := tx.DREvents(ctx, DREventFilter{Program: p.Code, From: from, To: to, Limit: 10000})
	if err != nil {
		return dr.Event{}, err
	}
	if err := dr.ScheduleError(dr.CheckSchedule(p, dr.Proposal{Event: e, Notice: prop.Notice}, others, calendar.UtilityHolidays())); err != nil {
		return dr.Event{}, err
	}
	e.Created = tx.now()
	err = tx.q.QueryRowContext(ctx, `INSERT INTO dr_events (program, track, start_unix, end_unix, event_day, status, level, offset_f, reason, created_unix)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
		e.Program, e.Track, e.Start.Unix(), e.End.Unix(), e.Day().String(), string(e.Status), e.Level, e.OffsetF, e.Reason, e.Created.Unix()).Scan(&e.ID)
	if err != nil {
		return dr.Event{}, fmt.Errorf("store: schedule event: %w", mapErr(err))
	}
	if err := tx.history(ctx, actor, e.ID, "", dr.Scheduled, prop.Event.Reason, e.Created); err != nil {
		return dr.Event{}, err
	}
	return e, tx.audit(ctx, actor, "create", "dr_event", e.ID, nil, e)
}

func (tx *Tx) history(ctx context.Context, actor auth.Actor, id int64, from, to dr.Status, note string, at time.Time) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO dr_event_history (event_id, at_unix, from_status, to_status, actor, note) VALUES ($1, $2, $3, $4, $5, $6)`,
		id, at.Unix(), string(from), string(to), actor.String(), note)
	if err != nil {
		return fmt.Errorf("store: event history: %w", err)
	}
	return nil
}

// MoveEvent changes an event's status under the lifecycle rules
// (dr.Move) at the database clock, with a history row and an audit
// record. A step the lifecycle refuses is a Conflict.
func (tx *Tx) MoveEvent(ctx context.Context, actor auth.Actor, id int64, to dr.Status, note string) (dr.Event, error) {
	return tx.MoveEventAt(ctx, actor, id, to, note, tx.now())
}

// MoveEventAt is MoveEvent at a given instant: for back-filling a season's
// history (the demo) or recording a step that happened earlier.
func (tx *Tx) MoveEventAt(ctx context.Context, actor auth.Actor, id int64, to dr.Status, note string, at time.Time) (dr.Event, error) {
	before, err := tx.DREvent(ctx, id)
	if err != nil {
		return dr.Event{}, err
	}
	after := before
	if err := dr.Move(&after, to, at); err != nil {
		return dr.Event{}, err
	}
	_, err = tx.q.ExecContext(ctx, `UPDATE dr_events SET status = $2, notified_unix = $3, cancelled_unix = $4 WHERE id = $1 AND status = $5`,
		id, string(after.Status), nullUnix(after.NotifiedAt), nullUnix(after.CancelledAt), string(before.Status))
	if err != nil {
		return dr.Event{}, fmt.Errorf("store: move event: %w", err)
	}
	if err := tx.history(ctx, actor, id, before.Status, to, note, at); err != nil {
		return dr.Event{}, err
	}
	return after, tx.audit(ctx, actor, "update", "dr_event", id, before, after)
}

// DREvent returns one event.
func (q queries) DREvent(ctx context.Context, id int64) (dr.Event, error) {
	e, err := scanDREvent(q.q.QueryRowContext(ctx, `SELECT `+drEventCols+` FROM dr_events WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, apperr.NotFoundf("store.DREvent", "event %d not found", id)
	} else if err != nil {
		return e, fmt.Errorf("store: event %d: %w", id, err)
	}
	return e, nil
}

// DREventFilter selects events; zero fields match everything. From and To
// bound the local event day, [From, To).
type DREventFilter struct {
	Program string
	Status  dr.Status
	From    calendar.Date
	To      calendar.Date
	Limit   int // default 500, at most 10,000
}

// DREvents returns events in start order.
func (q queries) DREvents(ctx context.Context, f DREventFilter) ([]dr.Event, error) {
	if f.Limit <= 0 {
		f.Limit = 500
	}
	f.Limit = min(f.Limit, 10000)
	rows, err := q.q.QueryContext(ctx, `SELECT `+drEventCols+` FROM dr_events
		WHERE ($1 = '' OR program = $1) AND ($2 = '' OR status = $2) AND ($3 = '' OR event_day >= $3) AND ($4 = '' OR event_day < $4)
		ORDER BY start_unix, id LIMIT $5`, f.Program, string(f.Status), dateOrEmpty(f.From), dateOrEmpty(f.To), f.Limit)
	if err != nil {
		return nil, fmt.Errorf("store: events: %w", err)
	}
	defer rows.Close()
	var out []dr.Event
	for rows.Next() {
		e, err := scanDREvent(rows)
		if err != nil {
			return nil, fmt.Errorf("store: events: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func dateOrEmpty(d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// EventHistory returns an event's status changes, oldest first.
func (q queries) EventHistory(ctx context.Context, id int64) ([]dr.Transition, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT at_unix, from_status, to_status, actor, note FROM dr_event_history WHERE event_id = $1 ORDER BY id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: event history: %w", err)
	}
	defer rows.Close()
	var out []dr.Transition
	for rows.Next() {
		var t dr.Transition
		var at int64
		var from, to string
		if err := rows.Scan(&at, &from, &to, &t.Actor, &t.Note); err != nil {
			return nil, fmt.Errorf("store: event history: %w", err)
		}
		t.At, t.From, t.To = time.Unix(at, 0).UTC(), dr.Status(from), dr.Status(to)
		out = append(out, t)
	}
	return out, rows.Err()
}

// EventDays returns the event-day calendar of a program over [from, to):
// the local days of its events that were not cancelled, in order, once
// each. It is how a bill run fills billing.CPP.EventDays for Peak
// Management Pricing ("pmp"); see docs/dr.md.
func (q queries) EventDays(ctx context.Context, program string, from, to calendar.Date) ([]calendar.Date, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT DISTINCT event_day FROM dr_events
		WHERE program = $1 AND status <> 'cancelled' AND event_day >= $2 AND event_day < $3 ORDER BY event_day`, program, from.String(), to.String())
	if err != nil {
		return nil, fmt.Errorf("store: event days: %w", err)
	}
	defer rows.Close()
	var out []calendar.Date
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		d, err := calendar.ParseDate(s)
		if err != nil {
			return nil, fmt.Errorf("store: event day %q: %w", s, err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// DRParticipants returns the accounts enrolled in program (and track,
// unless ""), on day on, in account order: the enrollment's track, the
// account class, whether it is on CARE or FERA that day, whether its
// premise is in a DAC, its meter in service that day (0 if none) and the
// customer's e-mail and phone.
func (q queries) DRParticipants(ctx context.Context, program, track string, on calendar.Date) ([]dr.Enrolled, error) {
	d := on.String()
	rows, err := q.q.QueryContext(ctx, `SELECT a.id, e.track, a.class, p.dac,
		EXISTS (SELECT 1 FROM enrollments i WHERE i.account_id = a.id AND i.program IN ('care', 'fera') AND i.start_date <= $3 AND (i.end_date IS NULL OR i.end_date > $3)),
		COALESCE((SELECT MIN(m.id) FROM meters m WHERE m.account_id = a.id AND m.installed <= $3 AND (m.removed IS NULL OR m.removed > $3)), 0),
		c.email, c.phone
		FROM enrollments e JOIN accounts a ON a.id = e.account_id JOIN premises p ON p.id = a.premise_id JOIN customers c ON c.id = a.customer_id
		WHERE e.program = $1 AND ($2 = '' OR e.track = $2) AND e.start_date <= $3 AND (e.end_date IS NULL OR e.end_date > $3)
		ORDER BY a.id`, program, track, d)
	if err != nil {
		return nil, fmt.Errorf("store: participants: %w", err)
	}
	defer rows.Close()
	var out []dr.Enrolled
	for rows.Next() {
		var p dr.Enrolled
		var class string
		var dac int64
		if err := rows.Scan(&p.AccountID, &p.Track, &class, &dac, &p.IncomeQualified, &p.MeterID, &p.Email, &p.Phone); err != nil {
			return nil, fmt.Errorf("store: participants: %w", err)
		}
		p.Class, p.DAC = customer.Class(class), dac != 0
		out = append(out, p)
	}
	return out, rows.Err()
}

// ParticipantLoad returns the delivered energy of a meter over [from, to)
// (as MeterIntervals does, but without reading the received channel a
// baseline does not use).
func (q queries) ParticipantLoad(ctx context.Context, meterID int64, from, to time.Time) (meterdata.Series, error) {
	m, err := q.Meter(ctx, meterID)
	if err != nil {
		return meterdata.Series{}, err
	}
	for _, c := range m.Channels {
		if c.Direction == customer.Delivered {
			return q.Intervals(ctx, c.ID, from, to)
		}
	}
	return meterdata.Series{}, nil
}

// RecordOverride records that a participant overrode an event (from the
// portal, a device or staff). A second override of the same event is
// kept as the first.
func (tx *Tx) RecordOverride(ctx context.Context, actor auth.Actor, eventID, accountID int64, source, note string) error {
	if _, err := tx.DREvent(ctx, eventID); err != nil {
		return err
	}
	res, err := tx.q.ExecContext(ctx, `INSERT INTO dr_overrides (event_id, account_id, at_unix, source, note) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (event_id, account_id) DO NOTHING`, eventID, accountID, tx.now().Unix(), source, note)
	if err != nil {
		return fmt.Errorf("store: override: %w", mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	return tx.audit(ctx, actor, "create", "dr_override", eventID, nil, map[string]any{"event_id": eventID, "account_id": accountID, "source": source, "note": note})
}

// Overrides returns the accounts that overrode an event.
func (q queries) Overrides(ctx context.Context, eventID int64) (map[int64]bool, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT account_id FROM dr_overrides WHERE event_id = $1`, eventID)
	if err != nil {
		return nil, fmt.Errorf("store: overrides: %w", err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// SettlementRecord is a settlement with its per-interval baseline and
// actual load, as stored.
type SettlementRecord struct {
	dr.Settlement
	Program   string        `json:"program"`
	Intervals []dr.Interval `json:"intervals"`
	Settled   time.Time     `json:"settled_at"`
}

const settlementCols = `event_id, account_id, track, status, method, days_used, adjustment_ppm, baseline_wh, actual_wh, delta_wh,
	reduction_wh, rate_micro_usd_per_kwh, amount_cents, overridden, reason, intervals_json, settled_unix`

func scanSettlement(s interface{ Scan(...any) error }, withIntervals bool) (SettlementRecord, error) {
	var r SettlementRecord
	var ppm, rate, amount, base, act, delta, red, at int64
	var over int64
	var js string
	if err := s.Scan(&r.EventID, &r.AccountID, &r.Track, &r.Status, &r.Method, &r.DaysUsed, &ppm, &base, &act, &delta, &red, &rate, &amount, &over, &r.Reason, &js, &at); err != nil {
		return r, err
	}
	r.Factor = float64(ppm) / 1e6
	r.BaselineWh, r.ActualWh, r.DeltaWh, r.ReductionWh = energy.Wh(base), energy.Wh(act), energy.Wh(delta), energy.Wh(red)
	r.Rate, r.Amount, r.Overridden, r.Settled = money.MicroPerKWh(rate), money.Cents(amount), over != 0, time.Unix(at, 0).UTC()
	if withIntervals {
		var err error
		if r.Intervals, err = decodeIntervals(js); err != nil {
			return r, err
		}
	}
	return r, nil
}

// SaveSettlement stores one participant's settlement of an event, once:
// a participant already settled is left as it is (ok false: nothing is
// settled twice), one stored without a baseline or with missing data is
// replaced. A settled amount above zero becomes a payable in the same
// transaction, keyed by program, event and account. It is
// SaveSettlements of one.
func (tx *Tx) SaveSettlement(ctx context.Context, actor auth.Actor, program string, s dr.Settlement, intervals []dr.Interval) (saved bool, err error) {
	n, err := tx.SaveSettlements(ctx, actor, program, []dr.Outcome{{Settlement: s, Intervals: intervals}})
	return n > 0, err
}

// Settlements returns an event's settlements in account order, with their
// intervals when withIntervals.
func (q queries) Settlements(ctx context.Context, eventID int64, withIntervals bool) ([]SettlementRecord, error) {
	return q.settlements(ctx, `event_id = $1`, eventID, withIntervals)
}

// AccountSettlements returns an account's settlements, newest event first.
func (q queries) AccountSettlements(ctx context.Context, accountID int64, withIntervals bool) ([]SettlementRecord, error) {
	return q.settlements(ctx, `account_id = $1`, accountID, withIntervals)
}

func (q queries) settlements(ctx context.Context, where string, arg int64, withIntervals bool) ([]SettlementRecord, error) {
	cols := settlementCols
	if !withIntervals {
		cols = strings.Replace(cols, "intervals_json", "''", 1)
	}
	rows, err := q.q.QueryContext(ctx, `SELECT `+cols+` FROM dr_settlements WHERE `+where+` ORDER BY event_id DESC, account_id`, arg)
	if err != nil {
		return nil, fmt.Errorf("store: settlements: %w", err)
	}
	defer rows.Close()
	var out []SettlementRecord
	for rows.Next() {
		r, err := scanSettlement(rows, withIntervals)
		if err != nil {
			return nil, fmt.Errorf("store: settlements: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// AddPayables stores amounts owed, each once by key; it returns how many
// were new.
func (tx *Tx) AddPayables(ctx context.Context, actor auth.Actor, ps []dr.Payment) (int, error) {
	added := 0
	for _, p := range ps {
		if p.Amount < 0 || (p.PaidAs != "budget" && p.PaidAs != "bill_credit") {
			return 0, apperr.Invalidf("store.AddPayables", "payable %s: amount must not be negative and paid_as must be budget or bill_credit", p.Key)
		}
		res, err := tx.q.ExecContext(ctx, `INSERT INTO dr_payables (key, program, account_id, device_id, event_id, kind, due, amount_cents, paid_as, source, status, created_unix)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'payable', $11) ON CONFLICT (key) DO NOTHING`,
			p.Key, p.Program, p.AccountID, nullID(p.DeviceID), nullID(p.EventID), p.Kind, p.Due.String(), int64(p.Amount), p.PaidAs, p.Source, tx.now().Unix())
		if err != nil {
			return 0, fmt.Errorf("store: payable: %w", mapErr(err))
		}
		if n, _ := res.RowsAffected(); n > 0 {
			added++
			if err := tx.audit(ctx, actor, "create", "dr_payable", p.AccountID, nil, p); err != nil {
				return 0, err
			}
		}
	}
	return added, nil
}

// Payable is an amount owed with its payment status.
type Payable struct {
	dr.Payment
	Status    string    `json:"status"`    // payable, paid, refused
	Reference string    `json:"reference"` // the budget ledger's, once paid
	Created   time.Time `json:"created_at"`
	BudgetID  int64     `json:"budget_id,omitempty"` // the budget that paid it
	PaidAt    time.Time `json:"paid_at,omitzero"`
	Refusal   string    `json:"refusal,omitempty"` // the rule and why, when refused
}

// Payables returns amounts owed, by account (0: all) and status (""),
// oldest due first.
func (q queries) Payables(ctx context.Context, accountID int64, status string, limit int) ([]Payable, error) {
	if limit <= 0 || limit > 10000 {
		limit = 500
	}
	return q.PayablesWhere(ctx, PayableFilter{AccountID: accountID, Status: status, Limit: limit})
}

// MarkPayable records the outcome of paying a payable: "paid" with the
// budget's reference, or "refused" with why.
func (tx *Tx) MarkPayable(ctx context.Context, actor auth.Actor, key, status, reference string) error {
	if status != "paid" && status != "refused" {
		return apperr.Invalidf("store.MarkPayable", "status must be paid or refused")
	}
	res, err := tx.q.ExecContext(ctx, `UPDATE dr_payables SET status = $2, reference = $3 WHERE key = $1 AND status = 'payable'`, key, status, reference)
	if err != nil {
		return fmt.Errorf("store: mark payable: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.Conflictf("store.MarkPayable", "payable %s is not open", key)
	}
	return tx.audit(ctx, actor, "update", "dr_payable", 0, map[string]string{"key": key, "status": "payable"}, map[string]string{"key": key, "status": status, "reference": reference})
}

const deviceCols = `id, account_id, program, device_type, brand, serial, enrolled, removed, extras, capacity_wh, max_w, reserve_pct, last_seen_unix`

// DeviceRecord is a registered device with when it was last heard from.
type DeviceRecord struct {
	dr.Device
	LastSeen time.Time `json:"last_seen,omitzero"`
}

func scanDevice(s interface{ Scan(...any) error }) (DeviceRecord, error) {
	var d DeviceRecord
	var enrolled, extras string
	var removed sql.NullString
	var seen sql.NullInt64
	if err := s.Scan(&d.ID, &d.AccountID, &d.Program, &d.Type, &d.Brand, &d.Serial, &enrolled, &removed, &extras, &d.CapacityWh, &d.MaxW, &d.ReservePct, &seen); err != nil {
		return d, err
	}
	var err error
	if d.Enrolled, err = calendar.ParseDate(enrolled); err != nil {
		return d, err
	}
	if removed.Valid {
		if d.Removed, err = calendar.ParseDate(removed.String); err != nil {
			return d, err
		}
	}
	if extras != "" {
		d.Extras = strings.Split(extras, ",")
	}
	if seen.Valid {
		d.LastSeen = time.Unix(seen.Int64, 0).UTC()
	}
	return d, nil
}

// RegisterDevice stores a device of an account in a program; a device
// type and serial are registered once.
func (tx *Tx) RegisterDevice(ctx context.Context, actor auth.Actor, d *dr.Device) error {
	var f apperr.Fields
	d.Serial = strings.TrimSpace(d.Serial)
	if d.AccountID <= 0 {
		f.Add("account_id", "is required")
	}
	if d.Program == "" {
		f.Add("program", "is required")
	}
	switch d.Type {
	case "thermostat", "ev_charger", "battery", "light_switch":
	default:
		f.Add("device_type", "must be thermostat, ev_charger, battery or light_switch")
	}
	if d.Serial == "" || len(d.Serial) > 64 {
		f.Add("serial", "must be 1 to 64 characters")
	}
	if d.Enrolled.IsZero() {
		f.Add("enrolled", "is required")
	}
	if d.ReservePct < 0 || d.ReservePct > 100 {
		f.Add("reserve_pct", "must be 0 to 100")
	}
	if err := f.Err("store.RegisterDevice"); err != nil {
		return err
	}
	if _, err := tx.Account(ctx, d.AccountID); err != nil {
		return err
	}
	err := tx.q.QueryRowContext(ctx, `INSERT INTO dr_devices (account_id, program, device_type, brand, serial, enrolled, removed, extras, capacity_wh, max_w, reserve_pct, created_unix)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		d.AccountID, d.Program, d.Type, d.Brand, d.Serial, d.Enrolled.String(), dateText(d.Removed), strings.Join(d.Extras, ","), d.CapacityWh, d.MaxW, d.ReservePct, tx.now().Unix()).Scan(&d.ID)
	if err != nil {
		return fmt.Errorf("store: register device: %w", mapErr(err))
	}
	return tx.audit(ctx, actor, "create", "dr_device", d.ID, nil, d)
}

// DeviceFilter selects devices; zero fields match everything.
type DeviceFilter struct {
	AccountID int64
	Program   string
	Type      string
	AfterID   int64 // ids above this only (a page cursor)
	Limit     int
}

// Devices returns devices in id order.
func (q queries) Devices(ctx context.Context, f DeviceFilter) ([]DeviceRecord, error) {
	if f.Limit <= 0 || f.Limit > 100000 {
		f.Limit = 1000
	}
	rows, err := q.q.QueryContext(ctx, `SELECT `+deviceCols+` FROM dr_devices WHERE ($1 = 0 OR account_id = $1) AND ($2 = '' OR program = $2) AND ($3 = '' OR device_type = $3)
		AND id > $5 ORDER BY id LIMIT $4`, f.AccountID, f.Program, f.Type, f.Limit, f.AfterID)
	if err != nil {
		return nil, fmt.Errorf("store: devices: %w", err)
	}
	defer rows.Close()
	var out []DeviceRecord
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, fmt.Errorf("store: devices: %w", err)
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// TouchDevice records that a device was heard from at the database clock;
// an unknown serial is NotFound. It is not audited: it is telemetry, not a
// change of record.
func (tx *Tx) TouchDevice(ctx context.Context, deviceType, serial string) error {
	res, err := tx.q.ExecContext(ctx, `UPDATE dr_devices SET last_seen_unix = $3 WHERE device_type = $1 AND serial = $2`, deviceType, serial, tx.now().Unix())
	if err != nil {
		return fmt.Errorf("store: touch device: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFoundf("store.TouchDevice", "no %s with serial %q", deviceType, serial)
	}
	return nil
}

// Notification is one queued notice to a participant.
type Notification struct {
	ID        int64     `json:"id"`
	EventID   int64     `json:"event_id"`
	AccountID int64     `json:"account_id"`
	Channel   string    `json:"channel"` // email, sms, device, log
	Address   string    `json:"address"`
	Kind      string    `json:"kind"` // notice, cancel
	Body      string    `json:"body"`
	Status    string    `json:"status"` // pending, sent, failed
	Attempts  int       `json:"attempts"`
	Error     string    `json:"error,omitempty"`
	Created   time.Time `json:"created_at"`
}

// QueueNotifications adds notices to the outbox, each once per event,
// account, channel and kind; it returns how many were new.
func (tx *Tx) QueueNotifications(ctx context.Context, ns []Notification) (int, error) {
	added := 0
	for _, n := range ns {
		res, err := tx.q.ExecContext(ctx, `INSERT INTO dr_notifications (event_id, account_id, channel, address, kind, body, status, created_unix)
			VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7) ON CONFLICT (event_id, account_id, channel, kind) DO NOTHING`,
			n.EventID, n.AccountID, n.Channel, n.Address, n.Kind, n.Body, tx.now().Unix())
		if err != nil {
			return 0, fmt.Errorf("store: queue notification: %w", mapErr(err))
		}
		if k, _ := res.RowsAffected(); k > 0 {
			added++
		}
	}
	return added, nil
}

// Notifications returns an event's notices (status "" for all), or, with
// eventID 0, the oldest pending ones across events.
func (q queries) Notifications(ctx context.Context, eventID int64, status string, limit int) ([]Notification, error) {
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	rows, err := q.q.QueryContext(ctx, `SELECT id, event_id, account_id, channel, address, kind, body, status, attempts, error, created_unix
		FROM dr_notifications WHERE ($1 = 0 OR event_id = $1) AND ($2 = '' OR status = $2) ORDER BY id LIMIT $3`, eventID, status, limit)
	if err != nil {
		return nil, fmt.Errorf("store: notifications: %w", err)
	}
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		var cr int64
		if err := rows.Scan(&n.ID, &n.EventID, &n.AccountID, &n.Channel, &n.Address, &n.Kind, &n.Body, &n.Status, &n.Attempts, &n.Error, &cr); err != nil {
			return nil, fmt.Errorf("store: notifications: %w", err)
		}
		n.Created = time.Unix(cr, 0).UTC()
		out = append(out, n)
	}
	return out, rows.Err()
}

// MarkNotification records a send attempt: sent, or failed with why.
func (tx *Tx) MarkNotification(ctx context.Context, id int64, sent bool, errText string) error {
	status, at := "failed", any(nil)
	if sent {
		status, at = "sent", tx.now().Unix()
	}
	_, err := tx.q.ExecContext(ctx, `UPDATE dr_notifications SET status = $2, attempts = attempts + 1, error = $3, sent_unix = $4 WHERE id = $1`, id, status, errText, at)
	if err != nil {
		return fmt.Errorf("store: mark notification: %w", err)
	}
	return nil
}

// AccountEvent is an event an account took part in: an event of a
// program (and track) the account was enrolled in on the event's day,
// with its settlement and whether it overrode.
type AccountEvent struct {
	Event      dr.Event          `json:"event"`
	Track      string            `json:"track"`
	Settlement *SettlementRecord `json:"settlement"`
	Overridden bool              `json:"overridden"`
}

// AccountDREvents returns the events of an account's demand-response
// enrollments, newest first, at most limit (default 200).
func (q queries) AccountDREvents(ctx context.Context, accountID int64, limit int) ([]AccountEvent, error) {
	if limit <= 0 || limit > 1000 {
		limit = 200
	}
	rows, err := q.q.QueryContext(ctx, `SELECT `+prefixCols("v.", drEventCols)+`, n.track,
		EXISTS (SELECT 1 FROM dr_overrides o WHERE o.event_id = v.id AND o.account_id = n.account_id)
		FROM dr_events v JOIN enrollments n ON n.program = v.program AND (v.track = '' OR v.track = n.track)
		AND n.start_date <= v.event_day AND (n.end_date IS NULL OR n.end_date > v.event_day)
		WHERE n.account_id = $1 ORDER BY v.start_unix DESC, v.id DESC LIMIT $2`, accountID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: account events: %w", err)
	}
	var out []AccountEvent
	for rows.Next() {
		var ae AccountEvent
		e, err := scanDREvent(rows, &ae.Track, &ae.Overridden)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: account events: %w", err)
		}
		ae.Event = e
		out = append(out, ae)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ss, err := q.AccountSettlements(ctx, accountID, true)
	if err != nil {
		return nil, err
	}
	byEvent := map[int64]*SettlementRecord{}
	for i := range ss {
		byEvent[ss[i].EventID] = &ss[i]
	}
	for i := range out {
		out[i].Settlement = byEvent[out[i].Event.ID]
	}
	return out, nil
}

// prefixCols qualifies a comma-separated column list with a table alias.
func prefixCols(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, p := range parts {
		parts[i] = alias + strings.TrimSpace(p)
	}
	return strings.Join(parts, ", ")
}

// ProgramSettlements returns the settlements of a program's events whose
// day is in [from, to), without their intervals.
func (q queries) ProgramSettlements(ctx context.Context, program string, from, to calendar.Date) ([]SettlementRecord, error) {
	cols := strings.Replace(prefixCols("s.", settlementCols), "s.intervals_json", "''", 1)
	rows, err := q.q.QueryContext(ctx, `SELECT `+cols+` FROM dr_settlements s JOIN dr_events e ON e.id = s.event_id
		WHERE e.program = $1 AND e.event_day >= $2 AND e.event_day < $3 ORDER BY s.event_id, s.account_id`, program, from.String(), to.String())
	if err != nil {
		return nil, fmt.Errorf("store: program settlements: %w", err)
	}
	defer rows.Close()
	var out []SettlementRecord
	for rows.Next() {
		r, err := scanSettlement(rows, false)
		if err != nil {
			return nil, fmt.Errorf("store: program settlements: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SaveOutcomes returns the save function dr.SettleEvent takes: each batch
// in one transaction (SaveSettlements), each participant stored once; it
// reports how many were new.
func (db *DB) SaveOutcomes(actor auth.Actor, program string) func(context.Context, []dr.Outcome) (int, error) {
	return func(ctx context.Context, outs []dr.Outcome) (int, error) {
		n := 0
		err := db.InTx(ctx, func(tx *Tx) error {
			var err error
			n, err = tx.SaveSettlements(ctx, actor, program, outs)
			return err
		})
		return n, err
	}
}
