// Package nemtest holds test fixtures for the NEM engine and its callers:
// application records that carry the totals of SCE's AB 327 program-cap
// report for September 2014 (seed 002), for the engine's, the CLI's and
// the API's reproductions of that report.
package nemtest

import (
	"fmt"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/nem"
)

// The unrounded totals the records carry. The published report shows them
// rounded: 1,021 received (7.5 MW), 7,138 pending (94.4 MW), 97,478
// installed (836.4 MW), 104,616 installed + pending (930.9 MW — more than
// 836.4 + 94.4 because the published sum is of unrounded MW), 2.08% of
// 44,807 MW and 1,309.1 MW remaining under the 2,240 MW cap.
const (
	ReceivedW  energy.W = 7_487_100
	PendingW   energy.W = 94_431_300
	InstalledW energy.W = 836_446_200
)

// group is a run of records with a total capacity.
type group struct {
	n                                    int
	total                                energy.W
	status                               nem.Status
	submitted, approved, pto, terminated func(i int) calendar.Date
}

func date(y, m, d int) calendar.Date { return calendar.Date{Year: y, Month: time.Month(m), Day: d} }

// spread returns day i of a cycle through the days of [from, from+span).
func spread(from calendar.Date, span int) func(int) calendar.Date {
	return func(i int) calendar.Date { return from.AddDays(i % span) }
}

func after(f func(int) calendar.Date, days int) func(int) calendar.Date {
	return func(i int) calendar.Date { return f(i).AddDays(days) }
}

func none(int) calendar.Date { return calendar.Date{} }

// September2014 returns application records whose report for 2014-09
// against SCE's cap carries the published totals: systems installed since
// 1996 (some later terminated, after the month and before it), applications
// pending at 2014-09-30 (some interconnected in October), applications
// received in September (installed, pending and withdrawn within the
// month), and applications received after the month.
func September2014() []nem.CapRecord {
	sep := spread(date(2014, 9, 1), 30)
	old := spread(date(1996, 1, 2), 6_400) // 1996 to 2013
	groups := []group{
		// Received in September: 21 interconnected within the month, 950
		// still pending, 50 withdrawn within the month.
		{21, 150_000, nem.Active, sep, after(sep, 0), after(sep, 0), none},
		{950, PendingW - 87_444_200, nem.TechnicalReview, sep, none, none, none},
		{50, ReceivedW - 150_000 - (PendingW - 87_444_200), nem.Withdrawn, sep, none, none, after(sep, 0)},
		// Pending from before September: 5,188 still in review, 1,000
		// interconnected in October.
		{5_188, 72_444_200, nem.Approved, spread(date(2014, 5, 1), 120), after(spread(date(2014, 5, 1), 120), 20), none, none},
		{1_000, 15_000_000, nem.Active, spread(date(2014, 6, 1), 90), after(spread(date(2014, 6, 1), 90), 30), spread(date(2014, 10, 1), 31), none},
		// Installed before September: 96,457 still on NEM, 1,000 that left
		// NEM after September (still counted), 600 that left before it (not).
		{96_457, InstalledW - 150_000 - 8_000_000, nem.Active, old, after(old, 20), after(old, 45), none},
		{1_000, 8_000_000, nem.Terminated, old, after(old, 20), after(old, 45), spread(date(2015, 1, 5), 200)},
		{600, 4_200_000, nem.Terminated, old, after(old, 20), after(old, 45), spread(date(2014, 1, 6), 200)},
		// Received after the month.
		{300, 2_400_000, nem.Submitted, spread(date(2014, 10, 1), 31), none, none, none},
	}
	var out []nem.CapRecord
	for g, gr := range groups {
		base, rem := gr.total/energy.W(gr.n), gr.total%energy.W(gr.n)
		for i := range gr.n {
			w := base
			if energy.W(i) < rem {
				w++
			}
			// Vary sizes in ± pairs so the group total stays exact.
			if v := energy.W((i/2*7919)%2001-1000) * 3; i%2 == 0 && i+1 < gr.n {
				w += v
			} else if i%2 == 1 {
				w -= energy.W(((i-1)/2*7919)%2001-1000) * 3
			}
			out = append(out, nem.CapRecord{ID: fmt.Sprintf("G%d-%06d", g, i), Status: gr.status, CapacityW: w,
				Submitted: gr.submitted(i), Approved: gr.approved(i), PTO: gr.pto(i), Terminated: gr.terminated(i)})
		}
	}
	return out
}
