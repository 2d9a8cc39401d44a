package web

import (
	"fmt"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/store"
)

// NavDR is the nav key of the demand-response pages.
const NavDR = "dr"

// DREventsPage is the Data of console/dr_events: the month's event
// calendar, the programs and the scheduling form.
type DREventsPage struct {
	Month      string // YYYY-MM
	MonthTitle string // "August 2026"
	Prev, Next string // YYYY-MM
	Weeks      [][]CalendarDay
	Programs   []DRProgramRow
	Events     []dr.Event // the month's, in order
	Form       DREventForm
	Violations []dr.Violation // why the last scheduling attempt was refused
	CanWrite   bool
	ProgramOpt []Option
	Pacific    *time.Location // where hours are shown
}

// CalendarDay is one cell of the month grid.
type CalendarDay struct {
	Date    calendar.Date
	InMonth bool
	Holiday string
	Events  []dr.Event
}

// DRProgramRow summarises a program's rules for the console.
type DRProgramRow struct {
	Program dr.Program
	Rules   string
	Tracks  string
}

// DREventForm holds the scheduling form's values.
type DREventForm struct {
	Program, Track, Day, Start, End, Notice, Reason string
	TargetKW                                        string // storage programs: dispatch the fleet at this target
}

func (h *handler) drCatalog() (*dr.Catalog, error) { return dr.Shipped() }

func rulesText(p dr.Program) string {
	r := p.Rules
	if r == nil {
		return "no events"
	}
	var parts []string
	if r.Fixed {
		parts = append(parts, fmt.Sprintf("exactly %s–%s", r.WindowStart, r.WindowEnd))
	} else {
		parts = append(parts, fmt.Sprintf("%d–%d min within %s–%s", r.MinMinutes, r.MaxMinutes, r.WindowStart, r.WindowEnd))
	}
	if r.WeekdaysOnly {
		parts = append(parts, "weekdays")
	}
	if r.ExcludeHolidays {
		parts = append(parts, "no holidays")
	}
	if r.MaxPerYear > 0 {
		parts = append(parts, fmt.Sprintf("at most %d a year", r.MaxPerYear))
	}
	if r.MaxPerWeek > 0 {
		parts = append(parts, fmt.Sprintf("at most %d a week", r.MaxPerWeek))
	}
	if r.DayAhead {
		parts = append(parts, "told the day before")
	} else if r.MinNoticeMinutes > 0 {
		parts = append(parts, fmt.Sprintf("%d min notice", r.MinNoticeMinutes))
	}
	return strings.Join(parts, ", ")
}

// drEvents shows the event calendar of a month (?month=YYYY-MM, default
// this month) with the scheduling form.
func (h *handler) drEvents(w http.ResponseWriter, r *http.Request) {
	page, err := h.drEventsPage(r, r.URL.Query().Get("month"))
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/dr_events", &View{Title: "Demand response", Nav: NavDR, Data: page})
}

func (h *handler) drEventsPage(r *http.Request, month string) (*DREventsPage, error) {
	today := h.today()
	first := calendar.Date{Year: today.Year, Month: today.Month, Day: 1}
	if month != "" {
		t, err := time.Parse("2006-01", month)
		if err != nil {
			return nil, apperr.NotFoundf("web", "There is no calendar for %q.", month)
		}
		first = calendar.Date{Year: t.Year(), Month: t.Month(), Day: 1}
	}
	next := first.AddDays(40)
	next = calendar.Date{Year: next.Year, Month: next.Month, Day: 1}
	prev := first.AddDays(-1)
	page := &DREventsPage{Month: fmt.Sprintf("%04d-%02d", first.Year, first.Month), MonthTitle: fmt.Sprintf("%s %d", first.Month, first.Year),
		Prev: fmt.Sprintf("%04d-%02d", prev.Year, prev.Month), Next: fmt.Sprintf("%04d-%02d", next.Year, next.Month),
		CanWrite: UserFromContext(r.Context()).CanWrite(), Pacific: calendar.Pacific}
	cat, err := h.drCatalog()
	if err != nil {
		return nil, err
	}
	for _, p := range cat.Programs() {
		var tracks []string
		for _, t := range p.Tracks {
			tracks = append(tracks, t.Name)
		}
		page.Programs = append(page.Programs, DRProgramRow{Program: p, Rules: rulesText(p), Tracks: strings.Join(tracks, ", ")})
		if p.Rules != nil {
			page.ProgramOpt = append(page.ProgramOpt, Option{Value: p.Code, Label: p.Name})
		}
	}
	start := first.AddDays(-((int(first.Weekday()) + 6) % 7)) // the Monday on or before the 1st
	evs, err := h.db.DREvents(r.Context(), store.DREventFilter{From: start, To: start.AddDays(42), Limit: 10000})
	if err != nil {
		return nil, err
	}
	byDay := map[calendar.Date][]dr.Event{}
	for _, e := range evs {
		byDay[e.Day()] = append(byDay[e.Day()], e)
		if d := e.Day(); !d.Before(first) && d.Before(next) {
			page.Events = append(page.Events, e)
		}
	}
	hol := calendar.UtilityHolidays()
	for d := start; d.Before(next) || d.Weekday() != time.Monday; d = d.Next() {
		if d.Weekday() == time.Monday {
			page.Weeks = append(page.Weeks, nil)
		}
		name, _ := hol.Holiday(d)
		wk := &page.Weeks[len(page.Weeks)-1]
		*wk = append(*wk, CalendarDay{Date: d, InMonth: d.Month == first.Month, Holiday: name, Events: byDay[d]})
	}
	if page.Form.Program == "" && len(page.ProgramOpt) > 0 {
		page.Form.Program = page.ProgramOpt[0].Value
	}
	return page, nil
}

