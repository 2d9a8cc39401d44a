package meterdata

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
)

// seed adds the shared samples and fixtures with the given extensions to
// a fuzz corpus (skipping absent shared files).
func seed(f *testing.F, names ...string) {
	for _, n := range names {
		for _, dir := range []string{sharedDir, "testdata"} {
			if b, err := os.ReadFile(filepath.Join(dir, n)); err == nil {
				f.Add(b)
			}
		}
	}
}

// checkParsed asserts what every successful parse must satisfy: readings
// sorted with unique starts and positive lengths, non-negative Wh, and a
// report that agrees with the readings. Failures must be Invalid errors.
func checkParsed(t *testing.T, file *File, err error) {
	t.Helper()
	if err != nil {
		if apperr.KindOf(err) != apperr.Invalid {
			t.Fatalf("error of kind %v: %v", apperr.KindOf(err), err)
		}
		return
	}
	for _, c := range file.Channels {
		if c.Report.Readings != len(c.Readings) {
			t.Fatalf("report %d readings, channel %d", c.Report.Readings, len(c.Readings))
		}
		var total int64
		for i, r := range c.Readings {
			if r.Wh < 0 || r.Seconds <= 0 {
				t.Fatalf("reading %d: %+v", i, r)
			}
			if i > 0 && r.StartUnix <= c.Readings[i-1].StartUnix {
				t.Fatalf("readings out of order at %d", i)
			}
			total += int64(r.Wh)
		}
		if total != int64(c.Report.TotalWh) {
			t.Fatalf("total %d, report %d", total, c.Report.TotalWh)
		}
	}
}

// FuzzESPI checks that the scanner never panics, returns only Invalid
// errors, keeps its invariants, and agrees with encoding/xml whenever both
// accept a document.
func FuzzESPI(f *testing.F) {
	seed(f, "TestGBDataHourlyNineDaysBinnedDaily.xml", "OpenESPI_Usage-Subscription-Feed-Anonymized.xml",
		"SYNTHETIC_SCE_example_two_channel_nem_espi.xml", "espi_multiplier.xml")
	f.Add([]byte(espiDoc(hourlyWh, reading(1779692400, 5, "8"))))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParseESPI(bytes.NewReader(b))
		checkParsed(t, got, err)
		if err != nil {
			return
		}
		want, rerr := parseESPIReference(bytes.NewReader(b))
		if rerr != nil {
			return // encoding/xml is stricter about some syntax; only agreement on accepted input is required
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("scanner and encoding/xml differ (-xml +scanner):\n%s", diff)
		}
	})
}

// FuzzSCECSV checks the SCE parser never panics and keeps its invariants.
func FuzzSCECSV(f *testing.F) {
	seed(f, "SCE_SolarBillingPlan_GreenButton_example_delivered_received.csv", "SCE_GreenButton_two_days_constant_power.csv")
	f.Add([]byte("Energy consumption time period,Usage(kWh),Reading quality\n2026-11-01 01:00:00 to 2026-11-01 01:15:00,-1.5,Estimated\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := ParseSCECSV(bytes.NewReader(b))
		checkParsed(t, file, err)
	})
}

// FuzzPGECSV checks the PG&E parser never panics and keeps its invariants.
func FuzzPGECSV(f *testing.F) {
	seed(f, "pge_fallback.csv", "pge_nem.csv", "pge_gas.csv")
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := ParsePGECSV(bytes.NewReader(b))
		checkParsed(t, file, err)
	})
}

// FuzzPlainCSV checks the plain CSV parser never panics and keeps its
// invariants.
func FuzzPlainCSV(f *testing.F) {
	seed(f, "plain.csv")
	f.Add([]byte(PlainCSVHeader + "\n2026-03-08 01:45,900,1,0\n2026-03-08 03:00,900,2,\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := ParsePlainCSV(bytes.NewReader(b))
		checkParsed(t, file, err)
	})
}

// FuzzForMeter checks the mapping of any parsed file onto a meter: it
// never panics, fails only with Invalid errors, and when it succeeds
// every reading lands once on its own interval with its value and
// quality, the rest of the series Missing.
func FuzzForMeter(f *testing.F) {
	for _, n := range []string{"plain.csv", "pge_nem.csv", "SYNTHETIC_SCE_example_two_channel_nem_espi.xml", "TestGBDataHourlyNineDaysBinnedDaily.xml"} {
		for _, dir := range []string{sharedDir, "testdata"} {
			if b, err := os.ReadFile(filepath.Join(dir, n)); err == nil {
				f.Add(b, 900)
				f.Add(b, 3600)
			}
		}
	}
	f.Add([]byte(PlainCSVHeader+",quality\n2026-11-01 01:00,3600,1,2,estimated\n2026-11-01 01:00,3600,3,4,actual\n2026-11-01 03:00,3600,5,,\n"), 3600)
	f.Add([]byte(PlainCSVHeader+"\n2026-07-15T07:10:00Z,900,1,0\n"), 900)
	f.Fuzz(func(t *testing.T, b []byte, step int) {
		file, err := Parse(bytes.NewReader(b), FormatAuto)
		if err != nil {
			return
		}
		switch step {
		case 300, 900, 1800, 3600:
		default:
			step = 3600
		}
		m := customer.Meter{ID: 1, Serial: "M-FUZZ", IntervalSeconds: step, Installed: calendar.Date{Year: 1990, Month: 1, Day: 1},
			Channels: []customer.Channel{{ID: 1, Direction: customer.Delivered, IntervalSeconds: step}, {ID: 2, Direction: customer.Received, IntervalSeconds: step}}}
		data, err := file.ForMeter(m)
		if err != nil {
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("error of kind %v: %v", apperr.KindOf(err), err)
			}
			return
		}
		for _, d := range data {
			var src *Channel
			for i := range file.Channels {
				if c := &file.Channels[i]; c.Direction == d.Direction && len(c.Readings) > 0 {
					src = c
				}
			}
			s := d.Series
			present := 0
			for _, v := range s.Values {
				if v != Missing {
					present++
				}
			}
			if src == nil || present != len(src.Readings) {
				t.Fatalf("%s: %d present intervals for %v", d.Direction, present, src)
			}
			for _, r := range src.Readings {
				i := int(r.Start().Sub(s.Start) / s.Step)
				if s.Values[i] != r.Wh || s.QualityAt(i) != r.Quality {
					t.Fatalf("reading %+v landed as %d %v", r, s.Values[i], s.QualityAt(i))
				}
			}
		}
	})
}
