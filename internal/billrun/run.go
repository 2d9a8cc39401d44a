package billrun

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/meterdata"
)

// RunStatus is where a bill run is in its life.
type RunStatus string

// Run statuses.
const (
	RunQueued      RunStatus = "queued"      // created, waiting for its job
	RunRunning     RunStatus = "running"     // a job is billing its accounts
	RunCompleted   RunStatus = "completed"   // every account in service has an outcome
	RunFailed      RunStatus = "failed"      // stopped by an error; running it again resumes it
	RunInterrupted RunStatus = "interrupted" // stopped by cancellation or shutdown; resumable
)

// Run is one bill run: the billing cycle of every account in service
// during a period, worked as a durable job. Counts are the accounts with
// an outcome so far; Accounts is how many are in service.
type Run struct {
	ID       int64           `json:"id"`
	Cycle    string          `json:"cycle"` // YYYY-MM
	ReadDay  int             `json:"read_day"`
	Period   calendar.Period `json:"period"`
	Status   RunStatus       `json:"status"`
	JobID    int64           `json:"job_id,omitempty"`
	Actor    string          `json:"actor"`
	Created  time.Time       `json:"created_at"`
	Started  time.Time       `json:"started_at,omitzero"`
	Finished time.Time       `json:"finished_at,omitzero"`
	Accounts int             `json:"accounts"`
	Counts   Counts          `json:"counts"`
	Error    string          `json:"error,omitempty"`
}

// Counts tally a run's account outcomes.
type Counts struct {
	Billed    int `json:"billed"`
	Unchanged int `json:"unchanged"`
	Failed    int `json:"failed"`
	Skipped   int `json:"skipped"`
}

// Done is the number of accounts with an outcome.
func (c Counts) Done() int { return c.Billed + c.Unchanged + c.Failed + c.Skipped }

// Add counts one outcome.
func (c *Counts) Add(s Status) {
	switch s {
	case Billed:
		c.Billed++
	case Unchanged:
		c.Unchanged++
	case Failed:
		c.Failed++
	case Skipped:
		c.Skipped++
	}
}

// CyclePeriod returns the billing period of cycle "YYYY-MM" for meter
// reads on readDay (1–28) of each month: from the read in that month to
// the read in the next. Read day 1 gives the calendar month.
func CyclePeriod(cycle string, readDay int) (calendar.Period, error) {
	const op = "billrun.CyclePeriod"
	var f apperr.Fields
	first, err := calendar.ParseDate(cycle + "-01")
	if err != nil || len(cycle) != 7 {
		f.Add("cycle", "must be a month such as 2025-07")
	}
	if readDay < 1 || readDay > 28 {
		f.Add("read_day", "must be 1–28 (every month has it)")
	}
	if err := f.Err(op); err != nil {
		return calendar.Period{}, err
	}
	start := calendar.Date{Year: first.Year, Month: first.Month, Day: readDay}
	end := calendar.Date{Year: first.Year, Month: first.Month + 1, Day: readDay}
	if first.Month == time.December {
		end = calendar.Date{Year: first.Year + 1, Month: time.January, Day: readDay}
	}
	ps, err := billing.Cycles(start, end, readDay)
	if err != nil {
		return calendar.Period{}, err
	}
	return ps[0], nil
}

// JobKind is the durable job kind that works a bill run, with JobArgs
// as its arguments: every gridbook process registers it (cmd/gridbook),
// so the CLI and the console enqueue the same job. A run's job is tried
// JobAttempts times; each attempt resumes where the last one stopped.
const (
	JobKind     = "bill.run"
	JobAttempts = 3
)

// JobArgs are the arguments of a bill run's job.
type JobArgs struct {
	RunID int64 `json:"run_id"`
}

