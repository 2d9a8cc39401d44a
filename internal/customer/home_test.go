package customer

import (
	"testing"

	"github.com/gridbook/gridbook/internal/calendar"
)

// Each home attribute is checked with the field it concerns: the listed
// dwelling types and heating fuels, a floor area of 100–30,000 sq ft, a
// year built from 1700 to next year, coordinates inside California's
// bounding box (32.5–42.01 °N, 124.45–114.13 °W) with a named source.
func TestHomeAttributesFieldRules(t *testing.T) {
	base := Premise{Address: "100 Main St", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037"}
	at := func(lat, lon float64, src string) *Location { return &Location{Lat: lat, Lon: lon, Source: src} }
	tests := []struct {
		name   string
		home   Home
		fields string
	}{
		{"nothing recorded", Home{}, ""},
		{"all recorded (Santa Monica City Hall)", Home{DwellingType: "single_family", HeatingFuel: "gas", FloorAreaSqFt: 1450, YearBuilt: 1952,
			Location: at(34.0114, -118.4914, "geocoded")}, ""},
		{"spelling normalized", Home{DwellingType: " Multifamily ", HeatingFuel: "HEAT_PUMP"}, ""},
		{"unknown dwelling type", Home{DwellingType: "castle"}, "dwelling_type"},
		{"unknown heating fuel", Home{HeatingFuel: "coal"}, "heating_fuel"},
		{"floor area 99", Home{FloorAreaSqFt: 99}, "floor_area_sqft"},
		{"floor area 100", Home{FloorAreaSqFt: 100}, ""},
		{"floor area 30,001", Home{FloorAreaSqFt: 30_001}, "floor_area_sqft"},
		{"negative floor area", Home{FloorAreaSqFt: -5}, "floor_area_sqft"},
		{"year 1699", Home{YearBuilt: 1699}, "year_built"},
		{"year 2027 on 2026-03-08 (next year)", Home{YearBuilt: 2027}, ""},
		{"year 2028 on 2026-03-08", Home{YearBuilt: 2028}, "year_built"},
		{"Phoenix is not in California", Home{Location: at(33.4484, -112.0740, "geocoded")}, "location.lon"},
		{"latitude of Portland, Oregon", Home{Location: at(45.5152, -118.4, "geocoded")}, "location.lat"},
		{"swapped latitude and longitude", Home{Location: at(-118.49, 34.01, "parcel")}, "location.lat,location.lon"},
		{"coordinates without a source", Home{Location: at(34.0114, -118.4914, "")}, "location.source"},
		{"unknown source", Home{Location: at(34.0114, -118.4914, "guess")}, "location.source"},
	}
	today := calendar.Date{Year: 2026, Month: 3, Day: 8}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base
			p.Home = tt.home
			checkFields(t, p.ResolveOn(fakeLookup{}, today), tt.fields)
		})
	}
}

// Coordinates are kept to the micro-degree (the stored unit): 34.01144449
// rounds to 34.011444, −118.4914456 to −118.491446. Spelling is folded.
func TestHomeNormalizesValues(t *testing.T) {
	p := Premise{Address: "a", City: "c", ZIP: "90001", CountyFIPS: "06037",
		Home: Home{DwellingType: "Single_Family", HeatingFuel: " Gas", Location: &Location{Lat: 34.01144449, Lon: -118.4914456, Source: " Parcel "}}}
	if err := p.Resolve(fakeLookup{}); err != nil {
		t.Fatal(err)
	}
	h := p.Home
	if h.DwellingType != "single_family" || h.HeatingFuel != "gas" || h.Location.Source != "parcel" {
		t.Errorf("normalized %+v %+v", h, *h.Location)
	}
	if h.Location.Lat != 34.011444 || h.Location.Lon != -118.491446 {
		t.Errorf("coordinates %v %v", h.Location.Lat, h.Location.Lon)
	}
	if Micro(h.Location.Lon) != -118491446 || FromMicro(34011444) != 34.011444 {
		t.Errorf("micro-degrees %d", Micro(h.Location.Lon))
	}
}

// A neighbor comparison needs dwelling type, heating fuel, floor area and
// location; the year built is not among them (research/programs.md §3.1).
func TestHomeMissingNamesTheComparisonAttributes(t *testing.T) {
	h := Home{DwellingType: "single_family", YearBuilt: 1960}
	got := h.Missing()
	want := []string{"heating_fuel", "floor_area_sqft", "location"}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] || h.Known() {
		t.Errorf("missing %v", got)
	}
	h.HeatingFuel, h.FloorAreaSqFt, h.Location = "gas", 1200, &Location{Lat: 34, Lon: -118, Source: "parcel"}
	if !h.Known() {
		t.Errorf("complete home reported incomplete: %v", h.Missing())
	}
}
