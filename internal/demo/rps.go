package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/rec"
	"github.com/gridbook/gridbook/internal/rps"
	"github.com/gridbook/gridbook/internal/store"
)

// The demo RPS book: a CCA-sized contract book and its certificates.
// Facilities, owners, contracts and volumes are synthetic (the sources
// give no facility-level facts about Clean Power Alliance's procurement);
// they are shaped so that every part of the RPS rules shows: in-state
// solar, wind and geothermal (PCC1), out-of-state wind scheduled hourly
// (PCC1 up to the hourly lesser of generation and schedule, the rest
// PCC3), firmed-and-shaped Northwest wind (PCC2, short-term), unbundled
// Arizona RECs (PCC3), a biomass plant burning 1.5% natural gas (within
// the 2% de minimis), a community solar project for Power Share with
// hourly data, and a pre-2006 small hydro plant eligible only for the
// utility that bought from it by 2005 (so the CCA cannot claim it).

// demoSeller is the demo's retail seller.
const demoSeller = "Demo CCA"

// demoFacility is one facility of the book and its contract.
type demoFacility struct {
	name, wregis, owner, county, state, ba string
	tech                                   rps.Technology
	mw                                     int64
	cf                                     float64 // annual capacity factor
	cod                                    calendar.Date
	inCBA                                  bool
	hourly                                 bool // reports hourly generation
	delivery                               rps.DeliveryMethod
	executed, start, end                   calendar.Date
	fuel                                   *rps.FuelFacts
	hydro                                  *rps.HydroFacts
	contract                               bool // the CCA holds a contract (the hydro plant has none)
}

func d(y int, m time.Month, day int) calendar.Date { return calendar.Date{Year: y, Month: m, Day: day} }

