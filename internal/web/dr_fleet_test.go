package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
)

// TestFleetDispatchPage dispatches a battery_vpp event from its console
// page and reads the plan back. Worked by hand (seed 000: each site keeps
// a reserved share; battery_vpp's default is 20%) for a 2-hour event at
// full charge: Maria's 13.5 kWh, 5 kW battery may give 10.8 kWh = 5.4
// kW, held to 5 kW; Dana's 10 kWh, 5 kW battery keeping 50% may give 2.5
// kW. A 6 kW target scales both by 6/7.5: 4 kW (8 kWh) and 2 kW (4 kWh).
// Maria's battery reported full ten minutes before the dispatch (12:50
// PM PDT), so its share shows that reading; Dana's shows the 100%
// setting.
func TestFleetDispatchPage(t *testing.T) {
	s := newTestSite(t)
	ctx := context.Background()
	cat, _ := dr.Shipped()
	vpp, _ := cat.Program("battery_vpp")
	var id int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		for _, d := range []dr.Device{
			{AccountID: s.mariaAcct.ID, Serial: "PW-MARIA", CapacityWh: 13500, MaxW: 5000},
			{AccountID: s.danaAcct.ID, Serial: "EN-DANA", CapacityWh: 10000, MaxW: 5000, ReservePct: 50},
		} {
			d.Program, d.Type, d.Brand, d.Enrolled = "battery_vpp", "battery", "test", calendar.Date{Year: 2026, Month: 1, Day: 1}
			if err := tx.RegisterDevice(ctx, seedActor, &d); err != nil {
				return err
			}
		}
		if err := tx.RecordCharge(ctx, "PW-MARIA", testNow.Add(-10*time.Minute), 1000, "test"); err != nil {
			return err
		}
		e, err := tx.ScheduleEvent(ctx, seedActor, vpp, dr.Proposal{Event: dr.Event{
			Start: time.Date(2026, 3, 12, 17, 0, 0, 0, calendar.Pacific).UTC(), End: time.Date(2026, 3, 12, 19, 0, 0, 0, calendar.Pacific).UTC()},
			Notice: testNow})
		id = e.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	path := "/dr/events/" + strconv.FormatInt(id, 10) + "/fleet"
	mgr := s.login(t, "/login", managerEmail)
	if body := s.get(t, "/dr/events/"+strconv.FormatInt(id, 10), mgr).Body.String(); !strings.Contains(body, `href="`+path+`"`) {
		t.Errorf("the event page does not link its fleet page")
	}
	w := s.get(t, path, mgr)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `id="fleet-form"`) {
		t.Fatalf("before a dispatch: %d, no form\n%s", w.Code, w.Body)
	}
	w = s.post(t, path, mgr, url.Values{"target_kw": {"-2"}, "soc_pct": {"120"}})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "must be a positive number of kW") || !strings.Contains(w.Body.String(), "from 0 to 100") {
		t.Errorf("bad fields: %d\n%s", w.Code, w.Body)
	}
	analyst := s.login(t, "/login", analystEmail)
	if w := s.post(t, path, analyst, url.Values{"target_kw": {"6"}, "soc_pct": {"100"}}); w.Code != http.StatusForbidden {
		t.Errorf("analyst dispatching: %d, want 403", w.Code)
	}
	if w := s.post(t, path, mgr, url.Values{"target_kw": {"6"}, "soc_pct": {"100"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("dispatch: %d\n%s", w.Code, w.Body)
	}
	body := s.get(t, path, analyst).Body.String()
	for _, want := range []string{`id="target">6.000 kW`, `id="fleet">6.000 kW`, "12.0 kWh", "2 (0 reported, 2 not yet)",
		"<td>PW-MARIA</td>", "20% <span class=\"small muted\">(default)</span>", "<td class=\"num\">4.000</td>", "8.000", "<td>EN-DANA</td>", "50%", "<td class=\"num\">2.000</td>", "no report",
		`100.0% <span class="small muted">read Mar 10, 2026 12:50 PM PDT</span>`, `100.0% <span class="small muted">setting</span>`} {
		if !strings.Contains(body, want) {
			t.Errorf("fleet page lacks %q", want)
		}
	}
	if strings.Contains(body, `id="fleet-form"`) {
		t.Errorf("a dispatched event still offers the form")
	}
	// Another target is refused naming the first; nothing changes.
	if w := s.post(t, path, mgr, url.Values{"target_kw": {"7"}, "soc_pct": {"100"}}); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "dispatched at 6.000 kW") {
		t.Errorf("another target: %d\n%s", w.Code, w.Body)
	}
	// Scheduling from the calendar with a target dispatches in the same
	// step and opens the fleet page; a target on a PMP event is refused
	// naming the field, and nothing is stored.
	w = s.post(t, "/dr/events", mgr, url.Values{"program": {"battery_vpp"}, "day": {"2026-03-13"}, "start": {"17:00"}, "end": {"19:00"}, "target_kw": {"10"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/dr/events/"+strconv.FormatInt(id+1, 10)+"/fleet" {
		t.Fatalf("schedule with a target: %d → %q\n%s", w.Code, w.Header().Get("Location"), w.Body)
	}
	if body := s.get(t, w.Header().Get("Location"), mgr).Body.String(); !strings.Contains(body, `id="fleet">7.500 kW`) {
		t.Errorf("10 kW asked of a fleet that can give 7.5 kW: the page does not show 7.500 kW")
	}
	w = s.post(t, "/dr/events", mgr, url.Values{"program": {"pmp"}, "day": {"2026-03-17"}, "start": {"16:00"}, "end": {"21:00"}, "target_kw": {"10"}})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "only a storage program") {
		t.Errorf("PMP with a target: %d", w.Code)
	}
	if evs, _ := s.db.DREvents(ctx, store.DREventFilter{Program: "pmp"}); len(evs) != 0 {
		t.Errorf("a refused PMP event was stored: %+v", evs)
	}
	// A PMP event has no fleet page.
	_, upcoming := seedDR(t, s)
	if w := s.get(t, "/dr/events/"+strconv.FormatInt(upcoming, 10)+"/fleet", mgr); w.Code != http.StatusNotFound {
		t.Errorf("PMP fleet page: %d, want 404", w.Code)
	}
}
