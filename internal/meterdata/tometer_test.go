package meterdata

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
)

// meter returns a meter installed on installed with delivered and, when
// recv, received channels of step seconds (channel ids 11 and 12).
func meter(step int, installed calendar.Date, recv bool) customer.Meter {
	m := customer.Meter{ID: 1, AccountID: 1, Serial: "M-TEST", IntervalSeconds: step, Installed: installed,
		Channels: []customer.Channel{{ID: 11, MeterID: 1, Direction: customer.Delivered, IntervalSeconds: step}}}
	if recv {
		m.Channels = append(m.Channels, customer.Channel{ID: 12, MeterID: 1, Direction: customer.Received, IntervalSeconds: step})
	}
	return m
}

func date(y int, m time.Month, d int) calendar.Date { return calendar.Date{Year: y, Month: m, Day: d} }

// TestForMeterInlandKnownAnswer maps the Green Button Alliance "Inland
// Single Family" year onto an hourly meter: 8,760 hourly intervals from
// 2011-01-01 00:00 PST with no gap, summing to 8,343,306 Wh (the issue's
// known answer), all actual.
func TestForMeterInlandKnownAnswer(t *testing.T) {
	f := mustParse(t, sample(t, "Inland_Single_Family_Jan_1_2011_to_Jan_1_2012_RetailCustomer_9.xml"), FormatAuto)
	data, err := f.ForMeter(meter(3600, date(2011, 1, 1), true))
	if err != nil {
		t.Fatal(err)
	}
	if len(data) != 1 || data[0].ChannelID != 11 || data[0].Direction != customer.Delivered {
		t.Fatalf("mapped %d channels: %+v", len(data), data)
	}
	s := data[0].Series
	total, missing := s.Sum()
	if len(s.Values) != 8760 || total != 8343306 || missing != 0 || s.Quality != nil {
		t.Errorf("%d intervals, %d Wh, %d missing, quality %v; want 8760, 8343306, 0, nil", len(s.Values), total, missing, s.Quality)
	}
	if !s.Start.Equal(date(2011, 1, 1).Start()) || s.Step != time.Hour || !s.End().Equal(date(2012, 1, 1).Start()) {
		t.Errorf("series %v step %v to %v", s.Start, s.Step, s.End())
	}
}

