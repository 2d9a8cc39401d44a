package nem

import (
	"slices"
	"testing"

	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
)

// TestRoundingAccountMustShareTheOutput: the account designated for
// rounding remainders must have a share in every VNM allocation, or be
// the generating or an aggregated account; the check is recorded only
// when an account is designated.
func TestRoundingAccountMustShareTheOutput(t *testing.T) {
	on := calendar.Date{Year: 2025, Month: 3, Day: 3}
	facts := Facts{Account: AccountFacts{Number: "G", CustomerID: 1, Active: true}, Others: map[string]AccountFacts{
		"A": {Number: "A", CustomerID: 1, Active: true}, "B": {Number: "B", CustomerID: 1, Active: true}}}
	vnm := System{Variant: Virtual, Technology: SolarPV, CapacityW: 10_000, ExpectedAnnualWh: 1, AnnualUseWh: 1,
		Allocations: []billing.Allocation{{From: on, Shares: map[string]int64{"A": 6000, "B": 4000}}}}
	agg := System{Variant: Aggregation, Technology: SolarPV, CapacityW: 10_000, ExpectedAnnualWh: 1, AnnualUseWh: 1,
		Aggregated: []AggregatedAccount{{Account: "A", Parcel: "1", Relation: SameParcel, SoleOwnerOrLessee: true}}}
	tests := []struct {
		name     string
		s        System
		rounding string
		pass     bool
	}{
		{"VNM benefiting account", vnm, "B", true},
		{"VNM generator without a share", vnm, "G", false},
		{"aggregation generator", agg, "G", true},
		{"aggregation member", agg, "A", true},
		{"aggregation outsider", agg, "B", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tt.s
			s.Rounding = tt.rounding
			d := Decide(s, facts, on)
			i := slices.IndexFunc(d.Checks, func(c Check) bool { return c.Field == "rounding_account" })
			if i < 0 || d.Checks[i].Passed != tt.pass {
				t.Errorf("checks %+v, want rounding_account passed=%v", d.Checks, tt.pass)
			}
		})
	}
	s := vnm
	if d := Decide(s, facts, on); slices.ContainsFunc(d.Checks, func(c Check) bool { return c.Field == "rounding_account" }) {
		t.Error("a rounding check without a designated account")
	}
	if got := agg.Accounts(); !slices.Equal(got, []string{"A"}) {
		t.Errorf("aggregation accounts %v", got)
	}
	if got := vnm.Accounts(); !slices.Equal(got, []string{"A", "B"}) {
		t.Errorf("VNM accounts %v", got)
	}
}
