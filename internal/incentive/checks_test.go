package incentive

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/money"
)

func timeMonth(m int) time.Month { return time.Month(m) }

func instantAC(t *testing.T) Program {
	cat, _ := fixtures(t)
	p, err := cat.Program("instant-ac-savings")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCouponBoundToRetailerAndExpiresDec31 is research/programs.md §7
// scenario 24: a coupon issued 2026-03-10 for retailer A in store cannot
// be redeemed at retailer B or online, expires 2026-12-31, blocks a second
// coupon for the household and measure until it expires, and a new one
// may be requested from 2027-01-01.
func TestCouponBoundToRetailerAndExpiresDec31(t *testing.T) {
	p := instantAC(t)
	issued := day(2026, 3, 10)
	c := Coupon{Code: "C1", Retailer: "retailer-a", Channel: "in_store", Issued: issued, Expires: CouponExpiry(issued), Status: CouponIssued}
	if c.Expires != day(2026, 12, 31) {
		t.Errorf("expiry %s, want 2026-12-31", c.Expires)
	}
	if err := CheckRedeem(c, "retailer-b", "in_store", day(2026, 4, 1)); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("redeem at retailer B: %v", err)
	}
	if err := CheckRedeem(c, "retailer-a", "online", day(2026, 4, 1)); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("redeem online: %v", err)
	}
	if err := CheckRedeem(c, "retailer-a", "in_store", day(2027, 1, 1)); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("redeem after expiry: %v", err)
	}
	if err := CheckRedeem(c, "retailer-a", "in_store", day(2026, 12, 31)); err != nil {
		t.Errorf("redeem on the expiry day: %v", err)
	}
	if err := CheckCouponIssue(p, []Coupon{c}, day(2026, 6, 1)); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("second coupon before expiry: %v", err)
	}
	if err := CheckCouponIssue(p, []Coupon{c}, day(2027, 1, 1)); err != nil {
		t.Errorf("new coupon after expiry: %v", err)
	}
}

// TestReturnedProductBlocksNewCouponFiveYears is §7 scenario 25.
func TestReturnedProductBlocksNewCouponFiveYears(t *testing.T) {
	p := instantAC(t)
	c := Coupon{Code: "C2", Retailer: "retailer-a", Channel: "online", Issued: day(2026, 3, 10), Expires: day(2026, 12, 31),
		Status: CouponReturned, RedeemedOn: day(2026, 4, 1), ReturnedOn: day(2026, 5, 1)}
	for _, d := range []struct {
		on   [3]int
		kind apperr.Kind
	}{{[3]int{2027, 1, 1}, apperr.Conflict}, {[3]int{2031, 4, 30}, apperr.Conflict}, {[3]int{2031, 5, 1}, 0}} {
		err := CheckCouponIssue(p, []Coupon{c}, day(d.on[0], d.on[1], d.on[2]))
		if d.kind == 0 && err != nil || d.kind != 0 && apperr.KindOf(err) != d.kind {
			t.Errorf("request on %v: %v", d.on, err)
		}
	}
	// A redeemed (kept) coupon: one per household per measure within the
	// 5-year look-back.
	c.Status, c.ReturnedOn = CouponRedeemed, day(0, 0, 0)
	if err := CheckCouponIssue(p, []Coupon{c}, day(2028, 1, 1)); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("second coupon after a redemption: %v", err)
	}
}

// TestScreenFlags is §7 scenarios 26 and 27: a serial number on another
// application puts the claim on hold with duplicate_serial; a purchase
// after the account left the CCA is rejected with
// not_cca_customer_on_purchase_date.
func TestScreenFlags(t *testing.T) {
	p := instantAC(t)
	served := Service{Start: day(2020, 1, 1), CCA: true}
	other := Claim{ApplicationID: 1, ProgramID: "heer-hpwh", Measure: "hpwh", Serials: []string{"SN-123"}, Status: Paid}
	c := Claim{ApplicationID: 2, ProgramID: "sun-storage-rebate", Measure: "battery", Serials: []string{"sn-123"}, PurchaseDate: day(2026, 2, 15)}
	flags := Screen(p, c, []Claim{other}, served, 0)
	if len(flags) != 1 || flags[0].Code != FlagDuplicateSerial || Outcome(flags) != OnHold {
		t.Errorf("duplicate serial: %+v → %s", flags, Outcome(flags))
	}
	optedOut := Service{Start: day(2020, 1, 1), End: day(2026, 2, 1), CCA: true}
	c.Serials = []string{"SN-999"}
	flags = Screen(p, c, []Claim{other}, optedOut, 0)
	if len(flags) != 1 || flags[0].Code != FlagNotCCACustomer || Outcome(flags) != Rejected {
		t.Errorf("opted out: %+v → %s", flags, Outcome(flags))
	}
	// One per household per measure.
	same := Claim{ApplicationID: 3, ProgramID: p.ID, Measure: "room_ac", HouseholdKey: "premise:7", Status: Paid, Decided: day(2025, 6, 1)}
	c2 := Claim{ApplicationID: 4, ProgramID: p.ID, Measure: "room_ac", HouseholdKey: "premise:7", PurchaseDate: day(2026, 6, 1)}
	if flags := Screen(p, c2, []Claim{same}, served, 0); Outcome(flags) != Rejected || flags[0].Code != FlagDuplicateHousehold {
		t.Errorf("same household: %+v", flags)
	}
	// Payee anomaly.
	var many []Claim
	for i := range 5 {
		many = append(many, Claim{ApplicationID: int64(10 + i), Payee: "acct 9999", Status: Paid})
	}
	if flags := Screen(p, Claim{ApplicationID: 99, Payee: "ACCT 9999"}, many, served, 5); Outcome(flags) != OnHold || flags[0].Code != FlagPayeeAnomaly {
		t.Errorf("payee: %+v", flags)
	}
}

