package energyteam

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/savings"
)

// Cost is an option's installed cost with where the figure comes from.
type Cost struct {
	Cents  money.Cents `json:"cents"`
	Source string      `json:"source"`
}

// Offer is where money toward an option may come from: a program of the
// incentive catalog and its measure, with the planned equipment's facts
// for the quote; or an enrollment program that pays nothing in gridbook's
// sources; or, when nothing in the catalog applies, why.
type Offer struct {
	Program   string                     `json:"program"`
	Measure   string                     `json:"measure"`
	Equipment map[string]json.RawMessage `json:"equipment,omitempty"`
	// Enrollment names a program the customer enrolls in rather than
	// applies to (no application, no payment).
	Enrollment string `json:"enrollment,omitempty"`
	Why        string `json:"why,omitempty"`
}

// EVSmartCharge is CPA's managed-charging program (spec/cca-programs.md),
// an enrollment without a payment in gridbook's sources.
const EVSmartCharge = "ev-smartcharge"

// costs are the installed costs the plan assumes, each cited.
var costs = map[string]Cost{
	"hpwh": {650000, "median installed cost of a heat pump water heater, about $6,500 including electrical work (Peninsula Clean Energy householder data, " +
		"via santaclara.cleanhotwater.info, How much will it cost?)"},
	"hp_heating": {1800000, "mid-range installed heat pump system in California, $18,000 (perfectstarhvac.com, HVAC estimates in California 2025)"},
	"induction":  {265000, "induction range, midpoint of Consumer Reports' $1,800–$3,500 (via Architect magazine, Top Chef)"},
	"ev": {150000, "Level 2 home charger with installation, midpoint of $1,200–$1,800 (primeramp.live, home EV charging costs); " +
		"the vehicle itself is not counted"},
	"ev_managed": {150000, "the same Level 2 charger; managed charging itself costs nothing. The vehicle is not counted"},
}

func raw(v any) json.RawMessage { b, _ := json.Marshal(v); return b }

// offers are the programs looked at for each option. The heat pump water
// heater is quoted as the model the load shape assumes (energy factor
// 2.35); HVAC quality installation pays what the program's calculation
// gives for the installation, which the plan cannot know.
var offers = map[string][]Offer{
	"hpwh": {{Program: "heer-hpwh", Measure: "hpwh", Equipment: map[string]json.RawMessage{
		"energy_factor": json.RawMessage(strconv.FormatFloat(savings.HPWHEnergyFactor, 'f', -1, 64))}}},
	"hp_heating": {{Program: "residential-hvac-qi", Measure: "hvac_qi", Equipment: map[string]json.RawMessage{
		"licensed_contractor": raw(true), "energy_star": raw(true)}}},
	"induction": {{Why: "no program in the incentive catalog pays for induction cooking"}},
	"ev":        {{Why: "no program in the incentive catalog pays for a home charger (CALeVIP funds public chargers, spec/cca-programs.md)"}},
	"ev_managed": {{Enrollment: EVSmartCharge,
		Why: "EV SmartCharge schedules the charging; it is an enrollment without a payment in gridbook's sources"}},
}

// Offers returns the offers looked at for an option.
func Offers(option string) []Offer { return offers[option] }

// Rebate is one offer's answer for the customer.
type Rebate struct {
	Program       string      `json:"program"`
	ProgramName   string      `json:"program_name"`
	Measure       string      `json:"measure"`
	Enrollment    string      `json:"enrollment,omitempty"`
	Eligible      bool        `json:"eligible"`
	AmountCents   money.Cents `json:"amount_cents"`
	PaymentMethod string      `json:"payment_method,omitempty"`
	// Reasons say why it pays nothing: the quote's reasons, the facts it
	// needs, or that no program applies.
	Reasons []string `json:"reasons"`
	// Referable is true when a referral can create a draft application:
	// the program is in the catalog and the quote needs no more facts.
	Referable bool `json:"referable"`
}