// drSchedule schedules an event from the form (POST /dr/events); a
// refusal shows the calendar again with every broken rule explained.
func (h *handler) drSchedule(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	form := DREventForm{Program: r.PostFormValue("program"), Track: strings.TrimSpace(r.PostFormValue("track")), Day: r.PostFormValue("day"),
		Start: r.PostFormValue("start"), End: r.PostFormValue("end"), Notice: strings.TrimSpace(r.PostFormValue("notice")),
		Reason: strings.TrimSpace(r.PostFormValue("reason")), TargetKW: strings.TrimSpace(r.PostFormValue("target_kw"))}
	var f apperr.Fields
	var prop dr.Proposal
	d, err := calendar.ParseDate(form.Day)
	if err != nil {
		f.Add("day", "must be a date such as 2026-08-20")
	}
	clock := func(name, v string) time.Time {
		c, err := dr.ParseClock(v)
		if err != nil {
			f.Add(name, "must be a time such as 16:00")
			return time.Time{}
		}
		return c.On(d)
	}
	prop.Start, prop.End = clock("start", form.Start), clock("end", form.End)
	prop.Track, prop.Reason, prop.Level = form.Track, form.Reason, 1
	prop.Notice = h.now()
	if form.Notice != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", form.Notice, calendar.Pacific)
		if err != nil {
			f.Add("notice", "must be a local date and time such as 2026-08-19T14:00")
		}
		prop.Notice = t.UTC()
	}
	cat, err := h.drCatalog()
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	p, err := cat.Program(form.Program)
	if err != nil {
		f.Add("program", "choose a program")
	}
	var target energy.W
	if form.TargetKW != "" {
		kw, perr := energy.ParseKWh(form.TargetKW)
		switch {
		case perr != nil || kw <= 0:
			f.Add("target_kw", "must be a positive number of kW, such as 250")
		case err == nil && p.Kind != dr.Storage:
			f.Add("target_kw", "only a storage program's event dispatches a battery fleet; %s is not one", p.Name)
		default:
			target = energy.W(kw)
		}
	}
	err = f.Err("web.drSchedule")
	var violations []dr.Violation
	if err == nil {
		violations = dr.CheckSchedule(p, prop, h.programEvents(r, p.Code, d), calendar.UtilityHolidays())
		if len(violations) == 0 {
			var ev dr.Event
			err = h.db.InTx(ctx, func(tx *store.Tx) error {
				ev, err = tx.ScheduleEvent(ctx, UserFromContext(ctx).Actor(), p, prop)
				if err != nil || target == 0 {
					return err
				}
				// The event and its fleet plan are stored together.
				_, _, err = tx.DispatchFleet(ctx, UserFromContext(ctx).Actor(), p, ev.ID, target, dr.DefaultSOCPct)
				return err
			})
			if err == nil {
				SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("Event %d scheduled: %s", ev.ID, dr.NoticeText(p, ev))})
				if target > 0 {
					Redirect(w, r, fmt.Sprintf("/dr/events/%d/fleet", ev.ID))
					return
				}
				Redirect(w, r, "/dr/events/"+fmt.Sprint(ev.ID))
				return
			}
			violations = nil
		} else {
			err = dr.ScheduleError(violations)
		}
	}
	if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Conflict {
		h.rd.Error(w, r, err)
		return
	}
	month := ""
	if !d.IsZero() {
		month = fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	}
	page, perr := h.drEventsPage(r, month)
	if perr != nil {
		h.rd.Error(w, r, perr)
		return
	}
	page.Form, page.Violations = form, violations
	v := &View{Title: "Demand response", Nav: NavDR, Data: page}
	v.SetError(err)
	if len(violations) > 0 {
		v.Message = fmt.Sprintf("The event breaks %d rule(s) of %s; nothing was scheduled.", len(violations), p.Name)
	}
	h.rd.Render(w, r, StatusOf(err), "console/dr_events", v)
}

