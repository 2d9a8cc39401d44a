package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// NewCustomerPage is the Data of console/customer_new: the form as typed
// and the member agencies to choose from.
type NewCustomerPage struct {
	Form     NewCustomerForm
	Agencies []Option
	// HomeForm is the premise's home attributes as typed (all optional),
	// with the choices of its selects.
	HomeForm                    HomeForm
	Dwellings, Heating, Sources []Option
}

// newCustomerPage is the page's data for a form as typed.
func (h *handler) newCustomerPage(form NewCustomerForm, home HomeForm) NewCustomerPage {
	page := NewCustomerPage{Form: form, Agencies: h.agencyOptions(), HomeForm: home}
	page.Dwellings, page.Heating, page.Sources = homeOptions()
	return page
}

// NewCustomerForm holds the new-customer form's inputs as typed. Input
// names are the field names the registry's validation reports, so each
// error lands next to its input.
type NewCustomerForm struct {
	Kind, Name, Email, Phone, MailingAddress                       string
	Address, City, ZIP, MemberAgency, TractGEOID, HFTDTier         string
	Number, Class, RateSchedule, LSE, ServiceStart                 string
	HouseholdSize, HouseholdIncome, IncomeVerification, VerifiedOn string
}

// customerNewForm shows an empty new-customer form.
func (h *handler) customerNewForm(w http.ResponseWriter, r *http.Request) {
	form := NewCustomerForm{Kind: string(customer.Person), Class: string(customer.Residential), LSE: string(customer.CCA),
		HFTDTier: "0", ServiceStart: h.today().String()}
	h.rd.Render(w, r, http.StatusOK, "console/customer_new", &View{Title: "New customer", Nav: NavCustomers,
		Data: h.newCustomerPage(form, HomeForm{})})
}

// customerCreate creates a customer with its first premise and service
// account in one transaction. Every input is checked first and all
// problems are shown at once; nothing is written unless all are right.
func (h *handler) customerCreate(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	fv := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	form := NewCustomerForm{
		Kind: fv("kind"), Name: fv("name"), Email: fv("email"), Phone: fv("phone"), MailingAddress: fv("mailing_address"),
		Address: fv("address"), City: fv("city"), ZIP: fv("zip"), MemberAgency: fv("member_agency"), TractGEOID: fv("tract_geoid"),
		HFTDTier: fv("hftd_tier"), Number: fv("number"), Class: fv("class"), RateSchedule: fv("rate_schedule"), LSE: fv("lse"),
		ServiceStart: fv("service_start"), HouseholdSize: fv("household_size"), HouseholdIncome: fv("household_income"),
		IncomeVerification: fv("income_verification"), VerifiedOn: fv("verified_on"),
	}
	home := readHomeForm(r)
	c, p, a, err := h.parseNewCustomer(form, home)
	if err == nil {
		err = h.db.InTx(ctx, func(tx *store.Tx) error {
			actor := UserFromContext(ctx).Actor()
			if err := tx.CreateCustomer(ctx, actor, &c); err != nil {
				return err
			}
			if err := tx.CreatePremise(ctx, actor, &p); err != nil {
				return err
			}
			a.CustomerID, a.PremiseID = c.ID, p.ID
			return tx.CreateAccount(ctx, actor, &a)
		})
	}
	if err != nil {
		kind := apperr.KindOf(err)
		if kind != apperr.Invalid && kind != apperr.Conflict {
			h.rd.Error(w, r, err)
			return
		}
		v := &View{Title: "New customer", Nav: NavCustomers, Data: h.newCustomerPage(form, home)}
		v.SetError(err)
		if kind == apperr.Conflict { // the account number is the form's only unique value
			v.Fields = map[string]string{"number": apperr.MessageOf(err)}
			v.Message = "Please correct the fields marked below."
		}
		h.rd.Render(w, r, StatusOf(err), "console/customer_new", v)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("Created %s with account %s.", c.Name, a.Number)})
	Redirect(w, r, fmt.Sprintf("/customers/%d", c.ID))
}

