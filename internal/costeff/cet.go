package costeff

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
)

// Claim is one measure line of a program's claims in the CPUC Cost
// Effectiveness Tool's CEDARS layout (InputMeasureCEDARS; field names as
// the CET names them). Energy is per unit and per year; costs are per unit
// in dollars; rates are fractions.
type Claim struct {
	CEInputID            string // claim id
	PA                   string // program administrator, e.g. "PGE", "SCE", or a CCA
	PrgID                string // program id; program costs are allocated by it
	ClaimYearQuarter     string // installation quarter, e.g. "2026Q1"
	MeasDescription      string // free text
	MeasImpactType       string // e.g. "Deemed", "Custom"
	MeasureID            string // measure code
	E3TargetSector       string // avoided-cost keys (informational here)
	E3MeaElecEndUseShape string
	E3ClimateZone        string
	E3GasSavProfile      string
	E3GasSector          string
	NumUnits             float64 // quantity
	EULYrs               float64 // effective useful life, years
	RULYrs               float64 // remaining useful life (early retirement), years; 0 otherwise

	NTGRkW, NTGRkWh, NTGRTherm, NTGRCost                           float64 // net-to-gross ratios
	InstallationRatekW, InstallationRatekWh, InstallationRateTherm float64
	RealizationRatekW, RealizationRatekWh, RealizationRateTherm    float64
	MeasInflation                                                  float64 // annual escalation of the deferred replacement cost

	UnitkW1stBaseline, UnitkW2ndBaseline           float64
	UnitkWh1stBaseline, UnitkWh2ndBaseline         float64
	UnitTherm1stBaseline, UnitTherm2ndBaseline     float64
	UnitMeaCost1stBaseline, UnitMeaCost2ndBaseline float64 // gross measure cost (incremental or full)
	UnitDirectInstallLab, UnitDirectInstallMat     float64
	UnitEndUserRebate, UnitIncentiveToOthers       float64
}

// ProgramCost is a program's own costs (admin, marketing, EM&V …) in
// dollars, not already in the claims' incentives, for one year.
type ProgramCost struct {
	PrgID string
	Year  int     // the year they were spent (discounted from Settings.FirstYear)
	Admin float64 // administration, marketing, EM&V and other non-incentive costs
}

// Settings are the inputs every result is stamped with: discount rates,
// avoided costs and their version, the first year of the analysis.
type Settings struct {
	// DiscountRate is the annual rate Ra (e.g. 0.075). QuarterlyRate Rq
	// discounts installation quarters; the CET stores it apart from Ra
	// (never derive it silently): QuarterlyRateSource says where it came
	// from ("stored", "exact" = (1+Ra)^¼−1, or "flexvalue" = Ra/4).
	DiscountRate        float64
	QuarterlyRate       float64
	QuarterlyRateSource string
	// SocietalDiscountRate discounts the Societal Cost Test (0: DiscountRate).
	SocietalDiscountRate float64
	// FirstYear is the year whose first quarter is quarter 0; claims
	// installed later are discounted by Rq per quarter. 0 turns
	// installation-quarter discounting off.
	FirstYear int
	// Avoided costs by year of the measure's life (index 0 = first year),
	// $/kWh and $/therm; the last value repeats beyond the list. Societal
	// versions feed the SCT (empty: the TRC's).
	AvoidedElec, AvoidedGas       []float64
	AvoidedElecSCT, AvoidedGasSCT []float64
	// Retail rates lost to the program, $/kWh and $/therm, for the RIM test.
	RetailElec, RetailGas float64
	// ACCVersion names the avoided-cost vintage and source, stamped on
	// every report (e.g. "2024 ACC" or "flat $0.25/kWh (worked example)").
	ACCVersion string
}

// ExactQuarterly is the quarterly rate equivalent to annual rate ra:
// (1+ra)^(1/4) − 1 (research/programs.md §1.3; ExactQuarterly(0.075) =
// 0.0182446).
func ExactQuarterly(ra float64) float64 { return math.Pow(1+ra, 0.25) - 1 }

// FlexvalueQuarterly is recurve-methods/flexvalue's quarterly rate, ra/4.
func FlexvalueQuarterly(ra float64) float64 { return ra / 4 }

