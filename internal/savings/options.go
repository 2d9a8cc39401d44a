package savings

import (
	"github.com/gridbook/gridbook/internal/customer"
)

// Option is an electrification measure modelled as a load shape: the
// electricity it adds in a year, spread over the clock hours by Profile
// (fractions summing to 1) and over the months by Monthly (relative
// weights; zero value: even), and the fuel it displaces per kWh. Every
// figure is a planning assumption stated on the estimate with its sources.
type Option struct {
	Code, Name string
	KWhPerYear float64
	Profile    [24]float64
	Monthly    [12]float64
	// ThermsPerKWh is natural gas displaced per kWh added; GallonsPerKWh
	// is gasoline displaced per kWh added.
	ThermsPerKWh  float64
	GallonsPerKWh float64
	// FloorAreaSqFt, when set, scales KWhPerYear by the home's floor area
	// over this reference area (heating loads).
	FloorAreaSqFt float64
	// Replaces lists the heating fuels the option replaces; a home
	// recorded with another heating fuel does not take it. Empty: any
	// home.
	Replaces   []string
	Assumption string   // the load shape and fuel displaced in words
	Sources    []string // where each figure comes from
}

// applies says why the option does not fit the home, "" when it does (or
// the home's heating fuel is not recorded).
func (o Option) applies(h customer.Home) string {
	if len(o.Replaces) == 0 || h.HeatingFuel == "" {
		return ""
	}
	for _, f := range o.Replaces {
		if f == h.HeatingFuel {
			return ""
		}
	}
	switch h.HeatingFuel {
	case "heat_pump":
		return "the home already heats with a heat pump"
	case "none":
		return "the home has no heating to replace"
	}
	return "the home heats with " + h.HeatingFuel + ", not gas: this option models replacing a gas furnace"
}

// scaled returns the option with its load scaled to the home's floor area.
func (o Option) scaled(h customer.Home) Option {
	if o.FloorAreaSqFt > 0 && h.FloorAreaSqFt > 0 {
		o.KWhPerYear *= float64(h.FloorAreaSqFt) / o.FloorAreaSqFt
	}
	return o
}

// monthly returns the monthly weights normalized to a mean of 1, so that
// KWhPerYear/365 × weight is the month's daily load.
func (o Option) monthly() [12]float64 {
	var out [12]float64
	sum := 0.0
	for _, w := range o.Monthly {
		sum += w
	}
	for m := range out {
		out[m] = 1
		if sum > 0 {
			out[m] = o.Monthly[m] * 12 / sum
		}
	}
	return out
}

// flatProfile spreads a load evenly over the clock hours from from to to
// (exclusive, 0–24, wrapping past midnight; equal bounds: all day).
func flatProfile(from, to int) [24]float64 {
	var p [24]float64
	n := (to - from + 24) % 24
	if n == 0 {
		n = 24
	}
	for k := range n {
		p[(from+k)%24] = 1 / float64(n)
	}
	return p
}

// Conversion factors and published figures behind the default options.
const (
	// kWhPerTherm: one therm is 100,000 Btu, 29.3071 kWh (NIST SP 811,
	// 1 Btu_IT = 1055.056 J).
	kWhPerTherm = 29.3071
	// HPWH: a 50-gallon heat pump water heater with an energy factor of
	// 2.35 uses 1,856 kWh a year by its EnergyGuide label (SMUD's heat
	// pump water heater calculator, smud-heatpumph2o.org/calc.php); the
	// 50-gallon gas tank it replaces (UEF 0.63) 269 therms a year by its
	// EnergyGuide label (heatpump.review, "My appliance still works.
	// Should I replace it?", 2024). HPWHEnergyFactor, that model's, is
	// the planned equipment of the estimator's rebate quote.
	hpwhKWhPerYear    = 1856.0
	HPWHEnergyFactor  = 2.35
	gasTankThermsYear = 269.0
	// Space heating: a heat pump delivers 2–4 units of heat per unit of
	// electricity (pickhvac.com, ducted heat pump cost guide); gridbook
	// takes 3. The federal minimum AFUE of a non-weatherized gas furnace
	// is 80% (10 CFR 430.32(e)).
	heatPumpCOP = 3.0
	furnaceAFUE = 0.80
	// Cooking: gas cooktops transfer about 32% of their energy to the
	// pot, induction about 85% (ENERGY STAR, as quoted by Pearl
	// Certification, "Electric cooktop rebates and tax credits").
	gasCooktopEff       = 0.32
	inductionCooktopEff = 0.85
	// Driving: 13,476 miles per vehicle a year (US DOT Federal Highway
	// Administration, via TorqueNews 2023), about 0.35 kWh a mile for
	// most modern EVs (engineerfix.com, "How many kWh does an EV use per
	// year"), against the 25.7 mpg of model-year 2020 new light-duty
	// vehicles (EPA 2020 Automotive Trends Report, via Green Car
	// Congress 2021-03-16).
	milesPerYear = 13476
	evKWhPerMile = 0.35
	gasolineMPG  = 25.7
)

