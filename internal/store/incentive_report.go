package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
)

// ProgramReport is what a CCA publishes about a program, computed from
// the records: participants and amounts paid, committed and reserved,
// income-qualified and DAC shares, coupons, awards by member agency and
// the budget burn-down (seed 000: "$103,750 paid to 132 customers;
// $288,000 reserved").
type ProgramReport struct {
	ProgramID    string                   `json:"program"`
	Name         string                   `json:"name"`
	Applications int                      `json:"applications"`
	ByStatus     map[incentive.Status]int `json:"by_status"`
	// Participants counts the households (or agencies) paid; Paid is the
	// total paid to them (applications and coupon reimbursements).
	Participants        int                `json:"participants"`
	PaidCents           money.Cents        `json:"paid_cents"`
	CommittedCents      money.Cents        `json:"committed_cents"` // approved, not yet paid
	ReservedCents       money.Cents        `json:"reserved_cents"`  // held for open applications and live coupons
	ReservedFor         int                `json:"reserved_applications"`
	Waitlisted          int                `json:"waitlisted"`
	IncomeQualifiedPaid int                `json:"income_qualified_participants"` // CARE/FERA on the rule date
	DACPaid             int                `json:"dac_participants"`
	CouponsIssued       int                `json:"coupons_issued"`
	CouponsRedeemed     int                `json:"coupons_redeemed"`
	CouponsOpen         int                `json:"coupons_reserved"` // issued, not yet redeemed or expired
	Budgets             []incentive.Budget `json:"budgets"`
	BurnDown            []BurnPoint        `json:"burn_down"`
	ByAgency            []AgencyRow        `json:"by_agency,omitempty"`
}

// BurnPoint is a budget's balances at the end of a month.
type BurnPoint struct {
	Month          string      `json:"month"` // YYYY-MM
	AllocatedCents money.Cents `json:"allocated_cents"`
	ReservedCents  money.Cents `json:"reserved_cents"`
	CommittedCents money.Cents `json:"committed_cents"`
	PaidCents      money.Cents `json:"paid_cents"`
	AvailableCents money.Cents `json:"available_cents"`
}

// AgencyRow is a grant program's awards to one agency and measure.
type AgencyRow struct {
	Agency      string      `json:"agency"`
	Measure     string      `json:"measure"`
	Awards      int         `json:"awards"`
	AmountCents money.Cents `json:"amount_cents"`
}

// IncentiveReport computes a program's report from its applications,
// coupons, budgets and ledger.
func (q queries) IncentiveReport(ctx context.Context, programID string) (ProgramReport, error) {
	p, err := q.IncentiveProgram(ctx, programID)
	if err != nil {
		return ProgramReport{}, err
	}
	r := ProgramReport{ProgramID: p.ID, Name: p.Name, ByStatus: map[incentive.Status]int{}}
	paidHouse := map[string]bool{}
	agencies := map[[2]string]*AgencyRow{}
	after := int64(0)
	for {
		apps, err := q.Applications(ctx, ApplicationFilter{ProgramID: programID, After: after, Limit: 200})
		if err != nil {
			return r, err
		}
		for _, a := range apps {
			r.Applications++
			r.ByStatus[a.Status]++
			r.ReservedCents += a.ReservedCents
			if a.ReservedCents > 0 {
				r.ReservedFor++
			}
			if a.Status == incentive.Waitlisted {
				r.Waitlisted++
			}
			r.CommittedCents += a.ApprovedCents - a.PaidCents
			if a.PaidCents > 0 {
				r.PaidCents += a.PaidCents
				if !paidHouse[a.HouseholdKey] {
					paidHouse[a.HouseholdKey] = true
					q := a.Qualifier()
					if q.IncomeQualified {
						r.IncomeQualifiedPaid++
					}
					if q.DAC {
						r.DACPaid++
					}
				}
			}
			if a.MemberAgency != "" && (a.ApprovedCents > 0 || a.PaidCents > 0) {
				k := [2]string{a.MemberAgency, a.Measure}
				if agencies[k] == nil {
					agencies[k] = &AgencyRow{Agency: a.MemberAgency, Measure: a.Measure}
				}
				agencies[k].Awards++
				agencies[k].AmountCents += a.ApprovedCents
			}
		}
		if len(apps) < 200 {
			break
		}
		after = apps[len(apps)-1].ID
	}
	cs, err := q.coupons(ctx, `WHERE program_id = $1 ORDER BY id`, programID)
	if err != nil {
		return r, err
	}
	today := calendar.DateOf(q.now())
	for _, c := range cs {
		r.CouponsIssued++
		switch c.StatusOn(today) {
		case incentive.CouponRedeemed, incentive.CouponReturned:
			r.CouponsRedeemed++
			if c.paid {
				r.PaidCents += c.AmountCents
				paidHouse[c.HouseholdKey] = true
			} else {
				r.CommittedCents += c.AmountCents
			}
		case incentive.CouponIssued:
			r.CouponsOpen++
			r.ReservedCents += c.AmountCents
		}
	}
	r.Participants = len(paidHouse)
	for _, k := range sortedAgencyKeys(agencies) {
		r.ByAgency = append(r.ByAgency, *agencies[k])
	}
	if r.Budgets, err = q.Budgets(ctx, programID); err != nil {
		return r, err
	}
	r.BurnDown, err = q.burnDown(ctx, r.Budgets)
	return r, err
}

