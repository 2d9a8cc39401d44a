package web

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/emissions"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/evcharge"
)

// NavEV is the nav key of the EV SmartCharge pages.
const NavEV = "ev"

// EVPage is the Data of console/ev: a month of EV SmartCharge.
type EVPage struct {
	Month, MonthTitle, Prev, Next string
	Signal                        string
	Fleet                         evcharge.Fleet
	AvoidedLbs                    float64
	Trees                         int64
	Factor                        emissions.Factor
	Vehicles                      []evcharge.Month // by energy, largest first
	ByHour                        *Chart           // charging energy by local hour of day
	SignalChart                   *Chart           // the signal over one day of the month
}

// evDashboard shows EV SmartCharge for a month (?month=YYYY-MM, default
// the month of the latest session): the fleet's off-peak share and CO2
// avoided against unmanaged charging, charging by hour, the emission
// signal and each vehicle.
func (h *handler) evDashboard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	month := r.URL.Query().Get("month")
	var first time.Time
	if month != "" {
		t, err := time.ParseInLocation("2006-01", month, calendar.Pacific)
		if err != nil {
			h.rd.Error(w, r, apperr.NotFoundf("web", "There is no EV report for %q.", month))
			return
		}
		first = t
	} else {
		last, ok, err := h.db.LastSessionStart(ctx)
		if err != nil {
			h.rd.Error(w, r, err)
			return
		}
		if !ok {
			last = h.now()
		}
		l := last.In(calendar.Pacific)
		first = time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, calendar.Pacific)
	}
	next := first.AddDate(0, 1, 0)
	page := &EVPage{Month: first.Format("2006-01"), MonthTitle: first.Format("January 2006"), Prev: first.AddDate(0, -1, 0).Format("2006-01"), Next: next.Format("2006-01")}
	ss, err := h.db.Sessions(ctx, 0, first.UTC(), next.UTC())
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	names, err := h.db.SignalNames(ctx)
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	var sig *emissions.Signal
	if len(names) > 0 {
		s, err := h.db.Signal(ctx, names[0], first.UTC().Add(-24*time.Hour), next.UTC().Add(48*time.Hour))
		if err == nil {
			sig, page.Signal = &s, names[0]
		} else if !apperr.Is(err, apperr.NotFound) {
			h.rd.Error(w, r, err)
			return
		}
	}
	rep, err := evcharge.MonthReport(ss, sig)
	if apperr.Is(err, apperr.Invalid) { // the signal does not cover the month: report without CO2
		rep, err = evcharge.MonthReport(ss, nil)
		page.Signal = ""
	}
	if err != nil {
		h.rd.Error(w, r, err)
		return
	}
	page.Fleet, page.AvoidedLbs, page.Trees, page.Factor = rep.Fleet, rep.AvoidedLbs, rep.Trees, rep.Factor
	ms := rep.Vehicles
	slices.SortStableFunc(ms, func(a, b evcharge.Month) int { return int(b.EnergyWh - a.EnergyWh) })
	page.Vehicles = ms[:min(len(ms), 50)]
	if len(ss) > 0 {
		var byHour [24]float64
		for _, s := range ss {
			for _, c := range s.Charges {
				byHour[c.Start.In(calendar.Pacific).Hour()] += float64(c.Wh) / 1000
			}
		}
		c := &Chart{Title: "Charging by hour of day, " + page.MonthTitle, Kind: ChartBars, Unit: "kWh", XLabel: "Hour beginning",
			Series: []Series{{Label: "Energy charged"}}}
		for hr, v := range byHour {
			c.Labels = append(c.Labels, fmt.Sprintf("%02d", hr))
			c.Series[0].Values = append(c.Series[0].Values, math.Round(v*10)/10)
		}
		page.ByHour = c
	}
	if sig != nil && page.Signal != "" {
		day := first.AddDate(0, 0, 14)
		c := &Chart{Title: fmt.Sprintf("Marginal emissions (%s), %s", page.Signal, day.Format("Jan 2")), Unit: "g CO2/kWh",
			Series: []Series{{Label: page.Signal}}}
		for t := day.UTC(); t.Before(day.AddDate(0, 0, 1).UTC()); t = t.Add(sig.Step) {
			v, ok := sig.At(t)
			if !ok {
				v = math.NaN()
			}
			c.Times = append(c.Times, t)
			c.Series[0].Values = append(c.Series[0].Values, v)
		}
		page.SignalChart = c
	}
	h.rd.Render(w, r, http.StatusOK, "console/ev", &View{Title: "EV SmartCharge", Nav: NavEV, Data: page})
}

