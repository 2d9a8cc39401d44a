package rps

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

// Jurisdiction names a regime of RPS rules: who verifies compliance and
// with which percentages and limits.
type Jurisdiction string

// The jurisdictions of rulesets.json.
const (
	// CPUCRetailSeller is an electrical corporation or a community choice
	// aggregator (Pub. Util. Code §399.12(j)(1)-(2)).
	CPUCRetailSeller Jurisdiction = "CPUC_RETAIL_SELLER"
	// CPUCESP is an electric service provider (§399.12(j)(3)), whose
	// balance limits start with contracts executed after 2011-01-13.
	CPUCESP Jurisdiction = "CPUC_ESP"
	// CPUCSMJU is a small or multi-jurisdictional utility exempt from the
	// portfolio-content limits (§399.17, §399.18).
	CPUCSMJU Jurisdiction = "CPUC_SMJU"
	// CECPOU is a local publicly owned electric utility (§399.30), whose
	// CP2 percentages differ (20 CCR §3204(a)(2)).
	CECPOU Jurisdiction = "CEC_POU"
)

// ExcessEra names the excess-procurement rules of a period
// (Pub. Util. Code §399.13(a)(5)(B)).
type ExcessEra string

// Excess-procurement eras.
const (
	// EraSB2 is the rules in effect on 2015-01-01 for periods through 2020
	// (SB 2 (1X), D.12-06-038): short-term contracts (other than count in
	// full) and PCC3 are deducted before excess is computed.
	EraSB2 ExcessEra = "SB2_1X"
	// EraSB350 is §399.13(a)(5)(B)(i)-(ii) for periods after 2020: only
	// PCC1 may count as excess, and counted PCC2/PCC3 are not deducted.
	EraSB350 ExcessEra = "SB350"
)

// Source is where a rule comes from, with the research note's confidence
// tag: V (verified), S (statute per seed 004), D (derived), R (recalled).
type Source struct {
	Rule       string `json:"rule"`
	Citation   string `json:"citation"`
	Confidence string `json:"confidence"`
}

// RuleSet is the rules of one compliance period in one jurisdiction.
type RuleSet struct {
	Jurisdiction Jurisdiction `json:"jurisdiction"`
	Name         string       `json:"name"`
	Period       string       `json:"period"` // "CP1" …
	FirstYear    int          `json:"first_year"`
	LastYear     int          `json:"last_year"`
	// Targets is each year's percentage of that year's retail sales,
	// exactly as published.
	Targets map[int]Percent `json:"targets"`
	// PCC1Min and PCC3Max are the portfolio balance limits
	// (§399.16(c)(1)-(2)).
	PCC1Min Percent `json:"pcc1_min"`
	PCC3Max Percent `json:"pcc3_max"`
	// LongTermMin is the share of counted procurement that must come from
	// contracts of 10 years or more or ownership ("0" before 2021;
	// §399.13(b)).
	LongTermMin Percent   `json:"long_term_min"`
	ExcessEra   ExcessEra `json:"excess_era"`
	// BalanceFrom is the first contract execution date subject to the
	// balance limits; earlier contracts count in full (§399.16(c)-(d)).
	BalanceFrom calendar.Date `json:"balance_from"`
	// BalanceExempt turns the balance limits off (§399.17, §399.18).
	BalanceExempt bool     `json:"balance_exempt"`
	Sources       []Source `json:"sources"`
}

// Years returns the period's years in order.
func (r *RuleSet) Years() []int {
	out := make([]int, 0, r.LastYear-r.FirstYear+1)
	for y := r.FirstYear; y <= r.LastYear; y++ {
		out = append(out, y)
	}
	return out
}

// Start and End are the period's first day and the day after its last.
func (r *RuleSet) Start() calendar.Date { return calendar.Date{Year: r.FirstYear, Month: 1, Day: 1} }

// End returns the day after the period's last day.
func (r *RuleSet) End() calendar.Date { return calendar.Date{Year: r.LastYear + 1, Month: 1, Day: 1} }

// Contains reports whether year is in the period.
func (r *RuleSet) Contains(year int) bool { return year >= r.FirstYear && year <= r.LastYear }

