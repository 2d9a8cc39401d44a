package incentive

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
)

// Policy is an open question of a program's rules that the sources leave
// to the administrator, answered explicitly: the readings it could take
// (each the eligibility conditions it adds), the reading in force and the
// default — the conservative reading a program ships with — with the
// source of the question. A quote evaluates the chosen reading's
// conditions after the program's own and traces which reading decided.
type Policy struct {
	ID       string    `json:"id"` // e.g. "income_basis"
	Question string    `json:"question"`
	Default  string    `json:"default"`          // the conservative reading
	Choice   string    `json:"choice,omitempty"` // the reading in force; "" means Default
	Readings []Reading `json:"readings"`
	Source   string    `json:"source"` // where the question and each reading come from
}

// Reading is one answer to a policy question.
type Reading struct {
	ID          string      `json:"id"`
	Says        string      `json:"says"`
	Eligibility []Condition `json:"eligibility"` // added to the program's eligibility under this reading
}

// InForce is the reading the policy applies now.
func (p Policy) InForce() Reading {
	id := p.Choice
	if id == "" {
		id = p.Default
	}
	i := slices.IndexFunc(p.Readings, func(r Reading) bool { return r.ID == id })
	if i < 0 {
		return Reading{ID: id}
	}
	return p.Readings[i]
}

// checkPolicies validates a program's policies: lower-case ids, a
// question and a source, at least two readings with distinct ids, a
// default and a choice among them, and every reading's conditions.
func checkPolicies(f *apperr.Fields, ps []Policy) {
	seen := map[string]bool{}
	for i, p := range ps {
		at := fmt.Sprintf("policies[%d]", i)
		if !codeRE.MatchString(p.ID) || seen[p.ID] {
			f.Add(at+".id", "must be a unique lower-case code such as income_basis")
		}
		seen[p.ID] = true
		if strings.TrimSpace(p.Question) == "" {
			f.Add(at+".question", "is required: the question the policy answers")
		}
		if strings.TrimSpace(p.Source) == "" {
			f.Add(at+".source", "is required: cite where the question comes from")
		}
		ids := map[string]bool{}
		for j, r := range p.Readings {
			rat := fmt.Sprintf("%s.readings[%d]", at, j)
			if !codeRE.MatchString(r.ID) || ids[r.ID] {
				f.Add(rat+".id", "must be a unique lower-case code")
			}
			ids[r.ID] = true
			if strings.TrimSpace(r.Says) == "" {
				f.Add(rat+".says", "is required: the reading in words")
			}
			checkConditions(f, rat+".eligibility", r.Eligibility)
		}
		if len(p.Readings) < 2 {
			f.Add(at+".readings", "must list at least two readings: a policy is a choice")
		}
		if !ids[p.Default] {
			f.Add(at+".default", "must be one of the readings")
		}
		if p.Choice != "" && !ids[p.Choice] {
			f.Add(at+".choice", "%q is not a reading of %s (readings: %s)", p.Choice, p.ID, readingIDs(p))
		}
	}
}

func readingIDs(p Policy) string {
	var ids []string
	for _, r := range p.Readings {
		ids = append(ids, r.ID)
	}
	return strings.Join(ids, ", ")
}

// SetPolicy chooses the reading of one of the program's policies. An
// unknown policy or reading is an Invalid error naming policy or choice.
func (p *Program) SetPolicy(id, choice string) error {
	const op = "incentive.SetPolicy"
	var f apperr.Fields
	i := slices.IndexFunc(p.Policies, func(x Policy) bool { return x.ID == id })
	if i < 0 {
		var ids []string
		for _, x := range p.Policies {
			ids = append(ids, x.ID)
		}
		f.Add("policy", "program %s has no policy %q (policies: %s)", p.ID, id, strings.Join(ids, ", "))
		return f.Err(op)
	}
	pol := &p.Policies[i]
	if !slices.ContainsFunc(pol.Readings, func(r Reading) bool { return r.ID == choice }) {
		f.Add("choice", "%q is not a reading of %s (readings: %s)", choice, id, readingIDs(*pol))
		return f.Err(op)
	}
	pol.Choice = choice
	return nil
}

// Policy returns the program's policy with the id, if any.
func (p *Program) Policy(id string) (Policy, bool) {
	i := slices.IndexFunc(p.Policies, func(x Policy) bool { return x.ID == id })
	if i < 0 {
		return Policy{}, false
	}
	return p.Policies[i], true
}

// policies evaluates the reading in force of each policy, tracing it.
func (e *eval) policies(ps []Policy) {
	for _, pol := range ps {
		r := pol.InForce()
		how := "the default"
		if pol.Choice != "" && pol.Choice != pol.Default {
			how = "chosen over the default " + pol.Default
		}
		e.step(Step{Rule: "policy." + pol.ID, Outcome: "applied",
			Detail: fmt.Sprintf("%s Reading %s (%s): %s [%s]", pol.Question, r.ID, how, r.Says, pol.Source)})
		for i, c := range r.Eligibility {
			e.condition(fmt.Sprintf("policy.%s[%d]", pol.ID, i), c)
		}
	}
}
