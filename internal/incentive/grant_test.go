package incentive

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
)

func gday(m, d int) calendar.Date {
	return calendar.Date{Year: 2026, Month: 1, Day: 1}.AddDays((m-1)*31 + d - 1)
}

// pathway is a $250,000 Energized Communities pathway grant (the seed 000
// cap per agency and pathway) in three tranches: $50,000 on the signed
// agreement, $100,000 at the midpoint report, $100,000 at completion.
func pathway(t *testing.T) Disbursement {
	t.Helper()
	ts, err := PlanTranches(25_000_000, []TrancheSpec{{"agreement", 5_000_000}, {"midpoint_report", 10_000_000}, {"completion", 10_000_000}})
	if err != nil {
		t.Fatal(err)
	}
	return Disbursement{AwardCents: 25_000_000, HeldCents: 25_000_000, Tranches: ts}
}

func fieldRule(err error, field, rule string) bool {
	for _, f := range apperr.FieldsOf(err) {
		if f.Field == field && (rule == "" || strings.HasPrefix(f.Msg, "rule "+rule)) {
			return true
		}
	}
	return false
}

// TestTranchePlanNeverExceedsTheAward: $150,000 + $150,000 of a $250,000
// award is refused at the second tranche, naming the rule.
func TestTranchePlanNeverExceedsTheAward(t *testing.T) {
	_, err := PlanTranches(25_000_000, []TrancheSpec{{"design", 15_000_000}, {"construction", 15_000_000}})
	if !fieldRule(err, "tranches[1].amount_cents", RulePlanWithinAward) {
		t.Errorf("over-planned: %v", err)
	}
	if _, err := PlanTranches(25_000_000, []TrancheSpec{{"design", 0}, {"design", 100}}); len(apperr.FieldsOf(err)) != 2 {
		t.Errorf("zero amount and a repeated milestone: %v", err)
	}
	if _, err := PlanTranches(25_000_000, nil); err == nil {
		t.Error("an empty plan was accepted")
	}
}

// TestTranchesFollowMilestonesWithEvidence: milestones are approved in
// order, each on attached evidence, never dated before the previous one.
func TestTranchesFollowMilestonesWithEvidence(t *testing.T) {
	d := pathway(t)
	today := gday(6, 1)
	if _, err := d.Approve(Approval{Seq: 2, Documents: 1, On: gday(2, 1)}, today); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("midpoint before the agreement: %v", err)
	}
	if _, err := d.Approve(Approval{Seq: 1, On: gday(2, 1)}, today); !fieldRule(err, "documents", RuleTrancheDocument) {
		t.Errorf("no evidence: %v", err)
	}
	tr, err := d.Approve(Approval{Seq: 1, Documents: 1, On: gday(2, 1)}, today)
	if err != nil || tr.AmountCents != 5_000_000 || d.HeldCents != 20_000_000 || d.Remaining() != 20_000_000 {
		t.Fatalf("agreement: %+v %v, held %s remaining %s", tr, err, d.HeldCents, d.Remaining())
	}
	if _, err := d.Approve(Approval{Seq: 2, Documents: 1, On: gday(1, 15)}, today); !fieldRule(err, "on", RuleTrancheChrono) {
		t.Errorf("approved before the previous one: %v", err)
	}
	if _, err := d.Pay(1, gday(2, 10), "", today); !fieldRule(err, "reference", "") {
		t.Errorf("payment without a reference: %v", err)
	}
	if tr, err := d.Pay(1, gday(2, 10), "ACH-0042", today); err != nil || tr.Status != TranchePaid {
		t.Errorf("payment %+v %v", tr, err)
	}
	// A tracked project's milestone must be done first.
	if _, err := d.Approve(Approval{Seq: 2, Documents: 1, On: gday(3, 1), ProjectLink: true, ProjectLabel: "Fire Station 3"}, today); !fieldRule(err, "tranche", RuleProjectMilestone) {
		t.Errorf("project milestone not done: %v", err)
	}
}

// TestTrancheNeverExceedsRemainingAwardOrBudget: after $60,000 for the
// agreement (more than its $50,000 plan: allowed, it is within the award)
// $190,000 is left, so $200,000 at the midpoint is refused; with only
// $150,000 held in the budget, $160,000 is refused even though the award
// has room.
func TestTrancheNeverExceedsRemainingAwardOrBudget(t *testing.T) {
	d := pathway(t)
	today := gday(6, 1)
	if _, err := d.Approve(Approval{Seq: 1, AmountCents: 6_000_000, Documents: 1, On: gday(2, 1)}, today); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Approve(Approval{Seq: 2, AmountCents: 20_000_000, Documents: 1, On: gday(3, 1)}, today); !fieldRule(err, "amount_cents", RuleRemainingAward) {
		t.Errorf("above the remaining award: %v", err)
	}
	d.HeldCents = 15_000_000
	if _, err := d.Approve(Approval{Seq: 2, AmountCents: 16_000_000, Documents: 1, On: gday(3, 1)}, today); !fieldRule(err, "amount_cents", RuleBudgetHeld) {
		t.Errorf("above what the budget holds: %v", err)
	}
	if d.Tranches[1].Status != TranchePlanned || d.HeldCents != 15_000_000 {
		t.Errorf("a refused approval changed the plan: %+v held %s", d.Tranches[1], d.HeldCents)
	}
}

// TestTranchesNeverOverdrawUnderAnySequence: whatever amounts are asked in
// whatever order, the committed total never exceeds the award, the budget
// never holds less than nothing, and a budget ledger fed the same commits
// and payments is never overspent.
func TestTranchesNeverOverdrawUnderAnySequence(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for range 2000 {
		award := money.Cents(1_000_000 + r.IntN(30_000_000))
		n := 1 + r.IntN(6)
		var specs []TrancheSpec
		left := award
		for i := range n {
			amt := max(1, money.Cents(r.Int64N(int64(left)/int64(n-i)+1)))
			if amt > left {
				break
			}
			specs = append(specs, TrancheSpec{Milestone: string(rune('a'+i)) + "_step", AmountCents: amt})
			left -= amt
		}
		ts, err := PlanTranches(award, specs)
		if err != nil {
			t.Fatal(err)
		}
		held := award - money.Cents(r.Int64N(int64(award)/3+1)) // a budget that may hold less
		d := Disbursement{AwardCents: award, HeldCents: held, Tranches: ts}
		b := Budget{Name: "test", AllocatedCents: held, ReservedCents: held}
		for range 3 * len(ts) {
			seq := 1 + r.IntN(len(ts))
			ask := money.Cents(r.Int64N(int64(award)/2 + 1))
			if tr, err := d.Approve(Approval{Seq: seq, AmountCents: ask, Documents: 1, On: gday(1, 1)}, gday(1, 1)); err == nil {
				if err := b.Apply(Entry{Kind: Commit, AmountCents: tr.AmountCents}); err != nil {
					t.Fatalf("the ledger refused an approved tranche: %v", err)
				}
				if _, err := d.Pay(seq, gday(1, 1), "ref", gday(1, 1)); err == nil {
					if err := b.Apply(Entry{Kind: Pay, AmountCents: tr.AmountCents}); err != nil {
						t.Fatal(err)
					}
				}
			}
			if d.Committed() > d.AwardCents || d.HeldCents < 0 || b.Available() < 0 || b.PaidCents > held {
				t.Fatalf("overdrawn: committed %s of %s, held %s, budget %s", d.Committed(), d.AwardCents, d.HeldCents, b)
			}
		}
	}
}
