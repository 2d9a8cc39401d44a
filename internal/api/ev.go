package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/emissions"
	"github.com/gridbook/gridbook/internal/evcharge"
	"github.com/gridbook/gridbook/internal/store"
)

// maxSessionsBody bounds an uploaded telemetry CSV.
const maxSessionsBody = 32 << 20

// importSessions stores EV SmartCharge session telemetry posted as CSV
// (POST /ev/sessions, text/csv): each session once by vehicle and
// plug-in; a session of a vehicle not enrolled refuses the whole file.
func (h *handler) importSessions(w http.ResponseWriter, r *http.Request, p *principal) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSessionsBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.writeError(w, r, err)
			return
		}
		h.writeError(w, r, apperr.E(apperr.Invalid, "api.importSessions", "could not read the request body", err))
		return
	}
	ss, err := evcharge.ParseSessionsCSV(bytes.NewReader(body))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		res, err := tx.ImportSessions(ctx, p.actor, ss)
		if err != nil {
			return 0, nil, err
		}
		status := http.StatusCreated
		if res.Added == 0 {
			status = http.StatusOK
		}
		return status, res, nil
	})
}

// evReportJSON is a month of EV SmartCharge.
type evReportJSON struct {
	Month  string `json:"month"`
	Signal string `json:"signal"`
	evcharge.Report
}

// getEVReport reports a month of EV SmartCharge (GET /ev/report).
func (h *handler) getEVReport(w http.ResponseWriter, r *http.Request, _ *principal) {
	q := newParams(r, "month", "signal")
	month, err := time.ParseInLocation("2006-01", q.str("month"), calendar.Pacific)
	if err != nil {
		q.f.Add("month", "is required: a month such as 2025-07")
	}
	if err := q.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	from, to := month.UTC(), month.AddDate(0, 1, 0).UTC()
	ss, err := h.db.Sessions(ctx, 0, from, to)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var sig *emissions.Signal
	if name := q.str("signal"); name != "" {
		s, err := h.db.Signal(ctx, name, from.Add(-24*time.Hour), to.Add(48*time.Hour))
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		sig = &s
	}
	rep, err := evcharge.MonthReport(ss, sig)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, evReportJSON{Month: month.Format("2006-01"), Signal: q.str("signal"), Report: rep})
}
