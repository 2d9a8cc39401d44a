package openadr

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
	"net/http/httptest"
)

// mqttClient is a minimal MQTT 3.1.1 client written from the OASIS
// specification (§2.2 fixed header and remaining length, §3.1 CONNECT,
// §3.2 CONNACK, §3.3 PUBLISH, §3.4 PUBACK, §3.8 SUBSCRIBE, §3.9 SUBACK),
// not from the broker's code.
type mqttClient struct {
	conn net.Conn
	r    *bufio.Reader
	t    *testing.T
}

func mqttString(s string) []byte {
	return append(binary.BigEndian.AppendUint16(nil, uint16(len(s))), s...)
}

func (m *mqttClient) send(kind byte, body []byte) {
	m.t.Helper()
	pkt := []byte{kind}
	n := len(body)
	for {
		b := byte(n % 128)
		n /= 128
		if n > 0 {
			b |= 0x80
		}
		pkt = append(pkt, b)
		if n == 0 {
			break
		}
	}
	if _, err := m.conn.Write(append(pkt, body...)); err != nil {
		m.t.Fatal(err)
	}
}

// read returns the next packet's first byte and body.
func (m *mqttClient) read(timeout time.Duration) (byte, []byte, error) {
	m.conn.SetReadDeadline(time.Now().Add(timeout))
	first, err := m.r.ReadByte()
	if err != nil {
		return 0, nil, err
	}
	n, mult := 0, 1
	for {
		b, err := m.r.ReadByte()
		if err != nil {
			return 0, nil, err
		}
		n += int(b&0x7f) * mult
		mult *= 128
		if b&0x80 == 0 {
			break
		}
	}
	body := make([]byte, n)
	_, err = io.ReadFull(m.r, body)
	return first, body, err
}

// connectMQTT sends CONNECT (§3.1.2.3 flags: clean session, and the
// user name and password flags when user is not empty; §3.1.3 payload
// order: client id, user name, password) and returns the CONNACK return
// code (§3.2.2.3: 0 accepted, 4 bad user name or password, 5 not
// authorized). The flags follow user and pass being non-empty.
func connectMQTT(t *testing.T, addr, id, user, pass string) (*mqttClient, byte) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	m := &mqttClient{conn: c, r: bufio.NewReader(c), t: t}
	flags := byte(0x02)
	if user != "" {
		flags |= 0x80
	}
	if pass != "" {
		flags |= 0x40
	}
	body := append(mqttString("MQTT"), 4, flags, 0, 30) // level 4, keep-alive 30 s
	body = append(body, mqttString(id)...)
	if user != "" {
		body = append(body, mqttString(user)...)
	}
	if pass != "" {
		body = append(body, mqttString(pass)...)
	}
	m.send(0x10, body)
	kind, ack, err := m.read(5 * time.Second)
	if err != nil || kind != 0x20 || len(ack) != 2 {
		t.Fatalf("CONNACK: %x %x %v", kind, ack, err)
	}
	return m, ack[1]
}

// dialMQTT connects anonymously and fails the test unless accepted.
func dialMQTT(t *testing.T, addr, id string) *mqttClient {
	t.Helper()
	return dialMQTTAs(t, addr, id, "", "")
}

// dialMQTTAs connects with a user name and password and fails the test
// unless accepted.
func dialMQTTAs(t *testing.T, addr, id, user, pass string) *mqttClient {
	t.Helper()
	m, code := connectMQTT(t, addr, id, user, pass)
	if code != 0 {
		t.Fatalf("CONNACK return code %d for %s", code, id)
	}
	return m
}

// trySubscribe sends SUBSCRIBE at QoS 1 and returns the SUBACK return
// code (§3.9.3: 0–2 granted QoS, 0x80 failure), skipping PUBLISH packets
// that arrive first.
func (m *mqttClient) trySubscribe(filter string) byte {
	m.t.Helper()
	m.send(0x82, append(append([]byte{0, 1}, mqttString(filter)...), 1))
	kind, ack, err := m.read(5 * time.Second)
	for err == nil && kind>>4 == 3 { // a PUBLISH still on its way: acknowledge and skip
		if (kind>>1)&3 > 0 {
			tl := int(binary.BigEndian.Uint16(ack))
			m.send(0x40, ack[2+tl:4+tl])
		}
		kind, ack, err = m.read(5 * time.Second)
	}
	if err != nil || kind != 0x90 || len(ack) != 3 {
		m.t.Fatalf("SUBACK: %x %x %v", kind, ack, err)
	}
	return ack[2]
}

