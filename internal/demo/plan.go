package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/reference"
)

// Program codes the demo enrolls accounts in besides CARE, FERA and Medical
// Baseline. Device ownership is recorded as a dated enrollment until the
// registry has an attribute table.
const (
	ProgramPowerResponse   = "power_response"   // CPA's demand response (spec/cca-programs.md), tracks below
	ProgramSmartThermostat = "smart_thermostat" // device registration; track is the brand
	ProgramElectricVehicle = "electric_vehicle" // device registration; track is the charger level
	ProgramNEM             = "nem"              // net metering; track nem1, nem2 or nbt (net billing tariff)
)

// Power Response tracks (spec/cca-programs.md: Home, Smart Home, Commercial
// Leaders).
const (
	TrackHome              = "home"
	TrackSmartHome         = "smart_home"
	TrackCommercialLeaders = "commercial_leaders"
)

// Shares of the demo population. The issue fixes the headline figures
// (residential ~88%, commercial ~10%, a few municipal and agricultural; ~5%
// bundled; CARE+FERA ~25% of residential; solar ~15% of accounts; EVs ~8%
// and smart thermostats ~12% of homes); the splits behind them are our
// assumptions.
const (
	shareResidential = 0.88
	shareCommercial  = 0.10
	shareMunicipal   = 0.01 // the rest is agricultural
	shareBundled     = 0.05
	shareMultifamily = 0.35 // residential premises that are apartment units
	// Solar: single-family homes 22%, apartments 3% (≈14% of homes),
	// businesses 10%, public and farm accounts 25%: about 15% overall.
	shareSolarSingleFamily = 0.22
	shareSolarMultifamily  = 0.03
	shareSolarCommercial   = 0.10
	shareSolarPublic       = 0.25
	// EVs: 10% of houses, 4.5% of apartments (≈8% of homes).
	shareEVSingleFamily = 0.10
	shareEVMultifamily  = 0.045
	// Smart thermostats: 15% of houses, 6.5% of apartments (≈12% of homes).
	shareThermostatSingleFamily = 0.15
	shareThermostatMultifamily  = 0.065
	// Power Response: 30% of CCA thermostat homes in Smart Home, 1% of other
	// CCA homes in Home, 1% of CCA businesses in Commercial Leaders.
	sharePRSmartHome  = 0.30
	sharePRHome       = 0.01
	sharePRCommercial = 0.01
	// Medical Baseline: about 2.5% of homes (demo assumption).
	shareMedicalBaseline = 0.025
	// Power Share: 60% of the CCA homes on CARE or FERA in a DAC (demo
	// assumption; CPA auto-enrolls qualified customers and serves over
	// 10,000, research/programs.md §4).
	sharePowerShare = 0.6
)

// householdSizeWeights approximates the distribution of household sizes in
// Los Angeles County (ACS 5-year, table B11016: about a quarter one-person
// households, a mean near 2.9 persons), with 7 standing for 7 or more.
var householdSizeWeights = []float64{0.25, 0.28, 0.17, 0.15, 0.08, 0.04, 0.03}

// countyMedianIncome is the median household income used to centre the
// demo incomes: about $83,400 in Los Angeles County and $102,100 in Ventura
// County (ACS 2018–2022 5-year estimates, table B19013), in dollars.
var countyMedianIncome = map[string]float64{"06037": 83400, "06111": 102100}

// Income model: log-normal around the county median times a calibration
// factor, shifted by household size (bigger households earn more,
// elasticity 0.35 around 2.9 persons), by DAC (× 0.75) and by apartment
// (× 0.85), with σ = 0.75 in log dollars. The spread, shifts and
// calibration are demo assumptions tuned so that about a quarter of homes
// fall within the 2025-26 CARE or FERA limits (23–26% over seeds 1, 7, 11
// and 23 at 2,000 accounts).
const (
	incomeSigma       = 0.75
	incomeSizeElast   = 0.35
	incomeDACFactor   = 0.75
	incomeMultiFactor = 0.85
	incomeCalibration = 1.59
)

// eligibilityFrom is the first day of the 2025-26 CARE/FERA table
// (CPUC, effective 2025-06-01): every demo household's income is checked
// against that table on a day in its first 200 days.
var eligibilityFrom = calendar.Date{Year: 2025, Month: time.June, Day: 1}

