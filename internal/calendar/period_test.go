package calendar

import (
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
)

func TestNewPeriodRequiresEndAfterStart(t *testing.T) {
	tests := []struct {
		start, end Date
		ok         bool
	}{
		{Date{2026, 1, 15}, Date{2026, 2, 14}, true},
		{Date{2026, 1, 15}, Date{2026, 1, 16}, true},
		{Date{2026, 1, 15}, Date{2026, 1, 15}, false}, // empty
		{Date{2026, 2, 14}, Date{2026, 1, 15}, false}, // reversed
		{Date{}, Date{2026, 1, 15}, false},
		{Date{2026, 1, 15}, Date{2026, 2, 30}, false},
	}
	for _, tt := range tests {
		p, err := NewPeriod(tt.start, tt.end)
		if (err == nil) != tt.ok {
			t.Errorf("NewPeriod(%v, %v) error = %v, want ok=%v", tt.start, tt.end, err, tt.ok)
			continue
		}
		if err != nil && (apperr.KindOf(err) != apperr.Invalid || len(apperr.FieldsOf(err)) == 0) {
			t.Errorf("NewPeriod(%v, %v) error = %v, want invalid with fields", tt.start, tt.end, err)
		}
		if tt.ok && (p.Start != tt.start || p.End != tt.end) {
			t.Errorf("NewPeriod(%v, %v) = %v", tt.start, tt.end, p)
		}
	}
}

func TestPeriodIsHalfOpen(t *testing.T) {
	p := Period{Date{2026, 1, 15}, Date{2026, 2, 14}}
	tests := []struct {
		d    Date
		want bool
	}{
		{Date{2026, 1, 14}, false},
		{Date{2026, 1, 15}, true},
		{Date{2026, 2, 13}, true},
		{Date{2026, 2, 14}, false},
	}
	for _, tt := range tests {
		if got := p.Contains(tt.d); got != tt.want {
			t.Errorf("%v.Contains(%v) = %v, want %v", p, tt.d, got, tt.want)
		}
	}
	if got := p.String(); got != "[2026-01-15, 2026-02-14)" {
		t.Errorf("String = %q", got)
	}
}

func TestPeriodDaysCountsLeapDayAndDSTDaysOnce(t *testing.T) {
	tests := []struct {
		start, end string
		want       int
	}{
		{"2026-01-15", "2026-02-14", 30},
		{"2028-02-01", "2028-03-01", 29},
		{"2026-02-01", "2026-03-01", 28},
		{"2026-03-01", "2026-04-01", 31}, // contains the 23-hour day
		{"2026-10-15", "2026-11-15", 31}, // contains the 25-hour day
		{"2026-01-01", "2027-01-01", 365},
		{"2028-01-01", "2029-01-01", 366},
	}
	for _, tt := range tests {
		p := Period{mustDate(t, tt.start), mustDate(t, tt.end)}
		if got := p.Days(); got != tt.want {
			t.Errorf("%v.Days() = %d, want %d", p, got, tt.want)
		}
	}
}

func TestPeriodOverlapExcludesAdjacent(t *testing.T) {
	jan := Period{Date{2026, 1, 1}, Date{2026, 2, 1}}
	tests := []struct {
		o    Period
		want bool
	}{
		{Period{Date{2026, 2, 1}, Date{2026, 3, 1}}, false},   // adjacent after
		{Period{Date{2025, 12, 1}, Date{2026, 1, 1}}, false},  // adjacent before
		{Period{Date{2026, 1, 31}, Date{2026, 2, 5}}, true},   // shares Jan 31
		{Period{Date{2025, 12, 1}, Date{2026, 1, 2}}, true},   // shares Jan 1
		{Period{Date{2026, 1, 10}, Date{2026, 1, 11}}, true},  // inside
		{Period{Date{2025, 1, 10}, Date{2027, 1, 11}}, true},  // around
		{Period{Date{2026, 3, 10}, Date{2026, 3, 11}}, false}, // apart
	}
	for _, tt := range tests {
		if got := jan.Overlaps(tt.o); got != tt.want {
			t.Errorf("%v.Overlaps(%v) = %v, want %v", jan, tt.o, got, tt.want)
		}
		if got := tt.o.Overlaps(jan); got != tt.want {
			t.Errorf("%v.Overlaps(%v) = %v, want %v (symmetry)", tt.o, jan, got, tt.want)
		}
	}
}

