package billing

import (
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/tariff"
)

// sharedDir holds the project's public data beside the checkout.
const sharedDir = "../../../shared/data"

func sharedFile(t testing.TB, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sharedDir, rel))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("%s not present in %s", rel, sharedDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// shipped returns the shipped tariff version utility/code.
func shipped(t testing.TB, utility, code string) *tariff.Version {
	t.Helper()
	vs, err := tariff.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	for i := range vs {
		if vs[i].Utility == utility && vs[i].Code == code {
			return &vs[i]
		}
	}
	t.Fatalf("no shipped tariff %s %s", utility, code)
	return nil
}

// energyOnly returns a copy of v in force from from, with only its energy
// components.
func energyOnly(v *tariff.Version, from calendar.Date) *tariff.Version {
	c := *v
	c.From, c.To = from, calendar.Date{}
	c.Components = nil
	for _, comp := range v.Components {
		if comp.Kind == tariff.Energy {
			c.Components = append(c.Components, comp)
		}
	}
	return &c
}

func date(t testing.TB, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func period(t testing.TB, from, to string) calendar.Period {
	t.Helper()
	p, err := calendar.NewPeriod(date(t, from), date(t, to))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// inlandUsage is the GBA 2011 Inland Single Family hourly year.
func inlandUsage(t testing.TB) *Usage {
	t.Helper()
	f, err := meterdata.ParseESPI(bytesReader(sharedFile(t, "greenbutton/Inland_Single_Family_Jan_1_2011_to_Jan_1_2012_RetailCustomer_9.xml")))
	if err != nil {
		t.Fatal(err)
	}
	u, err := UsageFromFile(f)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// constant returns usage of del and rec Wh in every interval of step over
// [from, to).
func constant(t testing.TB, from, to string, step time.Duration, del, rec energy.Wh) *Usage {
	t.Helper()
	a, b := date(t, from).Start(), date(t, to).Start()
	n := int(b.Sub(a) / step)
	u := &Usage{Start: a, Step: step, Delivered: make([]energy.Wh, n)}
	for i := range u.Delivered {
		u.Delivered[i] = del
	}
	if rec >= 0 {
		u.Received = make([]energy.Wh, n)
		for i := range u.Received {
			u.Received[i] = rec
		}
	}
	return u // unprepared: tests may change it before billing prepares it
}

// lineNanos totals the unrounded amounts of bills' lines.
func lineNanos(bills []*Bill, keep func(Line) bool) money.Nanos {
	var n money.Nanos
	for _, b := range bills {
		for _, l := range b.Lines {
			if keep == nil || keep(l) {
				n += l.Nanos
			}
		}
	}
	return n
}

func totalCents(bills []*Bill) money.Cents {
	var c money.Cents
	for _, b := range bills {
		c += b.Total
	}
	return c
}

func lineCount(bills []*Bill) int {
	n := 0
	for _, b := range bills {
		n += len(b.Lines)
	}
	return n
}

// sceExportTable is the shipped SCE 2024-vintage export-price table.
func sceExportTable(t testing.TB) *tariff.ExportTable {
	t.Helper()
	tables, err := tariff.ShippedExportTables()
	if err != nil {
		t.Fatal(err)
	}
	for i := range tables {
		if tables[i].Utility == "SCE" && tables[i].Vintage == 2024 {
			return &tables[i]
		}
	}
	t.Fatal("no shipped SCE 2024-vintage export table")
	return nil
}

// januaryExportSums reads SCE's published 2024-vintage table directly
// (not through package tariff) and returns, for January 2025, the sum
// over the 24 hours of delivery + generation prices on weekdays and on
// weekends/holidays, in µ$/kWh.
func januaryExportSums(t testing.TB) (weekday, weekend int64) {
	t.Helper()
	r := csv.NewReader(bytesReader(sharedFile(t, "tariffs/nbt_export_rates/SCE_EEC_prices_2024_vintage_from_SCE_greenbutton.csv")))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	hours := 0
	for _, row := range rows[1:] {
		if len(row) < 7 || row[0] != "2025" || row[1] != "1" {
			continue
		}
		hours++
		weekday += micro(t, row[3]) + micro(t, row[5])
		weekend += micro(t, row[4]) + micro(t, row[6])
	}
	if hours != 24 {
		t.Fatalf("January 2025 has %d rows in the table, want 24", hours)
	}
	return weekday, weekend
}

// micro reads a decimal dollar string such as "0.05322" as µ$.
func micro(t testing.TB, s string) int64 {
	t.Helper()
	whole, frac, _ := strings.Cut(strings.TrimSpace(s), ".")
	frac = (frac + "000000")[:6]
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || strings.HasPrefix(whole, "-") {
		t.Fatalf("price %q", s)
	}
	return w*1_000_000 + f
}

// inForceFrom returns a copy of v in force from the date from.
func inForceFrom(t testing.TB, v *tariff.Version, from string) *tariff.Version {
	c := *v
	c.From = date(t, from)
	return &c
}