// Store is what a run reads and writes. *store.DB implements it; every
// method that writes does so in one transaction.
type Store interface {
	// BillingCatalog returns every stored tariff version and export-price
	// table.
	BillingCatalog(ctx context.Context) ([]StoredVersion, []StoredTable, error)
	// StartBillRun marks the run running under job jobID (recording the
	// start the first time) and returns it with its counts so far.
	StartBillRun(ctx context.Context, runID, jobID int64) (Run, error)
	// BillRunAccounts returns up to limit accounts in service during p
	// with ids above after that have no outcome in the run yet, by id.
	BillRunAccounts(ctx context.Context, runID int64, p calendar.Period, after int64, limit int) ([]Account, error)
	// BillRunPriors returns what is stored before each account's bill for
	// its period (keys: account ids).
	BillRunPriors(ctx context.Context, periods map[int64]calendar.Period) (map[int64]Prior, error)
	// BillRunIntervals reads the channels' readings over [from, to).
	BillRunIntervals(ctx context.Context, channels []int64, from, to time.Time) (map[int64]meterdata.Series, error)
	// SaveBillRunOutcomes stores a batch of outcomes in one transaction:
	// new bills (superseding the versions they replace, audited), the
	// carried states, each account's outcome and the run's counts.
	SaveBillRunOutcomes(ctx context.Context, runID int64, outcomes []Outcome) error
	// FinishBillRun ends the run with status and an error message.
	FinishBillRun(ctx context.Context, runID int64, status RunStatus, message string) (Run, error)
	// EventDays returns a DR program's event days over [from, to): the
	// local days of its events that were not cancelled, sorted, once each
	// (the PMP calendar interface of docs/dr.md).
	EventDays(ctx context.Context, program string, from, to calendar.Date) ([]calendar.Date, error)
	// BillRunArrangements returns the Virtual NEM and NEM Aggregation
	// arrangements in force during p, with their accounts.
	BillRunArrangements(ctx context.Context, p calendar.Period) ([]Arrangement, error)
}

// Runner works bill runs.
type Runner struct {
	Store    Store
	Calc     *billing.Calculator // shared by every account; nil makes one
	Policies Policies
	// Workers bill accounts in parallel; 0 means GOMAXPROCS.
	Workers int
	// BatchSize is how many accounts are read, billed and written
	// together (one transaction); 0 means DefaultBatchSize.
	BatchSize int
	// Progress, when set, is told how many accounts of the total have an
	// outcome after each batch.
	Progress func(done, total int64, message string)
}

// DefaultBatchSize is how many accounts a run reads, bills and writes at
// once.
const DefaultBatchSize = 500

// item is one account of a batch, planned.
type item struct {
	acct    *Account
	plan    *Plan
	planErr error
	prior   Prior
}

type runBatch struct {
	items  []item
	series map[int64]meterdata.Series
}

// arrangementSet holds a run's arrangements by the ids of their
// accounts, with each one's allocation once computed.
type arrangementSet struct {
	byAccount map[int64]*Arrangement
	allocated map[string]map[string]*Allocated
	failed    map[string]error
}

// Execute works run runID until every account in service during its
// period has an outcome. It resumes a run stopped part-way: accounts with
// an outcome are not billed again. Accounts are read in batches by one
// goroutine, billed in parallel by Workers and written by one writer, one
// transaction per batch, so a failure loses at most the batch in flight
// and a new Execute continues after the last committed one.
func (r *Runner) Execute(ctx context.Context, runID, jobID int64) (Run, error) {
	run, err := r.Store.StartBillRun(ctx, runID, jobID)
	if err != nil {
		return run, err
	}
	err = r.execute(ctx, run)
	status, msg := RunCompleted, ""
	switch {
	case err != nil && ctx.Err() != nil:
		status, msg = RunInterrupted, "interrupted: "+ctx.Err().Error()
	case err != nil:
		status, msg = RunFailed, err.Error()
	}
	final, ferr := r.Store.FinishBillRun(context.WithoutCancel(ctx), runID, status, msg)
	if err == nil {
		err = ferr
	}
	return final, err
}

