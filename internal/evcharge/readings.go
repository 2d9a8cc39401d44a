package evcharge

import (
	"slices"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/energy"
)

// MeterReading is a charger's energy register at an instant, in Wh: what
// an OCPP 1.6 charge point reports as meterStart and meterStop of a
// transaction and as Energy.Active.Import.Register meter values.
type MeterReading struct {
	At time.Time
	Wh energy.Wh
}

// SessionFromReadings turns one charging transaction into a session:
// plug-in and unplug are the transaction's start and stop, and each pair
// of successive register readings (sorted by time; readings outside the
// session are dropped) whose register rose is a charge of the
// difference. A register that falls is refused (a meter reset or another
// transaction's readings).
func SessionFromReadings(vehicle string, maxW energy.W, plugIn, unplug time.Time, rs []MeterReading) (Session, error) {
	const op = "evcharge.SessionFromReadings"
	if !unplug.After(plugIn) {
		return Session{}, apperr.Invalidf(op, "the transaction stops at %s, not after its start %s", unplug.Format(time.RFC3339), plugIn.Format(time.RFC3339))
	}
	in := slices.DeleteFunc(slices.Clone(rs), func(r MeterReading) bool { return r.At.Before(plugIn) || r.At.After(unplug) })
	slices.SortStableFunc(in, func(a, b MeterReading) int { return a.At.Compare(b.At) })
	s := Session{Vehicle: vehicle, PlugIn: plugIn.UTC(), Unplug: unplug.UTC(), MaxW: maxW}
	for i := 1; i < len(in); i++ {
		a, b := in[i-1], in[i]
		if b.Wh < a.Wh {
			return Session{}, apperr.Invalidf(op, "the energy register falls from %d Wh to %d Wh at %s", a.Wh, b.Wh, b.At.Format(time.RFC3339))
		}
		if b.Wh > a.Wh && b.At.After(a.At) {
			s.Charges = append(s.Charges, Charge{Start: a.At.UTC(), End: b.At.UTC(), Wh: b.Wh - a.Wh})
		}
	}
	return s, nil
}
