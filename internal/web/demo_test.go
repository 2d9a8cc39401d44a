package web

import (
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/money"
)

// This file builds a demonstration site from the real layouts and partials
// plus the test-only pages in testdata/templates (console/demo,
// console/demo_more, portal/demo), for the renderer and browser tests.

// newTestRenderer parses the embedded templates plus testdata/templates.
func newTestRenderer(t *testing.T, log *slog.Logger) *Renderer {
	t.Helper()
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	static, err := NewStatic()
	if err != nil {
		t.Fatal(err)
	}
	base, err := fs.Sub(templateFS, "templates")
	if err != nil {
		t.Fatal(err)
	}
	rd, err := newRenderer(log, static, base, os.DirFS("testdata/templates"))
	if err != nil {
		t.Fatal(err)
	}
	return rd
}

type demoRow struct {
	Account  string
	Name     string
	Programs []string
	Status   string
	End      calendar.Date
	Usage    energy.Wh
	Amount   money.Cents
}

type demoAccount struct {
	ID       string
	Address  string
	Programs []string
	Due      calendar.Date
	Balance  money.Cents
}

// demoProfile is a made-up 15-minute load profile for 2026-03-07 in
// Pacific time (a 24-hour day: 96 points), with one missing reading.
func demoProfile(t *testing.T) Chart {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 3, 7, 0, 0, 0, 0, loc)
	c := Chart{Title: "Load profile, Mar 7, 2026", Kind: ChartArea, Unit: "kW", Series: []Series{{Label: "Demand"}}}
	for i := range 96 {
		c.Times = append(c.Times, start.Add(time.Duration(i)*15*time.Minute).UTC())
		h := float64(i) / 4
		v := 0.6 + 0.5*math.Exp(-(h-8)*(h-8)/4) + 1.4*math.Exp(-(h-19)*(h-19)/6)
		if i == 50 {
			v = math.NaN()
		}
		c.Series[0].Values = append(c.Series[0].Values, math.Round(v*100)/100)
	}
	return c
}

func demoMonthly() Chart {
	return Chart{
		Title:  "Retail sales by month (MWh)",
		Kind:   ChartBars,
		Unit:   "MWh",
		Labels: []string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
		Series: []Series{
			{Label: "2025", Values: []float64{812, 744, 760, 702, 731, 845, 1012, 1088, 990, 820, 748, 836}},
			{Label: "2024", Values: []float64{798, 730, 751, 690, 740, 820, 980, 1040, 1002, 801, 731, 820}},
		},
	}
}

// demoHandler serves the demonstration site with the real static handler
// and security headers.
func demoHandler(t *testing.T, rd *Renderer) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET "+StaticPrefix, rd.static)
	staff := &User{Name: "Ana Ruiz", Role: "Program manager"}
	customer := &User{Name: "Dana Whitfield"}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(ContextWithUser(r.Context(), staff))
		v := &View{Title: "Dashboard", Nav: NavDashboard, Data: map[string]any{
			"AsOf": calendar.Date{Year: 2026, Month: time.March, Day: 8},
			"Cards": []Card{
				{Label: "Active customers", Value: "12,480", Note: "+112 since February", Href: "/customers"},
				{Label: "Enrolled in CARE", Value: "3,115", Note: "25.0% of residential"},
				{Label: "Open rebate applications", Value: "46", Href: "/incentives"},
				{Label: "Billed this cycle", Value: "$1,284,913.07"},
			},
			"Monthly": demoMonthly(),
			"Profile": demoProfile(t),
			"Rows": []demoRow{
				{"SA-1001", "Maria Lopez", []string{"CARE", "DAC"}, "Paid", calendar.Date{Year: 2026, Month: 2, Day: 27}, 412_400, 8_734},
				{"SA-1002", "Ken Okafor", []string{"FERA"}, "Pending", calendar.Date{Year: 2026, Month: 2, Day: 27}, 1_218_900, 31_277},
				{"SA-1003", "Hillside Winery", []string{"HFTD Tier 3"}, "Overdue", calendar.Date{Year: 2026, Month: 2, Day: 26}, 18_402_100, 512_390},
				{"SA-1004", "Priya Natarajan", nil, "Draft", calendar.Date{Year: 2026, Month: 2, Day: 25}, 655_000, -1_250},
				{"SA-1005", "Ridge Road Apts", []string{"HFTD Tier 2", "Medical baseline"}, "Approved", calendar.Date{Year: 2026, Month: 2, Day: 25}, 4_880_500, 96_402},
			},
		}}
		var fe apperr.Fields
		fe.Add("amount", "must be a positive amount, such as 250.00")
		v.SetError(fe.Err("demo"))
		v.Flash = &Flash{Kind: FlashSuccess, Msg: "Bill run for February 2026 finished: 12,480 bills."}
		rd.Render(w, r, http.StatusOK, "console/demo", v)
	})
	mux.HandleFunc("GET /demo/more", func(w http.ResponseWriter, r *http.Request) {
		c := demoMonthly()
		c.Title, c.Kind = "Usage loaded with htmx", ChartLine
		rd.Render(w, r, http.StatusOK, "console/demo_more", &View{Title: "More", Data: c})
	})
	mux.HandleFunc("GET /login", func(w http.ResponseWriter, r *http.Request) {
		rd.Render(w, r, http.StatusOK, "login", NewLoginView(r, ""))
	})
	mux.HandleFunc("GET /my/login", func(w http.ResponseWriter, r *http.Request) {
		v := NewLoginView(r, "dana@example.com")
		v.SetError(apperr.E(apperr.Unauthorized, "demo", "Wrong email or password.", nil))
		rd.Render(w, r, http.StatusUnauthorized, "login", v)
	})
	mux.HandleFunc("GET /my/{$}", func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(ContextWithUser(r.Context(), customer))
		rd.Render(w, r, http.StatusOK, "portal/demo", &View{Title: "My accounts", Nav: NavAccounts, Data: map[string]any{
			"Accounts": []demoAccount{
				{"SA-2207", "1418 Alder Street, Apt 3, Oxnard", []string{"CARE"}, calendar.Date{Year: 2026, Month: 3, Day: 20}, 6_412},
				{"SA-2210", "55 Canyon View Road, Ojai", []string{"HFTD Tier 3"}, calendar.Date{Year: 2026, Month: 3, Day: 22}, 14_980},
			},
			"Usage": Chart{Title: "Your monthly use (kWh)", Kind: ChartBars, Unit: "kWh",
				Labels: []string{"Oct", "Nov", "Dec", "Jan", "Feb"},
				Series: []Series{{Label: "This year", Values: []float64{402, 455, 520, 498, 431}}}},
			"Bills": []demoRow{
				{End: calendar.Date{Year: 2026, Month: 2, Day: 27}, Usage: 431_200, Amount: 6_412},
				{End: calendar.Date{Year: 2026, Month: 1, Day: 28}, Usage: 498_000, Amount: 7_388},
			},
		}})
	})
	mux.HandleFunc("GET /boom", func(w http.ResponseWriter, r *http.Request) {
		rd.Error(w, r, errors.New("database is on fire"))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		rd.Error(w, r, apperr.NotFoundf("demo", "There is no page at this address."))
	})
	return SecureHeaders(mux)
}
