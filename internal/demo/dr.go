package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// DRSummary counts the demo's demand-response season.
type DRSummary struct {
	Events       int         // Power Response events held
	Cancelled    int         // events called off
	PMPDays      int         // Peak Management Pricing event days
	PMPAccounts  int         // accounts enrolled in PMP
	Devices      int         // thermostats and chargers registered
	Settled      int         // participant settlements
	ReducedWh    energy.Wh   // Σ floored reductions
	Payables     int         // participation incentives owed
	PayableCents money.Cents // their total
	Payments     dr.PaySummary
	Batteries    int   // batteries in the virtual power plant (battery_vpp)
	FleetEvent   int64 // the storage event dispatched to them (0: none)
}

// String renders the summary line.
func (s DRSummary) String() string {
	return fmt.Sprintf("demand response: %d Power Response events (+%d cancelled), %d PMP days for %d accounts, %d devices, %d settlements reducing %s kWh, %d incentives owed (%s), paid from the budget: %s",
		s.Events, s.Cancelled, s.PMPDays, s.PMPAccounts, s.Devices, s.Settled, s.ReducedWh.KWhString(), s.Payables, s.PayableCents, s.Payments) +
		fmt.Sprintf("; %d batteries in the virtual power plant (fleet dispatch: event %d)", s.Batteries, s.FleetEvent)
}

// drEventsHeld is CPA's 2025 count (seed 000: "12 events"); PMP had 2
// event days.
const (
	drEventsHeld = 12
	drPMPDays    = 2
	// smartLightSwitches is the pilot's size (seed 000: "161 units").
	smartLightSwitches = 161
)

