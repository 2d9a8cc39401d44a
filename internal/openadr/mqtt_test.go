package openadr

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"strings"
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

func dialMQTT(t *testing.T, addr, id string) *mqttClient {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	m := &mqttClient{conn: c, r: bufio.NewReader(c), t: t}
	body := append(mqttString("MQTT"), 4, 0x02, 0, 30) // level 4, clean session, keep-alive 30 s
	m.send(0x10, append(body, mqttString(id)...))
	kind, ack, err := m.read(5 * time.Second)
	if err != nil || kind != 0x20 || len(ack) != 2 || ack[1] != 0 {
		t.Fatalf("CONNACK: %x %x %v", kind, ack, err)
	}
	return m
}

func (m *mqttClient) subscribe(filter string) {
	m.t.Helper()
	m.send(0x82, append(append([]byte{0, 1}, mqttString(filter)...), 1))
	kind, ack, err := m.read(5 * time.Second)
	if err != nil || kind != 0x90 || len(ack) != 3 || ack[2] > 2 {
		m.t.Fatalf("SUBACK: %x %x %v", kind, ack, err)
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
	sub := dialMQTT(t, strings.TrimPrefix(b.URI(), "mqtt://"), "mqtt-ven")
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
