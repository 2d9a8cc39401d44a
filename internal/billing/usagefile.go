package billing

import (
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
)

// UsageFromFile builds Usage from a parsed interval file: its delivered
// channel and, if present, its received channel, on one interval length,
// from the earliest reading to the end of the latest. Intervals without
// a reading are Missing; readings that are not actual (estimated, edited,
// …) are listed in Estimated.
func UsageFromFile(f *meterdata.File) (*Usage, error) {
	const op = "billing.UsageFromFile"
	var del, rec *meterdata.Channel
	for i := range f.Channels {
		c := &f.Channels[i]
		switch {
		case c.Direction == customer.Delivered && del == nil:
			del = c
		case c.Direction == customer.Received && rec == nil:
			rec = c
		default:
			return nil, apperr.Invalidf(op, "the file has more than one %s channel; bill one meter at a time", c.Direction)
		}
	}
	if del == nil || len(del.Readings) == 0 {
		return nil, apperr.Invalidf(op, "the file has no delivered (imported) readings")
	}
	if rec != nil && rec.IntervalSeconds != del.IntervalSeconds {
		return nil, apperr.Invalidf(op, "the delivered channel has %d-second intervals and the received channel %d-second ones; bill channels of one interval length",
			del.IntervalSeconds, rec.IntervalSeconds)
	}
	step := time.Duration(del.IntervalSeconds) * time.Second
	first, end := span(del)
	if rec != nil && len(rec.Readings) > 0 {
		f2, e2 := span(rec)
		first, end = min(first, f2), max(end, e2)
	}
	n := int((end - first) / int64(step/time.Second))
	u := &Usage{Start: time.Unix(first, 0).UTC(), Step: step, Delivered: missingSlice(n), NetOnly: del.NetOnly}
	est := map[int]bool{}
	fill := func(c *meterdata.Channel, into []energy.Wh) error {
		for _, r := range c.Readings {
			if int64(r.Seconds) != int64(step/time.Second) {
				return apperr.Invalidf(op, "a %s reading at %s lasts %d s, not the channel's %d s", c.Direction, r.Start().Format(time.RFC3339), r.Seconds, del.IntervalSeconds)
			}
			if (r.StartUnix-first)%int64(step/time.Second) != 0 {
				return apperr.Invalidf(op, "a %s reading at %s is not aligned to the %d-second grid", c.Direction, r.Start().Format(time.RFC3339), del.IntervalSeconds)
			}
			i := int((r.StartUnix - first) / int64(step/time.Second))
			into[i] = r.Wh
			if r.Quality != meterdata.Actual {
				est[i] = true
			}
		}
		return nil
	}
	if err := fill(del, u.Delivered); err != nil {
		return nil, err
	}
	if rec != nil {
		u.Received = missingSlice(n)
		u.NetOnly = u.NetOnly || rec.NetOnly
		if err := fill(rec, u.Received); err != nil {
			return nil, err
		}
	}
	for i := range n {
		if est[i] {
			u.Estimated = append(u.Estimated, i)
		}
	}
	return u, u.Prepare()
}

func span(c *meterdata.Channel) (first, end int64) {
	last := c.Readings[len(c.Readings)-1]
	return c.Readings[0].StartUnix, last.StartUnix + int64(last.Seconds)
}

func missingSlice(n int) []energy.Wh {
	s := make([]energy.Wh, n)
	for i := range s {
		s[i] = Missing
	}
	return s
}
