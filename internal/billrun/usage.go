package billrun

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/tariff"
)

// Usage builds the billing usage of a plan's period from the stored
// readings of its channels (each series covering the period exactly, as
// the store reads it, or a longer span that is cut to it), and returns notes for the bill about readings that
// are neither actual nor estimated (edited, questionable …). Channels of
// successive meters are merged; two meters reporting the same interval is
// an error. Estimated readings on either channel become Usage.Estimated,
// so the bill counts and flags them.
func Usage(pl *Plan, series map[int64]meterdata.Series) (*billing.Usage, []string, error) {
	start, end := pl.Period.Start.Start(), pl.Period.End.Start()
	u := &billing.Usage{Start: start}
	other := map[meterdata.Quality]int{}
	estimated := map[int]bool{}
	merge := func(ids []int64) ([]energy.Wh, error) {
		var out []energy.Wh
		if len(ids) == 1 { // one meter with actual readings: billed as read, no copy
			if s, ok := series[ids[0]]; ok && s.Quality == nil {
				s = s.Slice(start, end)
				if u.Step == 0 {
					u.Step = s.Step
				}
				if s.Step == u.Step && s.Start.Equal(start) && s.End().Equal(end) {
					return s.Values, nil
				}
			}
		}
		for _, id := range ids {
			s, ok := series[id]
			if !ok {
				return nil, fmt.Errorf("billrun: no readings were loaded for channel %d", id)
			}
			s = s.Slice(start, end)
			if u.Step == 0 {
				u.Step = s.Step
			}
			if s.Step != u.Step || !s.Start.Equal(start) || !s.End().Equal(end) {
				return nil, fmt.Errorf("billrun: channel %d readings cover %s–%s by %s, want the billing period %s by %s",
					id, s.Start.Format(time.RFC3339), s.End().Format(time.RFC3339), s.Step, pl.Period, u.Step)
			}
			if out == nil {
				out = make([]energy.Wh, len(s.Values))
				for i := range out {
					out[i] = billing.Missing
				}
			}
			for i, v := range s.Values {
				if v == meterdata.Missing {
					continue
				}
				if out[i] != billing.Missing {
					return nil, fmt.Errorf("billrun: two meters report the interval at %s", s.Start.Add(time.Duration(i)*s.Step).Format(time.RFC3339))
				}
				out[i] = v
				switch q := s.QualityAt(i); q {
				case meterdata.Actual:
				case meterdata.Estimated:
					estimated[i] = true
				default:
					other[q]++
				}
			}
		}
		return out, nil
	}
	var err error
	if u.Delivered, err = merge(pl.Delivered); err != nil {
		return nil, nil, err
	}
	if len(pl.Received) > 0 {
		if u.Received, err = merge(pl.Received); err != nil {
			return nil, nil, err
		}
	}
	if a := pl.Allocation; a != nil {
		if len(a.Wh) != len(u.Delivered) {
			return nil, nil, fmt.Errorf("billrun: the allocation from %s has %d intervals, the billing period %d", a.Arrangement, len(a.Wh), len(u.Delivered))
		}
		// A copy: the received readings may be the store's series itself.
		rec := slices.Clone(a.Wh)
		for i, v := range u.Received {
			if v == billing.Missing || rec[i] == billing.Missing {
				rec[i] = billing.Missing
			} else {
				rec[i] += v
			}
		}
		u.Received = rec
	}
	for i := range u.Delivered {
		if estimated[i] {
			u.Estimated = append(u.Estimated, i)
		}
	}
	u.NetOnly = pl.netOnly
	var notes []string
	if a := pl.Allocation; a != nil {
		share := fmt.Sprintf("%s of its exports", bp(a.ShareBP))
		if a.Variant == Aggregation {
			share = fmt.Sprintf("its exports in proportion to consumption (%s, %s of %s kWh)", a.SharePolicy, a.BasisWh.KWhString(), a.TotalBasisWh.KWhString())
		}
		notes = append(notes, fmt.Sprintf("%s kWh received from generating account %s under arrangement %s: %s; rounding remainders go to account %s.",
			a.total().KWhString(), a.Generator, a.Arrangement, share, a.Rounding))
	}
	for q := meterdata.Quality(0); q <= meterdata.Estimated; q++ {
		if n := other[q]; n > 0 {
			notes = append(notes, fmt.Sprintf("%d readings are marked %s by the meter data source.", n, q))
		}
	}
	return u, notes, nil
}

