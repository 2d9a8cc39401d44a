package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// IncentiveSummary counts the demo's incentive activity.
type IncentiveSummary struct {
	Programs     int
	Applications int
	Coupons      int
	Batches      int
	PaidCents    money.Cents
	GreenLeaders int // businesses listed in the Green Leader directory
}

// Demo budgets beside the catalog's own (Instant AC $3.15M over three
// years, the $2M innovation fund of 2025). The seeds give no Sun Storage,
// HEER or pathway budget, so these are demo assumptions: a Sun Storage
// budget for the year of $500,000 (the 2025 figures, $103,750 paid and
// $288,000 reserved, fit in it), the pathway grants as 19 partner
// communities × $250,000 (seed 000), and HEER budgets sized to the demo.
func demoBudgets(year int) []incentive.Budget {
	from := calendar.Date{Year: year, Month: 1, Day: 1}
	to := calendar.Date{Year: year + 1, Month: 1, Day: 1}
	b := func(slug, program, name string, dollars int64, min money.Cents, measure ...string) incentive.Budget {
		return incentive.Budget{Slug: slug, ProgramID: program, Measure: strings.Join(measure, ""), Name: name, From: from, To: to, AllocatedCents: money.Dollars(dollars),
			MinReservableCents: min, Source: "demo assumption (internal/demo/incentives.go); the seeds state no budget for it"}
	}
	return []incentive.Budget{
		b(fmt.Sprintf("sun-storage-%d", year), "sun-storage-rebate", fmt.Sprintf("Sun Storage Rebate %d", year), 500_000, 75000),
		b(fmt.Sprintf("pathways-%d", year), "energized-communities", "Energized Communities pathways (19 × $250,000)", 4_750_000, 0, "pathway"),
		b(fmt.Sprintf("heer-thermostat-%d", year), "heer-smart-thermostat", fmt.Sprintf("HEER smart thermostat %d", year), 60_000, 7500),
		b(fmt.Sprintf("heer-hpwh-%d", year), "heer-hpwh", fmt.Sprintf("HEER heat pump water heaters %d", year), 40_000, 20000),
		powerResponseBudget(year),
	}
}

// powerResponseBudget funds Power Response's participation incentives
// (internal/dr pays them from it): $250,000 from ten years before the
// demo year with no end, so devices enrolled in earlier years are paid
// too. The seeds give no Power Response budget; this is a demo
// assumption.
func powerResponseBudget(year int) incentive.Budget {
	return incentive.Budget{Slug: "power-response-demo", ProgramID: "power-response", Measure: "participation", Name: "Power Response participation incentives",
		From: calendar.Date{Year: year - 10, Month: 1, Day: 1}, AllocatedCents: money.Dollars(250_000),
		Source: "demo assumption (internal/demo/incentives.go); the seeds state no budget for it"}
}

// intent is one planned piece of incentive activity.
type intent struct {
	day     calendar.Date
	account customer.Account
	program string
	facts   incentive.Facts
	serial  string
	outcome string // "pay", "claim", "reserve", "redeem", "coupon"
}

