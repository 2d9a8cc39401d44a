package billing

import (
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/tariff"
)

// bill runs terms over periods and fails the test on error.
func bill(t *testing.T, terms *Terms, periods []calendar.Period, u *Usage) ([]*Bill, State) {
	t.Helper()
	bills, st, err := NewCalculator().Run(terms, periods, u, State{})
	if err != nil {
		t.Fatal(err)
	}
	return bills, st
}

// nanosOf totals the unrounded amounts of lines matching keep.
func nanosOf(b *Bill, keep func(Line) bool) money.Nanos {
	return lineNanos([]*Bill{b}, keep)
}

func wantNanos(t *testing.T, what string, got, want money.Nanos) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %d n$ ($%.6f), want %d n$ ($%.6f)", what, got, float64(got)/1e9, want, float64(want)/1e9)
	}
}

func wantCents(t *testing.T, what string, got, want money.Cents) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %s, want %s", what, got, want)
	}
}

// $ with up to 6 decimals as nano-dollars, for expected values written as
// the tariff sheets write them.
func usd(micro int64) money.Nanos { return money.Nanos(micro * 1000) }

// TestTOUDPrimeJuneMonthFromSheet bills June 2025 at a constant 1 kWh
// every hour on SCE TOU-D-PRIME (sheet effective 2025-06-01; research
// /billing.md §1.6). June 2025 starts on a Sunday: 21 weekdays, 9 weekend
// days, no SCE holiday. Summer on-peak is weekdays 4–9 pm (21×5 = 105
// kWh at $0.56368), mid-peak weekend 4–9 pm (45 kWh at $0.38128),
// off-peak the other 570 kWh at $0.26322; the Basic Charge is
// $0.516/day. Energy 59.18640 + 17.15760 + 150.03540 = $226.3794;
// basic $15.48.
func TestTOUDPrimeJuneMonthFromSheet(t *testing.T) {
	v := shipped(t, "SCE", "TOU-D-PRIME")
	u := constant(t, "2025-06-01", "2025-07-01", time.Hour, 1000, -1)
	bills, _ := bill(t, &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NoProgram}, []calendar.Period{period(t, "2025-06-01", "2025-07-01")}, u)
	b := bills[0]
	// Flat components (NBC, MCAM) carry no period; they are checked
	// through the total.
	byPeriod := func(p string) func(Line) bool {
		return func(l Line) bool { return l.Kind == EnergyLine && l.Period == p }
	}
	wantNanos(t, "all energy", nanosOf(b, func(l Line) bool { return l.Kind == EnergyLine }), usd(226_379_400))
	wantNanos(t, "basic charge", nanosOf(b, func(l Line) bool { return l.Kind == FixedLine }), usd(15_480_000))
	// Delivery + generation of on-peak: 105 kWh × (0.23704 + 0.28317).
	wantNanos(t, "on-peak delivery+generation", nanosOf(b, byPeriod("Summer On-Peak")), usd(105*(237_040+283_170)))
	if b.Delivered != 720_000 || b.Days != 30 {
		t.Errorf("delivered %d Wh over %d days, want 720,000 over 30", b.Delivered, b.Days)
	}
	if d := b.Total - money.Cents(24186); d < -halfCentPerLine(len(b.Lines)) || d > halfCentPerLine(len(b.Lines)) {
		t.Errorf("total %s, want $241.86 within rounding of %d lines", b.Total, len(b.Lines))
	}
	golden(t, "tou_d_prime_june", bills)
}

// halfCentPerLine is half a cent per line, rounded up, in cents.
func halfCentPerLine(lines int) money.Cents { return money.Cents((lines + 1) / 2) }

// TestTOUD49BaselineCreditFromSheet bills June 2025, 1 kWh every hour, on
// SCE TOU-D-4-9PM with a 10 kWh/day summer baseline allowance: on-peak
// 105 kWh at $0.58522, mid-peak 45 at $0.47517, off-peak 570 at $0.36678
// (= $291.89535), Basic Charge $0.031 × 30 = $0.93, Baseline Credit
// −$0.0925 × 300 kWh = −$27.75; the $0.346/day minimum ($10.38) is below
// the delivery charges, so no top-up.
func TestTOUD49BaselineCreditFromSheet(t *testing.T) {
	v := shipped(t, "SCE", "TOU-D-4-9PM")
	u := constant(t, "2025-06-01", "2025-07-01", time.Hour, 1000, -1)
	terms := &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NoProgram, Baseline: map[string]energy.Wh{"summer": 10_000, "winter": 8_000}}
	bills, _ := bill(t, terms, []calendar.Period{period(t, "2025-06-01", "2025-07-01")}, u)
	b := bills[0]
	wantNanos(t, "energy", nanosOf(b, func(l Line) bool { return l.Kind == EnergyLine }), usd(291_895_350))
	wantNanos(t, "baseline credit", nanosOf(b, func(l Line) bool { return l.Kind == BaselineLine }), usd(-27_750_000))
	wantNanos(t, "basic charge", nanosOf(b, func(l Line) bool { return l.Kind == FixedLine }), usd(930_000))
	if n := nanosOf(b, func(l Line) bool { return l.Kind == MinimumLine }); n != 0 {
		t.Errorf("minimum top-up %d n$, want none", n)
	}
	golden(t, "tou_d_49_baseline", bills)
}

