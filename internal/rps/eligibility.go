package rps

import (
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/gridbook/gridbook/internal/calendar"
)

// Outcome is the result of one eligibility rule.
type Outcome string

// Outcomes.
const (
	Pass          Outcome = "pass"
	Fail          Outcome = "fail"
	NotApplicable Outcome = "n/a"
)

// Finding is one rule applied to a facility, with its citation.
type Finding struct {
	Rule     string  `json:"rule"`
	Citation string  `json:"citation"`
	Outcome  Outcome `json:"outcome"`
	Detail   string  `json:"detail"`
}

// Decision is whether a facility's output on a day is an eligible
// renewable energy resource, and which share of it creates certificates.
type Decision struct {
	Eligible bool `json:"eligible"`
	// Share is the fraction of the output that is eligible (1 unless
	// non-renewable fuel above the de minimis limit, or only a hydro
	// efficiency increment, is eligible).
	Share    *big.Rat  `json:"-"`
	Findings []Finding `json:"findings"`
}

// Failed returns the findings that failed.
func (d *Decision) Failed() []Finding {
	var out []Finding
	for _, f := range d.Findings {
		if f.Outcome == Fail {
			out = append(out, f)
		}
	}
	return out
}

// Reason joins the failed findings into one sentence.
func (d *Decision) Reason() string {
	var parts []string
	for _, f := range d.Failed() {
		parts = append(parts, f.Detail+" ("+f.Citation+")")
	}
	return strings.Join(parts, "; ")
}

// Dates and sizes of the eligibility rules.
var (
	hydroProcuredBy        = calendar.Date{Year: 2005, Month: 12, Day: 31} // §399.12(e)(1)(A), (D)(i)
	waterSupplyNoApplyFrom = calendar.Date{Year: 2013, Month: 1, Day: 1}   // §399.12(e)(1)(D)(i): no applications after 2013-01-01
	mswStanislausBefore    = calendar.Date{Year: 2017, Month: 1, Day: 1}   // §399.12(e)(2)(B)
	mswOperatingBefore     = calendar.Date{Year: 1996, Month: 9, Day: 26}  // §399.12(e)(2)(B)
	upgradeFrom            = calendar.Date{Year: 2008, Month: 1, Day: 1}   // §399.12.5(a), (b)(3)
	upgradeOperatingBefore = calendar.Date{Year: 2007, Month: 1, Day: 1}   // §399.12.5(b)(3)
	biomethaneNewRules     = calendar.Date{Year: 2012, Month: 3, Day: 29}  // §399.12.6(a)-(b)
	biomethaneInjectedBy   = calendar.Date{Year: 2014, Month: 4, Day: 1}   // §399.12.6(a)(1), (a)(2)(E)
	pouApprovedBefore      = calendar.Date{Year: 2010, Month: 6, Day: 1}   // §399.12(e)(1)(C)
)

const (
	smallHydroMaxKW       = 30_000  // §399.12(e)(1)(A)-(B): 30 MW or less
	waterSupplyHydroMaxKW = 40_000  // §399.12(e)(1)(D)(i): 40 MW or less
	waterSupplyResaleMWh  = 100_000 // §399.12(e)(1)(D)(ii)
)

// De minimis limits on non-renewable fuel (§399.12(h)(3)(A)): at most 2%
// of total fuel, which the CEC may raise for a facility to at most 5% when
// conditions (i)-(iii) hold.
const (
	deMinimis       Percent = "2"
	deMinimisRaised Percent = "5"
)

// Eligibility applies the eligibility rules of Pub. Util. Code §399.12,
// §399.12.5, §399.12.6 and §399.21 to facility f's output on day d. With a
// seller named, the rules that make some hydro eligible only for the
// seller that procured from it by 2005 are applied too; without one they
// are left to the claim (n/a). Each finding names its rule and citation.
func Eligibility(f *Facility, d calendar.Date, seller string) Decision {
	e := &evaluator{f: f, d: d, seller: seller, share: big.NewRat(1, 1)}
	e.certification()
	e.technology()
	e.deMinimis()
	dec := Decision{Eligible: true, Share: e.share, Findings: e.out}
	for _, x := range e.out {
		if x.Outcome == Fail {
			dec.Eligible = false
			dec.Share = new(big.Rat)
		}
	}
	return dec
}