// Dates that shape service histories: SCE's SmartConnect meters went in from
// 2009 to 2012; NEM 1.0 closed in SCE territory in mid-2017 and NEM 2.0 on
// 2023-04-14, after which new systems take the net billing tariff (CPUC
// D.22-12-056).
var (
	smartMeterStart = calendar.Date{Year: 2009, Month: time.September, Day: 1}
	nem2Start       = calendar.Date{Year: 2017, Month: time.July, Day: 1}
	nbtStart        = calendar.Date{Year: 2023, Month: time.April, Day: 15}
	// nbtShippedVintage is the first day of the export-price vintage
	// gridbook ships (SCE's 2024 table).
	nbtShippedVintage = calendar.Date{Year: 2024, Month: time.January, Day: 1}
	serviceEarliest   = calendar.Date{Year: 2000, Month: time.January, Day: 1}
)

// loadKind is the shape of a premise's load.
type loadKind int

const (
	kindHome loadKind = iota
	kindOffice
	kindRetail
	kindRestaurant
	kindIndustrial
	kindAllDay
	kindPumping
)

// plan is everything decided about one demo account before its intervals
// are drawn.
type plan struct {
	index       int
	place       *place
	multifamily bool
	customer    customer.Customer
	sharedKey   string // non-empty: the account belongs to a shared customer (a city or county)
	premise     customer.Premise
	account     customer.Account
	meter       customer.Meter
	enrollments []customer.Enrollment

	care, fera, medical bool
	ev, thermostat      bool
	powerResponse       bool
	solar               bool
	powerShare          bool

	load loadModel
}

// loadModel holds the parameters of the account's load and solar models.
type loadModel struct {
	kind       loadKind
	avgKW      float64 // non-residential: target annual mean demand
	baseW      float64 // residential: always-on load
	activityW  float64 // residential: peak of the occupancy-driven load
	coolW      float64 // cooling, W per °C above the setpoint
	setpoint   float64
	heatW      float64 // heating, W per °C below 15.5 °C
	poolW      float64 // pool pump, 0 when none
	evW        float64 // EV charger power, 0 when none
	evDailyWh  float64
	evPlugFrom float64 // earliest plug-in hour
	evPlugSpan float64
	solarShare float64 // annual PV output as a share of annual load; 0 when none
	solarMin   float64 // kW(dc) bounds
	solarMax   float64
}

// newPlan draws account i. The showcase accounts 0 and 1 are forced into
// the shapes the demo logins need: 0 is a CARE home with solar, 1 a home
// with an EV and a smart thermostat in Power Response.
func (g *generator) newPlan(i int) (*plan, error) {
	r := g.rng(i)
	p := &plan{index: i}
	class := drawClass(r)
	if i < 2 {
		class = customer.Residential
	}
	p.place = g.geo.pick(r, class == customer.Agricultural)
	county := p.place.agency.CountyFIPS
	lse := customer.CCA
	if r.Float64() < shareBundled && i >= 2 {
		lse = customer.Bundled
	}
	start := randomDate(r, serviceEarliest, g.yearStart.AddDays(-31))
	p.account = customer.Account{
		Number:       g.accountNumber(i),
		Class:        class,
		LSE:          lse,
		ServiceStart: start,
	}
	tract := p.place.tract(r)
	p.premise = customer.Premise{
		City:         p.place.city,
		ZIP:          p.place.zip,
		CountyFIPS:   county,
		MemberAgency: p.place.agency.Name,
		TractGEOID:   tract,
		HFTDTier:     p.place.hftdTier(r),
	}
	dac := slices.Contains(p.place.dac, tract)
	installed := randomDate(r, smartMeterStart, smartMeterStart.AddDays(3*365))
	if installed.Before(start) {
		installed = start
	}
	if !installed.Before(g.yearStart) {
		installed = g.yearStart.AddDays(-1)
	}
	p.meter = customer.Meter{Serial: g.meterSerial(i), Installed: installed}

	var err error
	if class == customer.Residential {
		err = g.planHome(r, p, dac)
	} else {
		g.planBusiness(r, p)
	}
	if err != nil {
		return nil, err
	}
	p.meter.Channels = []customer.Channel{{Direction: customer.Delivered}}
	if p.solar {
		p.meter.Channels = append(p.meter.Channels, customer.Channel{Direction: customer.Received})
		g.planSolar(r, p)
	}
	g.planPowerShare(p, dac)
	g.planBuilding(p)
	for k := range p.meter.Channels {
		p.meter.Channels[k].IntervalSeconds = p.meter.IntervalSeconds
	}
	return p, nil
}

