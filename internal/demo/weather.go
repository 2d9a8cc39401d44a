package demo

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/solar"
)

// slot is one interval of the demo year, with what the load and solar
// models need to know about it.
type slot struct {
	day     int     // day of the year, 0-based
	hour    float64 // local clock hour at the interval's midpoint, 0–24
	weekend bool    // Saturday, Sunday or a utility holiday
	month   int     // local month 0–11
}

// layout is the demo year cut into intervals of one length, built once with
// calendar.Intervals so the spring-forward day has 23 hours and the
// fall-back day 25.
type layout struct {
	step   time.Duration
	slots  []slot
	months [13]int // index of each local month's first slot; months[12] = len(slots)
	// sun is the clear-sky output of 1 kW of south-facing PV (watts) at the
	// interval's midpoint.
	sun []float32
	// zones holds each climate zone's weather year on these slots.
	zones map[int]*weather
}

func newLayout(year int, step time.Duration) *layout {
	l := &layout{step: step, zones: map[int]*weather{}}
	hol := calendar.UtilityHolidays()
	first := calendar.Date{Year: year, Month: time.January, Day: 1}
	end := calendar.Date{Year: year + 1, Month: time.January, Day: 1}
	for d, day := first, 0; d.Before(end); d, day = d.Next(), day+1 {
		if d.Day == 1 {
			l.months[int(d.Month)-1] = len(l.slots)
		}
		_, holiday := hol.Holiday(d)
		wd := d.Weekday()
		weekend := holiday || wd == time.Saturday || wd == time.Sunday
		for _, t := range calendar.Intervals(d, step) {
			mid := t.Add(step / 2)
			lt := mid.In(calendar.Pacific)
			h := float64(lt.Hour()) + float64(lt.Minute())/60 + float64(lt.Second())/3600
			l.slots = append(l.slots, slot{day: day, hour: h, weekend: weekend, month: int(d.Month) - 1})
			l.sun = append(l.sun, float32(clearSkyPV(mid)))
		}
	}
	l.months[12] = len(l.slots)
	return l
}

// Site constants for the solar model: the middle of CPA's territory
// (latitude 34.1° N, longitude 118.6° W) and a typical residential array
// (20° tilt facing due south). Demo assumptions.
const (
	siteLat  = 34.1
	siteLon  = -118.6
	pvTilt   = 20.0
	pvDerate = 0.77 // system losses: PVWatts' default 14% plus module heating and inverter clipping on hot, clear days
)

// clearSkyPV returns the output in watts of 1 kW(dc) of PV at instant t on
// a clear day at the demo's site (solar.ClearSky: the textbook geometry
// and Meinel & Meinel's clear-sky beam).
func clearSkyPV(t time.Time) float64 {
	return solar.ClearSky(t, solar.Site{Latitude: siteLat, Longitude: siteLon, Tilt: pvTilt, Derate: pvDerate})
}

// zoneClimate are the parameters of a climate zone's synthetic daily mean
// temperature: annual mean and half-range (°C), the day of the year of the
// warmest normal day, the typical day–night swing, and how many days a year
// bring rain clouds (winter) or marine-layer mornings (May–June). They are
// rough shapes of the CZ2010 typical-year files for the zone's stations
// (e.g. LAX about 14 °C in January and 21 °C in August; downtown Los Angeles
// about 14 °C and 25 °C; Palmdale about 7 °C and 27 °C), chosen by us for
// demo data — not weather records.
type zoneClimate struct {
	mean, amp float64
	warmest   int
	swing     float64
	rainDays  float64 // expected cloudy days in Nov–Mar
	gloom     float64 // chance of a marine-layer morning in May–June
}

var climates = map[int]zoneClimate{
	5:  {mean: 14.5, amp: 3.0, warmest: 235, swing: 10, rainDays: 18, gloom: 0.6},
	6:  {mean: 17.5, amp: 3.5, warmest: 230, swing: 8, rainDays: 16, gloom: 0.6},
	8:  {mean: 18.5, amp: 4.5, warmest: 222, swing: 10, rainDays: 16, gloom: 0.45},
	9:  {mean: 19.0, amp: 5.5, warmest: 215, swing: 12, rainDays: 16, gloom: 0.3},
	10: {mean: 18.5, amp: 7.0, warmest: 210, swing: 15, rainDays: 14, gloom: 0.15},
	14: {mean: 17.0, amp: 10.0, warmest: 200, swing: 16, rainDays: 10, gloom: 0},
}

// defaultClimate serves a zone with no entry above.
var defaultClimate = zoneClimate{mean: 16, amp: 6, warmest: 215, swing: 12, rainDays: 16, gloom: 0.2}

// weather is one climate zone's synthetic year, per slot of a layout.
type weather struct {
	temp []float32 // outdoor air temperature, °C
	sun  []float32 // PV output of 1 kW(dc), W, after clouds
	// yield is the year's PV output of 1 kW(dc), Wh.
	yield float64
}

// dailyWeather draws a zone's daily mean temperatures and sky factors for
// the year: a seasonal cosine plus AR(1) noise (φ = 0.75, stationary
// σ ≈ 2.2 °C) that makes runs of warm and cool days, and cloud factors —
// rain clouds on random winter days (output × 0.25–0.6) and marine-layer
// mornings in May and June (morning output × 0.5). The draws come from a
// PCG stream keyed by the seed and the zone, so all premises of a zone share
// one weather year.
func dailyWeather(seed int64, zone, days int) (mean, cloud, gloom []float64) {
	c, ok := climates[zone]
	if !ok {
		c = defaultClimate
	}
	r := rand.New(rand.NewPCG(uint64(seed), 0x77ea7e<<8|uint64(zone)))
	mean, cloud, gloom = make([]float64, days), make([]float64, days), make([]float64, days)
	var noise float64
	for d := range days {
		noise = 0.75*noise + 1.45*r.NormFloat64()
		mean[d] = c.mean + c.amp*math.Cos(2*math.Pi*float64(d-c.warmest)/365) + noise
		cloud[d], gloom[d] = 1, 1
		winter := d < 90 || d >= 305
		if winter && r.Float64() < c.rainDays/151 {
			cloud[d] = 0.25 + 0.35*r.Float64()
		} else {
			cloud[d] = 0.92 + 0.08*r.Float64() // haze
		}
		if d >= 120 && d < 181 && r.Float64() < c.gloom {
			gloom[d] = 0.5
		}
	}
	return mean, cloud, gloom
}

// newWeather lays a zone's daily weather onto the slots of l: the hourly
// temperature swings around the daily mean with its peak at 15:00, and PV
// output is the clear-sky output times the day's cloud factor (and the
// gloom factor before 11:00).
func newWeather(l *layout, seed int64, zone int) *weather {
	c, ok := climates[zone]
	if !ok {
		c = defaultClimate
	}
	mean, cloud, gloom := dailyWeather(seed, zone, l.slots[len(l.slots)-1].day+1)
	w := &weather{temp: make([]float32, len(l.slots)), sun: make([]float32, len(l.slots))}
	hours := l.step.Hours()
	for i, s := range l.slots {
		w.temp[i] = float32(mean[s.day] + c.swing/2*math.Cos(2*math.Pi*(s.hour-15)/24))
		f := cloud[s.day]
		if s.hour < 11 {
			f *= gloom[s.day]
		}
		w.sun[i] = l.sun[i] * float32(f)
		w.yield += float64(w.sun[i]) * hours
	}
	return w
}
