package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/store"
)

// homeWeekday and homeWeekend are the hourly shape (0–1) of a household's
// occupancy-driven load: low at night, a morning peak around 7–8, a midday
// lull on weekdays and the evening peak at 18–20. They are our own shape in
// the spirit of the published residential load profiles (e.g. SCE's
// dynamic load profiles), not a copy of one.
var (
	homeWeekday = [24]float64{0.30, 0.26, 0.24, 0.23, 0.24, 0.32, 0.55, 0.80, 0.75, 0.55, 0.45, 0.42,
		0.42, 0.42, 0.45, 0.55, 0.72, 0.92, 1.00, 1.00, 0.95, 0.85, 0.65, 0.45}
	homeWeekend = [24]float64{0.35, 0.30, 0.26, 0.24, 0.24, 0.27, 0.35, 0.50, 0.70, 0.80, 0.78, 0.72,
		0.68, 0.65, 0.65, 0.68, 0.78, 0.92, 1.00, 1.00, 0.95, 0.85, 0.68, 0.48}
)

// Load model constants (demo assumptions).
const (
	coolLagHours   = 2    // houses and buildings heat up: cooling follows the air temperature 2 h late
	heatBalance    = 15.5 // °C below which homes heat
	bizCoolBalance = 22.0 // °C above which businesses cool
	bizCoolPerC    = 0.035
	applianceRate  = 0.06 // chance per hour of a big appliance run (oven, dryer, dishwasher)
	evWeekdayShare = 0.7  // share of weekdays an EV is plugged in
	evWeekendShare = 0.45
)

// buffers are one worker's scratch arrays, reused across accounts.
type buffers struct {
	load, pv []float64
	del, rec []energy.Wh
}

// channelData is a channel's year, packed by month.
type channelData struct {
	months []store.PackedMonth
	sum    energy.Wh
	n      int
}

// intervals draws the account's year of readings: delivered, and received
// when it has solar. All values are whole Wh and non-negative; in each
// interval at most one of the two is non-zero.
func (g *generator) intervals(p *plan, r *rand.Rand, b *buffers) (del, rec *channelData, err error) {
	l := g.hourly
	if p.meter.IntervalSeconds == 900 {
		l = g.quarter
	}
	w := l.zones[p.place.zone]
	n := len(l.slots)
	if cap(b.load) < n {
		b.load, b.pv = make([]float64, n), make([]float64, n)
		b.del, b.rec = make([]energy.Wh, n), make([]energy.Wh, n)
	}
	load, pv := b.load[:n], b.pv[:n]
	if p.load.kind == kindHome {
		homeLoad(p, l, w, r, load)
	} else {
		businessLoad(p, l, w, r, load)
	}
	hours := l.step.Hours()
	var kw float64
	if p.solar {
		var annual float64
		for _, x := range load {
			annual += x * hours
		}
		kw = math.Min(math.Max(p.load.solarShare*annual/w.yield, p.load.solarMin), p.load.solarMax)
	}
	delWh, recWh := b.del[:n], b.rec[:n]
	for i, x := range load {
		s := kw * float64(w.sun[i])
		pv[i] = s
		delWh[i] = energy.Wh(math.Round(math.Max(x-s, 0) * hours))
		recWh[i] = energy.Wh(math.Round(math.Max(s-x, 0) * hours))
	}
	if del, err = g.pack(l, delWh); err != nil {
		return nil, nil, err
	}
	if p.solar {
		if rec, err = g.pack(l, recWh); err != nil {
			return nil, nil, err
		}
	}
	return del, rec, nil
}

func (g *generator) pack(l *layout, vals []energy.Wh) (*channelData, error) {
	c := &channelData{months: make([]store.PackedMonth, 12), n: len(vals)}
	for m := range 12 {
		pm, err := store.PackMonth(g.year, time.Month(m+1), l.step, vals[l.months[m]:l.months[m+1]])
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		c.months[m] = pm
		c.sum += pm.Sum
	}
	return c, nil
}

// uniforms splits one 64-bit draw into four uniform numbers in [0, 1).
func uniforms(r *rand.Rand) (a, b, c, d float64) {
	x := r.Uint64()
	const k = 1.0 / 65536
	return float64(x&0xffff) * k, float64(x>>16&0xffff) * k, float64(x>>32&0xffff) * k, float64(x>>48) * k
}

