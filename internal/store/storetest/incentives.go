package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// importShipped stores the shipped program catalog.
func importShipped(t *testing.T, db *store.DB) store.ProgramImport {
	t.Helper()
	cat, err := incentive.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	var res store.ProgramImport
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		res, err = tx.ImportPrograms(ctx, staff, cat)
		return err
	})
	return res
}

// homeOpts shapes the accounts made by homes.
type homeOpts struct {
	hftd int    // premise HFTD tier
	care bool   // enrolled in CARE
	lse  string // "" for the CCA
	end  [3]int // service end (zero: in service)
}

// homes creates n residential accounts, each at its own premise, and
// returns their ids.
func homes(t *testing.T, db *store.DB, first, n int, o homeOpts) []int64 {
	t.Helper()
	var ids []int64
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		for i := first; i < first+n; i++ {
			c := newCustomer(fmt.Sprintf("Home %d", i), "")
			if err := tx.CreateCustomer(ctx, staff, &c); err != nil {
				return err
			}
			p := newPremise(fmt.Sprintf("%d Battery Way", i), "90001", "06037", "Unincorporated Los Angeles County")
			p.HFTDTier = o.hftd
			if err := tx.CreatePremise(ctx, staff, &p); err != nil {
				return err
			}
			a := newAccount(fmt.Sprintf("61%08d", i), c, p)
			if o.lse == "bundled" {
				a.LSE = customer.Bundled
			}
			if o.end != [3]int{} {
				a.ServiceEnd = day(o.end[0], time.Month(o.end[1]), o.end[2])
			}
			if err := tx.CreateAccount(ctx, staff, &a); err != nil {
				return err
			}
			if o.care {
				e := customer.Enrollment{AccountID: a.ID, Program: customer.ProgramCARE, From: day(2024, 1, 1), Note: "utility certified", Source: "utility"}
				if err := tx.Enroll(ctx, staff, &e); err != nil {
					return err
				}
			}
			ids = append(ids, a.ID)
		}
		return nil
	})
	return ids
}

// battery is an applicant's Sun Storage facts.
var battery = incentive.Facts{Measure: map[string]json.RawMessage{"paired_with_solar": json.RawMessage("true")}}

// sunBudget gives the Sun Storage Rebate a budget of the amount.
func sunBudget(t *testing.T, db *store.DB, allocated money.Cents) incentive.Budget {
	t.Helper()
	b := incentive.Budget{Slug: "sun-storage-test", ProgramID: "sun-storage-rebate", Name: "Sun Storage test budget",
		From: day(2025, 1, 1), AllocatedCents: allocated, Source: "test allocation"}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateBudget(ctx, staff, &b) })
	return b
}

func draft(t *testing.T, db *store.DB, account int64, facts incentive.Facts, serials ...string) incentive.Application {
	t.Helper()
	var a incentive.Application
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		a, err = tx.CreateApplication(ctx, staff, store.NewApplication{ProgramID: "sun-storage-rebate", AccountID: account, Facts: facts,
			Serials: serials, PurchaseDate: day(2026, 6, 1)})
		return err
	})
	return a
}

func submit(t *testing.T, db *store.DB, id int64) incentive.Application {
	t.Helper()
	var a incentive.Application
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		a, err = tx.SubmitApplication(ctx, staff, id)
		return err
	})
	return a
}

func move(t *testing.T, db *store.DB, id int64, to incentive.Status, amount money.Cents) incentive.Application {
	t.Helper()
	var a incentive.Application
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		a, err = tx.TransitionApplication(ctx, staff, id, store.Transition{To: to, AmountCents: amount})
		return err
	})
	return a
}

// testIncentiveProgramsImportIdempotent checks DESIGN.md principle 5 for
// programs: importing the shipped catalog twice stores it once, with its
// budgets and their allocations in the ledger.
func testIncentiveProgramsImportIdempotent(t *testing.T, db *store.DB) {
	setClock(db, t0)
	first := importShipped(t, db)
	if first.Added != 20 || first.BudgetsAdded != 2 {
		t.Errorf("first import %+v, want 20 programs (19 + Power Ready) and 2 budgets", first)
	}
	again := importShipped(t, db)
	if again.Added != 0 || again.Changed != 0 || again.Unchanged != 20 || again.BudgetsAdded != 0 {
		t.Errorf("second import %+v, want everything unchanged", again)
	}
	bs, err := db.Budgets(context.Background(), "instant-ac-savings")
	if err != nil || len(bs) != 1 || bs[0].AllocatedCents != money.Dollars(3_150_000) {
		t.Fatalf("Instant AC budgets %+v (%v), want one of $3,150,000.00", bs, err)
	}
	l, err := db.Ledger(context.Background(), bs[0].ID)
	if err != nil || len(l) != 1 || l[0].Kind != incentive.Allocate || l[0].AmountCents != money.Dollars(3_150_000) {
		t.Errorf("ledger %+v (%v), want one allocation", l, err)
	}
	recs, err := db.AuditLog(context.Background(), store.AuditFilter{Entity: "incentive_program", Limit: 100})
	if err != nil || len(recs) != 20 {
		t.Errorf("%d program audit records (%v), want 20", len(recs), err)
	}
}

