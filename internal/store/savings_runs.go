package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/savings"
)

// Savings run statuses.
const (
	SavingsRunRunning   = "running"
	SavingsRunCompleted = "completed"
	// SavingsRunFailed: the run never started (its job could not be
	// enqueued); the audit entry holds the reason.
	SavingsRunFailed = "failed"
)

// SavingsRun is one portfolio evaluation: CalTRACK daily on every metered
// account enrolled in Program, each with its enrollment start as the
// blackout start. Counts and totals are over its results.
type SavingsRun struct {
	ID           int64     `json:"id"`
	Program      string    `json:"program"`
	Method       string    `json:"method"`
	Fuel         string    `json:"fuel"`
	BlackoutDays int       `json:"blackout_days"`
	Status       string    `json:"status"`
	JobID        int64     `json:"job_id"`
	Actor        string    `json:"actor"`
	Created      time.Time `json:"created_at"`
	Finished     time.Time `json:"finished_at"` // zero while running

	Meters      int       `json:"meters"`       // results written
	Modelled    int       `json:"modelled"`     // a model was fitted (status SUCCESS)
	Sufficient  int       `json:"sufficient"`   // … on a baseline that passed data sufficiency
	Failed      int       `json:"failed"`       // no model or an error (no weather, …)
	SavingsWh   energy.Wh `json:"savings_wh"`   // Σ savings of the sufficient results
	PredictedWh energy.Wh `json:"predicted_wh"` // Σ counterfactual of the sufficient results
}

// SavingsResult is one meter's outcome in a run, energy rounded to Wh.
type SavingsResult struct {
	RunID             int64         `json:"run_id"`
	MeterID           int64         `json:"meter_id"`
	AccountID         int64         `json:"account_id"`
	AccountNumber     string        `json:"account_number"`
	BlackoutStart     calendar.Date `json:"blackout_start"`
	Status            string        `json:"status"` // SUCCESS, NO MODEL, NO DATA or ERROR
	ModelType         string        `json:"model_type"`
	Sufficient        bool          `json:"sufficient"`
	Disqualifications []string      `json:"disqualifications"`
	PredictedWh       energy.Wh     `json:"predicted_wh"`
	ObservedWh        energy.Wh     `json:"observed_wh"`
	SavingsWh         energy.Wh     `json:"savings_wh"`
	FSU               *float64      `json:"fsu"` // to 1e-6
	Error             string        `json:"error"`
}

// ProgramMeter is a meter of an account enrolled in a program, with the
// enrollment's start.
type ProgramMeter struct {
	AccountID     int64
	AccountNumber string
	MeterID       int64
	From          calendar.Date
}

// ProgramMeters lists every meter of the accounts enrolled in program (each
// enrollment's start as From; a meter of an account enrolled twice appears
// for its first enrollment), in account then meter order.
func (q queries) ProgramMeters(ctx context.Context, program string) ([]ProgramMeter, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT a.id, a.number, m.id, MIN(e.start_date)
		FROM enrollments e JOIN accounts a ON a.id = e.account_id JOIN meters m ON m.account_id = a.id
		WHERE e.program = $1 GROUP BY a.id, a.number, m.id ORDER BY a.id, m.id`, strings.ToLower(strings.TrimSpace(program)))
	if err != nil {
		return nil, fmt.Errorf("store: program meters: %w", err)
	}
	defer rows.Close()
	var out []ProgramMeter
	for rows.Next() {
		var pm ProgramMeter
		if err := rows.Scan(&pm.AccountID, &pm.AccountNumber, &pm.MeterID, &pm.From); err != nil {
			return nil, fmt.Errorf("store: program meters: %w", err)
		}
		out = append(out, pm)
	}
	return out, rows.Err()
}

// CreateSavingsRun records a new portfolio run of program (audited) with
// method: caltrack-daily (the default when empty) or daily, the eemeter
// 4.x daily model — the methods that model a stored meter's days.
func (tx *Tx) CreateSavingsRun(ctx context.Context, actor auth.Actor, program string, method savings.Method, blackoutDays int, fuel savings.Fuel) (SavingsRun, error) {
	const op = "store.CreateSavingsRun"
	var f apperr.Fields
	switch method {
	case "":
		method = savings.MethodCalTRACKDaily
	case savings.MethodCalTRACKDaily, savings.MethodDaily:
	default:
		f.Add("method", "want caltrack-daily or daily for a portfolio run, not %q", method)
	}
	program = strings.ToLower(strings.TrimSpace(program))
	if program == "" {
		f.Add("program", "is required")
	}
	if blackoutDays < 0 || blackoutDays > 366 {
		f.Add("blackout_days", "want 0–366 days, not %d", blackoutDays)
	}
	if fuel == "" {
		fuel = savings.Electricity
	}
	if fuel != savings.Electricity && fuel != savings.Gas {
		f.Add("fuel", "want electricity or gas, not %q", fuel)
	}
	if err := f.Err(op); err != nil {
		return SavingsRun{}, err
	}
	r := SavingsRun{Program: program, Method: string(method), Fuel: string(fuel), BlackoutDays: blackoutDays,
		Status: SavingsRunRunning, Actor: actor.String(), Created: tx.now()}
	err := tx.q.QueryRowContext(ctx, `INSERT INTO savings_runs (program, method, fuel, blackout_days, status, actor, created_unix)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, r.Program, r.Method, r.Fuel, r.BlackoutDays, r.Status, r.Actor, r.Created.Unix()).Scan(&r.ID)
	if err != nil {
		return r, fmt.Errorf("store: create savings run: %w", mapErr(err))
	}
	return r, tx.audit(ctx, actor, "create", "savings_run", r.ID, nil, r)
}

