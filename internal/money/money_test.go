package money

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
)

func TestCentsStringFormatsDollarsWithSeparators(t *testing.T) {
	tests := []struct {
		c    Cents
		want string
	}{
		{0, "$0.00"},
		{5, "$0.05"},
		{-5, "-$0.05"},
		{-750, "-$7.50"},
		{99_999, "$999.99"},
		{100_000, "$1,000.00"},
		{123_456, "$1,234.56"},
		{-123_456, "-$1,234.56"},
		{100_000_000_00, "$100,000,000.00"},
		{math.MaxInt64, "$92,233,720,368,547,758.07"},
		{math.MinInt64, "-$92,233,720,368,547,758.08"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("Cents(%d).String() = %q, want %q", int64(tt.c), got, tt.want)
		}
	}
}

func TestParseDollarsAcceptsPlainAndFormattedAmounts(t *testing.T) {
	tests := []struct {
		in   string
		want Cents
	}{
		{"1234.56", 123_456},
		{"$1,234.56", 123_456},
		{"-7.5", -750},
		{"-$7.50", -750},
		{"12", 1200},
		{"0.05", 5},
		{"$0", 0},
		{"-0.00", 0},
		{"1,000,000", 100_000_000},
		{"92233720368547758.07", math.MaxInt64},
		{"-$92,233,720,368,547,758.08", math.MinInt64},
	}
	for _, tt := range tests {
		got, err := ParseDollars(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseDollars(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseDollarsRejectsExtraDecimalsAndGarbage(t *testing.T) {
	for _, in := range []string{
		"1.234",  // more than two decimals
		"0.001",  // more than two decimals
		"",       // empty
		"$",      // no digits
		"-",      // no digits
		".5",     // no integer digit
		"5.",     // point without decimals
		"1,23",   // bad grouping
		"1,2345", // bad grouping
		",123",   // bad grouping
		"1234,567.00",
		"$-7.50", // sign after the dollar sign
		"--7",
		"+7",
		" 7",
		"7 ",
		"1e3",
		"7.5.0",
		"abc",
		"92233720368547758.08",  // one cent over the maximum
		"-92233720368547758.09", // one cent under the minimum
		"99999999999999999999",
	} {
		if got, err := ParseDollars(in); err == nil {
			t.Errorf("ParseDollars(%q) = %d, want an error", in, got)
		} else if apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("ParseDollars(%q) kind = %v, want invalid", in, apperr.KindOf(err))
		}
	}
}

func TestParseMicroReadsSixDecimalPrices(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0.31234", 312_340, true},
		{"0.312345", 312_345, true},
		{"-0.05", -50_000, true},
		{"19.5", 19_500_000, true},
		{"0.3123456", 0, false}, // seven decimals
		{"$0.31", 0, false},
		{"1,000.00", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := ParseMicro(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseMicro(%q) = %d, %v; want %d ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestDollars(t *testing.T) {
	if got := Dollars(200); got != 20_000 {
		t.Errorf("Dollars(200) = %d, want 20000", got)
	}
	if got := Dollars(-3); got != -300 {
		t.Errorf("Dollars(-3) = %d, want -300", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("Dollars(MaxInt64) did not panic")
		}
	}()
	Dollars(math.MaxInt64)
}

func TestAddAndSumDetectOverflow(t *testing.T) {
	tests := []struct {
		name string
		in   []Cents
		want Cents
		ok   bool
	}{
		{"empty", nil, 0, true},
		{"bill lines", []Cents{12_345, -750, 2_800}, 14_395, true},
		{"max", []Cents{math.MaxInt64 - 1, 1}, math.MaxInt64, true},
		{"over max", []Cents{math.MaxInt64, 1}, 0, false},
		{"under min", []Cents{math.MinInt64, -1}, 0, false},
		{"min", []Cents{math.MinInt64 + 1, -1}, math.MinInt64, true},
	}
	for _, tt := range tests {
		got, err := Sum(tt.in...)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("%s: Sum = %d, %v; want %d ok=%v", tt.name, got, err, tt.want, tt.ok)
		}
		if err != nil && (!errors.Is(err, ErrOverflow) || apperr.KindOf(err) != apperr.Invalid) {
			t.Errorf("%s: error %v must wrap ErrOverflow with kind invalid", tt.name, err)
		}
		if len(tt.in) == 2 {
			got, err := Add(tt.in[0], tt.in[1])
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("%s: Add = %d, %v; want %d ok=%v", tt.name, got, err, tt.want, tt.ok)
			}
		}
	}
}

// Scenario 29 of research/programs.md: a $200 bill, CARE 30% → $140, Power
// Share 20% of $140 → $28 → $112; FERA 18% → $164, 20% of $164 → $32.80 →
// $131.20.
func TestPercentBPProgramDiscounts(t *testing.T) {
	tests := []struct {
		name string
		c    Cents
		bp   int64
		want Cents
	}{
		{"CARE 30% of $200", Dollars(200), 3000, Dollars(60)},
		{"CARE-discounted bill is 70% of $200", Dollars(200), 7000, Dollars(140)},
		{"Power Share 20% of $140", Dollars(140), 2000, Dollars(28)},
		{"FERA 18% of $200", Dollars(200), 1800, Dollars(36)},
		{"Power Share 20% of $164", Dollars(164), 2000, 3280},
		{"half a cent rounds up", 25, 2000, 5},           // 5.0
		{"7.5 cents rounds away from zero", 75, 1000, 8}, // 7.5 → 8
		{"negative share rounds away from zero", -75, 1000, -8},
		{"negative basis points", 75, -1000, -8},
		{"just under half rounds down", 74, 1000, 7}, // 7.4
		{"zero", Dollars(200), 0, 0},
		{"full", math.MaxInt64, 10_000, math.MaxInt64},
		{"full of minimum", math.MinInt64, 10_000, math.MinInt64},
	}
	for _, tt := range tests {
		if got := tt.c.PercentBP(tt.bp); got != tt.want {
			t.Errorf("%s: %v.PercentBP(%d) = %v, want %v", tt.name, tt.c, tt.bp, got, tt.want)
		}
	}
	bill := Dollars(200)
	care := bill - bill.PercentBP(3000)
	ps := care.PercentBP(2000)
	if care != Dollars(140) || ps != Dollars(28) || care-ps != Dollars(112) {
		t.Errorf("scenario 29: CARE %v, Power Share %v, net %v; want $140.00, $28.00, $112.00", care, ps, care-ps)
	}
}

func TestCentsMarshalJSONAsIntegerCents(t *testing.T) {
	b, err := json.Marshal(struct {
		Amount Cents `json:"amount_cents"`
	}{-750})
	if err != nil || string(b) != `{"amount_cents":-750}` {
		t.Errorf("json = %s, %v", b, err)
	}
}

// FuzzParseDollars checks that every accepted amount formats to a string
// that parses back to the same amount, and that formatting any amount
// parses back.
func FuzzParseDollars(f *testing.F) {
	for _, s := range []string{"1234.56", "$1,234.56", "-7.5", "-$7.50", "0.001", "1,23", "-$92,233,720,368,547,758.08"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseDollars(s)
		if err != nil {
			return
		}
		back, err := ParseDollars(c.String())
		if err != nil || back != c {
			t.Fatalf("ParseDollars(%q) = %d; ParseDollars(%q) = %d, %v", s, c, c.String(), back, err)
		}
	})
}
