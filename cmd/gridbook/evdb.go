package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/emissions"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/evcharge"
	"github.com/gridbook/gridbook/internal/store"
)

// runEVVehicleAdd enrolls a vehicle of an account in EV SmartCharge.
func runEVVehicleAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ev vehicle add")
	dsn := dbFlag(e, fs, "gridbook.db")
	number := fs.String("account", "", "service account number (required)")
	var v evcharge.Vehicle
	fs.StringVar(&v.Name, "name", "", "the vehicle's identifier in telemetry (required)")
	fs.StringVar(&v.Make, "make", "", "make")
	fs.StringVar(&v.Model, "model", "", "model")
	fs.StringVar(&v.Charger, "charger", "level2", "level1, level2 or an OCPP charge point identity")
	battery := fs.String("battery-kwh", "", "usable battery, kWh (required)")
	maxKW := fs.String("max-kw", "", "charging power, kW (required)")
	enrolled := fs.String("enrolled", "", "enrollment date (default today)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	var f apperr.Fields
	if wh, err := energy.ParseKWh(*battery); err == nil {
		v.BatteryWh = int64(wh)
	} else {
		f.Add("battery-kwh", "want a number of kWh, not %q", *battery)
	}
	if w, err := energy.ParseKWh(*maxKW); err == nil {
		v.MaxW = energy.W(w)
	} else {
		f.Add("max-kw", "want a number of kW, not %q", *maxKW)
	}
	if *enrolled != "" {
		d, err := calendar.ParseDate(*enrolled)
		if err != nil {
			f.Add("enrolled", "want YYYY-MM-DD, not %q", *enrolled)
		}
		v.Enrolled = d
	}
	if *number == "" {
		f.Add("account", "is required")
	}
	if err := f.Err("ev vehicle add"); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := db.AccountByNumber(ctx, *number)
	if err != nil {
		return err
	}
	v.AccountID = a.ID
	if v.Enrolled.IsZero() {
		v.Enrolled = todayPacific(db)
	}
	if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.EnrollVehicle(ctx, cliActor(e), &v) }); err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, v)
	}
	fmt.Fprintf(e.stdout, "vehicle %d (%s) enrolled for account %s\n", v.ID, v.Name, a.Number)
	return nil
}

// runEVSessionsImport stores charging-session telemetry (CSV).
func runEVSessionsImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ev sessions import")
	dsn := dbFlag(e, fs, "gridbook.db")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errUsage
	}
	var all []evcharge.Session
	for _, path := range fs.Args() {
		fh, err := os.Open(path)
		if err != nil {
			return apperr.E(apperr.Invalid, "ev sessions import", "cannot open "+path, err)
		}
		ss, err := evcharge.ParseSessionsCSV(fh)
		fh.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		all = append(all, ss...)
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var res store.SessionImport
	if err := db.InTx(ctx, func(tx *store.Tx) error {
		res, err = tx.ImportSessions(ctx, cliActor(e), all)
		return err
	}); err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, res)
	}
	fmt.Fprintf(e.stdout, "%d sessions added, %d already stored\n", res.Added, res.Unchanged)
	return nil
}

// evReport is what `gridbook ev report` prints.
type evReport struct {
	Month  string `json:"month"`
	Signal string `json:"signal,omitempty"`
	evcharge.Report
}

// runEVReport reports a month of EV SmartCharge: per vehicle and for the
// fleet, kWh, off-peak share, cost and CO2 against unmanaged charging.
func runEVReport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ev report")
	dsn := dbFlag(e, fs, "gridbook.db")
	month := fs.String("month", "", "YYYY-MM (required)")
	signal := fs.String("signal", "", "stored emission signal for CO2 (gridbook emissions import)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	t, err := time.ParseInLocation("2006-01", *month, calendar.Pacific)
	if err != nil {
		var f apperr.Fields
		f.Add("month", "want YYYY-MM, not %q", *month)
		return f.Err("ev report")
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := buildEVReport(ctx, db, t, *signal)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, rep)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "vehicle\tsessions\tkWh\toff-peak\tCO2 avoided g\t")
	for _, m := range rep.Vehicles {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d.%02d%%\t%.0f\t\n", m.Vehicle, m.Sessions, m.EnergyWh.KWhString(), m.OffPeakBP/100, m.OffPeakBP%100, m.AvoidedCO2g)
	}
	tw.Flush()
	f := rep.Fleet
	fmt.Fprintf(e.stdout, "fleet: %d vehicles, %d sessions, %s kWh, %d.%02d%% off-peak, %.1f lb CO2 avoided (%d tree seedlings grown for 10 years)\n",
		f.Vehicles, f.Sessions, f.EnergyWh.KWhString(), f.OffPeakBP/100, f.OffPeakBP%100, rep.AvoidedLbs, rep.Trees)
	return nil
}

func buildEVReport(ctx context.Context, db *store.DB, month time.Time, signal string) (evReport, error) {
	from, to := month.UTC(), month.AddDate(0, 1, 0).UTC()
	ss, err := db.Sessions(ctx, 0, from, to)
	if err != nil {
		return evReport{}, err
	}
	var sig *emissions.Signal
	if signal != "" {
		s, err := db.Signal(ctx, signal, from.Add(-24*time.Hour), to.Add(48*time.Hour))
		if err != nil {
			return evReport{}, err
		}
		sig = &s
	}
	r, err := evcharge.MonthReport(ss, sig)
	return evReport{Month: month.Format("2006-01"), Signal: signal, Report: r}, err
}

// runEmissionsImport stores an emission signal CSV under a name.
func runEmissionsImport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "emissions import")
	dsn := dbFlag(e, fs, "gridbook.db")
	name := fs.String("name", "", "signal name, e.g. sgip-sce (required)")
	unit := fs.String("unit", "", "g/kWh, kg/kWh or lbs/MWh (default: from the header)")
	gaps := fs.Bool("allow-gaps", false, "keep missing points as gaps instead of refusing the file")
	kind := fs.String("kind", "marginal", "marginal or average")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *name == "" {
		return errUsage
	}
	fh, err := os.Open(fs.Arg(0))
	if err != nil {
		return apperr.E(apperr.Invalid, "emissions import", "cannot open "+fs.Arg(0), err)
	}
	sig, err := emissions.ParseSignalCSV(fh, emissions.CSVOptions{Unit: emissions.Unit(*unit), AllowGaps: *gaps, Kind: emissions.Kind(*kind)})
	fh.Close()
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var days int
	if err := db.InTx(ctx, func(tx *store.Tx) error {
		days, err = tx.PutSignal(ctx, cliActor(e), *name, sig)
		return err
	}); err != nil {
		return err
	}
	out := map[string]any{"signal": *name, "points": len(sig.Values), "step_s": int64(sig.Step / time.Second), "days": days, "gaps": len(sig.Gaps())}
	if *asJSON {
		return printJSON(e.stdout, out)
	}
	fmt.Fprintf(e.stdout, "signal %s: %d points every %v over %d days stored (%d gaps)\n", *name, len(sig.Values), sig.Step, days, len(sig.Gaps()))
	return nil
}
