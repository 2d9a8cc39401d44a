package evcharge

import (
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/energy"
)

var t0 = time.Date(2026, 7, 1, 6, 0, 0, 0, time.UTC) // 11 pm PDT on June 30

func h(n float64) time.Time { return t0.Add(time.Duration(n * float64(time.Hour))) }

// hourly returns one rate per hour from t0.
func hourly(values ...float64) Rates {
	var rs Rates
	for i, v := range values {
		rs = append(rs, Rate{Start: h(float64(i)), End: h(float64(i + 1)), Value: v})
	}
	return rs
}

type span struct{ from, to float64 }

func wantSlots(t *testing.T, name string, p Plan, want ...span) {
	t.Helper()
	if len(p.Slots) != len(want) {
		t.Fatalf("%s: %d slots %+v, want %v", name, len(p.Slots), p.Slots, want)
	}
	for i, w := range want {
		if !p.Slots[i].Start.Equal(h(w.from)) || !p.Slots[i].End.Equal(h(w.to)) {
			t.Errorf("%s: slot %d is %s–%s, want hours %v–%v", name, i, p.Slots[i].Start.Sub(t0), p.Slots[i].End.Sub(t0), w.from, w.to)
		}
	}
}

func plan(t *testing.T, n Need, rs Rates, obj Objective) Plan {
	t.Helper()
	p, err := PlanCharging(n, rs, obj)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// 8 kWh at 4 kW is two hours; the two 10¢ hours are the cheapest: 8 kWh ×
// 10¢ = 80¢.
func TestCheapestSlotsCoverTheNeedExactly(t *testing.T) {
	p := plan(t, Need{PlugIn: h(0), Departure: h(4), EnergyWh: 8000, MaxW: 4000}, hourly(300000, 100000, 200000, 100000), LeastCost)
	wantSlots(t, "exact", p, span{1, 2}, span{3, 4})
	if p.EnergyWh != 8000 || p.CostCents != 80 || p.ShortfallWh != 0 {
		t.Errorf("energy %d, cost %d¢; want 8000 Wh and 80¢", p.EnergyWh, p.CostCents)
	}
}

func TestEqualPricesGoToTheLaterSlot(t *testing.T) {
	p := plan(t, Need{PlugIn: h(0), Departure: h(4), EnergyWh: 4000, MaxW: 4000}, hourly(100000, 100000, 100000, 100000), LeastCost)
	wantSlots(t, "tie", p, span{3, 4})
}

// 6 kWh at 4 kW is 1.5 h. Rising prices: hour 0 in full, then half of
// hour 1, trimmed at its end (it is later than hour 0): 4 kWh × 10¢ +
// 2 kWh × 20¢ = 80¢. Falling prices: hour 3, then half of hour 2 trimmed
// at its start, so charging runs on to departure.
func TestTheLastSlotIsTrimmedToTheExactNeed(t *testing.T) {
	n := Need{PlugIn: h(0), Departure: h(4), EnergyWh: 6000, MaxW: 4000}
	p := plan(t, n, hourly(100000, 200000, 300000, 400000), LeastCost)
	wantSlots(t, "rising", p, span{0, 1}, span{1, 1.5})
	if p.Slots[1].EnergyWh != 2000 || p.CostCents != 80 {
		t.Errorf("rising: %+v cost %d¢, want the 2 kWh half slot and 80¢", p.Slots, p.CostCents)
	}
	p = plan(t, n, hourly(400000, 300000, 200000, 100000), LeastCost)
	wantSlots(t, "falling", p, span{2.5, 3}, span{3, 4})
}

// Continuous: the cheapest two-hour window of 10, 50, 10, 10, 40 is
// hours 2–4; with all prices equal the latest window wins.
func TestContinuousTakesTheCheapestWindowLatestOnTies(t *testing.T) {
	n := Need{PlugIn: h(0), Departure: h(5), EnergyWh: 8000, MaxW: 4000, Continuous: true}
	wantSlots(t, "cheapest", plan(t, n, hourly(100000, 500000, 100000, 100000, 400000), LeastCost), span{2, 3}, span{3, 4})
	wantSlots(t, "ties", plan(t, n, hourly(1, 1, 1, 1, 1), LeastCost), span{3, 4}, span{4, 5})
}

// A 30-minute precondition is charged just before departure even at the
// highest price; the other 1.5 h go to the cheap hours, the earlier one
// trimmed at its start.
func TestPreconditionTailIsAlwaysCharged(t *testing.T) {
	n := Need{PlugIn: h(0), Departure: h(4), EnergyWh: 8000, MaxW: 4000, Precondition: 30 * time.Minute}
	p := plan(t, n, hourly(100000, 100000, 500000, 500000), LeastCost)
	wantSlots(t, "precondition", p, span{0.5, 1}, span{1, 2}, span{3.5, 4})
}

// Prices known for two hours, departure in four: the two hours after the
// known prices are charged in full and the third hour comes from the
// cheaper known hour; a need that fits after the prices waits for them,
// charging as late as possible.
func TestHorizonBeyondKnownPricesNeverMissesDeparture(t *testing.T) {
	n := Need{PlugIn: h(0), Departure: h(4), EnergyWh: 12000, MaxW: 4000}
	p := plan(t, n, hourly(300000, 100000), LeastCost)
	wantSlots(t, "beyond", p, span{1, 2}, span{2, 4})
	if p.UnpricedWh != 8000 || p.CostCents != 40 || !strings.Contains(strings.Join(p.Notes, " "), "re-plan") {
		t.Errorf("beyond: unpriced %d cost %d notes %v", p.UnpricedWh, p.CostCents, p.Notes)
	}
	n.EnergyWh = 4000
	wantSlots(t, "wait", plan(t, n, hourly(300000, 100000), LeastCost), span{3, 4})
}

func TestInfeasibleNeedIsPlannedAtMaximumAndSaysSo(t *testing.T) {
	p := plan(t, Need{PlugIn: h(0), Departure: h(2), EnergyWh: 20000, MaxW: 7000}, hourly(1, 2), LeastCost)
	wantSlots(t, "infeasible", p, span{0, 1}, span{1, 2})
	if p.EnergyWh != 14000 || p.ShortfallWh != 6000 || len(p.Notes) == 0 || !strings.Contains(p.Notes[0], "planned the maximum, 14.000 kWh") {
		t.Errorf("infeasible: %+v", p)
	}
}

func TestNoPricesChargesToEndAtDeparture(t *testing.T) {
	p := plan(t, Need{PlugIn: h(0), Departure: h(8), EnergyWh: 6000, MaxW: 4000}, nil, LeastCost)
	wantSlots(t, "fallback", p, span{6.5, 8})
	if p.UnpricedWh != 6000 {
		t.Errorf("unpriced %d", p.UnpricedWh)
	}
}

func TestGapsInRatesAreUsedLast(t *testing.T) {
	rs := Rates{{h(0), h(1), 300000}, {h(2), h(3), 200000}}
	n := Need{PlugIn: h(0), Departure: h(3), EnergyWh: 8000, MaxW: 4000}
	wantSlots(t, "fits in known", plan(t, n, rs, LeastCost), span{0, 1}, span{2, 3})
	n.EnergyWh = 10000
	p := plan(t, n, rs, LeastCost)
	wantSlots(t, "needs the gap", p, span{0, 1}, span{1, 1.5}, span{2, 3})
	if !strings.Contains(strings.Join(p.Notes, " "), "gap") {
		t.Errorf("no note about the gap: %v", p.Notes)
	}
}

// Least CO2 plans on g/kWh exactly as on prices: 4 kWh in the 200 g/kWh
// hour emit 800 g.
func TestLeastCO2PlansOnEmissionRates(t *testing.T) {
	p := plan(t, Need{PlugIn: h(0), Departure: h(3), EnergyWh: 4000, MaxW: 4000}, hourly(400, 200, 300), LeastCO2)
	wantSlots(t, "co2", p, span{1, 2})
	if p.CO2g != 800 || p.CostCents != 0 {
		t.Errorf("co2 %v g, cost %d", p.CO2g, p.CostCents)
	}
}

func TestBadNeedsNameTheField(t *testing.T) {
	cases := []struct {
		n     Need
		field string
	}{
		{Need{PlugIn: h(2), Departure: h(1), EnergyWh: 1, MaxW: 1}, "departure"},
		{Need{PlugIn: h(0), Departure: h(1), EnergyWh: 1}, "max_kw"},
		{Need{PlugIn: h(0), Departure: h(1), EnergyWh: -1, MaxW: 1}, "energy_kwh"},
	}
	for _, c := range cases {
		_, err := PlanCharging(c.n, nil, LeastCost)
		if fs := apperr.FieldsOf(err); !apperr.Is(err, apperr.Invalid) || len(fs) == 0 || fs[0].Field != c.field {
			t.Errorf("%+v: %v, want %s named", c.n, err, c.field)
		}
	}
	if _, err := PlanCharging(Need{PlugIn: h(0), Departure: h(2), EnergyWh: 1, MaxW: 1}, Rates{{h(1), h(2), 1}, {h(0), h(1), 1}}, LeastCost); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("unsorted rates: %v", err)
	}
}

// BenchmarkPlan48Hours plans an overnight need against 48 hours of
// 15-minute prices (192 slots), as docs/performance.md reports.
func BenchmarkPlan48Hours(b *testing.B) {
	var rs Rates
	for i := range 192 {
		start := t0.Add(time.Duration(i) * 15 * time.Minute)
		rs = append(rs, Rate{Start: start, End: start.Add(15 * time.Minute), Value: float64(100000 + (i*7919)%300000)})
	}
	n := Need{PlugIn: t0, Departure: t0.Add(48 * time.Hour), EnergyWh: energy.Wh(40000), MaxW: 7200, Precondition: 15 * time.Minute}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := PlanCharging(n, rs, LeastCost); err != nil {
			b.Fatal(err)
		}
	}
}
