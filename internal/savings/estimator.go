package savings

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/money"
)

// The Energy Team estimator: for one customer, shadow bills of the last
// months on every rate schedule the account may take (through the billing
// engine, under the account's own billing terms: its net-metering program,
// its CCA ledgers, its discounts), and the bill, energy and CO2 effect of
// electrification options added to the customer's own interval data.

// Schedule is one rate schedule the account may take, with the billing
// terms of each period as the account's billing mapping gives them
// (billrun.Catalog.Shadow): the program (NEM 1.0/2.0, Net Billing), the
// load-serving side and ledgers, the discounts.
type Schedule struct {
	Code, Name string
	// Terms holds one entry per period of the estimate, in order.
	Terms []*billing.Terms
	// Bill bills a usage over the periods on these terms, carrying the
	// State from bill to bill (billrun.BillSeries); nil uses the
	// Opening State of zero balances.
	Bill func(u *billing.Usage) ([]*billing.Bill, error)
	// Unavailable says why the account cannot be billed on it (no tariff
	// version in force, no export-price table of its vintage …).
	Unavailable string
}

// EstimateInput is what the estimator needs of an account.
type EstimateInput struct {
	Usage     billing.Usage     // the account's intervals over Periods (received energy too, for solar)
	Periods   []calendar.Period // monthly billing periods, oldest first
	Schedules []Schedule
	Current   string // the schedule the account is on
	// Home is the premise's building, which decides which options apply
	// and scales the heating load by floor area.
	Home customer.Home
	// GridCO2LbsPerMWh is the carbon intensity of the electricity supplied
	// (the supplier's power content label); GasCO2LbsPerTherm and
	// GasolineCO2LbsPerGallon price the fuels an option displaces.
	GridCO2LbsPerMWh        float64
	GasCO2LbsPerTherm       float64
	GasolineCO2LbsPerGallon float64
}

// DefaultFactors fills the fuel CO2 factors: EPA, 0.0053 metric tons CO2
// per therm of natural gas (11.7 lb), and EIA, 19.37 lb CO2 per gallon of
// finished motor gasoline (E10). The grid factor has no default: it is
// the supplier's, from its power content label.
func (in *EstimateInput) DefaultFactors() {
	if in.GasCO2LbsPerTherm == 0 {
		in.GasCO2LbsPerTherm = 11.7
	}
	if in.GasolineCO2LbsPerGallon == 0 {
		in.GasolineCO2LbsPerGallon = 19.37
	}
}

// TariffEstimate is the account's shadow bills on one rate schedule.
type TariffEstimate struct {
	Code    string        `json:"code"`
	Name    string        `json:"name"`
	Current bool          `json:"current"`
	Program string        `json:"program"` // none, nem1, nem2 or nbt: the account's net-metering program
	LSE     string        `json:"lse"`     // bundled or cca
	Total   money.Cents   `json:"total_cents"`
	Months  []money.Cents `json:"month_cents"`
	// UtilityTotal and GenerationTotal split the bills by ledger: a CCA
	// account's generation is the CCA's, the rest the utility's.
	UtilityTotal    money.Cents `json:"utility_total_cents"`
	GenerationTotal money.Cents `json:"generation_total_cents"`
	// Deferred is net-metering energy charges accrued in the window and
	// carried to a true-up after it (positive balances at its end); Cost
	// = Total + Deferred is what the months cost, and what schedules are
	// compared by.
	Deferred money.Cents `json:"deferred_cents"`
	Cost     money.Cents `json:"cost_cents"`
	Error    string      `json:"error,omitempty"` // why the schedule could not bill the period
}

// OptionEstimate is one electrification option's (or a plan's) effect.
type OptionEstimate struct {
	Code string `json:"code"`
	Name string `json:"name"`
	// NotApplicable says why the option does not fit the home (it heats
	// with a heat pump already …); the figures are then zero.
	NotApplicable string      `json:"not_applicable,omitempty"`
	AddedKWh      float64     `json:"added_kwh"`
	CurrentCost   money.Cents `json:"current_schedule_cost_cents"`
	BillChange    money.Cents `json:"bill_change_cents"` // on the current schedule
	BestSchedule  string      `json:"best_schedule"`
	BestCost      money.Cents `json:"best_cost_cents"`
	CO2ChangeLbs  float64     `json:"co2_change_lbs"` // negative: less CO2
	GasTherms     float64     `json:"gas_displaced_therms"`
	Gallons       float64     `json:"gasoline_displaced_gallons"`
	Assumption    string      `json:"assumption"`
	Sources       []string    `json:"sources"`
}

