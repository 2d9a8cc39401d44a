package meterdata

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
)

// fallBackSCE rewrites the SCE two-day constant-power export (2020-05-01
// and 02) onto the fall-back weekend 2026-11-01/02, optionally with the
// repeated 01:00–02:00 hour written out a second time after 01:45, as an
// export of that day would list it.
func fallBackSCE(t *testing.T, repeat bool) []byte {
	b := sample(t, "SCE_GreenButton_two_days_constant_power.csv")
	s := strings.NewReplacer("2020-05-01", "2026-11-01", "2020-05-02", "2026-11-02", "2020-05-03", "2026-11-03", "2020-04-30", "2026-10-31").Replace(string(b))
	if repeat {
		var extra strings.Builder
		for _, m := range []string{"00", "15", "30", "45"} {
			end := map[string]string{"00": "01:15", "15": "01:30", "30": "01:45", "45": "02:00"}[m]
			fmt.Fprintf(&extra, "\"2026-11-01 01:%s:00\u00a0to 2026-11-01 %s:00\",\"0.25\",\"\"\n", m, end)
		}
		anchor := "\"2026-11-01 01:45:00\u00a0to 2026-11-01 02:00:00\",\"0.25\",\"\"\n"
		if !strings.Contains(s, anchor) {
			t.Fatal("the sample no longer has the 01:45 row this test extends")
		}
		s = strings.Replace(s, anchor, anchor+extra.String(), 1)
	}
	return []byte(s)
}

// TestSCEFallBackResolvedByRowOrder checks research/billing.md §5.2: CSV
// times are Pacific wall clock and the repeated fall-back hour is resolved
// by row order. With the hour written twice, 2026-11-01 has 100
// quarter-hours (DESIGN.md principle 4) and the two days are contiguous
// from 07:00Z (00:00 PDT) to 2026-11-03T08:00Z (00:00 PST): 196 readings of
// 250 Wh. Without the repeat, the PST 01:00 hour (09:00Z–10:00Z) is a gap
// of four quarter-hours.
func TestSCEFallBackResolvedByRowOrder(t *testing.T) {
	f := mustParse(t, fallBackSCE(t, true), FormatAuto)
	if f.Format != FormatSCECSV || len(f.Channels) != 1 {
		t.Fatalf("format %s with %d channels", f.Format, len(f.Channels))
	}
	c := f.Channels[0]
	r := c.Report
	if r.Readings != 196 || r.TotalWh != 49000 || r.Gaps != 0 || r.Duplicates != 0 || r.Overlaps != 0 {
		t.Errorf("report %+v, want 196 readings, 49,000 Wh, no gaps, duplicates or overlaps", r)
	}
	if !r.First.Equal(time.Date(2026, 11, 1, 7, 0, 0, 0, time.UTC)) || !r.End.Equal(time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("span %v – %v", r.First, r.End)
	}
	// Rows 5–8 are 01:xx PDT (08:00Z…), rows 9–12 the repeated 01:xx PST (09:00Z…).
	if got := c.Readings[4].Start(); !got.Equal(time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("first 01:00 row starts %v, want 08:00Z (PDT)", got)
	}
	if got := c.Readings[8].Start(); !got.Equal(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("second 01:00 row starts %v, want 09:00Z (PST)", got)
	}
	if c.Direction != customer.Delivered || c.NetOnly {
		t.Errorf("consumption section without negative readings is %s net=%v, want delivered gross", c.Direction, c.NetOnly)
	}

	g := mustParse(t, fallBackSCE(t, false), FormatSCECSV).Channels[0].Report
	want := []Span{{From: time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC), To: time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)}}
	if g.Readings != 192 || g.Gaps != 4 || !slices.Equal(g.GapSpans, want) {
		t.Errorf("without the repeated hour: %d readings, %d gaps %v; want 192, 4, %v", g.Readings, g.Gaps, g.GapSpans, want)
	}
}

// TestSCESpringForwardHourRejected checks that a label in the hour
// skipped on 2026-03-08 is an error naming the row, not a guess.
func TestSCESpringForwardHourRejected(t *testing.T) {
	b := sample(t, "SCE_GreenButton_two_days_constant_power.csv")
	s := strings.NewReplacer("2020-05-01", "2026-03-08", "2020-05-02", "2026-03-09").Replace(string(b))
	_, err := ParseSCECSV(strings.NewReader(s))
	wantRejected(t, "02:00 on the spring-forward day", err, "2026-03-08 02:00 does not exist")
}