func drawClass(r *rand.Rand) customer.Class {
	switch u := r.Float64(); {
	case u < shareResidential:
		return customer.Residential
	case u < shareResidential+shareCommercial:
		return customer.Commercial
	case u < shareResidential+shareCommercial+shareMunicipal:
		return customer.Municipal
	default:
		return customer.Agricultural
	}
}

func (g *generator) planHome(r *rand.Rand, p *plan, dac bool) error {
	p.multifamily = r.Float64() < shareMultifamily
	p.premise.Address = streetAddress(r, p.multifamily)
	first, last := personName(r)
	p.customer = customer.Customer{Kind: customer.Person, Name: first + " " + last}
	if r.Float64() < 0.6 {
		p.customer.Email = email(first, last, r)
	}
	if r.Float64() < 0.7 {
		p.customer.Phone = phone(p.place.agency.CountyFIPS, r)
	}
	p.meter.IntervalSeconds = 3600

	// Household and income, then CARE/FERA by the 2025-26 table.
	size := 1 + pickWeighted(r, householdSizeWeights)
	adj := incomeCalibration * math.Pow(float64(size)/2.9, incomeSizeElast)
	if dac {
		adj *= incomeDACFactor
	}
	if p.multifamily {
		adj *= incomeMultiFactor
	}
	median := countyMedianIncome[p.place.agency.CountyFIPS] * adj
	dollars := math.Round(median * math.Exp(incomeSigma*r.NormFloat64()))
	if p.index == 0 {
		// The showcase CARE home: a family of four under the CARE limit.
		size, dollars = 4, 38000+float64(r.IntN(20000))
	}
	if p.index == 1 {
		size, dollars = 3, 140000+float64(r.IntN(40000))
	}
	dollars = math.Max(dollars, 0)
	h := &customer.Household{Size: size, AnnualIncome: money.Cents(int64(dollars) * 100)}
	p.account.Household = h
	checked := eligibilityFrom.AddDays(r.IntN(200))
	hh := reference.Household{Size: size, AnnualIncome: h.AnnualIncome, CountyFIPS: p.place.agency.CountyFIPS}
	care, err := g.ref.Eligible(reference.CARE, hh, checked)
	if err != nil {
		return fmt.Errorf("demo: account %d: %w", p.index, err)
	}
	fera, err := g.ref.Eligible(reference.FERA, hh, checked)
	if err != nil {
		return fmt.Errorf("demo: account %d: %w", p.index, err)
	}
	// Every reported income says how it was verified: self-attested by
	// default, the program's own verification for CARE and FERA homes.
	h.Verification, h.VerifiedOn = customer.VerifySelfAttested, checked
	verify := []string{customer.VerifySelfAttested, customer.VerifySelfAttested, customer.VerifySelfAttested,
		customer.VerifyCategorical, customer.VerifyCategorical, customer.VerifyDocuments}
	// FERA's range starts above the CARE limit, so at most one decision is
	// positive.
	p.care, p.fera = care.Eligible, fera.Eligible
	for _, d := range []reference.Decision{care, fera} {
		if !d.Eligible {
			continue
		}
		h.Verification, h.VerifiedOn = pickString(r, verify), checked
		from := randomDate(r, laterOf(start(p), calendar.Date{Year: 2012, Month: time.January, Day: 1}), checked)
		p.enrollments = append(p.enrollments, customer.Enrollment{
			Program: string(d.Program), From: from, Source: "utility",
			Note: "demo: " + d.Reason + " (" + d.Table + ")",
		})
	}
	if r.Float64() < shareMedicalBaseline {
		p.medical = true
		p.enrollments = append(p.enrollments, customer.Enrollment{
			Program: customer.ProgramMedicalBaseline, From: randomDate(r, start(p), g.yearStart.AddDays(-1)), Source: "utility",
			Note: "demo: medical baseline allowance"})
	}

	// Devices.
	houseOr := func(house, apartment float64) bool {
		if p.multifamily {
			return r.Float64() < apartment
		}
		return r.Float64() < house
	}
	p.solar = houseOr(shareSolarSingleFamily, shareSolarMultifamily) || p.index == 0
	p.ev = houseOr(shareEVSingleFamily, shareEVMultifamily) || p.index == 1
	p.thermostat = houseOr(shareThermostatSingleFamily, shareThermostatMultifamily) || p.index == 1
	if p.thermostat {
		brand := pickString(r, []string{"ecobee", "google_nest", "honeywell_home", "emerson_sensi"})
		p.enrollments = append(p.enrollments, customer.Enrollment{Program: ProgramSmartThermostat, Track: brand,
			From:   randomDate(r, laterOf(start(p), calendar.Date{Year: 2016, Month: time.January, Day: 1}), g.yearStart.AddDays(-1)),
			Source: "portal", Note: "demo: device registration"})
	}
	if p.ev {
		level := "level2"
		if r.Float64() < 0.15 {
			level = "level1"
		}
		p.enrollments = append(p.enrollments, customer.Enrollment{Program: ProgramElectricVehicle, Track: level,
			From:   randomDate(r, laterOf(start(p), calendar.Date{Year: 2014, Month: time.January, Day: 1}), g.yearStart.AddDays(-1)),
			Source: "portal", Note: "demo: device registration"})
		p.load.evW = 6600
		if level == "level1" {
			p.load.evW = 1400
		}
		p.load.evDailyWh = 7000 + 6000*r.Float64()
	}
	if p.account.LSE == customer.CCA {
		track := ""
		switch {
		case p.thermostat && (r.Float64() < sharePRSmartHome || p.index == 1):
			track = TrackSmartHome
		case r.Float64() < sharePRHome:
			track = TrackHome
		}
		if track != "" {
			p.powerResponse = true
			p.enrollments = append(p.enrollments, customer.Enrollment{Program: ProgramPowerResponse, Track: track,
				From:   randomDate(r, laterOf(start(p), calendar.Date{Year: 2023, Month: time.May, Day: 1}), g.yearStart.AddDays(-1)),
				Source: "portal", Note: "demo"})
		}
	}

	// Rate schedule: the SCE residential schedules gridbook ships tariffs
	// for, TOU-D-4-9PM (SCE's default TOU rate) and TOU-D-PRIME. Homes
	// drawn for the tiered D or D-CARE or for TOU-D-5-8PM, which have no
	// shipped tariff, take TOU-D-4-9PM; the draws stay as they were so the
	// rest of each account is unchanged.
	tiered := r.Float64() < 0.08
	switch {
	case tiered:
		p.account.RateSchedule = "TOU-D-4-9PM" // drawn for D or D-CARE
	case (p.ev || p.solar) && r.Float64() < 0.35, r.Float64() < 0.03:
		p.account.RateSchedule = "TOU-D-PRIME"
	case r.Float64() < 0.13:
		p.account.RateSchedule = "TOU-D-4-9PM" // drawn for TOU-D-5-8PM
	default:
		p.account.RateSchedule = "TOU-D-4-9PM"
	}

	// Load model.
	dwell := 1.0
	if p.multifamily {
		dwell = 0.6
	}
	scale := math.Exp(0.3 * r.NormFloat64())
	m := &p.load
	m.kind = kindHome
	m.baseW = (150 + 45*float64(size)) * dwell * scale
	m.activityW = (220 + 95*float64(size)) * dwell * scale
	if r.Float64() < acShare(p.place.zone) {
		m.coolW = (90 + 130*r.Float64()) * dwell
		m.setpoint = 23 + 3*r.Float64()
	}
	m.heatW = 8 * dwell
	if r.Float64() < 0.12 {
		m.heatW = (60 + 100*r.Float64()) * dwell
	}
	if !p.multifamily && r.Float64() < 0.08 {
		m.poolW = 1100
	}
	m.evPlugFrom, m.evPlugSpan = 17.5, 4.5 // evening charging
	if p.account.RateSchedule == "TOU-D-PRIME" {
		m.evPlugFrom, m.evPlugSpan = 21, 2 // after the 4–9 pm peak
	}
	m.solarShare, m.solarMin, m.solarMax = 0.6+0.45*r.Float64(), 2.5, 15
	return nil
}

