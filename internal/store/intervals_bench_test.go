package store_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

var benchActor = auth.Actor{Kind: "cli", Name: "bench"}

// benchMeter opens a new database (SQLite, or a scratch PostgreSQL one
// when pg) holding one 15-minute meter with delivered and received
// channels and returns it with the meter's id.
func benchMeter(b *testing.B, pg bool) (*store.DB, int64) {
	b.Helper()
	ctx := context.Background()
	dsn := filepath.Join(b.TempDir(), "bench.db")
	if pg {
		dsn = storetest.ScratchPostgres(b)
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	m := customer.Meter{Serial: "M-BENCH", IntervalSeconds: 900, Installed: calendar.Date{Year: 2020, Month: 1, Day: 1},
		Channels: []customer.Channel{{Direction: customer.Delivered}, {Direction: customer.Received}}}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		c := customer.Customer{Kind: customer.Person, Name: "Bench"}
		if err := tx.CreateCustomer(ctx, benchActor, &c); err != nil {
			return err
		}
		p := customer.Premise{Address: "1 Bench St", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037"}
		if err := tx.CreatePremise(ctx, benchActor, &p); err != nil {
			return err
		}
		a := customer.Account{Number: "7000000001", CustomerID: c.ID, PremiseID: p.ID, Class: customer.Residential,
			RateSchedule: "TOU-D-4-9PM", LSE: customer.CCA, ServiceStart: calendar.Date{Year: 2020, Month: 1, Day: 1}}
		if err := tx.CreateAccount(ctx, benchActor, &a); err != nil {
			return err
		}
		m.AccountID = a.ID
		return tx.CreateMeter(ctx, benchActor, &m)
	})
	if err != nil {
		b.Fatal(err)
	}
	return db, m.ID
}

// importFeed parses a feed and imports it in one transaction.
func importFeed(b *testing.B, db *store.DB, meterID int64, feed []byte) store.ImportSummary {
	ctx := context.Background()
	f, dg, err := meterdata.Read(bytes.NewReader(feed), meterdata.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var sum store.ImportSummary
	err = db.InTx(ctx, func(tx *store.Tx) error {
		sum, err = tx.ImportIntervals(ctx, benchActor, store.IntervalImport{MeterID: meterID, FileName: "year.xml", Digest: dg, File: f})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return sum
}

// BenchmarkImportIntervals measures a whole Green Button import — read,
// hash, parse, map onto the meter, merge with stored blocks, write, audit
// — of a synthetic year of 15-minute delivered and received readings
// (2 × 35,040, about 14.7 MB): into an empty meter, and the same file
// again (everything unchanged), on SQLite and (with
// GRIDBOOK_TEST_POSTGRES) PostgreSQL.
func BenchmarkImportIntervals(b *testing.B) {
	var buf bytes.Buffer
	feed := meterdata.SyntheticFeed{Start: time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC), Days: 365, IntervalSeconds: 900, EstimatedEvery: 97}
	if _, err := feed.WriteTo(&buf); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	for _, dialect := range []string{"sqlite", "postgres"} {
		pg := dialect == "postgres"
		b.Run(dialect+"-new", func(b *testing.B) {
			if pg {
				storetest.PostgresURL(b)
			}
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				b.StopTimer()
				db, id := benchMeter(b, pg)
				b.StartTimer()
				if s := importFeed(b, db, id, data); s.Added != 70080 {
					b.Fatalf("added %d", s.Added)
				}
			}
		})
		b.Run(dialect+"-again", func(b *testing.B) {
			if pg {
				storetest.PostgresURL(b)
			}
			db, id := benchMeter(b, pg)
			importFeed(b, db, id, data)
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if s := importFeed(b, db, id, data); s.Changed() != 0 {
					b.Fatalf("changed %d", s.Changed())
				}
			}
		})
	}
}
