package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// NavPrograms and NavApplications are the portal's program pages.
const (
	NavPrograms     = "programs"
	NavApplications = "applications"
)

// PortalOffer is a program as a customer sees it: whether they qualify
// for one of their accounts, how much and why.
type PortalOffer struct {
	Program   incentive.Program
	AccountID int64
	Verdict   string      // "eligible", "maybe", "not eligible", "enrolled"
	Amount    money.Cents // when eligible
	Why       []string    // reasons, or the equipment details that decide
	CanApply  bool
	Coupon    bool
}

// portalSkip are programs a customer does not apply for in the portal:
// member-agency grants, builders' new-construction incentives,
// recognition listings, tariffs CPA enrolls automatically, and the
// budgets of demand response (customers enroll in demand response, whose
// engine computes what they are owed).
var portalSkip = []string{"grant", "new_construction", "recognition", "tariff", "demand_response"}

// portalPrograms lists the programs with what the customer would get and
// why (GET /my/programs), decided on the registry's facts for their first
// account; programs that depend on equipment say which details decide.
func (h *handler) portalPrograms(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := UserFromContext(ctx)
	acct, prem, es, err := h.portalAccount0(r, u)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	ps, err := h.db.IncentivePrograms(ctx)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	var offers []PortalOffer
	today := h.today()
	for _, p := range ps {
		if !p.ActiveOn(today) || (slices.Contains(portalSkip, p.Kind) && p.ID != "power-share") {
			continue
		}
		o := PortalOffer{Program: p, AccountID: acct.ID, Coupon: p.Coupon != nil}
		facts := incentive.RegistryFacts(acct, prem, es, today)
		if p.Coupon != nil {
			// Coupons are for qualifying (ENERGY STAR) products only.
			facts.Measure = map[string]json.RawMessage{"energy_star": json.RawMessage("true")}
		}
		if p.ProgramEnrollment != "" && enrolledIn(es, p.ProgramEnrollment, today) {
			o.Verdict = "enrolled"
			offers = append(offers, o)
			continue
		}
		d, qerr := p.Quote(facts, h.db.Reference())
		switch {
		case qerr == nil && d.Eligible:
			o.Verdict, o.Amount, o.CanApply = "eligible", d.AmountCents, p.Kind != "tariff"
		case qerr == nil:
			o.Verdict = "not eligible"
			for _, r := range d.Reasons {
				if r.Code != incentive.ReasonMissingFact && r.Code != incentive.ReasonPrerequisite {
					o.Why = append(o.Why, r.Message)
				}
			}
			if len(o.Why) == 0 { // only equipment facts missing
				o.Verdict, o.CanApply = "maybe", true
				o.Why = missingFacts(d)
			}
		default:
			o.Verdict, o.CanApply = "maybe", p.Kind != "tariff"
			o.Why = missingFacts(d)
		}
		offers = append(offers, o)
	}
	slices.SortStableFunc(offers, func(a, b PortalOffer) int { return verdictRank(a.Verdict) - verdictRank(b.Verdict) })
	h.rd.Render(w, r, http.StatusOK, "portal/programs", &View{Title: "Programs for you", Nav: NavPrograms, Data: offers})
}

func verdictRank(v string) int {
	return map[string]int{"enrolled": 0, "eligible": 1, "maybe": 2, "not eligible": 3}[v]
}

func enrolledIn(es []customer.Enrollment, program string, on calendar.Date) bool {
	return slices.ContainsFunc(es, func(e customer.Enrollment) bool { return e.Program == program && e.ActiveOn(on) })
}

// missingFacts lists what a decision still needs, in words.
func missingFacts(d incentive.Decision) []string {
	var out []string
	for _, r := range d.Reasons {
		if r.Code == incentive.ReasonMissingFact && !slices.Contains(out, r.Field) {
			out = append(out, r.Field)
		}
	}
	for i, f := range out {
		out[i] = strings.ReplaceAll(strings.TrimPrefix(f, "measure."), "_", " ")
	}
	if len(out) > 0 {
		out = []string{"Depends on your equipment: " + strings.Join(out, ", ") + "."}
	}
	return out
}

