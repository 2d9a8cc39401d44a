package incentive

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
)

// Payment methods.
const (
	PayCheck         = "check"
	PayACH           = "ach"
	PayBillCredit    = "bill_credit"
	PayInstantCoupon = "instant_coupon"
	PayMidstream     = "midstream"
	PayDirectInstall = "direct_install" // no payment to the customer: the measure is installed at no cost
	PayGrant         = "grant"          // disbursed to a member agency against milestones
	PayDiscount      = "bill_discount"  // a tariff discount applied by the billing engine
	PayNone          = "none"           // recognition only (Green Leader)
)

var payMethods = []string{PayCheck, PayACH, PayBillCredit, PayInstantCoupon, PayMidstream, PayDirectInstall, PayGrant, PayDiscount, PayNone}

// Program is a customer program as data: who may take part, which
// measures it pays for, how much, and how it pays. Amounts are integer
// cents; every program, measure and rule names its source.
type Program struct {
	ID            string        `json:"id"` // stable slug, e.g. "sun-storage-rebate"
	Name          string        `json:"name"`
	Administrator string        `json:"administrator"` // CPA, SCE, …
	Kind          string        `json:"kind"`          // rebate, coupon, grant, direct_install, new_construction, whole_home, tariff
	Summary       string        `json:"summary"`
	Source        string        `json:"source"` // citation of the amounts and rules
	From          calendar.Date `json:"effective_from"`
	To            calendar.Date `json:"effective_to,omitzero"` // first day no longer in effect; zero while open
	PaymentMethod string        `json:"payment_method"`
	// Eligibility applies to every measure.
	Eligibility []Condition `json:"eligibility,omitempty"`
	Measures    []Measure   `json:"measures"`
	// CapCents bounds one application's total (0: none).
	CapCents money.Cents `json:"cap_cents,omitempty"`
	// OnePerHousehold allows one award per household per measure within
	// LookbackYears (Golden State Rebates terms: one per household per
	// measure; 5-year look-back).
	OnePerHousehold bool `json:"one_per_household,omitempty"`
	LookbackYears   int  `json:"lookback_years,omitempty"`
	// Coupon holds the rules of instant coupons, when the program issues
	// them.
	Coupon *CouponRules `json:"coupon,omitempty"`
	// DiscountBP is a bill discount in basis points that the billing
	// engine applies to enrolled accounts (Power Share: 2000); the
	// enrollment is the account's program enrollment (ProgramEnrollment).
	DiscountBP int64 `json:"discount_bp,omitempty"`
	// ProgramEnrollment is the customer.Enrollment program code an
	// enrolment in this program writes (e.g. "power_share").
	ProgramEnrollment string `json:"program_enrollment,omitempty"`
	// Budgets are the funds the program draws on, created by an import
	// when absent.
	Budgets []BudgetSpec `json:"budgets,omitempty"`
	// Policies answer the open questions of the program's rules
	// explicitly, each with its readings and the one in force.
	Policies []Policy `json:"policies,omitempty"`
}

// BudgetSpec is a budget as configured in a programs document.
type BudgetSpec struct {
	ID             string        `json:"id"` // slug, unique across programs
	Name           string        `json:"name"`
	Measure        string        `json:"measure,omitempty"` // only this measure draws on it; "" for any
	From           calendar.Date `json:"period_from"`
	To             calendar.Date `json:"period_to,omitzero"` // first day after the period; zero while open
	AllocatedCents money.Cents   `json:"allocated_cents"`
	// MinReservableCents closes the budget to new reservations (publicly
	// "funds exhausted") when less than this is available.
	MinReservableCents money.Cents `json:"min_reservable_cents,omitempty"`
	// SetAside restricts the budget to applications meeting it:
	// "income_qualified" (CARE/FERA), "dac" or "income_qualified_or_dac";
	// "" for anyone. Reservations try set-asides first.
	SetAside string `json:"set_aside,omitempty"`
	Source   string `json:"source"`
}

