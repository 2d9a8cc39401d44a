package meterdata

import (
	"math"
	"slices"
	"time"

	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
)

// rawChannel collects a channel's readings as a parser finds them. Values
// are in units of 10^pow Wh until build scales them.
type rawChannel struct {
	dir customer.Direction
	net bool // values are signed net energy (delivered − received)
	// declaredNet marks a source that says it is net (ESPI flowDirection
	// 4); a consumption column that only turns out to be net when a value
	// is negative leaves it false.
	declaredNet bool
	step        int // nominal interval length, seconds
	pow         int // the raw values are value × 10^pow Wh
	espiPow     int // powerOfTenMultiplier to report (ESPI only)
	source      string
	rs          []Reading
	skipped     int
}

// maxGapSpans bounds how many gaps a report lists.
const maxGapSpans = 20

// build sorts, de-duplicates and scales the readings to whole Wh and
// returns the channel (two channels for a net source with any export).
func (rc *rawChannel) build(op string) ([]Channel, error) {
	rs := rc.rs
	slices.SortStableFunc(rs, func(a, b Reading) int {
		switch {
		case a.StartUnix < b.StartUnix:
			return -1
		case a.StartUnix > b.StartUnix:
			return 1
		}
		return 0
	})
	var rep Report
	out := rs[:0]
	for _, r := range rs {
		if n := len(out); n > 0 {
			prev := &out[n-1]
			prevEnd := prev.StartUnix + int64(prev.Seconds)
			switch {
			case r.StartUnix == prev.StartUnix && r.Seconds == prev.Seconds && r.Wh == prev.Wh:
				rep.Duplicates++
				prev.Quality = max(prev.Quality, r.Quality)
				continue
			case r.StartUnix == prev.StartUnix:
				rep.Overlaps++
				*prev = r // the later reading in the file wins
				continue
			case r.StartUnix < prevEnd:
				rep.Overlaps++
				continue
			case r.StartUnix > prevEnd && rc.step > 0:
				gap := r.StartUnix - prevEnd
				rep.Gaps += int((gap + int64(rc.step) - 1) / int64(rc.step))
				if len(rep.GapSpans) < maxGapSpans {
					rep.GapSpans = append(rep.GapSpans, Span{From: time.Unix(prevEnd, 0).UTC(), To: time.Unix(r.StartUnix, 0).UTC()})
				}
			}
		}
		out = append(out, r)
	}
	rs = out
	rep.Skipped = rc.skipped
	rep.Multiplier = rc.espiPow
	rounded, err := scale(op, rs, rc.pow, rc.source)
	if err != nil {
		return nil, err
	}
	rep.Rounded = rounded
	if !rc.net {
		for _, r := range rs {
			if r.Wh < 0 {
				return nil, invalid(op, "%s has a negative reading (%d Wh) at %s; %s energy must not be negative",
					rc.source, r.Wh, r.Start().Format(time.RFC3339), rc.dir)
			}
		}
		return []Channel{rc.channel(rc.dir, false, rs, rep)}, nil
	}
	// A net source: delivered = max(net, 0), received = max(−net, 0)
	// (research/billing.md §6.1).
	recv := make([]Reading, len(rs))
	anyExport := false
	for i := range rs {
		recv[i] = rs[i]
		if rs[i].Wh < 0 {
			recv[i].Wh, rs[i].Wh = -rs[i].Wh, 0
			anyExport = true
		} else {
			recv[i].Wh = 0
		}
	}
	if !anyExport {
		return []Channel{rc.channel(customer.Delivered, rc.declaredNet, rs, rep)}, nil
	}
	return []Channel{rc.channel(customer.Delivered, true, rs, rep), rc.channel(customer.Received, true, recv, rep)}, nil
}

func (rc *rawChannel) channel(dir customer.Direction, net bool, rs []Reading, rep Report) Channel {
	var byQ [numQualities]int
	for _, r := range rs {
		rep.TotalWh += r.Wh
		byQ[r.Quality]++
	}
	rep.Readings = len(rs)
	rep.Estimated = byQ[Estimated]
	for q, n := range byQ {
		if n > 0 {
			rep.ByQuality = append(rep.ByQuality, Count{Label: Quality(q).String(), N: n})
		}
	}
	if len(rs) > 0 {
		rep.First = rs[0].Start()
		last := rs[len(rs)-1]
		rep.End = time.Unix(last.StartUnix+int64(last.Seconds), 0).UTC()
	}
	return Channel{Direction: dir, NetOnly: net, IntervalSeconds: rc.step, Source: rc.source, Readings: rs, Report: rep}
}

var pow10 = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// scale turns values of 10^pow Wh into whole Wh in place, exactly: for
// pow ≥ 0 by integer multiplication (overflow is an error); for pow < 0
// by rounding the running total half away from zero and storing the
// difference of successive rounded totals, so every reading is within
// 1 Wh of its exact value and the channel's total is the exact total
// rounded once. It returns how many readings were not whole Wh.
func scale(op string, rs []Reading, pow int, source string) (int, error) {
	if pow < -18 || pow > 18 {
		return 0, invalid(op, "%s: power of ten %d is out of range (−18 to 18)", source, pow)
	}
	if pow >= 0 {
		m := pow10[pow]
		if m == 1 {
			return 0, nil
		}
		for i := range rs {
			v := int64(rs[i].Wh)
			if v > math.MaxInt64/m || v < -math.MaxInt64/m {
				return 0, invalid(op, "%s: reading %d × 10^%d Wh at %s is too large", source, v, pow, rs[i].Start().Format(time.RFC3339))
			}
			rs[i].Wh = energy.Wh(v * m)
		}
		return 0, nil
	}
	d := pow10[-pow]
	var total, emitted int64
	rounded := 0
	for i := range rs {
		v := int64(rs[i].Wh)
		if (v > 0 && total > math.MaxInt64-v) || (v < 0 && total < math.MinInt64+1-v) {
			return 0, invalid(op, "%s: the readings' total is too large", source)
		}
		total += v
		if v%d != 0 {
			rounded++
		}
		r := roundDiv(total, d)
		rs[i].Wh = energy.Wh(r - emitted)
		emitted = r
	}
	return rounded, nil
}

// roundDiv returns n/d rounded half away from zero (d > 0, even or 1).
func roundDiv(n, d int64) int64 {
	if n >= 0 {
		return n/d + boolInt(n%d >= d-n%d)
	}
	m := -n
	return -(m/d + boolInt(m%d >= d-m%d))
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
