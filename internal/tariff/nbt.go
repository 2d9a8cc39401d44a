package tariff

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/money"
)

// ExportTable is a Net Billing Tariff export-price table: for one utility
// and one vintage (the year whose Avoided Cost Calculator fixes the
// prices), a price for every year, month, day type and hour, split into
// delivery and generation components. The utility publishes 24 hourly
// values for weekdays and for weekends/holidays per month over a 9-year
// (or longer) horizon (research/billing.md §4.2). CCA customers receive
// only the delivery component from the utility.
type ExportTable struct {
	Utility string `json:"utility"`
	Vintage int    `json:"vintage"`
	Source  string `json:"source"`
	// Holidays names the calendar whose holidays take the weekend prices.
	Holidays string       `json:"holidays"`
	Years    []ExportYear `json:"years"` // in year order
}

// ExportYear holds one year's prices: [month-1][day type][hour beginning],
// day type 0 for weekdays and 1 for weekends and holidays.
type ExportYear struct {
	Year   int                    `json:"year"`
	Prices [12][2][24]ExportPrice `json:"prices"`
}

// UnmarshalJSON reads a year of prices, refusing a year that lacks a
// month, a day type or an hour: decoding into the fixed-size array would
// otherwise leave a missing hour at a price of zero.
func (y *ExportYear) UnmarshalJSON(b []byte) error {
	var raw struct {
		Year   int               `json:"year"`
		Prices [][][]ExportPrice `json:"prices"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	if len(raw.Prices) != 12 {
		return fmt.Errorf("year %d: %d months given, want 12", raw.Year, len(raw.Prices))
	}
	out := ExportYear{Year: raw.Year}
	for m, days := range raw.Prices {
		if len(days) != 2 {
			return fmt.Errorf("year %d month %d: %d day types given, want 2 (weekday, weekend/holiday)", raw.Year, m+1, len(days))
		}
		for d, hours := range days {
			if len(hours) != 24 {
				return fmt.Errorf("year %d month %d %s: %d hours given, want 24 (an hour is missing)",
					raw.Year, m+1, [2]string{"weekday", "weekend/holiday"}[d], len(hours))
			}
			copy(out.Prices[m][d][:], hours)
		}
	}
	*y = out
	return nil
}

// ExportPrice is the two components of one hour's export price.
type ExportPrice struct {
	Delivery   money.MicroPerKWh `json:"delivery"`
	Generation money.MicroPerKWh `json:"generation"`
}

// Total is the bundled export price.
func (p ExportPrice) Total() money.MicroPerKWh { return p.Delivery + p.Generation }

// Price returns the export price for an hour beginning hourBeginning (0–23,
// local time) of a day of type dt in month m of year. ok is false when the
// table has no such year.
func (t *ExportTable) Price(year int, m time.Month, dt DayType, hourBeginning int) (ExportPrice, bool) {
	i, ok := slices.BinarySearchFunc(t.Years, year, func(y ExportYear, year int) int { return y.Year - year })
	if !ok || m < time.January || m > time.December || hourBeginning < 0 || hourBeginning > 23 {
		return ExportPrice{}, false
	}
	d := 0
	if dt != Weekday {
		d = 1
	}
	return t.Years[i].Prices[m-1][d][hourBeginning], true
}

// ClosestYear returns year when the table has it, else the table's first
// or last year, whichever is nearer: the year to show when none is asked
// for. The table must have at least one year (Validate).
func (t *ExportTable) ClosestYear(year int) int {
	return min(max(year, t.Years[0].Year), t.Years[len(t.Years)-1].Year)
}

// Hash returns the hex SHA-256 of t's JSON.
func (t *ExportTable) Hash() (string, error) {
	b, err := json.Marshal(t)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// exportColumns are the columns of the utility-published layout (SCE's
// Energy Export Credit table: "Price Effective Date,Month,Hour,Delivery -
// Weekday EEC,Delivery - Weekend/Holiday EEC,SCE Gen - Weekday EEC,SCE Gen
// - Weekend/Holiday EEC", Hour 1–24 being the hour ending).
type exportColumns struct{ year, month, hour, delWD, delWE, genWD, genWE int }

func findExportColumns(header []string) (exportColumns, error) {
	c := exportColumns{-1, -1, -1, -1, -1, -1, -1}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		weekend := strings.Contains(h, "weekend") || strings.Contains(h, "holiday")
		switch {
		case h == "price effective date" || h == "year":
			c.year = i
		case h == "month":
			c.month = i
		case h == "hour" || h == "hour ending":
			c.hour = i
		case strings.Contains(h, "delivery") && weekend:
			c.delWE = i
		case strings.Contains(h, "delivery") && strings.Contains(h, "weekday"):
			c.delWD = i
		case strings.Contains(h, "gen") && weekend:
			c.genWE = i
		case strings.Contains(h, "gen") && strings.Contains(h, "weekday"):
			c.genWD = i
		}
	}
	var missing []string
	for name, idx := range map[string]int{"Price Effective Date": c.year, "Month": c.month, "Hour": c.hour,
		"Delivery - Weekday": c.delWD, "Delivery - Weekend/Holiday": c.delWE, "Gen - Weekday": c.genWD, "Gen - Weekend/Holiday": c.genWE} {
		if idx < 0 {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return c, fmt.Errorf("header lacks column(s) %s", strings.Join(missing, ", "))
	}
	return c, nil
}

// ExportCSVOptions names what the CSV file itself does not say.
type ExportCSVOptions struct {
	Utility string // "SCE", "PG&E"
	Vintage int
	Source  string // file and license
}

// vintageName matches file names such as
// SCE_EEC_prices_2024_vintage_from_SCE_greenbutton.csv.
var vintageName = regexp.MustCompile(`(?i)^(SCE|PGE|PG&E|SDGE|SDG&E)_.*?((?:19|20)[0-9]{2})_vintage`)

// ExportOptionsFromName derives the utility and vintage from a file name
// like "SCE_EEC_prices_2024_vintage_….csv"; ok is false when it does not
// match.
func ExportOptionsFromName(name string) (ExportCSVOptions, bool) {
	m := vintageName.FindStringSubmatch(name)
	if m == nil {
		return ExportCSVOptions{}, false
	}
	u := map[string]string{"SCE": "SCE", "PGE": "PG&E", "PG&E": "PG&E", "SDGE": "SDG&E", "SDG&E": "SDG&E"}[strings.ToUpper(m[1])]
	v, _ := strconv.Atoi(m[2])
	return ExportCSVOptions{Utility: u, Vintage: v}, true
}

// ParseExportCSV reads an export-price table in the utility-published CSV
// layout (one row per year, month and hour ending 1–24; blank separator
// rows allowed). Every year present must have all 12 × 24 hours exactly
// once, with non-negative prices of at most six decimals; otherwise the
// error names the first problems (e.g. "year 2025 month 3 hour ending 14
// is missing").
func ParseExportCSV(r io.Reader, opt ExportCSVOptions) (*ExportTable, error) {
	const op = "tariff.ParseExportCSV"
	var f apperr.Fields
	if strings.TrimSpace(opt.Utility) == "" {
		f.Add("utility", "is required (the CSV does not say)")
	}
	if opt.Vintage < 2000 || opt.Vintage > 2100 {
		f.Add("vintage", "want the vintage year, e.g. 2024, not %d", opt.Vintage)
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, apperr.Invalidf(op, "no header row: %v", err)
	}
	cols, err := findExportColumns(header)
	if err != nil {
		return nil, apperr.Invalidf(op, "not the utility export-price layout: %v", err)
	}
	width := slices.Max([]int{cols.year, cols.month, cols.hour, cols.delWD, cols.delWE, cols.genWD, cols.genWE}) + 1
	type key struct{ year, month, hour int }
	years := map[int]*ExportYear{}
	seen := map[key]bool{}
	line := 1
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line++
		if err != nil {
			f.Add(fmt.Sprintf("line %d", line), "%v", err)
			break
		}
		if blank(rec) {
			continue
		}
		lf := fmt.Sprintf("line %d", line)
		if len(rec) < width {
			f.Add(lf, "has %d fields, want %d", len(rec), width)
			continue
		}
		year, e1 := strconv.Atoi(strings.TrimSpace(rec[cols.year]))
		month, e2 := strconv.Atoi(strings.TrimSpace(rec[cols.month]))
		hour, e3 := strconv.Atoi(strings.TrimSpace(rec[cols.hour]))
		if e1 != nil || e2 != nil || e3 != nil || year < 2000 || year > 2100 || month < 1 || month > 12 || hour < 1 || hour > 24 {
			f.Add(lf, "want a year, a month 1–12 and an hour ending 1–24, got %q, %q, %q", rec[cols.year], rec[cols.month], rec[cols.hour])
			continue
		}
		k := key{year, month, hour}
		if seen[k] {
			f.Add(lf, "year %d month %d hour ending %d is given twice", year, month, hour)
			continue
		}
		seen[k] = true
		y := years[year]
		if y == nil {
			y = &ExportYear{Year: year}
			years[year] = y
		}
		cell := func(i int, name string) money.MicroPerKWh {
			v, err := parseScaled(strings.TrimSpace(rec[i]), 6)
			switch {
			case err != nil:
				f.Add(lf, "%s: %v", name, err)
			case v < 0:
				f.Add(lf, "%s: an export price must not be negative (%s)", name, rec[i])
			}
			return money.MicroPerKWh(v)
		}
		p := &y.Prices[month-1]
		p[0][hour-1] = ExportPrice{Delivery: cell(cols.delWD, "delivery weekday"), Generation: cell(cols.genWD, "generation weekday")}
		p[1][hour-1] = ExportPrice{Delivery: cell(cols.delWE, "delivery weekend/holiday"), Generation: cell(cols.genWE, "generation weekend/holiday")}
		if len(f) > 20 {
			break
		}
	}
	if len(years) == 0 && len(f) == 0 {
		f.Add("rows", "the table has no prices")
	}
	t := &ExportTable{Utility: opt.Utility, Vintage: opt.Vintage, Source: opt.Source, Holidays: holidaysOf(opt.Utility)}
	for _, y := range years {
		t.Years = append(t.Years, *y)
	}
	slices.SortFunc(t.Years, func(a, b ExportYear) int { return a.Year - b.Year })
	for i, y := range t.Years {
		if i > 0 && y.Year != t.Years[i-1].Year+1 {
			f.Add(fmt.Sprintf("year %d", t.Years[i-1].Year+1), "is missing between %d and %d", t.Years[i-1].Year, y.Year)
		}
		missing := 0
		for m := 1; m <= 12; m++ {
			for h := 1; h <= 24; h++ {
				if !seen[key{y.Year, m, h}] {
					if missing < 5 {
						f.Add(fmt.Sprintf("year %d", y.Year), "month %d hour ending %d is missing", m, h)
					}
					missing++
				}
			}
		}
		if missing > 5 {
			f.Add(fmt.Sprintf("year %d", y.Year), "%d hours are missing in all", missing)
		}
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	return t, nil
}

func holidaysOf(utility string) string {
	switch utility {
	case "SCE":
		return HolidaysSCE
	case "PG&E":
		return HolidaysPGE
	}
	return HolidaysNone
}

func blank(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

// Validate checks a table read from JSON (the store's copy): identity,
// consecutive years in order, non-negative prices.
func (t *ExportTable) Validate() error {
	var f apperr.Fields
	if strings.TrimSpace(t.Utility) == "" {
		f.Add("utility", "is required")
	}
	if t.Vintage < 2000 || t.Vintage > 2100 {
		f.Add("vintage", "want the vintage year, not %d", t.Vintage)
	}
	if len(t.Years) == 0 {
		f.Add("years", "the table has no prices")
	}
	for i, y := range t.Years {
		if i > 0 && y.Year <= t.Years[i-1].Year {
			f.Add("years", "year %d out of order", y.Year)
		} else if i > 0 && y.Year != t.Years[i-1].Year+1 {
			f.Add("years", "year %d is missing between %d and %d", t.Years[i-1].Year+1, t.Years[i-1].Year, y.Year)
		}
		for m := range 12 {
			for d := range 2 {
				for h := range 24 {
					if p := y.Prices[m][d][h]; p.Delivery < 0 || p.Generation < 0 {
						f.Add("years", "year %d month %d hour beginning %d has a negative price", y.Year, m+1, h)
						return f.Err("tariff.ExportTable.Validate")
					}
				}
			}
		}
	}
	return f.Err("tariff.ExportTable.Validate")
}

// ExportTableFromJSON decodes and validates a table's JSON form.
func ExportTableFromJSON(b []byte) (*ExportTable, error) {
	var t ExportTable
	if err := json.Unmarshal(bytes.TrimSpace(b), &t); err != nil {
		return nil, jsonProblem("tariff.ExportTableFromJSON", "export-price table", err)
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return &t, nil
}
