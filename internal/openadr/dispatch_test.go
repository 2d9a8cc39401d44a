package openadr

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestBatteryDispatchReachesOnlyItsVEN dispatches a battery_vpp event to
// two batteries held by two VENs and drives it from the VENs' side:
// each VEN sees only its own battery's dispatch event (in the list; the
// other's is 404 by id and refused for reports), reads its setpoint, and
// the DELTA_USAGE one VEN reports becomes the delivered energy that
// dr.CompareDelivery sets beside the plan.
//
// The plan, worked by hand from the program's reserve rule (seed 000:
// each site keeps a reserved share; battery_vpp's default is 20%), for
// a 2-hour event (5–7 pm) at full charge:
//
//	PW-A: 13.5 kWh, 5 kW, reserve 20% → 10.8 kWh above it, 5.4 kW over
//	      2 h, held to its 5 kW rating;
//	EN-B: 10 kWh, 5 kW, reserve 50% → 5 kWh above it, 2.5 kW over 2 h.
//
// The fleet can give 7.5 kW, so a 6 kW target scales both by 6/7.5: PW-A
// 4 kW (8 kWh over the event), EN-B 2 kW (4 kWh). PW-A's VEN reports
// DELTA_USAGE −3.9 and −3.7 kWh for the two hours: 7.6 kWh delivered of
// 8 kWh dispatched (950‰ of what the reporting batteries were sent);
// EN-B has not reported, so 12 kWh were dispatched in all.
func TestBatteryDispatchReachesOnlyItsVEN(t *testing.T) {
	_, router := loadSpec(t)
	ctx := context.Background()
	db := storetest.SQLite()(t)
	now := time.Date(2026, 7, 15, 9, 0, 0, 0, calendar.Pacific)
	db.Now = func() time.Time { return now.UTC() }
	secrets := map[string]string{}
	var e dr.Event
	var devs []dr.Device
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for _, c := range []store.OADRClient{{ClientID: "ven-a", Role: "ven", Name: "home A"}, {ClientID: "ven-b", Role: "ven", Name: "home B"}} {
			c.Scopes = ScopesFor(c.Role)
			s, err := tx.CreateOADRClient(ctx, auth.System, &c)
			if err != nil {
				return err
			}
			secrets[c.ClientID] = s
		}
		for i, b := range []dr.Device{
			{Type: "battery", Brand: "tesla", Serial: "PW-A", CapacityWh: 13500, MaxW: 5000},
			{Type: "battery", Brand: "enphase", Serial: "EN-B", CapacityWh: 10000, MaxW: 5000, ReservePct: 50},
		} {
			c := customer.Customer{Kind: customer.Person, Name: "Battery owner " + b.Serial}
			p := customer.Premise{Address: string(rune('1'+i)) + "00 Main St", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037", MemberAgency: "Unincorporated Los Angeles County"}
			if err := tx.CreateCustomer(ctx, auth.System, &c); err != nil {
				return err
			}
			if err := tx.CreatePremise(ctx, auth.System, &p); err != nil {
				return err
			}
			a := customer.Account{Number: "700000000" + string(rune('1'+i)), CustomerID: c.ID, PremiseID: p.ID, Class: customer.Residential,
				RateSchedule: "TOU-D-4-9PM", LSE: customer.CCA, ServiceStart: calendar.Date{Year: 2024, Month: 1, Day: 1}}
			if err := tx.CreateAccount(ctx, auth.System, &a); err != nil {
				return err
			}
			b.AccountID, b.Program, b.Enrolled = a.ID, "battery_vpp", calendar.Date{Year: 2026, Month: 5, Day: 1}
			if err := tx.RegisterDevice(ctx, auth.System, &b); err != nil {
				return err
			}
			devs = append(devs, b)
		}
		cat, err := dr.Shipped()
		if err != nil {
			return err
		}
		p, err := cat.Program("battery_vpp")
		if err != nil {
			return err
		}
		e, err = tx.ScheduleEvent(ctx, auth.System, p, dr.Proposal{Event: dr.Event{
			Start: time.Date(2026, 7, 15, 17, 0, 0, 0, calendar.Pacific).UTC(), End: time.Date(2026, 7, 15, 19, 0, 0, 0, calendar.Pacific).UTC()}, Notice: now.UTC()})
		if err != nil {
			return err
		}
		_, _, err = tx.DispatchFleet(ctx, auth.System, p, e.ID, 6000, 100)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	vtn := New(db, Options{})
	srv := httptest.NewServer(vtn.Handler())
	defer srv.Close()

	idA, idB := store.DispatchEventID(e.ID, devs[0].ID), store.DispatchEventID(e.ID, devs[1].ID)
	vens := map[string]*ven{}
	for name, serial := range map[string]string{"ven-a": "PW-A", "ven-b": "EN-B"} {
		v := &ven{t: t, base: srv.URL, router: router}
		v.login(name, secrets[name])
		st, b := v.do("POST", "/vens", map[string]any{"objectType": "VEN_VEN_REQUEST", "venName": name}, true)
		if st != 201 {
			t.Fatalf("register %s: %d %s", name, st, b)
		}
		venID := decodeTo[map[string]any](t, b)["id"]
		// The VEN names its resource for the battery's serial: that is the
		// target the battery's dispatch event carries.
		st, b = v.do("POST", "/resources", map[string]any{"objectType": "VEN_RESOURCE_REQUEST", "resourceName": serial, "venID": venID}, true)
		if st != 201 {
			t.Fatalf("resource of %s: %d %s", name, st, b)
		}
		vens[name] = v
	}
	a, b := vens["ven-a"], vens["ven-b"]

	// Each VEN lists the program's event and its own battery's dispatch.
	for name, want := range map[string]string{"ven-a": idA, "ven-b": idB} {
		st, body := vens[name].do("GET", "/events?programID=battery_vpp", nil, true)
		evs := decodeTo[[]map[string]any](t, body)
		var ids []string
		for _, ev := range evs {
			ids = append(ids, ev["id"].(string))
		}
		if st != 200 || len(ids) != 2 || ids[0] != "event-"+itoa(e.ID) || ids[1] != want {
			t.Errorf("%s lists %v (%d), want [event-%d %s]", name, ids, st, e.ID, want)
		}
	}
	// By id: its own with the setpoint; the other's is not found.
	st, body := a.do("GET", "/events/"+idA, nil, true)
	if st != 200 {
		t.Fatalf("ven-a reading its dispatch: %d %s", st, body)
	}
	ev := decodeTo[map[string]any](t, body)
	pl := ev["intervals"].([]any)[0].(map[string]any)["payloads"].([]any)[0].(map[string]any)
	if pl["type"] != "DISPATCH_SETPOINT" || pl["values"].([]any)[0] != 4.0 || ev["targets"].([]any)[0] != "PW-A" ||
		ev["intervalPeriod"].(map[string]any)["duration"] != "PT2H" {
		t.Errorf("PW-A's dispatch %s, want DISPATCH_SETPOINT 4 kW over PT2H targeted at PW-A", body)
	}
	if st, body := b.do("GET", "/events/"+idA, nil, true); st != http.StatusNotFound {
		t.Errorf("ven-b reading PW-A's dispatch: %d %s, want 404", st, body)
	}
	if st, _ := a.do("GET", "/events/"+idB, nil, true); st != http.StatusNotFound {
		t.Errorf("ven-a reading EN-B's dispatch: %d, want 404", st)
	}
	if st, body := b.do("GET", "/events?programID=battery_vpp&targets=PW-A", nil, true); st != 200 || len(decodeTo[[]any](t, body)) != 0 {
		t.Errorf("ven-b asking for PW-A's target: %d %s, want none", st, body)
	}

	report := func(eventID string, values ...float64) map[string]any {
		var ivs []any
		for i, v := range values {
			ivs = append(ivs, map[string]any{"id": i, "payloads": []any{map[string]any{"type": "DELTA_USAGE", "values": []any{v}}}})
		}
		return map[string]any{"eventID": eventID, "clientName": "home", "reportName": "dispatch delivered",
			"payloadDescriptors": []any{map[string]any{"objectType": "REPORT_PAYLOAD_DESCRIPTOR", "payloadType": "DELTA_USAGE", "readingType": "DIRECT_READ", "units": "KWH"}},
			"resources":          []any{map[string]any{"resourceName": "PW-A", "intervalPeriod": map[string]any{"start": "2026-07-15T17:00:00-07:00", "duration": "PT1H"}, "intervals": ivs}}}
	}
	// ven-b may not report on PW-A's dispatch.
	if st, body := b.do("POST", "/reports", report(idA, -8), true); st != http.StatusForbidden {
		t.Errorf("ven-b reporting on PW-A's dispatch: %d %s, want 403", st, body)
	}
	if st, body := a.do("POST", "/reports", report(idA, -3.9, -3.7), true); st != 201 {
		t.Fatalf("ven-a's report: %d %s", st, body)
	}

	del, err := Delivered(ctx, db, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := dr.DeliverySummary{Batteries: 2, Reported: 1, Unreported: 1, DispatchedWh: 12000, DeliveredWh: 7600, ReportedWh: 8000, SharePermille: 950}
	if del.Summary != want || del.Reports != 1 || len(del.Skipped) != 0 {
		t.Errorf("delivery summary %+v (reports %d, skipped %v), want %+v", del.Summary, del.Reports, del.Skipped, want)
	}
	if len(del.Rows) != 2 {
		t.Fatalf("rows %+v", del.Rows)
	}
	if r := del.Rows[0]; r.Serial != "PW-A" || r.W != 4000 || r.DispatchedWh != 8000 || r.DeliveredWh != 7600 || !r.Reported {
		t.Errorf("PW-A row %+v, want 4 kW, 8 kWh dispatched, 7.6 kWh delivered", r)
	}
	if r := del.Rows[1]; r.Serial != "EN-B" || r.W != 2000 || r.DispatchedWh != energy.Wh(4000) || r.Reported {
		t.Errorf("EN-B row %+v, want 2 kW, 4 kWh dispatched, no report", r)
	}
	vtn.Wait()
}

// TestWatchSendsBatteryDispatchOnlyToItsVEN: a storage event dispatched
// outside the VTN (store.Tx.DispatchFleet, as the CLI, API and console
// do) reaches a webhook subscriber holding PW-A's serial as the program
// event and PW-A's dispatch event only — not EN-B's — and cancelling it
// withdraws both.
func TestWatchSendsBatteryDispatchOnlyToItsVEN(t *testing.T) {
	db := storetest.SQLite()(t)
	ctx := context.Background()
	now := time.Date(2026, 7, 15, 9, 0, 0, 0, calendar.Pacific)
	db.Now = func() time.Time { return now.UTC() }
	got := make(chan string, 8)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n struct {
			Operation string
			Object    struct{ ID string }
		}
		json.NewDecoder(r.Body).Decode(&n)
		got <- n.Operation + " " + n.Object.ID
	}))
	defer hook.Close()
	cat, _ := dr.Shipped()
	vpp, _ := cat.Program("battery_vpp")
	var devs []dr.Device
	err := db.InTx(ctx, func(tx *store.Tx) error {
		c := store.OADRClient{ClientID: "ven-a", Role: "ven", Name: "home A", Scopes: ScopesFor("ven")}
		if _, err := tx.CreateOADRClient(ctx, auth.System, &c); err != nil {
			return err
		}
		for _, o := range []store.OADRObject{
			{ID: "ven-obj-a", Kind: "VEN", ClientID: "ven-a", Name: "home-a", Body: []byte(`{"venName":"home-a"}`)},
			{ID: "res-a", Kind: "RESOURCE", ClientID: "ven-a", VenID: "ven-obj-a", Name: "PW-A", Body: []byte(`{"resourceName":"PW-A","venID":"ven-obj-a"}`)},
			{ID: "sub-a", Kind: "SUBSCRIPTION", ClientID: "ven-a", Body: []byte(`{"clientName":"home-a","objectOperations":[{"objects":["EVENT"],"operations":["CREATE","UPDATE","DELETE"],"callbackUrl":"` + hook.URL + `"}]}`)},
		} {
			o.Created, o.Modified = now, now
			if err := tx.PutOADRObject(ctx, auth.System, o); err != nil {
				return err
			}
		}
		c2 := customer.Customer{Kind: customer.Person, Name: "Battery owner"}
		pr := customer.Premise{Address: "100 Main St", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037", MemberAgency: "Unincorporated Los Angeles County"}
		if err := tx.CreateCustomer(ctx, auth.System, &c2); err != nil {
			return err
		}
		if err := tx.CreatePremise(ctx, auth.System, &pr); err != nil {
			return err
		}
		a := customer.Account{Number: "7000000001", CustomerID: c2.ID, PremiseID: pr.ID, Class: customer.Residential, RateSchedule: "TOU-D-4-9PM",
			LSE: customer.CCA, ServiceStart: calendar.Date{Year: 2024, Month: 1, Day: 1}}
		if err := tx.CreateAccount(ctx, auth.System, &a); err != nil {
			return err
		}
		for _, serial := range []string{"PW-A", "EN-B"} {
			d := dr.Device{AccountID: a.ID, Program: vpp.Code, Type: "battery", Serial: serial, Enrolled: calendar.Date{Year: 2026, Month: 5, Day: 1},
				CapacityWh: 13500, MaxW: 5000}
			if err := tx.RegisterDevice(ctx, auth.System, &d); err != nil {
				return err
			}
			devs = append(devs, d)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	v := New(db, Options{})
	v.watchOnce(ctx)
	var e dr.Event
	err = db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		start := time.Date(2026, 7, 15, 17, 0, 0, 0, calendar.Pacific).UTC()
		if e, err = tx.ScheduleEvent(ctx, auth.System, vpp, dr.Proposal{Event: dr.Event{Start: start, End: start.Add(2 * time.Hour)}, Notice: now.UTC()}); err != nil {
			return err
		}
		_, _, err = tx.DispatchFleet(ctx, auth.System, vpp, e.ID, 6000, 100)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	v.watchOnce(ctx)
	v.Wait()
	v.watchOnce(ctx) // nothing new
	v.Wait()
	if err := db.InTx(ctx, func(tx *store.Tx) error { _, err := tx.MoveEvent(ctx, auth.System, e.ID, dr.Cancelled, ""); return err }); err != nil {
		t.Fatal(err)
	}
	v.watchOnce(ctx)
	v.Wait()
	close(got)
	var ops []string
	for op := range got {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	a := store.DispatchEventID(e.ID, devs[0].ID)
	want := []string{"CREATE " + a, "CREATE event-" + itoa(e.ID), "DELETE " + a, "DELETE event-" + itoa(e.ID)}
	if strings.Join(ops, ",") != strings.Join(want, ",") {
		t.Errorf("notifications %v, want %v (never EN-B's %s)", ops, want, store.DispatchEventID(e.ID, devs[1].ID))
	}
}
