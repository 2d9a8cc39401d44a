package nem

import (
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
)

// SpecialRate is one of the capped special rates for customer solar.
type SpecialRate string

// The special rates (spec/nem.md; seed 002).
const (
	OptionR SpecialRate = "option_r"      // TOU-8 Option R
	OptionA SpecialRate = "tou8_option_a" // TOU-8 Option A, the solar special rate
)

// RateCap is a special rate's cumulative cap and closing.
type RateCap struct {
	Rate SpecialRate
	Name string
	CapW energy.W
	// ClosedOn is the day the rate was fully subscribed and closed; no
	// request dated after it is accepted. Zero while open.
	ClosedOn calendar.Date
	Source   string
}

// OptionRCap: "Total capacity 150 MW. Fully subscribed and closed on
// 2013-10-12" (seed 002).
var OptionRCap = RateCap{Rate: OptionR, Name: "TOU-8 Option R", CapW: 150_000_000,
	ClosedOn: calendar.Date{Year: 2013, Month: time.October, Day: 12}, Source: "seed 002 (SCE NEM page, Option R)"}

// OptionACap: "A 50 MW maximum is set for such customers to be served on
// Option A" (seed 002).
var OptionACap = RateCap{Rate: OptionA, Name: "TOU-8 Option A", CapW: 50_000_000, Source: "seed 002 (SCE NEM page, TOU-8 Option A)"}

// CapOf returns the cap of a special rate.
func CapOf(r SpecialRate) (RateCap, bool) {
	switch r {
	case OptionR:
		return OptionRCap, true
	case OptionA:
		return OptionACap, true
	}
	return RateCap{}, false
}

// Option A thresholds (seed 002, "Để hợp lệ cho giá biểu TOU-8 Phương Án A").
const (
	OptionAMinDemandW      energy.W = 500_000   // demand above 500 kW (exclusive)
	OptionAMaxDemandW      energy.W = 4_000_000 // and no more than 4 MW (inclusive)
	OptionAGeneratorPct             = 15        // generator nameplate ≥ 15% of annual maximum demand
	OptionAFullHistory              = 12        // months of account history
	OptionAMinDemandMonths          = 3         // without 12 months: annual maximum from 3 months of data
	OptionARateChangeDays           = 15        // calendar days from eligibility approval to the rate change request
)

// More rules, for the special rates.
const (
	RuleRClosed       Rule = "option_r.closed"           // closed 2013-10-12
	RuleRateCap       Rule = "special.cap"               // cumulative cap (150 MW / 50 MW)
	RuleADemand       Rule = "option_a.demand_500kw_4mw" // demand above 500 kW and at most 4 MW
	RuleATOU8         Rule = "option_a.tou8_eligible"    // account eligible for TOU-8
	RuleAHistory      Rule = "option_a.demand_history"   // 12 months, or 3 months of demand data
	RuleAGenerator    Rule = "option_a.generator_15pct"  // nameplate ≥ 15% of annual maximum demand
	RuleASolar        Rule = "option_a.solar"            // customers installing solar generation
	RuleANonRenewable Rule = "option_a.no_nonrenewable"  // no other non-renewable generator on site
	RuleAPTO          Rule = "option_a.pto_issued"       // PTO letter issued; no reservation before PTO
	RuleARateChange   Rule = "option_a.rate_change_15d"  // rate change request within 15 calendar days
	RuleGrowthRemoved Rule = "special.growth_removed"    // generator grown beyond its approved size
	RuleGrowthCap     Rule = "special.growth_cap"        // growth may not pass the cumulative cap
)

// RateRequest is a request for a special rate: the account's demand
// history and its generator.
type RateRequest struct {
	Rate      SpecialRate   `json:"rate"`
	AccountID int64         `json:"account_id"`
	On        calendar.Date `json:"requested_on"`
	// Option A facts.
	MaxDemandW   energy.W      `json:"max_demand_w"`  // annual maximum demand recorded over the past 12 months
	DemandMonths int           `json:"demand_months"` // months of demand data on the account
	TOU8Eligible bool          `json:"tou8_eligible"` // the account is eligible for TOU-8
	Technology   Technology    `json:"technology"`    // the renewable generator's
	GeneratorW   energy.W      `json:"generator_w"`   // its nameplate
	NonRenewable bool          `json:"non_renewable_on_site"`
	PTO          calendar.Date `json:"pto_on,omitzero"` // the generator's permission to operate
}

