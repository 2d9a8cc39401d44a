package calendar

import (
	"slices"
	"time"
)

// Holidays is a holiday calendar: the days a tariff treats like weekends and
// that are not business days. The zero Holidays has no holidays, so its
// business days are simply Monday to Friday. A Holidays is an immutable
// value; build the utility calendar with UtilityHolidays.
type Holidays struct {
	rules []holidayRule
}

// holidayRule defines one holiday: either a fixed day of a month (day > 0)
// or the nth weekday of a month (nth 1–4, or -1 for the last).
type holidayRule struct {
	name    string
	month   time.Month
	day     int
	weekday time.Weekday
	nth     int
}

// UtilityHolidays returns the time-of-use holiday calendar of the California
// investor-owned utilities. Source: SCE's TOU rate schedules, Special
// Conditions, "Holidays" (e.g. Schedule TOU-D, sheets effective 2025-06-01):
// New Year's Day (January 1), Presidents' Day (third Monday in February),
// Memorial Day (last Monday in May), Independence Day (July 4), Labor Day
// (first Monday in September), Veterans Day (November 11), Thanksgiving Day
// (fourth Thursday in November) and Christmas Day (December 25); when one
// falls on a Sunday the following Monday is also a holiday, and one falling
// on a Saturday is not moved. PG&E's "TOU holidays" page
// (pge.com/tariffs/en/rate-information/tou-holidays.html) states the same
// list and the same Sunday and Saturday rules; SCE's 2025 dates are listed in
// shared/data/tariffs/retail_8760/SCE_Holidays_2025.csv.
func UtilityHolidays() Holidays {
	return Holidays{rules: []holidayRule{
		{name: "New Year's Day", month: time.January, day: 1},
		{name: "Presidents' Day", month: time.February, weekday: time.Monday, nth: 3},
		{name: "Memorial Day", month: time.May, weekday: time.Monday, nth: -1},
		{name: "Independence Day", month: time.July, day: 4},
		{name: "Labor Day", month: time.September, weekday: time.Monday, nth: 1},
		{name: "Veterans Day", month: time.November, day: 11},
		{name: "Thanksgiving Day", month: time.November, weekday: time.Thursday, nth: 4},
		{name: "Christmas Day", month: time.December, day: 25},
	}}
}

// date returns the day the holiday falls on in year y.
func (r holidayRule) date(y int) Date {
	if r.day > 0 {
		return Date{y, r.month, r.day}
	}
	if r.nth < 0 {
		last := Date{y, r.month, daysIn(y, r.month)}
		back := (int(last.Weekday()) - int(r.weekday) + 7) % 7
		return Date{y, r.month, last.Day - back}
	}
	first := Date{y, r.month, 1}
	ahead := (int(r.weekday) - int(first.Weekday()) + 7) % 7
	return Date{y, r.month, 1 + ahead + 7*(r.nth-1)}
}

// observed returns the Monday on which a fixed-date holiday falling on a
// Sunday is also observed. Every such Monday is in the same month.
func (r holidayRule) observed(y int) (Date, bool) {
	if r.day == 0 {
		return Date{}, false
	}
	d := r.date(y)
	if d.Weekday() != time.Sunday {
		return Date{}, false
	}
	return d.Next(), true
}

// Holiday reports whether d is a holiday and names it. The Monday after a
// holiday that falls on a Sunday is named with " (observed)".
func (h Holidays) Holiday(d Date) (name string, ok bool) {
	for _, r := range h.rules {
		if r.month != d.Month {
			continue
		}
		if r.date(d.Year) == d {
			return r.name, true
		}
		if o, ok := r.observed(d.Year); ok && o == d {
			return r.name + " (observed)", true
		}
	}
	return "", false
}

// Observance is one holiday on one date.
type Observance struct {
	Date Date
	Name string
}

// InYear lists the holidays of year y in date order, observed Mondays
// included.
func (h Holidays) InYear(y int) []Observance {
	var out []Observance
	for _, r := range h.rules {
		out = append(out, Observance{r.date(y), r.name})
		if o, ok := r.observed(y); ok {
			out = append(out, Observance{o, r.name + " (observed)"})
		}
	}
	slices.SortStableFunc(out, func(a, b Observance) int { return a.Date.Compare(b.Date) })
	return out
}

// IsBusinessDay reports whether d is a Monday to Friday that is not a
// holiday.
func (h Holidays) IsBusinessDay(d Date) bool {
	switch d.Weekday() {
	case time.Saturday, time.Sunday:
		return false
	}
	_, hol := h.Holiday(d)
	return !hol
}

// AddBusinessDays returns the nth business day after d (before d, for
// negative n); d itself need not be a business day. AddBusinessDays(d, 0)
// is d. For n >= 0, BusinessDaysBetween(d, AddBusinessDays(d, n)) == n.
func (h Holidays) AddBusinessDays(d Date, n int) Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		d = d.AddDays(step)
		if h.IsBusinessDay(d) {
			n--
		}
	}
	return d
}

// BusinessDaysBetween counts the business days after a up to and including
// b, so that a request received on a Friday and answered the next Monday
// took one business day. When b is before a the count is negative: minus the
// business days after b up to and including a.
func (h Holidays) BusinessDaysBetween(a, b Date) int {
	sign := 1
	if b.Before(a) {
		a, b, sign = b, a, -1
	}
	n := 0
	for d := a.Next(); !d.After(b); d = d.Next() {
		if h.IsBusinessDay(d) {
			n++
		}
	}
	return sign * n
}
