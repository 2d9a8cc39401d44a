package storetest

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
)

// testPortfolio counts a hand-built set on 2026-06-15. The set:
//
//	premise  agency       ZIP    tract          DAC  HFTD
//	P1       Hawthorne    90001  06037102105    yes  0
//	P2       Uninc. LA    93534  —              no   2
//	P3       Oxnard       93030  06111002300    yes  3
//
//	account  customer premise class        LSE      service              programs on 06-15
//	A1       C1       P1      residential  cca      2024-01-01 –         care
//	A2       C2       P2      residential  cca      2024-01-01 –         fera, medical_baseline
//	A3       C3       P3      commercial   bundled  2025-01-01 –         —
//	A4       C1       P1      residential  cca      2024-01-01 – 06-15   (ends on the day: out; care)
//	A5       C2       P2      agricultural cca      2026-07-01 –         (not started)
//	A6       C3       P3      residential  cca      2024-01-01 –         care ended 06-15
//
//	meter  account  channels              removed
//	M1     A1       delivered, received   —
//	M2     A2       delivered             —
//	M3     A4       delivered, received   2026-06-15
func testPortfolio(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	open := calendar.Date{}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		cs := []customer.Customer{newCustomer("C1", ""), newCustomer("C2", ""), newCustomer("C3", "")}
		for i := range cs {
			if err := tx.CreateCustomer(ctx, staff, &cs[i]); err != nil {
				return err
			}
		}
		ps := []customer.Premise{
			{Address: "1 A St", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037", MemberAgency: "Hawthorne", TractGEOID: "06037102105"},
			{Address: "2 B St", City: "Lancaster", ZIP: "93534", CountyFIPS: "06037", MemberAgency: "Unincorporated Los Angeles County", HFTDTier: 2},
			{Address: "3 C St", City: "Oxnard", ZIP: "93030", CountyFIPS: "06111", MemberAgency: "Oxnard", TractGEOID: "06111002300", HFTDTier: 3},
		}
		for i := range ps {
			if err := tx.CreatePremise(ctx, staff, &ps[i]); err != nil {
				return err
			}
		}
		type spec struct {
			c, p       int
			class      customer.Class
			lse        customer.LSE
			start, end calendar.Date
		}
		specs := []spec{
			{0, 0, customer.Residential, customer.CCA, day(2024, 1, 1), open},
			{1, 1, customer.Residential, customer.CCA, day(2024, 1, 1), open},
			{2, 2, customer.Commercial, customer.Bundled, day(2025, 1, 1), open},
			{0, 0, customer.Residential, customer.CCA, day(2024, 1, 1), day(2026, 6, 15)},
			{1, 1, customer.Agricultural, customer.CCA, day(2026, 7, 1), open},
			{2, 2, customer.Residential, customer.CCA, day(2024, 1, 1), open},
		}
		as := make([]customer.Account, len(specs))
		for i, s := range specs {
			as[i] = newAccount(accountNumber(i+1), cs[s.c], ps[s.p])
			as[i].Class, as[i].LSE, as[i].ServiceStart, as[i].ServiceEnd = s.class, s.lse, s.start, s.end
			if err := tx.CreateAccount(ctx, staff, &as[i]); err != nil {
				return err
			}
		}
		es := []customer.Enrollment{
			{AccountID: as[0].ID, Program: customer.ProgramCARE, From: day(2025, 1, 1), Note: "utility certified"},
			{AccountID: as[1].ID, Program: customer.ProgramFERA, From: day(2026, 1, 1), Note: "utility certified"},
			{AccountID: as[1].ID, Program: customer.ProgramMedicalBaseline, From: day(2025, 1, 1)},
			{AccountID: as[3].ID, Program: customer.ProgramCARE, From: day(2025, 1, 1), Note: "utility certified"},
			{AccountID: as[5].ID, Program: customer.ProgramCARE, From: day(2025, 1, 1), To: day(2026, 6, 15), Note: "utility certified"},
		}
		for i := range es {
			if err := tx.Enroll(ctx, staff, &es[i]); err != nil {
				return err
			}
		}
		solar := []customer.Channel{{Direction: customer.Delivered}, {Direction: customer.Received}}
		ms := []customer.Meter{
			{AccountID: as[0].ID, Serial: "M-1", IntervalSeconds: 900, Installed: day(2024, 1, 1), Channels: solar},
			{AccountID: as[1].ID, Serial: "M-2", IntervalSeconds: 900, Installed: day(2024, 1, 1)},
			{AccountID: as[3].ID, Serial: "M-3", IntervalSeconds: 900, Installed: day(2024, 1, 1), Removed: day(2026, 6, 15),
				Channels: []customer.Channel{{Direction: customer.Delivered}, {Direction: customer.Received}}},
		}
		for i := range ms {
			if err := tx.CreateMeter(ctx, staff, &ms[i]); err != nil {
				return err
			}
		}
		return nil
	})
	got, err := db.Portfolio(ctx, day(2026, 6, 15))
	if err != nil {
		t.Fatal(err)
	}
	want := store.Portfolio{
		On:        day(2026, 6, 15),
		Customers: 3,
		Accounts:  4, // A1, A2, A3, A6
		ByClass:   []store.Count{{Label: "residential", N: 3}, {Label: "commercial", N: 1}},
		ByLSE:     []store.Count{{Label: "bundled", N: 1}, {Label: "cca", N: 3}},
		ByProgram: []store.Count{{Label: "care", N: 1}, {Label: "fera", N: 1}, {Label: "medical_baseline", N: 1}},
		DAC:       3, // A1 at P1; A3 and A6 at P3
		ByHFTD:    []store.Count{{Label: "Tier 2", N: 1}, {Label: "Tier 3", N: 2}},
		ByAgency:  []store.Count{{Label: "Oxnard", N: 2}, {Label: "Hawthorne", N: 1}, {Label: "Unincorporated Los Angeles County", N: 1}},
		Meters:    2, // M1, M2 (M3 removed)
		// A1 only: A4's solar meter is removed and A4 is out of service.
		SolarAccounts: 1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Portfolio(2026-06-15) (-want +got):\n%s", diff)
	}

	// A day earlier A4 is in service with CARE and its solar meter M3, and
	// A6's CARE has not ended.
	got, err = db.Portfolio(ctx, day(2026, 6, 14))
	if err != nil {
		t.Fatal(err)
	}
	if got.Accounts != 5 || !cmp.Equal(got.ByProgram, []store.Count{{Label: "care", N: 3}, {Label: "fera", N: 1}, {Label: "medical_baseline", N: 1}}) {
		t.Errorf("Portfolio(2026-06-14): accounts %d programs %v; want 5 and care 3, fera 1, medical_baseline 1", got.Accounts, got.ByProgram)
	}
	if got.Meters != 3 || got.SolarAccounts != 2 {
		t.Errorf("Portfolio(2026-06-14): meters %d solar %d; want 3 and 2", got.Meters, got.SolarAccounts)
	}
	// Before M1 was installed nothing is metered.
	got, err = db.Portfolio(ctx, day(2023, 12, 31))
	if err != nil {
		t.Fatal(err)
	}
	if got.Accounts != 0 || got.Meters != 0 || got.SolarAccounts != 0 || got.Customers != 3 {
		t.Errorf("Portfolio(2023-12-31): customers %d accounts %d meters %d solar %d; want 3, 0, 0, 0",
			got.Customers, got.Accounts, got.Meters, got.SolarAccounts)
	}
}
