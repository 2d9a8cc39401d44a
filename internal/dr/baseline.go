package dr

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
)

// DayType is the kind of day a baseline draws on.
type DayType string

// Day types of a baseline.
const (
	Weekdays        DayType = "weekday"         // Monday–Friday, not a holiday
	WeekendsHoliday DayType = "weekend_holiday" // Saturday, Sunday or a holiday
)

// Selection is how the days used are chosen from the candidate pool.
type Selection string

// Selections.
const (
	MostRecent Selection = "most_recent"
	Highest    Selection = "highest" // highest energy over the event window
)

// Adjustment is how the averaged load is corrected to the event day.
type Adjustment string

// Adjustments.
const (
	NoAdjustment   Adjustment = "none"
	Multiplicative Adjustment = "multiplicative" // × Σ actual / Σ baseline over the window, capped ±Cap
	Additive       Adjustment = "additive"       // + mean(actual − baseline) over the window, capped ±Cap of the mean baseline
)

// Method is a day-matching baseline as configuration: X of Y days of one
// day type within a look-back, chosen most recent or highest, averaged
// (optionally weighted) interval by interval, then adjusted to the event
// day's load over a window before (and optionally after) the event.
// Methods lists the built-in ones; any other combination is configuration,
// not code (research/dr-ev.md §2.2).
type Method struct {
	Name   string    `json:"name"`
	Days   DayType   `json:"day_type"`
	Pool   int       `json:"pool"` // Y: eligible days collected, most recent first
	Use    int       `json:"use"`  // X: days averaged
	Select Selection `json:"select"`
	// Weights apply by rank after selection (the highest or most recent
	// day first); nil averages equally.
	Weights      []float64 `json:"weights,omitempty"`
	LookbackDays int       `json:"lookback_days"`
	// MinDays: with fewer eligible days the Fallback method is tried, and
	// with none there is no baseline.
	MinDays  int        `json:"min_days"`
	Fallback string     `json:"fallback,omitempty"`
	Adjust   Adjustment `json:"adjustment"`
	// The adjustment window is the AdjustHours before the event, ending
	// AdjustGapHours before it starts, plus AdjustAfterHours after it ends.
	AdjustHours      int `json:"adjust_hours"`
	AdjustGapHours   int `json:"adjust_gap_hours"`
	AdjustAfterHours int `json:"adjust_after_hours"`
	// CapBP caps the adjustment: the multiplicative ratio stays within
	// 1 ± CapBP/10,000; the additive offset within ± CapBP/10,000 of the
	// window's mean baseline. 0 means uncapped.
	CapBP   int64    `json:"cap_bp"`
	Sources []string `json:"sources"`
}

