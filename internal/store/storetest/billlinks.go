package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/billrun"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/tariff"
)

// The bill run's links to the other capabilities: Peak Management
// Pricing event days from the DR calendar, incentive bill credits paid
// through the incentive ledger, late-meter estimated generation, and
// Virtual NEM and NEM Aggregation arrangements.

// currentBill returns an account's current bill starting on start, with
// its document.
func currentBill(t *testing.T, db *store.DB, accountID int64, start calendar.Date) (billrun.Bill, *billing.Bill) {
	t.Helper()
	ctx := context.Background()
	bills, err := db.Bills(ctx, store.BillFilter{AccountID: accountID})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bills {
		if b.Period.Start == start {
			full, err := db.Bill(ctx, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			doc, err := full.Decode()
			if err != nil {
				t.Fatal(err)
			}
			return full, doc
		}
	}
	t.Fatalf("account %d has no current bill from %s (bills %v)", accountID, start, bills)
	return billrun.Bill{}, nil
}

// verifyStored recomputes a stored bill from its stored inputs and
// checks it is identical byte for byte (what `bill show --verify` does).
func verifyStored(t *testing.T, db *store.DB, b billrun.Bill) {
	t.Helper()
	ctx := context.Background()
	versions, tables, err := db.BillingCatalog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	series, err := db.BillRunIntervals(ctx, append(append([]int64{}, b.Inputs.Delivered...), b.Inputs.Received...), b.Period.Start.Start(), b.Period.End.Start())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := billrun.Reproduce(billing.NewCalculator(), &b, billrun.NewCatalog(versions, tables), series)
	if err != nil {
		t.Fatalf("reproduce bill %d: %v", b.ID, err)
	}
	if !bytes.Equal(doc, b.Document) {
		t.Errorf("bill %d recomputed from its inputs differs from the stored bill", b.ID)
	}
}

// linesOf totals a bill's lines of kind on side.
func linesOf(doc *billing.Bill, kind billing.LineKind, side billing.Side) (int, int64) {
	n, sum := 0, int64(0)
	for _, l := range doc.Lines {
		if l.Kind == kind && l.Side == side {
			n++
			sum += int64(l.Amount)
		}
	}
	return n, sum
}

// testBillRunAppliesPMPEventDays: a CCA home enrolled in Peak Management
// Pricing from 2025-06-01, with a PMP event on Tuesday 2025-07-22, is
// billed for July at 1 kWh an hour with the event's 5 kWh × $0.60 =
// $3.00 surcharge and the summer credit on 21 non-event, non-holiday
// weekdays × 5 kWh × $0.11 = $11.55 (policy.json's labelled assumptions;
// billrun's TestPMPEnrollmentBillsEventDaysAtPolicyPrices has the
// count); the event day is among the stored inputs and the bill
// reproduces from them.
func testBillRunAppliesPMPEventDays(t *testing.T, db *store.DB) {
	setClock(db, t0)
	home, _, _ := billRunAccounts(t, db)
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		return tx.Enroll(ctx, staff, &customer.Enrollment{AccountID: home.acct.ID, Program: billrun.ProgramPMP, Track: "residential",
			From: day(2025, 6, 1), Source: "staff", Note: "test"})
	})
	setClock(db, localAt(day(2025, 7, 21), 12))
	if _, err := schedule(db, drProgram(t, billrun.ProgramPMP), day(2025, 7, 22), 16, 21, localAt(day(2025, 7, 21), 12)); err != nil {
		t.Fatal(err)
	}
	setClock(db, t0)
	runCycle(t, db, &billrun.Runner{}, "2025-07")
	b, doc := currentBill(t, db, home.acct.ID, day(2025, 7, 1))
	if n, sum := linesOf(doc, billing.CPPEventLine, billing.Generation); n != 1 || sum != 300 {
		t.Errorf("event surcharge: %d lines, %d¢; want one of $3.00", n, sum)
	}
	if n, sum := linesOf(doc, billing.CPPCreditLine, billing.Generation); n != 1 || sum != -1155 {
		t.Errorf("summer credit: %d lines, %d¢; want one of −$11.55", n, sum)
	}
	var terms billing.Terms
	if err := json.Unmarshal(b.Inputs.Terms, &terms); err != nil || terms.CPP == nil || len(terms.CPP.EventDays) != 1 || terms.CPP.EventDays[0] != day(2025, 7, 22) {
		t.Errorf("stored terms %s (%v), want the event day 2025-07-22", b.Inputs.Terms, err)
	}
	verifyStored(t, db, b)
}