// PortalEVPage is the Data of portal/ev: the customer's vehicles.
type PortalEVPage struct {
	Vehicles []PortalVehicle
	Pacific  *time.Location
}

// PortalVehicle is one of the customer's vehicles with its month and
// tonight's plan.
type PortalVehicle struct {
	Vehicle  evcharge.Vehicle
	Month    *evcharge.Month
	Sessions []evcharge.Session // the latest, newest first
	Plan     *evcharge.Plan
	PlanNote string
	Tariff   string
	// Stored is set when Plan is the vehicle's stored plan in force
	// (until Departure) rather than tonight's plan worked here.
	Stored    bool
	Departure time.Time
}

// portalEV shows the customer's enrolled vehicles (/my/ev): the latest
// month's charging, recent sessions, and the vehicle's stored plan in
// force while its departure is ahead, else the plan for tonight against
// the account's TOU prices (plugged in at 6 pm, 40% of the battery by
// 7 am).
func (h *handler) portalEV(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := UserFromContext(ctx)
	page := &PortalEVPage{Pacific: calendar.Pacific}
	now := h.now()
	for _, id := range u.AccountIDs {
		a, err := h.db.Account(ctx, id)
		if err != nil {
			h.rd.Error(w, r, err)
			return
		}
		vs, err := h.db.Vehicles(ctx, id)
		if err != nil {
			h.rd.Error(w, r, err)
			return
		}
		if len(vs) == 0 {
			continue
		}
		ss, err := h.db.Sessions(ctx, id, now.AddDate(-2, 0, 0), now.Add(24*time.Hour))
		if err != nil {
			h.rd.Error(w, r, err)
			return
		}
		for _, v := range vs {
			pv := PortalVehicle{Vehicle: v, Tariff: a.RateSchedule}
			var mine []evcharge.Session
			for _, s := range ss {
				if s.Vehicle == v.Name {
					mine = append(mine, s)
				}
			}
			if n := len(mine); n > 0 {
				last := mine[n-1].PlugIn.In(calendar.Pacific)
				var month []evcharge.Session
				for _, s := range mine {
					if l := s.PlugIn.In(calendar.Pacific); l.Year() == last.Year() && l.Month() == last.Month() {
						month = append(month, s)
					}
				}
				if ms, err := evcharge.Monthly(month, evcharge.DefaultPeak, nil, nil); err == nil && len(ms) == 1 {
					pv.Month = &ms[0]
				}
				slices.Reverse(mine)
				pv.Sessions = mine[:min(10, len(mine))]
			}
			if rec, err := h.db.LatestEVPlan(ctx, v.ID); err == nil && rec.Departure.After(now) {
				// The plan in force, as stored (the API, the console or
				// the charger's program made it).
				pv.Plan, pv.Stored, pv.Departure = &rec.Plan, true, rec.Departure
				page.Vehicles = append(page.Vehicles, pv)
				continue
			} else if err != nil && !apperr.Is(err, apperr.NotFound) {
				h.rd.Error(w, r, err)
				return
			}
			l := now.In(calendar.Pacific)
			plug := time.Date(l.Year(), l.Month(), l.Day(), 18, 0, 0, 0, calendar.Pacific).UTC()
			dep := time.Date(l.Year(), l.Month(), l.Day()+1, 7, 0, 0, 0, calendar.Pacific).UTC()
			need := evcharge.Need{PlugIn: plug, Departure: dep, EnergyWh: energy.Wh(v.BatteryWh * 40 / 100), MaxW: v.MaxW}
			if rec, err := h.db.TariffOn(ctx, "", a.RateSchedule, calendar.DateOf(plug)); err == nil {
				if rs, err := evcharge.TariffRates(&rec.Version, plug, dep, 15*time.Minute); err == nil {
					if p, err := evcharge.PlanCharging(need, rs, evcharge.LeastCost); err == nil {
						pv.Plan = &p
					}
				}
			}
			if pv.Plan == nil {
				pv.PlanNote = "No prices are on file for your rate " + a.RateSchedule + "; your charger will finish by 7 am."
			}
			page.Vehicles = append(page.Vehicles, pv)
		}
	}
	h.rd.Render(w, r, http.StatusOK, "portal/ev", &View{Title: "My EV", Nav: NavEV, Data: page})
}