// testIncentiveFirstComeFirstServed is research/programs.md §7 scenario
// 21 in the store: $10,000 and 14 applications of $750 — 13 reserved, the
// 14th waitlisted; withdrawing #5 promotes #14 with RELEASE 750 then
// RESERVE 750 in the ledger, in the same transaction.
func testIncentiveFirstComeFirstServed(t *testing.T, db *store.DB) {
	setClock(db, t0)
	importShipped(t, db)
	b := sunBudget(t, db, money.Dollars(10_000))
	ids := homes(t, db, 1, 14, homeOpts{})
	var apps []incentive.Application
	for _, id := range ids {
		a := draft(t, db, id, battery)
		apps = append(apps, submit(t, db, a.ID))
	}
	for i, a := range apps {
		want := incentive.Reserved
		if i == 13 {
			want = incentive.Waitlisted
		}
		if a.Status != want || (want == incentive.Reserved && a.ReservedCents != 75000) {
			t.Errorf("application %d: %s %s, want %s", i+1, a.Status, a.ReservedCents, want)
		}
	}
	got, _ := db.Budget(context.Background(), b.ID)
	if got.ReservedCents != money.Dollars(9_750) || got.Available() != money.Dollars(250) {
		t.Errorf("budget %s, want $9,750.00 reserved and $250.00 available", got)
	}
	before, _ := db.Ledger(context.Background(), b.ID)
	move(t, db, apps[4].ID, incentive.Withdrawn, 0)
	after, _ := db.Ledger(context.Background(), b.ID)
	var tail []incentive.Entry
	for _, r := range after[len(before):] {
		tail = append(tail, incentive.Entry{Kind: r.Kind, AmountCents: r.AmountCents, ApplicationID: r.ApplicationID})
	}
	want := []incentive.Entry{{Kind: incentive.Release, AmountCents: 75000, ApplicationID: apps[4].ID},
		{Kind: incentive.Reserve, AmountCents: 75000, ApplicationID: apps[13].ID}}
	if diff := cmp.Diff(want, tail); diff != "" {
		t.Errorf("ledger after the withdrawal (-want +got):\n%s", diff)
	}
	if a, _ := db.Application(context.Background(), apps[13].ID); a.Status != incentive.Reserved {
		t.Errorf("application 14 is %s after the withdrawal, want reserved", a.Status)
	}
}