// portalAccount0 is the customer's first account with its premise and
// enrollments (the programs pages act for it; ?account= picks another).
func (h *handler) portalAccount0(r *http.Request, u *User) (customer.Account, customer.Premise, []customer.Enrollment, error) {
	ctx := r.Context()
	if len(u.AccountIDs) == 0 {
		return customer.Account{}, customer.Premise{}, nil, apperr.NotFoundf("web", "Your login is not linked to an account yet.")
	}
	id := u.AccountIDs[0]
	if s := r.URL.Query().Get("account"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || !u.Sees(n) {
			return customer.Account{}, customer.Premise{}, nil, apperr.NotFoundf("web", "There is no page at this address.")
		}
		id = n
	}
	a, err := h.db.Account(ctx, id)
	if err != nil {
		return a, customer.Premise{}, nil, err
	}
	p, err := h.db.Premise(ctx, a.PremiseID)
	if err != nil {
		return a, p, nil, err
	}
	es, err := h.db.Enrollments(ctx, a.ID)
	return a, p, es, err
}

// FactField is one equipment question of an application form, derived
// from the program's conditions.
type FactField struct {
	Name    string // the fact: "measure.energy_factor", "homeowner"
	Label   string
	Kind    string // bool, number, choice, items
	Choices []Option
	Value   string
	Values  []string // items chosen
	Error   string
}

// ApplyPage is the Data of portal/apply.
type ApplyPage struct {
	Program   incentive.Program
	AccountID int64
	Measure   string
	Measures  []Option
	Fields    []FactField
	Purchase  string
	Serial    string
	Coupon    bool
	Retailer  string
	Channel   string
}

// registryFacts are the facts the registry supplies; the form never asks.
var registryFacts = []string{"customer_class", "income_program", "dac", "hftd_tier", "county", "climate_zone", "member_agency",
	"cca_customer", "household_size"}

// formFields derives the questions a measure's rules need.
func formFields(p incentive.Program, m incentive.Measure) []FactField {
	var out []FactField
	seen := map[string]bool{}
	var walk func(cs []incentive.Condition)
	add := func(f FactField) {
		if f.Name == "" || seen[f.Name] || slices.Contains(registryFacts, f.Name) || f.Name == "measure.type" {
			return
		}
		seen[f.Name] = true
		out = append(out, f)
	}
	walk = func(cs []incentive.Condition) {
		for _, c := range cs {
			switch {
			case len(c.AnyOf) > 0:
				walk(c.AnyOf)
			case c.Income != "":
			case c.Is != nil:
				add(FactField{Name: c.Fact, Label: c.Says, Kind: "bool", Choices: []Option{{Value: "", Label: "Choose"}, {Value: "true", Label: "Yes"}, {Value: "false", Label: "No"}}})
			case len(c.In) > 0:
				ch := []Option{{Value: "", Label: "Choose"}}
				for _, v := range c.In {
					ch = append(ch, Option{Value: v, Label: strings.ReplaceAll(v, "_", " ")})
				}
				add(FactField{Name: c.Fact, Label: c.Says, Kind: "choice", Choices: ch})
			case c.Present != nil:
			default:
				add(FactField{Name: c.Fact, Label: c.Says, Kind: "number"})
			}
		}
	}
	walk(p.Eligibility)
	walk(m.Conditions)
	for _, r := range m.Rules {
		walk(r.When)
		for _, t := range r.Tiers {
			walk(t.When)
		}
		if r.ItemsFact != "" {
			f := FactField{Name: r.ItemsFact, Label: "Upgrades installed", Kind: "items"}
			for _, k := range sortedItemKeys(r.Items) {
				f.Choices = append(f.Choices, Option{Value: k, Label: strings.ReplaceAll(k, "_", " ")})
			}
			add(f)
		}
		if strings.HasPrefix(r.FromFact, "measure.") {
			add(FactField{Name: r.FromFact, Label: "Calculated incentive from your contractor ($)", Kind: "number"})
		}
	}
	return out
}

