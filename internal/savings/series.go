package savings

import (
	"errors"
	"math"
	"sort"
	"time"
)

// Period is one meter reading: the energy used (kWh or therms) from Start to
// the next period's Start. A series of periods ends with a marker whose
// Start is the end of the last real period and whose Value is NaN — the
// trailing-row convention of eemeter's meter data frames.
type Period struct {
	Start time.Time
	Value float64 // NaN when missing
}

// Usage is a meter's periods in time order, the last one the end marker.
type Usage []Period

// Days returns the length of period i in days (fractional for periods that
// do not span whole days) and NaN for the end marker, as eemeter's
// day_counts does.
func (u Usage) Days(i int) float64 {
	if i+1 >= len(u) {
		return math.NaN()
	}
	return u[i+1].Start.Sub(u[i].Start).Hours() / 24
}

// Select returns the periods whose start lies in [from, to] — both ends
// inclusive, as a pandas label slice — with the last one turned into the
// end marker. This is eemeter's get_baseline_data / get_reporting_data
// selection once the target dates are known.
func (u Usage) Select(from, to time.Time) Usage {
	i := sort.Search(len(u), func(i int) bool { return !u[i].Start.Before(from) })
	j := sort.Search(len(u), func(j int) bool { return u[j].Start.After(to) })
	if i >= j {
		return nil
	}
	out := append(Usage(nil), u[i:j]...)
	out[len(out)-1].Value = math.NaN()
	return out
}

// Temperature is an hourly outdoor air temperature series on a regular
// grid of UTC hours, in °F, NaN where a reading is missing.
type Temperature struct {
	Start time.Time // the first hour, UTC, on the hour
	DegF  []float64
}

// At returns the index of hour t in the grid (possibly out of range).
func (t Temperature) index(at time.Time) int {
	d := at.Sub(t.Start)
	i := int(d / time.Hour)
	if d%time.Hour != 0 && d > 0 {
		i++ // the first grid hour at or after at
	}
	return i
}

// End returns the instant after the last hour of the grid.
func (t Temperature) End() time.Time { return t.Start.Add(time.Duration(len(t.DegF)) * time.Hour) }

// window returns the grid readings at instants in [from, to).
func (t Temperature) window(from, to time.Time) []float64 {
	i, j := t.index(from), t.index(to)
	i = max(i, 0)
	j = min(j, len(t.DegF))
	if i >= j {
		return nil
	}
	return t.DegF[i:j]
}

// sample is one timestamped value read from a file.
type sample struct {
	at time.Time
	v  float64
}

// hourlyMean puts samples onto a grid of UTC hours from the first sample's
// hour to the last's, each hour the mean of its non-missing samples (NaN if
// none) — pandas' resample("h").mean().
func hourlyMean(s []sample) (Temperature, error) {
	if len(s) == 0 {
		return Temperature{}, nil
	}
	sort.SliceStable(s, func(i, j int) bool { return s[i].at.Before(s[j].at) })
	start := s[0].at.UTC().Truncate(time.Hour)
	last := s[len(s)-1].at.UTC().Truncate(time.Hour)
	if last.Sub(start) >= maxSpan {
		return Temperature{}, errSpan
	}
	n := int(last.Sub(start)/time.Hour) + 1
	sum := make([]float64, n)
	cnt := make([]int, n)
	for _, x := range s {
		if math.IsNaN(x.v) {
			continue
		}
		k := int(x.at.UTC().Truncate(time.Hour).Sub(start) / time.Hour)
		sum[k] += x.v
		cnt[k]++
	}
	out := Temperature{Start: start, DegF: make([]float64, n)}
	for k := range sum {
		if cnt[k] == 0 {
			out.DegF[k] = math.NaN()
		} else {
			out.DegF[k] = sum[k] / float64(cnt[k])
		}
	}
	return out, nil
}

// maxSpan bounds the time a file may span (50 years), so that two readings
// far apart cannot make a grid that exhausts memory.
const maxSpan = 50 * 366 * 24 * time.Hour

var errSpan = errors.New("the readings span more than 50 years")

// binSum puts samples into consecutive bins whose starts come from next,
// each bin the sum of its non-missing samples and NaN when it has none —
// pandas' resample(...).sum(min_count=1). The result has one period per bin
// from the first sample's bin to the last's, plus the end marker.
func binSum(s []sample, floor func(time.Time) time.Time, next func(time.Time) time.Time) (Usage, error) {
	if len(s) == 0 {
		return nil, nil
	}
	sort.SliceStable(s, func(i, j int) bool { return s[i].at.Before(s[j].at) })
	if s[len(s)-1].at.Sub(s[0].at) >= maxSpan {
		return nil, errSpan
	}
	var out Usage
	cur := floor(s[0].at)
	k := 0
	for cur.Before(next(floor(s[len(s)-1].at))) {
		end := next(cur)
		sum, n := 0.0, 0
		for ; k < len(s) && s[k].at.Before(end); k++ {
			if !math.IsNaN(s[k].v) {
				sum += s[k].v
				n++
			}
		}
		v := math.NaN()
		if n > 0 {
			v = sum
		}
		out = append(out, Period{Start: cur, Value: v})
		cur = end
	}
	// pandas labels the last bin with data, and eemeter's selection turns the
	// last row into the end marker; keep the grid's end as a marker too.
	out = append(out, Period{Start: cur, Value: math.NaN()})
	return out, nil
}

// DayBoundary says where days begin when sub-daily data is summed to days.
type DayBoundary string

// The day boundaries: UTC reproduces eemeter's sample loader (which parses
// timestamps to UTC before resampling); Local uses Pacific civil days, as a
// real premise's daily usage is counted.
const (
	DayUTC   DayBoundary = "utc"
	DayLocal DayBoundary = "local"
)

func dayFloor(loc *time.Location) func(time.Time) time.Time {
	return func(t time.Time) time.Time {
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, loc)
	}
}

func dayNext(loc *time.Location) func(time.Time) time.Time {
	return func(t time.Time) time.Time {
		y, m, d := t.In(loc).Date()
		return time.Date(y, m, d+1, 0, 0, 0, 0, loc)
	}
}

func hourFloor(t time.Time) time.Time { return t.UTC().Truncate(time.Hour) }
func hourNext(t time.Time) time.Time  { return t.UTC().Truncate(time.Hour).Add(time.Hour) }
