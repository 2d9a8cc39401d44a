package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/money"
)

// The store implements the bill runner's view of the database.
var _ billrun.Store = (*DB)(nil)

// CreateBillRun records a new run of billing cycle cycle ("YYYY-MM") for
// meter reads on readDay, queued for its job, and audits it. A run of the
// same cycle that is queued or running is a Conflict: let it finish (or
// resume it) rather than bill the cycle twice at once.
func (tx *Tx) CreateBillRun(ctx context.Context, actor auth.Actor, cycle string, readDay int) (billrun.Run, error) {
	const op = "store.CreateBillRun"
	p, err := billrun.CyclePeriod(cycle, readDay)
	if err != nil {
		return billrun.Run{}, err
	}
	var busy int64
	err = tx.q.QueryRowContext(ctx, `SELECT id FROM bill_runs WHERE cycle = $1 AND status IN ('queued', 'running') ORDER BY id LIMIT 1`, cycle).Scan(&busy)
	switch {
	case err == nil:
		return billrun.Run{}, apperr.Conflictf(op, "bill run %d of cycle %s is still queued or running; resume or finish it first", busy, cycle)
	case !errors.Is(err, sql.ErrNoRows):
		return billrun.Run{}, fmt.Errorf("store: bill run: %w", err)
	}
	run := billrun.Run{Cycle: cycle, ReadDay: readDay, Period: p, Status: billrun.RunQueued, Actor: actor.String(), Created: tx.now()}
	err = tx.q.QueryRowContext(ctx, `INSERT INTO bill_runs (cycle, read_day, period_start, period_end, status, actor, created_unix)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		cycle, readDay, p.Start.String(), p.End.String(), string(run.Status), run.Actor, run.Created.Unix()).Scan(&run.ID)
	if err != nil {
		return billrun.Run{}, fmt.Errorf("store: bill run: %w", mapErr(err))
	}
	return run, tx.audit(ctx, actor, "create", "bill_run", run.ID, nil, map[string]any{"cycle": cycle, "read_day": readDay, "period": p.String()})
}

const billRunCols = `id, cycle, read_day, period_start, period_end, status, job_id, actor, accounts, billed, unchanged, failed, skipped,
	error, created_unix, started_unix, finished_unix`

func scanBillRun(s interface{ Scan(...any) error }) (billrun.Run, error) {
	var r billrun.Run
	var ps, pe, status string
	var created int64
	var started, finished sql.NullInt64
	err := s.Scan(&r.ID, &r.Cycle, &r.ReadDay, &ps, &pe, &status, &r.JobID, &r.Actor, &r.Accounts, &r.Counts.Billed,
		&r.Counts.Unchanged, &r.Counts.Failed, &r.Counts.Skipped, &r.Error, &created, &started, &finished)
	if err != nil {
		return r, err
	}
	r.Status = billrun.RunStatus(status)
	if r.Period, err = parsePeriod(ps, pe); err != nil {
		return r, err
	}
	r.Created = time.Unix(created, 0).UTC()
	if started.Valid {
		r.Started = time.Unix(started.Int64, 0).UTC()
	}
	if finished.Valid {
		r.Finished = time.Unix(finished.Int64, 0).UTC()
	}
	return r, nil
}

func parsePeriod(start, end string) (calendar.Period, error) {
	s, err := calendar.ParseDate(start)
	if err != nil {
		return calendar.Period{}, err
	}
	e, err := calendar.ParseDate(end)
	if err != nil {
		return calendar.Period{}, err
	}
	return calendar.Period{Start: s, End: e}, nil
}

// BillRun returns one run.
func (q queries) BillRun(ctx context.Context, id int64) (billrun.Run, error) {
	r, err := scanBillRun(q.q.QueryRowContext(ctx, `SELECT `+billRunCols+` FROM bill_runs WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundf("store.BillRun", "bill run %d not found", id)
	}
	if err != nil {
		return r, fmt.Errorf("store: bill run: %w", err)
	}
	return r, nil
}

