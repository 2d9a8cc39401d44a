package openadr

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
)

// Prefix is where the VTN is served; mount New's handler at Prefix+"/".
const Prefix = "/openadr3"

// The OAuth2 scopes of OpenADR 3.1.0 (components.securitySchemes).
const (
	ReadAll            = "read_all"
	ReadTargets        = "read_targets"
	ReadVenObjects     = "read_ven_objects"
	WritePrograms      = "write_programs"
	WriteEvents        = "write_events"
	WriteReports       = "write_reports"
	WriteSubscriptions = "write_subscriptions"
	WriteVens          = "write_vens"
)

// ScopesFor returns the scopes a client of role ("bl" or "ven") is given.
func ScopesFor(role string) []string {
	if role == "bl" {
		return []string{ReadAll, WritePrograms, WriteEvents, WriteSubscriptions, WriteVens}
	}
	return []string{ReadTargets, ReadVenObjects, WriteReports, WriteSubscriptions, WriteVens}
}

// tokenTTL is how long an access token lasts.
const tokenTTL = time.Hour

// Options configure the VTN.
type Options struct {
	Log *slog.Logger
	// Client posts webhook notifications; nil uses a client with a
	// 10-second timeout.
	Client *http.Client
	// Broker, when set, also carries every notification over MQTT; its
	// clients authenticate with this VTN's bearer tokens.
	Broker *Broker
	// Enqueue, when set, hands each webhook notification to the durable
	// job queue (a WebhookJobKind job running DeliverWebhook) instead of
	// delivering it in process; if it fails, the notification is
	// delivered in process.
	Enqueue func(ctx context.Context, w Webhook) error
	// PollCache is how long an answer to GET /events may be served again
	// to a client holding the same targets: 0 is DefaultPollCache, a
	// negative value keeps nothing. Every change this VTN makes or
	// notifies drops the kept answers.
	PollCache time.Duration
}

// VTN is the OpenADR 3.1 VTN.
type VTN struct {
	db      *store.DB
	log     *slog.Logger
	client  *http.Client
	broker  *Broker
	cat     *dr.Catalog // gridbook's programs, parsed once
	catErr  error
	wg      sync.WaitGroup // webhook deliveries in flight
	queue   func(ctx context.Context, w Webhook) error
	poll    *pollCache
	evPlans evPlanCache // EV plans in force, decoded once per plan stored
}

// New returns the VTN.
func New(db *store.DB, opt Options) *VTN {
	ttl := opt.PollCache
	if ttl == 0 {
		ttl = DefaultPollCache
	}
	v := &VTN{db: db, log: opt.Log, client: opt.Client, broker: opt.Broker, queue: opt.Enqueue, poll: newPollCache(ttl)}
	if v.log == nil {
		v.log = slog.New(slog.DiscardHandler)
	}
	if v.client == nil {
		v.client = &http.Client{Timeout: 10 * time.Second}
	}
	v.cat, v.catErr = dr.Shipped()
	if v.broker != nil {
		v.broker.vtn.Store(v) // the broker checks MQTT passwords as this VTN's bearer tokens
	}
	return v
}

// Wait blocks until webhook deliveries in flight are done (for tests and
// shutdown).
func (v *VTN) Wait() { v.wg.Wait() }