// AnnuityDue is the CET's annuity-due factor A(n) = 1 + (1 − (1+r)^−(n−1))/r
// = Σ_{t=0}^{n−1} (1+r)^−t (research/programs.md §1.5; A(10) at 7.5% =
// 7.378887). A fractional n weights its last partial year by the fraction.
func AnnuityDue(n, r float64) float64 {
	return pvYears(n, r, func(int) float64 { return 1 })
}

// pvYears discounts per-year values v(t), t = 0 … over n years (the last
// partial year weighted by its fraction), at annual rate r, the first year
// undiscounted.
func pvYears(n, r float64, v func(t int) float64) float64 {
	if n <= 0 {
		return 0
	}
	full := int(math.Floor(n))
	frac := n - float64(full)
	s, d := 0.0, 1.0
	for t := 0; t < full; t++ {
		s += v(t) * d
		d /= 1 + r
	}
	if frac > 0 {
		s += frac * v(full) * d
	}
	return s
}

// at returns xs[t], the last value beyond the list, 0 for an empty list.
func at(xs []float64, t int) float64 {
	if len(xs) == 0 {
		return 0
	}
	if t >= len(xs) {
		return xs[len(xs)-1]
	}
	return xs[t]
}

// ClaimResult is one claim's savings, costs, benefits and tests, in
// dollars, kWh and therms (present values at the analysis' first year).
type ClaimResult struct {
	CEInputID string `json:"ce_input_id"`
	PrgID     string `json:"prg_id"`

	FirstYearGrossKWh float64 `json:"first_year_gross_kwh"`
	FirstYearNetKWh   float64 `json:"first_year_net_kwh"`
	FirstYearNetTherm float64 `json:"first_year_net_therm"`
	LifecycleNetKWh   float64 `json:"lifecycle_net_kwh"`
	LifecycleNetTherm float64 `json:"lifecycle_net_therm"`
	PVNetKWh          float64 `json:"pv_net_kwh"`
	PVNetTherm        float64 `json:"pv_net_therm"`
	ElecBen           float64 `json:"elec_benefits"`
	GasBen            float64 `json:"gas_benefits"`
	ElecBenSCT        float64 `json:"elec_benefits_sct"`
	GasBenSCT         float64 `json:"gas_benefits_sct"`
	BillReduction     float64 `json:"bill_reduction"`
	Incentives        float64 `json:"incentives"`
	GrossMeasureCost  float64 `json:"gross_measure_cost"`
	ExcessIncentives  float64 `json:"excess_incentives"`
	AdminAllocated    float64 `json:"admin_allocated"`
	PACCost           float64 `json:"pac_cost"`
	TRCCost           float64 `json:"trc_cost"`
	SCTCost           float64 `json:"sct_cost"`
	RIMCost           float64 `json:"rim_cost"`
}

// Result is a program's or portfolio's cost-effectiveness: the sums of
// its claims and the tests on them.
type Result struct {
	Name string `json:"name"`
	ClaimResult
	TRCRatio    *float64 `json:"trc_ratio"`
	PACRatio    *float64 `json:"pac_ratio"`
	RIMRatio    *float64 `json:"rim_ratio"`
	SCTRatio    *float64 `json:"sct_ratio"`
	TSB         float64  `json:"tsb"` // total system benefit: avoided costs, net, lifecycle, PV
	ElecShare   float64  `json:"elec_share"`
	LevTRCKWh   *float64 `json:"levelized_trc_usd_per_kwh"`
	LevPACKWh   *float64 `json:"levelized_pac_usd_per_kwh"`
	LevTRCTherm *float64 `json:"levelized_trc_usd_per_therm"`
	LevPACTherm *float64 `json:"levelized_pac_usd_per_therm"`
	// CostPerFirstYearKWh is PAC cost ÷ first-year net kWh — the legacy
	// first-year metric, labelled as such, never a levelized cost.
	CostPerFirstYearKWh *float64 `json:"pac_usd_per_first_year_net_kwh"`
}

// Evaluation is the output of Evaluate: claims, programs and portfolio,
// stamped with the settings.
type Evaluation struct {
	Settings  SettingsStamp `json:"settings"`
	Claims    []ClaimResult `json:"claims"`
	Programs  []Result      `json:"programs"`
	Portfolio Result        `json:"portfolio"`
}

