package openadr

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestLightSwitchLastSeenFromMQTT: a Smart Light Switch connecting to the
// broker with its serial as MQTT client id is recorded as seen at
// CONNECT; its keep-alive a minute later records nothing new (at most
// every five minutes), one six minutes on does; a client id that is no
// switch's is accepted and records nothing.
func TestLightSwitchLastSeenFromMQTT(t *testing.T) {
	db := storetest.SQLite()(t)
	ctx := context.Background()
	t0 := time.Date(2026, 7, 15, 9, 0, 0, 0, calendar.Pacific).UTC()
	var clock atomic.Int64 // the broker reads the clock on its own goroutines
	clock.Store(t0.Unix())
	db.Now = func() time.Time { return time.Unix(clock.Load(), 0).UTC() }
	err := db.InTx(ctx, func(tx *store.Tx) error {
		c := customer.Customer{Kind: customer.Person, Name: "Switch owner"}
		pr := customer.Premise{Address: "1 Oak St", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037", MemberAgency: "Unincorporated Los Angeles County"}
		if err := tx.CreateCustomer(ctx, auth.System, &c); err != nil {
			return err
		}
		if err := tx.CreatePremise(ctx, auth.System, &pr); err != nil {
			return err
		}
		a := customer.Account{Number: "7000000042", CustomerID: c.ID, PremiseID: pr.ID, Class: customer.Residential, RateSchedule: "TOU-D-4-9PM",
			LSE: customer.CCA, ServiceStart: calendar.Date{Year: 2024, Month: 1, Day: 1}}
		if err := tx.CreateAccount(ctx, auth.System, &a); err != nil {
			return err
		}
		d := dr.Device{AccountID: a.ID, Program: "smart_light_switch", Type: "light_switch", Brand: "flick", Serial: "FLICK-0042",
			Enrolled: calendar.Date{Year: 2026, Month: 1, Day: 15}}
		return tx.RegisterDevice(ctx, auth.System, &d)
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := StartBroker("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.AllowAnonymous()
	New(db, Options{Broker: b})
	lastSeen := func() time.Time {
		t.Helper()
		ds, err := db.Devices(ctx, store.DeviceFilter{Type: "light_switch"})
		if err != nil || len(ds) != 1 {
			t.Fatalf("devices %v %v", ds, err)
		}
		return ds[0].LastSeen
	}
	addr := strings.TrimPrefix(b.URI(), "mqtt://")
	dialMQTT(t, addr, "not-a-switch")
	if ls := lastSeen(); !ls.IsZero() {
		t.Errorf("last seen %v after another client id connected, want never", ls)
	}
	sw := dialMQTT(t, addr, "FLICK-0042")
	if ls := lastSeen(); !ls.Equal(t0) {
		t.Errorf("last seen %v after CONNECT, want %v", ls, t0)
	}
	// PINGREQ (§3.12) twice: the second PINGRESP comes after the first
	// PINGREQ was processed whole.
	ping := func() {
		t.Helper()
		for range 2 {
			sw.send(0xc0, nil)
			if kind, _, err := sw.read(5 * time.Second); err != nil || kind != 0xd0 {
				t.Fatalf("PINGRESP: %#x %v", kind, err)
			}
		}
	}
	clock.Add(60)
	ping()
	if ls := lastSeen(); !ls.Equal(t0) {
		t.Errorf("last seen %v a minute on, want still %v", ls, t0)
	}
	clock.Add(5 * 60)
	ping()
	if want := t0.Add(6 * time.Minute); !lastSeen().Equal(want) {
		t.Errorf("last seen %v six minutes on, want %v", lastSeen(), want)
	}
}
