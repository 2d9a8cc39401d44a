package billing

import (
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/tariff"
)

// TestVNMDividesEachIntervalWithRemainderToRoundingAccount: 1,001 Wh
// shared 50/30/20%: B gets ⌊300.3⌋ = 300, C ⌊200.2⌋ = 200 and the rounding
// account A the remaining 501; from the second day the shares change to
// 60/20/20 (600, 200, 201 → A takes 601 … the remainder).
func TestVNMDividesEachIntervalWithRemainderToRoundingAccount(t *testing.T) {
	u := constant(t, "2025-06-01", "2025-06-03", time.Hour, 0, 1001)
	allocs := []Allocation{
		{From: date(t, "2025-01-01"), To: date(t, "2025-06-02"), Shares: map[string]int64{"A": 5000, "B": 3000, "C": 2000}},
		{From: date(t, "2025-06-02"), Shares: map[string]int64{"A": 6000, "B": 2000, "C": 2000}},
	}
	out, err := AllocateVNM(u, allocs, "A")
	if err != nil {
		t.Fatal(err)
	}
	check := func(i int, a, b, c energy.Wh) {
		t.Helper()
		if out["A"][i] != a || out["B"][i] != b || out["C"][i] != c {
			t.Errorf("interval %d: A %d B %d C %d, want %d %d %d", i, out["A"][i], out["B"][i], out["C"][i], a, b, c)
		}
	}
	check(0, 501, 300, 200)
	check(24, 601, 200, 200)
	for i := range u.Received {
		if out["A"][i]+out["B"][i]+out["C"][i] != u.Received[i] {
			t.Fatalf("interval %d: parts do not sum to the output", i)
		}
	}
}

// TestVNMThreeBenefitingAccountsBills bills three tenants on their
// allocated shares of a generator under NEM 2.0: each tenant's bill nets
// its allocation against its own use, and the three allocations sum to
// the generator's output exactly.
func TestVNMThreeBenefitingAccountsBills(t *testing.T) {
	gen := constant(t, "2025-06-01", "2025-07-01", time.Hour, 0, 1500)
	shares, err := AllocateVNM(gen, []Allocation{{From: date(t, "2025-01-01"), Shares: map[string]int64{"unit-1": 4000, "unit-2": 3500, "unit-3": 2500}}}, "unit-1")
	if err != nil {
		t.Fatal(err)
	}
	v := shipped(t, "SCE", "TOU-D-PRIME")
	june := []calendar.Period{period(t, "2025-06-01", "2025-07-01")}
	var allocated energy.Wh
	var results []*Bill
	for _, acct := range []string{"unit-1", "unit-2", "unit-3"} {
		u := constant(t, "2025-06-01", "2025-07-01", time.Hour, 1000, -1)
		u.Received = shares[acct]
		bills, _ := bill(t, &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NEM2}, june, u)
		allocated += bills[0].Received
		results = append(results, bills[0])
	}
	if allocated != 720*1500 {
		t.Errorf("allocated %d Wh, generator produced %d", allocated, 720*1500)
	}
	// unit-1 receives 600 Wh an hour: 432 kWh, so its net is 288 kWh.
	if results[0].Received != 432_000 {
		t.Errorf("unit-1 received %d Wh, want 432,000 (40%% of 1,080 kWh)", results[0].Received)
	}
	golden(t, "vnm_three_accounts", results)
}