// Methods returns the built-in baseline methods. Where research/dr-ev.md
// marks a rule recalled rather than read, the value here is the research's
// stated default and the comment says so; each is a field, so a program
// can be configured otherwise.
func Methods() []Method {
	return []Method{
		{
			// CAISO PDR/RDRR "10 of 10 baseline with a 20% same day
			// adjustment" (CAISO Baseline Accuracy Work Group proposal,
			// 2017, research §2.1, confirmed). The 45-day look-back, the
			// 5-day minimum and the window of hours −4…−2 (three hours
			// ending one hour before the event) are recalled from the BPM
			// for Metering §12 (research §2.1, §9 item 1): settings.
			Name: "caiso-10in10", Days: Weekdays, Pool: 10, Use: 10, Select: MostRecent, LookbackDays: 45, MinDays: 5,
			Adjust: Multiplicative, AdjustHours: 3, AdjustGapHours: 1, CapBP: 2000,
			Sources: []string{"CAISO BPM for Metering §12; Baseline Accuracy Work Group proposal 2017 (research/dr-ev.md §2.1)"},
		},
		{
			// CAISO 4-in-4 for weekend and holiday events, same
			// adjustment (research §2.1 table, recalled). With fewer than
			// 4 eligible days there is no 4-in-4 baseline; the minimum is
			// a setting.
			Name: "caiso-4in4", Days: WeekendsHoliday, Pool: 4, Use: 4, Select: MostRecent, LookbackDays: 45, MinDays: 4,
			Adjust: Multiplicative, AdjustHours: 3, AdjustGapHours: 1, CapBP: 2000,
			Sources: []string{"CAISO BPM for Metering §12 weekend/holiday baseline (research/dr-ev.md §2.1)"},
		},
		{
			// PG&E Power Saver Rewards: the 10 previous weekdays, the 5
			// with the highest use, averaged; adjusted on the hours
			// "before and after" the event (powersaver.pge.com/faq,
			// research §2.2). The window lengths and the ±40% cap
			// (reported for CAISO's residential option, recalled) are
			// settings.
			Name: "pge-5of10", Days: Weekdays, Pool: 10, Use: 5, Select: Highest, LookbackDays: 45, MinDays: 5,
			Adjust: Multiplicative, AdjustHours: 3, AdjustGapHours: 1, AdjustAfterHours: 2, CapBP: 4000,
			Sources: []string{"PG&E Power Saver Rewards FAQ (research/dr-ev.md §2.2)"},
		},
		{
			// PG&E weekend/holiday: the 5 previous weekend days or
			// holidays, the 3 highest, weighted. PG&E does not publish
			// the weights; 0.5/0.3/0.2 is a setting.
			Name: "pge-3of5-weighted", Days: WeekendsHoliday, Pool: 5, Use: 3, Select: Highest, Weights: []float64{0.5, 0.3, 0.2},
			LookbackDays: 45, MinDays: 3, Adjust: Multiplicative, AdjustHours: 3, AdjustGapHours: 1, AdjustAfterHours: 2, CapBP: 4000,
			Sources: []string{"PG&E Power Saver Rewards FAQ (research/dr-ev.md §2.2); weights are a setting"},
		},
		{
			// "Highest 3 of 10", a common residential variant (research
			// §2.2).
			Name: "highest-3of10", Days: Weekdays, Pool: 10, Use: 3, Select: Highest, LookbackDays: 45, MinDays: 3,
			Adjust: Multiplicative, AdjustHours: 3, AdjustGapHours: 1, CapBP: 2000,
			Sources: []string{"research/dr-ev.md §2.2"},
		},
	}
}

// MethodNamed returns the built-in method called name.
func MethodNamed(name string) (Method, bool) {
	for _, m := range Methods() {
		if m.Name == name {
			return m, true
		}
	}
	return Method{}, false
}

// Validate checks a method's settings.
func (m *Method) Validate() error {
	var f apperr.Fields
	if m.Days != Weekdays && m.Days != WeekendsHoliday {
		f.Add("day_type", "must be weekday or weekend_holiday")
	}
	if m.Use < 1 || m.Pool < m.Use {
		f.Add("use", "must be at least 1 and at most pool")
	}
	if m.Select != MostRecent && m.Select != Highest {
		f.Add("select", "must be most_recent or highest")
	}
	if len(m.Weights) > 0 && len(m.Weights) != m.Use {
		f.Add("weights", "must have one weight per day used (%d)", m.Use)
	}
	for _, w := range m.Weights {
		if !(w > 0) {
			f.Add("weights", "must be positive")
			break
		}
	}
	if m.LookbackDays < m.Pool {
		f.Add("lookback_days", "must be at least pool")
	}
	if m.MinDays < 1 || m.MinDays > m.Pool {
		f.Add("min_days", "must be between 1 and pool")
	}
	switch m.Adjust {
	case NoAdjustment, Multiplicative, Additive:
	default:
		f.Add("adjustment", "must be none, multiplicative or additive")
	}
	if m.Adjust != NoAdjustment && m.AdjustHours+m.AdjustAfterHours <= 0 {
		f.Add("adjust_hours", "an adjustment needs a window")
	}
	if m.AdjustHours < 0 || m.AdjustGapHours < 0 || m.AdjustAfterHours < 0 || m.CapBP < 0 {
		f.Add("adjust_hours", "window hours and cap must not be negative")
	}
	return f.Err("dr.Method")
}

// Input is what a baseline is computed from.
type Input struct {
	// Load is the participant's delivered energy over the look-back and
	// the event day (Missing where there is no reading).
	Load       meterdata.Series
	EventStart time.Time
	EventEnd   time.Time
	// Excluded are days that may not serve as baseline days, with why:
	// the participant's other event days, outage and abnormal days.
	Excluded map[calendar.Date]string
	Holidays calendar.Holidays
}

// SkippedDay is a candidate day not used, with why.
type SkippedDay struct {
	Date   calendar.Date `json:"date"`
	Reason string        `json:"reason"`
}