// Measure is one thing a program pays for (a battery, a lamp type, an
// upgrade path). Conditions add to the program's eligibility; Rules make
// the amount.
type Measure struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Unit       string      `json:"unit,omitempty"` // each, project, home …
	Conditions []Condition `json:"conditions,omitempty"`
	Rules      []Rule      `json:"rules"`
	// CapCents bounds the measure's total per application (e.g. HVAC
	// quality installation $750); 0 for none.
	CapCents money.Cents `json:"cap_cents,omitempty"`
	Source   string      `json:"source,omitempty"`
}

// Rule kinds.
const (
	Base  = "base"  // the measure's own incentive; at least one must apply
	AddOn = "addon" // paid on top of a base rule (Requires names it)
)

// Rule is one incentive amount: a flat amount, per unit, a share of the
// invoice, a calculated amount taken from a fact, a table of tiers or the
// sum of listed items. When conditions decide whether it applies.
type Rule struct {
	ID   string `json:"id"`
	Kind string `json:"kind"` // base or addon
	// AmountCents is a flat amount (per unit when PerUnit).
	AmountCents money.Cents `json:"amount_cents,omitempty"`
	PerUnit     bool        `json:"per_unit,omitempty"`
	// PercentBP pays this share (basis points) of the invoiced cost.
	PercentBP int64 `json:"percent_bp,omitempty"`
	// FromFact pays the amount given by a fact: "requested_cents" or a
	// measure attribute in dollars ("measure.calculated_incentive_usd"),
	// such as the incentive a program's modelling software computed.
	FromFact string `json:"from_fact,omitempty"`
	// Tiers pay the first tier whose conditions hold; when none does the
	// measure is not eligible with NoTierReason (an explicit "not
	// eligible", never $0).
	Tiers        []Tier `json:"tiers,omitempty"`
	NoTierReason string `json:"no_tier_reason,omitempty"`
	// Items prices each entry of a list attribute (ItemsFact, e.g.
	// "measure.upgrades") from the table and pays the sum.
	ItemsFact string                 `json:"items_fact,omitempty"`
	Items     map[string]money.Cents `json:"items,omitempty"`
	When      []Condition            `json:"when,omitempty"`
	Requires  []string               `json:"requires,omitempty"` // rule ids that must have applied (add-ons)
	Excludes  []string               `json:"excludes,omitempty"` // rule ids that must not have applied
	Label     string                 `json:"label"`
	Source    string                 `json:"source,omitempty"`
}

// Tier is one row of a tiered table.
type Tier struct {
	When        []Condition `json:"when"`
	AmountCents money.Cents `json:"amount_cents"`
	Label       string      `json:"label"`
}

// Condition tests one fact. Exactly one test is set: Is (a boolean), In
// (one of the strings or integers), a range of Min/Max (inclusive
// decimals) and Below/Above (exclusive decimals), Present, Income (a household income test
// against the effective-dated reference tables: care, fera, care_or_fera,
// ami80, direct_install) or AnyOf (at least one of the nested
// conditions). Reason is the code a decision reports when it fails, e.g.
// "energy_factor_below_min".
type Condition struct {
	Fact    string      `json:"fact,omitempty"`
	Is      *bool       `json:"is,omitempty"`
	In      []string    `json:"in,omitempty"`
	Min     string      `json:"min,omitempty"`
	Max     string      `json:"max,omitempty"`
	Below   string      `json:"below,omitempty"`
	Above   string      `json:"above,omitempty"`
	Present *bool       `json:"present,omitempty"`
	Income  string      `json:"income,omitempty"`
	AnyOf   []Condition `json:"any_of,omitempty"`
	Reason  string      `json:"reason"`
	Says    string      `json:"says"` // the rule in words, e.g. "energy factor at least 2.0"
}