// Validate checks a rule set: a known jurisdiction and era, a period of
// consecutive years each with a published percentage (a rule set whose
// percentages are missing a year is refused), percentages that parse
// exactly, and limits that can be met together.
func (r *RuleSet) Validate() error {
	var f apperr.Fields
	switch r.Jurisdiction {
	case CPUCRetailSeller, CPUCESP, CPUCSMJU, CECPOU:
	default:
		f.Add("jurisdiction", "unknown jurisdiction %q (want %s, %s, %s or %s)", r.Jurisdiction, CPUCRetailSeller, CPUCESP, CPUCSMJU, CECPOU)
	}
	if r.Period == "" {
		f.Add("period", "is required")
	}
	if r.FirstYear < 2011 || r.LastYear < r.FirstYear || r.LastYear > 9998 {
		f.Add("last_year", "years %d–%d are not a compliance period from 2011 on", r.FirstYear, r.LastYear)
	} else {
		for y := r.FirstYear; y <= r.LastYear; y++ {
			p, ok := r.Targets[y]
			if !ok {
				f.Add(fmt.Sprintf("targets.%d", y), "the period %s has no percentage for %d", r.Period, y)
				continue
			}
			if _, err := p.Fraction(); err != nil {
				f.Add(fmt.Sprintf("targets.%d", y), "%s", apperr.MessageOf(err))
			}
		}
		for y := range r.Targets {
			if !r.Contains(y) {
				f.Add(fmt.Sprintf("targets.%d", y), "is outside the period %d–%d", r.FirstYear, r.LastYear)
			}
		}
	}
	for name, p := range map[string]Percent{"pcc1_min": r.PCC1Min, "pcc3_max": r.PCC3Max, "long_term_min": r.LongTermMin} {
		if _, err := p.Fraction(); err != nil {
			f.Add(name, "%s", apperr.MessageOf(err))
		}
	}
	if len(f) == 0 {
		if r.PCC1Min.mustFraction().Cmp(new(big.Rat).Sub(big.NewRat(1, 1), r.PCC3Max.mustFraction())) > 0 {
			f.Add("pcc3_max", "a PCC1 minimum of %s%% and a PCC3 maximum of %s%% cannot both hold", r.PCC1Min, r.PCC3Max)
		}
		if r.PCC3Max.mustFraction().Cmp(big.NewRat(1, 1)) == 0 && !r.BalanceExempt {
			f.Add("pcc3_max", "must be below 100%% unless the jurisdiction is exempt from the balance limits")
		}
	}
	if r.ExcessEra != EraSB2 && r.ExcessEra != EraSB350 {
		f.Add("excess_era", "unknown era %q (want %s or %s)", r.ExcessEra, EraSB2, EraSB350)
	}
	if r.BalanceFrom.IsZero() {
		f.Add("balance_from", "is required")
	}
	return f.Err("rps.RuleSet")
}

// Rules is a validated collection of rule sets.
type Rules struct {
	sets []RuleSet
}

//go:embed rulesets.json
var rulesetsJSON []byte

// rulesFile is the layout of rulesets.json.
type rulesFile struct {
	Note          string `json:"note"`
	Jurisdictions []struct {
		Jurisdiction  Jurisdiction  `json:"jurisdiction"`
		Name          string        `json:"name"`
		BalanceFrom   calendar.Date `json:"balance_from"`
		BalanceExempt bool          `json:"balance_exempt"`
		PeriodsLike   Jurisdiction  `json:"periods_like"`
		Sources       []Source      `json:"sources"`
		Periods       []struct {
			Period      string             `json:"period"`
			FirstYear   int                `json:"first_year"`
			LastYear    int                `json:"last_year"`
			Targets     map[string]Percent `json:"targets"`
			PCC1Min     Percent            `json:"pcc1_min"`
			PCC3Max     Percent            `json:"pcc3_max"`
			LongTermMin Percent            `json:"long_term_min"`
			ExcessEra   ExcessEra          `json:"excess_era"`
			Sources     []Source           `json:"sources"`
		} `json:"periods"`
	} `json:"jurisdictions"`
}

