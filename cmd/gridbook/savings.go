package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/savings"
	"github.com/gridbook/gridbook/internal/store"
)

// runSavingsCalc fits a savings model to a meter file and a temperature
// file — no database — and prints the model, the data sufficiency and the
// savings: the analyst's calculator and the OpenEEmeter parity path.
func runSavingsCalc(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "savings calc")
	meter := fs.String("meter", "", "meter file: CSV start,value (eemeter's sample layout; gzip allowed) (required)")
	temperature := fs.String("temperature", "", "hourly temperature: CSV (dt,tempF or dt,tempC) or NOAA ISD-Lite (required)")
	days := fs.String("day-boundary", "local", "utc (eemeter's sample loader, for parity) or local (Pacific days)")
	celsius := fs.Bool("celsius", false, "the temperature CSV is in °C (default: from the column name, else °F)")
	sf := savingsFlags(fs)
	fs.StringVar(&sf.o.TemperatureFormat, "temperature-format", "", "csv or isd-lite (default: detect)")
	fs.BoolVar(&sf.o.BimonthlyQuirk, "bimonthly-quirk", false, "reproduce eemeter 3.2.0's 35-day temperature window for billing periods (bug compatibility)")
	if err := parse(fs, args); err != nil {
		return err
	}
	o, f := sf.options()
	o.Days = savings.DayBoundary(*days)
	if *celsius {
		o.TemperatureUnit = savings.UnitCelsius
	}
	var files savings.CalcFiles
	for _, r := range []struct {
		field, path string
		into        *[]byte
	}{{"meter", *meter, &files.Meter}, {"temperature", *temperature, &files.Temperature}} {
		if r.path == "" {
			continue
		}
		b, err := os.ReadFile(r.path)
		if err != nil {
			f.Add(r.field, "cannot read %s: %v", r.path, err)
		}
		*r.into = b
	}
	if err := f.Err("savings calc"); err != nil {
		return err
	}
	res, err := savings.Calc(files, o)
	if err != nil {
		return err
	}
	return sf.print(e, res)
}

// runSavingsMeter fits a savings model to a stored meter's usage (Pacific
// days, net of exports) and the weather of its premise's CZ2010 station.
func runSavingsMeter(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "savings meter")
	db := dbFlag(e, fs, "gridbook.db")
	meter := fs.String("meter", "", "meter id or serial (required)")
	sf := savingsFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	o, f := sf.options()
	if *meter == "" {
		f.Add("meter", "is required")
	}
	if o.Method == savings.MethodCalTRACKBilling || o.Method == savings.MethodBilling {
		f.Add("method", "stored meters are modelled on days or hours: use caltrack-daily, caltrack-hourly or daily")
	}
	if err := f.Err("savings meter"); err != nil {
		return err
	}
	d, err := openDB(ctx, *db)
	if err != nil {
		return err
	}
	defer d.Close()
	var res *savings.CalcResult
	var in store.SavingsInputs
	err = d.InTx(ctx, func(tx *store.Tx) error {
		id, err := resolveMeter(ctx, tx, *meter)
		if err != nil {
			return err
		}
		res, in, err = tx.MeterSavings(ctx, id, o)
		return err
	})
	if err != nil {
		return err
	}
	if !*sf.asJSON {
		fmt.Fprintf(e.stdout, "meter %s at %s %s (climate zone %d), weather station %s %s\n", in.Meter.Serial, in.Premise.Address, in.Premise.ZIP,
			in.Premise.ClimateZone, in.StationCode, in.StationName)
	}
	return sf.print(e, res)
}

// savingsCLI holds the flags the savings commands share.
type savingsCLI struct {
	o            savings.CalcOptions
	method, fuel *string
	bs, be       *string
	predictions  *string
	asJSON       *bool
}

func savingsFlags(fs *flag.FlagSet) *savingsCLI {
	s := &savingsCLI{}
	s.bs = fs.String("blackout-start", "", "first day of the intervention window, YYYY-MM-DD (required)")
	s.be = fs.String("blackout-end", "", "day the reporting period starts, YYYY-MM-DD (required)")
	s.method = fs.String("method", "caltrack-daily", "caltrack-daily, caltrack-billing, caltrack-hourly, daily (eemeter 4.x daily model) or billing (eemeter 4.x billing model)")
	fs.BoolVar(&s.o.DailyLegacy, "daily-legacy", false, "with --method daily: eemeter's legacy settings (no smoothing or splits, least squares)")
	fs.BoolVar(&s.o.DailyExactPath, "exact-path", false, "with --method daily or billing: follow eemeter 4.1.1's optimiser to the last bit (slower; the default agrees within the parity tolerances)")
	s.fuel = fs.String("fuel", "electricity", "electricity or gas (gas fits no cooling terms)")
	fs.BoolVar(&s.o.Solar, "solar", false, "the premise has on-site generation: negative electricity values are allowed")
	fs.Float64Var(&s.o.MaxPValue, "max-p-value", 0, "CalTRACK 2.0 slope p-value screen (default none; CalTRACK 1.0 used 0.1)")
	s.predictions = fs.String("predictions", "", "write every period's prediction to this CSV file")
	s.asJSON = fs.Bool("json", false, "print JSON")
	return s
}

