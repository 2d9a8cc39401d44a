package api

import (
	"context"
	"net/http"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/store"
)

// seedRequest is the body of POST /accounts/{id}/billing-state.
type seedRequest struct {
	Through string        `json:"through"`
	State   billing.State `json:"state"`
}

// seedBillingState records the opening net-metering balances of an
// account migrated to gridbook part-way through a Relevant Period: the
// State its first bill in gridbook (the period starting on through)
// carries in. It moves money (the balances are settled at the true-up),
// so it needs an Idempotency-Key; it is checked (billrun.CheckOpening),
// refused with 409 once the account has bills, and audited.
func (h *handler) seedBillingState(w http.ResponseWriter, r *http.Request, p *principal) {
	a, err := h.visibleAccount(r, p, "id")
	if err == nil {
		err = requireKey(r)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req seedRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	through, err := calendar.ParseDate(req.Through)
	if err != nil {
		var f apperr.Fields
		f.Add("through", "must be a date such as 2025-07-01: the first day of the account's first bill in gridbook")
		h.writeError(w, r, f.Err("api.seedBillingState"))
		return
	}
	if err := billrun.CheckOpening(req.State, through); err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		if err := tx.SeedBillingState(ctx, p.actor, a.ID, through, req.State); err != nil {
			return 0, nil, err
		}
		return http.StatusCreated, billrun.OpeningBalance{AccountID: a.ID, AccountNumber: a.Number, Through: through, State: req.State}, nil
	})
}
