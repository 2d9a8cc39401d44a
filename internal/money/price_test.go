package money

import (
	"errors"
	"math"
	"testing"

	"github.com/gridbook/gridbook/internal/energy"
)

// Worked checks from research/aesthetics.md §4.5: 312,340 µ$/kWh × 1,500 Wh
// = 468,510,000 n$, which rounds to 47¢; a −7.5¢ export credit rounds to −8¢.
func TestEnergyCostIsExactThenRoundedOnce(t *testing.T) {
	tests := []struct {
		name      string
		rate      MicroPerKWh
		e         energy.Wh
		wantNanos Nanos
		wantCents Cents
	}{
		{"aesthetics §4.5 check", 312_340, 1_500, 468_510_000, 47},
		{"export credit", -75_000, 1_000, -75_000_000, -8},                 // −7.5¢
		{"half cent charge", 5_000, 1_000, 5_000_000, 1},                   // 0.5¢
		{"half cent credit", -5_000, 1_000, -5_000_000, -1},                // −0.5¢
		{"just under half", 4_999, 1_000, 4_999_000, 0},                    // 0.4999¢
		{"negative energy", 312_340, -1_500, -468_510_000, -47},            // reversal
		{"a month at $0.31234", 312_340, 600_000, 187_404_000_000, 18_740}, // 600 kWh → $187.404
		{"zero", 312_340, 0, 0, 0},
	}
	for _, tt := range tests {
		n, err := tt.rate.Cost(tt.e)
		if err != nil || n != tt.wantNanos {
			t.Errorf("%s: Cost = %d, %v; want %d", tt.name, n, err, tt.wantNanos)
		}
		if got := n.Round(); got != tt.wantCents {
			t.Errorf("%s: Round(%d) = %d, want %d", tt.name, n, got, tt.wantCents)
		}
	}
}

func TestCostDetectsOverflow(t *testing.T) {
	if _, err := MicroPerKWh(math.MaxInt64 / 2).Cost(3); !errors.Is(err, ErrOverflow) {
		t.Errorf("energy cost overflow: err = %v", err)
	}
	if _, err := MicroPerKW(math.MaxInt64).Cost(-2); !errors.Is(err, ErrOverflow) {
		t.Errorf("demand cost overflow: err = %v", err)
	}
	if _, err := MicroPerDay(math.MaxInt64 / 1000).Cost(2); !errors.Is(err, ErrOverflow) {
		t.Errorf("daily cost overflow: err = %v", err)
	}
	// About 922 GWh at $10/kWh is the edge (aesthetics §4.5).
	if _, err := MicroPerKWh(10_000_000).Cost(922_000_000_000); err != nil {
		t.Errorf("922 GWh at $10/kWh: %v", err)
	}
	if _, err := MicroPerKWh(10_000_000).Cost(923_000_000_000); !errors.Is(err, ErrOverflow) {
		t.Errorf("923 GWh at $10/kWh: err = %v", err)
	}
}

func TestDemandAndDailyCost(t *testing.T) {
	// $19.50/kW × 12.345 kW = $240.7275 → $240.73.
	n, err := MicroPerKW(19_500_000).Cost(12_345)
	if err != nil || n != 240_727_500_000 || n.Round() != 24_073 {
		t.Errorf("demand: %d (%v) → %v", n, err, n.Round())
	}
	// $0.79343/day × 30 days = $23.8029 → $23.80.
	n, err = MicroPerDay(793_430).Cost(30)
	if err != nil || n != 23_802_900_000 || n.Round() != 2_380 {
		t.Errorf("daily: %d (%v) → %v", n, err, n.Round())
	}
}

func TestSumNanosRoundsOncePerLineItem(t *testing.T) {
	// Three intervals at 0.4¢ each: rounding each gives 0¢, the line is 1.2¢ → 1¢.
	parts := []Nanos{4_000_000, 4_000_000, 4_000_000}
	total, err := SumNanos(parts...)
	if err != nil || total.Round() != 1 {
		t.Errorf("SumNanos = %d, %v; rounds to %v, want 1¢", total, err, total.Round())
	}
	if _, err := SumNanos(math.MaxInt64, 1); !errors.Is(err, ErrOverflow) {
		t.Errorf("SumNanos overflow: err = %v", err)
	}
}

