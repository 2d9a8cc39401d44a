package tariff

import (
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
)

// priceAt returns the energy period and total price of v at a Pacific
// wall-clock time.
func priceAt(t *testing.T, v Version, local string) (uint8, *PriceTable) {
	t.Helper()
	at, err := time.ParseInLocation("2006-01-02 15:04", local, calendar.Pacific)
	if err != nil {
		t.Fatal(err)
	}
	ix, err := v.Index("energy", at.Year(), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	prices, err := v.EnergyPrices()
	if err != nil {
		t.Fatal(err)
	}
	return ix.Period[int(at.Sub(ix.Start)/time.Hour)], prices
}

func micro(t *testing.T, s string) money.MicroPerKWh {
	t.Helper()
	v, err := money.ParseMicro(s)
	if err != nil {
		t.Fatal(err)
	}
	return money.MicroPerKWh(v)
}

// TestTOUDPricesMatchSheet checks SCE TOU-D-4-9PM and TOU-D-PRIME against
// the sheet values of Schedule TOU-D effective 2025-06-01 as tabulated in
// research/billing.md §1.6: the total, the generation part and the
// delivery part (total − generation − FRC 0.00198 − MCAM 0.00160) of each
// period, at an hour of that period; summer on-peak is weekdays 4–9 pm
// June–September, mid-peak the same hours on weekends and holidays.
func TestTOUDPricesMatchSheet(t *testing.T) {
	tests := []struct {
		code, at, period          string
		total, delivery, generate string
	}{
		{"TOU-D-4-9PM", "2025-07-15 17:00", "Summer On-Peak", "0.58522", "0.34197", "0.23967"},
		{"TOU-D-4-9PM", "2025-07-19 17:00", "Summer Mid-Peak", "0.47517", "0.34197", "0.12962"},
		{"TOU-D-4-9PM", "2025-07-04 17:00", "Summer Mid-Peak", "0.47517", "0.34197", "0.12962"}, // Independence Day, a Friday
		{"TOU-D-4-9PM", "2025-06-02 10:00", "Summer Off-Peak", "0.36678", "0.29227", "0.07093"},
		{"TOU-D-4-9PM", "2025-12-03 18:00", "Winter Mid-Peak", "0.51654", "0.34197", "0.17099"},
		{"TOU-D-4-9PM", "2025-12-03 22:00", "Winter Off-Peak", "0.39207", "0.29227", "0.09622"},
		{"TOU-D-4-9PM", "2025-12-06 12:00", "Winter Super-Off-Peak", "0.35626", "0.27439", "0.07829"},
		{"TOU-D-PRIME", "2025-09-30 20:00", "Summer On-Peak", "0.56368", "0.27693", "0.28317"},
		{"TOU-D-PRIME", "2025-09-01 20:00", "Summer Mid-Peak", "0.38128", "0.27693", "0.10077"}, // Labor Day
		{"TOU-D-PRIME", "2025-08-10 03:00", "Summer Off-Peak", "0.26322", "0.19236", "0.06728"},
		{"TOU-D-PRIME", "2025-10-01 16:00", "Winter Mid-Peak", "0.53340", "0.28223", "0.24759"},
		{"TOU-D-PRIME", "2025-10-01 07:00", "Winter Off-Peak", "0.24490", "0.18446", "0.05686"},
		{"TOU-D-PRIME", "2025-10-01 08:00", "Winter Super-Off-Peak", "0.24490", "0.18446", "0.05686"},
	}
	frcMCAM := micro(t, "0.00358")
	for _, tt := range tests {
		v := shippedVersion(t, tt.code)
		p, prices := priceAt(t, v, tt.at)
		m, _ := v.PeriodMap("energy")
		if m.Periods[p] != tt.period {
			t.Errorf("%s %s: period %q, want %q", tt.code, tt.at, m.Periods[p], tt.period)
		}
		total, gen := prices.Energy(p, 0), prices.EnergyIn(Generation, p, 0)
		if total != micro(t, tt.total) {
			t.Errorf("%s %s: total %v, sheet %s", tt.code, tt.at, total, tt.total)
		}
		if gen != micro(t, tt.generate) {
			t.Errorf("%s %s: generation %v, sheet %s", tt.code, tt.at, gen, tt.generate)
		}
		if d := total - gen - frcMCAM; d != micro(t, tt.delivery) {
			t.Errorf("%s %s: delivery %v, sheet %s", tt.code, tt.at, d, tt.delivery)
		}
	}
}

// TestTOUD49FixedMinimumAndBaseline checks the non-energy lines of
// TOU-D-4-9PM (research/billing.md §1.6): Basic Charge $0.031/day,
// Minimum Charge $0.346/day and Baseline Credit −$0.0925/kWh.
func TestTOUD49FixedMinimumAndBaseline(t *testing.T) {
	v := shippedVersion(t, "TOU-D-4-9PM")
	tests := []struct {
		kind Kind
		want string
	}{
		{FixedDay, "0.031"},
		{MinimumDay, "0.346"},
		{BaselineCredit, "-0.0925"},
	}
	for _, tt := range tests {
		cs := v.ComponentsOf(tt.kind)
		if len(cs) != 1 || cs[0].Price.String() != tt.want {
			t.Errorf("%s = %+v, want one at %s", tt.kind, cs, tt.want)
		}
	}
}

// TestNBCLinesAreSeparate checks that the non-bypassable charges NEM 2.0
// and NBT bill on every imported kWh are their own bucket: SCE PPPC
// 0.03395 + NDC −0.00001 + WFC 0.00595 + FRC 0.00198 and PG&E PPP 0.02644
// + ND −0.00024 + CTC −0.00072 + WF 0.00595 (research/billing.md §1.6).
func TestNBCLinesAreSeparate(t *testing.T) {
	for code, want := range map[string]string{"TOU-D-PRIME": "0.04187", "TOU-D-4-9PM": "0.04187", "E-ELEC": "0.03143"} {
		v := shippedVersion(t, code)
		prices, err := v.EnergyPrices()
		if err != nil {
			t.Fatal(err)
		}
		for p := range prices.Periods() {
			if got := prices.EnergyIn(NBC, uint8(p), 0); got != micro(t, want) {
				t.Errorf("%s period %d: NBC %v, want %s", code, p, got, want)
			}
		}
	}
}

// TestTiersPriceByIndex checks tier lookup: a tier past the last prices as
// the last, and a single-tier component applies in every tier.
func TestTiersPriceByIndex(t *testing.T) {
	v := Version{Utility: "X", Code: "T", From: calendar.Date{Year: 2025, Month: 1, Day: 1}, Holidays: HolidaysNone,
		Maps: []PeriodMap{{Name: "energy", Periods: []string{"all"}, Seasons: []Season{{Name: "all", From: "01-01", Weekday: make([]int, 24), Weekend: make([]int, 24)}}}},
		Components: []Component{
			{Name: "tiered", Kind: Energy, Bucket: Delivery, Map: "energy", Rates: [][]Tier{{{Max: 300_000, Unit: KWh, Price: 100_000}, {Price: 200_000}}}},
			{Name: "flat", Kind: Energy, Bucket: Generation, Rates: [][]Tier{{{Price: 50_000}}}},
		}}
	prices, err := v.EnergyPrices()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		tier int
		want money.MicroPerKWh
	}{{0, 150_000}, {1, 250_000}, {7, 250_000}} {
		if got := prices.Energy(0, tt.tier); got != tt.want {
			t.Errorf("tier %d: %v, want %v", tt.tier, got, tt.want)
		}
	}
	if prices.Tiers() != 2 || prices.Bounds[0].Max != 300_000 {
		t.Errorf("tiers %d bounds %+v", prices.Tiers(), prices.Bounds)
	}
}