// acShare is the share of homes with central air conditioning by climate
// zone: few on the coast, nearly all in the desert. Demo assumption.
func acShare(zone int) float64 {
	switch zone {
	case 5:
		return 0.2
	case 6:
		return 0.45
	case 8:
		return 0.7
	case 9:
		return 0.8
	case 10:
		return 0.9
	case 14:
		return 0.97
	}
	return 0.6
}

func (g *generator) planBusiness(r *rand.Rand, p *plan) {
	p.meter.IntervalSeconds = 900
	p.premise.Address = streetAddress(r, false)
	m := &p.load
	county := p.place.agency.CountyFIPS
	switch p.account.Class {
	case customer.Commercial:
		m.kind = pickKind(r)
		name := businessName(r, p.place.city)
		p.customer = customer.Customer{Kind: customer.Organization, Name: name, Email: orgEmail(name, r), Phone: phone(county, r)}
		// SCE applicability by maximum demand: TOU-GS-1 below 20 kW,
		// TOU-GS-2 from 20 to 200 kW, TOU-8 above 200 kW. Mean demand is
		// drawn at a load factor of roughly 0.3–0.5 of those bounds; the
		// shares of the three are demo assumptions that put non-residential
		// energy near twice the residential, as in SCE's sales.
		switch u := r.Float64(); {
		case u < 0.80:
			p.account.RateSchedule, m.avgKW = "TOU-GS-1-D", 0.8+5.2*r.Float64()
		case u < 0.985:
			p.account.RateSchedule, m.avgKW = "TOU-GS-2-D", 10+30*r.Float64()
		default:
			p.account.RateSchedule, m.avgKW = "TOU-8-D", 90+160*r.Float64()
		}
		p.solar = r.Float64() < shareSolarCommercial
		m.solarShare, m.solarMin, m.solarMax = 0.25+0.45*r.Float64(), 10, 1000
	case customer.Municipal:
		name := "City of " + p.place.agency.Name
		if p.place.agency.Kind == "county" {
			name = "County of " + p.place.agency.County
		}
		p.sharedKey = name
		p.customer = customer.Customer{Kind: customer.Organization, Name: name, Email: orgEmail(name, r), Phone: phone(county, r)}
		if r.Float64() < 0.6 {
			m.kind = kindOffice
			p.account.RateSchedule, m.avgKW = "TOU-GS-2-D", 10+30*r.Float64()
		} else {
			m.kind = kindPumping
			p.account.RateSchedule, m.avgKW = "TOU-PA-2-D", 5+35*r.Float64()
		}
		p.solar = r.Float64() < shareSolarPublic
		m.solarShare, m.solarMin, m.solarMax = 0.3+0.5*r.Float64(), 10, 1000
	default: // agricultural
		m.kind = kindPumping
		_, last := personName(r)
		name := last + " " + pickString(r, farmKinds)
		p.customer = customer.Customer{Kind: customer.Organization, Name: name, Email: orgEmail(name, r), Phone: phone(county, r)}
		// SCE's agricultural and pumping schedule TOU-PA-2, option D (most)
		// or E (demand charge waived in exchange for higher energy prices).
		p.account.RateSchedule, m.avgKW = "TOU-PA-2-D", 3+27*r.Float64()
		if r.Float64() < 0.3 {
			p.account.RateSchedule = "TOU-PA-2-E"
		}
		p.solar = r.Float64() < shareSolarPublic
		m.solarShare, m.solarMin, m.solarMax = 0.3+0.5*r.Float64(), 10, 1000
	}
	if p.account.LSE == customer.CCA && p.account.Class != customer.Agricultural && r.Float64() < sharePRCommercial {
		p.powerResponse = true
		p.enrollments = append(p.enrollments, customer.Enrollment{Program: ProgramPowerResponse, Track: TrackCommercialLeaders,
			From:   randomDate(r, laterOf(start(p), calendar.Date{Year: 2023, Month: time.May, Day: 1}), g.yearStart.AddDays(-1)),
			Source: "staff", Note: "demo"})
	}
}

