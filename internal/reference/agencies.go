package reference

import (
	"fmt"
	"strings"
)

// MemberAgency is one of Clean Power Alliance's member communities: a city,
// or the unincorporated area of a county.
type MemberAgency struct {
	Name       string   // e.g. "Santa Monica", "Unincorporated Ventura County"
	Kind       string   // "city" or "county"
	CountyFIPS string   // "06037" (Los Angeles) or "06111" (Ventura)
	County     string   // county name
	ZIPs       []string // representative ZIPs (all in the climate zone table); for demo data, not for service-area decisions
}

func loadAgencies(counties *countyTable, zips *zipTable) ([]MemberAgency, TableInfo, error) {
	info := TableInfo{
		Name:    "Clean Power Alliance member agencies",
		Version: "35 communities (2024)",
		Source: "greenbydefault.org/clean-power-alliance (30 cities plus unincorporated Los Angeles and Ventura counties); " +
			"CPA board announcement 2023-01-09 adding Hermosa Beach, Monrovia and Santa Paula for a total of 35 (research/programs.md §5)",
	}
	c, err := readCSV("cpa_member_agencies.csv", "name", "kind", "county_fips", "zips")
	if err != nil {
		return nil, info, err
	}
	var out []MemberAgency
	seen := map[string]bool{}
	for i, rec := range c.rows {
		a := MemberAgency{
			Name:       c.get(rec, "name"),
			Kind:       c.get(rec, "kind"),
			CountyFIPS: c.get(rec, "county_fips"),
			ZIPs:       strings.Fields(c.get(rec, "zips")),
		}
		name, ok := counties.names[a.CountyFIPS]
		if !ok || a.Name == "" || (a.Kind != "city" && a.Kind != "county") || seen[a.Name] {
			return nil, info, c.errorf(i, "bad member agency row %q", a.Name)
		}
		a.County, seen[a.Name] = name, true
		for _, z := range a.ZIPs {
			if _, ok := zips.zones[z]; !ok {
				return nil, info, c.errorf(i, "%s: zip %q is not in the climate zone table", a.Name, z)
			}
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, info, fmt.Errorf("reference: no member agencies")
	}
	return out, info, nil
}

// MemberAgencies returns Clean Power Alliance's member communities in
// alphabetical order (cities, then the two unincorporated counties). The
// result is a fresh copy the caller may modify.
func (t *Tables) MemberAgencies() []MemberAgency {
	out := make([]MemberAgency, len(t.agencies))
	for i, a := range t.agencies {
		a.ZIPs = append([]string(nil), a.ZIPs...)
		out[i] = a
	}
	return out
}

// MemberAgency returns the member community with the given name (as
// MemberAgencies lists it); ok is false for any other name.
func (t *Tables) MemberAgency(name string) (a MemberAgency, ok bool) {
	for _, m := range t.agencies {
		if m.Name == name {
			m.ZIPs = append([]string(nil), m.ZIPs...)
			return m, true
		}
	}
	return MemberAgency{}, false
}