// TestSCEWrongUnitsRejected checks the bad-input rule for SCE files.
func TestSCEWrongUnitsRejected(t *testing.T) {
	doc := "Energy Usage Information\nData for period starting: 2024-05-22 00:00:00 for 24 hours\n" +
		"Gas consumption time period,Usage(therms),Reading quality\n" +
		"Energy consumption time period,Usage(therms),Reading quality\n" +
		"2024-05-22 00:00:00 to 2024-05-23 00:00:00,1.2,\n"
	_, err := ParseSCECSV(strings.NewReader(doc))
	wantRejected(t, "therms", err, "not in kilowatt-hours")
	_, err = ParseSCECSV(strings.NewReader("Energy Usage Information\nhello,world\n"))
	wantRejected(t, "no header", err, "not an SCE Green Button CSV")
}

// TestSCENetConsumptionSplit checks that a negative reading in the single
// "Usage" section makes it net: split into delivered and received, both
// marked NetOnly (research/billing.md §6.1).
func TestSCENetConsumptionSplit(t *testing.T) {
	doc := "Energy consumption time period,Usage(Real energy in kilowatt-hours),Reading quality\n" +
		"\"2024-05-22 12:00:00\u00a0 to 2024-05-22 12:15:00\",\"-0.125\",\"\"\n" +
		"\"2024-05-22 12:15:00\u00a0 to 2024-05-22 12:30:00\",\"0.5\",\"Estimated\"\n" +
		"\"2024-05-22 12:30:00\u00a0 to 2024-05-22 12:45:00\",\"\",\"Missing\"\n"
	f := mustParse(t, []byte(doc), FormatSCECSV)
	if len(f.Channels) != 2 {
		t.Fatalf("%d channels, want 2", len(f.Channels))
	}
	d, r := f.Channels[0], f.Channels[1]
	if !d.NetOnly || !r.NetOnly || !slices.Equal(values(d), []energy.Wh{0, 500}) || !slices.Equal(values(r), []energy.Wh{125, 0}) {
		t.Errorf("delivered %v net=%v, received %v net=%v", values(d), d.NetOnly, values(r), r.NetOnly)
	}
	if d.Report.Estimated != 1 || d.Report.Skipped != 1 {
		t.Errorf("estimated %d skipped %d, want 1 and 1", d.Report.Estimated, d.Report.Skipped)
	}
}

// TestPGEFallBackAndNet checks the PG&E layout: END TIME as the last
// minute, the repeated 01:00 hour of 2026-11-01 resolved by row order
// (08:00Z then 09:00Z), a negative USAGE split into received, and the
// "* This data was estimated" note.
func TestPGEFallBackAndNet(t *testing.T) {
	f := mustParse(t, fixture(t, "pge_fallback.csv"), FormatAuto)
	if f.Format != FormatPGECSV || len(f.Channels) != 2 {
		t.Fatalf("format %s with %d channels", f.Format, len(f.Channels))
	}
	d, r := f.Channels[0], f.Channels[1]
	base := int64(1793516400) // 2026-11-01T07:00Z, 00:00 PDT
	wantStarts := []int64{base, base + 3600, base + 7200, base + 10800, base + 14400}
	if !slices.Equal(starts(d), wantStarts) || d.IntervalSeconds != 3600 {
		t.Errorf("starts %v step %d, want %v hourly", starts(d), d.IntervalSeconds, wantStarts)
	}
	if !slices.Equal(values(d), []energy.Wh{500, 400, 300, 0, 1125}) || !slices.Equal(values(r), []energy.Wh{0, 0, 0, 250, 0}) {
		t.Errorf("delivered %v received %v", values(d), values(r))
	}
	if !d.NetOnly || !r.NetOnly || d.Report.Estimated != 1 || d.Readings[4].Quality != Estimated {
		t.Errorf("net %v/%v estimated %d", d.NetOnly, r.NetOnly, d.Report.Estimated)
	}
}

