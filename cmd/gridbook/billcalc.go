package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
)

// runBillCalc bills interval data on a tariff from files alone — no
// database — and prints the bills: the analyst's calculator and the
// verification path for published figures.
func runBillCalc(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "bill calc")
	tariffFile := fs.String("tariff", "", "tariff file: URDB or native JSON (required)")
	intervals := fs.String("intervals", "", "interval file: Green Button XML, SCE/PG&E CSV or plain CSV (required)")
	var o billing.CalcOptions
	fs.StringVar(&o.Program, "program", "none", "none, nem1, nem2 or nbt")
	start := fs.String("start", "", "first day billed (YYYY-MM-DD; default: the first whole day of data)")
	end := fs.String("end", "", "day after the last billed (default: the end of the data)")
	fs.IntVar(&o.CycleDay, "cycle-day", 1, "meter-read day of the month, 1–28 (1: calendar months)")
	exports := fs.String("export-prices", "", "NBT export-price CSV (utility layout)")
	fs.IntVar(&o.Vintage, "vintage", 0, "export-price vintage year (default: from the file name)")
	fs.StringVar(&o.Utility, "utility", "", "export-price utility (default: from the file name)")
	fs.BoolVar(&o.CARE, "care", false, "apply the CARE discount")
	fs.BoolVar(&o.FERA, "fera", false, "apply the FERA discount")
	fs.Int64Var(&o.CAREBP, "care-bp", 0, "CARE discount in basis points (default 3000)")
	fs.BoolVar(&o.PowerShare, "power-share", false, "apply CPA's Power Share 20% discount (with --lse cca)")
	fs.StringVar(&o.LSE, "lse", "bundled", "bundled or cca (CCA: two ledgers, generation trued up every April)")
	fs.StringVar(&o.NSCRate, "nsc-rate", "", "net surplus compensation rate, $/kWh")
	fs.StringVar(&o.ACCPlus, "acc-plus", "", "NBT ACC Plus adder, $/kWh")
	fs.StringVar(&o.UnusedCredits, "unused-credits", "forfeit", "NBT credits left at the true-up: forfeit (SCE) or carry (PG&E)")
	fs.StringVar(&o.BaselineSummer, "baseline-summer", "", "summer baseline allowance, kWh/day")
	fs.StringVar(&o.BaselineWinter, "baseline-winter", "", "winter baseline allowance, kWh/day")
	fs.BoolVar(&o.NetHourly, "net-hourly", false, "sum the data to clock hours and net each hour first")
	fs.BoolVar(&o.AllowIncomplete, "allow-incomplete", false, "bill missing intervals as zero (the bill says so)")
	fs.StringVar(&o.Calendar, "calendar", "real", "real, or sam for NREL SAM's conventions")
	fs.IntVar(&o.Metering, "metering", 0, "SAM metering option 0, 1, 2 or 4 (with --calendar sam)")
	sellRates := fs.String("sell-rates", "", "SAM mode: 8,760 hourly sell rates, $/kWh, one a line")
	lines := fs.Bool("lines", false, "print every line item")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	var f apperr.Fields
	if *tariffFile == "" {
		f.Add("tariff", "is required")
	}
	if *intervals == "" {
		f.Add("intervals", "is required")
	}
	for _, d := range []struct {
		name string
		s    string
		into *calendar.Date
	}{{"start", *start, &o.Start}, {"end", *end, &o.End}} {
		if d.s == "" {
			continue
		}
		v, err := calendar.ParseDate(d.s)
		if err != nil {
			f.Add(d.name, "want a date written YYYY-MM-DD, not %q", d.s)
		}
		*d.into = v
	}
	if err := f.Err("bill calc"); err != nil {
		return err
	}
	var files billing.CalcFiles
	for _, r := range []struct {
		field, path string
		into        *[]byte
	}{{"tariff", *tariffFile, &files.Tariff}, {"intervals", *intervals, &files.Intervals}, {"export_prices", *exports, &files.ExportPrices}, {"sell_rates", *sellRates, &files.SellRates}} {
		if r.path == "" {
			continue
		}
		b, err := os.ReadFile(r.path)
		if err != nil {
			f.Add(r.field, "cannot read %s: %v", r.path, err)
		}
		*r.into = b
	}
	files.ExportName = filepath.Base(*exports)
	if err := f.Err("bill calc"); err != nil {
		return err
	}
	res, err := billing.Calc(files, o)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, res)
	}
	printCalc(e.stdout, res, *lines)
	return nil
}