// homeLoad fills load (W per slot) for a household: always-on load, the
// occupancy shape with noise, occasional appliance runs, cooling above the
// setpoint (lagged), heating below 15.5 °C, a pool pump at midday, and EV
// charging from an evening plug-in until the day's need is met.
func homeLoad(p *plan, l *layout, w *weather, r *rand.Rand, load []float64) {
	m := &p.load
	hours := l.step.Hours()
	lag := int(coolLagHours / hours)
	curDay, plugAt, pending, remaining := -1, 0.0, 0.0, 0.0
	for i, s := range l.slots {
		u1, u2, u3, u4 := uniforms(r)
		prof := &homeWeekday
		if s.weekend {
			prof = &homeWeekend
		}
		h := min(int(s.hour), 23)
		x := m.baseW*(0.95+0.1*u3) + m.activityW*prof[h]*(1+0.36*(u1+u2-1))
		if u4 < applianceRate*hours*1.5*prof[h] { // appliances run when people are up
			x += 400 + 1600*r.Float64()
		}
		if m.coolW > 0 {
			if t := float64(w.temp[max(i-lag, 0)]); t > m.setpoint {
				x += m.coolW * (t - m.setpoint)
			}
		}
		if t := float64(w.temp[i]); t < heatBalance {
			x += m.heatW * (heatBalance - t)
		}
		if m.poolW > 0 {
			summer := s.month >= 4 && s.month <= 9
			if summer && s.hour >= 10 && s.hour < 16 || !summer && s.hour >= 11 && s.hour < 14 {
				x += m.poolW
			}
		}
		if m.evW > 0 {
			if s.day != curDay {
				curDay = s.day
				share := evWeekdayShare
				if s.weekend {
					share = evWeekendShare
				}
				a, b, c, _ := uniforms(r)
				pending = 0
				if a < share {
					plugAt = m.evPlugFrom + m.evPlugSpan*b
					pending = m.evDailyWh / share * (0.6 + 0.8*c) // Wh
				}
			}
			if pending > 0 && s.hour >= plugAt {
				remaining += pending
				pending = 0
			}
			if remaining > 0 {
				c := math.Min(m.evW, remaining/hours)
				remaining -= c * hours
				x += c
			}
		}
		load[i] = x
	}
}

// trapezoid is 0 before a, rises to 1 at b, stays 1 until c and falls to 0
// at d (hours).
func trapezoid(h, a, b, c, d float64) float64 {
	switch {
	case h <= a || h >= d:
		return 0
	case h < b:
		return (h - a) / (b - a)
	case h <= c:
		return 1
	default:
		return (d - h) / (d - c)
	}
}

// occupancy is how busy a non-residential premise is (0–1) at a slot.
func occupancy(k loadKind, s slot) float64 {
	h := s.hour
	switch k {
	case kindOffice:
		if s.weekend {
			return 0.08
		}
		return trapezoid(h, 6, 8, 17, 19)
	case kindRetail:
		o := trapezoid(h, 8, 9.5, 20.5, 22)
		if s.weekend {
			o *= 0.9
		}
		return o
	case kindRestaurant:
		return 0.55*trapezoid(h, 9.5, 10.5, 21.5, 22.5) + 0.45*(trapezoid(h, 11, 12, 13, 14)+trapezoid(h, 17, 18, 20, 21))
	case kindIndustrial:
		o := trapezoid(h, 5.5, 6.5, 15.5, 16.5)
		if s.weekend {
			o *= 0.25
		}
		return o
	case kindAllDay:
		return 0.8 + 0.2*trapezoid(h, 6, 8, 20, 22)
	case kindPumping:
		// Pumps run at night and in the morning and avoid the 4–9 pm
		// on-peak; irrigation peaks in summer (Jun–Sep), little in winter.
		o := 1.0
		switch {
		case h >= 16 && h < 21:
			o = 0.2
		case h >= 10 && h < 16:
			o = 0.7
		}
		switch {
		case s.month >= 5 && s.month <= 8:
			o *= 1.5
		case s.month == 11 || s.month <= 1:
			o *= 0.5
		}
		return o
	}
	return 1
}

// baseShare is the always-on share of a non-residential load.
func baseShare(k loadKind) float64 {
	switch k {
	case kindAllDay:
		return 0.7
	case kindPumping:
		return 0.05
	case kindRetail, kindIndustrial:
		return 0.25
	}
	return 0.3
}

// businessLoad fills load (W) for a non-residential account: base load plus
// occupancy, cooling above 22 °C weighted by occupancy, noise, scaled so the
// year's mean demand is the plan's average kW.
func businessLoad(p *plan, l *layout, w *weather, r *rand.Rand, load []float64) {
	m := &p.load
	base := baseShare(m.kind)
	var total float64
	for i, s := range l.slots {
		u1, u2, _, _ := uniforms(r)
		occ := occupancy(m.kind, s)
		x := base + (1-base)*occ
		if t := float64(w.temp[i]); t > bizCoolBalance && m.kind != kindPumping {
			x += bizCoolPerC * (t - bizCoolBalance) * (0.4 + 0.6*occ)
		}
		x *= 1 + 0.2*(u1+u2-1)
		load[i] = x
		total += x
	}
	scale := m.avgKW * 1000 * float64(len(load)) / total
	for i := range load {
		load[i] *= scale
	}
}
