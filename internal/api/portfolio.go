package api

import (
	"net/http"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/store"
)

// portfolioJSON is the dashboard's count of accounts in service on a date.
type portfolioJSON struct {
	On            string      `json:"on"`
	Customers     int64       `json:"customers"`
	Accounts      int64       `json:"accounts"`
	ByClass       []countJSON `json:"by_class"`
	ByLSE         []countJSON `json:"by_lse"`
	ByProgram     []countJSON `json:"by_program"`
	DAC           int64       `json:"dac_accounts"`
	ByHFTD        []countJSON `json:"by_hftd_tier"`
	ByAgency      []countJSON `json:"by_member_agency"`
	Meters        int64       `json:"meters"`
	SolarAccounts int64       `json:"solar_accounts"`
}

// countJSON is one labelled figure of a breakdown.
type countJSON struct {
	Label string `json:"label"`
	Count int64  `json:"count"`
}

func countsOut(cs []store.Count) []countJSON {
	out := make([]countJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, countJSON{Label: c.Label, Count: c.N})
	}
	return out
}

// getPortfolio counts the accounts in service on ?on= (default: today in
// Pacific time).
func (h *handler) getPortfolio(w http.ResponseWriter, r *http.Request, _ *principal) {
	ps := newParams(r, "on")
	on := ps.date("on")
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	if on.IsZero() {
		on = calendar.DateOf(h.db.Now())
	}
	p, err := h.db.Portfolio(r.Context(), on)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, portfolioJSON{On: p.On.String(), Customers: p.Customers, Accounts: p.Accounts,
		ByClass: countsOut(p.ByClass), ByLSE: countsOut(p.ByLSE), ByProgram: countsOut(p.ByProgram), DAC: p.DAC,
		ByHFTD: countsOut(p.ByHFTD), ByAgency: countsOut(p.ByAgency), Meters: p.Meters, SolarAccounts: p.SolarAccounts})
}
