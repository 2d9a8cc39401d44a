package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/store"
)

// The demo's customer-generation data (written after the registry):
//
//   - three installers, and the login installer@gridbook.demo for the
//     first (Sunrise Solar Inc.);
//   - for every solar home (a "nem" enrollment) an interconnection
//     application that reached PTO on the enrollment's start date: filed
//     by an installer for 85% of them, with a complete date, approval,
//     agreement and a meter reprogrammed or swapped within the 30
//     business days for about 90% (the rest late, with their credited
//     days), and a vintage by application date that equals the
//     enrollment's track (the dates are kept on the vintage's side of
//     2017-07-01 and 2023-04-15, and within the account's service);
//   - about 3% of the other homes with an application in process, in
//     every status from draft to meter ready, some past their meter due
//     date, and a few withdrawn or rejected;
//   - TOU-8 Option A for up to three large businesses on TOU-8, and five
//     feed-in tariff requests in Ventura County cities.
//
// The rows are written in bulk without per-row audit records, like the
// registry's; the demo's "generate" record covers them. Every draw comes
// from one PCG stream of the seed, so the same seed gives the same rows.

// nemStream separates the NEM draws from the accounts' own streams.
const nemStream = 0x4e454d

// demoInstallers are the demo's installers; the first has the login.
var demoInstallers = []store.Installer{
	{Name: "Sunrise Solar Inc.", License: "C46-1008801", Email: "permits@sunrise-solar.example.com"},
	{Name: "Pacific Coast Solar", License: "C46-1009912", Email: "interconnect@pcsolar.example.com"},
	{Name: "Valley Clean Energy Installers", License: "C10-1011235", Email: "office@valleyclean.example.com"},
}

// installerLogin is the demo installer user.
const installerLogin = "installer@gridbook.demo"