// testBillRunAppliesIncentiveCreditOnce: a $75 HEER smart-thermostat
// rebate (seed 003) approved and gathered into a bill-credit batch on
// 2025-07-10 is credited on the home's July bill on the utility's ledger, and in the
// same transaction the payment is paid through the incentive ledger
// (application paid, the budget's paid $75). A re-run of July changes
// nothing; August's bill does not credit it again; a correction that
// re-bills July keeps the credit on the new version without paying it
// twice, and the new version reproduces from its inputs.
func testBillRunAppliesIncentiveCreditOnce(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	home, _, _ := billRunAccounts(t, db)
	importShipped(t, db)
	budget := incentive.Budget{Slug: "heer-test", ProgramID: "heer-smart-thermostat", Name: "HEER test budget", From: day(2025, 1, 1),
		AllocatedCents: 60_000, Source: "test allocation"}
	gas := false
	var payment incentive.Payment
	setClock(db, localAt(day(2025, 7, 10), 12)) // the bill-credit file goes to billing during July
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.CreateBudget(ctx, staff, &budget); err != nil {
			return err
		}
		a, err := tx.CreateApplication(ctx, staff, store.NewApplication{ProgramID: "heer-smart-thermostat", AccountID: home.acct.ID,
			Facts:        incentive.Facts{GasCustomer: &gas, Measure: map[string]json.RawMessage{"energy_day_enrolled": json.RawMessage("true")}},
			PurchaseDate: day(2025, 6, 10)})
		if err != nil {
			return err
		}
		if a, err = tx.SubmitApplication(ctx, staff, a.ID); err != nil {
			return err
		}
		for _, to := range []incentive.Status{incentive.ClaimSubmitted, incentive.Approved} {
			if a.Status == incentive.UnderReview && to == incentive.ClaimSubmitted {
				if _, err := tx.TransitionApplication(ctx, staff, a.ID, store.Transition{To: incentive.Reserved}); err != nil {
					return err
				}
			}
			if _, err := tx.TransitionApplication(ctx, staff, a.ID, store.Transition{To: to}); err != nil {
				return err
			}
		}
		_, ps, err := tx.CreatePaymentBatch(ctx, staff, incentive.BatchBillCredit)
		if err != nil {
			return err
		}
		if len(ps) != 1 || ps[0].AmountCents != 7500 || ps[0].AccountNumber != home.acct.Number {
			return fmt.Errorf("batch %+v, want one $75 credit for %s", ps, home.acct.Number)
		}
		payment = ps[0]
		return nil
	})
	setClock(db, t0)
	runCycle(t, db, &billrun.Runner{}, "2025-07")
	b, doc := currentBill(t, db, home.acct.ID, day(2025, 7, 1))
	if n, sum := linesOf(doc, billing.CreditLine, billing.Utility); n != 1 || sum != -7500 {
		t.Errorf("July: %d credit lines totalling %d¢, want one of −$75.00 on the utility's ledger", n, sum)
	}
	paid := func(when string) {
		t.Helper()
		_, ps, err := db.PaymentBatch(ctx, payment.BatchID)
		if err != nil || len(ps) != 1 || ps[0].Status != "paid" || ps[0].Reference != fmt.Sprintf("bill %d", b.ID) {
			t.Errorf("%s: payments %+v (%v), want paid by bill %d", when, ps, err, b.ID)
		}
		app, err := db.Application(ctx, payment.ApplicationID)
		if err != nil || app.Status != incentive.Paid {
			t.Errorf("%s: application %s (%v), want paid", when, app.Status, err)
		}
		bud, err := db.Budget(ctx, budget.ID)
		if err != nil || bud.PaidCents != 7500 {
			t.Errorf("%s: budget paid %d¢ (%v), want $75.00 once", when, bud.PaidCents, err)
		}
	}
	paid("after July")
	if again := runCycle(t, db, &billrun.Runner{}, "2025-07"); again.Counts.Unchanged != 1 || again.Counts.Billed != 0 {
		t.Errorf("re-run of July %+v, want the home unchanged", again.Counts)
	}
	runCycle(t, db, &billrun.Runner{}, "2025-08")
	_, aug := currentBill(t, db, home.acct.ID, day(2025, 8, 1))
	if n, _ := linesOf(aug, billing.CreditLine, billing.Utility); n != 0 {
		t.Errorf("August credits the rebate again (%d lines)", n)
	}
	// A corrected July reading makes version 2, which carries the credit.
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		return tx.PutIntervals(ctx, home.delivered, meterdata.Series{Start: localAt(day(2025, 7, 2), 2), Step: time.Hour, Values: []energy.Wh{3000}})
	})
	runCycle(t, db, &billrun.Runner{}, "2025-07")
	v2, doc2 := currentBill(t, db, home.acct.ID, day(2025, 7, 1))
	if n, sum := linesOf(doc2, billing.CreditLine, billing.Utility); v2.Version != 2 || n != 1 || sum != -7500 {
		t.Errorf("July version %d: %d credit lines, %d¢; want version 2 still crediting $75.00 once", v2.Version, n, sum)
	}
	paid("after the re-bill")
	verifyStored(t, db, v2)
	var billID int64
	if err := db.SQL().QueryRowContext(ctx, `SELECT bill_id FROM bill_credits_applied WHERE kind = 'incentive_payment'`).Scan(&billID); err != nil || billID != v2.ID {
		t.Errorf("the applied credit names bill %d (%v), want the current version %d", billID, err, v2.ID)
	}
}

