package rec

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/rps"
)

// WREGIS-style CSV layouts (docs/rps.md describes them). WREGIS
// aggregates generation monthly and reports certificates with serial
// ranges (research/rps.md §2.1); these layouts carry the same columns so
// that registry data can flow in and out through spreadsheets.

// GenerationColumns is the header of a generation upload.
var GenerationColumns = []string{"Generating Unit ID", "Vintage Start", "Vintage End", "Generation (MWh)", "Revision"}

// GenerationRow is one line of a generation upload: a month of a
// generating unit's output.
type GenerationRow struct {
	Line     int
	WREGISID string
	Vintage  rps.Month
	Wh       energy.Wh
	Revision int
}

// wregisDate is the M/D/YYYY layout of WREGIS reports.
const wregisDate = "1/2/2006"

// maxGenerationRows bounds one upload (of any layout).
const maxGenerationRows = 1_000_000

// ParseGenerationCSV reads a generation upload: the header (columns in
// any order, names compared without case; Revision optional), then one
// row per unit and month, the vintage given as its first and last day
// (M/D/YYYY) and the generation in MWh with at most six decimals (one
// Wh). Every problem is reported, as "line N: column".
func ParseGenerationCSV(r io.Reader) ([]GenerationRow, error) {
	const op = "rec.ParseGenerationCSV"
	var rows []GenerationRow
	err := readTable(r, op, GenerationColumns, []string{"Revision"}, func(line int, cell func(int) string, f *apperr.Fields) {
		at := func(c string) string { return fmt.Sprintf("line %d: %s", line, c) }
		row := GenerationRow{Line: line, WREGISID: cell(0)}
		if row.WREGISID == "" {
			f.Add(at(GenerationColumns[0]), "is empty")
		}
		start, err1 := time.Parse(wregisDate, cell(1))
		end, err2 := time.Parse(wregisDate, cell(2))
		switch {
		case err1 != nil:
			f.Add(at(GenerationColumns[1]), "%q: want M/D/YYYY", cell(1))
		case err2 != nil:
			f.Add(at(GenerationColumns[2]), "%q: want M/D/YYYY", cell(2))
		default:
			row.Vintage = rps.MonthOf(calendar.Date{Year: start.Year(), Month: start.Month(), Day: start.Day()})
			if start.Day() != 1 || calendar.DateOf(end.Add(12*time.Hour)) != row.Vintage.Last() {
				f.Add(at(GenerationColumns[2]), "%s to %s is not one whole calendar month", cell(1), cell(2))
			}
		}
		wh, err := ParseMWh(cell(3))
		if err != nil {
			f.Add(at(GenerationColumns[3]), "%q: %v", cell(3), err)
		}
		row.Wh = wh
		if s := cell(4); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 {
				f.Add(at(GenerationColumns[4]), "%q: want a whole number from 0", s)
			}
			row.Revision = n
		}
		rows = append(rows, row)
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// readTable reads a CSV table whose header names columns (in any order,
// compared without case; those in optional may be missing) and calls row
// for each non-empty line with the line number and a reader of the cell
// of column i (of columns; "" when absent). Problems are collected in one
// Invalid error naming "line N: column"; reading stops at a malformed
// line or after maxGenerationRows rows.
func readTable(r io.Reader, op string, columns, optional []string, row func(line int, cell func(int) string, f *apperr.Fields)) error {
	var f apperr.Fields
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		f.Add("file", "no header line: want %s", strings.Join(columns, ","))
		return f.Err(op)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	idx := make([]int, len(columns))
	for i, name := range columns {
		j, ok := col[strings.ToLower(name)]
		if !ok && !slices.Contains(optional, name) {
			f.Add("header", "column %q is missing", name)
		}
		if !ok {
			j = -1
		}
		idx[i] = j
	}
	if err := f.Err(op); err != nil {
		return err
	}
	n := 0
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			f.Add(fmt.Sprintf("line %d", line), "%v", err)
			break
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if n++; n > maxGenerationRows {
			f.Add("file", "more than %d rows", maxGenerationRows)
			break
		}
		row(line, func(i int) string {
			if idx[i] < 0 || idx[i] >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[idx[i]])
		}, &f)
	}
	return f.Err(op)
}

