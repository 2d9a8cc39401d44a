// Package solar estimates the output of a photovoltaic array from solar
// geometry: the clear-sky output of 1 kW(dc) at an instant, and hourly
// shapes that spread a known energy over hours in proportion to it. It
// is used where no meter recorded a generator (a late meter's days) and
// to synthesize demo data.
package solar

import (
	"math"
	"time"
)

// Site is where an array is and how it is mounted.
type Site struct {
	// Latitude and Longitude in degrees (north and east positive).
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	// Tilt is the array's tilt from horizontal in degrees; the array faces
	// due south.
	Tilt float64 `json:"tilt"`
	// Derate is the share of the plane-of-array output delivered after
	// system losses (1 for none).
	Derate float64 `json:"derate"`
}

// ClearSky returns the output in watts of 1 kW(dc) of PV at site at
// instant t on a clear day. The geometry is the textbook one (Duffie &
// Beckman, Solar Engineering of Thermal Processes, ch. 1): Cooper's
// declination, the equation of time, the hour angle from UTC and
// longitude, and the angle of incidence on a south-facing tilted plane.
// Beam irradiance on a clear day follows Meinel & Meinel's air-mass rule
// I = 1353 · 0.7^(AM^0.678) W/m², diffuse is taken as 10% of the beam,
// and 1 kW(dc) makes 1 kW at 1,000 W/m² before the derate.
func ClearSky(t time.Time, site Site) float64 {
	t = t.UTC()
	n := float64(t.YearDay())
	rad := math.Pi / 180
	decl := 23.45 * math.Sin(2*math.Pi*(284+n)/365) * rad
	b := 2 * math.Pi * (n - 81) / 364
	eot := 9.87*math.Sin(2*b) - 7.53*math.Cos(b) - 1.5*math.Sin(b) // minutes
	utcHours := float64(t.Hour()) + float64(t.Minute())/60 + float64(t.Second())/3600
	solarHours := utcHours + site.Longitude/15 + eot/60
	omega := (solarHours - 12) * 15 * rad
	lat := site.Latitude * rad
	sinAlt := math.Sin(lat)*math.Sin(decl) + math.Cos(lat)*math.Cos(decl)*math.Cos(omega)
	if sinAlt <= 0.01 {
		return 0
	}
	am := 1 / sinAlt
	beam := 1353 * math.Pow(0.7, math.Pow(am, 0.678))
	tilted := lat - site.Tilt*rad
	cosInc := math.Sin(tilted)*math.Sin(decl) + math.Cos(tilted)*math.Cos(decl)*math.Cos(omega)
	poa := beam*math.Max(cosInc, 0) + 0.1*beam*sinAlt
	return poa * site.Derate // W per kW(dc)
}

// HourlyShare returns, for each clock hour [from, to) (instants on clock
// hours, UTC), the share of year's energy that falls in it under the
// clear-sky shape at site: ClearSky at the hour's midpoint divided by the
// sum over every hour of the calendar year in the location loc. Spreading
// a generator's expected annual production by these shares gives an
// hourly estimate whose year adds up to that production.
func HourlyShare(from, to time.Time, year int, loc *time.Location, site Site) []float64 {
	y0 := time.Date(year, time.January, 1, 0, 0, 0, 0, loc).UTC()
	y1 := time.Date(year+1, time.January, 1, 0, 0, 0, 0, loc).UTC()
	var total float64
	for at := y0; at.Before(y1); at = at.Add(time.Hour) {
		total += ClearSky(at.Add(30*time.Minute), site)
	}
	var out []float64
	for at := from; at.Before(to); at = at.Add(time.Hour) {
		s := 0.0
		if total > 0 {
			s = ClearSky(at.Add(30*time.Minute), site) / total
		}
		out = append(out, s)
	}
	return out
}
