package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/store"
)

// seedNeighbors adds 24 residential homes in Maria's ZIP (93030) using a
// steady 400 + 80·i Wh an hour through February and March 2026 (9.6 …
// 53.76 kWh a day), so that her reports have neighbors.
func seedNeighbors(t *testing.T, s *testSite) {
	t.Helper()
	ctx := context.Background()
	start := calendar.Date{Year: 2026, Month: 2, Day: 1}.Start()
	n := int(calendar.Date{Year: 2026, Month: 4, Day: 1}.Start().Sub(start) / time.Hour)
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		for i := range 24 {
			c := customer.Customer{Kind: customer.Person, Name: fmt.Sprintf("Neighbor %d", i)}
			if err := tx.CreateCustomer(ctx, seedActor, &c); err != nil {
				return err
			}
			p := customer.Premise{Address: fmt.Sprintf("%d Harbor Blvd", 100+i), City: "Oxnard", ZIP: "93030", CountyFIPS: "06111", MemberAgency: "Oxnard"}
			if err := tx.CreatePremise(ctx, seedActor, &p); err != nil {
				return err
			}
			a := customer.Account{Number: fmt.Sprintf("30000900%02d", i), CustomerID: c.ID, PremiseID: p.ID, Class: customer.Residential,
				RateSchedule: "TOU-D-4-9PM", LSE: customer.CCA, ServiceStart: calendar.Date{Year: 2024, Month: 1, Day: 1}}
			if err := tx.CreateAccount(ctx, seedActor, &a); err != nil {
				return err
			}
			m := customer.Meter{AccountID: a.ID, Serial: fmt.Sprintf("NB-%02d", i), IntervalSeconds: 3600, Installed: calendar.Date{Year: 2024, Month: 1, Day: 1}}
			if err := tx.CreateMeter(ctx, seedActor, &m); err != nil {
				return err
			}
			vals := make([]energy.Wh, n)
			for k := range vals {
				vals[k] = energy.Wh(400 + 80*i)
			}
			if err := tx.PutIntervals(ctx, m.Channels[0].ID, store.Series{Start: start, Step: time.Hour, Values: vals}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestPortalHERComparesWithNeighbors: Maria's February 2026 report compares
// her use with the 24 homes of her ZIP (her own usage from her meter; no
// home attributes are recorded, so the fallback says so),
// states her standing and shows tips; without neighbors the page says
// there are too few; other customers' accounts are not found.
func TestPortalHERComparesWithNeighbors(t *testing.T) {
	s := newTestSite(t)
	maria := s.login(t, "/my/login", mariaEmail)
	path := fmt.Sprintf("/my/accounts/%d/report?cycle=2026-02", s.mariaAcct.ID)
	w := s.get(t, path, maria)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "There are not enough similar homes nearby") {
		t.Fatalf("without neighbors %d:\n%s", w.Code, w.Body)
	}
	s2 := newTestSite(t)
	seedNeighbors(t, s2)
	maria = s2.login(t, "/my/login", mariaEmail)
	body := s2.get(t, path, maria).Body.String()
	for _, want := range []string{"Home energy report, 2026-02", "average of 24 similar homes: residential accounts of ZIP 93030 by use alone", `id="her-fallback"`, `data-standing="`, "kWh a day", "Electricity per day, 2026-02"} {
		if !strings.Contains(body, want) {
			t.Errorf("lacks %q", want)
		}
	}
	dana := s2.login(t, "/my/login", danaEmail)
	if w := s2.get(t, path, dana); w.Code != http.StatusNotFound {
		t.Errorf("another customer: %d", w.Code)
	}
	if w := s2.get(t, fmt.Sprintf("/my/accounts/%d", s2.mariaAcct.ID), maria); !strings.Contains(w.Body.String(), "/report") {
		t.Errorf("the account page does not link the report")
	}
}

// TestBrowserPortalHomeEnergyReport signs in as Maria, opens her report from
// her account page and finds her standing and the drawn comparison chart.
func TestBrowserPortalHomeEnergyReport(t *testing.T) {
	site := newTestSite(t)
	seedNeighbors(t, site)
	srv := httptest.NewServer(site.h)
	defer srv.Close()
	ctx := newBrowser(t)
	ce := watchConsole(t, ctx)
	browse(t, ctx, chromedp.EmulateViewport(1024, 900))
	signIn(t, ctx, srv.URL, fmt.Sprintf("/my/accounts/%d", site.mariaAcct.ID), mariaEmail, "h1")
	browse(t, ctx,
		chromedp.Click(chromedp.CSS(`#her-link a`)),
		chromedp.WaitVisible(chromedp.CSS(`#her-comparison`)),
		chromedp.WaitVisible(chromedp.CSS(`#her-comparison .chart-plot canvas`)),
	)
	if got := text(t, ctx, "#her-standing"); !strings.Contains(got, "neighbor") {
		t.Errorf("standing %q", got)
	}
	screenshot(t, ctx, "portal_home_energy_report")
	for _, msg := range ce.take() {
		t.Errorf("browser console: %s", msg)
	}
}
