package dr

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
)

// BenchmarkSettleParticipant computes a CAISO 10-in-10 baseline and the
// settlement of one participant for a 4–9 pm event from 46 days of
// 15-minute data (the look-back and the event day): the per-participant
// cost of settling an event over a portfolio (docs/performance.md).
func BenchmarkSettleParticipant(b *testing.B) {
	const n = 64
	r := rand.New(rand.NewPCG(1, 2))
	ev := day(2026, 8, 20)
	loads := make([]meterdata.Series, n)
	for i := range loads {
		s := meterdata.Series{Start: ev.AddDays(-45).Start(), Step: 15 * time.Minute}
		for d := ev.AddDays(-45); !d.After(ev); d = d.Next() {
			for range calendar.IntervalCount(d, s.Step) {
				s.Values = append(s.Values, energy.Wh(100+r.IntN(400)))
			}
		}
		loads[i] = s
	}
	p := Program{Code: "power_response", Rate: 1_000_000, Floor: FloorEvent}
	m, _ := MethodNamed("caiso-10in10")
	hol := calendar.UtilityHolidays()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		in := Input{Load: loads[i%n], EventStart: at(ev, 16), EventEnd: at(ev, 21), Holidays: hol}
		res, err := Compute(m, in, MethodNamed)
		s := Settle(p, "home", 1, int64(i), res, err, false)
		if s.Status != Settled {
			b.Fatal(s.Reason)
		}
	}
}
