package incentive

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/reference"
)

// IncomeTables decides household income tests against the effective-dated
// reference tables; *reference.Tables satisfies it.
type IncomeTables interface {
	Eligible(p reference.Program, h reference.Household, on calendar.Date) (reference.Decision, error)
	MemberAgencies() []reference.MemberAgency
}

// Decision is a quote: whether the facts qualify, the amount, why not,
// and the trace of every rule looked at.
type Decision struct {
	Program       string      `json:"program"`
	Measure       string      `json:"measure"`
	Eligible      bool        `json:"eligible"`
	AmountCents   money.Cents `json:"amount_cents"`
	PaymentMethod string      `json:"payment_method"`
	Reasons       []Reason    `json:"reasons"` // why not eligible (or what is missing); empty when eligible
	Trace         []Step      `json:"trace"`
	Flags         []string    `json:"flags"` // e.g. capped_at_invoice
}

// Reason is why a decision is not eligible: a code, the rule or condition
// that decided and, for a missing fact, the field.
type Reason struct {
	Code    string `json:"code"`
	Rule    string `json:"rule"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Step is one line of a decision's trace.
type Step struct {
	Rule        string       `json:"rule"`    // e.g. "eligibility[0]", "battery.base", "cap.measure"
	Outcome     string       `json:"outcome"` // pass, fail, missing, applied, skipped, capped, not_binding
	AmountCents *money.Cents `json:"amount_cents,omitempty"`
	Detail      string       `json:"detail"`
	Table       string       `json:"table,omitempty"` // reference table that decided (income tests)
	Row         string       `json:"row,omitempty"`
}

// Reason codes the engine itself reports (conditions carry their own).
const (
	ReasonMissingFact     = "missing_fact"
	ReasonNotInEffect     = "program_not_in_effect"
	ReasonPrerequisite    = "prerequisite_missing"
	ReasonExcluded        = "excluded_by_other_offer"
	ReasonNoBase          = "no_base_incentive"
	ReasonItemNotInTable  = "item_not_in_table"
	FlagCappedAtInvoice   = "capped_at_invoice"
	FlagCappedByMeasure   = "capped_by_measure_cap"
	FlagCappedByProgram   = "capped_by_program_cap"
	outcomePass, outcomeF = "pass", "fail"
)

// eval carries one quote's state.
type eval struct {
	f       *Facts
	ref     IncomeTables
	d       *Decision
	missing []string
	failed  bool
}

func (e *eval) step(s Step) { e.d.Trace = append(e.d.Trace, s) }

func (e *eval) miss(rule, field string) {
	if !slices.Contains(e.missing, field) {
		e.missing = append(e.missing, field)
	}
	e.d.Reasons = append(e.d.Reasons, Reason{Code: ReasonMissingFact, Rule: rule, Field: field,
		Message: fmt.Sprintf("fact %s is needed by %s and was not given", field, rule)})
	e.step(Step{Rule: rule, Outcome: "missing", Detail: "needs " + field})
}

func (e *eval) fail(rule, code, msg string) {
	e.failed = true
	e.d.Reasons = append(e.d.Reasons, Reason{Code: code, Rule: rule, Message: msg})
}

// Quote decides program id for the facts: eligibility, the amount with
// every cap applied and the trace. An unknown program is NotFound; an
// unknown measure, or facts missing a field a rule needs while nothing
// else already rules the application out, is an Invalid error naming the
// fields (the returned Decision lists them too). A decision never guesses
// a missing fact.
func (c *Catalog) Quote(id string, f Facts, ref IncomeTables) (Decision, error) {
	p, err := c.Program(id)
	if err != nil {
		return Decision{}, err
	}
	return p.Quote(f, ref)
}

// Quote decides the program for the facts; see Catalog.Quote.
func (p *Program) Quote(f Facts, ref IncomeTables) (Decision, error) {
	const op = "incentive.Quote"
	d := Decision{Program: p.ID, PaymentMethod: p.PaymentMethod, Reasons: []Reason{}, Trace: []Step{}, Flags: []string{}}
	if f.Date.IsZero() {
		var fe apperr.Fields
		fe.Add("date", "is required: the date the rules are evaluated on (YYYY-MM-DD)")
		return d, fe.Err(op)
	}
	mtype := ""
	if v, ok := f.lookup("measure.type"); ok {
		mtype = strings.TrimSpace(v.str)
	}
	m, err := p.Measure(mtype)
	if err != nil {
		return d, err
	}
	d.Measure = m.ID
	e := &eval{f: &f, ref: ref, d: &d}
	if !p.ActiveOn(f.Date) {
		e.fail("program", ReasonNotInEffect, fmt.Sprintf("%s is in effect %s", p.Name, p.span()))
		e.step(Step{Rule: "program", Outcome: outcomeF, Detail: "not in effect on " + f.Date.String()})
	} else {
		e.step(Step{Rule: "program", Outcome: outcomePass, Detail: "in effect on " + f.Date.String()})
	}
	for i, cond := range p.Eligibility {
		e.condition(fmt.Sprintf("eligibility[%d]", i), cond)
	}
	e.policies(p.Policies)
	for i, cond := range m.Conditions {
		e.condition(fmt.Sprintf("%s.conditions[%d]", m.ID, i), cond)
	}
	total, applied := e.rules(m)
	if !e.failed && len(e.missing) == 0 && len(applied) == 0 {
		e.fail(m.ID, ReasonNoBase, "no base incentive of "+m.Name+" applies")
	}
	if e.failed {
		return d, nil
	}
	if len(e.missing) > 0 {
		var fe apperr.Fields
		for _, r := range d.Reasons {
			if r.Code == ReasonMissingFact {
				fe.Add(r.Field, "is needed by %s", r.Rule)
			}
		}
		return d, fe.Err(op)
	}
	total = e.capAt(total, "cap.measure", m.CapCents, FlagCappedByMeasure, "the measure's cap")
	total = e.capAt(total, "cap.program", p.CapCents, FlagCappedByProgram, "the program's cap per application")
	if inv := f.InvoiceCostCents; inv != nil {
		total = e.capAt(total, "cap.invoice", *inv, FlagCappedAtInvoice, "the invoiced cost (an incentive never exceeds it)")
	}
	d.Eligible, d.AmountCents = true, total
	return d, nil
}

func (p *Program) span() string {
	if p.To.IsZero() {
		return "from " + p.From.String()
	}
	return "from " + p.From.String() + " until " + p.To.String()
}

// capAt bounds total by limit (when positive), tracing whether it bound.
func (e *eval) capAt(total money.Cents, rule string, limit money.Cents, flag, what string) money.Cents {
	if limit <= 0 && rule != "cap.invoice" {
		return total
	}
	lim := limit
	if total > lim {
		e.d.Flags = append(e.d.Flags, flag)
		e.step(Step{Rule: rule, Outcome: "capped", AmountCents: &lim, Detail: fmt.Sprintf("%s capped at %s, %s", total, lim, what)})
		return lim
	}
	e.step(Step{Rule: rule, Outcome: "not_binding", AmountCents: &lim, Detail: fmt.Sprintf("%s is within %s", total, what)})
	return total
}

// rules applies the measure's rules in order and returns the total and
// the ids of the rules that applied. When no base rule applies, the
// failed conditions of the base rules are the decision's reasons.
func (e *eval) rules(m Measure) (money.Cents, []string) {
	var total money.Cents
	var applied []string
	var baseFailures []failure
	baseApplied := false
	var unknown []string // rules undecided for want of a fact
	for _, r := range m.Rules {
		name := m.ID + "." + r.ID
		if dep := firstApplied(append(slices.Clone(r.Requires), r.Excludes...), unknown); dep != "" {
			unknown = append(unknown, r.ID) // decided once the missing fact is given
			continue
		}
		ok, missing, fails := e.all(name, r.When)
		if missing {
			unknown = append(unknown, r.ID)
			continue
		}
		if !ok {
			e.step(Step{Rule: name, Outcome: "skipped", Detail: r.Label + ": " + fails[0].msg})
			if r.Kind == Base {
				baseFailures = append(baseFailures, fails...)
			}
			continue
		}
		if r.Kind == AddOn {
			if need := missingPrereq(r.Requires, applied); need != "" {
				e.fail(name, ReasonPrerequisite, fmt.Sprintf("%s requires %s.%s, which does not apply", r.Label, m.ID, need))
				e.step(Step{Rule: name, Outcome: outcomeF, Detail: "prerequisite " + need + " did not apply"})
				continue
			}
		}
		if ex := firstApplied(r.Excludes, applied); ex != "" {
			e.step(Step{Rule: name, Outcome: "skipped", Detail: fmt.Sprintf("%s is mutually exclusive with %s.%s", r.Label, m.ID, ex)})
			continue
		}
		amt, ok := e.amount(name, r)
		if !ok {
			continue
		}
		a := amt
		e.step(Step{Rule: name, Outcome: "applied", AmountCents: &a, Detail: r.Label})
		var err error
		if total, err = money.Add(total, amt); err != nil {
			e.fail(name, "amount_out_of_range", "the amounts overflow")
			return 0, applied
		}
		applied = append(applied, r.ID)
		baseApplied = baseApplied || r.Kind == Base
	}
	if !baseApplied {
		for _, f := range baseFailures {
			e.fail(f.rule, f.code, f.msg)
		}
	}
	return total, applied
}

// failure is a condition that did not hold.
type failure struct{ rule, code, msg string }

func missingPrereq(req, applied []string) string {
	for _, r := range req {
		if !slices.Contains(applied, r) {
			return r
		}
	}
	return ""
}

func firstApplied(ex, applied []string) string {
	for _, r := range ex {
		if slices.Contains(applied, r) {
			return r
		}
	}
	return ""
}

// amount computes one applied rule's amount; false when it fails (a tier
// table without a matching row, a missing fact).
func (e *eval) amount(name string, r Rule) (money.Cents, bool) {
	q := e.f.quantity()
	perUnit := func(c money.Cents) (money.Cents, bool) {
		if !r.PerUnit && len(r.Tiers) == 0 {
			return c, true
		}
		v, err := money.MulChecked(int64(c), q)
		if err != nil {
			e.fail(name, "amount_out_of_range", "quantity × amount overflows")
			return 0, false
		}
		return money.Cents(v), true
	}
	switch {
	case len(r.Tiers) > 0:
		for i, t := range r.Tiers {
			ok, missing, _ := e.all(fmt.Sprintf("%s.tiers[%d]", name, i), t.When)
			if missing {
				return 0, false
			}
			if ok {
				e.step(Step{Rule: fmt.Sprintf("%s.tiers[%d]", name, i), Outcome: outcomePass, AmountCents: &t.AmountCents,
					Detail: fmt.Sprintf("%s: %s each", t.Label, t.AmountCents)})
				if !r.PerUnit {
					return t.AmountCents, true
				}
				return perUnit(t.AmountCents)
			}
		}
		e.fail(name, r.NoTierReason, fmt.Sprintf("%s: %s matches no row of the table (%s)", r.Label, e.tierFacts(r), tierLabels(r)))
		e.step(Step{Rule: name, Outcome: outcomeF, Detail: "no row of the table matches"})
		return 0, false
	case r.PercentBP > 0:
		inv := e.f.InvoiceCostCents
		if inv == nil {
			e.miss(name, "invoice_cost_cents")
			return 0, false
		}
		return inv.PercentBP(r.PercentBP), true
	case r.FromFact == "requested_cents":
		if e.f.RequestedCents == nil {
			e.miss(name, "requested_cents")
			return 0, false
		}
		return *e.f.RequestedCents, true
	case r.FromFact != "":
		v, ok := e.f.lookup(r.FromFact)
		if !ok {
			e.miss(name, r.FromFact)
			return 0, false
		}
		if v.kind != 'n' || v.micro < 0 || v.micro%10_000 != 0 {
			e.fail(name, "bad_amount", fmt.Sprintf("%s must be a non-negative dollar amount with at most 2 decimals, got %s", r.FromFact, v))
			return 0, false
		}
		return money.Cents(v.micro / 10_000), true
	case r.ItemsFact != "":
		v, ok := e.f.lookup(r.ItemsFact)
		if !ok {
			e.miss(name, r.ItemsFact)
			return 0, false
		}
		var sum money.Cents
		for _, it := range v.list {
			c, ok := r.Items[it]
			if !ok {
				e.fail(name, ReasonItemNotInTable, fmt.Sprintf("%s %q is not in the table (%s)", r.ItemsFact, it, strings.Join(sortedKeys(r.Items), ", ")))
				return 0, false
			}
			cc := c
			e.step(Step{Rule: name + "." + it, Outcome: "applied", AmountCents: &cc, Detail: it})
			sum += c
		}
		if len(v.list) == 0 {
			e.fail(name, ReasonItemNotInTable, r.ItemsFact+" lists no items")
			return 0, false
		}
		return sum, true
	}
	return perUnit(r.AmountCents)
}

// tierFacts names the facts a tier table reads, with their values.
func (e *eval) tierFacts(r Rule) string {
	var parts []string
	seen := map[string]bool{}
	for _, t := range r.Tiers {
		for _, c := range t.When {
			if seen[c.Fact] {
				continue
			}
			seen[c.Fact] = true
			if v, ok := e.f.lookup(c.Fact); ok {
				parts = append(parts, c.Fact+" "+v.String())
			}
		}
	}
	return strings.Join(parts, ", ")
}

func tierLabels(r Rule) string {
	var l []string
	for _, t := range r.Tiers {
		l = append(l, t.Label)
	}
	return strings.Join(l, "; ")
}

// all evaluates a rule's conditions: ok when every one passes, missing
// when a fact was absent (recorded as a missing fact), and the failures.
func (e *eval) all(rule string, cs []Condition) (ok, missing bool, fails []failure) {
	ok = true
	for i, c := range cs {
		name := fmt.Sprintf("%s.when[%d]", rule, i)
		pass, miss, detail, _ := e.test(c)
		switch {
		case miss != "":
			e.miss(name, miss)
			missing, ok = true, false
		case !pass:
			// Later conditions do not matter once one fails (a tier for
			// another lamp type needs no wattage).
			return false, missing, append(fails, failure{rule: name, code: c.Reason, msg: c.Says + ": " + detail})
		}
	}
	return ok, missing, fails
}

// condition evaluates an eligibility condition, recording it.
func (e *eval) condition(rule string, c Condition) {
	pass, miss, detail, evid := e.test(c)
	switch {
	case miss != "":
		e.miss(rule, miss)
	case pass:
		e.step(Step{Rule: rule, Outcome: outcomePass, Detail: c.Says + ": " + detail, Table: evid.Table, Row: evid.Row})
	default:
		e.fail(rule, c.Reason, c.Says+": "+detail)
		e.step(Step{Rule: rule, Outcome: outcomeF, Detail: c.Says + ": " + detail, Table: evid.Table, Row: evid.Row})
	}
}

type evidence struct{ Table, Row string }

// test evaluates one condition: pass, or the missing fact's name, with a
// detail saying what was compared.
func (e *eval) test(c Condition) (pass bool, missing, detail string, ev evidence) {
	if len(c.AnyOf) > 0 {
		var parts []string
		var miss string
		for _, sub := range c.AnyOf {
			p, m, d, _ := e.test(sub)
			if p {
				return true, "", sub.Says + ": " + d, ev
			}
			if m != "" && miss == "" {
				miss = m
			}
			parts = append(parts, sub.Says+": "+d)
		}
		if miss != "" {
			return false, miss, "", ev
		}
		return false, "", strings.Join(parts, "; "), ev
	}
	if c.Income != "" {
		return e.incomeTest(c.Income)
	}
	v, ok := e.f.lookup(c.Fact)
	if c.Present != nil {
		if ok == *c.Present {
			return true, "", c.Fact + " given: " + strconv.FormatBool(ok), ev
		}
		return false, "", c.Fact + " given: " + strconv.FormatBool(ok), ev
	}
	if !ok {
		return false, c.Fact, "", ev
	}
	got := c.Fact + " is " + v.String()
	switch {
	case c.Is != nil:
		if v.kind != 'b' {
			return false, "", got + " (want true or false)", ev
		}
		return v.b == *c.Is, "", got, ev
	case len(c.In) > 0:
		s := v.str
		if v.kind == 'n' {
			s = formatMicro(v.micro)
		} else if v.kind == 'b' {
			s = strconv.FormatBool(v.b)
		}
		for _, w := range c.In {
			if strings.EqualFold(w, s) {
				return true, "", got, ev
			}
		}
		return false, "", got + ", not one of " + strings.Join(c.In, ", "), ev
	}
	if v.kind != 'n' {
		return false, "", got + " (want a number)", ev
	}
	bound := func(s string) int64 { m, _ := parseMicro(s); return m }
	switch {
	case c.Min != "" && v.micro < bound(c.Min):
		return false, "", got + ", below the minimum " + c.Min, ev
	case c.Max != "" && v.micro > bound(c.Max):
		return false, "", got + ", above the maximum " + c.Max, ev
	case c.Below != "" && v.micro >= bound(c.Below):
		return false, "", got + ", not below " + c.Below, ev
	case c.Above != "" && v.micro <= bound(c.Above):
		return false, "", got + ", not above " + c.Above, ev
	}
	return true, "", got, ev
}

// incomeTest runs a household income test against the reference table in
// effect on the facts' date.
func (e *eval) incomeTest(test string) (bool, string, string, evidence) {
	f := e.f
	if f.HouseholdSize == nil {
		return false, "household_size", "", evidence{}
	}
	if f.HouseholdIncomeUSD == nil {
		return false, "household_income_usd", "", evidence{}
	}
	income, _ := money.ParseDollars(f.HouseholdIncomeUSD.String()) // checked by validate
	h := reference.Household{Size: *f.HouseholdSize, AnnualIncome: income}
	if test == "ami80" {
		if f.County == "" {
			return false, "county", "", evidence{}
		}
		fips, ok := countyFIPS(f.County, e.ref)
		if !ok {
			return false, "", fmt.Sprintf("county %q is not a FIPS code or a county with HUD limits loaded", f.County), evidence{}
		}
		h.CountyFIPS = fips
	}
	progs := map[string][]reference.Program{"care": {reference.CARE}, "fera": {reference.FERA},
		"care_or_fera": {reference.CARE, reference.FERA}, "ami80": {reference.AMI80}, "direct_install": {reference.DirectInstall}}[test]
	var reasons []string
	var ev evidence
	for _, p := range progs {
		dec, err := e.ref.Eligible(p, h, f.Date)
		if err != nil {
			return false, "", apperr.Detail(err), evidence{}
		}
		ev = evidence{Table: dec.Table, Row: dec.Row}
		if dec.Eligible {
			return true, "", dec.Reason, ev
		}
		reasons = append(reasons, dec.Reason)
	}
	return false, "", strings.Join(reasons, "; "), ev
}

// countyFIPS resolves a FIPS code or a county name ("Los Angeles",
// "Ventura County") through the member-agency table.
func countyFIPS(s string, ref IncomeTables) (string, bool) {
	if fipsRE.MatchString(s) {
		return s, true
	}
	name := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(s)), " county")
	for _, a := range ref.MemberAgencies() {
		if strings.ToLower(a.County) == name {
			return a.CountyFIPS, true
		}
	}
	return "", false
}
