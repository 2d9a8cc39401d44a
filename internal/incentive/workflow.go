package incentive

import (
	"fmt"
	"slices"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/money"
)

// Status is an application's place in the workflow of research/programs.md
// §4.2.
type Status string

// Application statuses.
const (
	Draft            Status = "draft"
	Submitted        Status = "submitted"
	PendingDocuments Status = "pending_documents"
	UnderReview      Status = "under_review"
	PreInspection    Status = "pre_inspection"
	Waitlisted       Status = "waitlisted"
	Reserved         Status = "reserved" // budget encumbered, with an expiry
	ClaimSubmitted   Status = "claim_submitted"
	QAInspection     Status = "qa_inspection"
	Approved         Status = "approved" // committed
	PaymentPending   Status = "payment_pending"
	Paid             Status = "paid"
	Rejected         Status = "rejected"
	Withdrawn        Status = "withdrawn"
	Expired          Status = "expired"
	OnHold           Status = "on_hold" // fraud or duplicate review
	ClawbackOpen     Status = "clawback_open"
	ClawbackClosed   Status = "clawback_closed"
)

// Statuses lists every status in workflow order.
var Statuses = []Status{Draft, Submitted, PendingDocuments, UnderReview, PreInspection, Waitlisted, Reserved, ClaimSubmitted,
	QAInspection, Approved, PaymentPending, Paid, Rejected, Withdrawn, Expired, OnHold, ClawbackOpen, ClawbackClosed}

// transitions lists where each status may go by a person's or the
// system's action. Rejected, withdrawn, expired and clawback-closed are
// final; any open status may be withdrawn, rejected or put on hold.
var transitions = map[Status][]Status{
	Draft:            {Submitted},
	Submitted:        {PendingDocuments, UnderReview},
	PendingDocuments: {UnderReview},
	UnderReview:      {PreInspection, Reserved, Waitlisted, PendingDocuments},
	PreInspection:    {Reserved, Waitlisted},
	Waitlisted:       {Reserved},
	Reserved:         {ClaimSubmitted, Expired},
	ClaimSubmitted:   {QAInspection, Approved},
	QAInspection:     {Approved},
	Approved:         {PaymentPending},
	PaymentPending:   {Paid, Approved}, // a returned payment goes back to approved
	OnHold:           {UnderReview, Reserved, ClaimSubmitted},
	Paid:             {ClawbackOpen},
	ClawbackOpen:     {ClawbackClosed},
}

// Open reports whether s is a status an application may still leave by
// withdrawal, rejection or hold.
func (s Status) Open() bool {
	switch s {
	case Rejected, Withdrawn, Expired, Paid, ClawbackOpen, ClawbackClosed, PaymentPending:
		return false
	}
	return true
}

// Holds reports whether an application in s holds a reservation.
func (s Status) Holds() bool {
	return s == Reserved || s == ClaimSubmitted || s == QAInspection
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// CheckTransition reports whether an application may move from one status
// to another: a Conflict naming both when it may not.
func CheckTransition(from, to Status) error {
	if !to.Valid() {
		var f apperr.Fields
		f.Add("status", "unknown status %q", to)
		return f.Err("incentive.CheckTransition")
	}
	if slices.Contains(transitions[from], to) {
		return nil
	}
	if from.Open() && from != Draft && (to == Rejected || to == Withdrawn || to == OnHold) && from != OnHold || from == OnHold && (to == Rejected || to == Withdrawn) {
		return nil
	}
	if from == Draft && to == Withdrawn {
		return nil
	}
	return apperr.Conflictf("incentive.CheckTransition", "an application that is %s cannot become %s", from, to)
}

// Next lists the statuses an application in s may move to.
func Next(s Status) []Status {
	var out []Status
	for _, t := range Statuses {
		if CheckTransition(s, t) == nil {
			out = append(out, t)
		}
	}
	return out
}

// QAPolicy sets the risk-based inspection rates of claims
// (research/programs.md §4.3 item 6: a higher inspection rate for new
// contractors, high-value claims and flagged applications), in basis
// points of claims inspected.
type QAPolicy struct {
	BaseBP          int64       // every claim
	HighValueBP     int64       // claims of at least HighValueCents
	HighValueCents  money.Cents // what counts as high value
	NewContractorBP int64       // a contractor with fewer than NewContractorClaims approved claims
	NewContractorN  int
	FlaggedBP       int64 // an application that carried a fraud or duplicate flag
}

// DefaultQA is gridbook's default policy: 10% of claims, 50% of claims of
// $2,000 or more, 25% of a new contractor's first five, every flagged
// one. The rates are ours; programs set their own.
var DefaultQA = QAPolicy{BaseBP: 1000, HighValueBP: 5000, HighValueCents: 200000, NewContractorBP: 2500, NewContractorN: 5, FlaggedBP: 10000}

// SampleForQA decides whether a claim goes to QA inspection: the highest
// rate that applies, drawn deterministically from the application id (so
// the decision can be replayed), and says why.
func SampleForQA(p QAPolicy, a Application, contractorClaims int) (bool, string) {
	rate, why := p.BaseBP, "routine sample"
	if a.AmountCents >= p.HighValueCents && p.HighValueBP > rate {
		rate, why = p.HighValueBP, fmt.Sprintf("high-value claim (%s or more)", p.HighValueCents)
	}
	if a.Contractor != "" && contractorClaims < p.NewContractorN && p.NewContractorBP > rate {
		rate, why = p.NewContractorBP, fmt.Sprintf("new contractor (%d approved claims)", contractorClaims)
	}
	if len(a.Flags) > 0 && p.FlaggedBP > rate {
		rate, why = p.FlaggedBP, "flagged application"
	}
	// SplitMix64 of the id: a fixed, well-spread draw in [0, 10000).
	z := uint64(a.ID) + 0x9E3779B97F4A7C15
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	z ^= z >> 31
	draw := int64(z % 10_000)
	return draw < rate, fmt.Sprintf("%s: sampled at %s", why, bpPercent(rate))
}
