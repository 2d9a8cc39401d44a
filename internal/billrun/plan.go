package billrun

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/tariff"
)

// Program codes a bill run reads from an account's enrollments besides
// the registry's own CARE, FERA and medical baseline.
const (
	// ProgramNEM is customer generation under net metering; the track
	// names the tariff: nem1, nem2 or nbt. The enrollment's start date is
	// the permission-to-operate (PTO) date.
	ProgramNEM = "nem"
	// ProgramPowerShare is Clean Power Alliance's Power Share (DAC-GT)
	// discount.
	ProgramPowerShare = "power_share"
)

// nemTracks maps a NEM enrollment's track to the billing program.
var nemTracks = map[string]billing.Program{"nem1": billing.NEM1, "nem2": billing.NEM2, "nbt": billing.NBT}

// Account is what a bill run needs to know about one service account:
// the account, its premise's climate zone and DAC status, its program
// enrollments and its meters with their channels, and what other
// capabilities owe its bills: incentive bill credits, late-meter
// estimated generation, and the arrangement that shares a generator's
// output with it.
type Account struct {
	customer.Account
	ClimateZone int
	DAC         bool
	Enrollments []customer.Enrollment
	Meters      []customer.Meter
	// Credits are the account's incentive payments by bill credit that
	// are pending or already on a bill.
	Credits []BillCredit
	// LateMeter are its late-meter estimated-generation credits, pending
	// or already on a bill.
	LateMeter []LateMeterCredit
	// FirstBill and LastBill are the period starts of its earliest and
	// latest current bills (zero without bills). The store reads them for
	// accounts with credits, whose pending credits go on the latest bill
	// only.
	FirstBill, LastBill calendar.Date
	// Arrangement is the Virtual NEM or NEM Aggregation arrangement the
	// account generates for or benefits from during the period, if any.
	Arrangement *Arrangement
}

// VersionRef identifies the stored tariff version a bill was priced
// with: its store id and the SHA-256 of its stored document.
type VersionRef struct {
	ID      int64         `json:"id"`
	Utility string        `json:"utility"`
	Code    string        `json:"code"`
	From    calendar.Date `json:"effective_from"`
	SHA256  string        `json:"sha256"`
}

// TableRef identifies the stored Net Billing export-price table a bill
// was credited with.
type TableRef struct {
	ID      int64  `json:"id"`
	Utility string `json:"utility"`
	Vintage int    `json:"vintage"`
	SHA256  string `json:"sha256"`
}

// StoredVersion is a tariff version as stored, with its reference.
type StoredVersion struct {
	Ref     VersionRef
	Version *tariff.Version
}

// StoredTable is an export-price table as stored, with its reference.
type StoredTable struct {
	Ref   TableRef
	Table *tariff.ExportTable
}

// Catalog holds the tariff versions and export-price tables a run bills
// with. It is built once per run so that every account on a version
// shares one *tariff.Version, which is what billing.Calculator caches
// its compiled indexes by. It is read-only once built.
type Catalog struct {
	versions map[string][]StoredVersion // by utility and code
	tables   map[string]StoredTable     // by utility and vintage
	refs     map[*tariff.Version]VersionRef
	// check validates terms, checking each version once (billing's
	// Calculator caches versions it has validated).
	check *billing.Calculator
	// PMP is the Peak Management Pricing event calendar of the run's
	// period; set it before planning. An account enrolled in PMP is not
	// billable without it.
	PMP *PMPCalendar
}

// NewCatalog indexes stored versions and tables.
func NewCatalog(versions []StoredVersion, tables []StoredTable) *Catalog {
	c := &Catalog{versions: map[string][]StoredVersion{}, tables: map[string]StoredTable{}, refs: map[*tariff.Version]VersionRef{},
		check: billing.NewCalculator()}
	for _, v := range versions {
		k := v.Version.Utility + "\x00" + v.Version.Code
		c.versions[k] = append(c.versions[k], v)
		c.refs[v.Version] = v.Ref
	}
	for k := range c.versions {
		slices.SortFunc(c.versions[k], func(a, b StoredVersion) int { return a.Version.From.Compare(b.Version.From) })
	}
	for _, t := range tables {
		c.tables[fmt.Sprintf("%s\x00%d", t.Table.Utility, t.Table.Vintage)] = t
	}
	return c
}

