package rps

import (
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/energy"
)

// TestLongTermClassification is research/rps.md T12: (a) 9 years 364
// days is short-term; (b) 10 years 0 days is long-term; (c) a 5-year
// contract extended by 10 continuous years on 2022-07-01 is short-term
// before that day and long-term from it; (d) a 5-year contract extended by
// 5 years stays short-term. Ownership is always long-term (§399.13(b)).
func TestLongTermClassification(t *testing.T) {
	start := date(t, "2021-01-01")
	a := Contract{Start: start, End: date(t, "2030-12-31")}
	b := Contract{Start: start, End: date(t, "2031-01-01")}
	c := Contract{Start: start, End: date(t, "2026-01-01"), Amendments: []Amendment{{Date: date(t, "2022-07-01"), Kind: AmendExtension, NewEnd: date(t, "2036-01-01")}}}
	d := Contract{Start: start, End: date(t, "2026-01-01"), Amendments: []Amendment{{Date: date(t, "2022-07-01"), Kind: AmendExtension, NewEnd: date(t, "2031-01-01")}}}
	own := Contract{Start: start, End: date(t, "2022-01-01"), Ownership: true}
	for _, x := range []struct {
		name string
		c    Contract
		on   string
		want bool
	}{
		{"a 9y364d", a, "2025-01-01", false},
		{"b 10y", b, "2021-01-01", true},
		{"c before amendment", c, "2022-06-30", false},
		{"c from amendment", c, "2022-07-01", true},
		{"d short extension", d, "2028-01-01", false},
		{"ownership", own, "2021-06-01", true},
	} {
		if got := x.c.LongTermOn(date(t, x.on)); got != x.want {
			t.Errorf("%s on %s: long-term %v, want %v", x.name, x.on, got, x.want)
		}
	}
}

// TestCountInFullLostByAmendment is T13b (§399.16(d)(3)): a 2009 contract
// amended in 2015 to add capacity loses count-in-full status for
// deliveries from the amendment; an extension keeps it when the original
// commitment was 15 years or more and loses it when it was 10.
func TestCountInFullLostByAmendment(t *testing.T) {
	from := date(t, "2010-06-01")
	base := Contract{Executed: date(t, "2009-03-01"), Start: date(t, "2009-06-01"), End: date(t, "2029-06-01"), EligibleWhenSigned: true, CPUCApproved: true}
	capUp := base
	capUp.Amendments = []Amendment{{Date: date(t, "2015-05-01"), Kind: AmendCapacityIncrease, Note: "20 MW to 30 MW"}}
	if ok, _ := capUp.CountInFullOn(date(t, "2015-04-30"), from, true); !ok {
		t.Errorf("before the amendment the contract should count in full")
	}
	if ok, why := capUp.CountInFullOn(date(t, "2015-05-01"), from, true); ok || !strings.Contains(why, "capacity_increase") {
		t.Errorf("from the amendment: %v %q, want lost for capacity_increase", ok, why)
	}
	ext20 := base // 20-year original commitment
	ext20.Amendments = []Amendment{{Date: date(t, "2020-01-01"), Kind: AmendExtension, NewEnd: date(t, "2034-06-01")}}
	if ok, why := ext20.CountInFullOn(date(t, "2030-01-01"), from, true); !ok {
		t.Errorf("extension of a 20-year commitment: lost (%s)", why)
	}
	ext10 := base
	ext10.End = date(t, "2019-06-01")
	ext10.Amendments = []Amendment{{Date: date(t, "2018-01-01"), Kind: AmendExtension, NewEnd: date(t, "2024-06-01")}}
	if ok, _ := ext10.CountInFullOn(date(t, "2020-01-01"), from, true); ok {
		t.Errorf("extension of a 10-year commitment should lose count-in-full status")
	}
	unapproved := base
	unapproved.CPUCApproved = false
	if ok, _ := unapproved.CountInFullOn(date(t, "2012-01-01"), from, true); ok {
		t.Errorf("an unapproved IOU contract should not count in full")
	}
	if ok, _ := unapproved.CountInFullOn(date(t, "2012-01-01"), from, false); !ok {
		t.Errorf("approval is asked only of electrical corporations")
	}
}

