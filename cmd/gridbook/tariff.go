package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/gridbook/gridbook/internal/api"
	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/tariff"
)

// runTariffImport reads tariff files (URDB JSON, native JSON or a
// utility export-price CSV) and stores them in one transaction: a bad file
// stores nothing, and repeating an import changes nothing.
func runTariffImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "tariff import")
	dsn := dbFlag(e, fs, "gridbook.db")
	format := fs.String("format", "", "urdb, native or nbt-csv (default: from the file)")
	code := fs.String("code", "", "URDB: store under this rate code instead of the one derived from the name")
	holidays := fs.String("holidays", "", "URDB: holiday calendar sce, pge or none (default by utility)")
	utility := fs.String("utility", "", "nbt-csv: utility (default from the file name)")
	vintage := fs.Int("vintage", 0, "nbt-csv: vintage year (default from the file name)")
	shipped := fs.Bool("shipped", false, "also load the tariffs built into gridbook")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 && !*shipped {
		return errUsage
	}
	var versions []tariff.Version
	var tables []tariff.ExportTable
	if *shipped {
		vs, err := tariff.Shipped()
		if err != nil {
			return err
		}
		tabs, err := tariff.ShippedExportTables()
		if err != nil {
			return err
		}
		versions, tables = append(versions, vs...), append(tables, tabs...)
	}
	for _, name := range fs.Args() {
		b, err := os.ReadFile(name)
		if err != nil {
			return apperr.E(apperr.Invalid, "tariff import", fmt.Sprintf("cannot read %s", name), err)
		}
		f := *format
		if f == "" {
			f = tariff.DetectFormat(name, b)
		}
		if f == tariff.FormatExportCSV {
			opt, _ := tariff.ExportOptionsFromName(filepath.Base(name))
			if *utility != "" {
				opt.Utility = *utility
			}
			if *vintage != 0 {
				opt.Vintage = *vintage
			}
			opt.Source = filepath.Base(name)
			t, err := tariff.ParseExportCSV(bytes.NewReader(b), opt)
			if err != nil {
				return fileError(name, err)
			}
			tables = append(tables, *t)
			continue
		}
		// The same reading and validation as POST /api/v1/tariffs.
		vs, err := tariff.Parse(b, f, tariff.URDBOptions{Code: *code, Holidays: *holidays, DataSource: filepath.Base(name)})
		if err != nil {
			return fileError(name, err)
		}
		versions = append(versions, vs...)
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var res store.TariffImport
	err = db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		res, err = tx.ImportTariffs(ctx, cliActor(e), versions, tables)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "tariff versions: %d added, %d unchanged; export-price tables: %d added, %d unchanged\n",
		res.Added, res.Unchanged, res.TablesAdded, res.TablesUnchanged)
	return nil
}

// fileError names the file in an import error, keeping its kind and
// fields.
func fileError(name string, err error) error {
	fields := apperr.FieldsOf(err)
	if len(fields) == 0 {
		return apperr.E(apperr.KindOf(err), "tariff import", filepath.Base(name)+": "+apperr.MessageOf(err), err)
	}
	var f apperr.Fields
	for _, fe := range fields {
		f.Add(filepath.Base(name)+": "+fe.Field, "%s", fe.Msg)
	}
	return f.Err("tariff import")
}

