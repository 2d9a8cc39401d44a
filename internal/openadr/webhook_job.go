package openadr

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"
)

// defaultClient posts webhooks when no client is given.
var defaultClient = &http.Client{Timeout: 10 * time.Second}

// Durable webhook delivery. With Options.Enqueue set (gridbook serve with
// workers), each notification is a job of kind WebhookJobKind in the
// durable queue (internal/job) instead of an in-process goroutine: it
// survives a restart and is retried with the queue's backoff; a worker
// runs DeliverWebhook once per attempt.

// WebhookJobKind is the durable job that delivers one webhook
// notification.
const WebhookJobKind = "openadr.webhook"

// WebhookAttempts is how many times the queue tries one notification
// before giving up (about a day with the queue's backoff).
const WebhookAttempts = 12

// Webhook is one notification to deliver: the subscription's callback
// URL, its bearer token and the notification body.
type Webhook struct {
	URL   string          `json:"url"`
	Token string          `json:"token,omitempty"`
	Body  json.RawMessage `json:"body"`
}

// DeliverWebhook POSTs one notification once with client (nil: a client
// with a 10-second timeout). A callback that is not an http or https URL
// is permanent (ok false); a transport error or a status of 300 or more
// is an error to retry.
func DeliverWebhook(ctx context.Context, client *http.Client, w Webhook) (permanent bool, err error) {
	u, err := url.Parse(w.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return true, fmt.Errorf("openadr webhook: bad callback URL %q", w.URL)
	}
	if client == nil {
		client = defaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(w.Body))
	if err != nil {
		return true, err
	}
	req.Header.Set("Content-Type", "application/json")
	if w.Token != "" {
		req.Header.Set("Authorization", "Bearer "+w.Token)
	}
	res, err := client.Do(req)
	if err != nil {
		return false, fmt.Errorf("openadr webhook %s: %w", w.URL, err)
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		return false, fmt.Errorf("openadr webhook %s: status %d", w.URL, res.StatusCode)
	}
	return false, nil
}