// options returns the parsed options and any field errors so far.
func (s *savingsCLI) options() (savings.CalcOptions, apperr.Fields) {
	o := s.o
	o.Method, o.Fuel = savings.Method(*s.method), savings.Fuel(*s.fuel)
	o.Predictions = *s.predictions != ""
	var f apperr.Fields
	o.BlackoutStart, o.BlackoutEnd = savings.ParseBlackout(*s.bs, *s.be, &f)
	return o, f
}

// print writes the predictions file, then the result as JSON or a table.
func (s *savingsCLI) print(e *env, res *savings.CalcResult) error {
	if *s.predictions != "" {
		if err := writePredictions(*s.predictions, res.Predictions); err != nil {
			return err
		}
		res.Predictions = nil
	}
	if *s.asJSON {
		return printJSON(e.stdout, res)
	}
	printSavings(e.stdout, res)
	return nil
}

// writePredictions writes the per-period predictions as CSV.
func writePredictions(path string, rows []savings.PredictionRow) error {
	f, err := os.Create(path)
	if err != nil {
		return apperr.E(apperr.Invalid, "savings calc", fmt.Sprintf("cannot write predictions to %s", path), err)
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"start", "period", "predicted", "observed", "base_load", "heating_load", "cooling_load"})
	num := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	for _, r := range rows {
		_ = w.Write([]string{r.Start.Format(time.RFC3339), r.Period, num(r.Predicted), num(r.Observed), num(r.Base), num(r.Heating), num(r.Cooling)})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// printSavings writes the result for a person: model, sufficiency, savings.
func printSavings(w io.Writer, r *savings.CalcResult) {
	fmt.Fprintf(w, "method %s, fuel %s: %s", r.Method, r.Fuel, r.Status)
	if r.ModelType != "" {
		fmt.Fprintf(w, ", model %s", r.ModelType)
	}
	if r.RSquaredAdj != nil {
		fmt.Fprintf(w, ", adjusted R² %.4f", *r.RSquaredAdj)
	}
	if r.Candidates != nil {
		fmt.Fprintf(w, " (%d of %d candidates qualified)", r.Candidates.Qualified, r.Candidates.Total)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "baseline  %s – %s, %d periods\n", r.Baseline.Start.Format(time.RFC3339), r.Baseline.End.Format(time.RFC3339), r.Baseline.Periods)
	fmt.Fprintf(w, "reporting %s – %s, %d periods\n", r.Reporting.Start.Format(time.RFC3339), r.Reporting.End.Format(time.RFC3339), r.Reporting.Periods)
	keys := make([]string, 0, len(r.Coefficients))
	for k := range r.Coefficients {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if r.Daily != nil {
		printDailyModel(w, r.Daily)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, k := range keys {
		fmt.Fprintf(tw, "  %s\t%s\n", k, strconv.FormatFloat(r.Coefficients[k], 'g', 10, 64))
	}
	tw.Flush()
	s := r.Sufficiency
	fmt.Fprintf(w, "sufficiency %s: %d of %d days valid (meter %d, temperature %d)\n", s.Status, s.ValidDays, s.DaysTotal, s.ValidMeterDays, s.ValidTemperatureDays)
	for _, d := range r.Disqualifications {
		fmt.Fprintf(w, "  disqualified: %s\n", d)
	}
	for _, d := range r.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", d)
	}
	if r.Status != "SUCCESS" {
		return
	}
	sv := r.Savings
	fmt.Fprintf(w, "savings over %d reporting periods: predicted %.3f − observed %.3f = %.3f (%.1f%%)\n", sv.Periods, sv.PredictedSum, sv.ObservedSum, sv.Savings, sv.PercentSaving)
	if u := r.Uncertainty; u != nil && u.Bands != nil {
		fmt.Fprintf(w, "90%% FSU error band ±%.3f", u.Bands.FSUErrorBand)
		if u.FSU != nil {
			fmt.Fprintf(w, " (FSU %.1f%%)", 100**u.FSU)
		}
		fmt.Fprintf(w, ", OLS error band ±%.3f\n", u.Bands.OLSErrorBand)
	}
	if m := r.Eemeter4; m != nil && m.Reporting.FSU != nil {
		fmt.Fprintf(w, "eemeter 4.1.1 savings uncertainty ±%.3f (FSU %.1f%%)\n", m.Reporting.TotalSavingsUncertainty, 100**m.Reporting.FSU)
	}
}

// printDailyModel writes the eemeter 4.x model's split and submodels.
func printDailyModel(w io.Writer, m *savings.DailyModelFit) {
	fmt.Fprintf(w, "split %s (%d splits tested), initial-fit CV(RMSE) %.4f\n", m.Combination, len(m.Combinations), m.Error.CVRMSE)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  component\tmodel\thdd_bp\thdd_beta\tcdd_bp\tcdd_beta\tintercept")
	for _, sm := range m.Submodels {
		c := func(k string) string {
			if v, ok := sm.Coefficients[k]; ok {
				return strconv.FormatFloat(v, 'g', 6, 64)
			}
			return "–"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\n", sm.Component, sm.ModelType, c("hdd_bp"), c("hdd_beta"), c("cdd_bp"), c("cdd_beta"), c("intercept"))
	}
	tw.Flush()
}
