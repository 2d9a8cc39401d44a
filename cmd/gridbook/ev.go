package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/emissions"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/evcharge"
	"github.com/gridbook/gridbook/internal/tariff"
)

// evSlot is a plan slot as `gridbook ev plan` prints it.
type evSlot struct {
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	KW       string    `json:"kw"`
	EnergyWh int64     `json:"energy_wh"`
	Value    *float64  `json:"value"`
}

// evPlanOutput is what `gridbook ev plan` prints.
type evPlanOutput struct {
	Objective   evcharge.Objective `json:"objective"`
	Slots       []evSlot           `json:"slots"`
	EnergyWh    int64              `json:"energy_wh"`
	ShortfallWh int64              `json:"shortfall_wh"`
	CostCents   *int64             `json:"cost_cents,omitempty"`
	CO2g        *float64           `json:"co2_g,omitempty"`
	UnpricedWh  int64              `json:"unpriced_wh"`
	Notes       []string           `json:"notes"`
}

// runEVPlan plans one plug-in from files alone: least cost on a TOU
// tariff or least CO2 on a marginal-emission signal.
func runEVPlan(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "ev plan")
	tariffFile := fs.String("tariff", "", "tariff file (URDB or native JSON): plan for least cost")
	code := fs.String("code", "", "with --tariff: the rate code when the file holds several tariffs")
	moerFile := fs.String("moer", "", "marginal-emission CSV (SGIP point_time,moer kg/kWh or WattTime point_time,value lbs/MWh): plan for least CO2")
	plugIn := fs.String("plug-in", "", "plug-in time, RFC 3339 or Pacific YYYY-MM-DDTHH:MM (required)")
	departure := fs.String("departure", "", "departure time (required)")
	energyKWh := fs.String("energy-kwh", "", "energy to add, kWh (or --battery-kwh with --soc and --target-soc)")
	batteryKWh := fs.String("battery-kwh", "", "battery capacity, kWh")
	soc := fs.Int("soc", -1, "state of charge at plug-in, %")
	target := fs.Int("target-soc", -1, "state of charge wanted at departure, %")
	maxKW := fs.String("max-kw", "", "charger power, kW (required)")
	pre := fs.Duration("precondition", 0, "charge this long just before departure whatever it costs (e.g. 15m)")
	continuous := fs.Bool("continuous", false, "one contiguous charging window instead of the cheapest slots")
	step := fs.Duration("step", 15*time.Minute, "with --tariff: price slot length (a divisor of one hour)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	var f apperr.Fields
	var n evcharge.Need
	instantFlag(&f, "plug-in", *plugIn, &n.PlugIn)
	instantFlag(&f, "departure", *departure, &n.Departure)
	if (*tariffFile == "") == (*moerFile == "") {
		f.Add("tariff", "give exactly one of --tariff (least cost) and --moer (least CO2)")
	}
	if *maxKW == "" {
		f.Add("max-kw", "is required")
	} else if kw, err := energy.ParseKWh(*maxKW); err != nil || kw <= 0 {
		f.Add("max-kw", "want a positive number of kW, not %q", *maxKW)
	} else {
		n.MaxW = energy.W(kw)
	}
	switch {
	case *energyKWh != "":
		if wh, err := energy.ParseKWh(*energyKWh); err != nil || wh < 0 {
			f.Add("energy-kwh", "want a non-negative number of kWh, not %q", *energyKWh)
		} else {
			n.EnergyWh = wh
		}
	case *batteryKWh != "":
		cap, err := energy.ParseKWh(*batteryKWh)
		if err != nil || cap <= 0 {
			f.Add("battery-kwh", "want a positive number of kWh, not %q", *batteryKWh)
		}
		if *soc < 0 || *soc > 100 || *target < 0 || *target > 100 {
			f.Add("soc", "--soc and --target-soc are percentages 0–100")
		} else if *target > *soc {
			n.EnergyWh = cap * energy.Wh(*target-*soc) / 100
		}
	default:
		f.Add("energy-kwh", "give --energy-kwh, or --battery-kwh with --soc and --target-soc")
	}
	n.Precondition, n.Continuous = *pre, *continuous
	if err := f.Err("ev plan"); err != nil {
		return err
	}
	var rates evcharge.Rates
	obj := evcharge.LeastCost
	if *tariffFile != "" {
		b, err := os.ReadFile(*tariffFile)
		if err != nil {
			return apperr.E(apperr.Invalid, "tariff", "cannot read the tariff file", err)
		}
		vs, err := tariff.Parse(b, "", tariff.URDBOptions{})
		if err != nil {
			return err
		}
		v, err := pickVersion(vs, *code, calendar.DateOf(n.PlugIn))
		if err != nil {
			return err
		}
		if n.Departure.After(n.PlugIn) {
			if rates, err = evcharge.TariffRates(v, n.PlugIn, n.Departure, *step); err != nil {
				return err
			}
		}
	} else {
		obj = evcharge.LeastCO2
		fh, err := os.Open(*moerFile)
		if err != nil {
			return apperr.E(apperr.Invalid, "moer", "cannot open the signal file", err)
		}
		sig, err := emissions.ParseSignalCSV(fh, emissions.CSVOptions{AllowGaps: true})
		fh.Close()
		if err != nil {
			return err
		}
		rates = evcharge.SignalRates(sig, n.PlugIn, n.Departure)
	}
	p, err := evcharge.PlanCharging(n, rates, obj)
	if err != nil {
		return err
	}
	out := evPlanOutput{Objective: p.Objective, EnergyWh: int64(p.EnergyWh), ShortfallWh: int64(p.ShortfallWh), UnpricedWh: int64(p.UnpricedWh), Notes: p.Notes}
	if out.Notes == nil {
		out.Notes = []string{}
	}
	for _, s := range p.Slots {
		out.Slots = append(out.Slots, evSlot{Start: s.Start, End: s.End, KW: s.W.KWString(), EnergyWh: int64(s.EnergyWh), Value: s.Value})
	}
	if obj == evcharge.LeastCost {
		c := int64(p.CostCents)
		out.CostCents = &c
	} else {
		out.CO2g = &p.CO2g
	}
	if *asJSON {
		return printJSON(e.stdout, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "start (Pacific)\tend\tkW\tWh\tvalue")
	for _, s := range out.Slots {
		v := "unknown"
		if s.Value != nil {
			v = strconv.FormatFloat(*s.Value, 'f', -1, 64)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", s.Start.In(calendar.Pacific).Format("2006-01-02 15:04"), s.End.In(calendar.Pacific).Format("15:04"), s.KW, s.EnergyWh, v)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "energy %s kWh", energy.Wh(out.EnergyWh).KWhString())
	if out.CostCents != nil {
		fmt.Fprintf(e.stdout, ", cost $%d.%02d", *out.CostCents/100, *out.CostCents%100)
	} else {
		fmt.Fprintf(e.stdout, ", %.3f g CO2", *out.CO2g)
	}
	if out.ShortfallWh > 0 {
		fmt.Fprintf(e.stdout, ", short by %s kWh", energy.Wh(out.ShortfallWh).KWhString())
	}
	fmt.Fprintln(e.stdout)
	for _, n := range out.Notes {
		fmt.Fprintln(e.stdout, "note:", n)
	}
	return nil
}

// pickVersion chooses the tariff version in force on d (with code, when
// the file holds several tariffs).
func pickVersion(vs []tariff.Version, code string, d calendar.Date) (*tariff.Version, error) {
	var match []*tariff.Version
	for i := range vs {
		v := &vs[i]
		if (code == "" || v.Code == code) && v.Effective().Contains(d) {
			match = append(match, v)
		}
	}
	switch {
	case len(match) == 1:
		return match[0], nil
	case len(match) == 0:
		return nil, apperr.Invalidf("tariff", "no tariff version in the file is in force on %s (with --code %q)", d, code)
	}
	return nil, apperr.Invalidf("code", "the file holds %d tariffs in force on %s; choose one with --code", len(match), d)
}
