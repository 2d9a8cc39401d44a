package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/store"
)

// TestEVVehiclesPageEnrollsAndPlans: staff see Maria's car without a
// plan; a program manager enrolls a fleet car at charge point CP-77
// (whose status the OCPP central system recorded as Charging) and plans
// Maria's car from 6 pm Tuesday 10 March 2026 to 7 am for 14 kWh at
// 7 kW: winter off-peak on TOU-D-4-9PM (9 pm–8 am) costs $0.39207/kWh
// (delivery 0.25238 + generation 0.09622 + PPPC 0.03395 − NDC 0.00001 +
// WFC 0.00595 + FRC 0.00198 + MCAM 0.00160), so the two latest hours,
// 5–7 am, 14 × 0.39207 = $5.48898 → $5.49. A bad battery size is refused
// next to its field; an analyst may not post; Maria's portal shows the
// stored plan.
func TestEVVehiclesPageEnrollsAndPlans(t *testing.T) {
	s := newTestSite(t)
	seedEV(t, s)
	ctx := context.Background()
	analyst := s.login(t, "/login", analystEmail)
	manager := s.login(t, "/login", managerEmail)
	body := s.get(t, "/ev/vehicles", analyst).Body.String()
	if !strings.Contains(body, "EV-MARIA") || !strings.Contains(body, `<span class="muted">none</span>`) || strings.Contains(body, `id="ev-enroll"`) {
		t.Fatalf("vehicles page for an analyst:\n%s", body)
	}
	form := url.Values{"account": {s.mariaAcct.Number}, "name": {"FLEET-7"}, "make": {"Ford"}, "model": {"E-Transit"}, "battery_kwh": {"68"},
		"max_kw": {"11.5"}, "charger": {"CP-77"}}
	if w := s.post(t, "/ev/vehicles", analyst, form); w.Code != http.StatusForbidden {
		t.Errorf("analyst enrolling: %d", w.Code)
	}
	bad := url.Values{"account": {s.mariaAcct.Number}, "name": {"FLEET-8"}, "battery_kwh": {"lots"}, "max_kw": {"7"}}
	if w := s.post(t, "/ev/vehicles", manager, bad); w.Code != http.StatusBadRequest && w.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(w.Body.String(), "must be a positive number of kWh") {
		t.Errorf("bad battery: %d\n%s", w.Code, w.Body.String())
	}
	if w := s.post(t, "/ev/vehicles", manager, form); w.Code != http.StatusSeeOther {
		t.Fatalf("enroll: %d\n%s", w.Code, w.Body.String())
	}
	if err := s.db.InTx(ctx, func(tx *store.Tx) error {
		return tx.RecordCharger(ctx, store.ChargerStatus{Identity: "CP-77", Status: "Charging", LastSeen: s.clock.Now()})
	}); err != nil {
		t.Fatal(err)
	}
	vs, err := s.db.Vehicles(ctx, s.mariaAcct.ID)
	if err != nil || len(vs) != 2 || vs[1].Name != "FLEET-7" || vs[1].MaxW != 11500 || vs[1].BatteryWh != 68000 {
		t.Fatalf("vehicles %+v, %v", vs, err)
	}
	plan := url.Values{"vehicle": {strconv.FormatInt(vs[0].ID, 10)}, "plug_in": {"2026-03-10T18:00"}, "departure": {"2026-03-11T07:00"},
		"energy_kwh": {"14"}, "objective": {"cost"}}
	if w := s.post(t, "/ev/plans", manager, plan); w.Code != http.StatusSeeOther {
		t.Fatalf("plan: %d\n%s", w.Code, w.Body.String())
	}
	p, err := s.db.LatestEVPlan(ctx, vs[0].ID)
	if err != nil || p.Plan.CostCents != 549 || len(p.Plan.Slots) != 1 || p.Plan.Slots[0].Start.Format("15:04") != "12:00" { // 05:00 PDT
		t.Errorf("stored plan %+v, %v", p, err)
	}
	body = s.get(t, "/ev/vehicles", manager).Body.String()
	for _, want := range []string{"FLEET-7", `<span class="ev-charger-status">Charging</span>`, "14.0 kWh by Wed Mar 11 7:00 AM", "$5.49", `id="ev-plan"`} {
		if !strings.Contains(body, want) {
			t.Errorf("vehicles page lacks %q", want)
		}
	}
	badPlan := url.Values{"vehicle": {strconv.FormatInt(vs[0].ID, 10)}, "plug_in": {"2026-03-10T18:00"}, "departure": {"2026-03-10T17:00"}, "energy_kwh": {"14"}}
	if w := s.post(t, "/ev/plans", manager, badPlan); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "must be after plug_in") {
		t.Errorf("departure before plug-in: %d\n%s", w.Code, w.Body.String())
	}
	refusedToCustomer(t, s, "/ev/vehicles", "FLEET-7")
	body = s.get(t, "/my/ev", s.login(t, "/my/login", mariaEmail)).Body.String()
	if !strings.Contains(body, "Your charging plan until Wed 7:00 AM") || !strings.Contains(body, "$5.49") {
		t.Errorf("Maria's portal:\n%s", body)
	}
}