// ParseMWh reads a non-negative MWh amount with at most six decimals
// exactly into Wh: "1234.567" is 1,234,567,000 Wh.
func ParseMWh(s string) (energy.Wh, error) {
	s = strings.ReplaceAll(s, ",", "")
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || len(frac) > 6 || (dot && frac == "") || strings.Trim(whole+frac, "0123456789") != "" || len(whole) > 12 {
		return 0, errors.New("want MWh such as 1234.567 (at most six decimals, not negative)")
	}
	n, _ := strconv.ParseInt(whole+frac+strings.Repeat("0", 6-len(frac)), 10, 64)
	return energy.Wh(n), nil
}

// FormatMWh writes Wh as MWh with six decimals.
func FormatMWh(wh energy.Wh) string {
	return fmt.Sprintf("%d.%06d", wh/energy.WhPerMWh, wh%energy.WhPerMWh)
}

// HoldingRow is one block as a holdings report lists it.
type HoldingRow struct {
	Account  Account
	Facility rps.Facility
	Block    Block
}

// HoldingsColumns is the header of a certificate holdings report.
var HoldingsColumns = []string{"Account ID", "Account", "Organization", "Account Type", "Status", "Generating Unit ID", "Generator",
	"Fuel Type", "State", "Vintage", "Certificate Serial Numbers", "Quantity", "Block ID"}

// WriteHoldingsCSV writes a certificate holdings report.
func WriteHoldingsCSV(w io.Writer, rows []HoldingRow) error {
	cw := csv.NewWriter(w)
	cw.Write(HoldingsColumns)
	for _, r := range rows {
		b := r.Block
		cw.Write([]string{strconv.FormatInt(r.Account.ID, 10), r.Account.Name, r.Account.Org, string(r.Account.Kind), string(b.Status),
			r.Facility.WREGISID, r.Facility.Name, string(r.Facility.Technology), r.Facility.State, monthMDY(b.Vintage),
			b.Serials(r.Facility), strconv.FormatInt(b.Quantity(), 10), strconv.FormatInt(b.ID, 10)})
	}
	cw.Flush()
	return cw.Error()
}

// RetirementRow is one retirement as a retirements report lists it.
type RetirementRow struct {
	Retirement Retirement
	Account    Account
	Facility   rps.Facility
	Block      Block
}

// RetirementColumns is the header of a retirements report.
var RetirementColumns = []string{"Retirement ID", "Retired On", "Account", "Organization", "Reason", "Beneficiary", "Compliance Year",
	"Generating Unit ID", "Generator", "Fuel Type", "State", "Vintage", "Certificate Serial Numbers", "Quantity", "RPS Eligible", "RPS Deadline"}

// WriteRetirementsCSV writes a retirements report.
func WriteRetirementsCSV(w io.Writer, rows []RetirementRow) error {
	cw := csv.NewWriter(w)
	cw.Write(RetirementColumns)
	for _, r := range rows {
		x, b := r.Retirement, r.Block
		year := ""
		if x.ComplianceYear != 0 {
			year = strconv.Itoa(x.ComplianceYear)
		}
		cw.Write([]string{strconv.FormatInt(x.ID, 10), dateMDY(x.RetiredOn), r.Account.Name, r.Account.Org, string(x.Reason), x.Beneficiary, year,
			r.Facility.WREGISID, r.Facility.Name, string(r.Facility.Technology), r.Facility.State, monthMDY(x.Vintage),
			SerialLabel(r.Facility.WREGISID, r.Facility.State, x.Vintage, b.BatchLabel(), b.Start, b.End),
			strconv.FormatInt(x.Quantity, 10), strconv.FormatBool(x.RPSEligible), dateMDY(x.Deadline)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteGenerationCSV writes reports in the generation upload layout, so a
// registry's generation can be exported and read back.
func WriteGenerationCSV(w io.Writer, rows []GenerationRow) error {
	cw := csv.NewWriter(w)
	cw.Write(GenerationColumns)
	for _, r := range rows {
		cw.Write([]string{r.WREGISID, dateMDY(r.Vintage.First()), dateMDY(r.Vintage.Last()), FormatMWh(r.Wh), strconv.Itoa(r.Revision)})
	}
	cw.Flush()
	return cw.Error()
}

func dateMDY(d calendar.Date) string { return fmt.Sprintf("%d/%d/%04d", int(d.Month), d.Day, d.Year) }

func monthMDY(m rps.Month) string { return fmt.Sprintf("%02d/%04d", int(m.Month), m.Year) }
