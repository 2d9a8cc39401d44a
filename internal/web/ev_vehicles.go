package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/evcharge"
	"github.com/gridbook/gridbook/internal/store"
)

// evVehiclesPageSize is how many vehicles a page of /ev/vehicles shows.
const evVehiclesPageSize = 100

// EVVehicleRow is one vehicle on console/ev_vehicles with its plan in
// force and its charger's status.
type EVVehicleRow struct {
	evcharge.Vehicle
	Battery energy.Wh // the usable battery
	Plan    *store.EVPlanRecord
	Status  *store.ChargerStatus // nil: the charger never connected to the OCPP central system
}

// EVEnrollForm holds the enrollment form's inputs.
type EVEnrollForm struct {
	Account, Name, Make, Model, BatteryKWh, MaxKW, Charger string
}

// EVPlanForm holds the plan form's inputs.
type EVPlanForm struct {
	Vehicle, PlugIn, Departure, EnergyKWh, Objective, Signal string
}

// EVVehiclesPage is the Data of console/ev_vehicles.
type EVVehiclesPage struct {
	Rows       []EVVehicleRow
	First      bool
	NextURL    string
	CanWrite   bool
	Enroll     EVEnrollForm
	PlanForm   EVPlanForm
	Objectives []Option
	Pacific    *time.Location
}

// evVehiclesPage reads a page of vehicles (?after= the last vehicle id
// of the previous page).
func (h *handler) evVehiclesPage(r *http.Request) (*EVVehiclesPage, error) {
	ctx := r.Context()
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	page := &EVVehiclesPage{First: after <= 0, CanWrite: UserFromContext(ctx).CanWrite(), Pacific: calendar.Pacific,
		Objectives: []Option{{"cost", "Least cost (account's TOU tariff)"}, {"emissions", "Least emissions (stored signal)"}},
		Enroll:     EVEnrollForm{Charger: "level2"}, PlanForm: EVPlanForm{Objective: "cost"}}
	vs, err := h.db.VehiclePage(ctx, store.VehicleFilter{After: after, Limit: evVehiclesPageSize + 1})
	if err != nil {
		return nil, err
	}
	vs, page.NextURL = cutPage(vs, evVehiclesPageSize, func(v evcharge.Vehicle) int64 { return v.ID }, "/ev/vehicles", "after")
	for _, v := range vs {
		row := EVVehicleRow{Vehicle: v, Battery: energy.Wh(v.BatteryWh)}
		if p, err := h.db.LatestEVPlan(ctx, v.ID); err == nil {
			row.Plan = &p
		} else if !apperr.Is(err, apperr.NotFound) {
			return nil, err
		}
		if c, err := h.db.Charger(ctx, v.Charger); err == nil {
			row.Status = &c
		} else if !apperr.Is(err, apperr.NotFound) {
			return nil, err
		}
		page.Rows = append(page.Rows, row)
	}
	return page, nil
}

