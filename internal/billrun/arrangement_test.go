package billrun

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
)

// metered is a residential CCA account numbered n (id id) on TOU-D-PRIME
// with an hourly meter: delivered channel id*10+1, received id*10+2.
func metered(t *testing.T, id int64, n string, mods ...func(*Account)) *Account {
	return home(t, append([]func(*Account){func(a *Account) {
		a.ID, a.Number = id, n
		a.Meters[0].ID, a.Meters[0].AccountID = id, id
		a.Meters[0].Channels[0].ID, a.Meters[0].Channels[1].ID = id*10+1, id*10+2
	}}, mods...)...)
}

// fakeReads serves series by channel id, cut to what is asked.
func fakeReads(series map[int64]meterdata.Series) Reader {
	return func(channels []int64, from, to time.Time) (map[int64]meterdata.Series, error) {
		out := map[int64]meterdata.Series{}
		for _, id := range channels {
			out[id] = series[id].Slice(from, to)
		}
		return out, nil
	}
}

// vnmProperty is a three-tenant Virtual NEM property: the generating
// account 9000000000 (common area) and tenants A, B and C with shares of
// 50%, 30% and 20%, B designated for rounding, under NEM 2.0 from
// 2019-03-10.
func vnmProperty(t *testing.T) *Arrangement {
	gen := metered(t, 10, "9000000000", enroll(ProgramNEM, "nem2", "2019-03-10"))
	ar := &Arrangement{Application: "NEM-000100", Variant: VirtualNEM, Generator: gen, Track: "nem2", PTO: day(t, "2019-03-10"),
		Allocations: []billing.Allocation{{From: day(t, "2019-03-10"), Shares: map[string]int64{"9000000001": 5000, "9000000002": 3000, "9000000003": 2000}}},
		Rounding:    "9000000002"}
	for i, n := range []string{"9000000001", "9000000002", "9000000003"} {
		m := metered(t, int64(11+i), n)
		m.Arrangement = ar
		ar.Members = append(ar.Members, m)
	}
	gen.Arrangement = ar
	return ar
}

// TestVNMDividesEachIntervalByShareWithRoundingToTheDesignatedAccount:
// 1,001 Wh exported in an hour is 500.5, 300.3 and 200.2 Wh by share;
// each tenant gets its share rounded down (500, 300, 200) and B, the
// rounding account, the 1 Wh left (301), so the parts sum to the output.
// Each tenant is billed under the generator's NEM 2.0 on its own imports
// and its allocation; the generator's exports are not credited to it.
func TestVNMDividesEachIntervalByShareWithRoundingToTheDesignatedAccount(t *testing.T) {
	ar := vnmProperty(t)
	p := july(t)
	series := map[int64]meterdata.Series{102: flat(p, time.Hour, 1001)}
	for _, id := range []int64{101, 111, 121, 131} {
		series[id], series[id+1] = flat(p, time.Hour, 400), flat(p, time.Hour, 0)
	}
	series[102] = flat(p, time.Hour, 1001)
	parts, err := ar.Allocate(p, 1, policy(t), fakeReads(series))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]energy.Wh{"9000000001": 500, "9000000002": 301, "9000000003": 200}
	for n, wh := range want {
		a := parts[n]
		if a == nil || len(a.Wh) != 744 || a.Wh[0] != wh || a.Wh[743] != wh || a.Rounding != "9000000002" {
			t.Errorf("%s: %+v, want %d Wh every hour", n, a, wh)
		}
	}
	cat, pol := shippedCatalog(t), policy(t)
	tenant := ar.Members[1]
	pl, err := cat.Plan(tenant, p, pol)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Terms.Program != billing.NEM2 || pl.PTO != day(t, "2019-03-10") || pl.Arrangement != ar {
		t.Fatalf("tenant plan: program %s PTO %s arrangement %v", pl.Terms.Program, pl.PTO, pl.Arrangement)
	}
	pl.Allocation = parts[tenant.Number]
	out := Compute(billing.NewCalculator(), tenant, pl, Prior{}, series)
	if out.Status != Billed {
		t.Fatalf("%s: %s", out.Status, out.Reason)
	}
	if out.Bill.Received != 744*301 || out.Bill.Delivered != 744*400 || out.Bill.Inputs.Allocation == nil {
		t.Fatalf("received %d delivered %d, want 744 × 301 and 744 × 400", out.Bill.Received, out.Bill.Delivered)
	}
	// The stored inputs rebuild the same usage (what Reproduce checks).
	u, err := BillUsage(out.Bill, series)
	if err != nil || HashUsage(u) != out.Bill.Inputs.IntervalsSHA256 {
		t.Errorf("usage from the stored inputs: %v, hash differs: %v", err, err == nil)
	}
	gpl, err := cat.Plan(ar.Generator, p, pol)
	if err != nil {
		t.Fatal(err)
	}
	if len(gpl.Received) != 0 || gpl.Arrangement != nil || !slices.ContainsFunc(gpl.Notes, func(n string) bool { return strings.Contains(n, "shared among the benefiting accounts") }) {
		t.Errorf("generator plan: received %v, arrangement %v, notes %q", gpl.Received, gpl.Arrangement, gpl.Notes)
	}
}

