package tariff

import (
	"fmt"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

// Index is a period map compiled for one calendar year at one interval
// length: the TOU period of every interval of the Pacific year, the
// season and day type of every local day, and same-period runs for
// segment kernels. Interval i covers [Start + i·Step, Start + (i+1)·Step);
// the year has exactly as many intervals as it has real time, so 2025
// has 8,760 hours (one 23-hour and one 25-hour day). An Index is read-only
// and may be shared by every account billed on the version.
type Index struct {
	Year  int
	Step  time.Duration
	Start time.Time // Pacific midnight starting January 1, in UTC
	// Period holds the period number of each interval.
	Period []uint8
	// DayStart[d] is the first interval of day d of the year (January 1
	// is day 0); DayStart[len(days)] is len(Period).
	DayStart []int32
	// DayType and Season describe each local day: holidays are billed as
	// weekends; Season indexes the map's seasons.
	DayType []DayType
	Season  []uint8
	// MonthStart[m] is the first interval of month m+1 (MonthStart[0] is
	// 0, MonthStart[12] is len(Period)), for calendar-month billing.
	MonthStart [13]int32
	// Runs are the maximal runs of consecutive intervals with one period,
	// within one day, in time order (≈1,100 a year for TOU-D).
	Runs []Run
}

// Run is a run of intervals [Start, End) in one period.
type Run struct {
	Start, End int32
	Period     uint8
}

// PeriodIndex returns the energy period of every interval of the Pacific
// year at interval length step (a divisor of one hour): index i is the
// period in force at Start + i·step. It is Index("energy", …).Period.
func (v *Version) PeriodIndex(year int, step time.Duration) ([]uint8, error) {
	ix, err := v.Index("energy", year, step)
	if err != nil {
		return nil, err
	}
	return ix.Period, nil
}

// Index compiles the period map named mapName for year at interval length
// step. step must divide one hour (an hour-beginning boundary is then
// always an interval boundary).
func (v *Version) Index(mapName string, year int, step time.Duration) (*Index, error) {
	const op = "tariff.Index"
	if step <= 0 || time.Hour%step != 0 {
		return nil, apperr.Invalidf(op, "interval %v must divide one hour", step)
	}
	if year < 1900 || year > 9998 {
		return nil, apperr.Invalidf(op, "year %d is out of range", year)
	}
	m, ok := v.PeriodMap(mapName)
	if !ok {
		return nil, apperr.NotFoundf(op, "%s %s has no %s period map", v.Utility, v.Code, mapName)
	}
	seasons, err := m.compile()
	if err != nil {
		return nil, err
	}
	hol, useHol := v.holidays()
	first := calendar.Date{Year: year, Month: time.January, Day: 1}
	next := calendar.Date{Year: year + 1, Month: time.January, Day: 1}
	ix := &Index{Year: year, Step: step, Start: first.Start()}
	total := int(next.Start().Sub(ix.Start) / step)
	days := first.DaysUntil(next)
	ix.Period = make([]uint8, 0, total)
	ix.DayStart = make([]int32, 0, days+1)
	ix.DayType = make([]DayType, 0, days)
	ix.Season = make([]uint8, 0, days)
	perHour := int(time.Hour / step)
	day := 24 * time.Hour
	for d := first; d.Before(next); d = d.Next() {
		if d.Day == 1 {
			ix.MonthStart[d.Month-1] = int32(len(ix.Period))
		}
		ix.DayStart = append(ix.DayStart, int32(len(ix.Period)))
		dt := Weekday
		switch wd := d.Weekday(); {
		case useHol && isHoliday(hol, d):
			dt = Holiday
		case wd == time.Saturday || wd == time.Sunday:
			dt = Weekend
		}
		si := seasonOf(seasons, int(d.Month), d.Day)
		ix.DayType = append(ix.DayType, dt)
		ix.Season = append(ix.Season, uint8(si))
		hours := &seasons[si].weekday
		if dt != Weekday {
			hours = &seasons[si].weekend
		}
		start, end := d.Start(), d.Next().Start()
		if end.Sub(start) == day {
			for h := range 24 {
				for range perHour {
					ix.Period = append(ix.Period, hours[h])
				}
			}
			continue
		}
		// A DST day (23 or 25 hours): take the local hour of each instant.
		// The repeated 01:00 hour of November maps twice, the skipped 02:00
		// hour of March not at all.
		for t := start; t.Before(end); t = t.Add(step) {
			ix.Period = append(ix.Period, hours[t.In(calendar.Pacific).Hour()])
		}
	}
	ix.DayStart = append(ix.DayStart, int32(len(ix.Period)))
	ix.MonthStart[12] = int32(len(ix.Period))
	if len(ix.Period) != total {
		return nil, apperr.E(apperr.Internal, op, "", fmt.Errorf("built %d intervals, want %d", len(ix.Period), total))
	}
	ix.Runs = runs(ix.Period, ix.DayStart)
	return ix, nil
}

// isHoliday reports whether d is on the holiday calendar.
func isHoliday(h calendar.Holidays, d calendar.Date) bool {
	_, ok := h.Holiday(d)
	return ok
}

// runs splits period into same-period runs that never cross a day
// boundary, so that a kernel may also switch day-dependent state per run.
func runs(period []uint8, dayStart []int32) []Run {
	out := make([]Run, 0, len(dayStart)*4)
	for d := 0; d+1 < len(dayStart); d++ {
		s, e := dayStart[d], dayStart[d+1]
		for i := s; i < e; {
			j := i + 1
			for j < e && period[j] == period[i] {
				j++
			}
			out = append(out, Run{Start: i, End: j, Period: period[i]})
			i = j
		}
	}
	return out
}

// compiledSeason is a season with fixed-size hour arrays.
type compiledSeason struct {
	month, day       int
	weekday, weekend [24]uint8
}

// compile checks m and converts its seasons to fixed arrays.
func (m *PeriodMap) compile() ([]compiledSeason, error) {
	var f apperr.Fields
	m.validate(&f, "period_maps."+m.Name)
	if err := f.Err("tariff.Index"); err != nil {
		return nil, err
	}
	out := make([]compiledSeason, len(m.Seasons))
	for i, s := range m.Seasons {
		out[i].month, out[i].day, _ = parseMonthDay(s.From)
		for h := range 24 {
			out[i].weekday[h] = uint8(s.Weekday[h])
			out[i].weekend[h] = uint8(s.Weekend[h])
		}
	}
	return out, nil
}

// seasonOf returns the season in force on month/day: the last season
// starting on or before it, or the last season of the list when the day
// comes before every start (the year wraps).
func seasonOf(seasons []compiledSeason, month, day int) int {
	si := len(seasons) - 1
	for i, s := range seasons {
		if s.month < month || s.month == month && s.day <= day {
			si = i
		}
	}
	return si
}

// SeasonDates says when each season of m applies, in the order of
// m.Seasons: "Jun 1 – Sep 30", "Oct 1 – May 31" (a season runs until the
// next one starts, wrapping at the year end), "Jan 1 – Dec 31" for a
// single season, and "Feb 28/29" for a season ending with February.
// m must be valid.
func (m *PeriodMap) SeasonDates() []string {
	day := func(y, month, d int) calendar.Date { return calendar.Date{Year: y, Month: time.Month(month), Day: d} }
	label := func(d calendar.Date) string { return d.Month.String()[:3] + " " + fmt.Sprint(d.Day) }
	out := make([]string, len(m.Seasons))
	for i, s := range m.Seasons {
		fm, fd, _ := parseMonthDay(s.From)
		nm, nd, _ := parseMonthDay(m.Seasons[(i+1)%len(m.Seasons)].From)
		// The day before the next start, in a common and in a leap year.
		common, leap := day(2025, nm, nd).AddDays(-1), day(2024, nm, nd).AddDays(-1)
		end := label(common)
		if common.Day != leap.Day {
			end += "/" + fmt.Sprint(leap.Day)
		}
		out[i] = label(day(2025, fm, fd)) + " – " + end
	}
	return out
}

// Grid renders the map as URDB-style 12×24 matrices (month × hour
// beginning) for weekdays and for weekends and holidays, taking each
// month's row from the season in force on its first day.
func (m *PeriodMap) Grid() (weekday, weekend [12][24]uint8, err error) {
	seasons, err := m.compile()
	if err != nil {
		return weekday, weekend, err
	}
	for mo := range 12 {
		s := seasons[seasonOf(seasons, mo+1, 1)]
		weekday[mo], weekend[mo] = s.weekday, s.weekend
	}
	return weekday, weekend, nil
}

// FromMatrices builds the seasons of a period map from URDB-style 12×24
// weekday and weekend matrices: each run of months with identical rows
// becomes one season starting on the first of its first month (a run that
// wraps from December into January is one season).
func FromMatrices(weekday, weekend [][]int) ([]Season, error) {
	var f apperr.Fields
	if len(weekday) != 12 {
		f.Add("weekday", "gap in the period map: %d months given, want 12", len(weekday))
	}
	if len(weekend) != 12 {
		f.Add("weekend", "gap in the period map: %d months given, want 12", len(weekend))
	}
	for i := 0; i < len(weekday) && i < 12; i++ {
		if len(weekday[i]) != 24 {
			f.Add(fmt.Sprintf("weekday[%d]", i), "gap in the period map: %d hours given, want 24", len(weekday[i]))
		}
	}
	for i := 0; i < len(weekend) && i < 12; i++ {
		if len(weekend[i]) != 24 {
			f.Add(fmt.Sprintf("weekend[%d]", i), "gap in the period map: %d hours given, want 24", len(weekend[i]))
		}
	}
	if err := f.Err("tariff.FromMatrices"); err != nil {
		return nil, err
	}
	same := func(a, b int) bool {
		return slicesEqual(weekday[a], weekday[b]) && slicesEqual(weekend[a], weekend[b])
	}
	var starts []int
	for mo := range 12 {
		if mo == 0 || !same(mo, mo-1) {
			starts = append(starts, mo)
		}
	}
	// Merge a December run that continues into January.
	if len(starts) > 1 && same(0, 11) {
		starts = starts[1:] // January continues the last run
	}
	monthNames := [12]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	out := make([]Season, 0, len(starts))
	for i, s := range starts {
		endMonth := 11
		if i+1 < len(starts) {
			endMonth = starts[i+1] - 1
		} else if len(starts) > 0 && starts[0] != 0 {
			endMonth = starts[0] - 1
		}
		name := monthNames[s]
		if endMonth != s {
			name += "–" + monthNames[endMonth]
		}
		out = append(out, Season{
			Name:    name,
			From:    fmt.Sprintf("%02d-01", s+1),
			Weekday: append([]int(nil), weekday[s]...),
			Weekend: append([]int(nil), weekend[s]...),
		})
	}
	if len(out) == 1 {
		out[0].Name = "all year"
	}
	return out, nil
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
