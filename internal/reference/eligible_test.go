package reference

import (
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
)

// Scenario literals are from research/programs.md §7 (scenarios 1–4) and the
// CARE/FERA/ESA tables in data/.
func TestIncomeLimitBoundaries(t *testing.T) {
	tabs := mustLoad(t)
	tests := []struct {
		name     string
		p        Program
		size     int
		income   money.Cents
		on       string
		eligible bool
		min, max money.Cents
	}{
		// Scenario 1, 2025-26 table.
		{"CARE 4 persons at the limit", CARE, 4, usd(64300), "2025-06-15", true, 0, usd(64300)},
		{"CARE 4 persons one dollar over", CARE, 4, usd(64301), "2025-06-15", false, 0, usd(64300)},
		{"FERA 4 persons at the CARE limit is CARE, not FERA", FERA, 4, usd(64300), "2025-06-15", false, usd(64301), usd(80375)},
		{"FERA 4 persons at the lower bound", FERA, 4, usd(64301), "2025-06-15", true, usd(64301), usd(80375)},
		{"FERA 4 persons at the upper bound", FERA, 4, usd(80375), "2025-06-15", true, usd(64301), usd(80375)},
		{"FERA 4 persons one dollar over", FERA, 4, usd(80376), "2025-06-15", false, usd(64301), usd(80375)},
		{"FERA lower test is above the CARE limit, cents included", FERA, 4, usd(64300) + 50, "2025-06-15", true, usd(64301), usd(80375)},
		{"CARE with cents above the limit", CARE, 4, usd(64300) + 1, "2025-06-15", false, 0, usd(64300)},
		// Scenario 2: FERA opened to 1–2 person households on 2025-06-01.
		{"FERA 2 persons under 2025-26", FERA, 2, usd(45000), "2025-06-15", true, usd(42301), usd(52875)},
		{"FERA 2 persons under 2024-25 is Not Eligible", FERA, 2, usd(45000), "2025-05-15", false, 0, usd(40880)},
		{"FERA 1 person under 2024-25 is Not Eligible", FERA, 1, usd(41000), "2025-05-15", false, 0, usd(40880)},
		{"CARE 2 persons under 2024-25 over $40,880", CARE, 2, usd(45000), "2025-05-15", false, 0, usd(40880)},
		{"CARE 2 persons under 2024-25 at $40,880", CARE, 2, usd(40880), "2025-05-15", true, 0, usd(40880)},
		{"CARE 1 person uses the 2-person figure", CARE, 1, usd(42300), "2025-06-15", true, 0, usd(42300)},
		{"FERA 3 persons under 2024-25", FERA, 3, usd(51641), "2024-06-01", true, usd(51641), usd(64550)},
		// Scenario 3: household of 9 (published tables stop at 8).
		{"CARE 9 persons", CARE, 9, usd(119300), "2025-06-15", true, 0, usd(119300)},
		{"CARE 9 persons over", CARE, 9, usd(119301), "2025-06-15", false, 0, usd(119300)},
		{"FERA 9 persons", FERA, 9, usd(149125), "2025-06-15", true, usd(119301), usd(149125)},
		{"FERA 9 persons over", FERA, 9, usd(149126), "2025-06-15", false, usd(119301), usd(149125)},
		// Beyond the file's 10 rows: + $11,000 (CARE) and + $13,750 (FERA/ESA) per person.
		{"CARE 11 persons", CARE, 11, usd(141300), "2025-06-15", true, 0, usd(141300)},
		{"ESA 11 persons", ESA, 11, usd(176625), "2025-06-15", true, 0, usd(176625)},
		// Scenario 4: ESA is per household size.
		{"ESA 1 person at $39,125", ESA, 1, usd(39125), "2025-06-15", true, 0, usd(39125)},
		{"ESA 1 person over", ESA, 1, usd(39126), "2025-06-15", false, 0, usd(39125)},
		{"ESA 1 person at $40,000", ESA, 1, usd(40000), "2025-06-15", false, 0, usd(39125)},
		{"CARE 1 person at $40,000", CARE, 1, usd(40000), "2025-06-15", true, 0, usd(42300)},
		{"ESA 4 persons", ESA, 4, usd(80375), "2025-06-15", true, 0, usd(80375)},
		// Program-year edges.
		{"2024-25 first day", CARE, 4, usd(62400), "2024-06-01", true, 0, usd(62400)},
		{"2024-25 last day", CARE, 4, usd(62401), "2025-05-31", false, 0, usd(62400)},
		{"2025-26 first day", CARE, 4, usd(64300), "2025-06-01", true, 0, usd(64300)},
		{"2025-26 last day", CARE, 4, usd(64300), "2026-05-31", true, 0, usd(64300)},
		// Residential Direct Install (spec/energy-efficiency.md §6).
		{"Direct Install 1 person uses the 1-2 limit", DirectInstall, 1, usd(48720), "2025-06-15", true, 0, usd(48720)},
		{"Direct Install 2 persons over", DirectInstall, 2, usd(48721), "2025-06-15", false, 0, usd(48720)},
		{"Direct Install 6 persons", DirectInstall, 6, usd(98800), "2025-06-15", true, 0, usd(98800)},
		{"Direct Install 7 persons is $98,800 + $8,360", DirectInstall, 7, usd(107160), "2025-06-15", true, 0, usd(107160)},
		{"Direct Install 7 persons over", DirectInstall, 7, usd(107161), "2025-06-15", false, 0, usd(107160)},
		{"Direct Install is undated, so any date", DirectInstall, 4, usd(73800), "2015-01-01", true, 0, usd(73800)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := tabs.Eligible(tc.p, Household{Size: tc.size, AnnualIncome: tc.income}, date(t, tc.on))
			if err != nil {
				t.Fatal(err)
			}
			if d.Eligible != tc.eligible || d.Min != tc.min || d.Max != tc.max {
				t.Errorf("got eligible=%v min=%d max=%d, want %v %d %d (%s)",
					d.Eligible, d.Min, d.Max, tc.eligible, tc.min, tc.max, d.Reason)
			}
			if d.Program != tc.p || d.Table == "" || d.Row == "" || d.Reason == "" {
				t.Errorf("decision lacks evidence: %+v", d)
			}
		})
	}
}

