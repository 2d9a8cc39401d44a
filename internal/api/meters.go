package api

import (
	"context"
	"net/http"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

// meterJSON is a meter with its channels.
type meterJSON struct {
	ID              int64         `json:"id"`
	AccountID       int64         `json:"account_id"`
	Serial          string        `json:"serial"`
	IntervalSeconds int           `json:"interval_seconds"`
	Installed       string        `json:"installed"`
	Removed         *string       `json:"removed"`
	Channels        []channelJSON `json:"channels"`
}

// channelJSON is one measured quantity of a meter. Delivered and received
// energy are separate channels; net_only marks a source that gave only
// net values.
type channelJSON struct {
	ID              int64  `json:"id"`
	Direction       string `json:"direction"`
	IntervalSeconds int    `json:"interval_seconds"`
	NetOnly         bool   `json:"net_only"`
}

func meterOut(m customer.Meter) meterJSON {
	out := meterJSON{ID: m.ID, AccountID: m.AccountID, Serial: m.Serial, IntervalSeconds: m.IntervalSeconds,
		Installed: m.Installed.String(), Removed: optDate(m.Removed), Channels: make([]channelJSON, 0, len(m.Channels))}
	for _, c := range m.Channels {
		out.Channels = append(out.Channels, channelJSON{ID: c.ID, Direction: string(c.Direction), IntervalSeconds: c.IntervalSeconds, NetOnly: c.NetOnly})
	}
	return out
}

// meterRequest is the body of POST /meters and PUT /meters/{id}. With no
// channels a meter gets one delivered channel; a channel's interval
// defaults to the meter's.
type meterRequest struct {
	AccountID       int64            `json:"account_id"`
	Serial          string           `json:"serial"`
	IntervalSeconds int              `json:"interval_seconds"`
	Installed       string           `json:"installed"`
	Removed         string           `json:"removed"`
	Channels        []channelRequest `json:"channels"`
}

type channelRequest struct {
	Direction       string `json:"direction"`
	IntervalSeconds int    `json:"interval_seconds"`
	NetOnly         bool   `json:"net_only"`
}

func (q meterRequest) meter(id int64) (customer.Meter, error) {
	var f apperr.Fields
	m := customer.Meter{ID: id, AccountID: q.AccountID, Serial: q.Serial, IntervalSeconds: q.IntervalSeconds,
		Installed: parseDate(&f, "installed", q.Installed), Removed: parseDate(&f, "removed", q.Removed)}
	for _, c := range q.Channels {
		m.Channels = append(m.Channels, customer.Channel{Direction: customer.Direction(c.Direction), IntervalSeconds: c.IntervalSeconds, NetOnly: c.NetOnly})
	}
	return m, f.Err("api.meter")
}

func (h *handler) listMeters(w http.ResponseWriter, r *http.Request, p *principal) {
	ps := newParams(r, "account_id", "serial", "after", "limit")
	f := store.MeterFilter{AccountID: ps.int64("account_id"), Serial: ps.str("serial"), IDs: p.accountIDs()}
	f.After, f.Limit = ps.page()
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	limit := f.Limit
	f.Limit++
	rows, err := h.db.MeterList(r.Context(), f)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(rows, limit, func(m customer.Meter) int64 { return m.ID }, meterOut))
}

func (h *handler) getMeter(w http.ResponseWriter, r *http.Request, p *principal) {
	m, err := h.visibleMeter(r, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, meterOut(m))
}

// visibleMeter loads the meter named in the path, answering NotFound when
// it does not measure one of a portal user's accounts.
func (h *handler) visibleMeter(r *http.Request, p *principal) (customer.Meter, error) {
	id, err := pathID(r, "id", "meter")
	if err != nil {
		return customer.Meter{}, err
	}
	m, err := h.db.Meter(r.Context(), id)
	if err == nil && !p.seesAccount(m.AccountID) {
		return customer.Meter{}, apperr.NotFoundf("api", "meter %d not found", id)
	}
	return m, err
}

func (h *handler) createMeter(w http.ResponseWriter, r *http.Request, p *principal) {
	var req meterRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	m, err := req.meter(0)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		if err := tx.CreateMeter(ctx, p.actor, &m); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, meterOut(m), nil
	})
}

func (h *handler) putMeter(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "meter")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req meterRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	m, err := req.meter(id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		if err := tx.UpdateMeter(ctx, p.actor, &m); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, meterOut(m), nil
	})
}
