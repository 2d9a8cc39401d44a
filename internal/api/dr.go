package api

import (
	"context"
	"net/http"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/store"
)

// The demand-response resources: programs, events with their history,
// settlements and overrides, the event-day calendar, an account's events,
// and the TOU signal devices poll.

func (h *handler) drRoutes(mux *http.ServeMux) {
	h.handle(mux, "GET /dr/programs", read, h.listDRPrograms)
	h.handle(mux, "GET /dr/events", read, h.listDREvents)
	h.handle(mux, "POST /dr/events", write, h.scheduleDREvent)
	h.handle(mux, "GET /dr/events/{id}", read, h.getDREvent)
	h.handle(mux, "POST /dr/events/{id}/cancel", write, h.cancelDREvent)
	h.handle(mux, "GET /dr/events/{id}/settlements", read, h.listDRSettlements)
	h.handle(mux, "POST /dr/events/{id}/overrides", read, h.overrideDREvent)
	h.handle(mux, "GET /dr/days", read, h.getDRDays)
	h.handle(mux, "GET /dr/payables", read, h.listDRPayables)
	h.handle(mux, "POST /dr/payables/pay", write, h.payDRPayables)
	h.handle(mux, "GET /accounts/{id}/dr-events", read, h.listAccountDREvents)
	h.handle(mux, "GET /signals/tou", tariffRead, h.getTOUSignal)
	h.handle(mux, "POST /ev/sessions", write, h.importSessions)
	h.handle(mux, "GET /ev/report", registryWide, h.getEVReport)
	h.drFleetRoutes(mux)
	h.evVehicleRoutes(mux)
}

// drEventJSON is an event as the API shows it.
type drEventJSON struct {
	ID          int64   `json:"id"`
	Program     string  `json:"program"`
	Track       string  `json:"track"`
	Start       string  `json:"start"`
	End         string  `json:"end"`
	Day         string  `json:"day"`
	Status      string  `json:"status"`
	Level       int     `json:"level"`
	OffsetF     int     `json:"offset_f"`
	Reason      string  `json:"reason"`
	NotifiedAt  *string `json:"notified_at"`
	CancelledAt *string `json:"cancelled_at"`
	CreatedAt   string  `json:"created_at"`
}

func optInstant(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := instant(t)
	return &s
}

func drEventOut(e dr.Event) drEventJSON {
	return drEventJSON{ID: e.ID, Program: e.Program, Track: e.Track, Start: instant(e.Start), End: instant(e.End), Day: e.Day().String(),
		Status: string(e.Status), Level: e.Level, OffsetF: e.OffsetF, Reason: e.Reason, NotifiedAt: optInstant(e.NotifiedAt),
		CancelledAt: optInstant(e.CancelledAt), CreatedAt: instant(e.Created)}
}

// drSettlementJSON is one participant's settlement.
type drSettlementJSON struct {
	EventID     int64            `json:"event_id"`
	AccountID   int64            `json:"account_id"`
	Track       string           `json:"track"`
	Status      string           `json:"status"`
	Method      string           `json:"method"`
	DaysUsed    int              `json:"days_used"`
	Factor      float64          `json:"adjustment_factor"`
	BaselineWh  int64            `json:"baseline_wh"`
	ActualWh    int64            `json:"actual_wh"`
	DeltaWh     int64            `json:"delta_wh"`
	ReductionWh int64            `json:"reduction_wh"`
	Rate        int64            `json:"rate_micro_usd_per_kwh"`
	AmountCents int64            `json:"amount_cents"`
	Overridden  bool             `json:"overridden"`
	Reason      string           `json:"reason"`
	SettledAt   string           `json:"settled_at"`
	Intervals   []drIntervalJSON `json:"intervals"`
}

// drIntervalJSON is one event interval: the adjusted baseline and the
// reading (null when there is none).
type drIntervalJSON struct {
	Start      string `json:"start"`
	BaselineWh int64  `json:"baseline_wh"`
	ActualWh   *int64 `json:"actual_wh"`
}

func drSettlementOut(r store.SettlementRecord) drSettlementJSON {
	out := drSettlementJSON{EventID: r.EventID, AccountID: r.AccountID, Track: r.Track, Status: r.Status, Method: r.Method, DaysUsed: r.DaysUsed,
		Factor: r.Factor, BaselineWh: int64(r.BaselineWh), ActualWh: int64(r.ActualWh), DeltaWh: int64(r.DeltaWh), ReductionWh: int64(r.ReductionWh),
		Rate: int64(r.Rate), AmountCents: int64(r.Amount), Overridden: r.Overridden, Reason: r.Reason, SettledAt: instant(r.Settled),
		Intervals: make([]drIntervalJSON, 0, len(r.Intervals))}
	for _, iv := range r.Intervals {
		j := drIntervalJSON{Start: instant(iv.Start), BaselineWh: int64(iv.BaselineWh)}
		if iv.ActualWh >= 0 {
			a := int64(iv.ActualWh)
			j.ActualWh = &a
		}
		out.Intervals = append(out.Intervals, j)
	}
	return out
}

