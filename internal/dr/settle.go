package dr

import (
	"fmt"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/money"
)

// Floors of a reduction.
const (
	FloorEvent    = "event"    // max(0, Σ (baseline − actual)) per participant per event
	FloorInterval = "interval" // Σ max(0, baseline − actual)
	FloorNone     = "none"     // Σ (baseline − actual), may be negative
)

// Settlement statuses.
const (
	Settled     = "settled"
	NoBaseline  = "no_baseline"  // too few eligible days; nothing is owed
	MissingData = "missing_data" // event intervals without readings; settle again when they arrive
)

// Settlement is one participant's result for one event: the measured
// reduction and what it earns. Settlement is idempotent per event and
// participant (the store keeps one row per pair).
type Settlement struct {
	EventID     int64     `json:"event_id"`
	AccountID   int64     `json:"account_id"`
	Track       string    `json:"track"`
	Status      string    `json:"status"`
	Method      string    `json:"method"`
	DaysUsed    int       `json:"days_used"`
	Factor      float64   `json:"adjustment_factor"`
	BaselineWh  energy.Wh `json:"baseline_wh"`
	ActualWh    energy.Wh `json:"actual_wh"`
	DeltaWh     energy.Wh `json:"delta_wh"`     // unfloored Σ (baseline − actual)
	ReductionWh energy.Wh `json:"reduction_wh"` // floored as the program says
	// Rate and Amount: Amount = ReductionWh × Rate, rounded once.
	Rate       money.MicroPerKWh `json:"rate_micro_usd_per_kwh"`
	Amount     money.Cents       `json:"amount_cents"`
	Overridden bool              `json:"overridden"`
	Reason     string            `json:"reason,omitempty"`
}

// Settle turns a participant's baseline for an event into a settlement
// under program p: the reduction Σ (adjusted baseline − actual) over the
// event intervals, floored per p.Floor (research/dr-ev.md §2.4), times
// p.Rate. baseErr is Compute's error: a participant without a baseline is
// settled as no_baseline with the reason, and one with event intervals
// missing as missing_data; neither earns anything. A participant who
// overrode the event on a track that allows it without penalty is never
// charged (a negative amount becomes zero).
func Settle(p Program, track string, eventID, accountID int64, res Result, baseErr error, overridden bool) Settlement {
	s := Settlement{EventID: eventID, AccountID: accountID, Track: track, Method: res.Method, Rate: p.Rate, Overridden: overridden}
	if baseErr != nil {
		s.Status, s.Reason = NoBaseline, apperr.MessageOf(baseErr)
		return s
	}
	s.DaysUsed, s.Factor = len(res.DaysUsed), res.Factor
	s.BaselineWh, s.ActualWh, s.DeltaWh = res.BaselineWh(), res.ActualWh(), res.DeltaWh
	if res.MissingIntervals > 0 {
		s.Status = MissingData
		s.Reason = fmt.Sprintf("%d of %d event intervals have no reading", res.MissingIntervals, len(res.Intervals))
		return s
	}
	s.Status = Settled
	switch p.Floor {
	case FloorInterval:
		for _, iv := range res.Intervals {
			if iv.ActualWh != meterdata.Missing && iv.BaselineWh > iv.ActualWh {
				s.ReductionWh += iv.BaselineWh - iv.ActualWh
			}
		}
	case FloorNone:
		s.ReductionWh = s.DeltaWh
	default:
		s.ReductionWh = max(0, s.DeltaWh)
	}
	n, err := p.Rate.Cost(s.ReductionWh)
	if err != nil {
		s.Status, s.Reason = MissingData, "amount overflows"
		return s
	}
	s.Amount = n.Round()
	if t, ok := p.Track(track); ok && overridden && t.OverrideWithoutPenalty && s.Amount < 0 {
		s.Amount = 0
	}
	return s
}
