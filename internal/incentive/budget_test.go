package incentive

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
)

func day(y int, m, d int) calendar.Date { return calendar.Date{Year: y, Month: timeMonth(m), Day: d} }

func budget(allocated, minReservable money.Cents) Budget {
	return Budget{Name: "test", From: day(2026, 1, 1), AllocatedCents: allocated, MinReservableCents: minReservable}
}

// TestFirstComeFirstServedWaitlist is research/programs.md §7 scenario 21:
// a $10,000 budget and 14 applications of $750 in submission order — the
// first 13 are reserved ($9,750), the 14th waits ($250 left); withdrawing
// #5 releases $750 and promotes #14, and the ledger shows RELEASE 750 then
// RESERVE 750.
func TestFirstComeFirstServedWaitlist(t *testing.T) {
	f := NewFund(budget(1_000_000, 0))
	for id := int64(1); id <= 14; id++ {
		ok, err := f.Submit(id, 75000)
		if err != nil {
			t.Fatal(err)
		}
		if want := id <= 13; ok != want {
			t.Errorf("application %d reserved %v, want %v", id, ok, want)
		}
	}
	if f.Budget.ReservedCents != 975000 || f.Budget.Available() != 25000 {
		t.Errorf("reserved %s available %s, want $9,750.00 and $250.00", f.Budget.ReservedCents, f.Budget.Available())
	}
	if len(f.Waitlist) != 1 || f.Waitlist[0].ApplicationID != 14 {
		t.Fatalf("waitlist %+v, want application 14", f.Waitlist)
	}
	n := len(f.Ledger)
	if err := f.Withdraw(5); err != nil {
		t.Fatal(err)
	}
	want := []Entry{{Kind: Release, AmountCents: 75000, ApplicationID: 5}, {Kind: Reserve, AmountCents: 75000, ApplicationID: 14}}
	if diff := cmp.Diff(want, f.Ledger[n:]); diff != "" {
		t.Errorf("ledger after the withdrawal (-want +got):\n%s", diff)
	}
	if len(f.Waitlist) != 0 || f.Budget.ReservedCents != 975000 {
		t.Errorf("waitlist %+v reserved %s", f.Waitlist, f.Budget.ReservedCents)
	}
}

// TestBundleWaitsWhileBaseFits is §7 scenario 23: with $2,000 left a
// $2,250 battery bundle waits, a $750 base-only application is reserved;
// the program shows closed when less than the minimum is available.
func TestBundleWaitsWhileBaseFits(t *testing.T) {
	f := NewFund(budget(1_000_000, 75000))
	if _, err := f.Submit(1, 800000); err != nil {
		t.Fatal(err)
	}
	if ok, _ := f.Submit(2, 225000); ok {
		t.Error("the $2,250 bundle was reserved from $2,000")
	}
	if ok, _ := f.Submit(3, 75000); !ok {
		t.Error("the $750 application was not reserved")
	}
	if f.Budget.Available() != 125000 || !f.Budget.Open() {
		t.Errorf("available %s open %v, want $1,250.00 and open", f.Budget.Available(), f.Budget.Open())
	}
	if ok, _ := f.Submit(4, 75000); !ok {
		t.Error("a second $750 application was not reserved from $1,250")
	}
	if f.Budget.Open() {
		t.Errorf("budget open with %s available, minimum $750.00", f.Budget.Available())
	}
}

// TestLedgerNeverOverspends checks Apply's invariants: no reservation
// beyond what is available, no payment above what was committed (a
// payment above the reservation), nothing on a closed budget.
func TestLedgerNeverOverspends(t *testing.T) {
	b := budget(100000, 0)
	steps := []struct {
		e    Entry
		kind apperr.Kind // 0 for success
	}{
		{Entry{Kind: Reserve, AmountCents: 75000}, 0},
		{Entry{Kind: Reserve, AmountCents: 25001}, apperr.Conflict},
		{Entry{Kind: Commit, AmountCents: 75001}, apperr.Conflict},
		{Entry{Kind: Commit, AmountCents: 70000}, 0},
		{Entry{Kind: Release, AmountCents: 5000}, 0},
		{Entry{Kind: Pay, AmountCents: 70001}, apperr.Conflict},
		{Entry{Kind: Pay, AmountCents: 70000}, 0},
		{Entry{Kind: Adjust, AmountCents: -30001}, apperr.Conflict},
		{Entry{Kind: Recover, AmountCents: 10000}, 0},
		{Entry{Kind: Reserve, AmountCents: -1}, apperr.Invalid},
	}
	for i, s := range steps {
		err := b.Apply(s.e)
		if s.kind == 0 && err != nil || s.kind != 0 && apperr.KindOf(err) != s.kind {
			t.Errorf("step %d %+v: %v, want kind %v", i, s.e, err, s.kind)
		}
	}
	if b.PaidCents != 60000 || b.ReservedCents != 0 || b.CommittedCents != 0 || b.Available() != 40000 {
		t.Errorf("balances %s", b)
	}
	b.Closed = true
	if err := b.Apply(Entry{Kind: Reserve, AmountCents: 100}); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("reservation on a closed budget: %v", err)
	}
}