func (h *handler) drCatalog() (*dr.Catalog, error) { return dr.Shipped() }

func (h *handler) listDRPrograms(w http.ResponseWriter, r *http.Request, _ *principal) {
	if err := newParams(r).err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	cat, err := h.drCatalog()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list[dr.Program]{Data: cat.Programs()})
}

func (h *handler) listDREvents(w http.ResponseWriter, r *http.Request, _ *principal) {
	q := newParams(r, "program", "status", "from", "to")
	f := store.DREventFilter{Program: q.str("program"), Status: dr.Status(q.str("status")), From: q.date("from"), To: q.date("to"), Limit: 10000}
	switch f.Status {
	case "", dr.Scheduled, dr.Notified, dr.Active, dr.Completed, dr.Cancelled:
	default:
		q.f.Add("status", "must be scheduled, notified, active, completed or cancelled")
	}
	if err := q.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	evs, err := h.db.DREvents(r.Context(), f)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[drEventJSON]{Data: make([]drEventJSON, 0, len(evs))}
	for _, e := range evs {
		out.Data = append(out.Data, drEventOut(e))
	}
	writeJSON(w, http.StatusOK, out)
}

// drEventRequest is the body of POST /dr/events.
type drEventRequest struct {
	Program string `json:"program"`
	Track   string `json:"track"`
	Start   string `json:"start"`
	End     string `json:"end"`
	Notice  string `json:"notice"`
	Level   int    `json:"level"`
	OffsetF int    `json:"offset_f"`
	Reason  string `json:"reason"`
	// A storage program's event may be dispatched as it is scheduled.
	TargetKW *float64 `json:"target_kw"`
	SOCPct   *int     `json:"soc_pct"`
}

func parseInstantField(f *apperr.Fields, name, s string, required bool) time.Time {
	if s == "" {
		if required {
			f.Add(name, "is required (RFC 3339)")
		}
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		f.Add(name, "must be an RFC 3339 timestamp such as 2026-08-20T16:00:00-07:00")
	}
	return t.UTC()
}

func (h *handler) scheduleDREvent(w http.ResponseWriter, r *http.Request, p *principal) {
	var req drEventRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	var f apperr.Fields
	prop := dr.Proposal{Event: dr.Event{Track: req.Track, Level: req.Level, OffsetF: req.OffsetF, Reason: req.Reason,
		Start: parseInstantField(&f, "start", req.Start, true), End: parseInstantField(&f, "end", req.End, true)},
		Notice: parseInstantField(&f, "notice", req.Notice, false)}
	cat, err := h.drCatalog()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	prog, err := cat.Program(req.Program)
	if err != nil {
		f.Add("program", "%s", apperr.MessageOf(err))
	}
	var target energy.W
	var soc int
	if req.TargetKW != nil || req.SOCPct != nil {
		target, soc = fleetTarget(&f, req.TargetKW, req.SOCPct)
		if err == nil && prog.Kind != dr.Storage {
			f.Add("target_kw", "only a storage program's event dispatches a battery fleet; %s is not one", prog.Name)
		}
	}
	if err := f.Err("api.scheduleDREvent"); err != nil {
		h.writeError(w, r, err)
		return
	}
	if prop.Notice.IsZero() {
		prop.Notice = h.db.Now()
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		e, err := tx.ScheduleEvent(ctx, p.actor, prog, prop)
		if err != nil {
			return 0, nil, err
		}
		if target > 0 { // the event and its fleet plan commit together
			if _, _, err := tx.DispatchFleet(ctx, p.actor, prog, e.ID, target, soc); err != nil {
				return 0, nil, err
			}
		}
		return http.StatusCreated, drEventOut(e), nil
	})
}

// drTransitionJSON is one step of an event's history.
type drTransitionJSON struct {
	At    string  `json:"at"`
	From  *string `json:"from"`
	To    string  `json:"to"`
	Actor string  `json:"actor"`
	Note  string  `json:"note"`
}

func (h *handler) getDREvent(w http.ResponseWriter, r *http.Request, _ *principal) {
	id, err := pathID(r, "id", "event")
	if err == nil {
		err = newParams(r).err()
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	e, err := h.db.DREvent(r.Context(), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	hist, err := h.db.EventHistory(r.Context(), id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := struct {
		Event   drEventJSON        `json:"event"`
		History []drTransitionJSON `json:"history"`
	}{Event: drEventOut(e), History: make([]drTransitionJSON, 0, len(hist))}
	for _, t := range hist {
		j := drTransitionJSON{At: instant(t.At), To: string(t.To), Actor: t.Actor, Note: t.Note}
		if t.From != "" {
			from := string(t.From)
			j.From = &from
		}
		out.History = append(out.History, j)
	}
	writeJSON(w, http.StatusOK, out)
}

// noteRequest is a body with an optional note.
type noteRequest struct {
	Note string `json:"note"`
}

func (h *handler) cancelDREvent(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "event")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req noteRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		e, err := tx.MoveEvent(ctx, p.actor, id, dr.Cancelled, req.Note)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, drEventOut(e), nil
	})
}