// TestMinimumChargeTopsUpLowDeliveryCharges: a month with no usage on
// TOU-D-4-9PM pays the $0.346/day minimum: Basic $0.93 plus a $9.45
// top-up (30 × $0.346 = $10.38).
func TestMinimumChargeTopsUpLowDeliveryCharges(t *testing.T) {
	v := shipped(t, "SCE", "TOU-D-4-9PM")
	u := constant(t, "2025-06-01", "2025-07-01", time.Hour, 0, -1)
	bills, _ := bill(t, &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NoProgram}, []calendar.Period{period(t, "2025-06-01", "2025-07-01")}, u)
	wantCents(t, "minimum top-up", bills[0].Sum(func(l Line) bool { return l.Kind == MinimumLine }), 945)
	wantCents(t, "total", bills[0].Total, 1038)
}

// nemJune bills June 2025 on TOU-D-PRIME with 1 kWh delivered and 0.5 kWh
// received every hour: net 0.5 kWh each hour.
func nemJune(t *testing.T, p Program) *Bill {
	v := shipped(t, "SCE", "TOU-D-PRIME")
	u := constant(t, "2025-06-01", "2025-07-01", time.Hour, 1000, 500)
	bills, _ := bill(t, &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: p}, []calendar.Period{period(t, "2025-06-01", "2025-07-01")}, u)
	golden(t, "nem_june_"+string(p), bills)
	return bills[0]
}

// TestNEM1NetsEveryBucketByPeriod: under NEM 1.0 the net 360 kWh are
// billed at the full rate of their period — half of the $226.3794 of
// TestTOUDPrimeJuneMonthFromSheet, $113.1897 — and deferred to the
// true-up; only the $15.48 Basic Charge is due.
func TestNEM1NetsEveryBucketByPeriod(t *testing.T) {
	b := nemJune(t, NEM1)
	wantNanos(t, "net energy", nanosOf(b, func(l Line) bool { return l.Kind == EnergyLine }), usd(113_189_700))
	energy := b.Sum(func(l Line) bool { return l.Kind == EnergyLine })
	wantCents(t, "deferred", b.Sum(func(l Line) bool { return l.Kind == DeferredLine }), -energy)
	wantCents(t, "due", b.Total, 1548)
	wantCents(t, "carried balance", b.Sides[0].Balance, energy)
}

// TestNEM2ChargesNonBypassableOnGrossImports: under NEM 2.0 the
// non-bypassable charges (PPPC 0.03395 + NDC −0.00001 + WFC 0.00595 + FRC
// 0.00198 = $0.04187/kWh) apply to all 720 imported kWh ($30.1464) and are
// due now; the rest of the rate applies to the net 360 kWh — on-peak 52.5
// kWh × 0.52181, mid-peak 22.5 × 0.33941, off-peak 285 × 0.22135 =
// $98.1165 — and is deferred.
func TestNEM2ChargesNonBypassableOnGrossImports(t *testing.T) {
	b := nemJune(t, NEM2)
	wantNanos(t, "NBC on gross imports", nanosOf(b, func(l Line) bool { return l.Bucket == tariff.NBC }), usd(30_146_400))
	wantNanos(t, "net energy less NBC", nanosOf(b, func(l Line) bool { return l.Kind == EnergyLine && l.Bucket != tariff.NBC }), usd(98_116_500))
	nbc := b.Sum(func(l Line) bool { return l.Bucket == tariff.NBC })
	wantCents(t, "due", b.Total, 1548+nbc)
}