// GenerateDR adds a summer of demand response to the demo: PMP for about
// one CCA business in ten, thermostats (and ChargePoint chargers of EV
// homes) registered for the Smart Home participants with their
// participation incentives owed, twelve Power Response events of 5–8 pm
// on summer weekdays (and one called off), two PMP event days, the
// participants' response written into their interval data (Smart Home
// homes cut 25–45% unless they override, Home 5–20%, businesses 10–20%),
// and every event settled. Draws come from a stream of their own, so the
// rest of the demo is unchanged.
func GenerateDR(ctx context.Context, db *store.DB, seed int64, year int) (DRSummary, error) {
	var sum DRSummary
	r := rand.New(rand.NewPCG(uint64(seed), 0xd7_2025))
	cat, err := dr.Shipped()
	if err != nil {
		return sum, err
	}
	pr, _ := cat.Program("power_response")
	pmp, _ := cat.Program("pmp")
	actor := auth.System
	jan1 := calendar.Date{Year: year, Month: time.January, Day: 1}
	jul1 := calendar.Date{Year: year, Month: time.July, Day: 1}
	hol := calendar.UtilityHolidays()

	// PMP: about one CCA business in ten, and a few homes. Like the
	// rest of the demo's registry they are written in bulk, without
	// per-row audit records.
	err = db.InTx(ctx, func(tx *store.Tx) error {
		b, err := tx.Bulk(ctx)
		if err != nil {
			return err
		}
		defer b.Close()
		for _, class := range []customer.Class{customer.Commercial, customer.Municipal, customer.Residential} {
			as, err := tx.Accounts(ctx, store.AccountFilter{Class: class, LSE: customer.CCA, Limit: 1_000_000})
			if err != nil {
				return err
			}
			// Homes joined PMP when CPA extended it to residential
			// customers in 2025 (seed 000); one in twenty is a demo
			// assumption, enough for the console to show their riders.
			share, track := 0.1, "commercial"
			if class == customer.Residential {
				share, track = 0.05, "residential"
			}
			for _, a := range as {
				if r.Float64() >= share || !a.Active(jul1) {
					continue
				}
				from := jan1
				if a.ServiceStart.After(from) {
					from = a.ServiceStart
				}
				p, err := tx.Premise(ctx, a.PremiseID)
				if err != nil {
					return err
				}
				if err := b.Enrollments(ctx, a, p, []customer.Enrollment{{AccountID: a.ID, Program: pmp.Code, Track: track, From: from, Source: "staff",
					Note: "demo: Peak Management Pricing"}}); err != nil {
					return err
				}
				sum.PMPAccounts++
			}
		}
		return nil
	})
	if err != nil {
		return sum, err
	}

	// Devices of the Smart Home participants, with their incentives.
	parts, err := db.DRParticipants(ctx, pr.Code, "", jul1)
	if err != nil {
		return sum, err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		for _, p := range parts {
			if p.Track != "smart_home" {
				continue
			}
			es, err := tx.Enrollments(ctx, p.AccountID)
			if err != nil {
				return err
			}
			for _, e := range es {
				var d dr.Device
				switch e.Program {
				case ProgramSmartThermostat:
					d = dr.Device{Type: "thermostat", Brand: e.Track}
				case ProgramElectricVehicle:
					if e.Track != "level2" || r.Float64() >= 0.5 {
						continue
					}
					d = dr.Device{Type: "ev_charger", Brand: "chargepoint"}
				default:
					continue
				}
				d.AccountID, d.Program, d.Enrolled = p.AccountID, pr.Code, e.From
				d.Serial = fmt.Sprintf("%s-%06d", map[string]string{"thermostat": "TS", "ev_charger": "CP"}[d.Type], p.AccountID)
				if err := tx.RegisterDevice(ctx, actor, &d); err != nil {
					return err
				}
				sum.Devices++
				due := dr.IncentivesDue(pr, d, calendar.Date{Year: year, Month: time.December, Day: 31})
				n, err := tx.AddPayables(ctx, actor, due)
				if err != nil {
					return err
				}
				sum.Payables += n
				for _, x := range due {
					sum.PayableCents += x.Amount
				}
			}
		}
		return nil
	})
	if err != nil {
		return sum, err
	}

	// The incentives are paid from Power Response's budget (the demo's
	// incentive budgets are written before demand response).
	payer := store.BudgetPayer{DB: db, Actor: actor, Funding: store.CatalogFunding(cat)}
	if sum.Payments, err = db.PayOpen(ctx, payer, store.PayableFilter{Program: pr.Code}); err != nil {
		return sum, err
	}

	// The Smart Light Switch pilot: 161 Flick switches in Ventura County
	// homes (seed 000), most of them heard from.
	err = db.InTx(ctx, func(tx *store.Tx) error {
		as, err := tx.Accounts(ctx, store.AccountFilter{Class: customer.Residential, LSE: customer.CCA, Limit: 1_000_000})
		if err != nil {
			return err
		}
		n := 0
		for _, a := range as {
			if n == smartLightSwitches {
				break
			}
			p, err := tx.Premise(ctx, a.PremiseID)
			if err != nil {
				return err
			}
			if p.CountyFIPS != "06111" {
				continue
			}
			d := dr.Device{AccountID: a.ID, Program: "smart_light_switch", Type: "light_switch", Brand: "flick",
				Serial: fmt.Sprintf("FLICK-%04d", n+1), Enrolled: calendar.Date{Year: year, Month: time.January, Day: 15}}
			if err := tx.RegisterDevice(ctx, actor, &d); err != nil {
				return err
			}
			if r.Float64() < 0.93 {
				if err := tx.TouchDevice(ctx, d.Type, d.Serial); err != nil {
					return err
				}
			}
			n++
			sum.Devices++
		}
		return nil
	})
	if err != nil {
		return sum, err
	}

	// The season: candidate weekdays from 15 June to 30 September.
	var cands []calendar.Date
	for d := (calendar.Date{Year: year, Month: time.June, Day: 15}); d.Before(calendar.Date{Year: year, Month: time.October, Day: 1}); d = d.Next() {
		if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		if _, h := hol.Holiday(d); h {
			continue
		}
		cands = append(cands, d)
	}
	r.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	days := slices.Clone(cands[:drEventsHeld+1])
	slices.SortFunc(days, func(a, b calendar.Date) int { return a.Compare(b) })
	cancelled := days[r.IntN(len(days))]
	local := func(d calendar.Date, h int) time.Time {
		return time.Date(d.Year, d.Month, d.Day, h, 0, 0, 0, calendar.Pacific).UTC()
	}
	type held struct {
		e dr.Event
		p dr.Program
	}
	var events []held
	var pmpDays []calendar.Date
	for i := len(days) - 1; i >= 0 && len(pmpDays) < drPMPDays; i-- {
		if days[i] != cancelled && days[i].Month >= time.August && (len(pmpDays) == 0 || pmpDays[0].DaysUntil(days[i]) < -7) {
			pmpDays = append(pmpDays, days[i])
		}
	}
	// The events' history carries the season's dates.
	err = db.InTx(ctx, func(tx *store.Tx) error {
		for _, d := range days {
			e, err := tx.ScheduleEvent(ctx, actor, pr, dr.Proposal{Event: dr.Event{Start: local(d, 17), End: local(d, 20), Level: 2,
				Reason: "demo: heat wave, CAISO flex alert"}, Notice: local(d, 9)})
			if err != nil {
				return fmt.Errorf("demo: Power Response event %s: %w", d, err)
			}
			if d == cancelled {
				if _, err := tx.MoveEventAt(ctx, actor, e.ID, dr.Cancelled, "demo: forecast cooled", local(d, 12)); err != nil {
					return err
				}
				sum.Cancelled++
				continue
			}
			events = append(events, held{e, pr})
		}
		for _, d := range pmpDays {
			e, err := tx.ScheduleEvent(ctx, actor, pmp, dr.Proposal{Event: dr.Event{Start: local(d, 16), End: local(d, 21), Reason: "demo: extreme heat"},
				Notice: local(d.AddDays(-1), 14)})
			if err != nil {
				return fmt.Errorf("demo: PMP event %s: %w", d, err)
			}
			events = append(events, held{e, pmp})
		}
		for _, h := range events {
			notice := h.e.Start.Add(-8 * time.Hour)
			if h.p.Rules.DayAhead {
				notice = h.e.Start.Add(-26 * time.Hour)
			}
			for _, step := range []struct {
				to dr.Status
				at time.Time
			}{{dr.Notified, notice}, {dr.Active, h.e.Start}, {dr.Completed, h.e.End}} {
				if _, err := tx.MoveEventAt(ctx, actor, h.e.ID, step.to, "demo", step.at); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	sum.Events, sum.PMPDays = len(events)-len(pmpDays), len(pmpDays)

	// The participants' response, then settlement.
	for _, h := range events {
		ps, err := db.DRParticipants(ctx, h.p.Code, "", h.e.Day())
		if err != nil {
			return sum, err
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			for _, p := range ps {
				if p.MeterID == 0 {
					continue
				}
				cut := 0.0
				switch p.Track {
				case "smart_home":
					if r.Float64() < 0.1 {
						if err := tx.RecordOverride(ctx, actor, h.e.ID, p.AccountID, "device", "demo: thermostat set back by hand"); err != nil {
							return err
						}
						continue
					}
					cut = 0.25 + 0.2*r.Float64()
				case "home":
					cut = 0.05 + 0.15*r.Float64()
				default:
					cut = 0.1 + 0.1*r.Float64()
				}
				if err := respond(ctx, tx, p.MeterID, h.e, cut); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return sum, err
		}
		s, err := dr.SettleEvent(ctx, db, h.p, h.e.ID, dr.SettleOptions{Holidays: hol}, db.SaveOutcomes(actor, h.p.Code))
		if err != nil {
			return sum, err
		}
		sum.Settled += s.Settled
		sum.ReducedWh += s.ReductionWh
	}

	// The battery virtual power plant: one storage event on the first
	// held Power Response day, dispatched to the fleet (dr_fleet.go).
	fleetDay := days[0]
	if fleetDay == cancelled {
		fleetDay = days[1]
	}
	if sum.Batteries, sum.FleetEvent, err = generateFleet(ctx, db, seed, cat, fleetDay, year); err != nil {
		return sum, err
	}
	return sum, nil
}

// respond scales a meter's delivered readings during an event by 1 − cut.
func respond(ctx context.Context, tx *store.Tx, meterID int64, e dr.Event, cut float64) error {
	ms, err := tx.MeterIntervals(ctx, meterID, e.Start, e.End)
	if err != nil {
		return err
	}
	s := ms.Delivered.Series
	if ms.Delivered.ChannelID == 0 || len(s.Values) == 0 {
		return nil
	}
	for i, v := range s.Values {
		if v > 0 {
			s.Values[i] = energy.Wh(math.Round(float64(v) * (1 - cut)))
		}
	}
	return tx.PutIntervals(ctx, ms.Delivered.ChannelID, s)
}
