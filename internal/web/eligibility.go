package web

import (
	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/reference"
)

// Evidence is the CARE and FERA income test of an account's household on
// a date, shown next to the enrollment form so staff see why an account
// qualifies (or not) before enrolling it.
type Evidence struct {
	On        calendar.Date
	Household *customer.Household
	Decisions []reference.Decision // CARE, then FERA; empty when Problem is set
	Problem   string               // why no decision could be made
}

// Decision returns the decision for a program code ("care" or "fera"), if
// one was made.
func (e Evidence) Decision(program string) (reference.Decision, bool) {
	for _, d := range e.Decisions {
		if string(d.Program) == program {
			return d, true
		}
	}
	return reference.Decision{}, false
}

// eligibility runs the CARE and FERA income tests (reference.Eligible) for
// the account's household on the date on.
func (h *handler) eligibility(a customer.Account, p customer.Premise, on calendar.Date) Evidence {
	ev := Evidence{On: on, Household: a.Household}
	if a.Household == nil {
		ev.Problem = "No household size and income are on file for this account, so CARE and FERA eligibility cannot be checked."
		return ev
	}
	hh := reference.Household{Size: a.Household.Size, AnnualIncome: a.Household.AnnualIncome, CountyFIPS: p.CountyFIPS}
	for _, prog := range []reference.Program{reference.CARE, reference.FERA} {
		d, err := h.db.Reference().Eligible(prog, hh, on)
		if err != nil {
			ev.Problem = apperr.Detail(err)
			ev.Decisions = nil
			return ev
		}
		ev.Decisions = append(ev.Decisions, d)
	}
	return ev
}
