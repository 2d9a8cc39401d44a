package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/tariff"
)

// runBenchBilling synthesizes account-years of interval data in memory and
// bills each with twelve monthly bills on SCE TOU-D-PRIME, in parallel
// over accounts, reporting account-years per second. It measures the
// billing engine alone: no database, no parsing.
func runBenchBilling(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "bench billing")
	accounts := fs.Int("accounts", 100_000, "account-years to bill")
	minutes := fs.Int("interval", 60, "interval length in minutes: 60 or 15")
	program := fs.String("program", "none", "none, nem1, nem2 or nbt (solar homes for all but none)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "parallel billing goroutines")
	pool := fs.Int("pool", 256, "distinct synthetic account-years, reused round robin (memory: about 140 kB each, hourly)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	var f apperr.Fields
	if *accounts < 1 {
		f.Add("accounts", "must be at least 1")
	}
	if *minutes != 60 && *minutes != 15 {
		f.Add("interval", "must be 60 or 15")
	}
	if *workers < 1 {
		f.Add("workers", "must be at least 1")
	}
	if *pool < 1 {
		f.Add("pool", "must be at least 1")
	}
	prog, err := billing.ParseProgram(*program)
	if err != nil {
		f.Add("program", "%s", apperr.MessageOf(err))
	}
	if err := f.Err("bench billing"); err != nil {
		return err
	}
	const year = 2025
	terms, err := benchTerms(prog, year)
	if err != nil {
		return err
	}
	step := time.Duration(*minutes) * time.Minute
	usages := make([]*billing.Usage, min(*pool, *accounts))
	for i := range usages {
		usages[i] = synthYear(year, step, prog != billing.NoProgram, uint64(i))
		if err := usages[i].Prepare(); err != nil {
			return err
		}
	}
	periods, err := billing.Cycles(calendar.Date{Year: year, Month: time.January, Day: 1}, calendar.Date{Year: year + 1, Month: time.January, Day: 1}, 1)
	if err != nil {
		return err
	}
	calc := billing.NewCalculator()
	// Compile the tariff's index outside the timing, as a bill run does once.
	if _, _, err := calc.Run(terms, periods, usages[0], billing.State{}); err != nil {
		return err
	}
	var next atomic.Int64
	var total atomic.Int64 // sum of bill totals, so the work cannot be skipped
	var wg sync.WaitGroup
	errs := make(chan error, *workers)
	begin := time.Now()
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= *accounts || ctx.Err() != nil {
					return
				}
				st := billing.State{}
				u := usages[i%len(usages)]
				for _, p := range periods {
					var b *billing.Bill
					var err error
					if b, st, err = calc.Bill(terms, p, u, st); err != nil {
						errs <- err
						return
					}
					total.Add(int64(b.Total))
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	perSec := float64(*accounts) / elapsed.Seconds()
	perAccount := elapsed * time.Duration(*workers) / time.Duration(*accounts)
	out := struct {
		Accounts       int     `json:"accounts"`
		IntervalMin    int     `json:"interval_minutes"`
		Program        string  `json:"program"`
		Workers        int     `json:"workers"`
		Seconds        float64 `json:"seconds"`
		AccountsPerSec float64 `json:"account_years_per_second"`
		CPUPerAccount  string  `json:"cpu_per_account_year"`
		Bills          int     `json:"bills"`
		TotalBilled    string  `json:"total_billed"`
	}{*accounts, *minutes, *program, *workers, elapsed.Seconds(), perSec, perAccount.String(), *accounts * len(periods), money.Cents(total.Load()).String()}
	if *asJSON {
		return printJSON(e.stdout, out)
	}
	fmt.Fprintf(e.stdout, "billed %d account-years (%d-minute data, program %s, %d bills) on %d workers in %.2f s\n",
		out.Accounts, out.IntervalMin, out.Program, out.Bills, out.Workers, out.Seconds)
	fmt.Fprintf(e.stdout, "%.0f account-years/s; %s of CPU per account-year (twelve bills with line items)\n", perSec, perAccount)
	fmt.Fprintf(e.stdout, "total billed %s\n", out.TotalBilled)
	return nil
}

// benchTerms bills on the shipped TOU-D-PRIME, in force from year.
func benchTerms(prog billing.Program, year int) (*billing.Terms, error) {
	vs, err := tariff.Shipped()
	if err != nil {
		return nil, err
	}
	var v *tariff.Version
	for i := range vs {
		if vs[i].Utility == "SCE" && vs[i].Code == "TOU-D-PRIME" {
			c := vs[i]
			c.From = calendar.Date{Year: year, Month: time.January, Day: 1}
			v = &c
		}
	}
	if v == nil {
		return nil, fmt.Errorf("bench: the shipped tariffs lack SCE TOU-D-PRIME")
	}
	t := &billing.Terms{Tariff: []*tariff.Version{v}, LSE: billing.Bundled, Program: prog,
		UtilityLedger: billing.Ledger{Settlement: billing.Annual, NSCRate: 17_860, UnusedCredits: billing.Forfeit}}
	if prog == billing.NBT {
		tables, err := tariff.ShippedExportTables()
		if err != nil {
			return nil, err
		}
		for i := range tables {
			if tables[i].Utility == "SCE" {
				t.ExportPrices = &tables[i]
			}
		}
	}
	return t, t.Validate()
}

// synthYear makes a Pacific year of household load (a base, a morning and
// an evening bump, noise) and, with solar, midday generation.
func synthYear(year int, step time.Duration, solar bool, seed uint64) *billing.Usage {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	start := calendar.Date{Year: year, Month: time.January, Day: 1}.Start()
	end := calendar.Date{Year: year + 1, Month: time.January, Day: 1}.Start()
	n := int(end.Sub(start) / step)
	u := &billing.Usage{Start: start, Step: step, Delivered: make([]energy.Wh, n)}
	if solar {
		u.Received = make([]energy.Wh, n)
	}
	scale := float64(step) / float64(time.Hour)
	base := 250 + 300*r.Float64()
	for i := range n {
		h := start.Add(time.Duration(i) * step).In(calendar.Pacific).Hour()
		load := base
		switch {
		case h >= 6 && h < 9:
			load += 300
		case h >= 16 && h < 22:
			load += 700
		}
		load *= 0.7 + 0.6*r.Float64()
		gen := 0.0
		if solar && h >= 8 && h < 17 {
			gen = 2500 * (1 - float64((h-12)*(h-12))/25) * (0.6 + 0.4*r.Float64())
		}
		net := load - gen
		if !solar {
			u.Delivered[i] = energy.Wh(load * scale)
			continue
		}
		if net >= 0 {
			u.Delivered[i] = energy.Wh(net * scale)
		} else {
			u.Received[i] = energy.Wh(-net * scale)
		}
	}
	return u
}
