package money

import (
	"errors"
	"math"

	"github.com/gridbook/gridbook/internal/apperr"
)

// ErrOverflow is wrapped by the errors of checked arithmetic whose result
// does not fit in 64 bits. Test with errors.Is.
var ErrOverflow = errors.New("integer overflow")

func overflow(op string) error {
	return apperr.E(apperr.Invalid, op, "amount out of range", ErrOverflow)
}

// MulChecked returns a × b, or an error wrapping ErrOverflow if the product
// does not fit in int64.
func MulChecked(a, b int64) (int64, error) {
	if a == 0 || b == 0 {
		return 0, nil
	}
	p := a * b
	if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, overflow("money.MulChecked")
	}
	return p, nil
}

// AddChecked returns a + b, or an error wrapping ErrOverflow if the sum does
// not fit in int64.
func AddChecked(a, b int64) (int64, error) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, overflow("money.AddChecked")
	}
	return s, nil
}

// RoundDiv returns num / den rounded to the nearest integer, halves away
// from zero: RoundDiv(75, 10) is 8 and RoundDiv(-75, 10) is -8. This is the
// package's one rounding rule. It panics if den is zero.
func RoundDiv(num, den int64) int64 {
	q, r := num/den, num%den
	if r == 0 {
		return q
	}
	// |r| >= |den| - |r| means the remainder is at least half of den.
	ar, ad := abs64(r), abs64(den)
	if ar >= ad-ar {
		if (num < 0) != (den < 0) {
			q--
		} else {
			q++
		}
	}
	return q
}

// abs64 returns |v| as an unsigned integer, exact for math.MinInt64.
func abs64(v int64) uint64 {
	if v < 0 {
		return -uint64(v)
	}
	return uint64(v)
}