// Interval is one event interval of a baseline.
type Interval struct {
	Start time.Time `json:"start"`
	// BaselineWh is the adjusted baseline, rounded to whole Wh.
	BaselineWh energy.Wh `json:"baseline_wh"`
	// UnadjustedWh is the averaged load before the adjustment.
	UnadjustedWh float64 `json:"unadjusted_wh"`
	// ActualWh is the event day's reading (Missing when there is none).
	ActualWh energy.Wh `json:"actual_wh"`
}

// Result is a computed baseline.
type Result struct {
	Method string `json:"method"`
	// Requested is the method asked for when a fallback was used.
	Requested string          `json:"requested,omitempty"`
	DaysUsed  []calendar.Date `json:"days_used"`
	Skipped   []SkippedDay    `json:"skipped_days"`
	// Factor is the adjustment as applied: the capped ratio for a
	// multiplicative adjustment, the capped offset in Wh per interval for
	// an additive one (0 when there is none); FactorUncapped before the
	// cap.
	Factor         float64    `json:"adjustment_factor"`
	FactorUncapped float64    `json:"adjustment_uncapped"`
	Intervals      []Interval `json:"intervals"`
	// DeltaWh is Σ (BaselineWh − ActualWh) over the event intervals with
	// a reading, unfloored; MissingIntervals counts those without one.
	DeltaWh          energy.Wh `json:"delta_wh"`
	MissingIntervals int       `json:"missing_intervals"`
}

// BaselineWh is the total adjusted baseline over the event.
func (r Result) BaselineWh() energy.Wh {
	var s energy.Wh
	for _, iv := range r.Intervals {
		s += iv.BaselineWh
	}
	return s
}

// ActualWh is the total actual load over the event's intervals with a
// reading.
func (r Result) ActualWh() energy.Wh {
	var s energy.Wh
	for _, iv := range r.Intervals {
		if iv.ActualWh != meterdata.Missing {
			s += iv.ActualWh
		}
	}
	return s
}

// maxFallbacks bounds a chain of fallback methods.
const maxFallbacks = 4

// Compute computes the baseline of method m for the event in in. A method
// whose eligible days fall short of MinDays tries its Fallback (looked up
// with lookup, normally MethodNamed); with none left Compute fails with an
// Invalid error saying how many days were eligible.
func Compute(m Method, in Input, lookup func(string) (Method, bool)) (Result, error) {
	requested := m.Name
	var reasons []string
	for range maxFallbacks {
		res, err := compute(m, in)
		if err == nil {
			if m.Name != requested {
				res.Requested = requested
			}
			return res, nil
		}
		var short *shortfall
		if !asShortfall(err, &short) {
			return Result{}, err
		}
		reasons = append(reasons, short.Error())
		if m.Fallback == "" || lookup == nil {
			break
		}
		next, ok := lookup(m.Fallback)
		if !ok {
			return Result{}, apperr.Invalidf("dr.Compute", "baseline %s falls back to unknown method %q", m.Name, m.Fallback)
		}
		m = next
	}
	return Result{}, apperr.Invalidf("dr.Compute", "no baseline: %s", joinReasons(reasons))
}

type shortfall struct {
	method      string
	found, need int
	lookback    int
}

func (s *shortfall) Error() string {
	return fmt.Sprintf("%s found %d eligible days in the %d days before the event, needs %d", s.method, s.found, s.lookback, s.need)
}

func asShortfall(err error, out **shortfall) bool {
	s, ok := err.(*shortfall)
	if ok {
		*out = s
	}
	return ok
}

func joinReasons(rs []string) string {
	out := ""
	for i, r := range rs {
		if i > 0 {
			out += "; then "
		}
		out += r
	}
	return out
}

// series reads a Series by instant.
type series struct {
	meterdata.Series
	// With whole-second Start and Step (always so for stored data),
	// startUnix and stepSec let atDay index by Unix seconds.
	whole     bool
	startUnix int64
	stepSec   int64
}

func newSeries(s meterdata.Series) series {
	out := series{Series: s}
	if s.Start.Nanosecond() == 0 && s.Step > 0 && s.Step%time.Second == 0 {
		out.whole, out.startUnix, out.stepSec = true, s.Start.Unix(), int64(s.Step/time.Second)
	}
	return out
}

