package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestDRFleetDispatch schedules a battery_vpp event with a 6 kW target
// and reads its plan, then dispatches a second event through the fleet
// operation. Worked by hand (seed 000: each site keeps a reserved share;
// battery_vpp's default is 20%), for 2-hour events at full charge:
// a 13.5 kWh, 5 kW battery keeps 2.7 kWh and may give 10.8 kWh = 5.4 kW,
// held to 5 kW; a 10 kWh, 5 kW battery keeping 50% may give 2.5 kW. The
// fleet gives 7.5 kW: 6 kW scales both by 6/7.5 (4 kW and 2 kW); 10 kW
// gets each battery's limit.
func TestDRFleetDispatch(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	ctx := context.Background()
	for _, d := range []dr.Device{
		{AccountID: e.acct1.ID, Serial: "PW-A", CapacityWh: 13500, MaxW: 5000},
		{AccountID: e.acct2.ID, Serial: "EN-B", CapacityWh: 10000, MaxW: 5000, ReservePct: 50},
	} {
		d.Program, d.Type, d.Brand, d.Enrolled = "battery_vpp", "battery", "test", calendar.Date{Year: 2026, Month: 5, Day: 1}
		if err := e.db.InTx(ctx, func(tx *store.Tx) error { return tx.RegisterDevice(ctx, seedActor, &d) }); err != nil {
			t.Fatal(err)
		}
	}
	vpp := func(day string) string {
		return `{"program":"battery_vpp","start":"` + day + `T17:00:00-07:00","end":"` + day + `T19:00:00-07:00","notice":"` + day + `T09:00:00-07:00"`
	}
	var ev drEventJSON
	e.do("POST", "/api/v1/dr/events", vpp("2026-08-18")+`,"target_kw":6}`, e.manager).want(t, http.StatusCreated).decode(t, &ev)
	var plan drFleetJSON
	e.do("GET", "/api/v1/dr/events/"+itoa(ev.ID)+"/fleet", "", e.readClient).want(t, http.StatusOK).decode(t, &plan)
	if plan.TargetW != 6000 || plan.FleetW != 6000 || plan.SOCPct != 100 || len(plan.Batteries) != 2 ||
		plan.Batteries[0].Serial != "PW-A" || plan.Batteries[0].W != 4000 || plan.Batteries[0].Wh != 8000 || plan.Batteries[0].DeliveredWh != nil ||
		plan.Batteries[1].Serial != "EN-B" || plan.Batteries[1].W != 2000 || plan.Batteries[1].Wh != 4000 ||
		plan.Summary.DispatchedWh != 12000 || plan.Summary.Unreported != 2 {
		t.Errorf("plan %+v", plan)
	}
	// The same target again: 200 with the stored plan; another: 409.
	e.do("POST", "/api/v1/dr/events/"+itoa(ev.ID)+"/fleet", `{"target_kw":6}`, e.manager).want(t, http.StatusOK)
	e.do("POST", "/api/v1/dr/events/"+itoa(ev.ID)+"/fleet", `{"target_kw":7}`, e.manager).want(t, http.StatusConflict)

	var ev2 drEventJSON
	e.do("POST", "/api/v1/dr/events", vpp("2026-08-19")+`}`, e.manager).want(t, http.StatusCreated).decode(t, &ev2)
	e.do("GET", "/api/v1/dr/events/"+itoa(ev2.ID)+"/fleet", "", e.readClient).want(t, http.StatusNotFound)
	p := e.do("POST", "/api/v1/dr/events/"+itoa(ev2.ID)+"/fleet", `{"target_kw":-1,"soc_pct":101}`, e.manager).want(t, http.StatusBadRequest).problem(t)
	if len(p.Errors) != 2 || p.Errors[0].Field != "target_kw" || p.Errors[1].Field != "soc_pct" {
		t.Errorf("bad fields %+v, want target_kw and soc_pct", p.Errors)
	}
	e.do("POST", "/api/v1/dr/events/"+itoa(ev2.ID)+"/fleet", `{"target_kw":10}`, e.analyst).want(t, http.StatusForbidden)
	e.do("POST", "/api/v1/dr/events/"+itoa(ev2.ID)+"/fleet", `{"target_kw":10}`, e.manager).want(t, http.StatusCreated).decode(t, &plan)
	if plan.FleetW != 7500 || plan.Batteries[0].W != 5000 || plan.Batteries[0].Limit != "power" || plan.Batteries[1].W != 2500 || plan.Batteries[1].Limit != "reserve" {
		t.Errorf("10 kW plan %+v, want 5 kW (power) and 2.5 kW (reserve)", plan)
	}

	// A PMP event carries no fleet: scheduling one with a target is 400
	// and stores nothing; dispatching one is 400.
	p = e.do("POST", "/api/v1/dr/events", pmpBody("2026-08-20", "2026-08-19T14:00:00-07:00")[:len(pmpBody("2026-08-20", "2026-08-19T14:00:00-07:00"))-1]+`,"target_kw":6}`, e.manager).
		want(t, http.StatusBadRequest).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "target_kw" {
		t.Errorf("PMP with a target: %+v", p.Errors)
	}
	var pmp drEventJSON
	e.do("POST", "/api/v1/dr/events", pmpBody("2026-08-20", "2026-08-19T14:00:00-07:00"), e.manager).want(t, http.StatusCreated).decode(t, &pmp)
	e.do("POST", "/api/v1/dr/events/"+itoa(pmp.ID)+"/fleet", `{"target_kw":6}`, e.manager).want(t, http.StatusBadRequest)
	e.do("POST", "/api/v1/dr/events/999/fleet", `{"target_kw":6}`, e.manager).want(t, http.StatusNotFound)
}

