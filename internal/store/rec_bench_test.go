package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/rec"
	"github.com/gridbook/gridbook/internal/rps"
	"github.com/gridbook/gridbook/internal/store"
)

// benchRegistry opens a SQLite registry with n certified facilities of one
// generator and the CCA's accounts.
func benchRegistry(b *testing.B, n int, nameplateKW int64) (db *store.DB, facilities []int64, gen, cca, ccaRet int64) {
	b.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return time.Date(2026, 6, 15, 16, 0, 0, 0, time.UTC) }
	err = db.Registry(ctx, benchActor, func(ctx context.Context, r *rec.Registry, _ *store.Tx) error {
		for i, a := range []struct {
			org  string
			kind rec.AccountKind
		}{{"Generator", rec.ActiveAccount}, {"CCA", rec.ActiveAccount}, {"CCA", rec.RetirementAccount}} {
			acct, err := r.OpenAccount(ctx, rec.Account{Org: a.org, Name: string(a.kind), Kind: a.kind})
			if err != nil {
				return err
			}
			*[]*int64{&gen, &cca, &ccaRet}[i] = acct.ID
		}
		for i := range n {
			f, err := r.RegisterFacility(ctx, rec.Facility{AccountID: gen, Facility: rps.Facility{Name: fmt.Sprintf("Solar %d", i),
				WREGISID: fmt.Sprintf("W%d", 10_000+i), Technology: rps.SolarPV, NameplateKW: nameplateKW, BalancingAuthority: "CISO", InCBA: true,
				COD: calendar.Date{Year: 2019, Month: 1, Day: 1}, State: "CA",
				Certifications: []rps.Certification{{Status: rps.Certified, From: calendar.Date{Year: 2019, Month: 1, Day: 1}}}}})
			if err != nil {
				return err
			}
			facilities = append(facilities, f.ID)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return db, facilities, gen, cca, ccaRet
}

// BenchmarkRecIssueMonth10k reports and issues one month for 10,000
// facilities on SQLite, 1,000 facilities per transaction (issue 7: under
// 10 seconds). One op is the whole month.
func BenchmarkRecIssueMonth10k(b *testing.B) {
	ctx := context.Background()
	db, facs, _, _, _ := benchRegistry(b, 10_000, 5_000)
	v := rps.Month{Year: 2020, Month: 1}
	b.ResetTimer()
	for b.Loop() {
		for start := 0; start < len(facs); start += 1000 {
			err := db.Registry(ctx, benchActor, func(ctx context.Context, r *rec.Registry, _ *store.Tx) error {
				for _, id := range facs[start:min(start+1000, len(facs))] {
					if _, err := r.SubmitReport(ctx, rec.Report{FacilityID: id, Vintage: v, Wh: 1_234_567_891, Source: "bench"}); err != nil {
						return err
					}
					if _, err := r.Issue(ctx, id, v); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		v = v.AddMonths(1)
	}
}

// BenchmarkRecCommandsBatched runs registry commands on SQLite in batches
// of 501 per transaction: a partial transfer (a split), its acceptance,
// and a partial RPS retirement (another split) — three commands per
// round. ns/op is per command (issue 7: at least 5,000 commands a second).
func BenchmarkRecCommandsBatched(b *testing.B) {
	ctx := context.Background()
	db, facs, _, cca, ccaRet := benchRegistry(b, 1, 10_000_000) // 10 GW: 7.44 million certificates a month
	var block int64
	err := db.Registry(ctx, benchActor, func(ctx context.Context, r *rec.Registry, _ *store.Tx) error {
		v := rps.Month{Year: 2026, Month: 1}
		if _, err := r.SubmitReport(ctx, rec.Report{FacilityID: facs[0], Vintage: v, Wh: 7_000_000_000_000, Source: "bench"}); err != nil {
			return err
		}
		iss, err := r.Issue(ctx, facs[0], v)
		block = iss.BlockID
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	const rounds = 167 // 501 commands per transaction
	b.ResetTimer()
	for done := 0; done < b.N; {
		err := db.Registry(ctx, benchActor, func(ctx context.Context, r *rec.Registry, _ *store.Tx) error {
			for i := 0; i < rounds && done < b.N; i++ {
				tr, err := r.InitiateTransfer(ctx, rec.TransferCmd{BlockID: block, Quantity: 2, To: cca})
				if err != nil {
					return err
				}
				if _, err := r.ResolveTransfer(ctx, tr.ID, rec.TransferAccepted, ""); err != nil {
					return err
				}
				if _, err := r.Retire(ctx, rec.RetireCmd{BlockID: tr.BlockID, Quantity: 1, AccountID: ccaRet, Reason: rec.ReasonRPS, ComplianceYear: 2026}); err != nil {
					return err
				}
				done += 3
				block = tr.BlockID + 1 // the remaining child of the transfer's split, still in the generator's account
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}