// Handler returns the VTN's routes under Prefix.
func (v *VTN) Handler() http.Handler {
	mux := http.NewServeMux()
	p := Prefix
	mux.HandleFunc("POST "+p+"/auth/token", v.token)
	mux.HandleFunc("GET "+p+"/auth/server", v.authServer)
	mux.HandleFunc("GET "+p+"/notifiers", v.with("", v.notifiers))
	mux.HandleFunc("GET "+p+"/programs", v.with(ReadTargets, v.listPrograms))
	mux.HandleFunc("POST "+p+"/programs", v.with(WritePrograms, v.readOnly))
	mux.HandleFunc("GET "+p+"/programs/{id}", v.with(ReadTargets, v.getProgram))
	mux.HandleFunc("PUT "+p+"/programs/{id}", v.with(WritePrograms, v.readOnly))
	mux.HandleFunc("DELETE "+p+"/programs/{id}", v.with(WritePrograms, v.readOnly))
	mux.HandleFunc("GET "+p+"/events", v.with(ReadTargets, v.listEvents))
	mux.HandleFunc("POST "+p+"/events", v.with(WriteEvents, v.createEvent))
	mux.HandleFunc("GET "+p+"/events/{id}", v.with(ReadTargets, v.getEvent))
	mux.HandleFunc("PUT "+p+"/events/{id}", v.with(WriteEvents, v.putEvent))
	mux.HandleFunc("DELETE "+p+"/events/{id}", v.with(WriteEvents, v.deleteEvent))
	for _, k := range []kind{venKind, resourceKind, subscriptionKind, reportKind} {
		mux.HandleFunc("GET "+p+"/"+k.path, v.with(k.read, v.listObjects(k)))
		mux.HandleFunc("POST "+p+"/"+k.path, v.with(k.write, v.createObject(k)))
		mux.HandleFunc("GET "+p+"/"+k.path+"/{id}", v.with(k.read, v.getObject(k)))
		mux.HandleFunc("PUT "+p+"/"+k.path+"/{id}", v.with(k.write, v.putObject(k)))
		mux.HandleFunc("DELETE "+p+"/"+k.path+"/{id}", v.with(k.write, v.deleteObject(k)))
	}
	all := func(*http.Request, caller) (string, error) { return "", nil }
	mux.HandleFunc("GET "+p+"/notifiers/mqtt/topics/events", v.with(ReadAll, v.mqttTopics(all, "EVENT")))
	mux.HandleFunc("GET "+p+"/notifiers/mqtt/topics/programs", v.with(ReadAll, v.mqttTopics(all, "PROGRAM")))
	mux.HandleFunc("GET "+p+"/notifiers/mqtt/topics/reports", v.with(ReadAll, v.mqttTopics(all, "REPORT")))
	mux.HandleFunc("GET "+p+"/notifiers/mqtt/topics/programs/{programID}/events", v.with(ReadTargets, v.mqttTopics(func(r *http.Request, _ caller) (string, error) {
		return "programs/" + r.PathValue("programID") + "/", nil
	}, "EVENT")))
	mux.HandleFunc("GET "+p+"/notifiers/mqtt/topics/subscriptions", v.with(ReadAll, v.mqttTopics(all, "SUBSCRIPTION")))
	mux.HandleFunc("GET "+p+"/notifiers/mqtt/topics/vens", v.with(ReadAll, v.mqttTopics(all, "VEN")))
	mux.HandleFunc("GET "+p+"/notifiers/mqtt/topics/resources", v.with(ReadAll, v.mqttTopics(all, "RESOURCE")))
	mux.HandleFunc("GET "+p+"/notifiers/mqtt/topics/programs/{programID}", v.with(ReadAll, v.mqttObjectTopics(func(r *http.Request, _ caller) (string, error) {
		id := r.PathValue("programID")
		if !isTariff(id) {
			cat, err := v.catalog()
			if err != nil {
				return "", err
			}
			if _, err := cat.Program(id); err != nil {
				return "", err
			}
		}
		return "programs/" + id, nil
	})))
	ownVen := func(r *http.Request, c caller) (string, error) {
		ven, err := v.db.OADRObjectByID(r.Context(), venKind.kind, r.PathValue("venID"))
		if err != nil {
			return "", err
		}
		if !visible(c, ven) {
			return "", apperr.Forbiddenf("openadr", "VEN %s belongs to another client", ven.ID)
		}
		return "vens/" + ven.ID + "/", nil
	}
	mux.HandleFunc("GET "+p+"/notifiers/mqtt/topics/vens/{venID}", v.with(ReadVenObjects, v.mqttObjectTopics(func(r *http.Request, c caller) (string, error) {
		s, err := ownVen(r, c)
		return strings.TrimSuffix(s, "/"), err
	})))
	for objects, objectType := range map[string]string{"events": "EVENT", "programs": "PROGRAM", "resources": "RESOURCE"} {
		mux.HandleFunc("GET "+p+"/notifiers/mqtt/topics/vens/{venID}/"+objects, v.with(ReadVenObjects, v.mqttTopics(ownVen, objectType)))
	}
	mux.HandleFunc(p+"/", func(w http.ResponseWriter, r *http.Request) {
		problem(w, r, http.StatusNotFound, "no such OpenADR endpoint")
	})
	return mux
}