// TestNEMTrueUpPaysNetSurplusCompensation bills calendar 2026 under NEM
// 1.0 with 0.5 kWh delivered and 1 kWh received every hour: 8,760 hours,
// so 4,380 kWh of net surplus at SCE's NSC rate of $0.01786/kWh
// (research/billing.md §4.1) = $78.2268 → −$78.23 on the twelfth bill.
// The energy credit carried all year is forfeited. Due over the year: the
// Basic Charge per month rounded (7 × 31 days × $0.516 = 7 × $16.00,
// $14.45 for February, 4 × $15.48) = $188.37, less NSC = $110.14.
func TestNEMTrueUpPaysNetSurplusCompensation(t *testing.T) {
	v := shipped(t, "SCE", "TOU-D-PRIME")
	u := constant(t, "2026-01-01", "2027-01-01", time.Hour, 500, 1000)
	periods, _ := Cycles(date(t, "2026-01-01"), date(t, "2027-01-01"), 1)
	terms := &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NEM1, UtilityLedger: Ledger{Settlement: Annual, NSCRate: 17_860}}
	bills, st := bill(t, terms, periods, u)
	for i, b := range bills[:11] {
		if len(b.TrueUps) != 0 {
			t.Fatalf("bill %d has a true-up; the Relevant Period has 12 bills", i+1)
		}
	}
	last := bills[11]
	if len(last.TrueUps) != 1 {
		t.Fatalf("twelfth bill has %d true-ups, want 1", len(last.TrueUps))
	}
	tu := last.TrueUps[0]
	if tu.NetSurplus != 4_380_000 || tu.Bills != 12 {
		t.Errorf("net surplus %d Wh over %d bills, want 4,380,000 over 12", tu.NetSurplus, tu.Bills)
	}
	wantCents(t, "NSC", tu.NSC, -7823)
	var deferred money.Cents
	for _, b := range bills {
		deferred += b.Sum(func(l Line) bool { return l.Kind == DeferredLine })
	}
	wantCents(t, "forfeited credit", tu.Forfeited, deferred)
	wantCents(t, "year's total", totalCents(bills), 18837-7823)
	if st.Utility.Balance != 0 || st.Utility.Bills != 0 || st.Utility.Start != date(t, "2027-01-01") {
		t.Errorf("state after true-up %+v, want a fresh Relevant Period from 2027-01-01", st.Utility)
	}
	golden(t, "nem1_true_up", bills)
}

// TestNEMTrueUpCreditsMinimumChargesPaid: a NEM 1.0 customer on
// TOU-D-4-9PM with net imports pays the $0.346/day minimum monthly
// ($0.031 Basic + $0.315 top-up per day), and at the true-up pays the
// year's deferred energy charges less those top-ups (SCE: at the true-up
// the customer pays total charges above the minimum charges already
// paid). 2026 has 365 days: top-ups total 365 × $0.315 = $114.98 after
// monthly rounding (7×$9.77 + $8.82 + 4×$9.45).
func TestNEMTrueUpCreditsMinimumChargesPaid(t *testing.T) {
	v := shipped(t, "SCE", "TOU-D-4-9PM")
	u := constant(t, "2026-01-01", "2027-01-01", time.Hour, 1000, 500)
	periods, _ := Cycles(date(t, "2026-01-01"), date(t, "2027-01-01"), 1)
	terms := &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NEM1}
	bills, _ := bill(t, terms, periods, u)
	var minimum, deferred money.Cents
	for _, b := range bills {
		minimum += b.Sum(func(l Line) bool { return l.Kind == MinimumLine })
		deferred += b.Sum(func(l Line) bool { return l.Kind == DeferredLine })
	}
	wantCents(t, "minimum top-ups", minimum, 7*977+882+4*945)
	tu := bills[11].TrueUps[0]
	wantCents(t, "balance", tu.Balance, -deferred)
	wantCents(t, "true-up charge", tu.Charged, -deferred-minimum)
}

// TestNBTCreditsHourlyExportsAndNeverNets bills January 2025 on the Net
// Billing Tariff with 15-minute data that import 0.5 kWh and export 0.5
// kWh alternately in every hour: 1 kWh imported and 1 kWh exported per
// hour, never netted. Imports: TOU-D-PRIME winter is 5 mid-peak hours at
// $0.53340 and 19 hours at $0.24490 every day, $7.3201/day, $226.9231.
// Exports earn each hour's price from SCE's published 2024-vintage table
// (2025 row): the sum over January of the weekday prices on 22 weekdays
// and the weekend/holiday prices on 9 days (New Year's Day is a holiday).
// The same data summed hourly and netted bill nothing.
func TestNBTCreditsHourlyExportsAndNeverNets(t *testing.T) {
	v := inForceFrom(t, shipped(t, "SCE", "TOU-D-PRIME"), "2025-01-01") // the 2025-06-01 sheet prices, applied from January
	table := sceExportTable(t)
	start := date(t, "2025-01-01").Start()
	n := 31 * 96
	u := &Usage{Start: start, Step: 15 * time.Minute, Delivered: make([]energy.Wh, n), Received: make([]energy.Wh, n)}
	for i := range n {
		if i%2 == 0 {
			u.Delivered[i] = 500
		} else {
			u.Received[i] = 500
		}
	}
	terms := &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NBT, ExportPrices: table,
		UtilityLedger: Ledger{UnusedCredits: Forfeit}}
	jan := []calendar.Period{period(t, "2025-01-01", "2025-02-01")}
	bills, _ := bill(t, terms, jan, u)
	b := bills[0]
	wantNanos(t, "import charges", nanosOf(b, func(l Line) bool { return l.Kind == EnergyLine }), usd(226_923_100))
	wd, we := januaryExportSums(t)
	want := money.Nanos(22*wd+9*we) * 1000 // µ$/kWh × 1 kWh per hour
	if got := b.ExportCreditEarned; got != want.Round() {
		t.Errorf("export credit earned %s, want %s", got, want.Round())
	}
	wantCents(t, "credit applied", b.Sum(func(l Line) bool { return l.Kind == ExportCreditLine }), -want.Round())
	golden(t, "nbt_15min", bills)

	hourly, err := NetHourly(u)
	if err != nil {
		t.Fatal(err)
	}
	netted, _ := bill(t, terms, jan, hourly)
	if netted[0].Delivered != 0 || netted[0].Received != 0 {
		t.Errorf("hourly netting left %d Wh in and %d Wh out, want none", netted[0].Delivered, netted[0].Received)
	}
	if netted[0].Total == b.Total {
		t.Errorf("15-minute and hourly-netted NBT bills agree (%s); they must differ", b.Total)
	}
}

