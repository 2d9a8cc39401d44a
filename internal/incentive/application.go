package incentive

import (
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/money"
)

// Application is a customer's (or member agency's) request for a
// program's incentive, with the facts it was decided on, the decision and
// trace, where it is in the workflow and the money it holds.
type Application struct {
	ID            int64         `json:"id"`
	ProgramID     string        `json:"program"`
	Measure       string        `json:"measure"`
	AccountID     int64         `json:"account_id,omitempty"`    // 0 for member-agency grants
	MemberAgency  string        `json:"member_agency,omitempty"` // grants
	HouseholdKey  string        `json:"household_key"`           // "premise:<id>" or "agency:<name>"
	Status        Status        `json:"status"`
	Facts         Facts         `json:"facts"`
	Decision      Decision      `json:"decision"`
	AmountCents   money.Cents   `json:"amount_cents"`   // the quoted incentive
	ReservedCents money.Cents   `json:"reserved_cents"` // held in the budget now
	ApprovedCents money.Cents   `json:"approved_cents"` // committed at approval
	PaidCents     money.Cents   `json:"paid_cents"`
	BudgetID      int64         `json:"budget_id,omitempty"`
	Submitted     time.Time     `json:"submitted_at,omitzero"` // first come, first served key
	Expires       calendar.Date `json:"reservation_expires,omitzero"`
	PurchaseDate  calendar.Date `json:"purchase_date,omitzero"`
	Serials       []string      `json:"serials"`
	InvoiceNumber string        `json:"invoice_number,omitempty"`
	Contractor    string        `json:"contractor,omitempty"`
	Payee         string        `json:"payee,omitempty"`
	PaymentMethod string        `json:"payment_method"`
	Flags         []RiskFlag    `json:"flags"`
	Created       time.Time     `json:"created_at"`
	Updated       time.Time     `json:"updated_at"`
}

// Validate checks what an applicant supplies.
func (a *Application) Validate() error {
	var f apperr.Fields
	if !slugRE.MatchString(a.ProgramID) {
		f.Add("program", "is required: a program id such as sun-storage-rebate")
	}
	if a.AccountID <= 0 && strings.TrimSpace(a.MemberAgency) == "" {
		f.Add("account_id", "is required (or member_agency for a grant)")
	}
	var serials []string
	for _, s := range a.Serials {
		s = strings.ToUpper(strings.TrimSpace(s))
		if s == "" {
			continue
		}
		if len(s) > 64 {
			f.Add("serials", "serial numbers are at most 64 characters")
		}
		if !slices.Contains(serials, s) {
			serials = append(serials, s)
		}
	}
	a.Serials = serials
	a.InvoiceNumber = strings.TrimSpace(a.InvoiceNumber)
	a.Contractor = strings.TrimSpace(a.Contractor)
	a.Payee = strings.TrimSpace(a.Payee)
	if len(a.InvoiceNumber) > 64 {
		f.Add("invoice_number", "must be at most 64 characters")
	}
	return f.Err("incentive.Application")
}

// Claim returns what the fraud screen needs of the application.
func (a *Application) Claim() Claim {
	decided := a.Updated
	return Claim{ApplicationID: a.ID, ProgramID: a.ProgramID, Measure: a.Measure, HouseholdKey: a.HouseholdKey,
		Serials: a.Serials, InvoiceNumber: a.InvoiceNumber, Contractor: a.Contractor, Payee: normPayee(a.Payee),
		PurchaseDate: a.PurchaseDate, Status: a.Status, Decided: calendar.DateOf(decided)}
}

func normPayee(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }

// Qualifier says which set-asides the application may draw on.
func (a *Application) Qualifier() Qualifier {
	f := a.Facts
	return Qualifier{IncomeQualified: f.IncomeProgram == "CARE" || f.IncomeProgram == "FERA", DAC: f.DAC != nil && *f.DAC}
}

// RegistryFacts are the facts the registry knows about an account on a
// date: its class, CARE or FERA from the enrollments in force, the
// premise's DAC status, fire-threat tier, county, climate zone and member
// agency, whether the CCA serves it, the household it reported, and from
// the premise's home attributes the dwelling type and, for a home heated
// with gas, that it is a gas customer.
func RegistryFacts(a customer.Account, p customer.Premise, es []customer.Enrollment, on calendar.Date) Facts {
	f := Facts{Date: on, CustomerClass: string(a.Class), IncomeProgram: "none", County: p.CountyFIPS, MemberAgency: p.MemberAgency}
	for _, e := range es {
		if e.AccountID == a.ID && e.ActiveOn(on) {
			switch e.Program {
			case customer.ProgramCARE:
				f.IncomeProgram = "CARE"
			case customer.ProgramFERA:
				f.IncomeProgram = "FERA"
			}
		}
	}
	dac, zone := p.DAC, p.ClimateZone
	f.DAC, f.ClimateZone = &dac, &zone
	f.HFTDTier = [...]string{"none", "ZONE1", "TIER2", "TIER3"}[min(max(p.HFTDTier, 0), 3)]
	cca := a.LSE == customer.CCA && a.Active(on)
	f.CCACustomer = &cca
	f.DwellingType = p.Home.DwellingType
	if p.Home.HeatingFuel == "gas" {
		gas := true
		f.GasCustomer = &gas
	}
	if h := a.Household; h != nil {
		size := h.Size
		n := money.Cents(h.AnnualIncome)
		num := jsonNumberOfCents(n)
		f.HouseholdSize, f.HouseholdIncomeUSD = &size, &num
	}
	return f
}

// Merge returns the applicant's facts with every fact the registry knows
// taken from the registry: an applicant describes the equipment, the
// purchase and the home, never their own CARE status or fire-threat tier.
// The home's dwelling type and gas service come from the registry only
// when the applicant does not state them.
func Merge(applicant, registry Facts) Facts {
	f := applicant
	f.Date = registry.Date
	f.CustomerClass, f.IncomeProgram, f.DAC, f.HFTDTier = registry.CustomerClass, registry.IncomeProgram, registry.DAC, registry.HFTDTier
	f.County, f.ClimateZone, f.CCACustomer = registry.County, registry.ClimateZone, registry.CCACustomer
	if registry.MemberAgency != "" {
		f.MemberAgency = registry.MemberAgency
	}
	if f.DwellingType == "" {
		f.DwellingType = registry.DwellingType
	}
	if f.GasCustomer == nil {
		f.GasCustomer = registry.GasCustomer
	}
	if registry.HouseholdSize != nil {
		f.HouseholdSize, f.HouseholdIncomeUSD = registry.HouseholdSize, registry.HouseholdIncomeUSD
	}
	return f
}
