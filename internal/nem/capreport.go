package nem

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
	"github.com/gridbook/gridbook/internal/money"
)

// Month is a calendar month.
type Month struct {
	Year  int
	Month time.Month
}

// ParseMonth reads YYYY-MM.
func ParseMonth(s string) (Month, error) {
	d, err := calendar.ParseDate(strings.TrimSpace(s) + "-01")
	if err != nil || len(strings.TrimSpace(s)) != 7 {
		return Month{}, apperr.Invalidf("nem.ParseMonth", "month %q: want YYYY-MM", s)
	}
	return Month{d.Year, d.Month}, nil
}

// String writes the month as YYYY-MM.
func (m Month) String() string { return fmt.Sprintf("%04d-%02d", m.Year, int(m.Month)) }

// First is the month's first day.
func (m Month) First() calendar.Date { return calendar.Date{Year: m.Year, Month: m.Month, Day: 1} }

// Last is the month's last day.
func (m Month) Last() calendar.Date { return m.Next().First().AddDays(-1) }

// Next is the following month.
func (m Month) Next() Month {
	if m.Month == time.December {
		return Month{m.Year + 1, time.January}
	}
	return Month{m.Year, m.Month + 1}
}

// CapRecord is what the cap report reads of an application.
type CapRecord struct {
	ID         string
	Status     Status
	CapacityW  energy.W
	Submitted  calendar.Date // application received; zero for a draft
	Approved   calendar.Date
	PTO        calendar.Date // permission to operate: interconnected under NEM
	Terminated calendar.Date // withdrawn, rejected or NEM interconnection ended
}

// CapRecordOf is the cap record of an application.
func CapRecordOf(a Application) CapRecord {
	return CapRecord{ID: a.Number, Status: a.Status, CapacityW: a.System.CapacityW, Submitted: a.Submitted,
		Approved: a.Approved, PTO: a.PTO, Terminated: a.Closed}
}

// CapRule is a utility's NEM program cap (PU Code §2827(c)(4)): 5% of its
// aggregate customer peak demand, never less than its floor.
type CapRule struct {
	Utility         string
	AggregatePeakMW int64 // aggregate customer peak demand, MW
	FloorMW         int64 // the cap is never below this
	Source          string
}

// SCECap is SCE's cap as its AB 327 report of 2014-09-30 states it: 5% of
// 44,807 MW, never less than 2,240 MW (seed 002; spec/nem.md).
var SCECap = CapRule{Utility: "SCE", AggregatePeakMW: 44_807, FloorMW: 2_240,
	Source: "SCE AB 327 NEM program cap report, data as of 2014-09-30 (seed 002)"}

// CapW is the cap in watts. The 5% figure is taken in whole megawatts,
// rounded down, as the published report states it: 5% of 44,807 MW is
// 2,240.35 MW and the report's total cap and its MW remaining (1,309.1 =
// 2,240 − 930.9) use 2,240 (seed 002).
func (r CapRule) CapW() energy.W {
	fivePct := r.AggregatePeakMW * 5 / 100
	return energy.W(max(fivePct, r.FloorMW) * 1_000_000)
}

// CapReport is the monthly AB 327 program-cap report (PU Code
// §2827(c)(4)(C)) at the end of Month. Capacities are exact sums of the
// records' watts; MW are rounded only when shown.
type CapReport struct {
	Month          Month
	Rule           CapRule
	CapW           energy.W
	ReceivedCount  int64 // applications received in the month
	ReceivedW      energy.W
	PendingCount   int64 // submitted by month end, not yet interconnected, not withdrawn
	PendingW       energy.W
	InstalledCount int64 // interconnected (PTO) by month end and not terminated by then
	InstalledW     energy.W
}

// BuildCapReport computes the report for month m from application records:
//
//   - received in the month: submitted within it (whatever became of it);
//   - pending at month end: submitted by then, no PTO by then, and not
//     withdrawn, rejected or terminated by then;
//   - cumulative installations: PTO by month end ("approved for NEM
//     interconnection since NEM began"), excluding systems that left NEM
//     by then.
func BuildCapReport(records []CapRecord, rule CapRule, m Month) CapReport {
	r := CapReport{Month: m, Rule: rule, CapW: rule.CapW()}
	first, last := m.First(), m.Last()
	by := func(d calendar.Date) bool { return !d.IsZero() && !d.After(last) }
	for _, x := range records {
		if x.Submitted.IsZero() {
			continue
		}
		if !x.Submitted.Before(first) && by(x.Submitted) {
			r.ReceivedCount++
			r.ReceivedW += x.CapacityW
		}
		if by(x.Terminated) {
			continue
		}
		switch {
		case by(x.PTO):
			r.InstalledCount++
			r.InstalledW += x.CapacityW
		case by(x.Submitted):
			r.PendingCount++
			r.PendingW += x.CapacityW
		}
	}
	return r
}

