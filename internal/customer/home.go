package customer

import (
	"math"
	"slices"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

// Home describes the building at a premise, as home energy reports and
// the Energy Team need it: what kind of dwelling, how it is heated, how
// big and how old it is, and where it stands. Every attribute is optional
// (the zero value is "unknown"); a neighbor comparison that needs one that
// is missing falls back to a coarser grouping and says so.
type Home struct {
	// DwellingType is single_family, multifamily (a unit in a building of
	// two or more) or mobile_home; "" when unknown.
	DwellingType string `json:"dwelling_type"`
	// HeatingFuel is the main space-heating fuel: gas, electric
	// (resistance), heat_pump, propane, wood or none; "" when unknown.
	HeatingFuel string `json:"heating_fuel"`
	// FloorAreaSqFt is the conditioned floor area in square feet; 0 when
	// unknown.
	FloorAreaSqFt int `json:"floor_area_sqft"`
	// YearBuilt is the year the building was completed; 0 when unknown.
	YearBuilt int `json:"year_built"`
	// Location is where the premise stands, with where the coordinates
	// came from; nil when unknown.
	Location *Location `json:"location"`
}

// Location is a premise's coordinates (WGS 84 decimal degrees, stored to
// the micro-degree, about 0.1 m) and their source.
type Location struct {
	Lat    float64 `json:"lat"`
	Lon    float64 `json:"lon"`
	Source string  `json:"source"`
}

// Dwelling types, heating fuels and location sources a Home may record.
var (
	DwellingTypes   = []string{"single_family", "multifamily", "mobile_home"}
	HeatingFuels    = []string{"gas", "electric", "heat_pump", "propane", "wood", "none"}
	LocationSources = []string{
		"geocoded", // an address geocoder's rooftop or interpolated point
		"parcel",   // the county assessor parcel's centroid
		"surveyed", // measured on site (GPS at a home visit)
		"customer", // given by the customer
		"demo",     // synthetic demonstration data
	}
)

// California's extent, for checking coordinates: latitude 32°32′ N to
// 42° N, longitude 114°8′ W to 124°26′ W (the state's bounding box as the
// US Census Bureau's TIGER state boundary gives it, rounded outwards).
const (
	caMinLat, caMaxLat = 32.5, 42.01
	caMinLon, caMaxLon = -124.45, -114.13
)

// Plausibility bounds: a conditioned floor area of 100 to 30,000 square
// feet and a year built from 1700 (California's oldest standing buildings
// are mission-era adobes) to next year (homes under construction).
// Gridbook's bounds, not a rule of any program.
const (
	minFloorArea, maxFloorArea = 100, 30_000
	minYearBuilt               = 1700
)

// Known reports whether every attribute a neighbor comparison needs is
// recorded: dwelling type, heating fuel, floor area and location.
func (h Home) Known() bool { return len(h.Missing()) == 0 }

// Missing names the attributes a neighbor comparison needs that are not
// recorded, by their field names.
func (h Home) Missing() []string {
	var out []string
	if h.DwellingType == "" {
		out = append(out, "dwelling_type")
	}
	if h.HeatingFuel == "" {
		out = append(out, "heating_fuel")
	}
	if h.FloorAreaSqFt == 0 {
		out = append(out, "floor_area_sqft")
	}
	if h.Location == nil {
		out = append(out, "location")
	}
	return out
}

// check validates the attributes into f, normalizing spelling. thisYear
// bounds the year built (next year at the latest); 0 skips that bound.
func (h *Home) check(f *apperr.Fields, thisYear int) {
	h.DwellingType = strings.ToLower(strings.TrimSpace(h.DwellingType))
	h.HeatingFuel = strings.ToLower(strings.TrimSpace(h.HeatingFuel))
	if h.DwellingType != "" && !slices.Contains(DwellingTypes, h.DwellingType) {
		f.Add("dwelling_type", "must be one of %s, not %q", strings.Join(DwellingTypes, ", "), h.DwellingType)
	}
	if h.HeatingFuel != "" && !slices.Contains(HeatingFuels, h.HeatingFuel) {
		f.Add("heating_fuel", "must be one of %s, not %q", strings.Join(HeatingFuels, ", "), h.HeatingFuel)
	}
	if a := h.FloorAreaSqFt; a != 0 && (a < minFloorArea || a > maxFloorArea) {
		f.Add("floor_area_sqft", "must be %d to %d square feet, not %d", minFloorArea, maxFloorArea, a)
	}
	switch y := h.YearBuilt; {
	case y == 0:
	case y < minYearBuilt:
		f.Add("year_built", "must be a year from %d, not %d", minYearBuilt, y)
	case thisYear > 0 && y > thisYear+1:
		f.Add("year_built", "must not be later than %d (next year), not %d", thisYear+1, y)
	}
	if l := h.Location; l != nil {
		l.Source = strings.ToLower(strings.TrimSpace(l.Source))
		if math.IsNaN(l.Lat) || l.Lat < caMinLat || l.Lat > caMaxLat {
			f.Add("location.lat", "must be a latitude in California (%.2f to %.2f degrees north), not %v", caMinLat, caMaxLat, l.Lat)
		}
		if math.IsNaN(l.Lon) || l.Lon < caMinLon || l.Lon > caMaxLon {
			f.Add("location.lon", "must be a longitude in California (%.2f to %.2f, west negative), not %v", caMinLon, caMaxLon, l.Lon)
		}
		if !slices.Contains(LocationSources, l.Source) {
			f.Add("location.source", "must say where the coordinates come from: one of %s", strings.Join(LocationSources, ", "))
		}
		l.Lat, l.Lon = math.Round(l.Lat*1e6)/1e6, math.Round(l.Lon*1e6)/1e6
	}
}

// ResolveOn resolves the premise like Resolve and also checks the home's
// year built against today's year (at most next year).
func (p *Premise) ResolveOn(ref Lookup, today calendar.Date) error {
	return p.resolve(ref, today.Year)
}

// Micro returns a coordinate in micro-degrees, as stored.
func Micro(deg float64) int64 { return int64(math.Round(deg * 1e6)) }

// FromMicro returns micro-degrees as degrees.
func FromMicro(m int64) float64 { return float64(m) / 1e6 }
