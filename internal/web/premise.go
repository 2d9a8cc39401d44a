package web

import (
	"net/http"

	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/reference"
	"github.com/gridbook/gridbook/internal/store"
)

// PremisePage is the Data of console/premise: a premise's attributes (the
// "premise_facts" partial reads Premise, County and ZIPZone), the accounts
// served there and the premise's audit trail.
type PremisePage struct {
	Premise  customer.Premise
	County   string                 // county name
	ZIPZone  *reference.ClimateZone // the ZIP table's zone, nil if the ZIP is no longer in it
	Accounts []PremiseAccount       // every account at the premise, in ID order
	Audit    []AuditRow
	// HomeForm is the home-attributes form, as recorded or as typed; the
	// option lists are its selects' choices.
	HomeForm                    HomeForm
	Dwellings, Heating, Sources []Option
}

// PremiseAccount is one account at a premise with its customer.
type PremiseAccount struct {
	customer.Account
	Customer customer.Customer
}

// ClassLabel is the account's customer class, capitalized.
func (a PremiseAccount) ClassLabel() string { return classLabel(string(a.Class)) }

// LSELabel says who buys the account's power: "CCA" or "Bundled".
func (a PremiseAccount) LSELabel() string { return lseLabel(a.LSE) }

// premiseAccountsLimit bounds the accounts a premise page lists; a premise
// has a handful (a house, or the units of a building).
const premiseAccountsLimit = 500

// premiseDetail shows one premise: service address, county, member
// agency, census tract, climate zone with its source table (and any
// override with its reason), SB 535 status with the table version, fire-
// threat tier, the accounts at the premise and its audit trail.
func (h *handler) premiseDetail(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page, err := h.premisePage(r, id)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	title := page.Premise.Address + ", " + page.Premise.City
	h.rd.Render(w, r, http.StatusOK, "console/premise", &View{Title: title, Nav: NavCustomers, Data: page})
}

// premisePage gathers a premise page's data, the home form filled from
// the record.
func (h *handler) premisePage(r *http.Request, id int64) (PremisePage, error) {
	ctx := r.Context()
	p, err := h.db.Premise(ctx, id)
	if err != nil {
		return PremisePage{}, err
	}
	page := PremisePage{Premise: p, HomeForm: homeFormOf(p.Home)}
	page.Dwellings, page.Heating, page.Sources = homeOptions()
	ref := h.db.Reference()
	page.County, _ = ref.County(p.CountyFIPS)
	if z, err := ref.ClimateZone(p.ZIP); err == nil {
		page.ZIPZone = &z
	}
	accounts, err := h.db.Accounts(ctx, store.AccountFilter{PremiseID: id, Limit: premiseAccountsLimit})
	if err != nil {
		return page, err
	}
	customers := map[int64]customer.Customer{}
	for _, a := range accounts {
		c, ok := customers[a.CustomerID]
		if !ok {
			if c, err = h.db.Customer(ctx, a.CustomerID); err != nil {
				return page, err
			}
			customers[a.CustomerID] = c
		}
		page.Accounts = append(page.Accounts, PremiseAccount{Account: a, Customer: c})
	}
	page.Audit, err = h.auditTrail(ctx, []auditRef{{"premise", id}})
	return page, err
}
