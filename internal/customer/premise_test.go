package customer

import (
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/reference"
)

// fakeLookup answers from small maps so Resolve's own rules can be tested
// without the reference files.
type fakeLookup struct{}

func (fakeLookup) ClimateZone(zip string) (reference.ClimateZone, error) {
	zones := map[string]int{"90001": 8, "93534": 14}
	z, ok := zones[zip]
	if !ok {
		var f apperr.Fields
		f.Add("zip", "ZIP %s is not in the fake table", zip)
		return reference.ClimateZone{}, f.Err("fake.ClimateZone")
	}
	return reference.ClimateZone{Zone: z, Table: "fake zones v1"}, nil
}

func (fakeLookup) DAC(geoid string) (reference.DACStatus, error) {
	switch geoid {
	case "06037102105":
		return reference.DACStatus{Designated: true, Category: "ces4_top25", Table: "fake dac v1"}, nil
	case "06037701100", "06111002300":
		return reference.DACStatus{Table: "fake dac v1"}, nil
	}
	var f apperr.Fields
	f.Add("tract_geoid", "census tract %s is not a fake tract", geoid)
	return reference.DACStatus{}, f.Err("fake.DAC")
}

func (fakeLookup) MemberAgency(name string) (reference.MemberAgency, bool) {
	switch name {
	case "Santa Monica":
		return reference.MemberAgency{Name: name, CountyFIPS: "06037", County: "Los Angeles"}, true
	case "Oxnard":
		return reference.MemberAgency{Name: name, CountyFIPS: "06111", County: "Ventura"}, true
	}
	return reference.MemberAgency{}, false
}

// CheckZIPCounty knows that 90001 and 93534 are Los Angeles County ZIPs.
func (fakeLookup) CheckZIPCounty(zip, county string) error {
	if county != "06037" && (zip == "90001" || zip == "93534") {
		var f apperr.Fields
		f.Add("zip", "ZIP %s is in Los Angeles County, not county %s", zip, county)
		return f.Err("fake.CheckZIPCounty")
	}
	return nil
}

func (fakeLookup) County(fips string) (string, bool) {
	names := map[string]string{"06037": "Los Angeles", "06111": "Ventura"}
	n, ok := names[fips]
	return n, ok
}

func TestPremiseResolveFieldRules(t *testing.T) {
	base := Premise{Address: "100 Main St", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037"}
	tests := []struct {
		name   string
		edit   func(p *Premise)
		fields string
	}{
		{"valid", func(p *Premise) {}, ""},
		{"address is required", func(p *Premise) { p.Address = " " }, "address"},
		{"city is required", func(p *Premise) { p.City = "" }, "city"},
		{"county must be a California county", func(p *Premise) { p.CountyFIPS = "04013" }, "county_fips"},
		{"unknown ZIP", func(p *Premise) { p.ZIP = "10001" }, "zip"},
		{"unknown ZIP even with an override", func(p *Premise) {
			p.ZIP, p.ClimateZoneOverride, p.ClimateZone, p.ClimateZoneReason = "10001", true, 9, "survey"
		}, "zip"},
		{"override needs a reason", func(p *Premise) { p.ClimateZoneOverride, p.ClimateZone = true, 9 }, "climate_zone_reason"},
		{"override zone 0", func(p *Premise) { p.ClimateZoneOverride, p.ClimateZone, p.ClimateZoneReason = true, 0, "x" }, "climate_zone"},
		{"override zone 17", func(p *Premise) { p.ClimateZoneOverride, p.ClimateZone, p.ClimateZoneReason = true, 17, "x" }, "climate_zone"},
		{"malformed tract", func(p *Premise) { p.TractGEOID = "0603710210" }, "tract_geoid"},
		{"tract in another county", func(p *Premise) { p.TractGEOID = "06111002300" }, "tract_geoid"},
		{"HFTD tier 3", func(p *Premise) { p.HFTDTier = 3 }, ""},
		{"HFTD tier 4", func(p *Premise) { p.HFTDTier = 4 }, "hftd_tier"},
		{"member agency from the table", func(p *Premise) { p.MemberAgency = "Santa Monica" }, ""},
		{"member agency not in the table", func(p *Premise) { p.MemberAgency = "Burbank" }, "member_agency"},
		{"member agency of another county", func(p *Premise) { p.MemberAgency = "Oxnard" }, "member_agency"},
		{"ZIP of another county", func(p *Premise) { p.CountyFIPS, p.TractGEOID = "06111", "06111002300" }, "zip"},
		{"HFTD tier -1", func(p *Premise) { p.HFTDTier = -1 }, "hftd_tier"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base
			tt.edit(&p)
			checkFields(t, p.Resolve(fakeLookup{}), tt.fields)
		})
	}
}

