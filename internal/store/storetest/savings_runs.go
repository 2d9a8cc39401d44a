package storetest

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/savings"
	"github.com/gridbook/gridbook/internal/store"
)

// SeedTwoYears stores two years of synthetic hourly use from 2025-01-01
// (Pacific) on channel ch — base 0.5 kWh/h plus cooling above 70 °F and
// heating below 55 °F, scaled by after from 2026-01-01 — and the matching
// temperature for station code (none when code is empty). The savings
// tests of other packages share it.
func SeedTwoYears(t testing.TB, db *store.DB, ch int64, code string, after float64) {
	t.Helper()
	start := time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)
	n := 2 * 365 * 24
	temp := savings.Temperature{Start: start, DegF: make([]float64, n)}
	vals := make([]energy.Wh, n)
	for i := range n {
		d, h := float64(i/24), float64(i%24)
		f := 62 - 15*math.Cos(2*math.Pi*(d-15)/365) + 8*math.Sin(2*math.Pi*(h-9)/24)
		temp.DegF[i] = f
		kwh := 0.5 + 0.05*math.Max(f-70, 0) + 0.04*math.Max(55-f, 0)
		if i >= 365*24 {
			kwh *= after
		}
		vals[i] = energy.Wh(math.Round(kwh * 1000))
	}
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.PutIntervals(ctx, ch, store.Series{Start: start, Step: time.Hour, Values: vals}); err != nil {
			return err
		}
		if code == "" {
			return nil
		}
		_, err := tx.PutWeather(ctx, staff, code, "", "test", temp)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// testSavingsRunEvaluatesEnrolledMeters: a portfolio run evaluates every
// meter of the accounts enrolled in the program, each from its enrollment
// start, stores energy as whole Wh, names why a meter could not be
// evaluated (its station has no weather), totals only sufficient models,
// resumes without redoing results and completes once.
func testSavingsRunEvaluatesEnrolledMeters(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	_, _, a1, m1 := seed(t, db) // ZIP 90001 → station 722956
	SeedTwoYears(t, db, m1.Channels[0].ID, "722956", 0.9)
	c2 := customer.Customer{Kind: customer.Person, Name: "Bea Cruz"}
	p2 := customer.Premise{Address: "5 Palm Dr", City: "Oxnard", ZIP: "93030", CountyFIPS: "06111", MemberAgency: "Oxnard"}
	a2 := customer.Account{Number: "7000000002", Class: customer.Residential, RateSchedule: "TOU-D-4-9PM", LSE: customer.CCA, ServiceStart: day(2024, 1, 1)}
	m2 := customer.Meter{Serial: "M-0002", IntervalSeconds: 3600, Installed: day(2024, 1, 1)}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return createMetered(ctx, tx, &c2, &p2, &a2, &m2) })
	SeedTwoYears(t, db, m2.Channels[0].ID, "", 1)
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		for _, a := range []customer.Account{a1, a2} {
			e := customer.Enrollment{AccountID: a.ID, Program: "home_energy_reports", From: calendar.Date{Year: 2026, Month: 1, Day: 1}, Source: "program"}
			if err := tx.Enroll(ctx, staff, &e); err != nil {
				return err
			}
		}
		return nil
	})
	var run store.SavingsRun
	inTx(t, db, func(ctx context.Context, tx *store.Tx) (err error) {
		run, err = tx.CreateSavingsRun(ctx, staff, "HOME_ENERGY_REPORTS", "", 0, "")
		return err
	})
	var calls int64
	got, err := db.WorkSavingsRun(ctx, staff, run.ID, func(done, total int64, _ string) { calls = done })
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.SavingsRunCompleted || got.Meters != 2 || got.Modelled != 1 || got.Sufficient != 1 || got.Failed != 1 || calls != 2 {
		t.Fatalf("run %+v, %d progress calls", got, calls)
	}
	res, err := db.SavingsResults(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	ok, bad := res[0], res[1]
	if ok.Status != "SUCCESS" || ok.ModelType != "cdd_hdd" || ok.SavingsWh != ok.PredictedWh-ok.ObservedWh ||
		math.Abs(float64(ok.SavingsWh)/float64(ok.PredictedWh)-0.1) > 0.01 || got.SavingsWh != ok.SavingsWh {
		t.Errorf("result %+v, run total %d Wh", ok, got.SavingsWh)
	}
	if bad.Status != "ERROR" || !strings.Contains(bad.Error, "no weather is stored for station") || bad.AccountNumber != "7000000002" {
		t.Errorf("result %+v", bad)
	}
	// completed runs are not worked again
	again, err := db.WorkSavingsRun(ctx, staff, run.ID, nil)
	if err != nil || again.Meters != 2 || !again.Finished.Equal(got.Finished) {
		t.Errorf("second work %+v, %v", again, err)
	}
	// the eemeter 4.x daily model as a run's method finds the same 10%
	var run4 store.SavingsRun
	inTx(t, db, func(ctx context.Context, tx *store.Tx) (err error) {
		run4, err = tx.CreateSavingsRun(ctx, staff, "home_energy_reports", savings.MethodDaily, 0, "")
		return err
	})
	if _, err := db.WorkSavingsRun(ctx, staff, run4.ID, nil); err != nil {
		t.Fatal(err)
	}
	res4, err := db.SavingsResults(ctx, run4.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r := res4[0]; run4.Method != "daily" || r.Status != "SUCCESS" || !strings.Contains(r.ModelType, "tidd") ||
		math.Abs(float64(r.SavingsWh)/float64(r.PredictedWh)-0.1) > 0.01 {
		t.Errorf("daily-model run %+v, result %+v", run4, r)
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		if _, err := tx.CreateSavingsRun(ctx, staff, "home_energy_reports", savings.MethodCalTRACKBilling, 0, ""); apperr.KindOf(err) != apperr.Invalid ||
			!strings.Contains(err.Error(), "method") {
			t.Errorf("a billing run: %v, want the method refused", err)
		}
		return nil
	})
}
