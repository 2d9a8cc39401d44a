package reference

import (
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
)

// Literals from research/programs.md §2.5 and §7 scenario 8, and
// data/ca_zip_climate_zone_cz2010.csv.
func TestClimateZoneByZIP(t *testing.T) {
	tabs := mustLoad(t)
	tests := []struct {
		zip      string
		zone     int
		station  string
		doubtful bool
	}{
		{"90001", 8, "HAWTHORNE-NORTHROP-FLD_722956", false},
		{"90012", 9, "LOS-ANGELES-DOWNTOWN_722874", false},
		{"90401", 6, "SANTA-MONICA_722885", false},
		{"93030", 6, "OXNARD_723927", false},
		{"93534", 14, "LANCASTER_723816", false},
		{"91360", 9, "VAN-NUYS_722886", false},
		// Doubtful rows from the data README: kept as published, flagged.
		{"91350", 16, "SANDBERG_723830", true},
		{"93015", 16, "SANDBERG_723830", true},
		{"93023", 5, "LOMPOC_722895", true},
	}
	for _, tc := range tests {
		t.Run(tc.zip, func(t *testing.T) {
			z, err := tabs.ClimateZone(tc.zip)
			if err != nil {
				t.Fatal(err)
			}
			if z.Zone != tc.zone || z.Station != tc.station || z.Doubtful != tc.doubtful {
				t.Errorf("got %+v, want zone %d station %s doubtful %v", z, tc.zone, tc.station, tc.doubtful)
			}
			if tc.doubtful && z.DoubtReason == "" {
				t.Error("doubtful row without a reason")
			}
			if z.Table == "" {
				t.Error("no table recorded")
			}
			if !tabs.KnownZIP(tc.zip) {
				t.Error("KnownZIP = false")
			}
		})
	}
}

func TestClimateZoneRejectsBadZIP(t *testing.T) {
	tabs := mustLoad(t)
	for _, zip := range []string{"", "9000", "900011", "9000a", " 90001", "00000", "10001"} {
		t.Run(zip, func(t *testing.T) {
			_, err := tabs.ClimateZone(zip)
			wantFieldErr(t, err, apperr.Invalid, "zip")
			if tabs.KnownZIP(zip) {
				t.Error("KnownZIP = true")
			}
		})
	}
}

// Literals from data/sb535_dac_tracts_2022.csv and research/programs.md §7
// scenario 7.
func TestDACDesignation(t *testing.T) {
	tabs := mustLoad(t)
	tests := []struct {
		geoid      string
		designated bool
		category   string
		percentile float64
	}{
		{"06111002300", true, "ces4_top25", 82.9},
		{"06111002905", true, "ces3_dac_retained", 66.81},
		{"06001400900", true, "ces4_top25", 76.15},
		{"06037104103", true, "ces3_dac_retained", 68.17},
		{"06037102105", true, "ces4_top25", 85.27},
		{"06037262601", false, "", 0}, // well formed, not on the list
		{"06003000100", false, "", 0}, // Alpine: no designated tracts in the file
	}
	for _, tc := range tests {
		t.Run(tc.geoid, func(t *testing.T) {
			s, err := tabs.DAC(tc.geoid)
			if err != nil {
				t.Fatal(err)
			}
			if s.Designated != tc.designated || s.Category != tc.category || s.CES4Percentile != tc.percentile {
				t.Errorf("got %+v, want designated=%v category=%q percentile=%v", s, tc.designated, tc.category, tc.percentile)
			}
			if s.Table == "" {
				t.Error("no table recorded")
			}
		})
	}
}

func TestDACRejectsMalformedGEOID(t *testing.T) {
	tabs := mustLoad(t)
	for _, g := range []string{
		"",
		"0611100230",   // 10 digits
		"061110023000", // 12 digits
		"0611100230a",  // not digits
		"36061000100",  // New York
		"06002000100",  // even county code: not a county
		"06117000100",  // past Yuba (06115)
		"06000000100",
	} {
		t.Run(g, func(t *testing.T) {
			_, err := tabs.DAC(g)
			wantFieldErr(t, err, apperr.Invalid, "tract_geoid")
		})
	}
}

func TestCounty(t *testing.T) {
	tabs := mustLoad(t)
	tests := []struct {
		fips, name string
		ok         bool
	}{
		{"06001", "Alameda", true},
		{"06037", "Los Angeles", true},
		{"06059", "Orange", true},
		{"06075", "San Francisco", true},
		{"06111", "Ventura", true},
		{"06115", "Yuba", true},
		{"06002", "", false},
		{"06117", "", false},
		{"6037", "", false},
	}
	for _, tc := range tests {
		name, ok := tabs.County(tc.fips)
		if name != tc.name || ok != tc.ok {
			t.Errorf("County(%q) = %q, %v; want %q, %v", tc.fips, name, ok, tc.name, tc.ok)
		}
	}
	if n := len(tabs.counties.names); n != 58 {
		t.Errorf("%d counties, want 58", n)
	}
}

// research/programs.md §5: 35 communities, 33 cities plus unincorporated Los
// Angeles and Ventura counties; the newest are Hermosa Beach, Monrovia and
// Santa Paula.
func TestMemberAgencies(t *testing.T) {
	tabs := mustLoad(t)
	as := tabs.MemberAgencies()
	if len(as) != 35 {
		t.Fatalf("%d member agencies, want 35", len(as))
	}
	kinds := map[string]int{}
	byName := map[string]MemberAgency{}
	for _, a := range as {
		kinds[a.Kind]++
		byName[a.Name] = a
		if len(a.ZIPs) == 0 {
			t.Errorf("%s has no ZIPs", a.Name)
		}
		for _, z := range a.ZIPs {
			if !tabs.KnownZIP(z) {
				t.Errorf("%s: ZIP %s not in the climate zone table", a.Name, z)
			}
		}
	}
	if kinds["city"] != 33 || kinds["county"] != 2 {
		t.Errorf("kinds = %v, want 33 cities and 2 counties", kinds)
	}
	for name, county := range map[string]string{
		"Hermosa Beach": "06037", "Monrovia": "06037", "Santa Paula": "06111",
		"Santa Monica": "06037", "Oxnard": "06111", "Westlake Village": "06037",
		"Unincorporated Los Angeles County": "06037", "Unincorporated Ventura County": "06111",
	} {
		if a, ok := byName[name]; !ok || a.CountyFIPS != county {
			t.Errorf("%s: got %+v, want county %s", name, a, county)
		}
	}
	// The result is a copy: changing it does not change the tables.
	as[0].ZIPs[0] = "xxxxx"
	if tabs.MemberAgencies()[0].ZIPs[0] == "xxxxx" {
		t.Error("MemberAgencies shares its backing arrays")
	}
}
