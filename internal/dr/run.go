package dr

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/money"
)

// Enrolled is a participant with the meter that measures it and how to
// reach it.
type Enrolled struct {
	Participant
	MeterID int64  `json:"meter_id"` // 0: no meter in service
	Email   string `json:"email,omitempty"`
	Phone   string `json:"phone,omitempty"`
}

// SettleSource is what settling an event reads; *store.DB implements it.
type SettleSource interface {
	DREvent(ctx context.Context, id int64) (Event, error)
	// EventDays are the program's event days (not cancelled) in [from, to).
	EventDays(ctx context.Context, program string, from, to calendar.Date) ([]calendar.Date, error)
	DRParticipants(ctx context.Context, program, track string, on calendar.Date) ([]Enrolled, error)
	// ParticipantLoad is a meter's delivered energy over [from, to).
	ParticipantLoad(ctx context.Context, meterID int64, from, to time.Time) (meterdata.Series, error)
	Overrides(ctx context.Context, eventID int64) (map[int64]bool, error)
}

// BatchLoader is what a SettleSource may also offer: the loads of many
// participants read at once. SettleEvent uses it when the source has it
// and ParticipantLoad, one participant at a time, otherwise.
// *store.DB implements it.
type BatchLoader interface {
	// ParticipantLoads sets dst[i] to what ParticipantLoad gives for
	// meterIDs[i] over [from, to), reusing the arrays dst[i] holds.
	ParticipantLoads(ctx context.Context, meterIDs []int64, from, to time.Time, dst []meterdata.Series) error
}

// Outcome is one participant's settlement with its event intervals.
type Outcome struct {
	Settlement
	Intervals []Interval
}

// SettleSummary counts what settling an event did.
type SettleSummary struct {
	EventID      int64       `json:"event_id"`
	Participants int         `json:"participants"`
	Saved        int         `json:"saved"`           // new settlements stored
	Unchanged    int         `json:"already_settled"` // settled before; left as they were
	Settled      int         `json:"settled"`
	NoBaseline   int         `json:"no_baseline"`
	MissingData  int         `json:"missing_data"`
	ReductionWh  energy.Wh   `json:"reduction_wh"`
	DeltaWh      energy.Wh   `json:"portfolio_delta_wh"`
	Amount       money.Cents `json:"amount_cents"`
	// Payments are the settled amounts paid or refused by the Payer.
	Payments PaySummary `json:"payments"`
}

// SettleOptions tune SettleEvent.
type SettleOptions struct {
	Workers  int // goroutines computing baselines (default 2)
	Batch    int // outcomes per save call (default 500)
	Holidays calendar.Holidays
	// Progress, when set, is called after every saved batch.
	Progress func(done, total int)
	// Payer, when set, pays each batch's settled amounts (EventPayment)
	// as soon as the batch is saved, so a budget that runs out part-way
	// through an event pays the participants it covers and refuses the
	// rest, naming the rule; settlements are kept either way.
	Payer Payer
}

