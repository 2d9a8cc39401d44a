package api

import (
	"net/http"
	"slices"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

// seriesJSON is a run of a channel's interval readings: values_wh[i]
// covers [start + i·interval_seconds, start + (i+1)·interval_seconds) and
// is null where no reading is stored.
type seriesJSON struct {
	MeterID         int64    `json:"meter_id"`
	ChannelID       int64    `json:"channel_id"`
	Direction       string   `json:"direction"`
	Start           string   `json:"start"`
	End             string   `json:"end"`
	IntervalSeconds int      `json:"interval_seconds"`
	ValuesWh        []*int64 `json:"values_wh"`
	TotalWh         int64    `json:"total_wh"`
	Missing         int      `json:"missing"`
}

// maxIntervalSpan is the longest span one request may read; the store
// refuses more than 400 days (store.Intervals).
const maxIntervalSpan = 400 * 24 * time.Hour

func (h *handler) getIntervals(w http.ResponseWriter, r *http.Request, p *principal) {
	ps := newParams(r, "from", "to")
	from, to := ps.instant("from"), ps.instant("to")
	if ps.err() == nil {
		if !to.After(from) {
			ps.f.Add("to", "must be after from")
		} else if to.Sub(from) > maxIntervalSpan {
			ps.f.Add("to", "must be at most 400 days after from")
		}
	}
	m, err := h.visibleMeter(r, p)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	cid, err := pathID(r, "cid", "channel")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	i := slices.IndexFunc(m.Channels, func(c customer.Channel) bool { return c.ID == cid })
	if i < 0 {
		h.writeError(w, r, apperr.NotFoundf("api", "channel %d of meter %d not found", cid, m.ID))
		return
	}
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	ch := m.Channels[i]
	s, err := h.db.Intervals(r.Context(), cid, from, to)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := seriesJSON{MeterID: m.ID, ChannelID: cid, Direction: string(ch.Direction), Start: instant(s.Start), End: instant(s.End()),
		IntervalSeconds: int(s.Step / time.Second), ValuesWh: make([]*int64, len(s.Values))}
	for i, v := range s.Values {
		if v != store.Missing {
			n := int64(v)
			out.ValuesWh[i] = &n
		}
	}
	total, missing := s.Sum()
	out.TotalWh, out.Missing = int64(total), missing
	writeJSON(w, http.StatusOK, out)
}