// aggregation is a two-account NEM Aggregation: generator G (id 20) and
// aggregated account H (id 21) of the same customer, NEM 2.0 from
// 2025-05-01; G takes the rounding remainders by default.
func aggregation(t *testing.T) *Arrangement {
	g := metered(t, 20, "9100000000", enroll(ProgramNEM, "nem2", "2025-05-01"))
	h := metered(t, 21, "9100000001")
	ar := &Arrangement{Application: "NEM-000200", Variant: Aggregation, Generator: g, Members: []*Account{h}, Track: "nem2", PTO: day(t, "2025-05-01")}
	g.Arrangement, h.Arrangement = ar, ar
	return ar
}

// TestAggregationSharesExportsByConsumptionBothReadings: G exports 800 Wh
// every hour of July 2025. In May and June G used 3,000 Wh an hour and H
// 1,000; in July G 1,000 and H 3,000.
//
// By the period's own consumption (1:3) H gets ⌊800 × 3/4⌋ = 600 Wh and G
// the rest, 200. By consumption since the Relevant Period began on PTO,
// 2025-05-01 (61 days × 24 h × 3,000 + 31 × 24 × 1,000 = 5,136,000 Wh
// for G, 61 × 24 × 1,000 + 31 × 24 × 3,000 = 3,696,000 Wh for H), H gets
// ⌊800 × 3,696,000 / 8,832,000⌋ = ⌊334.78⌋ = 334 Wh and G, the rounding
// account, 466.
func TestAggregationSharesExportsByConsumptionBothReadings(t *testing.T) {
	ar := aggregation(t)
	p := july(t)
	before := calendar.Period{Start: day(t, "2025-05-01"), End: p.Start}
	join := func(a, b meterdata.Series) meterdata.Series {
		return meterdata.Series{Start: a.Start, Step: a.Step, Values: append(slices.Clone(a.Values), b.Values...)}
	}
	series := map[int64]meterdata.Series{
		201: join(flat(before, time.Hour, 3000), flat(p, time.Hour, 1000)),
		211: join(flat(before, time.Hour, 1000), flat(p, time.Hour, 3000)),
		202: join(flat(before, time.Hour, 0), flat(p, time.Hour, 800)),
	}
	for _, c := range []struct {
		policy billing.SharePolicy
		g, h   energy.Wh
	}{{billing.PeriodOnly, 200, 600}, {billing.Cumulative, 466, 334}} {
		pol := *policy(t)
		pol.AggregationShares.Value = c.policy
		parts, err := ar.Allocate(p, 1, &pol, fakeReads(series))
		if err != nil {
			t.Fatal(err)
		}
		g, h := parts["9100000000"], parts["9100000001"]
		if g.Wh[0] != c.g || h.Wh[0] != c.h || g.Wh[743] != c.g || h.Wh[743] != c.h || h.SharePolicy != c.policy {
			t.Errorf("%s: G %d H %d Wh an hour, want %d and %d", c.policy, g.Wh[0], h.Wh[0], c.g, c.h)
		}
		if c.policy == billing.Cumulative && (h.BasisWh != 3_696_000 || h.TotalBasisWh != 8_832_000) {
			t.Errorf("cumulative basis %d of %d Wh, want 3,696,000 of 8,832,000", h.BasisWh, h.TotalBasisWh)
		}
	}
	// Both accounts bill under the generator's NEM 2.0 with their share;
	// the generator's own received channel is what is shared, so it is
	// not billed to it again (H keeps its own, if it exports too).
	cat := shippedCatalog(t)
	for i, a := range []*Account{ar.Generator, ar.Members[0]} {
		pl, err := cat.Plan(a, p, policy(t))
		if err != nil {
			t.Fatal(err)
		}
		if pl.Terms.Program != billing.NEM2 || len(pl.Received) != i || pl.Arrangement != ar {
			t.Errorf("%s: program %s received %v arrangement %v", a.Number, pl.Terms.Program, pl.Received, pl.Arrangement)
		}
	}
}

// TestArrangementMemberInTwoArrangementsIsRefused: an account cannot
// take part in two arrangements in force at once.
func TestArrangementMemberInTwoArrangementsIsRefused(t *testing.T) {
	one, two := vnmProperty(t), aggregation(t)
	two.Members = append(two.Members, one.Members[0])
	r := &Runner{Store: arrangementStore{list: []Arrangement{*one, *two}}}
	if _, err := r.arrangements(t.Context(), july(t)); err == nil || !strings.Contains(err.Error(), "in two arrangements") {
		t.Errorf("err = %v", err)
	}
}

// arrangementStore serves arrangements; nothing else is called.
type arrangementStore struct {
	Store
	list []Arrangement
}

func (s arrangementStore) BillRunArrangements(_ context.Context, _ calendar.Period) ([]Arrangement, error) {
	return s.list, nil
}