// SettleEvent settles every participant of a completed event: each one's
// baseline by the program's method for the event's day type (weekday, or
// weekend and holiday), with the program's other event days excluded,
// then Settle. Outcomes are handed to save in batches; save stores each
// once and reports how many were new, so settling an event again stores
// nothing twice. Save is called on the calling goroutine, batch after
// batch in participant order, while the next batches are read (with one
// ParticipantLoads call a batch when src is a BatchLoader) and computed.
func SettleEvent(ctx context.Context, src SettleSource, p Program, eventID int64, opt SettleOptions,
	save func(ctx context.Context, batch []Outcome) (saved int, err error)) (SettleSummary, error) {
	const op = "dr.SettleEvent"
	sum := SettleSummary{EventID: eventID}
	e, err := src.DREvent(ctx, eventID)
	if err != nil {
		return sum, err
	}
	if e.Program != p.Code {
		return sum, apperr.Invalidf(op, "event %d belongs to %s, not %s", eventID, e.Program, p.Code)
	}
	if e.Status != Completed {
		return sum, apperr.Conflictf(op, "event %d is %s; only a completed event is settled", eventID, e.Status)
	}
	day := e.Day()
	name := p.Baseline
	wd := day.Weekday()
	if _, hol := opt.Holidays.Holiday(day); hol || wd == time.Saturday || wd == time.Sunday {
		name = p.WeekendBaseline
	}
	m, ok := MethodNamed(name)
	if !ok {
		return sum, apperr.Invalidf(op, "%s has no baseline method for %s", p.Name, day)
	}
	lookFrom := day.AddDays(-m.LookbackDays - 1)
	days, err := src.EventDays(ctx, p.Code, lookFrom, day)
	if err != nil {
		return sum, err
	}
	excluded := map[calendar.Date]string{}
	for _, d := range days {
		excluded[d] = "event day"
	}
	parts, err := src.DRParticipants(ctx, p.Code, e.Track, day)
	if err != nil {
		return sum, err
	}
	overrides, err := src.Overrides(ctx, eventID)
	if err != nil {
		return sum, err
	}
	sum.Participants = len(parts)
	from, to := lookFrom.Start(), day.AddDays(2).Start()
	workers := max(1, opt.Workers)
	if opt.Workers == 0 {
		workers = 2
	}
	batch := opt.Batch
	if batch <= 0 {
		batch = 500
	}
	chunks := settlePipeline(ctx, src, parts, batch, workers, from, to, func(part Enrolled, load *meterdata.Series) (Outcome, error) {
		return settleOne(ctx, src, p, m, e, part, load, from, to, excluded, opt.Holidays, overrides[part.AccountID])
	})
	defer chunks.stop()
	for c := range chunks.out {
		if c.err != nil {
			return sum, c.err
		}
		outs := c.outs
		n, err := save(ctx, outs)
		if err != nil {
			return sum, err
		}
		sum.Saved += n
		sum.Unchanged += len(outs) - n
		var pay []Payment
		for _, o := range outs {
			if pm, ok := EventPayment(p.Code, o.Settlement, day); ok {
				pay = append(pay, pm)
			}
			switch o.Status {
			case Settled:
				sum.Settled++
				sum.ReductionWh += o.ReductionWh
				sum.DeltaWh += o.DeltaWh
				sum.Amount += o.Amount
			case NoBaseline:
				sum.NoBaseline++
			case MissingData:
				sum.MissingData++
			}
		}
		if opt.Payer != nil && len(pay) > 0 {
			ps, err := PayAll(ctx, opt.Payer, pay)
			sum.Payments.Add(ps)
			if err != nil {
				return sum, err
			}
		}
		if opt.Progress != nil {
			opt.Progress(c.start+len(outs), len(parts))
		}
	}
	return sum, ctx.Err()
}

// settleChunk is one batch of participants on its way through the
// pipeline: read, computed, then saved.
type settleChunk struct {
	start int
	parts []Enrolled
	loads []meterdata.Series // with a BatchLoader: the participants' loads, by position
	outs  []Outcome
	err   error
}

