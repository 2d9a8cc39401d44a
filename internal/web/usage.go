package web

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/store"
)

// usageMonths is how many months the monthly usage charts show: the last
// year for which readings are stored.
const usageMonths = 12

// currentMeter picks the meter whose readings an account page shows: the
// installed one most recently installed, else the last removed one.
func currentMeter(ms []customer.Meter) (customer.Meter, bool) {
	better := func(m, than customer.Meter) bool {
		if m.Removed.IsZero() != than.Removed.IsZero() {
			return m.Removed.IsZero()
		}
		return m.Installed.After(than.Installed)
	}
	var best customer.Meter
	found := false
	for _, m := range ms {
		if !found || better(m, best) {
			best, found = m, true
		}
	}
	return best, found
}

// channelLabel names a channel's direction in chart legends; portal
// legends use words a customer knows.
func channelLabel(d customer.Direction, portal bool) string {
	switch {
	case d == customer.Delivered && portal:
		return "Used from the grid"
	case d == customer.Received && portal:
		return "Sent to the grid"
	case d == customer.Delivered:
		return "Delivered"
	case d == customer.Received:
		return "Received"
	}
	return string(d)
}

// monthlyUsage builds a bar chart of the meter's stored energy per month
// (kWh), one series per channel, over the last usageMonths months that have
// readings. ok is false when the meter has no readings at all.
func (h *handler) monthlyUsage(ctx context.Context, m customer.Meter, title string, portal bool) (Chart, bool, error) {
	totals := map[customer.Direction]map[string]energy.Wh{}
	var months []string
	for _, ch := range m.Channels {
		counts, err := h.db.MonthlyTotals(ctx, ch.ID)
		if err != nil {
			return Chart{}, false, err
		}
		byMonth := map[string]energy.Wh{}
		for _, c := range counts {
			byMonth[c.Label] = energy.Wh(c.N)
			if !slices.Contains(months, c.Label) {
				months = append(months, c.Label)
			}
		}
		totals[ch.Direction] = byMonth
	}
	if len(months) == 0 {
		return Chart{}, false, nil
	}
	slices.Sort(months)
	if len(months) > usageMonths {
		months = months[len(months)-usageMonths:]
	}
	c := Chart{Title: title, Kind: ChartBars, Unit: "kWh"}
	for _, mo := range months {
		c.Labels = append(c.Labels, monthLabel(mo))
	}
	for _, ch := range m.Channels {
		s := Series{Label: channelLabel(ch.Direction, portal)}
		for _, mo := range months {
			wh, ok := totals[ch.Direction][mo]
			if !ok {
				s.Values = append(s.Values, math.NaN())
				continue
			}
			s.Values = append(s.Values, kwhFloat(wh))
		}
		c.Series = append(c.Series, s)
	}
	return c, true, nil
}

// lastMonth returns the newest month ("YYYY-MM") with stored readings on
// any of the meter's channels, or "".
func (h *handler) lastMonth(ctx context.Context, m customer.Meter) (string, error) {
	last := ""
	for _, ch := range m.Channels {
		counts, err := h.db.MonthlyTotals(ctx, ch.ID)
		if err != nil {
			return "", err
		}
		if n := len(counts); n > 0 && counts[n-1].Label > last {
			last = counts[n-1].Label
		}
	}
	return last, nil
}

// lastDayWithData finds the newest Pacific day, no later than today, with
// at least one reading on the meter's delivered channel (or its first
// channel); ok is false when there is none.
func (h *handler) lastDayWithData(ctx context.Context, m customer.Meter, today calendar.Date) (calendar.Date, bool, error) {
	if len(m.Channels) == 0 {
		return calendar.Date{}, false, nil
	}
	month, err := h.lastMonth(ctx, m)
	if err != nil || month == "" {
		return calendar.Date{}, false, err
	}
	first, err := calendar.ParseDate(month + "-01")
	if err != nil {
		return calendar.Date{}, false, err
	}
	next := time.Date(first.Year, first.Month+1, 1, 0, 0, 0, 0, time.UTC) // normalizes December + 1
	end := calendar.Date{Year: next.Year(), Month: next.Month(), Day: 1}
	if end.After(today.Next()) {
		end = today.Next()
	}
	ch := m.Channels[0]
	for _, c := range m.Channels {
		if c.Direction == customer.Delivered {
			ch = c
		}
	}
	s, err := h.db.Intervals(ctx, ch.ID, first.Start(), end.Start())
	if err != nil {
		return calendar.Date{}, false, err
	}
	for i := len(s.Values) - 1; i >= 0; i-- {
		if s.Values[i] != store.Missing {
			return calendar.DateOf(s.Start.Add(time.Duration(i) * s.Step)), true, nil
		}
	}
	return calendar.Date{}, false, nil
}

// dayProfile builds the load profile of one Pacific day: the average power
// of every interval (kW) on each channel. DST days have 23 or 25 hours and
// the chart follows them (calendar.Date.Start). ok is false when the day
// has no readings.
func (h *handler) dayProfile(ctx context.Context, m customer.Meter, day calendar.Date) (Chart, bool, error) {
	c := Chart{Kind: ChartArea, Unit: "kW", Height: 260}
	seen := false
	for _, ch := range m.Channels {
		s, err := h.db.Intervals(ctx, ch.ID, day.Start(), day.Next().Start())
		if err != nil {
			return Chart{}, false, err
		}
		if c.Times == nil {
			for i := range s.Values {
				c.Times = append(c.Times, s.Start.Add(time.Duration(i)*s.Step))
			}
			c.Title = fmt.Sprintf("Load profile, %s (%d-minute average kW)", longDate(day), int(s.Step/time.Minute))
		}
		if len(s.Values) != len(c.Times) {
			continue // a channel with another interval length cannot share the x axis
		}
		series := Series{Label: channelLabel(ch.Direction, false)}
		for _, v := range s.Values {
			if v == store.Missing {
				series.Values = append(series.Values, math.NaN())
				continue
			}
			seen = true
			series.Values = append(series.Values, float64(energy.AveragePower(v, s.Step))/1000)
		}
		c.Series = append(c.Series, series)
	}
	return c, seen, nil
}

// kwhFloat converts Wh to kWh for a chart (display only).
func kwhFloat(wh energy.Wh) float64 { return float64(wh) / float64(energy.WhPerKWh) }

// monthLabel turns "2026-03" into "Mar '26" for a chart axis.
func monthLabel(ym string) string {
	t, err := time.Parse("2006-01", ym)
	if err != nil {
		return ym
	}
	return t.Format("Jan '06")
}

// longDate formats a civil date as "Mar 8, 2026".
func longDate(d calendar.Date) string {
	return fmt.Sprintf("%s %d, %d", d.Month.String()[:3], d.Day, d.Year)
}

// intervalLabel is the template func "minutes": an interval length in
// seconds as "15 min".
func intervalLabel(seconds int) string { return fmt.Sprintf("%d min", seconds/60) }