// TestNBTCreditsNeverOffsetNonBypassableOrFixed: with exports worth more
// than the month's energy charges, the export credit stops at the energy
// charges (non-NBC); the non-bypassable and fixed charges stay due and the
// rest carries forward.
func TestNBTCreditsNeverOffsetNonBypassableOrFixed(t *testing.T) {
	v := shipped(t, "SCE", "TOU-D-PRIME")
	table := sceExportTable(t)
	u := constant(t, "2025-08-01", "2025-09-01", time.Hour, 100, 5000)
	terms := &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NBT, ExportPrices: table, UtilityLedger: Ledger{UnusedCredits: Forfeit}}
	bills, st := bill(t, terms, []calendar.Period{period(t, "2025-08-01", "2025-09-01")}, u)
	b := bills[0]
	energyNonNBC := b.Sum(func(l Line) bool { return l.Kind == EnergyLine && l.Bucket != tariff.NBC })
	wantCents(t, "credit applied", b.Sum(func(l Line) bool { return l.Kind == ExportCreditLine }), -energyNonNBC)
	nbcAndFixed := b.Sum(func(l Line) bool { return l.Bucket == tariff.NBC || l.Kind == FixedLine })
	wantCents(t, "due", b.Total, nbcAndFixed)
	wantCents(t, "carried credits", st.Utility.ExportCredits, b.ExportCreditEarned-energyNonNBC)
}

// TestNBTUnusedCreditsForfeitOrCarry: at the true-up SCE forfeits unused
// export credits and PG&E carries them (research/billing.md §4.2).
func TestNBTUnusedCreditsForfeitOrCarry(t *testing.T) {
	v := inForceFrom(t, shipped(t, "SCE", "TOU-D-PRIME"), "2025-01-01")
	table := sceExportTable(t)
	u := constant(t, "2025-01-01", "2026-01-01", time.Hour, 100, 5000)
	periods, _ := Cycles(date(t, "2025-01-01"), date(t, "2026-01-01"), 1)
	for _, pol := range []CreditPolicy{Forfeit, Carry} {
		terms := &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NBT, ExportPrices: table, UtilityLedger: Ledger{UnusedCredits: pol}}
		bills, st := bill(t, terms, periods, u)
		tu := bills[11].TrueUps[0]
		left := tu.ExportCreditsForfeited + tu.ExportCreditsCarried
		if left <= 0 {
			t.Fatalf("%s: no unused credits at the true-up", pol)
		}
		switch pol {
		case Forfeit:
			if tu.ExportCreditsCarried != 0 || st.Utility.ExportCredits != 0 {
				t.Errorf("forfeit: carried %s, state %s; want nothing carried", tu.ExportCreditsCarried, st.Utility.ExportCredits)
			}
		case Carry:
			if tu.ExportCreditsForfeited != 0 || st.Utility.ExportCredits != left {
				t.Errorf("carry: forfeited %s, state %s; want %s carried", tu.ExportCreditsForfeited, st.Utility.ExportCredits, left)
			}
		}
	}
}

// TestACCPlusOffsetsAnyChargeAndRollsOver: the ACC Plus adder credits
// every exported kWh (SCE 2025 vintage: $0.024/kWh; research/billing.md
// §4.2) and may offset non-bypassable and fixed charges too.
func TestACCPlusOffsetsAnyChargeAndRollsOver(t *testing.T) {
	v := shipped(t, "SCE", "TOU-D-PRIME")
	u := constant(t, "2025-08-01", "2025-09-01", time.Hour, 100, 5000)
	terms := &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NBT, ExportPrices: sceExportTable(t), ACCPlus: 24_000,
		UtilityLedger: Ledger{UnusedCredits: Forfeit}}
	bills, st := bill(t, terms, []calendar.Period{period(t, "2025-08-01", "2025-09-01")}, u)
	b := bills[0]
	// 744 hours × 5 kWh × $0.024 = $89.28 of ACC Plus; the NBC and basic
	// charges it can offset are far less, so the bill is zero and the rest
	// rolls over.
	if b.Total != 0 {
		t.Errorf("total %s, want $0.00", b.Total)
	}
	applied := -b.Sum(func(l Line) bool { return l.Kind == ACCPlusLine })
	wantCents(t, "ACC Plus carried", st.Utility.ACCPlus, 8928-applied)
}

