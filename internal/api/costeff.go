package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/costeff"
	"github.com/gridbook/gridbook/internal/store"
)

// costeffRoutes registers the cost-effectiveness endpoints.
func (h *handler) costeffRoutes(mux *http.ServeMux) {
	h.handle(mux, "GET /costeff/first-year", tariffRead, h.costeffSeedTable)
	h.handle(mux, "POST /costeff/first-year", tariffRead, h.costeffFirstYear)
	h.handle(mux, "POST /costeff/calc", tariffRead, h.costeffCalc)
}

// costeffSeedTable answers the seed's PG&E 2015 table (?retail= overrides
// the $0.17 retail price).
func (h *handler) costeffSeedTable(w http.ResponseWriter, r *http.Request, _ *principal) {
	recs, retail, err := costeff.PGE2015()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if v := r.URL.Query().Get("retail"); v != "" {
		retail = v
	}
	tab, err := costeff.CostPerFirstYearKWh("PG&E 2015 residential energy-efficiency programs (seed 003)", recs, retail)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tab)
}

// firstYearRequest is the body of POST /costeff/first-year.
type firstYearRequest struct {
	Title    string `json:"title"`
	Programs string `json:"programs"` // CSV: program,budget_usd,first_year_kwh[,source]
	Retail   string `json:"retail_usd_per_kwh"`
}

// costeffFirstYear computes the first-year table of posted programs.
func (h *handler) costeffFirstYear(w http.ResponseWriter, r *http.Request, p *principal) {
	body, ok := h.readCalcBody(w, r, "api.costeffFirstYear")
	if !ok {
		return
	}
	var req firstYearRequest
	if err := decodeJSON(body, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	recs, err := costeff.ReadProgramRecords(strings.NewReader(req.Programs))
	if err == nil {
		var tab costeff.FirstYearTable
		if tab, err = costeff.CostPerFirstYearKWh(req.Title, recs, req.Retail); err == nil {
			h.commit(w, r, p, body, func(context.Context, *store.Tx) (int, any, error) { return http.StatusOK, tab, nil })
			return
		}
	}
	h.writeError(w, r, err)
}

// costeffCalcRequest is the body of POST /costeff/calc: the files of
// `gridbook costeff calc` as text and its settings.
type costeffCalcRequest struct {
	Claims       string                `json:"claims"`        // CEDARS claim layout CSV
	ProgramCosts string                `json:"program_costs"` // PrgID,Year,cost categories CSV
	Settings     costeff.SettingsInput `json:"settings"`
}

// costeffCalc runs the cost-effectiveness tests on posted claims; it reads
// and stores nothing.
func (h *handler) costeffCalc(w http.ResponseWriter, r *http.Request, p *principal) {
	body, ok := h.readCalcBody(w, r, "api.costeffCalc")
	if !ok {
		return
	}
	var req costeffCalcRequest
	if err := decodeJSON(body, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	ev, err := evaluatePosted(req)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(context.Context, *store.Tx) (int, any, error) { return http.StatusOK, ev, nil })
}

func evaluatePosted(req costeffCalcRequest) (*costeff.Evaluation, error) {
	s, err := req.Settings.Settings()
	if err != nil {
		return nil, err
	}
	claims, err := costeff.ReadClaims(strings.NewReader(req.Claims))
	if err != nil {
		return nil, err
	}
	var progs []costeff.ProgramCost
	if strings.TrimSpace(req.ProgramCosts) != "" {
		if progs, err = costeff.ReadProgramCosts(strings.NewReader(req.ProgramCosts)); err != nil {
			return nil, err
		}
	}
	return costeff.Evaluate(claims, progs, s)
}

// readCalcBody reads a stateless calculator's body (up to maxCalcBody),
// answering the error itself when it cannot.
func (h *handler) readCalcBody(w http.ResponseWriter, r *http.Request, op string) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCalcBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if !errors.As(err, &tooBig) {
			err = apperr.E(apperr.Invalid, op, "could not read the request body", err)
		}
		h.writeError(w, r, err)
		return nil, false
	}
	return body, true
}
