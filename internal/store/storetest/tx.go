package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

// writeMany performs one of every kind of registry write in tx.
func writeMany(ctx context.Context, tx *store.Tx, a customer.Account) error {
	c := newCustomer("Rollback Person", "rb@example.org")
	if err := tx.CreateCustomer(ctx, staff, &c); err != nil {
		return err
	}
	p := newPremise("5 Undo Ave", "90012", "06037", "Unincorporated Los Angeles County")
	if err := tx.CreatePremise(ctx, staff, &p); err != nil {
		return err
	}
	acct := newAccount("7000000777", c, p)
	if err := tx.CreateAccount(ctx, staff, &acct); err != nil {
		return err
	}
	m := customer.Meter{AccountID: acct.ID, Serial: "M-ROLLBACK", IntervalSeconds: 3600, Installed: day(2025, 1, 1)}
	if err := tx.CreateMeter(ctx, staff, &m); err != nil {
		return err
	}
	e := customer.Enrollment{AccountID: a.ID, Program: customer.ProgramCARE, From: day(2025, 1, 1), Note: "utility certified"}
	if err := tx.Enroll(ctx, staff, &e); err != nil {
		return err
	}
	upd := a
	upd.RateSchedule = "TOU-D-PRIME"
	return tx.UpdateAccount(ctx, staff, &upd)
}

// testTxErrorRollsBack checks DESIGN.md principle 5: a failure part-way
// leaves nothing half-written, audit records included.
func testTxErrorRollsBack(t *testing.T, db *store.DB) {
	ctx := context.Background()
	_, _, a, _ := seed(t, db)
	before := counts(t, db)
	boom := errors.New("boom")
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if err := writeMany(ctx, tx, a); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx returned %v, want the function's error", err)
	}
	if diff := cmp.Diff(before, counts(t, db)); diff != "" {
		t.Errorf("row counts changed (-before +after):\n%s", diff)
	}
	got, err := db.Account(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.RateSchedule != "TOU-D-4-9PM" {
		t.Errorf("rate schedule %q after rollback, want TOU-D-4-9PM", got.RateSchedule)
	}

	// A store error part-way (a duplicate meter serial after good writes)
	// rolls back the good writes too.
	err = db.InTx(ctx, func(tx *store.Tx) error {
		c := newCustomer("Half Written", "")
		if err := tx.CreateCustomer(ctx, staff, &c); err != nil {
			return err
		}
		m := customer.Meter{AccountID: a.ID, Serial: "M-0001", IntervalSeconds: 3600, Installed: day(2025, 1, 1)}
		return tx.CreateMeter(ctx, staff, &m)
	})
	if err == nil {
		t.Fatal("duplicate serial: no error")
	}
	if diff := cmp.Diff(before, counts(t, db)); diff != "" {
		t.Errorf("row counts changed after a store error (-before +after):\n%s", diff)
	}
	// The database is still usable afterwards.
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return writeMany(ctx, tx, a) })
	if n := countRows(t, db, "customers"); n != before["customers"]+1 {
		t.Errorf("customers = %d after a committed write, want %d", n, before["customers"]+1)
	}
}

func testTxPanicRollsBack(t *testing.T, db *store.DB) {
	ctx := context.Background()
	_, _, a, _ := seed(t, db)
	before := counts(t, db)
	func() {
		defer func() {
			if p := recover(); p != "kaboom" {
				t.Errorf("recovered %v, want the panic to propagate as \"kaboom\"", p)
			}
		}()
		_ = db.InTx(ctx, func(tx *store.Tx) error {
			if err := writeMany(ctx, tx, a); err != nil {
				t.Errorf("writes: %v", err)
				return err
			}
			panic("kaboom")
		})
	}()
	if diff := cmp.Diff(before, counts(t, db)); diff != "" {
		t.Errorf("row counts changed (-before +after):\n%s", diff)
	}
	// The connection went back to the pool clean: a new transaction works.
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return writeMany(ctx, tx, a) })
}