// SettingsStamp is what a report must state about how it was computed.
type SettingsStamp struct {
	DiscountRate         float64 `json:"discount_rate"`
	QuarterlyRate        float64 `json:"quarterly_rate"`
	QuarterlyRateSource  string  `json:"quarterly_rate_source"`
	SocietalDiscountRate float64 `json:"societal_discount_rate"`
	FirstYear            int     `json:"first_year"`
	ACCVersion           string  `json:"acc_version"`
	Annuity              string  `json:"annuity"`
}

// quarterIndex returns the quarters from Q1 of first to the claim's quarter.
func quarterIndex(ycq string, first int) (int, bool) {
	s := strings.ToUpper(strings.TrimSpace(ycq))
	y, q, ok := strings.Cut(s, "Q")
	if !ok {
		return 0, false
	}
	yy, err1 := strconv.Atoi(y)
	qq, err2 := strconv.Atoi(q)
	if err1 != nil || err2 != nil || qq < 1 || qq > 4 {
		return 0, false
	}
	return (yy-first)*4 + qq - 1, true
}

// check validates settings and claims, naming each field.
func check(s Settings, claims []Claim) error {
	var f apperr.Fields
	if s.DiscountRate <= -1 || s.DiscountRate > 1 || s.DiscountRate == 0 {
		f.Add("discount_rate", "want an annual rate such as 0.075, not %g", s.DiscountRate)
	}
	if s.QuarterlyRate < 0 || s.QuarterlyRate > 0.5 {
		f.Add("quarterly_rate", "want a quarterly rate such as 0.0182, not %g", s.QuarterlyRate)
	}
	if len(s.AvoidedElec) == 0 && len(s.AvoidedGas) == 0 {
		f.Add("avoided_costs", "give electric or gas avoided costs")
	}
	if strings.TrimSpace(s.ACCVersion) == "" {
		f.Add("acc_version", "name the avoided-cost version every report is stamped with")
	}
	for i, c := range claims {
		name := func(field string) string { return "claims[" + strconv.Itoa(i) + "]." + field }
		if c.PrgID == "" {
			f.Add(name("PrgID"), "is required")
		}
		if c.NumUnits < 0 {
			f.Add(name("NumUnits"), "must not be negative")
		}
		if c.EULYrs <= 0 || c.EULYrs > 50 {
			f.Add(name("EUL_Yrs"), "want 0 < EUL ≤ 50 years, not %g", c.EULYrs)
		}
		if c.RULYrs < 0 || c.RULYrs > c.EULYrs {
			f.Add(name("RUL_Yrs"), "want 0 ≤ RUL ≤ EUL, not %g", c.RULYrs)
		}
		if s.FirstYear != 0 {
			if q, ok := quarterIndex(c.ClaimYearQuarter, s.FirstYear); !ok || q < 0 {
				f.Add(name("ClaimYearQuarter"), "want a quarter such as %dQ1 from the first year on, not %q", s.FirstYear, c.ClaimYearQuarter)
			}
		}
	}
	return f.Err("costeff.Evaluate")
}

