package storetest

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/savings"
	"github.com/gridbook/gridbook/internal/store"
)

// testHERReportComparesAndFreezes: 24 residential homes in one ZIP,
// without home attributes, using a steady 400 + 40·i Wh an hour through
// April 2026 (9.6 + 0.96·i kWh a day; the last home vacant at under 1 kWh
// a day): the report falls back to the ZIP, says so, and home 4 (13.44
// kWh/day) is great against its 22 neighbors — average 9,600 + 960·249/22 =
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
	if r.Standing != savings.StandingGreat || r.Neighbors != 22 || r.Method != store.HERFallback || len(r.NeighborIDs) != 22 ||
		r.Grouping != "residential accounts of ZIP 90001 by use alone (the home's dwelling type, heating fuel, floor area, location not recorded)" {
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

// testHERReportComparesByHomeAttributes: 30 homes around 34.0 °N,
// 118.3 °W with their attributes recorded, using 400 + 40·i Wh an hour in
// April 2026 (9.6 + 0.96·i kWh a day). Home 0 (single-family, gas heat,
// 1,500 sq ft) is compared with homes 1–23 (single-family, gas, 1,400 sq ft,
// 0.001·i° north: at most 2.6 km): not 24 (multifamily), 25 (electric
// heat), 26 (2,000 sq ft: 33% larger, outside ±25%), 27 (0.108° north,
// 12.0 km), 28 (no coordinates) or 29 (vacant, 0.96 kWh a day). Average
// 9.6 + 0.96·12 = 21.12 kWh/day (the mean of i = 1…23 is 12); efficient
// neighbor at rank ⌈0.2·23⌉ = 5, home 5: 9.6 + 4.8 = 14.4 kWh/day; home 0
// at 9.6 is great. Home 26 finds only home 0 within ±25% (1,500–2,500),
// so the band widens to ±50% (1,000–3,000): homes 0–23 and home 27
// (0.082° north of home 26: 9.1 km), 25 neighbors.
func testHERReportComparesByHomeAttributes(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	start := calendar.Date{Year: 2026, Month: 4, Day: 1}.Start()
	n := 30 * 24
	var accts []customer.Account
	for i := range 30 {
		home := customer.Home{DwellingType: "single_family", HeatingFuel: "gas", FloorAreaSqFt: 1400,
			Location: &customer.Location{Lat: 34.0 + 0.001*float64(i), Lon: -118.3, Source: "parcel"}}
		switch i {
		case 0:
			home.FloorAreaSqFt = 1500
		case 24:
			home.DwellingType = "multifamily"
		case 25:
			home.HeatingFuel = "electric"
		case 26:
			home.FloorAreaSqFt = 2000
		case 27:
			home.Location.Lat = 34.108
		case 28:
			home.Location = nil
		}
		c := customer.Customer{Kind: customer.Person, Name: fmt.Sprintf("Home %d", i)}
		p := customer.Premise{Address: fmt.Sprintf("%d Oak St", i+1), City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037",
			MemberAgency: "Unincorporated Los Angeles County", Home: home}
		a := customer.Account{Number: fmt.Sprintf("72000000%02d", i), Class: customer.Residential, RateSchedule: "TOU-D-4-9PM", LSE: customer.CCA, ServiceStart: day(2024, 1, 1)}
		m := customer.Meter{Serial: fmt.Sprintf("HA-%02d", i), IntervalSeconds: 3600, Installed: day(2024, 1, 1)}
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return createMetered(ctx, tx, &c, &p, &a, &m) })
		hourly := energy.Wh(400 + 40*i)
		if i == 29 {
			hourly = 40
		}
		vals := make([]energy.Wh, n)
		for k := range vals {
			vals[k] = hourly
		}
		put(t, db, m.Channels[0].ID, store.Series{Start: start, Step: time.Hour, Values: vals})
		accts = append(accts, a)
	}
	r, err := db.HERReport(ctx, accts[0].ID, "2026-04")
	if err != nil {
		t.Fatal(err)
	}
	want := make([]int64, 0, 23)
	for _, a := range accts[1:24] {
		want = append(want, a.ID)
	}
	got := slices.Clone(r.NeighborIDs)
	slices.Sort(got)
	if r.Method != store.HERByAttributes || r.Neighbors != 23 || !slices.Equal(got, want) {
		t.Fatalf("report %+v", r)
	}
	if r.Usage != 9_600 || r.Average != 21_120 || r.Efficient != 14_400 || r.Standing != savings.StandingGreat {
		t.Errorf("numbers %+v", r)
	}
	if r.Grouping != "single-family homes heated by gas within 10 km, 1500 sq ft ±25%" {
		t.Errorf("grouping %q", r.Grouping)
	}
	wide, err := db.HERReport(ctx, accts[26].ID, "2026-04")
	if err != nil {
		t.Fatal(err)
	}
	if wide.Neighbors != 25 || wide.Grouping != "single-family homes heated by gas within 10 km, 2000 sq ft ±50%" {
		t.Errorf("widened report %+v", wide)
	}
}
