// Package calendar provides civil dates, half-open date periods, the Pacific
// location in which California tariff, program and event rules are evaluated,
// DST-safe iteration over local days, and the utility holiday calendar.
//
// Instants are time.Time values in UTC; a Date is a day on the wall calendar
// with no zone. The bridge between them is always the Pacific location:
// DateOf(t) is the civil date of an instant, and d.Start() is the instant at
// which the local day d begins. Local days have 23, 24 or 25 hours, so code
// iterates them with Intervals rather than assuming 96 quarter-hours.
//
// Performance (go test -bench, 2-core build machine under load, Go 1.26):
// Intervals of a 100-step day about 5 µs with one allocation; IntervalCount
// about 0.15–0.5 µs with none.
package calendar

import (
	"cmp"
	"database/sql/driver"
	"fmt"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
)

// Date is a civil (calendar) date with no time zone. The zero Date means
// "no date" (for example an open end); it marshals as an empty string and is
// stored as NULL.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// NewDate returns the date y-m-d, rejecting dates that do not exist
// (2026-02-29, 2026-04-31) and years outside 1–9999, which YYYY-MM-DD
// cannot write.
func NewDate(y int, m time.Month, d int) (Date, error) {
	date := Date{y, m, d}
	if !date.valid() {
		return Date{}, apperr.Invalidf("calendar.NewDate", "no such date %04d-%02d-%02d", y, int(m), d)
	}
	return date, nil
}

// ParseDate parses a date written as YYYY-MM-DD, rejecting dates that do not
// exist (2026-02-29) and any other layout.
func ParseDate(s string) (Date, error) {
	d, ok := parseISO(s)
	if !ok || !d.valid() {
		return Date{}, apperr.Invalidf("calendar.ParseDate", "date %q: want an existing date written YYYY-MM-DD", s)
	}
	return d, nil
}

// parseISO reads exactly the ten bytes YYYY-MM-DD without checking that the
// date exists.
func parseISO(s string) (Date, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return Date{}, false
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	return Date{y, time.Month(m), d}, ok1 && ok2 && ok3
}

func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// valid reports whether d names a day that exists in years 1–9999.
func (d Date) valid() bool {
	if d.Year < 1 || d.Year > 9999 || d.Month < time.January || d.Month > time.December || d.Day < 1 {
		return false
	}
	return d.Day <= daysIn(d.Year, d.Month)
}

// daysIn returns the number of days in month m of year y (Gregorian rules).
func daysIn(y int, m time.Month) int {
	switch m {
	case time.February:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	default:
		return 31
	}
}

// DateOf returns the civil date of the instant t in Pacific time.
func DateOf(t time.Time) Date {
	y, m, d := t.In(Pacific).Date()
	return Date{y, m, d}
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string {
	if d.Year < 0 || d.Year > 9999 {
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
	}
	return string(d.appendISO(make([]byte, 0, 10)))
}

// appendISO appends YYYY-MM-DD for a year 0–9999 without fmt: dates are
// written for every bill line and every stored row.
func (d Date) appendISO(b []byte) []byte {
	y, m, dd := d.Year, int(d.Month), d.Day
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10%10), byte('0'+m%10), '-', byte('0'+dd/10%10), byte('0'+dd%10))
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Equal reports whether d and e are the same date.
func (d Date) Equal(e Date) bool { return d == e }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	if c := cmp.Compare(d.Year, e.Year); c != 0 {
		return c
	}
	if c := cmp.Compare(d.Month, e.Month); c != 0 {
		return c
	}
	return cmp.Compare(d.Day, e.Day)
}

// Before reports whether d is before e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is after e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// AddDays returns the date n days after d (before, for negative n).
func (d Date) AddDays(n int) Date {
	y, m, dd := d.utcMidnight().AddDate(0, 0, n).Date()
	return Date{y, m, dd}
}

// Next returns the day after d.
func (d Date) Next() Date { return d.AddDays(1) }

// DaysUntil returns the number of days from d to e: 1 from a date to the
// next, negative when e is before d.
func (d Date) DaysUntil(e Date) int {
	// Unix seconds rather than Sub, whose Duration saturates after 292 years.
	return int((e.utcMidnight().Unix() - d.utcMidnight().Unix()) / (24 * 60 * 60))
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.utcMidnight().Weekday() }

// utcMidnight is d as midnight UTC, where every day has exactly 24 hours; it
// is used only for day arithmetic, never as a local instant.
func (d Date) utcMidnight() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// In returns the instant at which the day d begins in loc (local midnight).
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Start returns the instant, in UTC, at which the day d begins in Pacific
// time. The day ends at d.Next().Start(); do not add 24 hours, since Pacific
// days have 23 or 25 hours at DST changes. (California DST changes happen
// at 02:00, so local midnight always exists and is unique.)
func (d Date) Start() time.Time { return d.In(Pacific).UTC() }

// MarshalText formats d as YYYY-MM-DD, and the zero Date as empty text.
func (d Date) MarshalText() ([]byte, error) {
	if d.IsZero() {
		return []byte{}, nil
	}
	if !d.valid() {
		return nil, apperr.E(apperr.Internal, "calendar.Date.MarshalText", "", fmt.Errorf("no such date %v", d))
	}
	return d.appendISO(make([]byte, 0, 10)), nil
}

// UnmarshalText parses YYYY-MM-DD; empty text gives the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// Value stores d as TEXT 'YYYY-MM-DD', and the zero Date as NULL.
func (d Date) Value() (driver.Value, error) {
	if d.IsZero() {
		return nil, nil
	}
	b, err := d.MarshalText()
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// Scan reads a date stored as TEXT 'YYYY-MM-DD' (string or []byte); NULL
// gives the zero Date. A time.Time (a PostgreSQL DATE column read through
// pgx) contributes its own year, month and day, not those of its instant in
// Pacific time.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = Date{}
		return nil
	case string:
		return d.UnmarshalText([]byte(v))
	case []byte:
		return d.UnmarshalText(v)
	case time.Time:
		y, m, dd := v.Date()
		*d = Date{y, m, dd}
		return nil
	default:
		return apperr.E(apperr.Internal, "calendar.Date.Scan", "", fmt.Errorf("cannot scan %T into a date", src))
	}
}
