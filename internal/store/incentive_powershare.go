package store

import (
	"context"
	"fmt"
	"slices"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/incentive"
)

// PowerShareProgram is the stored program whose rules decide Power Share
// eligibility (CARE or FERA, residential, CPA customer, in a DAC).
const PowerShareProgram = "power-share"

// PowerShareIncomeBasis is Power Share's policy on whether households
// eligible for CARE or FERA but not enrolled qualify, and
// PowerShareEnrolledOnly its conservative reading (the shipped default;
// research/programs.md §8).
const (
	PowerShareIncomeBasis  = "income_basis"
	PowerShareEnrolledOnly = "enrolled"
)

// AutoEnrollPowerShare fills Power Share up to capacity on day on: every
// account the program's rules (with the income-basis policy in force)
// find eligible on that day and not yet enrolled is a candidate; candidates are ranked by disconnection risk
// (more notices first, then larger arrears; accounts absent from risk
// count as none) and the first are enrolled (program enrollment
// "power_share", source "auto", the rank and risk in the note) until the
// enrolled count reaches capacity. The billing engine applies the
// discount from the enrollment (billrun.ProgramPowerShare). It returns the
// accounts enrolled, in rank order.
func (tx *Tx) AutoEnrollPowerShare(ctx context.Context, actor auth.Actor, on calendar.Date, capacity int, risk map[int64]incentive.Candidate) ([]int64, error) {
	const op = "store.AutoEnrollPowerShare"
	if capacity < 0 {
		var f apperr.Fields
		f.Add("capacity", "must not be negative")
		return nil, f.Err(op)
	}
	p, err := tx.IncentiveProgram(ctx, PowerShareProgram)
	if err != nil {
		return nil, err
	}
	code := p.ProgramEnrollment
	enrolled, err := tx.accountIDs(ctx, AccountFilter{Program: code, On: on})
	if err != nil {
		return nil, err
	}
	room := capacity - len(enrolled)
	if room <= 0 {
		return nil, nil
	}
	// Under the conservative reading of the income basis (the default),
	// the candidates are the CARE and FERA homes; under the broad one,
	// every CCA home in a DAC, which the program's rules then test against
	// the CARE and FERA income limits.
	filters := []AccountFilter{{Program: customer.ProgramCARE, On: on, Class: customer.Residential, LSE: customer.CCA},
		{Program: customer.ProgramFERA, On: on, Class: customer.Residential, LSE: customer.CCA}}
	if pol, ok := p.Policy(PowerShareIncomeBasis); ok && pol.InForce().ID != PowerShareEnrolledOnly {
		dac := true
		filters = []AccountFilter{{Class: customer.Residential, LSE: customer.CCA, DAC: &dac}}
	}
	var cands []incentive.Candidate
	for _, filter := range filters {
		ids, err := tx.accountIDs(ctx, filter)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if slices.Contains(enrolled, id) {
				continue
			}
			a, err := tx.Account(ctx, id)
			if err != nil {
				return nil, err
			}
			prem, err := tx.Premise(ctx, a.PremiseID)
			if err != nil {
				return nil, err
			}
			es, err := tx.Enrollments(ctx, id)
			if err != nil {
				return nil, err
			}
			d, err := p.Quote(incentive.RegistryFacts(a, prem, es, on), tx.db.ref)
			if err != nil || !d.Eligible {
				continue // a rule the registry cannot answer, or not eligible
			}
			c := risk[id]
			c.AccountID = id
			cands = append(cands, c)
		}
	}
	var out []int64
	for i, c := range incentive.RankByDisconnectionRisk(cands, room) {
		e := customer.Enrollment{AccountID: c.AccountID, Program: code, From: on, Source: "auto",
			Note: fmt.Sprintf("auto-enrolled: rank %d by disconnection risk (%d notices, arrears %s)", i+1, c.Notices, c.ArrearsCents)}
		if err := tx.Enroll(ctx, actor, &e); err != nil {
			return out, err
		}
		out = append(out, c.AccountID)
	}
	return out, nil
}

// accountIDs lists every account matching f, paging through them.
func (q queries) accountIDs(ctx context.Context, f AccountFilter) ([]int64, error) {
	var out []int64
	f.Limit = 200
	for {
		as, err := q.Accounts(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, a := range as {
			out = append(out, a.ID)
		}
		if len(as) < f.Limit {
			return out, nil
		}
		f.After = as[len(as)-1].ID
	}
}
