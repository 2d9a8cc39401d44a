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
	"time"

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
// for OpenADR notifications and TOU signals. Clients connect anonymously
// and may only subscribe: every topic is written by gridbook alone.
type Broker struct {
	srv *mqtt.Server
	ln  net.Listener
}

// readOnly lets every client connect and read, and none write.
type readOnly struct{ mqtt.HookBase }

func (h *readOnly) ID() string { return "gridbook-read-only" }

func (h *readOnly) Provides(b byte) bool {
	return bytes.Contains([]byte{mqtt.OnConnectAuthenticate, mqtt.OnACLCheck}, []byte{b})
}

func (h *readOnly) OnConnectAuthenticate(*mqtt.Client, packets.Packet) bool { return true }

func (h *readOnly) OnACLCheck(_ *mqtt.Client, _ string, write bool) bool { return !write }

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
	if err := srv.AddHook(new(readOnly), nil); err != nil {
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
	return &Broker{srv: srv, ln: ln}, nil
}

// URI is the broker's address as the spec's notifier binding states it.
func (b *Broker) URI() string { return "mqtt://" + b.ln.Addr().String() }

// Publish sends a message at QoS 1.
func (b *Broker) Publish(topic string, payload []byte, retain bool) error {
	return b.srv.Publish(topic, payload, retain, 1)
}

// Close stops the broker.
func (b *Broker) Close() error { return b.srv.Close() }

// topics names the MQTT topics of an object type's operations under
// scope ("" for all objects, "programs/pmp/", "vens/ven-x/").
func topics(scope, objectType string) map[string]string {
	base := TopicPrefix + scope + strings.ToLower(objectType) + "s/"
	return map[string]string{"CREATE": base + "create", "UPDATE": base + "update", "DELETE": base + "delete", "ALL": base + "+"}
}

// publishMQTT sends a notification to the object type's topic, its
// program's, and for events (ev) every registered VEN's that sees it. A
// targeted event (a battery's dispatch) goes only to the topics of the
// VENs it targets, so no other VEN reads it.
func (v *VTN) publishMQTT(ctx context.Context, objectType, operation, programID string, body []byte, ev map[string]any) {
	if v.broker == nil {
		return
	}
	op := strings.ToLower(operation)
	send := func(scope string) {
		if err := v.broker.Publish(topics(scope, objectType)[operation], body, false); err != nil {
			v.log.Warn("openadr mqtt", "scope", scope, "op", op, "err", err)
		}
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
