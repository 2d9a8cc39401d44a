package energyteam

import (
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

func fields(err error) string {
	s := ""
	for _, f := range apperr.FieldsOf(err) {
		if s != "" {
			s += ","
		}
		s += f.Field
	}
	return s
}

// A new case needs an account, a subject of at most 200 characters and a
// source (advisor or portal).
func TestNewCaseFieldRules(t *testing.T) {
	long := string(make([]rune, 201))
	for _, tt := range []struct {
		name   string
		n      NewCase
		fields string
	}{
		{"valid", NewCase{AccountID: 1, Subject: " Heat pump water heater? ", Source: FromPortal}, ""},
		{"everything missing", NewCase{}, "account_id,subject,source"},
		{"subject too long", NewCase{AccountID: 1, Subject: long, Source: FromAdvisor}, "subject"},
		{"unknown source", NewCase{AccountID: 1, Subject: "x", Source: "email"}, "source"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.n.Validate()
			if got := fields(err); got != tt.fields {
				t.Errorf("fields %q, want %q (%v)", got, tt.fields, err)
			}
		})
	}
}

// Statuses follow the conversation: open → advising → waiting on the
// customer or referred → closed, and a closed case may be reopened; a
// jump the workflow does not allow is a Conflict. A follow-up date before
// today and an option the estimator does not know are refused by field;
// a refused update changes nothing.
func TestCaseUpdateRules(t *testing.T) {
	today := calendar.Date{Year: 2026, Month: 3, Day: 8}
	st := func(s Status) *Status { return &s }
	c := Case{Status: Open, Recommended: []string{}}
	if _, err := c.Apply(Update{Status: st(Referred)}, today); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("open → referred: %v", err)
	}
	rec := []string{"hpwh", "ev_managed", "hpwh"}
	follow := calendar.Date{Year: 2026, Month: 3, Day: 8}
	changed, err := c.Apply(Update{Status: st(Advising), Recommended: &rec, FollowUp: &follow}, today)
	if err != nil || !changed || c.Status != Advising || len(c.Recommended) != 2 || c.FollowUp != follow {
		t.Fatalf("advising: %v %+v", err, c)
	}
	past := calendar.Date{Year: 2026, Month: 3, Day: 7}
	bad := []string{"solar_roof"}
	_, err = c.Apply(Update{FollowUp: &past, Recommended: &bad, Status: st(Closed)}, today)
	if got := fields(err); got != "follow_up,recommended" || c.Status != Advising || c.FollowUp != follow {
		t.Errorf("bad update: %q %+v", got, c)
	}
	for _, s := range []Status{Referred, Closed, Advising} {
		if _, err := c.Apply(Update{Status: st(s)}, today); err != nil {
			t.Errorf("→ %s: %v", s, err)
		}
	}
	if changed, _ := c.Apply(Update{Status: st(Advising)}, today); changed {
		t.Error("an update to the same values reports a change")
	}
	if _, err := CheckNote("  "); fields(err) != "text" {
		t.Errorf("empty note: %v", err)
	}
}

// A referral names one of the option's programs: HEER for the water
// heater, EV SmartCharge for managed charging; induction has none.
func TestReferralOffers(t *testing.T) {
	if o, err := (ReferralRequest{Option: "hpwh", Program: "heer-hpwh"}).OfferFor(); err != nil || o.Measure != "hpwh" {
		t.Errorf("hpwh: %+v %v", o, err)
	}
	if o, err := (ReferralRequest{Option: "ev_managed", Program: EVSmartCharge}).OfferFor(); err != nil || o.Enrollment != EVSmartCharge {
		t.Errorf("managed charging: %+v %v", o, err)
	}
	for _, r := range []ReferralRequest{{Option: "induction", Program: "x"}, {Option: "hpwh", Program: "sun-storage-rebate"}} {
		if _, err := r.OfferFor(); fields(err) != "program" {
			t.Errorf("%+v: %v", r, err)
		}
	}
	if _, err := (ReferralRequest{Option: "pool"}).OfferFor(); fields(err) != "option" {
		t.Errorf("unknown option: %v", err)
	}
}
