package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestDRScripts runs the demand-response, EV and emissions script tests
// in testdata/dr.
func TestDRScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/dr", Cmds: map[string]func(*testscript.TestScript, bool, []string){
		"dr-load":    drLoad,
		"seed-meter": seedMeter,
		"dr-enroll":  drEnroll,
	}})
}

// drLoad is "dr-load FILE": it writes a plain interval CSV of hourly
// delivered energy from 1 August to 10 September 2026 (Pacific days):
// weekdays 1,000 Wh an hour, weekends 3,000, Labor Day (7 September)
// 5,000; on Thursday 10 September the hours 12–14 hold 1,100 and the event
// hours 16 and 17 hold 700 and 800.
func drLoad(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: dr-load FILE")
	}
	var b strings.Builder
	b.WriteString("start,duration_s,delivered_wh,received_wh\n")
	event := calendar.Date{Year: 2026, Month: time.September, Day: 10}
	for d := (calendar.Date{Year: 2026, Month: time.August, Day: 1}); !d.After(event); d = d.Next() {
		for _, t := range calendar.Intervals(d, time.Hour) {
			v := 1000
			switch wd := d.Weekday(); {
			case d == calendar.Date{Year: 2026, Month: time.September, Day: 7}:
				v = 5000
			case wd == time.Saturday || wd == time.Sunday:
				v = 3000
			case d == event:
				switch t.In(calendar.Pacific).Hour() {
				case 12, 13, 14:
					v = 1100
				case 16:
					v = 700
				case 17:
					v = 800
				}
			}
			fmt.Fprintf(&b, "%s,3600,%d,\n", t.Format(time.RFC3339), v)
		}
	}
	if err := os.WriteFile(ts.MkAbs(args[0]), []byte(b.String()), 0o644); err != nil {
		ts.Fatalf("%v", err)
	}
}

// drEnroll is "dr-enroll DB ACCOUNT PROGRAM TRACK": it enrolls account
// number ACCOUNT in PROGRAM on TRACK from 2020-01-01.
func drEnroll(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: dr-enroll DB ACCOUNT PROGRAM TRACK")
	}
	ctx := context.Background()
	db, err := store.Open(ctx, ts.MkAbs(args[0]))
	ts.Check(err)
	defer db.Close()
	a, err := db.AccountByNumber(ctx, args[1])
	ts.Check(err)
	ts.Check(db.InTx(ctx, func(tx *store.Tx) error {
		return tx.Enroll(ctx, auth.Actor{Kind: "cli", Name: "script"}, &customer.Enrollment{AccountID: a.ID, Program: args[2], Track: args[3],
			From: calendar.Date{Year: 2020, Month: 1, Day: 1}, Source: "staff"})
	}))
}