// PlanOption is one option with its cost, rebates and net cost.
type PlanOption struct {
	savings.OptionEstimate
	Cost        Cost        `json:"cost"`
	Rebates     []Rebate    `json:"rebates"`
	RebateCents money.Cents `json:"rebate_cents"`
	NetCents    money.Cents `json:"net_cost_cents"`
}

// Plan is the advisor's plan for an account.
type Plan struct {
	AccountID int64 `json:"account_id"`
	// Estimate is the shadow bills; its options are in Options.
	Span    calendar.Period          `json:"period"`
	Tariffs []savings.TariffEstimate `json:"tariffs"`
	Best    string                   `json:"best_schedule"`
	Options []PlanOption             `json:"options"`
	// Chosen are the options of the plan; Combined their loads billed
	// together, with the summed costs and rebates (nil when none).
	Chosen   []string      `json:"chosen"`
	Combined *PlanOption   `json:"plan"`
	Home     customer.Home `json:"home"`
	Notes    []string      `json:"notes"`
	// Products are the current schedule billed on each of the CCA's rate
	// products (empty when they do not apply; ProductsNote says why).
	Products     []ProductEstimate `json:"cca_products"`
	ProductsNote string            `json:"cca_products_note"`
}

// Inputs are what a plan is made from: the account as the bill run sees
// it, the stored tariffs, the billing periods (whole months, oldest
// first) and the account's use over them, the incentive catalog with the
// income tables, and the registry's facts about the customer.
type Inputs struct {
	Account  billrun.Account
	Premise  customer.Premise
	Tariffs  *billrun.Catalog
	Policies billrun.Policies // nil: the built-in policy versions
	Periods  []calendar.Period
	Usage    billing.Usage
	Programs *incentive.Catalog
	Income   incentive.IncomeTables
	Facts    incentive.Facts // incentive.RegistryFacts on the plan's date
	// GridCO2LbsPerMWh is the supplier's CO2 per MWh (power content
	// label); 0 counts power as zero.
	GridCO2LbsPerMWh float64
}

// MakePlan estimates the account's schedules and options and quotes the
// rebates of each option; the options in chosen make the plan.
func MakePlan(in Inputs, chosen []string) (*Plan, error) {
	const op = "energyteam.MakePlan"
	ps := in.Policies
	if ps == nil {
		var err error
		if ps, err = billrun.LoadPolicies(); err != nil {
			return nil, err
		}
	}
	if len(in.Periods) == 0 {
		return nil, apperr.Invalidf(op, "no whole month of readings to estimate from")
	}
	pol, err := ps.On(in.Periods[0].Start)
	if err != nil {
		return nil, err
	}
	codes := in.Tariffs.Schedules(&in.Account, pol)
	if len(codes) == 0 {
		return nil, apperr.NotFoundf(op, "no stored tariff for the account's schedule %s", in.Account.RateSchedule)
	}
	calc := billing.NewCalculator()
	est := savings.EstimateInput{Usage: in.Usage, Periods: in.Periods, Current: in.Account.RateSchedule, Home: in.Premise.Home,
		GridCO2LbsPerMWh: in.GridCO2LbsPerMWh}
	for _, code := range codes {
		s := savings.Schedule{Code: code}
		plans, err := in.Tariffs.Shadow(&in.Account, code, in.Periods, ps)
		var nb *billrun.NotBillable
		switch {
		case errors.As(err, &nb):
			s.Unavailable = nb.Reason
		case err != nil:
			s.Unavailable = apperr.Detail(err)
		default:
			for _, pl := range plans {
				s.Terms = append(s.Terms, &pl.Terms)
			}
			if len(plans[0].Terms.Tariff) > 0 {
				s.Name = plans[0].Terms.Tariff[0].Name
			}
			s.Bill = func(u *billing.Usage) ([]*billing.Bill, error) { return billrun.BillSeries(calc, plans, u) }
		}
		est.Schedules = append(est.Schedules, s)
	}
	e, err := savings.EstimateAccount(est, savings.DefaultOptions(), chosen)
	if err != nil {
		return nil, err
	}
	p := &Plan{AccountID: in.Account.ID, Span: e.Span, Tariffs: e.Tariffs, Best: e.Best, Chosen: slices.Clone(chosen), Home: in.Premise.Home,
		Notes: e.Notes}
	if p.Chosen == nil {
		p.Chosen = []string{}
	}
	if p.Notes == nil {
		p.Notes = []string{}
	}
	for _, o := range e.Options {
		p.Options = append(p.Options, in.priced(o))
	}
	p.Products = []ProductEstimate{}
	for _, t := range p.Tariffs {
		if t.Current {
			last := in.Periods[len(in.Periods)-1].End.AddDays(-1)
			if ps, why := productEstimates(&in.Account, t, last); ps != nil {
				p.Products = ps
			} else {
				p.ProductsNote = why
			}
		}
	}
	if e.Plan != nil {
		c := PlanOption{OptionEstimate: *e.Plan, Rebates: []Rebate{}}
		for _, o := range p.Options {
			if slices.Contains(chosen, o.Code) && o.NotApplicable == "" {
				c.Cost.Cents += o.Cost.Cents
				c.RebateCents += o.RebateCents
				c.Rebates = append(c.Rebates, o.Rebates...)
			}
		}
		c.Cost.Source = "the sum of the chosen options' costs"
		c.NetCents = c.Cost.Cents - c.RebateCents
		p.Combined = &c
	}
	return p, nil
}

