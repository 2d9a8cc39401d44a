package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// testIncentivePowerShareIncomeBasis: with the shipped, conservative
// reading of Power Share's income basis only the CARE home in the DAC is
// enrolled; after staff choose the broad reading (audited, refusals name
// the field and store nothing), a home on neither program whose two-person
// income of $52,875 is within the 2025-26 FERA limit is enrolled too, and
// one at $52,876 is not (research/programs.md §2.1, §8).
func testIncentivePowerShareIncomeBasis(t *testing.T, db *store.DB) {
	setClock(db, t0)
	importShipped(t, db)
	ids := map[string]int64{}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		for i, h := range []struct {
			name   string
			care   bool
			income money.Cents
		}{{"care", true, 3_000_000}, {"eligible", false, 5_287_500}, {"above", false, 5_287_600}} {
			c := newCustomer("Oxnard "+h.name, "")
			if err := tx.CreateCustomer(ctx, staff, &c); err != nil {
				return err
			}
			// 06111004902: an Oxnard tract in the CalEnviroScreen 4.0 top 25%.
			p := customer.Premise{Address: fmt.Sprintf("%d Cooper Road", i), City: "Oxnard", ZIP: "93030", CountyFIPS: "06111",
				MemberAgency: "Oxnard", TractGEOID: "06111004902"}
			if err := tx.CreatePremise(ctx, staff, &p); err != nil {
				return err
			}
			a := newAccount(fmt.Sprintf("63%08d", i), c, p)
			a.Household = &customer.Household{Size: 2, AnnualIncome: h.income, Verification: customer.VerifyDocuments}
			if err := tx.CreateAccount(ctx, staff, &a); err != nil {
				return err
			}
			ids[h.name] = a.ID
			if h.care {
				e := customer.Enrollment{AccountID: a.ID, Program: customer.ProgramCARE, From: day(2024, 1, 1), Note: "utility certified"}
				if err := tx.Enroll(ctx, staff, &e); err != nil {
					return err
				}
			}
		}
		return nil
	})
	enroll := func() []int64 {
		var got []int64
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			var err error
			got, err = tx.AutoEnrollPowerShare(ctx, staff, day(2026, 3, 10), 10, nil)
			return err
		})
		return got
	}
	if got := enroll(); fmt.Sprint(got) != fmt.Sprint([]int64{ids["care"]}) {
		t.Errorf("conservative reading enrolled %v, want only the CARE home %d", got, ids["care"])
	}
	ctx := context.Background()
	audits := countRows(t, db, "audit_log")
	err := db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.SetProgramPolicy(ctx, staff, store.PowerShareProgram, store.PowerShareIncomeBasis, "everyone")
		return err
	})
	if fs := apperr.FieldsOf(err); len(fs) == 0 || fs[0].Field != "choice" || countRows(t, db, "audit_log") != audits {
		t.Fatalf("an unknown reading: %v", err)
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.SetProgramPolicy(ctx, staff, store.PowerShareProgram, store.PowerShareIncomeBasis, "enrolled_or_eligible")
		return err
	})
	if countRows(t, db, "audit_log") != audits+1 {
		t.Errorf("the policy change was not audited")
	}
	p, err := db.IncentiveProgram(ctx, store.PowerShareProgram)
	if pol, _ := p.Policy(store.PowerShareIncomeBasis); err != nil || pol.InForce().ID != "enrolled_or_eligible" {
		t.Fatalf("stored policy %+v %v", pol, err)
	}
	if got := enroll(); fmt.Sprint(got) != fmt.Sprint([]int64{ids["eligible"]}) {
		t.Errorf("broad reading enrolled %v, want the income-eligible home %d only", got, ids["eligible"])
	}
}
