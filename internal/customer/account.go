package customer

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
)

// Class is the customer class of a service account.
type Class string

// Customer classes.
const (
	Residential  Class = "residential"
	Commercial   Class = "commercial"
	Agricultural Class = "agricultural"
	Municipal    Class = "municipal"
)

// Classes lists every customer class in display order.
var Classes = []Class{Residential, Commercial, Agricultural, Municipal}

// LSE says who procures the account's generation: the community choice
// aggregator, or the utility (bundled service).
type LSE string

// Load-serving sides.
const (
	CCA     LSE = "cca"
	Bundled LSE = "bundled"
)

// Verification sources for household income.
const (
	VerifySelfAttested = "self_attested"
	VerifyDocuments    = "documents"
	VerifyCategorical  = "categorical" // enrolled in Medi-Cal, CalFresh, WIC, LIHEAP, SSI, ...
	VerifyUtility      = "utility"     // the utility's own CARE/FERA verification
)

var verifications = map[string]bool{VerifySelfAttested: true, VerifyDocuments: true, VerifyCategorical: true, VerifyUtility: true}

// Household is what an account holder reported about the household, used by
// income-qualified programs.
type Household struct {
	Size         int         // persons, at least 1
	AnnualIncome money.Cents // gross annual household income
	Verification string      // one of the Verify* constants; required
	VerifiedOn   calendar.Date
}

// Account is a service account: a customer's electric service at a premise
// under a rate schedule.
type Account struct {
	ID           int64
	Number       string // utility service account number, 6–20 digits
	CustomerID   int64
	PremiseID    int64
	Class        Class
	RateSchedule string // e.g. "TOU-D-4-9PM", "TOU-GS-1-D"
	LSE          LSE
	ServiceStart calendar.Date
	ServiceEnd   calendar.Date // zero while service continues
	Household    *Household    // nil when not reported
	Created      time.Time
	Updated      time.Time
}

// MarshalJSON writes the account with the JSON API's field names: snake
// case, the household flattened into household_size,
// household_income_cents, income_verification and income_verified_on
// (absent when not reported). The audit log records accounts this way.
func (a Account) MarshalJSON() ([]byte, error) {
	out := struct {
		ID                   int64          `json:"id"`
		Number               string         `json:"number"`
		CustomerID           int64          `json:"customer_id"`
		PremiseID            int64          `json:"premise_id"`
		Class                Class          `json:"class"`
		RateSchedule         string         `json:"rate_schedule"`
		LSE                  LSE            `json:"lse"`
		ServiceStart         calendar.Date  `json:"service_start"`
		ServiceEnd           calendar.Date  `json:"service_end"`
		HouseholdSize        *int           `json:"household_size,omitempty"`
		HouseholdIncomeCents *money.Cents   `json:"household_income_cents,omitempty"`
		IncomeVerification   string         `json:"income_verification,omitempty"`
		IncomeVerifiedOn     *calendar.Date `json:"income_verified_on,omitempty"`
		Created              time.Time      `json:"created_at"`
		Updated              time.Time      `json:"updated_at"`
	}{ID: a.ID, Number: a.Number, CustomerID: a.CustomerID, PremiseID: a.PremiseID, Class: a.Class, RateSchedule: a.RateSchedule,
		LSE: a.LSE, ServiceStart: a.ServiceStart, ServiceEnd: a.ServiceEnd, Created: a.Created, Updated: a.Updated}
	if h := a.Household; h != nil {
		size, income, on := h.Size, h.AnnualIncome, h.VerifiedOn
		out.HouseholdSize, out.HouseholdIncomeCents, out.IncomeVerifiedOn = &size, &income, &on
		out.IncomeVerification = h.Verification
	}
	return json.Marshal(out)
}

var accountNumberRE = regexp.MustCompile(`^[0-9]{6,20}$`)
var rateRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9\-_. ]{0,39}$`)

// Validate checks the account's own fields. Whether the customer and premise
// exist is the store's question.
func (a *Account) Validate() error {
	var f apperr.Fields
	a.Number = strings.TrimSpace(a.Number)
	a.RateSchedule = strings.ToUpper(strings.TrimSpace(a.RateSchedule))
	if !accountNumberRE.MatchString(a.Number) {
		f.Add("number", "must be 6 to 20 digits")
	}
	if a.CustomerID <= 0 {
		f.Add("customer_id", "is required")
	}
	if a.PremiseID <= 0 {
		f.Add("premise_id", "is required")
	}
	if !validClass(a.Class) {
		f.Add("class", "must be residential, commercial, agricultural or municipal")
	}
	if !rateRE.MatchString(a.RateSchedule) {
		f.Add("rate_schedule", "must be a rate schedule code such as TOU-D-4-9PM")
	}
	if a.LSE != CCA && a.LSE != Bundled {
		f.Add("lse", "must be %q or %q", CCA, Bundled)
	}
	if a.ServiceStart.IsZero() {
		f.Add("service_start", "is required")
	}
	if !a.ServiceEnd.IsZero() && !a.ServiceEnd.After(a.ServiceStart) {
		f.Add("service_end", "must be after service_start")
	}
	if h := a.Household; h != nil {
		if h.Size < 1 {
			f.Add("household_size", "must be at least 1")
		} else if h.Size > 30 {
			f.Add("household_size", "must be at most 30")
		}
		if h.AnnualIncome < 0 {
			f.Add("household_income", "must not be negative")
		}
		// Income-qualified programs act on the reported income, so it is
		// recorded only with how it was verified.
		if h.Verification == "" {
			f.Add("income_verification", "is required with household income: self_attested, documents, categorical or utility")
		} else if !verifications[h.Verification] {
			f.Add("income_verification", "must be self_attested, documents, categorical or utility")
		}
	}
	return f.Err("customer.Account")
}

func validClass(c Class) bool {
	for _, k := range Classes {
		if c == k {
			return true
		}
	}
	return false
}

// Active reports whether the account is in service on d.
func (a *Account) Active(d calendar.Date) bool {
	return !d.Before(a.ServiceStart) && (a.ServiceEnd.IsZero() || d.Before(a.ServiceEnd))
}