// atDay is at(dc.at(c)), in integer arithmetic on a day of 24 hours.
func (s series) atDay(dc dayClock, c wallClock) energy.Wh {
	if !s.whole || !dc.even {
		return s.at(dc.at(c))
	}
	off := dc.midnightUnix + c.secs - s.startUnix
	if off < 0 || off%s.stepSec != 0 {
		return meterdata.Missing
	}
	if i := off / s.stepSec; i < int64(len(s.Values)) {
		return s.Values[i]
	}
	return meterdata.Missing
}

func (s series) at(t time.Time) energy.Wh {
	if t.Before(s.Start) {
		return meterdata.Missing
	}
	off := t.Sub(s.Start)
	if off%s.Step != 0 {
		return meterdata.Missing
	}
	i := int(off / s.Step)
	if i >= len(s.Values) {
		return meterdata.Missing
	}
	return s.Values[i]
}

// wallClock is a local wall-clock time of day.
type wallClock struct {
	h, m, s int
	secs    int64 // since midnight
}

func clockOf(t time.Time) wallClock {
	h, m, s := t.In(calendar.Pacific).Clock()
	return wallClock{h, m, s, int64(h*3600 + m*60 + s)}
}

// dayClock maps wall-clock times onto one local day (the instant on
// that day with the same local wall-clock time, as time.Date in Pacific
// time gives it) cheaply: on a day of 24 hours the UTC offset does not change (Pacific
// time changes only on the 23- and 25-hour days), so a wall-clock time
// is the day's midnight plus the time since midnight; only the two DST
// days of a year go through time.Date.
type dayClock struct {
	d            calendar.Date
	midnightUnix int64
	even         bool // 24 hours long
}

func newDayClock(d calendar.Date) dayClock {
	m := d.Start()
	return dayClock{d: d, midnightUnix: m.Unix(), even: d.Next().Start().Sub(m) == 24*time.Hour}
}

func (dc dayClock) at(c wallClock) time.Time {
	if dc.even {
		return time.Unix(dc.midnightUnix+c.secs, 0).UTC()
	}
	return time.Date(dc.d.Year, dc.d.Month, dc.d.Day, c.h, c.m, c.s, 0, calendar.Pacific).UTC()
}

