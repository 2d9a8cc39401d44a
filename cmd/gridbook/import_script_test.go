package main

import (
	"context"
	"os"
	"strconv"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/store"
)

// importScriptCmds are the script commands the interval import scripts
// use to set up a registry and large inputs.
func importScriptCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"seed-meter": seedMeter,
		"synth-feed": synthFeed,
	}
}

// seedMeter is "seed-meter DB ACCOUNT SERIAL SECONDS": it creates a
// customer, a premise, account number ACCOUNT and a meter SERIAL with
// delivered and received channels of SECONDS, installed 2010-01-01, and
// prints the meter id.
func seedMeter(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: seed-meter DB ACCOUNT SERIAL SECONDS")
	}
	secs, err := strconv.Atoi(args[3])
	ts.Check(err)
	ctx := context.Background()
	db, err := store.Open(ctx, ts.MkAbs(args[0]))
	ts.Check(err)
	defer db.Close()
	actor := auth.Actor{Kind: "cli", Name: "script"}
	m := customer.Meter{Serial: args[2], IntervalSeconds: secs, Installed: calendar.Date{Year: 2010, Month: 1, Day: 1},
		Channels: []customer.Channel{{Direction: customer.Delivered}, {Direction: customer.Received}}}
	ts.Check(db.InTx(ctx, func(tx *store.Tx) error {
		c := customer.Customer{Kind: customer.Person, Name: "Script Customer " + args[1]}
		if err := tx.CreateCustomer(ctx, actor, &c); err != nil {
			return err
		}
		p := customer.Premise{Address: args[1] + " Main St", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037"}
		if err := tx.CreatePremise(ctx, actor, &p); err != nil {
			return err
		}
		a := customer.Account{Number: args[1], CustomerID: c.ID, PremiseID: p.ID, Class: customer.Residential,
			RateSchedule: "TOU-D-4-9PM", LSE: customer.CCA, ServiceStart: calendar.Date{Year: 2010, Month: 1, Day: 1}}
		if err := tx.CreateAccount(ctx, actor, &a); err != nil {
			return err
		}
		m.AccountID = a.ID
		return tx.CreateMeter(ctx, actor, &m)
	}))
	ts.Logf("meter %d", m.ID)
}

// synthFeed is "synth-feed FILE DAYS": it writes a synthetic two-channel
// 15-minute Green Button feed of DAYS days from 2025-01-01 (Pacific).
func synthFeed(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: synth-feed FILE DAYS")
	}
	days, err := strconv.Atoi(args[1])
	ts.Check(err)
	f, err := os.Create(ts.MkAbs(args[0]))
	ts.Check(err)
	feed := meterdata.SyntheticFeed{Start: time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC), Days: days, IntervalSeconds: 900, EstimatedEvery: 97}
	_, err = feed.WriteTo(f)
	ts.Check(err)
	ts.Check(f.Close())
}
