package dr

import (
	"slices"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/energy"
)

// Battery is one site's battery as a dispatch sees it.
type Battery struct {
	DeviceID   int64     `json:"device_id"`
	CapacityWh energy.Wh `json:"capacity_wh"`
	MaxW       energy.W  `json:"max_w"`
	// StoredWh is the energy in the battery when the event starts.
	StoredWh energy.Wh `json:"stored_wh"`
	// ReservePct is the share of capacity kept for the site's backup
	// (Power Ready guarantees critical loads a reserved share).
	ReservePct int `json:"reserve_pct"`
}

// Dispatch is one battery's share of a fleet event.
type Dispatch struct {
	DeviceID int64     `json:"device_id"`
	W        energy.W  `json:"w"`
	Wh       energy.Wh `json:"wh"` // W over the event
	// Limit says what held the battery below its power rating:
	// "reserve", "power" or "target".
	Limit string `json:"limit"`
}

// Available is the energy a battery may discharge without touching its
// reserve.
func (b Battery) Available() energy.Wh {
	reserve := b.CapacityWh * energy.Wh(b.ReservePct) / 100
	return max(0, b.StoredWh-reserve)
}

// DispatchFleet shares a discharge of targetW for duration d among the
// batteries: each can give at most its power rating and, over d, no more
// than its energy above the reserve. When the fleet can give more than
// the target, every battery is scaled by the same fraction (rounded down
// to whole W, the remainder to the largest shares first). It returns the
// dispatches and the fleet's total W, which is below the target when the
// fleet cannot meet it.
func DispatchFleet(bs []Battery, targetW energy.W, d time.Duration) ([]Dispatch, energy.W, error) {
	if d <= 0 || targetW < 0 {
		return nil, 0, apperr.Invalidf("dr.DispatchFleet", "a dispatch needs a positive duration and a non-negative target")
	}
	caps := make([]energy.W, len(bs))
	limits := make([]string, len(bs))
	var total energy.W
	for i, b := range bs {
		if b.ReservePct < 0 || b.ReservePct > 100 {
			return nil, 0, apperr.Invalidf("dr.DispatchFleet", "battery %d: reserve_pct must be 0–100", b.DeviceID)
		}
		byEnergy := energy.W(int64(b.Available()) * int64(time.Hour) / int64(d))
		caps[i], limits[i] = b.MaxW, "power"
		if byEnergy < b.MaxW {
			caps[i], limits[i] = byEnergy, "reserve"
		}
		total += caps[i]
	}
	out := make([]Dispatch, len(bs))
	if total <= targetW {
		for i, b := range bs {
			out[i] = Dispatch{DeviceID: b.DeviceID, W: caps[i], Limit: limits[i]}
		}
	} else {
		var given energy.W
		order := make([]int, len(bs))
		for i, b := range bs {
			w := energy.W(int64(caps[i]) * int64(targetW) / int64(total))
			out[i] = Dispatch{DeviceID: b.DeviceID, W: w, Limit: "target"}
			given += w
			order[i] = i
		}
		slices.SortStableFunc(order, func(a, b int) int { return int(caps[b] - caps[a]) })
		for k := 0; given < targetW; k++ {
			i := order[k%len(order)]
			if out[i].W < caps[i] {
				out[i].W++
				given++
			}
		}
		total = targetW
	}
	for i := range out {
		out[i].Wh = energy.Wh(int64(out[i].W) * int64(d) / int64(time.Hour))
	}
	return out, total, nil
}
