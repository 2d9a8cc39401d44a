package dr

import (
	"context"
	"errors"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/money"
)

// cappedPayer is a budget of a fixed amount that pays whole payments in
// order, once per key, and refuses what it cannot cover.
type cappedPayer struct {
	left  money.Cents
	paid  map[string]bool
	calls int
	fail  error
}

func (c *cappedPayer) Pay(_ context.Context, p Payment) (string, error) {
	c.calls++
	if c.fail != nil {
		return "", c.fail
	}
	if c.paid[p.Key] {
		return "ref-" + p.Key, nil
	}
	if p.Amount > c.left {
		return "", Refusal("test", RuleBudgetExhausted, "%s left, %s needed", c.left, p.Amount)
	}
	c.left -= p.Amount
	c.paid[p.Key] = true
	return "ref-" + p.Key, nil
}

// A budget of $200 facing CPA's $85 thermostat incentive three times
// (research/dr-ev.md §2.4) pays two ($170) and refuses the third whole —
// never the $30 that is left — naming the rule; paying the list again
// pays nothing twice.
func TestPayAllPaysWholeAmountsUntilTheBudgetRunsOut(t *testing.T) {
	pay := []Payment{{Key: "a", Amount: 8500}, {Key: "b", Amount: 8500}, {Key: "c", Amount: 8500}}
	c := &cappedPayer{left: 20000, paid: map[string]bool{}}
	sum, err := PayAll(context.Background(), c, pay)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Paid != 2 || sum.PaidCents != 17000 || sum.Refused != 1 || sum.RefusedCents != 8500 || sum.Rules[RuleBudgetExhausted] != 1 {
		t.Errorf("summary %+v; want 2 paid ($170), 1 refused ($85) as budget_exhausted", sum)
	}
	if c.left != 3000 {
		t.Errorf("left %s, want $30.00 (nothing partly paid)", c.left)
	}
	if sum.LastRefusal != "budget_exhausted: $30.00 left, $85.00 needed" {
		t.Errorf("refusal %q", sum.LastRefusal)
	}
	again, _ := PayAll(context.Background(), c, pay[:2])
	if again.Paid != 2 || c.left != 3000 {
		t.Errorf("second run %+v left %s: paid twice", again, c.left)
	}
}

// Only a payer's refusal lets the run go on; any other error stops it.
func TestPayAllStopsOnAnErrorThatIsNotARefusal(t *testing.T) {
	c := &cappedPayer{left: 1 << 40, paid: map[string]bool{}, fail: errors.New("database gone")}
	_, err := PayAll(context.Background(), c, []Payment{{Key: "a", Amount: 1}, {Key: "b", Amount: 1}})
	if err == nil || c.calls != 1 {
		t.Errorf("err %v after %d calls; want a stop at the first", err, c.calls)
	}
	if RefusalRule(apperr.Conflictf("x", "some other conflict")) != "" || RefusalRule(Refusal("x", RuleBudgetClosed, "closed")) != RuleBudgetClosed {
		t.Error("RefusalRule must recognise only the payers' rules")
	}
}

// A settled positive amount is owed once per event and participant;
// nothing is owed for no reduction or a settlement without a baseline.
func TestEventPaymentIsKeyedByProgramEventAndAccount(t *testing.T) {
	s := Settlement{EventID: 7, AccountID: 42, Status: Settled, Amount: 70}
	p, ok := EventPayment("power_response", s, day(2026, 8, 20))
	if !ok || p.Key != "dr:power_response:event:7:account:42" || p.Amount != 70 || p.Due != day(2026, 8, 20) || p.Kind != "event" {
		t.Errorf("payment %+v", p)
	}
	for _, s := range []Settlement{{Status: Settled}, {Status: NoBaseline, Amount: 5}, {Status: Settled, Amount: -20}} {
		if _, ok := EventPayment("power_response", s, day(2026, 8, 20)); ok {
			t.Errorf("%+v owes nothing", s)
		}
	}
}

// Power Response's incentives are paid from the incentive catalog's
// power-response budgets; Energy Day's thermostat credit is the HEER
// smart thermostat rebate (seed 003) and draws on its budgets.
func TestShippedProgramsNameTheirFunding(t *testing.T) {
	for code, want := range map[string]Funding{
		"power_response": {IncentiveProgram: "power-response", Measure: "participation"},
		"energy_day":     {IncentiveProgram: "heer-smart-thermostat", Measure: "smart_thermostat"},
	} {
		f := program(t, code).Funding
		if f == nil || f.IncentiveProgram != want.IncentiveProgram || f.Measure != want.Measure {
			t.Errorf("%s funding %+v, want %+v", code, f, want)
		}
	}
}
