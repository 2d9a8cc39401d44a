package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/emissions"
	"github.com/gridbook/gridbook/internal/evcharge"
	"github.com/gridbook/gridbook/internal/store"
)

// seedEV enrolls Maria's car with one July 2025 session: 3.5 kWh on-peak
// (6–6:30 pm) and 14 kWh after midnight, so 80.00% off-peak, and stores a
// signal of 400 g/kWh 4–9 pm and 200 g/kWh otherwise.
func seedEV(t *testing.T, s *testSite) {
	t.Helper()
	ctx := context.Background()
	local := func(d, h, m int) time.Time { return time.Date(2025, 7, d, h, m, 0, 0, calendar.Pacific).UTC() }
	sig := emissions.Signal{Kind: emissions.Marginal, Start: time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC), Step: time.Hour}
	for at := sig.Start; at.Before(time.Date(2025, 8, 3, 0, 0, 0, 0, time.UTC)); at = at.Add(time.Hour) {
		v := 200.0
		if h := at.In(calendar.Pacific).Hour(); h >= 16 && h < 21 {
			v = 400
		}
		sig.Values = append(sig.Values, v)
	}
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		v := evcharge.Vehicle{AccountID: s.mariaAcct.ID, Name: "EV-MARIA", Make: "Nissan", Model: "Leaf", BatteryWh: 60000, MaxW: 7000, Charger: "level2",
			Enrolled: calendar.Date{Year: 2025, Month: 6, Day: 1}}
		if err := tx.EnrollVehicle(ctx, seedActor, &v); err != nil {
			return err
		}
		if _, err := tx.PutSignal(ctx, seedActor, "sgip-sce", sig); err != nil {
			return err
		}
		_, err := tx.ImportSessions(ctx, seedActor, []evcharge.Session{{Vehicle: "EV-MARIA", PlugIn: local(1, 18, 0), Unplug: local(2, 7, 0), MaxW: 7000,
			Charges: []evcharge.Charge{{Start: local(1, 18, 0), End: local(1, 18, 30), Wh: 3500}, {Start: local(2, 0, 0), End: local(2, 2, 0), Wh: 14000}}}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.LoadShippedTariffs(ctx, seedActor); err != nil {
		t.Fatal(err)
	}
}

// TestEVDashboardShowsOffPeakShareAndCO2: 80.00% off-peak; unmanaged,
// 17.5 kWh from 6 pm at 400 g/kWh is 7,000 g against 4,200 g managed.
func TestEVDashboardShowsOffPeakShareAndCO2(t *testing.T) {
	s := newTestSite(t)
	seedEV(t, s)
	w := s.get(t, "/ev?month=2025-07", s.login(t, "/login", analystEmail))
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, `id="off-peak">80.00%`) || !strings.Contains(body, "EV-MARIA") ||
		!strings.Contains(body, ">4200<") || !strings.Contains(body, ">7000<") || !strings.Contains(body, "data-chart") {
		t.Fatalf("EV dashboard: %d\n%s", w.Code, body)
	}
}

// TestPortalEVShowsMonthAndTonightsPlan: Maria sees her car's July and a
// plan for tonight against TOU-D-4-9PM that keeps clear of 4–9 pm.
func TestPortalEVShowsMonthAndTonightsPlan(t *testing.T) {
	s := newTestSite(t)
	seedEV(t, s)
	w := s.get(t, "/my/ev", s.login(t, "/my/login", mariaEmail))
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, "80.00% off-peak") || !strings.Contains(body, `class="table-compact ev-plan"`) ||
		!strings.Contains(body, "TOU-D-4-9PM prices") {
		t.Fatalf("my EV: %d\n%s", w.Code, body)
	}
	if w := s.get(t, "/my/ev", s.login(t, "/my/login", danaEmail)); !strings.Contains(w.Body.String(), "no vehicle enrolled") {
		t.Errorf("Dana sees a vehicle")
	}
}
