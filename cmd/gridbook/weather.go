package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/savings"
	"github.com/gridbook/gridbook/internal/store"
)

// runWeatherImport stores hourly temperature files for a weather station:
// CSV (dt,tempF or dt,tempC …) or NOAA ISD-Lite, merged hour by hour.
func runWeatherImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "weather import")
	db := dbFlag(e, fs, "gridbook.db")
	station := fs.String("station", "", "station code: the USAF/WBAN number of a CZ2010 station (e.g. 722874), as premises map to it by ZIP (required)")
	name := fs.String("name", "", "station name (default: kept, or the code)")
	format := fs.String("format", "", "csv or isd-lite (default: detect)")
	celsius := fs.Bool("celsius", false, "a CSV's temperatures are °C (default: from the column name, else °F)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errUsage
	}
	opts := savings.CalcOptions{TemperatureFormat: *format}
	if *celsius {
		opts.TemperatureUnit = savings.UnitCelsius
	}
	type fileTemp struct {
		name   string
		source string
		temp   savings.Temperature
	}
	var files []fileTemp
	for _, p := range fs.Args() {
		b, err := os.ReadFile(p)
		if err != nil {
			var f apperr.Fields
			f.Add("file", "cannot read %s: %v", p, err)
			return f.Err("weather import")
		}
		temp, source, err := savings.ReadTemperature(bytes.NewReader(b), opts)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		files = append(files, fileTemp{p, source, temp})
	}
	d, err := openDB(ctx, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	var results []store.WeatherImport
	err = d.InTx(ctx, func(tx *store.Tx) error {
		for _, f := range files {
			r, err := tx.PutWeather(ctx, cliActor(e), *station, *name, f.source, f.temp)
			if err != nil {
				return err
			}
			results = append(results, r)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, results)
	}
	for i, r := range results {
		fmt.Fprintf(e.stdout, "%s: station %s, %d hours added, %d replaced, %d unchanged (%d months written)\n",
			files[i].name, *station, r.Added, r.Replaced, r.Unchanged, r.Months)
	}
	return nil
}

// runWeatherList lists the weather stations with what is stored for each.
func runWeatherList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "weather list")
	db := dbFlag(e, fs, "gridbook.db")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	d, err := openDB(ctx, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	list, err := d.WeatherStations(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if list == nil {
			list = []store.WeatherStation{}
		}
		return printJSON(e.stdout, list)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "code\tname\tsource\tfrom\tto\thours")
	for _, s := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\n", s.Code, s.Name, s.Source, s.First.Format(time.DateOnly), s.Last.Format(time.DateOnly), s.Hours)
	}
	return tw.Flush()
}
