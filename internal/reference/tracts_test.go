package reference

import (
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
)

// Tract GEOIDs are literals from the CalEnviroScreen 3.0 results
// (BAAQMD/CalEnviroScreen CESv3-with_uniform_weighting.csv): 06111980000 is
// Ventura's special land-use tract, 06037930401 the last numbered Los
// Angeles tract before the 98xxxx series, 06037101110 the first Los Angeles
// tract.
func TestUnknownTractOfACoveredCountyIsInvalid(t *testing.T) {
	tabs := mustLoad(t)
	tests := []struct {
		geoid string
		msg   string // "" when the tract exists
	}{
		{"06037101110", ""},
		{"06037930401", ""},
		{"06111980000", ""},
		{"06111009100", ""},
		{"06037999999", "census tract 06037999999 is not a 2010 tract of Los Angeles County"},
		{"06037101111", "census tract 06037101111 is not a 2010 tract of Los Angeles County"},
		{"06111009200", "census tract 06111009200 is not a 2010 tract of Ventura County"},
		// Other counties are not covered: well-formed tracts pass.
		{"06001400900", ""},
		{"06003000100", ""},
	}
	for _, tc := range tests {
		t.Run(tc.geoid, func(t *testing.T) {
			_, err := tabs.DAC(tc.geoid)
			wantFieldMsg(t, err, "tract_geoid", tc.msg)
		})
	}
}

// The CalEnviroScreen 3.0 results list 2,343 Los Angeles and 173 Ventura
// 2010 tracts (the counties' 2,346 and 174 less their water-only tracts,
// which CalEnviroScreen does not score), and every SB 535 tract of the two
// counties is among them (1,153 and 11 in sb535_dac_tracts_2022.csv).
func TestTractListCoversBothCountiesAndEveryDACTract(t *testing.T) {
	tabs := mustLoad(t)
	la, ventura := tabs.Tracts("06037"), tabs.Tracts("06111")
	if len(la) != 2343 || len(ventura) != 173 {
		t.Errorf("%d Los Angeles and %d Ventura tracts, want 2,343 and 173", len(la), len(ventura))
	}
	if tabs.Tracts("06001") != nil {
		t.Error("Alameda tracts listed; the file covers Los Angeles and Ventura only")
	}
	dac := map[string]int{}
	for g := range tabs.dac.tracts {
		if covered, listed := tabs.TractListed(g); covered {
			if !listed {
				t.Errorf("DAC tract %s not on the tract list", g)
			}
			dac[g[:5]]++
		}
	}
	if dac["06037"] != 1153 || dac["06111"] != 11 {
		t.Errorf("DAC tracts on the list: %v, want 1,153 in 06037 and 11 in 06111", dac)
	}
}

// Rows of the Census 2010 ZCTA–county relationship file: 93301 is in Kern
// (06029) only; 90265 (Malibu) in Los Angeles and Ventura; 93252 in Kern,
// San Luis Obispo, Santa Barbara and Ventura; 90840 (a campus ZIP) and
// 94105 (San Francisco) are not in the embedded ranges' ZCTAs.
func TestZIPMustLieInThePremiseCounty(t *testing.T) {
	tabs := mustLoad(t)
	tests := []struct {
		zip, county string
		msg         string // "" when accepted
	}{
		{"90001", "06037", ""},
		{"90265", "06037", ""},
		{"90265", "06111", ""},
		{"93030", "06111", ""},
		{"93252", "06111", ""},
		{"93301", "06037", "ZIP 93301 is in Kern County, not Los Angeles County"},
		{"90001", "06111", "ZIP 90001 is in Los Angeles County, not Ventura County"},
		{"93252", "06037", "ZIP 93252 is in Kern, San Luis Obispo, Santa Barbara and Ventura counties, not Los Angeles County"},
		{"94105", "06037", "ZIP 94105 is not a ZIP of Los Angeles County"},
		{"94105", "06075", ""}, // San Francisco's ZIPs are not in the table: unknown
		{"90840", "06037", ""}, // not a ZCTA: unknown
		{"9000", "06037", ""},  // malformed: ClimateZone's business
	}
	for _, tc := range tests {
		t.Run(tc.zip+"/"+tc.county, func(t *testing.T) {
			wantFieldMsg(t, tabs.CheckZIPCounty(tc.zip, tc.county), "zip", tc.msg)
		})
	}
}

// Every representative ZIP of a member agency lies in the agency's county.
func TestMemberAgencyZIPsAreInTheirCounty(t *testing.T) {
	tabs := mustLoad(t)
	for _, a := range tabs.MemberAgencies() {
		for _, z := range a.ZIPs {
			if err := tabs.CheckZIPCounty(z, a.CountyFIPS); err != nil {
				t.Errorf("%s: %v", a.Name, err)
			}
		}
	}
	if a, ok := tabs.MemberAgency("Santa Paula"); !ok || a.CountyFIPS != "06111" {
		t.Errorf("MemberAgency(Santa Paula) = %+v, %v", a, ok)
	}
	for _, name := range []string{"Burbank", "santa paula", ""} {
		if _, ok := tabs.MemberAgency(name); ok {
			t.Errorf("MemberAgency(%q) found; Burbank is not a CPA member and names are exact", name)
		}
	}
}

func TestZIPErrorsSayWhy(t *testing.T) {
	tabs := mustLoad(t)
	for zip, want := range map[string]string{
		"99999": "ZIP 99999 is not a California ZIP in the climate-zone table",
		"9000":  `ZIP must be 5 digits, got "9000"`,
	} {
		_, err := tabs.ClimateZone(zip)
		wantFieldMsg(t, err, "zip", want)
	}
}

// wantFieldMsg checks that err is nil when msg is "", and otherwise an
// Invalid error whose first field is field with the message msg.
func wantFieldMsg(t *testing.T, err error, field, msg string) {
	t.Helper()
	if msg == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	wantFieldErr(t, err, apperr.Invalid, field)
	if got := apperr.FieldsOf(err)[0].Msg; got != msg {
		t.Errorf("message %q, want %q", got, msg)
	}
}
