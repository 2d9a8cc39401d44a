// Package money holds settled amounts as integer cents and prices as integer
// micro-dollars, with exact products and one rounding rule.
//
// A price times a quantity is exact in nano-dollars (Nanos): micro-dollars
// per kWh times Wh, or micro-dollars per kW times W. A line item sums its
// Nanos and rounds once to Cents with Nanos.Round, half away from zero, so a
// credit rounds like the charge of the same size (research/aesthetics.md
// §4.5; DESIGN.md "Units"). Amounts never pass through float64.
//
// Cents and the price types marshal to JSON as plain integers.
//
// Performance (go test -bench, 2-core build machine under load, Go 1.26):
// one checked Cost plus Round about 5 ns; a day of 96 interval costs summed
// and rounded once about 0.5 µs; no allocations.
package money

import (
	"math"
	"math/bits"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
)

// Cents is a settled amount of US dollars in cents: bills, payments,
// rebates, ledger entries.
type Cents int64

// Dollars returns d whole dollars, for literals such as Dollars(200). It
// panics if the amount does not fit in Cents.
func Dollars(d int64) Cents {
	c, err := MulChecked(d, 100)
	if err != nil {
		panic("money: Dollars out of range")
	}
	return Cents(c)
}

// String formats c as dollars with thousands separators: "$1,234.56",
// "-$7.50", "$0.05".
func (c Cents) String() string {
	neg := c < 0
	mag := uint64(c)
	if neg {
		mag = -mag // two's complement; exact even for math.MinInt64
	}
	var buf [32]byte
	i := len(buf)
	cents := mag % 100
	buf[i-1] = byte('0' + cents%10)
	buf[i-2] = byte('0' + cents/10)
	buf[i-3] = '.'
	i -= 3
	whole := mag / 100
	for n := 0; ; n++ {
		if n > 0 && n%3 == 0 {
			i--
			buf[i] = ','
		}
		i--
		buf[i] = byte('0' + whole%10)
		whole /= 10
		if whole == 0 {
			break
		}
	}
	i--
	buf[i] = '$'
	if neg {
		i--
		buf[i] = '-'
	}
	return string(buf[i:])
}

// ParseDollars parses a dollar amount: "1234.56", "$1,234.56", "-7.5",
// "-$7.50", "12". Commas, if any, must separate groups of three digits; at
// most two decimals are allowed; anything else, or an amount that does not
// fit in Cents, is an Invalid error.
func ParseDollars(s string) (Cents, error) {
	const op = "money.ParseDollars"
	str := s
	neg := false
	if len(str) > 0 && str[0] == '-' {
		neg, str = true, str[1:]
	}
	if len(str) > 0 && str[0] == '$' {
		str = str[1:]
	}
	whole, frac, ok := splitDecimal(str, 2, true)
	if !ok {
		return 0, apperr.Invalidf(op, "amount %q: want dollars such as 1234.56 or $1,234.56", s)
	}
	mag, ok := scaled(whole, frac, 2)
	if !ok || mag > 1<<63 || (mag == 1<<63 && !neg) {
		return 0, apperr.Invalidf(op, "amount %q is out of range", s)
	}
	if neg {
		return Cents(-mag), nil
	}
	return Cents(mag), nil
}

// ParseMicro parses a decimal dollar price with up to six decimals into
// micro-dollars, for importing tariff prices: "0.31234" is 312,340 and
// "-0.05" is -50,000. Convert the result to the price type it stands for,
// e.g. MicroPerKWh(v).
func ParseMicro(s string) (int64, error) {
	const op = "money.ParseMicro"
	str := s
	neg := false
	if len(str) > 0 && str[0] == '-' {
		neg, str = true, str[1:]
	}
	whole, frac, ok := splitDecimal(str, 6, false)
	if !ok {
		return 0, apperr.Invalidf(op, "price %q: want a decimal dollar amount with at most 6 decimals", s)
	}
	mag, ok := scaled(whole, frac, 6)
	if !ok || mag > math.MaxInt64 {
		return 0, apperr.Invalidf(op, "price %q is out of range", s)
	}
	if neg {
		return -int64(mag), nil
	}
	return int64(mag), nil
}

// splitDecimal splits an unsigned decimal "1,234.5" into its integer digits
// ("1234") and fraction digits ("5"), checking the layout: at least one
// integer digit, commas (when allowed) only between groups of three, and
// 1 to maxFrac digits after a point.
func splitDecimal(s string, maxFrac int, commas bool) (whole, frac string, ok bool) {
	intPart, fracPart, hasPoint := strings.Cut(s, ".")
	if hasPoint && (len(fracPart) == 0 || len(fracPart) > maxFrac || !allDigits(fracPart)) {
		return "", "", false
	}
	if commas && strings.Contains(intPart, ",") {
		groups := strings.Split(intPart, ",")
		for i, g := range groups {
			if (i == 0 && (len(g) == 0 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				return "", "", false
			}
		}
		intPart = strings.Join(groups, "")
	}
	if len(intPart) == 0 || !allDigits(intPart) {
		return "", "", false
	}
	return intPart, fracPart, true
}

// scaled returns whole.frac × 10^scale as an unsigned integer, reporting
// false on overflow of uint64.
func scaled(whole, frac string, scale int) (uint64, bool) {
	frac += strings.Repeat("0", scale-len(frac))
	n, err := strconv.ParseUint(whole+frac, 10, 64)
	return n, err == nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Add returns a + b, or an error wrapping ErrOverflow if the sum does not
// fit in Cents.
func Add(a, b Cents) (Cents, error) {
	s, err := AddChecked(int64(a), int64(b))
	return Cents(s), err
}

// Sum returns the total of cs, or an error wrapping ErrOverflow if any
// partial sum does not fit in Cents.
func Sum(cs ...Cents) (Cents, error) {
	var total Cents
	for _, c := range cs {
		var err error
		if total, err = Add(total, c); err != nil {
			return 0, err
		}
	}
	return total, nil
}

// PercentBP returns the share bp basis points (1/10,000) of c, rounded to
// the cent half away from zero: 2,000 bp (20%) of $140.00 is $28.00. The
// product is computed exactly; PercentBP panics only if the result does not
// fit in Cents, which cannot happen for |bp| <= 10,000.
func (c Cents) PercentBP(bp int64) Cents {
	neg := (c < 0) != (bp < 0)
	hi, lo := bits.Mul64(abs64(int64(c)), abs64(bp))
	const den = 10_000
	if hi >= den {
		panic("money: PercentBP out of range")
	}
	q, r := bits.Div64(hi, lo, den)
	if r >= den-r {
		q++
	}
	if q > 1<<63 || (q == 1<<63 && !neg) {
		panic("money: PercentBP out of range")
	}
	if neg {
		return Cents(-q) // two's complement; exact for -2^63
	}
	return Cents(q)
}
