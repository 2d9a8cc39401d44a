package meterdata

import (
	"fmt"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
)

const opForMeter = "meterdata.ForMeter"

// MaxImportSpan is the longest span of readings one channel of one file
// may cover (25 years), so a stray timestamp cannot make an import
// allocate without bound.
const MaxImportSpan = 25 * 366 * 24 * time.Hour

// ChannelData is one meter channel's share of an interval file, ready to
// store: the file channel's readings on the meter channel's interval grid.
type ChannelData struct {
	ChannelID int64 // the meter's channel
	Direction customer.Direction
	NetOnly   bool   // the values were split from a net-only source
	Source    string // where in the file the readings came from
	// Series runs from the first reading to the end of the last, on the
	// channel's interval length, with Missing where the file has a gap.
	Series Series
	Report Report // what the parser found in the file channel
}

// ForMeter maps a parsed file onto a meter's channels. Each file channel
// with readings goes to the meter channel of the same direction
// (delivered or received; they are never combined). The rules, each
// rejected with an Invalid error naming the channel:
//   - the file must hold at least one reading;
//   - at most one file channel per direction, and the meter must have a
//     channel of that direction;
//   - the file channel's interval length must equal the meter channel's
//     (nothing is resampled), and so must every reading's, with every
//     reading starting on the interval grid (Unix time a multiple of the
//     length: every whole hour and quarter-hour in Pacific time);
//   - every reading must fall inside the meter's service, from the
//     Pacific midnight starting Installed to the one starting Removed.
func (f *File) ForMeter(m customer.Meter) ([]ChannelData, error) {
	var out []ChannelData
	var fe apperr.Fields
	taken := map[customer.Direction]string{}
	for _, c := range f.Channels {
		if len(c.Readings) == 0 {
			continue
		}
		if prev, dup := taken[c.Direction]; dup {
			fe.Add("channels", "the file has two %s channels (%s and %s); meter %s has one, so import them separately",
				c.Direction, prev, c.Source, m.Serial)
			continue
		}
		taken[c.Direction] = c.Source
		mc, ok := meterChannel(m, c.Direction)
		if !ok {
			fe.Add("channels", "the file has %s readings (%s) but meter %s has no %s channel; add the channel to the meter first",
				c.Direction, c.Source, m.Serial, c.Direction)
			continue
		}
		if c.IntervalSeconds != mc.IntervalSeconds {
			fe.Add("interval_seconds", "channel %d (%s) of meter %s records %d-second intervals but the file's %s readings (%s) are %d-second; readings are not resampled",
				mc.ID, mc.Direction, m.Serial, mc.IntervalSeconds, c.Direction, c.Source, c.IntervalSeconds)
			continue
		}
		s, err := onGrid(c, mc, m)
		if err != nil {
			fe = append(fe, apperr.FieldsOf(err)...)
			continue
		}
		out = append(out, ChannelData{ChannelID: mc.ID, Direction: c.Direction, NetOnly: c.NetOnly, Source: c.Source, Series: s, Report: c.Report})
	}
	if err := fe.Err(opForMeter); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		fe.Add("file", "the file holds no interval readings")
		return nil, fe.Err(opForMeter)
	}
	return out, nil
}

func meterChannel(m customer.Meter, d customer.Direction) (customer.Channel, bool) {
	for _, c := range m.Channels {
		if c.Direction == d {
			return c, true
		}
	}
	return customer.Channel{}, false
}

// onGrid lays a file channel's sorted readings on the meter channel's
// interval grid.
func onGrid(c Channel, mc customer.Channel, m customer.Meter) (Series, error) {
	var fe apperr.Fields
	step := int64(mc.IntervalSeconds)
	rs := c.Readings
	name := fmt.Sprintf("channel %d (%s) of meter %s", mc.ID, mc.Direction, m.Serial)
	for _, r := range rs {
		at := r.Start().Format(time.RFC3339)
		switch {
		case int64(r.Seconds) != step:
			fe.Add("interval_seconds", "%s records %d-second intervals but the file's reading at %s lasts %d seconds; readings are not resampled",
				name, step, at, r.Seconds)
		case r.StartUnix%step != 0:
			fe.Add("file", "the %s reading at %s does not start on the %d-second interval grid of %s", c.Direction, at, step, name)
		}
		if len(fe) > 0 {
			return Series{}, fe.Err(opForMeter)
		}
	}
	first, last := rs[0].StartUnix, rs[len(rs)-1].StartUnix
	from, to := time.Unix(first, 0).UTC(), time.Unix(last+step, 0).UTC()
	if to.Sub(from) > MaxImportSpan {
		fe.Add("file", "the %s readings span %s to %s; one import may span at most 25 years", c.Direction, from.Format(time.RFC3339), to.Format(time.RFC3339))
		return Series{}, fe.Err(opForMeter)
	}
	if in := m.Installed.Start(); from.Before(in) {
		fe.Add("file", "the %s readings start %s, before meter %s was installed on %s", c.Direction, from.Format(time.RFC3339), m.Serial, m.Installed)
	}
	if !m.Removed.IsZero() && to.After(m.Removed.Start()) {
		fe.Add("file", "the %s readings end %s, after meter %s was removed on %s", c.Direction, to.Format(time.RFC3339), m.Serial, m.Removed)
	}
	if err := fe.Err(opForMeter); err != nil {
		return Series{}, err
	}
	s := Series{Start: from, Step: time.Duration(step) * time.Second, Values: make([]energy.Wh, (last-first)/step+1)}
	for i := range s.Values {
		s.Values[i] = Missing
	}
	for _, r := range rs {
		i := (r.StartUnix - first) / step
		s.Values[i] = r.Wh
		if r.Quality != Actual {
			if s.Quality == nil {
				s.Quality = make([]Quality, len(s.Values))
			}
			s.Quality[i] = r.Quality
		}
	}
	return s, nil
}