// TestGrantAward is §7 scenario 28: a $300,000 request is awarded at most
// $250,000; two agencies at $250,000 against a $400,000 fund — the second
// gets $150,000 (partial policy) or waits (waitlist policy).
func TestGrantAward(t *testing.T) {
	cap := money.Dollars(250_000)
	if got, wait, _ := Award(money.Dollars(300_000), cap, 0, money.Dollars(1_000_000), GrantPartial); got != money.Dollars(250_000) || wait {
		t.Errorf("$300,000 request: %s %v", got, wait)
	}
	fund := money.Dollars(400_000)
	first, _, _ := Award(money.Dollars(250_000), cap, 0, fund, GrantPartial)
	second, wait, _ := Award(money.Dollars(250_000), cap, 0, fund-first, GrantPartial)
	if first != money.Dollars(250_000) || second != money.Dollars(150_000) || wait {
		t.Errorf("partial: %s then %s", first, second)
	}
	if got, wait, _ := Award(money.Dollars(250_000), cap, 0, fund-first, GrantWaitlist); got != 0 || !wait {
		t.Errorf("waitlist policy: %s %v", got, wait)
	}
	if got, _, _ := Award(money.Dollars(100_000), cap, money.Dollars(200_000), fund, GrantPartial); got != money.Dollars(50_000) {
		t.Errorf("agency already holding $200,000: %s", got)
	}
}

// TestCSGTRoster is §7 scenario 31: 10 subscribers with 4 on CARE/FERA
// violate the ≥ 50% rule, 5 pass; a subscriber 5.2 miles away is outside
// the 5-mile radius.
func TestCSGTRoster(t *testing.T) {
	rules := CSGTRules{MinIncomeQualifiedBP: 5000, RadiusMicroMiles: 5_000_000}
	roster := func(iq int) []Subscriber {
		var s []Subscriber
		for i := range 10 {
			s = append(s, Subscriber{AccountID: int64(i + 1), IncomeQualified: i < iq, MilesMicro: 1_000_000})
		}
		return s
	}
	if got := CheckRoster(rules, roster(4)); len(got) != 1 {
		t.Errorf("4 of 10: %v", got)
	}
	if got := CheckRoster(rules, roster(5)); len(got) != 0 {
		t.Errorf("5 of 10: %v", got)
	}
	far := roster(5)
	far[9].MilesMicro = 5_200_000
	if got := CheckRoster(rules, far); len(got) != 1 {
		t.Errorf("5.2 miles: %v", got)
	}
}

// TestPowerShareRanking checks automatic enrolment order: more
// disconnection notices first, then larger arrears, filling capacity.
func TestPowerShareRanking(t *testing.T) {
	c := []Candidate{{1, 5000, 0}, {2, 100, 2}, {3, 90000, 1}, {4, 200, 2}}
	got := RankByDisconnectionRisk(c, 3)
	ids := []int64{}
	for _, x := range got {
		ids = append(ids, x.AccountID)
	}
	if !slices.Equal(ids, []int64{4, 2, 3}) {
		t.Errorf("order %v, want [4 2 3]", ids)
	}
}

