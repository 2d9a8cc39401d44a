package reference

import (
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
)

// countyTable maps California county FIPS codes ("06037") to names.
type countyTable struct {
	info  TableInfo
	names map[string]string
}

func loadCounties() (*countyTable, error) {
	c, err := readCSV("ca_counties.csv", "county_fips", "name")
	if err != nil {
		return nil, err
	}
	t := &countyTable{names: map[string]string{}, info: TableInfo{
		Name:    "California counties",
		Version: "FIPS county codes",
		Source:  "US Census Bureau FIPS county codes (ANSI INCITS 31): California 06001-06115, odd numbers, 58 counties",
	}}
	for i, rec := range c.rows {
		fips, name := c.get(rec, "county_fips"), c.get(rec, "name")
		if len(fips) != 5 || !isDigits(fips) || !strings.HasPrefix(fips, "06") || name == "" {
			return nil, c.errorf(i, "bad county row %q,%q", fips, name)
		}
		t.names[fips] = name
	}
	return t, nil
}

// County returns the name of the California county with the 5-digit FIPS
// code fips ("06037" → "Los Angeles").
func (t *Tables) County(fips string) (name string, ok bool) {
	name, ok = t.counties.names[fips]
	return name, ok
}

// ClimateZone is the California building climate zone (Title 24, 1–16)
// assigned to a ZIP code, with the CZ2010 weather file used for it.
type ClimateZone struct {
	Zone      int    // 1..16
	Station   string // CZ2010 weather file, e.g. "LOS-ANGELES-DOWNTOWN_722874"
	StationID string // WBAN/USAF station number, e.g. "722874"
	// Doubtful marks a ZIP whose zone failed a spot check; staff should
	// confirm it against the CEC's table and may override it per premise.
	Doubtful    bool
	DoubtReason string
	Table       string // table name and version
}

// zipTable is the ZIP → climate zone mapping.
type zipTable struct {
	info  TableInfo
	zones map[string]ClimateZone
}

func loadZIPs() (*zipTable, error) {
	c, err := readCSV("ca_zip_climate_zone_cz2010.csv", "zip", "building_climate_zone", "cz2010_weather_file", "wban_usaf_station")
	if err != nil {
		return nil, err
	}
	t := &zipTable{zones: make(map[string]ClimateZone, len(c.rows)), info: TableInfo{
		Name:    "ZIP to building climate zone",
		Version: "CZ2010 (CalTRACK station mapping, 2017)",
		Source: "impactlab/caltrack resources/weather/stationmapping.csv, derived from CEC climate zone tables; " +
			"doubtful rows from the shared eligibility data README spot checks",
	}}
	label := t.info.Label()
	for i, rec := range c.rows {
		zip := c.get(rec, "zip")
		zone, err := strconv.Atoi(c.get(rec, "building_climate_zone"))
		if !validZIP(zip) || err != nil || zone < 1 || zone > 16 {
			return nil, c.errorf(i, "bad row zip %q zone %q", zip, c.get(rec, "building_climate_zone"))
		}
		if _, dup := t.zones[zip]; dup {
			return nil, c.errorf(i, "duplicate zip %s", zip)
		}
		t.zones[zip] = ClimateZone{
			Zone:      zone,
			Station:   c.get(rec, "cz2010_weather_file"),
			StationID: c.get(rec, "wban_usaf_station"),
			Table:     label,
		}
	}
	d, err := readCSV("ca_zip_climate_zone_doubtful.csv", "zip", "reason")
	if err != nil {
		return nil, err
	}
	for i, rec := range d.rows {
		zip := d.get(rec, "zip")
		z, ok := t.zones[zip]
		if !ok {
			return nil, d.errorf(i, "doubtful zip %q is not in the zone table", zip)
		}
		z.Doubtful, z.DoubtReason = true, d.get(rec, "reason")
		t.zones[zip] = z
	}
	return t, nil
}

// ClimateZone returns the building climate zone of a 5-digit ZIP code. A
// malformed or unknown ZIP is an Invalid error naming "zip".
func (t *Tables) ClimateZone(zip string) (ClimateZone, error) {
	const op = "reference.ClimateZone"
	if !validZIP(zip) {
		return ClimateZone{}, fieldErr(apperr.Invalid, op, "zip", "ZIP must be 5 digits, got %q", zip)
	}
	z, ok := t.zips.zones[zip]
	if !ok {
		return ClimateZone{}, fieldErr(apperr.Invalid, op, "zip", "ZIP %s is not a California ZIP in the climate-zone table", zip)
	}
	return z, nil
}

// KnownZIP reports whether zip is in the climate zone table.
func (t *Tables) KnownZIP(zip string) bool {
	_, ok := t.zips.zones[zip]
	return ok
}

