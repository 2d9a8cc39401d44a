package dr

import (
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
)

func day(y int, m time.Month, d int) calendar.Date { return calendar.Date{Year: y, Month: m, Day: d} }

// at is local wall-clock time h:00 on d, in UTC.
func at(d calendar.Date, h int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, h, 0, 0, 0, calendar.Pacific).UTC()
}

// hourly builds an hourly series over [from, to) local days: every hour
// of day d holds perDay(d), except hours listed in override for that day.
func hourly(from, to calendar.Date, perDay func(calendar.Date) energy.Wh, override map[calendar.Date]map[int]energy.Wh) meterdata.Series {
	s := meterdata.Series{Start: from.Start(), Step: time.Hour}
	for d := from; d.Before(to); d = d.Next() {
		for _, t := range calendar.Intervals(d, time.Hour) {
			v := perDay(d)
			if o, ok := override[d][t.In(calendar.Pacific).Hour()]; ok {
				v = o
			}
			s.Values = append(s.Values, v)
		}
	}
	return s
}

// September 2026 around Labor Day (Monday 7 September): every hour of a
// day holds that day's value, so a baseline is an average of day values
// that can be worked by hand.
var september = map[calendar.Date]energy.Wh{
	day(2026, 9, 9): 1100, day(2026, 9, 8): 1200, day(2026, 9, 7): 5000, // Labor Day
	day(2026, 9, 4): 1000, day(2026, 9, 3): 900, day(2026, 9, 2): 9000, // an earlier event day
	day(2026, 9, 1): 1000, day(2026, 8, 31): 1100, day(2026, 8, 28): 1000, day(2026, 8, 27): 900,
	day(2026, 8, 26): 800, day(2026, 8, 25): 1000, day(2026, 8, 24): 7000, // the 11th weekday, never used
}

func septemberLoad(event map[int]energy.Wh) meterdata.Series {
	return hourly(day(2026, 8, 1), day(2026, 9, 11), func(d calendar.Date) energy.Wh {
		if v, ok := september[d]; ok {
			return v
		}
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			return 3000
		}
		return 6000 // weekdays beyond the 10 used
	}, map[calendar.Date]map[int]energy.Wh{day(2026, 9, 10): event})
}

func method(t *testing.T, name string) Method {
	t.Helper()
	m, ok := MethodNamed(name)
	if !ok {
		t.Fatalf("no method %s", name)
	}
	return m
}

// CAISO 10-in-10: the ten most recent weekdays before Thursday 10
// September 2026, skipping Labor Day and the 2 September event day, are
// 9, 8, 4, 3, 1 September and 31, 28, 27, 26, 25 August: their values sum
// to 10,000, a mean of 1,000 Wh an hour. The event day's load over hours
// −4…−2 (12:00–15:00) is 1,100 against 1,000: a factor of 1.1, so the
// 16:00 and 17:00 baseline is 1,100 Wh; actual 700 and 800 Wh reduce 700.
func TestCAISO10in10SkipsHolidaysAndEventDaysAndAdjustsTheDayOf(t *testing.T) {
	load := septemberLoad(map[int]energy.Wh{12: 1100, 13: 1100, 14: 1100, 16: 700, 17: 800})
	in := Input{Load: load, EventStart: at(day(2026, 9, 10), 16), EventEnd: at(day(2026, 9, 10), 18),
		Excluded: map[calendar.Date]string{day(2026, 9, 2): "event 41"}, Holidays: calendar.UtilityHolidays()}
	res, err := Compute(method(t, "caiso-10in10"), in, MethodNamed)
	if err != nil {
		t.Fatal(err)
	}
	wantDays := []calendar.Date{day(2026, 9, 9), day(2026, 9, 8), day(2026, 9, 4), day(2026, 9, 3), day(2026, 9, 1),
		day(2026, 8, 31), day(2026, 8, 28), day(2026, 8, 27), day(2026, 8, 26), day(2026, 8, 25)}
	if len(res.DaysUsed) != len(wantDays) {
		t.Fatalf("days used %v, want %v", res.DaysUsed, wantDays)
	}
	for i := range wantDays {
		if res.DaysUsed[i] != wantDays[i] {
			t.Fatalf("days used %v, want %v", res.DaysUsed, wantDays)
		}
	}
	if res.Factor != 1.1 && (res.Factor < 1.0999999 || res.Factor > 1.1000001) {
		t.Errorf("factor %v, want 1.1", res.Factor)
	}
	if len(res.Intervals) != 2 || res.Intervals[0].BaselineWh != 1100 || res.Intervals[1].BaselineWh != 1100 {
		t.Errorf("intervals %+v, want baseline 1100 and 1100", res.Intervals)
	}
	if res.DeltaWh != 700 {
		t.Errorf("delta %d Wh, want 700", res.DeltaWh)
	}
	reasons := map[calendar.Date]string{}
	for _, s := range res.Skipped {
		reasons[s.Date] = s.Reason
	}
	if !strings.Contains(reasons[day(2026, 9, 7)], "Labor Day") || reasons[day(2026, 9, 2)] != "event 41" {
		t.Errorf("skipped %+v: want Labor Day and the event day named", res.Skipped)
	}
}