func (m *mqttClient) subscribe(filter string) {
	m.t.Helper()
	if code := m.trySubscribe(filter); code > 2 {
		m.t.Fatalf("SUBACK for %s: return code %#x", filter, code)
	}
}

// next returns the next PUBLISH (acknowledging QoS 1).
func (m *mqttClient) next(timeout time.Duration) (topic string, payload []byte, retained bool, err error) {
	for {
		kind, body, err := m.read(timeout)
		if err != nil {
			return "", nil, false, err
		}
		if kind>>4 != 3 {
			continue
		}
		qos := (kind >> 1) & 3
		tl := int(binary.BigEndian.Uint16(body))
		topic, rest := string(body[2:2+tl]), body[2+tl:]
		if qos > 0 {
			m.send(0x40, rest[:2])
			rest = rest[2:]
		}
		return topic, rest, kind&1 == 1, nil
	}
}

// TestTOUSignalIsRetainedOnItsTopic: a light switch that subscribes to
// gridbook/signals/tou/TOU-D-PRIME at 3 pm on a July weekday gets the
// retained signal at once: off-peak (level 0), the peak from 4 pm
// (research/billing.md §1.6 periods). Clients may not publish there.
func TestTOUSignalIsRetainedOnItsTopic(t *testing.T) {
	db := storetest.SQLite()(t)
	if _, err := db.LoadShippedTariffs(context.Background(), auth.System); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 7, 15, 15, 0, 0, 0, calendar.Pacific)
	db.Now = func() time.Time { return at.UTC() }
	b, err := StartBroker("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.AllowAnonymous() // light switches hold no OpenADR token
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { PublishTOU(ctx, db, b, []string{"TOU-D-PRIME"}, nil); close(done) }()
	defer func() { cancel(); <-done }()

	addr := strings.TrimPrefix(b.URI(), "mqtt://")
	sw := dialMQTT(t, addr, "flick-0001")
	sw.subscribe(TOUTopic("TOU-D-PRIME"))
	topic, payload, _, err := sw.next(5 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var sig dr.TOUSignal
	if err := json.Unmarshal(payload, &sig); err != nil || topic != "gridbook/signals/tou/TOU-D-PRIME" {
		t.Fatalf("%s %s: %v", topic, payload, err)
	}
	if sig.Current.Level != 0 || !sig.NextChange.Equal(time.Date(2026, 7, 15, 16, 0, 0, 0, calendar.Pacific)) || sig.Next.Level != 2 {
		t.Errorf("signal %+v", sig)
	}
	// Anonymous clients (allowed here) read no VEN's topics.
	if code := sw.trySubscribe(TopicPrefix + "vens/ven-x/events/create"); code != 0x80 {
		t.Errorf("anonymous SUBSCRIBE to a VEN topic: return code %#x, want 0x80", code)
	}
	// A second subscriber arriving later gets the retained message.
	late := dialMQTT(t, addr, "flick-0002")
	late.subscribe(TOUTopic("TOU-D-PRIME"))
	if _, _, retained, err := late.next(5 * time.Second); err != nil || !retained {
		t.Errorf("late subscriber: retained %v, %v", retained, err)
	}
	// A client's own publish is refused by the broker's ACL.
	evil := dialMQTT(t, addr, "evil")
	evil.send(0x30, append(mqttString(TOUTopic("TOU-D-PRIME")), []byte(`{"current":{"level":2}}`)...))
	if topic, payload, _, err := sw.next(500 * time.Millisecond); err == nil {
		t.Errorf("a client's publish reached subscribers: %s %s", topic, payload)
	}
}

// TestVTNEventsArriveOverMQTT: with a broker the VTN advertises the MQTT
// notifier (validated against the spec), names the VEN's event topics, and
// an event created by business logic arrives on them as the spec's
// notification object.
func TestVTNEventsArriveOverMQTT(t *testing.T) {
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
	for _, c := range []store.OADRClient{{ClientID: "bl-1", Role: "bl", Name: "DRMS"}, {ClientID: "ven-1", Role: "ven", Name: "aggregator"}} {
		c.Scopes = ScopesFor(c.Role)
		db.InTx(context.Background(), func(tx *store.Tx) error {
			s, err := tx.CreateOADRClient(context.Background(), auth.System, &c)
			secrets[c.ClientID] = s
			return err
		})
	}
	vtn := New(db, Options{Broker: b})
	srv := httptest.NewServer(vtn.Handler())
	defer srv.Close()
	v1 := &ven{t: t, base: srv.URL, router: router}
	v1.login("ven-1", secrets["ven-1"])
	bl := &ven{t: t, base: srv.URL, router: router}
	bl.login("bl-1", secrets["bl-1"])
	_, body := v1.do("POST", "/vens", map[string]any{"objectType": "VEN_VEN_REQUEST", "venName": "mqtt-ven"}, true)
	me := decodeTo[map[string]any](t, body)
	st, body := bl.do("GET", "/notifiers", nil, true)
	if n := decodeTo[map[string]any](t, body); st != 200 || n["MQTT"] == nil {
		t.Fatalf("notifiers %d %s", st, body)
	}
	st, body = v1.do("GET", "/notifiers/mqtt/topics/vens/"+me["id"].(string)+"/events", nil, true)
	if st != 200 {
		t.Fatalf("topics %d %s", st, body)
	}
	tp := decodeTo[struct{ Topics map[string]string }](t, body).Topics
	sub := dialMQTTAs(t, strings.TrimPrefix(b.URI(), "mqtt://"), "mqtt-ven", "ven-1", v1.token)
	sub.subscribe(tp["CREATE"])
	st, body = bl.do("POST", "/events", map[string]any{"programID": "power_response",
		"intervalPeriod": map[string]any{"start": "2026-07-15T17:00:00-07:00", "duration": "PT2H"}}, true)
	if st != 201 {
		t.Fatalf("create %d %s", st, body)
	}
	topic, payload, _, err := sub.next(5 * time.Second)
	if err != nil || topic != tp["CREATE"] {
		t.Fatalf("mqtt: %s %v", topic, err)
	}
	var n any
	json.Unmarshal(payload, &n)
	if err := doc.Components.Schemas["notification"].Value.VisitJSON(n); err != nil {
		t.Errorf("MQTT notification does not follow the spec: %v", err)
	}
	vtn.Wait()
}

// TestMQTTAuthenticatesWithBearerTokens: the broker takes the OpenADR
// 3.1.0 MQTT binding's OAUTH2_BEARER_TOKEN method (openadr3.yaml
// mqttNotifierAuthenticationOauth2BearerToken: user name "{clientID}",
// password the bearer token), as /notifiers says. A VEN client reads its
// own VEN's topics and the all-object and program event topics, but not
// another VEN's topics, wildcards over VENs, or the all-object reports;
// no client publishes; a bad, missing or borrowed token is refused.
func TestMQTTAuthenticatesWithBearerTokens(t *testing.T) {
	doc, router := loadSpec(t)
	db := storetest.SQLite()(t)
	var clock atomic.Int64 // the broker reads the clock on its own goroutines
	clock.Store(time.Date(2026, 7, 15, 9, 0, 0, 0, calendar.Pacific).Unix())
	db.Now = func() time.Time { return time.Unix(clock.Load(), 0).UTC() }
	b, err := StartBroker("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	secrets := map[string]string{}
	for _, c := range []store.OADRClient{{ClientID: "bl-1", Role: "bl", Name: "DRMS"},
		{ClientID: "ven-1", Role: "ven", Name: "aggregator one"}, {ClientID: "ven-2", Role: "ven", Name: "aggregator two"}} {
		c.Scopes = ScopesFor(c.Role)
		db.InTx(context.Background(), func(tx *store.Tx) error {
			s, err := tx.CreateOADRClient(context.Background(), auth.System, &c)
			secrets[c.ClientID] = s
			return err
		})
	}
	vtn := New(db, Options{Broker: b})
	defer vtn.Wait()
	srv := httptest.NewServer(vtn.Handler())
	defer srv.Close()
	clients := map[string]*ven{}
	venIDs := map[string]string{}
	for _, id := range []string{"bl-1", "ven-1", "ven-2"} {
		clients[id] = &ven{t: t, base: srv.URL, router: router}
		clients[id].login(id, secrets[id])
		if id != "bl-1" {
			st, body := clients[id].do("POST", "/vens", map[string]any{"objectType": "VEN_VEN_REQUEST", "venName": "site-of-" + id}, true)
			if st != 201 {
				t.Fatalf("register VEN for %s: %d %s", id, st, body)
			}
			venIDs[id] = decodeTo[map[string]any](t, body)["id"].(string)
		}
	}
	st, body := clients["ven-1"].do("GET", "/notifiers", nil, true)
	n := decodeTo[struct {
		MQTT struct{ Authentication map[string]string }
	}](t, body)
	if st != 200 || n.MQTT.Authentication["method"] != "OAUTH2_BEARER_TOKEN" || n.MQTT.Authentication["username"] != "{clientID}" {
		t.Fatalf("notifiers %d %s", st, body)
	}
	addr := strings.TrimPrefix(b.URI(), "mqtt://")

	// Refused at CONNECT: return code 4 (bad user name or password) or 5
	// (not authorized), MQTT 3.1.1 §3.2.2.3; anonymous access is off by
	// default.
	for _, c := range []struct{ name, user, pass string }{
		{"no credentials", "", ""},
		{"bad token", "ven-1", "not-a-token"},
		{"another client's token", "ven-2", clients["ven-1"].token},
		{"user name without password", "ven-1", ""},
	} {
		if _, code := connectMQTT(t, addr, "refused", c.user, c.pass); code != 4 && code != 5 {
			t.Errorf("%s: CONNACK return code %d, want 4 or 5", c.name, code)
		}
	}

	own := TopicPrefix + "vens/" + venIDs["ven-1"] + "/events/create"
	v1 := dialMQTTAs(t, addr, "ven-1-sub", "ven-1", clients["ven-1"].token)
	for filter, want := range map[string]bool{
		own: true,
		TopicPrefix + "vens/" + venIDs["ven-1"] + "/events/+":      true,
		TopicPrefix + "events/create":                              true,
		TopicPrefix + "programs/power_response/events/+":           true,
		TOUTopic("TOU-D-PRIME"):                                    true,
		TopicPrefix + "vens/" + venIDs["ven-2"] + "/events/create": false,
		TopicPrefix + "vens/+/events/create":                       false,
		TopicPrefix + "vens/ven-unknown/events/create":             false,
		TopicPrefix + "#":                                          false,
		"#":                                                        false,
		TopicPrefix + "reports/create":                             false,
	} {
		code := v1.trySubscribe(filter)
		if granted := code <= 2; granted != want {
			t.Errorf("ven-1 SUBSCRIBE %s: return code %#x, want granted %v", filter, code, want)
		} else if !want && code != 0x80 {
			t.Errorf("ven-1 SUBSCRIBE %s: return code %#x, want 0x80", filter, code)
		}
	}
	bl := dialMQTTAs(t, addr, "bl-sub", "bl-1", clients["bl-1"].token)
	bl.subscribe(TopicPrefix + "vens/+/events/create")

	// A VEN's QoS 1 publish, even to its own topic, is refused: an MQTT
	// 3.1.1 broker can only close the connection (§3.3.5; mochi sends a
	// DISCONNECT first).
	evil := dialMQTTAs(t, addr, "ven-1-pub", "ven-1", clients["ven-1"].token)
	evil.send(0x32, append(append(mqttString(own), 0, 7), `{"objectType":"EVENT","operation":"CREATE","object":{}}`...))
	for {
		kind, _, err := evil.read(5 * time.Second)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatal("the broker kept the connection of a client that published")
		} else if err != nil {
			break
		}
		if kind != 0xe0 {
			t.Fatalf("the broker answered a client's publish with packet %#x", kind)
		}
	}

	st, body = clients["bl-1"].do("POST", "/events", map[string]any{"programID": "power_response",
		"intervalPeriod": map[string]any{"start": "2026-07-15T17:00:00-07:00", "duration": "PT2H"}}, true)
	if st != 201 {
		t.Fatalf("create %d %s", st, body)
	}
	created := decodeTo[map[string]any](t, body)
	topic, payload, _, err := v1.next(5 * time.Second)
	for err == nil && topic != own {
		topic, payload, _, err = v1.next(5 * time.Second) // the all-object and program topics come too
	}
	if err != nil {
		t.Fatalf("ven-1 got no notification on %s: %v", own, err)
	}
	var got struct {
		ObjectType, Operation string
		Object                map[string]any
	}
	var raw any
	json.Unmarshal(payload, &raw)
	if err := doc.Components.Schemas["notification"].Value.VisitJSON(raw); err != nil {
		t.Errorf("notification does not follow the spec: %v", err)
	}
	if json.Unmarshal(payload, &got) != nil || got.Operation != "CREATE" || got.Object["id"] != created["id"] {
		t.Errorf("ven-1 on %s: %s", own, payload)
	}
	// Business logic reads every VEN's topic; what it reads first is the
	// VTN's notification, not the refused publish.
	topic, payload, _, err = bl.next(5 * time.Second)
	if err != nil || !strings.HasPrefix(topic, TopicPrefix+"vens/") {
		t.Fatalf("bl: %s %v", topic, err)
	}
	if json.Unmarshal(payload, &got) != nil || got.Object["id"] != created["id"] {
		t.Errorf("bl read %s: %s", topic, payload)
	}

	// Two hours on, the tokens have expired: ven-1's next SUBSCRIBE is
	// refused (or the connection is dropped first, when the broker has
	// yet to process ven-1's last PUBACK) and its connection dropped; the
	// idle business-logic connection is dropped by the broker's sweep.
	clock.Add(int64(2 * time.Hour / time.Second))
	v1.send(0x82, append(append([]byte{0, 2}, mqttString(TopicPrefix+"events/update")...), 1))
	if kind, ack, err := v1.read(5 * time.Second); err == nil && kind == 0x90 && (len(ack) != 3 || ack[2] != 0x80) {
		t.Errorf("ven-1 SUBSCRIBE after its token expired: SUBACK %x, want return code 0x80", ack)
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Errorf("ven-1 SUBSCRIBE after its token expired: no answer and the connection kept")
	}
	v1.expectClosed("ven-1 after its token expired")
	b.auth.sweep()
	bl.expectClosed("bl after its token expired")
}

// expectClosed fails the test unless the broker closes the connection
// (a DISCONNECT or PUBLISH before the close is skipped).
func (m *mqttClient) expectClosed(who string) {
	m.t.Helper()
	for {
		kind, _, err := m.read(5 * time.Second)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			m.t.Errorf("%s: the broker kept the connection", who)
			return
		} else if err != nil {
			return
		}
		if kind != 0xe0 && kind>>4 != 3 {
			m.t.Errorf("%s: packet %#x where the connection should close", who, kind)
		}
	}
}

