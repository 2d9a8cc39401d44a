package demo

import (
	"context"
	"testing"

	"github.com/gridbook/gridbook/internal/energyteam"
)

// TestDemoEnergyTeamCases: the second demo customer's home has an advising
// case with the two recommended options, one shared and one internal note
// and a HEER referral that drafted an application for that account; the
// first demo customer's portal request waits, unassigned, for an advisor.
func TestDemoEnergyTeamCases(t *testing.T) {
	ctx := context.Background()
	db := openDB(t, "et.db")
	s := generate(t, db, Options{Accounts: 600, Seed: 3})
	if s.EnergyTeamCases != 2 {
		t.Fatalf("summary counts %d cases, want 2", s.EnergyTeamCases)
	}
	account := func(email string) int64 {
		u, err := db.UserByEmail(ctx, email)
		if err != nil || len(u.AccountIDs) != 1 {
			t.Fatalf("%s: %+v %v", email, u, err)
		}
		return u.AccountIDs[0]
	}
	c, err := db.AccountCase(ctx, account("customer2@gridbook.demo"))
	if err != nil {
		t.Fatal(err)
	}
	shared := 0
	for _, n := range c.Notes {
		if n.Shared {
			shared++
		}
	}
	if c.Status != energyteam.Advising || c.Advisor != demoAdvisor || len(c.Recommended) != 2 || len(c.Notes) != 2 || shared != 1 ||
		len(c.Referrals) != 1 || c.Referrals[0].Program != "heer-hpwh" || c.Referrals[0].ApplicationID == 0 {
		t.Fatalf("customer2's case %+v", c)
	}
	app, err := db.Application(ctx, c.Referrals[0].ApplicationID)
	if err != nil || app.AccountID != c.AccountID || app.ProgramID != "heer-hpwh" {
		t.Errorf("referral's draft %+v (%v), want a heer-hpwh application of account %d", app, err, c.AccountID)
	}
	p, err := db.AccountCase(ctx, account("customer@gridbook.demo"))
	if err != nil || p.Status != energyteam.Open || p.Source != energyteam.FromPortal || p.Advisor != "" {
		t.Errorf("customer's case %+v (%v), want an open portal request without an advisor", p, err)
	}
}