func TestRoundDivHalfAwayFromZero(t *testing.T) {
	tests := []struct {
		num, den, want int64
	}{
		{75, 10, 8},
		{-75, 10, -8},
		{75, -10, -8},
		{-75, -10, 8},
		{74, 10, 7},
		{-74, 10, -7},
		{76, 10, 8},
		{-76, 10, -8},
		{70, 10, 7},
		{1, 3, 0},
		{2, 3, 1},
		{-2, 3, -1},
		{math.MaxInt64, 2, 1 << 62},        // 4611686018427387903.5 → away
		{math.MinInt64, 2, -(1 << 62)},     // exact
		{math.MinInt64 + 1, 2, -(1 << 62)}, // −4611686018427387903.5 → away
		{math.MaxInt64, math.MinInt64, -1}, // just under −1 in magnitude
		{1, math.MinInt64, 0},
	}
	for _, tt := range tests {
		if got := RoundDiv(tt.num, tt.den); got != tt.want {
			t.Errorf("RoundDiv(%d, %d) = %d, want %d", tt.num, tt.den, got, tt.want)
		}
	}
}

func TestMulCheckedDetectsOverflow(t *testing.T) {
	tests := []struct {
		a, b, want int64
		ok         bool
	}{
		{312_340, 1_500, 468_510_000, true},
		{-1, math.MaxInt64, -math.MaxInt64, true},
		{-1, math.MinInt64, 0, false},
		{math.MinInt64, -1, 0, false},
		{math.MinInt64, 1, math.MinInt64, true},
		{1 << 32, 1 << 31, 0, false}, // 2^63 overflows
		{1 << 31, 1 << 31, 1 << 62, true},
		{-(1 << 31), 1 << 32, math.MinInt64, true}, // −2^63 fits
		{3_037_000_500, 3_037_000_500, 0, false},   // just over √MaxInt64 squared
		{0, math.MinInt64, 0, true},
	}
	for _, tt := range tests {
		got, err := MulChecked(tt.a, tt.b)
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("MulChecked(%d, %d) = %d, %v; want %d ok=%v", tt.a, tt.b, got, err, tt.want, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrOverflow) {
			t.Errorf("MulChecked(%d, %d) error %v does not wrap ErrOverflow", tt.a, tt.b, err)
		}
	}
}

func TestPriceStrings(t *testing.T) {
	tests := []struct {
		got, want string
	}{
		{MicroPerKWh(312_340).String(), "$0.31234/kWh"},
		{MicroPerKWh(312_345).String(), "$0.312345/kWh"},
		{MicroPerKWh(-50_000).String(), "-$0.05/kWh"},
		{MicroPerKW(19_500_000).String(), "$19.50/kW"},
		{MicroPerDay(793_430).String(), "$0.79343/day"},
		{MicroPerDay(0).String(), "$0.00/day"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

func BenchmarkCostRound(b *testing.B) {
	r := MicroPerKWh(312_340)
	var total Cents
	for b.Loop() {
		n, err := r.Cost(1_500)
		if err != nil {
			b.Fatal(err)
		}
		total += n.Round()
	}
	_ = total
}

// BenchmarkCostSumRoundDay prices one day of 15-minute intervals as one line
// item: 96 exact products summed, one rounding.
func BenchmarkCostSumRoundDay(b *testing.B) {
	r := MicroPerKWh(312_340)
	var e [96]energy.Wh
	for i := range e {
		e[i] = energy.Wh(100 + i*7)
	}
	for b.Loop() {
		var sum int64
		for _, x := range e {
			n, err := r.Cost(x)
			if err != nil {
				b.Fatal(err)
			}
			if sum, err = AddChecked(sum, int64(n)); err != nil {
				b.Fatal(err)
			}
		}
		_ = Nanos(sum).Round()
	}
}