func pickKind(r *rand.Rand) loadKind {
	kinds := []loadKind{kindOffice, kindRetail, kindRestaurant, kindIndustrial, kindAllDay}
	return kinds[pickWeighted(r, []float64{0.27, 0.27, 0.16, 0.18, 0.12})]
}

func businessName(r *rand.Rand, city string) string {
	kind := pickString(r, businessKinds)
	switch r.IntN(3) {
	case 0:
		_, last := personName(r)
		return last + " " + kind
	case 1:
		return pickString(r, streetNames) + " " + kind
	default:
		return city + " " + kind
	}
}

func orgEmail(name string, r *rand.Rand) string {
	var b strings.Builder
	for _, c := range strings.ToLower(name) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	s := b.String()
	if len(s) > 24 {
		s = s[:24]
	}
	return fmt.Sprintf("billing.%s%d@example.com", s, r.IntN(100))
}

// planSolar dates the account's interconnection and enrolls it in the net
// metering generation it took.
func (g *generator) planSolar(r *rand.Rand, p *plan) {
	on := randomDate(r, laterOf(start(p), calendar.Date{Year: 2012, Month: time.January, Day: 1}), g.yearStart.AddDays(-1))
	track := "nbt"
	switch {
	case on.Before(nem2Start):
		track = "nem1"
	case on.Before(nbtStart):
		track = "nem2"
	}
	// gridbook ships SCE's published export prices of the 2024 vintage
	// only (tariff.ShippedExportTables; the 2024-ACC files in
	// shared/data/tariffs are a third party's reconstruction that disagrees
	// with SCE's table, and no utility-published 2023 table is there). A
	// 2023 PTO would lock in a vintage no table covers, and the home could
	// not be billed, so the demo's Net Billing homes got permission to
	// operate from 2024: the 2023 dates move on by the days from
	// 2023-04-15 to 2024-01-01.
	if track == "nbt" && on.Before(nbtShippedVintage) {
		on = on.AddDays(nbtStart.DaysUntil(nbtShippedVintage))
	}
	p.enrollments = append(p.enrollments, customer.Enrollment{Program: ProgramNEM, Track: track, From: on, Source: "utility",
		Note: "demo: rooftop solar interconnection"})
	// Residential Net Billing customers take TOU-D-PRIME (research/
	// billing.md §4.2), and their EVs charge after its 4–9 pm peak.
	if track == "nbt" && p.account.Class == customer.Residential {
		p.account.RateSchedule = "TOU-D-PRIME"
		p.load.evPlugFrom, p.load.evPlugSpan = 21, 2
	}
}