// DACStatus is a census tract's SB 535 disadvantaged-community designation.
type DACStatus struct {
	Designated bool
	// Category is "ces4_top25" (highest 25% of CalEnviroScreen 4.0 scores)
	// or "ces3_dac_retained" (kept from the 2017 designation); empty when
	// not designated.
	Category string
	// CES4Percentile is the CalEnviroScreen 4.0 percentile, for display
	// only; eligibility follows Designated.
	CES4Percentile float64
	Table          string // table name and version
}

type dacRow struct {
	category   string
	percentile float64
}

// dacTable is the SB 535 tract list.
type dacTable struct {
	info   TableInfo
	tracts map[string]dacRow
}

// dacCategories are the categories the file may carry (see data/README.md).
var dacCategories = map[string]bool{"ces4_top25": true, "ces3_dac_retained": true}

func loadDAC(counties *countyTable, tracts *tractTable) (*dacTable, error) {
	c, err := readCSV("sb535_dac_tracts_2022.csv", "geoid_2010", "county", "ces4_percentile", "dac_category")
	if err != nil {
		return nil, err
	}
	t := &dacTable{tracts: make(map[string]dacRow, len(c.rows)), info: TableInfo{
		Name:    "SB 535 disadvantaged communities",
		Version: "2022 (CalEnviroScreen 4.0, 2010 census tracts)",
		Source: "CalEPA SB 535 Disadvantaged Communities List (May 2022), sheet \"SB535 tract all data\"; " +
			"lacks the 19 no-score tracts, 7 retained tracts and tribal lands",
	}}
	for i, rec := range c.rows {
		geoid := c.get(rec, "geoid_2010")
		if msg := checkGEOID(geoid, counties); msg != "" {
			return nil, c.errorf(i, "geoid %s", msg)
		}
		if tracts.counties[geoid[:5]] && !tracts.tracts[geoid] {
			return nil, c.errorf(i, "geoid %s is not on the 2010 tract list of its county", geoid)
		}
		if name := counties.names[geoid[:5]]; name != c.get(rec, "county") {
			return nil, c.errorf(i, "county %q does not match FIPS %s (%s)", c.get(rec, "county"), geoid[:5], name)
		}
		cat := c.get(rec, "dac_category")
		if !dacCategories[cat] {
			return nil, c.errorf(i, "unknown dac_category %q", cat)
		}
		var pct float64
		if s := c.get(rec, "ces4_percentile"); s != "" {
			if pct, err = strconv.ParseFloat(s, 64); err != nil {
				return nil, c.errorf(i, "ces4_percentile %q", s)
			}
		}
		if _, dup := t.tracts[geoid]; dup {
			return nil, c.errorf(i, "duplicate geoid %s", geoid)
		}
		t.tracts[geoid] = dacRow{category: cat, percentile: pct}
	}
	return t, nil
}

// DAC returns the SB 535 (2022) designation of a 2010 census tract given as
// an 11-digit GEOID (state 06, county, 6-digit tract). A malformed GEOID, or
// one in a county whose tracts are all listed (Los Angeles, Ventura) that
// is not among them, is an Invalid error naming "tract_geoid"; a real tract
// not on the SB 535 list is not designated. Tracts of other counties are
// checked for form and county only (see data/README.md).
func (t *Tables) DAC(geoid string) (DACStatus, error) {
	if msg := t.checkTract(geoid); msg != "" {
		return DACStatus{}, fieldErr(apperr.Invalid, "reference.DAC", "tract_geoid", "%s", msg)
	}
	label := t.dac.info.Label()
	r, ok := t.dac.tracts[geoid]
	if !ok {
		return DACStatus{Table: label}, nil
	}
	return DACStatus{Designated: true, Category: r.category, CES4Percentile: r.percentile, Table: label}, nil
}

// checkGEOID returns why geoid is not a California 2010 census tract GEOID,
// or "" when it is well formed.
func checkGEOID(geoid string, counties *countyTable) string {
	switch {
	case len(geoid) != 11 || !isDigits(geoid):
		return "want 11 digits (state, county, tract), got " + strconv.Quote(geoid)
	case geoid[:2] != "06":
		return "state " + geoid[:2] + " is not California (06)"
	}
	if _, ok := counties.names[geoid[:5]]; !ok {
		return "county " + geoid[:5] + " is not a California county"
	}
	return ""
}

func validZIP(s string) bool { return len(s) == 5 && isDigits(s) }

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// fieldErr builds a classified error naming one input field; the details
// are in the field message, as with apperr.Fields.Err.
func fieldErr(kind apperr.Kind, op, field, format string, args ...any) error {
	var f apperr.Fields
	f.Add(field, format, args...)
	msg := "invalid input"
	if kind == apperr.NotFound {
		msg = "no reference table applies"
	}
	return &apperr.Error{Kind: kind, Op: op, Msg: msg, Fields: f}
}