// Version returns the stored version with id, if the catalog holds it.
func (c *Catalog) Version(id int64) (StoredVersion, bool) {
	for _, vs := range c.versions {
		for _, v := range vs {
			if v.Ref.ID == id {
				return v, true
			}
		}
	}
	return StoredVersion{}, false
}

// Table returns the stored export-price table with id, if the catalog
// holds it.
func (c *Catalog) Table(id int64) (StoredTable, bool) {
	for _, t := range c.tables {
		if t.Ref.ID == id {
			return t, true
		}
	}
	return StoredTable{}, false
}

// NotBillable says why an account cannot be billed as configured: no
// tariff loaded for its rate schedule, no version in force, no meter, no
// export-price table of its vintage. A run reports it with the reason;
// it never bills such an account on a guessed tariff.
type NotBillable struct {
	Reason string
}

func (e *NotBillable) Error() string { return "not billable: " + e.Reason }

func notBillable(format string, args ...any) *NotBillable {
	return &NotBillable{Reason: fmt.Sprintf(format, args...)}
}

// Plan is how one account is billed for one period: its billing terms,
// the stored records they were built from, the channels whose readings
// are billed, and notes for the bill about what the mapping decided.
type Plan struct {
	Period   calendar.Period
	Terms    billing.Terms
	Versions []VersionRef
	Table    *TableRef
	// Delivered and Received are the channel ids billed, in meter
	// installation order; Received is empty without generation.
	Delivered, Received []int64
	// PTO is the NEM enrollment's start (permission to operate); zero
	// when the account is not on a net-metering program.
	PTO   calendar.Date
	Notes []string
	// Uses are the one-off credits the bill applies (Terms.Credits and
	// Terms.EstimatedExports), recorded with it so each is applied once.
	Uses []CreditUse
	// Arrangement is the arrangement whose generator output the account
	// receives a share of; Allocation is that share for the period, which
	// the run computes from the generator's readings before billing.
	Arrangement *Arrangement
	Allocation  *Allocated

	netOnly bool // a billed channel holds net values only
}

// Channels returns every channel id the plan reads.
func (p *Plan) Channels() []int64 { return append(slices.Clone(p.Delivered), p.Received...) }

// AccountPeriod returns the part of a cycle's period during which the
// account is in service; ok is false when it is not in service at all.
func AccountPeriod(a *customer.Account, cycle calendar.Period) (calendar.Period, bool) {
	p := cycle
	if a.ServiceStart.After(p.Start) {
		p.Start = a.ServiceStart
	}
	if !a.ServiceEnd.IsZero() && a.ServiceEnd.Before(p.End) {
		p.End = a.ServiceEnd
	}
	return p, p.Start.Before(p.End)
}

