package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/savings"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// BenchmarkMeterSavings evaluates one stored meter: two years of hourly
// readings read from the interval blocks and summed to Pacific days, two
// years of station temperature, the CalTRACK 2.0 daily fit, prediction and
// savings — the per-meter work of a portfolio run (SQLite). Figures in
// docs/performance.md.
func BenchmarkMeterSavings(b *testing.B) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	const meters = 8
	var ids []int64
	for i := range meters {
		m := benchSavingsMeter(b, db, i, "M-SAV-%d", "75%08d", "")
		code := ""
		if i == 0 {
			code = "722956"
		}
		storetest.SeedTwoYears(b, db, m.Channels[0].ID, code, 0.9)
		ids = append(ids, m.ID)
	}
	o := savings.CalcOptions{Method: savings.MethodCalTRACKDaily,
		BlackoutStart: calendar.Date{Year: 2026, Month: 1, Day: 1}, BlackoutEnd: calendar.Date{Year: 2026, Month: 1, Day: 1}}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		res, _, err := db.MeterSavings(ctx, ids[i%meters], o)
		if err != nil || res.Status != "SUCCESS" {
			b.Fatal(err, res)
		}
	}
}

// BenchmarkSavingsRun works a whole portfolio run (store.WorkSavingsRun):
// GRIDBOOK_BENCH_SAVINGS_METERS meters (default 200) enrolled in one
// program, each with two years of hourly readings, all at one weather
// station, evaluated by GRIDBOOK_BENCH_SAVINGS_METHOD (default
// caltrack-daily; daily is the eemeter 4.x model) with every result
// saved; each iteration is a new run. ms/meter is the wall time per
// meter (SQLite).
func BenchmarkSavingsRun(b *testing.B) {
	n := 200
	if s := os.Getenv("GRIDBOOK_BENCH_SAVINGS_METERS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("GRIDBOOK_BENCH_SAVINGS_METERS=%q: want a positive count", s)
		}
		n = v
	}
	method := savings.MethodCalTRACKDaily
	if s := os.Getenv("GRIDBOOK_BENCH_SAVINGS_METHOD"); s != "" {
		method = savings.Method(s)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	for i := range n {
		m := benchSavingsMeter(b, db, i, "M-RUN-%d", "76%08d", "smart_thermostat")
		code := ""
		if i == 0 {
			code = "722956"
		}
		storetest.SeedTwoYears(b, db, m.Channels[0].ID, code, 0.9)
	}
	b.ResetTimer()
	began := time.Now()
	for b.Loop() {
		var run store.SavingsRun
		err := db.InTx(ctx, func(tx *store.Tx) (err error) {
			run, err = tx.CreateSavingsRun(ctx, benchActor, "smart_thermostat", method, 0, "")
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		got, err := db.WorkSavingsRun(ctx, benchActor, run.ID, nil)
		if err != nil || got.Meters != n || got.Modelled != n {
			b.Fatalf("run %+v: %v", got, err)
		}
	}
	b.ReportMetric(float64(time.Since(began).Milliseconds())/float64(b.N*n), "ms/meter")
}

// benchSavingsMeter stores the i-th customer, premise (ZIP 90001, so
// station 722956), residential CCA account and hourly meter of a savings
// benchmark, the serial and account number from their formats, and
// enrolls the account in program from 2026-01-01 unless program is "".
func benchSavingsMeter(b *testing.B, db *store.DB, i int, serial, number, program string) customer.Meter {
	b.Helper()
	ctx := context.Background()
	m := customer.Meter{Serial: fmt.Sprintf(serial, i), IntervalSeconds: 3600, Installed: calendar.Date{Year: 2024, Month: 1, Day: 1}}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		c := customer.Customer{Kind: customer.Person, Name: fmt.Sprintf("Bench %d", i)}
		if err := tx.CreateCustomer(ctx, benchActor, &c); err != nil {
			return err
		}
		p := customer.Premise{Address: fmt.Sprintf("%d Main St", i), City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037", MemberAgency: "Unincorporated Los Angeles County"}
		if err := tx.CreatePremise(ctx, benchActor, &p); err != nil {
			return err
		}
		a := customer.Account{Number: fmt.Sprintf(number, i), CustomerID: c.ID, PremiseID: p.ID, Class: customer.Residential,
			RateSchedule: "TOU-D-4-9PM", LSE: customer.CCA, ServiceStart: calendar.Date{Year: 2024, Month: 1, Day: 1}}
		if err := tx.CreateAccount(ctx, benchActor, &a); err != nil {
			return err
		}
		m.AccountID = a.ID
		if err := tx.CreateMeter(ctx, benchActor, &m); err != nil {
			return err
		}
		if program == "" {
			return nil
		}
		e := customer.Enrollment{AccountID: a.ID, Program: program, From: calendar.Date{Year: 2026, Month: 1, Day: 1}, Source: "program"}
		return tx.Enroll(ctx, benchActor, &e)
	})
	if err != nil {
		b.Fatal(err)
	}
	return m
}