// DecideRate checks a special-rate request on its date against the rate's
// rules, with approvedW already approved on the rate by others.
//
// Option R: closed on 2013-10-12, so a request dated after it is refused;
// before, the 150 MW cap. TOU-8 Option A: demand above 500 kW and at most
// 4 MW; TOU-8 eligible; 12 months of history or 3 months of demand data;
// a solar generator with nameplate at least 15% of the annual maximum
// demand; no non-renewable generator on site; PTO issued by the request
// date (no reservation before PTO); the 50 MW cap.
func DecideRate(req RateRequest, approvedW energy.W) Decision {
	dc := &decider{}
	rc, _ := CapOf(req.Rate)
	switch req.Rate {
	case OptionR:
		open := rc.ClosedOn.IsZero() || !req.On.After(rc.ClosedOn)
		dc.check(RuleRClosed, "requested_on", open, "%s", okOr(open, "requested "+req.On.String()+", before Option R closed",
			"Option R was fully subscribed and closed on "+rc.ClosedOn.String()+"; no new service account may choose it (requested "+req.On.String()+")"))
	case OptionA:
		inRange := req.MaxDemandW > OptionAMinDemandW && req.MaxDemandW <= OptionAMaxDemandW
		dc.check(RuleADemand, "max_demand_w", inRange, "annual maximum demand %s kW; Option A needs more than 500 kW and at most 4,000 kW",
			req.MaxDemandW.KWString())
		dc.check(RuleATOU8, "tou8_eligible", req.TOU8Eligible, "%s", okOr(req.TOU8Eligible, "the account is eligible for TOU-8", "the account is not eligible for TOU-8"))
		hist := req.DemandMonths >= OptionAMinDemandMonths
		how := "12 months of account history"
		if req.DemandMonths < OptionAFullHistory {
			how = "annual maximum demand determined from 3 or more months of demand data"
		}
		dc.check(RuleAHistory, "demand_months", hist, "%d months of demand data: %s", req.DemandMonths,
			okOr(hist, how, "fewer than 3 months of demand data; annual maximum demand is determined once three months exist"))
		solar := req.Technology == SolarPV || req.Technology == SolarThermal
		dc.check(RuleASolar, "technology", solar, "%s: %s", req.Technology, okOr(solar, "solar generation", "Option A is limited to customers installing solar generation"))
		big := int64(req.GeneratorW)*100 >= OptionAGeneratorPct*int64(req.MaxDemandW) && req.GeneratorW > 0
		dc.check(RuleAGenerator, "generator_w", big, "generator %s kW against 15%% of the annual maximum demand, %s kW",
			req.GeneratorW.KWString(), energy.W(int64(req.MaxDemandW)*OptionAGeneratorPct/100).KWString())
		dc.check(RuleANonRenewable, "non_renewable_on_site", !req.NonRenewable, "%s",
			okOr(!req.NonRenewable, "no non-renewable generator on site", "a non-renewable generator is on site"))
		pto := !req.PTO.IsZero() && !req.PTO.After(req.On)
		dc.check(RuleAPTO, "pto_on", pto, "%s", okOr(pto, "PTO issued "+req.PTO.String(),
			"no PTO by the request date: Option A is not reserved before PTO; apply with a Rate Change Request after PTO"))
	default:
		dc.check(RuleRateCap, "rate", false, "%q is not a special rate (option_r or tou8_option_a)", req.Rate)
		return Decision{On: req.On, Checks: dc.checks}
	}
	room := approvedW+req.GeneratorW <= rc.CapW
	dc.check(RuleRateCap, "generator_w", room, "%s MW approved plus %s kW against the %s MW cap",
		MW(approvedW), req.GeneratorW.KWString(), MW(rc.CapW))
	d := Decision{On: req.On, Checks: dc.checks, Eligible: true}
	for _, c := range dc.checks {
		d.Eligible = d.Eligible && c.Passed
	}
	return d
}

