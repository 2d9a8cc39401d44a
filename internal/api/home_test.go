package api

import (
	"net/http"
	"testing"

	"github.com/gridbook/gridbook/internal/store/storetest"
)

// TestPremiseHomeAttributesRoundTrip: a premise's home attributes are
// written and read back through the API (coordinates kept to the
// micro-degree: 34.01144449 → 34.011444), a PUT without "home" clears
// them, and bad values are refused with 400 naming each field.
func TestPremiseHomeAttributesRoundTrip(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	var p premiseJSON
	e.do("POST", "/api/v1/premises", `{"address":"1685 Main St","city":"Santa Monica","zip":"90401","county_fips":"06037",
		"home":{"dwelling_type":"single_family","heating_fuel":"gas","floor_area_sqft":1450,"year_built":1952,
		"location":{"lat":34.01144449,"lon":-118.4914,"source":"geocoded"}}}`, e.manager).want(t, http.StatusCreated).decode(t, &p)
	h := p.Home
	if h.DwellingType != "single_family" || h.HeatingFuel != "gas" || h.FloorAreaSqFt != 1450 || h.YearBuilt != 1952 ||
		h.Location == nil || h.Location.Lat != 34.011444 || h.Location.Lon != -118.4914 || h.Location.Source != "geocoded" {
		t.Fatalf("home %+v", h)
	}
	var got premiseJSON
	e.do("GET", "/api/v1/premises/"+itoa(p.ID), "", e.analyst).want(t, http.StatusOK).decode(t, &got)
	if got.Home.Location == nil || *got.Home.Location != *h.Location || got.Home.YearBuilt != 1952 {
		t.Errorf("read back %+v", got.Home)
	}
	e.do("PUT", "/api/v1/premises/"+itoa(p.ID), `{"address":"1685 Main St","city":"Santa Monica","zip":"90401","county_fips":"06037"}`,
		e.manager).want(t, http.StatusOK).decode(t, &got)
	if got.Home.Location != nil || got.Home.DwellingType != "" {
		t.Errorf("PUT without home kept %+v", got.Home)
	}
	for _, tt := range []struct{ home, fields string }{
		{`{"dwelling_type":"castle"}`, "dwelling_type"},
		{`{"heating_fuel":"coal","floor_area_sqft":40}`, "heating_fuel floor_area_sqft"},
		{`{"year_built":1650}`, "year_built"},
		{`{"location":{"lat":33.45,"lon":-112.07,"source":"geocoded"}}`, "location.lon"},
		{`{"location":{"lat":34.01,"lon":-118.49}}`, "location.source"},
	} {
		pr := e.do("POST", "/api/v1/premises", `{"address":"1 A St","city":"Santa Monica","zip":"90401","county_fips":"06037","home":`+tt.home+`}`,
			e.manager).want(t, http.StatusBadRequest).problem(t)
		var names string
		for _, f := range pr.Errors {
			if names != "" {
				names += " "
			}
			names += f.Field
		}
		if names != tt.fields {
			t.Errorf("home %s: fields %q, want %q", tt.home, names, tt.fields)
		}
	}
}
