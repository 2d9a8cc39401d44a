package storetest

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/savings"
	"github.com/gridbook/gridbook/internal/store"
)

// testHERReportComparesAndFreezes: 24 residential homes in one ZIP using
// a steady 400 + 40·i Wh an hour through April 2026 (9.6 + 0.96·i kWh a
// day; the last home vacant at under 1 kWh a day): home 4 (13.44 kWh/day)
// is great against its 22 neighbors — average 9,600 + 960·249/22 =
// 20,465 Wh/day, efficient (nearest-rank P20, rank ⌈4.4⌉ = 5: home 5)
// 14,400 Wh/day; the report is frozen — new readings do not change it —
// and a month without use is NotFound.
func testHERReportComparesAndFreezes(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	var accts []customer.Account
	var meters []customer.Meter
	start := calendar.Date{Year: 2026, Month: 4, Day: 1}.Start()
	n := 30 * 24
	for i := range 24 {
		c := customer.Customer{Kind: customer.Person, Name: fmt.Sprintf("Home %d", i)}
		p := customer.Premise{Address: fmt.Sprintf("%d Elm St", i+1), City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037", MemberAgency: "Unincorporated Los Angeles County"}
		a := customer.Account{Number: fmt.Sprintf("71000000%02d", i), Class: customer.Residential, RateSchedule: "TOU-D-4-9PM", LSE: customer.CCA, ServiceStart: day(2024, 1, 1)}
		m := customer.Meter{Serial: fmt.Sprintf("H-%02d", i), IntervalSeconds: 3600, Installed: day(2024, 1, 1)}
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return createMetered(ctx, tx, &c, &p, &a, &m) })
		hourly := energy.Wh(400 + 40*i)
		if i == 23 {
			hourly = 40 // vacant: 0.96 kWh a day
		}
		vals := make([]energy.Wh, n)
		for k := range vals {
			vals[k] = hourly
		}
		put(t, db, m.Channels[0].ID, store.Series{Start: start, Step: time.Hour, Values: vals})
		accts, meters = append(accts, a), append(meters, m)
	}
	r, err := db.HERReport(ctx, accts[4].ID, "2026-04")
	if err != nil {
		t.Fatal(err)
	}
	if r.Standing != savings.StandingGreat || r.Neighbors != 22 || r.Grouping != "ZIP 90001" || len(r.NeighborIDs) != 22 {
		t.Fatalf("report %+v", r)
	}
	if r.Usage != 13_440 || r.Average != 20_465 || r.Efficient != 14_400 || math.Abs(r.Shape.BaseShare-1) > 1e-12 {
		t.Errorf("numbers %+v", r)
	}
	// more use stored later leaves the frozen report as it was
	put(t, db, meters[0].Channels[0].ID, store.Series{Start: start, Step: time.Hour, Values: []energy.Wh{90_000}})
	again, err := db.HERReport(ctx, accts[4].ID, "2026-04")
	if err != nil || again.ID != r.ID || again.Average != r.Average || fmt.Sprint(again.NeighborIDs) != fmt.Sprint(r.NeighborIDs) {
		t.Errorf("re-render %+v, %v", again, err)
	}
	if _, err := db.HERReport(ctx, accts[4].ID, "2026-05"); err == nil {
		t.Error("a month without use should be NotFound")
	}
	if c, _ := db.LastUsageCycle(ctx, accts[4].ID, "2026-06"); c != "2026-04" {
		t.Errorf("last cycle %q", c)
	}
}
