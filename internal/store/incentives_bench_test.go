package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// BenchmarkReserveUnderContention measures submissions (automatic checks
// and a first-come-first-served reservation in one transaction) from 16
// goroutines against one budget: per op is one submission. SQLite always;
// PostgreSQL too when GRIDBOOK_TEST_POSTGRES is set. Each iteration
// submits a fresh draft; the budget never runs out.
func BenchmarkReserveUnderContention(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		db, err := store.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		benchReserve(b, db)
	})
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv("GRIDBOOK_TEST_POSTGRES") == "" {
			b.Skip("set GRIDBOOK_TEST_POSTGRES to run the PostgreSQL leg")
		}
		db, err := store.Open(context.Background(), storetest.ScratchPostgres(b))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		benchReserve(b, db)
	})
}

func benchReserve(b *testing.B, db *store.DB) {
	ctx := context.Background()
	actor := auth.Actor{Kind: "cli", Name: "bench"}
	db.Now = func() time.Time { return time.Date(2026, 3, 10, 20, 0, 0, 0, time.UTC) }
	cat, err := incentive.Shipped()
	if err != nil {
		b.Fatal(err)
	}
	n := b.N
	var drafts []int64
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.ImportPrograms(ctx, actor, cat); err != nil {
			return err
		}
		bud := incentive.Budget{Slug: "bench", ProgramID: "sun-storage-rebate", Name: "bench", From: calendar.Date{Year: 2026, Month: 1, Day: 1},
			AllocatedCents: money.Cents(int64(n+1) * 75000), Source: "bench"}
		if err := tx.CreateBudget(ctx, actor, &bud); err != nil {
			return err
		}
		facts := incentive.Facts{Measure: map[string]json.RawMessage{"paired_with_solar": json.RawMessage("true")}}
		for i := range n {
			c := customer.Customer{Kind: customer.Person, Name: fmt.Sprintf("Bench %d", i)}
			if err := tx.CreateCustomer(ctx, actor, &c); err != nil {
				return err
			}
			p := customer.Premise{Address: fmt.Sprintf("%d Bench St", i), City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037"}
			if err := tx.CreatePremise(ctx, actor, &p); err != nil {
				return err
			}
			a := customer.Account{Number: fmt.Sprintf("9%09d", i), CustomerID: c.ID, PremiseID: p.ID, Class: customer.Residential,
				RateSchedule: "TOU-D-4-9PM", LSE: customer.CCA, ServiceStart: calendar.Date{Year: 2024, Month: 1, Day: 1}}
			if err := tx.CreateAccount(ctx, actor, &a); err != nil {
				return err
			}
			app, err := tx.CreateApplication(ctx, actor, store.NewApplication{ProgramID: "sun-storage-rebate", AccountID: a.ID, Facts: facts})
			if err != nil {
				return err
			}
			drafts = append(drafts, app.ID)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	next := make(chan int64, len(drafts))
	for _, id := range drafts {
		next <- id
	}
	close(next)
	b.ResetTimer()
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for id := range next {
				err := db.InTx(ctx, func(tx *store.Tx) error {
					a, err := tx.SubmitApplication(ctx, actor, id)
					if err == nil && a.Status != incentive.Reserved {
						err = fmt.Errorf("application %d is %s", id, a.Status)
					}
					return err
				})
				if err != nil {
					b.Error(err)
				}
			}
		})
	}
	wg.Wait()
}
