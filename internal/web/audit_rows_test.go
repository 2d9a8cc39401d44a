package web

import (
	"encoding/json"
	"fmt"
	"testing"
)

// Audit records carry the JSON API's snake_case names (customer.Account's
// MarshalJSON and the tags of the registry types); records written before
// then carry Go names. Both read as words, money fields as dollars, and the
// bookkeeping fields are left out.
func TestAuditDiffReadsSnakeCaseAndOlderGoNames(t *testing.T) {
	tests := []struct {
		name          string
		before, after string
		want          []Change
	}{
		{"API names", `{"id":1,"rate_schedule":"TOU-D-4-9PM","hftd_tier":0,"household_income_cents":5200000,"updated_at":"2026-01-01T00:00:00Z"}`,
			`{"id":1,"rate_schedule":"TOU-D-5-8PM","hftd_tier":3,"household_income_cents":4500000,"updated_at":"2026-02-01T00:00:00Z"}`,
			[]Change{{"HFTD tier", "", "3"}, {"household income", "$52,000.00", "$45,000.00"}, {"rate schedule", "TOU-D-4-9PM", "TOU-D-5-8PM"}}},
		{"a create lists the values", ``, `{"id":7,"zip":"93030","tract_geoid":"06111004902","dac":true,"created_at":"x"}`,
			[]Change{{"DAC", "", "true"}, {"tract GEOID", "", "06111004902"}, {"ZIP", "", "93030"}}},
		{"older Go names", `{"ID":1,"DACTable":"a","Household":{"AnnualIncome":100}}`, `{"ID":1,"DACTable":"b","Household":{"AnnualIncome":200}}`,
			[]Change{{"DAC table", "a", "b"}, {"household annual income", "$1.00", "$2.00"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := diffJSON(json.RawMessage(tt.before), json.RawMessage(tt.after))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("changes\n got %v\nwant %v", got, tt.want)
			}
		})
	}
}
