package openadr

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestMQTTTopicEndpointsFollowTheSpec: every /notifiers/mqtt/topics/...
// endpoint of openadr3.yaml (3.1.0: programs, programs/{programID},
// events, programs/{programID}/events, reports, subscriptions, vens,
// vens/{venID}, resources, vens/{venID}/events, vens/{venID}/programs,
// vens/{venID}/resources) answers business logic with the topic names,
// validated against the spec; a VEN gets its own VEN's topics but not
// another's (403) nor the all-object lists (403, read_all); an unknown
// program or VEN is 404. A VEN subscribed to its VEN's and its
// resources' topics receives the update of its VEN and the creation of
// its resource there.
func TestMQTTTopicEndpointsFollowTheSpec(t *testing.T) {
	doc, router := loadSpec(t)
	db := storetest.SQLite()(t)
	now := time.Date(2026, 7, 15, 9, 0, 0, 0, calendar.Pacific)
	db.Now = func() time.Time { return now.UTC() }
	b, err := StartBroker("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	secrets := map[string]string{}
	for _, c := range []store.OADRClient{{ClientID: "bl-1", Role: "bl", Name: "DRMS"},
		{ClientID: "ven-1", Role: "ven", Name: "one"}, {ClientID: "ven-2", Role: "ven", Name: "two"}} {
		c.Scopes = ScopesFor(c.Role)
		if err := db.InTx(context.Background(), func(tx *store.Tx) error {
			s, err := tx.CreateOADRClient(context.Background(), auth.System, &c)
			secrets[c.ClientID] = s
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	vtn := New(db, Options{Broker: b})
	defer vtn.Wait()
	srv := httptest.NewServer(vtn.Handler())
	defer srv.Close()
	cl := map[string]*ven{}
	venID := map[string]string{}
	for _, id := range []string{"bl-1", "ven-1", "ven-2"} {
		cl[id] = &ven{t: t, base: srv.URL, router: router}
		cl[id].login(id, secrets[id])
		if id != "bl-1" {
			st, body := cl[id].do("POST", "/vens", map[string]any{"objectType": "VEN_VEN_REQUEST", "venName": "site-" + id}, true)
			if st != 201 {
				t.Fatalf("register VEN for %s: %d %s", id, st, body)
			}
			venID[id] = decodeTo[map[string]any](t, body)["id"].(string)
		}
	}
	v1 := venID["ven-1"]
	const p = "OpenADR/3.1.0/"
	all := func(base string) map[string]string {
		return map[string]string{"CREATE": p + base + "create", "UPDATE": p + base + "update", "DELETE": p + base + "delete", "ALL": p + base + "+"}
	}
	one := func(base string) map[string]string {
		return map[string]string{"UPDATE": p + base + "update", "DELETE": p + base + "delete", "ALL": p + base + "+"}
	}
	for _, c := range []struct {
		who, path string
		status    int
		want      map[string]string
	}{
		{"bl-1", "/notifiers/mqtt/topics/programs", 200, all("programs/")},
		{"bl-1", "/notifiers/mqtt/topics/programs/pmp", 200, one("programs/pmp/")},
		{"bl-1", "/notifiers/mqtt/topics/programs/no-such-program", 404, nil},
		{"bl-1", "/notifiers/mqtt/topics/events", 200, all("events/")},
		{"bl-1", "/notifiers/mqtt/topics/programs/pmp/events", 200, all("programs/pmp/events/")},
		{"bl-1", "/notifiers/mqtt/topics/reports", 200, all("reports/")},
		{"bl-1", "/notifiers/mqtt/topics/subscriptions", 200, all("subscriptions/")},
		{"bl-1", "/notifiers/mqtt/topics/vens", 200, all("vens/")},
		{"bl-1", "/notifiers/mqtt/topics/resources", 200, all("resources/")},
		{"bl-1", "/notifiers/mqtt/topics/vens/" + v1, 200, one("vens/" + v1 + "/")},
		{"bl-1", "/notifiers/mqtt/topics/vens/ven-nobody", 404, nil},
		{"ven-1", "/notifiers/mqtt/topics/vens/" + v1, 200, one("vens/" + v1 + "/")},
		{"ven-1", "/notifiers/mqtt/topics/vens/" + v1 + "/events", 200, all("vens/" + v1 + "/events/")},
		{"ven-1", "/notifiers/mqtt/topics/vens/" + v1 + "/programs", 200, all("vens/" + v1 + "/programs/")},
		{"ven-1", "/notifiers/mqtt/topics/vens/" + v1 + "/resources", 200, all("vens/" + v1 + "/resources/")},
		{"ven-2", "/notifiers/mqtt/topics/vens/" + v1, 403, nil},
		{"ven-2", "/notifiers/mqtt/topics/vens/" + v1 + "/resources", 403, nil},
		{"ven-2", "/notifiers/mqtt/topics/vens/" + v1 + "/programs", 403, nil},
		{"ven-1", "/notifiers/mqtt/topics/vens", 403, nil},
		{"ven-1", "/notifiers/mqtt/topics/resources", 403, nil},
		{"ven-1", "/notifiers/mqtt/topics/subscriptions", 403, nil},
	} {
		st, body := cl[c.who].do("GET", c.path, nil, true)
		if st != c.status {
			t.Errorf("%s GET %s: %d, want %d (%s)", c.who, c.path, st, c.status, body)
			continue
		}
		if c.want == nil {
			continue
		}
		got := decodeTo[struct{ Topics map[string]string }](t, body).Topics
		if len(got) != len(c.want) {
			t.Errorf("%s GET %s: topics %v, want %v", c.who, c.path, got, c.want)
		}
		for op, topic := range c.want {
			if got[op] != topic {
				t.Errorf("%s GET %s: %s topic %q, want %q", c.who, c.path, op, got[op], topic)
			}
		}
	}

	// ven-1 reads its VEN's and its resources' topics, not ven-2's.
	addr := strings.TrimPrefix(b.URI(), "mqtt://")
	sub := dialMQTTAs(t, addr, "site-ven-1", "ven-1", cl["ven-1"].token)
	sub.subscribe(p + "vens/" + v1 + "/+")
	sub.subscribe(p + "vens/" + v1 + "/resources/+")
	for _, f := range []string{p + "vens/" + venID["ven-2"] + "/+", p + "vens/" + venID["ven-2"] + "/resources/create", p + "vens/+/resources/create"} {
		if code := sub.trySubscribe(f); code != 0x80 {
			t.Errorf("ven-1 SUBSCRIBE %s: return code %#x, want 0x80", f, code)
		}
	}
	st, body := cl["ven-1"].do("PUT", "/vens/"+v1, map[string]any{"objectType": "VEN_VEN_REQUEST", "venName": "site-ven-1",
		"targets": []any{"group-a"}}, true)
	if st != 200 {
		t.Fatalf("PUT VEN: %d %s", st, body)
	}
	st, body = cl["ven-1"].do("POST", "/resources", map[string]any{"objectType": "VEN_RESOURCE_REQUEST", "resourceName": "thermostat-1",
		"venID": v1}, true)
	if st != 201 {
		t.Fatalf("POST resource: %d %s", st, body)
	}
	want := []string{p + "vens/" + v1 + "/update UPDATE VEN", p + "vens/" + v1 + "/resources/create CREATE RESOURCE"}
	for _, w := range want {
		topic, payload, _, err := sub.next(5 * time.Second)
		if err != nil {
			t.Fatalf("ven-1 waiting for %s: %v", w, err)
		}
		var n struct{ ObjectType, Operation string }
		var raw any
		json.Unmarshal(payload, &n)
		json.Unmarshal(payload, &raw)
		if got := topic + " " + n.Operation + " " + n.ObjectType; got != w {
			t.Errorf("ven-1 read %q, want %q", got, w)
		}
		if err := doc.Components.Schemas["notification"].Value.VisitJSON(raw); err != nil {
			t.Errorf("notification on %s does not follow the spec: %v", topic, err)
		}
	}
}
