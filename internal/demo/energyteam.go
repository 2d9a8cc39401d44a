package demo

import (
	"context"
	"fmt"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energyteam"
	"github.com/gridbook/gridbook/internal/store"
)

// demoAdvisor is the Energy Team advisor named on the demo's cases.
const demoAdvisor = "Pat Moreno (demo advisor)"

// energyTeam opens the demo's Energy Team cases (spec/cca-programs.md,
// "Energy Team"): the second demo customer's home, with an EV and a gas
// water heater, is being advised on a heat pump water heater and managed
// EV charging, with a note shared with the customer and a referral that
// drafted a HEER application; the first demo customer asked from the
// portal about adding load to a solar home and waits for an advisor. The
// cases run through the store like an advisor's own, so each is audited.
// It returns how many cases it opened.
func (w *writer) energyTeam(ctx context.Context) (int, error) {
	accountOf := func(email string) (int64, error) {
		u, err := w.db.UserByEmail(ctx, email)
		if err != nil {
			return 0, err
		}
		if len(u.AccountIDs) != 1 {
			return 0, fmt.Errorf("demo: %s is linked to %d accounts, want 1", email, len(u.AccountIDs))
		}
		return u.AccountIDs[0], nil
	}
	ev, err := accountOf("customer2@gridbook.demo")
	if err != nil {
		return 0, err
	}
	solar, err := accountOf("customer@gridbook.demo")
	if err != nil {
		return 0, err
	}
	today := calendar.DateOf(w.db.Now())
	advising, followUp := energyteam.Advising, today.AddDays(14)
	advisor, recommended := demoAdvisor, []string{"hpwh", "ev_managed"}
	err = w.db.InTx(ctx, func(tx *store.Tx) error {
		actor := auth.System
		c, err := tx.OpenCase(ctx, actor, energyteam.NewCase{AccountID: ev, Subject: "Replacing the gas water heater; charging the EV for less",
			Source: energyteam.FromAdvisor, Advisor: advisor})
		if err != nil {
			return err
		}
		if _, err := tx.UpdateCase(ctx, actor, c.ID, energyteam.Update{Status: &advising, FollowUp: &followUp, Recommended: &recommended}, today); err != nil {
			return err
		}
		if _, err := tx.AddCaseNote(ctx, actor, c.ID, "Spoke by phone: the water heater is 14 years old. "+
			"A heat pump water heater with the HEER rebate and overnight EV charging are in your plan; "+
			"ask two contractors for quotes and send them to us.", true); err != nil {
			return err
		}
		if _, err := tx.AddCaseNote(ctx, actor, c.ID, "Garage has a 240 V circuit already (EV charger).", false); err != nil {
			return err
		}
		if _, err := tx.ReferCase(ctx, actor, c.ID, energyteam.ReferralRequest{Option: "hpwh", Program: "heer-hpwh"}); err != nil {
			return err
		}
		_, err = tx.OpenCase(ctx, actor, energyteam.NewCase{AccountID: solar, Subject: "Would an induction range or a heat pump raise my bill with solar?",
			Source: energyteam.FromPortal})
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("demo energy team: %w", err)
	}
	return 2, nil
}