// caller is an authenticated client.
type caller struct{ store.OADRClient }

func (c caller) bl() bool { return c.Role == "bl" }

type ctxKey struct{}

// with authenticates the bearer token and checks one scope ("" for any
// client). read_targets and read_ven_objects are satisfied by read_all.
func (v *VTN) with(scope string, fn func(http.ResponseWriter, *http.Request, caller)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hdr := r.Header.Get("Authorization")
		scheme, tok, _ := strings.Cut(hdr, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
			problem(w, r, http.StatusUnauthorized, "send a bearer token from POST /auth/token")
			return
		}
		c, err := v.db.OADRTokenClient(r.Context(), strings.TrimSpace(tok))
		if err != nil {
			v.fail(w, r, err)
			return
		}
		if scope != "" && !c.Has(scope) && !((scope == ReadTargets || scope == ReadVenObjects) && c.Has(ReadAll)) {
			problem(w, r, http.StatusForbidden, "this client lacks the "+scope+" scope")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			// A write may change what any poll answers (events, a VEN's
			// targets): kept answers go as its answer starts (its change
			// is committed by then, and its client may poll at once) and
			// again when it ends.
			w = &invalidating{ResponseWriter: w, poll: v.poll}
			defer v.poll.invalidate()
		}
		fn(w, r, caller{c})
	}
}

// invalidating drops the poll cache's answers when the response starts.
type invalidating struct {
	http.ResponseWriter
	poll    *pollCache
	started bool
}

func (w *invalidating) start() {
	if !w.started {
		w.started = true
		w.poll.invalidate()
	}
}

// WriteHeader drops the kept answers, then writes the status.
func (w *invalidating) WriteHeader(code int) { w.start(); w.ResponseWriter.WriteHeader(code) }

// Write drops the kept answers, then writes b.
func (w *invalidating) Write(b []byte) (int, error) { w.start(); return w.ResponseWriter.Write(b) }

// Unwrap is for http.ResponseController.
func (w *invalidating) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// problem writes the spec's problem object.
func problem(w http.ResponseWriter, r *http.Request, status int, detail string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status,
		"detail": detail, "instance": r.URL.Path})
}

// fail maps an error to a problem response.
func (v *VTN) fail(w http.ResponseWriter, r *http.Request, err error) {
	status := http.StatusInternalServerError
	switch apperr.KindOf(err) {
	case apperr.Invalid:
		status = http.StatusBadRequest
	case apperr.NotFound:
		status = http.StatusNotFound
	case apperr.Conflict:
		status = http.StatusConflict
	case apperr.Forbidden:
		status = http.StatusForbidden
	case apperr.Unauthorized:
		status = http.StatusUnauthorized
	}
	detail := apperr.MessageOf(err)
	for _, f := range apperr.FieldsOf(err) {
		detail += "; " + f.Field + ": " + f.Msg
	}
	if status == http.StatusInternalServerError {
		v.log.Error("openadr", "path", r.URL.Path, "err", err)
	}
	problem(w, r, status, detail)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// writeBody writes JSON already encoded.
func writeBody(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}

// actor is how the audit log names a client.
func (c caller) actor() auth.Actor { return auth.Actor{Kind: "openadr", Name: c.ClientID} }

// token is POST /auth/token (RFC 6749 §4.4 client credentials, form
// encoded; errors are the RFC's error objects).
func (v *VTN) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "the body must be form-encoded"})
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type", "error_description": "grant_type must be client_credentials"})
		return
	}
	id, secret := r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	if id == "" || secret == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "client_id and client_secret are required"})
		return
	}
	var tok string
	var c store.OADRClient
	err := v.db.InTx(r.Context(), func(tx *store.Tx) error {
		var err error
		tok, c, err = tx.IssueOADRToken(r.Context(), id, secret, tokenTTL)
		return err
	})
	if apperr.Is(err, apperr.Unauthorized) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "unknown client or wrong secret"})
		return
	} else if err != nil {
		v.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": int(tokenTTL / time.Second),
		"scope": strings.Join(c.Scopes, " ")})
}

