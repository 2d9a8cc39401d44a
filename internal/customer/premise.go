package customer

import (
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/reference"
)

// Premise is a service location. Its climate zone defaults from the ZIP code
// and may be overridden with a reason; its SB 535 disadvantaged-community
// status follows from the census tract. Both record which reference table
// decided them, so a later table version can be told apart.
type Premise struct {
	ID           int64  `json:"id"`
	Address      string `json:"address"` // street address
	City         string `json:"city"`
	ZIP          string `json:"zip"`           // 5 digits, must be a California ZIP in the climate-zone table
	CountyFIPS   string `json:"county_fips"`   // 5 digits, e.g. "06037" for Los Angeles
	MemberAgency string `json:"member_agency"` // the CCA member agency (city or unincorporated county)
	TractGEOID   string `json:"tract_geoid"`   // 2010 census tract, 11 digits; optional

	ClimateZone         int    `json:"climate_zone"`          // California building climate zone 1–16
	ClimateZoneOverride bool   `json:"climate_zone_override"` // true when staff set the zone instead of the ZIP table
	ClimateZoneReason   string `json:"climate_zone_reason"`   // required with an override
	ClimateZoneTable    string `json:"climate_zone_table"`    // reference table version that decided the zone

	DAC         bool   `json:"dac"`          // SB 535 disadvantaged community
	DACCategory string `json:"dac_category"` // e.g. "ces4_top25", "ces3_dac_retained"; empty when not designated
	DACTable    string `json:"dac_table"`    // reference table version that decided DAC status

	// HFTDTier is the CPUC High Fire-Threat District tier: 0 (outside), 2
	// (elevated) or 3 (extreme); 1 is the USFS/CAL FIRE Tier 1 high hazard
	// zone that forms part of the HFTD map (CPUC D.17-12-024).
	HFTDTier int `json:"hftd_tier"`

	// Home is the building: dwelling type, heating fuel, floor area,
	// year built and coordinates (home.go).
	Home Home `json:"home"`

	Created time.Time `json:"created_at"`
	Updated time.Time `json:"updated_at"`
}

// Lookup answers the reference-table questions that premise resolution
// needs. *reference.Tables satisfies it.
type Lookup interface {
	ClimateZone(zip string) (reference.ClimateZone, error)
	DAC(geoid string) (reference.DACStatus, error)
	County(fips string) (name string, ok bool)
	MemberAgency(name string) (reference.MemberAgency, bool)
	CheckZIPCounty(zip, countyFIPS string) error
}

// Resolve validates p and fills the derived attributes from the reference
// tables: the climate zone from the ZIP (unless overridden) and DAC status
// from the tract. The ZIP, the tract and the member agency must lie in the
// premise's county, and the member agency must be one of the reference
// table's. Every problem is reported with the field it concerns and the
// reason the table gives. The home attributes are checked too (the year
// built without an upper bound; ResolveOn adds it).
func (p *Premise) Resolve(ref Lookup) error { return p.resolve(ref, 0) }

func (p *Premise) resolve(ref Lookup, thisYear int) error {
	var f apperr.Fields
	p.Address = strings.TrimSpace(p.Address)
	p.City = strings.TrimSpace(p.City)
	p.ZIP = strings.TrimSpace(p.ZIP)
	p.TractGEOID = strings.TrimSpace(p.TractGEOID)
	p.MemberAgency = strings.TrimSpace(p.MemberAgency)
	p.ClimateZoneReason = strings.TrimSpace(p.ClimateZoneReason)
	if p.Address == "" {
		f.Add("address", "is required")
	}
	if p.City == "" {
		f.Add("city", "is required")
	}
	countyName, countyOK := ref.County(p.CountyFIPS)
	if !countyOK {
		f.Add("county_fips", "%q is not a California county FIPS code", p.CountyFIPS)
	}
	zone, err := ref.ClimateZone(p.ZIP)
	if err != nil {
		f.Add("zip", "%s", apperr.Detail(err))
	} else if countyOK {
		if err := ref.CheckZIPCounty(p.ZIP, p.CountyFIPS); err != nil {
			f.Add("zip", "%s", apperr.Detail(err))
		}
	}
	if p.MemberAgency != "" {
		switch a, ok := ref.MemberAgency(p.MemberAgency); {
		case !ok:
			f.Add("member_agency", "%q is not a member agency in the reference table", p.MemberAgency)
		case countyOK && a.CountyFIPS != p.CountyFIPS:
			f.Add("member_agency", "%s is in %s County, not %s County", a.Name, a.County, countyName)
		}
	}
	switch {
	case p.ClimateZoneOverride:
		if p.ClimateZone < 1 || p.ClimateZone > 16 {
			f.Add("climate_zone", "must be between 1 and 16")
		}
		if p.ClimateZoneReason == "" {
			f.Add("climate_zone_reason", "is required when the climate zone is overridden")
		}
		p.ClimateZoneTable = "override"
	case err == nil:
		p.ClimateZone = zone.Zone
		p.ClimateZoneReason = ""
		p.ClimateZoneTable = zone.Table
	}
	p.DAC, p.DACCategory, p.DACTable = false, "", ""
	if p.TractGEOID != "" {
		d, err := ref.DAC(p.TractGEOID)
		if err != nil {
			f.Add("tract_geoid", "%s", apperr.Detail(err))
		} else {
			if p.CountyFIPS != "" && !strings.HasPrefix(p.TractGEOID, p.CountyFIPS) {
				f.Add("tract_geoid", "tract %s is not in county %s", p.TractGEOID, p.CountyFIPS)
			}
			p.DAC, p.DACCategory, p.DACTable = d.Designated, d.Category, d.Table
		}
	}
	switch p.HFTDTier {
	case 0, 1, 2, 3:
	default:
		f.Add("hftd_tier", "must be 0 (outside), 1, 2 or 3")
	}
	p.Home.check(&f, thisYear)
	return f.Err("customer.Premise")
}
