package rps

import (
	"cmp"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"math/big"
	"slices"
	"strconv"

	"github.com/gridbook/gridbook/internal/calendar"
)

// ReportLine is procurement claimed from one facility under one contract
// in one category, as the annual report lists it.
type ReportLine struct {
	Facility   string        `json:"facility"`
	WREGISID   string        `json:"wregis_id"`
	Technology Technology    `json:"technology"`
	State      string        `json:"state"`
	InCBA      bool          `json:"in_cba"`
	COD        calendar.Date `json:"cod"`
	CertStatus CertStatus    `json:"certification"`
	Contract   string        `json:"contract"`
	Executed   calendar.Date `json:"executed"`
	LongTerm   bool          `json:"long_term"`
	PCC        PCC           `json:"pcc"`
	Vintage    Month         `json:"vintage"`
	MWh        int64         `json:"mwh"`
}

// ReportInput is what an annual compliance report is built from.
type ReportInput struct {
	Seller   string
	Year     int
	Rules    RuleSet
	Settings Settings
	// RetailSales holds the period's years up to Year.
	RetailSales map[int]int64
	// Lines are the claims whose vintage is in the period, up to Year.
	Lines           []ReportLine
	Bank            int64
	Recommendations string
}

// Report is the annual compliance report of §399.13(a)(3): progress during
// the year as a percentage of retail sales, the status of the procured
// resources, portfolio content status including out-of-state WECC
// procurement and unbundled RECs, the period-to-date position, and
// recommendations to remove barriers.
type Report struct {
	Seller       string       `json:"seller"`
	Year         int          `json:"year"`
	Jurisdiction Jurisdiction `json:"jurisdiction"`
	Period       string       `json:"period"`
	RetailSales  int64        `json:"retail_sales_mwh"`
	Target       Percent      `json:"target_percent"`
	// Procured is the year's generation claimed (all categories);
	// Percent is Procured / RetailSales.
	Procured int64     `json:"procured_mwh"`
	Percent  *big.Rat  `json:"-"`
	ByPCC    CalcByPCC `json:"procured_by_pcc"`
	// OutOfState is procurement from facilities outside California
	// (elsewhere in the WECC); Unbundled is PCC3.
	OutOfState int64 `json:"out_of_state_wecc_mwh"`
	Unbundled  int64 `json:"unbundled_mwh"`
	// Facilities sums the year's lines by facility, contract and category.
	Facilities []ReportLine `json:"facilities"`
	// ToDate is the position over the period's years through Year.
	ToDate          CalcOutput `json:"period_to_date"`
	Recommendations string     `json:"recommendations"`
}

// BuildReport builds the annual report for in.Year.
func BuildReport(in ReportInput) (*Report, error) {
	rs := in.Rules
	// The period to date: the rule set cut at Year.
	rs.LastYear = min(rs.LastYear, in.Year)
	rs.Targets = map[int]Percent{}
	for y, p := range in.Rules.Targets {
		if y <= rs.LastYear {
			rs.Targets[y] = p
		}
	}
	var claims []Claim
	for _, l := range in.Lines {
		claims = append(claims, Claim{PCC: l.PCC, MWh: l.MWh, ContractExecuted: l.Executed, LongTerm: l.LongTerm, Vintage: l.Vintage})
	}
	sales := map[int]int64{}
	for y, v := range in.RetailSales {
		if rs.Contains(y) {
			sales[y] = v
		}
	}
	res, err := Compute(Input{Rules: rs, Settings: in.Settings, RetailSales: sales, Claims: claims, Bank: in.Bank})
	if err != nil {
		return nil, err
	}
	out := &Report{Seller: in.Seller, Year: in.Year, Jurisdiction: rs.Jurisdiction, Period: rs.Period, RetailSales: in.RetailSales[in.Year],
		Target: in.Rules.Targets[in.Year], ToDate: NewCalcOutput(&rs, res, in.Bank), Recommendations: in.Recommendations, Facilities: []ReportLine{}}
	type key struct {
		wregis, contract string
		pcc              PCC
	}
	sum := map[key]*ReportLine{}
	var by [4]int64
	for _, l := range in.Lines {
		if l.Vintage.Year != in.Year {
			continue
		}
		out.Procured += l.MWh
		by[l.PCC] += l.MWh
		if l.State != "" && l.State != "CA" {
			out.OutOfState += l.MWh
		}
		k := key{l.WREGISID, l.Contract, l.PCC}
		if s, ok := sum[k]; ok {
			s.MWh += l.MWh
			continue
		}
		c := l
		c.Vintage = Month{}
		sum[k] = &c
	}
	out.ByPCC, out.Unbundled = byPCC(by), by[PCC3]
	out.Percent = ratio(out.Procured, out.RetailSales)
	for _, k := range slices.SortedFunc(maps.Keys(sum), func(a, b key) int {
		if a.wregis != b.wregis {
			return cmp.Compare(a.wregis, b.wregis)
		}
		if a.contract != b.contract {
			return cmp.Compare(a.contract, b.contract)
		}
		return int(a.pcc - b.pcc)
	}) {
		out.Facilities = append(out.Facilities, *sum[k])
	}
	return out, nil
}

