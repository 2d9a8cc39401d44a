package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

// accountEstimate answers the Energy Team plan for an account: shadow
// bills on every schedule it may take under its own billing terms, the
// electrification options with their costs and rebates, and the plan of
// the chosen options (?options=hpwh,ev_managed; default those recommended
// in its case); ?grid_co2= is the supplier's lb CO2 per MWh. Customers
// see their own accounts.
func (h *handler) accountEstimate(w http.ResponseWriter, r *http.Request, p *principal) {
	a, err := h.visibleAccount(r, p, "id")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var f apperr.Fields
	grid := 0.0
	if s := r.URL.Query().Get("grid_co2"); s != "" {
		if grid, err = strconv.ParseFloat(s, 64); err != nil || grid < 0 {
			f.Add("grid_co2", "want the supplier's CO2 in lb/MWh, not %q", s)
		}
	}
	var chosen []string
	if q := r.URL.Query(); q.Has("options") {
		chosen = []string{}
		if s := q.Get("options"); s != "" {
			chosen = strings.Split(s, ",")
		}
	}
	if err := f.Err("api.accountEstimate"); err != nil {
		h.writeError(w, r, err)
		return
	}
	plan, err := h.db.EnergyTeamPlan(r.Context(), a.ID, calendar.DateOf(h.db.Now()), grid, chosen)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, plan)
}
