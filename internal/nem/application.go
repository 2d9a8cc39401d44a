package nem

import (
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

// Status is where an interconnection application stands.
type Status string

// The statuses, in the order an application normally passes through them
// (issue 4; seed 002: the installer files, the customer signs the NEM
// interconnection agreement, the meter is reprogrammed or swapped, and a
// Permission to Operate ends the process). Withdrawn and Rejected close an
// application that never reached PTO; Terminated ends an interconnection.
const (
	Draft              Status = "draft"
	Submitted          Status = "submitted"
	CompletenessReview Status = "completeness_review"
	TechnicalReview    Status = "technical_review"
	Approved           Status = "approved"
	AgreementSigned    Status = "agreement_signed"
	MeterReady         Status = "meter_ready"
	PTOIssued          Status = "pto_issued"
	Active             Status = "active"
	Terminated         Status = "terminated"
	Withdrawn          Status = "withdrawn"
	Rejected           Status = "rejected"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{Draft, Submitted, CompletenessReview, TechnicalReview, Approved, AgreementSigned,
	MeterReady, PTOIssued, Active, Terminated, Withdrawn, Rejected}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Label is the status as people read it.
func (s Status) Label() string {
	switch s {
	case CompletenessReview:
		return "Completeness review"
	case TechnicalReview:
		return "Technical review"
	case AgreementSigned:
		return "Agreement signed"
	case MeterReady:
		return "Meter ready"
	case PTOIssued:
		return "PTO issued"
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

// Open reports whether the application is still in process: submitted
// and neither interconnected (PTO) nor closed.
func (s Status) Open() bool {
	switch s {
	case Submitted, CompletenessReview, TechnicalReview, Approved, AgreementSigned, MeterReady:
		return true
	}
	return false
}

// Closed reports whether the application or interconnection has ended.
func (s Status) Closed() bool { return s == Terminated || s == Withdrawn || s == Rejected }

// next lists the statuses each status may move to. A completeness review
// that finds the application incomplete returns it to draft for the
// installer to fix and submit again.
var next = map[Status][]Status{
	Draft:              {Submitted, Withdrawn},
	Submitted:          {CompletenessReview, Withdrawn},
	CompletenessReview: {TechnicalReview, Draft, Withdrawn},
	TechnicalReview:    {Approved, Rejected, Withdrawn},
	Approved:           {AgreementSigned, Withdrawn},
	AgreementSigned:    {MeterReady, Withdrawn},
	MeterReady:         {PTOIssued, Withdrawn},
	PTOIssued:          {Active, Terminated},
	Active:             {Terminated},
}

// Next lists the statuses s may move to.
func (s Status) Next() []Status { return slices.Clone(next[s]) }

// Meter service methods: a smart meter is reprogrammed to record both
// directions, or the meter is swapped for a bidirectional one (seed 002).
const (
	MeterReprogram = "reprogram"
	MeterSwap      = "swap"
)

// Milestones are the civil dates an application reached each stage; a
// zero date means not (yet) reached.
type Milestones struct {
	// Submitted is the application date: the first submission. It fixes
	// the program vintage and is kept when an incomplete application is
	// returned and submitted again.
	Submitted calendar.Date `json:"submitted_on"`
	// Complete is when the completeness review found the application
	// complete; the meter service level runs from it.
	Complete  calendar.Date `json:"complete_on"`
	Approved  calendar.Date `json:"approved_on"`
	Agreement calendar.Date `json:"agreement_on"`
	Meter     calendar.Date `json:"meter_on"`
	PTO       calendar.Date `json:"pto_on"`
	Active    calendar.Date `json:"active_on"`
	// Closed is when the application was withdrawn or rejected or the
	// interconnection terminated.
	Closed calendar.Date `json:"closed_on"`
}

// Application is a net energy metering interconnection application for one
// generating account.
type Application struct {
	ID          int64  `json:"id"`
	Number      string `json:"number"` // e.g. "NEM-000042"
	AccountID   int64  `json:"account_id"`
	InstallerID int64  `json:"installer_id"` // 0 when filed by the customer or staff
	System      System `json:"system"`
	Status      Status `json:"status"`
	Milestones
	// MeterMethod is how the meter was made bidirectional: reprogram or
	// swap (set with the meter_ready step).
	MeterMethod string `json:"meter_method"`
	// Vintage is fixed by the application date at the first submission.
	Vintage      Vintage   `json:"vintage"`
	EnrollmentID int64     `json:"enrollment_id"` // the account's "nem" enrollment, from PTO
	Created      time.Time `json:"created_at"`
	Updated      time.Time `json:"updated_at"`
}

// Event is one step of an application's dated history.
type Event struct {
	ID            int64         `json:"id"`
	ApplicationID int64         `json:"application_id"`
	From          Status        `json:"from"` // "" for the creation
	To            Status        `json:"to"`
	On            calendar.Date `json:"on"`
	At            time.Time     `json:"at"`
	Actor         string        `json:"actor"`
	Note          string        `json:"note"`
}

// Step is a requested status change.
type Step struct {
	To   Status        `json:"to"`
	On   calendar.Date `json:"on"`   // the civil date it happened; defaults to today
	Note string        `json:"note"` // required when returning, rejecting, withdrawing or terminating
	// MeterMethod is reprogram or swap, required for meter_ready.
	MeterMethod string `json:"meter_method"`
}

// Advance applies step s to a on today's date, returning the updated
// application. The rules, each named in the error it returns:
//
//   - lifecycle: only the moves in Status.Next are allowed;
//   - chronology: a step's date is not before the previous milestone and
//     not after today (a PTO cannot be issued before approval: rule
//     pto_after_approval);
//   - note: returning an incomplete application, rejecting, withdrawing
//     and terminating say why;
//   - meter_method: the meter step says reprogram or swap.
//
// Eligibility at submission and approval is the caller's job (Decide);
// Advance only moves the lifecycle.
func Advance(a Application, s Step, today calendar.Date) (Application, error) {
	const op = "nem.Advance"
	var f apperr.Fields
	if s.On.IsZero() {
		s.On = today
	}
	s.Note = strings.TrimSpace(s.Note)
	if !s.To.Valid() {
		f.Add("to", "rule lifecycle: %q is not a status", s.To)
		return a, f.Err(op)
	}
	if !slices.Contains(next[a.Status], s.To) {
		allowed := make([]string, 0, len(next[a.Status]))
		for _, n := range next[a.Status] {
			allowed = append(allowed, string(n))
		}
		msg := "none: the application is " + string(a.Status)
		if len(allowed) > 0 {
			msg = strings.Join(allowed, ", ")
		}
		f.Add("to", "rule lifecycle: an application in %s cannot move to %s (allowed: %s)", a.Status, s.To, msg)
		return a, f.Err(op)
	}
	if s.On.After(today) {
		f.Add("on", "rule chronology: %s is after today (%s)", s.On, today)
	}
	if last := a.LastStep(); !last.IsZero() && s.On.Before(last) {
		if s.To == PTOIssued && !a.Approved.IsZero() && s.On.Before(a.Approved) {
			f.Add("on", "rule pto_after_approval: a PTO on %s would come before the approval on %s", s.On, a.Approved)
		} else {
			f.Add("on", "rule chronology: %s is before the previous step on %s", s.On, last)
		}
	}
	needsNote := s.To == Withdrawn || s.To == Rejected || s.To == Terminated || (a.Status == CompletenessReview && s.To == Draft)
	if needsNote && s.Note == "" {
		f.Add("note", "rule note: say why the application is %s", map[Status]string{Withdrawn: "withdrawn", Rejected: "rejected",
			Terminated: "terminated", Draft: "returned as incomplete"}[s.To])
	}
	if s.To == MeterReady && s.MeterMethod != MeterReprogram && s.MeterMethod != MeterSwap {
		f.Add("meter_method", "rule meter_method: say whether the meter was reprogrammed (reprogram) or swapped (swap)")
	}
	if err := f.Err(op); err != nil {
		return a, err
	}
	m := &a.Milestones
	switch s.To {
	case Submitted:
		if m.Submitted.IsZero() {
			m.Submitted = s.On
		}
	case TechnicalReview:
		m.Complete = s.On
	case Approved:
		m.Approved = s.On
	case AgreementSigned:
		m.Agreement = s.On
	case MeterReady:
		m.Meter, a.MeterMethod = s.On, s.MeterMethod
	case PTOIssued:
		m.PTO = s.On
	case Active:
		m.Active = s.On
	case Terminated, Withdrawn, Rejected:
		m.Closed = s.On
	case Draft:
		m.Complete = calendar.Date{} // returned incomplete: completeness is decided again
	}
	a.Status = s.To
	return a, nil
}

// LastStep is the latest date the application has reached.
func (a *Application) LastStep() calendar.Date {
	var last calendar.Date
	for _, d := range []calendar.Date{a.Submitted, a.Complete, a.Approved, a.Agreement, a.Meter, a.PTO, a.Active, a.Closed} {
		if d.After(last) {
			last = d
		}
	}
	return last
}