// Evaluate computes every claim's savings, costs and benefits, allocates
// each program's own costs to its claims in proportion to their positive
// benefits (evenly when none has any), and reports the TRC, PAC, RIM and
// SCT tests, total system benefit and levelized costs by program and for
// the portfolio (CPUC Standard Practice Manual as the CET implements it;
// research/programs.md §1.2–1.6). Early-retirement claims (RUL > 0) save
// the first baseline's energy for RUL years and the second's for the rest
// of the EUL, and credit the deferred replacement in their measure cost.
func Evaluate(claims []Claim, programs []ProgramCost, s Settings) (*Evaluation, error) {
	if err := check(s, claims); err != nil {
		return nil, err
	}
	sctRate := s.SocietalDiscountRate
	if sctRate == 0 {
		sctRate = s.DiscountRate
	}
	ev := &Evaluation{Settings: SettingsStamp{DiscountRate: s.DiscountRate, QuarterlyRate: s.QuarterlyRate,
		QuarterlyRateSource: s.QuarterlyRateSource, SocietalDiscountRate: sctRate, FirstYear: s.FirstYear, ACCVersion: s.ACCVersion,
		Annuity: "annuity due: A(n) = 1 + (1 − (1+r)^−(n−1))/r, first year undiscounted"}}
	ra := s.DiscountRate
	for _, c := range claims {
		qd := 1.0
		if s.FirstYear != 0 {
			q, _ := quarterIndex(c.ClaimYearQuarter, s.FirstYear)
			qd = math.Pow(1+s.QuarterlyRate, -float64(q))
		}
		netKWh := c.NumUnits * c.InstallationRatekWh * c.RealizationRatekWh * c.NTGRkWh
		netTherm := c.NumUnits * c.InstallationRateTherm * c.RealizationRateTherm * c.NTGRTherm
		kwh := func(t int) float64 {
			if float64(t) < c.RULYrs {
				return c.UnitkWh1stBaseline
			}
			if c.RULYrs > 0 {
				return c.UnitkWh2ndBaseline
			}
			return c.UnitkWh1stBaseline
		}
		therm := func(t int) float64 {
			if float64(t) < c.RULYrs {
				return c.UnitTherm1stBaseline
			}
			if c.RULYrs > 0 {
				return c.UnitTherm2ndBaseline
			}
			return c.UnitTherm1stBaseline
		}
		r := ClaimResult{CEInputID: c.CEInputID, PrgID: c.PrgID}
		r.FirstYearGrossKWh = c.NumUnits * c.InstallationRatekWh * c.RealizationRatekWh * kwh(0)
		r.FirstYearNetKWh = netKWh * kwh(0)
		r.FirstYearNetTherm = netTherm * therm(0)
		r.LifecycleNetKWh = netKWh * pvYears(c.EULYrs, 0, kwh)
		r.LifecycleNetTherm = netTherm * pvYears(c.EULYrs, 0, therm)
		r.PVNetKWh = netKWh * pvYears(c.EULYrs, ra, kwh) * qd
		r.PVNetTherm = netTherm * pvYears(c.EULYrs, ra, therm) * qd
		r.ElecBen = netKWh * pvYears(c.EULYrs, ra, func(t int) float64 { return kwh(t) * at(s.AvoidedElec, t) }) * qd
		r.GasBen = netTherm * pvYears(c.EULYrs, ra, func(t int) float64 { return therm(t) * at(s.AvoidedGas, t) }) * qd
		elecSCT, gasSCT := s.AvoidedElecSCT, s.AvoidedGasSCT
		if len(elecSCT) == 0 {
			elecSCT = s.AvoidedElec
		}
		if len(gasSCT) == 0 {
			gasSCT = s.AvoidedGas
		}
		r.ElecBenSCT = netKWh * pvYears(c.EULYrs, sctRate, func(t int) float64 { return kwh(t) * at(elecSCT, t) }) * qd
		r.GasBenSCT = netTherm * pvYears(c.EULYrs, sctRate, func(t int) float64 { return therm(t) * at(gasSCT, t) }) * qd
		r.BillReduction = (netKWh*pvYears(c.EULYrs, ra, kwh)*s.RetailElec + netTherm*pvYears(c.EULYrs, ra, therm)*s.RetailGas) * qd
		// Costs: incentives and direct install are paid by the PA; the
		// participant's share of the gross measure cost counts for TRC
		// with NTG_Cost, the excess of incentives over the cost added back
		// so the participant's cost never goes negative (CET CalcCE).
		r.Incentives = c.NumUnits * (c.UnitEndUserRebate + c.UnitIncentiveToOthers + c.UnitDirectInstallLab + c.UnitDirectInstallMat) * qd
		unitCost := c.UnitMeaCost1stBaseline
		if c.RULYrs > 0 {
			defer1 := math.Pow((1+c.MeasInflation)/(1+ra), c.RULYrs)
			unitCost = c.UnitMeaCost1stBaseline - (c.UnitMeaCost1stBaseline-c.UnitMeaCost2ndBaseline)*defer1
		}
		r.GrossMeasureCost = c.NumUnits * unitCost * qd
		othersAndDI := c.NumUnits * (c.UnitIncentiveToOthers + c.UnitDirectInstallLab + c.UnitDirectInstallMat) * qd
		r.ExcessIncentives = math.Max(othersAndDI-r.GrossMeasureCost, 0)
		ev.Claims = append(ev.Claims, r)
	}
	// Program costs, discounted to the first year, allocated by benefits.
	admin := map[string]float64{}
	for _, p := range programs {
		d := 1.0
		if s.FirstYear != 0 {
			d = math.Pow(1+ra, -float64(p.Year-s.FirstYear))
		}
		admin[p.PrgID] += p.Admin * d
	}
	byProgram := map[string][]int{}
	for i, c := range ev.Claims {
		byProgram[c.PrgID] = append(byProgram[c.PrgID], i)
	}
	for prg, idx := range byProgram {
		total := 0.0
		for _, i := range idx {
			total += math.Max(ev.Claims[i].ElecBen, 0) + math.Max(ev.Claims[i].GasBen, 0)
		}
		for _, i := range idx {
			share := 1 / float64(len(idx))
			if total > 0 {
				share = (math.Max(ev.Claims[i].ElecBen, 0) + math.Max(ev.Claims[i].GasBen, 0)) / total
			}
			ev.Claims[i].AdminAllocated = admin[prg] * share
		}
	}
	for i := range ev.Claims {
		r := &ev.Claims[i]
		ntgCost := claims[i].NTGRCost
		r.PACCost = r.AdminAllocated + r.Incentives
		r.TRCCost = r.PACCost + ntgCost*(r.GrossMeasureCost-r.Incentives+r.ExcessIncentives)
		r.SCTCost = r.TRCCost
		r.RIMCost = r.PACCost + r.BillReduction
	}
	var prgs []string
	for p := range byProgram {
		prgs = append(prgs, p)
	}
	sort.Strings(prgs)
	var all []int
	for _, p := range prgs {
		ev.Programs = append(ev.Programs, summarise(p, ev.Claims, byProgram[p]))
		all = append(all, byProgram[p]...)
	}
	ev.Portfolio = summarise("portfolio", ev.Claims, all)
	return ev, nil
}

