package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/store"
)

// billed is an account created for the bill-run checks with its meter's
// channels.
type billed struct {
	acct               customer.Account
	delivered, receive int64
}

// billAccount creates a residential CCA account on schedule with an
// hourly meter and stores wh in every hour of [from, to) on its
// delivered channel (nothing when wh < 0) and zero on its received one.
func billAccount(t *testing.T, db *store.DB, number, schedule string, class customer.Class, from, to calendar.Date, wh energy.Wh) billed {
	t.Helper()
	c := customer.Customer{Kind: customer.Person, Name: "Bill Payer " + number}
	p := customer.Premise{Address: number + " Main St", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037", MemberAgency: "Unincorporated Los Angeles County"}
	a := customer.Account{Number: number, Class: class, RateSchedule: schedule, LSE: customer.CCA, ServiceStart: day(2024, 1, 1)}
	m := customer.Meter{Serial: "M-" + number, IntervalSeconds: 3600, Installed: day(2024, 1, 1),
		Channels: []customer.Channel{{Direction: customer.Delivered}, {Direction: customer.Received}}}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		if err := createMetered(ctx, tx, &c, &p, &a, &m); err != nil {
			return err
		}
		if wh < 0 {
			return nil
		}
		for i, v := range []energy.Wh{wh, 0} {
			s := meterdata.Series{Start: from.Start(), Step: time.Hour}
			for at := from.Start(); at.Before(to.Start()); at = at.Add(time.Hour) {
				s.Values = append(s.Values, v)
			}
			if err := tx.PutIntervals(ctx, m.Channels[i].ID, s); err != nil {
				return err
			}
		}
		return nil
	})
	return billed{acct: a, delivered: m.Channels[0].ID, receive: m.Channels[1].ID}
}

// createMetered creates a customer, a premise, an account of both and a
// meter of the account.
func createMetered(ctx context.Context, tx *store.Tx, c *customer.Customer, p *customer.Premise, a *customer.Account, m *customer.Meter) error {
	if err := tx.CreateCustomer(ctx, staff, c); err != nil {
		return err
	}
	if err := tx.CreatePremise(ctx, staff, p); err != nil {
		return err
	}
	a.CustomerID, a.PremiseID = c.ID, p.ID
	if err := tx.CreateAccount(ctx, staff, a); err != nil {
		return err
	}
	m.AccountID = a.ID
	return tx.CreateMeter(ctx, staff, m)
}

// runCycle creates and executes a run of cycle (read day 1).
func runCycle(t *testing.T, db *store.DB, r *billrun.Runner, cycle string) billrun.Run {
	t.Helper()
	run := createRun(t, db, cycle)
	if r.Store == nil {
		r.Store = db
	}
	if r.Policies == nil {
		ps, err := billrun.LoadPolicies()
		if err != nil {
			t.Fatal(err)
		}
		r.Policies = ps
	}
	done, err := r.Execute(context.Background(), run.ID, 0)
	if err != nil {
		t.Fatalf("run %s: %v", cycle, err)
	}
	return done
}

func createRun(t *testing.T, db *store.DB, cycle string) billrun.Run {
	t.Helper()
	var run billrun.Run
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		run, err = tx.CreateBillRun(ctx, staff, cycle, 1)
		return err
	})
	return run
}

// billRunAccounts seeds the shipped tariffs and three accounts with July
// and August 2025 readings of 1 kWh every hour: a CCA home on
// TOU-D-PRIME, a business on TOU-GS-1-D (no tariff loaded), and a home
// with no readings.
func billRunAccounts(t *testing.T, db *store.DB) (home, shop, dark billed) {
	t.Helper()
	if _, err := db.LoadShippedTariffs(context.Background(), staff); err != nil {
		t.Fatal(err)
	}
	from, to := day(2025, 7, 1), day(2025, 9, 1)
	home = billAccount(t, db, "7100000001", "TOU-D-PRIME", customer.Residential, from, to, 1000)
	shop = billAccount(t, db, "7100000002", "TOU-GS-1-D", customer.Commercial, from, to, 1000)
	dark = billAccount(t, db, "7100000003", "TOU-D-PRIME", customer.Residential, from, to, -1)
	return home, shop, dark
}