type evaluator struct {
	f      *Facility
	d      calendar.Date
	seller string
	share  *big.Rat
	out    []Finding
}

func (e *evaluator) add(rule, cite string, ok bool, detail string, args ...any) {
	o := Pass
	if !ok {
		o = Fail
	}
	e.out = append(e.out, Finding{Rule: rule, Citation: cite, Outcome: o, Detail: fmt.Sprintf(detail, args...)})
}

func (e *evaluator) na(rule, cite, detail string, args ...any) {
	e.out = append(e.out, Finding{Rule: rule, Citation: cite, Outcome: NotApplicable, Detail: fmt.Sprintf(detail, args...)})
}

func (e *evaluator) certification() {
	const rule, cite = "CEC certification in force", "Pub. Util. Code §399.25; CEC RPS Eligibility Guidebook"
	c, ok := e.f.CertificationOn(e.d)
	switch {
	case !ok:
		e.add(rule, cite, false, "no CEC certification on %v", e.d)
	case c.Status == Certified:
		e.add(rule, cite, true, "certified from %v", c.From)
	case c.Status == Precertified:
		e.add(rule, cite, false, "precertified only (not operating) on %v", e.d)
	default:
		e.add(rule, cite, false, "certification %s from %v", c.Status, c.From)
	}
	if !e.f.POUBoardApproved.IsZero() {
		e.add("POU board approval", "Pub. Util. Code §399.12(e)(1)(C)", e.f.POUBoardApproved.Before(pouApprovedBefore),
			"approved by a POU board on %v (before %v qualifies)", e.f.POUBoardApproved, pouApprovedBefore)
	}
}

func (e *evaluator) technology() {
	f := e.f
	h := f.Hydro
	if h == nil {
		h = &HydroFacts{}
	}
	switch f.Technology {
	case SmallHydro:
		e.add("small hydro capacity", "Pub. Util. Code §399.12(e)(1)(A)", f.NameplateKW <= smallHydroMaxKW || e.upgradedAbove30(h),
			"%s nameplate (small hydro: 30 MW or less, unless post-2008 efficiency improvements took it above)", mw(f.NameplateKW))
		if f.COD.After(hydroProcuredBy) {
			e.add("new hydro in-stream effects", "Pub. Util. Code §399.12(e)(1)(A)", !h.AdverseInstreamEffect,
				"began generating %v, after %v: eligible only without adverse in-stream effects or changes in streamflow", f.COD, hydroProcuredBy)
		} else {
			e.sellerProcured(h, "Pub. Util. Code §399.12(e)(1)(A)")
		}
	case ConduitHydro:
		e.add("conduit hydro capacity", "Pub. Util. Code §399.12(e)(1)(B)", f.NameplateKW <= smallHydroMaxKW, "%s nameplate (30 MW or less)", mw(f.NameplateKW))
		if f.COD.After(hydroProcuredBy) {
			e.add("conduit hydro in-stream effects", "Pub. Util. Code §399.12(e)(1)(B)", !h.AdverseInstreamEffect,
				"began operating %v, after %v: eligible only without adverse in-stream effects", f.COD, hydroProcuredBy)
		} else {
			e.add("conduit hydro operating before 2006", "Pub. Util. Code §399.12(e)(1)(B)", true, "operating since %v", f.COD)
		}
	case WaterSupplyHydro:
		const cite = "Pub. Util. Code §399.12(e)(1)(D)"
		e.add("water supply hydro capacity", cite, f.NameplateKW <= waterSupplyHydroMaxKW, "%s nameplate (40 MW or less)", mw(f.NameplateKW))
		if !h.CertificationApplied.IsZero() {
			e.add("water supply hydro application date", cite, h.CertificationApplied.Before(waterSupplyNoApplyFrom),
				"certification applied for %v (no applications from %v)", h.CertificationApplied, waterSupplyNoApplyFrom)
		}
		e.add("water supply hydro POU resale", cite, h.POUResaleMWh <= waterSupplyResaleMWh,
			"%d MWh resold POU to POU (at most %d)", h.POUResaleMWh, waterSupplyResaleMWh)
		if len(h.ProcuredBy2005) > 1 {
			e.add("water supply hydro single procurer", cite, false, "procured by %d sellers by 2005; eligible for only one", len(h.ProcuredBy2005))
		}
		e.sellerProcured(h, cite)
	case LargeHydro:
		e.incrementOnly(h)
	case MSWCombustion:
		const cite = "Pub. Util. Code §399.12(e)(2); §399.12(h)(3)(D)"
		ok := strings.EqualFold(f.County, "Stanislaus") && f.COD.Before(mswOperatingBefore) && e.d.Before(mswStanislausBefore)
		e.add("municipal solid waste combustion", cite, ok,
			"MSW combustion is not eligible, except generation before %v from a Stanislaus County facility operating before %v", mswStanislausBefore, mswOperatingBefore)
	case Biomethane:
		e.biomethane()
	default:
		e.add("renewable technology", "Pub. Util. Code §399.12(e); Pub. Res. Code §25741", true, "%s is a renewable electrical generation technology", f.Technology)
	}
}

