package billing

import (
	"slices"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
)

// Missing marks an interval without a reading.
const Missing energy.Wh = -1

// Usage is an account's metered energy: delivered (imported from the
// grid) and received (exported to the grid) channels of equal-length
// intervals starting at Start. Received may be nil for an account
// without generation. Both channels are kept apart; netting is a billing
// rule, never a storage one.
type Usage struct {
	Start     time.Time     // first interval, UTC
	Step      time.Duration // interval length; divides one hour
	Delivered []energy.Wh
	Received  []energy.Wh
	// Generated is the on-site generator's output per interval, from a
	// net generation output meter or an estimate; only needed for paired
	// storage that may charge from the grid (Storage). nil when unknown.
	Generated []energy.Wh
	// Estimated holds the indexes of estimated intervals, ascending;
	// bills covering them say so.
	Estimated []int
	// NetOnly marks usage derived from a net-only source (import = max(net,
	// 0), export = max(−net, 0)): NEM 2.0 and NBT bills from it understate
	// gross imports and exports, and say so.
	NetOnly bool

	missing []int // indexes with Missing in either channel, ascending
}

// Prepare validates u and indexes its missing intervals. Call it once
// before billing (the billing functions call it if it has not been); it
// writes to u, so prepare a Usage before sharing it between goroutines,
// and prepare it again after changing its data.
func (u *Usage) Prepare() error {
	const op = "billing.Usage"
	var f apperr.Fields
	if u.Step <= 0 || time.Hour%u.Step != 0 {
		f.Add("step", "interval length %v must divide one hour", u.Step)
	} else if u.Start.Unix()%int64(u.Step/time.Second) != 0 {
		f.Add("start", "must be aligned to the interval length")
	}
	if u.Received != nil && len(u.Received) != len(u.Delivered) {
		f.Add("received", "has %d intervals, delivered has %d", len(u.Received), len(u.Delivered))
	}
	if u.Generated != nil && len(u.Generated) != len(u.Delivered) {
		f.Add("generated", "has %d intervals, delivered has %d", len(u.Generated), len(u.Delivered))
	}
	if !slices.IsSorted(u.Estimated) {
		f.Add("estimated", "indexes must be ascending")
	}
	if err := f.Err(op); err != nil {
		return err
	}
	u.missing = u.missing[:0]
	for i, v := range u.Delivered {
		r := energy.Wh(0)
		if u.Received != nil {
			r = u.Received[i]
		}
		if v < 0 || r < 0 {
			if v != Missing && v < 0 || r != Missing && r < 0 {
				return apperr.Invalidf(op, "interval %d at %s has a negative reading; delivered and received are separate non-negative channels",
					i, u.Start.Add(time.Duration(i)*u.Step).Format(time.RFC3339))
			}
			u.missing = append(u.missing, i)
		}
	}
	if u.missing == nil {
		u.missing = []int{}
	}
	return nil
}

// prepared reports whether Prepare has run.
func (u *Usage) prepared() bool { return u.missing != nil }

// End is the instant after the last interval.
func (u *Usage) End() time.Time { return u.Start.Add(time.Duration(len(u.Delivered)) * u.Step) }

// index returns the interval index of instant t (which must be aligned).
func (u *Usage) index(t time.Time) int { return int(t.Sub(u.Start) / u.Step) }

// covers reports whether u has intervals for all of p.
func (u *Usage) covers(p calendar.Period) bool {
	return !p.Start.Start().Before(u.Start) && !p.End.Start().After(u.End())
}

// countIn returns how many of the sorted indexes fall in [a, b).
func countIn(sorted []int, a, b int) int {
	lo, _ := slices.BinarySearch(sorted, a)
	hi, _ := slices.BinarySearch(sorted, b)
	return hi - lo
}
