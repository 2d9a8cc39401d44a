package api

import (
	"net/http"
	"slices"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/store"
)

// seriesJSON is a run of a channel's interval readings: values_wh[i]
// covers [start + i·interval_seconds, start + (i+1)·interval_seconds) and
// is null where no reading is stored. non_actual lists the runs of
// readings that are not actual (estimated, edited …); every other present
// reading is actual.
type seriesJSON struct {
	MeterID         int64                  `json:"meter_id"`
	ChannelID       int64                  `json:"channel_id"`
	Direction       string                 `json:"direction"`
	NetOnly         bool                   `json:"net_only"`
	Start           string                 `json:"start"`
	End             string                 `json:"end"`
	IntervalSeconds int                    `json:"interval_seconds"`
	ValuesWh        []*int64               `json:"values_wh"`
	TotalWh         int64                  `json:"total_wh"`
	Missing         int                    `json:"missing"`
	NonActual       []meterdata.QualityRun `json:"non_actual"`
}

// maxIntervalSpan is the longest span one request may read; the store
// refuses more than 400 days (store.Intervals).
const maxIntervalSpan = 400 * 24 * time.Hour

func (h *handler) getIntervals(w http.ResponseWriter, r *http.Request, p *principal) {
	from, to, spanErr := intervalSpan(r)
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
	if spanErr != nil {
		h.writeError(w, r, spanErr)
		return
	}
	s, err := h.db.Intervals(r.Context(), cid, from, to)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, seriesOut(m, m.Channels[i], s))
}

// seriesOut renders a channel's series.
func seriesOut(m customer.Meter, ch customer.Channel, s store.Series) seriesJSON {
	out := seriesJSON{MeterID: m.ID, ChannelID: ch.ID, Direction: string(ch.Direction), NetOnly: ch.NetOnly, Start: instant(s.Start),
		End: instant(s.End()), IntervalSeconds: int(s.Step / time.Second), ValuesWh: make([]*int64, len(s.Values)),
		NonActual: s.NonActual()}
	for i, v := range s.Values {
		if v != store.Missing {
			n := int64(v)
			out.ValuesWh[i] = &n
		}
	}
	if out.NonActual == nil {
		out.NonActual = []meterdata.QualityRun{}
	}
	total, missing := s.Sum()
	out.TotalWh, out.Missing = int64(total), missing
	return out
}
