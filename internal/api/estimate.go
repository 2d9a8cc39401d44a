package api

import (
	"net/http"
	"strconv"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/savings"
)

// accountEstimate answers the Energy Team estimator for an account: shadow
// bills on every schedule it may take and the electrification options
// (?grid_co2= the supplier's lb CO2 per MWh).
func (h *handler) accountEstimate(w http.ResponseWriter, r *http.Request, p *principal) {
	a, err := h.visibleAccount(r, p, "id")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	grid := 0.0
	if s := r.URL.Query().Get("grid_co2"); s != "" {
		if grid, err = strconv.ParseFloat(s, 64); err != nil || grid < 0 {
			var f apperr.Fields
			f.Add("grid_co2", "want the supplier's CO2 in lb/MWh, not %q", s)
			h.writeError(w, r, f.Err("api.accountEstimate"))
			return
		}
	}
	in, err := h.db.EstimateInputs(r.Context(), a.ID, 12, calendar.DateOf(h.db.Now()))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	in.GridCO2LbsPerMWh = grid
	est, err := savings.EstimateAccount(in, savings.DefaultOptions())
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, est)
}
