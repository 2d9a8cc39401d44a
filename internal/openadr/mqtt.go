package openadr

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"
)

// TopicPrefix begins the VTN's MQTT notification topics:
// OpenADR/3.1.0/events/create, OpenADR/3.1.0/programs/{programID}/events/create,
// OpenADR/3.1.0/vens/{venID}/events/create (the spec's notifier topics are
// the VTN's to name; /notifiers/mqtt/topics/... lists them).
const TopicPrefix = "OpenADR/3.1.0/"

// TOUTopic is the retained topic of a tariff's TOU signal.
func TOUTopic(tariff string) string { return "gridbook/signals/tou/" + tariff }

// Broker is the embedded MQTT broker (github.com/mochi-mqtt/server/v2)
// for OpenADR notifications and TOU signals. Clients authenticate as the
// OpenADR 3.1.0 MQTT binding's OAUTH2_BEARER_TOKEN method says
// (components.schemas.mqttNotifierAuthenticationOauth2BearerToken): the
// MQTT username is the client's ID and the password a bearer token from
// the VTN's POST /auth/token. Anonymous clients are refused unless
// AllowAnonymous was called. No client may publish: every topic is
// written by gridbook alone. See brokerAuth for what each client may read.
type Broker struct {
	srv       *mqtt.Server
	ln        net.Listener
	auth      *brokerAuth
	vtn       atomic.Pointer[VTN] // checks tokens; set by New
	anonymous atomic.Bool
	stop      chan struct{} // closed by Close: ends the token sweep
	closing   sync.Once
}

// AllowAnonymous lets clients without credentials connect. They may read
// only the topics any VEN may read without owning a VEN: all-object
// events and programs, programs' events and the TOU signals — never a
// VEN's own topics.
func (b *Broker) AllowAnonymous() { b.anonymous.Store(true) }

// brokerAuth is the broker's authentication and ACL hook. A business
// logic client reads every topic; a VEN client (and an anonymous one,
// when allowed) reads only the topic patterns of venReadable plus, of
// the VENs it registered, OpenADR/3.1.0/vens/{venID}/{op} and
// OpenADR/3.1.0/vens/{venID}/{events|programs|resources}/{op};
// nobody publishes. A connection whose token has expired is dropped
// (after the packet it sent is answered, or by the broker's sweep), and
// a client id in use is taken over only with the same client's
// credentials.
type brokerAuth struct {
	mqtt.HookBase
	b        *Broker
	sessions sync.Map // *mqtt.Client → *mqttSession
}

// mqttSession is who a connection authenticated as.
type mqttSession struct {
	client  *store.OADRClient // nil for an anonymous client
	token   string
	mu      sync.Mutex
	checked time.Time       // when the token was last found valid
	revGen  int64           // the store's OADRRevocations at that check
	expired bool            // the token has expired or was revoked
	owns    map[string]bool // VEN id → registered by this client (cache)
	touched time.Time       // when the connection last recorded its light switch as seen
}

// tokenRecheck is how often a connection's token is checked again, so a
// connection does not outlive its token by more than this.
const tokenRecheck = time.Minute

func (h *brokerAuth) ID() string { return "gridbook-openadr-auth" }

func (h *brokerAuth) Provides(b byte) bool {
	return bytes.Contains([]byte{mqtt.OnConnectAuthenticate, mqtt.OnACLCheck, mqtt.OnDisconnect, mqtt.OnPacketProcessed}, []byte{b})
}

