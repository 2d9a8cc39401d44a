package billrun

import (
	"slices"
	"strings"

	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
)

// Shadow billing: what an account's bills would have been on another rate
// schedule, mapped exactly as a bill run maps the account on its own —
// its net-metering program and export prices, its CCA ledgers, its CARE,
// FERA, medical-baseline and Power Share discounts — with only the
// schedule changed. The Energy Team estimator compares schedules and
// electrification options this way.

// Schedules returns the codes of the loaded rate schedules of the
// policy's utility in the sector of the account's own schedule, sorted:
// the schedules the account may be shadow-billed on. It is empty when
// the account's schedule is not loaded.
func (c *Catalog) Schedules(a *Account, pol *Policy) []string {
	utility := pol.Utility.Value
	own := c.versions[utility+"\x00"+a.RateSchedule]
	if len(own) == 0 {
		return nil
	}
	sector := own[0].Version.Sector
	var out []string
	for k, vs := range c.versions {
		u, code, _ := strings.Cut(k, "\x00")
		if u == utility && len(vs) > 0 && strings.EqualFold(vs[0].Version.Sector, sector) {
			out = append(out, code)
		}
	}
	slices.Sort(out)
	return out
}

// Shadow returns the account's plan for each period as if it took rate
// schedule code, under the policy in force on each period's first day. An
// account that could not be billed on it (no version in force, a CCA
// account on a bundled rate, no export-price table of its vintage) gets
// the *NotBillable error of the first such period. Shadow plans bill
// periods with missing readings (as zero, noted on the bill): an estimate
// of a month with a few lost readings is still worth showing.
func (c *Catalog) Shadow(a *Account, code string, periods []calendar.Period, ps Policies) ([]*Plan, error) {
	acct := *a
	acct.RateSchedule = code
	out := make([]*Plan, 0, len(periods))
	for _, p := range periods {
		pol, err := ps.On(p.Start)
		if err != nil {
			return nil, err
		}
		pl, err := c.Plan(&acct, p, pol)
		if err != nil {
			return nil, err
		}
		pl.Terms.AllowIncomplete = true
		out = append(out, pl)
	}
	return out, nil
}

// BillSeries bills consecutive plans on one usage spanning them all,
// carrying the State from bill to bill, starting from the Opening State
// of the first plan (zero balances; for net metering a Relevant Period
// begun on the last anniversary of permission to operate). Each bill
// carries its plan's notes.
func BillSeries(calc *billing.Calculator, plans []*Plan, u *billing.Usage) ([]*billing.Bill, error) {
	if len(plans) == 0 {
		return nil, nil
	}
	st, opening := Opening(plans[0])
	out := make([]*billing.Bill, 0, len(plans))
	for i, pl := range plans {
		notes := pl.Notes
		if i == 0 {
			notes = append(slices.Clone(notes), opening...)
		}
		b, after, err := billOf(calc, &pl.Terms, pl.Period, u, st, notes)
		if err != nil {
			return nil, err
		}
		out, st = append(out, b), after
	}
	return out, nil
}
