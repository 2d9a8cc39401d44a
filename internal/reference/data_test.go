package reference

import (
	"strconv"
	"testing"
)

// The 2024-25 file was written for this package; these are the figures CPA's
// Power Share page published for that year (research/programs.md §2.1).
func TestCARE2024PublishedFigures(t *testing.T) {
	tabs := mustLoad(t)
	var y *lowIncomeTable
	for _, lt := range tabs.lowIncome {
		if lt.year == "2024-25" {
			y = lt
		}
	}
	if y == nil {
		t.Fatal("2024-25 table not loaded")
	}
	if y.info.From != date(t, "2024-06-01") || y.info.To != date(t, "2025-05-31") {
		t.Errorf("effective %s to %s, want 2024-06-01 to 2025-05-31", y.info.From, y.info.To)
	}
	for _, size := range []int{1, 2} {
		r := y.row(size)
		if r.careMax != usd(40880) {
			t.Errorf("CARE %d persons = %d, want $40,880", size, r.careMax)
		}
		if r.feraOK {
			t.Errorf("FERA %d persons should be Not Eligible in 2024-25", size)
		}
	}
	if r := y.row(8); r.careMax != usd(105440) {
		t.Errorf("CARE 8 persons = %d, want $105,440", r.careMax)
	}
	if r := y.row(3); r.feraMin != usd(51641) || r.feraMax != usd(64550) || !r.feraOK {
		t.Errorf("FERA 3 persons = %d-%d, want $51,641-$64,550", r.feraMin, r.feraMax)
	}
	// + $10,760 (CARE) and + $10,761-$13,450 (FERA) per additional person.
	r8, r9 := y.row(8), y.row(9)
	if d := r9.careMax - r8.careMax; d != usd(10760) {
		t.Errorf("CARE per additional person = %d, want $10,760", d)
	}
	if d := r9.feraMin - r8.feraMin; d != usd(10760) {
		t.Errorf("FERA lower bound per additional person = %d, want $10,760 ($10,761 above the CARE limit)", d)
	}
	if r9.feraMin != r9.careMax+100 {
		t.Errorf("FERA 9 persons starts at %d, want CARE limit + $1", r9.feraMin)
	}
	if d := r9.feraMax - r8.feraMax; d != usd(13450) {
		t.Errorf("FERA per additional person = %d, want $13,450", d)
	}
}

// Both CARE/FERA/ESA files must follow the rule they claim: CARE 200% and
// FERA/ESA 250% of the HHS poverty guideline for the size (CARE and FERA use
// the 2-person guideline for 1–2 persons, ESA does not), FERA starting $1
// above CARE. Guidelines: 2024 $15,060 + $5,380, 2025 $15,650 + $5,500 per
// additional person (HHS).
func TestIncomeFilesFollowPovertyGuidelines(t *testing.T) {
	files := []struct {
		file, fpgCol    string
		base, increment int64
	}{
		{"care_fera_esa_income_limits_2024_25.csv", "fpg_2024", 15060, 5380},
		{"care_fera_esa_income_limits_2025_26.csv", "fpg_2025", 15650, 5500},
	}
	for _, f := range files {
		t.Run(f.file, func(t *testing.T) {
			c, err := readCSV(f.file)
			if err != nil {
				t.Fatal(err)
			}
			num := func(rec []string, col string) int64 {
				s := c.get(rec, col)
				if s == "" {
					return -1
				}
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					t.Fatalf("%s %q: %v", col, s, err)
				}
				return n
			}
			fpg := func(n int64) int64 { return f.base + f.increment*(n-1) }
			for _, rec := range c.rows {
				if c.get(rec, "household_size") == "each_additional" {
					if num(rec, f.fpgCol) != f.increment || num(rec, "care_max_income") != 2*f.increment ||
						num(rec, "fera_max_income")*2 != 5*f.increment || num(rec, "esa_max_income")*2 != 5*f.increment {
						t.Errorf("each_additional row %v", rec)
					}
					continue
				}
				n, _ := strconv.ParseInt(c.get(rec, "household_size"), 10, 64)
				merged := max(n, 2)
				if got := num(rec, f.fpgCol); got != fpg(n) {
					t.Errorf("size %d: guideline %d, want %d", n, got, fpg(n))
				}
				if got := num(rec, "care_max_income"); got != 2*fpg(merged) {
					t.Errorf("size %d: CARE %d, want %d", n, got, 2*fpg(merged))
				}
				if got := num(rec, "esa_max_income"); 2*got != 5*fpg(n) {
					t.Errorf("size %d: ESA %d, want 250%% of %d", n, got, fpg(n))
				}
				if fera := num(rec, "fera_max_income"); fera >= 0 {
					if 2*fera != 5*fpg(merged) {
						t.Errorf("size %d: FERA max %d, want 250%% of %d", n, fera, fpg(merged))
					}
					if got := num(rec, "fera_min_income"); got != 2*fpg(merged)+1 {
						t.Errorf("size %d: FERA min %d, want CARE + 1", n, got)
					}
				}
			}
		})
	}
}

func TestVersionsCarryCitationsAndDates(t *testing.T) {
	tabs := mustLoad(t)
	vs := tabs.Versions()
	if len(vs) < 9 {
		t.Fatalf("%d tables, want at least 9", len(vs))
	}
	for _, v := range vs {
		if v.Name == "" || v.Version == "" || v.Source == "" {
			t.Errorf("table without name, version or source: %+v", v)
		}
	}
	// HUD FY2023 runs from 2023-05-15 to the day before FY2024 (2024-04-01);
	// FY2024 is open-ended until a newer year is loaded.
	want := map[string][2]string{
		"FY2023": {"2023-05-15", "2024-03-31"},
		"FY2024": {"2024-04-01", "0000-00-00"},
	}
	for _, y := range tabs.hud.years {
		w, ok := want[y.info.Version]
		if !ok {
			t.Errorf("unexpected HUD year %s", y.info.Version)
			continue
		}
		if y.info.From.String() != w[0] || y.info.To.String() != w[1] {
			t.Errorf("%s: %s to %s, want %s to %s", y.info.Version, y.info.From, y.info.To, w[0], w[1])
		}
	}
}
