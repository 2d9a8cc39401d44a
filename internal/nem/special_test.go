package nem

import (
	"testing"

	"github.com/gridbook/gridbook/internal/energy"
)

// optionA is an eligible TOU-8 Option A request (seed 002's conditions).
func optionA() RateRequest {
	return RateRequest{Rate: OptionA, AccountID: 1, On: day(2014, 7, 1), MaxDemandW: 1_000_000, DemandMonths: 12,
		TOU8Eligible: true, Technology: SolarPV, GeneratorW: 150_000, PTO: day(2014, 6, 20)}
}

// TestOptionRClosedOn2013_10_12: no new service account may choose Option
// R after it closed (issue 4: "no new enrollment after that date").
func TestOptionRClosedOn2013_10_12(t *testing.T) {
	req := RateRequest{Rate: OptionR, On: day(2013, 10, 12), GeneratorW: 500_000}
	wantRule(t, DecideRate(req, 100_000_000), RuleRClosed, true)
	req.On = day(2013, 10, 13)
	wantRule(t, DecideRate(req, 100_000_000), RuleRClosed, false)
	// Before closing, the 150 MW cap: 149.5 MW + 0.5 MW fits, + 0.501 does not.
	req.On = day(2013, 6, 1)
	wantRule(t, DecideRate(req, 149_500_000), RuleRateCap, true)
	req.GeneratorW = 500_001
	wantRule(t, DecideRate(req, 149_500_000), RuleRateCap, false)
}

// TestOptionADemandAbove500kWAndAtMost4MW: 500 kW is out, 4 MW is in (seed
// 002: "demand above 500 kW and no more than 4 MW"); the 450 kW
// account is refused.
func TestOptionADemandAbove500kWAndAtMost4MW(t *testing.T) {
	for _, c := range []struct {
		w    energy.W
		want bool
	}{{450_000, false}, {500_000, false}, {500_001, true}, {4_000_000, true}, {4_000_001, false}} {
		req := optionA()
		req.MaxDemandW, req.GeneratorW = c.w, energy.W(int64(c.w)*15/100)+1
		d := DecideRate(req, 0)
		wantRule(t, d, RuleADemand, c.want)
		if d.Eligible != c.want {
			t.Errorf("%d W: eligible %v, want %v (%+v)", c.w, d.Eligible, c.want, d.Failed())
		}
	}
}

// TestOptionAGeneratorAtLeast15PercentOfAnnualMaximumDemand: 150 kW on a
// 1,000 kW maximum demand is exactly 15% and qualifies; 149.999 kW does
// not.
func TestOptionAGeneratorAtLeast15PercentOfAnnualMaximumDemand(t *testing.T) {
	req := optionA()
	wantRule(t, DecideRate(req, 0), RuleAGenerator, true)
	req.GeneratorW = 149_999
	wantRule(t, DecideRate(req, 0), RuleAGenerator, false)
}

// TestOptionAOtherConditions: TOU-8 eligibility; 12 months of history or
// 3 months of demand data; solar; no non-renewable generator; PTO issued
// by the request (no reservation before PTO); the 50 MW cap.
func TestOptionAOtherConditions(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(*RateRequest)
		rule Rule
		pass bool
	}{
		{"not TOU-8 eligible", func(r *RateRequest) { r.TOU8Eligible = false }, RuleATOU8, false},
		{"3 months of demand data", func(r *RateRequest) { r.DemandMonths = 3 }, RuleAHistory, true},
		{"2 months of demand data", func(r *RateRequest) { r.DemandMonths = 2 }, RuleAHistory, false},
		{"wind", func(r *RateRequest) { r.Technology = Wind }, RuleASolar, false},
		{"diesel backup on site", func(r *RateRequest) { r.NonRenewable = true }, RuleANonRenewable, false},
		{"no PTO", func(r *RateRequest) { r.PTO = day(0, 0, 0) }, RuleAPTO, false},
		{"PTO after the request", func(r *RateRequest) { r.PTO = day(2014, 7, 2) }, RuleAPTO, false},
		{"PTO on the request day", func(r *RateRequest) { r.PTO = day(2014, 7, 1) }, RuleAPTO, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := optionA()
			c.edit(&req)
			wantRule(t, DecideRate(req, 0), c.rule, c.pass)
		})
	}
	req := optionA()
	wantRule(t, DecideRate(req, 49_850_000), RuleRateCap, true)
	wantRule(t, DecideRate(req, 49_850_001), RuleRateCap, false)
}

// TestOptionARateChangeWithin15CalendarDays of the eligibility approval.
func TestOptionARateChangeWithin15CalendarDays(t *testing.T) {
	if err := CheckRateChange(day(2014, 7, 1), day(2014, 7, 16)); err != nil {
		t.Errorf("15th day refused: %v", err)
	}
	wantRefusal(t, CheckRateChange(day(2014, 7, 1), day(2014, 7, 17)), "rate_change_on", string(RuleARateChange))
	wantRefusal(t, CheckRateChange(day(2014, 7, 1), day(2014, 6, 30)), "rate_change_on", string(RuleARateChange))
}

// TestSpecialRateReports: seed 002's positions — Option R 150.00 MW
// approved, 0 available; Option A 5.36 approved, 44.64 available (as of
// 2014-07-03).
func TestSpecialRateReports(t *testing.T) {
	r := Report(OptionR, []energy.W{100_000_000, 49_999_999, 1})
	if MWDecimals(r.ApprovedW, 2) != "150.00" || MWDecimals(r.AvailableW, 0) != "0" {
		t.Errorf("Option R: approved %s available %s", MWDecimals(r.ApprovedW, 2), MWDecimals(r.AvailableW, 0))
	}
	a := Report(OptionA, []energy.W{1_200_000, 2_000_000, 2_160_000})
	if MWDecimals(a.ApprovedW, 2) != "5.36" || MWDecimals(a.AvailableW, 2) != "44.64" || a.Accounts != 3 {
		t.Errorf("Option A: approved %s available %s", MWDecimals(a.ApprovedW, 2), MWDecimals(a.AvailableW, 2))
	}
}

// TestGeneratorGrowthBeyondApprovedSize: on Option R (closed) it removes
// the account; on Option A it is allowed within the 50 MW cap while open,
// refused past it, and removes the account once the cap is reached.
func TestGeneratorGrowthBeyondApprovedSize(t *testing.T) {
	g, err := CheckGrowth(OptionR, 500_000, 600_000, 149_500_000, day(2015, 3, 1))
	if err != nil || !g.Removed {
		t.Errorf("Option R growth: %+v %v, want removed", g, err)
	}
	if g, _ := CheckGrowth(OptionR, 500_000, 500_000, 149_500_000, day(2015, 3, 1)); g.Removed {
		t.Error("no growth removed the account")
	}
	g, err = CheckGrowth(OptionA, 200_000, 300_000, 5_160_000, day(2014, 8, 1))
	if err != nil || g.Removed || g.Rule != RuleGrowthCap {
		t.Errorf("Option A growth under the cap: %+v %v", g, err)
	}
	_, err = CheckGrowth(OptionA, 200_000, 1_000_000, 49_500_000, day(2014, 8, 1))
	wantRefusal(t, err, "generator_w", string(RuleGrowthCap))
	g, err = CheckGrowth(OptionA, 200_000, 300_000, 49_800_000, day(2016, 1, 1))
	if err != nil || !g.Removed {
		t.Errorf("Option A growth after the cap closed: %+v %v, want removed", g, err)
	}
}
