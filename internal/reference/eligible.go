package reference

import (
	"fmt"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
)

// Program names an income-qualified program whose limits these tables hold.
type Program string

// The programs Eligible decides.
const (
	// CARE: California Alternate Rates for Energy, income at most 200% of
	// the federal poverty guidelines.
	CARE Program = "care"
	// FERA: Family Electric Rate Assistance, income above the CARE limit and
	// at most 250% of the poverty guidelines.
	FERA Program = "fera"
	// ESA: Energy Savings Assistance, income at most 250% of the poverty
	// guidelines.
	ESA Program = "esa"
	// AMI80: income at most HUD's published low-income (80%) limit for the
	// county and household size. This is HUD's published figure, never
	// 0.8 × median family income (in Los Angeles FY2023 the 4-person limit
	// is $100,900 against a median of $98,200).
	AMI80 Program = "ami80"
	// DirectInstall: the Residential Direct Install income limit of seed 003.
	DirectInstall Program = "direct_install"
)

// Household is what an income test needs to know about a household.
type Household struct {
	Size         int         // persons, ≥ 1
	AnnualIncome money.Cents // gross annual income from all sources, ≥ 0
	CountyFIPS   string      // 5-digit county FIPS ("06037"); needed for AMI80
}

// Decision is the outcome of an income test with the evidence behind it.
type Decision struct {
	Program  Program
	Eligible bool
	Table    string      // table name and version that decided
	Row      string      // e.g. "household size 4"
	Min, Max money.Cents // the limit(s) that decided; Min is 0 when there is no lower bound
	Reason   string      // plain English, e.g. "income $64,301 exceeds CARE limit $64,300 for 4 persons"
	// Fallback is set when the table in force lacked the row and an older
	// table's row was used; Notes says which.
	Fallback bool
	Notes    []string // caveats a reviewer should see
}

// Eligible decides whether household h meets program p's income limit under
// the table in effect on date on (for an application, its date). Income
// equal to a limit qualifies.
//
// Errors: Invalid (naming the field) for an unknown program, a size below 1,
// a negative income, a zero date, or a county FIPS that is not a California
// county (AMI80 only); NotFound when no table is in effect on that date or
// no HUD limits are loaded for the county.
func (t *Tables) Eligible(p Program, h Household, on calendar.Date) (Decision, error) {
	const op = "reference.Eligible"
	var f apperr.Fields
	switch p {
	case CARE, FERA, ESA, AMI80, DirectInstall:
	default:
		f.Add("program", "unknown program %q", p)
	}
	if h.Size < 1 {
		f.Add("size", "household size must be at least 1, got %d", h.Size)
	}
	if h.AnnualIncome < 0 {
		f.Add("annual_income", "income must not be negative, got %s", dollars(h.AnnualIncome))
	}
	if on.IsZero() {
		f.Add("date", "the date of the decision is required")
	}
	if p == AMI80 {
		if _, ok := t.counties.names[h.CountyFIPS]; !ok {
			f.Add("county_fips", "%q is not a California county FIPS code (06001-06115)", h.CountyFIPS)
		}
	}
	if err := f.Err(op); err != nil {
		return Decision{}, err
	}
	switch p {
	case AMI80:
		return t.eligibleAMI80(h, on)
	case DirectInstall:
		return t.eligibleDirectInstall(h, on)
	default:
		return t.eligibleLowIncome(p, h, on)
	}
}

// sizeRow describes the row used for a household size.
func sizeRow(size, published int) string {
	if size <= published {
		return fmt.Sprintf("household size %d", size)
	}
	return fmt.Sprintf("household size %d (size %d + %d × each additional person)", size, published, size-published)
}