// CouponRules are an instant-coupon program's terms (Golden State Rebates
// terms and conditions, research/programs.md §4.1).
type CouponRules struct {
	// ExpiresDec31 makes a coupon expire on December 31 of its issue year.
	ExpiresDec31 bool `json:"expires_dec31"`
	// ReturnBlockYears blocks a new coupon for the household and measure
	// for this many years after a returned product.
	ReturnBlockYears int `json:"return_block_years"`
	// Retailers a coupon may be bound to (empty: any participating
	// retailer named at issue) and Channels (in_store, online).
	Retailers []string `json:"retailers,omitempty"`
	Channels  []string `json:"channels"`
}

var slugRE = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
var codeRE = regexp.MustCompile(`^[a-z0-9]+(_[a-z0-9]+)*$`)

// Validate checks a program when it is saved or imported: ids, sources,
// dates, payment method, every condition's fact and test, every rule's
// amount type and references. Problems name the path, e.g.
// measures[0].rules[1].requires.
func (p *Program) Validate() error {
	var f apperr.Fields
	if !slugRE.MatchString(p.ID) {
		f.Add("id", "must be a lower-case slug such as sun-storage-rebate")
	}
	if strings.TrimSpace(p.Name) == "" {
		f.Add("name", "is required")
	}
	if strings.TrimSpace(p.Source) == "" {
		f.Add("source", "is required: cite where the amounts and rules come from")
	}
	if p.From.IsZero() {
		f.Add("effective_from", "is required")
	}
	if !p.To.IsZero() && !p.To.After(p.From) {
		f.Add("effective_to", "must be after effective_from")
	}
	if !slices.Contains(payMethods, p.PaymentMethod) {
		f.Add("payment_method", "must be one of %s", strings.Join(payMethods, ", "))
	}
	if p.CapCents < 0 {
		f.Add("cap_cents", "must not be negative")
	}
	if p.OnePerHousehold && p.LookbackYears < 1 {
		f.Add("lookback_years", "must be at least 1 with one_per_household")
	}
	if c := p.Coupon; c != nil {
		if len(c.Channels) == 0 {
			f.Add("coupon.channels", "must list at least one channel")
		}
	}
	if p.DiscountBP < 0 || p.DiscountBP > 10_000 {
		f.Add("discount_bp", "must be 0 to 10000 basis points")
	}
	for i, b := range p.Budgets {
		at := fmt.Sprintf("budgets[%d]", i)
		if !slugRE.MatchString(b.ID) {
			f.Add(at+".id", "must be a lower-case slug")
		}
		if b.AllocatedCents <= 0 {
			f.Add(at+".allocated_cents", "must be positive")
		}
		if b.From.IsZero() {
			f.Add(at+".period_from", "is required")
		} else if !b.To.IsZero() && !b.To.After(b.From) {
			f.Add(at+".period_to", "must be after period_from")
		}
		if !slices.Contains(SetAsides, b.SetAside) {
			f.Add(at+".set_aside", "must be empty, income_qualified, dac or income_qualified_or_dac")
		}
		if strings.TrimSpace(b.Source) == "" {
			f.Add(at+".source", "is required")
		}
		if b.Measure != "" && !slices.ContainsFunc(p.Measures, func(m Measure) bool { return m.ID == b.Measure }) {
			f.Add(at+".measure", "%q is not a measure of the program", b.Measure)
		}
	}
	checkConditions(&f, "eligibility", p.Eligibility)
	checkPolicies(&f, p.Policies)
	if len(p.Measures) == 0 {
		f.Add("measures", "must list at least one measure")
	}
	seen := map[string]bool{}
	for i, m := range p.Measures {
		at := fmt.Sprintf("measures[%d]", i)
		if !codeRE.MatchString(m.ID) {
			f.Add(at+".id", "must be a lower-case code such as battery")
		} else if seen[m.ID] {
			f.Add(at+".id", "measure %q is listed twice", m.ID)
		}
		seen[m.ID] = true
		if m.CapCents < 0 {
			f.Add(at+".cap_cents", "must not be negative")
		}
		checkConditions(&f, at+".conditions", m.Conditions)
		checkRules(&f, at, m.Rules)
	}
	return f.Err("incentive.Program")
}

