package savings

import (
	"math"
	"sort"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/tariff"
)

// The Energy Team estimator: for one customer, shadow bills of the last
// months on every rate schedule the account may take (through the billing
// engine), and the bill, energy and CO2 effect of electrification options
// added to the customer's own interval data.

// EstimateInput is what the estimator needs of an account.
type EstimateInput struct {
	Usage   billing.Usage     // the account's intervals over Periods
	Periods []calendar.Period // monthly billing periods, oldest first
	// Schedules are the rate schedules the account may take, by code, each
	// with its effective-dated versions; Current is the one it is on.
	Schedules map[string][]*tariff.Version
	Current   string
	LSE       billing.LSE
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

// Option is an electrification measure modelled as a load shape: kWh a
// day spread over the clock hours by Profile (fractions summing to 1), a
// monthly factor (heating loads), and the fuel it displaces.
type Option struct {
	Code, Name    string
	KWhPerDay     float64
	Profile       [24]float64
	Monthly       [12]float64 // multiplies KWhPerDay by month; zero value: 1
	ThermsPerKWh  float64     // gas displaced per kWh added
	GallonsPerKWh float64     // gasoline displaced per kWh added
	Assumption    string      // where the numbers come from
}

// flatProfile spreads a load evenly over hours [from, to).
func flatProfile(from, to int) [24]float64 {
	var p [24]float64
	for h := from; h != to; h = (h + 1) % 24 {
		p[h] = 1 / float64((to-from+24)%24)
	}
	return p
}

// DefaultOptions are gridbook's documented electrification load shapes.
// They are planning assumptions for an advisor's conversation, stated on
// every estimate; replace them with measured shapes where a program has
// them.
func DefaultOptions() []Option {
	hpwh := [24]float64{}
	for h, w := range map[int]float64{6: 0.12, 7: 0.14, 8: 0.10, 9: 0.06, 12: 0.04, 13: 0.04, 17: 0.06, 18: 0.10, 19: 0.12, 20: 0.12, 21: 0.10} {
		hpwh[h] = w
	}
	heating := [12]float64{2.2, 1.8, 1.3, 0.7, 0.2, 0, 0, 0, 0, 0.4, 1.4, 2.0}
	var heatProfile [24]float64
	for h := range heatProfile {
		heatProfile[h] = 1.0 / 24
	}
	return []Option{
		{Code: "hpwh", Name: "Heat pump water heater (replacing gas)", KWhPerDay: 3.0, Profile: hpwh, ThermsPerKWh: 0.18,
			Assumption: "about 1,100 kWh a year for a household of four, morning and evening draws; displaces gas at 0.18 therm per kWh (a COP near 3.5 against an 0.6 efficient gas tank)"},
		{Code: "hp_heating", Name: "Heat pump space heating (replacing a gas furnace)", KWhPerDay: 4.0, Profile: heatProfile, Monthly: heating, ThermsPerKWh: 0.08,
			Assumption: "about 1,200 kWh a year in a coastal Southern California home, by month from heating degree days, flat through the day; displaces gas at 0.08 therm per kWh (COP near 3 against an 80% furnace)"},
		{Code: "induction", Name: "Induction cooktop (replacing gas)", KWhPerDay: 0.8, Profile: flatProfile(17, 20), ThermsPerKWh: 0.09,
			Assumption: "about 290 kWh a year, 5–8 pm; displaces gas at 0.09 therm per kWh"},
		{Code: "ev", Name: "Electric vehicle, charged on arrival home", KWhPerDay: 9.0, Profile: flatProfile(18, 22), GallonsPerKWh: 0.11,
			Assumption: "about 11,000 miles a year at 0.30 kWh/mile charged 6–10 pm; displaces a 30 mpg car's gasoline (0.11 gallon per kWh)"},
		{Code: "ev_managed", Name: "Electric vehicle, managed overnight charging", KWhPerDay: 9.0, Profile: flatProfile(0, 6), GallonsPerKWh: 0.11,
			Assumption: "the same car charged midnight–6 am, off the 4–9 pm peak"},
	}
}

// TariffEstimate is the account's shadow bills on one rate schedule.
type TariffEstimate struct {
	Code    string        `json:"code"`
	Name    string        `json:"name"`
	Current bool          `json:"current"`
	Total   money.Cents   `json:"total_cents"`
	Months  []money.Cents `json:"month_cents"`
	Error   string        `json:"error,omitempty"` // why the schedule could not bill the period
}

// OptionEstimate is one electrification option's effect.
type OptionEstimate struct {
	Code         string      `json:"code"`
	Name         string      `json:"name"`
	AddedKWh     float64     `json:"added_kwh"`
	CurrentTotal money.Cents `json:"current_schedule_total_cents"`
	BillChange   money.Cents `json:"bill_change_cents"` // on the current schedule
	BestSchedule string      `json:"best_schedule"`
	BestTotal    money.Cents `json:"best_total_cents"`
	CO2ChangeLbs float64     `json:"co2_change_lbs"` // negative: less CO2
	GasTherms    float64     `json:"gas_displaced_therms"`
	Gallons      float64     `json:"gasoline_displaced_gallons"`
	Assumption   string      `json:"assumption"`
}

// Estimate is the estimator's answer.
type Estimate struct {
	From, To calendar.Date    `json:"-"`
	Span     calendar.Period  `json:"period"`
	Tariffs  []TariffEstimate `json:"tariffs"`
	Best     string           `json:"best_schedule"`
	Options  []OptionEstimate `json:"options"`
	// OpenItems says what the estimate does not include yet.
	OpenItems []string `json:"open_items"`
}

// EstimateAccount bills the account's usage on every schedule and each
// option added to it.
func EstimateAccount(in EstimateInput, options []Option) (*Estimate, error) {
	const op = "savings.EstimateAccount"
	if len(in.Periods) == 0 || len(in.Schedules) == 0 {
		return nil, apperr.Invalidf(op, "need billing periods and at least one rate schedule")
	}
	if _, ok := in.Schedules[in.Current]; !ok {
		var f apperr.Fields
		f.Add("current", "the account's schedule %q is not among the schedules loaded", in.Current)
		return nil, f.Err(op)
	}
	in.DefaultFactors()
	est := &Estimate{Span: calendar.Period{Start: in.Periods[0].Start, End: in.Periods[len(in.Periods)-1].End},
		OpenItems: []string{
			"rebates: the incentive engine's programs are not yet combined into the plan (issue 5 integration)",
			"net-metered accounts are shadow-billed without their NEM/NBT terms",
			"CCA generation is priced with the utility schedule's generation bucket",
		}}
	calc := billing.NewCalculator()
	codes := make([]string, 0, len(in.Schedules))
	for c := range in.Schedules {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	bill := func(code string, u *billing.Usage) TariffEstimate {
		vs := in.Schedules[code]
		te := TariffEstimate{Code: code, Current: code == in.Current}
		if len(vs) > 0 {
			te.Name = vs[0].Name
		}
		terms := &billing.Terms{Tariff: vs, LSE: in.LSE, Program: billing.NoProgram, AllowIncomplete: true}
		bills, _, err := calc.Run(terms, in.Periods, u, billing.State{})
		if err != nil {
			te.Error = apperr.Detail(err)
			return te
		}
		for _, b := range bills {
			te.Months = append(te.Months, b.Total)
			te.Total += b.Total
		}
		return te
	}
	best := func(ts []TariffEstimate) (string, money.Cents) {
		code, total := "", money.Cents(0)
		for _, t := range ts {
			if t.Error == "" && (code == "" || t.Total < total) {
				code, total = t.Code, t.Total
			}
		}
		return code, total
	}
	base := in.Usage
	for _, c := range codes {
		est.Tariffs = append(est.Tariffs, bill(c, &base))
	}
	est.Best, _ = best(est.Tariffs)
	var current money.Cents
	for _, t := range est.Tariffs {
		if t.Current {
			current = t.Total
		}
	}
	for _, o := range options {
		u, added := addLoad(in.Usage, o)
		var ts []TariffEstimate
		for _, c := range codes {
			ts = append(ts, bill(c, &u))
		}
		r := OptionEstimate{Code: o.Code, Name: o.Name, AddedKWh: added, Assumption: o.Assumption}
		for _, t := range ts {
			if t.Current {
				r.CurrentTotal = t.Total
			}
		}
		r.BillChange = r.CurrentTotal - current
		r.BestSchedule, r.BestTotal = best(ts)
		r.GasTherms, r.Gallons = added*o.ThermsPerKWh, added*o.GallonsPerKWh
		r.CO2ChangeLbs = added/1000*in.GridCO2LbsPerMWh - r.GasTherms*in.GasCO2LbsPerTherm - r.Gallons*in.GasolineCO2LbsPerGallon
		est.Options = append(est.Options, r)
	}
	if in.GridCO2LbsPerMWh == 0 {
		est.OpenItems = append(est.OpenItems, "grid CO2 factor not given: the CO2 change counts only the fuel displaced")
	}
	return est, nil
}

// addLoad returns a copy of u with the option's load added to every
// interval that has a reading, and the kWh added.
func addLoad(u billing.Usage, o Option) (billing.Usage, float64) {
	out := u
	out.Delivered = append([]energy.Wh(nil), u.Delivered...)
	perHour := float64(time.Hour / u.Step)
	var added float64
	for i, v := range out.Delivered {
		if v == billing.Missing {
			continue
		}
		t := u.Start.Add(time.Duration(i) * u.Step).In(calendar.Pacific)
		m := o.Monthly[t.Month()-1]
		if o.Monthly == ([12]float64{}) {
			m = 1
		}
		kwh := o.KWhPerDay * m * o.Profile[t.Hour()] / perHour
		wh := energy.Wh(math.Round(kwh * 1000))
		out.Delivered[i] = v + wh
		added += float64(wh) / 1000
	}
	return out, added
}
