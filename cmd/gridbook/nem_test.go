package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/nem/nemtest"
)

// TestNEMCapReportJSONReproducesSCESeptember2014 runs the stateless
// command of issue 4 over application records carrying the totals of
// SCE's published report for 2014-09-30 (seed 002) and checks every JSON
// field, rounded as published: 2,240 MW cap; 1,021 received (7.5 MW);
// 7,138 pending (94.4 MW); 97,478 installed (836.4 MW); 104,616 in all
// (930.9 MW); 2.08% of 44,807 MW; 1,309.1 MW remaining.
func TestNEMCapReportJSONReproducesSCESeptember2014(t *testing.T) {
	file := filepath.Join(t.TempDir(), "applications.csv")
	var buf bytes.Buffer
	if err := nem.WriteCapCSV(&buf, nemtest.September2014()); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run(context.Background(), &env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }},
		[]string{"nem", "cap-report", "--applications", file, "--aggregate-peak-mw", "44807", "--floor-mw", "2240", "--month", "2014-09", "--json"})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var got map[string]float64
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	round := func(v float64, places int) string {
		return fmt.Sprintf("%.*f", places, math.Round(v*math.Pow(10, float64(places)))/math.Pow(10, float64(places)))
	}
	for _, c := range []struct {
		field  string
		places int
		want   string
	}{
		{"cap_mw", 0, "2240"}, {"aggregate_peak_mw", 0, "44807"},
		{"received_count", 0, "1021"}, {"received_mw", 1, "7.5"},
		{"pending_count", 0, "7138"}, {"pending_mw", 1, "94.4"},
		{"installed_count", 0, "97478"}, {"installed_mw", 1, "836.4"},
		{"installed_plus_pending_count", 0, "104616"}, {"installed_plus_pending_mw", 1, "930.9"},
		{"percent_of_peak", 2, "2.08"}, {"remaining_mw", 1, "1309.1"},
	} {
		v, ok := got[c.field]
		if !ok {
			t.Errorf("no %s in %s", c.field, out.String())
			continue
		}
		if r := round(v, c.places); r != c.want {
			t.Errorf("%s = %v (%s), want %s", c.field, v, r, c.want)
		}
	}
	if len(got) != 12 {
		t.Errorf("%d fields, want the 12 of issue 4: %s", len(got), out.String())
	}
}