func TestDecisionRecordsTableRowAndReason(t *testing.T) {
	tabs := mustLoad(t)
	d, err := tabs.Eligible(CARE, Household{Size: 4, AnnualIncome: usd(64301)}, date(t, "2025-06-15"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "income $64,301 exceeds CARE limit $64,300 for 4 persons"; d.Reason != want {
		t.Errorf("Reason = %q, want %q", d.Reason, want)
	}
	if d.Row != "household size 4" {
		t.Errorf("Row = %q", d.Row)
	}
	if !strings.Contains(d.Table, "CARE/FERA/ESA") || !strings.Contains(d.Table, "2025-26") {
		t.Errorf("Table = %q, want the 2025-26 CARE/FERA/ESA table", d.Table)
	}

	old, err := tabs.Eligible(FERA, Household{Size: 2, AnnualIncome: usd(45000)}, date(t, "2025-05-15"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(old.Table, "2024-25") || !strings.Contains(old.Reason, "not available") {
		t.Errorf("2024-25 FERA decision = %+v", old)
	}

	nine, err := tabs.Eligible(CARE, Household{Size: 9, AnnualIncome: 0}, date(t, "2025-06-15"))
	if err != nil {
		t.Fatal(err)
	}
	if nine.Row != "household size 9" { // the 2025-26 file lists sizes up to 10
		t.Errorf("Row = %q", nine.Row)
	}
	big, err := tabs.Eligible(CARE, Household{Size: 11, AnnualIncome: 0}, date(t, "2025-06-15"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(big.Row, "each additional") {
		t.Errorf("Row for 11 persons = %q, want it to say it was extended", big.Row)
	}

	esa, err := tabs.Eligible(ESA, Household{Size: 1, AnnualIncome: usd(40000)}, date(t, "2025-06-15"))
	if err != nil {
		t.Fatal(err)
	}
	if len(esa.Notes) == 0 {
		t.Error("ESA 1-person decision should flag the ESA/CARE policy question")
	}
	di, err := tabs.Eligible(DirectInstall, Household{Size: 3, AnnualIncome: usd(1)}, date(t, "2025-06-15"))
	if err != nil {
		t.Fatal(err)
	}
	if len(di.Notes) == 0 || !strings.Contains(di.Table, "undated") {
		t.Errorf("Direct Install decision should say the table is undated: %+v", di)
	}
}

func TestEligibleRejectsBadInput(t *testing.T) {
	tabs := mustLoad(t)
	on := date(t, "2025-06-15")
	tests := []struct {
		name  string
		p     Program
		h     Household
		kind  apperr.Kind
		field string
	}{
		{"size zero", CARE, Household{Size: 0, AnnualIncome: usd(1)}, apperr.Invalid, "size"},
		{"negative size", ESA, Household{Size: -2}, apperr.Invalid, "size"},
		{"negative income", FERA, Household{Size: 3, AnnualIncome: -1}, apperr.Invalid, "annual_income"},
		{"unknown program", Program("liheap"), Household{Size: 3}, apperr.Invalid, "program"},
		{"AMI80 without county", AMI80, Household{Size: 4}, apperr.Invalid, "county_fips"},
		{"AMI80 county not in California", AMI80, Household{Size: 4, CountyFIPS: "36061"}, apperr.Invalid, "county_fips"},
		{"AMI80 even county code", AMI80, Household{Size: 4, CountyFIPS: "06038"}, apperr.Invalid, "county_fips"},
		{"AMI80 county with no HUD data loaded", AMI80, Household{Size: 4, CountyFIPS: "06059"}, apperr.NotFound, "county_fips"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tabs.Eligible(tc.p, tc.h, on)
			wantFieldErr(t, err, tc.kind, tc.field)
		})
	}
}

func TestEligibleNoTableInEffect(t *testing.T) {
	tabs := mustLoad(t)
	tests := []struct {
		name string
		p    Program
		h    Household
		on   string
	}{
		{"CARE before 2024-25", CARE, Household{Size: 4}, "2024-05-31"},
		{"FERA after 2025-26", FERA, Household{Size: 4}, "2026-06-01"},
		{"ESA far future", ESA, Household{Size: 1}, "2030-01-01"},
		{"AMI80 before HUD FY2023 took effect", AMI80, Household{Size: 4, CountyFIPS: "06037"}, "2023-05-14"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tabs.Eligible(tc.p, tc.h, date(t, tc.on))
			wantFieldErr(t, err, apperr.NotFound, "date")
		})
	}
	_, err := tabs.Eligible(CARE, Household{Size: 1}, calendar.Date{})
	wantFieldErr(t, err, apperr.Invalid, "date")
}