func (v *VTN) authServer(w http.ResponseWriter, r *http.Request) {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	writeJSON(w, http.StatusOK, map[string]string{"tokenURL": scheme + "://" + r.Host + Prefix + "/auth/token"})
}

func (v *VTN) notifiers(w http.ResponseWriter, _ *http.Request, _ caller) {
	out := map[string]any{"WEBHOOK": true}
	if v.broker != nil {
		out["MQTT"] = map[string]any{"URIS": []string{v.broker.URI()}, "serialization": "JSON", "authentication": map[string]any{"method": "OAUTH2_BEARER_TOKEN", "username": "{clientID}"}}
	}
	writeJSON(w, http.StatusOK, out)
}

// mqttTopics answers the spec's /notifiers/mqtt/topics/... endpoints:
// 404 when no broker runs.
func (v *VTN) mqttTopics(scope func(*http.Request, caller) (string, error), objectType string) func(http.ResponseWriter, *http.Request, caller) {
	return func(w http.ResponseWriter, r *http.Request, c caller) {
		if v.broker == nil {
			problem(w, r, http.StatusNotFound, "this VTN runs no MQTT broker")
			return
		}
		s, err := scope(r, c)
		if err != nil {
			v.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"topics": topics(s, objectType)})
	}
}

// mqttObjectTopics answers the spec's topic endpoints of one object
// (/notifiers/mqtt/topics/programs/{programID}, .../vens/{venID}): its
// UPDATE and DELETE topics under the object's path (the spec's
// notifierOperationsTopics gives no CREATE for an object id).
func (v *VTN) mqttObjectTopics(path func(*http.Request, caller) (string, error)) func(http.ResponseWriter, *http.Request, caller) {
	return func(w http.ResponseWriter, r *http.Request, c caller) {
		if v.broker == nil {
			problem(w, r, http.StatusNotFound, "this VTN runs no MQTT broker")
			return
		}
		s, err := path(r, c)
		if err != nil {
			v.fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"topics": objectTopics(s)})
	}
}

func (v *VTN) readOnly(w http.ResponseWriter, r *http.Request, _ caller) {
	problem(w, r, http.StatusConflict, "programs are gridbook's demand-response programs (internal/dr/programs.json) and are changed there, not through the VTN")
}

// page applies the spec's skip and limit (limit at most 50).
func page[T any](r *http.Request, all []T) ([]T, error) {
	q := r.URL.Query()
	skip, limit := 0, 50
	for name, into := range map[string]*int{"skip": &skip, "limit": &limit} {
		if s := q.Get(name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || (name == "limit" && n > 50) {
				return nil, apperr.Invalidf("openadr", "%s must be an integer 0–%s", name, map[string]string{"skip": "2147483647", "limit": "50"}[name])
			}
			*into = n
		}
	}
	if skip >= len(all) {
		return []T{}, nil
	}
	return all[skip:min(len(all), skip+limit)], nil
}