// demoBook is the book, in registration order.
var demoBook = []demoFacility{
	{name: "Antelope Valley Solar", wregis: "W10231", owner: "Antelope Valley Solar LLC", county: "Los Angeles", state: "CA", ba: "CISO",
		tech: rps.SolarPV, mw: 300, cf: 0.29, cod: d(2019, 12, 1), inCBA: true, delivery: rps.DeliverInCBA,
		executed: d(2018, 11, 15), start: d(2020, 1, 1), end: d(2040, 1, 1), contract: true},
	{name: "Mojave Sun", wregis: "W10655", owner: "Mojave Sun Power LLC", county: "Kern", state: "CA", ba: "CISO",
		tech: rps.SolarPV, mw: 250, cf: 0.30, cod: d(2020, 6, 1), inCBA: true, delivery: rps.DeliverInCBA,
		executed: d(2019, 5, 20), start: d(2020, 6, 1), end: d(2035, 6, 1), contract: true},
	{name: "Kern Flats Solar + Storage", wregis: "W11302", owner: "Kern Flats Energy LLC", county: "Kern", state: "CA", ba: "CISO",
		tech: rps.SolarPV, mw: 250, cf: 0.28, cod: d(2022, 3, 1), inCBA: true, delivery: rps.DeliverInCBA,
		executed: d(2020, 9, 1), start: d(2022, 3, 1), end: d(2042, 3, 1), contract: true},
	{name: "Tehachapi Ridge Wind", wregis: "W09877", owner: "Tehachapi Ridge Wind LLC", county: "Kern", state: "CA", ba: "CISO",
		tech: rps.Wind, mw: 220, cf: 0.33, cod: d(2016, 4, 1), inCBA: true, delivery: rps.DeliverInCBA,
		executed: d(2019, 3, 1), start: d(2020, 1, 1), end: d(2032, 1, 1), contract: true},
	{name: "Salton Sea Geothermal Unit 7", wregis: "W08812", owner: "Imperial Geothermal Co.", county: "Imperial", state: "CA", ba: "IID",
		tech: rps.Geothermal, mw: 60, cf: 0.90, cod: d(2012, 1, 1), inCBA: true, delivery: rps.DeliverInCBA,
		executed: d(2020, 2, 1), start: d(2021, 1, 1), end: d(2036, 1, 1), contract: true},
	{name: "Medicine Bow Wind", wregis: "W12044", owner: "High Plains Wind LLC", county: "Carbon", state: "WY", ba: "PACE",
		tech: rps.Wind, mw: 350, cf: 0.40, cod: d(2020, 10, 1), hourly: true, delivery: rps.DeliverHourlySchedule,
		executed: d(2019, 8, 1), start: d(2021, 1, 1), end: d(2036, 1, 1), contract: true},
	{name: "Columbia Gorge Wind", wregis: "W07720", owner: "Gorge Wind Partners", county: "Klickitat", state: "WA", ba: "BPAT",
		tech: rps.Wind, mw: 150, cf: 0.30, cod: d(2010, 5, 1), delivery: rps.DeliverFirmedShaped,
		executed: d(2020, 11, 1), start: d(2021, 1, 1), end: d(2026, 1, 1), contract: true},
	{name: "Sonoran Desert Solar", wregis: "W11590", owner: "Sonoran Renewables LLC", county: "Maricopa", state: "AZ", ba: "AZPS",
		tech: rps.SolarPV, mw: 120, cf: 0.27, cod: d(2018, 3, 1), delivery: rps.DeliverUnbundled,
		executed: d(2020, 12, 1), start: d(2021, 1, 1), end: d(2024, 1, 1), contract: true},
	{name: "Central Valley Biomass", wregis: "W03315", owner: "Central Valley Bioenergy", county: "Fresno", state: "CA", ba: "CISO",
		tech: rps.Biomass, mw: 25, cf: 0.80, cod: d(2004, 1, 1), inCBA: true, delivery: rps.DeliverInCBA,
		executed: d(2020, 6, 1), start: d(2021, 1, 1), end: d(2031, 1, 1), contract: true,
		fuel: &rps.FuelFacts{NonrenewableShare: "1.5", Fuel: "natural_gas"}},
	{name: "Power Share Community Solar", wregis: "W12890", owner: "Demo CCA", county: "Los Angeles", state: "CA", ba: "CISO",
		tech: rps.SolarPV, mw: 3, cf: 0.24, cod: d(2021, 7, 1), inCBA: true, hourly: true, delivery: rps.DeliverInCBA,
		executed: d(2020, 10, 1), start: d(2021, 7, 1), end: d(2041, 7, 1), contract: true},
	{name: "Piru Creek Small Hydro", wregis: "W01104", owner: "Piru Water District", county: "Ventura", state: "CA", ba: "CISO",
		tech: rps.SmallHydro, mw: 8, cf: 0.35, cod: d(1986, 6, 1), inCBA: true,
		hydro: &rps.HydroFacts{ProcuredBy2005: []string{"Southern California Edison"}}},
}

// powerShareFacility is the index in demoBook of the community solar
// project behind Power Share, and powerShareProgram the enrollment code
// of its customers (billrun.ProgramPowerShare).
const (
	powerShareFacility = 9
	powerShareProgram  = billrun.ProgramPowerShare
)

// demoRetailSales are the demo seller's retail sales by year, MWh:
// synthetic, of the size of a large CCA.
var demoRetailSales = map[int]int64{2021: 11_200_000, 2022: 11_450_000, 2023: 11_300_000, 2024: 11_600_000, 2025: 11_750_000,
	2026: 11_900_000, 2027: 12_000_000}

// lastRPSYear is the last year the demo book reaches (its sales table's
// last year, inside CP5).
const lastRPSYear = 2027

// RPSSummary counts what GenerateRPS wrote.
type RPSSummary struct {
	Facilities, Contracts, Reports, Certificates, Retired, Claimed, Pending int64
	// Logins is the registry participant's sign-in (participantLogin).
	Logins []Login
}

