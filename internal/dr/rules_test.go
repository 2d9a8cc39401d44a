package dr

import (
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

func program(t *testing.T, code string) Program {
	t.Helper()
	c, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Program(code)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// pmpDay is a PMP event 16:00–21:00 on d, noticed the afternoon before.
func pmpDay(d calendar.Date) Proposal {
	return Proposal{Event: Event{Program: "pmp", Start: at(d, 16), End: at(d, 21), Status: Scheduled}, Notice: at(d.AddDays(-1), 14)}
}

func rules(vs []Violation) []string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Rule)
	}
	return out
}

func only(t *testing.T, name string, vs []Violation, rule string) {
	t.Helper()
	if len(vs) != 1 || vs[0].Rule != rule {
		t.Errorf("%s: violations %v, want only %s", name, rules(vs), rule)
	}
}

// CPA PMP (research/dr-ev.md §6.1): events only on non-holiday weekdays,
// 4–9 pm, at most 12 event days a year and two a week, told in advance.
func TestPMPSchedulingRules(t *testing.T) {
	p := program(t, "pmp")
	hol := calendar.UtilityHolidays()
	// Twelve events already in 2026: Tuesdays and Thursdays from 2 June.
	var held []Event
	for i, d := 0, day(2026, 6, 2); len(held) < 12; d = d.AddDays(1) {
		if wd := d.Weekday(); wd == time.Tuesday || wd == time.Thursday {
			i++
			held = append(held, Event{ID: int64(i), Program: "pmp", Start: at(d, 16), End: at(d, 21), Status: Completed})
		}
	}
	if vs := CheckSchedule(p, pmpDay(day(2026, 8, 5)), held[:11], hol); len(vs) != 0 {
		t.Errorf("the 12th event on a Wednesday: %v, want none", vs)
	}
	vs := CheckSchedule(p, pmpDay(day(2026, 8, 19)), held, hol)
	only(t, "13th event", vs, "max_per_year")
	if len(vs) == 1 && !strings.Contains(vs[0].Message, "at most 12") {
		t.Errorf("message %q does not state the cap", vs[0].Message)
	}
	// A cancelled event counts toward the cap (PG&E PDP's rule, the
	// program's setting).
	withCancelled := append([]Event(nil), held...)
	withCancelled[11].Status = Cancelled
	only(t, "13th with one cancelled", CheckSchedule(p, pmpDay(day(2026, 8, 19)), withCancelled, hol), "max_per_year")

	only(t, "Labor Day", CheckSchedule(p, pmpDay(day(2026, 9, 7)), nil, hol), "holiday")
	only(t, "a Saturday", CheckSchedule(p, pmpDay(day(2026, 8, 15)), nil, hol), "weekdays_only")
	// The third in a Monday–Sunday week: Tue 2 and Thu 4 June are held.
	only(t, "third in a week", CheckSchedule(p, pmpDay(day(2026, 6, 5)), held[:2], hol), "max_per_week")
	// Consecutive days are allowed: Wed 3 June after Tue 2 June.
	if vs := CheckSchedule(p, pmpDay(day(2026, 6, 3)), held[:1], hol); len(vs) != 0 {
		t.Errorf("consecutive: %v", vs)
	}
	short := pmpDay(day(2026, 8, 5))
	short.Notice = at(day(2026, 8, 5), 9)
	only(t, "same-day notice", CheckSchedule(p, short, nil, hol), "day_ahead")
	late := pmpDay(day(2026, 8, 5))
	late.Notice = at(day(2026, 8, 5), 17)
	only(t, "notice after the start", CheckSchedule(p, late, nil, hol), "min_notice")
	odd := pmpDay(day(2026, 8, 5))
	odd.Start = at(day(2026, 8, 5), 15)
	if vs := CheckSchedule(p, odd, nil, hol); len(vs) != 2 || vs[0].Rule != "window" || vs[1].Rule != "max_length" ||
		!strings.Contains(vs[0].Message, "16:00–21:00") {
		t.Errorf("3–9 pm: %+v, want the window and the 5-hour length", vs)
	}
}