// pipeline runs the reading and computing stages of SettleEvent ahead of
// the caller, which saves: while batch k is saved, batch k+1 is computed
// and batch k+2 read.
type pipeline struct {
	out    chan *settleChunk
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// stop ends the stages and waits for them.
func (pl *pipeline) stop() {
	pl.cancel()
	for range pl.out { // let a stage blocked on sending see the cancel
	}
	pl.wg.Wait()
}

// settlePipeline starts the stages over parts in batches: the reader
// (one BatchLoader call per batch when src has it, so a store reads a
// batch with a few queries) and the computer, which runs one for each
// participant on workers goroutines (load is nil without a BatchLoader).
// Load buffers are recycled between batches.
func settlePipeline(ctx context.Context, src SettleSource, parts []Enrolled, batch, workers int, from, to time.Time,
	one func(part Enrolled, load *meterdata.Series) (Outcome, error)) *pipeline {
	ctx, cancel := context.WithCancel(ctx)
	pl := &pipeline{out: make(chan *settleChunk, 1), cancel: cancel}
	loaded := make(chan *settleChunk, 1)
	free := make(chan []meterdata.Series, 3)
	bl, batched := src.(BatchLoader)
	send := func(ch chan<- *settleChunk, c *settleChunk) bool {
		ok := c.err == nil // c belongs to the receiver once sent
		select {
		case ch <- c:
			return ok
		case <-ctx.Done():
			return false
		}
	}
	pl.wg.Add(2)
	go func() { // reader
		defer pl.wg.Done()
		defer close(loaded)
		var ids []int64
		var pos []int
		var sub []meterdata.Series
		for start := 0; start < len(parts); start += batch {
			c := &settleChunk{start: start, parts: parts[start:min(start+batch, len(parts))]}
			if batched {
				select {
				case c.loads = <-free:
				default:
				}
				if cap(c.loads) < len(c.parts) {
					c.loads = make([]meterdata.Series, len(c.parts))
				}
				c.loads = c.loads[:len(c.parts)]
				ids, pos, sub = ids[:0], pos[:0], sub[:0]
				for i, part := range c.parts {
					if part.MeterID != 0 {
						ids, pos = append(ids, part.MeterID), append(pos, i)
						sub = append(sub, c.loads[i])
					}
				}
				if err := bl.ParticipantLoads(ctx, ids, from, to, sub); err != nil {
					c.err = fmt.Errorf("participants %d to %d: %w", c.parts[0].AccountID, c.parts[len(c.parts)-1].AccountID, err)
				}
				for k, i := range pos {
					c.loads[i] = sub[k]
				}
			}
			if !send(loaded, c) {
				return
			}
		}
	}()
	go func() { // computer
		defer pl.wg.Done()
		defer close(pl.out)
		for c := range loaded {
			if c.err == nil {
				c.outs = make([]Outcome, len(c.parts))
				errs := make([]error, len(c.parts))
				var wg sync.WaitGroup
				next := make(chan int, len(c.parts))
				for i := range c.parts {
					next <- i
				}
				close(next)
				for range min(workers, len(c.parts)) {
					wg.Go(func() {
						for i := range next {
							var load *meterdata.Series
							if c.loads != nil {
								load = &c.loads[i]
							}
							c.outs[i], errs[i] = one(c.parts[i], load)
						}
					})
				}
				wg.Wait()
				for _, err := range errs {
					if err != nil {
						c.err = err
						break
					}
				}
				if c.loads != nil {
					select {
					case free <- c.loads:
					default:
					}
					c.loads = nil
				}
			}
			if !send(pl.out, c) {
				return
			}
		}
	}()
	return pl
}

// settleOne settles one participant on its load, read here with
// ParticipantLoad unless the pipeline has read it already (load not nil).
func settleOne(ctx context.Context, src SettleSource, p Program, m Method, e Event, part Enrolled, loaded *meterdata.Series, from, to time.Time,
	excluded map[calendar.Date]string, hol calendar.Holidays, overridden bool) (Outcome, error) {
	if part.MeterID == 0 {
		s := Settle(p, part.Track, e.ID, part.AccountID, Result{}, apperr.Invalidf("dr.SettleEvent", "no meter in service on %s", e.Day()), overridden)
		return Outcome{Settlement: s}, nil
	}
	var load meterdata.Series
	if loaded != nil {
		load = *loaded
	} else {
		var err error
		if load, err = src.ParticipantLoad(ctx, part.MeterID, from, to); err != nil {
			return Outcome{}, fmt.Errorf("participant %d: %w", part.AccountID, err)
		}
	}
	res, berr := Compute(m, Input{Load: load, EventStart: e.Start, EventEnd: e.End, Excluded: excluded, Holidays: hol}, MethodNamed)
	return Outcome{Settlement: Settle(p, part.Track, e.ID, part.AccountID, res, berr, overridden), Intervals: res.Intervals}, nil
}
