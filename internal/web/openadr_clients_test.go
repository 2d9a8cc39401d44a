package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/store"
)

// TestOpenADRClientRevokeFromVENsPage: an administrator revokes a VEN
// client's tokens from the VENs page, then disables the client, which is
// then shown disabled and gets no new token; a program manager may not,
// and an analyst sees no buttons.
func TestOpenADRClientRevokeFromVENsPage(t *testing.T) {
	s := newTestSite(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC)
	var secret, tok string
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		c := store.OADRClient{ClientID: "ven-client-1", Role: "ven", Name: "ecobee", Scopes: []string{"read_targets"}}
		if secret, err = tx.CreateOADRClient(ctx, seedActor, &c); err != nil {
			return err
		}
		if tok, _, err = tx.IssueOADRToken(ctx, "ven-client-1", secret, time.Hour); err != nil {
			return err
		}
		return tx.PutOADRObject(ctx, seedActor, store.OADRObject{ID: "ven-aaa", Kind: "VEN", ClientID: "ven-client-1", Name: "ecobee-aggregator",
			Body: []byte(`{"objectType":"VEN_VEN_REQUEST","venName":"ecobee-aggregator"}`), Created: at, Modified: at})
	})
	if err != nil {
		t.Fatal(err)
	}
	if body := s.get(t, "/openadr/vens", s.login(t, "/login", analystEmail)).Body.String(); strings.Contains(body, "Revoke tokens") {
		t.Errorf("an analyst is offered the revoke button")
	}
	if w := s.post(t, "/openadr/clients/ven-client-1/revoke", s.login(t, "/login", managerEmail), nil); w.Code != http.StatusForbidden {
		t.Errorf("a program manager revokes: %d, want 403", w.Code)
	}
	if _, err := s.db.OADRTokenClient(ctx, tok); err != nil {
		t.Fatalf("token refused before any revocation: %v", err)
	}
	admin := s.login(t, "/login", adminEmail)
	body := s.get(t, "/openadr/vens", admin).Body.String()
	if !strings.Contains(body, `action="/openadr/clients/ven-client-1/revoke"`) || !strings.Contains(body, "Disable client") {
		t.Fatalf("the administrator's VENs page lacks the revoke and disable buttons:\n%s", body)
	}
	if w := s.post(t, "/openadr/clients/ven-client-1/revoke", admin, nil); w.Code != http.StatusSeeOther {
		t.Fatalf("revoke: %d, want 303\n%s", w.Code, w.Body)
	}
	if _, err := s.db.OADRTokenClient(ctx, tok); !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("revoked token: %v, want Unauthorized", err)
	}
	if w := s.post(t, "/openadr/clients/ven-client-1/revoke", admin, url.Values{"disable": {"1"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("disable: %d, want 303\n%s", w.Code, w.Body)
	}
	body = s.get(t, "/openadr/vens", admin).Body.String()
	if !strings.Contains(body, "disabled ") || strings.Contains(body, "Disable client") {
		t.Errorf("the VENs page does not show the client disabled:\n%s", body)
	}
	err = s.db.InTx(ctx, func(tx *store.Tx) error {
		_, _, err := tx.IssueOADRToken(ctx, "ven-client-1", secret, time.Hour)
		return err
	})
	if !apperr.Is(err, apperr.Unauthorized) {
		t.Errorf("a token for the disabled client: %v, want Unauthorized", err)
	}
	if w := s.post(t, "/openadr/clients/ven-nobody/revoke", admin, nil); w.Code != http.StatusNotFound {
		t.Errorf("revoke of an unknown client: %d, want 404", w.Code)
	}
}