// OnConnectAuthenticate accepts a client whose password is an unexpired
// VTN bearer token and whose username is that token's client ID (the
// spec's "{clientID}" username), and an anonymous client (neither
// username nor password) only when anonymous access is allowed. A
// client whose MQTT client id is held by another session (MQTT 3.1.4-3
// would have the broker drop the older connection and hand its session
// over) is accepted only when that session authenticated as the same
// OpenADR client; an anonymous client takes over only a session of an
// anonymous client that is no longer connected.
func (h *brokerAuth) OnConnectAuthenticate(cl *mqtt.Client, pk packets.Packet) bool {
	user, pass := string(pk.Connect.Username), string(pk.Connect.Password)
	if old, ok := h.b.srv.Clients.Get(cl.ID); ok && old != cl {
		if string(old.Properties.Username) != user || (user == "" && !old.Closed()) {
			return false
		}
	}
	if user == "" && pass == "" {
		if !h.b.anonymous.Load() {
			return false
		}
		sess := &mqttSession{}
		h.sessions.Store(cl, sess)
		h.touch(cl, sess)
		return true
	}
	v := h.b.vtn.Load()
	if v == nil || pass == "" {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := v.db.OADRTokenClient(ctx, pass)
	if err != nil || c.ClientID != user {
		return false
	}
	sess := &mqttSession{client: &c, token: pass, checked: v.db.Now(), revGen: v.db.OADRRevocations(), owns: map[string]bool{}}
	h.sessions.Store(cl, sess)
	h.touch(cl, sess)
	return true
}

// deviceTouchEvery is how often a connection's packets (a keep-alive
// PINGREQ will do) record its light switch as seen again.
const deviceTouchEvery = 5 * time.Minute

// touch records a Smart Light Switch pilot device as seen when a
// connection's MQTT client id is its serial (as polls of
// /api/v1/signals/tou?device=SERIAL do): at CONNECT and then at most
// every deviceTouchEvery. A client id that is no switch's is ignored.
func (h *brokerAuth) touch(cl *mqtt.Client, sess *mqttSession) {
	v := h.b.vtn.Load()
	if v == nil || cl.ID == "" {
		return
	}
	now := v.db.Now()
	sess.mu.Lock()
	due := sess.touched.IsZero() || now.Sub(sess.touched) >= deviceTouchEvery
	if due {
		sess.touched = now
	}
	sess.mu.Unlock()
	if !due {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := v.db.InTx(ctx, func(tx *store.Tx) error { return tx.TouchDevice(ctx, "light_switch", cl.ID) })
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		v.log.Warn("mqtt: light switch last seen", "client", cl.ID, "err", err)
	}
}

func (h *brokerAuth) OnDisconnect(cl *mqtt.Client, _ error, _ bool) { h.sessions.Delete(cl) }

// OnPacketProcessed drops the connection, once the packet it sent has
// been answered, when its token has expired (checked at most every
// tokenRecheck; a client's keep-alive PINGREQ brings it here), and
// otherwise records its light switch as seen (touch).
func (h *brokerAuth) OnPacketProcessed(cl *mqtt.Client, _ packets.Packet, _ error) {
	s, ok := h.sessions.Load(cl)
	if !ok {
		return
	}
	sess := s.(*mqttSession)
	if sess.client != nil && !h.valid(sess) && sess.isExpired() {
		h.drop(cl)
		return
	}
	h.touch(cl, sess)
}

// drop disconnects a client whose token expired (MQTT 5 clients get
// reason 0x87 "not authorized"; an MQTT 3.1.1 connection is closed).
func (h *brokerAuth) drop(cl *mqtt.Client) {
	h.sessions.Delete(cl)
	_ = h.b.srv.DisconnectClient(cl, packets.ErrNotAuthorized) // the connection is closed whatever the write did
}

// sweep checks every authenticated connection's token (each at most
// every tokenRecheck) and drops those whose token has expired, so an
// idle connection does not outlive its token by much more than a
// minute.
func (h *brokerAuth) sweep() {
	h.sessions.Range(func(k, s any) bool {
		if sess := s.(*mqttSession); sess.client != nil && !h.valid(sess) && sess.isExpired() {
			h.drop(k.(*mqtt.Client))
		}
		return true
	})
}

func (s *mqttSession) isExpired() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.expired
}

// venReadable are the topic patterns ("*" one level) a VEN or anonymous
// client may read: the untargeted events on the all-object and program
// topics (targeted events go only to their VENs' topics), programs, and
// TOU signals. The all-object reports, VEN, resource and subscription
// topics carry other clients' objects and are left out, as the HTTP
// topic endpoints for them need read_all.
var venReadable = []string{TopicPrefix + "events/*", TopicPrefix + "programs/*", TopicPrefix + "programs/*/events/*", TOUTopic("*")}