// nem writes the demo's customer-generation data.
func (w *writer) nem(ctx context.Context, opt Options) error {
	r := rand.New(rand.NewPCG(uint64(opt.Seed), nemStream))
	today := calendar.DateOf(w.db.Now())
	hash, err := auth.HashPassword(Password, bcryptCost)
	if err != nil {
		return err
	}
	var installers []int64
	err = w.db.InTx(ctx, func(tx *store.Tx) error {
		installers = nil
		for _, in := range demoInstallers {
			if err := tx.CreateInstaller(ctx, auth.System, &in); err != nil {
				return err
			}
			installers = append(installers, in.ID)
		}
		u := auth.User{Email: installerLogin, Name: "Demo Installer", Role: auth.Installer, PasswordHash: hash}
		if err := tx.CreateUser(ctx, auth.System, &u); err != nil {
			return err
		}
		return tx.LinkInstallerUser(ctx, auth.System, installers[0], u.ID)
	})
	if err != nil {
		return err
	}
	w.sum.Logins = append(w.sum.Logins, Login{Email: installerLogin, Role: auth.Installer, Password: Password,
		About: demoInstallers[0].Name + ": files and follows NEM applications"})
	pick := func() int64 {
		if r.IntN(100) < 15 {
			return 0 // filed by the customer
		}
		return installers[r.IntN(len(installers))]
	}
	arrangements, err := w.pickArrangements(ctx, opt)
	if err != nil {
		return err
	}
	// Every account, a page at a time, in ID order.
	var after int64
	for {
		var accts []customer.Account
		if accts, err = w.db.Accounts(ctx, store.AccountFilter{After: after, Limit: 500}); err != nil || len(accts) == 0 {
			break
		}
		after = accts[len(accts)-1].ID
		err = w.db.InTx(ctx, func(tx *store.Tx) error {
			for _, a := range accts {
				es, err := tx.Enrollments(ctx, a.ID)
				if err != nil {
					return err
				}
				var solar *customer.Enrollment
				for i := range es {
					if es[i].Program == ProgramNEM {
						solar = &es[i]
					}
				}
				switch {
				case solar != nil:
					err = importInterconnected(ctx, tx, r, a, *solar, pick(), arrangements[a.ID])
					if ar := arrangements[a.ID]; ar != nil && err == nil {
						w.sum.Arrangements = append(w.sum.Arrangements, ar.summary)
					}
				case a.Class == customer.Residential && a.Active(today) && r.IntN(100) < 3:
					err = importInProcess(ctx, tx, r, a, pick(), today)
				}
				if err != nil {
					return fmt.Errorf("demo: NEM application for %s: %w", a.Number, err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	return w.db.InTx(ctx, func(tx *store.Tx) error {
		if err := demoOptionA(ctx, tx, r, today); err != nil {
			return err
		}
		return demoFIT(ctx, tx, w.db, today)
	})
}

// demoSystem draws a rooftop system for an account: 3–12 kW for homes
// (20–300 kW for others) producing about 1,600 kWh per kW a year, sized
// under the past year's use; one in ten pairs a battery.
func demoSystem(r *rand.Rand, a customer.Account) nem.System {
	kw := 3_000 + int64(r.IntN(9_001))
	if a.Class != customer.Residential {
		kw = 20_000 + int64(r.IntN(280_001))
	}
	kw -= kw % 100
	annual := energy.Wh(kw * 1_600)
	s := nem.System{Variant: nem.Standard, Technology: nem.SolarPV, CapacityW: energy.W(kw), ExpectedAnnualWh: annual,
		AnnualUseWh: annual * energy.Wh(105+r.IntN(40)) / 100}
	if r.IntN(10) == 0 {
		s.Storage = &billing.Storage{KWh: 13_500, KW: 5_000, Metering: "pcs_solar_only"}
	}
	return s
}

// milestones are an application's dates from filing to PTO.
type milestones struct{ submitted, review, complete, approved, agreement, meter, pto calendar.Date }

// clampFrom moves every date before floor up to it, keeping their order.
func (m *milestones) clampFrom(floor calendar.Date) {
	for _, d := range []*calendar.Date{&m.submitted, &m.review, &m.complete, &m.approved, &m.agreement, &m.meter} {
		if d.Before(floor) {
			*d = floor
		}
	}
}

// importInterconnected writes the application behind a solar home's
// enrollment: PTO on the enrollment's start, the other dates drawn
// backwards from it; for a generator of a demo arrangement, that
// arrangement's system.
func importInterconnected(ctx context.Context, tx *store.Tx, r *rand.Rand, a customer.Account, e customer.Enrollment, installer int64, ar *arrangement) error {
	h := calendar.UtilityHolidays()
	var m milestones
	m.pto = e.From
	m.meter = m.pto.AddDays(-1 - r.IntN(7))
	late := r.IntN(10) == 0
	if late {
		m.complete = h.AddBusinessDays(m.meter, -(nem.MeterServiceDays + 1 + r.IntN(10)))
	} else {
		m.complete = h.AddBusinessDays(m.meter, -(5 + r.IntN(24)))
	}
	m.approved = m.complete.AddDays(m.complete.DaysUntil(m.meter) / 2)
	m.agreement = m.approved.AddDays(min(3, m.approved.DaysUntil(m.meter)))
	m.submitted = h.AddBusinessDays(m.complete, -(2 + r.IntN(8)))
	m.review = h.AddBusinessDays(m.submitted, 1)
	if m.review.After(m.complete) {
		m.review = m.complete
	}
	// The application date decides the vintage: keep it on the side of the
	// tariff the enrollment (dated by PTO) names, and within service.
	floor := a.ServiceStart
	for _, b := range []struct {
		track string
		from  calendar.Date
	}{{nem.NEM2, nem.SCEVintages.NEM2From}, {nem.NBT, nem.SCEVintages.NBTFrom}} {
		if e.Track == b.track && floor.Before(b.from) {
			floor = b.from
		}
	}
	m.clampFrom(floor)
	sys := demoSystem(r, a)
	f := facts(a, m.approved)
	if ar != nil {
		sys, f.Others = ar.system(sys), ar.others
	}
	app := nem.Application{AccountID: a.ID, InstallerID: installer, System: sys, Status: nem.Active, MeterMethod: nem.MeterReprogram,
		EnrollmentID: e.ID, Created: m.submitted.Start()}
	if r.IntN(5) == 0 {
		app.MeterMethod = nem.MeterSwap
	}
	app.Milestones = nem.Milestones{Submitted: m.submitted, Complete: m.complete, Approved: m.approved, Agreement: m.agreement,
		Meter: m.meter, PTO: m.pto, Active: m.pto}
	app.Vintage = nem.SCEVintages.VintageOf(m.submitted, sys.Variant == nem.Aggregation)
	if app.Vintage.Program != e.Track {
		return fmt.Errorf("vintage %s of %s does not match track %s", app.Vintage.Program, m.submitted, e.Track)
	}
	hist := history(app.InstallerID, m, []nem.Status{nem.Submitted, nem.CompletenessReview, nem.TechnicalReview, nem.Approved,
		nem.AgreementSigned, nem.MeterReady, nem.PTOIssued, nem.Active})
	d := nem.Decide(sys, f, m.approved)
	var credit *nem.EstimatedCredit
	if ms := nem.MeterServiceLevel(m.complete, m.meter, m.meter, h); ms.Credit != nil {
		credit = &nem.EstimatedCredit{Period: *ms.Credit, Days: ms.DelayDays,
			Reason: fmt.Sprintf("meter %s on %s, %d days after the due date %s", app.MeterMethod, m.meter, ms.DelayDays, ms.Due)}
	}
	return tx.ImportNEMApplication(ctx, &app, hist, d, credit)
}

func facts(a customer.Account, on calendar.Date) nem.Facts {
	return nem.Facts{Account: nem.AccountFacts{Number: a.Number, CustomerID: a.CustomerID, RateSchedule: a.RateSchedule, Active: a.Active(on)}}
}

// history lists the steps to the given statuses on the milestones' dates.
func history(installer int64, m milestones, steps []nem.Status) []nem.Event {
	on := map[nem.Status]calendar.Date{nem.Submitted: m.submitted, nem.CompletenessReview: m.review, nem.TechnicalReview: m.complete,
		nem.Approved: m.approved, nem.AgreementSigned: m.agreement, nem.MeterReady: m.meter, nem.PTOIssued: m.pto, nem.Active: m.pto,
		nem.Withdrawn: m.agreement, nem.Rejected: m.approved}
	var out []nem.Event
	from := nem.Status("")
	for _, s := range steps {
		actor := "user:0 interconnection@cpa.example"
		if s == nem.Submitted && installer != 0 {
			actor = "user:0 installer"
		}
		out = append(out, nem.Event{From: from, To: s, On: on[s], At: on[s].Start().Add(10 * time.Hour), Actor: actor})
		from = s
	}
	return out
}

// inProcessSteps are the statuses an in-process demo application stops
// at, in the order they are drawn.
var inProcessSteps = []nem.Status{nem.Draft, nem.Submitted, nem.CompletenessReview, nem.TechnicalReview, nem.Approved,
	nem.AgreementSigned, nem.AgreementSigned, nem.MeterReady, nem.Withdrawn, nem.Rejected}

// importInProcess writes an application still in process (or closed
// before PTO) for a home without solar, dated in the weeks before today.
func importInProcess(ctx context.Context, tx *store.Tx, r *rand.Rand, a customer.Account, installer int64, today calendar.Date) error {
	h := calendar.UtilityHolidays()
	status := inProcessSteps[r.IntN(len(inProcessSteps))]
	var m milestones
	m.submitted = h.AddBusinessDays(today, -(3 + r.IntN(70)))
	if m.submitted.Before(a.ServiceStart) {
		m.submitted = a.ServiceStart
	}
	m.review = h.AddBusinessDays(m.submitted, 1)
	m.complete = h.AddBusinessDays(m.review, 1+r.IntN(4))
	m.approved = h.AddBusinessDays(m.complete, 5+r.IntN(10))
	m.agreement = h.AddBusinessDays(m.approved, 1+r.IntN(3))
	m.meter = h.AddBusinessDays(m.agreement, 3+r.IntN(20))
	order := []nem.Status{nem.Submitted, nem.CompletenessReview, nem.TechnicalReview, nem.Approved, nem.AgreementSigned, nem.MeterReady}
	var steps []nem.Status
	switch status {
	case nem.Draft:
	case nem.Withdrawn:
		steps = append(order[:4:4], nem.Withdrawn)
	case nem.Rejected:
		steps = []nem.Status{nem.Submitted, nem.CompletenessReview, nem.TechnicalReview, nem.Rejected}
	default:
		for _, s := range order {
			steps = append(steps, s)
			if s == status {
				break
			}
		}
	}
	// Nothing is dated after today: stop at the last step already reached.
	dates := map[nem.Status]calendar.Date{nem.Submitted: m.submitted, nem.CompletenessReview: m.review, nem.TechnicalReview: m.complete,
		nem.Approved: m.approved, nem.AgreementSigned: m.agreement, nem.MeterReady: m.meter, nem.Withdrawn: m.agreement, nem.Rejected: m.approved}
	for len(steps) > 0 && dates[steps[len(steps)-1]].After(today) {
		steps = steps[:len(steps)-1]
	}
	sys := demoSystem(r, a)
	app := nem.Application{AccountID: a.ID, InstallerID: installer, System: sys, Status: nem.Draft, Created: m.submitted.Start()}
	ms := &app.Milestones
	for _, s := range steps {
		app.Status = s
		switch s {
		case nem.Submitted:
			ms.Submitted = m.submitted
		case nem.TechnicalReview:
			ms.Complete = m.complete
		case nem.Approved:
			ms.Approved = m.approved
		case nem.AgreementSigned:
			ms.Agreement = m.agreement
		case nem.MeterReady:
			ms.Meter, app.MeterMethod = m.meter, nem.MeterReprogram
		case nem.Withdrawn, nem.Rejected:
			ms.Closed = dates[s]
		}
	}
	if !ms.Submitted.IsZero() {
		app.Vintage = nem.SCEVintages.VintageOf(ms.Submitted, false)
	}
	hist := history(installer, m, steps)
	for i := range hist {
		switch hist[i].To {
		case nem.Withdrawn:
			hist[i].Note = "the customer chose not to go ahead"
		case nem.Rejected:
			hist[i].Note = "the site cannot host the system without a service upgrade the customer declined"
		}
	}
	decided := m.submitted
	d := nem.Decide(sys, facts(a, decided), decided)
	var credit *nem.EstimatedCredit
	if !ms.Meter.IsZero() {
		if lv := nem.MeterServiceLevel(ms.Complete, ms.Meter, ms.Meter, h); lv.Credit != nil {
			credit = &nem.EstimatedCredit{Period: *lv.Credit, Days: lv.DelayDays,
				Reason: fmt.Sprintf("meter %s on %s, %d days after the due date %s", app.MeterMethod, ms.Meter, lv.DelayDays, lv.Due)}
		}
	}
	return tx.ImportNEMApplication(ctx, &app, hist, d, credit)
}

// demoOptionA puts up to three large TOU-8 businesses with their own
// solar on TOU-8 Option A: approved and enrolled within the 15 days.
func demoOptionA(ctx context.Context, tx *store.Tx, r *rand.Rand, today calendar.Date) error {
	accts, err := tx.Accounts(ctx, store.AccountFilter{RateSchedule: "TOU-8-D", Limit: 50})
	if err != nil {
		return err
	}
	n := 0
	for _, a := range accts {
		if n == 3 || !a.Active(today) {
			continue
		}
		demand := energy.W(600_000 + r.IntN(1_400_001))
		approved := today.AddDays(-20 - r.IntN(200))
		if approved.AddDays(-40).Before(a.ServiceStart) {
			continue
		}
		req := nem.RateRequest{Rate: nem.OptionA, AccountID: a.ID, On: approved, MaxDemandW: demand, DemandMonths: 12, TOU8Eligible: true,
			Technology: nem.SolarPV, GeneratorW: demand * energy.W(20+r.IntN(30)) / 100, PTO: approved.AddDays(-30)}
		rec := store.SpecialRateRecord{Rate: nem.OptionA, AccountID: a.ID, Status: store.RateApproved, ApprovedW: req.GeneratorW,
			RequestedOn: approved, ApprovedOn: approved, Request: req}
		if err := tx.ImportSpecialRate(ctx, auth.System, &rec); err != nil {
			return err
		}
		if _, err := tx.EnrollSpecialRate(ctx, auth.System, rec.ID, approved.AddDays(3+r.IntN(10))); err != nil {
			return err
		}
		n++
	}
	return nil
}

// demoFIT queues five feed-in tariff requests at SCE: two accepted (one
// inspected), one posted and waiting, one denied and appealed, one just
// received.
func demoFIT(ctx context.Context, tx *store.Tx, db *store.DB, today calendar.Date) error {
	now := db.Now()
	reqs := []struct {
		r     nem.FITRequest
		age   int // days since received
		steps []nem.FITStep
	}{
		{nem.FITRequest{Program: nem.ReMAT, Product: nem.ProductPeaking, Facility: "Santa Paula Citrus Solar LLC", City: "Santa Paula",
			Technology: "solar_pv", EffectiveW: 3_000_000, NameplateW: 3_000_000, MaxExportW: 3_000_000, TermYears: 20}, 400,
			[]nem.FITStep{{To: nem.FITPosted}, {To: nem.FITAccepted}}},
		{nem.FITRequest{Program: nem.BioMAT, Category: nem.BioDairy, Facility: "Fillmore Dairy Digester", City: "Fillmore",
			Technology: "biogas", EffectiveW: 1_500_000, NameplateW: 4_500_000, MaxExportW: 3_000_000, Rule21: true, TermYears: 15,
			OperatingOn: calendar.Date{Year: 2021, Month: time.May, Day: 3}}, 300, []nem.FITStep{{To: nem.FITPosted}, {To: nem.FITAccepted}}},
		{nem.FITRequest{Program: nem.ReMAT, Product: nem.ProductBaseload, Facility: "Camarillo Water Reclamation Hydro", City: "Camarillo",
			Technology: "hydro", EffectiveW: 800_000, NameplateW: 800_000, MaxExportW: 800_000, TermYears: 10}, 60, []nem.FITStep{{To: nem.FITPosted}}},
		{nem.FITRequest{Program: nem.ReMAT, Product: nem.ProductNonPeaking, Facility: "Oxnard Plain Wind", City: "Oxnard",
			Technology: "wind", EffectiveW: 2_000_000, NameplateW: 2_000_000, MaxExportW: 2_000_000, TermYears: 20}, 45,
			[]nem.FITStep{{To: nem.FITPosted}, {To: nem.FITDenied, Reason: "grid_inadequate"}, {To: nem.FITAppealed, Note: "the owner appealed to the CPUC"}}},
		{nem.FITRequest{Program: nem.ReMAT, Product: nem.ProductPeaking, Facility: "Ojai Valley Community Solar", City: "Ojai",
			Technology: "solar_pv", EffectiveW: 1_000_000, NameplateW: 1_000_000, MaxExportW: 1_000_000, TermYears: 20}, 3, nil},
	}
	for _, q := range reqs {
		r := q.r
		r.Utility, r.Received = "SCE", now.Add(-time.Duration(q.age)*24*time.Hour)
		if _, err := tx.CreateFITRequest(ctx, auth.System, &r); err != nil {
			return err
		}
		on := calendar.DateOf(r.Received)
		for i, s := range q.steps {
			s.On = on.AddDays(4 + 10*i)
			if _, err := tx.AdvanceFITRequest(ctx, auth.System, r.ID, s, today); err != nil {
				return err
			}
		}
		if q.age == 400 {
			in := nem.Inspection{RequestID: r.ID, On: on.AddDays(380), Contractor: "Ventura Electrical Services", License: "C10-1023344"}
			if err := tx.AddFITInspection(ctx, auth.System, &in); err != nil {
				return err
			}
		}
	}
	return nil
}
