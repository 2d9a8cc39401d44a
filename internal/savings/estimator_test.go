package savings

import (
	"math"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/tariff"
)

// shippedSchedules returns the shipped SCE residential schedules.
func shippedSchedules(t *testing.T) map[string][]*tariff.Version {
	t.Helper()
	vs, err := tariff.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]*tariff.Version{}
	for i := range vs {
		if vs[i].Utility == "SCE" && vs[i].Sector == "Residential" {
			out[vs[i].Code] = append(out[vs[i].Code], &vs[i])
		}
	}
	if len(out) < 2 {
		t.Fatalf("shipped SCE residential schedules: %v", out)
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

// TestEstimatorShadowBillsAndElectrification: a home using a steady 1 kWh
// an hour June–December 2025 is billed on each shipped SCE residential
// schedule; the cheapest is named; an EV charged 6–10 pm raises the
// TOU-D-4-9PM bill more than the same car charged overnight, adds 9 kWh a
// day (1,926 kWh over 214 days), and with a 500 lb/MWh grid cuts CO2 (the
// gasoline displaced outweighs the power).
func TestEstimatorShadowBillsAndElectrification(t *testing.T) {
	periods := monthlyPeriods(calendar.Date{Year: 2025, Month: 6, Day: 1}, 7)
	start := periods[0].Start.Start()
	n := int(periods[6].End.Start().Sub(start) / time.Hour)
	u := billing.Usage{Start: start, Step: time.Hour, Delivered: make([]energy.Wh, n)}
	for i := range u.Delivered {
		u.Delivered[i] = 1000
	}
	in := EstimateInput{Usage: u, Periods: periods, Schedules: shippedSchedules(t), Current: "TOU-D-4-9PM", LSE: billing.Bundled, GridCO2LbsPerMWh: 500}
	est, err := EstimateAccount(in, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	min := est.Tariffs[0]
	for _, te := range est.Tariffs {
		if te.Error != "" || te.Total <= 0 || len(te.Months) != 7 {
			t.Errorf("schedule %+v", te)
		}
		if te.Total < min.Total {
			min = te
		}
	}
	if est.Best != min.Code {
		t.Errorf("best %s, cheapest %s", est.Best, min.Code)
	}
	opts := map[string]OptionEstimate{}
	for _, o := range est.Options {
		opts[o.Code] = o
	}
	ev, managed := opts["ev"], opts["ev_managed"]
	if math.Abs(ev.AddedKWh-1926) > 1 || ev.BillChange <= managed.BillChange || managed.BillChange <= 0 {
		t.Errorf("ev %+v, managed %+v", ev, managed)
	}
	if ev.CO2ChangeLbs >= 0 || math.Abs(ev.CO2ChangeLbs-(ev.AddedKWh*0.5-ev.AddedKWh*0.11*19.37)) > 1e-6 {
		t.Errorf("ev CO2 %v", ev.CO2ChangeLbs)
	}
	if hp := opts["hp_heating"]; hp.AddedKWh <= 0 || hp.GasTherms <= 0 {
		t.Errorf("heat pump %+v", hp)
	}
	if len(est.OpenItems) == 0 {
		t.Error("the estimate must state its open items (rebates not yet combined)")
	}
	in.Current = "NOPE"
	if _, err := EstimateAccount(in, nil); err == nil {
		t.Error("an unknown current schedule should be refused")
	}
}