// printCalc writes the bills as a table of billing periods, the
// true-ups and, with lines, every line item.
func printCalc(w io.Writer, res *billing.CalcResult, lines bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "period\tdays\tkWh in\tkWh out\tenergy\tfixed\tminimum\tdemand\tNBC\tcredits\tdiscounts\tdeferred\ttrue-up\ttotal\t")
	for i, m := range res.Months {
		b := res.Bills[i]
		fmt.Fprintf(tw, "%s – %s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", m.Start, m.End.AddDays(-1), b.Days,
			kwhText(int64(m.Delivered)), kwhText(int64(m.Received)), amount(m.Energy), amount(m.Fixed), amount(m.Minimum), amount(m.Demand),
			amount(m.NBC), amount(m.ExportCredit), amount(m.Discounts), amount(m.NEMDeferred), amount(m.TrueUp), m.Total)
	}
	fmt.Fprintf(tw, "total\t\t\t\t\t\t\t\t\t\t\t\t\t%s\t\n", res.Total)
	tw.Flush()
	for _, tu := range res.TrueUps {
		fmt.Fprintf(w, "\ntrue-up (%s ledger) for %s – %s, %d bills: %s kWh in, %s kWh out, net surplus %s kWh\n", tu.Side, tu.Span.Start, tu.Span.End.AddDays(-1), tu.Bills,
			kwhText(int64(tu.Delivered)), kwhText(int64(tu.Received)), kwhText(int64(tu.NetSurplus)))
		fmt.Fprintf(w, "  balance %s, charged %s, credit forfeited %s, NSC %s", tu.Balance, tu.Charged, tu.Forfeited, tu.NSC)
		if tu.ExportCreditsForfeited != 0 || tu.ExportCreditsCarried != 0 {
			fmt.Fprintf(w, ", export credits forfeited %s, carried %s", tu.ExportCreditsForfeited, tu.ExportCreditsCarried)
		}
		fmt.Fprintln(w)
	}
	for _, n := range res.Notes {
		fmt.Fprintf(w, "\nnote: %s\n", n)
	}
	if !lines {
		return
	}
	for _, b := range res.Bills {
		fmt.Fprintf(w, "\n%s – %s (%s)\n", b.Period.Start, b.Period.End.AddDays(-1), joinVersions(b.Versions))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, l := range b.Lines {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", l.Side, l.Label, quantity(l), l.Amount)
		}
		tw.Flush()
		fmt.Fprintf(w, "  total due %s\n", b.Total)
	}
}

func joinVersions(vs []string) string {
	s := ""
	for i, v := range vs {
		if i > 0 {
			s += ", "
		}
		s += v
	}
	return s
}

// amount prints cents, or a dash for zero.
func amount(c money.Cents) string {
	if c == 0 {
		return "–"
	}
	return c.String()
}

// kwhText prints Wh as kWh with one decimal.
func kwhText(wh int64) string {
	sign := ""
	if wh < 0 {
		sign, wh = "-", -wh
	}
	tenths := (wh + 50) / 100
	return fmt.Sprintf("%s%d.%d", sign, tenths/10, tenths%10)
}

// quantity describes what a line prices.
func quantity(l billing.Line) string {
	switch l.Unit {
	case "Wh":
		return kwhText(l.Quantity) + " kWh"
	case "W":
		return kwhText(l.Quantity) + " kW"
	case "day":
		return fmt.Sprintf("%d days", l.Quantity)
	}
	return ""
}