func runTariffList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "tariff list")
	dsn := dbFlag(e, fs, "gridbook.db")
	utility := fs.String("utility", "", "only this utility (SCE, PG&E, …)")
	code := fs.String("code", "", "only this rate code")
	on := fs.String("on", "", "only versions in effect on this date (YYYY-MM-DD)")
	sector := fs.String("sector", "", "only this sector (Residential, Commercial, …)")
	asJSON := fs.Bool("json", false, "print JSON (the objects of GET /api/v1/tariffs)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	f := store.TariffFilter{Utility: *utility, Code: *code, Sector: *sector}
	if *on != "" {
		d, err := calendar.ParseDate(*on)
		if err != nil {
			return err
		}
		f.On = d
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.TariffVersions(ctx, f)
	if err != nil {
		return err
	}
	out := make([]api.TariffSummary, 0, len(rows))
	for _, r := range rows {
		out = append(out, api.NewTariffSummary(r))
	}
	if *asJSON {
		return printJSON(e.stdout, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUTILITY\tCODE\tFROM\tTO\tSECTOR\tNAME")
	for _, s := range out {
		to := "-"
		if s.EffectiveTo != nil {
			to = *s.EffectiveTo
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Utility, s.Code, s.EffectiveFrom, to, or(s.Sector, "-"), s.Name)
	}
	return tw.Flush()
}

// or returns s, or alt when s is empty.
func or(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// runTariffExports lists the stored NBT export-price tables, as GET
// /api/v1/export-prices does.
func runTariffExports(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "tariff exports")
	dsn := dbFlag(e, fs, "gridbook.db")
	utility := fs.String("utility", "", "only this utility")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	rows, err := db.ExportTableList(ctx, store.ExportTableFilter{Utility: *utility})
	if err != nil {
		return err
	}
	if *asJSON {
		type table struct {
			ID        int64  `json:"id"`
			Utility   string `json:"utility"`
			Vintage   int    `json:"vintage"`
			FirstYear int    `json:"first_year"`
			LastYear  int    `json:"last_year"`
			Source    string `json:"source"`
			SHA256    string `json:"sha256"`
		}
		out := make([]table, 0, len(rows))
		for _, r := range rows {
			out = append(out, table{r.ID, r.Utility, r.Vintage, r.FirstYear, r.LastYear, r.Source, r.SHA256})
		}
		return printJSON(e.stdout, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUTILITY\tVINTAGE\tYEARS\tSOURCE")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d–%d\t%s\n", r.ID, r.Utility, r.Vintage, r.FirstYear, r.LastYear, r.Source)
	}
	return tw.Flush()
}

func runTariffShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "tariff show")
	dsn := dbFlag(e, fs, "gridbook.db")
	utility := fs.String("utility", "", "the utility, when several use the code")
	on := fs.String("on", "", "the version in effect on this date (default today, Pacific time)")
	asJSON := fs.Bool("json", false, "print the version as native JSON")
	// The code may come before, between or after the flags.
	var positional []string
	for {
		if err := parse(fs, args); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		positional, args = append(positional, fs.Arg(0)), fs.Args()[1:]
	}
	if len(positional) != 1 {
		return errUsage
	}
	code := positional[0]
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	day := calendar.DateOf(db.Now())
	if *on != "" {
		if day, err = calendar.ParseDate(*on); err != nil {
			return err
		}
	}
	r, err := db.TariffOn(ctx, *utility, code, day)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, r.Version)
	}
	return printTariff(e.stdout, &r.Version, day.Year)
}

// printTariff writes a version for a person: identity, the holidays it
// bills as weekends in year, each period map as 12×24 month × hour grids
// with a legend of period names and prices, and the components grouped by
// bucket with their units.
func printTariff(w io.Writer, v *tariff.Version, year int) error {
	to := "open-ended"
	if !v.To.IsZero() {
		to = "until " + v.To.String() + " (exclusive)"
	}
	fmt.Fprintf(w, "%s %s — %s\n", v.Utility, v.Code, v.Name)
	fmt.Fprintf(w, "sector %s, service %s; effective %s, %s\n", or(v.Sector, "-"), or(v.Service, "-"), v.From, to)
	fmt.Fprintf(w, "source: %s\n", v.Source.Citation)
	if v.Source.URL != "" {
		fmt.Fprintf(w, "        %s\n", v.Source.URL)
	}
	if cal, ok := v.HolidayCalendar(); ok {
		var days []string
		for _, o := range cal.InYear(year) {
			days = append(days, fmt.Sprintf("%s %d %s", o.Date.Month.String()[:3], o.Date.Day, o.Name))
		}
		fmt.Fprintf(w, "holidays billed as weekends (%s calendar), %d: %s\n", v.Holidays, year, strings.Join(days, "; "))
	} else {
		fmt.Fprintln(w, "holidays: none (billed as ordinary days)")
	}
	prices, err := v.EnergyPrices()
	if err != nil {
		return err
	}
	for i := range v.Maps {
		if err := printPeriodMap(w, v, &v.Maps[i], prices); err != nil {
			return err
		}
	}
	printComponents(w, v)
	if v.Notes != "" {
		fmt.Fprintf(w, "\nnotes: %s\n", v.Notes)
	}
	return nil
}

