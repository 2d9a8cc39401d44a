package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/openadr"
	"github.com/gridbook/gridbook/internal/store"
)

// Battery fleet dispatch from the command line: `gridbook dr fleet
// dispatch` shares a storage event's target among the program's
// batteries above each site's reserve (dr.PlanFleet) and stores the plan
// once; the VTN then publishes each battery's share to its VEN.
// `gridbook dr fleet show` prints the plan beside what the VENs reported
// delivering (openadr.Delivered).

// fleetTarget reads --target-kw and --soc: the target in W (0 when not
// given, unless required) and the state of charge.
func fleetTarget(f *apperr.Fields, targetKW string, soc int, required bool) energy.W {
	if soc < 0 || soc > 100 {
		f.Add("soc", "must be 0 to 100")
	}
	if targetKW == "" {
		if required {
			f.Add("target-kw", "is required")
		}
		return 0
	}
	w, err := energy.ParseKWh(targetKW)
	if err != nil || w <= 0 {
		f.Add("target-kw", "want a positive number of kW, not %q", targetKW)
		return 0
	}
	return energy.W(w)
}

// runDRFleetDispatch dispatches a storage event's batteries.
func runDRFleetDispatch(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "dr fleet dispatch")
	dsn := dbFlag(e, fs, "gridbook.db")
	event := fs.Int64("event", 0, "storage event id (required)")
	target := fs.String("target-kw", "", "fleet discharge target in kW (required)")
	soc := fs.Int("soc", dr.DefaultSOCPct, "state of charge assumed at the event's start for a battery without a recent reported charge, percent")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	var f apperr.Fields
	if *event <= 0 {
		f.Add("event", "is required")
	}
	w := fleetTarget(&f, *target, *soc, true)
	if err := f.Err("dr fleet dispatch"); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	ev, err := db.DREvent(ctx, *event)
	if err != nil {
		return err
	}
	cat, err := drCatalog()
	if err != nil {
		return err
	}
	p, err := cat.Program(ev.Program)
	if err != nil {
		return err
	}
	var rec store.FleetRecord
	var saved bool
	err = db.InTx(ctx, func(tx *store.Tx) error {
		rec, saved, err = tx.DispatchFleet(ctx, cliActor(e), p, *event, w, *soc)
		return err
	})
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, map[string]any{"saved": saved, "plan": rec})
	}
	if !saved {
		fmt.Fprintf(e.stdout, "event %d was dispatched already; the stored plan:\n", *event)
	}
	return printFleetPlan(e.stdout, rec, nil)
}

// runDRFleetShow prints a storage event's plan with dispatched against
// delivered energy from the VEN reports.
func runDRFleetShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "dr fleet show")
	dsn := dbFlag(e, fs, "gridbook.db")
	event := fs.Int64("event", 0, "storage event id (required)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	if *event <= 0 {
		var f apperr.Fields
		f.Add("event", "is required")
		return f.Err("dr fleet show")
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	del, err := openadr.Delivered(ctx, db, *event)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, del)
	}
	return printFleetPlan(e.stdout, del.Plan, &del)
}

// printFleetPlan prints a plan, and with del each battery's delivery and
// the fleet summary.
func printFleetPlan(w io.Writer, rec store.FleetRecord, del *openadr.FleetDelivery) error {
	fmt.Fprintf(w, "event %d: target %s kW, fleet %s kW from %d batteries at %d%% charge (by %s)\n", rec.EventID, rec.TargetW.KWString(),
		rec.FleetW.KWString(), len(rec.Dispatches), rec.SOCPct, rec.Actor)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if del == nil {
		fmt.Fprintln(tw, "DEVICE\tSERIAL\tACCOUNT\tKW\tKWH\tLIMIT\tCHARGE")
		for _, d := range rec.Dispatches {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\n", d.DeviceID, d.Serial, d.AccountID, d.W.KWString(), d.Wh.KWhString(), d.Limit, chargeText(d.Charge))
		}
		return tw.Flush()
	}
	fmt.Fprintln(tw, "DEVICE\tSERIAL\tACCOUNT\tKW\tDISPATCHED KWH\tDELIVERED KWH\tLIMIT\tCHARGE")
	for _, r := range del.Rows {
		got := "-"
		if r.Reported {
			got = r.DeliveredWh.KWhString()
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\t%s\t%s\n", r.DispatchRecord.DeviceID, r.Serial, r.AccountID, r.W.KWString(), r.DispatchedWh.KWhString(), got, r.Limit,
			chargeText(r.Charge))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s := del.Summary
	fmt.Fprintf(w, "reported %d of %d: delivered %s kWh of %s kWh dispatched to them (%d.%d%%); %s kWh dispatched in all\n", s.Reported, s.Batteries,
		s.DeliveredWh.KWhString(), s.ReportedWh.KWhString(), s.SharePermille/10, s.SharePermille%10, s.DispatchedWh.KWhString())
	for _, sk := range del.Skipped {
		fmt.Fprintf(w, "skipped report %s\n", sk)
	}
	return nil
}

// chargeText is the charge a share was planned with: "60.0% read
// 2026-08-18 08:00 PDT" for a reading used as reported, "100.0% setting"
// for the dispatch's soc_pct, "-" for a plan stored before it was kept.
func chargeText(c *dr.DispatchCharge) string {
	if c == nil {
		return "-"
	}
	pct := fmt.Sprintf("%d.%d%%", c.Permille/10, c.Permille%10)
	if c.Source == dr.ChargeReported {
		return pct + " read " + c.At.In(calendar.Pacific).Format("2006-01-02 15:04 MST")
	}
	return pct + " " + c.Source
}