// priced adds an option's cost and rebates.
func (in *Inputs) priced(o savings.OptionEstimate) PlanOption {
	po := PlanOption{OptionEstimate: o, Cost: costs[o.Code], Rebates: []Rebate{}}
	if o.NotApplicable != "" {
		return po
	}
	for _, of := range offers[o.Code] {
		r := in.Quote(of, nil, po.Cost.Cents)
		po.Rebates = append(po.Rebates, r)
		if r.Eligible {
			po.RebateCents += r.AmountCents
		}
	}
	po.NetCents = po.Cost.Cents - po.RebateCents
	return po
}

// Quote asks the incentive engine what an offer pays the customer: the
// registry's facts with the planned equipment (extra facts override the
// equipment's; the invoiced cost is the planned cost when positive).
func (in *Inputs) Quote(of Offer, extra map[string]json.RawMessage, cost money.Cents) Rebate {
	r := Rebate{Program: of.Program, Measure: of.Measure, Enrollment: of.Enrollment, Reasons: []string{}}
	if of.Program == "" {
		if of.Enrollment != "" {
			r.Program, r.ProgramName = of.Enrollment, "EV SmartCharge"
		}
		r.Reasons = append(r.Reasons, of.Why)
		return r
	}
	if in.Programs == nil {
		r.Reasons = append(r.Reasons, "the incentive catalog is not loaded")
		return r
	}
	prog, err := in.Programs.Program(of.Program)
	if err != nil {
		r.Reasons = append(r.Reasons, fmt.Sprintf("program %s is not in the incentive catalog", of.Program))
		return r
	}
	r.ProgramName, r.PaymentMethod = prog.Name, prog.PaymentMethod
	f := in.Facts
	f.Measure = map[string]json.RawMessage{"type": raw(of.Measure)}
	for k, v := range of.Equipment {
		f.Measure[k] = v
	}
	for k, v := range extra {
		f.Measure[k] = v
	}
	if cost > 0 {
		f.InvoiceCostCents = &cost
	}
	d, err := prog.Quote(f, in.Income)
	if err != nil && apperr.KindOf(err) != apperr.Invalid {
		r.Reasons = append(r.Reasons, apperr.Detail(err))
		return r
	}
	for _, why := range d.Reasons {
		if why.Code == incentive.ReasonMissingFact {
			r.Reasons = append(r.Reasons, fmt.Sprintf("needs %s (%s) before it can be quoted", why.Field, why.Rule))
		} else {
			r.Reasons = append(r.Reasons, why.Message)
		}
	}
	r.Eligible, r.AmountCents, r.Referable = d.Eligible, d.AmountCents, err == nil
	return r
}