// DefaultOptions are gridbook's documented electrification load shapes.
// They are planning assumptions for an advisor's conversation, stated on
// every estimate with their sources; replace them with measured shapes
// where a program has them.
func DefaultOptions() []Option {
	hpwh := [24]float64{}
	for h, w := range map[int]float64{6: 0.12, 7: 0.14, 8: 0.10, 9: 0.06, 12: 0.04, 13: 0.04, 17: 0.06, 18: 0.10, 19: 0.12, 20: 0.12, 21: 0.10} {
		hpwh[h] = w
	}
	ev := milesPerYear * evKWhPerMile
	evSources := []string{"13,476 miles a year: US DOT FHWA, via TorqueNews (2023)",
		"0.35 kWh a mile: engineerfix.com, How many kWh does an EV use per year",
		"25.7 mpg displaced: EPA 2020 Automotive Trends Report (model year 2020), via Green Car Congress"}
	return []Option{
		{Code: "hpwh", Name: "Heat pump water heater (replacing a gas tank)", KWhPerYear: hpwhKWhPerYear, Profile: hpwh,
			ThermsPerKWh: gasTankThermsYear / hpwhKWhPerYear,
			Assumption:   "1,856 kWh a year (a 50-gallon unit, energy factor 2.35, by its EnergyGuide label) in morning and evening draws (gridbook's profile); displaces a 50-gallon gas tank's 269 therms a year",
			Sources: []string{"1,856 kWh/yr, EF 2.35: EnergyGuide label via SMUD's heat pump water heater calculator (smud-heatpumph2o.org/calc.php)",
				"269 therms/yr, UEF 0.63 gas tank: EnergyGuide label via heatpump.review (2024)"}},
		{Code: "hp_heating", Name: "Heat pump space heating (replacing a gas furnace)", KWhPerYear: 1200, FloorAreaSqFt: 1500,
			Profile: flatProfile(0, 24), Monthly: [12]float64{2.2, 1.8, 1.3, 0.7, 0.2, 0, 0, 0, 0, 0.4, 1.4, 2.0},
			ThermsPerKWh: heatPumpCOP / (kWhPerTherm * furnaceAFUE), Replaces: []string{"gas"},
			Assumption: "1,200 kWh a year for a 1,500 sq ft coastal Southern California home, scaled by the home's floor area, by month from heating degree days and flat through the day (gridbook's assumption, not a published figure); displaces gas at COP 3 against an 80% furnace: 3 ÷ (29.3071 × 0.80) = 0.128 therm per kWh",
			Sources: []string{"COP 2–4 (3 taken): pickhvac.com, ducted heat pump cost guide",
				"80% AFUE: federal minimum for non-weatherized gas furnaces, 10 CFR 430.32(e)",
				"1,200 kWh/yr and the monthly shape: gridbook planning assumption"}},
		{Code: "induction", Name: "Induction cooktop (replacing gas)", KWhPerYear: 290, Profile: flatProfile(17, 20),
			ThermsPerKWh: inductionCooktopEff / (kWhPerTherm * gasCooktopEff),
			Assumption:   "290 kWh a year, 5–8 pm (gridbook's assumption); displaces gas at 85% against 32% transfer efficiency: 0.85 ÷ (29.3071 × 0.32) = 0.091 therm per kWh",
			Sources:      []string{"32% gas, 85% induction: ENERGY STAR, via Pearl Certification", "290 kWh/yr and 5–8 pm: gridbook planning assumption"}},
		{Code: "ev", Name: "Electric vehicle, charged on arrival home", KWhPerYear: ev, Profile: flatProfile(18, 22),
			GallonsPerKWh: 1 / (evKWhPerMile * gasolineMPG),
			Assumption:    "13,476 miles a year at 0.35 kWh a mile (4,717 kWh) charged 6–10 pm; displaces a 25.7 mpg car's gasoline: 1 ÷ (0.35 × 25.7) = 0.111 gallon per kWh",
			Sources:       evSources},
		{Code: "ev_managed", Name: "Electric vehicle, managed overnight charging (EV SmartCharge)", KWhPerYear: ev, Profile: flatProfile(0, 6),
			GallonsPerKWh: 1 / (evKWhPerMile * gasolineMPG),
			Assumption:    "the same car charged midnight–6 am, off the 4–9 pm peak, as EV SmartCharge schedules it (94% of its 2025 charging was off-peak)",
			Sources:       append(evSources[:3:3], "EV SmartCharge off-peak charging: spec/cca-programs.md (Electrification)")},
	}
}

// OptionCodes lists the default options' codes.
func OptionCodes() []string {
	var out []string
	for _, o := range DefaultOptions() {
		out = append(out, o.Code)
	}
	return out
}
