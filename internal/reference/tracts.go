package reference

import (
	"slices"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
)

// tractTable is the complete list of 2010 census tracts of the counties it
// covers. A tract of a covered county that is not listed does not exist.
type tractTable struct {
	info     TableInfo
	counties map[string]bool // county FIPS codes whose tracts are all listed
	tracts   map[string]bool // 11-digit GEOIDs
}

func loadTracts(counties *countyTable) (*tractTable, error) {
	c, err := readCSV("ca_tracts_2010_la_ventura.csv", "geoid_2010")
	if err != nil {
		return nil, err
	}
	t := &tractTable{counties: map[string]bool{}, tracts: make(map[string]bool, len(c.rows)), info: TableInfo{
		Name:    "2010 census tracts",
		Version: "Los Angeles and Ventura counties (CalEnviroScreen 3.0 tract list)",
		Source: "tract GEOIDs of OEHHA's CalEnviroScreen 3.0 results (8,035 California 2010 tracts), " +
			"as re-published by BAAQMD/CalEnviroScreen (public domain); 2,343 Los Angeles and 173 Ventura tracts; " +
			"lacks the water-only tracts CalEnviroScreen does not score",
	}}
	for i, rec := range c.rows {
		geoid := c.get(rec, "geoid_2010")
		if msg := checkGEOID(geoid, counties); msg != "" {
			return nil, c.errorf(i, "geoid %s", msg)
		}
		if t.tracts[geoid] {
			return nil, c.errorf(i, "duplicate geoid %s", geoid)
		}
		t.tracts[geoid] = true
		t.counties[geoid[:5]] = true
	}
	return t, nil
}

// checkTract returns why geoid is not a California 2010 census tract, or ""
// when it is one (or, outside the counties the tract list covers, when it
// is well formed).
func (t *Tables) checkTract(geoid string) string {
	if msg := checkGEOID(geoid, t.counties); msg != "" {
		return msg
	}
	county := geoid[:5]
	if t.tracts.counties[county] && !t.tracts.tracts[geoid] {
		return "census tract " + geoid + " is not a 2010 tract of " + t.counties.names[county] + " County"
	}
	return ""
}

// TractListed reports whether the embedded tract list covers the county of
// geoid, and whether geoid is on it. Outside covered counties a tract can
// only be checked for form (DAC does that).
func (t *Tables) TractListed(geoid string) (covered, listed bool) {
	if len(geoid) < 5 {
		return false, false
	}
	return t.tracts.counties[geoid[:5]], t.tracts.tracts[geoid]
}

// Tracts returns the listed 2010 tract GEOIDs of a county in ascending
// order; nil when the county's tracts are not listed.
func (t *Tables) Tracts(countyFIPS string) []string {
	if !t.tracts.counties[countyFIPS] {
		return nil
	}
	var out []string
	for g := range t.tracts.tracts {
		if strings.HasPrefix(g, countyFIPS) {
			out = append(out, g)
		}
	}
	slices.Sort(out)
	return out
}

// zipCountyTable is the Census 2010 ZCTA–county relationship for the ZIP
// ranges that hold every ZCTA of Los Angeles and Ventura counties.
type zipCountyTable struct {
	info     TableInfo
	counties map[string][]string // ZCTA → county FIPS codes, ascending
	complete map[string]bool     // counties all of whose ZCTAs lie in zipCountyRanges
}

// zipCountyRanges are the ZIP ranges the ZCTA–county file covers in full:
// every 2010 ZCTA of Los Angeles (06037) and Ventura (06111) counties lies
// in them (data/README.md).
var zipCountyRanges = [][2]string{{"90001", "91899"}, {"93001", "93599"}}

func inZIPCountyRanges(zip string) bool {
	for _, r := range zipCountyRanges {
		if zip >= r[0] && zip <= r[1] {
			return true
		}
	}
	return false
}

func loadZIPCounties(counties *countyTable) (*zipCountyTable, error) {
	c, err := readCSV("zcta_county_2010_la_ventura.csv", "zcta5", "county_fips")
	if err != nil {
		return nil, err
	}
	t := &zipCountyTable{counties: map[string][]string{}, complete: map[string]bool{"06037": true, "06111": true}, info: TableInfo{
		Name:    "ZIP to county",
		Version: "Census 2010 ZCTA–county relationship, ZCTAs 90001–91899 and 93001–93599",
		Source: "US Census Bureau zcta_county_rel_10.txt (public domain), rows of the ZCTAs in those ranges " +
			"(every Los Angeles and Ventura ZCTA); ZIPs that are not ZCTAs (PO boxes, campuses) are unknown",
	}}
	for i, rec := range c.rows {
		zip, county := c.get(rec, "zcta5"), c.get(rec, "county_fips")
		if !validZIP(zip) || !inZIPCountyRanges(zip) {
			return nil, c.errorf(i, "zcta %q is not a 5-digit ZIP in the covered ranges", zip)
		}
		if _, ok := counties.names[county]; !ok {
			return nil, c.errorf(i, "county %q is not a California county", county)
		}
		if slices.Contains(t.counties[zip], county) {
			return nil, c.errorf(i, "duplicate row %s %s", zip, county)
		}
		t.counties[zip] = append(t.counties[zip], county)
		slices.Sort(t.counties[zip])
	}
	return t, nil
}

// ZIPCounties returns the counties a ZIP code's 2010 ZCTA lies in; ok is
// false when the table does not know the ZIP (outside its ranges, or not a
// ZCTA).
func (t *Tables) ZIPCounties(zip string) (counties []string, ok bool) {
	cs, ok := t.zipCounties.counties[zip]
	return slices.Clone(cs), ok
}

// CheckZIPCounty returns an Invalid error naming "zip" when the ZIP code
// cannot be in the county: its ZCTA lies only in other counties, or the
// county is one whose ZCTAs are all known (Los Angeles, Ventura) and the ZIP
// is not among them. When the table cannot tell, it returns nil.
func (t *Tables) CheckZIPCounty(zip, countyFIPS string) error {
	const op = "reference.CheckZIPCounty"
	name, ok := t.counties.names[countyFIPS]
	if !validZIP(zip) || !ok {
		return nil // ClimateZone and County report malformed values
	}
	if cs, known := t.zipCounties.counties[zip]; known {
		if slices.Contains(cs, countyFIPS) {
			return nil
		}
		return fieldErr(apperr.Invalid, op, "zip", "ZIP %s is in %s, not %s County", zip, t.countyList(cs), name)
	}
	if t.zipCounties.complete[countyFIPS] && !inZIPCountyRanges(zip) {
		return fieldErr(apperr.Invalid, op, "zip", "ZIP %s is not a ZIP of %s County", zip, name)
	}
	return nil
}

// countyList names counties for a message: "Kern County", "Kern and Los
// Angeles counties".
func (t *Tables) countyList(fips []string) string {
	names := make([]string, len(fips))
	for i, f := range fips {
		names[i] = t.counties.names[f]
	}
	if len(names) == 1 {
		return names[0] + " County"
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1] + " counties"
}
