package api

import (
	"encoding/json"
	"net/http"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/store"
)

// StoredBill is a stored bill as the API (and `gridbook bill … --json`)
// shows it: the version's totals, and for one bill also the bill
// document, the State it leaves and the inputs it was computed from.
type StoredBill struct {
	ID            int64           `json:"id"`
	AccountID     int64           `json:"account_id"`
	AccountNumber string          `json:"account_number"`
	RunID         *int64          `json:"run_id"`
	PeriodStart   string          `json:"period_start"`
	PeriodEnd     string          `json:"period_end"`
	Days          int             `json:"days"`
	Version       int             `json:"version"`
	SupersededBy  *int64          `json:"superseded_by"`
	TotalCents    int64           `json:"total_cents"`
	UtilityCents  int64           `json:"utility_total_cents"`
	CCACents      int64           `json:"cca_total_cents"`
	NEMBalance    int64           `json:"nem_balance_cents"`
	DeliveredWh   int64           `json:"delivered_wh"`
	ReceivedWh    int64           `json:"received_wh"`
	TrueUp        bool            `json:"true_up"`
	Estimated     int             `json:"estimated_intervals"`
	EngineVersion string          `json:"engine_version"`
	IntervalsHash string          `json:"intervals_sha256"`
	InputsHash    string          `json:"inputs_sha256"`
	Reason        string          `json:"reason"`
	CreatedAt     string          `json:"created_at"`
	Inputs        json.RawMessage `json:"inputs,omitempty"`
	StateAfter    json.RawMessage `json:"state_after,omitempty"`
	Bill          json.RawMessage `json:"bill,omitempty"`
}

// NewStoredBill renders a stored bill; with full, its inputs, state and
// document too (the list shows only the totals).
func NewStoredBill(b billrun.Bill, full bool) StoredBill {
	out := StoredBill{ID: b.ID, AccountID: b.AccountID, AccountNumber: b.AccountNumber, PeriodStart: b.Period.Start.String(),
		PeriodEnd: b.Period.End.String(), Days: b.Period.Days(), Version: b.Version, TotalCents: int64(b.Total),
		UtilityCents: int64(b.UtilityTotal), CCACents: int64(b.CCATotal), NEMBalance: int64(b.NEMBalance),
		DeliveredWh: int64(b.Delivered), ReceivedWh: int64(b.Received), TrueUp: b.TrueUp, Estimated: b.Estimated,
		EngineVersion: b.Inputs.EngineVersion, IntervalsHash: b.Inputs.IntervalsSHA256, InputsHash: b.InputsSHA256,
		Reason: b.Reason, CreatedAt: instant(b.Created)}
	if b.RunID != 0 {
		out.RunID = &b.RunID
	}
	if b.SupersededBy != 0 {
		out.SupersededBy = &b.SupersededBy
	}
	if full {
		out.Inputs, out.StateAfter, out.Bill = b.InputsDoc, b.StateAfter, b.Document
	}
	return out
}

// listAccountBills answers an account's bills, newest first, current
// versions only unless versions=true.
func (h *handler) listAccountBills(w http.ResponseWriter, r *http.Request, p *principal) {
	a, err := h.visibleAccount(r, p, "id")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	ps := newParams(r, "versions", "after", "limit")
	versions := ps.optBool("versions")
	before, limit := ps.page()
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	rows, err := h.db.Bills(r.Context(), store.BillFilter{AccountID: a.ID, Versions: versions != nil && *versions, Before: before, Limit: limit + 1})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(rows, limit, func(b billrun.Bill) int64 { return b.ID },
		func(b billrun.Bill) StoredBill { return NewStoredBill(b, false) }))
}

// getBill answers one bill with its document and inputs; a customer user
// sees only the bills of their own accounts.
func (h *handler) getBill(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "bill")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	b, err := h.db.Bill(r.Context(), id)
	if err == nil && !p.seesAccount(b.AccountID) {
		err = apperr.NotFoundf("api", "bill %d not found", id)
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, NewStoredBill(b, true))
}