func compute(m Method, in Input) (Result, error) {
	const op = "dr.Compute"
	if err := m.Validate(); err != nil {
		return Result{}, err
	}
	s := newSeries(in.Load)
	step := s.Step
	if step <= 0 || len(s.Values) == 0 {
		return Result{}, apperr.Invalidf(op, "no interval data")
	}
	if !in.EventEnd.After(in.EventStart) {
		return Result{}, apperr.Invalidf(op, "the event must end after it starts")
	}
	if in.EventStart.Sub(s.Start)%step != 0 || in.EventEnd.Sub(in.EventStart)%step != 0 {
		return Result{}, apperr.Invalidf(op, "the event %s–%s is not on the data's %v interval grid", in.EventStart.Format(time.RFC3339), in.EventEnd.Format(time.RFC3339), step)
	}
	nEvent := int(in.EventEnd.Sub(in.EventStart) / step)
	nWindow := 0
	if m.Adjust != NoAdjustment {
		nWindow = int(time.Duration(m.AdjustHours)*time.Hour/step) + int(time.Duration(m.AdjustAfterHours)*time.Hour/step) + 2
	}
	// event and window share one array; clocks are their wall-clock times.
	times := make([]time.Time, 0, nEvent+nWindow)
	for t := in.EventStart; t.Before(in.EventEnd); t = t.Add(step) {
		times = append(times, t)
	}
	event := times[:len(times):len(times)]
	if m.Adjust != NoAdjustment {
		ws := in.EventStart.Add(-time.Duration(m.AdjustHours+m.AdjustGapHours) * time.Hour)
		for t := ws; t.Before(ws.Add(time.Duration(m.AdjustHours) * time.Hour)); t = t.Add(step) {
			times = append(times, t)
		}
		for t := in.EventEnd; t.Before(in.EventEnd.Add(time.Duration(m.AdjustAfterHours) * time.Hour)); t = t.Add(step) {
			times = append(times, t)
		}
	}
	window := times[len(event):]
	clocks := make([]wallClock, len(times))
	for i, t := range times {
		clocks[i] = clockOf(t)
	}
	eventClocks, windowClocks := clocks[:len(event)], clocks[len(event):]
	eventDay := calendar.DateOf(in.EventStart)
	type cand struct {
		d      calendar.Date
		dc     dayClock
		energy energy.Wh
	}
	pool := make([]cand, 0, m.Pool)
	var res Result
	res.Method = m.Name
	for back := 1; back <= m.LookbackDays && len(pool) < m.Pool; back++ {
		d := eventDay.AddDays(-back)
		wd := d.Weekday()
		hol, isHol := in.Holidays.Holiday(d)
		weekend := wd == time.Saturday || wd == time.Sunday
		switch {
		case m.Days == Weekdays && weekend:
			continue // not a candidate at all; not worth listing
		case m.Days == Weekdays && isHol:
			res.Skipped = append(res.Skipped, SkippedDay{d, "holiday: " + hol})
			continue
		case m.Days == WeekendsHoliday && !weekend && !isHol:
			continue
		}
		if why, ok := in.Excluded[d]; ok {
			res.Skipped = append(res.Skipped, SkippedDay{d, why})
			continue
		}
		dc := newDayClock(d)
		var e energy.Wh
		complete := true
		for _, c := range eventClocks {
			v := s.atDay(dc, c)
			if v == meterdata.Missing {
				complete = false
				break
			}
			e += v
		}
		for _, c := range windowClocks {
			if !complete {
				break
			}
			if s.atDay(dc, c) == meterdata.Missing {
				complete = false
			}
		}
		if !complete {
			res.Skipped = append(res.Skipped, SkippedDay{d, "missing readings"})
			continue
		}
		pool = append(pool, cand{d, dc, e})
	}
	if len(pool) < m.MinDays {
		return Result{}, &shortfall{method: m.Name, found: len(pool), need: m.MinDays, lookback: m.LookbackDays}
	}
	if m.Select == Highest {
		// Highest energy first; ties go to the more recent day (the pool
		// is most recent first and the sort is stable).
		slices.SortStableFunc(pool, func(a, b cand) int {
			switch {
			case a.energy > b.energy:
				return -1
			case a.energy < b.energy:
				return 1
			}
			return 0
		})
	}
	use := min(m.Use, len(pool))
	weights := make([]float64, use)
	var wsum float64
	res.DaysUsed = make([]calendar.Date, 0, use)
	for i := range weights {
		weights[i] = 1
		if len(m.Weights) > 0 {
			weights[i] = m.Weights[i]
		}
		wsum += weights[i]
		res.DaysUsed = append(res.DaysUsed, pool[i].d)
	}
	// avg is the weighted mean over the days used at wall-clock time c
	// (the event-day instant's wall-clock time on each day).
	avg := func(c wallClock) float64 {
		var sum float64
		for i := range res.DaysUsed {
			sum += weights[i] * float64(s.atDay(pool[i].dc, c))
		}
		return sum / wsum
	}
	// Adjustment.
	res.Factor, res.FactorUncapped = 1, 1
	offset := 0.0
	if m.Adjust != NoAdjustment {
		var act, base float64
		for k, t := range window {
			v := s.at(t)
			if v == meterdata.Missing {
				return Result{}, apperr.Invalidf(op, "the event day has no reading at %s, inside the adjustment window", t.Format(time.RFC3339))
			}
			act += float64(v)
			base += avg(windowClocks[k])
		}
		cap := float64(m.CapBP) / 10000
		switch m.Adjust {
		case Multiplicative:
			if base > 0 {
				res.FactorUncapped = act / base
			}
			res.Factor = res.FactorUncapped
			if m.CapBP > 0 {
				res.Factor = math.Min(math.Max(res.Factor, 1-cap), 1+cap)
			}
		case Additive:
			n := float64(len(window))
			offset = (act - base) / n
			res.FactorUncapped = offset
			if m.CapBP > 0 {
				lim := cap * base / n
				offset = math.Min(math.Max(offset, -lim), lim)
			}
			res.Factor = offset
		}
	}
	res.Intervals = make([]Interval, 0, len(event))
	for k, t := range event {
		raw := avg(eventClocks[k])
		adj := raw
		switch m.Adjust {
		case Multiplicative:
			adj = raw * res.Factor
		case Additive:
			adj = math.Max(0, raw+offset)
		}
		iv := Interval{Start: t, UnadjustedWh: raw, BaselineWh: energy.Wh(math.Round(adj)), ActualWh: s.at(t)}
		if iv.ActualWh == meterdata.Missing {
			res.MissingIntervals++
		} else {
			res.DeltaWh += iv.BaselineWh - iv.ActualWh
		}
		res.Intervals = append(res.Intervals, iv)
	}
	return res, nil
}
