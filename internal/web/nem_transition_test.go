package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/store"
)

// TestLegacyTransitionShownOnTheApplicationAndItsLastRunOnTheQueue: a NEM
// 1.0 home with PTO on 2006-03-01 reached the end of its 20-year legacy
// period on 2026-03-01; before the daily run its page says it will move,
// after it the page says it is on the Net Billing Tariff since that day
// and the queue shows the run.
func TestLegacyTransitionShownOnTheApplicationAndItsLastRunOnTheQueue(t *testing.T) {
	s := newNEMSite(t)
	ctx := context.Background()
	d := func(y, m, day int) calendar.Date { return calendar.Date{Year: y, Month: time.Month(m), Day: day} }
	var app nem.Application
	err := s.db.InTx(ctx, func(tx *store.Tx) error {
		c := customer.Customer{Kind: customer.Person, Name: "Rosa Ibarra"}
		p := customer.Premise{Address: "12 Old Mill Rd", City: "Ojai", ZIP: "93023", CountyFIPS: "06111", MemberAgency: "Ojai"}
		a := customer.Account{Number: "3000099999", Class: customer.Residential, RateSchedule: "TOU-D-4-9PM", LSE: customer.CCA, ServiceStart: d(2004, 1, 1)}
		if err := tx.CreateCustomer(ctx, seedActor, &c); err != nil {
			return err
		}
		if err := tx.CreatePremise(ctx, seedActor, &p); err != nil {
			return err
		}
		a.CustomerID, a.PremiseID = c.ID, p.ID
		if err := tx.CreateAccount(ctx, seedActor, &a); err != nil {
			return err
		}
		app = nem.Application{AccountID: a.ID, System: nem.System{Variant: nem.Standard, Technology: nem.SolarPV, CapacityW: 3_000,
			ExpectedAnnualWh: 4_000_000, AnnualUseWh: 6_000_000}}
		if _, err := tx.CreateNEMApplication(ctx, seedActor, &app, true, d(2005, 11, 1)); err != nil {
			return err
		}
		for _, st := range []nem.Step{{To: nem.CompletenessReview, On: d(2005, 11, 2)}, {To: nem.TechnicalReview, On: d(2005, 11, 3)},
			{To: nem.Approved, On: d(2006, 1, 10)}, {To: nem.AgreementSigned, On: d(2006, 1, 11)},
			{To: nem.MeterReady, On: d(2006, 2, 1), MeterMethod: nem.MeterSwap}, {To: nem.PTOIssued, On: d(2006, 3, 1)}} {
			var err error
			if app, err = tx.AdvanceNEMApplication(ctx, seedActor, app.ID, st, d(2026, 3, 10)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	analyst := s.login(t, "/login", analystEmail)
	page := fmt.Sprintf("/nem/applications/%d", app.ID)
	checkPage(t, s.get(t, page, analyst), []string{"until 2026-03-01; ended: moves to the Net Billing Tariff with the next daily legacy-transition run"}, nil)
	checkPage(t, s.get(t, "/nem", analyst), []string{"NEM 1.0/2.0 legacy-period transitions", "has not run yet"}, nil)
	if _, _, err := s.db.RunNEMTransitions(ctx, seedActor, d(2026, 3, 10), false); err != nil {
		t.Fatal(err)
	}
	checkPage(t, s.get(t, page, analyst), []string{"ended: on the Net Billing Tariff since 2026-03-01", "legacy period ended: Net Billing Tariff from 2026-03-01"},
		[]string{"next daily"})
	checkPage(t, s.get(t, "/nem", analyst), []string{"1 of 1 interconnections moved to the successor tariff on 2026-03-10"}, []string{"has not run yet"})
}

// TestIncentiveQueueShowsTheLastExpiryRun: the application queue says
// when the daily expiry last ran and what it did.
func TestIncentiveQueueShowsTheLastExpiryRun(t *testing.T) {
	s := newNEMSite(t)
	manager := s.login(t, "/login", managerEmail)
	checkPage(t, s.get(t, "/incentives/applications", manager), []string{"Expiry of lapsed reservations and coupons", "has not run yet"}, nil)
	if _, err := s.db.RunIncentiveExpiry(context.Background(), seedActor, calendar.Date{Year: 2026, Month: 3, Day: 10}); err != nil {
		t.Fatal(err)
	}
	checkPage(t, s.get(t, "/incentives/applications", manager), []string{"for 2026-03-10 by cli seed: expired on 2026-03-10: 0 reservations, 0 coupons"},
		[]string{"has not run yet"})
}
