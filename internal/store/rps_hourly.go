package store

import (
	"context"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/rps"
)

// GreenProductHours is a green product's year hour by hour: the load of
// the accounts enrolled in it and the hourly generation reported by the
// facilities behind it, both on the year's clock hours in Pacific time.
type GreenProductHours struct {
	Year     int
	Start    time.Time // the year's first hour (UTC)
	Accounts int       // accounts enrolled on 1 July with a delivered channel
	Load     []energy.Wh
	Gen      []energy.Wh
	// MonthsWithoutHourly counts facility-months reported without hourly
	// values: their generation cannot be matched by hour and is left out.
	MonthsWithoutHourly int
}

// HourOfDay returns the Pacific hour of day of index i.
func (g *GreenProductHours) HourOfDay(i int) int {
	return g.Start.Add(time.Duration(i) * time.Hour).In(calendar.Pacific).Hour()
}

// GreenProductHourly gathers a green product's year: every account
// enrolled in program on 1 July of year contributes its delivered channels
// summed to clock hours (missing readings count as zero), and every
// facility its reports' hourly values (latest revisions).
func (q queries) GreenProductHourly(ctx context.Context, program string, facilities []int64, year int) (GreenProductHours, error) {
	if year < 2011 || year > 9998 {
		var f apperr.Fields
		f.Add("year", "want a year from 2011")
		return GreenProductHours{}, f.Err("store.GreenProductHourly")
	}
	start := calendar.Date{Year: year, Month: time.January, Day: 1}.Start()
	end := calendar.Date{Year: year + 1, Month: time.January, Day: 1}.Start()
	n := int(end.Sub(start) / time.Hour)
	g := GreenProductHours{Year: year, Start: start, Load: make([]energy.Wh, n), Gen: make([]energy.Wh, n)}
	for after := int64(0); ; {
		accts, err := q.Accounts(ctx, AccountFilter{Program: program, On: calendar.Date{Year: year, Month: time.July, Day: 1}, After: after, Limit: 500})
		if err != nil {
			return g, err
		}
		if len(accts) == 0 {
			break
		}
		for _, a := range accts {
			after = a.ID
			counted := false
			meters, err := q.Meters(ctx, a.ID)
			if err != nil {
				return g, err
			}
			for _, m := range meters {
				for _, ch := range m.Channels {
					if ch.Direction != customer.Delivered {
						continue
					}
					s, err := q.Intervals(ctx, ch.ID, start, end)
					if err != nil {
						return g, err
					}
					addHourly(g.Load, start, s)
					counted = true
				}
			}
			if counted {
				g.Accounts++
			}
		}
	}
	for _, id := range facilities {
		i := 0
		for m := (rps.Month{Year: year, Month: time.January}); m.Year == year; m = m.AddMonths(1) {
			hours := m.Hours()
			rep, ok, err := q.RecLatestReport(ctx, id, m)
			if err != nil {
				return g, err
			}
			switch {
			case ok && len(rep.Hourly) == hours:
				for k, v := range rep.Hourly {
					g.Gen[i+k] += v
				}
			case ok:
				g.MonthsWithoutHourly++
			}
			i += hours
		}
	}
	return g, nil
}

// addHourly adds a series' present readings into hourly buckets from start.
func addHourly(dst []energy.Wh, start time.Time, s meterdata.Series) {
	for i, v := range s.Values {
		if v == meterdata.Missing {
			continue
		}
		k := int(s.Start.Add(time.Duration(i)*s.Step).Sub(start) / time.Hour)
		if k >= 0 && k < len(dst) {
			dst[k] += v
		}
	}
}