// testIncentiveConcurrentReservations is §7 scenario 22: 100 concurrent
// submissions of $750 against $10,000 — exactly 13 reserved, the sum of
// reservations $9,750, nothing available below zero, the rest waitlisted.
func testIncentiveConcurrentReservations(t *testing.T, db *store.DB) {
	setClock(db, t0)
	importShipped(t, db)
	b := sunBudget(t, db, money.Dollars(10_000))
	ids := homes(t, db, 1, 100, homeOpts{})
	var drafts []int64
	for _, id := range ids {
		drafts = append(drafts, draft(t, db, id, battery).ID)
	}
	var wg sync.WaitGroup
	statuses := make([]incentive.Status, len(drafts))
	errs := make([]error, len(drafts))
	start := make(chan struct{})
	for i, id := range drafts {
		wg.Go(func() {
			<-start
			ctx := context.Background()
			errs[i] = db.InTx(ctx, func(tx *store.Tx) error {
				a, err := tx.SubmitApplication(ctx, staff, id)
				statuses[i] = a.Status
				return err
			})
		})
	}
	close(start)
	wg.Wait()
	reserved, waitlisted := 0, 0
	for i, s := range statuses {
		if errs[i] != nil {
			t.Errorf("submission %d: %v", i, errs[i])
		}
		switch s {
		case incentive.Reserved:
			reserved++
		case incentive.Waitlisted:
			waitlisted++
		}
	}
	if reserved != 13 || waitlisted != 87 {
		t.Errorf("%d reserved and %d waitlisted, want 13 and 87", reserved, waitlisted)
	}
	got, err := db.Budget(context.Background(), b.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ReservedCents != money.Dollars(9_750) || got.Available() < 0 {
		t.Errorf("budget %s, want $9,750.00 reserved", got)
	}
	l, _ := db.Ledger(context.Background(), b.ID)
	var sum money.Cents
	for _, r := range l {
		if r.Kind == incentive.Reserve {
			sum += r.AmountCents
		}
	}
	if sum != money.Dollars(9_750) {
		t.Errorf("reserve entries sum to %s, want $9,750.00", sum)
	}
}

// testIncentiveMoneyBadInput checks the refusals of the money path, each
// storing nothing: approving more than the reservation, a reservation on
// a closed budget, a document failing its checksum; and that approval
// for less releases the difference and a payment batch pays through the
// ledger.
func testIncentiveMoneyBadInput(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	importShipped(t, db)
	b := sunBudget(t, db, money.Dollars(10_000))
	ids := homes(t, db, 1, 2, homeOpts{hftd: 3})
	a := submit(t, db, draft(t, db, ids[0], battery).ID)
	if a.Status != incentive.Reserved || a.ReservedCents != 200000 {
		t.Fatalf("Tier 3 battery: %s %s, want reserved $2,000.00", a.Status, a.ReservedCents)
	}
	move(t, db, a.ID, incentive.ClaimSubmitted, 0)
	rows := countRows(t, db, "incentive_ledger")
	err := txErr(db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.TransitionApplication(ctx, staff, a.ID, store.Transition{To: incentive.Approved, AmountCents: 200001})
		return err
	})
	wantErr(t, "payment above the reservation", err, apperr.Invalid, "amount_cents")
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.AddDocument(ctx, staff, a.ID, "invoice.pdf", "application/pdf", []byte("%PDF-1.7 invoice"), "00ff")
		return err
	})
	wantErr(t, "document failing its checksum", err, apperr.Invalid, "sha256")
	if n := countRows(t, db, "incentive_ledger"); n != rows || countRows(t, db, "incentive_documents") != 0 {
		t.Errorf("refused requests stored rows: ledger %d → %d", rows, n)
	}
	a = move(t, db, a.ID, incentive.Approved, 150000)
	got, _ := db.Budget(ctx, b.ID)
	if a.ApprovedCents != 150000 || a.ReservedCents != 0 || got.CommittedCents != 150000 || got.ReservedCents != 0 {
		t.Errorf("approved for $1,500: app %+v budget %s", a, got)
	}
	var batch store.PaymentBatch
	var ps []incentive.Payment
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		batch, ps, err = tx.CreatePaymentBatch(ctx, staff, incentive.BatchACH)
		return err
	})
	if batch.Count != 1 || batch.TotalCents != 150000 || len(ps) != 1 || batch.FileSHA256 == "" {
		t.Fatalf("batch %+v payments %+v", batch, ps)
	}
	var buf bytes.Buffer
	if err := incentive.WritePaymentFile(&buf, batch.Method, ps); err != nil || !bytes.Contains(buf.Bytes(), []byte(",1500.00,sun-storage-rebate,")) {
		t.Errorf("payment file %q (%v)", buf.String(), err)
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.ReconcileBatch(ctx, staff, batch.ID, []incentive.PaymentResult{{PaymentID: ps[0].ID, Status: "paid", Reference: "ACH-1"}})
		return err
	})
	got, _ = db.Budget(ctx, b.ID)
	if a, _ := db.Application(ctx, a.ID); a.Status != incentive.Paid || got.PaidCents != 150000 || got.CommittedCents != 0 {
		t.Errorf("after reconciliation: %s, budget %s", a.Status, got)
	}
	// A reservation on a closed budget.
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.SetBudgetClosed(ctx, staff, b.ID, true)
		return err
	})
	d := draft(t, db, ids[1], battery)
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.SubmitApplication(ctx, staff, d.ID)
		return err
	})
	wantErr(t, "reservation on a closed budget", err, apperr.Conflict, "")
	if a, _ := db.Application(ctx, d.ID); a.Status != incentive.Draft {
		t.Errorf("refused submission left the application %s, want draft", a.Status)
	}
}