// Plan maps an account to the billing inputs of period p under the
// policy: the versions of its rate schedule in force (all of p must be
// covered), its LSE and ledgers, its net-metering program from the "nem"
// enrollment in force on the first day (the track names it; the
// enrollment's start is the PTO date and, for the Net Billing Tariff,
// picks the export-price vintage), and the CARE, FERA, medical baseline
// and Power Share enrollments in force on the last day. An account that
// cannot be billed gets a *NotBillable error with the reason.
func (c *Catalog) Plan(a *Account, p calendar.Period, pol *Policy) (*Plan, error) {
	last := p.End.AddDays(-1)
	pl := &Plan{Period: p}
	t := &pl.Terms
	utility := pol.Utility.Value

	// Tariff versions.
	stored := c.versions[utility+"\x00"+a.RateSchedule]
	if len(stored) == 0 {
		return nil, notBillable("no %s tariff %s is loaded (the account's rate schedule)", utility, a.RateSchedule)
	}
	for d := p.Start; d.Before(p.End); {
		i := slices.IndexFunc(stored, func(v StoredVersion) bool { return v.Version.Effective().Contains(d) })
		if i < 0 {
			return nil, notBillable("%s %s has no version in force on %s (loaded: %s)", utility, a.RateSchedule, d, loadedSpans(stored))
		}
		v := stored[i]
		t.Tariff = append(t.Tariff, v.Version)
		pl.Versions = append(pl.Versions, v.Ref)
		if v.Version.To.IsZero() || !v.Version.To.Before(p.End) {
			break
		}
		d = v.Version.To
	}

	// LSE: a CCA account's generation is the CCA's, so its tariff must
	// split generation from delivery.
	switch a.LSE {
	case customer.CCA:
		t.LSE = billing.CCA
		for _, v := range t.Tariff {
			if !splitsGeneration(v) {
				return nil, notBillable("%s %s from %s prices energy as one bundled rate without a generation component, so the CCA's generation charges cannot be separated from %s's delivery charges",
					utility, v.Code, v.From, utility)
			}
		}
	default:
		t.LSE = billing.Bundled
	}

	// Meters and channels in service during the period.
	if err := pl.channels(a); err != nil {
		return nil, err
	}

	// Net metering. An enrollment that a NEM 1.0/2.0 system moved to at
	// the end of its legacy period starts on the legacy end, not a PTO:
	// its exports follow the ACC of the year billed and earn no ACC Plus,
	// which is "not for NEM-transition customers" (research/billing.md
	// §4.2).
	t.Program = billing.NoProgram
	transition := false
	if e, ok := activeOn(a.Enrollments, ProgramNEM, p.Start); ok {
		prog, known := nemTracks[e.Track]
		if !known {
			return nil, notBillable("the net-metering enrollment from %s has track %q; want nem1, nem2 or nbt", e.From, e.Track)
		}
		t.Program, pl.PTO, t.RelevantStart = prog, e.From, e.From
		transition = e.Source == customer.SourceLegacyTransition
	} else if e, ok := startsWithin(a.Enrollments, ProgramNEM, p); ok {
		pl.note("Permission to operate on %s falls within this period: net metering starts with the next bill.", e.From)
	}
	if err := pl.planArrangement(a); err != nil {
		return nil, err
	}
	if t.Program != billing.NoProgram && len(pl.Received) == 0 && pl.Arrangement == nil {
		pl.note("The account is on %s but its meter has no received channel: exports cannot be credited.", strings.ToUpper(string(t.Program)))
	}

	// Ledgers.
	t.UtilityLedger = billing.Ledger{Settlement: pol.UtilitySettlement.Value, UnusedCredits: pol.UtilityUnusedCredits.Value}
	if t.LSE == billing.Bundled || pol.NSCToCCAAccounts.Value {
		t.UtilityLedger.NSCRate = pol.nsc
	}
	if t.LSE == billing.CCA {
		t.GenerationLedger = billing.Ledger{Settlement: pol.CCASettlement.Value, TrueUpMonth: pol.CCATrueUpMonth.Value,
			NSCRate: pol.nsc, NSCMarkupBP: pol.CCANSCMarkupBP.Value, UnusedCredits: pol.CCAUnusedCredits.Value}
	}

	// Discounts, from the enrollments in force on the period's last day.
	residential := a.Class == customer.Residential
	care := c.enrolled(pl, a, customer.ProgramCARE, p, last)
	fera := c.enrolled(pl, a, customer.ProgramFERA, p, last)
	if residential {
		switch {
		case care:
			t.Discounts.CAREBP = pol.careBP(a.RateSchedule)
		case fera:
			t.Discounts.FERABP = pol.FERABP.Value
		}
		medical := c.enrolled(pl, a, customer.ProgramMedicalBaseline, p, last)
		if medical {
			t.Discounts.MedicalBaselinePerDay = pol.MedicalBaseline.Value
		}
		if care || medical {
			t.Exempt = exemptIn(t.Tariff, pol.CAREMedicalExempt.Value)
		}
	} else if care || fera {
		pl.note("CARE and FERA are residential programs; the enrollment of this %s account is not applied.", a.Class)
	}
	if c.enrolled(pl, a, ProgramPowerShare, p, last) {
		switch {
		case t.LSE != billing.CCA:
			pl.note("Power Share is a CCA program; this account takes bundled service, so the discount is not applied.")
		case t.Discounts.CAREBP == 0 && t.Discounts.FERABP == 0:
			pl.note("Power Share applies on top of CARE or FERA; the account is on neither, so the discount is not applied.")
		default:
			t.Discounts.PowerShareBP = pol.PowerShareBP.Value
		}
	}

	// Baseline allowances for schedules with a baseline credit.
	if residential && slices.ContainsFunc(t.Tariff, hasBaselineCredit) {
		if al, ok := pol.Baseline.Value[strconv.Itoa(a.ClimateZone)]; ok {
			t.Baseline = maps.Clone(al)
		} else {
			pl.note("The billing policy has no baseline allowance for climate zone %d: the baseline credit covers only a medical baseline allowance, if any.", a.ClimateZone)
		}
	}

	// Net Billing export prices and ACC Plus.
	if t.Program == billing.NBT {
		vintage := pl.PTO.Year
		lockEnd := calendar.Date{Year: pl.PTO.Year + pol.NBTLockYears.Value, Month: pl.PTO.Month, Day: min(pl.PTO.Day, 28)}
		if transition || pl.PTO.After(pol.NBTLockPTOUntil.Value) || !p.Start.Before(lockEnd) {
			vintage = p.Start.Year // prices follow the ACC of the year billed
		}
		tab, ok := c.tables[fmt.Sprintf("%s\x00%d", utility, vintage)]
		if !ok {
			return nil, notBillable("no %s export-price table of vintage %d is loaded (the Net Billing Tariff's export prices for this account)", utility, vintage)
		}
		t.ExportPrices, pl.Table = tab.Table, &tab.Ref
		if residential && !transition && !pl.PTO.After(pol.NBTLockPTOUntil.Value) && p.Start.Before(lockEnd) {
			adders := pol.accPlus
			if care || fera {
				adders = pol.accPlusEqty
			}
			t.ACCPlus = adders[pl.PTO.Year]
		}
	}

	// What other capabilities owe the bill: the Peak Management Pricing
	// rider, incentive bill credits, late-meter estimated generation.
	if err := c.planPMP(pl, a, pol); err != nil {
		return nil, err
	}
	pl.planCredits(a)
	c.planLateMeter(pl, a, pol)
	if err := c.check.Validate(t); err != nil {
		return nil, err
	}
	return pl, nil
}

