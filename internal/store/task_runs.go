package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
)

// Recurring tasks: work run on a schedule by the job queue and on demand
// by a CLI command, whose runs are kept so the console can show the last.
const (
	TaskIncentiveExpire = "incentive.expire"      // lapsed reservations and coupons
	TaskNEMLegacy       = "nem.legacy_transition" // NEM 1.0/2.0 systems past their legacy period
)

// TaskRun is one run of a recurring task: the day it ran for, when, by
// whom, what it did (a sentence and counts) and the error that stopped
// it, if any.
type TaskRun struct {
	ID       int64            `json:"id"`
	Task     string           `json:"task"`
	On       calendar.Date    `json:"on"`
	Started  time.Time        `json:"started_at"`
	Finished time.Time        `json:"finished_at"`
	Actor    string           `json:"actor"`
	Summary  string           `json:"summary"`
	Counts   map[string]int64 `json:"counts"`
	Error    string           `json:"error,omitempty"`
}

// RecordTaskRun stores a run; it is its own record (the changes the run
// made are audited one by one).
func (tx *Tx) RecordTaskRun(ctx context.Context, r *TaskRun) error {
	r.Task, r.Summary = strings.TrimSpace(r.Task), strings.TrimSpace(r.Summary)
	var f apperr.Fields
	if r.Task == "" {
		f.Add("task", "is required")
	}
	if r.On.IsZero() {
		f.Add("on", "is required")
	}
	if err := f.Err("store.RecordTaskRun"); err != nil {
		return err
	}
	if r.Counts == nil {
		r.Counts = map[string]int64{}
	}
	if r.Finished.IsZero() {
		r.Finished = tx.now()
	}
	if r.Started.IsZero() {
		r.Started = r.Finished
	}
	counts, err := json.Marshal(r.Counts)
	if err != nil {
		return err
	}
	err = tx.q.QueryRowContext(ctx, `INSERT INTO task_runs (task, on_date, started_unix, finished_unix, actor, summary, counts_json, error)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, r.Task, r.On, r.Started.Unix(), r.Finished.Unix(), r.Actor, r.Summary,
		string(counts), r.Error).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("store: task run: %w", mapErr(err))
	}
	return nil
}

func scanTaskRun(s interface{ Scan(...any) error }) (TaskRun, error) {
	var r TaskRun
	var started, finished int64
	var counts string
	if err := s.Scan(&r.ID, &r.Task, &r.On, &started, &finished, &r.Actor, &r.Summary, &counts, &r.Error); err != nil {
		return r, err
	}
	r.Started, r.Finished = time.Unix(started, 0).UTC(), time.Unix(finished, 0).UTC()
	return r, json.Unmarshal([]byte(counts), &r.Counts)
}

const taskRunCols = `id, task, on_date, started_unix, finished_unix, actor, summary, counts_json, error`

// LastTaskRun returns a task's latest run, or NotFound when it never ran.
func (q queries) LastTaskRun(ctx context.Context, task string) (TaskRun, error) {
	r, err := scanTaskRun(q.q.QueryRowContext(ctx, `SELECT `+taskRunCols+` FROM task_runs WHERE task = $1 ORDER BY id DESC LIMIT 1`, task))
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundf("store.LastTaskRun", "%s has not run yet", task)
	}
	return r, err
}

// TaskRuns lists a task's runs, newest first, at most limit (default 50, at most 500).
func (q queries) TaskRuns(ctx context.Context, task string, limit int) ([]TaskRun, error) {
	return collect(ctx, q, scanTaskRun, `SELECT `+taskRunCols+` FROM task_runs WHERE task = $1 ORDER BY id DESC LIMIT $2`, task, clampLimit(limit))
}

// RunIncentiveExpiry expires, in one transaction, every reservation whose
// expiry has passed on today and every issued coupon past its expiry
// (ExpireReservations, ExpireCoupons), releasing their funds and promoting
// the waitlists, and records the run (TaskIncentiveExpire) with it.
func (db *DB) RunIncentiveExpiry(ctx context.Context, actor auth.Actor, today calendar.Date) (TaskRun, error) {
	run := TaskRun{Task: TaskIncentiveExpire, On: today, Started: db.Now().UTC(), Actor: actor.String()}
	err := db.InTx(ctx, func(tx *Tx) error {
		apps, err := tx.ExpireReservations(ctx, actor, today)
		if err != nil {
			return err
		}
		coupons, err := tx.ExpireCoupons(ctx, actor, today)
		if err != nil {
			return err
		}
		run.Counts = map[string]int64{"reservations": int64(apps), "coupons": int64(coupons)}
		run.Summary = fmt.Sprintf("expired on %s: %d reservations, %d coupons", today, apps, coupons)
		return tx.RecordTaskRun(ctx, &run)
	})
	return run, err
}
