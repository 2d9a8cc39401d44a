package storetest

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energyteam"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/tariff"
)

// testEnergyTeamCaseLifecycle: an advisor opens a case for the seeded
// home (a second open case for it is a Conflict), it moves open →
// advising with a follow-up date and two recommended options, a shared
// note is kept; referring the water heater to HEER creates a draft
// application pre-filled with the registry's facts and energy factor 2.35
// (eligible, $200: seed 003); HVAC quality installation without the
// program's calculated incentive is refused naming the fact and writes
// nothing, with it ($600) it drafts $600; managed charging is recorded
// as an EV SmartCharge enrollment referral; a closed case takes no
// referral; every change is in the audit log.
func testEnergyTeamCaseLifecycle(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	importShipped(t, db)
	_, _, a, _ := seed(t, db)
	var c energyteam.Case
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		c, err = tx.OpenCase(ctx, staff, energyteam.NewCase{AccountID: a.ID, Subject: "Replace the gas water heater", Source: energyteam.FromPortal})
		return err
	})
	if c.Status != energyteam.Open || c.Source != energyteam.FromPortal || c.OpenedBy != staff.String() {
		t.Fatalf("opened %+v", c)
	}
	err := txErr(db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.OpenCase(ctx, staff, energyteam.NewCase{AccountID: a.ID, Subject: "again", Source: energyteam.FromAdvisor})
		return err
	})
	wantErr(t, "second open case", err, apperr.Conflict, "")
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.OpenCase(ctx, staff, energyteam.NewCase{AccountID: a.ID + 999, Subject: "x", Source: energyteam.FromAdvisor})
		return err
	})
	wantErr(t, "unknown account", err, apperr.Invalid, "account_id")

	today := calendar.DateOf(t0)
	follow := today.AddDays(14)
	adv, rec := energyteam.Advising, []string{"hpwh", "ev_managed"}
	advisor := "Pat Moreno"
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		if _, err := tx.UpdateCase(ctx, staff, c.ID, energyteam.Update{Status: &adv, Advisor: &advisor, FollowUp: &follow, Recommended: &rec}, today); err != nil {
			return err
		}
		_, err := tx.AddCaseNote(ctx, staff, c.ID, "Called; sending the plan.", true)
		return err
	})
	got, err := db.AccountCase(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != energyteam.Advising || got.FollowUp != follow || len(got.Recommended) != 2 || len(got.Notes) != 1 || !got.Notes[0].Shared {
		t.Fatalf("after update %+v", got)
	}
	past := today.AddDays(-1)
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.UpdateCase(ctx, staff, c.ID, energyteam.Update{FollowUp: &past}, today)
		return err
	})
	wantErr(t, "past follow-up", err, apperr.Invalid, "follow_up")

	var hpwh energyteam.Referral
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		hpwh, err = tx.ReferCase(ctx, staff, c.ID, energyteam.ReferralRequest{Option: "hpwh", Program: "heer-hpwh"})
		return err
	})
	app, err := db.Application(ctx, hpwh.ApplicationID)
	if err != nil {
		t.Fatal(err)
	}
	if app.Status != "draft" || app.AccountID != a.ID || !app.Decision.Eligible || app.AmountCents != 20000 ||
		string(app.Facts.Measure["energy_factor"]) != "2.35" || app.Facts.CustomerClass != "residential" {
		t.Errorf("draft %+v", app)
	}
	if !strings.Contains(hpwh.Outcome, "quoted $200.00") {
		t.Errorf("outcome %q", hpwh.Outcome)
	}
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.ReferCase(ctx, staff, c.ID, energyteam.ReferralRequest{Option: "hp_heating", Program: "residential-hvac-qi"})
		return err
	})
	wantErr(t, "HVAC without its calculated incentive", err, apperr.Invalid, "measure.calculated_incentive_usd")
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		r, err := tx.ReferCase(ctx, staff, c.ID, energyteam.ReferralRequest{Option: "hp_heating", Program: "residential-hvac-qi",
			Facts: map[string]json.RawMessage{"calculated_incentive_usd": json.RawMessage("600")}})
		if err == nil && !strings.Contains(r.Outcome, "quoted $600.00") {
			t.Errorf("HVAC outcome %q", r.Outcome)
		}
		if err != nil {
			return err
		}
		_, err = tx.ReferCase(ctx, staff, c.ID, energyteam.ReferralRequest{Option: "ev_managed", Program: energyteam.EVSmartCharge})
		return err
	})
	got, err = db.Case(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Referrals) != 3 || got.Referrals[2].ApplicationID != 0 || !strings.Contains(got.Referrals[2].Outcome, "enroll") {
		t.Errorf("referrals %+v", got.Referrals)
	}
	closed := energyteam.Closed
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.UpdateCase(ctx, staff, c.ID, energyteam.Update{Status: &closed}, today)
		return err
	})
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.ReferCase(ctx, staff, c.ID, energyteam.ReferralRequest{Option: "hpwh", Program: "heer-hpwh"})
		return err
	})
	wantErr(t, "referral on a closed case", err, apperr.Conflict, "")
	rows, err := db.Cases(ctx, store.CaseFilter{})
	if err != nil || len(rows) != 0 {
		t.Errorf("open queue %v %v", rows, err)
	}
	rows, err = db.Cases(ctx, store.CaseFilter{Status: energyteam.Closed})
	if err != nil || len(rows) != 1 || rows[0].AccountNumber != a.Number || rows[0].CustomerName != "Ana Reyes" || rows[0].Closed.IsZero() {
		t.Errorf("closed queue %+v %v", rows, err)
	}
	log, err := db.AuditLog(ctx, store.AuditFilter{Entity: "energy_team_case", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	actions := map[string]int{}
	for _, r := range log {
		actions[r.Action]++
	}
	if actions["open"] != 1 || actions["update"] != 2 || actions["note"] != 1 || actions["refer"] != 3 {
		t.Errorf("audit %v", actions)
	}
	// a new case may be opened once the last is closed
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.OpenCase(ctx, staff, energyteam.NewCase{AccountID: a.ID, Subject: "EV", Source: energyteam.FromAdvisor, Advisor: "Pat"})
		return err
	})
	if cur, _ := db.AccountCase(ctx, a.ID); cur.Status != energyteam.Advising || cur.ID == c.ID {
		t.Errorf("new case %+v", cur)
	}
}

