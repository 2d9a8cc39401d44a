package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
)

// refusedToCustomer checks that a customer signed in to the portal does
// not get a staff page: it is sent away (to the portal) without the page.
func refusedToCustomer(t *testing.T, s *testSite, path, secret string) {
	t.Helper()
	w := s.get(t, path, s.login(t, "/my/login", mariaEmail))
	if w.Code == http.StatusOK || strings.Contains(w.Body.String(), secret) || strings.HasPrefix(w.Header().Get("Location"), path) {
		t.Errorf("customer on %s: %d %s\n%s", path, w.Code, w.Header().Get("Location"), w.Body.String())
	}
}

// TestDRParticipantsPage lists Maria in Power Response (Smart Home, open,
// one thermostat) and Dana in PMP (ended 2026-01-01, no device), filters
// by program and pages with the cursor.
func TestDRParticipantsPage(t *testing.T) {
	s := newTestSite(t)
	ctx := context.Background()
	var ids []int64
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		for _, e := range []customer.Enrollment{
			{AccountID: s.mariaAcct.ID, Program: "power_response", Track: "smart_home", From: calendar.Date{Year: 2025, Month: 1, Day: 1}, Source: "portal"},
			{AccountID: s.danaAcct.ID, Program: "pmp", Track: "residential", From: calendar.Date{Year: 2025, Month: 1, Day: 1},
				To: calendar.Date{Year: 2026, Month: 1, Day: 1}, Source: "staff"},
		} {
			if err := tx.Enroll(ctx, seedActor, &e); err != nil {
				return err
			}
			ids = append(ids, e.ID)
		}
		d := dr.Device{AccountID: s.mariaAcct.ID, Program: "power_response", Type: "thermostat", Brand: "ecobee", Serial: "ECO-77",
			Enrolled: calendar.Date{Year: 2025, Month: 1, Day: 1}}
		return tx.RegisterDevice(ctx, seedActor, &d)
	})
	if err != nil {
		t.Fatal(err)
	}
	staff := s.login(t, "/login", analystEmail)
	w := s.get(t, "/dr/participants", staff)
	body := w.Body.String()
	maria := `<a href="/accounts/` + strconv.FormatInt(s.mariaAcct.ID, 10) + `">`
	dana := `<a href="/accounts/` + strconv.FormatInt(s.danaAcct.ID, 10) + `">`
	if w.Code != http.StatusOK || !strings.Contains(body, maria) || !strings.Contains(body, dana) || !strings.Contains(body, "smart_home") ||
		!strings.Contains(body, "Peak Management Pricing") || !strings.Contains(body, `">open</td>`) || !strings.Contains(body, `<td class="num">1</td>`) {
		t.Fatalf("participants: %d\n%s", w.Code, body)
	}
	if body := s.get(t, "/dr/participants?program=pmp", staff).Body.String(); strings.Contains(body, maria) || !strings.Contains(body, dana) {
		t.Errorf("PMP only:\n%s", body)
	}
	if body := s.get(t, "/dr/participants?after="+strconv.FormatInt(ids[0], 10), staff).Body.String(); strings.Contains(body, maria) || !strings.Contains(body, dana) ||
		!strings.Contains(body, "First page") {
		t.Errorf("after Maria's enrollment:\n%s", body)
	}
	if w := s.get(t, "/dr/participants?program=nope", staff); w.Code != http.StatusNotFound {
		t.Errorf("unknown program: %d", w.Code)
	}
	refusedToCustomer(t, s, "/dr/participants", "ECO-77")
	refusedToCustomer(t, s, "/dr/devices", "ECO-77")
	if body := s.get(t, "/dr/devices", staff).Body.String(); !strings.Contains(body, "ECO-77") || !strings.Contains(body, maria) {
		t.Errorf("devices page lacks the thermostat with its account link:\n%s", body)
	}
}

// TestOpenADRVENsPage lists a VEN stored by the VTN with its 3.1.0
// targets and its resource, and one with 3.0.1 valuesMap targets.
func TestOpenADRVENsPage(t *testing.T) {
	s := newTestSite(t)
	ctx := context.Background()
	at := time.Date(2026, 3, 2, 18, 0, 0, 0, time.UTC)
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		for _, o := range []store.OADRObject{
			{ID: "ven-aaa", Kind: "VEN", ClientID: "ven-client-1", Name: "ecobee-aggregator",
				Body: []byte(`{"objectType":"VEN_VEN_REQUEST","venName":"ecobee-aggregator","targets":["power_response","group-7"]}`)},
			{ID: "ven-bbb", Kind: "VEN", ClientID: "ven-client-2", Name: "old-ven",
				Body: []byte(`{"objectType":"VEN_VEN_REQUEST","venName":"old-ven","targets":[{"type":"GROUP","values":["north"]}]}`)},
			{ID: "resource-1", Kind: "RESOURCE", ClientID: "ven-client-1", VenID: "ven-aaa", Name: "thermostat-ECO-77",
				Body: []byte(`{"objectType":"VEN_RESOURCE_REQUEST","resourceName":"thermostat-ECO-77","venID":"ven-aaa"}`)},
		} {
			o.Created, o.Modified = at, at
			if err := tx.PutOADRObject(ctx, seedActor, o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	w := s.get(t, "/openadr/vens", s.login(t, "/login", analystEmail))
	body := w.Body.String()
	for _, want := range []string{"2 VENs.", "ecobee-aggregator", "ven-aaa", "power_response, group-7", "thermostat-ECO-77", "GROUP: north"} {
		if !strings.Contains(body, want) {
			t.Errorf("VENs page lacks %q", want)
		}
	}
	if w.Code != http.StatusOK {
		t.Fatalf("VENs: %d\n%s", w.Code, body)
	}
	refusedToCustomer(t, s, "/openadr/vens", "ecobee-aggregator")
}
