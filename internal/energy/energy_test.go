package energy

import (
	"math"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
)

func TestKWhStringUsesThreeDecimals(t *testing.T) {
	tests := []struct {
		e    Wh
		want string
	}{
		{1234, "1.234"},
		{-500, "-0.500"},
		{0, "0.000"},
		{5, "0.005"},
		{1000, "1.000"},
		{-1, "-0.001"},
		{8_343_000, "8343.000"},
		{math.MinInt64, "-9223372036854775.808"},
	}
	for _, tt := range tests {
		if got := tt.e.KWhString(); got != tt.want {
			t.Errorf("Wh(%d).KWhString() = %q, want %q", int64(tt.e), got, tt.want)
		}
	}
	if got := W(12_345).KWString(); got != "12.345" {
		t.Errorf("W(12345).KWString() = %q", got)
	}
}

func TestParseKWhIsExact(t *testing.T) {
	tests := []struct {
		in   string
		want Wh
		ok   bool
	}{
		{"1.234", 1234, true},
		{"-0.5", -500, true},
		{"-0.500", -500, true},
		{"12", 12_000, true},
		{"0.001", 1, true},
		{"9223372036854775.807", math.MaxInt64, true},
		{"-9223372036854775.808", math.MinInt64, true},
		{"9223372036854775.808", 0, false},
		{"1.2345", 0, false}, // a fraction of a Wh
		{".5", 0, false},
		{"5.", 0, false},
		{"", 0, false},
		{"-", 0, false},
		{"1,234", 0, false},
		{"1e3", 0, false},
		{"+1", 0, false},
		{" 1", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseKWh(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseKWh(%q) = %d, %v; want %d ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("ParseKWh(%q) kind = %v", tt.in, apperr.KindOf(err))
		}
	}
}

// 15-minute demand is Wh × 4 (research/aesthetics.md §4.6).
func TestAveragePowerInIntegers(t *testing.T) {
	tests := []struct {
		e    Wh
		d    time.Duration
		want W
	}{
		{250, 15 * time.Minute, 1000},
		{1, 15 * time.Minute, 4},
		{-250, 15 * time.Minute, -1000},
		{1000, time.Hour, 1000},
		{1000, 30 * time.Minute, 2000},
		{1, 7 * time.Minute, 9},                                  // 8.571… W
		{1, 8 * time.Minute, 8},                                  // 7.5 W → away from zero
		{-1, 8 * time.Minute, -8},                                // −7.5 W → away from zero
		{1, 9 * time.Minute, 7},                                  // 6.67 W
		{100_000_000, time.Hour, 100_000_000},                    // a 100 MW plant, no overflow
		{math.MaxInt64, time.Hour, math.MaxInt64},                // exact at the edge
		{25_000_000, 5 * time.Minute, 300_000_000},               // 25 MWh in 5 minutes
		{math.MaxInt64 / 4, 15 * time.Minute, math.MaxInt64 - 3}, // (2^63-1)/4×4
	}
	for _, tt := range tests {
		if got := AveragePower(tt.e, tt.d); got != tt.want {
			t.Errorf("AveragePower(%d Wh, %v) = %d W, want %d", tt.e, tt.d, got, tt.want)
		}
	}
}

func TestAveragePowerPanicsOnBadDuration(t *testing.T) {
	for _, d := range []time.Duration{0, -time.Minute} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("AveragePower(1, %v) did not panic", d)
				}
			}()
			AveragePower(1, d)
		}()
	}
}

func TestSplitMWhCarriesRemainder(t *testing.T) {
	tests := []struct {
		e       Wh
		mwh     int64
		remains Wh
	}{
		{2_345_678, 2, 345_678},
		{1_000_000, 1, 0},
		{999_999, 0, 999_999},
		{0, 0, 0},
		{-1_500_000, -1, -500_000},
	}
	for _, tt := range tests {
		m, r := SplitMWh(tt.e)
		if m != tt.mwh || r != tt.remains {
			t.Errorf("SplitMWh(%d) = %d MWh + %d Wh, want %d + %d", tt.e, m, r, tt.mwh, tt.remains)
		}
	}
	// Carrying forward: 600,000 Wh a month issues its first certificate in
	// month 2 and its third in month 5.
	var carry Wh
	var issued []int64
	for range 5 {
		m, r := SplitMWh(carry + 600_000)
		issued, carry = append(issued, m), r
	}
	want := []int64{0, 1, 0, 1, 1}
	for i := range want {
		if issued[i] != want[i] {
			t.Fatalf("issued by month = %v, want %v", issued, want)
		}
	}
	if carry != 0 {
		t.Errorf("carry after 3,000,000 Wh = %d, want 0", carry)
	}
}

func FuzzParseKWh(f *testing.F) {
	for _, s := range []string{"1.234", "-0.5", "12", "1.2345", "-9223372036854775.808"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseKWh(s)
		if err != nil {
			return
		}
		back, err := ParseKWh(e.KWhString())
		if err != nil || back != e {
			t.Fatalf("ParseKWh(%q) = %d; ParseKWh(%q) = %d, %v", s, e, e.KWhString(), back, err)
		}
	})
}

func BenchmarkAveragePower(b *testing.B) {
	var sum W
	for b.Loop() {
		sum += AveragePower(250, 15*time.Minute)
	}
	_ = sum
}