// SitingStatus describes a facility's status for the report: operating
// since its commercial operation date, or not yet operating.
func (l *ReportLine) SitingStatus(asOf calendar.Date) string {
	s := "operating since " + l.COD.String()
	if l.COD.After(asOf) {
		s = "not yet operating (expected " + l.COD.String() + ")"
	}
	if l.CertStatus != "" {
		s += "; CEC " + string(l.CertStatus)
	}
	return s
}

// WriteCSV writes the report as one CSV table: summary rows (section
// "summary", item and value) and then one row per facility line (section
// "facility"). The columns are fixed so that spreadsheets read it whole.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	header := []string{"section", "item", "value", "facility", "wregis_id", "technology", "state", "status", "contract", "executed", "long_term", "pcc", "mwh"}
	rows := [][]string{header}
	add := func(item, value string) {
		rows = append(rows, []string{"summary", item, value, "", "", "", "", "", "", "", "", "", ""})
	}
	i := func(v int64) string { return strconv.FormatInt(v, 10) }
	add("seller", r.Seller)
	add("year", strconv.Itoa(r.Year))
	add("jurisdiction", string(r.Jurisdiction))
	add("compliance_period", r.Period)
	add("retail_sales_mwh", i(r.RetailSales))
	add("target_percent", string(r.Target))
	add("procured_mwh", i(r.Procured))
	add("procured_percent_of_retail_sales", new(big.Rat).Mul(r.Percent, big.NewRat(100, 1)).FloatString(2))
	add("pcc0_mwh", i(r.ByPCC.PCC0))
	add("pcc1_mwh", i(r.ByPCC.PCC1))
	add("pcc2_mwh", i(r.ByPCC.PCC2))
	add("pcc3_unbundled_mwh", i(r.ByPCC.PCC3))
	add("out_of_state_wecc_mwh", i(r.OutOfState))
	add("period_to_date_requirement_mwh", i(r.ToDate.PQRMWh))
	add("period_to_date_applied_mwh", i(r.ToDate.Applied.Total))
	add("period_to_date_pcc1_share", r.ToDate.PCC1Share.String())
	add("period_to_date_pcc3_share", r.ToDate.PCC3Share.String())
	add("period_to_date_long_term_applied_mwh", i(r.ToDate.LTApplied))
	add("period_to_date_long_term_required_mwh", i(r.ToDate.LTRequired))
	add("period_to_date_shortfall_mwh", i(r.ToDate.Shortfall))
	add("recommendations", r.Recommendations)
	asOf := calendar.Date{Year: r.Year, Month: 12, Day: 31}
	for _, l := range r.Facilities {
		rows = append(rows, []string{"facility", "", "", l.Facility, l.WREGISID, string(l.Technology), l.State, l.SitingStatus(asOf),
			l.Contract, l.Executed.String(), strconv.FormatBool(l.LongTerm), l.PCC.String(), i(l.MWh)})
	}
	if err := cw.WriteAll(rows); err != nil {
		return fmt.Errorf("rps: report CSV: %w", err)
	}
	return nil
}