// parseNewCustomer turns the form into registry values and checks all of
// them, returning one Invalid error with every field problem.
func (h *handler) parseNewCustomer(form NewCustomerForm, home HomeForm) (customer.Customer, customer.Premise, customer.Account, error) {
	var f apperr.Fields
	c := customer.Customer{Kind: customer.Kind(form.Kind), Name: form.Name, Email: form.Email, Phone: form.Phone,
		MailingAddress: form.MailingAddress}
	p := customer.Premise{Address: form.Address, City: form.City, ZIP: form.ZIP, MemberAgency: form.MemberAgency, TractGEOID: form.TractGEOID,
		Home: home.home(&f)}
	a := customer.Account{Number: form.Number, Class: customer.Class(form.Class), RateSchedule: form.RateSchedule, LSE: customer.LSE(form.LSE)}

	// The member agency decides the county (reference.MemberAgency).
	if form.MemberAgency == "" {
		f.Add("member_agency", "is required")
	} else {
		for _, ag := range h.db.Reference().MemberAgencies() {
			if ag.Name == form.MemberAgency {
				p.CountyFIPS = ag.CountyFIPS
			}
		}
		if p.CountyFIPS == "" {
			f.Add("member_agency", "%q is not a member agency", form.MemberAgency)
		}
	}
	if n, err := strconv.Atoi(form.HFTDTier); err != nil {
		f.Add("hftd_tier", "must be 0 (outside), 1, 2 or 3")
	} else {
		p.HFTDTier = n
	}
	if form.ServiceStart != "" {
		d, err := calendar.ParseDate(form.ServiceStart)
		if err != nil {
			f.Add("service_start", "must be a date such as 2026-03-08")
		}
		a.ServiceStart = d
	}
	if form.HouseholdSize != "" || form.HouseholdIncome != "" || form.IncomeVerification != "" || form.VerifiedOn != "" {
		hh := &customer.Household{Verification: form.IncomeVerification}
		if n, err := strconv.Atoi(form.HouseholdSize); err != nil {
			f.Add("household_size", "must be a whole number of persons (required with income)")
		} else {
			hh.Size = n
		}
		if form.HouseholdIncome == "" {
			f.Add("household_income", "is required with a household size")
		} else if cents, err := money.ParseDollars(form.HouseholdIncome); err != nil {
			f.Add("household_income", "must be an amount in dollars, such as 52000 or 52,000.00")
		} else {
			hh.AnnualIncome = cents
		}
		if form.VerifiedOn != "" {
			d, err := calendar.ParseDate(form.VerifiedOn)
			if err != nil {
				f.Add("verified_on", "must be a date such as 2026-03-08")
			}
			hh.VerifiedOn = d
		}
		a.Household = hh
	}

	f = append(f, apperr.FieldsOf(c.Validate())...)
	for _, fe := range apperr.FieldsOf(p.ResolveOn(h.db.Reference(), h.today())) {
		// The county follows from the member agency, whose problems are
		// reported above.
		if fe.Field == "county_fips" || fe.Field == "member_agency" && slices.ContainsFunc(f, func(o apperr.FieldError) bool { return o.Field == "member_agency" }) {
			continue
		}
		f = append(f, fe)
	}
	// The customer and premise do not exist yet; stand-in IDs let the
	// account's own fields be checked now.
	a.CustomerID, a.PremiseID = 1, 1
	f = append(f, apperr.FieldsOf(a.Validate())...)
	a.CustomerID, a.PremiseID = 0, 0
	return c, p, a, f.Err("web.customerCreate")
}

// agencyOptions lists the member agencies for the form's select.
func (h *handler) agencyOptions() []Option {
	out := []Option{{Value: "", Label: "Choose…"}}
	for _, ag := range h.db.Reference().MemberAgencies() {
		out = append(out, Option{Value: ag.Name, Label: ag.Name + " (" + ag.County + ")"})
	}
	return out
}
