package web

import (
	"net/http"
	"strconv"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/savings"
)

// EstimatePage is the Data of console/estimate and portal/estimate: the
// Energy Team estimator for one account.
type EstimatePage struct {
	Account  customer.Account
	Estimate *savings.Estimate
	GridCO2  string // the lb/MWh asked for, as typed
	Problem  string // why there is no estimate
	Portal   bool
}

// estimateFor runs the estimator for account id (grid CO2 from ?grid_co2=).
func (h *handler) estimateFor(r *http.Request, id int64) (EstimatePage, error) {
	var page EstimatePage
	var err error
	if page.Account, err = h.db.Account(r.Context(), id); err != nil {
		return page, err
	}
	page.GridCO2 = r.URL.Query().Get("grid_co2")
	grid := 0.0
	if page.GridCO2 != "" {
		if grid, err = strconv.ParseFloat(page.GridCO2, 64); err != nil || grid < 0 {
			page.Problem = "Enter the supplier's CO2 as pounds per MWh, a number."
			return page, nil
		}
	}
	in, err := h.db.EstimateInputs(r.Context(), id, 12, h.today())
	if err == nil {
		in.GridCO2LbsPerMWh = grid
		page.Estimate, err = savings.EstimateAccount(in, savings.DefaultOptions())
	}
	if err != nil {
		if apperr.KindOf(err) == apperr.Internal {
			return page, err
		}
		page.Problem = apperr.MessageOf(err)
	}
	return page, nil
}

// accountEstimate shows advisors the estimator for an account.
func (h *handler) accountEstimate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page, err := h.estimateFor(r, id)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/estimate", &View{Title: "Energy Team estimate · " + page.Account.Number, Nav: NavCustomers, Data: page})
}

// portalEstimate shows a customer the estimator for one of their accounts.
func (h *handler) portalEstimate(w http.ResponseWriter, r *http.Request) {
	u := UserFromContext(r.Context())
	id, err := pathID(r, "id")
	if err != nil || !u.Sees(id) {
		h.notFound(w, r)
		return
	}
	page, err := h.estimateFor(r, id)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page.Portal = true
	h.rd.Render(w, r, http.StatusOK, "portal/estimate", &View{Title: "Your options", Nav: NavAccounts, Data: page})
}
