package rec

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/rps"
)

// Layout names a WREGIS-style CSV layout.
type Layout string

// Layouts.
const (
	LayoutGeneration  Layout = "generation"  // a generation upload (GenerationColumns)
	LayoutHoldings    Layout = "holdings"    // a certificate holdings report (HoldingsColumns)
	LayoutRetirements Layout = "retirements" // a retirements report (RetirementColumns)
)

// LayoutOf names the layout of a WREGIS-style CSV from its header line: a
// report that lists certificate serial numbers is a retirements report
// when it has a "Retired On" column and a holdings report otherwise;
// anything else is read as a generation upload.
func LayoutOf(data []byte) Layout {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	header, _ := cr.Read()
	has := func(name string) bool {
		return slices.ContainsFunc(header, func(h string) bool {
			return strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), name)
		})
	}
	switch {
	case has("Certificate Serial Numbers") && has("Retired On"):
		return LayoutRetirements
	case has("Certificate Serial Numbers"):
		return LayoutHoldings
	}
	return LayoutGeneration
}

// CertificateRow is one line of a holdings or retirements report: a
// serial range of one facility's vintage held, or retired, in an
// organization's account.
type CertificateRow struct {
	Line int
	// Org and Account name the account by organization and name (another
	// registry's account ids mean nothing here).
	Org, Account string
	// Status is a holdings line's block status.
	Status Status
	// WREGISID, State, Vintage, Batch, Start and End are the serial
	// range: "W1234-CA-03-2021-17-1 to 250".
	WREGISID, State string
	Vintage         rps.Month
	Batch           string
	Start, End      int64
	// A retirements line's retirement.
	RetiredOn      calendar.Date
	Reason         Reason
	Beneficiary    string
	ComplianceYear int
}

// Quantity is the number of certificates on the line.
func (c CertificateRow) Quantity() int64 { return c.End - c.Start + 1 }

// ParseSerialLabel reads a WREGIS-style serial range,
// "W1234-CA-03-2021-17-1 to 250": the generating unit (which may hold
// hyphens), state, vintage month and year, issuance batch, and the first
// and last serial.
func ParseSerialLabel(s string) (unit, state string, v rps.Month, batch string, start, end int64, err error) {
	head, last, ok := strings.Cut(strings.TrimSpace(s), " to ")
	parts := strings.Split(head, "-")
	if !ok || len(parts) < 6 {
		return "", "", v, "", 0, 0, fmt.Errorf("%q: want UNIT-STATE-MM-YYYY-BATCH-FIRST to LAST, such as W1234-CA-03-2021-17-1 to 250", s)
	}
	n := len(parts)
	unit, state, batch = strings.Join(parts[:n-5], "-"), parts[n-5], parts[n-2]
	mm, err1 := strconv.Atoi(parts[n-4])
	yyyy, err2 := strconv.Atoi(parts[n-3])
	start, err3 := strconv.ParseInt(parts[n-1], 10, 64)
	end, err4 := strconv.ParseInt(strings.TrimSpace(last), 10, 64)
	v = rps.Month{Year: yyyy, Month: time.Month(mm)}
	switch {
	case unit == "" || state == "" || batch == "" || strings.ContainsAny(batch, " \t"):
		err = fmt.Errorf("%q: the unit, state and batch must not be empty", s)
	case err1 != nil || err2 != nil || len(parts[n-4]) != 2 || len(parts[n-3]) != 4 || !v.Valid():
		err = fmt.Errorf("%q: the vintage must be MM-YYYY", s)
	case err3 != nil || err4 != nil || start < 1 || end < start:
		err = fmt.Errorf("%q: the serials must run from a first of at least 1 to a last not below it", s)
	}
	if err != nil {
		return "", "", rps.Month{}, "", 0, 0, err
	}
	return unit, state, v, batch, start, end, nil
}

// parseVintageMY reads a report's vintage, "03/2021" (MM/YYYY).
func parseVintageMY(s string) (rps.Month, bool) {
	t, err := time.Parse("1/2006", s)
	if err != nil {
		return rps.Month{}, false
	}
	return rps.Month{Year: t.Year(), Month: t.Month()}, true
}

