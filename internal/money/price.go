package money

import (
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/energy"
)

// Prices are integer micro-dollars (1e-6 $): tariffs publish about five
// decimals of a dollar, and six leave headroom (research/aesthetics.md §4.5).
// $0.31234/kWh is MicroPerKWh(312_340).
type (
	// MicroPerKWh is an energy price in micro-dollars per kWh.
	MicroPerKWh int64
	// MicroPerKW is a demand price in micro-dollars per kW.
	MicroPerKW int64
	// MicroPerDay is a fixed daily charge in micro-dollars per day.
	MicroPerDay int64
)

// Nanos is an exact, unrounded amount in nano-dollars (1e-9 $), the product
// of a price and a quantity. Sum the Nanos of one line item, then Round once.
type Nanos int64

// nanosPerCent is 1¢ in nano-dollars: 1e-2 $ / 1e-9 $.
const nanosPerCent = 10_000_000

// Cost returns the exact cost of e at price r: µ$/kWh × Wh = 1e-6 $ ×
// 1e-3 = 1e-9 $ per unit, so the product is in nano-dollars.
// 312,340 µ$/kWh × 1,500 Wh is 468,510,000 n$.
func (r MicroPerKWh) Cost(e energy.Wh) (Nanos, error) {
	n, err := MulChecked(int64(r), int64(e))
	return Nanos(n), err
}

// Cost returns the exact demand charge for d at price r: µ$/kW × W is
// nano-dollars.
func (r MicroPerKW) Cost(d energy.W) (Nanos, error) {
	n, err := MulChecked(int64(r), int64(d))
	return Nanos(n), err
}

// Cost returns the exact charge for days days at price r.
func (r MicroPerDay) Cost(days int) (Nanos, error) {
	micro, err := MulChecked(int64(r), int64(days))
	if err != nil {
		return 0, err
	}
	n, err := MulChecked(micro, 1000)
	return Nanos(n), err
}

// Round rounds n to the nearest cent, halves away from zero:
// 468,510,000 n$ is 47¢ and -75,000,000 n$ (-7.5¢) is -8¢.
func (n Nanos) Round() Cents { return Cents(RoundDiv(int64(n), nanosPerCent)) }

// SumNanos returns the total of ns, or an error wrapping ErrOverflow.
func SumNanos(ns ...Nanos) (Nanos, error) {
	var total int64
	for _, n := range ns {
		var err error
		if total, err = AddChecked(total, int64(n)); err != nil {
			return 0, err
		}
	}
	return Nanos(total), nil
}

// String formats r as "$0.31234/kWh".
func (r MicroPerKWh) String() string { return microString(int64(r)) + "/kWh" }

// String formats r as "$19.50/kW".
func (r MicroPerKW) String() string { return microString(int64(r)) + "/kW" }

// String formats r as "$0.79343/day".
func (r MicroPerDay) String() string { return microString(int64(r)) + "/day" }

// microString formats micro-dollars with at least two and at most six
// decimals, dropping trailing zeros beyond the second.
func microString(v int64) string {
	neg := v < 0
	mag := abs64(v)
	frac := strconv.FormatUint(mag%1_000_000+1_000_000, 10)[1:] // six digits
	frac = strings.TrimRight(frac, "0")
	for len(frac) < 2 {
		frac += "0"
	}
	s := "$" + strconv.FormatUint(mag/1_000_000, 10) + "." + frac
	if neg {
		return "-" + s
	}
	return s
}