// TestCCASplitKeepsTwoLedgersAndPowerShare reproduces
// research/programs.md worked example 29 on a CCA account: a $200 bill
// ($100 utility delivery + $100 CCA generation) with CARE 30% is $140,
// and Power Share's 20% on the discounted bill is a $28 credit on the CPA
// line: $112. With FERA (18%): $164, then $32.80: $131.20.
func TestCCASplitKeepsTwoLedgersAndPowerShare(t *testing.T) {
	v := flatTariff(t, 100_000, 100_000)
	u := constant(t, "2025-03-01", "2025-03-31", time.Hour, 0, -1)
	u.Delivered[0] = 1_000_000 // 1,000 kWh in the period
	p := []calendar.Period{period(t, "2025-03-01", "2025-03-31")}
	for _, c := range []struct {
		name      string
		d         Discounts
		total, ps money.Cents
	}{
		{"CARE", Discounts{CAREBP: 3000, PowerShareBP: 2000}, 11200, -2800},
		{"FERA", Discounts{FERABP: 1800, PowerShareBP: 2000}, 13120, -3280},
	} {
		terms := &Terms{Tariff: []*tariff.Version{v}, LSE: CCA, Program: NoProgram, Discounts: c.d}
		bills, _ := bill(t, terms, p, u)
		b := bills[0]
		wantCents(t, c.name+" total", b.Total, c.total)
		wantCents(t, c.name+" Power Share on the CCA line", b.Sum(func(l Line) bool { return l.Side == Generation && strings.HasPrefix(l.Label, "Power") }), c.ps)
		if len(b.Sides) != 2 || b.Sides[0].Side != Utility || b.Sides[1].Side != Generation {
			t.Fatalf("%s: sides %+v, want utility and cca", c.name, b.Sides)
		}
		if c.name == "CARE" {
			wantCents(t, "utility side", b.Sides[0].Total, 7000)
			wantCents(t, "CCA side", b.Sides[1].Total, 7000-2800)
			golden(t, "cca_care_power_share", bills)
		}
	}
}

// flatTariff is a test tariff with flat delivery and generation prices
// (µ$/kWh) in force from 2020.
func flatTariff(t *testing.T, delivery, generation int64) *tariff.Version {
	t.Helper()
	return &tariff.Version{Utility: "TEST", Code: "FLAT", Name: "flat test rate", From: date(t, "2020-01-01"), Holidays: tariff.HolidaysNone,
		Components: []tariff.Component{
			{Name: "Delivery", Kind: tariff.Energy, Bucket: tariff.Delivery, Rates: [][]tariff.Tier{{{Price: tariff.Price(delivery)}}}},
			{Name: "Generation", Kind: tariff.Energy, Bucket: tariff.Generation, Rates: [][]tariff.Tier{{{Price: tariff.Price(generation)}}}},
		}}
}

// TestCCATrueUpEveryAprilWithMarkedUpNSC: CPA trues up its generation
// ledger every April for all customers and pays NSC at SCE's rate + 10%
// (research/billing.md §4.1), while the utility ledger trues up after 12
// bills from the Relevant Period's start.
func TestCCATrueUpEveryAprilWithMarkedUpNSC(t *testing.T) {
	v := shipped(t, "SCE", "TOU-D-PRIME")
	u := constant(t, "2025-06-01", "2026-07-01", time.Hour, 500, 1000)
	periods, _ := Cycles(date(t, "2025-06-01"), date(t, "2026-07-01"), 1)
	terms := &Terms{Tariff: []*tariff.Version{v}, LSE: CCA, Program: NEM2,
		UtilityLedger:    Ledger{Settlement: Annual, NSCRate: 17_860},
		GenerationLedger: Ledger{Settlement: Monthly, TrueUpMonth: time.April, NSCRate: 17_860, NSCMarkupBP: 1000}}
	bills, _ := bill(t, terms, periods, u)
	var ccaTU, utilTU []int
	for i, b := range bills {
		for _, tu := range b.TrueUps {
			if tu.Side == Generation {
				ccaTU = append(ccaTU, i)
			} else {
				utilTU = append(utilTU, i)
			}
		}
	}
	// Bills: Jun 2025 … Jun 2026. April 2026 is bill 11 (index 10); the
	// twelfth bill (May 2026, index 11) ends the utility's period.
	if len(ccaTU) != 1 || ccaTU[0] != 10 || len(utilTU) != 1 || utilTU[0] != 11 {
		t.Fatalf("CCA true-ups at bills %v, utility at %v; want [10] and [11]", ccaTU, utilTU)
	}
	tu := bills[10].TrueUps[0]
	// Jun 2025–Apr 2026: 334 days with one 23- and one 25-hour day =
	// 8,016 hours, 0.5 kWh net surplus each: 4,008 kWh × $0.019646
	// (0.01786 × 1.1) = $78.741168 → −$78.74.
	if tu.NetSurplus != 4_008_000 {
		t.Errorf("CCA net surplus %d Wh, want 4,008,000", tu.NetSurplus)
	}
	wantCents(t, "CCA NSC", tu.NSC, -7874)
}

