package openadr

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestFleetDispatchReadsReportedCharge: two 13.5 kWh, 5 kW batteries
// keeping battery_vpp's 20% reserve (2.7 kWh), a 2-hour event (5–7 pm),
// dispatched at 3 pm assuming full charge for a 20 kW target. PW-A's VEN
// reported STORAGE_CHARGE_LEVEL 0.5 at 2:30 pm (half an hour old, within
// the program's 60 minutes): 6.75 kWh, 4.05 kWh above the reserve, so
// 2.025 kW and 4.05 kWh. ven-b, holding no battery, reported 0.1 for
// EN-B: not recorded, so EN-B is taken as full (10.8 kWh above the
// reserve, 5.4 kW over two hours) and held to its 5 kW rating, 10 kWh.
// A charge level of 55 (outside the spec's 0–1) is a 400. Reports are
// checked against openadr3.yaml.
func TestFleetDispatchReadsReportedCharge(t *testing.T) {
	_, router := loadSpec(t)
	ctx := context.Background()
	db := storetest.SQLite()(t)
	now := time.Date(2026, 7, 15, 15, 0, 0, 0, calendar.Pacific)
	db.Now = func() time.Time { return now.UTC() }
	cat, _ := dr.Shipped()
	vpp, _ := cat.Program("battery_vpp")
	secrets := map[string]string{}
	var e dr.Event
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for _, c := range []store.OADRClient{{ClientID: "ven-a", Role: "ven", Name: "home A"}, {ClientID: "ven-b", Role: "ven", Name: "home B"}} {
			c.Scopes = ScopesFor(c.Role)
			s, err := tx.CreateOADRClient(ctx, auth.System, &c)
			if err != nil {
				return err
			}
			secrets[c.ClientID] = s
		}
		c := customer.Customer{Kind: customer.Person, Name: "Battery owner"}
		p := customer.Premise{Address: "100 Main St", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037", MemberAgency: "Unincorporated Los Angeles County"}
		if err := tx.CreateCustomer(ctx, auth.System, &c); err != nil {
			return err
		}
		if err := tx.CreatePremise(ctx, auth.System, &p); err != nil {
			return err
		}
		a := customer.Account{Number: "7000000001", CustomerID: c.ID, PremiseID: p.ID, Class: customer.Residential,
			RateSchedule: "TOU-D-4-9PM", LSE: customer.CCA, ServiceStart: calendar.Date{Year: 2024, Month: 1, Day: 1}}
		if err := tx.CreateAccount(ctx, auth.System, &a); err != nil {
			return err
		}
		for _, serial := range []string{"PW-A", "EN-B"} {
			d := dr.Device{AccountID: a.ID, Program: vpp.Code, Type: "battery", Serial: serial, CapacityWh: 13500, MaxW: 5000,
				Enrolled: calendar.Date{Year: 2026, Month: 5, Day: 1}}
			if err := tx.RegisterDevice(ctx, auth.System, &d); err != nil {
				return err
			}
		}
		var err error
		e, err = tx.ScheduleEvent(ctx, auth.System, vpp, dr.Proposal{Event: dr.Event{
			Start: time.Date(2026, 7, 15, 17, 0, 0, 0, calendar.Pacific).UTC(), End: time.Date(2026, 7, 15, 19, 0, 0, 0, calendar.Pacific).UTC()}, Notice: now.UTC()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(db, Options{}).Handler())
	defer srv.Close()
	vens := map[string]*ven{}
	for _, id := range []string{"ven-a", "ven-b"} {
		vens[id] = &ven{t: t, base: srv.URL, router: router}
		vens[id].login(id, secrets[id])
		st, body := vens[id].do("POST", "/vens", map[string]any{"objectType": "VEN_VEN_REQUEST", "venName": "home-" + id}, true)
		if st != 201 {
			t.Fatalf("VEN of %s: %d %s", id, st, body)
		}
		if id == "ven-a" {
			venID := decodeTo[map[string]any](t, body)["id"]
			if st, body := vens[id].do("POST", "/resources", map[string]any{"objectType": "VEN_RESOURCE_REQUEST", "resourceName": "PW-A", "venID": venID}, true); st != 201 {
				t.Fatalf("resource PW-A: %d %s", st, body)
			}
		}
	}
	report := func(serial string, level float64) map[string]any {
		return map[string]any{"programID": vpp.Code, "eventID": "event-" + itoa(e.ID), "clientName": "home", "resources": []any{map[string]any{
			"resourceName": serial, "intervals": []any{map[string]any{"id": 0, "intervalPeriod": map[string]any{"start": "2026-07-15T14:30:00-07:00"},
				"payloads": []any{map[string]any{"type": "STORAGE_CHARGE_LEVEL", "values": []any{level}}}}}}}}
	}
	if st, body := vens["ven-a"].do("POST", "/reports", report("PW-A", 0.5), true); st != 201 {
		t.Fatalf("ven-a's charge report: %d %s", st, body)
	}
	if st, body := vens["ven-b"].do("POST", "/reports", report("EN-B", 0.1), true); st != 201 {
		t.Fatalf("ven-b's charge report: %d %s", st, body)
	}
	if st, body := vens["ven-a"].do("POST", "/reports", report("PW-A", 55), false); st != http.StatusBadRequest {
		t.Errorf("a charge level of 55: %d %s, want 400", st, body)
	}
	latest, err := db.LatestCharges(ctx, vpp.Code)
	if err != nil {
		t.Fatal(err)
	}
	if len(latest) != 1 {
		t.Errorf("recorded charges %v, want PW-A's alone", latest)
	}
	var rec store.FleetRecord
	err = db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		rec, _, err = tx.DispatchFleet(ctx, auth.System, vpp, e.ID, 20000, 100)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]dr.Dispatch{"PW-A": {W: 2025, Wh: 4050, Limit: "reserve"}, "EN-B": {W: 5000, Wh: 10000, Limit: "power"}}
	for _, d := range rec.Dispatches {
		w := want[d.Serial]
		if d.W != w.W || d.Wh != w.Wh || d.Limit != w.Limit {
			t.Errorf("%s: %d W, %d Wh (%s), want %d W, %d Wh (%s)", d.Serial, d.W, d.Wh, d.Limit, w.W, w.Wh, w.Limit)
		}
	}
	if rec.FleetW != 7025 {
		t.Errorf("fleet %d W, want 7,025 W", rec.FleetW)
	}
}
