package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/store"
)

// maxCalcBody bounds a bill calculation request: a year of 15-minute
// interval data as CSV or Green Button XML is a few megabytes.
const maxCalcBody = 32 << 20

// billCalcRequest is the body of POST /bills/calc: the documents of
// `gridbook bill calc` as text (the tariff as its JSON document) and its
// options.
type billCalcRequest struct {
	Tariff           json.RawMessage     `json:"tariff"`
	Intervals        string              `json:"intervals"`
	ExportPrices     string              `json:"export_prices"`
	ExportPricesName string              `json:"export_prices_name"`
	SellRates        string              `json:"sell_rates"`
	Options          billing.CalcOptions `json:"options"`
}

// billCalcJSON is the answer: the bills of `gridbook bill calc --json`
// with every field present.
type billCalcJSON struct {
	TotalCents int64              `json:"total_cents"`
	Months     []billing.Summary  `json:"months"`
	TrueUp     *billing.TrueUp    `json:"true_up"`
	TrueUps    []billing.TrueUp   `json:"true_ups"`
	LineItems  []billing.CalcLine `json:"line_items"`
	Notes      []string           `json:"notes"`
}

// calcBills bills the posted documents with the stateless calculator. It
// reads and writes nothing in the database (an Idempotency-Key replays the
// first answer like any POST).
func (h *handler) calcBills(w http.ResponseWriter, r *http.Request, p *principal) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCalcBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if !errors.As(err, &tooBig) {
			err = apperr.E(apperr.Invalid, "api.calcBills", "could not read the request body", err)
		}
		h.writeError(w, r, err)
		return
	}
	var req billCalcRequest
	if err := decodeJSON(body, &req); err != nil {
		h.writeError(w, r, err)
		return
	}
	res, err := billing.Calc(billing.CalcFiles{
		Tariff: req.Tariff, Intervals: []byte(req.Intervals), ExportPrices: []byte(req.ExportPrices),
		ExportName: req.ExportPricesName, SellRates: []byte(req.SellRates),
	}, req.Options)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	out := billCalcJSON{TotalCents: int64(res.Total), Months: res.Months, TrueUp: res.TrueUp, TrueUps: res.TrueUps,
		LineItems: res.LineItems, Notes: res.Notes}
	if out.TrueUps == nil {
		out.TrueUps = []billing.TrueUp{}
	}
	if out.Notes == nil {
		out.Notes = []string{}
	}
	h.commit(w, r, p, body, func(context.Context, *store.Tx) (int, any, error) { return http.StatusOK, out, nil })
}