// HashUsage returns the SHA-256 of the usage a bill was computed from:
// its start, interval length, both channels (each reading as a 32-bit
// little-endian integer: a reading never reaches 2^31 Wh) and the
// estimated flags. A data correction changes it; re-reading the same data
// does not.
func HashUsage(u *billing.Usage) string {
	h := sha256.New()
	buf := make([]byte, 0, 32+4*len(u.Delivered))
	buf = append(buf, "gridbook usage v1\x00"...)
	buf = binary.LittleEndian.AppendUint64(buf, uint64(u.Start.Unix()))
	buf = binary.LittleEndian.AppendUint64(buf, uint64(u.Step/time.Second))
	buf = appendWh(buf, u.Delivered)
	h.Write(buf)
	buf = buf[:0]
	if u.Received != nil {
		buf = append(buf, 1)
		buf = appendWh(buf, u.Received)
	} else {
		buf = append(buf, 0)
	}
	buf = binary.LittleEndian.AppendUint64(buf, uint64(len(u.Estimated)))
	for _, i := range u.Estimated {
		buf = binary.LittleEndian.AppendUint64(buf, uint64(i))
	}
	if u.NetOnly {
		buf = append(buf, 1)
	} else {
		buf = append(buf, 0)
	}
	h.Write(buf)
	return hex.EncodeToString(h.Sum(nil))
}

func appendWh(buf []byte, vs []energy.Wh) []byte {
	buf = binary.LittleEndian.AppendUint64(buf, uint64(len(vs)))
	for _, v := range vs {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(int32(v)))
	}
	return buf
}

// HourPoint is one local hour of a bill's usage: energy delivered and
// received, and the TOU period of the energy map in force.
type HourPoint struct {
	Start     time.Time
	Period    string
	Delivered energy.Wh
	Received  energy.Wh
	Missing   bool // some interval of the hour has no reading
}

// Hourly sums a bill period's usage by clock hour and names each hour's
// TOU period with periodOf (see PeriodNamer), for the bill's usage chart.
func Hourly(u *billing.Usage, periodOf func(time.Time) string) []HourPoint {
	per := max(1, int(time.Hour/u.Step))
	out := make([]HourPoint, 0, len(u.Delivered)/per)
	for i := 0; i+per <= len(u.Delivered); i += per {
		t := u.Start.Add(time.Duration(i) * u.Step)
		hp := HourPoint{Start: t, Period: periodOf(t)}
		for k := i; k < i+per; k++ {
			if d := u.Delivered[k]; d == billing.Missing {
				hp.Missing = true
			} else {
				hp.Delivered += d
			}
			if u.Received != nil {
				if r := u.Received[k]; r == billing.Missing {
					hp.Missing = true
				} else {
					hp.Received += r
				}
			}
		}
		out = append(out, hp)
	}
	return out
}

// PeriodNamer returns a function naming the energy TOU period in force at
// an instant under the versions (the one in force that Pacific day), or
// "" where no version with an energy map is in force.
func PeriodNamer(versions []*tariff.Version) func(time.Time) string {
	type key struct {
		v    *tariff.Version
		year int
	}
	cache := map[key]*tariff.Index{}
	return func(t time.Time) string {
		d := calendar.DateOf(t)
		for _, v := range versions {
			if !v.Effective().Contains(d) {
				continue
			}
			m, ok := v.PeriodMap("energy")
			if !ok {
				return ""
			}
			k := key{v, d.Year}
			ix, ok := cache[k]
			if !ok {
				var err error
				if ix, err = v.Index("energy", d.Year, time.Hour); err != nil {
					return ""
				}
				cache[k] = ix
			}
			i := int(t.Sub(ix.Start) / time.Hour)
			if i < 0 || i >= len(ix.Period) {
				return ""
			}
			return m.Periods[ix.Period[i]]
		}
		return ""
	}
}

// bp formats basis points as a percentage: 3333 → "33.33%".
func bp(v int64) string {
	s := fmt.Sprintf("%d.%02d", v/100, v%100)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}