// evVehicles lists the enrolled vehicles with their plan in force and
// charger status, and (for writers) the forms to enroll a vehicle and
// plan a plug-in.
func (h *handler) evVehicles(w http.ResponseWriter, r *http.Request) {
	page, err := h.evVehiclesPage(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	h.rd.Render(w, r, http.StatusOK, "console/ev_vehicles", &View{Title: "EV vehicles", Nav: NavEV, Data: page})
}

// evFormError shows the vehicles page again with a refusal next to its
// fields, or the error page for anything else.
func (h *handler) evFormError(w http.ResponseWriter, r *http.Request, page *EVVehiclesPage, err error) {
	if k := apperr.KindOf(err); k != apperr.Invalid && k != apperr.Conflict && k != apperr.NotFound {
		h.rd.Error(w, r, err)
		return
	}
	v := &View{Title: "EV vehicles", Nav: NavEV, Data: page}
	v.SetError(err)
	status := StatusOf(err)
	if apperr.KindOf(err) == apperr.NotFound {
		status = http.StatusUnprocessableEntity // the form named something that is not there
	}
	h.rd.Render(w, r, status, "console/ev_vehicles", v)
}

// evEnroll enrolls a vehicle from the form (POST /ev/vehicles).
func (h *handler) evEnroll(w http.ResponseWriter, r *http.Request) {
	page, err := h.evVehiclesPage(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	ctx := r.Context()
	val := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	page.Enroll = EVEnrollForm{Account: val("account"), Name: val("name"), Make: val("make"), Model: val("model"), BatteryKWh: val("battery_kwh"),
		MaxKW: val("max_kw"), Charger: val("charger")}
	var f apperr.Fields
	v := evcharge.Vehicle{Name: page.Enroll.Name, Make: page.Enroll.Make, Model: page.Enroll.Model, Charger: page.Enroll.Charger, Enrolled: h.today()}
	if v.Charger == "" {
		v.Charger = "level2"
	}
	if wh, err := energy.ParseKWh(page.Enroll.BatteryKWh); err == nil && wh > 0 {
		v.BatteryWh = int64(wh)
	} else {
		f.Add("battery_kwh", "must be a positive number of kWh, such as 64")
	}
	if w, err := energy.ParseKWh(page.Enroll.MaxKW); err == nil && w > 0 {
		v.MaxW = energy.W(w)
	} else {
		f.Add("max_kw", "must be a positive number of kW, such as 7.2")
	}
	a, aerr := h.db.AccountByNumber(ctx, page.Enroll.Account)
	if aerr != nil {
		f.Add("account", "no service account numbered %q", page.Enroll.Account)
	}
	err = f.Err("web.evEnroll")
	if err == nil {
		v.AccountID = a.ID
		err = h.db.InTx(ctx, func(tx *store.Tx) error { return tx.EnrollVehicle(ctx, UserFromContext(ctx).Actor(), &v) })
	}
	if err != nil {
		h.evFormError(w, r, page, err)
		return
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: fmt.Sprintf("Vehicle %s enrolled for account %s (id %d).", v.Name, a.Number, v.ID)})
	Redirect(w, r, "/ev/vehicles")
}

// evPlan plans a plug-in of a vehicle from the form (POST /ev/plans) and
// stores it as the vehicle's plan in force.
func (h *handler) evPlan(w http.ResponseWriter, r *http.Request) {
	page, err := h.evVehiclesPage(r)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	ctx := r.Context()
	val := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	page.PlanForm = EVPlanForm{Vehicle: val("vehicle"), PlugIn: val("plug_in"), Departure: val("departure"), EnergyKWh: val("energy_kwh"),
		Objective: val("objective"), Signal: val("signal")}
	pf := page.PlanForm
	var f apperr.Fields
	id, ierr := strconv.ParseInt(pf.Vehicle, 10, 64)
	if ierr != nil || id <= 0 {
		f.Add("vehicle", "must be a vehicle id from the table")
	}
	at := func(name, s string) time.Time {
		t, err := time.ParseInLocation("2006-01-02T15:04", s, calendar.Pacific)
		if err != nil {
			f.Add(name, "must be a Pacific date and time such as 2026-07-15T18:00")
		}
		return t.UTC()
	}
	n := evcharge.Need{PlugIn: at("plug_in", pf.PlugIn), Departure: at("departure", pf.Departure)}
	if wh, err := energy.ParseKWh(pf.EnergyKWh); err == nil && wh >= 0 {
		n.EnergyWh = wh
	} else {
		f.Add("energy_kwh", "must be a number of kWh, such as 20")
	}
	obj := evcharge.LeastCost
	switch pf.Objective {
	case "", "cost":
	case "emissions":
		obj = evcharge.LeastCO2
	default:
		f.Add("objective", "must be cost or emissions")
	}
	if err = f.Err("web.evPlan"); err != nil {
		h.evFormError(w, r, page, err)
		return
	}
	var rec store.EVPlanRecord
	err = h.db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		rec, err = tx.PlanVehicle(ctx, UserFromContext(ctx).Actor(), id, func(v evcharge.Vehicle) (evcharge.Need, evcharge.Objective, error) {
			n.MaxW = v.MaxW
			return n, obj, nil
		}, pf.Signal)
		return err
	})
	if err != nil {
		h.evFormError(w, r, page, err)
		return
	}
	msg := fmt.Sprintf("Plan %d stored for %s: %s kWh.", rec.ID, rec.Vehicle, rec.Plan.EnergyWh.KWhString())
	if rec.Plan.ShortfallWh > 0 {
		msg += fmt.Sprintf(" The charger cannot deliver %s kWh of the need by departure; it charges at full power throughout.", rec.Plan.ShortfallWh.KWhString())
	}
	SetFlash(w, r, Flash{Kind: FlashSuccess, Msg: msg})
	Redirect(w, r, "/ev/vehicles")
}