func (t *Tables) eligibleLowIncome(p Program, h Household, on calendar.Date) (Decision, error) {
	var tab *lowIncomeTable
	for _, lt := range t.lowIncome {
		if lt.info.covers(on) {
			tab = lt
		}
	}
	if tab == nil {
		return Decision{}, fieldErr(apperr.NotFound, "reference.Eligible", "date",
			"no CARE/FERA/ESA income table is in effect on %s (loaded: %s)", on, t.lowIncomeRanges())
	}
	r := tab.row(h.Size)
	d := Decision{Program: p, Table: tab.info.Label(), Row: sizeRow(h.Size, len(tab.rows))}
	inc, who := dollars(h.AnnualIncome), persons(h.Size)
	switch p {
	case CARE:
		d.Max = r.careMax
		d.Eligible = h.AnnualIncome <= r.careMax
		if d.Eligible {
			d.Reason = fmt.Sprintf("income %s is within the CARE limit %s for %s", inc, dollars(r.careMax), who)
		} else {
			d.Reason = fmt.Sprintf("income %s exceeds CARE limit %s for %s", inc, dollars(r.careMax), who)
		}
	case FERA:
		if !r.feraOK {
			d.Max = r.careMax
			d.Reason = fmt.Sprintf("FERA is not available to households of %s under the %s table (Not Eligible; CARE limit %s)",
				who, tab.year, dollars(r.careMax))
			break
		}
		d.Min, d.Max = r.feraMin, r.feraMax
		rng := dollars(r.feraMin) + "–" + dollars(r.feraMax)
		switch {
		// FERA is "more than 200% and up to 250%" of the guidelines: the
		// lower test is "above the CARE limit", so an income with cents
		// between the CARE limit and the published whole-dollar FERA
		// minimum is not lost between the two programs.
		case h.AnnualIncome <= r.careMax:
			d.Reason = fmt.Sprintf("income %s is at or below the CARE limit %s for %s, below the FERA range %s (CARE applies instead)",
				inc, dollars(r.careMax), who, rng)
		case h.AnnualIncome > r.feraMax:
			d.Reason = fmt.Sprintf("income %s exceeds FERA limit %s for %s", inc, dollars(r.feraMax), who)
		default:
			d.Eligible = true
			d.Reason = fmt.Sprintf("income %s is within the FERA range %s for %s", inc, rng, who)
		}
	case ESA:
		d.Max = r.esaMax
		d.Eligible = h.AnnualIncome <= r.esaMax
		if d.Eligible {
			d.Reason = fmt.Sprintf("income %s is within the ESA limit %s for %s", inc, dollars(r.esaMax), who)
		} else {
			d.Reason = fmt.Sprintf("income %s exceeds ESA limit %s for %s", inc, dollars(r.esaMax), who)
		}
		if r.esaMax < r.careMax {
			d.Notes = append(d.Notes, fmt.Sprintf(
				"the ESA limit for %s (%s) is below the CARE limit (%s): the ESA table is per household size while CARE merges sizes 1-2; policy to confirm with the utility tariff",
				who, dollars(r.esaMax), dollars(r.careMax)))
		}
	}
	return d, nil
}

// lowIncomeRanges lists the loaded CARE/FERA/ESA program years for messages.
func (t *Tables) lowIncomeRanges() string {
	var s []string
	for _, lt := range t.lowIncome {
		s = append(s, lt.info.From.String()+" to "+lt.info.To.String())
	}
	return strings.Join(s, ", ")
}

