package rps

import (
	"testing"

	"github.com/gridbook/gridbook/internal/energy"
)

// TestHourlyMatchIsLesserOfEachHour: load 5, 5, 5, 5 kWh against solar 0,
// 8, 8, 0 kWh matches 10 of 20 kWh hourly (50%) although annual volumes
// (16 of 20) claim 80%.
func TestHourlyMatchIsLesserOfEachHour(t *testing.T) {
	kwh := func(v ...int64) []energy.Wh {
		out := make([]energy.Wh, len(v))
		for i, x := range v {
			out[i] = energy.Wh(x) * energy.WhPerKWh
		}
		return out
	}
	m, err := MatchHourly(kwh(5, 5, 5, 5), kwh(0, 8, 8, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Matched != 10_000 || m.HourlyShare.RatString() != "1/2" || m.AnnualShare.RatString() != "4/5" || m.Surplus != 6_000 || m.Deficit != 10_000 {
		t.Errorf("%+v", m)
	}
	if _, err := MatchHourly(kwh(1), kwh(1, 2), nil); err == nil {
		t.Errorf("series of different lengths accepted")
	}
}