// The same-day adjustment is capped at ±20%: a window load of 1,500
// against a baseline of 1,000 (ratio 1.5) adjusts by 1.2 only.
func TestCAISOAdjustmentIsCappedAtTwentyPercent(t *testing.T) {
	load := septemberLoad(map[int]energy.Wh{12: 1500, 13: 1500, 14: 1500, 16: 1000, 17: 1000})
	in := Input{Load: load, EventStart: at(day(2026, 9, 10), 16), EventEnd: at(day(2026, 9, 10), 18),
		Excluded: map[calendar.Date]string{day(2026, 9, 2): "event"}, Holidays: calendar.UtilityHolidays()}
	res, err := Compute(method(t, "caiso-10in10"), in, MethodNamed)
	if err != nil {
		t.Fatal(err)
	}
	if res.Factor != 1.2 || res.FactorUncapped != 1.5 {
		t.Errorf("factor %v (uncapped %v), want 1.2 (1.5)", res.Factor, res.FactorUncapped)
	}
	if res.Intervals[0].BaselineWh != 1200 || res.DeltaWh != 400 {
		t.Errorf("baseline %d, delta %d; want 1200 and 400", res.Intervals[0].BaselineWh, res.DeltaWh)
	}
	// Downward too: 700 against 1,000 is 0.7, capped at 0.8.
	load = septemberLoad(map[int]energy.Wh{12: 700, 13: 700, 14: 700})
	in.Load = load
	res, err = Compute(method(t, "caiso-10in10"), in, MethodNamed)
	if err != nil || res.Factor != 0.8 || res.Intervals[0].BaselineWh != 800 {
		t.Errorf("downward cap: %v factor %v baseline %+v", err, res.Factor, res.Intervals)
	}
}

// PG&E highest 5 of 10: of the same ten days the highest are 8 September
// (1,200), then 9 September and 31 August (1,100; the tie goes to the more
// recent), then 4 and 1 September (1,000, the most recent of four such
// days): a mean of 1,080. With the event day at 1,080 before and after
// the event the factor is 1.
func TestPGEHighest5of10TakesTheHighestDaysTiesToTheMoreRecent(t *testing.T) {
	ev := map[int]energy.Wh{12: 1080, 13: 1080, 14: 1080, 18: 1080, 19: 1080, 16: 1000, 17: 1000}
	in := Input{Load: septemberLoad(ev), EventStart: at(day(2026, 9, 10), 16), EventEnd: at(day(2026, 9, 10), 18),
		Excluded: map[calendar.Date]string{day(2026, 9, 2): "event"}, Holidays: calendar.UtilityHolidays()}
	res, err := Compute(method(t, "pge-5of10"), in, MethodNamed)
	if err != nil {
		t.Fatal(err)
	}
	want := []calendar.Date{day(2026, 9, 8), day(2026, 9, 9), day(2026, 8, 31), day(2026, 9, 4), day(2026, 9, 1)}
	for i := range want {
		if res.DaysUsed[i] != want[i] {
			t.Fatalf("days used %v, want %v", res.DaysUsed, want)
		}
	}
	if res.Factor != 1 || res.Intervals[0].BaselineWh != 1080 || res.DeltaWh != 160 {
		t.Errorf("factor %v, baseline %d, delta %d; want 1, 1080, 160", res.Factor, res.Intervals[0].BaselineWh, res.DeltaWh)
	}
}