// CheckRateChange checks that a Rate Change Request for Option A came
// within 15 calendar days of the eligibility approval: "an eligible
// applicant has 15 calendar days from the approval of eligibility to
// enroll" (seed 002).
func CheckRateChange(approved, requested calendar.Date) error {
	var f apperr.Fields
	last := approved.AddDays(OptionARateChangeDays)
	switch {
	case requested.Before(approved):
		f.Add("rate_change_on", "rule %s: the rate change request on %s is before the eligibility approval on %s", RuleARateChange, requested, approved)
	case requested.After(last):
		f.Add("rate_change_on", "rule %s: the rate change request on %s is more than 15 calendar days after the eligibility approval on %s (last day %s)",
			RuleARateChange, requested, approved, last)
	}
	return f.Err("nem.CheckRateChange")
}

// Growth says what happens when an account on a special rate reports its
// generator at newW after approval at approvedW.
type Growth struct {
	Removed bool   `json:"removed"` // the account leaves the rate
	Rule    Rule   `json:"rule"`    // the rule that decided
	Detail  string `json:"detail"`
}

// CheckGrowth applies the growth rules: on Option R (closed) any growth
// beyond the approved size removes the account; on Option A growth may
// not take the rate past its 50 MW cap and, once the cap is reached and
// closed, any growth removes the account (seed 002). othersW is the
// capacity approved for every other account. An Invalid error refuses
// growth that would pass the cap while the rate is open.
func CheckGrowth(rate SpecialRate, approvedW, newW, othersW energy.W, on calendar.Date) (Growth, error) {
	rc, ok := CapOf(rate)
	if !ok {
		return Growth{}, apperr.Invalidf("nem.CheckGrowth", "%q is not a special rate", rate)
	}
	if newW <= approvedW {
		return Growth{Rule: RuleGrowthRemoved, Detail: "the generator is no larger than approved"}, nil
	}
	closed := (!rc.ClosedOn.IsZero() && !on.Before(rc.ClosedOn)) || othersW+approvedW >= rc.CapW
	if closed {
		return Growth{Removed: true, Rule: RuleGrowthRemoved, Detail: "the generator grew from " + approvedW.KWString() + " kW to " +
			newW.KWString() + " kW after " + rc.Name + " closed: the account is removed from the rate"}, nil
	}
	if othersW+newW > rc.CapW {
		var f apperr.Fields
		f.Add("generator_w", "rule %s: %s kW would take %s to %s MW, past its %s MW cap", RuleGrowthCap, newW.KWString(), rc.Name,
			MW(othersW+newW), MW(rc.CapW))
		return Growth{}, f.Err("nem.CheckGrowth")
	}
	return Growth{Rule: RuleGrowthCap, Detail: "growth to " + newW.KWString() + " kW fits under the " + MW(rc.CapW) + " MW cap; approved size raised"}, nil
}

// RateReport is a special rate's position: approved and available MW.
type RateReport struct {
	Rate       SpecialRate   `json:"rate"`
	Name       string        `json:"name"`
	CapW       energy.W      `json:"cap_w"`
	ApprovedW  energy.W      `json:"approved_w"`
	AvailableW energy.W      `json:"available_w"`
	Accounts   int           `json:"accounts"`
	ClosedOn   calendar.Date `json:"closed_on,omitzero"`
}

// Report sums the approved capacities of the accounts on a rate.
func Report(rate SpecialRate, approved []energy.W) RateReport {
	rc, _ := CapOf(rate)
	r := RateReport{Rate: rate, Name: rc.Name, CapW: rc.CapW, Accounts: len(approved), ClosedOn: rc.ClosedOn}
	for _, w := range approved {
		r.ApprovedW += w
	}
	r.AvailableW = max(0, rc.CapW-r.ApprovedW)
	return r
}
