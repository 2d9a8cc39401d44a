package rps

import (
	"math/big"
)

// Balance is the part of each portfolio content category applied to a
// period under the portfolio balance limits.
type Balance struct {
	PCC1, PCC2, PCC3 int64
}

// Total returns PCC1 + PCC2 + PCC3.
func (b Balance) Total() int64 { return b.PCC1 + b.PCC2 + b.PCC3 }

// MaxApplicable returns the largest set of post-2010-06-01 procurement
// that satisfies the portfolio balance requirement, given the quantities
// available in each category: PCC1 ≥ minPCC1·T and PCC3 ≤ maxPCC3·T where
// T = PCC1 + PCC2 + PCC3 is the applied total (§399.16(c)(1)-(2); the
// denominator is the applied post-June-2010 procurement, research/rps.md
// §1.3). Count-in-full procurement is outside this calculation.
//
// Every available PCC1 certificate is applied (more PCC1 only loosens
// both limits). The largest feasible T is found exactly in integers; PCC3
// is then applied up to its cap and PCC2 fills the rest, so the least
// flexible category is used first (research/rps.md T7: 700,000 / 200,000 /
// 150,000 at 75%/10% applies 700,000 / 140,000 / 93,333). Trimming PCC3 to
// its cap of everything available and stopping would not do: the cap is a
// share of what is applied, not of what is available.
func MaxApplicable(minPCC1, maxPCC3 *big.Rat, avail Balance) Balance {
	a1 := avail.PCC1
	feasible := func(t int64) bool {
		// PCC1 ≥ p·T
		if mulInt(minPCC1, t).Cmp(new(big.Rat).SetInt64(a1)) > 0 {
			return false
		}
		// T − PCC1 ≤ PCC2 + min(PCC3, ⌊m·T⌋)
		return t-a1 <= avail.PCC2+min(avail.PCC3, floorRat(mulInt(maxPCC3, t)))
	}
	// feasible is monotone in T: T − min(PCC3, ⌊m·T⌋) never decreases.
	lo, hi := a1, avail.Total()
	for lo < hi {
		mid := lo + (hi-lo+1)/2
		if feasible(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	t := lo // T = PCC1 alone is always feasible (p ≤ 1)
	a3 := min(avail.PCC3, floorRat(mulInt(maxPCC3, t)), t-a1)
	return Balance{PCC1: a1, PCC2: t - a1 - a3, PCC3: a3}
}
