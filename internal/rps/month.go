package rps

import (
	"cmp"
	"fmt"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

// Month is a calendar month, the vintage of a certificate: WREGIS
// aggregates generation and issues certificates monthly (D.11-12-052
// finding; research/rps.md §2.1).
type Month struct {
	Year  int
	Month time.Month
}

// MonthOf returns the month of date d.
func MonthOf(d calendar.Date) Month { return Month{d.Year, d.Month} }

// ParseMonth parses "YYYY-MM".
func ParseMonth(s string) (Month, error) {
	var y, m int
	if len(s) != 7 || s[4] != '-' {
		return Month{}, apperr.Invalidf("rps.ParseMonth", "month %q: want YYYY-MM", s)
	}
	if _, err := fmt.Sscanf(s, "%4d-%2d", &y, &m); err != nil || y < 1 || m < 1 || m > 12 {
		return Month{}, apperr.Invalidf("rps.ParseMonth", "month %q: want YYYY-MM", s)
	}
	return Month{y, time.Month(m)}, nil
}

// String formats m as "YYYY-MM".
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// IsZero reports whether m is the zero Month ("no month").
func (m Month) IsZero() bool { return m == Month{} }

// Valid reports whether m names a month of years 1–9999.
func (m Month) Valid() bool {
	return m.Year >= 1 && m.Year <= 9999 && m.Month >= time.January && m.Month <= time.December
}

// First returns the first day of m.
func (m Month) First() calendar.Date { return calendar.Date{Year: m.Year, Month: m.Month, Day: 1} }

// Last returns the last day of m.
func (m Month) Last() calendar.Date { return m.AddMonths(1).First().AddDays(-1) }

// AddMonths returns the month n months after m (before, for negative n).
func (m Month) AddMonths(n int) Month {
	i := m.Year*12 + int(m.Month) - 1 + n
	return Month{i / 12, time.Month(i%12 + 1)}
}

// Compare returns -1, 0 or +1 as m is before, equal to or after o.
func (m Month) Compare(o Month) int {
	return cmp.Compare(m.Year*12+int(m.Month), o.Year*12+int(o.Month))
}

// Hours returns the number of clock hours in m in Pacific time: 744 for a
// 31-day month, one fewer in March and one more in November, when
// daylight saving time starts and ends.
func (m Month) Hours() int {
	return int(m.AddMonths(1).First().Start().Sub(m.First().Start()) / time.Hour)
}

// MarshalText formats m as "YYYY-MM" (empty for the zero Month).
func (m Month) MarshalText() ([]byte, error) {
	if m.IsZero() {
		return []byte{}, nil
	}
	return []byte(m.String()), nil
}

// UnmarshalText parses "YYYY-MM"; empty text gives the zero Month.
func (m *Month) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*m = Month{}
		return nil
	}
	v, err := ParseMonth(string(b))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// addYears returns the date n years after d. An anniversary of 29
// February in a year without one falls on 28 February (the term has then
// run its whole last year; it never spills into March).
func addYears(d calendar.Date, n int) calendar.Date {
	y := d.Year + n
	out := calendar.Date{Year: y, Month: d.Month, Day: d.Day}
	if _, err := calendar.NewDate(y, d.Month, d.Day); err != nil {
		out.Day = 28
	}
	return out
}