func (h *handler) listDRSettlements(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "event")
	if err == nil {
		err = newParams(r).err()
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if _, err := h.db.DREvent(r.Context(), id); err != nil {
		h.writeError(w, r, err)
		return
	}
	ss, err := h.db.Settlements(r.Context(), id, true)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[drSettlementJSON]{Data: make([]drSettlementJSON, 0, len(ss))}
	for _, s := range ss {
		if p.seesAccount(s.AccountID) {
			out.Data = append(out.Data, drSettlementOut(s))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// overrideRequest is the body of POST /dr/events/{id}/overrides.
type overrideRequest struct {
	AccountID int64  `json:"account_id"`
	Note      string `json:"note"`
}

// overrideJSON is a recorded override.
type overrideJSON struct {
	EventID   int64 `json:"event_id"`
	AccountID int64 `json:"account_id"`
}

// overrideDREvent records a participant's override: customers for their
// own accounts (the portal), staff who may write for any.
func (h *handler) overrideDREvent(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "event")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req overrideRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	if err := p.allow(write); err != nil && !p.portal() {
		h.writeError(w, r, err)
		return
	}
	if req.AccountID <= 0 {
		var f apperr.Fields
		f.Add("account_id", "is required")
		h.writeError(w, r, f.Err("api.overrideDREvent"))
		return
	}
	if !p.seesAccount(req.AccountID) {
		h.writeError(w, r, apperr.NotFoundf("api", "account %d not found", req.AccountID))
		return
	}
	source := "staff"
	if p.portal() {
		source = "portal"
	} else if p.client != nil {
		source = "api"
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		e, err := tx.DREvent(ctx, id)
		if err != nil {
			return 0, nil, err
		}
		if e.Status == dr.Completed || e.Status == dr.Cancelled {
			return 0, nil, apperr.Conflictf("api.overrideDREvent", "event %d is %s; it can no longer be overridden", id, e.Status)
		}
		if err := tx.RecordOverride(ctx, p.actor, id, req.AccountID, source, req.Note); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, overrideJSON{EventID: id, AccountID: req.AccountID}, nil
	})
}

func (h *handler) getDRDays(w http.ResponseWriter, r *http.Request, _ *principal) {
	q := newParams(r, "program", "from", "to")
	program := q.str("program")
	if program == "" {
		program = "pmp"
	}
	from, to := q.date("from"), q.date("to")
	if from.IsZero() {
		q.f.Add("from", "is required")
	}
	if to.IsZero() {
		q.f.Add("to", "is required")
	} else if !from.IsZero() && !to.After(from) {
		q.f.Add("to", "must be after from")
	}
	if err := q.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	days, err := h.db.EventDays(r.Context(), program, from, to)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := struct {
		Program string   `json:"program"`
		Days    []string `json:"days"`
	}{Program: program, Days: make([]string, 0, len(days))}
	for _, d := range days {
		out.Days = append(out.Days, d.String())
	}
	writeJSON(w, http.StatusOK, out)
}

// accountEventJSON is an event an account took part in.
type accountEventJSON struct {
	Event      drEventJSON       `json:"event"`
	Track      string            `json:"track"`
	Overridden bool              `json:"overridden"`
	Settlement *drSettlementJSON `json:"settlement"`
}

func (h *handler) listAccountDREvents(w http.ResponseWriter, r *http.Request, p *principal) {
	if err := newParams(r).err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	a, err := h.visibleAccount(r, p, "id")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	evs, err := h.db.AccountDREvents(r.Context(), a.ID, 0)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[accountEventJSON]{Data: make([]accountEventJSON, 0, len(evs))}
	for _, ae := range evs {
		j := accountEventJSON{Event: drEventOut(ae.Event), Track: ae.Track, Overridden: ae.Overridden}
		if ae.Settlement != nil {
			s := drSettlementOut(*ae.Settlement)
			j.Settlement = &s
		}
		out.Data = append(out.Data, j)
	}
	writeJSON(w, http.StatusOK, out)
}

func (h *handler) getTOUSignal(w http.ResponseWriter, r *http.Request, _ *principal) {
	q := newParams(r, "tariff", "utility", "at", "device")
	code := q.str("tariff")
	if code == "" {
		q.f.Add("tariff", "is required: a rate schedule code such as TOU-D-PRIME")
	}
	at := h.db.Now()
	if q.str("at") != "" {
		at = q.instant("at")
	}
	if err := q.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	rec, err := h.db.TariffOn(r.Context(), q.str("utility"), code, calendar.DateOf(at))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	sig, err := dr.SignalAt(&rec.Version, at)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	// A registered light switch polling with ?device= is marked seen.
	if serial := q.str("device"); serial != "" {
		err := h.db.InTx(r.Context(), func(tx *store.Tx) error { return tx.TouchDevice(r.Context(), "light_switch", serial) })
		if err != nil {
			h.writeError(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, sig)
}
