package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// eventDayLoad is an hourly delivered series from 20 July to the day
// after ev: 1,000 Wh every hour, and on ev 1,100 Wh at 12:00–15:00 (the
// CAISO 10-in-10 adjustment window, so the baseline is ×1.1 = 1,100 Wh)
// and 700 and 800 Wh in the 16:00–18:00 event: a 700 Wh reduction.
func eventDayLoad(ev calendar.Date) meterdata.Series {
	s := meterdata.Series{Start: day(2026, 7, 20).Start(), Step: time.Hour}
	for d := day(2026, 7, 20); !d.After(ev.Next()); d = d.Next() {
		for _, at := range calendar.Intervals(d, time.Hour) {
			v := energy.Wh(1000)
			if d == ev {
				switch at.In(calendar.Pacific).Hour() {
				case 12, 13, 14:
					v = 1100
				case 16:
					v = 700
				case 17:
					v = 800
				}
			}
			s.Values = append(s.Values, v)
		}
	}
	return s
}

// drHomes creates n metered homes enrolled in Power Response's Home track
// whose load on ev is eventDayLoad's, and returns their account ids.
func drHomes(t *testing.T, db *store.DB, n int, ev calendar.Date) []int64 {
	t.Helper()
	load := eventDayLoad(ev)
	var ids []int64
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		for i := range n {
			c := newCustomer(fmt.Sprintf("DR home %d", i), "")
			p := newPremise(fmt.Sprintf("%d Peak Way", i+1), "90001", "06037", "Unincorporated Los Angeles County")
			a := newAccount(fmt.Sprintf("62%08d", i+1), c, p)
			m := customer.Meter{Serial: fmt.Sprintf("DRM-%d", i+1), IntervalSeconds: 3600, Installed: day(2024, 1, 1),
				Channels: []customer.Channel{{Direction: customer.Delivered}}}
			if err := createMetered(ctx, tx, &c, &p, &a, &m); err != nil {
				return err
			}
			if err := tx.Enroll(ctx, staff, &customer.Enrollment{AccountID: a.ID, Program: "power_response", Track: "home", From: day(2024, 6, 1), Source: "staff"}); err != nil {
				return err
			}
			if err := tx.PutIntervals(ctx, m.Channels[0].ID, load); err != nil {
				return err
			}
			ids = append(ids, a.ID)
		}
		return nil
	})
	return ids
}

// completedEvent schedules p's event 16:00–18:00 on ev and moves it to
// completed.
func completedEvent(t *testing.T, db *store.DB, p dr.Program, ev calendar.Date) dr.Event {
	t.Helper()
	e, err := schedule(db, p, ev, 16, 18, localAt(ev, 9))
	if err != nil {
		t.Fatal(err)
	}
	setClock(db, localAt(ev, 19))
	for _, st := range []dr.Status{dr.Notified, dr.Active, dr.Completed} {
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.MoveEvent(ctx, staff, e.ID, st, "")
			return err
		})
	}
	return e
}

// powerResponseBudget gives the incentive program power-response a
// budget for 2026 of the amount.
func powerResponseBudget(t *testing.T, db *store.DB, allocated money.Cents) incentive.Budget {
	t.Helper()
	b := incentive.Budget{Slug: "power-response-2026", ProgramID: "power-response", Name: "Power Response 2026",
		From: day(2026, 1, 1), To: day(2027, 1, 1), AllocatedCents: allocated, Source: "test allocation"}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateBudget(ctx, staff, &b) })
	return b
}