func TestSpanOpenEndedEnrollment(t *testing.T) {
	// A CARE enrollment from 2025-06-01 with no end.
	care := Span{From: Date{2025, time.June, 1}}
	tests := []struct {
		d    Date
		want bool
	}{
		{Date{2025, 5, 31}, false},
		{Date{2025, 6, 1}, true},
		{Date{2099, 12, 31}, true},
	}
	for _, tt := range tests {
		if got := care.Contains(tt.d); got != tt.want {
			t.Errorf("%v.Contains(%v) = %v, want %v", care, tt.d, got, tt.want)
		}
	}
	closed := Span{From: Date{2025, 6, 1}, To: Date{2026, 6, 1}}
	if closed.Contains(Date{2026, 6, 1}) || !closed.Contains(Date{2026, 5, 31}) {
		t.Errorf("%v must exclude To and include the day before", closed)
	}
	if care.String() != "[2025-06-01, open)" || closed.String() != "[2025-06-01, 2026-06-01)" {
		t.Errorf("String = %q, %q", care, closed)
	}
}

func TestSpanOverlaps(t *testing.T) {
	d := func(y int, m time.Month, dd int) Date { return Date{y, m, dd} }
	tests := []struct {
		name string
		a, b Span
		want bool
	}{
		{"two open", Span{From: d(2025, 6, 1)}, Span{From: d(2030, 1, 1)}, true},
		{"closed ends where open starts", Span{d(2024, 1, 1), d(2025, 6, 1)}, Span{From: d(2025, 6, 1)}, false},
		{"closed ends after open starts", Span{d(2024, 1, 1), d(2025, 6, 2)}, Span{From: d(2025, 6, 1)}, true},
		{"closed before open", Span{d(2020, 1, 1), d(2021, 1, 1)}, Span{From: d(2025, 6, 1)}, false},
		{"closed adjacent", Span{d(2025, 1, 1), d(2025, 2, 1)}, Span{d(2025, 2, 1), d(2025, 3, 1)}, false},
		{"closed sharing a day", Span{d(2025, 1, 1), d(2025, 2, 2)}, Span{d(2025, 2, 1), d(2025, 3, 1)}, true},
		{"bill period inside enrollment", Span{From: d(2025, 6, 1)}, Period{d(2026, 1, 15), d(2026, 2, 14)}.Span(), true},
	}
	for _, tt := range tests {
		if got := tt.a.Overlaps(tt.b); got != tt.want {
			t.Errorf("%s: %v.Overlaps(%v) = %v, want %v", tt.name, tt.a, tt.b, got, tt.want)
		}
		if got := tt.b.Overlaps(tt.a); got != tt.want {
			t.Errorf("%s: symmetric overlap = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestSpanValidate(t *testing.T) {
	tests := []struct {
		s         Span
		badFields []string
	}{
		{Span{From: Date{2025, 6, 1}}, nil},
		{Span{From: Date{2025, 6, 1}, To: Date{2025, 6, 2}}, nil},
		{Span{From: Date{2025, 6, 1}, To: Date{2025, 6, 1}}, []string{"to"}},
		{Span{From: Date{2025, 6, 1}, To: Date{2025, 5, 1}}, []string{"to"}},
		{Span{}, []string{"from"}},
		{Span{From: Date{2026, 2, 29}, To: Date{2026, 4, 31}}, []string{"from", "to"}},
	}
	for _, tt := range tests {
		err := tt.s.Validate()
		var got []string
		for _, f := range apperr.FieldsOf(err) {
			got = append(got, f.Field)
		}
		if len(got) != len(tt.badFields) {
			t.Errorf("%v.Validate() = %v, want bad fields %v", tt.s, err, tt.badFields)
			continue
		}
		for i := range got {
			if got[i] != tt.badFields[i] {
				t.Errorf("%v.Validate() fields = %v, want %v", tt.s, got, tt.badFields)
			}
		}
		if err != nil && apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("%v.Validate() kind = %v", tt.s, apperr.KindOf(err))
		}
	}
}
