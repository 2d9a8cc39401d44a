package billing

import (
	"errors"
	"os"
	"path/filepath"
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
	if err := u.Prepare(); err != nil {
		t.Fatal(err)
	}
	return u
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