// arrangementAccount creates a residential CCA account on TOU-D-PRIME in
// service since 2020 for customer c (a new customer when zero), with an
// hourly meter; del and rec Wh are stored in every hour of [from, to) on
// its delivered and received channels (rec < 0: no received channel).
func arrangementAccount(t *testing.T, db *store.DB, number string, c int64, from, to calendar.Date, del, rec energy.Wh) (customer.Account, customer.Meter) {
	t.Helper()
	cust := customer.Customer{Kind: customer.Person, Name: "Arrangement " + number}
	p := customer.Premise{Address: number + " Sun St", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037", MemberAgency: "Unincorporated Los Angeles County"}
	a := customer.Account{Number: number, Class: customer.Residential, RateSchedule: "TOU-D-PRIME", LSE: customer.CCA, ServiceStart: day(2020, 1, 1)}
	m := customer.Meter{Serial: "M-" + number, IntervalSeconds: 3600, Installed: day(2020, 1, 1), Channels: []customer.Channel{{Direction: customer.Delivered}}}
	if rec >= 0 {
		m.Channels = append(m.Channels, customer.Channel{Direction: customer.Received})
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		if c == 0 {
			if err := tx.CreateCustomer(ctx, staff, &cust); err != nil {
				return err
			}
			c = cust.ID
		}
		if err := tx.CreatePremise(ctx, staff, &p); err != nil {
			return err
		}
		a.CustomerID, a.PremiseID = c, p.ID
		if err := tx.CreateAccount(ctx, staff, &a); err != nil {
			return err
		}
		m.AccountID = a.ID
		if err := tx.CreateMeter(ctx, staff, &m); err != nil {
			return err
		}
		for i, v := range []energy.Wh{del, rec}[:len(m.Channels)] {
			if err := putFlat(ctx, tx, m.Channels[i].ID, from, to, v); err != nil {
				return err
			}
		}
		return nil
	})
	return a, m
}

// putFlat stores v Wh in every hour of [from, to) on channel id.
func putFlat(ctx context.Context, tx *store.Tx, id int64, from, to calendar.Date, v energy.Wh) error {
	s := meterdata.Series{Start: from.Start(), Step: time.Hour}
	for at := from.Start(); at.Before(to.Start()); at = at.Add(time.Hour) {
		s.Values = append(s.Values, v)
	}
	return tx.PutIntervals(ctx, id, s)
}

// interconnect files sys for account a on 2022-03-01 (NEM 2.0 vintage)
// and walks it to permission to operate on 2022-05-02.
func interconnect(t *testing.T, db *store.DB, a customer.Account, sys nem.System) nem.Application {
	t.Helper()
	app := fileNEM(t, db, a, sys, day(2022, 3, 1))
	return advance(t, db, app.ID, day(2022, 6, 1),
		nem.Step{To: nem.CompletenessReview, On: day(2022, 3, 2)}, nem.Step{To: nem.TechnicalReview, On: day(2022, 3, 3)},
		nem.Step{To: nem.Approved, On: day(2022, 3, 20)}, nem.Step{To: nem.AgreementSigned, On: day(2022, 3, 21)},
		nem.Step{To: nem.MeterReady, On: day(2022, 4, 1), MeterMethod: nem.MeterReprogram},
		nem.Step{To: nem.PTOIssued, On: day(2022, 5, 2)}, nem.Step{To: nem.Active, On: day(2022, 5, 2)})
}