// channels picks the delivered and received channels of the meters in
// service during the period.
func (pl *Plan) channels(a *Account) error {
	p := pl.Period
	meters := slices.Clone(a.Meters)
	slices.SortFunc(meters, func(x, y customer.Meter) int { return x.Installed.Compare(y.Installed) })
	step := 0
	for _, m := range meters {
		if !m.Installed.Before(p.End) || !m.Removed.IsZero() && !m.Removed.After(p.Start) {
			continue
		}
		for _, ch := range m.Channels {
			if step != 0 && ch.IntervalSeconds != step {
				return notBillable("the meters in service during %s record intervals of different lengths (%d s and %d s)", p, step, ch.IntervalSeconds)
			}
			step = ch.IntervalSeconds
			pl.netOnly = pl.netOnly || ch.NetOnly
			switch ch.Direction {
			case customer.Delivered:
				pl.Delivered = append(pl.Delivered, ch.ID)
			case customer.Received:
				pl.Received = append(pl.Received, ch.ID)
			}
		}
	}
	if len(pl.Delivered) == 0 {
		return notBillable("no meter with a delivered channel is in service during %s", p)
	}
	return nil
}

// enrolled reports whether the account is enrolled in program on day,
// and notes an enrollment that starts or ends inside the period (the
// run does not prorate discounts by days).
func (c *Catalog) enrolled(pl *Plan, a *Account, program string, p calendar.Period, day calendar.Date) bool {
	e, ok := activeOn(a.Enrollments, program, day)
	if ok && e.From.After(p.Start) {
		pl.note("%s began on %s, within this period; it applies to the whole bill.", customer.ProgramLabel(program), e.From)
	}
	if !ok {
		for _, x := range a.Enrollments {
			if x.Program == program && !x.To.IsZero() && x.To.After(p.Start) && !x.To.After(day) {
				pl.note("%s ended on %s, within this period; it is not applied to this bill.", customer.ProgramLabel(program), x.To)
			}
		}
	}
	return ok
}

