package incentive

import (
	"testing"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
)

// The registry's home attributes reach the facts: a gas-heated
// single-family home is a single_family dwelling and a gas customer; an
// applicant's own statement of either wins (they describe the home), the
// CARE status never does.
func TestRegistryFactsCarryTheHome(t *testing.T) {
	on := calendar.Date{Year: 2026, Month: 3, Day: 8}
	a := customer.Account{ID: 7, Class: customer.Residential, LSE: customer.CCA, ServiceStart: calendar.Date{Year: 2020, Month: 1, Day: 1}}
	p := customer.Premise{CountyFIPS: "06111", ClimateZone: 6, Home: customer.Home{DwellingType: "single_family", HeatingFuel: "gas"}}
	reg := RegistryFacts(a, p, nil, on)
	if reg.DwellingType != "single_family" || reg.GasCustomer == nil || !*reg.GasCustomer {
		t.Fatalf("registry facts %+v", reg)
	}
	no := false
	f := Merge(Facts{IncomeProgram: "CARE"}, reg)
	if f.DwellingType != "single_family" || !*f.GasCustomer || f.IncomeProgram != "none" {
		t.Errorf("merged %+v", f)
	}
	f = Merge(Facts{DwellingType: "multifamily", GasCustomer: &no}, reg)
	if f.DwellingType != "multifamily" || *f.GasCustomer {
		t.Errorf("applicant's statement lost: %+v", f)
	}
	p.Home.HeatingFuel = "heat_pump"
	if RegistryFacts(a, p, nil, on).GasCustomer != nil {
		t.Error("a heat-pump home is not known to be a gas customer")
	}
}