// Estimate is the estimator's answer.
type Estimate struct {
	Span    calendar.Period  `json:"period"`
	Tariffs []TariffEstimate `json:"tariffs"`
	Best    string           `json:"best_schedule"`
	Options []OptionEstimate `json:"options"`
	// Plan is the options chosen together, billed as one added load (nil
	// when none was chosen).
	Plan *OptionEstimate `json:"plan"`
	// Notes say how the bills were made (generation prices, true-ups).
	Notes []string `json:"notes"`
}

// estimator bills usages on every available schedule.
type estimator struct {
	in    EstimateInput
	calc  *billing.Calculator
	codes []string
}

// bill bills u on schedule s.
func (e *estimator) bill(s Schedule, u *billing.Usage) TariffEstimate {
	te := TariffEstimate{Code: s.Code, Name: s.Name, Current: s.Code == e.in.Current, Error: s.Unavailable}
	if len(s.Terms) > 0 {
		te.Program, te.LSE = string(s.Terms[0].Program), string(s.Terms[0].LSE)
	}
	if te.Error != "" {
		return te
	}
	var bills []*billing.Bill
	var err error
	if s.Bill != nil {
		bills, err = s.Bill(u)
	} else {
		bills, err = e.billTerms(s.Terms, u)
	}
	if err != nil {
		te.Error = apperr.Detail(err)
		return te
	}
	for i, b := range bills {
		te.Months = append(te.Months, b.Total)
		te.Total += b.Total
		for _, st := range b.Sides {
			if st.Side == billing.Generation {
				te.GenerationTotal += st.Total
			} else {
				te.UtilityTotal += st.Total
			}
			if i == len(bills)-1 && st.Balance > 0 {
				te.Deferred += st.Balance
			}
		}
	}
	te.Cost = te.Total + te.Deferred
	return te
}

// billTerms bills the periods on per-period terms from zero balances.
func (e *estimator) billTerms(ts []*billing.Terms, u *billing.Usage) ([]*billing.Bill, error) {
	if len(ts) != len(e.in.Periods) {
		return nil, apperr.Invalidf("savings.EstimateAccount", "%d periods but %d terms", len(e.in.Periods), len(ts))
	}
	var st billing.State
	var out []*billing.Bill
	for i, p := range e.in.Periods {
		if err := e.calc.Validate(ts[i]); err != nil {
			return nil, err
		}
		b, after, err := e.calc.Bill(ts[i], p, u, st)
		if err != nil {
			return nil, err
		}
		out, st = append(out, b), after
	}
	return out, nil
}

// all bills u on every schedule.
func (e *estimator) all(u *billing.Usage) []TariffEstimate {
	out := make([]TariffEstimate, 0, len(e.in.Schedules))
	for _, s := range e.in.Schedules {
		out = append(out, e.bill(s, u))
	}
	return out
}

// best names the lowest-cost schedule that billed.
func best(ts []TariffEstimate) (string, money.Cents) {
	code, cost := "", money.Cents(0)
	for _, t := range ts {
		if t.Error == "" && (code == "" || t.Cost < cost) {
			code, cost = t.Code, t.Cost
		}
	}
	return code, cost
}

func current(ts []TariffEstimate) money.Cents {
	for _, t := range ts {
		if t.Current {
			return t.Cost
		}
	}
	return 0
}

