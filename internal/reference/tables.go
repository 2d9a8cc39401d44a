package reference

import (
	"embed"
	"fmt"

	"github.com/gridbook/gridbook/internal/calendar"
)

// dataFS holds the reference files; data/README.md records their sources.
//
//go:embed data/*.csv
var dataFS embed.FS

// TableInfo describes one loaded table: what it is, which release, where the
// figures come from and when they are in effect.
type TableInfo struct {
	Name    string        // e.g. "CARE/FERA/ESA income limits"
	Version string        // e.g. "2025-26 (CPUC, 200%/250% of the 2025 HHS poverty guidelines)"
	Source  string        // citation
	From    calendar.Date // first day in effect; zero when the source is undated
	To      calendar.Date // last day in effect (inclusive); zero when open-ended
}

// Label is the name and version, as recorded in decisions.
func (i TableInfo) Label() string { return i.Name + " " + i.Version }

// covers reports whether the table is in effect on d.
func (i TableInfo) covers(d calendar.Date) bool {
	if !i.From.IsZero() && d.Before(i.From) {
		return false
	}
	if !i.To.IsZero() && d.After(i.To) {
		return false
	}
	return true
}

// Tables is the set of reference tables parsed from the embedded files. It is
// read-only after Load and safe for concurrent use.
type Tables struct {
	lowIncome     []*lowIncomeTable // CARE/FERA/ESA, one per program year
	directInstall []*sizeLimitTable
	hud           *hudTable
	zips          *zipTable
	dac           *dacTable
	tracts        *tractTable
	zipCounties   *zipCountyTable
	counties      *countyTable
	agencies      []MemberAgency
	agencyInfo    TableInfo
}

// Load parses the embedded reference files. Callers load once and share the
// result; Load keeps no state of its own.
func Load() (*Tables, error) {
	t := &Tables{}
	var err error
	if t.counties, err = loadCounties(); err != nil {
		return nil, err
	}
	for _, f := range lowIncomeFiles {
		lt, err := loadLowIncome(f)
		if err != nil {
			return nil, err
		}
		t.lowIncome = append(t.lowIncome, lt)
	}
	if err := checkNoOverlap(t.lowIncome); err != nil {
		return nil, err
	}
	di, err := loadDirectInstall()
	if err != nil {
		return nil, err
	}
	t.directInstall = []*sizeLimitTable{di}
	if t.hud, err = loadHUD(t.counties); err != nil {
		return nil, err
	}
	if t.zips, err = loadZIPs(); err != nil {
		return nil, err
	}
	if t.tracts, err = loadTracts(t.counties); err != nil {
		return nil, err
	}
	if t.zipCounties, err = loadZIPCounties(t.counties); err != nil {
		return nil, err
	}
	if t.dac, err = loadDAC(t.counties, t.tracts); err != nil {
		return nil, err
	}
	if t.agencies, t.agencyInfo, err = loadAgencies(t.counties, t.zips); err != nil {
		return nil, err
	}
	return t, nil
}

// checkNoOverlap rejects two program years in effect on the same day, which
// would make a decision depend on file order.
func checkNoOverlap(ts []*lowIncomeTable) error {
	for i, a := range ts {
		for _, b := range ts[i+1:] {
			if !a.info.To.Before(b.info.From) && !b.info.To.Before(a.info.From) {
				return fmt.Errorf("reference: %s and %s overlap", a.info.Label(), b.info.Label())
			}
		}
	}
	return nil
}

// Versions lists every loaded table with its version, source and effective
// dates, for display and for audit records.
func (t *Tables) Versions() []TableInfo {
	var out []TableInfo
	for _, lt := range t.lowIncome {
		out = append(out, lt.info)
	}
	for _, y := range t.hud.years {
		out = append(out, y.info)
	}
	for _, d := range t.directInstall {
		out = append(out, d.info)
	}
	return append(out, t.dac.info, t.tracts.info, t.zips.info, t.zipCounties.info, t.counties.info, t.agencyInfo)
}