// TotalCount is installed plus pending applications.
func (r CapReport) TotalCount() int64 { return r.InstalledCount + r.PendingCount }

// TotalW is installed plus pending capacity.
func (r CapReport) TotalW() energy.W { return r.InstalledW + r.PendingW }

// RemainingW is the cap less installed and pending capacity.
func (r CapReport) RemainingW() energy.W { return r.CapW - r.TotalW() }

// PeakW is the aggregate customer peak demand in watts.
func (r CapReport) PeakW() energy.W { return energy.W(r.Rule.AggregatePeakMW * 1_000_000) }

// CapReportJSON is the report as `gridbook nem cap-report --json` prints
// it: every value a number, MW and the percentage unrounded.
type CapReportJSON struct {
	CapMW                     float64 `json:"cap_mw"`
	AggregatePeakMW           float64 `json:"aggregate_peak_mw"`
	ReceivedCount             int64   `json:"received_count"`
	ReceivedMW                float64 `json:"received_mw"`
	PendingCount              int64   `json:"pending_count"`
	PendingMW                 float64 `json:"pending_mw"`
	InstalledCount            int64   `json:"installed_count"`
	InstalledMW               float64 `json:"installed_mw"`
	InstalledPlusPendingCount int64   `json:"installed_plus_pending_count"`
	InstalledPlusPendingMW    float64 `json:"installed_plus_pending_mw"`
	PercentOfPeak             float64 `json:"percent_of_peak"`
	RemainingMW               float64 `json:"remaining_mw"`
}

// JSON returns the report's numbers.
func (r CapReport) JSON() CapReportJSON {
	mw := func(w energy.W) float64 { return float64(w) / 1e6 }
	pct := 0.0
	if r.PeakW() > 0 {
		pct = float64(r.TotalW()) * 100 / float64(r.PeakW())
	}
	return CapReportJSON{CapMW: mw(r.CapW), AggregatePeakMW: mw(r.PeakW()),
		ReceivedCount: r.ReceivedCount, ReceivedMW: mw(r.ReceivedW),
		PendingCount: r.PendingCount, PendingMW: mw(r.PendingW),
		InstalledCount: r.InstalledCount, InstalledMW: mw(r.InstalledW),
		InstalledPlusPendingCount: r.TotalCount(), InstalledPlusPendingMW: mw(r.TotalW()),
		PercentOfPeak: pct, RemainingMW: mw(r.RemainingW())}
}

// MW formats watts as megawatts with one decimal, rounded half away from
// zero, with thousands separators: 2,240,000,000 W is "2,240.0".
func MW(w energy.W) string { return MWDecimals(w, 1) }

// MWDecimals formats watts as megawatts with 0–6 decimals, rounded half
// away from zero, with thousands separators: 5,360,000 W with 2 is "5.36".
func MWDecimals(w energy.W, decimals int) string {
	decimals = min(max(decimals, 0), 6)
	unit := int64(1)
	for range decimals {
		unit *= 10
	}
	v := money.RoundDiv(int64(w), 1_000_000/unit)
	neg := v < 0
	if neg {
		v = -v
	}
	s := groupThousands(v / unit)
	if decimals > 0 {
		s += "." + fmt.Sprintf("%0*d", decimals, v%unit)
	}
	if neg {
		return "-" + s
	}
	return s
}

// Percent is the installed plus pending capacity as a percentage of the
// aggregate peak with two decimals, rounded half away from zero ("2.08").
func (r CapReport) Percent() string {
	if r.PeakW() == 0 {
		return "0.00"
	}
	h := money.RoundDiv(int64(r.TotalW())*10_000, int64(r.PeakW()))
	return strconv.FormatInt(h/100, 10) + "." + fmt.Sprintf("%02d", h%100)
}