// SetSavingsRunJob records the job that works a run.
func (tx *Tx) SetSavingsRunJob(ctx context.Context, runID, jobID int64) error {
	_, err := tx.q.ExecContext(ctx, `UPDATE savings_runs SET job_id = $1 WHERE id = $2`, jobID, runID)
	if err != nil {
		return fmt.Errorf("store: savings run job: %w", err)
	}
	return nil
}

// wh rounds kWh to whole Wh, half away from zero (NaN is 0).
func wh(kwh float64) energy.Wh {
	if math.IsNaN(kwh) {
		return 0
	}
	return energy.Wh(math.Round(kwh * 1000))
}

// NewSavingsResult turns a calculation (or the error that stopped it) into
// a run's result row.
func NewSavingsResult(runID int64, pm ProgramMeter, res *savings.CalcResult, err error) SavingsResult {
	r := SavingsResult{RunID: runID, MeterID: pm.MeterID, AccountID: pm.AccountID, AccountNumber: pm.AccountNumber,
		BlackoutStart: pm.From, Disqualifications: []string{}}
	if err != nil {
		r.Status, r.Error = "ERROR", apperr.Detail(err)
		return r
	}
	r.Status, r.ModelType, r.Disqualifications = res.Status, res.ModelType, res.Disqualifications
	r.Sufficient = res.Sufficiency.Status == "PASS"
	r.PredictedWh, r.ObservedWh = wh(res.Savings.PredictedSum), wh(res.Savings.ObservedSum)
	r.SavingsWh = r.PredictedWh - r.ObservedWh
	if u := res.Uncertainty; u != nil && u.FSU != nil {
		v := math.Round(*u.FSU*1e6) / 1e6
		r.FSU = &v
	}
	return r
}

// PutSavingsResult writes (or rewrites) one meter's result of a run.
func (tx *Tx) PutSavingsResult(ctx context.Context, r SavingsResult) error {
	dq, err := json.Marshal(r.Disqualifications)
	if err != nil {
		return err
	}
	var fsu any
	if r.FSU != nil {
		fsu = int64(math.Round(*r.FSU * 1e6))
	}
	_, err = tx.q.ExecContext(ctx, `INSERT INTO savings_results (run_id, meter_id, account_id, blackout_start, status, model_type, sufficient,
			disqualifications, predicted_wh, observed_wh, savings_wh, fsu_ppm, error)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		ON CONFLICT (run_id, meter_id) DO UPDATE SET status = excluded.status, model_type = excluded.model_type,
			sufficient = excluded.sufficient, disqualifications = excluded.disqualifications, predicted_wh = excluded.predicted_wh,
			observed_wh = excluded.observed_wh, savings_wh = excluded.savings_wh, fsu_ppm = excluded.fsu_ppm, error = excluded.error`,
		r.RunID, r.MeterID, r.AccountID, r.BlackoutStart, r.Status, r.ModelType, b2i(r.Sufficient), string(dq),
		r.PredictedWh, r.ObservedWh, r.SavingsWh, fsu, r.Error)
	if err != nil {
		return fmt.Errorf("store: put savings result: %w", mapErr(err))
	}
	return nil
}