// TestDRChargeFromTelemetry: site telemetry records PW-A (13.5 kWh,
// 5 kW, battery_vpp's 20% reserve) at 50% just now; a 2-hour event's
// 10 kW dispatch then gives PW-A its 4.05 kWh above the reserve, 2.025 kW
// (held by the reserve), and EN-B (10 kWh keeping 50%, no reading, so
// full) 2.5 kW. A charge over 100% is 400 naming charge_pct, an unknown
// serial 404, a read-only client 403. Each battery's share carries the
// charge it was planned with: PW-A's reading, 500‰ at 15:00 UTC as
// reported; EN-B the dispatch's 100% setting, 1000‰, with no reading.
func TestDRChargeFromTelemetry(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	e.db.Now = func() time.Time { return time.Date(2026, 8, 18, 15, 0, 0, 0, time.UTC) } // 08:00 Pacific on the event's day
	ctx := context.Background()
	for _, d := range []dr.Device{
		{AccountID: e.acct1.ID, Serial: "PW-A", CapacityWh: 13500, MaxW: 5000},
		{AccountID: e.acct2.ID, Serial: "EN-B", CapacityWh: 10000, MaxW: 5000, ReservePct: 50},
	} {
		d.Program, d.Type, d.Brand, d.Enrolled = "battery_vpp", "battery", "test", calendar.Date{Year: 2026, Month: 5, Day: 1}
		if err := e.db.InTx(ctx, func(tx *store.Tx) error { return tx.RegisterDevice(ctx, seedActor, &d) }); err != nil {
			t.Fatal(err)
		}
	}
	var got drChargeJSON
	e.do("POST", "/api/v1/dr/devices/PW-A/charge", `{"charge_pct":50}`, e.manager).want(t, http.StatusCreated).decode(t, &got)
	if got.Serial != "PW-A" || got.ChargePermille != 500 {
		t.Errorf("recorded %+v, want PW-A at 500‰", got)
	}
	p := e.do("POST", "/api/v1/dr/devices/PW-A/charge", `{"charge_pct":150}`, e.manager).want(t, http.StatusBadRequest).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "charge_pct" {
		t.Errorf("150%%: %+v", p.Errors)
	}
	e.do("POST", "/api/v1/dr/devices/NOPE/charge", `{"charge_pct":50}`, e.manager).want(t, http.StatusNotFound)
	e.do("POST", "/api/v1/dr/devices/PW-A/charge", `{"charge_pct":50}`, e.readClient).want(t, http.StatusForbidden)
	var ev drEventJSON
	e.do("POST", "/api/v1/dr/events", `{"program":"battery_vpp","start":"2026-08-18T17:00:00-07:00","end":"2026-08-18T19:00:00-07:00","notice":"2026-08-18T09:00:00-07:00","target_kw":10}`,
		e.manager).want(t, http.StatusCreated).decode(t, &ev)
	var plan drFleetJSON
	e.do("GET", "/api/v1/dr/events/"+itoa(ev.ID)+"/fleet", "", e.readClient).want(t, http.StatusOK).decode(t, &plan)
	if len(plan.Batteries) != 2 || plan.Batteries[0].W != 2025 || plan.Batteries[0].Wh != 4050 || plan.Batteries[0].Limit != "reserve" ||
		plan.Batteries[1].W != 2500 || plan.FleetW != 4525 {
		t.Errorf("plan %+v, want PW-A 2,025 W / 4,050 Wh (reserve), EN-B 2,500 W, fleet 4,525 W", plan)
	}
	if c := plan.Batteries[0].Charge; c == nil || c.ChargePermille != 500 || c.Source != "reported" || c.ReadingAt == nil || *c.ReadingAt != "2026-08-18T15:00:00Z" {
		t.Errorf("PW-A's charge %+v, want 500‰ reported at 2026-08-18T15:00:00Z", c)
	}
	if c := plan.Batteries[1].Charge; c == nil || c.ChargePermille != 1000 || c.Source != "setting" || c.ReadingAt != nil {
		t.Errorf("EN-B's charge %+v, want 1000‰ from the setting", c)
	}
}
