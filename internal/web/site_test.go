package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/store"
	"golang.org/x/crypto/bcrypt"
)

// This file seeds a small hand-made registry through the store and serves
// the real handler over it, for the page, auth and browser tests.

// testPassword is every seeded user's password.
const testPassword = "correct-horse-battery"

// testNow is the seeded site's clock: Tuesday 2026-03-10, 1:00 PM PDT
// (two days after the 2026 spring-forward).
var testNow = time.Date(2026, 3, 10, 20, 0, 0, 0, time.UTC)

// clock is a settable time source shared by the store and the handler.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testSite is a seeded database with the web handler over it.
type testSite struct {
	db    *store.DB
	h     http.Handler
	clock *clock

	maria, hillside, dana         customer.Customer
	mariaAcct, hillAcct, danaAcct customer.Account
	mariaPremise, hillsidePremise customer.Premise
	mariaCARE                     customer.Enrollment
}

// Seeded users (login emails).
const (
	adminEmail   = "ana@cpa.example"   // Ana Ruiz, admin
	managerEmail = "pat@cpa.example"   // Pat Moreno, program manager
	analystEmail = "alex@cpa.example"  // Alex Chen, analyst
	mariaEmail   = "maria@example.org" // customer, linked to Maria's account
	danaEmail    = "dana@example.com"  // customer, linked to Dana's account
)

var seedActor = auth.Actor{Kind: "cli", Name: "seed"}