// TestAmendmentBeforeExecutionRefused: an amendment dated before its
// contract's execution is refused, naming it (issue 7, bad input).
func TestAmendmentBeforeExecutionRefused(t *testing.T) {
	c := Contract{Name: "Solar A", FacilityID: 1, Executed: date(t, "2020-01-10"), Start: date(t, "2021-01-01"), End: date(t, "2041-01-01"),
		Delivery: DeliverInCBA, Amendments: []Amendment{{Date: date(t, "2019-12-31"), Kind: AmendOther}}}
	err := c.Validate()
	if fs := apperr.FieldsOf(err); len(fs) != 1 || fs[0].Field != "amendments[0].date" {
		t.Errorf("err = %v, want amendments[0].date", err)
	}
}

// TestHourlyScheduleLesserOf is T15: out-of-CBA wind generating 100, 80
// and 120 MWh against 90 MWh tagged into CAISO each hour is 260 MWh PCC1;
// the other 40 are not PCC1.
func TestHourlyScheduleLesserOf(t *testing.T) {
	f := Facility{Name: "Wyoming Wind", BalancingAuthority: "PACE"}
	c := Contract{Name: "Wind PPA", Executed: date(t, "2019-01-01"), Start: date(t, "2020-01-01"), End: date(t, "2040-01-01"), Delivery: DeliverHourlySchedule}
	h0 := time.Date(2021, 6, 1, 19, 0, 0, 0, time.UTC)
	mwh := func(n int64) energy.Wh { return energy.Wh(n) * energy.WhPerMWh }
	hours := []HourDelivery{{h0, mwh(100), mwh(90)}, {h0.Add(time.Hour), mwh(80), mwh(90)}, {h0.Add(2 * time.Hour), mwh(120), mwh(90)}}
	got, err := Classify(&c, &f, date(t, "2021-06-01"), 300, date(t, "2010-06-01"), false, hours)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0] != (Classified{PCC1, 260}) || got[1] != (Classified{PCC3, 40}) {
		t.Errorf("classified %+v, want 260 PCC1 and 40 PCC3", got)
	}
}

// TestClassifyByDelivery maps each delivery method to its category and
// refuses in-CBA delivery from a facility outside a CBA.
func TestClassifyByDelivery(t *testing.T) {
	in := Facility{Name: "Antelope Solar", BalancingAuthority: "CISO", InCBA: true}
	out := Facility{Name: "Nevada Solar", BalancingAuthority: "NEVP"}
	from := date(t, "2010-06-01")
	for _, x := range []struct {
		d    DeliveryMethod
		f    *Facility
		want PCC
	}{{DeliverInCBA, &in, PCC1}, {DeliverDynamicTransfer, &out, PCC1}, {DeliverFirmedShaped, &out, PCC2}, {DeliverUnbundled, &in, PCC3}} {
		c := Contract{Name: "x", Executed: date(t, "2016-01-01"), Start: date(t, "2016-01-01"), End: date(t, "2036-01-01"), Delivery: x.d}
		got, err := Classify(&c, x.f, date(t, "2022-01-01"), 10, from, false, nil)
		if err != nil || len(got) != 1 || got[0].PCC != x.want {
			t.Errorf("%s: %+v %v, want %v", x.d, got, err, x.want)
		}
	}
	c := Contract{Name: "x", Executed: date(t, "2016-01-01"), Delivery: DeliverInCBA}
	if _, err := Classify(&c, &out, date(t, "2022-01-01"), 10, from, false, nil); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("in-CBA delivery from NEVP accepted: %v", err)
	}
	grand := Contract{Name: "old", Executed: date(t, "2008-01-01"), Start: date(t, "2008-01-01"), End: date(t, "2028-01-01"), Delivery: DeliverUnbundled, EligibleWhenSigned: true}
	if got, _ := Classify(&grand, &out, date(t, "2022-01-01"), 10, from, false, nil); got[0].PCC != PCC0 {
		t.Errorf("a 2008 contract classified %v, want PCC0", got)
	}
}
