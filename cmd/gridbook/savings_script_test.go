package main

import (
	"compress/gzip"
	"context"
	"encoding/csv"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/store"
)

// TestSavingsScripts runs the `gridbook savings` script tests in
// testdata/savings against eemeter's samples in ../shared/data/eemeter
// ($EEMETER in the scripts); they skip when the samples are absent.
func TestSavingsScripts(t *testing.T) {
	dir, err := filepath.Abs("../../../shared/data/eemeter")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "samples")); err != nil {
		t.Skipf("eemeter samples not available: %v", err)
	}
	cmds := importScriptCmds()
	cmds["eemeter-plain"] = eemeterPlain
	cmds["enroll"] = enrollScript
	testscript.Run(t, testscript.Params{Dir: "testdata/savings", Cmds: cmds, Setup: func(env *testscript.Env) error {
		env.Setenv("EEMETER", dir)
		return nil
	}})
}

// eemeterPlain is "eemeter-plain SRC DST": it rewrites one of eemeter's
// hourly samples (gzip CSV start,value in kWh) as the plain interval CSV
// (whole Wh delivered, nothing received) for gridbook import intervals.
func eemeterPlain(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: eemeter-plain SRC DST")
	}
	f, err := os.Open(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	zr, err := gzip.NewReader(f)
	ts.Check(err)
	recs, err := csv.NewReader(zr).ReadAll()
	ts.Check(err)
	var b strings.Builder
	b.WriteString(meterdata.PlainCSVHeader + "\n")
	for _, r := range recs[1:] {
		v, err := strconv.ParseFloat(r[1], 64)
		if err != nil || math.IsNaN(v) {
			continue
		}
		fmt.Fprintf(&b, "%s,3600,%d,\n", r[0], int64(math.Round(v*1000)))
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(b.String()), 0o644))
}

// enrollScript is "enroll DB ACCOUNT PROGRAM DATE": it enrolls the account
// with that number in the program from DATE.
func enrollScript(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 4 {
		ts.Fatalf("usage: enroll DB ACCOUNT PROGRAM DATE")
	}
	from, err := calendar.ParseDate(args[3])
	ts.Check(err)
	ctx := context.Background()
	db, err := store.Open(ctx, ts.MkAbs(args[0]))
	ts.Check(err)
	defer db.Close()
	ts.Check(db.InTx(ctx, func(tx *store.Tx) error {
		a, err := tx.AccountByNumber(ctx, args[1])
		if err != nil {
			return err
		}
		e := customer.Enrollment{AccountID: a.ID, Program: args[2], From: from, Source: "script"}
		return tx.Enroll(ctx, auth.Actor{Kind: "cli", Name: "script"}, &e)
	}))
}