// participantLogin is the demo's registry participant: the operator of
// Antelope Valley Solar, who sees only its own company's registry
// accounts, facility and transfers (the last month's delivery to the CCA
// awaits acceptance, so it has a transfer it may cancel).
const (
	participantLogin = "generator@gridbook.demo"
	participantOrg   = "Antelope Valley Solar LLC"
)

// String renders the summary for the terminal.
func (s RPSSummary) String() string {
	return fmt.Sprintf("RPS: %d facilities, %d contracts, %d generation reports, %d certificates issued, %d retired, %d claimed, %d awaiting acceptance",
		s.Facilities, s.Contracts, s.Reports, s.Certificates, s.Retired, s.Claimed, s.Pending)
}

// GenerateRPS writes the demo RPS book into db: the seller's profile and
// retail sales, registry accounts, the facilities with their CEC
// certifications, contracts, monthly generation from January 2021
// through December of lastYear (at most 2027; hourly for two facilities), issuance,
// transfers to the CCA, quarterly RPS retirements and their claims, a
// green-product retirement, an export, a rejected transfer, a revised
// report with a withdrawal, and the last months' transfers left pending.
// Every registry command runs with the clock set to the day it would
// happen, so retirement dates and windows are realistic. The same seed
// gives the same rows.
func GenerateRPS(ctx context.Context, db *store.DB, seed int64, lastYear int) (RPSSummary, error) {
	var sum RPSSummary
	lastYear = min(lastYear, lastRPSYear)
	actor := auth.System
	clock := d(2020, 12, 1).Start()
	now := func() time.Time { return clock }
	at := func(day calendar.Date) { clock = day.Start().Add(17 * time.Hour) }
	// run runs fn as one registry transaction on the simulated clock.
	run := func(fn func(reg *rec.Registry, tx *store.Tx) error) error {
		return db.InTx(ctx, func(tx *store.Tx) error {
			reg, err := tx.Registry(ctx, actor)
			if err != nil {
				return err
			}
			reg.Now = now
			return fn(reg, tx)
		})
	}
	var cca, ccaRet, ccaExport int64
	owners := map[string]int64{}
	facs := make([]rec.Facility, len(demoBook))
	contracts := make([]int64, len(demoBook))
	err := run(func(reg *rec.Registry, tx *store.Tx) error {
		for y := 2021; y <= lastYear; y++ {
			if mwh, ok := demoRetailSales[y]; ok {
				if err := tx.SetRetailSales(ctx, actor, store.RetailSales{Year: y, MWh: mwh, Source: "demo: synthetic, of a large CCA's size"}); err != nil {
					return err
				}
			}
		}
		open := func(org, name string, kind rec.AccountKind) (int64, error) {
			a, err := reg.OpenAccount(ctx, rec.Account{Org: org, Name: name, Kind: kind})
			return a.ID, err
		}
		var err error
		if cca, err = open(demoSeller, "Demo CCA active", rec.ActiveAccount); err != nil {
			return err
		}
		if ccaRet, err = open(demoSeller, "Demo CCA RPS retirement", rec.RetirementAccount); err != nil {
			return err
		}
		if ccaExport, err = open(demoSeller, "Demo CCA export", rec.ExportAccount); err != nil {
			return err
		}
		owners[demoSeller] = cca
		for i, b := range demoBook {
			acct, ok := owners[b.owner]
			if !ok {
				if acct, err = open(b.owner, b.owner+" active", rec.ActiveAccount); err != nil {
					return err
				}
				owners[b.owner] = acct
			}
			cert := d(2019, 1, 1)
			if b.cod.After(cert) {
				cert = b.cod
			}
			f := rec.Facility{AccountID: acct, Facility: rps.Facility{Name: b.name, WREGISID: b.wregis, Technology: b.tech, NameplateKW: b.mw * 1000,
				BalancingAuthority: b.ba, InCBA: b.inCBA, COD: b.cod, County: b.county, State: b.state, Owner: b.owner, Fuel: b.fuel, Hydro: b.hydro,
				Certifications: []rps.Certification{{Status: rps.Certified, From: cert, CECRPSID: fmt.Sprintf("6%04dA", 1000+i),
					Guidebook: "RPS Eligibility Guidebook, Ninth Edition", Source: "demo"}}}}
			if facs[i], err = reg.RegisterFacility(ctx, f); err != nil {
				return err
			}
			sum.Facilities++
			if !b.contract {
				continue
			}
			c := rps.Contract{Name: b.name + " PPA", Counterparty: b.owner, FacilityID: facs[i].ID, Executed: b.executed, Start: b.start, End: b.end,
				Delivery: b.delivery, Ownership: b.owner == demoSeller, EligibleWhenSigned: true}
			if err := tx.CreateContract(ctx, actor, &c); err != nil {
				return err
			}
			contracts[i] = c.ID
			sum.Contracts++
		}
		// Power Share's customers are matched hour by hour against the
		// community solar project (the green product of the profile).
		return tx.SetRPSProfile(ctx, actor, store.RPSProfile{Seller: demoSeller, Jurisdiction: rps.CPUCRetailSeller, Settings: rps.DefaultSettings(),
			Recommendations: map[string]string{"2024": "Transmission upgrades into the Antelope Valley and timely CAISO interconnection studies would let " +
				"contracted solar reach commercial operation on schedule."},
			GreenProduct: &store.GreenProduct{Name: "Power Share", Program: powerShareProgram, Facilities: []int64{facs[powerShareFacility].ID}}})
	})
	if err != nil {
		return sum, fmt.Errorf("demo: RPS book: %w", err)
	}
	first := rps.Month{Year: 2021, Month: time.January}
	last := rps.Month{Year: lastYear, Month: time.December}
	var retireQueue []queued // transferred blocks awaiting the quarter's retirement
	for v := first; v.Compare(last) <= 0; v = v.AddMonths(1) {
		day := v.Last().AddDays(20) // reports and issuance three weeks after the month
		at(day)
		var issued []queued
		err := run(func(reg *rec.Registry, tx *store.Tx) error {
			for i, b := range demoBook {
				if b.cod.After(v.First()) || (b.contract && !b.start.Before(v.AddMonths(1).First())) {
					continue
				}
				r := rand.New(rand.NewPCG(uint64(seed), uint64(i)<<32|uint64(v.Year*12+int(v.Month))))
				rep := monthlyGeneration(b, v, r)
				rep.FacilityID = facs[i].ID
				if _, err := reg.SubmitReport(ctx, rep); err != nil {
					return fmt.Errorf("%s %v: %w", b.name, v, err)
				}
				sum.Reports++
				iss, err := reg.Issue(ctx, facs[i].ID, v)
				if err != nil {
					return fmt.Errorf("%s %v: %w", b.name, v, err)
				}
				sum.Certificates += iss.Quantity
				if iss.Quantity > 0 && b.contract {
					issued = append(issued, queued{fac: i, block: iss.BlockID, qty: iss.Quantity, hourly: rep.Hourly})
				}
			}
			return nil
		})
		if err != nil {
			return sum, fmt.Errorf("demo: RPS generation: %w", err)
		}
		// A week later the bundled certificates move to the CCA (the
		// community solar project is the CCA's own).
		at(day.AddDays(7))
		final := v.AddMonths(1).Compare(last) > 0
		err = run(func(reg *rec.Registry, tx *store.Tx) error {
			for _, q := range issued {
				b := demoBook[q.fac]
				if b.owner == demoSeller {
					retireQueue = append(retireQueue, q)
					continue
				}
				t, err := reg.InitiateTransfer(ctx, rec.TransferCmd{BlockID: q.block, Quantity: q.qty, To: cca, Note: "PPA delivery " + v.String()})
				if err != nil {
					return err
				}
				if final { // the last month's transfers await acceptance
					sum.Pending++
					continue
				}
				// One transfer in the book is rejected (a metering dispute)
				// and sent again corrected the next day.
				if v == (rps.Month{Year: 2023, Month: time.May}) && q.fac == 3 {
					if _, err := reg.ResolveTransfer(ctx, t.ID, rec.TransferRejected, "quantity disputed: awaiting the QRE's corrected meter data"); err != nil {
						return err
					}
					if t, err = reg.InitiateTransfer(ctx, rec.TransferCmd{BlockID: t.BlockID, Quantity: q.qty, To: cca, Note: "PPA delivery, corrected"}); err != nil {
						return err
					}
				}
				if _, err := reg.ResolveTransfer(ctx, t.ID, rec.TransferAccepted, ""); err != nil {
					return err
				}
				q.block = t.BlockID
				retireQueue = append(retireQueue, q)
			}
			return nil
		})
		if err != nil {
			return sum, fmt.Errorf("demo: RPS transfers: %w", err)
		}
		// Quarterly, a month after the quarter ends, the CCA retires the
		// quarter's certificates for RPS and claims them.
		if v.Month%3 != 0 || final {
			continue
		}
		at(v.AddMonths(1).Last())
		err = run(func(reg *rec.Registry, tx *store.Tx) error {
			for _, q := range retireQueue {
				b := demoBook[q.fac]
				qty := q.qty
				// 5% of the community solar goes to the 100% Green Power
				// product's customers instead (a voluntary claim, never RPS).
				if b.owner == demoSeller {
					green := qty / 20
					if green > 0 {
						r, err := reg.Retire(ctx, rec.RetireCmd{BlockID: q.block, Quantity: green, AccountID: ccaRet, Reason: rec.ReasonGreenProduct,
							Beneficiary: "Demo CCA 100% Green Power customers"})
						if err != nil {
							return err
						}
						sum.Retired += green
						qty -= green
						if q.block, err = remaining(ctx, tx, r.BlockID, cca); err != nil {
							return err
						}
					}
				}
				// In 2023 the CCA sells 2,000 unbundled RECs to another
				// registry's buyer.
				if b.delivery == rps.DeliverUnbundled && v == (rps.Month{Year: 2023, Month: time.June}) && qty > 2000 {
					x, err := reg.Export(ctx, rec.ExportCmd{BlockID: q.block, Quantity: 2000, AccountID: ccaExport, Destination: "M-RETS"})
					if err != nil {
						return err
					}
					qty -= 2000
					if q.block, err = remaining(ctx, tx, x.BlockID, cca); err != nil {
						return err
					}
				}
				r, err := reg.Retire(ctx, rec.RetireCmd{BlockID: q.block, Quantity: qty, AccountID: ccaRet, Reason: rec.ReasonRPS,
					ComplianceYear: v.Year, Beneficiary: demoSeller})
				if err != nil {
					return fmt.Errorf("%s: %w", b.name, err)
				}
				sum.Retired += qty
				in := store.ClaimInput{RetirementID: r.ID, ContractID: contracts[q.fac]}
				if b.delivery == rps.DeliverHourlySchedule {
					in.Hourly = schedule(q.hourly, r.Vintage)
				}
				cs, err := tx.ClaimRetirement(ctx, reg, in)
				if err != nil {
					return fmt.Errorf("%s claim: %w", b.name, err)
				}
				for _, c := range cs {
					sum.Claimed += c.MWh
				}
			}
			retireQueue = retireQueue[:0]
			return nil
		})
		if err != nil {
			return sum, fmt.Errorf("demo: RPS retirements: %w", err)
		}
	}
	hash, err := auth.HashPassword(Password, bcryptCost)
	if err != nil {
		return sum, err
	}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		u := auth.User{Email: participantLogin, Name: "Antelope Valley Solar Operations", Role: auth.Participant, PasswordHash: hash}
		if err := tx.CreateUser(ctx, actor, &u); err != nil {
			return err
		}
		_, err := tx.LinkRecUser(ctx, actor, participantOrg, u.ID)
		return err
	})
	if err != nil {
		return sum, fmt.Errorf("demo: registry participant: %w", err)
	}
	sum.Logins = []Login{{Email: participantLogin, Role: auth.Participant, Password: Password,
		About: participantOrg + ": registry participant, sees only its own accounts (/rec)"}}
	return sum, nil
}

