package evcharge

import (
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
)

// A transaction from 01:00 to 05:00 with the register at 1,000 Wh at the
// start, 1,000 at 02:00 (no charge yet), 8,200 at 03:00 and 15,400 Wh
// at the stop: two charges, 7,200 Wh each (02:00–03:00, 03:00–05:00); a
// reading before the start is dropped; the readings may come in any
// order.
func TestSessionFromReadingsChargesEachRise(t *testing.T) {
	at := func(hh int) time.Time { return time.Date(2026, 7, 16, hh, 0, 0, 0, time.UTC) }
	rs := []MeterReading{{at(5), 15400}, {at(0), 500}, {at(1), 1000}, {at(3), 8200}, {at(2), 1000}}
	s, err := SessionFromReadings("EV-1", 7200, at(1), at(5), rs)
	if err != nil {
		t.Fatal(err)
	}
	want := []Charge{{at(2), at(3), 7200}, {at(3), at(5), 7200}}
	if len(s.Charges) != 2 || s.Charges[0] != want[0] || s.Charges[1] != want[1] || s.EnergyWh() != 14400 || s.Vehicle != "EV-1" || s.MaxW != 7200 {
		t.Errorf("session %+v", s)
	}
	if _, err := SessionFromReadings("EV-1", 7200, at(1), at(5), []MeterReading{{at(1), 9000}, {at(5), 100}}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("falling register: %v", err)
	}
	if _, err := SessionFromReadings("EV-1", 7200, at(5), at(5), nil); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("stop at start: %v", err)
	}
}
