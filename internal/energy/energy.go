// Package energy holds energy as integer watt-hours and power as integer
// watts, with exact conversions for display, demand and certificates.
//
// Wh is the canonical unit because Green Button and utility interval files
// carry integer Wh (with a power-of-ten multiplier) and sums of integers are
// exact (research/aesthetics.md §4.6). Delivered and received energy are kept
// as separate non-negative channels; netting belongs to billing.
package energy

import (
	"math"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
)

// Wh is an amount of energy in watt-hours.
type Wh int64

// W is a power in watts.
type W int64

// Unit sizes in Wh. One renewable energy certificate stands for one MWh
// (WREGIS "creates one Certificate for each MWh", research/aesthetics.md
// §4.6; "One certificate = one MWh", research/rps.md).
const (
	WhPerKWh Wh = 1_000
	WhPerMWh Wh = 1_000_000
)

// KWhString formats e in kWh with exactly three decimals, using integer
// arithmetic: 1234 Wh is "1.234" and -500 Wh is "-0.500".
func (e Wh) KWhString() string { return thousandths(int64(e)) }

// KWString formats p in kW with exactly three decimals: 12345 W is "12.345".
func (p W) KWString() string { return thousandths(int64(p)) }

func thousandths(v int64) string {
	mag := abs64(v)
	s := strconv.FormatUint(mag/1000, 10) + "." + strconv.FormatUint(mag%1000+1000, 10)[1:]
	if v < 0 {
		return "-" + s
	}
	return s
}

// ParseKWh parses a decimal kWh amount exactly into Wh: "1.234" is 1234 Wh,
// "-0.5" is -500 Wh, "12" is 12000 Wh. More than three decimals (a fraction
// of a Wh), an empty or malformed string, or an amount that does not fit in
// Wh is an Invalid error.
func ParseKWh(s string) (Wh, error) {
	const op = "energy.ParseKWh"
	str := s
	neg := false
	if strings.HasPrefix(str, "-") {
		neg, str = true, str[1:]
	}
	whole, frac, hasPoint := strings.Cut(str, ".")
	if whole == "" || !allDigits(whole) || (hasPoint && (frac == "" || len(frac) > 3 || !allDigits(frac))) {
		return 0, apperr.Invalidf(op, "energy %q: want kWh with at most 3 decimals, such as 1.234", s)
	}
	frac += strings.Repeat("0", 3-len(frac))
	mag, err := strconv.ParseUint(whole+frac, 10, 64)
	if err != nil || mag > 1<<63 || (mag == 1<<63 && !neg) {
		return 0, apperr.Invalidf(op, "energy %q is out of range", s)
	}
	if neg {
		return Wh(-mag), nil // two's complement; exact for -2^63
	}
	return Wh(mag), nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// AveragePower returns the average power over d of energy e, e × 1 h / d,
// rounded to the watt half away from zero and computed exactly in integers:
// 250 Wh in 15 minutes is 1000 W. It panics if d is not positive or the
// result does not fit in W (only possible for intervals well under a
// second).
func AveragePower(e Wh, d time.Duration) W {
	if d <= 0 {
		panic("energy: AveragePower over a non-positive duration")
	}
	den := uint64(d)
	hi, lo := bits.Mul64(abs64(int64(e)), uint64(time.Hour))
	if hi >= den {
		panic("energy: AveragePower out of range")
	}
	q, r := bits.Div64(hi, lo, den)
	if r >= den-r {
		q++
	}
	if q > math.MaxInt64 {
		panic("energy: AveragePower out of range")
	}
	if e < 0 {
		return -W(q)
	}
	return W(q)
}

// SplitMWh splits e into whole MWh, one certificate each, and the Wh
// remainder to carry forward to the next period (WREGIS issues whole-MWh
// certificates; M-RETS rolls fractional remainders over to the next month;
// research/aesthetics.md §4.6). It truncates toward zero, so
// e == Wh(mwh)*WhPerMWh + remainder and the remainder has the sign of e:
// 2,345,678 Wh is 2 MWh and 345,678 Wh.
func SplitMWh(e Wh) (mwh int64, remainder Wh) {
	return int64(e / WhPerMWh), e % WhPerMWh
}

// abs64 returns |v| as an unsigned integer, exact for math.MinInt64.
func abs64(v int64) uint64 {
	if v < 0 {
		return -uint64(v)
	}
	return uint64(v)
}