// testBillRunBillsVNMAndAggregationTogether: a Virtual NEM property
// whose common-area generator exports 1,001 Wh every hour of July 2025
// to three tenants at 50%, 30% and 20% (tenant B designated for
// rounding) credits them 500, 301 and 200 Wh an hour (billrun's
// TestVNMDividesEachIntervalByShareWithRoundingToTheDesignatedAccount
// has the arithmetic), each billed under the generator's NEM 2.0 on its
// own imports plus its share; the generator's exports are not credited
// to it. A two-account NEM Aggregation whose generator used 1,000 Wh an
// hour since the Relevant Period began (2025-05-02, the PTO anniversary)
// and the other account 3,000 shares the generator's 800 Wh an hour
// 1:3 — 200 and 600 Wh. Every bill stores its allocation and reproduces
// from its inputs.
func testBillRunBillsVNMAndAggregationTogether(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	if _, err := db.LoadShippedTariffs(ctx, staff); err != nil {
		t.Fatal(err)
	}
	jul, aug := day(2025, 7, 1), day(2025, 8, 1)
	gen, _ := arrangementAccount(t, db, "7200000000", 0, jul, aug, 100, 1001)
	tenants := map[string]energy.Wh{"7200000001": 500, "7200000002": 301, "7200000003": 200}
	var tenantIDs []int64
	for _, n := range []string{"7200000001", "7200000002", "7200000003"} {
		a, _ := arrangementAccount(t, db, n, 0, jul, aug, 400, -1)
		tenantIDs = append(tenantIDs, a.ID)
	}
	interconnect(t, db, gen, nem.System{Variant: nem.Virtual, Technology: nem.SolarPV, CapacityW: 30_000, ExpectedAnnualWh: 45_000_000,
		AnnualUseWh: 50_000_000, Rounding: "7200000002", Allocations: []billing.Allocation{{From: day(2022, 5, 2),
			Shares: map[string]int64{"7200000001": 5000, "7200000002": 3000, "7200000003": 2000}}}})

	may := day(2025, 5, 1)
	g2, _ := arrangementAccount(t, db, "7300000000", 0, may, aug, 1000, 0)
	h2, _ := arrangementAccount(t, db, "7300000001", g2.CustomerID, may, aug, 3000, -1)
	interconnect(t, db, g2, nem.System{Variant: nem.Aggregation, Technology: nem.SolarPV, CapacityW: 10_000, ExpectedAnnualWh: 15_000_000,
		AnnualUseWh: 9_000_000, Aggregated: []nem.AggregatedAccount{{Account: h2.Number, Parcel: "5555-001-002", Relation: nem.Adjacent,
			SoleOwnerOrLessee: true, AnnualUseWh: 26_000_000}}})
	// The aggregation generator exports 800 Wh an hour in July.
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		ms, err := tx.Meters(ctx, g2.ID)
		if err != nil {
			return err
		}
		return putFlat(ctx, tx, ms[0].Channels[1].ID, jul, aug, 800)
	})

	run := runCycle(t, db, &billrun.Runner{BatchSize: 2}, "2025-07")
	if run.Counts.Billed != 6 || run.Counts.Failed != 0 {
		outs, _ := db.BillRunOutcomes(ctx, run.ID, "", 0, 20)
		t.Fatalf("run %+v, want 6 billed: %+v", run.Counts, outs)
	}
	for i, id := range tenantIDs {
		n := []string{"7200000001", "7200000002", "7200000003"}[i]
		b, doc := currentBill(t, db, id, jul)
		al := b.Inputs.Allocation
		if al == nil || al.Variant != billrun.VirtualNEM || al.Rounding != "7200000002" || b.Received != 744*tenants[n] || b.Delivered != 744*400 {
			t.Errorf("tenant %s: received %d delivered %d allocation %+v, want %d Wh an hour", n, b.Received, b.Delivered, al, tenants[n])
		}
		if n, _ := linesOf(doc, billing.DeferredLine, billing.Utility); n != 1 {
			t.Errorf("tenant bill is not netted under NEM 2.0: %d deferral lines", n)
		}
		verifyStored(t, db, b)
	}
	gb, _ := currentBill(t, db, gen.ID, jul)
	if gb.Received != 0 || gb.Inputs.Allocation != nil || len(gb.Inputs.Received) != 0 {
		t.Errorf("VNM generator: received %d, allocation %+v; want its exports left to the tenants", gb.Received, gb.Inputs.Allocation)
	}
	for _, c := range []struct {
		id int64
		wh energy.Wh
	}{{g2.ID, 200}, {h2.ID, 600}} {
		b, _ := currentBill(t, db, c.id, jul)
		if al := b.Inputs.Allocation; al == nil || al.Variant != billrun.Aggregation || b.Received != 744*c.wh || al.Rounding != g2.Number {
			t.Errorf("aggregation account %d: received %d, allocation %+v; want %d Wh an hour", c.id, b.Received, al, c.wh)
		}
		verifyStored(t, db, b)
	}
}

