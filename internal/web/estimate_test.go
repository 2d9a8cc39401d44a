package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/tariff"
)

// TestEstimatePagesBillEverySchedule: without stored tariffs the advisor's
// page says so; with the shipped ones Maria's June 2025 – February 2026
// use is billed on both SCE residential schedules with the options, and
// she sees the same on her portal page (others' accounts not found).
func TestEstimatePagesBillEverySchedule(t *testing.T) {
	s := newTestSite(t)
	admin := s.login(t, "/login", adminEmail)
	path := fmt.Sprintf("/accounts/%d/estimate", s.mariaAcct.ID)
	if w := s.get(t, path, admin); !strings.Contains(w.Body.String(), "no stored tariff for the account") {
		t.Fatalf("without tariffs:\n%s", w.Body)
	}
	vs, err := tariff.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	err = s.db.InTx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.ImportTariffs(context.Background(), seedActor, vs, nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	body := s.get(t, path+"?grid_co2=500", admin).Body.String()
	for _, want := range []string{"2025-06-01 to 2026-03-01", "TOU-D-4-9PM", "TOU-D-PRIME", "Current", "Lowest",
		"Electric vehicle, managed overnight charging", "Not included: rebates"} {
		if !strings.Contains(body, want) {
			t.Errorf("console lacks %q", want)
		}
	}
	maria := s.login(t, "/my/login", mariaEmail)
	if w := s.get(t, fmt.Sprintf("/my/accounts/%d/estimate", s.mariaAcct.ID), maria); !strings.Contains(w.Body.String(), "Heat pump water heater") {
		t.Errorf("portal:\n%s", w.Body)
	}
	if w := s.get(t, fmt.Sprintf("/my/accounts/%d/estimate", s.danaAcct.ID), maria); w.Code != http.StatusNotFound {
		t.Errorf("another's account: %d", w.Code)
	}
}
