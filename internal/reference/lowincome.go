package reference

import (
	"fmt"
	"strconv"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
)

// lowIncomeFile names one CARE/FERA/ESA program-year file and its citation.
type lowIncomeFile struct {
	file, fpgColumn, year, version, source string
}

// lowIncomeFiles are the CARE/FERA/ESA program years; each file carries its
// own effective_from/effective_to columns (CPUC program years run June 1 to
// May 31).
var lowIncomeFiles = []lowIncomeFile{
	{
		file:      "care_fera_esa_income_limits_2024_25.csv",
		fpgColumn: "fpg_2024",
		year:      "2024-25",
		version:   "2024-25 (CPUC, 200%/250% of the 2024 HHS poverty guidelines)",
		source: "200% (CARE) and 250% (FERA, ESA) of the 2024 HHS poverty guidelines, $15,060 + $5,380 per extra person; " +
			"checked against CPA's Power Share page (research/programs.md §2.1): CARE 1-2 persons $40,880, FERA 1-2 persons Not Eligible",
	},
	{
		file:      "care_fera_esa_income_limits_2025_26.csv",
		fpgColumn: "fpg_2025",
		year:      "2025-26",
		version:   "2025-26 (CPUC, 200%/250% of the 2025 HHS poverty guidelines)",
		source: "200% (CARE) and 250% (FERA, ESA) of the 2025 HHS poverty guidelines, $15,650 + $5,500 per extra person; " +
			"checked against published CARE $42,300 (1-2) and $64,300 (4) and SCE FERA $42,301-$52,875 (1-2) (research/programs.md §2.1)",
	},
}

// lowIncomeRow holds the limits for one household size, in cents.
type lowIncomeRow struct {
	careMax money.Cents // CARE: income at most this (200% FPG)
	feraOK  bool        // FERA open to this household size at all
	feraMin money.Cents // FERA: published lower bound (CARE limit + $1)
	feraMax money.Cents // FERA: income at most this (250% FPG)
	esaMax  money.Cents // ESA: income at most this (250% FPG)
}

// lowIncomeTable is one program year of CARE/FERA/ESA limits.
type lowIncomeTable struct {
	info  TableInfo
	year  string         // program year, e.g. "2025-26"
	rows  []lowIncomeRow // rows[i] is household size i+1
	extra lowIncomeRow   // added per person above len(rows)
}

// row returns the limits for a household of size persons (size ≥ 1): the
// published row, or the last row plus the published per-person increment for
// each person above it.
func (t *lowIncomeTable) row(size int) lowIncomeRow {
	if size <= len(t.rows) {
		return t.rows[size-1]
	}
	last := t.rows[len(t.rows)-1]
	k := money.Cents(size - len(t.rows))
	r := lowIncomeRow{
		careMax: last.careMax + k*t.extra.careMax,
		feraOK:  last.feraOK,
		feraMax: last.feraMax + k*t.extra.feraMax,
		esaMax:  last.esaMax + k*t.extra.esaMax,
	}
	// The published FERA lower bound is always the CARE limit plus $1
	// (e.g. 2025-26, 9 persons: CARE $119,300, FERA from $119,301).
	r.feraMin = r.careMax + 100
	return r
}