// testBillRunCreditsLateMeterEstimate: a Net Billing home whose meter
// was reprogrammed late (application complete 2024-03-06, due 30
// business days later on 2024-04-17, done 2024-05-10) has its estimated
// generation for 2024-04-18 to 2024-05-10 credited as exports on its
// June 2024 bill, the first under the Net Billing Tariff after its May
// bill; the credit is recorded once and the June re-run leaves it.
func testBillRunCreditsLateMeterEstimate(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	vs, err := tariff.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	tabs, err := tariff.ShippedExportTables()
	if err != nil {
		t.Fatal(err)
	}
	var prime []tariff.Version
	for _, v := range vs {
		if v.Code == "TOU-D-PRIME" {
			v.From = day(2024, 1, 1) // the 2025 sheet, in force from 2024 for the test
			prime = append(prime, v)
		}
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.ImportTariffs(ctx, staff, prime, tabs)
		return err
	})
	may, jul := day(2024, 5, 1), day(2024, 7, 1)
	a, _ := arrangementAccount(t, db, "7400000001", 0, may, jul, 1000, 200)
	app := fileNEM(t, db, a, nem.System{Variant: nem.Standard, Technology: nem.SolarPV, CapacityW: 7_600, ExpectedAnnualWh: 11_000_000,
		AnnualUseWh: 12_000_000}, day(2024, 3, 4))
	advance(t, db, app.ID, day(2024, 6, 1), nem.Step{To: nem.CompletenessReview, On: day(2024, 3, 5)},
		nem.Step{To: nem.TechnicalReview, On: day(2024, 3, 6)}, nem.Step{To: nem.Approved, On: day(2024, 3, 20)},
		nem.Step{To: nem.AgreementSigned, On: day(2024, 3, 21)}, nem.Step{To: nem.MeterReady, On: day(2024, 5, 10), MeterMethod: nem.MeterSwap},
		nem.Step{To: nem.PTOIssued, On: day(2024, 5, 15)}, nem.Step{To: nem.Active, On: day(2024, 5, 15)})
	cs, err := db.NEMEstimatedCredits(ctx, a.ID)
	if err != nil || len(cs) != 1 || cs[0].Period.Start != day(2024, 4, 18) || cs[0].Period.End != day(2024, 5, 11) {
		t.Fatalf("credits %+v (%v), want 2024-04-18 to 2024-05-10", cs, err)
	}
	// The 2025 billing policy, in force from 2024 for the test.
	ps, err := billrun.LoadPolicies()
	if err != nil {
		t.Fatal(err)
	}
	ps[0].From = day(2024, 1, 1)
	runCycle(t, db, &billrun.Runner{Policies: ps}, "2024-05")
	runCycle(t, db, &billrun.Runner{Policies: ps}, "2024-06")
	_, mayDoc := currentBill(t, db, a.ID, may)
	juneBill, juneDoc := currentBill(t, db, a.ID, day(2024, 6, 1))
	if mayDoc.EstimatedExport != 0 {
		t.Errorf("May (PTO within the period, no program yet) credits %d Wh", mayDoc.EstimatedExport)
	}
	var terms billing.Terms
	if err := json.Unmarshal(juneBill.Inputs.Terms, &terms); err != nil || len(terms.EstimatedExports) != 1 || len(terms.EstimatedExports[0].Wh) != 23*24 {
		t.Fatalf("June terms: %v, estimated %+v; want 23 days of hours", err, terms.EstimatedExports)
	}
	var sum energy.Wh
	for _, v := range terms.EstimatedExports[0].Wh {
		sum += v
	}
	if juneDoc.EstimatedExport != sum || sum <= 0 || juneDoc.ExportCreditEarned <= 0 {
		t.Errorf("June credits %d Wh (estimate %d), earning %s", juneDoc.EstimatedExport, sum, juneDoc.ExportCreditEarned)
	}
	verifyStored(t, db, juneBill)
	if again := runCycle(t, db, &billrun.Runner{Policies: ps}, "2024-06"); again.Counts.Unchanged != 1 {
		t.Errorf("June re-run %+v, want unchanged", again.Counts)
	}
	if n := countRows(t, db, "bill_credits_applied"); n != 1 {
		t.Errorf("%d applied credits, want 1", n)
	}
}
