package incentive

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
)

// Staged disbursement: a grant award paid in tranches as its milestones
// are approved (spec/cca-programs.md, Energized Communities: "agreements
// and milestones, disbursement"; seed 000, Power Ready: site leases,
// design, permits, interconnection, procurement, construction,
// operation). The award is reserved in the program's budget when the
// grant is reserved; each tranche then commits its share of that
// reservation when its milestone is approved (with the evidence attached)
// and pays it when disbursed, so every tranche goes reserve → commit →
// pay through the budget ledger.

// TrancheStatus is where a tranche stands.
type TrancheStatus string

// Tranche statuses.
const (
	TranchePlanned   TrancheStatus = "planned"   // its milestone is not approved yet
	TrancheApproved  TrancheStatus = "approved"  // milestone approved: the amount is committed
	TranchePaid      TrancheStatus = "paid"      // disbursed
	TrancheCancelled TrancheStatus = "cancelled" // the grant was withdrawn or rejected first
)

// Rules of staged disbursement, named in refusals.
const (
	RuleTrancheOrder     = "grant.milestone_order"      // milestones are approved in the plan's order
	RuleTrancheDocument  = "grant.milestone_document"   // a milestone is approved on attached evidence
	RuleRemainingAward   = "grant.remaining_award"      // a tranche never exceeds what is left of the award
	RuleBudgetHeld       = "grant.budget_reservation"   // nor what the budget holds for the award
	RuleProjectMilestone = "grant.project_milestone"    // a tracked project's milestone must be done first
	RulePlanWithinAward  = "grant.plan_within_award"    // the planned tranches add up to no more than the award
	RuleTrancheChrono    = "grant.milestone_chronology" // no approval before the previous one, none in the future
)

// Tranche is one staged payment of a grant award.
type Tranche struct {
	ID            int64         `json:"id"`
	ApplicationID int64         `json:"application_id"`
	Seq           int           `json:"seq"` // 1, 2, … in milestone order
	Milestone     string        `json:"milestone"`
	PlannedCents  money.Cents   `json:"planned_cents"`
	AmountCents   money.Cents   `json:"amount_cents"` // committed at approval (0 while planned)
	Status        TrancheStatus `json:"status"`
	ApprovedOn    calendar.Date `json:"approved_on"`
	PaidOn        calendar.Date `json:"paid_on"`
	Reference     string        `json:"reference"` // the disbursement's payment reference
	Note          string        `json:"note"`
}

// TrancheSpec is one tranche of a plan as staff write it.
type TrancheSpec struct {
	Milestone   string      `json:"milestone"`
	AmountCents money.Cents `json:"amount_cents"`
}

// PlanTranches checks a disbursement plan for an award: at least one
// tranche, each for a named milestone (lower-case code, once) and a
// positive amount, together no more than the award (rule
// grant.plan_within_award, naming the first tranche past it). An award not
// fully planned keeps the rest reserved until the last tranche is paid,
// when it is released.
func PlanTranches(award money.Cents, specs []TrancheSpec) ([]Tranche, error) {
	const op = "incentive.PlanTranches"
	var f apperr.Fields
	if len(specs) == 0 {
		f.Add("tranches", "list at least one milestone with its amount")
	}
	var total money.Cents
	seen := map[string]bool{}
	out := make([]Tranche, 0, len(specs))
	for i, s := range specs {
		at := fmt.Sprintf("tranches[%d]", i)
		s.Milestone = strings.TrimSpace(s.Milestone)
		if !codeRE.MatchString(s.Milestone) || seen[s.Milestone] {
			f.Add(at+".milestone", "name each milestone once, as a lower-case code such as design")
		}
		seen[s.Milestone] = true
		if s.AmountCents <= 0 {
			f.Add(at+".amount_cents", "must be positive")
		} else if total+s.AmountCents > award && total <= award {
			f.Add(at+".amount_cents", "rule %s: %s would bring the plan to %s, more than the award of %s", RulePlanWithinAward,
				s.AmountCents, total+s.AmountCents, award)
		}
		total += s.AmountCents
		out = append(out, Tranche{Seq: i + 1, Milestone: s.Milestone, PlannedCents: s.AmountCents, Status: TranchePlanned})
	}
	if err := f.Err(op); err != nil {
		return nil, err
	}
	return out, nil
}

// Disbursement is a grant award with its tranches and what the budget
// still holds for it.
type Disbursement struct {
	AwardCents money.Cents // the award (the application's amount)
	HeldCents  money.Cents // still reserved in the budget for it
	Tranches   []Tranche
}

// Committed is what the tranches approved or paid have drawn of the award.
func (d Disbursement) Committed() money.Cents {
	var t money.Cents
	for _, x := range d.Tranches {
		if x.Status == TrancheApproved || x.Status == TranchePaid {
			t += x.AmountCents
		}
	}
	return t
}

// Remaining is what is left of the award for the tranches still planned.
func (d Disbursement) Remaining() money.Cents { return d.AwardCents - d.Committed() }