func TestPremiseResolveDerivesZoneAndDAC(t *testing.T) {
	tests := []struct {
		name      string
		p         Premise
		zone      int
		zoneTable string
		reason    string
		dac       bool
		category  string
		dacTable  string
	}{
		{"zone from the ZIP; no tract, no DAC decision",
			Premise{Address: "a", City: "c", ZIP: "93534", CountyFIPS: "06037"}, 14, "fake zones v1", "", false, "", ""},
		{"a stale zone and reason are replaced by the table's",
			Premise{Address: "a", City: "c", ZIP: "93534", CountyFIPS: "06037", ClimateZone: 3, ClimateZoneReason: "old"},
			14, "fake zones v1", "", false, "", ""},
		{"override keeps the staff zone and records override",
			Premise{Address: "a", City: "c", ZIP: "93534", CountyFIPS: "06037", ClimateZoneOverride: true, ClimateZone: 16, ClimateZoneReason: " site survey "},
			16, "override", "site survey", false, "", ""},
		{"designated tract",
			Premise{Address: "a", City: "c", ZIP: "90001", CountyFIPS: "06037", TractGEOID: "06037102105"}, 8, "fake zones v1", "", true, "ces4_top25", "fake dac v1"},
		{"tract not on the list records the table that said so",
			Premise{Address: "a", City: "c", ZIP: "90001", CountyFIPS: "06037", TractGEOID: "06037701100"}, 8, "fake zones v1", "", false, "", "fake dac v1"},
		{"clearing the tract clears an old DAC decision",
			Premise{Address: "a", City: "c", ZIP: "90001", CountyFIPS: "06037", DAC: true, DACCategory: "ces4_top25", DACTable: "old"},
			8, "fake zones v1", "", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.p
			if err := p.Resolve(fakeLookup{}); err != nil {
				t.Fatal(err)
			}
			if p.ClimateZone != tt.zone || p.ClimateZoneTable != tt.zoneTable || p.ClimateZoneReason != tt.reason {
				t.Errorf("zone %d table %q reason %q; want %d %q %q", p.ClimateZone, p.ClimateZoneTable, p.ClimateZoneReason, tt.zone, tt.zoneTable, tt.reason)
			}
			if p.DAC != tt.dac || p.DACCategory != tt.category || p.DACTable != tt.dacTable {
				t.Errorf("DAC %v %q %q; want %v %q %q", p.DAC, p.DACCategory, p.DACTable, tt.dac, tt.category, tt.dacTable)
			}
		})
	}
}

// The field message is the reference table's reason, not a summary such as
// "invalid input" (the API and the console show it next to the field).
func TestPremiseErrorsCarryTheTablesReason(t *testing.T) {
	base := Premise{Address: "100 Main St", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037"}
	tests := []struct {
		name  string
		edit  func(p *Premise)
		field string
		msg   string
	}{
		{"unknown ZIP", func(p *Premise) { p.ZIP = "10001" }, "zip", "ZIP 10001 is not in the fake table"},
		{"unknown tract", func(p *Premise) { p.TractGEOID = "06037999999" }, "tract_geoid", "census tract 06037999999 is not a fake tract"},
		{"ZIP of another county", func(p *Premise) { p.CountyFIPS = "06111" }, "zip", "ZIP 90001 is in Los Angeles County, not county 06111"},
		{"member agency of another county", func(p *Premise) { p.MemberAgency = "Oxnard" }, "member_agency",
			"Oxnard is in Ventura County, not Los Angeles County"},
		{"member agency not in the table", func(p *Premise) { p.MemberAgency = "Burbank" }, "member_agency",
			`"Burbank" is not a member agency in the reference table`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base
			tt.edit(&p)
			var got []string
			for _, f := range apperr.FieldsOf(p.Resolve(fakeLookup{})) {
				if f.Field == tt.field {
					got = append(got, f.Msg)
				}
			}
			if len(got) != 1 || got[0] != tt.msg {
				t.Errorf("%s messages %q, want [%q]", tt.field, got, tt.msg)
			}
		})
	}
}