// notify delivers notifications of an operation on an object to the
// matching webhook subscriptions, after the change is committed.
func (v *VTN) notify(ctx context.Context, objectType, operation, programID string, object any) {
	v.poll.invalidate() // whatever changed, a kept answer may now be wrong
	subs, err := v.db.OADRObjects(ctx, store.OADRFilter{Kind: subscriptionKind.kind})
	if err != nil {
		v.log.Error("openadr notify", "err", err)
		return
	}
	body, _ := json.Marshal(map[string]any{"objectType": objectType, "operation": operation, "object": object})
	obj, _ := object.(map[string]any)
	ev := obj
	if objectType != "EVENT" {
		ev = nil
	}
	v.publishMQTT(ctx, objectType, operation, programID, body, obj)
	owners := map[string]targetSet{}
	for _, s := range subs {
		if len(eventTargets(ev)) > 0 {
			ts, ok := owners[s.ClientID]
			if !ok {
				var err error
				if ts, err = v.subscriberTargets(ctx, s.ClientID); err != nil {
					v.log.Warn("openadr notify", "subscription", s.ID, "err", err)
					continue
				}
				owners[s.ClientID] = ts
			}
			if !ts.sees(ev) {
				continue // a targeted event reaches only the VENs it targets
			}
		}
		var sub struct {
			ProgramID        string `json:"programID"`
			ObjectOperations []struct {
				Objects     []string `json:"objects"`
				Operations  []string `json:"operations"`
				CallbackURL string   `json:"callbackUrl"`
				BearerToken *string  `json:"bearerToken"`
			} `json:"objectOperations"`
		}
		if json.Unmarshal(s.Body, &sub) != nil || (sub.ProgramID != "" && programID != "" && sub.ProgramID != programID) {
			continue
		}
		for _, op := range sub.ObjectOperations {
			if !slices.Contains(op.Objects, objectType) || !slices.Contains(op.Operations, operation) {
				continue
			}
			tok := ""
			if op.BearerToken != nil {
				tok = *op.BearerToken
			}
			if v.queue != nil {
				err := v.queue(ctx, Webhook{URL: op.CallbackURL, Token: tok, Body: body})
				if err == nil {
					continue
				}
				v.log.Warn("openadr webhook: not queued, delivering in process", "url", op.CallbackURL, "err", err)
			}
			v.wg.Add(1)
			go v.deliver(op.CallbackURL, tok, body)
		}
	}
}

// subscriberTargets is the target set of a subscription's owner: nil
// (everything) for business logic.
func (v *VTN) subscriberTargets(ctx context.Context, clientID string) (targetSet, error) {
	c, err := v.db.OADRClientByID(ctx, clientID)
	if apperr.Is(err, apperr.NotFound) {
		return targetSet{}, nil // an owner since removed sees only untargeted objects
	} else if err != nil {
		return nil, err
	}
	return v.targetsOf(ctx, caller{c})
}

// deliver POSTs one notification, retrying three times.
func (v *VTN) deliver(callback, token string, body []byte) {
	defer v.wg.Done()
	u, err := url.Parse(callback)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		v.log.Warn("openadr webhook: bad callback URL", "url", callback)
		return
	}
	for attempt := range 3 {
		req, _ := http.NewRequest(http.MethodPost, callback, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := v.client.Do(req)
		if err == nil {
			res.Body.Close()
			if res.StatusCode < 300 {
				return
			}
			err = fmt.Errorf("status %d", res.StatusCode)
		}
		v.log.Warn("openadr webhook", "url", callback, "attempt", attempt+1, "err", err)
		time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
	}
}

// programEvent resolves an OpenADR event id "event-<n>" to a gridbook
// event.
func (v *VTN) programEvent(ctx context.Context, id string) (dr.Event, error) {
	n, err := strconv.ParseInt(strings.TrimPrefix(id, "event-"), 10, 64)
	if err != nil || !strings.HasPrefix(id, "event-") {
		return dr.Event{}, apperr.NotFoundf("openadr", "event %s not found", id)
	}
	e, err := v.db.DREvent(ctx, n)
	if err == nil && e.Status == dr.Cancelled {
		return e, apperr.NotFoundf("openadr", "event %s was cancelled", id)
	}
	return e, err
}
