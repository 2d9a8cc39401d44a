package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/store"
)

var staff = auth.Actor{Kind: "user", ID: 1, Name: "test@gridbook.example"}

// Run runs every conformance check against databases from open.
func Run(t *testing.T, open Opener) {
	t.Run("RegistryRoundTrip", func(t *testing.T) { testRegistryRoundTrip(t, open(t)) })
	t.Run("IntervalsAcrossDST", func(t *testing.T) { testIntervalsAcrossDST(t, open(t)) })
}

// seed creates one customer, premise, account and meter and returns them.
func seed(t *testing.T, db *store.DB) (customer.Customer, customer.Premise, customer.Account, customer.Meter) {
	t.Helper()
	ctx := context.Background()
	c := customer.Customer{Kind: customer.Person, Name: "Ana Reyes", Email: "ana@example.org"}
	p := customer.Premise{Address: "100 Main St", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037", MemberAgency: "Unincorporated Los Angeles County"}
	a := customer.Account{Number: "7000000001", Class: customer.Residential, RateSchedule: "TOU-D-4-9PM", LSE: customer.CCA,
		ServiceStart: calendar.Date{Year: 2024, Month: 1, Day: 1}, Household: &customer.Household{Size: 4, AnnualIncome: 6430000}}
	m := customer.Meter{Serial: "M-0001", IntervalSeconds: 3600, Installed: calendar.Date{Year: 2024, Month: 1, Day: 1},
		Channels: []customer.Channel{{Direction: customer.Delivered}, {Direction: customer.Received}}}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateCustomer(ctx, staff, &c); err != nil {
			return err
		}
		if err := tx.CreatePremise(ctx, staff, &p); err != nil {
			return err
		}
		a.CustomerID, a.PremiseID = c.ID, p.ID
		if err := tx.CreateAccount(ctx, staff, &a); err != nil {
			return err
		}
		m.AccountID = a.ID
		return tx.CreateMeter(ctx, staff, &m)
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return c, p, a, m
}

func testRegistryRoundTrip(t *testing.T, db *store.DB) {
	ctx := context.Background()
	_, p, a, _ := seed(t, db)
	got, err := db.Account(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Number != a.Number || got.Household == nil || got.Household.Size != 4 || got.Household.AnnualIncome != 6430000 {
		t.Fatalf("account round trip: %+v", got)
	}
	gp, err := db.Premise(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	// 90001 is climate zone 8 in the CZ2010 ZIP table (research/programs.md §2.5).
	if gp.ClimateZone != 8 {
		t.Fatalf("premise climate zone = %d, want 8", gp.ClimateZone)
	}
}

func testIntervalsAcrossDST(t *testing.T, db *store.DB) {
	ctx := context.Background()
	_, _, _, m := seed(t, db)
	ch := m.Channels[0].ID
	// The fall-back day 2026-11-01 has 25 hours.
	day := calendar.Date{Year: 2026, Month: 11, Day: 1}
	starts := calendar.Intervals(day, time.Hour)
	if len(starts) != 25 {
		t.Fatalf("2026-11-01 has %d hours, want 25", len(starts))
	}
	vals := make([]energy.Wh, 25)
	for i := range vals {
		vals[i] = energy.Wh(100 + i)
	}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		return tx.PutIntervals(ctx, ch, store.Series{Start: starts[0], Step: time.Hour, Values: vals})
	})
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.Intervals(ctx, ch, starts[0], day.Next().Start())
	if err != nil {
		t.Fatal(err)
	}
	sum, missing := s.Sum()
	// 100 + 101 + … + 124 = 25 × 112 = 2,800 Wh.
	if len(s.Values) != 25 || sum != 2800 || missing != 0 {
		t.Fatalf("read back %d values, sum %d, missing %d; want 25, 2800, 0", len(s.Values), sum, missing)
	}
}