// TestPeakManagementPricingEventDay bills August 2025 on a CCA account
// with a PMP rider: 1 kWh every hour, one event on Thursday 2025-08-21
// 4–9 pm with a $1.00/kWh surcharge, and a $0.10/kWh credit on 4–9 pm of
// the other 20 weekdays (August 2025 has 21 weekdays, no holiday):
// surcharge 5 kWh × $1.00 = $5.00, credit 100 kWh × $0.10 = −$10.00.
func TestPeakManagementPricingEventDay(t *testing.T) {
	v := shipped(t, "SCE", "TOU-D-PRIME")
	u := constant(t, "2025-08-01", "2025-09-01", time.Hour, 1000, -1)
	cpp := &CPP{EventDays: []calendar.Date{date(t, "2025-08-21")}, EventStart: 16, EventEnd: 21, EventPrice: 1_000_000,
		CreditPrice: 100_000, CreditMonths: []time.Month{time.June, time.July, time.August, time.September}, CreditStart: 16, CreditEnd: 21}
	terms := &Terms{Tariff: []*tariff.Version{v}, LSE: CCA, Program: NoProgram, CPP: cpp}
	bills, _ := bill(t, terms, []calendar.Period{period(t, "2025-08-01", "2025-09-01")}, u)
	b := bills[0]
	wantCents(t, "event surcharge", b.Sum(func(l Line) bool { return l.Kind == CPPEventLine }), 500)
	wantCents(t, "summer credit", b.Sum(func(l Line) bool { return l.Kind == CPPCreditLine }), -1000)
	for _, l := range b.Lines {
		if (l.Kind == CPPEventLine || l.Kind == CPPCreditLine) && l.Side != Generation {
			t.Errorf("%s on the %s ledger, want the CCA's", l.Label, l.Side)
		}
	}
	golden(t, "pmp_event_day", bills)
}

// TestFirstYearBillProtectionReturnsNetRiderCharges: when the rider's
// charges exceed its credits over the protection year, the bill that ends
// the year returns the difference.
func TestFirstYearBillProtectionReturnsNetRiderCharges(t *testing.T) {
	v := shipped(t, "SCE", "TOU-D-PRIME")
	u := constant(t, "2025-08-01", "2025-10-01", time.Hour, 1000, -1)
	cpp := &CPP{EventDays: []calendar.Date{date(t, "2025-08-21"), date(t, "2025-09-04")}, EventStart: 16, EventEnd: 21, EventPrice: 1_000_000,
		ProtectionUntil: date(t, "2025-10-01")}
	terms := &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NoProgram, CPP: cpp}
	periods, _ := Cycles(date(t, "2025-08-01"), date(t, "2025-10-01"), 1)
	bills, st := bill(t, terms, periods, u)
	if n := bills[0].Sum(func(l Line) bool { return l.Kind == ProtectionLine }); n != 0 {
		t.Errorf("protection credited before the year ends: %s", n)
	}
	wantCents(t, "protection", bills[1].Sum(func(l Line) bool { return l.Kind == ProtectionLine }), -1000)
	if st.CPPNet != 0 {
		t.Errorf("protection account %s after the year, want 0", st.CPPNet)
	}
}

// TestBillSpanningTariffChangeIsProratedByDays: a 30-day period from
// 2025-05-17 with a version change on 2025-06-01 (15 days at $0.10 and 15
// at $0.20 per kWh, $1.00/day and then $2.00/day) at 1 kWh an hour: 360
// kWh × $0.10 + 360 × $0.20 = $108 of energy and $45 of fixed charges.
func TestBillSpanningTariffChangeIsProratedByDays(t *testing.T) {
	a := flatTariff(t, 100_000, 0)
	a.To = date(t, "2025-06-01")
	a.Components = append(a.Components[:1], tariff.Component{Name: "Customer charge", Kind: tariff.FixedDay, Bucket: tariff.Delivery, Price: 1_000_000})
	b := flatTariff(t, 200_000, 0)
	b.From = date(t, "2025-06-01")
	b.Components = append(b.Components[:1], tariff.Component{Name: "Customer charge", Kind: tariff.FixedDay, Bucket: tariff.Delivery, Price: 2_000_000})
	u := constant(t, "2025-05-17", "2025-06-16", time.Hour, 1000, -1)
	bills, _ := bill(t, &Terms{Tariff: []*tariff.Version{b, a}, LSE: Bundled, Program: NoProgram}, []calendar.Period{period(t, "2025-05-17", "2025-06-16")}, u)
	wantCents(t, "energy", bills[0].Sum(func(l Line) bool { return l.Kind == EnergyLine }), 10800)
	wantCents(t, "fixed", bills[0].Sum(func(l Line) bool { return l.Kind == FixedLine }), 4500)
	if len(bills[0].Versions) != 2 {
		t.Errorf("versions %v, want both", bills[0].Versions)
	}
	golden(t, "tariff_change", bills)
}

