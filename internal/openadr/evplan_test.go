package openadr

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/evcharge"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestEVPlanReachesOnlyTheVehiclesVEN stores a charging plan for vehicle
// EV-A (7.2 kW from 00:00 to 01:30 PDT, then 3.6 kW to 02:00) and drives
// the VTN from two VENs' side with the spec-written client: the VEN whose
// resource is named EV-A lists the plan's event in ev_smartcharge, its
// intervals are the two slots with DISPATCH_SETPOINT 7.2 and 3.6 kW over
// PT1H30M and PT30M; the other VEN neither lists it nor reads it (404).
// PublishEVPlan sends the CREATE to the first VEN's webhook only.
func TestEVPlanReachesOnlyTheVehiclesVEN(t *testing.T) {
	_, router := loadSpec(t)
	ctx := context.Background()
	db := storetest.SQLite()(t)
	now := time.Date(2026, 7, 15, 21, 0, 0, 0, calendar.Pacific)
	db.Now = func() time.Time { return now.UTC() }
	hooks := map[string]chan string{"ven-a": make(chan string, 4), "ven-b": make(chan string, 4)}
	srvs := map[string]*httptest.Server{}
	for name, ch := range hooks {
		srvs[name] = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var n struct {
				Operation string
				Object    struct{ ID string }
			}
			json.NewDecoder(r.Body).Decode(&n)
			ch <- n.Operation + " " + n.Object.ID
		}))
		defer srvs[name].Close()
	}
	secrets := map[string]string{}
	start := time.Date(2026, 7, 16, 0, 0, 0, 0, calendar.Pacific).UTC()
	plan := store.EVPlanRecord{PlugIn: now.UTC(), Departure: start.Add(9 * time.Hour), NeedWh: 12600, Source: "tariff TOU-D-PRIME",
		Plan: evcharge.Plan{Objective: evcharge.LeastCost, EnergyWh: 12600, Slots: []evcharge.Slot{
			{Start: start, End: start.Add(90 * time.Minute), W: 7200, EnergyWh: 10800},
			{Start: start.Add(90 * time.Minute), End: start.Add(2 * time.Hour), W: 3600, EnergyWh: 1800}}}}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		for _, c := range []store.OADRClient{{ClientID: "ven-a", Role: "ven", Name: "home A"}, {ClientID: "ven-b", Role: "ven", Name: "home B"}} {
			c.Scopes = ScopesFor(c.Role)
			s, err := tx.CreateOADRClient(ctx, auth.System, &c)
			if err != nil {
				return err
			}
			secrets[c.ClientID] = s
		}
		c := customer.Customer{Kind: customer.Person, Name: "EV owner"}
		p := customer.Premise{Address: "100 Main St", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037", MemberAgency: "Unincorporated Los Angeles County"}
		if err := tx.CreateCustomer(ctx, auth.System, &c); err != nil {
			return err
		}
		if err := tx.CreatePremise(ctx, auth.System, &p); err != nil {
			return err
		}
		a := customer.Account{Number: "7000000001", CustomerID: c.ID, PremiseID: p.ID, Class: customer.Residential, RateSchedule: "TOU-D-PRIME",
			LSE: customer.CCA, ServiceStart: calendar.Date{Year: 2024, Month: 1, Day: 1}}
		if err := tx.CreateAccount(ctx, auth.System, &a); err != nil {
			return err
		}
		v := evcharge.Vehicle{AccountID: a.ID, Name: "EV-A", BatteryWh: 64000, MaxW: 7200, Charger: "level2", Enrolled: calendar.Date{Year: 2026, Month: 7, Day: 1}}
		if err := tx.EnrollVehicle(ctx, auth.System, &v); err != nil {
			return err
		}
		plan.VehicleID = v.ID
		return tx.SaveEVPlan(ctx, auth.System, &plan)
	})
	if err != nil {
		t.Fatal(err)
	}
	vtn := New(db, Options{PollCache: -1}) // every poll reads the plans in force
	srv := httptest.NewServer(vtn.Handler())
	defer srv.Close()
	id := "evplan-" + itoa(plan.ID)
	vens := map[string]*ven{}
	for name, resource := range map[string]string{"ven-a": "EV-A", "ven-b": "EV-B"} {
		v := &ven{t: t, base: srv.URL, router: router}
		v.login(name, secrets[name])
		st, b := v.do("POST", "/vens", map[string]any{"objectType": "VEN_VEN_REQUEST", "venName": name}, true)
		if st != 201 {
			t.Fatalf("register %s: %d %s", name, st, b)
		}
		venID := decodeTo[map[string]any](t, b)["id"]
		if st, b = v.do("POST", "/resources", map[string]any{"objectType": "VEN_RESOURCE_REQUEST", "resourceName": resource, "venID": venID}, true); st != 201 {
			t.Fatalf("resource of %s: %d %s", name, st, b)
		}
		sub := map[string]any{"clientName": name, "programID": evPlanProgram, "objectOperations": []any{map[string]any{"objects": []any{"EVENT"},
			"operations": []any{"CREATE"}, "callbackUrl": srvs[name].URL}}}
		if st, b = v.do("POST", "/subscriptions", sub, true); st != 201 {
			t.Fatalf("subscription of %s: %d %s", name, st, b)
		}
		vens[name] = v
	}
	st, body := vens["ven-a"].do("GET", "/events?programID=ev_smartcharge", nil, true)
	evs := decodeTo[[]map[string]any](t, body)
	if st != 200 || len(evs) != 1 || evs[0]["id"] != id {
		t.Fatalf("ven-a lists %s (%d), want [%s]", body, st, id)
	}
	ev := evs[0]
	ivs := ev["intervals"].([]any)
	want := []struct {
		start, dur string
		kw         float64
	}{{"2026-07-16T07:00:00Z", "PT1H30M", 7.2}, {"2026-07-16T08:30:00Z", "PT30M", 3.6}}
	if len(ivs) != 2 || ev["targets"].([]any)[0] != "EV-A" || ev["intervalPeriod"].(map[string]any)["duration"] != "PT2H" {
		t.Fatalf("event %s", body)
	}
	for i, w := range want {
		iv := ivs[i].(map[string]any)
		ip := iv["intervalPeriod"].(map[string]any)
		pl := iv["payloads"].([]any)[0].(map[string]any)
		if ip["start"] != w.start || ip["duration"] != w.dur || pl["type"] != "DISPATCH_SETPOINT" || pl["values"].([]any)[0] != w.kw {
			t.Errorf("interval %d: %v, want %s %s %v kW", i, iv, w.start, w.dur, w.kw)
		}
	}
	if st, body := vens["ven-b"].do("GET", "/events?programID=ev_smartcharge", nil, true); st != 200 || len(decodeTo[[]any](t, body)) != 0 {
		t.Errorf("ven-b lists %s", body)
	}
	if st, _ := vens["ven-b"].do("GET", "/events/"+id, nil, true); st != http.StatusNotFound {
		t.Errorf("ven-b reading EV-A's plan: %d, want 404", st)
	}
	if st, _ := vens["ven-a"].do("GET", "/events/"+id, nil, true); st != 200 {
		t.Errorf("ven-a reading its plan: %d", st)
	}

	// A new plan for the vehicle replaces the one in force (the kept
	// events are rebuilt when the largest plan id grows); once the car has
	// left, no plan event is listed, while the plan is still read by id.
	next := plan
	next.ID = 0
	if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.SaveEVPlan(ctx, auth.System, &next) }); err != nil {
		t.Fatal(err)
	}
	if _, body := vens["ven-a"].do("GET", "/events?programID=ev_smartcharge", nil, true); len(decodeTo[[]map[string]any](t, body)) != 1 ||
		decodeTo[[]map[string]any](t, body)[0]["id"] != "evplan-"+itoa(next.ID) {
		t.Errorf("after a new plan ven-a lists %s, want evplan-%d", body, next.ID)
	}
	now = plan.Departure.In(calendar.Pacific)
	vens["ven-a"].login("ven-a", secrets["ven-a"]) // the first token has expired by then
	if _, body := vens["ven-a"].do("GET", "/events?programID=ev_smartcharge", nil, true); len(decodeTo[[]any](t, body)) != 0 {
		t.Errorf("after departure ven-a lists %s", body)
	}
	if st, _ := vens["ven-a"].do("GET", "/events/"+id, nil, true); st != 200 {
		t.Errorf("ven-a reading a past plan: %d", st)
	}

	vtn.PublishEVPlan(ctx, plan)
	vtn.Wait()
	close(hooks["ven-a"])
	close(hooks["ven-b"])
	var got []string
	for n := range hooks["ven-a"] {
		got = append(got, n)
	}
	if strings.Join(got, ",") != "CREATE "+id {
		t.Errorf("ven-a's webhook got %v, want [CREATE %s]", got, id)
	}
	for n := range hooks["ven-b"] {
		t.Errorf("ven-b's webhook got %s", n)
	}
}