// testIncentiveScreen is §7 scenarios 26 and 27 in the store: a serial
// already on another application holds the second; a purchase after the
// account left the CCA is rejected; one per household per measure.
func testIncentiveScreen(t *testing.T, db *store.DB) {
	setClock(db, t0)
	importShipped(t, db)
	sunBudget(t, db, money.Dollars(10_000))
	ids := homes(t, db, 1, 2, homeOpts{})
	first := submit(t, db, draft(t, db, ids[0], battery, "BAT-001").ID)
	second := submit(t, db, draft(t, db, ids[1], battery, "bat-001").ID)
	if first.Status != incentive.Reserved || second.Status != incentive.OnHold || len(second.Flags) != 1 || second.Flags[0].Code != incentive.FlagDuplicateSerial {
		t.Errorf("duplicate serial: first %s, second %s %+v", first.Status, second.Status, second.Flags)
	}
	// Released from hold, the flagged application is reserved and its
	// claim always goes to QA inspection (risk-based sampling).
	move(t, db, second.ID, incentive.Reserved, 0)
	if a := move(t, db, second.ID, incentive.ClaimSubmitted, 0); a.Status != incentive.QAInspection {
		t.Errorf("flagged claim: %s, want qa_inspection", a.Status)
	}
	again := submit(t, db, draft(t, db, ids[0], battery).ID)
	if again.Status != incentive.Rejected || again.Flags[0].Code != incentive.FlagDuplicateHousehold {
		t.Errorf("same household and measure: %s %+v", again.Status, again.Flags)
	}
	gone := homes(t, db, 10, 1, homeOpts{end: [3]int{2026, 2, 1}})
	var a incentive.Application
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		a, err = tx.CreateApplication(ctx, staff, store.NewApplication{ProgramID: "sun-storage-rebate", AccountID: gone[0], Facts: battery,
			PurchaseDate: day(2026, 2, 15)})
		return err
	})
	a = submit(t, db, a.ID)
	if a.Status != incentive.Rejected || a.Flags[0].Code != incentive.FlagNotCCACustomer {
		t.Errorf("opted out before the purchase: %s %+v", a.Status, a.Flags)
	}
}

// testIncentiveCoupons is §7 scenarios 11, 24 and 25 in the store, with
// the coupon budget: issue to a CARE home ($300 reserved), a second
// refused, a non-CARE home refused, redemption bound to retailer and
// channel, redeemed once, reimbursed to the retailer through a batch.
func testIncentiveCoupons(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	importShipped(t, db)
	care := homes(t, db, 1, 1, homeOpts{care: true})
	plain := homes(t, db, 2, 1, homeOpts{})
	issue := func(acct int64) (incentive.Coupon, error) {
		var c incentive.Coupon
		err := txErr(db, func(ctx context.Context, tx *store.Tx) error {
			var err error
			c, err = tx.IssueCoupon(ctx, staff, store.IssueCouponRequest{AccountID: acct, ProgramID: "instant-ac-savings", Retailer: "retailer-a", Channel: "in_store"})
			return err
		})
		return c, err
	}
	c, err := issue(care[0])
	if err != nil || c.AmountCents != 30000 || c.Expires != day(2026, 12, 31) {
		t.Fatalf("coupon %+v (%v), want $300 expiring 2026-12-31", c, err)
	}
	_, err = issue(care[0])
	wantErr(t, "second coupon", err, apperr.Conflict, "")
	_, err = issue(plain[0])
	wantErr(t, "non-CARE household", err, apperr.Invalid, "account_id")
	redeem := func(retailer, channel string) error {
		return txErr(db, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.RedeemCoupon(ctx, staff, c.Code, retailer, channel, "R1", day(2026, 7, 1))
			return err
		})
	}
	wantErr(t, "redeem at retailer B", redeem("retailer-b", "in_store"), apperr.Conflict, "")
	wantErr(t, "redeem online", redeem("retailer-a", "online"), apperr.Conflict, "")
	if err := redeem("retailer-a", "in_store"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "redeem twice", redeem("retailer-a", "in_store"), apperr.Conflict, "")
	bs, _ := db.Budgets(ctx, "instant-ac-savings")
	if bs[0].CommittedCents != 30000 || bs[0].ReservedCents != 0 {
		t.Errorf("budget after redemption %s", bs[0])
	}
	var batch store.PaymentBatch
	var ps []incentive.Payment
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		batch, ps, err = tx.CreatePaymentBatch(ctx, staff, incentive.BatchRetailer)
		return err
	})
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.ReconcileBatch(ctx, staff, batch.ID, []incentive.PaymentResult{{PaymentID: ps[0].ID, Status: "paid"}})
		return err
	})
	r, err := db.IncentiveReport(ctx, "instant-ac-savings")
	if err != nil || r.CouponsRedeemed != 1 || r.PaidCents != 30000 || r.Participants != 1 {
		t.Errorf("report %+v (%v)", r, err)
	}
}

