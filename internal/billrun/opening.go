package billrun

import (
	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
)

// OpeningBalance is the opening balance seeded for an account: what `gridbook bill
// seed-balance --json` prints and POST /api/v1/accounts/{id}/billing-state
// answers.
type OpeningBalance struct {
	AccountID     int64         `json:"account_id"`
	AccountNumber string        `json:"account_number"`
	Through       calendar.Date `json:"through"`
	State         billing.State `json:"state"`
}

// CheckOpening checks an opening State for an account migrated to
// gridbook part-way through a Relevant Period: the balances another
// billing system carried, seeded for the period starting on through (the
// first day of the account's first bill in gridbook). Each ledger's
// Relevant Period must have begun on or before through and less than a
// year before it, with at most 11 bills already in it (the twelfth ends
// the period: research/billing.md §4.1); energy, minimum charges paid
// and carried NBT credits cannot be negative. Field names are the State's
// JSON names under utility. and cca.; the error lists every problem.
func CheckOpening(st billing.State, through calendar.Date) error {
	var f apperr.Fields
	if through.IsZero() {
		f.Add("through", "is required: the first day of the account's first bill in gridbook")
	}
	for _, l := range []struct {
		name string
		s    billing.LedgerState
	}{{"utility", st.Utility}, {"cca", st.Generation}} {
		s := l.s
		if !s.Start.IsZero() && !through.IsZero() {
			if s.Start.After(through) {
				f.Add(l.name+".relevant_start", "%s is after %s: the Relevant Period must have begun by the first bill in gridbook", s.Start, through)
			} else if yearLater := addMonths(s.Start, 12); !yearLater.After(through) {
				f.Add(l.name+".relevant_start", "%s is a year or more before %s: a Relevant Period lasts 12 billing cycles", s.Start, through)
			}
		}
		if s.Bills < 0 || s.Bills > 11 {
			f.Add(l.name+".bills", "must be 0–11 bills already in the Relevant Period, not %d", s.Bills)
		}
		if s.Bills > 0 && s.Start.IsZero() {
			f.Add(l.name+".relevant_start", "is required when bills of the Relevant Period are carried")
		}
		if s.Delivered < 0 || s.Received < 0 {
			f.Add(l.name+".delivered_wh", "energy of the Relevant Period must not be negative")
		}
		if s.MinimumPaid < 0 {
			f.Add(l.name+".minimum_paid_cents", "must not be negative")
		}
		if s.ExportCredits < 0 {
			f.Add(l.name+".export_credits_cents", "unused export credits must not be negative")
		}
		if s.ACCPlus < 0 {
			f.Add(l.name+".acc_plus_cents", "unused ACC Plus credits must not be negative")
		}
	}
	return f.Err("billrun.CheckOpening")
}
