package billing

import (
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/tariff"
)

// benchYear is one account-year of varying hourly data (2025) on
// TOU-D-PRIME with twelve calendar-month bills.
func benchYear(b *testing.B, step time.Duration, rec bool) (*Terms, []calendar.Period, *Usage) {
	b.Helper()
	v := inForceFrom(b, shipped(b, "SCE", "TOU-D-PRIME"), "2025-01-01")
	start := date(b, "2025-01-01").Start()
	n := int(date(b, "2026-01-01").Start().Sub(start) / step)
	u := &Usage{Start: start, Step: step, Delivered: make([]energy.Wh, n)}
	if rec {
		u.Received = make([]energy.Wh, n)
	}
	for i := range n {
		u.Delivered[i] = energy.Wh(300 + (i*7919)%900)
		if rec && (i/int(time.Hour/step))%24 >= 10 && (i/int(time.Hour/step))%24 < 15 {
			u.Received[i] = energy.Wh((i * 104729) % 2000)
		}
	}
	periods, err := Cycles(date(b, "2025-01-01"), date(b, "2026-01-01"), 1)
	if err != nil {
		b.Fatal(err)
	}
	terms := &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NoProgram}
	return terms, periods, u
}

// BenchmarkDeterminantsHourlyYear measures the kernel alone: energy by
// TOU period for the twelve bills of an hourly account-year, once the
// period index is compiled.
func BenchmarkDeterminantsHourlyYear(b *testing.B) {
	terms, periods, u := benchYear(b, time.Hour, true)
	c := NewCalculator()
	if err := u.Prepare(); err != nil {
		b.Fatal(err)
	}
	ix, err := c.index(terms.Tariff[0], "energy", 2025, time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	del, rec := make([]int64, 6), make([]int64, 6)
	b.SetBytes(int64(len(u.Delivered)) * 16)
	b.ResetTimer()
	for b.Loop() {
		for _, p := range periods {
			sumByPeriod(ix, dayPos(ix, p.Start), dayPos(ix, p.End), 0, u.Delivered, u.Received, del, rec)
		}
	}
}

// BenchmarkBillHourlyYear measures twelve complete bills (line items,
// rounding, totals) of an hourly account-year.
func BenchmarkBillHourlyYear(b *testing.B) {
	for _, c := range []struct {
		name    string
		program Program
	}{{"none", NoProgram}, {"nem2", NEM2}, {"nbt", NBT}} {
		b.Run(c.name, func(b *testing.B) {
			terms, periods, u := benchYear(b, time.Hour, c.program != NoProgram)
			terms.Program = c.program
			if c.program == NBT {
				terms.ExportPrices = sceExportTable(b)
			}
			benchBills(b, terms, periods, u)
		})
	}
}

// BenchmarkBill15MinuteYear is the same for 15-minute data (35,040
// intervals).
func BenchmarkBill15MinuteYear(b *testing.B) {
	terms, periods, u := benchYear(b, 15*time.Minute, true)
	terms.Program = NBT
	terms.ExportPrices = sceExportTable(b)
	benchBills(b, terms, periods, u)
}

// benchBills times the bills of periods in sequence, after one untimed
// run that compiles the tariff's index.
func benchBills(b *testing.B, terms *Terms, periods []calendar.Period, u *Usage) {
	calc := NewCalculator()
	if _, _, err := calc.Run(terms, periods, u, State{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		st := State{}
		for _, p := range periods {
			var err error
			if _, st, err = calc.Bill(terms, p, u, st); err != nil {
				b.Fatal(err)
			}
		}
	}
}