// TestPGEImportExport checks the solar variant with IMPORT (kWh) and
// EXPORT (kWh) columns, M/D/YYYY dates and 15-minute rows (00:00–00:14).
// 2026-03-08 00:00 PST is 08:00Z.
func TestPGEImportExport(t *testing.T) {
	f := mustParse(t, fixture(t, "pge_nem.csv"), FormatAuto)
	if len(f.Channels) != 2 {
		t.Fatalf("%d channels", len(f.Channels))
	}
	d, r := f.Channels[0], f.Channels[1]
	if d.Direction != customer.Delivered || r.Direction != customer.Received || d.NetOnly || r.NetOnly || d.IntervalSeconds != 900 {
		t.Errorf("channels %s/%v/%d and %s/%v", d.Direction, d.NetOnly, d.IntervalSeconds, r.Direction, r.NetOnly)
	}
	if !slices.Equal(values(d), []energy.Wh{100, 200, 0, 50}) || !slices.Equal(values(r), []energy.Wh{0, 0, 350, 50}) {
		t.Errorf("import %v export %v", values(d), values(r))
	}
	if got := d.Readings[0].Start(); !got.Equal(time.Date(2026, 3, 8, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("first start %v", got)
	}
}

// TestPGEGasRejected checks the bad-input rule: a gas file (therms) is
// refused with an error naming the problem.
func TestPGEGasRejected(t *testing.T) {
	_, err := Parse(bytes.NewReader(fixture(t, "pge_gas.csv")), FormatAuto)
	wantRejected(t, "gas", err, "Natural gas usage", "not electricity")
	doc := "TYPE,DATE,START TIME,END TIME,USAGE (therms),COST,NOTES\nGas,2026-01-15,00:00,23:59,1.2,$2,\n"
	_, err = ParsePGECSV(strings.NewReader(doc))
	wantRejected(t, "therms column", err, "USAGE (therms)", "not in kWh")
}

// TestPlainCSV checks the plain layout: RFC 3339, Pacific wall clock (the
// repeated 01:00 by row order) and Unix seconds; empty cells are no
// reading; the optional quality column.
func TestPlainCSV(t *testing.T) {
	f := mustParse(t, fixture(t, "plain.csv"), FormatAuto)
	if f.Format != FormatCSV || len(f.Channels) != 2 {
		t.Fatalf("format %s with %d channels", f.Format, len(f.Channels))
	}
	d, r := f.Channels[0], f.Channels[1]
	base := int64(1793516400) // 2026-11-01T07:00Z
	if !slices.Equal(starts(d), []int64{base, base + 3600, base + 7200}) || !slices.Equal(values(d), []energy.Wh{500, 400, 300}) {
		t.Errorf("delivered %v at %v", values(d), starts(d))
	}
	if !slices.Equal(starts(r), []int64{base, base + 3600, base + 7200, base + 10800}) || !slices.Equal(values(r), []energy.Wh{0, 0, 10, 250}) {
		t.Errorf("received %v at %v", values(r), starts(r))
	}
	if d.Report.Estimated != 1 || d.Report.Skipped != 1 || r.Report.Estimated != 1 {
		t.Errorf("delivered estimated %d skipped %d, received estimated %d", d.Report.Estimated, d.Report.Skipped, r.Report.Estimated)
	}
}

// TestPlainCSVRejects checks the plain layout's bad input.
func TestPlainCSVRejects(t *testing.T) {
	tests := []struct{ name, doc, word string }{
		{"wrong header", "start,duration,kwh\n", "header row"},
		{"kWh decimals", PlainCSVHeader + "\n2026-05-01T00:00:00Z,900,1.5,0\n", "whole, non-negative number of Wh"},
		{"negative", PlainCSVHeader + "\n2026-05-01T00:00:00Z,900,-1,0\n", "whole, non-negative"},
		{"bad start", PlainCSVHeader + "\nyesterday,900,1,0\n", "not RFC 3339"},
		{"bad duration", PlainCSVHeader + "\n2026-05-01T00:00:00Z,0,1,0\n", "duration_s"},
		{"bad quality", PlainCSVHeader + ",quality\n2026-05-01T00:00:00Z,900,1,0,guessed\n", "quality"},
		{"short row", PlainCSVHeader + "\n2026-05-01T00:00:00Z,900\n", "2 fields"},
		{"skipped hour", PlainCSVHeader + "\n2026-03-08 02:30,900,1,0\n", "does not exist"},
	}
	for _, tt := range tests {
		_, err := ParsePlainCSV(strings.NewReader(tt.doc))
		wantRejected(t, tt.name, err, tt.word)
	}
}

// TestDetect checks format detection from the first bytes.
func TestDetect(t *testing.T) {
	tests := []struct {
		head string
		want Format
	}{
		{"\ufeff<?xml version=\"1.0\"?><feed/>", FormatESPI},
		{"  \n<feed>", FormatESPI},
		{"start,duration_s,delivered_wh,received_wh\n", FormatCSV},
		{"Name,ANA\nAddress,x\nAccount Number,1\n\nTYPE,DATE,START TIME\n", FormatPGECSV},
		{"\ufeffEnergy Usage Information,,\r\n", FormatSCECSV},
		{"Energy consumption time period,Usage(Real energy in kilowatt-hours),Reading quality\n", FormatSCECSV},
	}
	for _, tt := range tests {
		got, err := Detect([]byte(tt.head))
		if err != nil || got != tt.want {
			t.Errorf("Detect(%q) = %s, %v; want %s", tt.head, got, err, tt.want)
		}
	}
	_, err := Detect([]byte("hello"))
	wantRejected(t, "unknown", err, "format")
}