// testBillRunBillsEveryAccountInService checks a run's outcomes: the
// home's July 2025 bill is $250.19 ($174.88 SCE + $75.31 CPA; the hand
// computation is in billrun's TestComputeJulyCCABillFromSheet), the
// business without a loaded tariff is skipped with the reason, the home
// without readings fails naming them, and the run counts all three.
func testBillRunBillsEveryAccountInService(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	home, shop, dark := billRunAccounts(t, db)
	run := runCycle(t, db, &billrun.Runner{BatchSize: 2}, "2025-07")
	want := billrun.Counts{Billed: 1, Failed: 1, Skipped: 1}
	if run.Status != billrun.RunCompleted || run.Counts != want || run.Accounts != 3 || run.Period.String() != "2025-07-01 – 2025-07-31" && run.Period.End != day(2025, 8, 1) {
		t.Errorf("run %+v, want completed over 3 accounts with %+v", run, want)
	}
	bills, err := db.Bills(ctx, store.BillFilter{AccountID: home.acct.ID})
	if err != nil || len(bills) != 1 {
		t.Fatalf("bills %v %v", bills, err)
	}
	b, err := db.Bill(ctx, bills[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if b.Total != 25019 || b.UtilityTotal != 17488 || b.CCATotal != 7531 || b.Version != 1 || b.RunID != run.ID || b.AccountNumber != home.acct.Number {
		t.Errorf("bill %+v, want $250.19 = $174.88 + $75.31, version 1 of run %d", b, run.ID)
	}
	if _, err := b.Decode(); err != nil {
		t.Error(err)
	}
	outs, err := db.BillRunOutcomes(ctx, run.ID, "", 0, 10)
	if err != nil || len(outs) != 3 {
		t.Fatalf("outcomes %v %v", outs, err)
	}
	byAcct := map[int64]store.BillRunOutcome{}
	for _, o := range outs {
		byAcct[o.AccountID] = o
	}
	if o := byAcct[shop.acct.ID]; o.Status != billrun.Skipped || !strings.Contains(o.Reason, "no SCE tariff TOU-GS-1-D is loaded") {
		t.Errorf("business: %+v", o)
	}
	if o := byAcct[dark.acct.ID]; o.Status != billrun.Failed || !strings.Contains(o.Reason, "no reading") {
		t.Errorf("home without readings: %+v", o)
	}
	if o := byAcct[home.acct.ID]; o.Status != billrun.Billed || o.BillID != b.ID {
		t.Errorf("home: %+v", o)
	}
	reasons, err := db.BillReasons(ctx, run.ID, billrun.Skipped, 5)
	if err != nil || len(reasons) != 1 || reasons[0].N != 1 {
		t.Errorf("skip reasons %v %v", reasons, err)
	}
}

// testBillRunRerunIsIdempotent: running the cycle again stores no new
// bill (every input is the same), and the stored bill recomputed from its
// stored inputs is the same document byte for byte.
func testBillRunRerunIsIdempotent(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	home, _, _ := billRunAccounts(t, db)
	runCycle(t, db, &billrun.Runner{}, "2025-07")
	again := runCycle(t, db, &billrun.Runner{}, "2025-07")
	if again.Counts != (billrun.Counts{Unchanged: 1, Failed: 1, Skipped: 1}) {
		t.Errorf("second run %+v, want the home unchanged", again.Counts)
	}
	if n := countRows(t, db, "bills"); n != 1 {
		t.Errorf("%d bills after two runs, want 1", n)
	}
	bills, _ := db.Bills(ctx, store.BillFilter{AccountID: home.acct.ID})
	b, err := db.Bill(ctx, bills[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	versions, tables, err := db.BillingCatalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	series, err := db.BillRunIntervals(ctx, append(b.Inputs.Delivered, b.Inputs.Received...), b.Period.Start.Start(), b.Period.End.Start())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := billrun.Reproduce(billing.NewCalculator(), &b, billrun.NewCatalog(versions, tables), series)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, b.Document) {
		t.Errorf("recomputed bill differs from the stored one:\n%s\n%s", doc, b.Document)
	}
}

// cancelAfter is a run store that cancels the run after its first saved
// batch, as a killed process would stop it.
type cancelAfter struct {
	*store.DB
	cancel context.CancelFunc
}

func (c cancelAfter) SaveBillRunOutcomes(ctx context.Context, runID int64, out []billrun.Outcome) error {
	err := c.DB.SaveBillRunOutcomes(ctx, runID, out)
	c.cancel()
	return err
}

// testBillRunResumesAfterInterruption: a run stopped after its first
// batch is interrupted; executing it again bills only the accounts
// without an outcome, so every account ends with exactly one outcome and
// no bill is duplicated.
func testBillRunResumesAfterInterruption(t *testing.T, db *store.DB) {
	setClock(db, t0)
	billRunAccounts(t, db)
	billAccount(t, db, "7100000004", "TOU-D-PRIME", customer.Residential, day(2025, 7, 1), day(2025, 8, 1), 500)
	ps, err := billrun.LoadPolicies()
	if err != nil {
		t.Fatal(err)
	}
	run := createRun(t, db, "2025-07")
	ctx, cancel := context.WithCancel(context.Background())
	r := &billrun.Runner{Store: cancelAfter{db, cancel}, Policies: ps, BatchSize: 1}
	stopped, err := r.Execute(ctx, run.ID, 0)
	if err == nil || stopped.Status != billrun.RunInterrupted || stopped.Counts.Done() == 0 || stopped.Counts.Done() == 4 {
		t.Fatalf("first attempt: %+v, %v; want interrupted part-way", stopped, err)
	}
	r.Store = db
	done, err := r.Execute(context.Background(), run.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != billrun.RunCompleted || done.Counts != (billrun.Counts{Billed: 2, Failed: 1, Skipped: 1}) {
		t.Errorf("resumed run %+v", done)
	}
	if n := countRows(t, db, "bills"); n != 2 {
		t.Errorf("%d bills, want 2", n)
	}
	if n := countRows(t, db, "bill_run_accounts"); n != 4 {
		t.Errorf("%d outcomes, want 4", n)
	}
}

// testRebillAfterCorrectionKeepsOldVersion: a corrected reading (July 2,
// hour beginning 02:00, 1 → 3 kWh, off-peak) re-bills July as version 2;
// version 1 is kept, superseded by it, and the re-bill is audited. The
// total rises by 2 kWh × $0.26322 = $0.52644, within a cent of rounding.
func testRebillAfterCorrectionKeepsOldVersion(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	home, _, _ := billRunAccounts(t, db)
	runCycle(t, db, &billrun.Runner{}, "2025-07")
	at := time.Date(2025, 7, 2, 2, 0, 0, 0, calendar.Pacific)
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		return tx.PutIntervals(ctx, home.delivered, meterdata.Series{Start: at.UTC(), Step: time.Hour, Values: []energy.Wh{3000}})
	})
	run := runCycle(t, db, &billrun.Runner{}, "2025-07")
	if run.Counts.Billed != 1 {
		t.Fatalf("re-run %+v, want the home re-billed", run.Counts)
	}
	vs, err := db.BillVersions(ctx, home.acct.ID, day(2025, 7, 1))
	if err != nil || len(vs) != 2 {
		t.Fatalf("versions %v %v", vs, err)
	}
	v1, v2 := vs[0], vs[1]
	if v1.SupersededBy != v2.ID || v2.SupersededBy != 0 || v2.Version != 2 || !strings.Contains(v2.Reason, "interval data changed") {
		t.Errorf("v1 %+v\nv2 %+v", v1, v2)
	}
	if d := v2.Total - v1.Total; d < 52 || d > 54 {
		t.Errorf("total rose by %s, want $0.53 ± 0.01", d)
	}
	cur, _ := db.Bills(ctx, store.BillFilter{AccountID: home.acct.ID})
	all, _ := db.Bills(ctx, store.BillFilter{AccountID: home.acct.ID, Versions: true})
	if len(cur) != 1 || cur[0].ID != v2.ID || len(all) != 2 {
		t.Errorf("current %d (id %d), all %d", len(cur), cur[0].ID, len(all))
	}
	recs, err := db.AuditLog(ctx, store.AuditFilter{Entity: "bill"})
	if err != nil || len(recs) != 1 || recs[0].Action != "rebill" || !strings.Contains(string(recs[0].After), "interval data changed") {
		t.Errorf("audit %+v %v", recs, err)
	}
}

// testBillRunCarriesStateAndRefusesGaps: August starts from the state
// July left; the account's carried state moves to 1 September; a run of
// October (September unbilled) fails the account until September is
// billed.
func testBillRunCarriesStateAndRefusesGaps(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	home, _, _ := billRunAccounts(t, db)
	runCycle(t, db, &billrun.Runner{}, "2025-07")
	runCycle(t, db, &billrun.Runner{}, "2025-08")
	bills, err := db.Bills(ctx, store.BillFilter{AccountID: home.acct.ID})
	if err != nil || len(bills) != 2 {
		t.Fatalf("bills %v %v", bills, err)
	}
	aug, err := db.Bill(ctx, bills[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	julFull, err := db.Bill(ctx, bills[1].ID)
	if err != nil {
		t.Fatal(err)
	}
	if string(aug.Inputs.StateBefore) != string(julFull.StateAfter) {
		t.Errorf("August carried in %s, July left %s", aug.Inputs.StateBefore, julFull.StateAfter)
	}
	st, through, ok, err := db.BillingState(ctx, home.acct.ID)
	if err != nil || !ok || through != day(2025, 9, 1) || st.Utility.Bills != 2 {
		t.Errorf("carried state %+v through %s %v %v", st, through, ok, err)
	}
	oct := runCycle(t, db, &billrun.Runner{}, "2025-10")
	outs, _ := db.BillRunOutcomes(ctx, oct.ID, billrun.Failed, 0, 10)
	found := false
	for _, o := range outs {
		found = found || o.AccountID == home.acct.ID && strings.Contains(o.Reason, "end on 2025-09-01")
	}
	if !found {
		t.Errorf("October outcomes %+v, want the home failed for the unbilled September", outs)
	}
}

// testSeededStateOpensFirstBill: balances seeded from another billing
// system are carried into the first bill; seeding is refused once the
// account has bills.
func testSeededStateOpensFirstBill(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	home, _, _ := billRunAccounts(t, db)
	seed := billing.State{Utility: billing.LedgerState{Start: day(2025, 3, 1), Bills: 4, Balance: -4321}}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		return tx.SeedBillingState(ctx, staff, home.acct.ID, day(2025, 7, 1), seed)
	})
	runCycle(t, db, &billrun.Runner{}, "2025-07")
	bills, _ := db.Bills(ctx, store.BillFilter{AccountID: home.acct.ID})
	b, err := db.Bill(ctx, bills[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	var before billing.State
	if err := json.Unmarshal(b.Inputs.StateBefore, &before); err != nil || before != seed {
		t.Errorf("carried in %+v, want the seeded %+v", before, seed)
	}
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		return tx.SeedBillingState(ctx, staff, home.acct.ID, day(2025, 7, 1), seed)
	})
	wantErr(t, "seeding after bills", err, apperr.Conflict, "")
}

// testBillRunRefusesConcurrentRunOfCycle: a cycle is not run twice at
// once; a bad cycle or read day is refused naming the field.
func testBillRunRefusesConcurrentRunOfCycle(t *testing.T, db *store.DB) {
	setClock(db, t0)
	createRun(t, db, "2025-07")
	err := txErr(db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.CreateBillRun(ctx, staff, "2025-07", 1)
		return err
	})
	wantErr(t, "second run while queued", err, apperr.Conflict, "")
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.CreateBillRun(ctx, staff, "2025-13", 30)
		return err
	})
	wantErr(t, "bad cycle", err, apperr.Invalid, "cycle,read_day")
	if n := countRows(t, db, "bill_runs"); n != 1 {
		t.Errorf("%d runs stored, want 1", n)
	}
}
