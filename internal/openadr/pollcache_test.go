package openadr

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestPollCacheKeepsAnswersUntilAChangeOrTheirAge: an answer is served
// again until its age passes or something changes; an answer computed
// before a change is not kept; a negative age keeps nothing.
func TestPollCacheKeepsAnswersUntilAChangeOrTheirAge(t *testing.T) {
	now := time.Date(2026, 7, 15, 12, 0, 0, 0, time.UTC)
	c := newPollCache(time.Second)
	c.now = func() time.Time { return now }
	g := c.generation()
	c.putBody("k", g, []byte("a"))
	if b, ok := c.body("k"); !ok || string(b) != "a" {
		t.Fatalf("kept answer: %q %v", b, ok)
	}
	now = now.Add(999 * time.Millisecond)
	if _, ok := c.body("k"); !ok {
		t.Error("an answer 999 ms old is not served")
	}
	now = now.Add(time.Millisecond)
	if _, ok := c.body("k"); ok {
		t.Error("an answer 1 s old is still served")
	}
	g = c.generation()
	c.putBody("k", g, []byte("b"))
	c.putTargets("ven-1", g, targetSet{"x": true})
	c.invalidate()
	if _, ok := c.body("k"); ok {
		t.Error("an answer survives a change")
	}
	if _, ok := c.clientTargets("ven-1"); ok {
		t.Error("targets survive a change")
	}
	c.putBody("k", g, []byte("c")) // computed before the change
	if _, ok := c.body("k"); ok {
		t.Error("an answer computed before a change is kept")
	}
	off := newPollCache(-1)
	off.putBody("k", off.generation(), []byte("d"))
	if _, ok := off.body("k"); ok {
		t.Error("a negative age keeps answers")
	}
	if got, want := (targetSet{"b": true, "a": true}).key(), "a\x00b"; got != want {
		t.Errorf("key %q, want %q", got, want)
	}
	if targetSet(nil).key() == (targetSet{}).key() {
		t.Error("a business client and a VEN without targets share answers")
	}
}

// TestPollsSeeChangesAtOnce: a VEN polling GET /events sees an event a
// business client creates through the VTN at its next poll, and one it
// cancels gone at once (both invalidate the kept answers); an event
// scheduled outside the VTN (the console) shows once the kept answer's
// second has passed.
func TestPollsSeeChangesAtOnce(t *testing.T) {
	_, router := loadSpec(t)
	db := storetest.SQLite()(t)
	now := time.Date(2026, 7, 15, 9, 0, 0, 0, calendar.Pacific)
	db.Now = func() time.Time { return now.UTC() }
	ctx := context.Background()
	secrets := map[string]string{}
	for _, c := range []store.OADRClient{{ClientID: "bl-1", Role: "bl", Name: "DRMS"}, {ClientID: "ven-1", Role: "ven", Name: "aggregator"}} {
		c.Scopes = ScopesFor(c.Role)
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			s, err := tx.CreateOADRClient(ctx, auth.System, &c)
			secrets[c.ClientID] = s
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	vtn := New(db, Options{})
	clock := time.Date(2026, 7, 15, 16, 0, 0, 0, time.UTC)
	vtn.poll.now = func() time.Time { return clock }
	srv := httptest.NewServer(vtn.Handler())
	defer srv.Close()
	v1 := &ven{t: t, base: srv.URL, router: router}
	v1.login("ven-1", secrets["ven-1"])
	bl := &ven{t: t, base: srv.URL, router: router}
	bl.login("bl-1", secrets["bl-1"])
	count := func() int {
		t.Helper()
		st, b := v1.do("GET", "/events?programID=power_response", nil, true)
		if st != 200 {
			t.Fatalf("poll: %d %s", st, b)
		}
		return len(decodeTo[[]map[string]any](t, b))
	}
	if n := count(); n != 0 {
		t.Fatalf("%d events before any", n)
	}
	st, b := bl.do("POST", "/events", map[string]any{"programID": "power_response", "eventName": "heat",
		"intervalPeriod": map[string]any{"start": "2026-07-16T17:00:00-07:00", "duration": "PT2H"},
		"intervals":      []any{map[string]any{"id": 0, "payloads": []any{map[string]any{"type": "SIMPLE", "values": []any{1}}}}}}, true)
	if st != 201 {
		t.Fatalf("create: %d %s", st, b)
	}
	if n := count(); n != 1 {
		t.Errorf("after the business client's event: %d events, want 1 at once", n)
	}
	cat, _ := dr.Shipped()
	p, _ := cat.Program("power_response")
	start := time.Date(2026, 7, 17, 17, 0, 0, 0, calendar.Pacific).UTC()
	if err := db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ScheduleEvent(ctx, auth.System, p, dr.Proposal{Event: dr.Event{Start: start, End: start.Add(2 * time.Hour)}})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n := count(); n != 1 {
		t.Errorf("within the second after a console event: %d events, want the kept answer's 1", n)
	}
	clock = clock.Add(DefaultPollCache)
	if n := count(); n != 2 {
		t.Errorf("a second after a console event: %d events, want 2", n)
	}
	ev := decodeTo[map[string]any](t, b)
	if st, b := bl.do("DELETE", "/events/"+ev["id"].(string), nil, true); st != 200 {
		t.Fatalf("cancel: %d %s", st, b)
	}
	if n := count(); n != 1 {
		t.Errorf("after cancelling: %d events, want 1 at once", n)
	}
}