// EstimateAccount bills the account's usage on every schedule, then each
// applicable option added to it, then the options named in plan added
// together (the plan). Schedules are compared by Cost (bills plus
// net-metering charges deferred past the window).
func EstimateAccount(in EstimateInput, options []Option, plan []string) (*Estimate, error) {
	const op = "savings.EstimateAccount"
	if len(in.Periods) == 0 || len(in.Schedules) == 0 {
		return nil, apperr.Invalidf(op, "need billing periods and at least one rate schedule")
	}
	var f apperr.Fields
	if !slices.ContainsFunc(in.Schedules, func(s Schedule) bool { return s.Code == in.Current }) {
		f.Add("current", "the account's schedule %q is not among the schedules loaded", in.Current)
	}
	for _, c := range plan {
		if !slices.ContainsFunc(options, func(o Option) bool { return o.Code == c }) {
			f.Add("options", "unknown option %q", c)
		}
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	in.DefaultFactors()
	e := &estimator{in: in, calc: billing.NewCalculator()}
	est := &Estimate{Span: calendar.Period{Start: in.Periods[0].Start, End: in.Periods[len(in.Periods)-1].End}}
	base := in.Usage
	est.Tariffs = e.all(&base)
	est.Best, _ = best(est.Tariffs)
	now := current(est.Tariffs)
	var chosen []Option
	for _, o := range options {
		r := e.option(now, o)
		est.Options = append(est.Options, r)
		if slices.Contains(plan, o.Code) && r.NotApplicable == "" {
			chosen = append(chosen, o)
		}
	}
	if len(chosen) > 0 {
		p := e.option(now, chosen...)
		p.Code, p.Name, p.Sources = "plan", "The plan", []string{}
		var names []string
		for _, o := range chosen {
			names = append(names, o.Name)
			for _, src := range o.Sources {
				if !slices.Contains(p.Sources, src) {
					p.Sources = append(p.Sources, src)
				}
			}
		}
		p.Assumption = "the chosen options' loads added together: " + strings.Join(names, "; ")
		est.Plan = &p
	}
	est.Notes = estimateNotes(in, est)
	return est, nil
}

// option bills the usage with the options' loads added.
func (e *estimator) option(now money.Cents, os ...Option) OptionEstimate {
	r := OptionEstimate{Code: os[0].Code, Name: os[0].Name, Assumption: os[0].Assumption, Sources: os[0].Sources}
	if len(os) == 1 {
		if why := os[0].applies(e.in.Home); why != "" {
			r.NotApplicable = why
			return r
		}
	}
	u := e.in.Usage
	for _, o := range os {
		var added float64
		u, added = addLoad(u, o.scaled(e.in.Home))
		r.AddedKWh += added
		r.GasTherms += added * o.ThermsPerKWh
		r.Gallons += added * o.GallonsPerKWh
	}
	ts := e.all(&u)
	r.CurrentCost = current(ts)
	r.BillChange = r.CurrentCost - now
	r.BestSchedule, r.BestCost = best(ts)
	r.CO2ChangeLbs = r.AddedKWh/1000*e.in.GridCO2LbsPerMWh - r.GasTherms*e.in.GasCO2LbsPerTherm - r.Gallons*e.in.GasolineCO2LbsPerGallon
	return r
}

// estimateNotes says what a reader must know about the bills.
func estimateNotes(in EstimateInput, est *Estimate) []string {
	var notes []string
	for _, t := range est.Tariffs {
		if t.Current && t.LSE == string(billing.CCA) {
			notes = append(notes, "The CCA's generation is priced at the utility schedule's generation rates: the CCA's own rate sheets are not loaded (Clean Power's rates are at parity with SCE's generation, Lean Power's 1–2% below; research/programs.md §5).")
		}
		if t.Current && t.Program != "" && t.Program != string(billing.NoProgram) {
			notes = append(notes, "Solar bills follow the account's "+t.Program+" terms; net-metering balances before the window start at zero, and charges deferred to a true-up after the window count in the cost. Added load first uses solar output that was being exported.")
		}
	}
	if in.GridCO2LbsPerMWh == 0 {
		notes = append(notes, "No grid CO2 factor was given: the CO2 change counts only the fuel displaced.")
	}
	return notes
}

// addLoad returns a copy of u with the option's load added to every
// interval that has a reading, and the kWh added. Where the interval
// exported energy (solar), the load uses that first: received falls and
// only the rest is delivered.
func addLoad(u billing.Usage, o Option) (billing.Usage, float64) {
	out := u
	out.Delivered = slices.Clone(u.Delivered)
	if u.Received != nil {
		out.Received = slices.Clone(u.Received)
	}
	perHour := float64(time.Hour / u.Step)
	monthly := o.monthly()
	var added float64
	for i, v := range out.Delivered {
		if v == billing.Missing {
			continue
		}
		t := u.Start.Add(time.Duration(i) * u.Step).In(calendar.Pacific)
		kwh := o.KWhPerYear / 365 * monthly[t.Month()-1] * o.Profile[t.Hour()] / perHour
		wh := energy.Wh(math.Round(kwh * 1000))
		added += float64(wh) / 1000
		if out.Received != nil && i < len(out.Received) && out.Received[i] > 0 && out.Received[i] != billing.Missing {
			use := min(wh, out.Received[i])
			out.Received[i] -= use
			wh -= use
		}
		out.Delivered[i] = v + wh
	}
	return out, added
}
