package dr

import (
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
)

// TestDayClockIsTheSameWallClock checks the shortcut the baseline takes
// (midnight plus the time of day on a 24-hour day) against time.Date in
// Pacific time: every 5-minute wall-clock time of the 2026-03-08
// spring-forward day, the 2026-11-01 fall-back day and an ordinary day,
// mapped onto every day of 2026 and 2027 (both DST days of each year
// included).
func TestDayClockIsTheSameWallClock(t *testing.T) {
	var from []time.Time
	for _, d := range []calendar.Date{day(2026, 3, 8), day(2026, 11, 1), day(2026, 8, 20)} {
		from = append(from, calendar.Intervals(d, 5*time.Minute)...)
	}
	odd := 0
	for d := day(2026, 1, 1); d.Before(day(2028, 1, 1)); d = d.Next() {
		dc := newDayClock(d)
		if !dc.even {
			odd++
		}
		for _, at := range from {
			l := at.In(calendar.Pacific)
			want := time.Date(d.Year, d.Month, d.Day, l.Hour(), l.Minute(), l.Second(), 0, calendar.Pacific).UTC()
			if got := dc.at(clockOf(at)); !got.Equal(want) {
				t.Fatalf("%s on %s: %s, want %s", l.Format("15:04"), d, got, want)
			}
		}
	}
	// 2026-03-08, 2026-11-01, 2027-03-14 and 2027-11-07 (the DST dates
	// DESIGN.md pins) are the days that are not 24 hours long.
	if odd != 4 {
		t.Errorf("%d days of 2026–2027 are not 24 hours long, want 4", odd)
	}
}

// TestCAISO4in4UsesTheFallBackDayAsABaselineDay: the weekend 4-in-4
// for an event on Saturday 7 November 2026 draws on Sunday 1 November,
// the 25-hour day, at the same wall-clock hours (4–6 pm) — the
// baseline's slow path — and on 31 October, 25 and 24 October.
func TestCAISO4in4UsesTheFallBackDayAsABaselineDay(t *testing.T) {
	ev := day(2026, 11, 7)
	load := hourly(day(2026, 10, 1), ev.Next(), func(d calendar.Date) energy.Wh { return 1000 },
		map[calendar.Date]map[int]energy.Wh{
			day(2026, 11, 1): {16: 3000, 17: 3000},
			ev:               {16: 900, 17: 900},
		})
	in := Input{Load: load, EventStart: at(ev, 16), EventEnd: at(ev, 18), Holidays: calendar.UtilityHolidays()}
	res, err := Compute(method(t, "caiso-4in4"), in, MethodNamed)
	if err != nil {
		t.Fatal(err)
	}
	want := []calendar.Date{day(2026, 11, 1), day(2026, 10, 31), day(2026, 10, 25), day(2026, 10, 24)}
	if len(res.DaysUsed) != 4 {
		t.Fatalf("days used %v, want %v", res.DaysUsed, want)
	}
	for i := range want {
		if res.DaysUsed[i] != want[i] {
			t.Fatalf("days used %v, want %v", res.DaysUsed, want)
		}
	}
	// (3000 + 3 × 1000) / 4 = 1500 Wh each hour before the adjustment;
	// the window (noon–3 pm) averages 1000 against 1000 actual: factor 1.
	if res.Factor != 1 || res.Intervals[0].UnadjustedWh != 1500 || res.Intervals[1].BaselineWh != 1500 || res.DeltaWh != 1200 {
		t.Errorf("factor %v intervals %+v delta %d; want 1, 1500 Wh each hour, delta 1200", res.Factor, res.Intervals, res.DeltaWh)
	}
}
