package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/store/storetest"
)

// fields lists a problem's field names in order.
func (p problem) fieldList() string {
	var names []string
	for _, f := range p.Errors {
		names = append(names, f.Field)
	}
	return strings.Join(names, ",")
}

// TestEVVehicleEnrollmentAndPlans enrolls vehicles through the API (the
// second POST with the same Idempotency-Key replays), refuses a body
// without battery and power naming both fields, pages the list, keeps a
// customer to their own account's vehicles, and plans a plug-in on the
// account's TOU-D-4-9PM: a July weekday from 5 pm to 7 am, 14 kWh at
// 7 kW, is two hours of summer off-peak at $0.36678/kWh (delivery
// 0.25238 + generation 0.07093 + PPPC 0.03395 − NDC 0.00001 + WFC 0.00595
// + FRC 0.00198 + MCAM 0.00160, SCE TOU-D sheets 2025-06-01), all
// off-peak slots tie and the latest win: 05:00–07:00 PDT, 14 × 0.36678 =
// $5.13492 → 513 cents. 80 kWh cannot be delivered in the two hours
// before a 7 pm departure: 14 kWh at full power, 66 kWh short, said so.
func TestEVVehicleEnrollmentAndPlans(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	if _, err := e.db.LoadShippedTariffs(context.Background(), seedActor); err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{"account_id": %d, "name": "EV-ANA", "make": "Kia", "model": "EV6", "battery_kwh": 77.4, "max_kw": 7, "charger": "CP-ANA", "enrolled": "2026-07-01"}`, e.acct1.ID)
	var v vehicleJSON
	e.do("POST", "/api/v1/ev/vehicles", body, e.writeClient, "Idempotency-Key", "ev-1").want(t, http.StatusCreated).decode(t, &v)
	if v.ID == 0 || v.BatteryWh != 77400 || v.MaxW != 7000 || v.Charger != "CP-ANA" || v.Enrolled.String() != "2026-07-01" {
		t.Errorf("vehicle %+v", v)
	}
	res := e.do("POST", "/api/v1/ev/vehicles", body, e.writeClient, "Idempotency-Key", "ev-1").want(t, http.StatusCreated)
	if res.header.Get("Idempotent-Replayed") != "true" {
		t.Error("the retry was not replayed")
	}
	e.do("POST", "/api/v1/ev/vehicles", body, e.writeClient).want(t, http.StatusConflict) // the name is taken
	p := e.do("POST", "/api/v1/ev/vehicles", fmt.Sprintf(`{"account_id": %d, "name": "EV-X"}`, e.acct1.ID), e.writeClient).want(t, http.StatusBadRequest).problem(t)
	if got := p.fieldList(); got != "battery_kwh,max_kw" {
		t.Errorf("fields %q, want battery_kwh,max_kw", got)
	}
	p = e.do("POST", "/api/v1/ev/vehicles", `{"account_id": 999, "name": "EV-X", "battery_kwh": 60, "max_kw": 7}`, e.writeClient).want(t, http.StatusBadRequest).problem(t)
	if got := p.fieldList(); got != "account_id" {
		t.Errorf("fields %q, want account_id", got)
	}
	e.do("POST", "/api/v1/ev/vehicles", body, e.readClient).want(t, http.StatusForbidden)
	e.do("POST", "/api/v1/ev/vehicles", body, e.portal).want(t, http.StatusForbidden)
	var other vehicleJSON
	e.do("POST", "/api/v1/ev/vehicles", fmt.Sprintf(`{"account_id": %d, "name": "BAKERY-VAN", "battery_kwh": 60, "max_kw": 11.5}`, e.acct2.ID), e.manager).
		want(t, http.StatusCreated).decode(t, &other)
	if other.Charger != "level2" || other.MaxW != 11500 {
		t.Errorf("defaults: %+v", other)
	}

	var page list[vehicleJSON]
	e.do("GET", "/api/v1/ev/vehicles?limit=1", "", e.readClient).want(t, http.StatusOK).decode(t, &page)
	if len(page.Data) != 1 || page.Data[0].Name != "EV-ANA" || page.NextCursor == nil {
		t.Fatalf("first page %+v", page)
	}
	e.do("GET", "/api/v1/ev/vehicles?limit=1&after="+*page.NextCursor, "", e.readClient).want(t, http.StatusOK).decode(t, &page)
	if len(page.Data) != 1 || page.Data[0].Name != "BAKERY-VAN" || page.NextCursor != nil {
		t.Errorf("second page %+v", page)
	}
	e.do("GET", "/api/v1/ev/vehicles", "", e.portal).want(t, http.StatusOK).decode(t, &page)
	if len(page.Data) != 1 || page.Data[0].Name != "EV-ANA" {
		t.Errorf("the customer sees %+v", page.Data)
	}
	e.do("GET", fmt.Sprintf("/api/v1/ev/vehicles/%d", other.ID), "", e.portal).want(t, http.StatusNotFound)

	plan := `{"plug_in": "2026-07-15T17:00:00-07:00", "departure": "2026-07-16T07:00:00-07:00", "energy_kwh": 14}`
	var pl evPlanJSON
	e.do("POST", fmt.Sprintf("/api/v1/ev/vehicles/%d/plans", v.ID), plan, e.writeClient).want(t, http.StatusCreated).decode(t, &pl)
	start := time.Date(2026, 7, 16, 12, 0, 0, 0, time.UTC) // 05:00 PDT
	if pl.CostCents == nil || *pl.CostCents != 513 || pl.EnergyWh != 14000 || pl.ShortfallWh != 0 || len(pl.Slots) != 1 ||
		!pl.Slots[0].Start.Equal(start) || !pl.Slots[0].End.Equal(start.Add(2*time.Hour)) || pl.Slots[0].W != 7000 || pl.Source != "tariff TOU-D-4-9PM" {
		t.Errorf("plan %+v", pl)
	}
	short := `{"plug_in": "2026-07-15T17:00:00-07:00", "departure": "2026-07-15T19:00:00-07:00", "energy_kwh": 80}`
	var sp evPlanJSON
	e.do("POST", fmt.Sprintf("/api/v1/ev/vehicles/%d/plans", v.ID), short, e.writeClient).want(t, http.StatusCreated).decode(t, &sp)
	if sp.EnergyWh != 14000 || sp.ShortfallWh != 66000 || sp.NeedWh != 80000 || len(sp.Notes) == 0 || !strings.Contains(sp.Notes[0], "planned the maximum") {
		t.Errorf("short plan %+v", sp)
	}
	// The latest plan is in force; the customer sees it on their vehicle.
	var got vehicleJSON
	e.do("GET", fmt.Sprintf("/api/v1/ev/vehicles/%d", v.ID), "", e.portal).want(t, http.StatusOK).decode(t, &got)
	if got.Plan == nil || got.Plan.ID != sp.ID {
		t.Errorf("vehicle detail %+v", got)
	}
	var plans list[evPlanJSON]
	e.do("GET", fmt.Sprintf("/api/v1/ev/vehicles/%d/plans", v.ID), "", e.analyst).want(t, http.StatusOK).decode(t, &plans)
	if len(plans.Data) != 2 || plans.Data[0].ID != sp.ID || plans.Data[1].ID != pl.ID {
		t.Errorf("plans %+v", plans.Data)
	}
	e.do("GET", fmt.Sprintf("/api/v1/ev/plans/%d", pl.ID), "", e.portal).want(t, http.StatusOK)

	// Refusals name their fields and store nothing.
	for _, c := range []struct{ body, fields string }{
		{`{"plug_in": "2026-07-15T17:00:00-07:00", "departure": "2026-07-15T16:00:00-07:00", "energy_kwh": 5}`, "departure"},
		{`{"plug_in": "2026-07-15T17:00:00-07:00", "departure": "2026-07-16T07:00:00-07:00"}`, "energy_kwh"},
		{`{"plug_in": "2026-07-15T17:00:00-07:00", "departure": "2026-07-16T07:00:00-07:00", "soc_pct": 20, "target_soc_pct": 180}`, "target_soc_pct"},
		{`{"plug_in": "2026-07-15T17:00:00-07:00", "departure": "2026-07-16T07:00:00-07:00", "energy_kwh": 5, "objective": "emissions"}`, "signal"},
		{`{"plug_in": "2026-07-15T17:00:00-07:00", "departure": "2026-07-16T07:00:00-07:00", "energy_kwh": 5, "objective": "speed"}`, "objective"},
	} {
		p := e.do("POST", fmt.Sprintf("/api/v1/ev/vehicles/%d/plans", v.ID), c.body, e.writeClient).want(t, http.StatusBadRequest).problem(t)
		if got := p.fieldList(); got != c.fields {
			t.Errorf("%s: fields %q, want %q", c.body, got, c.fields)
		}
	}
	// The bakery's TOU-GS-1-D is not among the shipped tariffs.
	p = e.do("POST", fmt.Sprintf("/api/v1/ev/vehicles/%d/plans", other.ID), plan, e.writeClient).want(t, http.StatusBadRequest).problem(t)
	if got := p.fieldList(); got != "objective" {
		t.Errorf("no tariff: fields %q", got)
	}
	e.do("POST", "/api/v1/ev/vehicles/9999/plans", plan, e.writeClient).want(t, http.StatusNotFound)
	e.do("GET", fmt.Sprintf("/api/v1/ev/vehicles/%d/plans", v.ID), "", e.analyst).want(t, http.StatusOK).decode(t, &plans)
	if len(plans.Data) != 2 {
		t.Errorf("%d plans after refusals, want 2", len(plans.Data))
	}
}
