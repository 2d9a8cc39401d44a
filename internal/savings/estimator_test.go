package savings

import (
	"math"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/tariff"
)

// shippedSchedules returns the shipped SCE residential schedules, each
// with bundled terms for n periods.
func shippedSchedules(t *testing.T, n int) []Schedule {
	t.Helper()
	vs, err := tariff.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	var out []Schedule
	for _, code := range []string{"TOU-D-4-9PM", "TOU-D-PRIME"} {
		s := Schedule{Code: code}
		for i := range vs {
			if vs[i].Utility == "SCE" && vs[i].Code == code {
				for range n {
					s.Terms = append(s.Terms, &billing.Terms{Tariff: []*tariff.Version{&vs[i]}, LSE: billing.Bundled, Program: billing.NoProgram, AllowIncomplete: true})
				}
			}
		}
		if len(s.Terms) != n {
			t.Fatalf("shipped %s not found", code)
		}
		out = append(out, s)
	}
	return out
}

// monthlyPeriods returns calendar-month periods from first for n months.
func monthlyPeriods(first calendar.Date, n int) []calendar.Period {
	var out []calendar.Period
	d := first
	for range n {
		next := calendar.Date{Year: d.Year, Month: d.Month + 1, Day: 1}
		if d.Month == 12 {
			next = calendar.Date{Year: d.Year + 1, Month: 1, Day: 1}
		}
		out = append(out, calendar.Period{Start: d, End: next})
		d = next
	}
	return out
}

// steadyHome is 1 kWh every hour June–December 2025 (214 days; 2025-11-02
// has 25 hours).
func steadyHome(t *testing.T) EstimateInput {
	periods := monthlyPeriods(calendar.Date{Year: 2025, Month: 6, Day: 1}, 7)
	start := periods[0].Start.Start()
	n := int(periods[6].End.Start().Sub(start) / time.Hour)
	u := billing.Usage{Start: start, Step: time.Hour, Delivered: make([]energy.Wh, n)}
	for i := range u.Delivered {
		u.Delivered[i] = 1000
	}
	return EstimateInput{Usage: u, Periods: periods, Schedules: shippedSchedules(t, 7), Current: "TOU-D-4-9PM", GridCO2LbsPerMWh: 500}
}

// TestEstimatorOptionsAddTheirDocumentedLoads: the steady home billed on
// both shipped SCE residential schedules, with each option's load added
// (options.go), by hand:
//
//   - EV charged 6–10 pm: 13,476 mi × 0.35 kWh/mi = 4,716.6 kWh a year,
//     ÷ 365 × ¼ = 3.2305 kWh → 3,231 Wh in each of 4 hours, 214 days:
//     2,765.736 kWh; gasoline 2,765.736 ÷ (0.35 × 25.7) = 307.4748 gal;
//     CO2 at 500 lb/MWh: 1,382.868 − 307.4748 × 19.37 = −4,572.919 lb.
//   - managed overnight: ÷ 6 = 2.1537 → 2,154 Wh in hours 0–5, 214 days,
//     plus hour 1 twice on 2025-11-02: 2,767.890 kWh; it raises the
//     TOU-D-4-9PM bill less than charging at 6–10 pm, but raises it.
//   - heat pump water heater: 1,856 ÷ 365 = 5.0849 kWh a day, by hour
//     610, 712, 508, 305, 203, 203, 305, 508, 610, 610, 508 Wh = 5,082 Wh
//     a day: 1,087.548 kWh, displacing 269/1,856 therm per kWh.
//   - heat pump heating in a 3,000 sq ft home: 1,200 × 2 = 2,400 kWh a
//     year; monthly weights over their sum 10: Oct 0.48, Nov 1.68, Dec
//     2.4; flat hours: 132, 460 and 658 Wh → 744 × 132 + 721 × 460 + 744
//     × 658 = 919.420 kWh, June–September nothing.
func TestEstimatorOptionsAddTheirDocumentedLoads(t *testing.T) {
	in := steadyHome(t)
	in.Home = customer.Home{HeatingFuel: "gas", FloorAreaSqFt: 3000}
	est, err := EstimateAccount(in, DefaultOptions(), nil)
	if err != nil {
		t.Fatal(err)
	}
	min := est.Tariffs[0]
	for _, te := range est.Tariffs {
		if te.Error != "" || te.Cost <= 0 || len(te.Months) != 7 || te.Cost != te.Total || te.UtilityTotal != te.Total {
			t.Errorf("schedule %+v", te)
		}
		if te.Cost < min.Cost {
			min = te
		}
	}
	if est.Best != min.Code || est.Plan != nil {
		t.Errorf("best %s, cheapest %s", est.Best, min.Code)
	}
	opts := map[string]OptionEstimate{}
	for _, o := range est.Options {
		opts[o.Code] = o
	}
	near := func(what string, got, want, tol float64) {
		t.Helper()
		if math.Abs(got-want) > tol {
			t.Errorf("%s = %.6f, want %.6f", what, got, want)
		}
	}
	ev, managed := opts["ev"], opts["ev_managed"]
	near("EV kWh", ev.AddedKWh, 2765.736, 1e-6)
	near("EV gallons", ev.Gallons, 307.4748, 1e-4)
	near("EV CO2", ev.CO2ChangeLbs, -4572.919, 1e-3)
	near("managed kWh", managed.AddedKWh, 2767.890, 1e-6)
	if ev.BillChange <= managed.BillChange || managed.BillChange <= 0 || len(ev.Sources) == 0 {
		t.Errorf("ev %+v, managed %+v", ev, managed)
	}
	hpwh := opts["hpwh"]
	near("HPWH kWh", hpwh.AddedKWh, 1087.548, 1e-6)
	near("HPWH therms", hpwh.GasTherms, 1087.548*269/1856, 1e-6)
	near("heating kWh", opts["hp_heating"].AddedKWh, 919.420, 1e-6)
	near("heating therms", opts["hp_heating"].GasTherms, 919.420*3/(29.3071*0.8), 1e-6)
}