// upgradedAbove30 reports whether a small hydro facility above 30 MW got
// there through qualifying efficiency improvements (§399.12.5(a)).
func (e *evaluator) upgradedAbove30(h *HydroFacts) bool {
	u := h.Upgrade
	return u != nil && !u.Started.Before(upgradeFrom) && u.RetrofitNoAdverseEffect
}

// sellerProcured applies "eligible only for the seller that procured from
// it by 2005-12-31" when a seller is named.
func (e *evaluator) sellerProcured(h *HydroFacts, cite string) {
	const rule = "procured by this seller by 2005-12-31"
	if e.seller == "" {
		e.na(rule, cite, "eligible only for %s; checked when a seller claims", orNone(h.ProcuredBy2005))
		return
	}
	e.add(rule, cite, slices.ContainsFunc(h.ProcuredBy2005, func(s string) bool { return strings.EqualFold(s, e.seller) }),
		"eligible only for a seller that procured from it by %v (%s)", hydroProcuredBy, orNone(h.ProcuredBy2005))
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none recorded"
	}
	return strings.Join(s, ", ")
}

// incrementOnly applies §399.12.5(b): only the incremental output of
// qualifying efficiency improvements is eligible.
func (e *evaluator) incrementOnly(h *HydroFacts) {
	const cite = "Pub. Util. Code §399.12.5(b)"
	u := h.Upgrade
	if u == nil {
		e.add("hydro above 30 MW", "Pub. Util. Code §399.12(e)(1)(A)", false, "hydro above 30 MW is eligible only for the increment of qualifying efficiency improvements")
		return
	}
	e.add("increment from retrofit without adverse effect", cite+"(1)", u.RetrofitNoAdverseEffect, "the increment comes from retrofit efficiency improvements without adverse in-stream effects")
	e.add("water quality certification", cite+"(2)", u.WaterQualityCertified, "Clean Water Act §401 certification within 15 years (or none needed, out-of-state equivalent, Rock Creek FERC 1962)")
	e.add("owned by a retail seller or POU", cite+"(3)", u.OwnedByRetailSellerOrPOU, "owned by a retail seller or POU")
	e.add("operating before 2007", cite+"(3)", e.f.COD.Before(upgradeOperatingBefore), "operating since %v (before %v)", e.f.COD, upgradeOperatingBefore)
	e.add("improvements started 2008 or later", cite+"(3)", !u.Started.Before(upgradeFrom), "improvements started %v (on or after %v)", u.Started, upgradeFrom)
	e.add("not routine maintenance", cite+"(3)", !u.RoutineMaintenance, "not routine maintenance")
	e.add("not in a pre-2008 resource plan", cite+"(3)", !u.InPre2008ResourcePlan, "not in a resource plan begun before %v", upgradeFrom)
	e.add("long-term financial commitment", cite+"(4)", u.LongTermCommitment, "new ownership investment or a contract of 10 years or more")
	if share, err := u.IncrementalShare.Fraction(); err == nil {
		e.share.Mul(e.share, share)
	}
}