// TestDSTDaysBillTheirRealHours bills the spring-forward and fall-back
// Sundays of 2026 at 1 kWh an hour on TOU-D-PRIME (winter, every day the
// same periods: mid-peak 4–9 pm at $0.53340, else $0.24490). 2026-03-08
// has 23 hours (the 2 am hour, off-peak, is skipped): 5 × 0.53340 + 18 ×
// 0.24490 = $7.0752. 2026-11-01 has 25 hours (1 am repeats): 5 × 0.53340
// + 20 × 0.24490 = $7.5650. Basic $0.516 each.
func TestDSTDaysBillTheirRealHours(t *testing.T) {
	v := shipped(t, "SCE", "TOU-D-PRIME")
	for _, c := range []struct {
		day, next string
		wh        energy.Wh
		energy    money.Nanos
	}{
		{"2026-03-08", "2026-03-09", 23_000, usd(7_075_200)},
		{"2026-11-01", "2026-11-02", 25_000, usd(7_565_000)},
	} {
		u := constant(t, c.day, c.next, time.Hour, 1000, -1)
		bills, _ := bill(t, &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NoProgram}, []calendar.Period{period(t, c.day, c.next)}, u)
		if bills[0].Delivered != c.wh {
			t.Errorf("%s: %d Wh, want %d", c.day, bills[0].Delivered, c.wh)
		}
		wantNanos(t, c.day+" energy", nanosOf(bills[0], func(l Line) bool { return l.Kind == EnergyLine }), c.energy)
		golden(t, "dst_"+c.day, bills)
	}
}

// TestLeapFebruaryHas29Days bills February 2028 at 1 kWh an hour:
// 29 days, 696 kWh, Basic 29 × $0.516 = $14.964 → $14.96.
func TestLeapFebruaryHas29Days(t *testing.T) {
	v := shipped(t, "SCE", "TOU-D-PRIME")
	u := constant(t, "2028-02-01", "2028-03-01", time.Hour, 1000, -1)
	bills, _ := bill(t, &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NoProgram}, []calendar.Period{period(t, "2028-02-01", "2028-03-01")}, u)
	b := bills[0]
	if b.Days != 29 || b.Delivered != 696_000 {
		t.Errorf("%d days, %d Wh; want 29 and 696,000", b.Days, b.Delivered)
	}
	wantCents(t, "basic", b.Sum(func(l Line) bool { return l.Kind == FixedLine }), 1496)
	// Winter every day: 29 × 5 mid-peak kWh at $0.53340 + 29 × 19 at $0.24490.
	wantNanos(t, "energy", nanosOf(b, func(l Line) bool { return l.Kind == EnergyLine }), usd(29*(5*533_400+19*244_900)))
	golden(t, "leap_february", bills)
}

// TestTOU8DemandChargesFromURDB bills July 2025 at a constant 100 kW on
// the shipped SCE TOU-8 Option D (< 2 kV) URDB record (in force from
// 2024-10-01): the facilities-related flat demand charge $25.36/kW ×
// 100 kW = $2,536.00, the summer weekday 4–9 pm time-related demand
// charge $29.54/kW × 100 kW = $2,954.00 (the summer mid-peak demand rate
// is $0 in the record), and the $447.44 monthly customer charge.
func TestTOU8DemandChargesFromURDB(t *testing.T) {
	v := shipped(t, "SCE", "TOU-8-D")
	u := constant(t, "2025-07-01", "2025-08-01", time.Hour, 100_000, -1)
	bills, _ := bill(t, &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NoProgram}, []calendar.Period{period(t, "2025-07-01", "2025-08-01")}, u)
	b := bills[0]
	wantCents(t, "demand", b.Sum(func(l Line) bool { return l.Kind == DemandLine }), 253600+295400)
	wantCents(t, "customer charge", b.Sum(func(l Line) bool { return l.Kind == FixedLine }), 44744)
	for _, l := range b.Lines {
		if l.Kind == DemandLine && l.Quantity != 100_000 {
			t.Errorf("%s: peak %d W, want 100,000", l.Label, l.Quantity)
		}
	}
	golden(t, "tou8_demand", bills)
}

