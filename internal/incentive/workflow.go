package incentive

import (
	"slices"

	"github.com/gridbook/gridbook/internal/apperr"
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