// OnACLCheck refuses every publish and checks each subscription filter
// and, again, each delivered topic against what the client may read.
func (h *brokerAuth) OnACLCheck(cl *mqtt.Client, topic string, write bool) bool {
	if write {
		return false
	}
	s, ok := h.sessions.Load(cl)
	if !ok {
		return false
	}
	sess := s.(*mqttSession)
	if sess.client != nil && !h.valid(sess) {
		return false
	}
	if sess.client != nil && sess.client.Role == "bl" {
		return true
	}
	for _, p := range venReadable {
		if covers(p, topic) {
			return true
		}
	}
	if sess.client == nil {
		return false
	}
	parts := strings.Split(topic, "/")
	prefix := strings.Split(strings.TrimSuffix(TopicPrefix, "/"), "/")
	if len(parts) < len(prefix)+3 || !slices.Equal(parts[:len(prefix)], prefix) || parts[len(prefix)] != "vens" {
		return false
	}
	id := parts[len(prefix)+1]
	if id == "+" || id == "#" {
		return false
	}
	for _, p := range []string{"*", "events/*", "programs/*", "resources/*"} {
		if covers(TopicPrefix+"vens/"+id+"/"+p, topic) {
			return h.owns(sess, id)
		}
	}
	return false
}

// valid reports whether the session's token is still valid, asking the
// store at most every tokenRecheck, and at once when a token was revoked
// through this process's store since the last check
// (store.DB.OADRRevocations): an expired or revoked token reads nothing
// more. A revocation made by another process (the CLI, or another
// gridbook serve on the same PostgreSQL) is seen within tokenRecheck.
func (h *brokerAuth) valid(sess *mqttSession) bool {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	v := h.b.vtn.Load()
	if sess.expired || v == nil {
		return false
	}
	now := v.db.Now()
	gen := v.db.OADRRevocations()
	if now.Sub(sess.checked) < tokenRecheck && gen == sess.revGen {
		return true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := v.db.OADRTokenClient(ctx, sess.token)
	if apperr.Is(err, apperr.Unauthorized) {
		sess.expired = true
		return false
	} else if err != nil {
		return false // not remembered: a later check may succeed
	}
	sess.checked, sess.revGen = now, gen
	return true
}

// owns reports whether the session's client registered VEN id.
func (h *brokerAuth) owns(sess *mqttSession, id string) bool {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if own, ok := sess.owns[id]; ok {
		return own
	}
	v := h.b.vtn.Load()
	if v == nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ven, err := v.db.OADRObjectByID(ctx, venKind.kind, id)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return false // not cached: a later check may succeed
	}
	own := err == nil && ven.ClientID == sess.client.ClientID
	sess.owns[id] = own
	return own
}

// covers reports whether every topic filter matches lies within pattern,
// whose "*" levels stand for any one level: a "+" in the filter needs a
// "*" in the pattern, and "#" is never covered.
func covers(pattern, filter string) bool {
	p, f := strings.Split(pattern, "/"), strings.Split(filter, "/")
	if len(p) != len(f) {
		return false
	}
	for i := range p {
		switch {
		case f[i] == "#":
			return false
		case p[i] == "*":
		case f[i] == "+" || f[i] != p[i]:
			return false
		}
	}
	return true
}

// StartBroker listens on addr (host:port; port 0 picks one) and serves
// MQTT 3.1.1 and 5 until Close.
func StartBroker(addr string, log *slog.Logger) (*Broker, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mqtt: listen on %s: %w", addr, err)
	}
	srv := mqtt.New(&mqtt.Options{InlineClient: true, Logger: log})
	b := &Broker{srv: srv, ln: ln, stop: make(chan struct{})}
	b.auth = &brokerAuth{b: b}
	if err := srv.AddHook(b.auth, nil); err != nil {
		ln.Close()
		return nil, err
	}
	if err := srv.AddListener(listeners.NewNet("tcp", ln)); err != nil {
		ln.Close()
		return nil, err
	}
	if err := srv.Serve(); err != nil {
		ln.Close()
		return nil, err
	}
	go func() {
		t := time.NewTicker(tokenRecheck)
		defer t.Stop()
		for {
			select {
			case <-b.stop:
				return
			case <-t.C:
				b.auth.sweep()
			}
		}
	}()
	return b, nil
}

// URI is the broker's address as the spec's notifier binding states it.
func (b *Broker) URI() string { return "mqtt://" + b.ln.Addr().String() }

// Publish sends a message at QoS 1.
func (b *Broker) Publish(topic string, payload []byte, retain bool) error {
	return b.srv.Publish(topic, payload, retain, 1)
}

// Close stops the broker.
func (b *Broker) Close() error {
	b.closing.Do(func() { close(b.stop) })
	return b.srv.Close()
}

// topics names the MQTT topics of an object type's operations under
// scope ("" for all objects, "programs/pmp/", "vens/ven-x/").
func topics(scope, objectType string) map[string]string {
	base := TopicPrefix + scope + strings.ToLower(objectType) + "s/"
	return map[string]string{"CREATE": base + "create", "UPDATE": base + "update", "DELETE": base + "delete", "ALL": base + "+"}
}