func sortedAgencyKeys(m map[[2]string]*AgencyRow) [][2]string {
	var ks [][2]string
	for k := range m {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b [2]string) int {
		if a[0] != b[0] {
			if a[0] < b[0] {
				return -1
			}
			return 1
		}
		if a[1] < b[1] {
			return -1
		}
		if a[1] > b[1] {
			return 1
		}
		return 0
	})
	return ks
}

// burnDown replays the budgets' ledgers month by month (Pacific months)
// into end-of-month balances.
func (q queries) burnDown(ctx context.Context, budgets []incentive.Budget) ([]BurnPoint, error) {
	var rows []LedgerRow
	for _, b := range budgets {
		l, err := q.Ledger(ctx, b.ID)
		if err != nil {
			return nil, err
		}
		rows = append(rows, l...)
	}
	slices.SortStableFunc(rows, func(a, b LedgerRow) int { return a.At.Compare(b.At) })
	var out []BurnPoint
	sum := incentive.Budget{AllocatedCents: 0}
	for i, r := range rows {
		// Replay without the overspend checks: the rows are what was
		// posted, each checked when it was.
		switch r.Kind {
		case incentive.Allocate, incentive.Adjust:
			sum.AllocatedCents += r.AmountCents
		case incentive.Reserve:
			sum.ReservedCents += r.AmountCents
		case incentive.Release:
			sum.ReservedCents -= r.AmountCents
		case incentive.Commit:
			sum.ReservedCents -= r.AmountCents
			sum.CommittedCents += r.AmountCents
		case incentive.Pay:
			sum.CommittedCents -= r.AmountCents
			sum.PaidCents += r.AmountCents
		case incentive.Recover:
			sum.PaidCents -= r.AmountCents
		}
		month := r.At.In(calendar.Pacific).Format("2006-01")
		if i+1 < len(rows) && rows[i+1].At.In(calendar.Pacific).Format("2006-01") == month {
			continue
		}
		out = append(out, BurnPoint{Month: month, AllocatedCents: sum.AllocatedCents, ReservedCents: sum.ReservedCents,
			CommittedCents: sum.CommittedCents, PaidCents: sum.PaidCents, AvailableCents: sum.Available()})
	}
	return out, nil
}

// String renders the report's headline.
func (r ProgramReport) String() string {
	return fmt.Sprintf("%s: %s paid to %d participants; %s reserved for %d applications; %s committed",
		r.Name, r.PaidCents, r.Participants, r.ReservedCents, r.ReservedFor+r.CouponsOpen, r.CommittedCents)
}