// TestForMeterSCETwinsAgree checks that the SCE solar CSV day and its
// ESPI twin land on the same intervals of a 15-minute net-metered meter:
// 96 delivered intervals summing to 2,990 Wh and 96 received summing to
// 340 Wh (the README's 2.99 and 0.34 kWh).
func TestForMeterSCETwinsAgree(t *testing.T) {
	m := meter(900, date(2024, 1, 1), true)
	var got [2][]ChannelData
	for i, name := range []string{"SCE_SolarBillingPlan_GreenButton_example_delivered_received.csv", "SYNTHETIC_SCE_example_two_channel_nem_espi.xml"} {
		data, err := mustParse(t, sample(t, name), FormatAuto).ForMeter(m)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		got[i] = data
	}
	if len(got[0]) != 2 || len(got[1]) != 2 {
		t.Fatalf("channels: csv %d, espi %d; want 2 each", len(got[0]), len(got[1]))
	}
	for k, want := range []energy.Wh{2990, 340} {
		a, b := got[0][k], got[1][k]
		if a.ChannelID != b.ChannelID || !a.Series.Start.Equal(b.Series.Start) || !slices.Equal(a.Series.Values, b.Series.Values) {
			t.Errorf("channel %d: csv and espi series differ:\n%v\n%v", k, a.Series.Values, b.Series.Values)
		}
		if sum, missing := a.Series.Sum(); sum != want || missing != 0 || len(a.Series.Values) != 96 {
			t.Errorf("channel %d: %d intervals, %d Wh, %d missing; want 96, %d, 0", k, len(a.Series.Values), sum, missing, want)
		}
	}
	// 2024-05-22 00:00 PDT is 07:00Z.
	if s := got[0][0].Series.Start; !s.Equal(time.Date(2024, 5, 22, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("series starts %v", s)
	}
}

// TestForMeterKeepsGapsAndQuality checks that a gap in the file is Missing
// in the series (so a store keeps what it has there) and that estimated
// and edited readings keep their quality.
func TestForMeterKeepsGapsAndQuality(t *testing.T) {
	csv := "start,duration_s,delivered_wh,received_wh,quality\n" +
		"2026-03-08T00:00:00-08:00,3600,10,,actual\n" +
		"2026-03-08T01:00:00-08:00,3600,11,,estimated\n" +
		// 03:00 PDT is the next hour (02:00 does not exist); then a gap.
		"2026-03-08T03:00:00-07:00,3600,12,,edited\n" +
		"2026-03-08T05:00:00-07:00,3600,14,,actual\n"
	data, err := mustParse(t, []byte(csv), FormatCSV).ForMeter(meter(3600, date(2026, 1, 1), false))
	if err != nil {
		t.Fatal(err)
	}
	s := data[0].Series
	if want := []energy.Wh{10, 11, 12, Missing, 14}; !slices.Equal(s.Values, want) {
		t.Errorf("values %v, want %v", s.Values, want)
	}
	if want := []QualityRun{{1, 1, Estimated}, {2, 1, Edited}}; !slices.Equal(s.NonActual(), want) {
		t.Errorf("non-actual %v, want %v", s.NonActual(), want)
	}
	if s.Count(Estimated) != 1 || s.Count(Actual) != 2 {
		t.Errorf("counts: estimated %d actual %d; want 1 and 2", s.Count(Estimated), s.Count(Actual))
	}
	// Slice keeps values and qualities together: hours 1–2 (09:00Z–11:00Z).
	sub := s.Slice(time.Date(2026, 3, 8, 9, 0, 0, 0, time.UTC), time.Date(2026, 3, 8, 11, 0, 0, 0, time.UTC))
	if !slices.Equal(sub.Values, []energy.Wh{11, 12}) || !slices.Equal(sub.Quality, []Quality{Estimated, Edited}) || !sub.Start.Equal(time.Date(2026, 3, 8, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("slice %v %v from %v", sub.Values, sub.Quality, sub.Start)
	}
	if out := s.Slice(s.End(), s.End().Add(time.Hour)); len(out.Values) != 0 {
		t.Errorf("slice past the end has %d values", len(out.Values))
	}
}

// TestForMeterRejects checks each mapping rule's rejection names the
// field and the channel.
func TestForMeterRejects(t *testing.T) {
	hourly := meter(3600, date(2026, 1, 1), true)
	row := func(start string, dur int, d, r string) string {
		return "start,duration_s,delivered_wh,received_wh\n" + start + "," + itoa(int64(dur)) + "," + d + "," + r + "\n"
	}
	removed := hourly
	removed.Removed = date(2026, 6, 1)
	tests := []struct {
		name  string
		file  *File
		m     customer.Meter
		field string
		words []string
	}{
		{"15-minute file on an hourly meter", parseText(t, row("2026-07-15T07:00:00Z", 900, "5", "")), hourly, "interval_seconds",
			[]string{"channel 11 (delivered)", "3600-second", "900-second", "not resampled"}},
		{"daily file on an hourly meter", mustParse(t, sample(t, "TestGBDataOneYearDailyBinnedMonthly.xml"), FormatAuto), hourly, "interval_seconds",
			[]string{"86400-second"}},
		{"received readings, no received channel", parseText(t, row("2026-07-15T07:00:00Z", 3600, "5", "7")), meter(3600, date(2026, 1, 1), false), "channels",
			[]string{"no received channel", "M-TEST"}},
		{"reading off the hourly grid", parseText(t, row("2026-07-15T07:30:00Z", 3600, "5", "")), hourly, "file",
			[]string{"07:30:00Z", "interval grid"}},
		{"reading before installation", parseText(t, row("2025-12-31T07:00:00Z", 3600, "5", "")), hourly, "file",
			[]string{"before meter M-TEST was installed on 2026-01-01"}},
		{"reading after removal", parseText(t, row("2026-06-01T07:00:00Z", 3600, "5", "")), removed, "file",
			[]string{"after meter M-TEST was removed on 2026-06-01"}},
		{"two delivered channels", &File{Channels: []Channel{
			{Direction: customer.Delivered, IntervalSeconds: 3600, Source: "A", Readings: []Reading{{StartUnix: 1784098800, Seconds: 3600, Wh: 1}}},
			{Direction: customer.Delivered, IntervalSeconds: 3600, Source: "B", Readings: []Reading{{StartUnix: 1784098800, Seconds: 3600, Wh: 1}}},
		}}, hourly, "channels", []string{"two delivered channels (A and B)"}},
		{"no readings", parseText(t, "start,duration_s,delivered_wh,received_wh\n"), hourly, "file", []string{"no interval readings"}},
		{"span over 25 years", &File{Channels: []Channel{{Direction: customer.Delivered, IntervalSeconds: 3600, Readings: []Reading{
			{StartUnix: 1784098800, Seconds: 3600, Wh: 1}, {StartUnix: 1784098800 + 30*366*86400, Seconds: 3600, Wh: 1}}}}}, hourly, "file",
			[]string{"at most 25 years"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.file.ForMeter(tt.m)
			wantRejected(t, tt.name, err, tt.words...)
			if fs := fieldNames(err); fs != tt.field {
				t.Errorf("fields %q, want %q", fs, tt.field)
			}
		})
	}
}

func parseText(t *testing.T, s string) *File { return mustParse(t, []byte(s), FormatCSV) }

// TestReadDigestAndProgress checks that Read hashes the whole input (the
// SHA-256 of the Inland file computed with sha256sum) and reports
// progress as it reads, ending with the parsed file's reading count.
func TestReadDigestAndProgress(t *testing.T) {
	b := sample(t, "Inland_Single_Family_Jan_1_2011_to_Jan_1_2012_RetailCustomer_9.xml")
	var seen []Progress
	f, d, err := Read(bytes.NewReader(b), Options{Progress: func(p Progress) { seen = append(seen, p) }, ProgressEvery: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if d.SHA256 != "7ea2217341141239ed61a6183b09fe8c2b7a5b4594d40f15f67520b3c5ba00b6" || d.Bytes != 1693792 {
		t.Errorf("digest %+v", d)
	}
	if f.Readings() != 8760 {
		t.Errorf("%d readings", f.Readings())
	}
	if len(seen) < 5 {
		t.Fatalf("%d progress reports for 1.7 MB at 256 KiB, want at least 5", len(seen))
	}
	last := seen[len(seen)-1]
	if !last.Done || last.Bytes != 1693792 || last.Readings != 8760 {
		t.Errorf("final progress %+v", last)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Bytes < seen[i-1].Bytes || seen[i].Readings < seen[i-1].Readings {
			t.Errorf("progress went backwards: %+v then %+v", seen[i-1], seen[i])
		}
	}
	if mid := seen[len(seen)/2]; mid.Done || mid.Readings == 0 {
		t.Errorf("mid-file progress %+v, want readings counted before the end", mid)
	}
	// Trailing bytes the parser never needs still count in the digest.
	csv := "start,duration_s,delivered_wh,received_wh\n2026-07-15T07:00:00Z,3600,5,\n"
	_, d, err = Read(strings.NewReader(csv), Options{Format: "csv"})
	if err != nil || d.Bytes != int64(len(csv)) {
		t.Errorf("csv digest %+v, err %v", d, err)
	}
}

// TestSyntheticFeedParses checks the benchmark feed generator against
// its own definition: both channels complete, values as SyntheticValue
// says, every 97th delivered reading estimated.
func TestSyntheticFeedParses(t *testing.T) {
	feed := SyntheticFeed{Start: time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC), Days: 3, IntervalSeconds: 900, EstimatedEvery: 97}
	var buf bytes.Buffer
	if _, err := feed.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	f := mustParse(t, buf.Bytes(), FormatAuto)
	if len(f.Channels) != 2 {
		t.Fatalf("%d channels", len(f.Channels))
	}
	for k, c := range f.Channels {
		if len(c.Readings) != 288 || c.Report.Gaps != 0 {
			t.Errorf("channel %d: %d readings, %d gaps; want 288, 0", k, len(c.Readings), c.Report.Gaps)
		}
		for i, r := range c.Readings {
			if int64(r.Wh) != SyntheticValue(i, k == 1) {
				t.Fatalf("channel %d reading %d = %d, want %d", k, i, r.Wh, SyntheticValue(i, k == 1))
			}
		}
	}
	// Readings 0, 97, 194 and 291 > 287: three estimates.
	if got := f.Channels[0].Report.Estimated; got != 3 {
		t.Errorf("%d estimated, want 3", got)
	}
	if diff := cmp.Diff(f.Channels[1].Report.ByQuality, []Count{{Label: "actual", N: 288}}); diff != "" {
		t.Errorf("received qualities: %s", diff)
	}
}
