package openadr

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestWebhooksGoThroughTheQueue: with Options.Enqueue a notification is
// handed to the queue, not posted in process; DeliverWebhook (what the
// openadr.webhook job runs) posts it with the subscription's bearer
// token; a failing callback is an error to retry and a bad URL is
// permanent; when the queue refuses, the VTN delivers in process.
func TestWebhooksGoThroughTheQueue(t *testing.T) {
	db := storetest.SQLite()(t)
	ctx := context.Background()
	db.Now = func() time.Time { return time.Date(2026, 7, 15, 9, 0, 0, 0, calendar.Pacific).UTC() }
	type call struct{ auth, body string }
	got := make(chan call, 8)
	status := http.StatusNoContent
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var b json.RawMessage
		json.NewDecoder(r.Body).Decode(&b)
		got <- call{r.Header.Get("Authorization"), string(b)}
		w.WriteHeader(status)
	}))
	defer hook.Close()
	sub := store.OADRObject{ID: "sub-1", Kind: "SUBSCRIPTION", ClientID: "bl-1", Created: db.Now(), Modified: db.Now(),
		Body: []byte(`{"clientName":"v","objectOperations":[{"objects":["EVENT"],"operations":["CREATE","UPDATE","DELETE"],"callbackUrl":"` + hook.URL + `","bearerToken":"hook-secret"}]}`)}
	if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.PutOADRObject(ctx, auth.System, sub) }); err != nil {
		t.Fatal(err)
	}
	var queued []Webhook
	refuse := false
	v := New(db, Options{Enqueue: func(_ context.Context, w Webhook) error {
		if refuse {
			return errors.New("queue closed")
		}
		queued = append(queued, w)
		return nil
	}})
	cat, _ := dr.Shipped()
	p, _ := cat.Program("power_response")
	start := time.Date(2026, 7, 15, 17, 0, 0, 0, calendar.Pacific).UTC()
	e := dr.Event{ID: 7, Program: p.Code, Start: start, End: start.Add(2 * time.Hour), Status: dr.Scheduled, Level: 1}
	v.notify(ctx, "EVENT", "CREATE", p.Code, eventJSON(p, e))
	v.Wait()
	if len(queued) != 1 || queued[0].URL != hook.URL || queued[0].Token != "hook-secret" {
		t.Fatalf("queued %+v, want one notification for the hook with its token", queued)
	}
	select {
	case c := <-got:
		t.Fatalf("delivered in process although queued: %+v", c)
	default:
	}
	var n struct {
		Operation string
		Object    struct{ ID string }
	}
	if json.Unmarshal(queued[0].Body, &n) != nil || n.Operation != "CREATE" || n.Object.ID != "event-7" {
		t.Errorf("queued body %s", queued[0].Body)
	}

	// The job: one attempt per run.
	if perm, err := DeliverWebhook(ctx, nil, queued[0]); err != nil || perm {
		t.Fatalf("deliver: %v (permanent %v)", err, perm)
	}
	if c := <-got; c.auth != "Bearer hook-secret" || c.body != string(queued[0].Body) {
		t.Errorf("delivered %+v", c)
	}
	status = http.StatusServiceUnavailable
	if perm, err := DeliverWebhook(ctx, nil, queued[0]); err == nil || perm {
		t.Errorf("a 503 callback: %v (permanent %v), want an error to retry", err, perm)
	}
	<-got
	if perm, err := DeliverWebhook(ctx, nil, Webhook{URL: "ftp://example.org/x"}); err == nil || !perm {
		t.Errorf("a bad URL: %v (permanent %v), want a permanent error", err, perm)
	}

	// The queue refuses: delivered in process instead.
	status, refuse = http.StatusNoContent, true
	v.notify(ctx, "EVENT", "DELETE", p.Code, eventJSON(p, e))
	v.Wait()
	select {
	case c := <-got:
		if c.auth != "Bearer hook-secret" {
			t.Errorf("in-process fallback %+v", c)
		}
	default:
		t.Errorf("a notification the queue refused was not delivered")
	}
}