func (pl *Plan) note(format string, args ...any) {
	pl.Notes = append(pl.Notes, fmt.Sprintf(format, args...))
}

// activeOn returns the enrollment in program in force on d.
func activeOn(es []customer.Enrollment, program string, d calendar.Date) (customer.Enrollment, bool) {
	for _, e := range es {
		if e.Program == program && e.ActiveOn(d) {
			return e, true
		}
	}
	return customer.Enrollment{}, false
}

// startsWithin returns an enrollment in program that starts after p's
// first day and within p.
func startsWithin(es []customer.Enrollment, program string, p calendar.Period) (customer.Enrollment, bool) {
	for _, e := range es {
		if e.Program == program && e.From.After(p.Start) && e.From.Before(p.End) {
			return e, true
		}
	}
	return customer.Enrollment{}, false
}

// splitsGeneration reports whether v prices energy with a separate
// generation component, as a CCA account's bill needs.
func splitsGeneration(v *tariff.Version) bool {
	gen := false
	for _, comp := range v.Components {
		if comp.Kind == tariff.Energy && comp.Bucket == tariff.Bundled {
			return false
		}
		gen = gen || comp.Kind == tariff.Energy && comp.Bucket == tariff.Generation
	}
	return gen
}

// exemptIn returns the names of the components of the versions that are
// among names.
func exemptIn(vs []*tariff.Version, names []string) []string {
	var out []string
	for _, v := range vs {
		for _, comp := range v.Components {
			if slices.Contains(names, comp.Name) && !slices.Contains(out, comp.Name) {
				out = append(out, comp.Name)
			}
		}
	}
	return out
}

func hasBaselineCredit(v *tariff.Version) bool {
	return len(v.ComponentsOf(tariff.BaselineCredit)) > 0
}

func loadedSpans(vs []StoredVersion) string {
	var parts []string
	for _, v := range vs {
		parts = append(parts, v.Version.Effective().String())
	}
	return strings.Join(parts, ", ")
}

// Opening returns the State carried into an account's first bill in
// gridbook, with notes for the bill. Without net metering it is the zero
// State. With it, the balances before gridbook are unknown and taken as
// zero, and the utility ledger's Relevant Period is taken to have begun
// on the last anniversary of permission to operate on or before the
// period start, with one bill per whole month since then, so that the
// annual true-up falls on the anniversary (research/billing.md §4.1:
// the Relevant Period is 12 billing cycles from PTO).
func Opening(pl *Plan) (billing.State, []string) {
	var st billing.State
	if pl.Terms.Program == billing.NoProgram || pl.PTO.IsZero() || !pl.PTO.Before(pl.Period.Start) {
		return st, nil
	}
	start := pl.Period.Start
	anniv := relevantStart(pl.PTO, start)
	months := (start.Year-anniv.Year)*12 + int(start.Month) - int(anniv.Month)
	if start.Day < anniv.Day {
		months--
	}
	st.Utility = billing.LedgerState{Start: anniv, Bills: max(months, 0)}
	if pl.Terms.LSE == billing.CCA {
		st.Generation = billing.LedgerState{Start: start}
	}
	notes := []string{fmt.Sprintf("This is the account's first bill in gridbook: net-metering balances from before %s are not on record and start at zero; the Relevant Period is taken to have begun on %s, the anniversary of permission to operate (%s).",
		start, anniv, pl.PTO)}
	return st, notes
}

// anniversary is PTO's month and day in year y (28 February for a 29
// February PTO in a common year).
func anniversary(pto calendar.Date, y int) calendar.Date {
	d, err := calendar.NewDate(y, pto.Month, pto.Day)
	if err != nil {
		d = calendar.Date{Year: y, Month: time.February, Day: 28}
	}
	return d
}
