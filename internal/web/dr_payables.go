package web

import (
	"fmt"
	"net/http"
	"net/url"

	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// DRPayablesPage is the Data of console/dr_payables: what demand
// response owes and what the incentive budgets have paid or refused.
type DRPayablesPage struct {
	Program, Status string
	Programs        []Option
	Statuses        []Option
	Totals          []store.PayableTotal
	Owed, Paid      money.Cents // across the totals
	Refused         money.Cents
	Budgets         []DRFundingRow
	Payables        []store.Payable
	Shown, Limit    int
	CanWrite        bool
}

// DRFundingRow is a program's funding with its incentive budgets.
type DRFundingRow struct {
	Program dr.Program
	Funding dr.Funding
	Budgets []incentive.Budget
}

// drPayablesLimit bounds the rows listed on the page.
const drPayablesLimit = 2000

// drPayables lists payables (?program=&status=) with totals by program
// and status and the budgets that fund each program.
func (h *handler) drPayables(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	page := &DRPayablesPage{Program: q.Get("program"), Status: q.Get("status"), Limit: drPayablesLimit, CanWrite: UserFromContext(ctx).CanWrite(),
		Statuses: []Option{{"", "Any status"}, {"payable", "Owed"}, {"paid", "Paid"}, {"refused", "Refused"}}}
	cat, err := h.drCatalog()
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page.Programs = []Option{{"", "All programs"}}
	for _, p := range cat.Programs() {
		page.Programs = append(page.Programs, Option{p.Code, p.Name})
		if p.Funding == nil {
			continue
		}
		bs, err := h.db.Budgets(ctx, p.Funding.IncentiveProgram)
		if err != nil {
			h.rd.Error(w, r, err)
			return
		}
		page.Budgets = append(page.Budgets, DRFundingRow{Program: p, Funding: *p.Funding, Budgets: bs})
	}
	if page.Totals, err = h.db.PayableTotals(ctx); err != nil {
		h.rd.Error(w, r, err)
		return
	}
	for _, t := range page.Totals {
		switch t.Status {
		case "payable":
			page.Owed += t.Amount
		case "paid":
			page.Paid += t.Amount
		case "refused":
			page.Refused += t.Amount
		}
	}
	switch page.Status {
	case "", "payable", "paid", "refused":
	default:
		page.Status = ""
	}
	page.Payables, err = h.db.PayablesWhere(ctx, store.PayableFilter{Program: page.Program, Status: page.Status, Limit: drPayablesLimit})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page.Shown = len(page.Payables)
	h.rd.Render(w, r, http.StatusOK, "console/dr_payables", &View{Title: "Demand-response payments", Nav: NavDR, Data: page})
}

// drPay pays the open payables (of the chosen program, or all) from the
// budgets that fund them, each whole in a transaction of its own or
// refused naming the rule, and says what happened.
func (h *handler) drPay(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	program := r.PostFormValue("program")
	cat, err := h.drCatalog()
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	if program != "" {
		if _, err := cat.Program(program); err != nil {
			h.rd.Error(w, r, err)
			return
		}
	}
	payer := store.BudgetPayer{DB: h.db, Actor: UserFromContext(ctx).Actor(), Funding: store.CatalogFunding(cat)}
	sum, err := h.db.PayOpen(ctx, payer, store.PayableFilter{Program: program})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	kind := FlashSuccess
	if sum.Refused > 0 {
		kind = FlashError
	}
	SetFlash(w, r, Flash{Kind: kind, Msg: fmt.Sprintf("Payables: %s.", sum)})
	Redirect(w, r, "/dr/payables?program="+url.QueryEscape(program))
}