// DefaultRules returns the rule sets shipped in rulesets.json.
func DefaultRules() (*Rules, error) { return ParseRules(rulesetsJSON) }

// ParseRules reads and validates a rule-set document in the layout of
// rulesets.json. A jurisdiction may take its periods from another with
// "periods_like". Any invalid rule set refuses the whole document, naming
// the jurisdiction, period and field.
func ParseRules(b []byte) (*Rules, error) {
	const op = "rps.ParseRules"
	var doc rulesFile
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, apperr.E(apperr.Invalid, op, "the rule-set document is not valid JSON in the expected layout", err)
	}
	byName := map[Jurisdiction]int{}
	for i, j := range doc.Jurisdictions {
		byName[j.Jurisdiction] = i
	}
	var f apperr.Fields
	rules := &Rules{}
	for _, j := range doc.Jurisdictions {
		periods := j.Periods
		if j.PeriodsLike != "" {
			k, ok := byName[j.PeriodsLike]
			if !ok || len(doc.Jurisdictions[k].Periods) == 0 {
				f.Add(string(j.Jurisdiction)+".periods_like", "names no jurisdiction with periods: %q", j.PeriodsLike)
				continue
			}
			periods = doc.Jurisdictions[k].Periods
		}
		for _, p := range periods {
			rs := RuleSet{Jurisdiction: j.Jurisdiction, Name: j.Name, Period: p.Period, FirstYear: p.FirstYear, LastYear: p.LastYear,
				Targets: map[int]Percent{}, PCC1Min: p.PCC1Min, PCC3Max: p.PCC3Max, LongTermMin: p.LongTermMin, ExcessEra: p.ExcessEra,
				BalanceFrom: j.BalanceFrom, BalanceExempt: j.BalanceExempt,
				Sources: append(slices.Clone(j.Sources), p.Sources...)}
			if rs.BalanceExempt {
				rs.PCC1Min, rs.PCC3Max = "0", "100"
			}
			prefix := string(j.Jurisdiction) + "." + p.Period + "."
			for k, v := range p.Targets {
				y, err := strconv.Atoi(k)
				if err != nil {
					f.Add(prefix+"targets."+k, "is not a year")
					continue
				}
				rs.Targets[y] = v
			}
			if err := rs.Validate(); err != nil {
				for _, fe := range apperr.FieldsOf(err) {
					f.Add(prefix+fe.Field, "%s", fe.Msg)
				}
				continue
			}
			for _, o := range rules.sets {
				if o.Jurisdiction == rs.Jurisdiction && (o.Period == rs.Period || (o.FirstYear <= rs.LastYear && rs.FirstYear <= o.LastYear)) {
					f.Add(prefix+"period", "overlaps %s (%d–%d)", o.Period, o.FirstYear, o.LastYear)
				}
			}
			rules.sets = append(rules.sets, rs)
		}
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	return rules, nil
}

// All returns every rule set, by jurisdiction and period.
func (r *Rules) All() []RuleSet { return slices.Clone(r.sets) }

// Lookup returns the rule set of a jurisdiction's period ("CP4").
func (r *Rules) Lookup(j Jurisdiction, period string) (RuleSet, error) {
	for _, s := range r.sets {
		if s.Jurisdiction == j && s.Period == period {
			return s, nil
		}
	}
	return RuleSet{}, apperr.NotFoundf("rps.Rules.Lookup", "no rule set for %s period %q", j, period)
}

// ForYear returns the rule set of the period that contains year.
func (r *Rules) ForYear(j Jurisdiction, year int) (RuleSet, error) {
	for _, s := range r.sets {
		if s.Jurisdiction == j && s.Contains(year) {
			return s, nil
		}
	}
	return RuleSet{}, apperr.NotFoundf("rps.Rules.ForYear", "no %s compliance period contains %d", j, year)
}

// Periods returns the rule sets of a jurisdiction in period order.
func (r *Rules) Periods(j Jurisdiction) []RuleSet {
	var out []RuleSet
	for _, s := range r.sets {
		if s.Jurisdiction == j {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b RuleSet) int { return a.FirstYear - b.FirstYear })
	return out
}