// remaining returns the active block that a split of taken's parent
// left in account: the rest of the certificates.
func remaining(ctx context.Context, tx *store.Tx, taken, account int64) (int64, error) {
	b, err := tx.RecBlock(ctx, taken)
	if err != nil {
		return 0, err
	}
	live, err := tx.RecBlocks(ctx, store.BlockFilter{IssuanceID: b.IssuanceID, AccountID: account, Status: rec.StatusActive})
	if err != nil {
		return 0, err
	}
	if len(live) != 1 {
		return 0, fmt.Errorf("demo: %d active blocks left of issuance %d", len(live), b.IssuanceID)
	}
	return live[0].ID, nil
}

// queued is a block of certificates on its way to retirement.
type queued struct {
	fac    int
	block  int64
	qty    int64
	hourly []energy.Wh
}

// seasonal shapes monthly output around the annual capacity factor:
// solar peaks in June, wind in spring, the others run flat.
func seasonal(t rps.Technology, m time.Month) float64 {
	x := 2 * math.Pi * float64(int(m)-1) / 12
	switch t {
	case rps.SolarPV, rps.SolarThermal:
		return 1 + 0.32*math.Cos(x-2*math.Pi*5/12)
	case rps.Wind:
		return 1 + 0.25*math.Cos(x-2*math.Pi*4/12)
	case rps.SmallHydro:
		return 1 + 0.5*math.Cos(x-2*math.Pi*3/12)
	}
	return 1
}