// CAISO 4-in-4 on the 25-hour fall-back Sunday 2026-11-01: the event's
// 16:00 is 00:00 UTC on 2 November (PST) while 16:00 on the Saturday
// before is 23:00 UTC (PDT); days are matched on the wall clock. The four
// weekend days before are 31, 25, 24 and 18 October (2,000, 2,400, 1,600,
// 2,000: mean 2,000); the window 12:00–15:00 holds 2,200 (factor 1.1).
func TestCAISO4in4MatchesWallClockAcrossTheFallBackDay(t *testing.T) {
	weekend := map[calendar.Date]energy.Wh{day(2026, 10, 31): 2000, day(2026, 10, 25): 2400, day(2026, 10, 24): 1600, day(2026, 10, 18): 2000, day(2026, 10, 17): 9999}
	load := hourly(day(2026, 10, 1), day(2026, 11, 2), func(d calendar.Date) energy.Wh {
		if v, ok := weekend[d]; ok {
			return v
		}
		return 500
	}, map[calendar.Date]map[int]energy.Wh{day(2026, 11, 1): {12: 2200, 13: 2200, 14: 2200, 16: 1900, 17: 2000}})
	if n := calendar.IntervalCount(day(2026, 11, 1), time.Hour); n != 25 {
		t.Fatalf("2026-11-01 has %d hours", n)
	}
	in := Input{Load: load, EventStart: at(day(2026, 11, 1), 16), EventEnd: at(day(2026, 11, 1), 18), Holidays: calendar.UtilityHolidays()}
	if got := in.EventStart.Format(time.RFC3339); got != "2026-11-02T00:00:00Z" {
		t.Fatalf("event start %s", got)
	}
	res, err := Compute(method(t, "caiso-4in4"), in, MethodNamed)
	if err != nil {
		t.Fatal(err)
	}
	want := []calendar.Date{day(2026, 10, 31), day(2026, 10, 25), day(2026, 10, 24), day(2026, 10, 18)}
	for i := range want {
		if res.DaysUsed[i] != want[i] {
			t.Fatalf("days used %v, want %v", res.DaysUsed, want)
		}
	}
	if res.Intervals[0].BaselineWh != 2200 || res.Intervals[1].BaselineWh != 2200 || res.DeltaWh != 500 {
		t.Errorf("intervals %+v delta %d; want 2200, 2200 and 500", res.Intervals, res.DeltaWh)
	}
}

// A holiday is a weekend-type day: the 4-in-4 pool before Tuesday 8
// September 2026 (a day treated as a holiday only in this test's
// exclusions) includes Labor Day.
func TestWeekendBaselineCountsHolidaysAsWeekendDays(t *testing.T) {
	load := hourly(day(2026, 8, 1), day(2026, 9, 14), func(d calendar.Date) energy.Wh {
		switch d {
		case day(2026, 9, 7):
			return 4000 // Labor Day
		case day(2026, 9, 6), day(2026, 9, 5), day(2026, 8, 30):
			return 2000
		}
		return 100
	}, nil)
	m := method(t, "caiso-4in4")
	m.Adjust = NoAdjustment
	in := Input{Load: load, EventStart: at(day(2026, 9, 13), 16), EventEnd: at(day(2026, 9, 13), 17), Holidays: calendar.UtilityHolidays()}
	res, err := Compute(m, in, MethodNamed)
	if err != nil {
		t.Fatal(err)
	}
	// 12 (Sat) and 7 (Labor Day), 6, 5 September: (100+4000+2000+2000)/4.
	if res.DaysUsed[0] != day(2026, 9, 12) || res.DaysUsed[1] != day(2026, 9, 7) || res.Intervals[0].BaselineWh != 2025 {
		t.Errorf("days %v baseline %+v; want 12 Sep, Labor Day … and 2025 Wh", res.DaysUsed, res.Intervals)
	}
}

