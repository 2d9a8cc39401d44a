package meterdata

import (
	"time"

	"github.com/gridbook/gridbook/internal/energy"
)

// Missing marks an interval with no reading in a Series.
const Missing energy.Wh = -1

// Series is a run of equal-length intervals of one channel starting at
// Start (UTC): Values[i] covers [Start+i·Step, Start+(i+1)·Step), with
// Missing where there is no reading. Quality is nil when every present
// reading is Actual; otherwise it has one entry per value (the entry of a
// Missing value is Actual and means nothing). It is the form in which
// stored interval data reaches the engines (billing, baselines, savings).
type Series struct {
	Start   time.Time
	Step    time.Duration
	Values  []energy.Wh
	Quality []Quality
}

// End returns the instant just after the last interval.
func (s Series) End() time.Time { return s.Start.Add(time.Duration(len(s.Values)) * s.Step) }

// Sum returns the total energy of the present readings and how many
// intervals are missing.
func (s Series) Sum() (total energy.Wh, missing int) {
	for _, v := range s.Values {
		if v == Missing {
			missing++
		} else {
			total += v
		}
	}
	return total, missing
}

// QualityAt returns the quality of interval i (Actual when Quality is nil).
func (s Series) QualityAt(i int) Quality {
	if s.Quality == nil {
		return Actual
	}
	return s.Quality[i]
}

// Count returns how many present readings have quality q.
func (s Series) Count(q Quality) int {
	n := 0
	for i, v := range s.Values {
		if v != Missing && s.QualityAt(i) == q {
			n++
		}
	}
	return n
}

// QualityRun is a run of consecutive present readings of one quality
// other than Actual: Series.Values[Index : Index+Count].
type QualityRun struct {
	Index   int     `json:"index"`
	Count   int     `json:"count"`
	Quality Quality `json:"quality"`
}

// NonActual returns the runs of present readings that are not Actual, in
// order: what a bill must flag (estimated, edited …). It is empty for an
// all-actual series.
func (s Series) NonActual() []QualityRun {
	if s.Quality == nil {
		return nil
	}
	var out []QualityRun
	for i := 0; i < len(s.Values); {
		q := s.Quality[i]
		if q == Actual || s.Values[i] == Missing {
			i++
			continue
		}
		j := i + 1
		for j < len(s.Values) && s.Quality[j] == q && s.Values[j] != Missing {
			j++
		}
		out = append(out, QualityRun{Index: i, Count: j - i, Quality: q})
		i = j
	}
	return out
}

// Slice returns the intervals [from, to) of s (instants rounded down to
// the step and clipped to the series), sharing its backing arrays.
func (s Series) Slice(from, to time.Time) Series {
	i := s.index(from)
	j := max(i, s.index(to))
	out := Series{Start: s.Start.Add(time.Duration(i) * s.Step), Step: s.Step, Values: s.Values[i:j]}
	if s.Quality != nil {
		out.Quality = s.Quality[i:j]
	}
	return out
}

// index returns the interval holding t, clipped to [0, len(Values)].
func (s Series) index(t time.Time) int {
	if s.Step <= 0 || !t.After(s.Start) {
		return 0
	}
	return min(len(s.Values), int(t.Sub(s.Start)/s.Step))
}
