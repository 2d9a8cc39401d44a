package incentive

import (
	"slices"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
)

// powerShare returns the shipped Power Share program with the income
// basis policy set to reading ("" keeps the shipped choice).
func powerShare(t *testing.T, reading string) Program {
	t.Helper()
	cat, _ := fixtures(t)
	p, err := cat.Program("power-share")
	if err != nil {
		t.Fatal(err)
	}
	p.Policies = slices.Clone(p.Policies)
	if reading != "" {
		if err := p.SetPolicy("income_basis", reading); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// TestPowerShareIncomeBasisIsAnExplicitPolicy: research/programs.md §8
// leaves open whether CARE/FERA-eligible households that are not enrolled
// qualify. The shipped reading is the conservative one (enrolled only);
// the other counts a household whose income is within the CARE or FERA
// limits. With the 2025-26 table (2 persons: CARE $42,300, FERA up to
// $52,875, research/programs.md §2.1), a two-person home in a DAC on
// neither program with $52,875 qualifies only under the broad reading,
// and with $52,876 under neither; an enrolled CARE home qualifies under
// both; the broad reading needs the household's size and income.
func TestPowerShareIncomeBasisIsAnExplicitPolicy(t *testing.T) {
	_, ref := fixtures(t)
	home := func(program, income string) Facts {
		s := `{"date":"2026-03-10","customer_class":"residential","cca_customer":true,"dac":true,"income_program":"` + program + `"`
		if income != "" {
			s += `,"household_size":2,"household_income_usd":` + income
		}
		f, err := ParseFacts(strings.NewReader(s + "}"))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	shipped := powerShare(t, "")
	if pol, ok := shipped.Policy("income_basis"); !ok || pol.Default != "enrolled" || pol.InForce().ID != "enrolled" || pol.Source == "" {
		t.Fatalf("shipped policy %+v", pol)
	}
	tests := []struct {
		name, reading, program, income string
		eligible                       bool
		reason                         string
	}{
		{"conservative: enrolled in CARE", "enrolled", "CARE", "", true, ""},
		{"conservative: income-eligible, not enrolled", "enrolled", "none", "52875", false, "not_care_fera"},
		{"broad: enrolled in FERA", "enrolled_or_eligible", "FERA", "", true, ""},
		{"broad: $52,875 for 2 is within the FERA limit", "enrolled_or_eligible", "none", "52875", true, ""},
		{"broad: $42,300 for 2 is within the CARE limit", "enrolled_or_eligible", "none", "42300", true, ""},
		{"broad: $52,876 for 2 is above both", "enrolled_or_eligible", "none", "52876", false, "not_income_qualified"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := powerShare(t, tt.reading)
			d, err := p.Quote(home(tt.program, tt.income), ref)
			if err != nil {
				t.Fatal(err)
			}
			if d.Eligible != tt.eligible || tt.reason != "" && !hasReason(d, tt.reason) {
				t.Errorf("eligible %v reasons %+v, want %v %s", d.Eligible, d.Reasons, tt.eligible, tt.reason)
			}
			i := slices.IndexFunc(d.Trace, func(s Step) bool { return s.Rule == "policy.income_basis" })
			if i < 0 || !strings.Contains(d.Trace[i].Detail, "Reading "+tt.reading) || !strings.Contains(d.Trace[i].Detail, "research/programs.md §8") {
				t.Errorf("trace lacks the policy and its reading: %+v", d.Trace)
			}
		})
	}
	// The broad reading never guesses a household it was not told about.
	broad := powerShare(t, "enrolled_or_eligible")
	_, err := broad.Quote(home("none", ""), ref)
	if fs := apperr.FieldsOf(err); len(fs) == 0 || fs[0].Field != "household_size" {
		t.Errorf("broad reading without a household: %v, want household_size named", err)
	}
}

// TestPolicyChoicesAreChecked: a reading that does not exist, an unknown
// policy, and a program document whose choice or default is not a
// reading are refused naming the field.
func TestPolicyChoicesAreChecked(t *testing.T) {
	p := powerShare(t, "")
	if err := p.SetPolicy("income_basis", "anyone"); len(apperr.FieldsOf(err)) == 0 || apperr.FieldsOf(err)[0].Field != "choice" {
		t.Errorf("unknown reading: %v", err)
	}
	if err := p.SetPolicy("dac_definition", "enrolled"); len(apperr.FieldsOf(err)) == 0 || apperr.FieldsOf(err)[0].Field != "policy" {
		t.Errorf("unknown policy: %v", err)
	}
	bad := p
	bad.Policies = []Policy{p.Policies[0]}
	bad.Policies[0].Choice, bad.Policies[0].Default = "maybe", "perhaps"
	err := bad.Validate()
	var fields []string
	for _, f := range apperr.FieldsOf(err) {
		fields = append(fields, f.Field)
	}
	if !slices.Contains(fields, "policies[0].choice") || !slices.Contains(fields, "policies[0].default") {
		t.Errorf("bad choice and default: fields %v", fields)
	}
	one := p
	one.Policies = []Policy{p.Policies[0]}
	one.Policies[0].Readings = one.Policies[0].Readings[:1]
	if err := one.Validate(); !strings.Contains(err.Error(), "at least two readings") {
		t.Errorf("a single reading: %v", err)
	}
}
