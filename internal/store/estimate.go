package store

import (
	"context"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/savings"
	"github.com/gridbook/gridbook/internal/tariff"
)

// EstimateInputs gathers the Energy Team estimator's inputs for an
// account: its metered use over the last months whole calendar months
// before today's month that have readings (at most months), and every
// stored rate schedule of its schedule's utility and sector, each with all
// its versions.
func (q queries) EstimateInputs(ctx context.Context, accountID int64, months int, today calendar.Date) (savings.EstimateInput, error) {
	const op = "store.EstimateInputs"
	var in savings.EstimateInput
	a, err := q.Account(ctx, accountID)
	if err != nil {
		return in, err
	}
	in.Current = a.RateSchedule
	in.LSE = billing.Bundled
	if a.LSE == customer.CCA {
		in.LSE = billing.CCA
	}
	current := today.String()[:7]
	last, err := q.LastUsageCycle(ctx, accountID, current)
	if err != nil {
		return in, err
	}
	if last == "" {
		return in, apperr.NotFoundf(op, "account %s has no whole month of readings", a.Number)
	}
	end, err := time.ParseInLocation("2006-01", last, calendar.Pacific)
	if err != nil {
		return in, err
	}
	end = end.AddDate(0, 1, 0)
	startT := end.AddDate(0, -months, 0)
	// the schedules the account may take
	cur, err := q.TariffVersions(ctx, TariffFilter{Code: a.RateSchedule})
	if err != nil {
		return in, err
	}
	if len(cur) == 0 {
		return in, apperr.NotFoundf(op, "no stored tariff for the account's schedule %s", a.RateSchedule)
	}
	utility, sector := cur[0].Version.Utility, cur[0].Version.Sector
	all, err := q.TariffVersions(ctx, TariffFilter{Utility: utility, Sector: sector})
	if err != nil {
		return in, err
	}
	in.Schedules = map[string][]*tariff.Version{}
	for i := range all {
		v := all[i].Version
		if strings.EqualFold(v.Sector, sector) {
			in.Schedules[v.Code] = append(in.Schedules[v.Code], &v)
		}
	}
	// bill only months the current schedule has a version for
	first := calendar.Date{}
	for _, v := range in.Schedules[a.RateSchedule] {
		if first.IsZero() || v.From.Before(first) {
			first = v.From
		}
	}
	if fs := first.In(calendar.Pacific); fs.After(startT) {
		startT = time.Date(fs.Year(), fs.Month(), 1, 0, 0, 0, 0, calendar.Pacific)
		if fs.Day() != 1 {
			startT = startT.AddDate(0, 1, 0)
		}
	}
	if !startT.Before(end) {
		return in, apperr.NotFoundf(op, "the stored %s versions start %s, after the account's readings", a.RateSchedule, first)
	}
	for m := startT; m.Before(end); m = m.AddDate(0, 1, 0) {
		in.Periods = append(in.Periods, calendar.Period{Start: calendar.DateOf(m), End: calendar.DateOf(m.AddDate(0, 1, 0))})
	}
	// the account's use: its meters' delivered and received channels
	ms, err := q.Meters(ctx, accountID)
	if err != nil {
		return in, err
	}
	var step time.Duration
	for _, m := range ms {
		if step == 0 || time.Duration(m.IntervalSeconds)*time.Second < step {
			step = time.Duration(m.IntervalSeconds) * time.Second
		}
	}
	if step == 0 {
		return in, apperr.NotFoundf(op, "account %s has no meter", a.Number)
	}
	n := int(end.Sub(startT) / step)
	in.Usage = billing.Usage{Start: startT.UTC(), Step: step, Delivered: make([]energy.Wh, n)}
	for i := range in.Usage.Delivered {
		in.Usage.Delivered[i] = billing.Missing
	}
	for _, m := range ms {
		for _, ch := range m.Channels {
			if time.Duration(ch.IntervalSeconds)*time.Second != step {
				continue
			}
			into := &in.Usage.Delivered
			if ch.Direction == customer.Received {
				if in.Usage.Received == nil {
					in.Usage.Received = make([]energy.Wh, n)
				}
				into = &in.Usage.Received
			}
			for lo := startT; lo.Before(end); lo = lo.AddDate(0, 6, 0) {
				hi := lo.AddDate(0, 6, 0)
				if hi.After(end) {
					hi = end
				}
				s, err := q.Intervals(ctx, ch.ID, lo, hi)
				if err != nil {
					return in, err
				}
				off := int(lo.Sub(startT) / step)
				for i, v := range s.Values {
					if v == Missing {
						continue
					}
					if (*into)[off+i] == billing.Missing {
						(*into)[off+i] = 0
					}
					(*into)[off+i] += v
				}
			}
		}
	}
	return in, nil
}