// objectTopics names the MQTT topics of one object's operations:
// OpenADR/3.1.0/{path}/update and /delete, path "vens/ven-x" or
// "programs/pmp" (no CREATE: the spec's notifierOperationsTopics says an
// object's own topics cannot tell of its creation).
func objectTopics(path string) map[string]string {
	base := TopicPrefix + path + "/"
	return map[string]string{"UPDATE": base + "update", "DELETE": base + "delete", "ALL": base + "+"}
}

// publishMQTT sends a notification to the object type's topic, its
// program's, for a VEN's UPDATE or DELETE the VEN's own topic
// (vens/{venID}/update), for a resource its VEN's resource topic
// (vens/{venID}/resources/…), and for events every registered VEN's that
// sees it. A targeted event (a battery's dispatch) goes only to the
// topics of the VENs it targets, so no other VEN reads it. obj is the
// notified object.
func (v *VTN) publishMQTT(ctx context.Context, objectType, operation, programID string, body []byte, obj map[string]any) {
	if v.broker == nil {
		return
	}
	publish := func(topic string) {
		if err := v.broker.Publish(topic, body, false); err != nil {
			v.log.Warn("openadr mqtt", "topic", topic, "err", err)
		}
	}
	send := func(scope string) { publish(topics(scope, objectType)[operation]) }
	ev := obj
	if objectType != "EVENT" {
		ev = nil
	}
	if id, _ := obj["id"].(string); objectType == "VEN" && operation != "CREATE" && id != "" {
		publish(objectTopics("vens/" + id)[operation])
	}
	if ven, _ := obj["venID"].(string); objectType == "RESOURCE" && ven != "" {
		send("vens/" + ven + "/")
	}
	targeted := len(eventTargets(ev)) > 0
	if !targeted {
		send("")
		if programID != "" {
			send("programs/" + programID + "/")
		}
	}
	if objectType == "EVENT" {
		vens, err := v.db.OADRObjects(ctx, store.OADRFilter{Kind: venKind.kind})
		if err != nil {
			v.log.Warn("openadr mqtt", "err", err)
			return
		}
		for _, ven := range vens {
			if targeted {
				ts, err := v.venTargets(ctx, ven)
				if err != nil {
					v.log.Warn("openadr mqtt", "ven", ven.ID, "err", err)
					continue
				}
				if !ts.sees(ev) {
					continue
				}
			}
			send("vens/" + ven.ID + "/")
		}
	}
}

// PublishTOU publishes the TOU signal of each tariff code (stored versions
// in force) to its retained topic now and again at every period change,
// until ctx ends. A device that subscribes gets the current signal at
// once.
func PublishTOU(ctx context.Context, db *store.DB, b *Broker, codes []string, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	for {
		now := db.Now()
		next := now.Add(15 * time.Minute)
		for _, code := range codes {
			sig, err := touSignal(ctx, db, code, now)
			if err != nil {
				log.Warn("tou signal", "tariff", code, "err", err)
				continue
			}
			body, _ := json.Marshal(sig)
			if err := b.Publish(TOUTopic(code), body, true); err != nil {
				log.Warn("tou signal", "tariff", code, "err", err)
			}
			if sig.NextChange.After(now) && sig.NextChange.Before(next) {
				next = sig.NextChange
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(next.Sub(now) + time.Second):
		}
	}
}

func touSignal(ctx context.Context, db *store.DB, code string, at time.Time) (dr.TOUSignal, error) {
	rec, err := db.TariffOn(ctx, "", code, calendar.DateOf(at))
	if err != nil {
		return dr.TOUSignal{}, err
	}
	return dr.SignalAt(&rec.Version, at)
}

// TOUCodes returns the codes of the stored tariffs in force on day d that
// have TOU energy periods: the signals PublishTOU keeps.
func TOUCodes(ctx context.Context, db *store.DB, d calendar.Date) ([]string, error) {
	vs, err := db.TariffVersions(ctx, store.TariffFilter{On: d})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, v := range vs {
		if m, ok := v.Version.PeriodMap("energy"); ok && len(m.Periods) > 1 && !slices.Contains(out, v.Version.Code) {
			out = append(out, v.Version.Code)
		}
	}
	return out, nil
}
