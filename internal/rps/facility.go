package rps

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

// Technology is a generating technology.
type Technology string

// Technologies. Those of Public Resources Code §25741 are renewable
// (AB 1900 committee analysis of existing law [V]); the hydro kinds and
// municipal solid waste carry the limits of Pub. Util. Code §399.12(e).
const (
	SolarPV          Technology = "solar_pv"
	SolarThermal     Technology = "solar_thermal"
	Wind             Technology = "wind"
	Geothermal       Technology = "geothermal"
	Biomass          Technology = "biomass"
	Biomethane       Technology = "biomethane" // pipeline biomethane burned off site (§399.12.6)
	DigesterGas      Technology = "digester_gas"
	LandfillGas      Technology = "landfill_gas"
	FuelCell         Technology = "fuel_cell_renewable"
	SmallHydro       Technology = "small_hydro"        // ≤ 30 MW (§399.12(e)(1)(A))
	ConduitHydro     Technology = "conduit_hydro"      // ≤ 30 MW in a manmade conduit (§399.12(a), (e)(1)(B))
	WaterSupplyHydro Technology = "water_supply_hydro" // ≤ 40 MW in a water supply or conveyance system (§399.12(e)(1)(D))
	LargeHydro       Technology = "large_hydro"        // > 30 MW: only efficiency increments (§399.12.5)
	MSWCombustion    Technology = "msw_combustion"     // excluded (§399.12(e)(2))
	MSWConversion    Technology = "msw_conversion"     // non-combustion conversion (PRC §25741)
	OceanWave        Technology = "ocean_wave"
	OceanThermal     Technology = "ocean_thermal"
	TidalCurrent     Technology = "tidal_current"
)

// Technologies lists every technology.
var Technologies = []Technology{SolarPV, SolarThermal, Wind, Geothermal, Biomass, Biomethane, DigesterGas, LandfillGas, FuelCell,
	SmallHydro, ConduitHydro, WaterSupplyHydro, LargeHydro, MSWCombustion, MSWConversion, OceanWave, OceanThermal, TidalCurrent}

// CaliforniaBAs are the five California balancing authorities (D.11-12-052
// findings [V]; PacifiCorp and NV Energy are not CBAs, D.12-06-038 [V]).
var CaliforniaBAs = []string{"CISO", "BANC", "IID", "LDWP", "TIDC"}

// CertStatus is a CEC RPS certification status.
type CertStatus string

// Certification statuses.
const (
	// Precertified: not yet operating; an initial assessment only, which
	// creates no eligible generation (CEC Guidebook via OpenEI RAPID [V]).
	Precertified CertStatus = "precertified"
	Certified    CertStatus = "certified"
	Suspended    CertStatus = "suspended"
	Revoked      CertStatus = "revoked"
)

// Certification is one effective-dated CEC certification record; a
// facility's history is a list of them, never overwritten.
type Certification struct {
	Status    CertStatus    `json:"status"`
	From      calendar.Date `json:"from"`
	To        calendar.Date `json:"to,omitzero"` // exclusive; zero while in force
	CECRPSID  string        `json:"cec_rps_id,omitempty"`
	Guidebook string        `json:"guidebook_edition,omitempty"`
	Source    string        `json:"source,omitempty"`
}

// HydroFacts are what the hydro rules of §399.12 and §399.12.5 ask.
type HydroFacts struct {
	// AdverseInstreamEffect: the facility (or its upgrade) adversely
	// affects in-stream beneficial uses or changes the volume or timing of
	// streamflow.
	AdverseInstreamEffect bool `json:"adverse_instream_effect"`
	// ProcuredBy2005 lists the retail sellers or POUs that procured the
	// facility's electricity on or before 2005-12-31.
	ProcuredBy2005 []string `json:"procured_by_2005,omitempty"`
	// CertificationApplied is when the CEC certification was applied for
	// (water supply hydro: none after 2013-01-01).
	CertificationApplied calendar.Date `json:"certification_applied,omitzero"`
	// POUResaleMWh is the total resold POU to POU (water supply hydro,
	// at most 100,000 MWh).
	POUResaleMWh int64              `json:"pou_resale_mwh,omitempty"`
	Upgrade      *EfficiencyUpgrade `json:"efficiency_upgrade,omitempty"`
}