// TestMQTTClientIDTakenOverOnlyBySameClient: an MQTT client id in use is
// not taken over by another VEN's credentials, nor by an anonymous
// client, and the first connection keeps reading; the same VEN (a new
// token) takes it over and the old connection is closed (MQTT 3.1.1
// §3.1.4-2); an anonymous light switch's id is not taken over by another
// anonymous client while it is connected.
func TestMQTTClientIDTakenOverOnlyBySameClient(t *testing.T) {
	db := storetest.SQLite()(t)
	db.Now = func() time.Time { return time.Date(2026, 7, 15, 9, 0, 0, 0, calendar.Pacific).UTC() }
	b, err := StartBroker("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.AllowAnonymous()
	New(db, Options{Broker: b})
	ctx := context.Background()
	token := func(id string) string {
		var tok string
		err := db.InTx(ctx, func(tx *store.Tx) error {
			c := store.OADRClient{ClientID: id, Role: "ven", Name: id, Scopes: ScopesFor("ven")}
			secret, err := tx.CreateOADRClient(ctx, auth.System, &c)
			if err != nil {
				return err
			}
			tok, _, err = tx.IssueOADRToken(ctx, id, secret, time.Hour)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	t1, t2 := token("ven-1"), token("ven-2")
	addr := strings.TrimPrefix(b.URI(), "mqtt://")
	first := dialMQTTAs(t, addr, "site-1", "ven-1", t1)
	for _, c := range []struct{ name, user, pass string }{
		{"another VEN", "ven-2", t2},
		{"an anonymous client", "", ""},
	} {
		if _, code := connectMQTT(t, addr, "site-1", c.user, c.pass); code != 4 && code != 5 {
			t.Errorf("%s taking over site-1: CONNACK return code %d, want 4 or 5", c.name, code)
		}
	}
	first.subscribe(TopicPrefix + "events/create") // still connected
	dialMQTTAs(t, addr, "site-1", "ven-1", t1)
	first.expectClosed("site-1's first connection, taken over by ven-1 again")

	dialMQTT(t, addr, "switch-1")
	if _, code := connectMQTT(t, addr, "switch-1", "", ""); code != 4 && code != 5 {
		t.Errorf("an anonymous client taking over a connected switch-1: CONNACK return code %d, want 4 or 5", code)
	}
}
