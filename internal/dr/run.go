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
// nothing twice.
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
	for start := 0; start < len(parts); start += batch {
		chunk := parts[start:min(start+batch, len(parts))]
		outs := make([]Outcome, len(chunk))
		errs := make([]error, len(chunk))
		var wg sync.WaitGroup
		next := make(chan int)
		for range workers {
			wg.Go(func() {
				for i := range next {
					outs[i], errs[i] = settleOne(ctx, src, p, m, e, chunk[i], from, to, excluded, opt.Holidays, overrides[chunk[i].AccountID])
				}
			})
		}
		for i := range chunk {
			next <- i
		}
		close(next)
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return sum, err
			}
		}
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
			opt.Progress(start+len(chunk), len(parts))
		}
	}
	return sum, nil
}

func settleOne(ctx context.Context, src SettleSource, p Program, m Method, e Event, part Enrolled, from, to time.Time,
	excluded map[calendar.Date]string, hol calendar.Holidays, overridden bool) (Outcome, error) {
	if part.MeterID == 0 {
		s := Settle(p, part.Track, e.ID, part.AccountID, Result{}, apperr.Invalidf("dr.SettleEvent", "no meter in service on %s", e.Day()), overridden)
		return Outcome{Settlement: s}, nil
	}
	load, err := src.ParticipantLoad(ctx, part.MeterID, from, to)
	if err != nil {
		return Outcome{}, fmt.Errorf("participant %d: %w", part.AccountID, err)
	}
	res, berr := Compute(m, Input{Load: load, EventStart: e.Start, EventEnd: e.End, Excluded: excluded, Holidays: hol}, MethodNamed)
	return Outcome{Settlement: Settle(p, part.Track, e.ID, part.AccountID, res, berr, overridden), Intervals: res.Intervals}, nil
}
