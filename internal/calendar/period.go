package calendar

import (
	"fmt"

	"github.com/gridbook/gridbook/internal/apperr"
)

// Period is a half-open range of dates [Start, End): a bill period from
// 2026-01-15 to 2026-02-14 covers 30 days and does not include 2026-02-14,
// which starts the next period. Build one with NewPeriod to have it checked.
type Period struct {
	Start Date `json:"start"`
	End   Date `json:"end"`
}

// NewPeriod returns the period [start, end), which must hold at least one
// day: both dates must exist and end must be after start.
func NewPeriod(start, end Date) (Period, error) {
	p := Period{start, end}
	var f apperr.Fields
	if !start.valid() {
		f.Add("start", "want an existing date")
	}
	if !end.valid() {
		f.Add("end", "want an existing date")
	}
	if len(f) == 0 && !end.After(start) {
		f.Add("end", "must be after start %v", start)
	}
	if err := f.Err("calendar.NewPeriod"); err != nil {
		return Period{}, err
	}
	return p, nil
}

// Contains reports whether d is in [p.Start, p.End).
func (p Period) Contains(d Date) bool {
	return !d.Before(p.Start) && d.Before(p.End)
}

// Days returns the number of days in p.
func (p Period) Days() int { return p.Start.DaysUntil(p.End) }

// Overlaps reports whether p and o share at least one day. Adjacent periods
// ([Jan 1, Feb 1) and [Feb 1, Mar 1)) do not overlap.
func (p Period) Overlaps(o Period) bool {
	return p.Start.Before(o.End) && o.Start.Before(p.End)
}

// Span returns p as a Span with the same days, so that it can be checked
// against effective-dated records: enrollment.Overlaps(billPeriod.Span()).
func (p Period) Span() Span { return Span{From: p.Start, To: p.End} }

// String formats p in interval notation, "[2026-01-15, 2026-02-14)".
func (p Period) String() string {
	return fmt.Sprintf("[%v, %v)", p.Start, p.End)
}

// Span is an effective-dated range: it starts on From (inclusive) and ends
// before To, or never ends when To is the zero Date. Enrollments, rule
// versions and eligibility records use Span; a CARE enrollment from
// 2025-06-01 with no end is Span{From: 2025-06-01}.
type Span struct {
	From Date
	To   Date // exclusive; zero means open-ended
}

// Validate checks that From exists and that To is zero or an existing date
// after From.
func (s Span) Validate() error {
	var f apperr.Fields
	if !s.From.valid() {
		f.Add("from", "want an existing date")
	}
	if !s.To.IsZero() {
		switch {
		case !s.To.valid():
			f.Add("to", "want an existing date or none")
		case !s.To.After(s.From):
			f.Add("to", "must be after from %v", s.From)
		}
	}
	return f.Err("calendar.Span.Validate")
}

// Open reports whether s has no end.
func (s Span) Open() bool { return s.To.IsZero() }

// Contains reports whether d is on or after From and, unless s is open,
// before To.
func (s Span) Contains(d Date) bool {
	return !d.Before(s.From) && (s.Open() || d.Before(s.To))
}

// Overlaps reports whether s and o share at least one day. Two open spans
// always overlap; a span ending on the day another starts does not.
func (s Span) Overlaps(o Span) bool {
	return (s.Open() || o.From.Before(s.To)) && (o.Open() || s.From.Before(o.To))
}

// String formats s in interval notation, "[2025-06-01, 2026-06-01)" or
// "[2025-06-01, open)".
func (s Span) String() string {
	if s.Open() {
		return fmt.Sprintf("[%v, open)", s.From)
	}
	return fmt.Sprintf("[%v, %v)", s.From, s.To)
}