// testEnergyTeamPlanFromStoredData: the seeded home's 2025 synthetic use
// (SeedTwoYears) billed on both shipped SCE residential schedules as a
// CCA account (generation on the CCA's ledger), the last 12 whole months
// before today (2026-06): June 2025 to May 2026 (TOU-D versions start
// 2025-06-01), with the water heater's $200 HEER rebate and the plan of
// its recommended options.
func testEnergyTeamPlanFromStoredData(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	importShipped(t, db)
	_, _, a, m := seed(t, db)
	SeedTwoYears(t, db, m.Channels[0].ID, "", 1)
	vs, err := tariff.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.ImportTariffs(ctx, staff, vs, nil)
		return err
	})
	p, err := db.EnergyTeamPlan(ctx, a.ID, calendar.DateOf(t0), 500, []string{"hpwh"})
	if err != nil {
		t.Fatal(err)
	}
	if p.Span.Start != (calendar.Date{Year: 2025, Month: time.June, Day: 1}) || p.Span.End != (calendar.Date{Year: 2026, Month: time.June, Day: 1}) {
		t.Errorf("span %v", p.Span)
	}
	if len(p.Tariffs) != 2 || p.Tariffs[0].GenerationTotal <= 0 || p.Tariffs[0].Error != "" || len(p.Tariffs[0].Months) != 12 {
		t.Errorf("tariffs %+v", p.Tariffs)
	}
	for _, o := range p.Options {
		if o.Code == "hpwh" && (o.RebateCents != 20000 || o.NetCents != 630000) {
			t.Errorf("hpwh %+v", o)
		}
	}
	if p.Combined == nil || p.Combined.NetCents != 630000 {
		t.Errorf("plan %+v", p.Combined)
	}
}
