package dr

import (
	"context"
	"fmt"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
)

// Funding names the capped budgets that pay a program's payables: the
// incentive program (package incentive) whose budgets they draw on, and
// the measure a budget of it may be kept for ("" for budgets open to any
// measure). Every payment or credit draws on a budget and no budget is
// ever overspent (spec/cca-programs.md, "Cross-cutting rules").
type Funding struct {
	IncentiveProgram string `json:"incentive_program"`
	Measure          string `json:"measure,omitempty"`
	Source           string `json:"source"`
}

// The rules a Payer names when it refuses a payment. A refusal is an
// apperr.Conflict whose message starts with the rule and a colon.
const (
	RuleNoFunding       = "no_funding"         // the program names no incentive budget
	RuleNoBudgetInForce = "no_budget_in_force" // no budget of the incentive program covers the due day
	RuleBudgetClosed    = "budget_closed"      // every budget in force is closed by staff
	RuleBudgetExhausted = "budget_exhausted"   // paying would overspend every budget in force
)

// Refusal returns the error a Payer gives for a payment it refuses
// under rule.
func Refusal(op, rule, format string, args ...any) error {
	return apperr.Conflictf(op, "%s: %s", rule, fmt.Sprintf(format, args...))
}

// RefusalRule returns the rule of a Payer's refusal, or "" when err is
// not one.
func RefusalRule(err error) string {
	if !apperr.Is(err, apperr.Conflict) {
		return ""
	}
	rule, _, ok := strings.Cut(apperr.MessageOf(err), ":")
	if !ok {
		return ""
	}
	switch rule {
	case RuleNoFunding, RuleNoBudgetInForce, RuleBudgetClosed, RuleBudgetExhausted:
		return rule
	}
	return ""
}

// EventPayment is the payable an event settlement makes: a settled,
// positive amount, keyed by program, event and account so it is owed
// and paid once.
func EventPayment(program string, s Settlement, day calendar.Date) (Payment, bool) {
	if s.Status != Settled || s.Amount <= 0 {
		return Payment{}, false
	}
	return Payment{Key: fmt.Sprintf("dr:%s:event:%d:account:%d", program, s.EventID, s.AccountID), Program: program, AccountID: s.AccountID,
		EventID: s.EventID, Kind: "event", Due: day, Amount: s.Amount, PaidAs: "budget", Source: "event settlement"}, true
}

// PaySummary counts what paying a list of payments did.
type PaySummary struct {
	Paid         int         `json:"paid"`
	PaidCents    money.Cents `json:"paid_cents"`
	Refused      int         `json:"refused"`
	RefusedCents money.Cents `json:"refused_cents"`
	// Rules counts refusals by the rule named.
	Rules map[string]int `json:"refused_by_rule,omitempty"`
	// LastRefusal is the last refusal's message, rule first.
	LastRefusal string `json:"last_refusal,omitempty"`
}

// Add folds another summary into s.
func (s *PaySummary) Add(o PaySummary) {
	s.Paid += o.Paid
	s.PaidCents += o.PaidCents
	s.Refused += o.Refused
	s.RefusedCents += o.RefusedCents
	for r, n := range o.Rules {
		if s.Rules == nil {
			s.Rules = map[string]int{}
		}
		s.Rules[r] += n
	}
	if o.LastRefusal != "" {
		s.LastRefusal = o.LastRefusal
	}
}

// String renders the summary in a sentence.
func (s PaySummary) String() string {
	out := fmt.Sprintf("%d paid (%s)", s.Paid, s.PaidCents)
	if s.Refused > 0 {
		out += fmt.Sprintf(", %d refused (%s): %s", s.Refused, s.RefusedCents, s.LastRefusal)
	}
	return out
}

// PayAll pays each payment through payer, in order. A payment the payer
// refuses (RefusalRule names the rule) is counted and the next one is
// tried, so a budget that runs out part-way pays what it covers and
// refuses the rest, each whole; any other error stops the run. Payers
// are idempotent by key, so paying a list again pays nothing twice (a
// payment paid before counts as paid).
func PayAll(ctx context.Context, payer Payer, ps []Payment) (PaySummary, error) {
	var sum PaySummary
	for _, p := range ps {
		if _, err := payer.Pay(ctx, p); err != nil {
			rule := RefusalRule(err)
			if rule == "" {
				return sum, fmt.Errorf("paying %s: %w", p.Key, err)
			}
			sum.Refused++
			sum.RefusedCents += p.Amount
			if sum.Rules == nil {
				sum.Rules = map[string]int{}
			}
			sum.Rules[rule]++
			sum.LastRefusal = apperr.MessageOf(err)
			continue
		}
		sum.Paid++
		sum.PaidCents += p.Amount
	}
	return sum, nil
}
