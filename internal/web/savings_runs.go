package web

import (
	"net/http"
	"strconv"

	"github.com/gridbook/gridbook/internal/store"
)

// NavSavings is the nav key of the savings pages.
const NavSavings = "savings"

// SavingsRunsPage is the Data of console/savings_runs.
type SavingsRunsPage struct {
	Runs []store.SavingsRun
}

// SavingsRunPage is the Data of console/savings_run.
type SavingsRunPage struct {
	Run     store.SavingsRun
	Results []store.SavingsResult
	// Percent is the sufficient results' savings as a share of their
	// counterfactual, e.g. "8.4%"; empty when nothing was modelled.
	Percent string
}

// savingsRuns lists the portfolio savings runs, newest first. Runs are
// started with gridbook savings portfolio (a durable job).
func (h *handler) savingsRuns(w http.ResponseWriter, r *http.Request) {
	runs, err := h.db.SavingsRuns(r.Context(), 100)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/savings_runs", &View{Title: "Savings runs", Nav: NavSavings, Data: SavingsRunsPage{Runs: runs}})
}

// savingsRun shows one run: its totals and every meter's result.
func (h *handler) savingsRun(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	var page SavingsRunPage
	if page.Run, err = h.db.SavingsRun(r.Context(), id); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	if page.Results, err = h.db.SavingsResults(r.Context(), id); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	if page.Run.PredictedWh != 0 {
		page.Percent = percent(float64(page.Run.SavingsWh) / float64(page.Run.PredictedWh))
	}
	h.rd.Render(w, r, http.StatusOK, "console/savings_run", &View{Title: "Savings run " + strconv.FormatInt(id, 10), Nav: NavSavings, Data: page})
}