// biomethane applies §399.12.6.
func (e *evaluator) biomethane() {
	b := e.f.Biomethane
	if b == nil {
		e.add("biomethane contract", "Pub. Util. Code §399.12.6", false, "biomethane procurement facts are missing")
		return
	}
	oldRules := b.ContractExecuted.Before(biomethaneNewRules) && !b.ReportedToCEC.IsZero() && b.ReportedToCEC.Before(biomethaneNewRules)
	if oldRules {
		ok := !b.ChangedAfter2012 && !b.SourceFirstInjected.IsZero() && !b.SourceFirstInjected.After(biomethaneInjectedBy)
		e.add("biomethane under the rules at execution", "Pub. Util. Code §399.12.6(a)", ok,
			"contract executed %v and reported before %v counts under the earlier rules only for sources injecting by %v and unchanged since",
			b.ContractExecuted, biomethaneNewRules, biomethaneInjectedBy)
		return
	}
	const cite = "Pub. Util. Code §399.12.6(b)"
	switch b.Delivery {
	case "onsite":
		e.add("biomethane used on site", cite+"(1)", true, "used on site")
	case "dedicated_pipeline":
		e.add("biomethane by dedicated pipeline", cite+"(2)", true, "delivered by a dedicated pipeline")
	case "common_carrier":
		e.add("pipeline flows toward California", cite+"(3)(A)", b.FlowsTowardCalifornia, "injected into a pipeline that flows within California or toward the generator")
		e.add("incremental injection", cite+"(3)(B)", b.IncrementalInjection, "the source did not inject before %v, or injects incremental biomethane after it", biomethaneNewRules)
		e.add("environmental benefit to California", cite+"(3)(C)", len(b.Benefits) > 0, "at least one of reduced air pollutants, reduced water pollutants, relief of odor nuisance")
	default:
		e.add("biomethane delivery", cite, false, "delivery %q: want onsite, dedicated_pipeline or common_carrier", b.Delivery)
	}
}

// deMinimis applies §399.12(h)(3)(A): output from non-renewable fuel
// beyond the de minimis limit creates no certificate. When the share is
// above the limit only the renewable fraction is eligible (research/rps.md
// T17: 3% gas on 10,000 MWh leaves 9,700 MWh).
func (e *evaluator) deMinimis() {
	const rule, cite = "non-renewable fuel de minimis", "Pub. Util. Code §399.12(h)(3)(A)"
	fu := e.f.Fuel
	if fu == nil {
		return
	}
	share, err := fu.NonrenewableShare.Fraction()
	if err != nil {
		e.add(rule, cite, false, "non-renewable share %q unreadable", fu.NonrenewableShare)
		return
	}
	limit, why := deMinimis, "the 2% limit"
	if fu.RaisedLimit != "" {
		raised, err := fu.RaisedLimit.Fraction()
		conds := fu.IncreasesRenewableOutput && fu.ReducesVariability && (fu.Fuel == "natural_gas" || fu.Fuel == "fossil_hydrogen")
		switch {
		case err != nil || raised.Cmp(deMinimisRaised.mustFraction()) > 0:
			why = fmt.Sprintf("the 2%% limit (a raised limit of %s%% exceeds the 5%% maximum)", fu.RaisedLimit)
		case !conds:
			why = "the 2% limit (a raised limit needs conditions (i)-(iii): more renewable output, less variability, natural gas or fossil hydrogen)"
		default:
			limit, why = fu.RaisedLimit, "the CEC-raised "+string(fu.RaisedLimit)+"% limit"
		}
	}
	if share.Cmp(limit.mustFraction()) <= 0 {
		e.add(rule, cite, true, "%s%% non-renewable fuel, within %s: all output eligible", fu.NonrenewableShare, why)
		return
	}
	e.share.Mul(e.share, new(big.Rat).Sub(big.NewRat(1, 1), share))
	e.out = append(e.out, Finding{Rule: rule, Citation: cite, Outcome: Pass,
		Detail: fmt.Sprintf("%s%% non-renewable fuel exceeds %s: only the renewable %s%% of output creates certificates", fu.NonrenewableShare, why, percentOf(new(big.Rat).Sub(big.NewRat(1, 1), share)))})
}

// mw writes kW as MW: 30000 is "30 MW", 30001 is "30.001 MW".
func mw(kw int64) string {
	s := fmt.Sprintf("%d.%03d", kw/1000, kw%1000)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + " MW"
}