// incentives writes the demo's programs, budgets, applications, coupons
// and payment batches, deterministically from the seed: about half of
// the solar homes sampled ask for the Sun Storage Rebate (some paid in
// quarterly batches, the rest reserved or claimed), smart-thermostat homes
// claim the HEER bill credit, CARE/FERA homes take Instant AC coupons (some
// redeemed), a few homes claim an HPWH rebate (one with an energy factor
// below 2.0 is rejected), one battery repeats another's serial number and
// waits on hold, and six member agencies receive pathway grants. The
// store's clock is set to each activity's day of the demo year so the
// ledger (and the burn-down) spreads over the year; it is restored after.
func (w *writer) incentives(ctx context.Context, opt Options) (IncentiveSummary, error) {
	var sum IncentiveSummary
	db := w.db
	saved := db.Now
	defer func() { db.Now = saved }()
	at := func(d calendar.Date) {
		db.Now = func() time.Time { return d.In(calendar.Pacific).Add(10 * time.Hour).UTC() }
	}
	year := opt.Year
	jan1 := calendar.Date{Year: year, Month: 1, Day: 1}
	at(jan1)
	cat, err := incentive.Shipped()
	if err != nil {
		return sum, err
	}
	actor := auth.System
	err = db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.ImportPrograms(ctx, actor, cat)
		sum.Programs = res.Added
		if err != nil {
			return err
		}
		for _, b := range demoBudgets(year) {
			if err := tx.CreateBudget(ctx, actor, &b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	if sum.GreenLeaders, err = w.greenLeaders(ctx, opt); err != nil {
		return sum, err
	}
	if err := w.tracking(ctx, opt); err != nil {
		return sum, err
	}
	intents, err := w.plan(ctx, opt)
	if err != nil {
		return sum, err
	}
	quarter := 3
	for _, in := range intents {
		for int(in.day.Month) > quarter {
			if err := w.payBatches(ctx, &sum, calendar.Date{Year: year, Month: time.Month(quarter), Day: 28}); err != nil {
				return sum, err
			}
			quarter += 3
		}
		at(in.day)
		err := db.InTx(ctx, func(tx *store.Tx) error {
			switch in.outcome {
			case "coupon", "redeem":
				c, err := tx.IssueCoupon(ctx, actor, store.IssueCouponRequest{AccountID: in.account.ID, ProgramID: in.program,
					Retailer: "retailer-" + string(rune('a'+in.account.ID%3)), Channel: "in_store", Code: fmt.Sprintf("GB-DEMO-%06d", in.account.ID)})
				if err != nil {
					return err
				}
				sum.Coupons++
				if in.outcome == "redeem" {
					_, err = tx.RedeemCoupon(ctx, actor, c.Code, c.Retailer, c.Channel, fmt.Sprintf("POS-%d", c.ID), in.day.AddDays(9))
				}
				return err
			}
			var serials []string
			if in.serial != "" {
				serials = []string{in.serial}
			}
			a, err := tx.CreateApplication(ctx, actor, store.NewApplication{ProgramID: in.program, AccountID: in.account.ID,
				MemberAgency: in.facts.MemberAgency, Facts: in.facts, PurchaseDate: in.day.AddDays(-7), Serials: serials})
			if err != nil {
				return err
			}
			sum.Applications++
			if a, err = tx.SubmitApplication(ctx, actor, a.ID); err != nil || a.Status != incentive.Reserved && a.Status != incentive.UnderReview {
				return err
			}
			if in.outcome == "reserve" {
				return nil
			}
			if a.Status == incentive.UnderReview { // no budget: decided by staff
				if _, err := tx.TransitionApplication(ctx, actor, a.ID, store.Transition{To: incentive.Reserved}); err != nil {
					return err
				}
			}
			if _, err := tx.TransitionApplication(ctx, actor, a.ID, store.Transition{To: incentive.ClaimSubmitted}); err != nil || in.outcome == "claim" {
				return err
			}
			_, err = tx.TransitionApplication(ctx, actor, a.ID, store.Transition{To: incentive.Approved, Note: "claim verified"})
			return err
		})
		// A request the rules refuse (an account that joined the CCA after
		// the purchase, say) stores nothing and is left out.
		if k := apperr.KindOf(err); err != nil && (k == apperr.Invalid || k == apperr.Conflict) {
			continue
		}
		if err != nil {
			return sum, fmt.Errorf("demo: incentive activity of account %d (%s): %w", in.account.ID, in.program, err)
		}
	}
	for ; quarter <= 12; quarter += 3 {
		if err := w.payBatches(ctx, &sum, calendar.Date{Year: year, Month: time.Month(quarter), Day: 28}); err != nil {
			return sum, err
		}
	}
	if err := w.powerReadyGrants(ctx, opt, at); err != nil { // grants.go
		return sum, err
	}
	return sum, nil
}

// payBatches pays what is approved: a batch per method, reconciled as
// paid (the first payment of each ACH batch comes back returned once, to
// show a returned payment going back to approved). Bill-credit batches
// stay pending: the bill run credits each on the account's next bill and
// pays it through the ledger then (internal/billrun). Bill-credit batches
// stay pending: the bill run credits each on the account's next bill and
// pays it through the ledger then (internal/billrun). Bill-credit batches
// stay pending: the bill run credits each on the account's next bill and
// pays it through the ledger then (internal/billrun).
func (w *writer) payBatches(ctx context.Context, sum *IncentiveSummary, day calendar.Date) error {
	w.db.Now = func() time.Time { return day.In(calendar.Pacific).Add(15 * time.Hour).UTC() }
	for _, method := range incentive.BatchMethods {
		err := w.db.InTx(ctx, func(tx *store.Tx) error {
			b, ps, err := tx.CreatePaymentBatch(ctx, auth.System, method)
			if err != nil {
				if apperr.Is(err, apperr.Conflict) {
					return nil // nothing to pay this quarter
				}
				return err
			}
			sum.Batches++
			if method == incentive.BatchBillCredit {
				return nil
			}
			var res []incentive.PaymentResult
			for i, p := range ps {
				r := incentive.PaymentResult{PaymentID: p.ID, Status: "paid", Reference: fmt.Sprintf("%s-%d-%d", method, b.ID, p.ID)}
				if i == 0 && method == incentive.BatchACH && day.Month == 6 {
					r.Status, r.Note = "returned", "account closed"
				} else {
					sum.PaidCents += p.AmountCents
				}
				res = append(res, r)
			}
			_, err = tx.ReconcileBatch(ctx, auth.System, b.ID, res)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// plan chooses the activity from the accounts, deterministically, sorted
// by day.
func (w *writer) plan(ctx context.Context, opt Options) ([]intent, error) {
	var out []intent
	year := opt.Year
	dayOf := func(r *rand.Rand, fromMonth int) calendar.Date {
		m := fromMonth + r.IntN(13-fromMonth)
		return calendar.Date{Year: year, Month: time.Month(m), Day: 1 + r.IntN(27)}
	}
	yes, no := json.RawMessage("true"), json.RawMessage("false")
	after := int64(0)
	firstSerial, batteries := "", 0
	for {
		accts, err := w.db.Accounts(ctx, store.AccountFilter{Class: customer.Residential, LSE: customer.CCA, After: after, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, a := range accts {
			r := rand.New(rand.NewPCG(uint64(opt.Seed), uint64(a.ID)*0x9E3779B97F4A7C15+17))
			if r.Float64() >= 0.4 {
				continue
			}
			es, err := w.db.Enrollments(ctx, a.ID)
			if err != nil {
				return nil, err
			}
			on := func(p string) bool {
				return slices.ContainsFunc(es, func(e customer.Enrollment) bool { return e.Program == p && e.To.IsZero() })
			}
			switch {
			case on(ProgramNEM) && r.Float64() < 0.5:
				in := intent{day: dayOf(r, 1), account: a, program: "sun-storage-rebate",
					facts: incentive.Facts{Measure: map[string]json.RawMessage{"paired_with_solar": yes}}, serial: fmt.Sprintf("BAT-%d-%06d", year, a.ID)}
				switch x := r.Float64(); {
				case x < 0.45:
					in.outcome = "pay"
				case x < 0.55:
					in.outcome = "claim"
				default:
					in.outcome = "reserve"
				}
				batteries++
				if batteries == 1 {
					firstSerial = in.serial
				} else if batteries%25 == 4 {
					in.serial = firstSerial // a repeated serial: held for review
				}
				out = append(out, in)
			case on(ProgramSmartThermostat) && r.Float64() < 0.5:
				gas := no
				if r.Float64() < 0.6 {
					gas = yes
				}
				g := string(gas) == "true"
				out = append(out, intent{day: dayOf(r, 1), account: a, program: "heer-smart-thermostat", outcome: "pay",
					facts: incentive.Facts{GasCustomer: &g, Measure: map[string]json.RawMessage{"energy_day_enrolled": yes}}})
			case (on(customer.ProgramCARE) || on(customer.ProgramFERA)) && r.Float64() < 0.4:
				outcome := "coupon"
				if r.Float64() < 0.3 {
					outcome = "redeem"
				}
				// After the CARE/FERA enrollment starts (and the program's
				// March 2025 launch).
				from := 3
				for _, e := range es {
					if (e.Program == customer.ProgramCARE || e.Program == customer.ProgramFERA) && e.From.Year == year {
						from = max(from, int(e.From.Month)+1)
					}
				}
				if from <= 12 {
					out = append(out, intent{day: dayOf(r, from), account: a, program: "instant-ac-savings", outcome: outcome})
				}
			case r.Float64() < 0.08:
				ef := "2.2"
				if r.Float64() < 0.2 {
					ef = "1.9" // below 2.0: rejected by the automatic check
				}
				out = append(out, intent{day: dayOf(r, 1), account: a, program: "heer-hpwh", outcome: "pay",
					facts: incentive.Facts{Measure: map[string]json.RawMessage{"energy_factor": json.RawMessage(ef)}}})
			}
		}
		if len(accts) < 500 {
			break
		}
		after = accts[len(accts)-1].ID
	}
	// Pathway grants to six member agencies (seed 000: up to $250,000 per
	// agency for one pathway).
	pathways := []string{"building_electrification", "fleet_electrification", "community_ev_charging"}
	for i, ag := range w.db.Reference().MemberAgencies() {
		if i >= 6 {
			break
		}
		req := money.Dollars(int64(150_000 + 25_000*i))
		out = append(out, intent{day: calendar.Date{Year: year, Month: time.Month(2 + i), Day: 10}, program: "energized-communities",
			outcome: []string{"pay", "claim", "reserve"}[i%3],
			facts:   incentive.Facts{MemberAgency: ag.Name, Pathway: pathways[i%3], RequestedCents: &req, Measure: map[string]json.RawMessage{"type": json.RawMessage(`"pathway"`)}}})
	}
	slices.SortStableFunc(out, func(a, b intent) int { return a.day.Compare(b.day) })
	return out, nil
}

// greenLeaders enrolls every eighth commercial CCA business in Green
// Leader, at most 39 (seed 000: 39 businesses), four in five opting in to
// the public directory (track "listed").
func (w *writer) greenLeaders(ctx context.Context, opt Options) (int, error) {
	accts, err := w.db.Accounts(ctx, store.AccountFilter{Class: customer.Commercial, LSE: customer.CCA, Limit: 200})
	if err != nil {
		return 0, err
	}
	listed := 0
	// Written like the rest of the registry: through the bulk path, with
	// the demo's one audit record rather than one per row.
	err = w.db.InTx(ctx, func(tx *store.Tx) error {
		listed = 0
		b, err := tx.Bulk(ctx)
		if err != nil {
			return err
		}
		defer b.Close()
		for i, a := range accts {
			if i%8 != 0 || i/8 >= 39 {
				continue
			}
			from := laterOf(a.ServiceStart, calendar.Date{Year: opt.Year, Month: time.Month(1 + i%12), Day: 1})
			e := customer.Enrollment{AccountID: a.ID, Program: "green_leader", From: from, Source: "staff", Note: "on 100% Green Power (demo)"}
			if (i/8)%5 != 4 {
				e.Track = "listed"
				listed++
			}
			p, err := tx.Premise(ctx, a.PremiseID)
			if err != nil {
				return err
			}
			if err := b.Enrollments(ctx, a, p, []customer.Enrollment{e}); err != nil {
				return err
			}
		}
		return b.Close()
	})
	return listed, err
}

// tracking writes the tracked programs of seed 000: Power Ready round 1
// (11 projects at 8 member agencies with developer Coast Energy, site
// leases approved, expected first-year output 2,000,000 kWh in all; the
// 30% backup reserve and the sizes are demo assumptions), the CALeVIP
// investments ($1.53M; 42 Level 2 chargers in Los Angeles County and 84 in
// Ventura County; the split between equity and other communities is a
// demo assumption meeting the 60% and 50% shares), the CEC Equitable
// Building Decarbonization grant (about $1M) with its focus communities,
// Reach Code technical assistance (six agencies on existing-building
// codes, Ojai adopting in August, one on new construction, two on
// building performance standards) and Energy Team cases.
func (w *writer) tracking(ctx context.Context, opt Options) error {
	year := opt.Year
	d := func(m, day int) calendar.Date { return calendar.Date{Year: year, Month: time.Month(m), Day: day} }
	agencies := w.db.Reference().MemberAgencies()
	src := "seed 000 (CPA 2025 programs); sizes and splits are demo assumptions"
	return w.db.InTx(ctx, func(tx *store.Tx) error {
		actor := auth.System
		for i := range 11 {
			ag := agencies[(i*3)%len(agencies)]
			if i >= 8 { // 11 projects at 8 agencies
				ag = agencies[((i-8)*3)%len(agencies)]
			}
			kwh := int64(181_818)
			if i == 10 {
				kwh = 2_000_000 - 10*181_818
			}
			p := incentive.Project{Program: incentive.TrackPowerReady, Name: fmt.Sprintf("%s critical facility %d", ag.Name, i/8+1), Agency: ag.Name,
				County: ag.CountyFIPS, Partner: "Coast Energy", Facility: "community center", BackupReserveBP: 3000, BatteryKWh: 400, SolarKW: 112,
				ExpectedKWh: kwh, Source: src}
			if err := p.Validate(); err != nil {
				return err
			}
			if err := p.Complete("site_lease", d(2+i%3, 15)); err != nil {
				return err
			}
			if i%2 == 0 {
				if err := p.Complete("design", d(6+i%4, 20)); err != nil {
					return err
				}
			}
			if i%4 == 0 {
				if err := p.Complete("permits", d(11, 5)); err != nil {
					return err
				}
			}
			if err := tx.CreateProject(ctx, actor, &p); err != nil {
				return err
			}
		}
		for _, c := range []incentive.Project{
			{Name: "Los Angeles County Level 2 chargers, equity communities", County: "06037", AmountCents: money.Dollars(400_000), Equity: true, Chargers: 28},
			{Name: "Los Angeles County Level 2 chargers, other communities", County: "06037", AmountCents: money.Dollars(200_000), Chargers: 14},
			{Name: "Ventura County Level 2 chargers, equity communities", County: "06111", AmountCents: money.Dollars(500_000), Equity: true, Chargers: 48},
			{Name: "Ventura County Level 2 chargers, other communities", County: "06111", AmountCents: money.Dollars(430_000), Chargers: 36},
		} {
			c.Program, c.Source = incentive.TrackCALeVIP, src
			if err := tx.CreateProject(ctx, actor, &c); err != nil {
				return err
			}
		}
		be := incentive.Project{Program: incentive.TrackBuildingElec, Name: "Equitable Building Decarbonization (CEC)", Partner: "Los Angeles County and SoCalREN",
			Facility: "Bassett/Avocado Heights, Carson, Hawaiian Gardens, Hawthorne, Paramount", AmountCents: money.Dollars(1_000_000), Source: "seed 000: about $1M from the CEC"}
		if err := tx.CreateProject(ctx, actor, &be); err != nil {
			return err
		}
		reach := []struct{ topic, status string }{
			{"existing_building_reach_code", "adopted"}, {"existing_building_reach_code", "open"}, {"existing_building_reach_code", "open"},
			{"existing_building_reach_code", "open"}, {"existing_building_reach_code", "open"}, {"existing_building_reach_code", "open"},
			{"new_construction_reach_code", "open"}, {"building_performance_standard", "open"}, {"building_performance_standard", "open"},
		}
		for i, rc := range reach {
			ag := agencies[(i*5+1)%len(agencies)]
			if i == 0 {
				if a, ok := w.db.Reference().MemberAgency("Ojai"); ok {
					ag = a
				}
			}
			e := incentive.Engagement{Program: incentive.TrackReachCode, Agency: ag.Name, Channel: "meeting", Topic: rc.topic, Status: rc.status,
				Opened: d(1+i, 10)}
			if rc.status == "adopted" {
				e.Closed, e.Note = d(8, 12), "existing-building reach code adopted"
			}
			if err := tx.SaveEngagement(ctx, actor, &e); err != nil {
				return err
			}
		}
		topics := []string{"heat_pump_water_heater", "ev_charger", "finding_contractors", "tax_credits", "bill_tips", "home_hardening"}
		refer := map[string][]string{"heat_pump_water_heater": {"heer-hpwh"}, "ev_charger": {}, "home_hardening": {"sun-storage-rebate"}}
		channels := incentive.EngagementChannels[:4]
		n := min(240, max(12, w.sum.Residential/8))
		for i := range n {
			topic := topics[i%len(topics)]
			if topic == "home_hardening" && i < n/2 {
				topic = "bill_tips" // home hardening support began in November
			}
			e := incentive.Engagement{Program: incentive.TrackEnergyTeam, Channel: channels[i%len(channels)], Topic: topic, Status: "closed",
				Opened: d(1+i*11/n, 1+i%27), ReferredTo: refer[topic]}
			if topic == "home_hardening" {
				e.Opened = d(11, 1+i%28)
			}
			e.Closed = e.Opened.AddDays(3)
			if len(e.ReferredTo) > 0 {
				e.Status = "referred"
			}
			if err := tx.SaveEngagement(ctx, actor, &e); err != nil {
				return err
			}
		}
		return nil
	})
}
