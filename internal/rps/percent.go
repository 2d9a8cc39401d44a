package rps

import (
	"math/big"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
)

// Percent is a percentage exactly as its source publishes it, such as
// "21.7" or "46.67". It is read as an exact decimal and never passed
// through float64: D.11-12-020 publishes .217 and .233, not 21.666…%, and
// on 1,000,000 MWh the difference is hundreds of certificates
// (research/rps.md §1.1, "Store the published decimals").
type Percent string

// maxPercentDecimals bounds the decimals a published percentage may have.
const maxPercentDecimals = 4

// Fraction returns p as an exact fraction of one: "21.7" is 217/1000.
func (p Percent) Fraction() (*big.Rat, error) {
	s := string(p)
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || !digitsOnly(whole) || !digitsOnly(frac) || len(frac) > maxPercentDecimals || strings.HasSuffix(s, ".") {
		return nil, apperr.Invalidf("rps.Percent", "percentage %q: want a decimal such as 21.7 with at most %d decimals", s, maxPercentDecimals)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, apperr.Invalidf("rps.Percent", "percentage %q is not a decimal", s)
	}
	if r.Cmp(big.NewRat(100, 1)) > 0 {
		return nil, apperr.Invalidf("rps.Percent", "percentage %q is above 100", s)
	}
	return r.Quo(r, big.NewRat(100, 1)), nil
}

// mustFraction is Fraction for percentages already validated.
func (p Percent) mustFraction() *big.Rat {
	r, err := p.Fraction()
	if err != nil {
		panic("rps: unvalidated percentage " + string(p))
	}
	return r
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ceilRat returns the smallest integer not below r (r ≥ 0 in every use).
func ceilRat(r *big.Rat) int64 {
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if m.Sign() > 0 {
		q.Add(q, big.NewInt(1))
	}
	return q.Int64()
}

// floorRat returns the largest integer not above r.
func floorRat(r *big.Rat) int64 {
	q, m := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if m.Sign() < 0 {
		q.Sub(q, big.NewInt(1))
	}
	return q.Int64()
}

// mulInt returns f × n exactly.
func mulInt(f *big.Rat, n int64) *big.Rat {
	return new(big.Rat).Mul(f, new(big.Rat).SetInt64(n))
}

// ratio returns a/b, or zero when b is zero.
func ratio(a, b int64) *big.Rat {
	if b == 0 {
		return new(big.Rat)
	}
	return big.NewRat(a, b)
}

// RatString formats r as a decimal with the given number of places,
// rounded half away from zero: RatString(1036750/1, 2) is "1036750.00".
func RatString(r *big.Rat, places int) string {
	if r == nil {
		return ""
	}
	return r.FloatString(places)
}