// summarise adds up claims idx and computes the tests on the sums.
func summarise(name string, claims []ClaimResult, idx []int) Result {
	res := Result{Name: name}
	t := &res.ClaimResult
	t.PrgID = name
	for _, i := range idx {
		c := claims[i]
		t.FirstYearGrossKWh += c.FirstYearGrossKWh
		t.FirstYearNetKWh += c.FirstYearNetKWh
		t.FirstYearNetTherm += c.FirstYearNetTherm
		t.LifecycleNetKWh += c.LifecycleNetKWh
		t.LifecycleNetTherm += c.LifecycleNetTherm
		t.PVNetKWh += c.PVNetKWh
		t.PVNetTherm += c.PVNetTherm
		t.ElecBen += c.ElecBen
		t.GasBen += c.GasBen
		t.ElecBenSCT += c.ElecBenSCT
		t.GasBenSCT += c.GasBenSCT
		t.BillReduction += c.BillReduction
		t.Incentives += c.Incentives
		t.GrossMeasureCost += c.GrossMeasureCost
		t.ExcessIncentives += c.ExcessIncentives
		t.AdminAllocated += c.AdminAllocated
		t.PACCost += c.PACCost
		t.TRCCost += c.TRCCost
		t.SCTCost += c.SCTCost
		t.RIMCost += c.RIMCost
	}
	ratio := func(a, b float64) *float64 {
		if b <= 1e-3 {
			return nil
		}
		v := a / b
		return &v
	}
	ben := t.ElecBen + t.GasBen
	res.TRCRatio, res.PACRatio = ratio(ben, t.TRCCost), ratio(ben, t.PACCost)
	res.RIMRatio, res.SCTRatio = ratio(ben, t.RIMCost), ratio(t.ElecBenSCT+t.GasBenSCT, t.SCTCost)
	res.TSB = ben
	pos := math.Max(t.ElecBen, 0) + math.Max(t.GasBen, 0)
	res.ElecShare = 1
	if pos > 0 {
		res.ElecShare = math.Max(t.ElecBen, 0) / pos
	} else if t.PVNetKWh == 0 && t.PVNetTherm > 0 {
		res.ElecShare = 0
	}
	res.LevTRCKWh, res.LevPACKWh = ratio(t.TRCCost*res.ElecShare, t.PVNetKWh), ratio(t.PACCost*res.ElecShare, t.PVNetKWh)
	res.LevTRCTherm, res.LevPACTherm = ratio(t.TRCCost*(1-res.ElecShare), t.PVNetTherm), ratio(t.PACCost*(1-res.ElecShare), t.PVNetTherm)
	res.CostPerFirstYearKWh = ratio(t.PACCost, t.FirstYearNetKWh)
	return res
}
