package dr

import (
	"slices"

	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/money"
)

// Participant is an enrolled account as a report counts it.
type Participant struct {
	AccountID int64          `json:"account_id"`
	Track     string         `json:"track"`
	Class     customer.Class `json:"class"`
	// IncomeQualified: on CARE or FERA; DAC: the premise is in an SB 535
	// disadvantaged community.
	IncomeQualified bool `json:"income_qualified"`
	DAC             bool `json:"dac"`
}

// TrackCount is the participants of one track.
type TrackCount struct {
	Track string `json:"track"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// ProgramReport is a program's figures over a set of events, shaped like
// CPA's annual report (seed 000: "3,549 households and 4 businesses; over
// 1,420 of the households were income-qualified or in disadvantaged
// communities; 12 events; nearly 80,000 kWh reduced").
type ProgramReport struct {
	Program    string       `json:"program"`
	ByTrack    []TrackCount `json:"participants_by_track"`
	Households int          `json:"households"`
	Businesses int          `json:"businesses"`
	// HouseholdsIQOrDAC counts households income-qualified or in a DAC
	// (once each); IncomeQualified and DAC count each alone.
	HouseholdsIQOrDAC int `json:"households_income_qualified_or_dac"`
	IncomeQualified   int `json:"income_qualified"`
	DAC               int `json:"dac"`
	EventsHeld        int `json:"events_held"`
	EventsCancelled   int `json:"events_cancelled"`
	// ReducedWh is Σ of the floored per-participant reductions (what is
	// paid on); PortfolioDeltaWh the unfloored Σ (baseline − actual) over
	// everyone settled (what the grid saw). They differ whenever someone
	// used more than their baseline (research/dr-ev.md §2.4).
	ReducedWh        energy.Wh   `json:"reduced_wh"`
	PortfolioDeltaWh energy.Wh   `json:"portfolio_delta_wh"`
	Settled          int         `json:"settlements"`
	Unsettled        int         `json:"unsettled"` // no baseline or missing data
	Amount           money.Cents `json:"amount_cents"`
}

// Report computes program p's figures from its participants, events and
// settlements.
func Report(p Program, parts []Participant, events []Event, settlements []Settlement) ProgramReport {
	r := ProgramReport{Program: p.Code}
	counts := map[string]int{}
	for _, x := range parts {
		counts[x.Track]++
		if x.Class == customer.Residential {
			r.Households++
			if x.IncomeQualified || x.DAC {
				r.HouseholdsIQOrDAC++
			}
		} else {
			r.Businesses++
		}
		if x.IncomeQualified {
			r.IncomeQualified++
		}
		if x.DAC {
			r.DAC++
		}
	}
	for _, t := range p.Tracks {
		r.ByTrack = append(r.ByTrack, TrackCount{Track: t.Code, Name: t.Name, Count: counts[t.Code]})
	}
	for _, e := range events {
		switch e.Status {
		case Completed:
			r.EventsHeld++
		case Cancelled:
			r.EventsCancelled++
		}
	}
	for _, s := range settlements {
		if s.Status != Settled {
			r.Unsettled++
			continue
		}
		r.Settled++
		r.ReducedWh += s.ReductionWh
		r.PortfolioDeltaWh += s.DeltaWh
		r.Amount += s.Amount
	}
	slices.SortStableFunc(r.ByTrack, func(a, b TrackCount) int { return b.Count - a.Count })
	return r
}