func checkRules(f *apperr.Fields, at string, rules []Rule) {
	ids := map[string]int{}
	base := false
	for i, r := range rules {
		ids[r.ID] = i
		base = base || r.Kind == Base
	}
	if !base {
		f.Add(at+".rules", "must have at least one base rule")
	}
	for i, r := range rules {
		rat := fmt.Sprintf("%s.rules[%d]", at, i)
		if !codeRE.MatchString(r.ID) {
			f.Add(rat+".id", "must be a lower-case code")
		}
		if r.Kind != Base && r.Kind != AddOn {
			f.Add(rat+".kind", "must be base or addon")
		}
		if strings.TrimSpace(r.Label) == "" {
			f.Add(rat+".label", "is required")
		}
		types := 0
		for _, set := range []bool{r.AmountCents != 0, r.PercentBP != 0, r.FromFact != "", len(r.Tiers) > 0, r.ItemsFact != ""} {
			if set {
				types++
			}
		}
		// A rule may pay $0 only as an explicit no-cost (direct install)
		// measure: amount_cents 0 with no other amount type.
		if types > 1 {
			f.Add(rat, "must use one amount type: amount_cents, percent_bp, from_fact, tiers or items")
		}
		if r.AmountCents < 0 || r.PercentBP < 0 || r.PercentBP > 10_000 {
			f.Add(rat, "amounts must not be negative and percent_bp at most 10000")
		}
		if r.FromFact != "" && r.FromFact != "requested_cents" && !strings.HasPrefix(r.FromFact, "measure.") {
			f.Add(rat+".from_fact", "must be requested_cents or a measure attribute in dollars")
		}
		if r.ItemsFact != "" && (!strings.HasPrefix(r.ItemsFact, "measure.") || len(r.Items) == 0) {
			f.Add(rat+".items", "need items_fact naming a measure attribute and a priced items table")
		}
		if len(r.Tiers) > 0 && r.NoTierReason == "" {
			f.Add(rat+".no_tier_reason", "is required with tiers")
		}
		for j, t := range r.Tiers {
			checkConditions(f, fmt.Sprintf("%s.tiers[%d].when", rat, j), t.When)
			if t.AmountCents <= 0 {
				f.Add(fmt.Sprintf("%s.tiers[%d].amount_cents", rat, j), "must be positive")
			}
		}
		checkConditions(f, rat+".when", r.When)
		for _, id := range append(slices.Clone(r.Requires), r.Excludes...) {
			if j, ok := ids[id]; !ok || j >= i {
				f.Add(rat+".requires", "%q must be an earlier rule of the measure", id)
			}
		}
		if r.Kind == AddOn && len(r.Requires) == 0 {
			f.Add(rat+".requires", "an add-on must name the base rule it requires")
		}
	}
}

var incomeTests = []string{"care", "fera", "care_or_fera", "ami80", "direct_install"}

func checkConditions(f *apperr.Fields, at string, cs []Condition) {
	for i, c := range cs {
		cat := fmt.Sprintf("%s[%d]", at, i)
		tests := 0
		for _, set := range []bool{c.Is != nil, len(c.In) > 0, c.Min != "" || c.Max != "" || c.Below != "" || c.Above != "",
			c.Present != nil, c.Income != "", len(c.AnyOf) > 0} {
			if set {
				tests++
			}
		}
		if tests != 1 {
			f.Add(cat, "must have exactly one test: is, in, a range (min, max, below, above), present, income or any_of")
		}
		if c.Reason == "" || !codeRE.MatchString(c.Reason) {
			f.Add(cat+".reason", "is required: a lower-case reason code")
		}
		if c.Says == "" {
			f.Add(cat+".says", "is required: the rule in words")
		}
		switch {
		case len(c.AnyOf) > 0:
			checkConditions(f, cat+".any_of", c.AnyOf)
		case c.Income != "":
			if !slices.Contains(incomeTests, c.Income) {
				f.Add(cat+".income", "must be one of %s", strings.Join(incomeTests, ", "))
			}
		default:
			if !knownFact(c.Fact) {
				f.Add(cat+".fact", "unknown fact %q", c.Fact)
			}
		}
		for _, d := range []string{c.Min, c.Max, c.Below, c.Above} {
			if d == "" {
				continue
			}
			if _, err := parseMicro(d); err != nil {
				f.Add(cat, "%s", err.Error())
			}
		}
	}
}

