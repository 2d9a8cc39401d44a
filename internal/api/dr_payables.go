package api

import (
	"context"
	"net/http"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
)

// Demand-response payables and their payment from the incentive
// budgets: GET /dr/payables lists them, POST /dr/payables/pay pays the
// open ones (money-moving: Idempotency-Key required).

// drPayableJSON is one payable with its payment.
type drPayableJSON struct {
	Key         string  `json:"key"`
	Program     string  `json:"program"`
	AccountID   int64   `json:"account_id"`
	DeviceID    *int64  `json:"device_id"`
	EventID     *int64  `json:"event_id"`
	Kind        string  `json:"kind"`
	Due         string  `json:"due"`
	AmountCents int64   `json:"amount_cents"`
	PaidAs      string  `json:"paid_as"`
	Source      string  `json:"source"`
	Status      string  `json:"status"`
	Reference   string  `json:"reference"`
	BudgetID    *int64  `json:"budget_id"`
	PaidAt      *string `json:"paid_at"`
	Refusal     string  `json:"refusal"`
	CreatedAt   string  `json:"created_at"`
}

func drPayableOut(p store.Payable) drPayableJSON {
	return drPayableJSON{Key: p.Key, Program: p.Program, AccountID: p.AccountID, DeviceID: optID(p.DeviceID), EventID: optID(p.EventID), Kind: p.Kind,
		Due: p.Due.String(), AmountCents: int64(p.Amount), PaidAs: p.PaidAs, Source: p.Source, Status: p.Status, Reference: p.Reference,
		BudgetID: optID(p.BudgetID), PaidAt: optInstant(p.PaidAt), Refusal: p.Refusal, CreatedAt: instant(p.Created)}
}

func (h *handler) listDRPayables(w http.ResponseWriter, r *http.Request, p *principal) {
	q := newParams(r, "program", "status", "event", "account")
	f := store.PayableFilter{Program: q.str("program"), Status: q.str("status"), EventID: q.int64("event"), AccountID: q.int64("account"), Limit: 10000}
	switch f.Status {
	case "", "payable", "paid", "refused":
	default:
		q.f.Add("status", "must be payable, paid or refused")
	}
	if err := q.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	if p.portal() {
		if f.AccountID == 0 || !p.seesAccount(f.AccountID) {
			h.writeError(w, r, apperr.Forbiddenf("api.listDRPayables", "a customer lists the payables of one of their own accounts (account=)"))
			return
		}
	}
	ps, err := h.db.PayablesWhere(r.Context(), f)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := list[drPayableJSON]{Data: make([]drPayableJSON, 0, len(ps))}
	for _, x := range ps {
		out.Data = append(out.Data, drPayableOut(x))
	}
	writeJSON(w, http.StatusOK, out)
}

// drPayRequest is the body of POST /dr/payables/pay: the open payables
// of one program or event (both optional).
type drPayRequest struct {
	Program string `json:"program"`
	EventID int64  `json:"event_id"`
}

// drPaySummaryJSON is what a pay run did.
type drPaySummaryJSON struct {
	Paid         int            `json:"paid"`
	PaidCents    int64          `json:"paid_cents"`
	Refused      int            `json:"refused"`
	RefusedCents int64          `json:"refused_cents"`
	Rules        map[string]int `json:"refused_by_rule"`
	LastRefusal  string         `json:"last_refusal"`
}

// payDRPayables pays the open payables (owed, or refused before) from
// the budgets that fund them, all in one transaction with the
// idempotency record: each whole or refused naming the rule.
func (h *handler) payDRPayables(w http.ResponseWriter, r *http.Request, p *principal) {
	if err := requireKey(r); err != nil {
		h.writeError(w, r, err)
		return
	}
	var req drPayRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	cat, err := h.drCatalog()
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if req.Program != "" {
		if _, err := cat.Program(req.Program); err != nil {
			var f apperr.Fields
			f.Add("program", "%s", apperr.MessageOf(err))
			h.writeError(w, r, f.Err("api.payDRPayables"))
			return
		}
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		due, err := tx.OpenPayments(ctx, store.PayableFilter{Program: req.Program, EventID: req.EventID})
		if err != nil {
			return 0, nil, err
		}
		sum, err := dr.PayAll(ctx, store.TxPayer{Tx: tx, Actor: p.actor, Funding: store.CatalogFunding(cat)}, due)
		if err != nil {
			return 0, nil, err
		}
		out := drPaySummaryJSON{Paid: sum.Paid, PaidCents: int64(sum.PaidCents), Refused: sum.Refused, RefusedCents: int64(sum.RefusedCents),
			Rules: sum.Rules, LastRefusal: sum.LastRefusal}
		if out.Rules == nil {
			out.Rules = map[string]int{}
		}
		return http.StatusOK, out, nil
	})
}
