package evcharge

import (
	"math"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/emissions"
	"github.com/gridbook/gridbook/internal/tariff"
)

// SCE TOU-D-PRIME (sheets effective 2025-06-01, research/billing.md §1.6):
// a summer weekday is off-peak until 4 pm, on-peak 4–9 pm, off-peak after.
// Bundled energy = delivery + generation + PPPC 0.03395 + NDC −0.00001 +
// WFC 0.00595 + FRC 0.00198 + MCAM 0.00160: on-peak 0.23704 + 0.28317 +
// 0.04347 = $0.56368, off-peak 0.15247 + 0.06728 + 0.04347 = $0.26322.
func TestTariffRatesFollowTheTOUPeriodsOfTheDay(t *testing.T) {
	vs, err := tariff.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	var v *tariff.Version
	for i := range vs {
		if vs[i].Code == "TOU-D-PRIME" {
			v = &vs[i]
		}
	}
	if v == nil {
		t.Fatal("TOU-D-PRIME is not shipped")
	}
	from, to := local(14, 12, 0), local(14, 23, 0) // Wednesday 15 July 2026
	rs, err := TariffRates(v, from, to, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	want := Rates{{from, local(14, 16, 0), 263220}, {local(14, 16, 0), local(14, 21, 0), 563680}, {local(14, 21, 0), to, 263220}}
	if len(rs) != len(want) {
		t.Fatalf("rates %+v, want %+v", rs, want)
	}
	for i := range want {
		if !rs[i].Start.Equal(want[i].Start) || !rs[i].End.Equal(want[i].End) || rs[i].Value != want[i].Value {
			t.Errorf("rate %d = %+v, want %+v", i, rs[i], want[i])
		}
	}
}

func TestSignalRatesSkipGaps(t *testing.T) {
	s := emissions.Signal{Start: h(0), Step: time.Hour, Values: []float64{300, math.NaN(), 200, 200}}
	rs := SignalRates(s, h(0), h(4))
	if len(rs) != 2 || rs[0].Value != 300 || !rs[1].Start.Equal(h(2)) || !rs[1].End.Equal(h(4)) {
		t.Errorf("SignalRates = %+v", rs)
	}
}