// BillRuns returns up to limit runs (at most 1000), newest first, with
// ids below before when before > 0.
func (q queries) BillRuns(ctx context.Context, before int64, limit int) ([]billrun.Run, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := q.q.QueryContext(ctx, `SELECT `+billRunCols+` FROM bill_runs WHERE ($1 = 0 OR id < $1) ORDER BY id DESC LIMIT $2`, before, limit)
	if err != nil {
		return nil, fmt.Errorf("store: bill runs: %w", err)
	}
	defer rows.Close()
	var out []billrun.Run
	for rows.Next() {
		r, err := scanBillRun(rows)
		if err != nil {
			return nil, fmt.Errorf("store: bill runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// BillRunOutcome is what a run did with one account.
type BillRunOutcome struct {
	AccountID     int64
	AccountNumber string
	Status        billrun.Status
	Reason        string
	BillID        int64 // 0 unless billed
}

// BillRunOutcomes returns up to limit (at most 1000) of a run's account
// outcomes with status (all when empty), by account id above after.
func (q queries) BillRunOutcomes(ctx context.Context, runID int64, status billrun.Status, after int64, limit int) ([]BillRunOutcome, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	rows, err := q.q.QueryContext(ctx, `SELECT r.account_id, a.number, r.status, r.reason, COALESCE(r.bill_id, 0)
		FROM bill_run_accounts r JOIN accounts a ON a.id = r.account_id
		WHERE r.run_id = $1 AND ($2 = '' OR r.status = $2) AND r.account_id > $3 ORDER BY r.account_id LIMIT $4`,
		runID, string(status), after, limit)
	if err != nil {
		return nil, fmt.Errorf("store: bill run outcomes: %w", err)
	}
	defer rows.Close()
	var out []BillRunOutcome
	for rows.Next() {
		var o BillRunOutcome
		var st string
		if err := rows.Scan(&o.AccountID, &o.AccountNumber, &st, &o.Reason, &o.BillID); err != nil {
			return nil, fmt.Errorf("store: bill run outcomes: %w", err)
		}
		o.Status = billrun.Status(st)
		out = append(out, o)
	}
	return out, rows.Err()
}

// BillReasons counts a run's failed or skipped accounts by reason, most
// frequent first, at most limit reasons.
func (q queries) BillReasons(ctx context.Context, runID int64, status billrun.Status, limit int) ([]Count, error) {
	out, err := q.counts(ctx, `SELECT reason, count(*) FROM bill_run_accounts WHERE run_id = $1 AND status = $2
		GROUP BY reason ORDER BY count(*) DESC, reason LIMIT $3`, runID, string(status), limit)
	if err != nil {
		return nil, fmt.Errorf("store: bill run reasons: %w", err)
	}
	return out, nil
}

// counts runs a query answering (label, number) rows.
func (q queries) counts(ctx context.Context, query string, args ...any) ([]Count, error) {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Count
	for rows.Next() {
		var c Count
		if err := rows.Scan(&c.Label, &c.N); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// BillingCatalog returns every stored tariff version and export-price
// table for a bill run, each version decoded once.
func (q queries) BillingCatalog(ctx context.Context) ([]billrun.StoredVersion, []billrun.StoredTable, error) {
	var versions []billrun.StoredVersion
	var after int64
	for {
		recs, err := q.TariffVersions(ctx, TariffFilter{After: after, Limit: 1000})
		if err != nil {
			return nil, nil, err
		}
		for i := range recs {
			v := &recs[i].Version
			versions = append(versions, billrun.StoredVersion{Version: v, Ref: billrun.VersionRef{ID: recs[i].ID, Utility: v.Utility,
				Code: v.Code, From: v.From, SHA256: recs[i].SHA256}})
		}
		if len(recs) < 1000 {
			break
		}
		after = recs[len(recs)-1].ID
	}
	tabs, err := q.ExportTables(ctx, "")
	if err != nil {
		return nil, nil, err
	}
	tables := make([]billrun.StoredTable, len(tabs))
	for i := range tabs {
		t := &tabs[i].Table
		tables[i] = billrun.StoredTable{Table: t, Ref: billrun.TableRef{ID: tabs[i].ID, Utility: t.Utility, Vintage: t.Vintage, SHA256: tabs[i].SHA256}}
	}
	return versions, tables, nil
}

// StartBillRun marks a run running under jobID, recording its start (the
// first time) and how many accounts are in service during its period, and
// returns it with its counts so far. A completed run is returned as it is.
func (db *DB) StartBillRun(ctx context.Context, runID, jobID int64) (billrun.Run, error) {
	var run billrun.Run
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		if run, err = tx.BillRun(ctx, runID); err != nil || run.Status == billrun.RunCompleted {
			return err
		}
		var n int
		err = tx.q.QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE service_start < $1 AND (service_end IS NULL OR service_end > $2)`,
			run.Period.End.String(), run.Period.Start.String()).Scan(&n)
		if err != nil {
			return fmt.Errorf("store: bill run: %w", err)
		}
		now := tx.now().Unix()
		_, err = tx.q.ExecContext(ctx, `UPDATE bill_runs SET status = 'running', job_id = $1, accounts = $2, error = '',
			started_unix = COALESCE(started_unix, $3), finished_unix = NULL WHERE id = $4`, jobID, n, now, runID)
		if err != nil {
			return fmt.Errorf("store: bill run: %w", err)
		}
		run, err = tx.BillRun(ctx, runID)
		return err
	})
	return run, err
}

// FinishBillRun ends a run with status and an error message, audited
// with its counts.
func (db *DB) FinishBillRun(ctx context.Context, runID int64, status billrun.RunStatus, message string) (billrun.Run, error) {
	var run billrun.Run
	err := db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.q.ExecContext(ctx, `UPDATE bill_runs SET status = $1, error = $2, finished_unix = $3 WHERE id = $4`,
			string(status), message, tx.now().Unix(), runID)
		if err != nil {
			return fmt.Errorf("store: bill run: %w", err)
		}
		if run, err = tx.BillRun(ctx, runID); err != nil {
			return err
		}
		return tx.audit(ctx, runActor(run), "finish", "bill_run", runID, nil, map[string]any{"status": status, "error": message,
			"accounts": run.Accounts, "billed": run.Counts.Billed, "unchanged": run.Counts.Unchanged, "failed": run.Counts.Failed,
			"skipped": run.Counts.Skipped})
	})
	return run, err
}

// runActor is the audit actor of the work a run does on its own.
func runActor(r billrun.Run) auth.Actor {
	return auth.Actor{Kind: "system", Name: fmt.Sprintf("bill run %d (started by %s)", r.ID, r.Actor)}
}

// BillRunAccounts reads on the read pool (see billRunAccounts).
func (db *DB) BillRunAccounts(ctx context.Context, runID int64, p calendar.Period, after int64, limit int) ([]billrun.Account, error) {
	return db.snapshot().billRunAccounts(ctx, runID, p, after, limit)
}

// BillRunPriors reads on the read pool (see billRunPriors).
func (db *DB) BillRunPriors(ctx context.Context, periods map[int64]calendar.Period) (map[int64]billrun.Prior, error) {
	return db.snapshot().billRunPriors(ctx, periods)
}

// BillRunIntervals reads on the read pool (see billRunIntervals).
func (db *DB) BillRunIntervals(ctx context.Context, channels []int64, from, to time.Time) (map[int64]meterdata.Series, error) {
	return db.snapshot().billRunIntervals(ctx, channels, from, to)
}

// billRunAccounts returns up to limit accounts in service during p with
// ids above after and no outcome in run runID, by id, with their
// premise's climate zone and DAC status, enrollments, meters and the
// credits other capabilities owe their bills.
func (q queries) billRunAccounts(ctx context.Context, runID int64, p calendar.Period, after int64, limit int) ([]billrun.Account, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+accountCols+`, p.climate_zone, p.dac
		FROM accounts a JOIN premises p ON p.id = a.premise_id
		WHERE a.id > $1 AND a.service_start < $2 AND (a.service_end IS NULL OR a.service_end > $3)
		AND NOT EXISTS (SELECT 1 FROM bill_run_accounts r WHERE r.run_id = $4 AND r.account_id = a.id)
		ORDER BY a.id LIMIT $5`, after, p.End.String(), p.Start.String(), runID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: bill run accounts: %w", err)
	}
	out, err := scanBillRunAccounts(rows)
	if err != nil || len(out) == 0 {
		return out, err
	}
	if err := q.fillBillRunAccounts(ctx, out, "BETWEEN $1 AND $2", out[0].ID, out[len(out)-1].ID); err != nil {
		return nil, err
	}
	return out, q.billRunCredits(ctx, out)
}

// scanBillRunAccounts reads rows of accountCols, climate zone and DAC.
func scanBillRunAccounts(rows *sql.Rows) ([]billrun.Account, error) {
	defer rows.Close()
	var out []billrun.Account
	for rows.Next() {
		var a billrun.Account
		var dac int64
		var cr, up int64
		var start string
		var end, verifiedOn sql.NullString
		var size, income sql.NullInt64
		var verification string
		err := rows.Scan(&a.ID, &a.Number, &a.CustomerID, &a.PremiseID, &a.Class, &a.RateSchedule, &a.LSE, &start, &end,
			&size, &income, &verification, &verifiedOn, &cr, &up, &a.ClimateZone, &dac)
		if err != nil {
			return nil, fmt.Errorf("store: bill run accounts: %w", err)
		}
		if a.ServiceStart, err = calendar.ParseDate(start); err == nil && end.Valid {
			a.ServiceEnd, err = calendar.ParseDate(end.String)
		}
		if err != nil {
			return nil, fmt.Errorf("store: bill run accounts: %w", err)
		}
		a.DAC = dac == 1
		out = append(out, a)
	}
	return out, rows.Err()
}

// fillBillRunAccounts reads the enrollments and meters of the accounts
// whose id matches cond ("BETWEEN $1 AND $2" or "IN (…)" over args): the
// accounts of a batch, as one id range.
func (q queries) fillBillRunAccounts(ctx context.Context, out []billrun.Account, cond string, args ...any) error {
	pos := make(map[int64]int, len(out))
	for i := range out {
		pos[out[i].ID] = i
	}
	erows, err := q.q.QueryContext(ctx, `SELECT `+enrollmentCols+` FROM enrollments WHERE account_id `+cond+` ORDER BY account_id, id`, args...)
	if err != nil {
		return fmt.Errorf("store: bill run enrollments: %w", err)
	}
	for erows.Next() {
		e, err := scanEnrollment(erows)
		if err != nil {
			erows.Close()
			return fmt.Errorf("store: bill run enrollments: %w", err)
		}
		if i, ok := pos[e.AccountID]; ok {
			out[i].Enrollments = append(out[i].Enrollments, e)
		}
	}
	erows.Close()
	if err := erows.Err(); err != nil {
		return err
	}
	meters := map[int64]*customer.Meter{}
	var order []int64
	mrows, err := q.q.QueryContext(ctx, `SELECT m.id, m.account_id, m.serial, m.interval_seconds, m.installed, m.removed,
		c.id, c.direction, c.interval_seconds, c.net_only
		FROM meters m JOIN channels c ON c.meter_id = m.id WHERE m.account_id `+cond+` ORDER BY m.id, c.id`, args...)
	if err != nil {
		return fmt.Errorf("store: bill run meters: %w", err)
	}
	for mrows.Next() {
		var m customer.Meter
		var c customer.Channel
		var inst string
		var rem sql.NullString
		var net int64
		if err := mrows.Scan(&m.ID, &m.AccountID, &m.Serial, &m.IntervalSeconds, &inst, &rem, &c.ID, &c.Direction, &c.IntervalSeconds, &net); err != nil {
			mrows.Close()
			return fmt.Errorf("store: bill run meters: %w", err)
		}
		cur, ok := meters[m.ID]
		if !ok {
			if m.Installed, err = calendar.ParseDate(inst); err == nil && rem.Valid {
				m.Removed, err = calendar.ParseDate(rem.String)
			}
			if err != nil {
				mrows.Close()
				return fmt.Errorf("store: bill run meters: %w", err)
			}
			cur = &m
			meters[m.ID] = cur
			order = append(order, m.ID)
		}
		c.MeterID, c.NetOnly = m.ID, net == 1
		cur.Channels = append(cur.Channels, c)
	}
	mrows.Close()
	if err := mrows.Err(); err != nil {
		return err
	}
	for _, id := range order {
		m := meters[id]
		if i, ok := pos[m.AccountID]; ok {
			out[i].Meters = append(out[i].Meters, *m)
		}
	}
	return nil
}

// billRunPriors returns, for each account and the period it is billed
// for, the State carried in (after the current bill ending on the
// period's first day, else an opening balance seeded for that day), the
// end of its latest earlier bill when there is a gap, and the current
// bill of the same period. The accounts are read as one id range.
func (q queries) billRunPriors(ctx context.Context, periods map[int64]calendar.Period) (map[int64]billrun.Prior, error) {
	out := make(map[int64]billrun.Prior, len(periods))
	if len(periods) == 0 {
		return out, nil
	}
	lo, hi := int64(-1), int64(0)
	var starts []string
	maxStart := ""
	for id, p := range periods {
		if lo < 0 || id < lo {
			lo = id
		}
		hi = max(hi, id)
		s := p.Start.String()
		if !slices.Contains(starts, s) {
			starts = append(starts, s)
		}
		maxStart = max(maxStart, s)
	}
	slices.Sort(starts)
	in := placeholders(4, len(starts))
	args := []any{lo, hi, maxStart}
	for _, s := range starts {
		args = append(args, s)
	}
	// The latest current bill ending on or before the period start.
	rows, err := q.q.QueryContext(ctx, `SELECT account_id, MAX(period_end) FROM bills
		WHERE account_id BETWEEN $1 AND $2 AND superseded_by IS NULL AND period_end <= $3 GROUP BY account_id`, args[:3]...)
	if err != nil {
		return nil, fmt.Errorf("store: bill priors: %w", err)
	}
	lastEnd := map[int64]string{}
	for rows.Next() {
		var id int64
		var end string
		if err := rows.Scan(&id, &end); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: bill priors: %w", err)
		}
		lastEnd[id] = end
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// States after the bills that end on a period start.
	states := map[int64]*billing.State{}
	rows, err = q.q.QueryContext(ctx, `SELECT account_id, period_end, state_after_json FROM bills
		WHERE account_id BETWEEN $1 AND $2 AND superseded_by IS NULL AND period_end <= $3 AND period_end IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: bill priors: %w", err)
	}
	if err := scanStates(rows, periods, states); err != nil {
		return nil, err
	}
	// Opening balances seeded for a period start.
	rows, err = q.q.QueryContext(ctx, `SELECT account_id, through, state_json FROM billing_states
		WHERE account_id BETWEEN $1 AND $2 AND bill_id IS NULL AND through <= $3 AND through IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: bill priors: %w", err)
	}
	seeded := map[int64]*billing.State{}
	if err := scanStates(rows, periods, seeded); err != nil {
		return nil, err
	}
	// The current bills of the same periods.
	rows, err = q.q.QueryContext(ctx, `SELECT `+billCols+`, b.inputs_json FROM bills b JOIN accounts a ON a.id = b.account_id
		WHERE b.account_id BETWEEN $1 AND $2 AND b.superseded_by IS NULL AND b.period_start <= $3 AND b.period_start IN (`+in+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: bill priors: %w", err)
	}
	current := map[int64]*billrun.Bill{}
	for rows.Next() {
		b, err := scanBill(rows, billInputs)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: bill priors: %w", err)
		}
		if p, ok := periods[b.AccountID]; ok && p.Start == b.Period.Start {
			current[b.AccountID] = &b
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for id, p := range periods {
		var pr billrun.Prior
		pr.Current = current[id]
		switch {
		case states[id] != nil:
			pr.State = states[id]
		case seeded[id] != nil:
			pr.State = seeded[id]
		case lastEnd[id] != "" && lastEnd[id] < p.Start.String():
			pr.LastEnd, err = calendar.ParseDate(lastEnd[id])
			if err != nil {
				return nil, err
			}
		}
		out[id] = pr
	}
	return out, nil
}

// scanStates reads (account id, date, state JSON) rows, keeping those
// whose date is the account's period start.
func scanStates(rows *sql.Rows, periods map[int64]calendar.Period, into map[int64]*billing.State) error {
	defer rows.Close()
	for rows.Next() {
		var id int64
		var day, doc string
		if err := rows.Scan(&id, &day, &doc); err != nil {
			return fmt.Errorf("store: bill priors: %w", err)
		}
		if p, ok := periods[id]; !ok || p.Start.String() != day {
			continue
		}
		var st billing.State
		if err := json.Unmarshal([]byte(doc), &st); err != nil {
			return fmt.Errorf("store: billing state of account %d: %w", id, err)
		}
		into[id] = &st
	}
	return rows.Err()
}

// SeedBillingState records the State an account carries into the period
// starting on through, for its first bill in gridbook (balances carried
// from another billing system), and audits it. It is refused once the
// account has bills.
func (tx *Tx) SeedBillingState(ctx context.Context, actor auth.Actor, accountID int64, through calendar.Date, st billing.State) error {
	const op = "store.SeedBillingState"
	var n int
	if err := tx.q.QueryRowContext(ctx, `SELECT count(*) FROM bills WHERE account_id = $1`, accountID).Scan(&n); err != nil {
		return fmt.Errorf("store: billing state: %w", err)
	}
	if n > 0 {
		return apperr.Conflictf(op, "account %d already has bills; its carried state follows them", accountID)
	}
	doc, err := json.Marshal(st)
	if err != nil {
		return err
	}
	_, err = tx.q.ExecContext(ctx, `INSERT INTO billing_states (account_id, through, bill_id, state_json, updated_unix) VALUES ($1, $2, NULL, $3, $4)
		ON CONFLICT (account_id) DO UPDATE SET through = excluded.through, bill_id = NULL, state_json = excluded.state_json, updated_unix = excluded.updated_unix`,
		accountID, through.String(), string(doc), tx.now().Unix())
	if err != nil {
		return fmt.Errorf("store: billing state: %w", mapErr(err))
	}
	return tx.audit(ctx, actor, "seed", "billing_state", accountID, nil, map[string]any{"through": through, "state": st})
}

// BillingState returns the State an account carries into its next bill
// and the first day of the period it applies to; ok is false when the
// account has neither bills nor a seeded state.
func (q queries) BillingState(ctx context.Context, accountID int64) (st billing.State, through calendar.Date, ok bool, err error) {
	var day, doc string
	err = q.q.QueryRowContext(ctx, `SELECT through, state_json FROM billing_states WHERE account_id = $1`, accountID).Scan(&day, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return st, through, false, nil
	}
	if err != nil {
		return st, through, false, fmt.Errorf("store: billing state: %w", err)
	}
	if through, err = calendar.ParseDate(day); err != nil {
		return st, through, false, err
	}
	return st, through, true, json.Unmarshal([]byte(doc), &st)
}

// SaveBillRunOutcomes stores a batch of a run's outcomes in one
// transaction: each new bill (a new version supersedes the current one,
// audited with both totals), the state it carries into the next period
// (never moved back by re-billing an older period), each account's
// outcome, and the run's counts. Two runs storing the same account's
// bill at once conflict on the bill version and the batch is refused
// whole.
func (db *DB) SaveBillRunOutcomes(ctx context.Context, runID int64, outcomes []billrun.Outcome) error {
	return db.InTx(ctx, func(tx *Tx) error {
		run, err := tx.BillRun(ctx, runID)
		if err != nil {
			return err
		}
		w, err := tx.billWriter(ctx)
		if err != nil {
			return err
		}
		defer w.close()
		var c billrun.Counts
		for i := range outcomes {
			o := &outcomes[i]
			var billID any
			if o.Status == billrun.Billed {
				if o.Bill == nil || o.State == nil {
					return fmt.Errorf("store: bill run %d: account %d billed without a bill", runID, o.AccountID)
				}
				o.Bill.RunID = runID
				if err := w.insert(ctx, o.Bill, o.State); err != nil {
					return err
				}
				billID = o.Bill.ID
				if o.Supersedes != 0 {
					if err := w.supersede(ctx, runActor(run), o.Supersedes, o.Bill); err != nil {
						return err
					}
				}
				if err := w.applyCredits(ctx, runActor(run), o.Bill, o.Credits); err != nil {
					return err
				}
			}
			if _, err := w.outcome.ExecContext(ctx, runID, o.AccountID, string(o.Status), o.Reason, billID); err != nil {
				return fmt.Errorf("store: bill run %d account %d: %w", runID, o.AccountID, mapErr(err))
			}
			c.Add(o.Status)
		}
		_, err = tx.q.ExecContext(ctx, `UPDATE bill_runs SET billed = billed + $1, unchanged = unchanged + $2, failed = failed + $3,
			skipped = skipped + $4 WHERE id = $5`, c.Billed, c.Unchanged, c.Failed, c.Skipped, runID)
		if err != nil {
			return fmt.Errorf("store: bill run %d counts: %w", runID, err)
		}
		return nil
	})
}

// billWriter holds the prepared statements of SaveBillRunOutcomes.
type billWriter struct {
	tx                             *Tx
	now                            int64
	bill, state, outcome, supplant *sql.Stmt
}

func (tx *Tx) billWriter(ctx context.Context) (*billWriter, error) {
	w := &billWriter{tx: tx, now: tx.now().Unix()}
	prep := []struct {
		dst   **sql.Stmt
		query string
	}{
		{&w.bill, `INSERT INTO bills (account_id, run_id, period_start, period_end, version, total_cents, utility_total_cents,
			cca_total_cents, nem_balance_cents, delivered_wh, received_wh, true_up, estimated_intervals, engine_version,
			intervals_sha256, inputs_sha256, reason, created_unix, state_after_json, inputs_json, bill_json)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id`},
		{&w.state, `INSERT INTO billing_states (account_id, through, bill_id, state_json, updated_unix) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (account_id) DO UPDATE SET through = excluded.through, bill_id = excluded.bill_id, state_json = excluded.state_json,
			updated_unix = excluded.updated_unix WHERE billing_states.through <= excluded.through`},
		{&w.outcome, `INSERT INTO bill_run_accounts (run_id, account_id, status, reason, bill_id) VALUES ($1, $2, $3, $4, $5)`},
		{&w.supplant, `UPDATE bills SET superseded_by = $1 WHERE id = $2 AND superseded_by IS NULL`},
	}
	for _, p := range prep {
		s, err := tx.tx.PrepareContext(ctx, p.query)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("store: prepare bill writer: %w", err)
		}
		*p.dst = s
	}
	return w, nil
}

func (w *billWriter) close() {
	for _, s := range []*sql.Stmt{w.bill, w.state, w.outcome, w.supplant} {
		if s != nil {
			s.Close()
		}
	}
}

// insert stores a bill and the state it carries forward.
func (w *billWriter) insert(ctx context.Context, b *billrun.Bill, st *billing.State) error {
	inputs := b.InputsDoc
	if inputs == nil {
		var err error
		if inputs, err = json.Marshal(&b.Inputs); err != nil {
			return err
		}
	}
	err := w.bill.QueryRowContext(ctx, b.AccountID, nullID(b.RunID), b.Period.Start.String(), b.Period.End.String(), b.Version,
		int64(b.Total), int64(b.UtilityTotal), int64(b.CCATotal), int64(b.NEMBalance), int64(b.Delivered), int64(b.Received),
		b2i(b.TrueUp), b.Estimated, b.Inputs.EngineVersion, b.Inputs.IntervalsSHA256, b.InputsSHA256, b.Reason, w.now,
		string(b.StateAfter), string(inputs), string(b.Document)).Scan(&b.ID)
	if err != nil {
		err = mapErr(err)
		if apperr.Is(err, apperr.Conflict) {
			return apperr.Conflictf("store.SaveBillRunOutcomes", "account %s already has version %d of its bill for %s: another run is billing it", b.AccountNumber, b.Version, b.Period)
		}
		return fmt.Errorf("store: bill of account %d: %w", b.AccountID, err)
	}
	b.Created = time.Unix(w.now, 0).UTC()
	if _, err := w.state.ExecContext(ctx, b.AccountID, b.Period.End.String(), b.ID, string(b.StateAfter), w.now); err != nil {
		return fmt.Errorf("store: billing state of account %d: %w", b.AccountID, mapErr(err))
	}
	return nil
}

// supersede marks bill old replaced by b and audits the re-bill.
func (w *billWriter) supersede(ctx context.Context, actor auth.Actor, old int64, b *billrun.Bill) error {
	res, err := w.supplant.ExecContext(ctx, b.ID, old)
	if err != nil {
		return fmt.Errorf("store: supersede bill %d: %w", old, err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return apperr.Conflictf("store.SaveBillRunOutcomes", "bill %d of account %s was superseded meanwhile by another run", old, b.AccountNumber)
	}
	var oldTotal int64
	var oldVersion int
	if err := w.tx.q.QueryRowContext(ctx, `SELECT total_cents, version FROM bills WHERE id = $1`, old).Scan(&oldTotal, &oldVersion); err != nil {
		return fmt.Errorf("store: supersede bill %d: %w", old, err)
	}
	return w.tx.audit(ctx, actor, "rebill", "bill", b.ID,
		map[string]any{"bill_id": old, "version": oldVersion, "total_cents": oldTotal},
		map[string]any{"bill_id": b.ID, "account": b.AccountNumber, "period": b.Period.String(), "version": b.Version,
			"total_cents": int64(b.Total), "reason": b.Reason})
}

const billCols = `b.id, b.account_id, a.number, COALESCE(b.run_id, 0), b.period_start, b.period_end, b.version, COALESCE(b.superseded_by, 0),
	b.total_cents, b.utility_total_cents, b.cca_total_cents, b.nem_balance_cents, b.delivered_wh, b.received_wh, b.true_up,
	b.estimated_intervals, b.engine_version, b.intervals_sha256, b.inputs_sha256, b.reason, b.created_unix`

// How much of a bill scanBill reads after billCols.
const (
	billSummary = iota // billCols only: lists
	billInputs         // and inputs_json
	billFull           // and inputs_json, state_after_json, bill_json
)

// scanBill reads billCols and, by level, the inputs, state and document
// after them.
func scanBill(s interface{ Scan(...any) error }, level int) (billrun.Bill, error) {
	var b billrun.Bill
	var ps, pe string
	var trueUp, created int64
	var total, util, cca, bal, del, rec int64
	dst := []any{&b.ID, &b.AccountID, &b.AccountNumber, &b.RunID, &ps, &pe, &b.Version, &b.SupersededBy, &total, &util, &cca, &bal,
		&del, &rec, &trueUp, &b.Estimated, &b.Inputs.EngineVersion, &b.Inputs.IntervalsSHA256, &b.InputsSHA256, &b.Reason, &created}
	var inputs, state, doc string
	if level >= billInputs {
		dst = append(dst, &inputs)
	}
	if level >= billFull {
		dst = append(dst, &state, &doc)
	}
	if err := s.Scan(dst...); err != nil {
		return b, err
	}
	var err error
	if b.Period, err = parsePeriod(ps, pe); err != nil {
		return b, err
	}
	b.Inputs.Period = b.Period
	if level >= billInputs {
		b.InputsDoc = json.RawMessage(inputs)
		if err := json.Unmarshal(b.InputsDoc, &b.Inputs); err != nil {
			return b, fmt.Errorf("bill %d inputs: %w", b.ID, err)
		}
	}
	b.Total, b.UtilityTotal, b.CCATotal, b.NEMBalance = money.Cents(total), money.Cents(util), money.Cents(cca), money.Cents(bal)
	b.Delivered, b.Received, b.TrueUp = energy.Wh(del), energy.Wh(rec), trueUp == 1
	b.Created = time.Unix(created, 0).UTC()
	if level >= billFull {
		b.StateAfter, b.Document = json.RawMessage(state), json.RawMessage(doc)
	}
	return b, nil
}

// Bill returns one stored bill with its document and state.
func (q queries) Bill(ctx context.Context, id int64) (billrun.Bill, error) {
	b, err := scanBill(q.q.QueryRowContext(ctx, `SELECT `+billCols+`, b.inputs_json, b.state_after_json, b.bill_json
		FROM bills b JOIN accounts a ON a.id = b.account_id WHERE b.id = $1`, id), billFull)
	if errors.Is(err, sql.ErrNoRows) {
		return b, apperr.NotFoundf("store.Bill", "bill %d not found", id)
	}
	if err != nil {
		return b, fmt.Errorf("store: bill: %w", err)
	}
	return b, nil
}

// BillFilter selects stored bills; zero fields match everything.
type BillFilter struct {
	AccountID int64
	// Versions includes superseded versions; by default only current
	// bills are listed.
	Versions bool
	// Before is a cursor: bills with ids below it (newest first).
	Before int64
	Limit  int // default and maximum 1000
}

// Bills lists stored bills newest first, without their documents.
func (q queries) Bills(ctx context.Context, f BillFilter) ([]billrun.Bill, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.AccountID != 0 {
		add("b.account_id = $%d", f.AccountID)
	}
	if f.Before > 0 {
		add("b.id < $%d", f.Before)
	}
	if !f.Versions {
		where = append(where, "b.superseded_by IS NULL")
	}
	query := `SELECT ` + billCols + ` FROM bills b JOIN accounts a ON a.id = b.account_id`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, f.Limit)
	query += fmt.Sprintf(" ORDER BY b.id DESC LIMIT $%d", len(args))
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: bills: %w", err)
	}
	defer rows.Close()
	var out []billrun.Bill
	for rows.Next() {
		b, err := scanBill(rows, billSummary)
		if err != nil {
			return nil, fmt.Errorf("store: bills: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// BillVersions returns every version of an account's bill for the period
// starting on start, oldest first, without documents.
func (q queries) BillVersions(ctx context.Context, accountID int64, start calendar.Date) ([]billrun.Bill, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT `+billCols+` FROM bills b JOIN accounts a ON a.id = b.account_id
		WHERE b.account_id = $1 AND b.period_start = $2 ORDER BY b.version`, accountID, start.String())
	if err != nil {
		return nil, fmt.Errorf("store: bill versions: %w", err)
	}
	defer rows.Close()
	var out []billrun.Bill
	for rows.Next() {
		b, err := scanBill(rows, billSummary)
		if err != nil {
			return nil, fmt.Errorf("store: bill versions: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// billRunIntervals reads the readings of channels over [from, to) —
// instants on the channels' interval boundaries — in a few range queries
// over the monthly blocks, for a bill run: one series per channel, with
// Missing where nothing is stored. Channels are read as id ranges, so
// pass them sorted.
func (q queries) billRunIntervals(ctx context.Context, channels []int64, from, to time.Time) (map[int64]meterdata.Series, error) {
	out := make(map[int64]meterdata.Series, len(channels))
	if len(channels) == 0 {
		return out, nil
	}
	lo, hi := slices.Min(channels), slices.Max(channels)
	want := make(map[int64]bool, len(channels))
	for _, id := range channels {
		want[id] = true
	}
	rows, err := q.q.QueryContext(ctx, `SELECT id, interval_seconds FROM channels WHERE id BETWEEN $1 AND $2`, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("store: bill run channels: %w", err)
	}
	for rows.Next() {
		var id int64
		var secs int
		if err := rows.Scan(&id, &secs); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: bill run channels: %w", err)
		}
		if !want[id] {
			continue
		}
		step := time.Duration(secs) * time.Second
		s := meterdata.Series{Start: from.UTC(), Step: step, Values: make([]energy.Wh, int(to.Sub(from)/step))}
		for i := range s.Values {
			s.Values[i] = Missing
		}
		out[id] = s
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var months []any
	for t := from; t.Before(to); {
		l := t.In(calendar.Pacific)
		months = append(months, l.Format("2006-01"))
		t = monthStart(l.Year(), l.Month()+1)
	}
	args := append([]any{lo, hi}, months...)
	rows, err = q.q.QueryContext(ctx, `SELECT channel_id, start_unix, interval_seconds, n, packed, quality FROM interval_blocks
		WHERE channel_id BETWEEN $1 AND $2 AND month IN (`+placeholders(3, len(months))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: bill run intervals: %w", err)
	}
	defer rows.Close()
	var scratch []energy.Wh // one block's readings, reused
	for rows.Next() {
		var id, start int64
		var secs, n int
		var packed, quality []byte
		if err := rows.Scan(&id, &start, &secs, &n, &packed, &quality); err != nil {
			return nil, fmt.Errorf("store: bill run intervals: %w", err)
		}
		s, ok := out[id]
		if !ok {
			continue
		}
		if time.Duration(secs)*time.Second != s.Step {
			return nil, fmt.Errorf("store: interval block of channel %d has %d-second intervals, the channel %s", id, secs, s.Step)
		}
		if cap(scratch) < n {
			scratch = make([]energy.Wh, n)
		}
		vals := scratch[:n]
		if err := unpackInto(vals, packed); err != nil {
			return nil, fmt.Errorf("store: channel %d: %w", id, err)
		}
		qs, err := unpackQuality(quality, n)
		if err != nil {
			return nil, fmt.Errorf("store: channel %d: %w", id, err)
		}
		off := int(time.Unix(start, 0).Sub(s.Start) / s.Step) // block position in the series
		for i, v := range vals {
			k := off + i
			if k < 0 || k >= len(s.Values) {
				continue
			}
			s.Values[k] = v
			if qs != nil && qs[i] != meterdata.Actual && v != Missing {
				if s.Quality == nil {
					s.Quality = make([]meterdata.Quality, len(s.Values))
				}
				s.Quality[k] = qs[i]
			}
		}
		out[id] = s
	}
	return out, rows.Err()
}
