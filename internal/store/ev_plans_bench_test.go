package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/evcharge"
	"github.com/gridbook/gridbook/internal/store"
)

// BenchmarkCurrentEVPlans reads the plans in force, as the VTN does on
// every GET /events: GRIDBOOK_BENCH_EV_VEHICLES vehicles (default 1,000),
// each with a month of nightly plans (30) of which only the last departs
// after the benchmark's clock.
func BenchmarkCurrentEVPlans(b *testing.B) {
	n := 1000
	if s := os.Getenv("GRIDBOOK_BENCH_EV_VEHICLES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n <= 0 {
			b.Fatalf("GRIDBOOK_BENCH_EV_VEHICLES=%q", s)
		}
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "ev.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	first := time.Date(2026, 7, 1, 18, 0, 0, 0, calendar.Pacific)
	db.Now = func() time.Time { return first.AddDate(0, 0, 29).Add(2 * time.Hour) } // the last night's plug-in
	actor := auth.Actor{Kind: "cli", Name: "bench"}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		c := customer.Customer{Kind: customer.Organization, Name: "Fleet"}
		p := customer.Premise{Address: "1 Depot Way", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037"}
		if err := tx.CreateCustomer(ctx, actor, &c); err != nil {
			return err
		}
		if err := tx.CreatePremise(ctx, actor, &p); err != nil {
			return err
		}
		a := customer.Account{Number: "7000000001", CustomerID: c.ID, PremiseID: p.ID, Class: customer.Commercial, RateSchedule: "TOU-GS-1-D",
			LSE: customer.CCA, ServiceStart: calendar.Date{Year: 2024, Month: 1, Day: 1}}
		if err := tx.CreateAccount(ctx, actor, &a); err != nil {
			return err
		}
		for i := range n {
			v := evcharge.Vehicle{AccountID: a.ID, Name: fmt.Sprintf("EV-%05d", i), BatteryWh: 60000, MaxW: 7200, Charger: "level2",
				Enrolled: calendar.Date{Year: 2026, Month: 6, Day: 1}}
			if err := tx.EnrollVehicle(ctx, actor, &v); err != nil {
				return err
			}
			for d := range 30 {
				plug := first.AddDate(0, 0, d).UTC()
				start := plug.Add(8 * time.Hour)
				p := store.EVPlanRecord{VehicleID: v.ID, PlugIn: plug, Departure: plug.Add(13 * time.Hour), NeedWh: 14400, Source: "bench",
					Plan: evcharge.Plan{Objective: evcharge.LeastCost, EnergyWh: 14400,
						Slots: []evcharge.Slot{{Start: start, End: start.Add(2 * time.Hour), W: 7200, EnergyWh: 14400}}}}
				if err := tx.SaveEVPlan(ctx, actor, &p); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		ps, err := db.CurrentEVPlans(ctx, db.Now())
		if err != nil || len(ps) != n {
			b.Fatalf("%d plans in force, want %d (%v)", len(ps), n, err)
		}
	}
}
