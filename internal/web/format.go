package web

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
)

// This file holds the display formatting used by templates. All of it is
// exact integer arithmetic; nothing here is used to compute a stored value.

// formatInt writes any integer value (including named types such as
// energy.Wh) with comma thousands separators: 1234567 → "1,234,567".
func formatInt(v any) (string, error) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n := rv.Int()
		if n < 0 {
			return "-" + groupDigits(strconv.FormatUint(-uint64(n), 10)), nil
		}
		return groupDigits(strconv.FormatInt(n, 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return groupDigits(strconv.FormatUint(rv.Uint(), 10)), nil
	}
	return "", fmt.Errorf("num: %T is not an integer", v)
}

// formatKWh writes watt-hours as kilowatt-hours with digits decimals (3 when
// omitted, which is exact), rounding half away from zero — the project's one
// rounding rule (DESIGN.md, Units) — and grouping thousands:
// 1234567 Wh → "1,234.567", or "1,235" with 0 digits.
func formatKWh(wh energy.Wh, digits ...int) (string, error) {
	d := 3
	if len(digits) > 0 {
		d = digits[0]
	}
	if d < 0 || d > 3 || len(digits) > 1 {
		return "", fmt.Errorf("kwh: want 0 to 3 decimals, got %v", digits)
	}
	neg := wh < 0
	u := uint64(wh)
	if neg {
		u = -u
	}
	step := uint64(1) // Wh per unit of the last printed digit
	for range 3 - d {
		step *= 10
	}
	u = (u + step/2) / step // half away from zero, on the magnitude
	scale := uint64(1)
	for range d {
		scale *= 10
	}
	s := groupDigits(strconv.FormatUint(u/scale, 10))
	if d > 0 {
		s += "." + fmt.Sprintf("%0*d", d, u%scale)
	}
	if neg && u != 0 {
		s = "-" + s
	}
	return s, nil
}

// formatBasisPoints writes a rate held in basis points as a percentage with
// two decimals: 3350 → "33.50%".
func formatBasisPoints(bp int64) string {
	neg := bp < 0
	u := uint64(bp)
	if neg {
		u = -u
	}
	s := groupDigits(strconv.FormatUint(u/100, 10)) + "." + fmt.Sprintf("%02d", u%100) + "%"
	if neg {
		return "-" + s
	}
	return s
}

// groupDigits inserts a comma every three digits from the right of a string
// of ASCII digits.
func groupDigits(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	first := len(digits) % 3
	if first == 0 {
		first = 3
	}
	b.WriteString(digits[:first])
	for i := first; i < len(digits); i += 3 {
		b.WriteByte(',')
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

// dateFormatter formats civil dates and instants for people. Instants are
// shown in loc (America/Los_Angeles: program rules are evaluated there,
// DESIGN.md principle 4), never in the server's local zone.
type dateFormatter struct{ loc *time.Location }

// civil returns the civil date of a calendar.Date, a time.Time (in f.loc)
// or a pointer to either; ok is false for nil or zero values.
func (f dateFormatter) civil(v any) (d calendar.Date, ok bool, err error) {
	switch x := v.(type) {
	case calendar.Date:
		return x, !x.IsZero(), nil
	case *calendar.Date:
		if x == nil {
			return d, false, nil
		}
		return *x, !x.IsZero(), nil
	case time.Time:
		if x.IsZero() {
			return d, false, nil
		}
		t := x.In(f.loc)
		return calendar.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}, true, nil
	case *time.Time:
		if x == nil {
			return d, false, nil
		}
		return f.civil(*x)
	case nil:
		return d, false, nil
	}
	return d, false, fmt.Errorf("date: %T is not a date", v)
}

// long formats a date as "Mar 8, 2026"; the empty string for a zero value.
func (f dateFormatter) long(v any) (string, error) {
	d, ok, err := f.civil(v)
	if !ok || err != nil {
		return "", err
	}
	return fmt.Sprintf("%s %d, %d", d.Month.String()[:3], d.Day, d.Year), nil
}

// iso formats a date as "2026-03-08"; the empty string for a zero value.
func (f dateFormatter) iso(v any) (string, error) {
	d, ok, err := f.civil(v)
	if !ok || err != nil {
		return "", err
	}
	return d.String(), nil
}

// dateTime formats an instant in f.loc as "Mar 8, 2026 3:04 AM PDT"; the
// zone abbreviation makes the DST side of an ambiguous hour visible.
func (f dateFormatter) dateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(f.loc).Format("Jan 2, 2006 3:04 PM MST")
}