// EfficiencyUpgrade describes efficiency improvements at a hydro facility
// (§399.12.5).
type EfficiencyUpgrade struct {
	Started calendar.Date `json:"started"`
	// IncrementalShare is the share of output attributed to the
	// improvements, as the CEC established it.
	IncrementalShare Percent `json:"incremental_share"`
	// The conditions of §399.12.5(b)(1)-(4).
	RetrofitNoAdverseEffect  bool `json:"retrofit_no_adverse_effect"`
	WaterQualityCertified    bool `json:"water_quality_certified"` // CWA §401 within 15 years, none needed, out-of-state equivalent, or Rock Creek (FERC 1962)
	OwnedByRetailSellerOrPOU bool `json:"owned_by_retail_seller_or_pou"`
	RoutineMaintenance       bool `json:"routine_maintenance"`
	InPre2008ResourcePlan    bool `json:"in_pre_2008_resource_plan"`
	LongTermCommitment       bool `json:"long_term_commitment"` // new ownership investment or a contract of 10 years or more
}

// BiomethaneFacts are what §399.12.6 asks of biomethane procurement.
type BiomethaneFacts struct {
	ContractExecuted    calendar.Date `json:"contract_executed"`
	ReportedToCEC       calendar.Date `json:"reported_to_cec,omitzero"`
	SourceFirstInjected calendar.Date `json:"source_first_injected,omitzero"`
	// ChangedAfter2012: an extension, added or optional quantity, or a
	// change of source after 2012-03-29 (§399.12.6(a)(2)).
	ChangedAfter2012 bool `json:"changed_after_2012"`
	// Delivery is "onsite", "dedicated_pipeline" or "common_carrier".
	Delivery string `json:"delivery"`
	// Common carrier conditions (§399.12.6(b)(3)(A)-(C)).
	FlowsTowardCalifornia bool     `json:"flows_toward_california"`
	IncrementalInjection  bool     `json:"incremental_injection"` // did not inject before 2012-03-29, or injects incremental biomethane after
	Benefits              []string `json:"benefits,omitempty"`    // "air", "water", "odor"
}

// FuelFacts are a multi-fuel facility's non-renewable fuel use
// (§399.12(h)(3)(A)).
type FuelFacts struct {
	// NonrenewableShare is the non-renewable share of total fuel input
	// over the reporting year.
	NonrenewableShare Percent `json:"nonrenewable_share"`
	// RaisedLimit is a CEC-approved de minimis limit above 2% (at most 5%).
	RaisedLimit Percent `json:"raised_limit,omitempty"`
	// Fuel is the non-renewable fuel: "natural_gas", "fossil_hydrogen", …
	Fuel string `json:"fuel"`
	// The conditions of §399.12(h)(3)(A)(i)-(ii).
	IncreasesRenewableOutput bool `json:"increases_renewable_output"`
	ReducesVariability       bool `json:"reduces_variability"`
}

// Facility is a generating facility as the RPS sees it.
type Facility struct {
	ID                 int64            `json:"id"`
	Name               string           `json:"name"`
	WREGISID           string           `json:"wregis_id"` // generating unit ID, e.g. "W1234"
	Technology         Technology       `json:"technology"`
	NameplateKW        int64            `json:"nameplate_kw"`
	BalancingAuthority string           `json:"balancing_authority"`
	InCBA              bool             `json:"in_cba"` // first point of interconnection in a California BA (or its distribution system)
	COD                calendar.Date    `json:"cod"`    // commercial operation date
	County             string           `json:"county"`
	State              string           `json:"state"`
	Owner              string           `json:"owner"`
	Certifications     []Certification  `json:"certifications"`
	Hydro              *HydroFacts      `json:"hydro,omitempty"`
	Biomethane         *BiomethaneFacts `json:"biomethane,omitempty"`
	Fuel               *FuelFacts       `json:"fuel,omitempty"`
	// POUBoardApproved is when a POU board approved the facility to meet
	// its obligations (before 2010-06-01 it is certified if it meets PRC
	// §25741; §399.12(e)(1)(C)).
	POUBoardApproved calendar.Date `json:"pou_board_approved,omitzero"`
}

