package web

import (
	"context"
	"net/http"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

// PortalAccount is what a customer sees of one of their service accounts.
type PortalAccount struct {
	ID           int64
	Masked       string // account number with all but the last 4 digits hidden
	Address      string
	City         string
	RateSchedule string
	CCA          bool
	ClimateZone  int
	Programs     []PortalProgram // in force today
	History      []PortalProgram // every enrollment, for the detail page
	Solar        bool
	Usage        *Chart // nil before any readings are loaded
	Bills        BillsTable
	Since        calendar.Date
}

// PortalProgram is a program enrollment in plain words.
type PortalProgram struct {
	Badge string // short label, also the badge: "CARE"
	Name  string // full name: "California Alternate Rates for Energy"
	About string // one sentence on what it does
	From  calendar.Date
	To    calendar.Date // zero while enrolled
}

// portalAccounts lists the signed-in customer's own accounts (/my/).
func (h *handler) portalAccounts(w http.ResponseWriter, r *http.Request) {
	u := UserFromContext(r.Context())
	var list []PortalAccount
	// Guard the empty case here: a nil IDs filter would match every account.
	if len(u.AccountIDs) > 0 {
		accounts, err := h.db.Accounts(r.Context(), store.AccountFilter{IDs: u.AccountIDs, Limit: len(u.AccountIDs)})
		if err != nil {
			h.rd.Error(w, r, err)
			return
		}
		for _, a := range accounts {
			pa, err := h.portalAccount(r.Context(), a)
			if err != nil {
				h.rd.Error(w, r, err)
				return
			}
			list = append(list, pa)
		}
	}
	h.rd.Render(w, r, http.StatusOK, "portal/accounts", &View{Title: "My accounts", Nav: NavAccounts, Data: list})
}

// portalAccountDetail shows one of the customer's accounts
// (/my/accounts/{id}). An account that is not linked to the user answers
// exactly like one that does not exist, so ids reveal nothing.
func (h *handler) portalAccountDetail(w http.ResponseWriter, r *http.Request) {
	u := UserFromContext(r.Context())
	id, err := pathID(r, "id")
	if err != nil || !u.Sees(id) {
		h.notFound(w, r)
		return
	}
	a, err := h.db.Account(r.Context(), id)
	if apperr.Is(err, apperr.NotFound) {
		h.notFound(w, r)
		return
	}
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	pa, err := h.portalAccount(r.Context(), a)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "portal/account", &View{Title: pa.Address, Nav: NavAccounts, Data: pa})
}

// portalAccount gathers what a customer sees of account a.
func (h *handler) portalAccount(ctx context.Context, a customer.Account) (PortalAccount, error) {
	today := h.today()
	f, err := h.accountFacts(ctx, a, today)
	if err != nil {
		return PortalAccount{}, err
	}
	pa := PortalAccount{ID: a.ID, Masked: maskNumber(a.Number), Address: f.Premise.Address, City: f.Premise.City,
		RateSchedule: a.RateSchedule, CCA: a.LSE == customer.CCA, ClimateZone: f.Premise.ClimateZone,
		Solar: f.Solar(), Since: a.ServiceStart}
	for _, e := range f.Enrollments {
		p, ok := plainProgram(e.Program)
		if !ok {
			continue
		}
		p.From, p.To = e.From, e.To
		pa.History = append(pa.History, p)
		if e.Active {
			pa.Programs = append(pa.Programs, p)
		}
	}
	rows, err := h.accountBills(ctx, a.ID)
	if err != nil {
		return PortalAccount{}, err
	}
	pa.Bills = BillsTable{Rows: rows, Base: "/my/bills/", Portal: true}
	if m, ok := currentMeter(f.Meters); ok {
		c, ok, err := h.monthlyUsage(ctx, m, "Your monthly electricity (kWh)", true)
		if err != nil {
			return PortalAccount{}, err
		}
		if ok {
			c.Height = 200
			pa.Usage = &c
		}
	}
	return pa, nil
}

// plainProgram describes the rate-assistance programs in a customer's
// words; other program codes are staff business and are not listed.
// Descriptions follow the CPUC's program summaries (CARE and FERA: bill
// discounts for income-qualified households, FERA for incomes just above
// the CARE limit; Medical Baseline: more energy at the lowest price for
// qualifying medical needs).
func plainProgram(code string) (PortalProgram, bool) {
	switch code {
	case customer.ProgramCARE:
		return PortalProgram{Badge: "CARE", Name: "California Alternate Rates for Energy",
			About: "A monthly discount on your electric bill for income-qualified households."}, true
	case customer.ProgramFERA:
		return PortalProgram{Badge: "FERA", Name: "Family Electric Rate Assistance",
			About: "A monthly bill discount for households whose income is just above the CARE limit."}, true
	case customer.ProgramMedicalBaseline:
		return PortalProgram{Badge: "Medical baseline", Name: "Medical Baseline Allowance",
			About: "Extra electricity at the lowest price for households with qualifying medical needs."}, true
	}
	return PortalProgram{}, false
}

// maskNumber hides all but the last four digits of an account number:
// "3000012345" → "•••• 2345".
func maskNumber(n string) string {
	if len(n) <= 4 {
		return n
	}
	return "•••• " + n[len(n)-4:]
}