// TestGridChargedStorageEarnsNoExportCredit: with a battery that may
// charge from the grid, an export of 3 kWh in an hour when the panels
// made 2 kWh is credited as 2 kWh; 1 kWh is neither netted nor credited.
// Under NEM 1.0 on June 2025's off-peak hours … the test only checks
// quantities: each of 720 hours exports 3 kWh with 2 kWh generated, so
// 1,440 kWh are credited and 720 kWh are not.
func TestGridChargedStorageEarnsNoExportCredit(t *testing.T) {
	v := shipped(t, "SCE", "TOU-D-PRIME")
	u := constant(t, "2025-06-01", "2025-07-01", time.Hour, 1000, 3000)
	june := []calendar.Period{period(t, "2025-06-01", "2025-07-01")}
	terms := &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NEM1, Storage: &Storage{KWh: 13_500, KW: 5_000, GridCharging: true, Metering: "estimated"}}
	if _, _, err := NewCalculator().Run(terms, june, u, State{}); err == nil || !strings.Contains(err.Error(), "generator's output") {
		t.Fatalf("grid-charged storage without generator output: %v, want an error asking for it", err)
	}
	u.Generated = make([]energy.Wh, len(u.Delivered))
	for i := range u.Generated {
		u.Generated[i] = 2000
	}
	bills, _ := bill(t, terms, june, u)
	if bills[0].Received != 1_440_000 {
		t.Errorf("credited exports %d Wh, want 1,440,000", bills[0].Received)
	}
	if len(bills[0].Notes) == 0 || !strings.Contains(bills[0].Notes[0], "720 kWh") {
		t.Errorf("notes %q, want the 720 uncredited kWh explained", bills[0].Notes)
	}
	terms.Storage = &Storage{GridCharging: false, Metering: "pcs_solar_only"}
	bills, _ = bill(t, terms, june, u)
	if bills[0].Received != 2_160_000 {
		t.Errorf("solar-only charging: credited %d Wh, want all 2,160,000", bills[0].Received)
	}
}

// TestExemptComponentIsNotCharged: a CARE customer pays no Wildfire Fund
// charge ($0.00595/kWh on TOU-D-PRIME): June 2025 at 1 kWh an hour is
// 720 × 0.00595 = $4.284 less in energy charges than
// TestTOUDPrimeJuneMonthFromSheet's $226.3794.
func TestExemptComponentIsNotCharged(t *testing.T) {
	v := shipped(t, "SCE", "TOU-D-PRIME")
	u := constant(t, "2025-06-01", "2025-07-01", time.Hour, 1000, -1)
	terms := &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NoProgram, Exempt: []string{"Wildfire Fund Non-Bypassable Charge (WFC)"}}
	bills, _ := bill(t, terms, []calendar.Period{period(t, "2025-06-01", "2025-07-01")}, u)
	wantNanos(t, "energy without WFC", nanosOf(bills[0], func(l Line) bool { return l.Kind == EnergyLine }), usd(226_379_400-4_284_000))
}

// TestCalculatorIsSafeForConcurrentBills bills one year on four
// goroutines sharing a Calculator (run with -race): every result equals
// the sequential one.
func TestCalculatorIsSafeForConcurrentBills(t *testing.T) {
	v := shipped(t, "SCE", "TOU-D-PRIME")
	u := constant(t, "2025-06-01", "2026-06-01", time.Hour, 700, 300)
	periods, _ := Cycles(date(t, "2025-06-01"), date(t, "2026-06-01"), 15)
	terms := &Terms{Tariff: []*tariff.Version{v}, LSE: CCA, Program: NBT, ExportPrices: sceExportTable(t)}
	want, _ := bill(t, terms, periods, u)
	calc := NewCalculator()
	errs := make(chan error, 4)
	totals := make(chan money.Cents, 4)
	for range 4 {
		go func() {
			bills, _, err := calc.Run(terms, periods, u, State{})
			errs <- err
			totals <- totalCents(bills)
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		if got := <-totals; got != totalCents(want) {
			t.Errorf("concurrent total %s, sequential %s", got, totalCents(want))
		}
	}
}

// TestBillCreditIsAppliedAfterDiscounts: the HEER smart-thermostat
// rebate paid as a $75 bill credit (seed 003) comes off the CARE bill of
// TestCCASplitKeepsTwoLedgersAndPowerShare after the discounts: $112 −
// $75 = $37; it is never discounted itself.
func TestBillCreditIsAppliedAfterDiscounts(t *testing.T) {
	v := flatTariff(t, 100_000, 100_000)
	u := constant(t, "2025-03-01", "2025-03-31", time.Hour, 0, -1)
	u.Delivered[0] = 1_000_000
	terms := &Terms{Tariff: []*tariff.Version{v}, LSE: CCA, Program: NoProgram, Discounts: Discounts{CAREBP: 3000, PowerShareBP: 2000},
		Credits: []Credit{{Ref: "payment 17", Label: "Smart thermostat rebate", Cents: 7500, Side: Generation}}}
	bills, _ := bill(t, terms, []calendar.Period{period(t, "2025-03-01", "2025-03-31")}, u)
	wantCents(t, "total", bills[0].Total, 3700)
	wantCents(t, "credit line", bills[0].Sum(func(l Line) bool { return l.Kind == CreditLine }), -7500)
	terms.Credits[0].Cents = 0
	if err := terms.Validate(); err == nil || !strings.Contains(err.Error(), "credit_cents") {
		t.Errorf("a zero credit: %v, want credit_cents refused", err)
	}
}