func loadLowIncome(f lowIncomeFile) (*lowIncomeTable, error) {
	c, err := readCSV(f.file, "effective_from", "effective_to", "household_size", f.fpgColumn,
		"care_max_income", "fera_min_income", "fera_max_income", "esa_max_income")
	if err != nil {
		return nil, err
	}
	t := &lowIncomeTable{year: f.year, info: TableInfo{Name: "CARE/FERA/ESA income limits", Version: f.version, Source: f.source}}
	sawExtra := false
	for i, rec := range c.rows {
		from, err1 := calendar.ParseDate(c.get(rec, "effective_from"))
		to, err2 := calendar.ParseDate(c.get(rec, "effective_to"))
		if err1 != nil || err2 != nil || to.Before(from) {
			return nil, c.errorf(i, "bad effective dates")
		}
		if i == 0 {
			t.info.From, t.info.To = from, to
		} else if from != t.info.From || to != t.info.To {
			return nil, c.errorf(i, "effective dates differ from the first row")
		}
		var r lowIncomeRow
		if r.careMax, err = parseDollars(c.get(rec, "care_max_income")); err != nil {
			return nil, c.errorf(i, "care_max_income: %v", err)
		}
		if r.esaMax, err = parseDollars(c.get(rec, "esa_max_income")); err != nil {
			return nil, c.errorf(i, "esa_max_income: %v", err)
		}
		// An empty FERA upper bound means "Not Eligible" for this size.
		if s := c.get(rec, "fera_max_income"); s != "" {
			r.feraOK = true
			if r.feraMax, err = parseDollars(s); err != nil {
				return nil, c.errorf(i, "fera_max_income: %v", err)
			}
		}
		size := c.get(rec, "household_size")
		if size == "each_additional" {
			t.extra, sawExtra = r, true
			continue
		}
		if r.feraOK {
			if r.feraMin, err = parseDollars(c.get(rec, "fera_min_income")); err != nil {
				return nil, c.errorf(i, "fera_min_income: %v", err)
			}
		}
		n, err := strconv.Atoi(size)
		if err != nil || n != len(t.rows)+1 {
			return nil, c.errorf(i, "household_size %q: want %d", size, len(t.rows)+1)
		}
		t.rows = append(t.rows, r)
	}
	if len(t.rows) == 0 || !sawExtra {
		return nil, fmt.Errorf("reference: %s: want rows for sizes 1..n and an each_additional row", f.file)
	}
	return t, nil
}

// sizeLimitTable is a single income limit per household size, as in the
// Residential Direct Install table.
type sizeLimitTable struct {
	info  TableInfo
	rows  []money.Cents // rows[i] is household size i+1
	extra money.Cents   // added per person above len(rows)
}

// limit returns the limit for a household of size persons (size ≥ 1).
func (t *sizeLimitTable) limit(size int) money.Cents {
	if size <= len(t.rows) {
		return t.rows[size-1]
	}
	return t.rows[len(t.rows)-1] + money.Cents(size-len(t.rows))*t.extra
}

// loadDirectInstall reads the Residential Direct Install income table of
// seed 003 (spec/energy-efficiency.md §6). The seed gives no year or
// effective date, so empty effective columns load as an open-ended table.
func loadDirectInstall() (*sizeLimitTable, error) {
	c, err := readCSV("residential_direct_install_income_limits.csv",
		"effective_from", "effective_to", "household_size", "max_income")
	if err != nil {
		return nil, err
	}
	t := &sizeLimitTable{info: TableInfo{
		Name:    "Residential Direct Install income limits",
		Version: "seed 003 (undated)",
		Source:  "seed 003 table 3, spec/energy-efficiency.md §6; the seed states no year or effective date",
	}}
	sawExtra := false
	for i, rec := range c.rows {
		from, err1 := parseOptionalDate(c.get(rec, "effective_from"))
		to, err2 := parseOptionalDate(c.get(rec, "effective_to"))
		if err1 != nil || err2 != nil {
			return nil, c.errorf(i, "bad effective dates")
		}
		t.info.From, t.info.To = from, to
		v, err := parseDollars(c.get(rec, "max_income"))
		if err != nil {
			return nil, c.errorf(i, "max_income: %v", err)
		}
		size := c.get(rec, "household_size")
		if size == "each_additional" {
			t.extra, sawExtra = v, true
			continue
		}
		n, err := strconv.Atoi(size)
		if err != nil || n != len(t.rows)+1 {
			return nil, c.errorf(i, "household_size %q: want %d", size, len(t.rows)+1)
		}
		t.rows = append(t.rows, v)
	}
	if len(t.rows) == 0 || !sawExtra {
		return nil, fmt.Errorf("reference: direct install table: want rows for sizes 1..n and an each_additional row")
	}
	return t, nil
}
