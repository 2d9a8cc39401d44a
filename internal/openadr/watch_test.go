package openadr

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestWatchNotifiesEachChangeOnceAcrossProcesses: two VTNs over one
// database (two server processes) both watch; an event scheduled, then
// notified, then cancelled outside the VTN reaches the webhook subscriber
// as exactly one CREATE, one UPDATE and one DELETE; an event created and
// cancelled through one VTN's API is notified by that VTN alone; and a
// VTN started afresh over the database (a restart) sends nothing for what
// was already told. On SQLite (one file) and on PostgreSQL when
// GRIDBOOK_TEST_POSTGRES is set.
func TestWatchNotifiesEachChangeOnceAcrossProcesses(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { testWatchOnce(t, filepath.Join(t.TempDir(), "watch.db")) })
	t.Run("postgres", func(t *testing.T) { testWatchOnce(t, storetest.ScratchPostgres(t)) })
}

func testWatchOnce(t *testing.T, dsn string) {
	ctx := context.Background()
	now := time.Date(2026, 7, 15, 9, 0, 0, 0, calendar.Pacific).UTC()
	open := func() *store.DB {
		db, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.Now = func() time.Time { return now }
		return db
	}
	var mu sync.Mutex
	var got []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n struct {
			Operation string
			Object    struct{ ID string }
		}
		json.NewDecoder(r.Body).Decode(&n)
		mu.Lock()
		got = append(got, n.Operation+" "+n.Object.ID)
		mu.Unlock()
	}))
	defer hook.Close()
	db1, db2 := open(), open()
	var secret string
	err := db1.InTx(ctx, func(tx *store.Tx) error {
		c := store.OADRClient{ClientID: "bl-1", Role: "bl", Name: "DRMS", Scopes: ScopesFor("bl")}
		var err error
		if secret, err = tx.CreateOADRClient(ctx, auth.System, &c); err != nil {
			return err
		}
		return tx.PutOADRObject(ctx, auth.System, store.OADRObject{ID: "sub-1", Kind: "SUBSCRIPTION", ClientID: "ven-1", Created: now, Modified: now,
			Body: []byte(`{"clientName":"v","objectOperations":[{"objects":["EVENT"],"operations":["CREATE","UPDATE","DELETE"],"callbackUrl":"` + hook.URL + `"}]}`)})
	})
	if err != nil {
		t.Fatal(err)
	}
	a, b := New(db1, Options{}), New(db2, Options{})
	// both passes at once, then their deliveries
	pass := func(vs ...*VTN) {
		var wg sync.WaitGroup
		for _, v := range vs {
			wg.Go(func() { v.watchOnce(ctx) })
		}
		wg.Wait()
		for _, v := range vs {
			v.Wait()
		}
	}
	take := func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := got
		got = nil
		slices.Sort(out)
		return out
	}
	pass(a, b) // the first look records
	cat, _ := dr.Shipped()
	p, _ := cat.Program("power_response")
	start := time.Date(2026, 7, 15, 17, 0, 0, 0, calendar.Pacific).UTC()
	var e dr.Event
	err = db1.InTx(ctx, func(tx *store.Tx) error {
		var err error
		e, err = tx.ScheduleEvent(ctx, auth.System, p, dr.Proposal{Event: dr.Event{Start: start, End: start.Add(2 * time.Hour)}, Notice: now})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	id := "event-" + itoa(e.ID)
	move := func(to dr.Status) {
		t.Helper()
		if err := db2.InTx(ctx, func(tx *store.Tx) error { _, err := tx.MoveEvent(ctx, auth.System, e.ID, to, ""); return err }); err != nil {
			t.Fatal(err)
		}
	}
	for _, step := range []struct {
		change func()
		want   string
	}{
		{func() {}, "CREATE " + id},
		{func() { move(dr.Notified) }, "UPDATE " + id},
		{func() {}, ""},
		{func() { move(dr.Cancelled) }, "DELETE " + id},
	} {
		step.change()
		pass(a, b)
		pass(a, b) // nothing new
		if g := strings.Join(take(), ","); g != step.want {
			t.Errorf("notifications %q, want %q", g, step.want)
		}
	}

	// An event made through VTN a's API: a notifies it; the watch of
	// either does not.
	srv := httptest.NewServer(a.Handler())
	defer srv.Close()
	res, err := http.PostForm(srv.URL+Prefix+"/auth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"bl-1"}, "client_secret": {secret}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	call := func(method, path, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+Prefix+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		json.NewDecoder(res.Body).Decode(&out)
		if res.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %v", method, path, res.StatusCode, out)
		}
		return out
	}
	own := call("POST", "/events", `{"programID":"power_response","eventName":"heat","intervalPeriod":{"start":"2026-07-16T17:00:00-07:00","duration":"PT2H"}}`)
	a.Wait()
	pass(a, b)
	ownID, _ := own["id"].(string)
	if g := strings.Join(take(), ","); g != "CREATE "+ownID {
		t.Errorf("event created through the VTN: notifications %q, want one CREATE %s", g, ownID)
	}
	call("DELETE", "/events/"+ownID, "")
	a.Wait()
	pass(a, b)
	if g := strings.Join(take(), ","); g != "DELETE "+ownID {
		t.Errorf("event cancelled through the VTN: notifications %q, want one DELETE %s", g, ownID)
	}

	// A restart: a new VTN on a new handle sends nothing already told,
	// then tells a change made while it was down, once.
	c := New(open(), Options{})
	pass(c)
	if g := take(); len(g) != 0 {
		t.Errorf("after a restart: notifications %v, want none", g)
	}
	var e2 dr.Event
	err = db2.InTx(ctx, func(tx *store.Tx) error {
		var err error
		e2, err = tx.ScheduleEvent(ctx, auth.System, p, dr.Proposal{Event: dr.Event{Start: start.Add(48 * time.Hour), End: start.Add(50 * time.Hour)}, Notice: now})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	pass(c, a, b)
	if g := strings.Join(take(), ","); g != "CREATE event-"+itoa(e2.ID) {
		t.Errorf("an event made after the restart: notifications %q, want one CREATE event-%d", g, e2.ID)
	}
}
