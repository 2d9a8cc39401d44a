package openadr

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
)

// catalogEpoch stands for the creation time of gridbook's built-in
// programs, which carry none.
var catalogEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// isoDuration writes d as an ISO 8601 duration: PT5H, PT1H30M, PT45M.
func isoDuration(d time.Duration) string {
	if d <= 0 {
		return "PT0S"
	}
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	out := "PT"
	if h > 0 {
		out += fmt.Sprintf("%dH", h)
	}
	if m > 0 {
		out += fmt.Sprintf("%dM", m)
	}
	if s > 0 {
		out += fmt.Sprintf("%dS", s)
	}
	return out
}

// parseISODuration reads the hours, minutes and seconds of an ISO 8601
// duration (days count as 24 hours); years, months and weeks are refused.
func parseISODuration(s string) (time.Duration, error) {
	rest, ok := strings.CutPrefix(s, "P")
	if !ok || rest == "" {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration such as PT4H", s)
	}
	var d time.Duration
	inTime, parts := false, 0
	num := ""
	for _, c := range rest {
		switch {
		case c >= '0' && c <= '9':
			num += string(c)
		case c == 'T':
			inTime = true
		default:
			var n int
			parts++
			if _, err := fmt.Sscanf(num, "%d", &n); err != nil {
				return 0, fmt.Errorf("%q is not an ISO 8601 duration such as PT4H", s)
			}
			num = ""
			switch {
			case c == 'D' && !inTime:
				d += time.Duration(n) * 24 * time.Hour
			case c == 'H' && inTime:
				d += time.Duration(n) * time.Hour
			case c == 'M' && inTime:
				d += time.Duration(n) * time.Minute
			case c == 'S' && inTime:
				d += time.Duration(n) * time.Second
			default:
				return 0, fmt.Errorf("%q: only days, hours, minutes and seconds are accepted", s)
			}
		}
	}
	if num != "" || parts == 0 {
		return 0, fmt.Errorf("%q is not an ISO 8601 duration such as PT4H", s)
	}
	return d, nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// programJSON is a gridbook program as an OpenADR program.
func programJSON(p dr.Program) map[string]any {
	return map[string]any{
		"id": p.Code, "createdDateTime": stamp(catalogEpoch), "modificationDateTime": stamp(catalogEpoch), "objectType": "PROGRAM",
		"programName": p.Code, "programDescriptions": nil, "payloadDescriptors": nil, "targets": nil,
		"attributes": []any{map[string]any{"type": "DESCRIPTION", "values": []any{p.Name + ": " + p.Description}}},
	}
}

// reportDescriptors asks VENs for what settlement and dispatch use
// (research/dr-ev.md §1.5).
func reportDescriptors() []any {
	var out []any
	for _, t := range []struct{ payload, reading, units string }{
		{"USAGE", "DIRECT_READ", "KWH"}, {"DELTA_USAGE", "DIRECT_READ", "KWH"}, {"BASELINE", "ESTIMATED", "KWH"}, {"OPERATING_STATE", "", ""},
	} {
		d := map[string]any{"payloadType": t.payload, "aggregate": false, "startInterval": -1, "numIntervals": -1, "historical": true,
			"frequency": -1, "repeat": 1, "reportIntervals": "INTERVALS", "targets": nil}
		if t.reading != "" {
			d["readingType"], d["units"] = t.reading, t.units
		}
		out = append(out, d)
	}
	return out
}

// eventJSON is a gridbook event as an OpenADR event, with the payloads of
// its program: thermostat programs pre-cool (CONTROL_LEVEL_OFFSET −2 °F
// for the precondition minutes) then offset the setpoint (the event's
// offset, +3 °F by default, research/dr-ev.md §7); the others carry the
// SIMPLE level.
func eventJSON(p dr.Program, e dr.Event) map[string]any {
	payload := "SIMPLE"
	var intervals []any
	start := e.Start
	units := any(nil)
	if p.Signal == "CONTROL_LEVEL_OFFSET" {
		payload, units = "CONTROL_LEVEL_OFFSET", "FAHRENHEIT"
		off := e.OffsetF
		if off == 0 {
			off = 3
		}
		var pre time.Duration
		if p.Rules != nil {
			pre = time.Duration(p.Rules.PreconditionMinutes) * time.Minute
		}
		if pre > 0 {
			start = e.Start.Add(-pre)
			intervals = append(intervals, map[string]any{"id": 0, "intervalPeriod": map[string]any{"start": stamp(start), "duration": isoDuration(pre)},
				"payloads": []any{map[string]any{"type": payload, "values": []any{-2}}}})
		}
		intervals = append(intervals, map[string]any{"id": len(intervals), "intervalPeriod": map[string]any{"start": stamp(e.Start), "duration": isoDuration(e.Duration())},
			"payloads": []any{map[string]any{"type": payload, "values": []any{off}}}})
	} else {
		intervals = []any{map[string]any{"id": 0, "payloads": []any{map[string]any{"type": payload, "values": []any{e.Level}}}}}
	}
	name := fmt.Sprintf("%s %s", p.Name, calendar.DateOf(e.Start))
	if e.Reason != "" {
		name += ": " + e.Reason
	}
	mod := e.Created
	if e.NotifiedAt.After(mod) {
		mod = e.NotifiedAt
	}
	return map[string]any{
		"id": fmt.Sprintf("event-%d", e.ID), "createdDateTime": stamp(e.Created), "modificationDateTime": stamp(mod), "objectType": "EVENT",
		"programID": p.Code, "eventName": name, "priority": 0, "targets": nil,
		"payloadDescriptors": []any{map[string]any{"objectType": "EVENT_PAYLOAD_DESCRIPTOR", "payloadType": payload, "units": units, "currency": nil}},
		"reportDescriptors":  reportDescriptors(),
		"intervalPeriod":     map[string]any{"start": stamp(start), "duration": isoDuration(e.End.Sub(start))},
		"intervals":          intervals,
	}
}

func (v *VTN) catalog() (*dr.Catalog, error) { return v.cat, v.catErr }

func (v *VTN) listPrograms(w http.ResponseWriter, r *http.Request, _ caller) {
	cat, err := v.catalog()
	if err != nil {
		v.fail(w, r, err)
		return
	}
	var all []map[string]any
	for _, p := range cat.Programs() {
		all = append(all, programJSON(p))
	}
	tps, err := v.tariffPrograms(r.Context())
	if err != nil {
		v.fail(w, r, err)
		return
	}
	all = append(all, tps...)
	out, err := page(r, all)
	if err != nil {
		v.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (v *VTN) getProgram(w http.ResponseWriter, r *http.Request, _ caller) {
	cat, err := v.catalog()
	if err != nil {
		v.fail(w, r, err)
		return
	}
	if id := r.PathValue("id"); isTariff(id) {
		v.getTariffProgram(w, r, id)
		return
	}
	p, err := cat.Program(r.PathValue("id"))
	if err != nil {
		v.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, programJSON(p))
}

func (v *VTN) listEvents(w http.ResponseWriter, r *http.Request, c caller) {
	q := r.URL.Query()
	active := false
	if s := q.Get("active"); s != "" {
		active = s == "true"
		if s != "true" && s != "false" {
			v.fail(w, r, apperr.Invalidf("openadr", "active must be true or false"))
			return
		}
	}
	if pid := q.Get("programID"); isTariff(pid) {
		evs, err := v.tariffEvents(r.Context(), pid)
		if err != nil {
			v.fail(w, r, err)
			return
		}
		out, err := page(r, evs)
		if err != nil {
			v.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	cat, err := v.catalog()
	if err != nil {
		v.fail(w, r, err)
		return
	}
	// A poll answered a moment ago for the same query and targets is
	// answered again from memory (pollCache).
	gen := v.poll.generation()
	ts, ok := v.poll.clientTargets(c.ClientID)
	if !ok {
		if ts, err = v.targetsOf(r.Context(), c); err != nil {
			v.fail(w, r, err)
			return
		}
		if !c.bl() {
			v.poll.putTargets(c.ClientID, gen, ts)
		}
	}
	key := r.URL.RawQuery + "\x01" + ts.key()
	if b, ok := v.poll.body(key); ok {
		writeBody(w, http.StatusOK, b)
		return
	}
	evs, err := v.db.DREvents(r.Context(), store.DREventFilter{Program: q.Get("programID"), Limit: 10000})
	if err != nil {
		v.fail(w, r, err)
		return
	}
	now := v.db.Now()
	var live []dr.Event
	for _, e := range evs {
		if e.Status != dr.Cancelled && (!active || e.End.After(now)) {
			live = append(live, e)
		}
	}
	var all []map[string]any
	for _, e := range live {
		if p, err := cat.Program(e.Program); err == nil {
			all = append(all, eventJSON(p, e))
		}
	}
	dispatches, err := v.dispatchEvents(r.Context(), cat, live)
	if err != nil {
		v.fail(w, r, err)
		return
	}
	if pid := q.Get("programID"); pid == "" || pid == evPlanProgram {
		plans, err := v.evPlanEvents(r.Context())
		if err != nil {
			v.fail(w, r, err)
			return
		}
		dispatches = append(dispatches, plans...)
	}
	all = slices.DeleteFunc(append(all, dispatches...), func(ev map[string]any) bool { return !ts.sees(ev) || !matches(ev, q["targets"]) })
	out, err := page(r, all)
	if err != nil {
		v.fail(w, r, err)
		return
	}
	b, err := json.Marshal(out)
	if err != nil {
		v.fail(w, r, err)
		return
	}
	b = append(b, '\n')
	v.poll.putBody(key, gen, b)
	writeBody(w, http.StatusOK, b)
}

func (v *VTN) getEvent(w http.ResponseWriter, r *http.Request, c caller) {
	ev, err := v.anyEvent(r.Context(), r.PathValue("id"))
	if err != nil {
		v.fail(w, r, err)
		return
	}
	ts, err := v.targetsOf(r.Context(), c)
	if err != nil {
		v.fail(w, r, err)
		return
	}
	if !ts.sees(ev) {
		// An event targeted at another VEN's resource (a battery's
		// dispatch) is not found, as in the lists: its existence is not
		// told to a VEN it does not concern.
		v.fail(w, r, apperr.NotFoundf("openadr", "event %s not found", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, ev)
}

// anyEvent returns an event of the VTN by id as its JSON object: a
// gridbook event ("event-<n>"), a battery's dispatch ("dispatch-…"), a
// vehicle's charging plan ("evplan-…") or a tariff program's day ("tou-…").
func (v *VTN) anyEvent(ctx context.Context, id string) (map[string]any, error) {
	switch {
	case isTariff(id):
		return v.tariffEventByID(ctx, id)
	case strings.HasPrefix(id, "dispatch-"):
		return v.dispatchEvent(ctx, id)
	case strings.HasPrefix(id, "evplan-"):
		return v.evPlanEvent(ctx, id)
	}
	e, p, err := v.event(ctx, id)
	if err != nil {
		return nil, err
	}
	return eventJSON(p, e), nil
}

func (v *VTN) event(ctx context.Context, id string) (dr.Event, dr.Program, error) {
	e, err := v.programEvent(ctx, id)
	if err != nil {
		return e, dr.Program{}, err
	}
	cat, err := v.catalog()
	if err != nil {
		return e, dr.Program{}, err
	}
	p, err := cat.Program(e.Program)
	return e, p, err
}

// eventRequest is what a BL may send to create an event.
type eventRequest struct {
	ProgramID      string `json:"programID"`
	EventName      string `json:"eventName"`
	IntervalPeriod *struct {
		Start    string `json:"start"`
		Duration string `json:"duration"`
	} `json:"intervalPeriod"`
	Intervals []struct {
		Payloads []struct {
			Type   string `json:"type"`
			Values []any  `json:"values"`
		} `json:"payloads"`
	} `json:"intervals"`
}

// decode reads a JSON body (up to 1 MiB) into dst.
func decode(r *http.Request, dst any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20+1))
	if err != nil || len(b) > 1<<20 {
		return apperr.Invalidf("openadr", "the body is unreadable or larger than 1 MiB")
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return apperr.Invalidf("openadr", "malformed JSON: %v", err)
	}
	return nil
}

// createEvent schedules a gridbook event from a BL's eventRequest: the
// program's rules decide (a broken rule is 400 naming it).
func (v *VTN) createEvent(w http.ResponseWriter, r *http.Request, c caller) {
	var req eventRequest
	if err := decode(r, &req); err != nil {
		v.fail(w, r, err)
		return
	}
	var f apperr.Fields
	if req.ProgramID == "" {
		f.Add("programID", "is required")
	}
	var start time.Time
	var dur time.Duration
	if req.IntervalPeriod == nil {
		f.Add("intervalPeriod", "start and duration are required")
	} else {
		var err error
		if start, err = time.Parse(time.RFC3339, req.IntervalPeriod.Start); err != nil {
			f.Add("intervalPeriod.start", "must be an RFC 3339 date-time")
		}
		if dur, err = parseISODuration(req.IntervalPeriod.Duration); err != nil || dur <= 0 {
			f.Add("intervalPeriod.duration", "must be a positive ISO 8601 duration such as PT4H")
		}
	}
	level := 1
	for _, iv := range req.Intervals {
		for _, pl := range iv.Payloads {
			if pl.Type == "SIMPLE" && len(pl.Values) == 1 {
				if n, ok := pl.Values[0].(float64); ok && n >= 1 && n <= 3 && n == float64(int(n)) {
					level = int(n)
				} else {
					f.Add("intervals.payloads", "a SIMPLE value must be 1, 2 or 3")
				}
			}
		}
	}
	if err := f.Err("openadr.createEvent"); err != nil {
		v.fail(w, r, err)
		return
	}
	cat, err := v.catalog()
	if err != nil {
		v.fail(w, r, err)
		return
	}
	p, err := cat.Program(req.ProgramID)
	if err != nil {
		v.fail(w, r, apperr.Invalidf("openadr", "programID %q is not a program of this VTN", req.ProgramID))
		return
	}
	var e dr.Event
	err = v.db.InTx(r.Context(), func(tx *store.Tx) error {
		var err error
		e, err = tx.ScheduleEvent(r.Context(), c.actor(), p, dr.Proposal{Event: dr.Event{Start: start.UTC(), End: start.UTC().Add(dur), Level: level,
			Reason: req.EventName}, Notice: v.db.Now()})
		if err != nil {
			return err
		}
		return recordOwn(r.Context(), tx, e.ID, e.Status)
	})
	if err != nil {
		v.fail(w, r, err)
		return
	}
	obj := eventJSON(p, e)
	writeJSON(w, http.StatusCreated, obj)
	v.notify(context.WithoutCancel(r.Context()), "EVENT", "CREATE", p.Code, obj)
}

func (v *VTN) putEvent(w http.ResponseWriter, r *http.Request, _ caller) {
	if _, _, err := v.event(r.Context(), r.PathValue("id")); err != nil {
		v.fail(w, r, err)
		return
	}
	problem(w, r, http.StatusConflict, "an event's times are set when it is scheduled; DELETE cancels it and a new event may be created")
}

// deleteEvent cancels the event and answers it as it was.
func (v *VTN) deleteEvent(w http.ResponseWriter, r *http.Request, c caller) {
	e, p, err := v.event(r.Context(), r.PathValue("id"))
	if err != nil {
		v.fail(w, r, err)
		return
	}
	err = v.db.InTx(r.Context(), func(tx *store.Tx) error {
		if _, err := tx.MoveEvent(r.Context(), c.actor(), e.ID, dr.Cancelled, "cancelled through the OpenADR VTN"); err != nil {
			return err
		}
		return recordOwn(r.Context(), tx, e.ID, dr.Cancelled)
	})
	if err != nil {
		v.fail(w, r, err)
		return
	}
	obj := eventJSON(p, e)
	writeJSON(w, http.StatusOK, obj)
	v.notify(context.WithoutCancel(r.Context()), "EVENT", "DELETE", p.Code, obj)
}
