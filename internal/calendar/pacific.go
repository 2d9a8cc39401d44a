package calendar

import (
	"time"
	_ "time/tzdata" // so Pacific resolves in minimal containers without system zoneinfo
)

// Pacific is America/Los_Angeles, the location in which California tariff
// windows, seasons, DR events and holidays are evaluated. Like time.UTC it is
// an immutable value, loaded once; never reassign it.
var Pacific = mustLoad("America/Los_Angeles")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		// Unreachable with time/tzdata linked in.
		panic("calendar: load " + name + ": " + err.Error())
	}
	return loc
}

// Intervals returns the UTC start instants of the steps of length step that
// make up the Pacific day d, from d.Start() up to but excluding
// d.Next().Start(). With a 15-minute step an ordinary day has 96 intervals,
// the spring-forward day (2026-03-08) 92 and the fall-back day (2026-11-01)
// 100. A step that does not divide the day leaves a shorter last interval.
// Intervals panics if step is not positive.
func Intervals(d Date, step time.Duration) []time.Time {
	start := d.Start()
	out := make([]time.Time, count(start, d.Next().Start(), step))
	for i := range out {
		out[i] = start.Add(time.Duration(i) * step)
	}
	return out
}

// IntervalCount returns len(Intervals(d, step)) without building the slice.
// It panics if step is not positive.
func IntervalCount(d Date, step time.Duration) int {
	return count(d.Start(), d.Next().Start(), step)
}

func count(start, end time.Time, step time.Duration) int {
	if step <= 0 {
		panic("calendar: interval step must be positive")
	}
	return int((end.Sub(start) + step - 1) / step)
}