// TestSetAsideDrawnFirst checks that an equity set-aside is used by those
// it is for, and others draw on the general budget.
func TestSetAsideDrawnFirst(t *testing.T) {
	bs := []Budget{
		{Name: "general", From: day(2026, 1, 1), AllocatedCents: 100000},
		{Name: "equity", From: day(2026, 1, 1), AllocatedCents: 100000, SetAside: "income_qualified_or_dac"},
		{Name: "2025", From: day(2025, 1, 1), To: day(2026, 1, 1), AllocatedCents: 100000},
	}
	on := day(2026, 4, 1)
	cases := []struct {
		q      Qualifier
		amount money.Cents
		want   int
	}{
		{Qualifier{IncomeQualified: true}, 75000, 1},
		{Qualifier{DAC: true}, 75000, 1},
		{Qualifier{}, 75000, 0},
		{Qualifier{}, 100001, -1},
	}
	for _, c := range cases {
		got, err := PickBudget(bs, on, c.q, "battery", c.amount)
		if err != nil || got != c.want {
			t.Errorf("%+v %s: budget %d (%v), want %d", c.q, c.amount, got, err, c.want)
		}
	}
	bs[0].Closed, bs[1].Closed = true, true
	if _, err := PickBudget(bs, on, Qualifier{DAC: true}, "battery", 100); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("all budgets closed: %v", err)
	}
	// A budget for another measure is not drawn on.
	bs = []Budget{{Name: "fund", From: day(2026, 1, 1), AllocatedCents: 100000, Measure: "innovation_fund"}}
	if i, err := PickBudget(bs, on, Qualifier{}, "pathway", 100); err == nil || i != -1 {
		t.Errorf("all budgets closed: %v", err)
	}
}

// TestWorkflowTransitions checks the state machine of §4.2.
func TestWorkflowTransitions(t *testing.T) {
	allowed := [][2]Status{{Draft, Submitted}, {Submitted, UnderReview}, {UnderReview, Reserved}, {UnderReview, Waitlisted},
		{Waitlisted, Reserved}, {Reserved, ClaimSubmitted}, {ClaimSubmitted, QAInspection}, {QAInspection, Approved},
		{Approved, PaymentPending}, {PaymentPending, Paid}, {Paid, ClawbackOpen}, {ClawbackOpen, ClawbackClosed},
		{Reserved, Expired}, {Reserved, Withdrawn}, {UnderReview, OnHold}, {OnHold, UnderReview}, {OnHold, Rejected}}
	for _, a := range allowed {
		if err := CheckTransition(a[0], a[1]); err != nil {
			t.Errorf("%s → %s refused: %v", a[0], a[1], err)
		}
	}
	refused := [][2]Status{{Draft, Paid}, {Submitted, Paid}, {Reserved, Paid}, {Paid, Withdrawn}, {Rejected, UnderReview},
		{Withdrawn, Reserved}, {Expired, Reserved}, {Approved, Reserved}}
	for _, r := range refused {
		if err := CheckTransition(r[0], r[1]); apperr.KindOf(err) != apperr.Conflict {
			t.Errorf("%s → %s: %v, want Conflict", r[0], r[1], err)
		}
	}
	if fmt.Sprint(Next(Paid)) != "[clawback_open]" {
		t.Errorf("Next(paid) = %v", Next(Paid))
	}
}

// TestQASamplingIsRiskBased checks the inspection rates: every flagged
// claim, about half of high-value ones, about a tenth of routine ones,
// decided the same way every time for an application.
func TestQASamplingIsRiskBased(t *testing.T) {
	count := func(a Application, claims int) int {
		n := 0
		for id := int64(1); id <= 2000; id++ {
			a.ID = id
			if ok, _ := SampleForQA(DefaultQA, a, claims); ok {
				n++
			}
		}
		return n
	}
	routine := count(Application{AmountCents: 75000, Contractor: "Known Solar"}, 50)
	high := count(Application{AmountCents: 225000, Contractor: "Known Solar"}, 50)
	flagged := count(Application{AmountCents: 75000, Flags: []RiskFlag{{Code: FlagDuplicateSerial}}}, 50)
	newbie := count(Application{AmountCents: 75000, Contractor: "New Solar"}, 0)
	if flagged != 2000 || routine < 140 || routine > 260 || high < 900 || high > 1100 || newbie < 400 || newbie > 600 {
		t.Errorf("sampled of 2000: routine %d (≈200), high-value %d (≈1000), new contractor %d (≈500), flagged %d (all)", routine, high, newbie, flagged)
	}
	a := Application{ID: 42, AmountCents: 75000}
	first, _ := SampleForQA(DefaultQA, a, 50)
	again, why := SampleForQA(DefaultQA, a, 50)
	if first != again || why == "" {
		t.Errorf("the draw is not repeatable: %v %v %q", first, again, why)
	}
}