var monthAbbr = [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// printPeriodMap writes one map: its seasons, a legend giving each
// period's number, name and first-tier price (energy: total and the
// buckets it is split into; demand: $/kW), and the grids — one when
// weekends and holidays follow the weekday map.
func printPeriodMap(w io.Writer, v *tariff.Version, m *tariff.PeriodMap, prices *tariff.PriceTable) error {
	wd, we, err := m.Grid()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s periods\n", m.Name)
	dates := m.SeasonDates()
	for i, s := range m.Seasons {
		fmt.Fprintf(w, "  season %-10s %s\n", s.Name, dates[i])
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprint(tw, "  #\tperiod\t")
	var buckets []tariff.Bucket
	if m.Name == "energy" {
		fmt.Fprint(tw, "$/kWh\t")
		for _, b := range tariff.Buckets {
			for p := range m.Periods {
				if prices.EnergyIn(b, uint8(p), 0) != 0 {
					buckets = append(buckets, b)
					break
				}
			}
		}
		for _, b := range buckets {
			fmt.Fprintf(tw, "%s\t", b)
		}
	}
	demand := v.ComponentsOf(tariff.DemandTOU)
	for _, c := range demand {
		if c.Map == m.Name {
			fmt.Fprintf(tw, "%s $/kW\t", c.Name)
		}
	}
	fmt.Fprintln(tw)
	for p, name := range m.Periods {
		fmt.Fprintf(tw, "  %d\t%s\t", p, name)
		if m.Name == "energy" {
			fmt.Fprintf(tw, "%s\t", tariff.Price(prices.Energy(uint8(p), 0)).Decimals(5))
			for _, b := range buckets {
				fmt.Fprintf(tw, "%s\t", tariff.Price(prices.EnergyIn(b, uint8(p), 0)).Decimals(5))
			}
		}
		for _, c := range demand {
			if c.Map == m.Name {
				fmt.Fprintf(tw, "%s\t", c.Rates[p][0].Price)
			}
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	grids := []struct {
		title string
		grid  [12][24]uint8
	}{{"weekdays", wd}, {"weekends and holidays", we}}
	if wd == we {
		grids = grids[:1]
		grids[0].title = "every day (weekdays, weekends and holidays alike)"
	}
	for _, g := range grids {
		fmt.Fprintf(w, "\n  %s: period # by month and hour beginning (local time)\n       ", g.title)
		for h := range 24 {
			fmt.Fprintf(w, "%3d", h)
		}
		fmt.Fprintln(w)
		for mo := range 12 {
			fmt.Fprintf(w, "  %-5s", monthAbbr[mo])
			for h := range 24 {
				fmt.Fprintf(w, "%3d", g.grid[mo][h])
			}
			fmt.Fprintln(w)
		}
	}
	return nil
}

// printComponents lists the components by bucket, with prices in their
// units and tiers spelt out.
func printComponents(w io.Writer, v *tariff.Version) {
	fmt.Fprintln(w, "\ncomponents by bucket:")
	for _, b := range tariff.Buckets {
		first := true
		for _, c := range v.Components {
			if c.Bucket != b {
				continue
			}
			if first {
				fmt.Fprintf(w, "  %s\n", b)
				first = false
			}
			fmt.Fprintf(w, "    %-16s %s — %s\n", c.Kind, c.Name, componentPrices(v, c))
		}
	}
}

// componentPrices describes a component's prices: "0.031 $/day", or per
// period "Summer On-Peak 0.23704; …" with tiers "0.1 up to 300 kWh, 0.2".
func componentPrices(v *tariff.Version, c tariff.Component) string {
	unit := c.Kind.Unit()
	if len(c.Rates) == 0 {
		return c.Price.String() + " " + unit
	}
	var names []string
	if m, ok := v.PeriodMap(c.Map); ok && c.Map != "" {
		names = m.Periods
	}
	var parts []string
	for i, tiers := range c.Rates {
		var ts []string
		for _, t := range tiers {
			s := t.Price.String()
			if t.Max != 0 {
				s += " up to " + t.Max.String() + " " + string(t.Unit)
			}
			ts = append(ts, s)
		}
		label := ""
		switch {
		case i < len(names):
			label = names[i] + " "
		case c.Kind == tariff.DemandFlat:
			label = fmt.Sprintf("group %d ", i)
		}
		parts = append(parts, label+strings.Join(ts, ", "))
	}
	out := strings.Join(parts, "; ") + " " + unit
	if c.Kind == tariff.DemandFlat && len(c.Months) == 12 {
		out += fmt.Sprintf(" (groups by month, Jan–Dec: %v)", c.Months)
	}
	return out
}