func (t *Tables) eligibleAMI80(h Household, on calendar.Date) (Decision, error) {
	const op = "reference.Eligible"
	county := t.counties.names[h.CountyFIPS]
	if !t.hud.hasCounty(h.CountyFIPS) {
		return Decision{}, fieldErr(apperr.NotFound, op, "county_fips",
			"no HUD income limits are loaded for county %s (%s)", h.CountyFIPS, county)
	}
	lim, ok := t.hud.lowIncomeLimit(h.CountyFIPS, h.Size, on)
	if lim.inForce == nil {
		return Decision{}, fieldErr(apperr.NotFound, op, "date",
			"no HUD income limits are in effect on %s (earliest loaded: %s)", on, t.hud.years[0].info.From)
	}
	if !ok {
		return Decision{}, fieldErr(apperr.NotFound, op, "size",
			"no HUD %s low-income limit for %s in county %s, nor in any earlier loaded year",
			lim.inForce.info.Version, persons(h.Size), h.CountyFIPS)
	}
	who := persons(h.Size)
	d := Decision{
		Program:  AMI80,
		Table:    lim.year.info.Label(),
		Row:      fmt.Sprintf("county %s (%s), household size %d", h.CountyFIPS, county, h.Size),
		Max:      lim.limit,
		Eligible: h.AnnualIncome <= lim.limit,
		Fallback: lim.fallback,
	}
	if d.Eligible {
		d.Reason = fmt.Sprintf("income %s is within the HUD %s low-income (80%%) limit %s for %s in %s County",
			dollars(h.AnnualIncome), lim.year.info.Version, dollars(lim.limit), who, county)
	} else {
		d.Reason = fmt.Sprintf("income %s exceeds the HUD %s low-income (80%%) limit %s for %s in %s County",
			dollars(h.AnnualIncome), lim.year.info.Version, dollars(lim.limit), who, county)
	}
	d.Notes = append(d.Notes, fmt.Sprintf("HUD's published low-income limit is used, not 0.8 × median family income (median %s)", dollars(lim.mfi)))
	if lim.fallback {
		d.Notes = append(d.Notes, fmt.Sprintf(
			"fallback: HUD %s (in effect on %s) has no %s row for this county in the loaded data; the %s limit was used — load HUD's full %s table",
			lim.inForce.info.Version, on, sizeLabel(h.Size), lim.year.info.Version, lim.inForce.info.Version))
		if !d.Eligible {
			d.Notes = append(d.Notes, "HUD limits usually rise from year to year, so the older limit may be too low: review before denying")
		}
	}
	if lim.derived {
		d.Notes = append(d.Notes, fmt.Sprintf(
			"HUD publishes sizes 1-8; the %s limit is the 4-person limit plus 8%% per person above 8 (%d%%), rounded up to $50",
			who, 132+8*(h.Size-8)))
	}
	if newest := t.hud.years[len(t.hud.years)-1]; lim.inForce == newest && !on.Before(newest.info.From.AddDays(365)) {
		d.Notes = append(d.Notes, fmt.Sprintf(
			"%s is the newest HUD year loaded; HUD publishes new limits each spring, so a newer table may be in force on %s",
			newest.info.Version, on))
	}
	return d, nil
}

// sizeLabel names the HUD row a size needs ("4-person"); sizes above 8 use
// the 4-person row.
func sizeLabel(size int) string {
	if size > 8 {
		size = 4
	}
	return fmt.Sprintf("%d-person", size)
}

func (t *Tables) eligibleDirectInstall(h Household, on calendar.Date) (Decision, error) {
	var tab *sizeLimitTable
	for _, dt := range t.directInstall {
		if dt.info.covers(on) {
			tab = dt
		}
	}
	if tab == nil {
		return Decision{}, fieldErr(apperr.NotFound, "reference.Eligible", "date",
			"no Residential Direct Install income table is in effect on %s", on)
	}
	lim := tab.limit(h.Size)
	d := Decision{
		Program:  DirectInstall,
		Table:    tab.info.Label(),
		Row:      sizeRow(h.Size, len(tab.rows)),
		Max:      lim,
		Eligible: h.AnnualIncome <= lim,
	}
	if d.Eligible {
		d.Reason = fmt.Sprintf("income %s is within the Direct Install limit %s for %s", dollars(h.AnnualIncome), dollars(lim), persons(h.Size))
	} else {
		d.Reason = fmt.Sprintf("income %s exceeds Direct Install limit %s for %s", dollars(h.AnnualIncome), dollars(lim), persons(h.Size))
	}
	if tab.info.From.IsZero() && tab.info.To.IsZero() {
		d.Notes = append(d.Notes, "the Direct Install income table is undated in its source (seed 003); confirm the program year's limits")
	}
	return d, nil
}
