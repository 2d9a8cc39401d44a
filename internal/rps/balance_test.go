package rps

import (
	"math/big"
	"testing"
)

var (
	min75, max10 = big.NewRat(75, 100), big.NewRat(10, 100)
)

// TestBalanceMaximumApplicable is research/rps.md T7: with 700,000 PCC1,
// 200,000 PCC2 and 150,000 PCC3 available at 75%/10%, the largest
// compliant total is 933,333 (PCC1 700,000, PCC2 140,000, PCC3 93,333).
func TestBalanceMaximumApplicable(t *testing.T) {
	got := MaxApplicable(min75, max10, Balance{700_000, 200_000, 150_000})
	want := Balance{700_000, 140_000, 93_333}
	if got != want {
		t.Fatalf("applied %+v, want %+v", got, want)
	}
	if got.Total() != 933_333 {
		t.Errorf("total %d, want 933,333", got.Total())
	}
	// 700,000 / 933,333 = 75.00003% ≥ 75%; 93,333 / 933,333 = 9.99997% ≤ 10%.
	if big.NewRat(got.PCC1, got.Total()).Cmp(min75) < 0 || big.NewRat(got.PCC3, got.Total()).Cmp(max10) > 0 {
		t.Errorf("applied set breaks the limits")
	}
}

// TestBalanceNaiveTrimmingFails is T7b: capping PCC3 at 10% of everything
// available (105,000) gives 1,005,000 with PCC1 at 69.7%, which fails the
// 75% minimum; the solver's answer complies and is the largest that does.
func TestBalanceNaiveTrimmingFails(t *testing.T) {
	avail := Balance{700_000, 200_000, 150_000}
	naive := Balance{700_000, 200_000, 105_000}
	if big.NewRat(naive.PCC1, naive.Total()).Cmp(min75) >= 0 {
		t.Fatalf("the naive set was expected to fail the PCC1 minimum")
	}
	got := MaxApplicable(min75, max10, avail)
	if got == naive || big.NewRat(got.PCC1, got.Total()).Cmp(min75) < 0 {
		t.Errorf("solver answered %+v", got)
	}
}

// TestBalanceMatchesExhaustiveSearch compares the solver with a brute
// force over small availabilities and each period's limits: the total is
// the largest compliant one and the answer itself complies.
func TestBalanceMatchesExhaustiveSearch(t *testing.T) {
	limits := [][2]*big.Rat{{big.NewRat(1, 2), big.NewRat(1, 4)}, {big.NewRat(65, 100), big.NewRat(15, 100)}, {min75, max10}}
	for _, l := range limits {
		for a1 := int64(0); a1 <= 12; a1++ {
			for a2 := int64(0); a2 <= 8; a2++ {
				for a3 := int64(0); a3 <= 8; a3++ {
					got := MaxApplicable(l[0], l[1], Balance{a1, a2, a3})
					best := int64(0)
					for x2 := int64(0); x2 <= a2; x2++ {
						for x3 := int64(0); x3 <= a3; x3++ {
							if compliant(l, Balance{a1, x2, x3}) {
								best = max(best, a1+x2+x3)
							}
						}
					}
					if got.Total() != best || !compliant(l, got) || got.PCC2 > a2 || got.PCC3 > a3 || got.PCC2 < 0 || got.PCC3 < 0 {
						t.Fatalf("limits %v/%v avail %d/%d/%d: got %+v, best total %d", l[0], l[1], a1, a2, a3, got, best)
					}
				}
			}
		}
	}
}

func compliant(l [2]*big.Rat, b Balance) bool {
	t := b.Total()
	if t == 0 {
		return true
	}
	return big.NewRat(b.PCC1, t).Cmp(l[0]) >= 0 && big.NewRat(b.PCC3, t).Cmp(l[1]) <= 0
}

// TestBalanceWithoutPCC1AppliesNothing: at a 75% minimum, PCC2 and PCC3
// cannot be applied with no PCC1 at all.
func TestBalanceWithoutPCC1AppliesNothing(t *testing.T) {
	if got := MaxApplicable(min75, max10, Balance{0, 500, 500}); got != (Balance{}) {
		t.Errorf("applied %+v, want nothing", got)
	}
}