// programEvents returns a program's events around day d's year, for the
// rule check.
func (h *handler) programEvents(r *http.Request, program string, d calendar.Date) []dr.Event {
	evs, _ := h.db.DREvents(r.Context(), store.DREventFilter{Program: program, From: calendar.Date{Year: d.Year, Month: 1, Day: 1}.AddDays(-7),
		To: calendar.Date{Year: d.Year + 1, Month: 1, Day: 1}.AddDays(7), Limit: 10000})
	return evs
}

// DREventPage is the Data of console/dr_event.
type DREventPage struct {
	Event       dr.Event
	Program     dr.Program
	History     []dr.Transition
	Settlements []store.SettlementRecord
	Summary     DRSummary
	Chart       *Chart // baseline vs actual over every settled participant
	CanWrite    bool
	CanCancel   bool
	Pacific     *time.Location // where hours are shown
}

// DRSummary totals an event's settlements.
type DRSummary struct {
	Settled, Unsettled, Overridden int
	ReducedWh, DeltaWh             energy.Wh
	Amount                         int64
}

// drEvent shows one event: its history, the baseline-vs-actual chart over
// its participants and their settlements.
func (h *handler) drEvent(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.notFound(w, r)
		return
	}
	ctx := r.Context()
	e, err := h.db.DREvent(ctx, id)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	cat, err := h.drCatalog()
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	p, err := cat.Program(e.Program)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page := &DREventPage{Event: e, Program: p, CanWrite: UserFromContext(ctx).CanWrite(), CanCancel: dr.CanMove(e.Status, dr.Cancelled), Pacific: calendar.Pacific}
	if page.History, err = h.db.EventHistory(ctx, id); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	if page.Settlements, err = h.db.Settlements(ctx, id, true); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page.Summary, page.Chart = settlementSummary(e, page.Settlements)
	h.rd.Render(w, r, http.StatusOK, "console/dr_event", &View{Title: fmt.Sprintf("%s event %d", p.Name, id), Nav: NavDR, Data: page})
}

// settlementSummary totals settlements and charts the summed baseline
// against the summed actual load, interval by interval, in kWh.
func settlementSummary(e dr.Event, ss []store.SettlementRecord) (DRSummary, *Chart) {
	var sum DRSummary
	type point struct{ base, act float64 }
	pts := map[int64]*point{}
	var times []time.Time
	for _, s := range ss {
		if s.Overridden {
			sum.Overridden++
		}
		if s.Status != dr.Settled {
			sum.Unsettled++
			continue
		}
		sum.Settled++
		sum.ReducedWh += s.ReductionWh
		sum.DeltaWh += s.DeltaWh
		sum.Amount += int64(s.Amount)
		for _, iv := range s.Intervals {
			k := iv.Start.Unix()
			p := pts[k]
			if p == nil {
				p = &point{}
				pts[k] = p
				times = append(times, iv.Start)
			}
			p.base += float64(iv.BaselineWh) / 1000
			if iv.ActualWh >= 0 {
				p.act += float64(iv.ActualWh) / 1000
			}
		}
	}
	if len(times) == 0 {
		return sum, nil
	}
	sortTimes(times)
	c := &Chart{Title: fmt.Sprintf("Baseline and actual load, event %d (all settled participants)", e.ID), Unit: "kWh", Times: times,
		Series: []Series{{Label: "Baseline"}, {Label: "Actual"}}}
	for _, t := range times {
		p := pts[t.Unix()]
		c.Series[0].Values = append(c.Series[0].Values, math.Round(p.base*1000)/1000)
		c.Series[1].Values = append(c.Series[1].Values, math.Round(p.act*1000)/1000)
	}
	return sum, c
}

func sortTimes(ts []time.Time) { slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) }) }

// drCancel cancels an event (POST /dr/events/{id}/cancel).
func (h *handler) drCancel(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.notFound(w, r)
		return
	}
	ctx := r.Context()
	err = h.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.MoveEvent(ctx, UserFromContext(ctx).Actor(), id, dr.Cancelled, strings.TrimSpace(r.PostFormValue("note")))
		return err
	})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("Event %d cancelled.", id)})
	Redirect(w, r, "/dr/events/"+url.PathEscape(fmt.Sprint(id)))
}