// TestEstimatorPlanAndApplicability: a home that heats with a heat pump
// is not offered heat pump heating (and a chosen one is left out of the
// plan); the plan of the water heater and managed charging adds both
// loads (1,087.548 + 2,767.890 kWh) and is billed as one; an unknown
// option or current schedule is refused naming the field.
func TestEstimatorPlanAndApplicability(t *testing.T) {
	in := steadyHome(t)
	in.Home = customer.Home{HeatingFuel: "heat_pump"}
	est, err := EstimateAccount(in, DefaultOptions(), []string{"hpwh", "ev_managed", "hp_heating"})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range est.Options {
		if o.Code == "hp_heating" && (o.NotApplicable != "the home already heats with a heat pump" || o.AddedKWh != 0) {
			t.Errorf("heating %+v", o)
		}
	}
	p := est.Plan
	if p == nil || math.Abs(p.AddedKWh-(1087.548+2767.890)) > 1e-6 || p.BillChange <= 0 || p.BestSchedule == "" {
		t.Fatalf("plan %+v", p)
	}
	if _, err := EstimateAccount(in, DefaultOptions(), []string{"solar_roof"}); err == nil {
		t.Error("an unknown option should be refused")
	}
	in.Current = "NOPE"
	if _, err := EstimateAccount(in, nil, nil); err == nil {
		t.Error("an unknown current schedule should be refused")
	}
}

// TestAddLoadUsesExportsFirst: 2 kWh exported in an hour absorbs a 1.5
// kWh load (received 2 → 0.5, delivered unchanged); a 3 kWh load in an
// hour exporting 1 kWh delivers 2 kWh more.
func TestAddLoadUsesExportsFirst(t *testing.T) {
	start := calendar.Date{Year: 2025, Month: 7, Day: 1}.Start()
	u := billing.Usage{Start: start, Step: time.Hour, Delivered: make([]energy.Wh, 24), Received: make([]energy.Wh, 24)}
	u.Received[12], u.Received[13] = 2000, 1000
	var o Option
	o.KWhPerYear = 365 * 4.5
	o.Profile[12], o.Profile[13] = 1.5/4.5, 3.0/4.5
	out, added := addLoad(u, o)
	if added != 4.5 || out.Received[12] != 500 || out.Delivered[12] != 0 || out.Received[13] != 0 || out.Delivered[13] != 2000 {
		t.Errorf("added %v, hour 12 %d/%d, hour 13 %d/%d", added, out.Delivered[12], out.Received[12], out.Delivered[13], out.Received[13])
	}
	if u.Received[12] != 2000 {
		t.Error("addLoad changed its input")
	}
}