// serialCells reads the columns every certificate report shares — unit,
// state, vintage, serial numbers and quantity — into row, checking that
// they agree. cols are the positions of those columns in the layout.
func serialCells(row *CertificateRow, cell func(int) string, at func(string) string, cols []string, idx [5]int, f *apperr.Fields) {
	row.WREGISID = cell(idx[0])
	if row.WREGISID == "" {
		f.Add(at(cols[idx[0]]), "is empty")
	}
	row.State = cell(idx[1])
	v, ok := parseVintageMY(cell(idx[2]))
	if !ok {
		f.Add(at(cols[idx[2]]), "%q: want MM/YYYY", cell(idx[2]))
	}
	row.Vintage = v
	unit, state, lv, batch, start, end, err := ParseSerialLabel(cell(idx[3]))
	if err != nil {
		f.Add(at(cols[idx[3]]), "%v", err)
		return
	}
	row.Batch, row.Start, row.End = batch, start, end
	switch {
	case row.WREGISID != "" && unit != row.WREGISID:
		f.Add(at(cols[idx[3]]), "names unit %s, not the line's %s", unit, row.WREGISID)
	case ok && lv != v:
		f.Add(at(cols[idx[3]]), "names vintage %v, not the line's %v", lv, v)
	case row.State != "" && !strings.EqualFold(state, row.State):
		f.Add(at(cols[idx[3]]), "names state %s, not the line's %s", state, row.State)
	}
	if row.State == "" {
		row.State = state
	}
	if q, err := strconv.ParseInt(strings.ReplaceAll(cell(idx[4]), ",", ""), 10, 64); err != nil || q != row.Quantity() {
		f.Add(at(cols[idx[4]]), "%q: the serial range %d to %d holds %d certificates", cell(idx[4]), start, end, row.Quantity())
	}
}

// ParseHoldingsCSV reads a certificate holdings report in the layout
// WriteHoldingsCSV writes (HoldingsColumns; Account ID, Account Type,
// Generator, Fuel Type, State and Block ID may be missing). Every problem
// is reported, as "line N: column".
func ParseHoldingsCSV(r io.Reader) ([]CertificateRow, error) {
	const op = "rec.ParseHoldingsCSV"
	c := HoldingsColumns
	var rows []CertificateRow
	err := readTable(r, op, c, []string{"Account ID", "Account Type", "Generator", "Fuel Type", "State", "Block ID"},
		func(line int, cell func(int) string, f *apperr.Fields) {
			at := func(col string) string { return fmt.Sprintf("line %d: %s", line, col) }
			row := CertificateRow{Line: line, Account: cell(1), Org: cell(2), Status: Status(strings.ToLower(cell(4)))}
			accountCells(&row, at, c[1], c[2], f)
			switch row.Status {
			case StatusActive, StatusPending, StatusSplit, StatusRetired, StatusExported, StatusWithdrawn:
			default:
				f.Add(at(c[4]), "%q: want active, pending, retired, exported or withdrawn", cell(4))
			}
			serialCells(&row, cell, at, c, [5]int{5, 8, 9, 10, 11}, f)
			rows = append(rows, row)
		})
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// accountCells checks a line's account and organization.
func accountCells(row *CertificateRow, at func(string) string, accountCol, orgCol string, f *apperr.Fields) {
	if row.Account == "" {
		f.Add(at(accountCol), "is empty")
	}
	if row.Org == "" {
		f.Add(at(orgCol), "is empty")
	}
}

// ParseRetirementsCSV reads a retirements report in the layout
// WriteRetirementsCSV writes (RetirementColumns; Retirement ID,
// Beneficiary, Compliance Year, Generator, Fuel Type, State, RPS Eligible
// and RPS Deadline may be missing — eligibility and the deadline are
// decided here, not read). Every problem is reported, as "line N: column".
func ParseRetirementsCSV(r io.Reader) ([]CertificateRow, error) {
	const op = "rec.ParseRetirementsCSV"
	c := RetirementColumns
	var rows []CertificateRow
	err := readTable(r, op, c, []string{"Retirement ID", "Beneficiary", "Compliance Year", "Generator", "Fuel Type", "State", "RPS Eligible", "RPS Deadline"},
		func(line int, cell func(int) string, f *apperr.Fields) {
			at := func(col string) string { return fmt.Sprintf("line %d: %s", line, col) }
			row := CertificateRow{Line: line, Account: cell(2), Org: cell(3), Status: StatusRetired,
				Reason: Reason(strings.ReplaceAll(strings.ToLower(cell(4)), " ", "_")), Beneficiary: cell(5)}
			accountCells(&row, at, c[2], c[3], f)
			if t, err := time.Parse(wregisDate, cell(1)); err != nil {
				f.Add(at(c[1]), "%q: want M/D/YYYY", cell(1))
			} else {
				row.RetiredOn = calendar.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()}
			}
			if !slices.Contains([]Reason{ReasonRPS, ReasonVoluntary, ReasonGreenProduct, ReasonOther}, row.Reason) {
				f.Add(at(c[4]), "%q: want rps, voluntary, green_product or other", cell(4))
			}
			if y := cell(6); y != "" {
				n, err := strconv.Atoi(y)
				if err != nil || n < 2000 || n > 9999 {
					f.Add(at(c[6]), "%q: want a year", y)
				}
				row.ComplianceYear = n
			}
			serialCells(&row, cell, at, c, [5]int{7, 10, 11, 12, 13}, f)
			rows = append(rows, row)
		})
	if err != nil {
		return nil, err
	}
	return rows, nil
}