// FinishSavingsRun marks a run completed and audits its totals.
func (tx *Tx) FinishSavingsRun(ctx context.Context, actor auth.Actor, runID int64) (SavingsRun, error) {
	_, err := tx.q.ExecContext(ctx, `UPDATE savings_runs SET status = $1, finished_unix = $2 WHERE id = $3`,
		SavingsRunCompleted, tx.now().Unix(), runID)
	if err != nil {
		return SavingsRun{}, fmt.Errorf("store: finish savings run: %w", err)
	}
	r, err := tx.SavingsRun(ctx, runID)
	if err != nil {
		return r, err
	}
	return r, tx.audit(ctx, actor, "complete", "savings_run", runID, nil, r)
}

// FailSavingsRun ends a run that is still running without results, as
// failed, and audits why (its job could not be enqueued). A run that
// completed, or failed already, is refused as a conflict.
func (tx *Tx) FailSavingsRun(ctx context.Context, actor auth.Actor, runID int64, reason string) (SavingsRun, error) {
	res, err := tx.q.ExecContext(ctx, `UPDATE savings_runs SET status = $1, finished_unix = $2 WHERE id = $3 AND status = $4`,
		SavingsRunFailed, tx.now().Unix(), runID, SavingsRunRunning)
	if err != nil {
		return SavingsRun{}, fmt.Errorf("store: fail savings run: %w", err)
	}
	r, err := tx.SavingsRun(ctx, runID)
	if err != nil {
		return r, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return r, fmt.Errorf("store: fail savings run: %w", err)
	} else if n == 0 {
		return r, apperr.Conflictf("store.FailSavingsRun", "savings run %d is %s; only a running run can fail", runID, r.Status)
	}
	return r, tx.audit(ctx, actor, "fail", "savings_run", runID, nil, map[string]any{"run": r, "reason": reason})
}

const savingsRunColumns = `r.id, r.program, r.method, r.fuel, r.blackout_days, r.status, COALESCE(r.job_id, 0), r.actor, r.created_unix,
	COALESCE(r.finished_unix, 0), COUNT(s.meter_id), COALESCE(SUM(CASE WHEN s.status = 'SUCCESS' THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN s.status = 'SUCCESS' AND s.sufficient = 1 THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN s.status <> 'SUCCESS' THEN 1 ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN s.status = 'SUCCESS' AND s.sufficient = 1 THEN s.savings_wh ELSE 0 END), 0),
	COALESCE(SUM(CASE WHEN s.status = 'SUCCESS' AND s.sufficient = 1 THEN s.predicted_wh ELSE 0 END), 0)`

func scanSavingsRun(sc interface{ Scan(...any) error }) (SavingsRun, error) {
	var r SavingsRun
	var created, finished int64
	err := sc.Scan(&r.ID, &r.Program, &r.Method, &r.Fuel, &r.BlackoutDays, &r.Status, &r.JobID, &r.Actor, &created, &finished,
		&r.Meters, &r.Modelled, &r.Sufficient, &r.Failed, &r.SavingsWh, &r.PredictedWh)
	r.Created = time.Unix(created, 0).UTC()
	if finished > 0 {
		r.Finished = time.Unix(finished, 0).UTC()
	}
	return r, err
}