// TestCALeVIPEquityShares checks the county equity targets of seed 000
// (≥ 50% Ventura, ≥ 60% Los Angeles).
func TestCALeVIPEquityShares(t *testing.T) {
	got := Equity([]Investment{
		{County: "06037", AmountCents: 600, Equity: true, Chargers: 30}, {County: "06037", AmountCents: 401, Chargers: 12},
		{County: "06111", AmountCents: 500, Equity: true, Chargers: 50}, {County: "06111", AmountCents: 500, Chargers: 34},
	})
	if len(got) != 2 || got[0].MeetsTarget || !got[1].MeetsTarget || got[0].Chargers != 42 || got[1].Chargers != 84 {
		t.Errorf("equity %+v: Los Angeles 600/1001 is below 60%%, Ventura 500/1000 meets 50%%", got)
	}
}

// TestPowerReadyMilestonesInOrder checks that a Power Ready project gets
// the seed's milestones (site lease … operation) and completes them in
// order only.
func TestPowerReadyMilestonesInOrder(t *testing.T) {
	p := Project{Program: TrackPowerReady, Name: "Fire Station 3", Agency: "Oxnard", BackupReserveBP: 3000}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(p.Milestones) != 7 || p.Stage() != "site_lease" {
		t.Fatalf("milestones %+v stage %s", p.Milestones, p.Stage())
	}
	if err := p.Complete("design", day(2025, 3, 1)); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("design before the site lease: %v", err)
	}
	if err := p.Complete("site_lease", day(2025, 2, 1)); err != nil {
		t.Fatal(err)
	}
	if err := p.Complete("design", day(2025, 1, 15)); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("design dated before the lease: %v", err)
	}
	if err := p.Complete("design", day(2025, 5, 1)); err != nil || p.Stage() != "permits" {
		t.Errorf("design: %v, stage %s", err, p.Stage())
	}
	if err := p.Complete("site_lease", day(2025, 6, 1)); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("lease twice: %v", err)
	}
	c := Project{Program: TrackCALeVIP, Name: "Chargers"}
	if fs := apperr.FieldsOf(c.Validate()); len(fs) != 1 || fs[0].Field != "county" {
		t.Errorf("CALeVIP without county: %+v", fs)
	}
	e := Engagement{Program: TrackReachCode, Channel: "meeting", Topic: "existing_building_reach_code", Opened: day(2025, 3, 1)}
	if fs := apperr.FieldsOf(e.Validate()); len(fs) != 1 || fs[0].Field != "agency" {
		t.Errorf("reach code without agency: %+v", fs)
	}
}

// TestInnovationFundRoundFundsByRank checks a competitive round: weighted
// scores rank the proposals, a $2,000,000 fund (seed 000: $2M to 10
// communities in 2025) funds them in rank order in full, a proposal the
// remainder cannot cover is passed over for the next that fits, and one
// below the minimum score is not funded.
func TestInnovationFundRoundFundsByRank(t *testing.T) {
	crit := []Criterion{{Name: "impact", WeightBP: 5000, Max: 10}, {Name: "equity", WeightBP: 3000, Max: 5}, {Name: "readiness", WeightBP: 2000, Max: 4}}
	prop := func(agency string, dollars int64, impact, equity, ready int) Proposal {
		return Proposal{Agency: agency, RequestedCents: money.Dollars(dollars), Scores: map[string]int{"impact": impact, "equity": equity, "readiness": ready}}
	}
	r := Round{Name: "2025", FundCents: money.Dollars(2_000_000), MinScoreBP: 5000, Criteria: crit, Proposals: []Proposal{
		prop("Santa Monica", 500_000, 10, 5, 4),  // 100%
		prop("Culver City", 400_000, 9, 4, 4),    // 45 + 24 + 20 = 89%
		prop("West Hollywood", 900_000, 8, 5, 3), // 40 + 30 + 15 = 85%
		prop("Carson", 300_000, 8, 4, 2),         // 40 + 24 + 10 = 74%
		prop("Ojai", 150_000, 3, 2, 1),           // 15 + 12 + 5 = 32%: below 50%
	}}
	got, err := r.Score()
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		agency, score string
		award         money.Cents
	}
	var rows []row
	for _, g := range got {
		rows = append(rows, row{g.Agency, g.Score, g.Award})
	}
	want := []row{{"Santa Monica", "100%", money.Dollars(500_000)}, {"Culver City", "89%", money.Dollars(400_000)},
		{"West Hollywood", "85%", money.Dollars(900_000)}, {"Carson", "74%", 0}, {"Ojai", "32%", 0}}
	// After $1,800,000 only $200,000 is left: Carson's $300,000 does not fit.
	if fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Errorf("results %v, want %v", rows, want)
	}
	r.Proposals[0].Scores["impact"] = 11
	if fs := apperr.FieldsOf(func() error { _, err := r.Score(); return err }()); len(fs) != 1 || fs[0].Field != "proposals[0].scores.impact" {
		t.Errorf("score above max: %+v", fs)
	}
}