func (r *Runner) execute(ctx context.Context, run Run) error {
	pol, err := r.Policies.On(run.Period.Start)
	if err != nil {
		return err
	}
	versions, tables, err := r.Store.BillingCatalog(ctx)
	if err != nil {
		return err
	}
	cat := NewCatalog(versions, tables)
	if cat.PMP, err = r.pmpCalendar(ctx, run.Period); err != nil {
		return err
	}
	arrs, err := r.arrangements(ctx, run.Period)
	if err != nil {
		return err
	}
	calc := r.Calc
	if calc == nil {
		calc = billing.NewCalculator()
	}
	size := r.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	workers := r.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)

	loaded := make(chan runBatch, 1)
	billed := make(chan []Outcome, 1)
	var wg sync.WaitGroup
	wg.Go(func() {
		defer close(loaded)
		if err := r.load(ctx, run, cat, pol, arrs, size, loaded); err != nil {
			cancel(err)
		}
	})
	wg.Go(func() {
		defer close(billed)
		for b := range loaded {
			out := computeBatch(calc, b, workers)
			select {
			case billed <- out:
			case <-ctx.Done():
				return
			}
		}
	})
	done, total := int64(run.Counts.Done()), int64(run.Accounts)
	var werr error
	for out := range billed {
		if werr != nil {
			continue // drain
		}
		if werr = r.Store.SaveBillRunOutcomes(ctx, run.ID, out); werr != nil {
			cancel(werr)
			continue
		}
		done += int64(len(out))
		if r.Progress != nil {
			r.Progress(done, max(total, done), "accounts billed")
		}
	}
	wg.Wait()
	if werr != nil {
		return werr
	}
	if err := context.Cause(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return ctx.Err()
}

// load reads the run's remaining accounts batch by batch, plans them and
// reads what their bills need.
func (r *Runner) load(ctx context.Context, run Run, cat *Catalog, pol *Policy, arrs *arrangementSet, size int, out chan<- runBatch) error {
	after := int64(0)
	for {
		accts, err := r.Store.BillRunAccounts(ctx, run.ID, run.Period, after, size)
		if err != nil || len(accts) == 0 {
			return err
		}
		after = accts[len(accts)-1].ID
		b := runBatch{items: make([]item, len(accts))}
		periods := make(map[int64]calendar.Period, len(accts))
		var channels []int64
		for i := range accts {
			a := &accts[i]
			it := &b.items[i]
			it.acct = a
			a.Arrangement = arrs.byAccount[a.ID]
			p, ok := AccountPeriod(&a.Account, run.Period)
			if !ok {
				it.planErr = fmt.Errorf("billrun: account %s is not in service during %s", a.Number, run.Period)
				continue
			}
			if it.plan, it.planErr = cat.Plan(a, p, pol); it.planErr == nil {
				periods[a.ID] = p
				channels = append(channels, it.plan.Channels()...)
			}
		}
		priors, err := r.Store.BillRunPriors(ctx, periods)
		if err != nil {
			return err
		}
		for i := range b.items {
			b.items[i].prior = priors[b.items[i].acct.ID]
		}
		slices.Sort(channels)
		if b.series, err = r.Store.BillRunIntervals(ctx, slices.Compact(channels), run.Period.Start.Start(), run.Period.End.Start()); err != nil {
			return err
		}
		for i := range b.items {
			if it := &b.items[i]; it.plan != nil && it.plan.Arrangement != nil {
				it.plan.Allocation, it.planErr = r.allocation(ctx, run, pol, arrs, it.acct, it.plan)
			}
		}
		select {
		case out <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// computeBatch bills a batch's accounts on workers goroutines.
func computeBatch(calc *billing.Calculator, b runBatch, workers int) []Outcome {
	out := make([]Outcome, len(b.items))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, len(b.items)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(b.items) {
					return
				}
				out[i] = computeItem(calc, &b.items[i], b.series)
			}
		})
	}
	wg.Wait()
	return out
}

func computeItem(calc *billing.Calculator, it *item, series map[int64]meterdata.Series) Outcome {
	if it.planErr != nil {
		o := Outcome{AccountID: it.acct.ID, AccountNumber: it.acct.Number, Status: Failed, Reason: ReasonOf(it.planErr)}
		var nb *NotBillable
		if errors.As(it.planErr, &nb) {
			o.Status = Skipped
		}
		return o
	}
	return Compute(calc, it.acct, it.plan, it.prior, series)
}
