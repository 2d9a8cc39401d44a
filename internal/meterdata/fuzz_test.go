package meterdata

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gridbook/gridbook/internal/apperr"
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