// Count formats a count with thousands separators.
func Count(n int64) string {
	if n < 0 {
		return "-" + groupThousands(-n)
	}
	return groupThousands(n)
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// CapCSVColumns are the columns of an application export the stateless
// cap report reads (issue 4).
var CapCSVColumns = []string{"id", "status", "kw", "submitted", "approved", "pto", "terminated"}

// maxCapCSVRows bounds a file the stateless report reads (SCE had about
// 105,000 NEM systems in 2014; ten times that leaves room).
const maxCapCSVRows = 5_000_000

// ReadCapCSV reads application records from CSV with the header
// id,status,kw,submitted,approved,pto,terminated (any order): kW with at
// most three decimals, dates YYYY-MM-DD or empty. Every problem names the
// line and column; a PTO before approval is refused (rule
// pto_after_approval), as are dates before the submission.
func ReadCapCSV(r io.Reader) ([]CapRecord, error) {
	const op = "nem.ReadCapCSV"
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, apperr.Invalidf(op, "the file is empty; want the header %s", strings.Join(CapCSVColumns, ","))
	} else if err != nil {
		return nil, apperr.Invalidf(op, "line 1: %v", err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(CapCSVColumns, h) {
			return nil, apperr.Invalidf(op, "line 1: unknown column %q; want %s", h, strings.Join(CapCSVColumns, ","))
		}
		if _, dup := col[h]; dup {
			return nil, apperr.Invalidf(op, "line 1: column %q appears twice", h)
		}
		col[h] = i
	}
	for _, c := range CapCSVColumns {
		if _, ok := col[c]; !ok {
			return nil, apperr.Invalidf(op, "line 1: no %q column; want %s", c, strings.Join(CapCSVColumns, ","))
		}
	}
	var out []CapRecord
	var f apperr.Fields
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, apperr.Invalidf(op, "line %d: %v", line, err)
		}
		if len(out) >= maxCapCSVRows {
			return nil, apperr.Invalidf(op, "more than %d applications", maxCapCSVRows)
		}
		get := func(c string) string { return strings.TrimSpace(rec[col[c]]) }
		x := CapRecord{ID: get("id"), Status: Status(strings.ToLower(get("status")))}
		where := func(c string) string { return fmt.Sprintf("line %d %s", line, c) }
		if x.ID == "" {
			f.Add(where("id"), "is required")
		}
		if !x.Status.Valid() {
			f.Add(where("status"), "%q is not a status", get("status"))
		}
		kw, err := energy.ParseKWh(get("kw")) // kW parse exactly like kWh: three decimals are watts
		if err != nil || kw <= 0 {
			f.Add(where("kw"), "%q: want a positive kW with at most 3 decimals", get("kw"))
		}
		x.CapacityW = energy.W(kw)
		for _, d := range []struct {
			c   string
			dst *calendar.Date
		}{{"submitted", &x.Submitted}, {"approved", &x.Approved}, {"pto", &x.PTO}, {"terminated", &x.Terminated}} {
			if s := get(d.c); s != "" {
				v, err := calendar.ParseDate(s)
				if err != nil {
					f.Add(where(d.c), "%q: want YYYY-MM-DD or empty", s)
				}
				*d.dst = v
			}
		}
		checkRecordDates(&f, x, where)
		if len(f) >= 20 {
			break // enough to act on
		}
		out = append(out, x)
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	return out, nil
}

// checkRecordDates refuses dates out of lifecycle order.
func checkRecordDates(f *apperr.Fields, x CapRecord, where func(string) string) {
	for _, d := range []struct {
		c string
		v calendar.Date
	}{{"approved", x.Approved}, {"pto", x.PTO}, {"terminated", x.Terminated}} {
		if !d.v.IsZero() && x.Submitted.IsZero() {
			f.Add(where(d.c), "a %s date needs a submitted date", d.c)
		} else if !d.v.IsZero() && d.v.Before(x.Submitted) {
			f.Add(where(d.c), "%s is before the submission on %s", d.v, x.Submitted)
		}
	}
	if !x.PTO.IsZero() && !x.Approved.IsZero() && x.PTO.Before(x.Approved) {
		f.Add(where("pto"), "rule pto_after_approval: PTO %s is before the approval on %s", x.PTO, x.Approved)
	}
}

// WriteCapCSV writes records in the stateless report's CSV format.
func WriteCapCSV(w io.Writer, records []CapRecord) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CapCSVColumns); err != nil {
		return err
	}
	ds := func(d calendar.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.String()
	}
	for _, x := range records {
		if err := cw.Write([]string{x.ID, string(x.Status), x.CapacityW.KWString(), ds(x.Submitted), ds(x.Approved),
			ds(x.PTO), ds(x.Terminated)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
