package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/emissions"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/evcharge"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/tariff"
)

// EVSummary counts the demo's EV SmartCharge month.
type EVSummary struct {
	Vehicles int
	Sessions int
	Plans    int // stored plans: each vehicle's last managed night
	Fleet    evcharge.Fleet
}

// String renders the summary line.
func (s EVSummary) String() string {
	return fmt.Sprintf("EV SmartCharge: %d vehicles (%d with a stored plan), %d sessions in July, %d.%02d%% off-peak, %.1f kg CO2 avoided",
		s.Vehicles, s.Plans, s.Sessions, s.Fleet.OffPeakBP/100, s.Fleet.OffPeakBP%100, s.Fleet.AvoidedCO2g/1000)
}

// DemoSignal is the name of the demo's synthetic marginal-emission
// signal.
const DemoSignal = "demo-moer"

// demoMOER is the synthetic marginal emission rate by local hour, g/kWh:
// gas units on the margin at night and in the evening ramp, solar
// curtailment at midday (the shape of CAISO's duck curve; the numbers are
// ours, not a reading of any signal).
var demoMOER = [24]float64{430, 430, 425, 425, 430, 440, 450, 420, 360, 300, 250, 220, 200, 200, 220, 280, 380, 470, 500, 500, 480, 460, 450, 440}

// GenerateEV enrolls every EV home's vehicle in EV SmartCharge and charges
// it through July of year to plans against its own TOU tariff: plugged in
// on weekday evenings, 8–20 kWh needed by 7 am; about one session in
// fifteen is charged unmanaged (the driver overrides), so roughly 94% of
// the energy lands off-peak as in CPA's 2025 figure (seed 000). It also
// stores the synthetic hourly signal DemoSignal for the month, and each
// vehicle's last managed night as its stored plan (store.SaveEVPlan).
// Draws come from a stream of their own.
func GenerateEV(ctx context.Context, db *store.DB, seed int64, year int) (EVSummary, error) {
	var sum EVSummary
	r := rand.New(rand.NewPCG(uint64(seed), 0xe7_2025))
	actor := auth.System
	first := calendar.Date{Year: year, Month: time.July, Day: 1}
	end := calendar.Date{Year: year, Month: time.August, Day: 1}
	vs, err := tariff.Shipped()
	if err != nil {
		return sum, err
	}
	rates := map[string]evcharge.Rates{}
	for i := range vs {
		v := &vs[i]
		if !v.Effective().Contains(first) {
			continue
		}
		if rs, err := evcharge.TariffRates(v, first.Start(), end.AddDays(1).Start(), 15*time.Minute); err == nil {
			rates[v.Code] = rs
		}
	}
	sig := emissions.Signal{Kind: emissions.Marginal, Region: "demo (synthetic)", Start: first.AddDays(-1).Start(), Step: time.Hour}
	for t := sig.Start; t.Before(end.AddDays(2).Start()); t = t.Add(time.Hour) {
		sig.Values = append(sig.Values, demoMOER[t.In(calendar.Pacific).Hour()])
	}
	accts, err := db.Accounts(ctx, store.AccountFilter{Program: ProgramElectricVehicle, On: first, Limit: 1_000_000})
	if err != nil {
		return sum, err
	}
	var sessions []evcharge.Session
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.PutSignal(ctx, actor, DemoSignal, sig); err != nil {
			return err
		}
		for _, a := range accts {
			es, err := tx.Enrollments(ctx, a.ID)
			if err != nil {
				return err
			}
			maxW := energy.W(7200)
			for _, e := range es {
				if e.Program == ProgramElectricVehicle && e.Track == "level1" {
					maxW = 1440
				}
			}
			v := evcharge.Vehicle{AccountID: a.ID, Name: "EV-" + a.Number, Make: pickString(r, []string{"Tesla", "Chevrolet", "Nissan", "Hyundai", "Ford", "Kia"}),
				BatteryWh: int64(60000 + 5000*r.IntN(5)), MaxW: maxW, Charger: map[bool]string{true: "level1", false: "level2"}[maxW < 7200], Enrolled: first.AddDays(-30)}
			if err := tx.EnrollVehicle(ctx, actor, &v); err != nil {
				return err
			}
			sum.Vehicles++
			rs := rates[a.RateSchedule]
			var last *store.EVPlanRecord
			for d := first; d.Before(end); d = d.Next() {
				if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday || r.Float64() < 0.25 {
					continue
				}
				plug := time.Date(d.Year, d.Month, d.Day, 17, 30+r.IntN(120), 0, 0, calendar.Pacific).UTC()
				dep := time.Date(d.Year, d.Month, d.Day+1, 7, 0, 0, 0, calendar.Pacific).UTC()
				need := energy.Wh(8000 + 1000*r.IntN(13))
				n := evcharge.Need{PlugIn: plug, Departure: dep, EnergyWh: need, MaxW: v.MaxW}
				var charges []evcharge.Charge
				if r.Float64() < 1.0/15 { // the driver overrides: charge at once
					for _, c := range evcharge.Reference(evcharge.Session{PlugIn: plug, Unplug: dep, MaxW: v.MaxW, Charges: []evcharge.Charge{{Start: plug, End: dep, Wh: need}}}) {
						charges = append(charges, c)
					}
				} else {
					p, err := evcharge.PlanCharging(n, rs, evcharge.LeastCost)
					if err != nil {
						return err
					}
					for _, s := range p.Slots {
						charges = append(charges, evcharge.Charge{Start: s.Start, End: s.End, Wh: s.EnergyWh})
					}
					last = &store.EVPlanRecord{VehicleID: v.ID, PlugIn: plug, Departure: dep, NeedWh: need, Source: "tariff " + a.RateSchedule, Plan: p}
				}
				sessions = append(sessions, evcharge.Session{Vehicle: v.Name, PlugIn: plug, Unplug: dep, MaxW: v.MaxW, Charges: charges})
			}
			if last != nil {
				if err := tx.SaveEVPlan(ctx, actor, last); err != nil {
					return err
				}
				sum.Plans++
			}
		}
		res, err := tx.ImportSessions(ctx, actor, sessions)
		sum.Sessions = res.Added
		return err
	})
	if err != nil {
		return sum, err
	}
	ms, err := evcharge.Monthly(sessions, evcharge.DefaultPeak, nil, &sig)
	if err != nil {
		return sum, err
	}
	sum.Fleet = evcharge.Total(ms)
	if math.IsNaN(sum.Fleet.AvoidedCO2g) {
		sum.Fleet.AvoidedCO2g = 0
	}
	return sum, nil
}
