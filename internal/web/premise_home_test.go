package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestPremiseHomeFormSavesAndRefuses: a program manager records Maria's
// home (a 1,450 sq ft single-family house built 1952, gas heat, at
// 34.1975 °N 119.1771 °W in Oxnard, from the parcel map); the premise page
// shows it and the change is in its audit trail. Bad values come back as a
// 400 with each message next to its input and nothing written; an
// analyst sees no form and may not post.
func TestPremiseHomeFormSavesAndRefuses(t *testing.T) {
	s := newTestSite(t)
	manager := s.login(t, "/login", managerEmail)
	path := fmt.Sprintf("/premises/%d", s.mariaPremise.ID)
	if body := s.get(t, path, manager).Body.String(); !strings.Contains(body, `id="home-form"`) || !strings.Contains(body, "not recorded") {
		t.Fatalf("premise page lacks the home form:\n%s", body)
	}
	good := url.Values{"dwelling_type": {"single_family"}, "heating_fuel": {"gas"}, "floor_area_sqft": {"1,450"}, "year_built": {"1952"},
		"location.lat": {"34.1975"}, "location.lon": {"-119.1771"}, "location.source": {"parcel"}}
	if w := s.post(t, path+"/home", manager, good); w.Code != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", w.Code, w.Body)
	}
	p, err := s.db.Premise(context.Background(), s.mariaPremise.ID)
	if err != nil {
		t.Fatal(err)
	}
	if h := p.Home; h.FloorAreaSqFt != 1450 || h.YearBuilt != 1952 || h.Location == nil || h.Location.Lat != 34.1975 || h.Location.Source != "parcel" {
		t.Fatalf("saved %+v", p.Home)
	}
	body := s.get(t, path, manager).Body.String()
	for _, want := range []string{"Single-family house", "Natural gas", "1450 sq ft", "34.197500, -119.177100", "source: parcel"} {
		if !strings.Contains(body, want) {
			t.Errorf("premise page lacks %q", want)
		}
	}
	bad := url.Values{"dwelling_type": {"castle"}, "floor_area_sqft": {"big"}, "year_built": {"1650"}, "location.lat": {"34.1975"},
		"location.lon": {"-112.07"}, "location.source": {""}}
	w := s.post(t, path+"/home", manager, bad)
	if w.Code != http.StatusBadRequest {
		t.Fatalf("bad values: %d", w.Code)
	}
	for _, want := range []string{`id="f-dwelling_type-error"`, `id="f-floor_area_sqft-error"`, `id="f-year_built-error"`,
		`id="f-location.lon-error"`, `id="f-location.source-error"`, `value="big"`} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("refusal lacks %s", want)
		}
	}
	if again, _ := s.db.Premise(context.Background(), s.mariaPremise.ID); again.Home.FloorAreaSqFt != 1450 {
		t.Errorf("a refused form changed the home: %+v", again.Home)
	}
	analyst := s.login(t, "/login", analystEmail)
	if strings.Contains(s.get(t, path, analyst).Body.String(), `id="home-form"`) {
		t.Error("an analyst sees the home form")
	}
	if w := s.post(t, path+"/home", analyst, good); w.Code != http.StatusForbidden {
		t.Errorf("analyst post: %d", w.Code)
	}
}
