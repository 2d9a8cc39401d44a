package dr

import (
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

// Status is where an event is in its lifecycle: scheduled → notified →
// active → completed, or cancelled before it completes.
type Status string

// Event statuses.
const (
	Scheduled Status = "scheduled"
	Notified  Status = "notified"
	Active    Status = "active"
	Completed Status = "completed"
	Cancelled Status = "cancelled"
)

// Event is one demand-response event of a program.
type Event struct {
	ID      int64  `json:"id"`
	Program string `json:"program"`
	// Track limits the event to one track; "" calls every track.
	Track  string    `json:"track"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Status Status    `json:"status"`
	// Level is the OpenADR SIMPLE level (1 moderate, 2 high, 3 special).
	Level int `json:"level"`
	// OffsetF is the thermostat setpoint offset in °F during the event
	// (CONTROL_LEVEL_OFFSET), 0 when not used.
	OffsetF int `json:"offset_f,omitempty"`
	// Reason is the trigger: a CAISO EEA watch, extreme heat, a test.
	Reason      string    `json:"reason"`
	NotifiedAt  time.Time `json:"notified_at,omitzero"`
	CancelledAt time.Time `json:"cancelled_at,omitzero"`
	Created     time.Time `json:"created_at,omitzero"`
}

// Day is the event's local (Pacific) day.
func (e Event) Day() calendar.Date { return calendar.DateOf(e.Start) }

// Duration is the event's length.
func (e Event) Duration() time.Duration { return e.End.Sub(e.Start) }

// Counts reports whether e counts toward a program's caps under rules r:
// every event that is not cancelled, and cancelled ones where the program
// says so.
func (e Event) Counts(r *EventRules) bool {
	return e.Status != Cancelled || (r != nil && r.CancelledCounts)
}

// Transition is one dated step of an event's history.
type Transition struct {
	At    time.Time `json:"at"`
	From  Status    `json:"from"`
	To    Status    `json:"to"`
	Actor string    `json:"actor"`
	Note  string    `json:"note,omitempty"`
}

var next = map[Status][]Status{
	Scheduled: {Notified, Cancelled},
	Notified:  {Active, Cancelled},
	Active:    {Completed, Cancelled},
}

// CanMove reports whether an event may go from one status to another.
func CanMove(from, to Status) bool {
	for _, s := range next[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Move changes e's status to `to` at `at`, or refuses a step the
// lifecycle does not allow (Conflict naming both statuses). Notifying
// stamps NotifiedAt and cancelling CancelledAt; an event becomes active
// only once it has started and completed only once it has ended.
func Move(e *Event, to Status, at time.Time) error {
	const op = "dr.Move"
	if !CanMove(e.Status, to) {
		return apperr.Conflictf(op, "event %d is %s; it cannot become %s", e.ID, e.Status, to)
	}
	switch to {
	case Notified:
		e.NotifiedAt = at
	case Active:
		if at.Before(e.Start) {
			return apperr.Conflictf(op, "event %d starts %s; it cannot be active before then", e.ID, e.Start.Format(time.RFC3339))
		}
	case Completed:
		if at.Before(e.End) {
			return apperr.Conflictf(op, "event %d ends %s; it cannot complete before then", e.ID, e.End.Format(time.RFC3339))
		}
	case Cancelled:
		e.CancelledAt = at
	}
	e.Status = to
	return nil
}

// Due returns the next status a notified or active event should have at
// now: a notified event becomes active from its start, an active one
// completed from its end (one step at a time, so the history shows
// both). Other statuses are
// returned unchanged (a scheduled event is only activated once its
// participants were notified).
func Due(e Event, now time.Time) Status {
	switch {
	case e.Status == Notified && !now.Before(e.Start):
		return Active
	case e.Status == Active && !now.Before(e.End):
		return Completed
	}
	return e.Status
}

// EventDays returns the local days of the events of program that are not
// cancelled, within [from, to), sorted and without repeats: the event-day
// calendar of a peak-pricing rider (billing.CPP.EventDays). A cancelled
// event day carries no surcharge even where it counts toward the cap.
func EventDays(events []Event, program string, p calendar.Period) []calendar.Date {
	var out []calendar.Date
	for _, e := range events {
		if e.Program != program || e.Status == Cancelled {
			continue
		}
		d := e.Day()
		if !p.Contains(d) {
			continue
		}
		if n := len(out); n == 0 || !containsDate(out, d) {
			out = append(out, d)
		}
	}
	sortDates(out)
	return out
}

// NoticeText is the message participants get when an event is called:
// the program, the local day and hours, and for peak pricing the
// surcharge reminder.
func NoticeText(p Program, e Event) string {
	l, end := e.Start.In(calendar.Pacific), e.End.In(calendar.Pacific)
	s := p.Name + " event " + l.Format("Mon Jan 2, 3:04 PM") + "–" + end.Format("3:04 PM MST") + "."
	switch p.Kind {
	case PeakPricing:
		s += " Energy used during these hours is billed at the event price; shift what you can."
	case LoadReduction:
		s += " Please reduce use during these hours; connected devices adjust automatically and you may override at any time."
	case Storage:
		s += " Your battery will discharge above its backup reserve."
	}
	return s
}

// CancelText is the message participants get when an event is called off.
func CancelText(p Program, e Event) string {
	return p.Name + " event " + e.Start.In(calendar.Pacific).Format("Mon Jan 2, 3:04 PM") + " is cancelled."
}