// SavingsRun returns one run with its counts.
func (q queries) SavingsRun(ctx context.Context, id int64) (SavingsRun, error) {
	r, err := scanSavingsRun(q.q.QueryRowContext(ctx, `SELECT `+savingsRunColumns+` FROM savings_runs r
		LEFT JOIN savings_results s ON s.run_id = r.id WHERE r.id = $1
		GROUP BY r.id, r.program, r.method, r.fuel, r.blackout_days, r.status, r.job_id, r.actor, r.created_unix, r.finished_unix`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundf("store.SavingsRun", "no savings run %d", id)
	}
	if err != nil {
		return r, fmt.Errorf("store: savings run: %w", err)
	}
	return r, nil
}

// SavingsRuns lists the newest runs first.
func (q queries) SavingsRuns(ctx context.Context, limit int) ([]SavingsRun, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := q.q.QueryContext(ctx, `SELECT `+savingsRunColumns+` FROM savings_runs r
		LEFT JOIN savings_results s ON s.run_id = r.id
		GROUP BY r.id, r.program, r.method, r.fuel, r.blackout_days, r.status, r.job_id, r.actor, r.created_unix, r.finished_unix
		ORDER BY r.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: savings runs: %w", err)
	}
	defer rows.Close()
	var out []SavingsRun
	for rows.Next() {
		r, err := scanSavingsRun(rows)
		if err != nil {
			return nil, fmt.Errorf("store: savings runs: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SavingsResults lists a run's results in account then meter order.
func (q queries) SavingsResults(ctx context.Context, runID int64) ([]SavingsResult, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT s.run_id, s.meter_id, s.account_id, a.number, s.blackout_start, s.status, s.model_type,
			s.sufficient, s.disqualifications, s.predicted_wh, s.observed_wh, s.savings_wh, s.fsu_ppm, s.error
		FROM savings_results s JOIN accounts a ON a.id = s.account_id WHERE s.run_id = $1 ORDER BY s.account_id, s.meter_id`, runID)
	if err != nil {
		return nil, fmt.Errorf("store: savings results: %w", err)
	}
	defer rows.Close()
	var out []SavingsResult
	for rows.Next() {
		var r SavingsResult
		var suff int64
		var dq string
		var fsu sql.NullInt64
		if err := rows.Scan(&r.RunID, &r.MeterID, &r.AccountID, &r.AccountNumber, &r.BlackoutStart, &r.Status, &r.ModelType,
			&suff, &dq, &r.PredictedWh, &r.ObservedWh, &r.SavingsWh, &fsu, &r.Error); err != nil {
			return nil, fmt.Errorf("store: savings results: %w", err)
		}
		r.Sufficient = suff != 0
		if err := json.Unmarshal([]byte(dq), &r.Disqualifications); err != nil {
			return nil, fmt.Errorf("store: savings results: %w", err)
		}
		if fsu.Valid {
			v := float64(fsu.Int64) / 1e6
			r.FSU = &v
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// WorkSavingsRun evaluates every meter of the run's program that has no
// result yet — so a retried job resumes — writing each result in its own
// transaction, then marks the run completed. A meter that cannot be
// evaluated (no weather for its station, too little data) gets an ERROR
// result naming why; only database failures stop the run.
func (db *DB) WorkSavingsRun(ctx context.Context, actor auth.Actor, runID int64, progress func(done, total int64, msg string)) (SavingsRun, error) {
	run, err := db.SavingsRun(ctx, runID)
	if err != nil {
		return run, err
	}
	if run.Status == SavingsRunCompleted {
		return run, nil
	}
	meters, err := db.ProgramMeters(ctx, run.Program)
	if err != nil {
		return run, err
	}
	done := map[int64]bool{}
	prev, err := db.SavingsResults(ctx, runID)
	if err != nil {
		return run, err
	}
	for _, r := range prev {
		done[r.MeterID] = true
	}
	total := int64(len(meters))
	n := int64(len(done))
	for _, pm := range meters {
		if done[pm.MeterID] {
			continue
		}
		if err := ctx.Err(); err != nil {
			return run, err
		}
		o := savings.CalcOptions{Method: savings.Method(run.Method), Fuel: savings.Fuel(run.Fuel),
			BlackoutStart: pm.From, BlackoutEnd: pm.From.AddDays(run.BlackoutDays)}
		res, _, cerr := db.MeterSavings(ctx, pm.MeterID, o)
		if cerr != nil && apperr.KindOf(cerr) == apperr.Internal {
			return run, cerr
		}
		r := NewSavingsResult(runID, pm, res, cerr)
		if err := db.InTx(ctx, func(tx *Tx) error { return tx.PutSavingsResult(ctx, r) }); err != nil {
			return run, err
		}
		n++
		if progress != nil {
			progress(n, total, fmt.Sprintf("meters evaluated (%s)", run.Program))
		}
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		var err error
		run, err = tx.FinishSavingsRun(ctx, actor, runID)
		return err
	})
	return run, err
}