// Approval is what approving a tranche's milestone needs besides the
// plan: the evidence attached and, for a grant to a tracked project, the
// day the project's milestone was done (zero when it is not).
type Approval struct {
	Seq          int
	AmountCents  money.Cents // 0: the planned amount
	On           calendar.Date
	Documents    int           // evidence attached to the tranche
	ProjectDone  calendar.Date // the linked project's milestone, if any
	ProjectLink  bool          // the grant is linked to a tracked project
	ProjectLabel string
}

// Approve approves a tranche's milestone on a.On (not after today) and
// returns the tranche with the amount to commit. The rules, each named:
// the tranche is planned and every earlier one approved
// (grant.milestone_order); evidence is attached (grant.milestone_document);
// a linked project's milestone is done (grant.project_milestone); the
// approval is not before the previous one (grant.milestone_chronology);
// the amount is positive and never more than what is left of the award
// (grant.remaining_award) nor than the budget holds for it
// (grant.budget_reservation).
func (d *Disbursement) Approve(a Approval, today calendar.Date) (Tranche, error) {
	const op = "incentive.Disbursement.Approve"
	i := slices.IndexFunc(d.Tranches, func(t Tranche) bool { return t.Seq == a.Seq })
	if i < 0 {
		var f apperr.Fields
		f.Add("tranche", "the plan has no tranche %d", a.Seq)
		return Tranche{}, f.Err(op)
	}
	t := d.Tranches[i]
	if t.Status != TranchePlanned {
		return t, apperr.Conflictf(op, "tranche %d (%s) is %s, not planned", t.Seq, t.Milestone, t.Status)
	}
	var last calendar.Date
	for _, p := range d.Tranches[:i] {
		if p.Status != TrancheApproved && p.Status != TranchePaid {
			return t, apperr.Conflictf(op, "rule %s: %s comes after %s, which is not approved", RuleTrancheOrder, t.Milestone, p.Milestone)
		}
		if p.ApprovedOn.After(last) {
			last = p.ApprovedOn
		}
	}
	var f apperr.Fields
	if a.On.IsZero() {
		a.On = today
	}
	if a.On.After(today) {
		f.Add("on", "rule %s: %s is after today (%s)", RuleTrancheChrono, a.On, today)
	} else if a.On.Before(last) {
		f.Add("on", "rule %s: %s is before the previous milestone's approval on %s", RuleTrancheChrono, a.On, last)
	}
	if a.Documents == 0 {
		f.Add("documents", "rule %s: attach the evidence that %s is done before approving it", RuleTrancheDocument, t.Milestone)
	}
	if a.ProjectLink {
		switch {
		case a.ProjectDone.IsZero():
			f.Add("tranche", "rule %s: %s of %s is not done", RuleProjectMilestone, t.Milestone, a.ProjectLabel)
		case a.On.Before(a.ProjectDone):
			f.Add("on", "rule %s: %s was done on %s, after %s", RuleProjectMilestone, t.Milestone, a.ProjectDone, a.On)
		}
	}
	amt := a.AmountCents
	if amt == 0 {
		amt = t.PlannedCents
	}
	switch {
	case amt < 0:
		f.Add("amount_cents", "must be positive")
	case amt > d.Remaining():
		f.Add("amount_cents", "rule %s: %s is more than the %s left of the %s award", RuleRemainingAward, amt, d.Remaining(), d.AwardCents)
	case amt > d.HeldCents:
		f.Add("amount_cents", "rule %s: %s is more than the %s the budget holds for the award", RuleBudgetHeld, amt, d.HeldCents)
	}
	if err := f.Err(op); err != nil {
		return t, err
	}
	t.AmountCents, t.Status, t.ApprovedOn = amt, TrancheApproved, a.On
	d.Tranches[i] = t
	d.HeldCents -= amt
	return t, nil
}

// Pay records a tranche's disbursement on on with its payment reference.
func (d *Disbursement) Pay(seq int, on calendar.Date, reference string, today calendar.Date) (Tranche, error) {
	const op = "incentive.Disbursement.Pay"
	i := slices.IndexFunc(d.Tranches, func(t Tranche) bool { return t.Seq == seq })
	var f apperr.Fields
	if i < 0 {
		f.Add("tranche", "the plan has no tranche %d", seq)
		return Tranche{}, f.Err(op)
	}
	t := d.Tranches[i]
	if t.Status != TrancheApproved {
		return t, apperr.Conflictf(op, "tranche %d (%s) is %s: only an approved tranche is paid", t.Seq, t.Milestone, t.Status)
	}
	if on.IsZero() {
		on = today
	}
	reference = strings.TrimSpace(reference)
	if reference == "" {
		f.Add("reference", "is required: the payment's reference (check or ACH trace number)")
	}
	if on.After(today) || on.Before(t.ApprovedOn) {
		f.Add("on", "must be from the approval on %s through today (%s)", t.ApprovedOn, today)
	}
	if err := f.Err(op); err != nil {
		return t, err
	}
	t.Status, t.PaidOn, t.Reference = TranchePaid, on, reference
	d.Tranches[i] = t
	return t, nil
}

// Done reports whether every tranche is paid or cancelled.
func (d Disbursement) Done() bool {
	return !slices.ContainsFunc(d.Tranches, func(t Tranche) bool { return t.Status == TranchePlanned || t.Status == TrancheApproved })
}
