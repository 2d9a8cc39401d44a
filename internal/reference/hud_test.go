package reference

import (
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/money"
)

// Literals from data/hud_income_limits_la_ventura.csv and research/programs.md
// §2.6 and §7 scenario 6.
func TestAMI80UsesHUDPublishedLowIncomeLimit(t *testing.T) {
	tabs := mustLoad(t)
	tests := []struct {
		name     string
		county   string
		size     int
		income   money.Cents
		on       string
		eligible bool
		max      money.Cents
		fallback bool
		year     string
	}{
		{"LA FY2023 4 persons at the limit", "06037", 4, usd(100900), "2023-06-01", true, usd(100900), false, "FY2023"},
		{"LA FY2023 4 persons one dollar over", "06037", 4, usd(100901), "2023-06-01", false, usd(100900), false, "FY2023"},
		// $99,000 is above the $98,200 median and far above 0.8 × median
		// ($78,560), yet within HUD's published 80% limit.
		{"LA FY2023 above the median is still low income", "06037", 4, usd(99000), "2023-06-01", true, usd(100900), false, "FY2023"},
		{"LA FY2023 1 person", "06037", 1, usd(70650), "2023-06-01", true, usd(70650), false, "FY2023"},
		{"LA FY2023 8 persons", "06037", 8, usd(133201), "2023-06-01", false, usd(133200), false, "FY2023"},
		{"Ventura FY2023 4 persons", "06111", 4, usd(106250), "2023-06-01", true, usd(106250), false, "FY2023"},
		{"FY2023 first day", "06037", 4, usd(100900), "2023-05-15", true, usd(100900), false, "FY2023"},
		{"FY2023 last day before FY2024", "06037", 4, usd(100901), "2024-03-31", false, usd(100900), false, "FY2023"},
		{"FY2024 first day", "06037", 4, usd(100901), "2024-04-01", true, usd(110950), false, "FY2024"},
		// Scenario 6.
		{"LA FY2024 4 persons $100,000", "06037", 4, usd(100000), "2024-06-01", true, usd(110950), false, "FY2024"},
		{"Ventura FY2024 4 persons $112,551", "06111", 4, usd(112551), "2024-06-01", false, usd(112550), false, "FY2024"},
		{"Ventura FY2024 4 persons $112,550", "06111", 4, usd(112550), "2024-06-01", true, usd(112550), false, "FY2024"},
		// FY2024 has only 4-person rows: other sizes fall back to FY2023, flagged.
		{"LA FY2024 3 persons falls back to FY2023", "06037", 3, usd(90850), "2024-06-01", true, usd(90850), true, "FY2023"},
		{"Ventura FY2024 6 persons falls back to FY2023", "06111", 6, usd(123251), "2025-01-01", false, usd(123250), true, "FY2023"},
		// Above 8 persons: HUD adds 8% of the 4-person limit per person, rounded
		// up to $50. LA FY2023: 140% × $100,900 = $141,260 → $141,300.
		{"LA FY2023 9 persons", "06037", 9, usd(141300), "2023-06-01", true, usd(141300), false, "FY2023"},
		// LA FY2024: 140% × $110,950 = $155,330 → $155,350; the 4-person row
		// exists in FY2024, so no fallback.
		{"LA FY2024 9 persons from the FY2024 4-person row", "06037", 9, usd(155351), "2024-06-01", false, usd(155350), false, "FY2024"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := tabs.Eligible(AMI80, Household{Size: tc.size, AnnualIncome: tc.income, CountyFIPS: tc.county}, date(t, tc.on))
			if err != nil {
				t.Fatal(err)
			}
			if d.Eligible != tc.eligible || d.Max != tc.max || d.Fallback != tc.fallback {
				t.Errorf("got eligible=%v max=%d fallback=%v, want %v %d %v (%s)",
					d.Eligible, d.Max, d.Fallback, tc.eligible, tc.max, tc.fallback, d.Reason)
			}
			if !strings.Contains(d.Table, tc.year) {
				t.Errorf("Table = %q, want %s", d.Table, tc.year)
			}
			if tc.fallback && !strings.Contains(strings.Join(d.Notes, " "), "fallback") {
				t.Errorf("fallback not explained in Notes: %q", d.Notes)
			}
		})
	}
}

func TestAMI80NotesMedianIsLowerThanLimit(t *testing.T) {
	tabs := mustLoad(t)
	d, err := tabs.Eligible(AMI80, Household{Size: 4, AnnualIncome: usd(100000), CountyFIPS: "06037"}, date(t, "2023-06-01"))
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(d.Notes, " ")
	if !strings.Contains(notes, "$98,200") || !strings.Contains(notes, "not 0.8") {
		t.Errorf("Notes = %q, want the $98,200 median shown as not the basis", d.Notes)
	}
	// The limit must be HUD's $100,900, above the $98,200 median.
	if d.Max != usd(100900) {
		t.Errorf("Max = %d, want 10090000", d.Max)
	}
}

func TestAMI80FlagsStaleNewestYear(t *testing.T) {
	tabs := mustLoad(t)
	d, err := tabs.Eligible(AMI80, Household{Size: 4, AnnualIncome: usd(1), CountyFIPS: "06037"}, date(t, "2026-01-15"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(d.Notes, " "), "newest HUD year loaded") {
		t.Errorf("Notes = %q, want a warning that FY2024 may be superseded", d.Notes)
	}
}

// HUD's family-size ratios (70%…132% of the 4-person limit, rounded up to
// $50) reproduce the published FY2023 rows, which is what justifies using
// them above 8 persons.
func TestHUDSizeAdjustmentReproducesPublishedRows(t *testing.T) {
	published := map[string][8]int64{
		"06037": {70650, 80750, 90850, 100900, 109000, 117050, 125150, 133200},
		"06111": {74400, 85000, 95650, 106250, 114750, 123250, 131750, 140250},
	}
	for county, rows := range published {
		for i, want := range rows {
			if got := hudSizeAdjusted(usd(rows[3]), i+1); got != usd(want) {
				t.Errorf("%s size %d: got %d, want %d", county, i+1, got, usd(want))
			}
		}
	}
}