// TestAggregationSharesByCumulativeOrPeriodConsumption: members A
// (rounding account) and B; period 1 A uses 100 Wh and B 300 Wh, period 2
// A 300 and B 100; the generator exports 401 Wh once in each period.
// Period 1 (both policies, shares 1:3): B ⌊300.75⌋ = 300, A 101. Period 2
// cumulative (400:400): B ⌊200.5⌋ = 200, A 201; period only (3:1): B
// ⌊100.25⌋ = 100, A 301.
func TestAggregationSharesByCumulativeOrPeriodConsumption(t *testing.T) {
	gen := constant(t, "2025-06-01", "2025-06-03", time.Hour, 0, 0)
	gen.Received[5], gen.Received[30] = 401, 401
	a := make([]energy.Wh, 48)
	b := make([]energy.Wh, 48)
	a[1], b[1] = 100, 300
	a[25], b[25] = 300, 100
	periods := []calendar.Period{period(t, "2025-06-01", "2025-06-02"), period(t, "2025-06-02", "2025-06-03")}
	for _, c := range []struct {
		policy     SharePolicy
		a2, b2     energy.Wh
		cumA, cumB energy.Wh
	}{
		{Cumulative, 201, 200, 400, 400},
		{PeriodOnly, 301, 100, 300, 100},
	} {
		out, rec, err := AllocateAggregation(gen, []Member{{"A", a}, {"B", b}}, periods, c.policy, "A")
		if err != nil {
			t.Fatal(err)
		}
		if out["A"][5] != 101 || out["B"][5] != 300 {
			t.Errorf("%s period 1: A %d B %d, want 101 and 300", c.policy, out["A"][5], out["B"][5])
		}
		if out["A"][30] != c.a2 || out["B"][30] != c.b2 {
			t.Errorf("%s period 2: A %d B %d, want %d and %d", c.policy, out["A"][30], out["B"][30], c.a2, c.b2)
		}
		if rec[1].Consumption["A"] != c.cumA || rec[1].Consumption["B"] != c.cumB {
			t.Errorf("%s period 2 basis %v", c.policy, rec[1].Consumption)
		}
	}
}

// TestNBTAggregationBillsEachMemberOnItsAllocatedExports: NBT-A members
// are each billed on their own imports with the hourly export credits of
// their allocated exports; the members' credits add up to the credit of
// the whole export within a cent per member.
func TestNBTAggregationBillsEachMemberOnItsAllocatedExports(t *testing.T) {
	v := shipped(t, "SCE", "TOU-D-PRIME")
	table := sceExportTable(t)
	gen := constant(t, "2025-07-01", "2025-08-01", time.Hour, 200, 2000)
	m1 := constant(t, "2025-07-01", "2025-08-01", time.Hour, 700, -1).Delivered
	m2 := constant(t, "2025-07-01", "2025-08-01", time.Hour, 300, -1).Delivered
	july := []calendar.Period{period(t, "2025-07-01", "2025-08-01")}
	out, _, err := AllocateAggregation(gen, []Member{{"gen", gen.Delivered}, {"m1", m1}, {"m2", m2}}, july, Cumulative, "gen")
	if err != nil {
		t.Fatal(err)
	}
	terms := &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NBT, ExportPrices: table, UtilityLedger: Ledger{UnusedCredits: Forfeit}}
	whole, _ := bill(t, terms, july, gen)
	var sum int64
	var members []*Bill
	for _, acct := range []struct {
		id  string
		del []energy.Wh
	}{{"gen", gen.Delivered}, {"m1", m1}, {"m2", m2}} {
		u := &Usage{Start: gen.Start, Step: gen.Step, Delivered: acct.del, Received: out[acct.id]}
		bills, _ := bill(t, terms, july, u)
		sum += int64(bills[0].ExportCreditEarned)
		members = append(members, bills[0])
	}
	golden(t, "nbt_a_members", members)
	if d := sum - int64(whole[0].ExportCreditEarned); d < -3 || d > 3 {
		t.Errorf("members' credits %d¢, whole export %d¢", sum, whole[0].ExportCreditEarned)
	}
	// Shares 200:700:300 of 2 kWh an hour: the rounding account "gen" gets
	// 1/6, m1 7/12 and m2 1/4 — m1 ⌊1166.67⌋ = 1166 Wh an hour.
	if out["m1"][0] != 1166 || out["m2"][0] != 500 || out["gen"][0] != 334 {
		t.Errorf("hour 0: gen %d m1 %d m2 %d, want 334, 1166, 500", out["gen"][0], out["m1"][0], out["m2"][0])
	}
}
