package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
)

// DRReportPage is the Data of console/dr_report: a program's year as CPA
// reports it.
type DRReportPage struct {
	Program  dr.Program
	Year     int
	Programs []Option
	Report   dr.ProgramReport
	PerEvent *Chart // kWh reduced per event, floored and unfloored
	Events   []dr.Event
}

// drReport shows a program's figures for a year (?program=&year=):
// participants by track, households income-qualified or in DACs, events
// held, kWh reduced both as the floored sum and the portfolio delta, and
// a chart per event.
func (h *handler) drReport(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	cat, err := h.drCatalog()
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	code := q.Get("program")
	if code == "" {
		code = "power_response"
	}
	p, err := cat.Program(code)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	year := h.today().Year
	if y, err := strconv.Atoi(q.Get("year")); err == nil && y > 2000 && y < 2200 {
		year = y
	}
	page := &DRReportPage{Program: p, Year: year}
	for _, x := range cat.Programs() {
		if x.Rules != nil {
			page.Programs = append(page.Programs, Option{Value: x.Code, Label: x.Name})
		}
	}
	from, to := calendar.Date{Year: year, Month: time.January, Day: 1}, calendar.Date{Year: year + 1, Month: time.January, Day: 1}
	evs, err := h.db.DREvents(ctx, store.DREventFilter{Program: code, From: from, To: to, Limit: 10000})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page.Events = evs
	// Participants: those enrolled on the day of the year's last event
	// (or on 1 July when there was none).
	on := calendar.Date{Year: year, Month: time.July, Day: 1}
	if n := len(evs); n > 0 {
		on = evs[n-1].Day()
	}
	enrolled, err := h.db.DRParticipants(ctx, code, "", on)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	parts := make([]dr.Participant, len(enrolled))
	for i, e := range enrolled {
		parts[i] = e.Participant
	}
	ss, err := h.db.ProgramSettlements(ctx, code, from, to)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	settlements := make([]dr.Settlement, len(ss))
	byEvent := map[int64][2]float64{}
	for i, s := range ss {
		settlements[i] = s.Settlement
		if s.Status == dr.Settled {
			v := byEvent[s.EventID]
			v[0] += float64(s.ReductionWh) / 1000
			v[1] += float64(s.DeltaWh) / 1000
			byEvent[s.EventID] = v
		}
	}
	page.Report = dr.Report(p, parts, evs, settlements)
	if len(byEvent) > 0 {
		c := &Chart{Title: fmt.Sprintf("kWh reduced per event, %s %d", p.Name, year), Kind: ChartBars, Unit: "kWh", XLabel: "Event",
			Series: []Series{{Label: "Floored per participant"}, {Label: "Portfolio delta"}}}
		for _, e := range evs {
			v, ok := byEvent[e.ID]
			if !ok {
				continue
			}
			c.Labels = append(c.Labels, e.Day().String())
			c.Series[0].Values = append(c.Series[0].Values, v[0])
			c.Series[1].Values = append(c.Series[1].Values, v[1])
		}
		page.PerEvent = c
	}
	h.rd.Render(w, r, http.StatusOK, "console/dr_report", &View{Title: "Program report", Nav: NavDR, Data: page})
}
