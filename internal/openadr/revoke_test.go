package openadr

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// expectDropped fails the test unless the broker closes the connection;
// a PINGRESP, DISCONNECT or PUBLISH before the close is skipped.
func (m *mqttClient) expectDropped(who string) {
	m.t.Helper()
	for {
		kind, _, err := m.read(5 * time.Second)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			m.t.Errorf("%s: the broker kept the connection", who)
			return
		} else if err != nil {
			return
		}
		if kind != 0xd0 && kind != 0xe0 && kind>>4 != 3 {
			m.t.Errorf("%s: packet %#x where the connection should close", who, kind)
		}
	}
}

// expectOpen fails the test unless a PINGREQ is answered by a PINGRESP
// (MQTT 3.1.1 §3.12, §3.13): the connection is kept.
func (m *mqttClient) expectOpen(who string) {
	m.t.Helper()
	m.send(0xc0, nil)
	kind, _, err := m.read(5 * time.Second)
	if err != nil || kind != 0xd0 {
		m.t.Errorf("%s: PINGREQ answered by %#x %v, want PINGRESP 0xd0", who, kind, err)
	}
}

// TestRevokedTokensAreRefusedAtOnce: revoking one token of a VEN client
// makes the VTN answer 401 to that token on its next request while the
// client's other token still works; disabling the client refuses every
// token and a new one at /auth/token, and the MQTT connection made with
// the client's token is dropped at its next packet (a PINGREQ), without
// the clock moving toward the broker's minute re-check. A revocation by
// another process (another store handle, as the CLI is) reaches the
// broker at its minute re-check.
func TestRevokedTokensAreRefusedAtOnce(t *testing.T) {
	_, router := loadSpec(t)
	db := storetest.SQLite()(t)
	var clock atomic.Int64 // the broker reads the clock on its own goroutines
	clock.Store(time.Date(2026, 7, 15, 9, 0, 0, 0, calendar.Pacific).Unix())
	db.Now = func() time.Time { return time.Unix(clock.Load(), 0).UTC() }
	b, err := StartBroker("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	secrets := map[string]string{}
	for _, id := range []string{"ven-1", "ven-2"} {
		c := store.OADRClient{ClientID: id, Role: "ven", Name: "aggregator " + id, Scopes: ScopesFor("ven")}
		if err := db.InTx(ctx, func(tx *store.Tx) error {
			s, err := tx.CreateOADRClient(ctx, auth.System, &c)
			secrets[id] = s
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	vtn := New(db, Options{Broker: b})
	defer vtn.Wait()
	srv := httptest.NewServer(vtn.Handler())
	defer srv.Close()
	a := &ven{t: t, base: srv.URL, router: router}
	a.login("ven-1", secrets["ven-1"])
	a2 := &ven{t: t, base: srv.URL, router: router}
	a2.login("ven-1", secrets["ven-1"])
	other := &ven{t: t, base: srv.URL, router: router}
	other.login("ven-2", secrets["ven-2"])
	for _, c := range []*ven{a, a2, other} {
		if st, body := c.do("GET", "/programs", nil, true); st != 200 {
			t.Fatalf("GET /programs before revocation: %d %s", st, body)
		}
	}
	addr := strings.TrimPrefix(b.URI(), "mqtt://")
	m := dialMQTTAs(t, addr, "ven-1-sub", "ven-1", a2.token)
	m.subscribe(TopicPrefix + "events/create")
	m2 := dialMQTTAs(t, addr, "ven-2-sub", "ven-2", other.token)
	m2.subscribe(TopicPrefix + "events/create")

	// One token revoked: that token is refused on its next request.
	var n int
	if err := db.InTx(ctx, func(tx *store.Tx) error {
		n, err = tx.RevokeOADRTokens(ctx, auth.System, "ven-1", a.token)
		return err
	}); err != nil || n != 1 {
		t.Fatalf("revoke one token: %d %v, want 1 revoked", n, err)
	}
	if st, _ := a.do("GET", "/programs", nil, true); st != 401 {
		t.Errorf("GET /programs with the revoked token: %d, want 401", st)
	}
	if st, _ := a2.do("GET", "/programs", nil, true); st != 200 {
		t.Errorf("GET /programs with the client's other token: %d, want 200", st)
	}
	m.expectOpen("ven-1's connection on its unrevoked token")

	// The client disabled: every token refused, the MQTT connection
	// dropped at its next packet, no new token; ven-2 is untouched.
	if err := db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.DisableOADRClient(ctx, auth.System, "ven-1")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if st, _ := a2.do("GET", "/programs", nil, true); st != 401 {
		t.Errorf("GET /programs after the client was disabled: %d, want 401", st)
	}
	m.send(0xc0, nil)
	m.expectDropped("ven-1's connection after the client was disabled")
	m2.expectOpen("ven-2's connection")
	if st, _ := other.do("GET", "/programs", nil, true); st != 200 {
		t.Errorf("GET /programs by ven-2: %d, want 200", st)
	}
	res, err := http.PostForm(srv.URL+Prefix+"/auth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {"ven-1"}, "client_secret": {secrets["ven-1"]}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Errorf("token for the disabled client: %d, want 401", res.StatusCode)
	}

	// Another process revokes ven-2's tokens: the broker sees it at its
	// re-check, a minute after it last found the token valid.
	cli, err := store.Open(ctx, db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	cli.Now = db.Now
	if err := cli.InTx(ctx, func(tx *store.Tx) error {
		n, err = tx.RevokeOADRTokens(ctx, auth.System, "ven-2", "")
		return err
	}); err != nil || n != 1 {
		t.Fatalf("revoke all of ven-2's tokens: %d %v, want 1 revoked", n, err)
	}
	if st, _ := other.do("GET", "/programs", nil, true); st != 401 {
		t.Errorf("GET /programs with ven-2's revoked token: %d, want 401", st)
	}
	m2.expectOpen("ven-2's connection before the broker's re-check")
	clock.Add(int64(tokenRecheck / time.Second))
	m2.send(0xc0, nil)
	m2.expectDropped("ven-2's connection at the broker's re-check")
}