// testIncentiveReportSunStorage checks that the published Sun Storage
// figures come out of records that contain them (seed 000: "$103,750 paid
// to 132 customers; $288,000 reserved"): 113 base rebates of $750 and 19
// CARE rebates of $1,000 paid, and 144 Tier 2 rebates of $2,000 reserved.
func testIncentiveReportSunStorage(t *testing.T, db *store.DB) {
	setClock(db, t0)
	importShipped(t, db)
	sunBudget(t, db, money.Dollars(500_000))
	pay := func(ids []int64) {
		for _, id := range ids {
			a := submit(t, db, draft(t, db, id, battery).ID)
			move(t, db, a.ID, incentive.ClaimSubmitted, 0)
			move(t, db, a.ID, incentive.Approved, 0)
			move(t, db, a.ID, incentive.PaymentPending, 0)
			move(t, db, a.ID, incentive.Paid, 0)
		}
	}
	pay(homes(t, db, 1, 113, homeOpts{}))
	pay(homes(t, db, 200, 19, homeOpts{care: true}))
	for _, id := range homes(t, db, 300, 144, homeOpts{hftd: 2}) {
		submit(t, db, draft(t, db, id, battery).ID)
	}
	r, err := db.IncentiveReport(context.Background(), "sun-storage-rebate")
	if err != nil {
		t.Fatal(err)
	}
	if r.PaidCents != money.Dollars(103_750) || r.Participants != 132 || r.ReservedCents != money.Dollars(288_000) || r.IncomeQualifiedPaid != 19 {
		t.Errorf("report: %s (income-qualified %d), want $103,750.00 paid to 132 and $288,000.00 reserved", r, r.IncomeQualifiedPaid)
	}
	if n := len(r.BurnDown); n == 0 || r.BurnDown[n-1].PaidCents != money.Dollars(103_750) || r.BurnDown[n-1].AvailableCents != money.Dollars(108_250) {
		t.Errorf("burn-down %+v, want $103,750.00 paid and $108,250.00 left", r.BurnDown)
	}
}

// testIncentivePowerShareAutoEnroll checks automatic Power Share
// enrolment (seed 000: income-qualified customers in disadvantaged
// communities, prioritising those at higher risk of disconnection;
// research/programs.md §7 scenario 30): only CARE/FERA homes in a DAC are
// candidates, the riskiest are enrolled first up to the capacity, and a
// second run at the same capacity adds nobody.
func testIncentivePowerShareAutoEnroll(t *testing.T, db *store.DB) {
	setClock(db, t0)
	importShipped(t, db)
	var dac, plain []int64
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		for i := range 5 {
			c := newCustomer(fmt.Sprintf("Oxnard %d", i), "")
			if err := tx.CreateCustomer(ctx, staff, &c); err != nil {
				return err
			}
			// 06111004902: an Oxnard tract in the CalEnviroScreen 4.0 top 25%.
			p := customer.Premise{Address: fmt.Sprintf("%d South A Street", i), City: "Oxnard", ZIP: "93030", CountyFIPS: "06111",
				MemberAgency: "Oxnard", TractGEOID: "06111004902"}
			if i == 4 {
				p.TractGEOID = "" // not in a DAC
			}
			if err := tx.CreatePremise(ctx, staff, &p); err != nil {
				return err
			}
			a := newAccount(fmt.Sprintf("62%08d", i), c, p)
			if err := tx.CreateAccount(ctx, staff, &a); err != nil {
				return err
			}
			if i < 3 || i == 4 { // account 3 is in a DAC but on neither CARE nor FERA
				e := customer.Enrollment{AccountID: a.ID, Program: customer.ProgramCARE, From: day(2024, 1, 1), Note: "utility certified"}
				if err := tx.Enroll(ctx, staff, &e); err != nil {
					return err
				}
			}
			if i < 4 && p.TractGEOID != "" {
				dac = append(dac, a.ID)
			} else {
				plain = append(plain, a.ID)
			}
		}
		return nil
	})
	risk := map[int64]incentive.Candidate{dac[2]: {Notices: 2, ArrearsCents: 40000}, dac[1]: {Notices: 0, ArrearsCents: 90000}}
	var got []int64
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		got, err = tx.AutoEnrollPowerShare(ctx, staff, day(2026, 6, 1), 2, risk)
		return err
	})
	if fmt.Sprint(got) != fmt.Sprint([]int64{dac[2], dac[1]}) {
		t.Errorf("enrolled %v, want the two riskiest CARE homes in the DAC %v", got, []int64{dac[2], dac[1]})
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		got, err = tx.AutoEnrollPowerShare(ctx, staff, day(2026, 6, 1), 2, risk)
		return err
	})
	if len(got) != 0 {
		t.Errorf("a second run at capacity enrolled %v", got)
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		got, err = tx.AutoEnrollPowerShare(ctx, staff, day(2026, 6, 1), 10, nil)
		return err
	})
	if fmt.Sprint(got) != fmt.Sprint([]int64{dac[0]}) {
		t.Errorf("room for ten enrolled %v, want only %d (not the home outside the DAC, nor the one without CARE)", got, dac[0])
	}
	_ = plain
}