func TestPowerResponseWindowSeasonAndNotice(t *testing.T) {
	p := program(t, "power_response")
	hol := calendar.UtilityHolidays()
	d := day(2026, 7, 15)
	ok := Proposal{Event: Event{Program: p.Code, Start: at(d, 17), End: at(d, 19)}, Notice: at(d, 14)}
	if vs := CheckSchedule(p, ok, nil, hol); len(vs) != 0 {
		t.Errorf("5–7 pm with 3 hours' notice: %v", vs)
	}
	short := ok
	short.Notice = at(d, 16)
	only(t, "one hour's notice", CheckSchedule(p, short, nil, hol), "min_notice")
	oct := Proposal{Event: Event{Program: p.Code, Start: at(day(2026, 10, 14), 17), End: at(day(2026, 10, 14), 19)}, Notice: at(day(2026, 10, 14), 9)}
	only(t, "October", CheckSchedule(p, oct, nil, hol), "season")
	long := ok
	long.Start = at(d, 13)
	long.End = at(d, 20)
	long.Notice = at(d, 9)
	only(t, "seven hours", CheckSchedule(p, long, nil, hol), "max_length")
	late := ok
	late.End = at(d, 22)
	only(t, "past 9 pm", CheckSchedule(p, late, nil, hol), "window")
	clash := []Event{{ID: 7, Program: p.Code, Start: at(d, 18), End: at(d, 20), Status: Scheduled}}
	only(t, "overlap", CheckSchedule(p, ok, clash, hol), "overlap")
	bad := ok
	bad.Track = "vip"
	only(t, "unknown track", CheckSchedule(p, bad, nil, hol), "track")
	only(t, "EV SmartCharge holds no events", CheckSchedule(program(t, "ev_smartcharge"), ok, nil, hol), "no_events")
}

func TestScheduleErrorNamesFieldAndRule(t *testing.T) {
	err := ScheduleError([]Violation{{Rule: "holiday", Field: "start", Message: "2026-09-07 is Labor Day"}})
	fs := apperr.FieldsOf(err)
	if !apperr.Is(err, apperr.Invalid) || len(fs) != 1 || fs[0].Field != "start" || !strings.HasPrefix(fs[0].Msg, "holiday: ") {
		t.Errorf("ScheduleError = %v", err)
	}
	if ScheduleError(nil) != nil {
		t.Error("no violations is no error")
	}
}

func TestEventLifecycle(t *testing.T) {
	d := day(2026, 7, 15)
	e := Event{ID: 1, Program: "pmp", Start: at(d, 16), End: at(d, 21), Status: Scheduled}
	if err := Move(&e, Active, at(d, 17)); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("scheduled → active skips notifying: %v", err)
	}
	if err := Move(&e, Notified, at(d.AddDays(-1), 14)); err != nil || e.NotifiedAt.IsZero() {
		t.Fatalf("notify: %v", err)
	}
	if Due(e, at(d, 15)) != Notified || Due(e, at(d, 16)) != Active || Due(e, at(d, 21)) != Active {
		t.Errorf("Due by the clock is wrong")
	}
	if err := Move(&e, Active, at(d, 15)); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("active before the start: %v", err)
	}
	if err := Move(&e, Active, at(d, 16)); err != nil {
		t.Fatal(err)
	}
	if err := Move(&e, Completed, at(d, 21)); err != nil {
		t.Fatal(err)
	}
	if err := Move(&e, Cancelled, at(d, 22)); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("completed → cancelled: %v", err)
	}
}

// The PMP calendar handed to billing.CPP.EventDays: the days of the
// program's events that were not cancelled, in order, once each.
func TestEventDaysAreThePeakPricingCalendar(t *testing.T) {
	evs := []Event{
		{Program: "pmp", Start: at(day(2026, 8, 20), 16), Status: Completed},
		{Program: "pmp", Start: at(day(2026, 7, 9), 16), Status: Completed},
		{Program: "pmp", Start: at(day(2026, 7, 10), 16), Status: Cancelled},
		{Program: "power_response", Start: at(day(2026, 7, 14), 17), Status: Completed},
		{Program: "pmp", Start: at(day(2026, 9, 1), 16), Status: Scheduled},
	}
	p, _ := calendar.NewPeriod(day(2026, 7, 1), day(2026, 9, 1))
	got := EventDays(evs, "pmp", p)
	if len(got) != 2 || got[0] != day(2026, 7, 9) || got[1] != day(2026, 8, 20) {
		t.Errorf("EventDays = %v, want 2026-07-09 and 2026-08-20", got)
	}
}

func TestShippedProgramsAreValidAndCiteSources(t *testing.T) {
	c, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Programs() {
		if len(p.Sources) == 0 {
			t.Errorf("%s has no sources", p.Code)
		}
	}
	pmp := program(t, "pmp")
	if r := pmp.Rules; r.MaxPerYear != 12 || r.MaxPerWeek != 2 || !r.WeekdaysOnly || !r.ExcludeHolidays || r.WindowStart.String() != "16:00" || r.WindowEnd.String() != "21:00" {
		t.Errorf("PMP rules %+v differ from CPA's published ones", r)
	}
	if _, err := ParseCatalog([]byte(`{"programs":[{"code":"x"}]}`)); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("bad program accepted: %v", err)
	}
}