func sortedItemKeys(m map[string]money.Cents) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func (h *handler) applyPage(r *http.Request) (ApplyPage, error) {
	ctx := r.Context()
	u := UserFromContext(ctx)
	acct, _, _, err := h.portalAccount0(r, u)
	if err != nil {
		return ApplyPage{}, err
	}
	p, err := h.db.IncentiveProgram(ctx, r.PathValue("pid"))
	if err != nil {
		return ApplyPage{}, err
	}
	page := ApplyPage{Program: p, AccountID: acct.ID, Coupon: p.Coupon != nil, Measure: r.FormValue("measure")}
	for _, m := range p.Measures {
		page.Measures = append(page.Measures, Option{Value: m.ID, Label: m.Name})
	}
	if page.Measure == "" {
		page.Measure = p.Measures[0].ID
	}
	m, err := p.Measure(page.Measure)
	if err != nil {
		return page, err
	}
	page.Fields = formFields(p, m)
	return page, nil
}

// portalApply shows the application form of a program
// (GET /my/programs/{pid}).
func (h *handler) portalApply(w http.ResponseWriter, r *http.Request) {
	page, err := h.applyPage(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "portal/apply", &View{Title: page.Program.Name, Nav: NavPrograms, Data: page})
}

// portalApplySubmit creates and submits an application in one
// transaction (POST /my/programs/{pid}): its decision, automatic checks
// and reservation. A problem comes back on the form and stores nothing.
func (h *handler) portalApplySubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	page, err := h.applyPage(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	facts := incentive.Facts{Measure: map[string]json.RawMessage{"type": jsonString(page.Measure)}}
	var f apperr.Fields
	for i := range page.Fields {
		fd := &page.Fields[i]
		fd.Value = strings.TrimSpace(r.PostFormValue(fd.Name))
		fd.Values = r.PostForm[fd.Name]
		if err := setFact(&facts, *fd); err != nil {
			f.Add(fd.Name, "%s", err.Error())
		}
	}
	page.Purchase, page.Serial = strings.TrimSpace(r.PostFormValue("purchase_date")), strings.TrimSpace(r.PostFormValue("serial"))
	var purchase calendar.Date
	if page.Purchase != "" {
		if purchase, err = calendar.ParseDate(page.Purchase); err != nil {
			f.Add("purchase_date", "must be a date such as 2026-03-08")
		}
	}
	if err := f.Err("web.apply"); err != nil {
		h.renderApply(w, r, page, err)
		return
	}
	if err := facts.Validate(); err != nil {
		h.renderApply(w, r, page, err)
		return
	}
	var serials []string
	if page.Serial != "" {
		serials = []string{page.Serial}
	}
	var a incentive.Application
	err = h.db.InTx(ctx, func(tx *store.Tx) error {
		actor := UserFromContext(ctx).Actor()
		d, err := tx.CreateApplication(ctx, actor, store.NewApplication{ProgramID: page.Program.ID, AccountID: page.AccountID, Facts: facts,
			PurchaseDate: purchase, Serials: serials})
		if err != nil {
			return err
		}
		a, err = tx.SubmitApplication(ctx, actor, d.ID)
		return err
	})
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Conflict {
			h.rd.Error(w, r, err)
			return
		}
		h.renderApply(w, r, page, err)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("Application %d received: %s.", a.ID, statusLabel(a.Status))})
	Redirect(w, r, fmt.Sprintf("/my/applications/%d", a.ID))
}