// testDRBudgetRunsOutMidSettlement settles a Power Response event paid
// at $1/kWh for five homes, each reducing 700 Wh (70¢), in batches of
// two, against a budget of $2.10. The budget pays the first three whole
// as their batches are saved and refuses the last two naming
// budget_exhausted, never paying part of one; each payment is a reserve,
// commit and pay entry carrying the payable's key. Paying again pays
// nothing twice; adding $1.40 lets the refused two be paid; a payable
// already paid returns its first reference.
func testDRBudgetRunsOutMidSettlement(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	importShipped(t, db)
	ev := day(2026, 9, 10)
	ids := drHomes(t, db, 5, ev)
	p := drProgram(t, "power_response")
	p.Rate = 1_000_000 // $1/kWh, so 700 Wh earn 70¢
	e := completedEvent(t, db, p, ev)
	b := powerResponseBudget(t, db, 210)
	payer := store.BudgetPayer{DB: db, Actor: staff, Funding: func(string) *dr.Funding { return p.Funding }}
	opt := dr.SettleOptions{Holidays: calendar.UtilityHolidays(), Batch: 2, Workers: 1, Payer: payer}
	sum, err := dr.SettleEvent(ctx, db, p, e.ID, opt, db.SaveOutcomes(staff, p.Code))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Settled != 5 || sum.Amount != 350 {
		t.Fatalf("settlement %+v; want 5 settled owing $3.50", sum)
	}
	pay := sum.Payments
	if pay.Paid != 3 || pay.PaidCents != 210 || pay.Refused != 2 || pay.RefusedCents != 140 || pay.Rules[dr.RuleBudgetExhausted] != 2 {
		t.Errorf("payments %+v; want 3 paid ($2.10) and 2 refused as budget_exhausted", pay)
	}
	got, err := db.Budget(ctx, b.ID)
	if err != nil || got.PaidCents != 210 || got.Available() != 0 || got.ReservedCents != 0 || got.CommittedCents != 0 {
		t.Errorf("budget %v, %v; want $2.10 paid, nothing left, reserved or committed", got, err)
	}
	ps, err := db.PayablesWhere(ctx, store.PayableFilter{EventID: e.ID})
	if err != nil || len(ps) != 5 {
		t.Fatalf("payables %+v, %v", ps, err)
	}
	for i, x := range ps {
		paid := x.AccountID == ids[0] || x.AccountID == ids[1] || x.AccountID == ids[2]
		switch {
		case paid && (x.Status != "paid" || x.BudgetID != b.ID || !strings.HasPrefix(x.Reference, "power-response-2026#") || x.PaidAt.IsZero()):
			t.Errorf("payable %d %+v: want paid from %d", i, x, b.ID)
		case !paid && (x.Status != "refused" || !strings.HasPrefix(x.Refusal, "budget_exhausted: paying $0.70 would overspend")):
			t.Errorf("payable %d %+v: want refused as budget_exhausted", i, x)
		}
	}
	ledger, _ := db.Ledger(ctx, b.ID)
	if len(ledger) != 1+3*3 {
		t.Errorf("ledger has %d entries, want the allocation and 3 × (reserve, commit, pay)", len(ledger))
	}
	if n := queryInt(t, db, `SELECT COUNT(*) FROM incentive_ledger WHERE kind = 'pay' AND payable_key LIKE 'dr:power_response:event:%'`); n != 3 {
		t.Errorf("%d pay entries carry a payable key, want 3", n)
	}

	// Again: nothing is paid twice, the refused stay refused.
	again, err := db.PayOpen(ctx, payer, store.PayableFilter{Program: p.Code})
	if err != nil || again.Paid != 0 || again.Refused != 2 {
		t.Errorf("second run %+v, %v; want the 2 refused refused again", again, err)
	}
	if got, _ := db.Budget(ctx, b.ID); got.PaidCents != 210 {
		t.Errorf("budget paid %s after a second run", got.PaidCents)
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.AdjustBudget(ctx, staff, b.ID, 140, "top-up for the September event")
		return err
	})
	// Two payers at once (two workers): each payable is paid once.
	var wg sync.WaitGroup
	runs := make([]dr.PaySummary, 2)
	for i := range runs {
		wg.Go(func() {
			s, err := db.PayOpen(ctx, payer, store.PayableFilter{Program: p.Code})
			if err != nil {
				t.Errorf("concurrent run: %v", err)
			}
			runs[i] = s
		})
	}
	wg.Wait()
	if got, _ := db.Budget(ctx, b.ID); got.PaidCents != 350 || got.Available() != 0 {
		t.Errorf("after the top-up budget %v; want $3.50 paid", got)
	}
	if n := queryInt(t, db, `SELECT COUNT(*) FROM incentive_ledger WHERE kind = 'pay' AND payable_key IS NOT NULL`); n != 5 {
		t.Errorf("%d pay entries, want 5 (one per payable)", n)
	}
	first := ps[0]
	var res store.PayResult
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		res, err = tx.PayPayable(ctx, staff, first.Key, p.Funding)
		return err
	})
	if !res.Before || res.Reference != first.Reference {
		t.Errorf("paying %s again: %+v; want its first reference %s", first.Key, res, first.Reference)
	}
}

// testDRPayablesRefusedWithTheRule checks each refusal rule: a program
// without funding, an incentive program without a budget in force on the
// due day, and a budget closed by staff. Nothing is posted to a ledger.
func testDRPayablesRefusedWithTheRule(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	importShipped(t, db)
	_, _, a, _ := seed(t, db)
	p := drProgram(t, "power_response")
	d := dr.Device{ID: 1, AccountID: a.ID, Program: p.Code, Type: "thermostat", Brand: "nest", Enrolled: day(2026, 5, 1)}
	due := dr.IncentivesDue(p, d, day(2026, 6, 1))
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { _, err := tx.AddPayables(ctx, staff, due); return err })
	payer := store.BudgetPayer{DB: db, Actor: staff, Funding: func(string) *dr.Funding { return p.Funding }}
	for _, c := range []struct {
		what    string
		payer   store.BudgetPayer
		setup   func()
		rule    string
		refusal string
	}{
		{"no funding", store.BudgetPayer{DB: db, Actor: staff}, nil, dr.RuleNoFunding, "no_funding: the program names no incentive budget to pay from"},
		{"no budget", payer, nil, dr.RuleNoBudgetInForce, `no_budget_in_force: no power-response budget (measure "participation") is in force on 2026-05-01`},
		{"closed", payer, func() {
			b := powerResponseBudget(t, db, 100_000)
			inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
				_, err := tx.SetBudgetClosed(ctx, staff, b.ID, true)
				return err
			})
		}, dr.RuleBudgetClosed, "budget_closed: every power-response budget in force on 2026-05-01 is closed"},
	} {
		if c.setup != nil {
			c.setup()
		}
		_, err := c.payer.Pay(ctx, due[0])
		if dr.RefusalRule(err) != c.rule {
			t.Fatalf("%s: %v, want a %s refusal", c.what, err, c.rule)
		}
		ps, _ := db.PayablesWhere(ctx, store.PayableFilter{AccountID: a.ID})
		if len(ps) != 1 || ps[0].Status != "refused" || ps[0].Refusal != c.refusal {
			t.Errorf("%s: %+v; want refused with %q", c.what, ps, c.refusal)
		}
	}
	if n := queryInt(t, db, `SELECT COUNT(*) FROM incentive_ledger WHERE payable_key IS NOT NULL`); n != 0 {
		t.Errorf("%d ledger entries for refused payments", n)
	}
}
