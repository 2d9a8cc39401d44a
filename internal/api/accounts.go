package api

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// accountJSON is a service account as the API shows it. The household
// fields are null when the household has not reported.
type accountJSON struct {
	ID                   int64   `json:"id"`
	Number               string  `json:"number"`
	CustomerID           int64   `json:"customer_id"`
	PremiseID            int64   `json:"premise_id"`
	Class                string  `json:"class"`
	RateSchedule         string  `json:"rate_schedule"`
	LSE                  string  `json:"lse"`
	ServiceStart         string  `json:"service_start"`
	ServiceEnd           *string `json:"service_end"`
	HouseholdSize        *int    `json:"household_size"`
	HouseholdIncomeCents *int64  `json:"household_income_cents"`
	IncomeVerification   *string `json:"income_verification"`
	IncomeVerifiedOn     *string `json:"income_verified_on"`
	CreatedAt            string  `json:"created_at"`
	UpdatedAt            string  `json:"updated_at"`
}

func accountOut(a customer.Account) accountJSON {
	out := accountJSON{ID: a.ID, Number: a.Number, CustomerID: a.CustomerID, PremiseID: a.PremiseID, Class: string(a.Class),
		RateSchedule: a.RateSchedule, LSE: string(a.LSE), ServiceStart: a.ServiceStart.String(), ServiceEnd: optDate(a.ServiceEnd),
		CreatedAt: instant(a.Created), UpdatedAt: instant(a.Updated)}
	if hh := a.Household; hh != nil {
		size, income, ver := hh.Size, int64(hh.AnnualIncome), hh.Verification
		out.HouseholdSize, out.HouseholdIncomeCents, out.IncomeVerifiedOn = &size, &income, optDate(hh.VerifiedOn)
		if ver != "" {
			out.IncomeVerification = &ver
		}
	}
	return out
}

// accountRequest is the body of POST /accounts and PUT /accounts/{id}.
// household_size and household_income_cents come together or not at all;
// pointers tell an absent value from a zero one.
type accountRequest struct {
	Number               string `json:"number"`
	CustomerID           int64  `json:"customer_id"`
	PremiseID            int64  `json:"premise_id"`
	Class                string `json:"class"`
	RateSchedule         string `json:"rate_schedule"`
	LSE                  string `json:"lse"`
	ServiceStart         string `json:"service_start"`
	ServiceEnd           string `json:"service_end"`
	HouseholdSize        *int   `json:"household_size"`
	HouseholdIncomeCents *int64 `json:"household_income_cents"`
	IncomeVerification   string `json:"income_verification"`
	IncomeVerifiedOn     string `json:"income_verified_on"`
}

// accountFieldNames maps the domain's field names to this API's.
var accountFieldNames = map[string]string{"household_income": "household_income_cents"}

// account converts the request, reporting every invalid field at once:
// malformed dates and an incomplete household here, the rest from the
// account's own validation.
func (q accountRequest) account(id int64) (customer.Account, error) {
	var f apperr.Fields
	a := customer.Account{ID: id, Number: q.Number, CustomerID: q.CustomerID, PremiseID: q.PremiseID, Class: customer.Class(q.Class),
		RateSchedule: q.RateSchedule, LSE: customer.LSE(q.LSE)}
	a.ServiceStart = parseDate(&f, "service_start", q.ServiceStart)
	a.ServiceEnd = parseDate(&f, "service_end", q.ServiceEnd)
	if q.HouseholdSize != nil || q.HouseholdIncomeCents != nil || q.IncomeVerification != "" || q.IncomeVerifiedOn != "" {
		hh := &customer.Household{Verification: q.IncomeVerification}
		hh.VerifiedOn = parseDate(&f, "income_verified_on", q.IncomeVerifiedOn)
		if q.HouseholdSize == nil {
			f.Add("household_size", "is required with the other household fields")
		} else {
			hh.Size = *q.HouseholdSize
		}
		if q.HouseholdIncomeCents == nil {
			f.Add("household_income_cents", "is required with the other household fields")
		} else {
			hh.AnnualIncome = money.Cents(*q.HouseholdIncomeCents)
		}
		a.Household = hh
	}
	if err := a.Validate(); err != nil {
		for _, fe := range apperr.FieldsOf(renameFields(err, accountFieldNames)) {
			if !slices.ContainsFunc(f, func(o apperr.FieldError) bool { return o.Field == fe.Field }) {
				f = append(f, fe)
			}
		}
	}
	return a, f.Err("api.account")
}

func (h *handler) listAccounts(w http.ResponseWriter, r *http.Request, p *principal) {
	ps := newParams(r, "customer_id", "premise_id", "class", "lse", "rate_schedule", "member_agency", "dac", "program", "on",
		"number", "after", "limit")
	f := store.AccountFilter{CustomerID: ps.int64("customer_id"), PremiseID: ps.int64("premise_id"),
		Class: customer.Class(ps.str("class")), LSE: customer.LSE(ps.str("lse")),
		RateSchedule: strings.ToUpper(ps.str("rate_schedule")), MemberAgency: ps.str("member_agency"), DAC: ps.optBool("dac"),
		Program: strings.ToLower(ps.str("program")), On: ps.date("on"), Number: ps.str("number"), IDs: p.accountIDs()}
	if f.Class != "" && !slices.Contains(customer.Classes, f.Class) {
		ps.f.Add("class", "must be residential, commercial, agricultural or municipal")
	}
	if f.LSE != "" && f.LSE != customer.CCA && f.LSE != customer.Bundled {
		ps.f.Add("lse", "must be cca or bundled")
	}
	if !f.On.IsZero() && f.Program == "" {
		ps.f.Add("on", "applies only with program")
	}
	f.After, f.Limit = ps.page()
	if err := ps.err(); err != nil {
		h.writeError(w, r, err)
		return
	}
	limit := f.Limit
	f.Limit++
	rows, err := h.db.Accounts(r.Context(), f)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, pageOf(rows, limit, func(a customer.Account) int64 { return a.ID }, accountOut))
}

func (h *handler) getAccount(w http.ResponseWriter, r *http.Request, p *principal) {
	a, err := h.visibleAccount(r, p, "id")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, accountOut(a))
}

// visibleAccount loads the account named by the path parameter, answering
// NotFound when it is not one of a portal user's accounts.
func (h *handler) visibleAccount(r *http.Request, p *principal, param string) (customer.Account, error) {
	id, err := pathID(r, param, "account")
	if err != nil {
		return customer.Account{}, err
	}
	if !p.seesAccount(id) {
		return customer.Account{}, apperr.NotFoundf("api", "account %d not found", id)
	}
	return h.db.Account(r.Context(), id)
}

func (h *handler) createAccount(w http.ResponseWriter, r *http.Request, p *principal) {
	var req accountRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	a, err := req.account(0)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		if err := tx.CreateAccount(ctx, p.actor, &a); err != nil {
			return 0, nil, renameFields(err, accountFieldNames)
		}
		return http.StatusCreated, accountOut(a), nil
	})
}

func (h *handler) putAccount(w http.ResponseWriter, r *http.Request, p *principal) {
	id, err := pathID(r, "id", "account")
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	var req accountRequest
	body, ok := h.decodeBody(w, r, &req)
	if !ok {
		return
	}
	a, err := req.account(id)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	h.commit(w, r, p, body, func(ctx context.Context, tx *store.Tx) (int, any, error) {
		if err := tx.UpdateAccount(ctx, p.actor, &a); err != nil {
			return 0, nil, renameFields(err, accountFieldNames)
		}
		return http.StatusOK, accountOut(a), nil
	})
}
