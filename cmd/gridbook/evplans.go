package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/evcharge"
	"github.com/gridbook/gridbook/internal/store"
)

// runEVVehiclePlan plans one plug-in of an enrolled vehicle on the
// database — least cost on its account's TOU tariff or least emissions on
// a stored signal — and stores it as the vehicle's plan in force (which
// gridbook serve then publishes over OpenADR and sends to a connected
// OCPP charger).
func runEVVehiclePlan(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ev vehicle plan")
	dsn := dbFlag(e, fs, "gridbook.db")
	vehicle := fs.Int64("vehicle", 0, "vehicle id (required)")
	plugIn := fs.String("plug-in", "", "plug-in time, RFC 3339 or Pacific YYYY-MM-DDTHH:MM (required)")
	departure := fs.String("departure", "", "departure time (required)")
	energyKWh := fs.String("energy-kwh", "", "energy to add, kWh (or --soc and --target-soc)")
	soc := fs.Int("soc", -1, "state of charge at plug-in, %")
	target := fs.Int("target-soc", -1, "state of charge wanted at departure, %")
	objective := fs.String("objective", "cost", "cost (the account's TOU tariff) or emissions (a stored signal)")
	signal := fs.String("signal", "", "with --objective emissions: a stored emission signal")
	pre := fs.Duration("precondition", 0, "charge this long just before departure whatever it costs")
	continuous := fs.Bool("continuous", false, "one contiguous charging window")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	var f apperr.Fields
	n := evcharge.Need{Precondition: *pre, Continuous: *continuous}
	instantFlag(&f, "plug-in", *plugIn, &n.PlugIn)
	instantFlag(&f, "departure", *departure, &n.Departure)
	if *vehicle <= 0 {
		f.Add("vehicle", "is required: a vehicle id")
	}
	useSoC := *energyKWh == ""
	if !useSoC {
		if wh, err := energy.ParseKWh(*energyKWh); err != nil || wh < 0 {
			f.Add("energy-kwh", "want a non-negative number of kWh, not %q", *energyKWh)
		} else {
			n.EnergyWh = wh
		}
	} else if *soc < 0 || *soc > 100 || *target < 0 || *target > 100 {
		f.Add("energy-kwh", "give --energy-kwh, or --soc and --target-soc (percentages 0–100)")
	}
	obj := evcharge.LeastCost
	switch *objective {
	case "cost":
	case "emissions", "co2":
		obj = evcharge.LeastCO2
	default:
		f.Add("objective", "want cost or emissions, not %q", *objective)
	}
	if err := f.Err("ev vehicle plan"); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var rec store.EVPlanRecord
	err = db.InTx(ctx, func(tx *store.Tx) error {
		rec, err = tx.PlanVehicle(ctx, cliActor(e), *vehicle, func(v evcharge.Vehicle) (evcharge.Need, evcharge.Objective, error) {
			n.MaxW = v.MaxW
			if useSoC && *target > *soc {
				n.EnergyWh = energy.Wh(v.BatteryWh * int64(*target-*soc) / 100)
			}
			return n, obj, nil
		}, *signal)
		return err
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, rec)
	}
	fmt.Fprintf(e.stdout, "plan %d for %s (%s): %s kWh", rec.ID, rec.Vehicle, rec.Source, rec.Plan.EnergyWh.KWhString())
	if obj == evcharge.LeastCost {
		fmt.Fprintf(e.stdout, ", cost %s", rec.Plan.CostCents)
	} else {
		fmt.Fprintf(e.stdout, ", %.0f g CO2", rec.Plan.CO2g)
	}
	if rec.Plan.ShortfallWh > 0 {
		fmt.Fprintf(e.stdout, ", short by %s kWh", rec.Plan.ShortfallWh.KWhString())
	}
	fmt.Fprintln(e.stdout)
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	for _, s := range rec.Plan.Slots {
		fmt.Fprintf(tw, "  %s\t%s\t%s kW\t%d Wh\n", s.Start.In(calendar.Pacific).Format("2006-01-02 15:04"), s.End.In(calendar.Pacific).Format("15:04"), s.W.KWString(), s.EnergyWh)
	}
	tw.Flush()
	for _, note := range rec.Plan.Notes {
		fmt.Fprintln(e.stdout, "note:", note)
	}
	return nil
}

// evVehicleListRow is what `gridbook ev vehicle list --json` prints per
// vehicle.
type evVehicleListRow struct {
	evcharge.Vehicle
	Plan          *store.EVPlanRecord  `json:"plan"`
	ChargerStatus *store.ChargerStatus `json:"charger_status"`
}

// runEVVehicleList lists enrolled vehicles with their plan in force and
// what their OCPP charger last said.
func runEVVehicleList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ev vehicle list")
	dsn := dbFlag(e, fs, "gridbook.db")
	number := fs.String("account", "", "only this service account's vehicles")
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
	var acct int64
	if *number != "" {
		a, err := db.AccountByNumber(ctx, *number)
		if err != nil {
			return err
		}
		acct = a.ID
	}
	vs, err := db.Vehicles(ctx, acct)
	if err != nil {
		return err
	}
	rows := make([]evVehicleListRow, 0, len(vs))
	for _, v := range vs {
		row := evVehicleListRow{Vehicle: v}
		if p, err := db.LatestEVPlan(ctx, v.ID); err == nil {
			row.Plan = &p
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if c, err := db.Charger(ctx, v.Charger); err == nil {
			row.ChargerStatus = &c
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		rows = append(rows, row)
	}
	if *asJSON {
		return printJSON(e.stdout, rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tvehicle\taccount\tcharger\tstatus\tplan in force")
	for _, r := range rows {
		status, plan := "-", "-"
		if r.ChargerStatus != nil {
			status = r.ChargerStatus.Status
		}
		if p := r.Plan; p != nil {
			plan = fmt.Sprintf("%d: %s kWh by %s", p.ID, p.Plan.EnergyWh.KWhString(), p.Departure.In(calendar.Pacific).Format("2006-01-02 15:04"))
			if p.Plan.ShortfallWh > 0 {
				plan += fmt.Sprintf(" (short %s kWh)", p.Plan.ShortfallWh.KWhString())
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\n", r.ID, r.Name, r.AccountID, r.Charger, status, plan)
	}
	return tw.Flush()
}