func (h *handler) renderApply(w http.ResponseWriter, r *http.Request, page ApplyPage, err error) {
	v := &View{Title: page.Program.Name, Nav: NavPrograms, Data: page}
	v.SetError(err)
	for i := range page.Fields {
		page.Fields[i].Error = v.Err(page.Fields[i].Name)
	}
	if v.Message == "" || v.Message == "invalid input" {
		v.Message = "Please check the answers below: " + problemText(err)
	}
	h.rd.Render(w, r, StatusOf(err), "portal/apply", v)
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// setFact records a form answer as a fact; an empty answer is no fact.
func setFact(f *incentive.Facts, fd FactField) error {
	if fd.Value == "" && fd.Kind != "items" {
		return nil
	}
	var raw json.RawMessage
	switch fd.Kind {
	case "bool":
		if fd.Value != "true" && fd.Value != "false" {
			return fmt.Errorf("choose yes or no")
		}
		raw = json.RawMessage(fd.Value)
	case "number":
		if _, err := strconv.ParseFloat(fd.Value, 64); err != nil {
			return fmt.Errorf("must be a number")
		}
		raw = json.RawMessage(strings.TrimLeft(fd.Value, "+"))
	case "items":
		if len(fd.Values) == 0 {
			return nil
		}
		b, _ := json.Marshal(fd.Values)
		raw = b
	default:
		raw = jsonString(fd.Value)
	}
	if k, ok := strings.CutPrefix(fd.Name, "measure."); ok {
		f.Measure[k] = raw
		return nil
	}
	switch fd.Name {
	case "homeowner", "gas_customer":
		b := fd.Value == "true"
		if fd.Name == "homeowner" {
			f.Homeowner = &b
		} else {
			f.GasCustomer = &b
		}
	case "dwelling_type":
		f.DwellingType = fd.Value
	}
	return nil
}

// portalCoupon issues an instant coupon for the customer's account
// (POST /my/programs/{pid}/coupon: retailer, channel).
func (h *handler) portalCoupon(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	page, err := h.applyPage(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page.Retailer, page.Channel = strings.TrimSpace(r.PostFormValue("retailer")), r.PostFormValue("channel")
	var c incentive.Coupon
	err = h.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		c, err = tx.IssueCoupon(ctx, UserFromContext(ctx).Actor(), store.IssueCouponRequest{AccountID: page.AccountID, ProgramID: page.Program.ID,
			Retailer: page.Retailer, Channel: page.Channel})
		return err
	})
	if err != nil {
		if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Conflict {
			h.rd.Error(w, r, err)
			return
		}
		h.renderApply(w, r, page, err)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("Your %s coupon is %s: use it at %s by %s.", c.AmountCents, c.Code, c.Retailer, longDate(c.Expires))})
	Redirect(w, r, "/my/applications")
}

// PortalApplications is the Data of portal/applications.
type PortalApplications struct {
	Apps    []ApplicationRow
	Coupons []incentive.Coupon
	Today   calendar.Date
}

// portalApplications lists the customer's applications and coupons.
func (h *handler) portalApplications(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := UserFromContext(ctx)
	ids := u.AccountIDs
	if ids == nil {
		ids = []int64{}
	}
	apps, err := h.db.Applications(ctx, store.ApplicationFilter{AccountIDs: ids, Limit: 200})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	cs, err := h.db.Coupons(ctx, store.CouponFilter{AccountIDs: ids, Limit: 200})
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page := PortalApplications{Coupons: cs, Today: h.today()}
	for _, a := range apps {
		page.Apps = append(page.Apps, ApplicationRow{Application: a, StatusLabel: statusLabel(a.Status)})
	}
	h.rd.Render(w, r, http.StatusOK, "portal/applications", &View{Title: "My applications", Nav: NavApplications, Data: page})
}

// portalApplication shows one of the customer's applications.
func (h *handler) portalApplication(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page, err := h.applicationPage(r, id, false)
	if err == nil && !UserFromContext(r.Context()).Sees(page.App.AccountID) {
		err = apperr.NotFoundf("web", "There is no page at this address.")
	}
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "portal/application", &View{Title: fmt.Sprintf("Application %d", id), Nav: NavApplications, Data: page})
}