func knownFact(name string) bool {
	if k, ok := strings.CutPrefix(name, "measure."); ok {
		return codeRE.MatchString(k)
	}
	return slices.Contains(FactNames, name)
}

// Catalog is a set of programs by id. It is read-only once built.
type Catalog struct {
	programs []Program
	byID     map[string]int
}

// NewCatalog validates every program and indexes them. Problems name the
// program: programs[2].measures[0].rules[0].label.
func NewCatalog(ps []Program) (*Catalog, error) {
	c := &Catalog{byID: map[string]int{}}
	var f apperr.Fields
	for i, p := range ps {
		if err := p.Validate(); err != nil {
			for _, fe := range apperr.FieldsOf(err) {
				f.Add(fmt.Sprintf("programs[%d].%s", i, fe.Field), "%s", fe.Msg)
			}
			continue
		}
		if _, dup := c.byID[p.ID]; dup {
			f.Add(fmt.Sprintf("programs[%d].id", i), "program %q is listed twice", p.ID)
			continue
		}
		c.byID[p.ID] = len(c.programs)
		c.programs = append(c.programs, p)
	}
	if err := f.Err("incentive.NewCatalog"); err != nil {
		return nil, err
	}
	return c, nil
}

// ParsePrograms reads a programs document: {"programs":[…]} or a list,
// strictly, and validates it into a catalog.
func ParsePrograms(b []byte) (*Catalog, error) {
	const op = "incentive.ParsePrograms"
	var doc struct {
		Programs []Program `json:"programs"`
	}
	var err error
	trim := strings.TrimSpace(string(b))
	if strings.HasPrefix(trim, "[") {
		err = strictJSON(b, &doc.Programs)
	} else {
		err = strictJSON(b, &doc)
	}
	if err != nil {
		var f apperr.Fields
		f.Add("programs", "%s", err.Error())
		return nil, f.Err(op)
	}
	return NewCatalog(doc.Programs)
}

func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Programs returns the programs in catalog order.
func (c *Catalog) Programs() []Program { return slices.Clone(c.programs) }

// Program returns the program with the id, or a NotFound error.
func (c *Catalog) Program(id string) (Program, error) {
	i, ok := c.byID[id]
	if !ok {
		return Program{}, apperr.NotFoundf("incentive.Program", "unknown program %q", id)
	}
	return c.programs[i], nil
}

// Measure returns the measure of p with the id; "" picks the only measure
// of a one-measure program. Unknown measures are an Invalid error naming
// measure.type and listing the program's measures.
func (p *Program) Measure(id string) (Measure, error) {
	if id == "" && len(p.Measures) == 1 {
		return p.Measures[0], nil
	}
	var ids []string
	for _, m := range p.Measures {
		if m.ID == id {
			return m, nil
		}
		ids = append(ids, m.ID)
	}
	var f apperr.Fields
	if id == "" {
		f.Add("measure.type", "is required: program %s has measures %s", p.ID, strings.Join(ids, ", "))
	} else {
		f.Add("measure.type", "unknown measure %q for program %s (measures: %s)", id, p.ID, strings.Join(ids, ", "))
	}
	return Measure{}, f.Err("incentive.Measure")
}

// ActiveOn reports whether the program is in effect on d.
func (p *Program) ActiveOn(d calendar.Date) bool {
	return !d.Before(p.From) && (p.To.IsZero() || d.Before(p.To))
}

// Set-aside kinds of a budget.
var SetAsides = []string{"", "income_qualified", "dac", "income_qualified_or_dac"}
