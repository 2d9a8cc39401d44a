package billrun

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
)

func policies(t testing.TB) Policies {
	t.Helper()
	ps, err := LoadPolicies()
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// flatUsage is 1 kWh delivered in every hour of the periods' span.
func flatUsage(t testing.TB, from, to string) *billing.Usage {
	p := period(t, from, to)
	n := int(p.End.Start().Sub(p.Start.Start()) / time.Hour)
	u := &billing.Usage{Start: p.Start.Start(), Step: time.Hour, Delivered: make([]energy.Wh, n)}
	for i := range u.Delivered {
		u.Delivered[i] = 1000
	}
	return u
}

// TestShadowSchedulesOfTheAccountsSector: a residential SCE account may be
// shadow-billed on the two shipped SCE residential schedules; a business on
// TOU-8-D only on the SCE commercial schedule shipped (TOU-8-D; PG&E's
// E-19 is another utility's); an unloaded schedule gives none.
func TestShadowSchedulesOfTheAccountsSector(t *testing.T) {
	cat, pol := shippedCatalog(t), policy(t)
	if got := cat.Schedules(home(t), pol); !slices.Equal(got, []string{"TOU-D-4-9PM", "TOU-D-PRIME"}) {
		t.Errorf("residential: %v", got)
	}
	biz := home(t, func(a *Account) { a.Class, a.RateSchedule, a.LSE = customer.Commercial, "TOU-8-D", customer.Bundled })
	if got := cat.Schedules(biz, pol); !slices.Equal(got, []string{"TOU-8-D"}) {
		t.Errorf("commercial: %v", got)
	}
	if got := cat.Schedules(home(t, func(a *Account) { a.RateSchedule = "TOU-GS-1-D" }), pol); len(got) != 0 {
		t.Errorf("unloaded schedule: %v", got)
	}
}

// TestShadowBillsAnotherScheduleWithTheAccountsTerms: the TOU-D-PRIME CCA
// home of TestComputeJulyCCABillFromSheet, shadow-billed for July 2025 on
// TOU-D-4-9PM, whose summer hours are the same (110 kWh on-peak, 45
// mid-peak, 589 off-peak at 1 kWh an hour). The sheet's prices
// (internal/tariff/data/native, TOU-D-4-9PM effective 2025-06-01), each
// line rounded:
//
//	CCA (generation): 110 × 0.23967 = 26.36; 45 × 0.12962 = 5.83;
//	589 × 0.07093 = 41.78; total 73.97.
//	SCE: delivery 110 × 0.30208 = 33.23, 45 × 0.30208 = 13.59, 589 ×
//	0.25238 = 148.65; PPPC 25.26; NDC −0.01; WFC 4.43; FRC 1.47; MCAM
//	1.19 (as on TOU-D-PRIME); Basic Charge 31 × 0.031 = 0.96; total
//	228.77 (no baseline allowance is in the policy: no credit).
//
// On its own schedule the shadow bill is the bill run's: $174.88 and
// $75.31.
func TestShadowBillsAnotherScheduleWithTheAccountsTerms(t *testing.T) {
	cat, ps := shippedCatalog(t), policies(t)
	calc := billing.NewCalculator()
	u := flatUsage(t, "2025-07-01", "2025-08-01")
	for _, tt := range []struct {
		code        string
		utility, cc int64
	}{{"TOU-D-4-9PM", 22877, 7397}, {"TOU-D-PRIME", 17488, 7531}} {
		plans, err := cat.Shadow(home(t), tt.code, []calendar.Period{july(t)}, ps)
		if err != nil {
			t.Fatal(err)
		}
		bills, err := BillSeries(calc, plans, u)
		if err != nil {
			t.Fatal(err)
		}
		var got [2]int64
		for _, s := range bills[0].Sides {
			if s.Side == billing.Utility {
				got[0] = int64(s.Total)
			} else {
				got[1] = int64(s.Total)
			}
		}
		if got != [2]int64{tt.utility, tt.cc} {
			t.Errorf("%s: utility and CCA %v, want %d and %d", tt.code, got, tt.utility, tt.cc)
		}
	}
}

// TestShadowKeepsNetMeteringAndRefusesWhatCannotBill: a NEM 2.0 home
// (PTO 2019-05-20) keeps NEM 2.0 on the other schedule, its Relevant
// Period from the PTO anniversary (first bill's note); a Net Billing home
// of vintage 2023 has no export-price table loaded (only 2024 is
// shipped) and a CCA account cannot take TOU-8-D's bundled rate: both are
// not billable, with the reason.
func TestShadowKeepsNetMeteringAndRefusesWhatCannotBill(t *testing.T) {
	cat, ps := shippedCatalog(t), policies(t)
	periods := []calendar.Period{july(t), period(t, "2025-08-01", "2025-09-01")}
	plans, err := cat.Shadow(home(t, enroll(ProgramNEM, "nem2", "2019-05-20")), "TOU-D-4-9PM", periods, ps)
	if err != nil {
		t.Fatal(err)
	}
	for _, pl := range plans {
		if pl.Terms.Program != billing.NEM2 || pl.Terms.LSE != billing.CCA || !pl.Terms.AllowIncomplete || pl.PTO != day(t, "2019-05-20") {
			t.Errorf("plan %s: %+v", pl.Period, pl.Terms)
		}
	}
	bills, err := BillSeries(billing.NewCalculator(), plans, flatUsage(t, "2025-07-01", "2025-09-01"))
	if err != nil {
		t.Fatal(err)
	}
	if len(bills) != 2 || !slices.ContainsFunc(bills[0].Notes, func(n string) bool { return strings.Contains(n, "2025-05-20, the anniversary") }) {
		t.Errorf("bills %d, first notes %q", len(bills), bills[0].Notes)
	}
	var nb *NotBillable
	_, err = cat.Shadow(home(t, enroll(ProgramNEM, "nbt", "2023-06-01")), "TOU-D-4-9PM", periods, ps)
	if !errors.As(err, &nb) || !strings.Contains(nb.Reason, "vintage 2023") {
		t.Errorf("NBT 2023: %v", err)
	}
	_, err = cat.Shadow(home(t), "TOU-8-D", periods, ps)
	if !errors.As(err, &nb) || !strings.Contains(nb.Reason, "generation") {
		t.Errorf("CCA on TOU-8-D: %v", err)
	}
}
