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
			f = detectFormat(name, b)
		}
		var vs []tariff.Version
		switch f {
		case "urdb":
			vs, err = tariff.ParseURDB(b, tariff.URDBOptions{Code: *code, Holidays: *holidays, DataSource: filepath.Base(name)})
		case "native":
			vs, err = tariff.ParseNative(b)
		case "nbt-csv":
			opt, _ := tariff.ExportOptionsFromName(filepath.Base(name))
			if *utility != "" {
				opt.Utility = *utility
			}
			if *vintage != 0 {
				opt.Vintage = *vintage
			}
			opt.Source = filepath.Base(name)
			var t *tariff.ExportTable
			if t, err = tariff.ParseExportCSV(bytes.NewReader(b), opt); err == nil {
				tables = append(tables, *t)
			}
		default:
			var fe apperr.Fields
			fe.Add("format", "must be urdb, native or nbt-csv, not %q", f)
			return fe.Err("tariff import")
		}
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

// detectFormat guesses a file's format: CSV by extension, URDB JSON by its
// items wrapper or rate-structure fields, native JSON otherwise.
func detectFormat(name string, b []byte) string {
	if strings.EqualFold(filepath.Ext(name), ".csv") {
		return "nbt-csv"
	}
	lower := bytes.ToLower(b)
	if bytes.Contains(lower, []byte(`"items"`)) || bytes.Contains(lower, []byte(`"energyratestructure"`)) ||
		bytes.Contains(lower, []byte(`"demandratestructure"`)) {
		return "urdb"
	}
	return "native"
}

// tariffSummary is one line of `tariff list --json`.
type tariffSummary struct {
	ID            int64  `json:"id"`
	Utility       string `json:"utility"`
	Code          string `json:"code"`
	Name          string `json:"name"`
	EffectiveFrom string `json:"effective_from"`
	EffectiveTo   string `json:"effective_to"`
	SHA256        string `json:"sha256"`
}

func runTariffList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "tariff list")
	dsn := dbFlag(e, fs, "gridbook.db")
	utility := fs.String("utility", "", "only this utility (SCE, PG&E, …)")
	code := fs.String("code", "", "only this rate code")
	on := fs.String("on", "", "only versions in effect on this date (YYYY-MM-DD)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	f := store.TariffFilter{Utility: *utility, Code: *code}
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
	out := make([]tariffSummary, 0, len(rows))
	for _, r := range rows {
		to := ""
		if !r.Version.To.IsZero() {
			to = r.Version.To.String()
		}
		out = append(out, tariffSummary{r.ID, r.Version.Utility, r.Version.Code, r.Version.Name, r.Version.From.String(), to, r.SHA256})
	}
	if *asJSON {
		return printJSON(e.stdout, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "UTILITY\tCODE\tFROM\tTO\tNAME")
	for _, s := range out {
		to := s.EffectiveTo
		if to == "" {
			to = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.Utility, s.Code, s.EffectiveFrom, to, s.Name)
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
	return printTariff(e.stdout, &r.Version)
}

// printTariff writes a version for a person: identity, each period map as
// 12×24 grids, the energy prices by period and bucket, and the other
// components.
func printTariff(w io.Writer, v *tariff.Version) error {
	to := "open"
	if !v.To.IsZero() {
		to = v.To.String()
	}
	fmt.Fprintf(w, "%s %s — %s\neffective %s to %s; holidays billed as weekends: %s\nsource: %s\n",
		v.Utility, v.Code, v.Name, v.From, to, v.Holidays, v.Source.Citation)
	for i := range v.Maps {
		m := &v.Maps[i]
		wd, we, err := m.Grid()
		if err != nil {
			return err
		}
		for _, g := range []struct {
			title string
			grid  [12][24]uint8
		}{{"weekdays", wd}, {"weekends and holidays", we}} {
			fmt.Fprintf(w, "\n%s periods, %s (month × hour beginning):\n     ", m.Name, g.title)
			for h := range 24 {
				fmt.Fprintf(w, "%3d", h)
			}
			fmt.Fprintln(w)
			for mo := range 12 {
				fmt.Fprintf(w, "%-5s", [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}[mo])
				for h := range 24 {
					fmt.Fprintf(w, "%3d", g.grid[mo][h])
				}
				fmt.Fprintln(w)
			}
		}
		fmt.Fprintf(w, "seasons:")
		for _, s := range m.Seasons {
			fmt.Fprintf(w, " %s from %s;", s.Name, s.From)
		}
		fmt.Fprintln(w)
	}
	if _, ok := v.PeriodMap("energy"); ok {
		prices, err := v.EnergyPrices()
		if err != nil {
			return err
		}
		m, _ := v.PeriodMap("energy")
		fmt.Fprintln(w, "\nenergy prices ($/kWh, first tier):")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprint(tw, "period\tname\ttotal\t")
		for _, b := range tariff.Buckets {
			fmt.Fprintf(tw, "%s\t", b)
		}
		fmt.Fprintln(tw)
		for p, name := range m.Periods {
			fmt.Fprintf(tw, "%d\t%s\t%s\t", p, name, tariff.Price(prices.Energy(uint8(p), 0)))
			for _, b := range tariff.Buckets {
				fmt.Fprintf(tw, "%s\t", tariff.Price(prices.EnergyIn(b, uint8(p), 0)))
			}
			fmt.Fprintln(tw)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, "\ncomponents:")
	for _, c := range v.Components {
		switch c.Kind {
		case tariff.Energy, tariff.ExportCredit, tariff.DemandTOU, tariff.DemandFlat:
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
				parts = append(parts, fmt.Sprintf("%d: %s", i, strings.Join(ts, ", ")))
			}
			fmt.Fprintf(w, "  %-16s %-10s %s — %s\n", c.Kind, c.Bucket, c.Name, strings.Join(parts, "; "))
		default:
			unit := map[tariff.Kind]string{tariff.FixedDay: "$/day", tariff.MinimumDay: "$/day", tariff.FixedMonth: "$/month",
				tariff.MinimumMonth: "$/month", tariff.BaselineCredit: "$/kWh"}[c.Kind]
			fmt.Fprintf(w, "  %-16s %-10s %s — %s %s\n", c.Kind, c.Bucket, c.Name, c.Price, unit)
		}
	}
	if v.Notes != "" {
		fmt.Fprintf(w, "\nnotes: %s\n", v.Notes)
	}
	return nil
}
