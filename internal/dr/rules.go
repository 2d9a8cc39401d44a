package dr

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

// Violation is one program rule a proposed event breaks.
type Violation struct {
	Rule    string `json:"rule"`  // e.g. "max_per_year", "holiday", "min_notice"
	Field   string `json:"field"` // the input at fault: start, end, track, notice
	Message string `json:"message"`
}

// Proposal is an event someone wants to schedule: its program, track and
// times, and when its participants would be told.
type Proposal struct {
	Event
	// Notice is when participants will be notified (usually now).
	Notice time.Time
}

// CheckSchedule returns every rule of program p that the proposed event
// breaks, given the program's other events (any status; cancelled ones
// count toward the caps only where the rules say so) and the holiday
// calendar. An empty result means the event may be scheduled. The rules
// are those of research/dr-ev.md §6.4: the annual and weekly caps,
// weekdays and holidays, the event window and length, the season and the
// minimum notice.
func CheckSchedule(p Program, prop Proposal, others []Event, hol calendar.Holidays) []Violation {
	var out []Violation
	add := func(rule, field, format string, args ...any) {
		out = append(out, Violation{Rule: rule, Field: field, Message: fmt.Sprintf(format, args...)})
	}
	r := p.Rules
	if r == nil {
		add("no_events", "program", "%s holds no events", p.Name)
		return out
	}
	e := prop.Event
	if e.Track != "" {
		if _, ok := p.Track(e.Track); !ok {
			add("track", "track", "%s has no track %q", p.Name, e.Track)
		}
	}
	if !e.End.After(e.Start) {
		add("order", "end", "the event must end after it starts")
		return out
	}
	day := e.Day()
	dayEnd := day.Next().Start()
	if e.End.After(dayEnd) {
		add("one_day", "end", "an event ends on the local day it starts (by %s)", clockAt(dayEnd, day))
	}
	ws, we := r.WindowStart.On(day), r.WindowEnd.On(day)
	if r.Fixed {
		if !e.Start.Equal(ws) || !e.End.Equal(we) {
			add("window", "start", "%s events run exactly %s–%s local time; this one runs %s–%s",
				p.Name, r.WindowStart, r.WindowEnd, clockAt(e.Start, day), clockAt(e.End, day))
		}
	} else if e.Start.Before(ws) || e.End.After(we) {
		add("window", "start", "%s events fall within %s–%s local time; this one runs %s–%s",
			p.Name, r.WindowStart, r.WindowEnd, clockAt(e.Start, day), clockAt(e.End, day))
	}
	d := e.Duration()
	if d < time.Duration(r.MinMinutes)*time.Minute {
		add("min_length", "end", "%s events last at least %s; this one lasts %s", p.Name, minutes(r.MinMinutes), minutes(int(d/time.Minute)))
	}
	if r.MaxMinutes > 0 && d > time.Duration(r.MaxMinutes)*time.Minute {
		add("max_length", "end", "%s events last at most %s; this one lasts %s", p.Name, minutes(r.MaxMinutes), minutes(int(d/time.Minute)))
	}
	wd := day.Weekday()
	if r.WeekdaysOnly && (wd == time.Saturday || wd == time.Sunday) {
		add("weekdays_only", "start", "%s events fall on weekdays only; %s is a %s", p.Name, day, wd)
	}
	if name, ok := hol.Holiday(day); ok && r.ExcludeHolidays {
		add("holiday", "start", "%s events are not held on holidays; %s is %s", p.Name, day, name)
	}
	if len(r.Months) > 0 && !slices.Contains(r.Months, int(day.Month)) {
		add("season", "start", "%s events are held in %s only; %s is in %s", p.Name, monthList(r.Months), day, day.Month)
	}
	var year, week int
	var hours time.Duration
	mon := day.AddDays(-((int(wd) + 6) % 7)) // Monday of the event's week
	for _, o := range others {
		if o.Program != p.Code || (e.ID != 0 && o.ID == e.ID) {
			continue
		}
		if o.Status != Cancelled && o.Start.Before(e.End) && e.Start.Before(o.End) && (o.Track == "" || e.Track == "" || o.Track == e.Track) {
			add("overlap", "start", "event %d of %s already runs %s–%s that day", o.ID, p.Name, clockAt(o.Start, o.Day()), clockAt(o.End, o.Day()))
		}
		if !o.Counts(r) {
			continue
		}
		od := o.Day()
		if od.Year == day.Year {
			year++
			hours += o.Duration()
		}
		if !od.Before(mon) && od.Before(mon.AddDays(7)) {
			week++
		}
	}
	counted := "held or scheduled"
	if r.CancelledCounts {
		counted = "held, scheduled or cancelled (cancelled events count)"
	}
	if r.MaxPerYear > 0 && year >= r.MaxPerYear {
		add("max_per_year", "start", "%s allows at most %d events a year; %d are already %s in %d", p.Name, r.MaxPerYear, year, counted, day.Year)
	}
	if r.MaxPerWeek > 0 && week >= r.MaxPerWeek {
		add("max_per_week", "start", "%s allows at most %d events a week; %d are already %s in the week of %s", p.Name, r.MaxPerWeek, week, counted, mon)
	}
	if r.MaxHoursPerYear > 0 && hours+d > time.Duration(r.MaxHoursPerYear)*time.Hour {
		add("max_hours_per_year", "end", "%s allows at most %d event hours a year; %.1f are already used in %d", p.Name, r.MaxHoursPerYear, hours.Hours(), day.Year)
	}
	if !prop.Notice.IsZero() {
		lead := e.Start.Sub(prop.Notice)
		switch {
		case lead <= 0:
			add("min_notice", "start", "the event starts before participants could be notified (%s)", prop.Notice.In(calendar.Pacific).Format("Jan 2 3:04 PM MST"))
		case lead < time.Duration(r.MinNoticeMinutes)*time.Minute:
			add("min_notice", "start", "%s needs at least %s notice; notifying at %s gives %s", p.Name, minutes(r.MinNoticeMinutes),
				prop.Notice.In(calendar.Pacific).Format("Jan 2 3:04 PM MST"), minutes(int(lead/time.Minute)))
		}
		if r.DayAhead && lead > 0 && !calendar.DateOf(prop.Notice).Before(day) {
			add("day_ahead", "start", "%s participants are told the day before; a notice on %s is too late for an event that day", p.Name, calendar.DateOf(prop.Notice))
		}
	}
	return out
}

// ScheduleError turns violations into one Invalid error whose field
// errors name the input and the rule.
func ScheduleError(vs []Violation) error {
	if len(vs) == 0 {
		return nil
	}
	var f apperr.Fields
	for _, v := range vs {
		f.Add(v.Field, "%s: %s", v.Rule, v.Message)
	}
	return f.Err("dr.CheckSchedule")
}

func clockAt(t time.Time, day calendar.Date) string {
	l := t.In(calendar.Pacific)
	if calendar.DateOf(t) != day && l.Hour() == 0 && l.Minute() == 0 {
		return "24:00"
	}
	return l.Format("15:04")
}

func minutes(m int) string {
	switch {
	case m%60 == 0:
		return fmt.Sprintf("%d h", m/60)
	case m > 60:
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	}
	return fmt.Sprintf("%d min", m)
}

func monthList(ms []int) string {
	var s []string
	for _, m := range ms {
		s = append(s, time.Month(m).String()[:3])
	}
	return strings.Join(s, ", ")
}

func containsDate(ds []calendar.Date, d calendar.Date) bool { return slices.Contains(ds, d) }

func sortDates(ds []calendar.Date) {
	slices.SortFunc(ds, func(a, b calendar.Date) int { return a.Compare(b) })
}