// monthlyGeneration draws a month's report: nameplate × hours × capacity
// factor × season × ±6% weather, and for hourly facilities the hours
// (solar on a daylight bell, wind drawn around the mean).
func monthlyGeneration(b demoFacility, v rps.Month, r *rand.Rand) rec.Report {
	hours := v.Hours()
	mean := float64(b.mw) * 1e6 * b.cf * seasonal(b.tech, v.Month) * (0.94 + 0.12*r.Float64()) // Wh per hour
	rep := rec.Report{Vintage: v, Source: "demo QRE upload"}
	if !b.hourly {
		rep.Wh = energy.Wh(mean * float64(hours))
		return rep
	}
	rep.Hourly = make([]energy.Wh, hours)
	start := v.First().Start()
	var weights []float64
	var total float64
	for i := range hours {
		h := start.Add(time.Duration(i) * time.Hour).In(calendar.Pacific).Hour()
		w := 0.2 + 1.6*r.Float64() // wind
		if b.tech == rps.SolarPV {
			w = math.Max(0, math.Sin(math.Pi*(float64(h)-6)/13)) * (0.85 + 0.3*r.Float64())
		}
		weights = append(weights, w)
		total += w
	}
	for i, w := range weights {
		rep.Hourly[i] = energy.Wh(mean * float64(hours) * w / total)
		rep.Wh += rep.Hourly[i]
	}
	return rep
}

// schedule is the e-tag evidence of an hourly-scheduled month: a flat
// schedule at the month's mean hourly output into CAISO, so that only the
// hourly lesser of generation and schedule is PCC1.
func schedule(hourly []energy.Wh, v rps.Month) []rps.HourDelivery {
	var total energy.Wh
	for _, h := range hourly {
		total += h
	}
	if len(hourly) == 0 {
		return nil
	}
	flat := total / energy.Wh(len(hourly))
	out := make([]rps.HourDelivery, len(hourly))
	start := v.First().Start()
	for i, h := range hourly {
		out[i] = rps.HourDelivery{Hour: start.Add(time.Duration(i) * time.Hour), Generated: h, Scheduled: flat}
	}
	return out
}
