package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

// HomeForm is the home-attributes form as typed. Input names are the
// field names the registry's validation reports (dwelling_type,
// location.lat …), so each error lands next to its input.
type HomeForm struct {
	DwellingType, HeatingFuel, FloorArea, YearBuilt string
	Lat, Lon, LocationSource                        string
}

// homeFormOf fills the form from a recorded home.
func homeFormOf(h customer.Home) HomeForm {
	f := HomeForm{DwellingType: h.DwellingType, HeatingFuel: h.HeatingFuel}
	if h.FloorAreaSqFt != 0 {
		f.FloorArea = strconv.Itoa(h.FloorAreaSqFt)
	}
	if h.YearBuilt != 0 {
		f.YearBuilt = strconv.Itoa(h.YearBuilt)
	}
	if l := h.Location; l != nil {
		f.Lat, f.Lon, f.LocationSource = strconv.FormatFloat(l.Lat, 'f', -1, 64), strconv.FormatFloat(l.Lon, 'f', -1, 64), l.Source
	}
	return f
}

// readHomeForm reads the form's inputs from a POST.
func readHomeForm(r *http.Request) HomeForm {
	fv := func(name string) string { return strings.TrimSpace(r.PostFormValue(name)) }
	return HomeForm{DwellingType: fv("dwelling_type"), HeatingFuel: fv("heating_fuel"), FloorArea: fv("floor_area_sqft"),
		YearBuilt: fv("year_built"), Lat: fv("location.lat"), Lon: fv("location.lon"), LocationSource: fv("location.source")}
}

// home turns the form into a customer.Home, adding a field problem for
// each number that does not parse; the registry checks the values.
// Coordinates are recorded only when a latitude or longitude is typed.
func (f HomeForm) home(fe *apperr.Fields) customer.Home {
	h := customer.Home{DwellingType: f.DwellingType, HeatingFuel: f.HeatingFuel}
	atoi := func(s, field, what string) int {
		if s == "" {
			return 0
		}
		n, err := strconv.Atoi(strings.ReplaceAll(s, ",", ""))
		if err != nil {
			fe.Add(field, "must be %s", what)
		}
		return n
	}
	h.FloorAreaSqFt = atoi(f.FloorArea, "floor_area_sqft", "a whole number of square feet, such as 1450")
	h.YearBuilt = atoi(f.YearBuilt, "year_built", "a year such as 1952")
	if f.Lat != "" || f.Lon != "" {
		l := &customer.Location{Source: f.LocationSource}
		var err error
		if l.Lat, err = strconv.ParseFloat(f.Lat, 64); err != nil {
			fe.Add("location.lat", "must be a latitude in decimal degrees, such as 34.0114")
		}
		if l.Lon, err = strconv.ParseFloat(f.Lon, 64); err != nil {
			fe.Add("location.lon", "must be a longitude in decimal degrees, west negative, such as -118.4914")
		}
		h.Location = l
	} else if f.LocationSource != "" {
		fe.Add("location.lat", "is required with a location source")
	}
	return h
}

// premiseHome records a premise's home attributes (POST
// /premises/{id}/home). Every input is checked and all problems shown at
// once next to their inputs; nothing is written unless all are right. The
// change is audited with the premise.
func (h *handler) premiseHome(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r, "id")
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	p, err := h.db.Premise(ctx, id)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	form := readHomeForm(r)
	var fe apperr.Fields
	p.Home = form.home(&fe)
	if len(fe) > 0 {
		// Show the registry's problems with the rest at once.
		for _, e := range apperr.FieldsOf(p.ResolveOn(h.db.Reference(), h.today())) {
			if !slices.ContainsFunc(fe, func(o apperr.FieldError) bool { return o.Field == e.Field }) {
				fe = append(fe, e)
			}
		}
	}
	err = fe.Err("web.premiseHome")
	if err == nil {
		err = h.db.InTx(ctx, func(tx *store.Tx) error { return tx.UpdatePremise(ctx, UserFromContext(ctx).Actor(), &p) })
	}
	if err != nil {
		if apperr.KindOf(err) != apperr.Invalid {
			h.rd.Error(w, r, err)
			return
		}
		page, perr := h.premisePage(r, id)
		if perr != nil {
			h.rd.Error(w, r, perr)
			return
		}
		page.HomeForm = form
		v := &View{Title: page.Premise.Address + ", " + page.Premise.City, Nav: NavCustomers, Data: page}
		v.SetError(err)
		h.rd.Render(w, r, http.StatusBadRequest, "console/premise", v)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("Home details saved for %s.", p.Address)})
	Redirect(w, r, fmt.Sprintf("/premises/%d", id))
}

// homeOptions are the choices of the home form's selects.
func homeOptions() (dwelling, heating, sources []Option) {
	dwelling = []Option{{"", "Unknown"}, {"single_family", "Single-family house"}, {"multifamily", "Unit in a multifamily building"}, {"mobile_home", "Mobile home"}}
	heating = []Option{{"", "Unknown"}, {"gas", "Natural gas"}, {"electric", "Electric resistance"}, {"heat_pump", "Heat pump"},
		{"propane", "Propane"}, {"wood", "Wood"}, {"none", "No heating"}}
	sources = []Option{{"", "Choose… (required with coordinates)"}, {"geocoded", "Address geocoder"}, {"parcel", "Assessor parcel"},
		{"surveyed", "Measured on site"}, {"customer", "From the customer"}, {"demo", "Demo data"}}
	return
}
