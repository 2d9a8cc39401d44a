package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
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

// WorkSavingsRun evaluates every metered enrollment of a run's program
// that has no result yet (so a resumed run continues where it stopped),
// storing each result, then marks the run completed. A meter that cannot
// be modelled is a result with its reason; only an internal error stops
// the run. Reading (one meter after another, meters sharing a weather
// station reading its weather once) runs beside fitting, which uses every
// processor (SavingsRunWorkers), and results are saved in batches.
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
	var todo []ProgramMeter
	for _, pm := range meters {
		if !done[pm.MeterID] {
			todo = append(todo, pm)
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	type read struct {
		pm  ProgramMeter
		o   savings.CalcOptions
		in  SavingsInputs
		err error
	}
	reads := make(chan read, 2*SavingsRunWorkers())
	results := make(chan SavingsResult, 2*SavingsRunWorkers())
	go func() { // one reader: SQLite has one connection
		defer close(reads)
		wc := newWeatherCache()
		for _, pm := range todo {
			o := savings.CalcOptions{Method: savings.Method(run.Method), Fuel: savings.Fuel(run.Fuel),
				BlackoutStart: pm.From, BlackoutEnd: pm.From.AddDays(run.BlackoutDays)}
			rd := read{pm: pm, o: o}
			if rd.err = savings.CheckOptions(&rd.o); rd.err == nil {
				from, to := savings.Window(rd.o)
				rd.in, rd.err = db.savingsInputs(ctx, pm.MeterID, from, to, rd.o.Method == savings.MethodCalTRACKHourly, wc)
			}
			select {
			case reads <- rd:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range SavingsRunWorkers() {
		wg.Go(func() {
			for rd := range reads {
				var res *savings.CalcResult
				err := rd.err
				if err == nil {
					res, err = rd.in.evaluate(rd.o)
				}
				if err != nil && apperr.KindOf(err) == apperr.Internal {
					cancel(err)
					return
				}
				select {
				case results <- NewSavingsResult(runID, rd.pm, res, err):
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() { wg.Wait(); close(results) }()
	const batch = 100
	var pending []SavingsResult
	save := func() error {
		if len(pending) == 0 {
			return nil
		}
		err := db.InTx(ctx, func(tx *Tx) error {
			for _, r := range pending {
				if err := tx.PutSavingsResult(ctx, r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		n += int64(len(pending))
		pending = pending[:0]
		if progress != nil {
			progress(n, total, fmt.Sprintf("meters evaluated (%s)", run.Program))
		}
		return nil
	}
	for r := range results {
		if pending = append(pending, r); len(pending) == batch {
			if err := save(); err != nil {
				cancel(err)
				for range results { // let the workers finish
				}
				return run, err
			}
		}
	}
	if err := context.Cause(ctx); err != nil {
		return run, err
	}
	if err := save(); err != nil {
		return run, err
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		var err error
		run, err = tx.FinishSavingsRun(ctx, actor, runID)
		return err
	})
	return run, err
}

// SavingsRunWorkers is how many meters a savings run fits at once: one
// per processor Go may use.
func SavingsRunWorkers() int { return max(1, runtime.GOMAXPROCS(0)) }