// testIncentiveTracking round-trips tracked projects and engagements: a
// Power Ready project's milestones complete in order (a refusal stores
// nothing), CALeVIP investments give the county equity shares (seed 000:
// 42 Level 2 chargers in Los Angeles County, 84 in Ventura), and an Energy
// Team case is referred and closed.
func testIncentiveTracking(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	pr := incentive.Project{Program: incentive.TrackPowerReady, Name: "Community center", Agency: "Oxnard", County: "06111",
		Partner: "Coast Energy", BackupReserveBP: 3000, BatteryKWh: 500, SolarKW: 180, ExpectedKWh: 180000, Source: "seed 000"}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateProject(ctx, staff, &pr) })
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.CompleteMilestone(ctx, staff, pr.ID, "site_lease", day(2025, 4, 1))
		return err
	})
	err := txErr(db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.CompleteMilestone(ctx, staff, pr.ID, "construction", day(2025, 5, 1))
		return err
	})
	wantErr(t, "construction before design", err, apperr.Conflict, "")
	for _, c := range []incentive.Project{
		{Program: incentive.TrackCALeVIP, Name: "LA equity chargers", County: "06037", AmountCents: 60000000, Equity: true, Chargers: 30},
		{Program: incentive.TrackCALeVIP, Name: "LA other chargers", County: "06037", AmountCents: 30000000, Chargers: 12},
		{Program: incentive.TrackCALeVIP, Name: "Ventura equity chargers", County: "06111", AmountCents: 40000000, Equity: true, Chargers: 50},
		{Program: incentive.TrackCALeVIP, Name: "Ventura other chargers", County: "06111", AmountCents: 23000000, Chargers: 34},
	} {
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateProject(ctx, staff, &c) })
	}
	ps, err := db.Projects(ctx, incentive.TrackPowerReady)
	if err != nil || len(ps) != 1 || ps[0].Stage() != "design" || ps[0].BackupReserveBP != 3000 {
		t.Fatalf("power ready %+v (%v)", ps, err)
	}
	cs, err := db.Projects(ctx, incentive.TrackCALeVIP)
	if err != nil {
		t.Fatal(err)
	}
	var inv []incentive.Investment
	for _, c := range cs {
		inv = append(inv, c.Investment())
	}
	eq := incentive.Equity(inv)
	if len(eq) != 2 || eq[0].Chargers != 42 || eq[1].Chargers != 84 || !eq[0].MeetsTarget || !eq[1].MeetsTarget || eq[0].TotalCents+eq[1].TotalCents != money.Dollars(1_530_000) {
		t.Errorf("equity %+v: want 42 and 84 chargers, $1,530,000 in all, both targets met", eq)
	}
	e := incentive.Engagement{Program: incentive.TrackEnergyTeam, Channel: "phone", Topic: "heat_pump_water_heater", Opened: day(2025, 11, 3)}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.SaveEngagement(ctx, staff, &e) })
	e.Status, e.ReferredTo, e.Closed = "referred", []string{"heer-hpwh"}, day(2025, 11, 10)
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.SaveEngagement(ctx, staff, &e) })
	es, err := db.Engagements(ctx, incentive.TrackEnergyTeam)
	if err != nil || len(es) != 1 || es[0].Status != "referred" || fmt.Sprint(es[0].ReferredTo) != "[heer-hpwh]" || es[0].Closed != day(2025, 11, 10) {
		t.Errorf("engagements %+v (%v)", es, err)
	}
}