// planPowerShare enrolls some CCA homes on CARE or FERA in a DAC in CPA's
// Power Share (spec/cca-programs.md; CPA auto-enrolls qualified
// customers), from the day their CARE or FERA began. It draws from its
// own stream so that the account's other draws are unchanged.
func (g *generator) planPowerShare(p *plan, dac bool) {
	if p.account.Class != customer.Residential || p.account.LSE != customer.CCA || !dac || !p.care && !p.fera {
		return
	}
	r := rand.New(rand.NewPCG(uint64(g.seed)^0x9057e5a4e, uint64(p.index)))
	if r.Float64() >= sharePowerShare && p.index != 0 {
		return
	}
	for _, e := range p.enrollments {
		if e.Program == customer.ProgramCARE || e.Program == customer.ProgramFERA {
			p.powerShare = true
			p.enrollments = append(p.enrollments, customer.Enrollment{Program: billrun.ProgramPowerShare, From: e.From, Source: "auto",
				Note: "demo: Power Share auto-enrollment (CARE/FERA in a DAC)"})
			return
		}
	}
}

func start(p *plan) calendar.Date { return p.account.ServiceStart }

func laterOf(a, b calendar.Date) calendar.Date {
	if a.After(b) {
		return a
	}
	return b
}

// randomDate draws a day in [from, to]; it returns from when to is not
// after it.
func randomDate(r *rand.Rand, from, to calendar.Date) calendar.Date {
	n := from.DaysUntil(to)
	if n <= 0 {
		return from
	}
	return from.AddDays(r.IntN(n + 1))
}

func pickWeighted(r *rand.Rand, w []float64) int {
	var total float64
	for _, x := range w {
		total += x
	}
	u := r.Float64() * total
	for i, x := range w {
		if u < x {
			return i
		}
		u -= x
	}
	return len(w) - 1
}