func newTestSite(t *testing.T) *testSite {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "web.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := &testSite{db: db, clock: &clock{t: testNow}}
	db.Now = s.clock.Now

	d := func(y int, m time.Month, day int) calendar.Date { return calendar.Date{Year: y, Month: m, Day: day} }
	s.maria = customer.Customer{Kind: customer.Person, Name: "Maria Lopez", Email: "maria@example.org", Phone: "805-555-0134"}
	s.hillside = customer.Customer{Kind: customer.Organization, Name: "Hillside Winery LLC", Email: "office@hillside.example"}
	s.dana = customer.Customer{Kind: customer.Person, Name: "Dana Whitfield", Email: "dana@example.com"}
	// 06111004902 is an Oxnard tract in the CalEnviroScreen 4.0 top 25%
	// (sb535_dac_tracts_2022.csv); ZIP 93030 is climate zone 6 and 90401
	// zone 6 (ca_zip_climate_zone_cz2010.csv); 93023 (Ojai) is zone 5 and
	// flagged doubtful.
	s.mariaPremise = customer.Premise{Address: "310 South A Street", City: "Oxnard", ZIP: "93030", CountyFIPS: "06111",
		MemberAgency: "Oxnard", TractGEOID: "06111004902"}
	s.hillsidePremise = customer.Premise{Address: "8800 Creek Road", City: "Ojai", ZIP: "93023", CountyFIPS: "06111",
		MemberAgency: "Unincorporated Ventura County", HFTDTier: 3,
		ClimateZoneOverride: true, ClimateZone: 9, ClimateZoneReason: "site survey: inland valley parcel"}
	danaPremise := customer.Premise{Address: "1418 Ocean Park Blvd", City: "Santa Monica", ZIP: "90401", CountyFIPS: "06037",
		MemberAgency: "Santa Monica"}
	s.mariaAcct = customer.Account{Number: "3000012345", Class: customer.Residential, RateSchedule: "TOU-D-4-9PM", LSE: customer.CCA,
		ServiceStart: d(2023, 4, 1), Household: &customer.Household{Size: 4, AnnualIncome: 5_200_000, Verification: customer.VerifySelfAttested}}
	s.hillAcct = customer.Account{Number: "3000067890", Class: customer.Commercial, RateSchedule: "TOU-GS-1-D", LSE: customer.Bundled,
		ServiceStart: d(2019, 7, 15)}
	s.danaAcct = customer.Account{Number: "3000011111", Class: customer.Residential, RateSchedule: "TOU-D-5-8PM", LSE: customer.CCA,
		ServiceStart: d(2024, 9, 1), Household: &customer.Household{Size: 2, AnnualIncome: 4_500_000, Verification: customer.VerifyDocuments}}
	mariaMeter := customer.Meter{Serial: "OX-1001", IntervalSeconds: 900, Installed: d(2023, 4, 1),
		Channels: []customer.Channel{{Direction: customer.Delivered}, {Direction: customer.Received}}}
	danaMeter := customer.Meter{Serial: "SM-2002", IntervalSeconds: 3600, Installed: d(2024, 9, 1)}

	err = db.InTx(ctx, func(tx *store.Tx) error {
		for _, x := range []struct {
			c *customer.Customer
			p *customer.Premise
			a *customer.Account
		}{{&s.maria, &s.mariaPremise, &s.mariaAcct}, {&s.hillside, &s.hillsidePremise, &s.hillAcct}, {&s.dana, &danaPremise, &s.danaAcct}} {
			if err := tx.CreateCustomer(ctx, seedActor, x.c); err != nil {
				return err
			}
			if err := tx.CreatePremise(ctx, seedActor, x.p); err != nil {
				return err
			}
			x.a.CustomerID, x.a.PremiseID = x.c.ID, x.p.ID
			if err := tx.CreateAccount(ctx, seedActor, x.a); err != nil {
				return err
			}
		}
		s.mariaCARE = customer.Enrollment{AccountID: s.mariaAcct.ID, Program: customer.ProgramCARE, From: d(2025, 7, 1), Source: "utility"}
		for _, e := range []*customer.Enrollment{
			&s.mariaCARE,
			{AccountID: s.danaAcct.ID, Program: customer.ProgramFERA, From: d(2025, 10, 1), Source: "utility"},
			{AccountID: s.danaAcct.ID, Program: customer.ProgramMedicalBaseline, From: d(2024, 9, 1), Source: "utility"},
		} {
			if err := tx.Enroll(ctx, seedActor, e); err != nil {
				return err
			}
		}
		mariaMeter.AccountID, danaMeter.AccountID = s.mariaAcct.ID, s.danaAcct.ID
		if err := tx.CreateMeter(ctx, seedActor, &mariaMeter); err != nil {
			return err
		}
		if err := tx.CreateMeter(ctx, seedActor, &danaMeter); err != nil {
			return err
		}
		// Maria: 15-minute readings 2025-04-01 up to 2026-03-10 (exclusive).
		from, to := d(2025, 4, 1).Start(), d(2026, 3, 10).Start()
		if err := tx.PutIntervals(ctx, mariaMeter.Channels[0].ID, synthetic(from, to, 15*time.Minute, houseLoad)); err != nil {
			return err
		}
		if err := tx.PutIntervals(ctx, mariaMeter.Channels[1].ID, synthetic(from, to, 15*time.Minute, solarExport)); err != nil {
			return err
		}
		// Dana: hourly readings from 2025-10-01.
		if err := tx.PutIntervals(ctx, danaMeter.Channels[0].ID, synthetic(d(2025, 10, 1).Start(), to, time.Hour, houseLoad)); err != nil {
			return err
		}
		for _, u := range []auth.User{
			{Email: adminEmail, Name: "Ana Ruiz", Role: auth.Admin},
			{Email: managerEmail, Name: "Pat Moreno", Role: auth.ProgramManager},
			{Email: analystEmail, Name: "Alex Chen", Role: auth.Analyst},
			{Email: mariaEmail, Name: "Maria Lopez", Role: auth.CustomerRole, AccountIDs: []int64{s.mariaAcct.ID}},
			{Email: danaEmail, Name: "Dana Whitfield", Role: auth.CustomerRole, AccountIDs: []int64{s.danaAcct.ID}},
		} {
			var err error
			if u.PasswordHash, err = auth.HashPassword(testPassword, bcrypt.MinCost); err != nil {
				return err
			}
			if err := tx.CreateUser(ctx, seedActor, &u); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	s.h, err = NewHandler(Config{Log: discardLog(), DB: db})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// synthetic makes readings for [from, to) at step from a profile of
// watts by Pacific hour of day.
func synthetic(from, to time.Time, step time.Duration, watts func(hour float64) int64) store.Series {
	s := store.Series{Start: from, Step: step}
	for t := from; t.Before(to); t = t.Add(step) {
		l := t.In(calendar.Pacific)
		hour := float64(l.Hour()) + float64(l.Minute())/60
		s.Values = append(s.Values, energy.Wh(watts(hour)*int64(step/time.Minute)/60))
	}
	return s
}

// houseLoad is a made-up household demand in watts: a morning bump and an
// evening peak.
func houseLoad(h float64) int64 {
	switch {
	case h >= 17 && h < 22:
		return 2400
	case h >= 6 && h < 9:
		return 1200
	case h >= 22 || h < 6:
		return 400
	}
	return 700
}

// solarExport is a made-up rooftop export in watts around noon.
func solarExport(h float64) int64 {
	if h < 8 || h >= 17 {
		return 0
	}
	d := h - 12.5
	return int64(2000 - 90*d*d)
}

// do sends one request as the holder of the session cookie (none when
// empty) and returns the response.
func (s *testSite) do(t *testing.T, method, path, session string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, path, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if session != "" {
		r.AddCookie(&http.Cookie{Name: auth.SessionCookie, Value: session})
	}
	w := httptest.NewRecorder()
	s.h.ServeHTTP(w, r)
	return w
}

func (s *testSite) get(t *testing.T, path, session string) *httptest.ResponseRecorder {
	t.Helper()
	return s.do(t, http.MethodGet, path, session, nil)
}

func (s *testSite) post(t *testing.T, path, session string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	return s.do(t, http.MethodPost, path, session, form)
}

// login signs in at the console or portal login page and returns the
// session token; it fails the test unless the sign-in redirects.
func (s *testSite) login(t *testing.T, loginPath, email string) string {
	t.Helper()
	w := s.post(t, loginPath, "", url.Values{"username": {email}, "password": {testPassword}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("sign-in of %s at %s = %d, want 303; body:\n%s", email, loginPath, w.Code, w.Body)
	}
	return sessionOf(t, w)
}

// sessionOf returns the session token a response sets.
func sessionOf(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	for _, c := range w.Result().Cookies() {
		if c.Name == auth.SessionCookie && c.Value != "" {
			return c.Value
		}
	}
	t.Fatalf("no session cookie set; headers %v", w.Header())
	return ""
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }
