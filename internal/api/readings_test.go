package api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestIntervalsAcrossFallBack reads the 25 hourly readings of the
// fall-back day 2026-11-01 (DST ends in California: 25 local hours) with
// a gap, through the API.
func TestIntervalsAcrossFallBack(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newEnv(t, open)
		ch := e.meter1.Channels[0].ID
		day := calendar.Date{Year: 2026, Month: 11, Day: 1}
		vals := make([]energy.Wh, 25)
		for i := range vals {
			vals[i] = energy.Wh(100 + i)
		}
		vals[3] = store.Missing
		err := e.db.InTx(context.Background(), func(tx *store.Tx) error {
			return tx.PutIntervals(context.Background(), ch, store.Series{Start: day.Start(), Step: time.Hour, Values: vals})
		})
		if err != nil {
			t.Fatal(err)
		}
		base := "/api/v1/meters/" + itoa(e.meter1.ID) + "/channels/" + itoa(ch) + "/intervals"
		var s seriesJSON
		// 2026-11-01 00:00 PDT is 07:00Z; 2026-11-02 00:00 PST is 08:00Z.
		e.do("GET", base+"?from=2026-11-01T00:00:00-07:00&to=2026-11-02T00:00:00-08:00", "", e.readClient).want(t, http.StatusOK).decode(t, &s)
		// 100 + 101 + … + 124 = 2,800 Wh, less the missing 103.
		if len(s.ValuesWh) != 25 || s.TotalWh != 2697 || s.Missing != 1 || s.ValuesWh[3] != nil || *s.ValuesWh[24] != 124 {
			t.Errorf("series: %d values, total %d, missing %d; want 25, 2697, 1", len(s.ValuesWh), s.TotalWh, s.Missing)
		}
		if s.Start != "2026-11-01T07:00:00Z" || s.End != "2026-11-02T08:00:00Z" || s.IntervalSeconds != 3600 || s.Direction != "delivered" {
			t.Errorf("series frame = %s…%s step %d %s", s.Start, s.End, s.IntervalSeconds, s.Direction)
		}
		tests := []struct {
			name, path string
			status     int
		}{
			{"from missing", base + "?to=2026-11-02T00:00:00Z", 400},
			{"from not RFC 3339", base + "?from=2026-11-01&to=2026-11-02T00:00:00Z", 400},
			{"to before from", base + "?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z", 400},
			{"over 400 days", base + "?from=2025-01-01T00:00:00Z&to=2026-11-01T00:00:00Z", 400},
			{"channel of no such meter", "/api/v1/meters/999/channels/" + itoa(ch) + "/intervals?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z", 404},
			{"no such channel", "/api/v1/meters/" + itoa(e.meter1.ID) + "/channels/999/intervals?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z", 404},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				e.t = t
				e.do("GET", tt.path, "", e.admin).want(t, tt.status)
			})
		}
	})
}

// TestPortfolioCounts checks the dashboard counts of the seeded registry.
func TestPortfolioCounts(t *testing.T) {
	forEachDB(t, func(t *testing.T, open storetest.Opener) {
		e := newEnv(t, open)
		var p portfolioJSON
		e.do("GET", "/api/v1/portfolio?on=2025-06-01", "", e.admin).want(t, http.StatusOK).decode(t, &p)
		// Two customers with one account each in service since 2024-01-01;
		// account 1 on CARE since 2025-01-01 with a solar (received)
		// channel; account 2 at the DAC tract 06037102105.
		if p.On != "2025-06-01" || p.Customers != 2 || p.Accounts != 2 || p.DAC != 1 || p.Meters != 1 || p.SolarAccounts != 1 {
			t.Errorf("portfolio = %+v", p)
		}
		if len(p.ByProgram) != 1 || p.ByProgram[0] != (countJSON{Label: "care", Count: 1}) {
			t.Errorf("by_program = %+v, want care 1", p.ByProgram)
		}
		if len(p.ByClass) != 2 {
			t.Errorf("by_class = %+v, want commercial 1 and residential 1", p.ByClass)
		}
		e.do("GET", "/api/v1/portfolio?on=2023-12-31", "", e.admin).want(t, http.StatusOK).decode(t, &p)
		if p.Accounts != 0 || len(p.ByClass) != 0 {
			t.Errorf("before service began: %+v", p)
		}
	})
}
