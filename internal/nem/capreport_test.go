package nem_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/nem/nemtest"
)

// TestCapReportReproducesSCESeptember2014 reproduces SCE's AB 327 report
// for data as of 2014-09-30 (seed 002) from application records carrying
// its totals. Every expected value is the published one: the sum (930.9)
// and the percentage (2.08%) come from unrounded MW, so the sum is not
// 836.4 + 94.4.
func TestCapReportReproducesSCESeptember2014(t *testing.T) {
	r := nem.BuildCapReport(nemtest.September2014(), nem.SCECap, nem.Month{Year: 2014, Month: time.September})
	for _, c := range []struct{ name, got, want string }{
		{"total cap", nem.MW(r.CapW), "2,240.0"},
		{"received count", nem.Count(r.ReceivedCount), "1,021"},
		{"received MW", nem.MW(r.ReceivedW), "7.5"},
		{"pending count", nem.Count(r.PendingCount), "7,138"},
		{"pending MW", nem.MW(r.PendingW), "94.4"},
		{"installed count", nem.Count(r.InstalledCount), "97,478"},
		{"installed MW", nem.MW(r.InstalledW), "836.4"},
		{"installed + pending count", nem.Count(r.TotalCount()), "104,616"},
		{"installed + pending MW", nem.MW(r.TotalW()), "930.9"},
		{"percent", r.Percent(), "2.08"},
		{"MW remaining", nem.MW(r.RemainingW()), "1,309.1"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %s, want %s", c.name, c.got, c.want)
		}
	}
}

// TestCapIsFivePercentOfPeakNeverBelowTheFloor: 5% of 44,807 MW in whole
// MW is 2,240, equal to SCE's floor; a larger peak raises the cap above
// the floor, a smaller one leaves it at the floor (PU Code §2827(c)(4)).
func TestCapIsFivePercentOfPeakNeverBelowTheFloor(t *testing.T) {
	for _, c := range []struct{ peak, floor, wantMW int64 }{{44_807, 2_240, 2_240}, {50_000, 2_240, 2_500}, {40_000, 2_240, 2_240}, {12_140, 0, 607}} {
		if got := (nem.CapRule{AggregatePeakMW: c.peak, FloorMW: c.floor}).CapW(); int64(got) != c.wantMW*1_000_000 {
			t.Errorf("peak %d floor %d: cap %d W, want %d MW", c.peak, c.floor, got, c.wantMW)
		}
	}
}

// TestCapReportCountsByDates checks each line's definition on a handful
// of records: received in the month whatever became of it; pending at
// month end until PTO, withdrawal or termination; installed from PTO until
// the system leaves NEM.
func TestCapReportCountsByDates(t *testing.T) {
	d := func(s string) calendar.Date {
		if s == "" {
			return calendar.Date{}
		}
		v, err := calendar.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	recs := []nem.CapRecord{
		{ID: "a", CapacityW: 1_000, Submitted: d("2026-03-05")},                                                     // received, pending
		{ID: "b", CapacityW: 2_000, Submitted: d("2026-03-06"), Terminated: d("2026-03-20")},                        // received, withdrawn
		{ID: "c", CapacityW: 4_000, Submitted: d("2026-02-01"), PTO: d("2026-03-31")},                               // installed on the last day
		{ID: "d", CapacityW: 8_000, Submitted: d("2026-02-01"), PTO: d("2026-04-01")},                               // pending: PTO after the month
		{ID: "e", CapacityW: 16_000, Submitted: d("2025-01-01"), PTO: d("2025-02-01"), Terminated: d("2026-03-31")}, // left NEM
		{ID: "f", CapacityW: 32_000, Submitted: d("2025-01-01"), PTO: d("2025-02-01"), Terminated: d("2026-04-01")}, // still installed
		{ID: "g", CapacityW: 64_000, Submitted: d("2026-04-01")},                                                    // after the month
		{ID: "h", CapacityW: 128_000}, // a draft
	}
	r := nem.BuildCapReport(recs, nem.SCECap, nem.Month{Year: 2026, Month: time.March})
	if r.ReceivedCount != 2 || r.ReceivedW != 3_000 || r.PendingCount != 2 || r.PendingW != 9_000 ||
		r.InstalledCount != 2 || r.InstalledW != 36_000 {
		t.Errorf("report %+v", r)
	}
}

// TestCapCSVRoundTripsAndRefusesBadRows: the stateless report's file
// format, with every problem named by line and column.
func TestCapCSVRoundTripsAndRefusesBadRows(t *testing.T) {
	recs := nemtest.September2014()[:50]
	var buf bytes.Buffer
	if err := nem.WriteCapCSV(&buf, recs); err != nil {
		t.Fatal(err)
	}
	back, err := nem.ReadCapCSV(&buf)
	if err != nil || len(back) != 50 || back[7] != recs[7] {
		t.Fatalf("round trip: %v %d %+v %+v", err, len(back), back[7], recs[7])
	}
	for _, c := range []struct{ csv, field, msg string }{
		{"id,status,kw,submitted,approved,pto,terminated\nA1,active,1001.5.5,2014-01-02,,,\n", "line 2 kw", "want a positive kW"},
		{"id,status,kw,submitted,approved,pto,terminated\nA1,active,7.6,2014-01-02,2014-02-01,2014-01-20,\n", "line 2 pto", "rule pto_after_approval"},
		{"id,status,kw,submitted,approved,pto,terminated\nA1,bogus,7.6,2014-01-02,,,\n", "line 2 status", "not a status"},
		{"id,status,kw,submitted,approved,pto,terminated\nA1,active,7.6,2014-13-02,,,\n", "line 2 submitted", "YYYY-MM-DD"},
		{"id,status,kw,submitted,approved,pto,terminated\nA1,active,7.6,,,2014-01-02,\n", "line 2 pto", "needs a submitted date"},
	} {
		_, err := nem.ReadCapCSV(strings.NewReader(c.csv))
		fs := apperr.FieldsOf(err)
		if len(fs) == 0 || fs[0].Field != c.field || !strings.Contains(fs[0].Msg, c.msg) {
			t.Errorf("%q: %v, want %s: %s", c.csv, err, c.field, c.msg)
		}
	}
	for _, bad := range []string{"", "id,status,kw\n", "id,status,kw,submitted,approved,pto,terminated,extra\n"} {
		if _, err := nem.ReadCapCSV(strings.NewReader(bad)); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%q: %v, want Invalid", bad, err)
		}
	}
}

// FuzzReadCapCSV: the reader never panics and what it accepts it writes
// back the same.
func FuzzReadCapCSV(f *testing.F) {
	f.Add("id,status,kw,submitted,approved,pto,terminated\nA1,active,7.6,2014-01-02,2014-01-10,2014-02-01,\n")
	f.Add("pto,id,kw,status,submitted,approved,terminated\n2014-02-01,A1,7.6,active,2014-01-02,,\n")
	f.Fuzz(func(t *testing.T, s string) {
		recs, err := nem.ReadCapCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := nem.WriteCapCSV(&buf, recs); err != nil {
			t.Fatal(err)
		}
		again, err := nem.ReadCapCSV(&buf)
		if err != nil || len(again) != len(recs) {
			t.Fatalf("rewritten file: %v (%d of %d)", err, len(again), len(recs))
		}
	})
}

// BenchmarkCapReport2014 builds the September 2014 report over 105,000
// records.
func BenchmarkCapReport2014(b *testing.B) {
	recs := nemtest.September2014()
	m := nem.Month{Year: 2014, Month: time.September}
	for b.Loop() {
		nem.BuildCapReport(recs, nem.SCECap, m)
	}
}