// Validate checks a facility's own fields and its certification history
// (records in date order, none overlapping).
func (f *Facility) Validate() error {
	var fe apperr.Fields
	f.Name = strings.TrimSpace(f.Name)
	f.WREGISID = strings.TrimSpace(f.WREGISID)
	if f.Name == "" {
		fe.Add("name", "is required")
	}
	if f.WREGISID == "" {
		fe.Add("wregis_id", "is required (the WREGIS generating unit ID, e.g. W1234)")
	}
	if !slices.Contains(Technologies, f.Technology) {
		fe.Add("technology", "unknown technology %q", f.Technology)
	}
	if f.NameplateKW <= 0 {
		fe.Add("nameplate_kw", "must be positive")
	}
	if f.COD.IsZero() {
		fe.Add("cod", "is required")
	}
	if f.InCBA && !slices.Contains(CaliforniaBAs, f.BalancingAuthority) {
		fe.Add("balancing_authority", "%q is not a California balancing authority (%s)", f.BalancingAuthority, strings.Join(CaliforniaBAs, ", "))
	}
	for i, c := range f.Certifications {
		field := fmt.Sprintf("certifications[%d]", i)
		switch c.Status {
		case Precertified, Certified, Suspended, Revoked:
		default:
			fe.Add(field+".status", "want precertified, certified, suspended or revoked")
		}
		if err := (calendar.Span{From: c.From, To: c.To}).Validate(); err != nil {
			fe.Add(field+".from", "%s", apperr.Detail(err))
		}
		if i > 0 {
			p := f.Certifications[i-1]
			if p.To.IsZero() || c.From.Before(p.To) {
				fe.Add(field+".from", "overlaps the record before it; end it first (certification history is never overwritten)")
			}
		}
	}
	if f.Fuel != nil {
		if _, err := f.Fuel.NonrenewableShare.Fraction(); err != nil {
			fe.Add("fuel.nonrenewable_share", "%s", apperr.MessageOf(err))
		}
		if f.Fuel.RaisedLimit != "" {
			if _, err := f.Fuel.RaisedLimit.Fraction(); err != nil {
				fe.Add("fuel.raised_limit", "%s", apperr.MessageOf(err))
			}
		}
	}
	if f.Hydro != nil && f.Hydro.Upgrade != nil {
		if _, err := f.Hydro.Upgrade.IncrementalShare.Fraction(); err != nil {
			fe.Add("hydro.efficiency_upgrade.incremental_share", "%s", apperr.MessageOf(err))
		}
	}
	return fe.Err("rps.Facility")
}

// CertificationOn returns the certification record in force on day d.
func (f *Facility) CertificationOn(d calendar.Date) (Certification, bool) {
	for _, c := range f.Certifications {
		if (calendar.Span{From: c.From, To: c.To}).Contains(d) {
			return c, true
		}
	}
	return Certification{}, false
}

// CertifiedFrom returns the first day of month m from which the facility
// is certified through the end of the month, and false when it is not
// certified on the month's last day. A month certified only from its
// middle is eligible only from that day (research/rps.md T25).
func (f *Facility) CertifiedFrom(m Month) (calendar.Date, bool) {
	last := m.Last()
	c, ok := f.CertificationOn(last)
	if !ok || c.Status != Certified {
		return calendar.Date{}, false
	}
	from := c.From
	// Certified records may follow one another without a gap.
	for {
		prev, ok := f.CertificationOn(from.AddDays(-1))
		if !ok || prev.Status != Certified {
			break
		}
		from = prev.From
	}
	if from.Before(m.First()) {
		from = m.First()
	}
	return from, true
}
