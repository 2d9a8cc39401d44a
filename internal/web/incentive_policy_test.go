package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/store"
)

// TestProgramPolicyIsShownAndSetByAdministrators: the Power Share page
// shows the income-basis question with the conservative reading in force
// and its source; only an administrator may choose the other reading; a
// reading that does not exist changes nothing.
func TestProgramPolicyIsShownAndSetByAdministrators(t *testing.T) {
	s := newTestSite(t)
	seedIncentives(t, s)
	admin, manager := s.login(t, "/login", adminEmail), s.login(t, "/login", managerEmail)
	const page, action = "/incentives/programs/power-share", "/incentives/programs/power-share/policies/income_basis"
	inForce := func(reading string) string {
		return `in force</span> <span class="mono small">` + reading + `</span>`
	}
	checkPage(t, s.get(t, page, admin), []string{"Do households that are eligible for CARE or FERA by income, but not enrolled, qualify for Power Share?",
		inForce("enrolled"), "research/programs.md §8", `action="` + action + `"`}, nil)
	checkPage(t, s.get(t, page, manager), []string{inForce("enrolled")}, []string{`action="` + action + `"`})
	if w := s.post(t, action, manager, url.Values{"choice": {"enrolled_or_eligible"}}); w.Code != http.StatusForbidden {
		t.Errorf("program manager: %d, want 403", w.Code)
	}
	reading := func() string {
		p, err := s.db.IncentiveProgram(context.Background(), store.PowerShareProgram)
		if err != nil {
			t.Fatal(err)
		}
		pol, _ := p.Policy(store.PowerShareIncomeBasis)
		return pol.InForce().ID
	}
	if w := s.post(t, action, admin, url.Values{"choice": {"everyone"}}); w.Code != http.StatusSeeOther || reading() != "enrolled" {
		t.Errorf("unknown reading: %d, reading %s", w.Code, reading())
	}
	if w := s.post(t, action, admin, url.Values{"choice": {"enrolled_or_eligible"}}); w.Code != http.StatusSeeOther || reading() != "enrolled_or_eligible" {
		t.Errorf("broad reading: %d, reading %s", w.Code, reading())
	}
	w := s.get(t, page, admin)
	if !strings.Contains(w.Body.String(), inForce("enrolled_or_eligible")) {
		t.Errorf("page does not show the broad reading in force")
	}
}
