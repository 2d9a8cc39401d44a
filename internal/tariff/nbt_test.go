package tariff

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
)

const eecFile = "nbt_export_rates/SCE_EEC_prices_2024_vintage_from_SCE_greenbutton.csv"

// TestExportCSVReadsSCEPublishedTable checks hours of SCE's published
// Energy Export Credit table (vintage 2024) literally against the file:
// Jan HE1 weekday 2024 delivery 0.00359 + generation 0.05322 (the 0.0568
// quoted in research/billing.md §4.2), the same hour on weekends 0.00328 +
// 0.05372, and the September 2025 weekday HE20 peak 0.01787 + 2.98088
// (the "$3.00" maximum of the note). Hour ending n is hour beginning n−1.
func TestExportCSVReadsSCEPublishedTable(t *testing.T) {
	f, err := os.Open(sharedFile(t, eecFile))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	opt, ok := ExportOptionsFromName("SCE_EEC_prices_2024_vintage_from_SCE_greenbutton.csv")
	if !ok || opt.Utility != "SCE" || opt.Vintage != 2024 {
		t.Fatalf("options from name = %+v, %v", opt, ok)
	}
	tab, err := ParseExportCSV(f, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(tab.Years) != 11 || tab.Years[0].Year != 2024 || tab.Years[10].Year != 2034 {
		t.Errorf("years %d from %d", len(tab.Years), tab.Years[0].Year)
	}
	tests := []struct {
		year           int
		month          time.Month
		dt             DayType
		he             int
		deliv, gen, to string
	}{
		{2024, time.January, Weekday, 1, "0.00359", "0.05322", "0.05681"},
		{2024, time.January, Weekend, 1, "0.00328", "0.05372", "0.057"},
		{2024, time.January, Holiday, 1, "0.00328", "0.05372", "0.057"},
		{2025, time.September, Weekday, 20, "0.01787", "2.98088", "2.99875"},
		{2034, time.December, Weekday, 24, "0.01145", "0.07377", "0.08522"},
	}
	for _, tt := range tests {
		p, ok := tab.Price(tt.year, tt.month, tt.dt, tt.he-1)
		if !ok {
			t.Fatalf("%d-%d HE%d missing", tt.year, tt.month, tt.he)
		}
		if p.Delivery != micro(t, tt.deliv) || p.Generation != micro(t, tt.gen) || p.Total() != micro(t, tt.to) {
			t.Errorf("%d-%02d %v HE%d = %v + %v, want %s + %s = %s", tt.year, tt.month, tt.dt, tt.he, p.Delivery, p.Generation, tt.deliv, tt.gen, tt.to)
		}
	}
	if _, ok := tab.Price(2035, time.January, Weekday, 0); ok {
		t.Error("2035 is not in the table")
	}
}

// TestExportCSVRejectsBadTables checks that an export-price table missing
// an hour, repeating one, with a negative price or in another layout is
// rejected with an error naming the problem.
func TestExportCSVRejectsBadTables(t *testing.T) {
	raw, err := os.ReadFile(sharedFile(t, eecFile))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	drop := func(prefix string) string {
		var out []string
		for _, l := range lines {
			if !strings.HasPrefix(l, prefix) {
				out = append(out, l)
			}
		}
		return strings.Join(out, "\n")
	}
	tests := []struct{ name, csv, want string }{
		{"missing hour", drop("2025,3,14,"), "year 2025: month 3 hour ending 14 is missing"},
		{"missing year", drop("2026,"), "year 2026: is missing between 2025 and 2027"},
		{"repeated hour", string(raw) + "2025,3,14,0.1,0.1,0.1,0.1\n", "year 2025 month 3 hour ending 14 is given twice"},
		{"negative price", strings.Replace(string(raw), "2024,1,1,0.00359", "2024,1,1,-0.00359", 1), "must not be negative"},
		{"hour 25", strings.Replace(string(raw), "2024,1,1,0.00359", "2024,1,25,0.00359", 1), "hour ending 1–24"},
		{"other layout", "\"DateStart\",\"TimeStart\",\"Value\"\n2024-01-01,00:00:00,0.1\n", "not the utility export-price layout"},
		{"empty", "", "no header row"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseExportCSV(strings.NewReader(tt.csv), ExportCSVOptions{Utility: "SCE", Vintage: 2024})
			if err == nil {
				t.Fatal("accepted")
			}
			if apperr.KindOf(err) != apperr.Invalid || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q (%v), want invalid saying %q", err, apperr.KindOf(err), tt.want)
			}
		})
	}
	if _, err := ParseExportCSV(bytes.NewReader(raw), ExportCSVOptions{Vintage: 2024}); err == nil || !strings.Contains(err.Error(), "utility") {
		t.Errorf("no utility: %v", err)
	}
}

// TestShippedExportTableRoundTrips checks that the shipped table survives
// its JSON form (the store's copy) unchanged.
func TestShippedExportTableRoundTrips(t *testing.T) {
	tabs, err := ShippedExportTables()
	if err != nil || len(tabs) != 1 {
		t.Fatalf("%d tables, %v", len(tabs), err)
	}
	h1, _ := tabs[0].Hash()
	b, err := jsonMarshal(tabs[0])
	if err != nil {
		t.Fatal(err)
	}
	back, err := ExportTableFromJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	if h2, _ := back.Hash(); h1 != h2 {
		t.Error("table changed through JSON")
	}
}
