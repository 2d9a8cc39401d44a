package rps

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/gridbook/gridbook/internal/calendar"
)

// The procurement detail of the annual compliance report: the rows of the
// CPUC compliance-report template's per-contract and per-facility tab
// (research/rps.md §1.7, "Report form" [R]: CEC RPS ID, WREGIS GU ID,
// execution date, term, PCC, vintage, MWh retired, retirement month), so
// that the claims behind the report reconcile, line by line, to the
// registry's WREGIS-style retirement reports. The CPUC's current template
// tabs and column names are an open item (research/rps.md, open item 7):
// the columns below carry what the research note lists, named plainly.

// DetailClaim is one claim as the procurement detail reads it.
type DetailClaim struct {
	ContractID int64
	PCC        PCC
	MWh        int64
	LongTerm   bool
	Vintage    Month
	RetiredOn  calendar.Date
	Period     string
}

// DetailRow is one row of the procurement detail: the claims of one
// contract, category, long-term status, vintage and retirement month.
type DetailRow struct {
	Contract        string        `json:"contract"`
	Counterparty    string        `json:"counterparty"`
	Facility        string        `json:"facility"`
	CECRPSID        string        `json:"cec_rps_id"`
	WREGISID        string        `json:"wregis_id"`
	Technology      Technology    `json:"technology"`
	State           string        `json:"state"`
	Executed        calendar.Date `json:"executed"`
	Start           calendar.Date `json:"delivery_start"`
	End             calendar.Date `json:"delivery_end"` // exclusive, as contracts keep it
	TermMonths      int           `json:"term_months"`
	LongTerm        bool          `json:"long_term"`
	PCC             PCC           `json:"pcc"`
	Vintage         Month         `json:"vintage"`
	RetirementMonth Month         `json:"retirement_month"`
	MWh             int64         `json:"mwh"`
	Period          string        `json:"period"`
}

// termMonths counts the whole months from start to end (end exclusive):
// 2020-01-01 to 2040-01-01 is 240.
func termMonths(start, end calendar.Date) int {
	n := (end.Year-start.Year)*12 + int(end.Month) - int(start.Month)
	if end.Day < start.Day {
		n--
	}
	return max(n, 0)
}

// ProcurementDetail returns the rows for the claims of vintage year: the
// same claims the annual report counts as the year's procurement, so the
// rows' MWh by category sum to Report.ByPCC. Claims of one contract,
// category, long-term status, vintage and retirement month are one row;
// rows are ordered by contract, vintage, retirement month and category.
// The CEC RPS ID is the one of the certification in force on the
// vintage's last day.
func ProcurementDetail(year int, claims []DetailClaim, contracts map[int64]Contract, facilities map[int64]Facility) []DetailRow {
	type key struct {
		contract int64
		pcc      PCC
		lt       bool
		vintage  Month
		retired  Month
	}
	rows := map[key]*DetailRow{}
	for _, c := range claims {
		if c.Vintage.Year != year {
			continue
		}
		k := key{c.ContractID, c.PCC, c.LongTerm, c.Vintage, MonthOf(c.RetiredOn)}
		if r, ok := rows[k]; ok {
			r.MWh += c.MWh
			continue
		}
		con := contracts[c.ContractID]
		f := facilities[con.FacilityID]
		cert, _ := f.CertificationOn(c.Vintage.Last())
		rows[k] = &DetailRow{Contract: con.Name, Counterparty: con.Counterparty, Facility: f.Name, CECRPSID: cert.CECRPSID, WREGISID: f.WREGISID,
			Technology: f.Technology, State: f.State, Executed: con.Executed, Start: con.Start, End: con.End, TermMonths: termMonths(con.Start, con.End),
			LongTerm: c.LongTerm, PCC: c.PCC, Vintage: c.Vintage, RetirementMonth: k.retired, MWh: c.MWh, Period: c.Period}
	}
	out := make([]DetailRow, 0, len(rows))
	for _, r := range rows {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b DetailRow) int {
		return cmp.Or(cmp.Compare(a.Contract, b.Contract), a.Vintage.Compare(b.Vintage), a.RetirementMonth.Compare(b.RetirementMonth),
			cmp.Compare(a.PCC, b.PCC), cmp.Compare(strconv.FormatBool(a.LongTerm), strconv.FormatBool(b.LongTerm)))
	})
	return out
}

// DetailHeader is the procurement detail's CSV header.
var DetailHeader = []string{"Contract Name", "Counterparty", "Facility Name", "CEC RPS ID", "WREGIS GU ID", "Technology", "State",
	"Contract Execution Date", "Delivery Start", "Delivery End", "Term (Months)", "Long-Term", "Portfolio Content Category",
	"Vintage (MM/YYYY)", "Retirement Month (MM/YYYY)", "MWh Retired and Claimed", "Compliance Period"}

// mmYYYY writes a month as WREGIS reports do: 03/2025.
func mmYYYY(m Month) string { return fmt.Sprintf("%02d/%04d", int(m.Month), m.Year) }

// WriteProcurementCSV writes the rows under DetailHeader, dates as
// YYYY-MM-DD and months as MM/YYYY, categories as 0–3 (0 count in full).
func WriteProcurementCSV(w io.Writer, rows []DetailRow) error {
	cw := csv.NewWriter(w)
	out := [][]string{DetailHeader}
	for _, r := range rows {
		end := ""
		if !r.End.IsZero() {
			end = r.End.String()
		}
		lt := "N"
		if r.LongTerm {
			lt = "Y"
		}
		out = append(out, []string{r.Contract, r.Counterparty, r.Facility, r.CECRPSID, r.WREGISID, string(r.Technology), r.State,
			r.Executed.String(), r.Start.String(), end, strconv.Itoa(r.TermMonths), lt, strconv.Itoa(int(r.PCC)),
			mmYYYY(r.Vintage), mmYYYY(r.RetirementMonth), strconv.FormatInt(r.MWh, 10), r.Period})
	}
	if err := cw.WriteAll(out); err != nil {
		return fmt.Errorf("rps: procurement CSV: %w", err)
	}
	return nil
}
