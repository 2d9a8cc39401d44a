package web

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
)

// TestDevicesPagePages: 205 light switches (three heard from) and a
// thermostat list as switches 100 a page in registration order —
// FLICK-0001…0100, 0101…0200, 0201…0205 — each page counting all 205 and
// the three heard from, the next-page link carrying the type filter, the
// last page without one.
func TestDevicesPagePages(t *testing.T) {
	s := newTestSite(t)
	ctx := context.Background()
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		th := dr.Device{AccountID: s.mariaAcct.ID, Program: "smart_home", Type: "thermostat", Brand: "ecobee", Serial: "ECO-1",
			Enrolled: calendar.Date{Year: 2026, Month: 1, Day: 15}}
		if err := tx.RegisterDevice(ctx, seedActor, &th); err != nil {
			return err
		}
		for i := 1; i <= 205; i++ {
			d := dr.Device{AccountID: s.mariaAcct.ID, Program: "smart_light_switch", Type: "light_switch", Brand: "flick",
				Serial: fmt.Sprintf("FLICK-%04d", i), Enrolled: calendar.Date{Year: 2026, Month: 1, Day: 15}}
			if err := tx.RegisterDevice(ctx, seedActor, &d); err != nil {
				return err
			}
		}
		for _, serial := range []string{"FLICK-0002", "FLICK-0150", "FLICK-0205"} {
			if err := tx.TouchDevice(ctx, "light_switch", serial); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	cookie := s.login(t, "/login", analystEmail)
	serials := regexp.MustCompile(`<td class="mono">(FLICK-\d{4}|ECO-\d)</td>`)
	next := regexp.MustCompile(`href="(/dr/devices\?[^"]*)">Next page`)
	url := "/dr/devices?type=light_switch"
	for i, want := range []struct {
		first, last string
		n           int
	}{{"FLICK-0001", "FLICK-0100", 100}, {"FLICK-0101", "FLICK-0200", 100}, {"FLICK-0201", "FLICK-0205", 5}} {
		w := s.get(t, url, cookie)
		body := w.Body.String()
		if w.Code != 200 {
			t.Fatalf("page %d (%s): %d", i+1, url, w.Code)
		}
		got := serials.FindAllStringSubmatch(body, -1)
		if len(got) != want.n || got[0][1] != want.first || got[len(got)-1][1] != want.last {
			t.Errorf("page %d (%s): %d devices from %v, want %d from %s to %s", i+1, url, len(got), got[0], want.n, want.first, want.last)
		}
		if !strings.Contains(body, "205 devices, 3 heard from.") {
			t.Errorf("page %d: the count is not 205 devices, 3 heard from", i+1)
		}
		m := next.FindStringSubmatch(body)
		if i == 2 {
			if m != nil {
				t.Errorf("last page links to %s", m[1])
			}
			break
		}
		if m == nil {
			t.Fatalf("page %d has no next-page link", i+1)
		}
		url = html.UnescapeString(m[1])
		if !strings.Contains(url, "type=light_switch") {
			t.Errorf("next-page link %s drops the type", url)
		}
	}
}