// Too few eligible days: 10-in-10 needs 5; with data for only 3 weekdays
// it has no baseline, and says how many it found.
func TestTooFewEligibleDaysGivesNoBaselineWithTheCount(t *testing.T) {
	load := hourly(day(2026, 9, 7), day(2026, 9, 11), func(calendar.Date) energy.Wh { return 1000 }, nil)
	in := Input{Load: load, EventStart: at(day(2026, 9, 10), 16), EventEnd: at(day(2026, 9, 10), 17), Holidays: calendar.UtilityHolidays()}
	_, err := Compute(method(t, "caiso-10in10"), in, MethodNamed)
	if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "found 2 eligible days") || !strings.Contains(err.Error(), "needs 5") {
		t.Errorf("err = %v; want no baseline naming 2 of 5 days (Labor Day is a holiday)", err)
	}
	// A fallback with a lower minimum is used instead, and named.
	m := method(t, "caiso-10in10")
	m.Fallback = "highest-3of10"
	m2 := method(t, "highest-3of10")
	m2.MinDays = 2
	res, err := Compute(m, in, func(name string) (Method, bool) { return m2, name == m2.Name })
	if err != nil || res.Method != "highest-3of10" || res.Requested != "caiso-10in10" || len(res.DaysUsed) != 2 {
		t.Errorf("fallback: %v %+v", err, res)
	}
}

func TestWeightedAverageAppliesWeightsByRank(t *testing.T) {
	// pge-3of5-weighted before Sunday 13 September 2026: weekend days
	// 12, 7 (Labor Day), 6, 5 September and 30 August hold 100, 4000,
	// 2000, 3000, 1000; the highest three are 4000, 3000, 2000, weighted
	// 0.5/0.3/0.2: 2000 + 900 + 400 = 3300.
	vals := map[calendar.Date]energy.Wh{day(2026, 9, 12): 100, day(2026, 9, 7): 4000, day(2026, 9, 6): 2000, day(2026, 9, 5): 3000, day(2026, 8, 30): 1000}
	load := hourly(day(2026, 8, 1), day(2026, 9, 14), func(d calendar.Date) energy.Wh {
		if v, ok := vals[d]; ok {
			return v
		}
		return 10
	}, nil)
	m := method(t, "pge-3of5-weighted")
	m.Adjust = NoAdjustment
	res, err := Compute(m, Input{Load: load, EventStart: at(day(2026, 9, 13), 16), EventEnd: at(day(2026, 9, 13), 17), Holidays: calendar.UtilityHolidays()}, MethodNamed)
	if err != nil || res.Intervals[0].BaselineWh != 3300 {
		t.Errorf("weighted: %v %+v; want 3300", err, res.Intervals)
	}
}

func TestBadMethodsAreRefusedNamingTheSetting(t *testing.T) {
	m := method(t, "caiso-10in10")
	m.Use = 11
	if err := m.Validate(); !apperr.Is(err, apperr.Invalid) || apperr.FieldsOf(err)[0].Field != "use" {
		t.Errorf("use > pool: %v", err)
	}
	m = method(t, "pge-3of5-weighted")
	m.Weights = []float64{1, 1}
	if err := m.Validate(); !apperr.Is(err, apperr.Invalid) || apperr.FieldsOf(err)[0].Field != "weights" {
		t.Errorf("weights: %v", err)
	}
}
