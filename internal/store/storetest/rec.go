package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/rec"
	"github.com/gridbook/gridbook/internal/rps"
	"github.com/gridbook/gridbook/internal/store"
)

// recTables are the tables the certificate registry writes.
var recTables = []string{"rec_accounts", "rec_facilities", "rec_reports", "rec_issuances", "rec_blocks", "rec_transfers", "rec_retirements",
	"rec_exports", "rec_events", "rps_claims", "rps_contracts", "audit_log"}

func recCounts(t *testing.T, db *store.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range recTables {
		out[tb] = countRows(t, db, tb)
	}
	return out
}

// recWorld is a registry with a generator and a CCA, each with active,
// retirement and export accounts, and one certified in-CBA solar facility
// of the generator.
type recWorld struct {
	db                                  *store.DB
	gen, genRet, cca, ccaRet, ccaExport int64
	fac                                 rec.Facility
}

// reg runs fn as one registry transaction and fails the test on error.
func (w *recWorld) reg(t *testing.T, fn func(ctx context.Context, r *rec.Registry, tx *store.Tx) error) {
	t.Helper()
	if err := w.db.Registry(context.Background(), staff, fn); err != nil {
		t.Fatalf("registry: %v", err)
	}
}

// try runs fn as one registry transaction and returns its error.
func (w *recWorld) try(fn func(ctx context.Context, r *rec.Registry, tx *store.Tx) error) error {
	return w.db.Registry(context.Background(), staff, fn)
}

func newRecWorld(t *testing.T, db *store.DB) *recWorld {
	t.Helper()
	setClock(db, t0) // 2026-06-15
	w := &recWorld{db: db}
	w.reg(t, func(ctx context.Context, r *rec.Registry, tx *store.Tx) error {
		for _, a := range []struct {
			id        *int64
			org, name string
			kind      rec.AccountKind
		}{{&w.gen, "Desert Sun LLC", "active", rec.ActiveAccount}, {&w.genRet, "Desert Sun LLC", "retirement", rec.RetirementAccount},
			{&w.cca, "Demo CCA", "active", rec.ActiveAccount}, {&w.ccaRet, "Demo CCA", "RPS retirement", rec.RetirementAccount},
			{&w.ccaExport, "Demo CCA", "export", rec.ExportAccount}} {
			acct, err := r.OpenAccount(ctx, rec.Account{Org: a.org, Name: a.name, Kind: a.kind})
			if err != nil {
				return err
			}
			*a.id = acct.ID
		}
		var err error
		w.fac, err = r.RegisterFacility(ctx, rec.Facility{AccountID: w.gen, Facility: rps.Facility{Name: "Desert Sun Solar", WREGISID: "W9001",
			Technology: rps.SolarPV, NameplateKW: 20_000, BalancingAuthority: "CISO", InCBA: true, COD: day(2019, 1, 1), State: "CA",
			Certifications: []rps.Certification{{Status: rps.Certified, From: day(2019, 1, 1)}}}})
		return err
	})
	return w
}

// issue reports mwh for a vintage and issues it.
func (w *recWorld) issue(t *testing.T, v rps.Month, wh energy.Wh) rec.Issuance {
	t.Helper()
	var iss rec.Issuance
	w.reg(t, func(ctx context.Context, r *rec.Registry, _ *store.Tx) error {
		if _, err := r.SubmitReport(ctx, rec.Report{FacilityID: w.fac.ID, Vintage: v, Wh: wh, Source: "test"}); err != nil {
			return err
		}
		var err error
		iss, err = r.Issue(ctx, w.fac.ID, v)
		return err
	})
	return iss
}

// sound fails the test unless the registry's invariants and event chain
// hold.
func (w *recWorld) sound(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	if p, err := w.db.CheckRecRegistry(ctx); err != nil || len(p) > 0 {
		t.Fatalf("registry invariants: %v %v", p, err)
	}
	if st, err := w.db.VerifyRecChain(ctx); err != nil || st.Break != nil {
		t.Fatalf("event chain: %+v %v", st.Break, err)
	}
}

// testRecLifecycle runs issuance, a partial transfer accepted, an RPS
// retirement, an export and a withdrawal through the store, and reads
// everything back: the serial ranges of research/rps.md T18, the carried
// remainder of T16, one event and one audit record per command.
func testRecLifecycle(t *testing.T, db *store.DB) {
	ctx := context.Background()
	w := newRecWorld(t, db)
	jan := rps.Month{Year: 2026, Month: 1}
	iss := w.issue(t, jan, 1_000_567_000) // 1,000.567 MWh: 1,000 certificates, 567 kWh carried
	if iss.Quantity != 1000 || iss.CarryOut != 567_000 {
		t.Fatalf("issuance %+v", iss)
	}
	var tr rec.Transfer
	w.reg(t, func(ctx context.Context, r *rec.Registry, _ *store.Tx) error {
		var err error
		if tr, err = r.InitiateTransfer(ctx, rec.TransferCmd{BlockID: iss.BlockID, Quantity: 250, To: w.cca}); err != nil {
			return err
		}
		_, err = r.ResolveTransfer(ctx, tr.ID, rec.TransferAccepted, "")
		return err
	})
	moved, err := db.RecBlock(ctx, tr.BlockID)
	if err != nil || moved.Start != 1 || moved.End != 250 || moved.AccountID != w.cca || moved.Status != rec.StatusActive || moved.Version != 2 {
		t.Fatalf("moved block %+v %v", moved, err)
	}
	parent, _ := db.RecBlock(ctx, iss.BlockID)
	if parent.Status != rec.StatusSplit {
		t.Errorf("parent %+v, want split", parent)
	}
	rest, _ := db.RecBlocks(ctx, store.BlockFilter{AccountID: w.gen, Status: rec.StatusActive})
	if len(rest) != 1 || rest[0].Start != 251 || rest[0].End != 1000 {
		t.Errorf("remaining %+v, want 251–1000", rest)
	}
	var ret rec.Retirement
	w.reg(t, func(ctx context.Context, r *rec.Registry, _ *store.Tx) error {
		var err error
		ret, err = r.Retire(ctx, rec.RetireCmd{BlockID: moved.ID, Quantity: 100, AccountID: w.ccaRet, Reason: rec.ReasonRPS, ComplianceYear: 2026})
		if err != nil {
			return err
		}
		if _, err := r.Export(ctx, rec.ExportCmd{BlockID: ret.BlockID + 1, Quantity: 50, AccountID: w.ccaExport, Destination: "M-RETS"}); err != nil {
			return err
		}
		_, err = r.Withdraw(ctx, rec.WithdrawCmd{BlockID: rest[0].ID, Quantity: 1, Reason: "meter correction"})
		return err
	})
	if ret.Deadline.String() != "2029-01-01" || ret.RetiredOn.String() != "2026-06-15" || !ret.RPSEligible {
		t.Errorf("retirement %+v", ret)
	}
	rets, err := db.RecRetirements(ctx, store.RetirementFilter{ComplianceYear: 2026})
	if err != nil || len(rets) != 1 || rets[0] != ret {
		t.Errorf("retirements %+v %v, want %+v", rets, err, ret)
	}
	hold, err := db.RecHoldings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sum := map[rec.Status]int64{}
	for _, h := range hold {
		sum[h.Status] += h.Quantity
	}
	if sum[rec.StatusActive] != 849 || sum[rec.StatusRetired] != 100 || sum[rec.StatusExported] != 50 || sum[rec.StatusWithdrawn] != 1 {
		t.Errorf("holdings %v", sum)
	}
	w.sound(t)
	// 5 accounts, the facility, report, issuance, transfer, acceptance,
	// retirement, export, withdrawal: 13 events, each audited.
	if n := countRows(t, db, "rec_events"); n != 13 {
		t.Errorf("%d events, want 13", n)
	}
	if recs, _ := db.AuditLog(ctx, store.AuditFilter{Entity: "rec_event", Limit: 500}); len(recs) != 13 {
		t.Errorf("%d audit records, want 13", len(recs))
	}
}

// testRecRefusedCommandStoresNothing: a refused command inside a registry
// transaction leaves no row, event or audit record behind, even after
// earlier commands of the same transaction succeeded.
func testRecRefusedCommandStoresNothing(t *testing.T, db *store.DB) {
	w := newRecWorld(t, db)
	iss := w.issue(t, rps.Month{Year: 2026, Month: 2}, 10_000_000)
	before := recCounts(t, db)
	err := w.try(func(ctx context.Context, r *rec.Registry, _ *store.Tx) error {
		if _, err := r.InitiateTransfer(ctx, rec.TransferCmd{BlockID: iss.BlockID, Quantity: 4, To: w.cca}); err != nil {
			return err
		}
		_, err := r.InitiateTransfer(ctx, rec.TransferCmd{BlockID: iss.BlockID, Quantity: 11, To: w.cca})
		return err
	})
	wantErr(t, "second transfer", err, apperr.Conflict, "")
	err = w.try(func(ctx context.Context, r *rec.Registry, _ *store.Tx) error {
		_, err := r.InitiateTransfer(ctx, rec.TransferCmd{BlockID: iss.BlockID, Quantity: 11, To: w.cca})
		return err
	})
	wantErr(t, "transfer of more than the block holds", err, apperr.Invalid, "quantity")
	after := recCounts(t, db)
	for tb, n := range before {
		if after[tb] != n {
			t.Errorf("%s: %d rows after refused commands, %d before", tb, after[tb], n)
		}
	}
	w.sound(t)
}

// testRecConcurrentClients races 64 clients: each tries to take the whole
// of one of four blocks (retire or transfer); exactly one command per
// block succeeds. Then 64 clients each retire one certificate, retrying
// on conflict: all 64 succeed. Quantities are conserved and the chain
// verifies (issue 7: correct results under contention on both databases).
func testRecConcurrentClients(t *testing.T, db *store.DB) {
	ctx := context.Background()
	w := newRecWorld(t, db)
	var blocks []int64
	for m := 1; m <= 4; m++ {
		blocks = append(blocks, w.issue(t, rps.Month{Year: 2025, Month: time.Month(m)}, 100_000_000).BlockID)
	}
	events := countRows(t, db, "rec_events")
	var wg sync.WaitGroup
	var mu sync.Mutex
	won := map[int64]int{}
	var other []error
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b := blocks[i%4]
			err := w.try(func(ctx context.Context, r *rec.Registry, _ *store.Tx) error {
				if i%2 == 0 {
					_, err := r.Retire(ctx, rec.RetireCmd{BlockID: b, Quantity: 100, AccountID: w.genRet, Reason: rec.ReasonVoluntary})
					return err
				}
				_, err := r.InitiateTransfer(ctx, rec.TransferCmd{BlockID: b, Quantity: 100, To: w.cca})
				return err
			})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				won[b]++
			case !apperr.Is(err, apperr.Conflict):
				other = append(other, err)
			}
		}()
	}
	wg.Wait()
	if len(other) > 0 {
		t.Fatalf("unexpected errors: %v", other)
	}
	for _, b := range blocks {
		if won[b] != 1 {
			t.Errorf("block %d: %d commands succeeded, want exactly 1", b, won[b])
		}
	}
	if n := countRows(t, db, "rec_events"); n != events+4 {
		t.Errorf("%d events, want %d", n, events+4)
	}
	fifth := w.issue(t, rps.Month{Year: 2025, Month: 5}, 100_000_000)
	_ = fifth
	var failures []error
	for range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for attempt := 0; ; attempt++ {
				err := w.try(func(ctx context.Context, r *rec.Registry, tx *store.Tx) error {
					live, err := tx.RecBlocks(ctx, store.BlockFilter{AccountID: w.gen, Status: rec.StatusActive, Limit: 1})
					if err != nil || len(live) == 0 {
						return fmt.Errorf("no active block: %v", err)
					}
					_, err = r.Retire(ctx, rec.RetireCmd{BlockID: live[0].ID, Quantity: 1, AccountID: w.genRet, Reason: rec.ReasonVoluntary,
						ExpectVersion: live[0].Version})
					return err
				})
				if err == nil {
					return
				}
				if !apperr.Is(err, apperr.Conflict) || attempt > 200 {
					mu.Lock()
					failures = append(failures, err)
					mu.Unlock()
					return
				}
				if errors.Is(ctx.Err(), context.Canceled) {
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("retirements failed: %v", failures)
	}
	hold, _ := db.RecHoldings(ctx)
	var total, retired int64
	for _, h := range hold {
		total += h.Quantity
		if h.Status == rec.StatusRetired && h.AccountID == w.genRet {
			retired += h.Quantity
		}
	}
	// Two whole blocks were retired in the race (or transferred: the split
	// of which is random), plus 64 single certificates.
	if total != 500 {
		t.Errorf("%d certificates held in all, want 500 issued", total)
	}
	var wholeRetired int64
	for _, b := range blocks {
		blk, _ := db.RecBlock(ctx, b)
		if blk.Status == rec.StatusRetired {
			wholeRetired += 100
		}
	}
	if retired != wholeRetired+64 {
		t.Errorf("%d retired, want %d", retired, wholeRetired+64)
	}
	w.sound(t)
}

// testRecTamperingDetected edits a stored event behind the registry's back
// and checks that verification names the entry.
func testRecTamperingDetected(t *testing.T, db *store.DB) {
	ctx := context.Background()
	w := newRecWorld(t, db)
	w.issue(t, rps.Month{Year: 2026, Month: 3}, 5_000_000)
	w.sound(t)
	if _, err := db.SQL().ExecContext(ctx, `UPDATE rec_events SET data = replace(data, '"quantity":5', '"quantity":50') WHERE kind = 'certificates.issued'`); err != nil {
		t.Fatal(err)
	}
	st, err := db.VerifyRecChain(ctx)
	if err != nil || st.Break == nil || st.Break.Seq != 8 {
		t.Fatalf("after tampering: %+v %v, want a break at entry 8", st.Break, err)
	}
}

// testRPSClaims applies an RPS retirement under a contract: the claim
// takes its category from the contract, a second claim on the same
// certificates is refused (§399.21(a)(2)), a voluntary retirement cannot
// be claimed, and the position follows from the stored sales and claims.
func testRPSClaims(t *testing.T, db *store.DB) {
	ctx := context.Background()
	w := newRecWorld(t, db)
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.SetRPSProfile(ctx, staff, store.RPSProfile{Seller: "Demo CCA", Jurisdiction: rps.CPUCRetailSeller, Settings: rps.DefaultSettings()}); err != nil {
			return err
		}
		for y := 2025; y <= 2026; y++ {
			if err := tx.SetRetailSales(ctx, staff, store.RetailSales{Year: y, MWh: 1_000, Source: "test"}); err != nil {
				return err
			}
		}
		return nil
	})
	con := rps.Contract{Name: "Desert Sun PPA", Counterparty: "Desert Sun LLC", FacilityID: w.fac.ID, Executed: day(2018, 5, 1),
		Start: day(2019, 1, 1), End: day(2039, 1, 1), Delivery: rps.DeliverInCBA}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateContract(ctx, staff, &con) })
	bad := con
	bad.Name, bad.Amendments = "Backdated", []rps.Amendment{{Date: day(2018, 4, 30), Kind: rps.AmendOther}}
	wantErr(t, "amendment before execution", txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateContract(ctx, staff, &bad) }),
		apperr.Invalid, "amendments[0].date")

	iss := w.issue(t, rps.Month{Year: 2026, Month: 1}, 600_000_000)
	var rpsRet, volRet rec.Retirement
	w.reg(t, func(ctx context.Context, r *rec.Registry, _ *store.Tx) error {
		tr, err := r.InitiateTransfer(ctx, rec.TransferCmd{BlockID: iss.BlockID, Quantity: 600, To: w.cca})
		if err != nil {
			return err
		}
		if _, err := r.ResolveTransfer(ctx, tr.ID, rec.TransferAccepted, ""); err != nil {
			return err
		}
		if rpsRet, err = r.Retire(ctx, rec.RetireCmd{BlockID: tr.BlockID, Quantity: 500, AccountID: w.ccaRet, Reason: rec.ReasonRPS, ComplianceYear: 2026}); err != nil {
			return err
		}
		volRet, err = r.Retire(ctx, rec.RetireCmd{BlockID: rpsRet.BlockID + 1, Quantity: 100, AccountID: w.ccaRet, Reason: rec.ReasonVoluntary})
		return err
	})
	var claims []store.ClaimRecord
	w.reg(t, func(ctx context.Context, r *rec.Registry, tx *store.Tx) error {
		var err error
		claims, err = tx.ClaimRetirement(ctx, r, store.ClaimInput{RetirementID: rpsRet.ID, ContractID: con.ID, MWh: 300})
		return err
	})
	if len(claims) != 1 || claims[0].PCC != rps.PCC1 || !claims[0].LongTerm || claims[0].Period != "CP5" || claims[0].MWh != 300 {
		t.Fatalf("claims %+v", claims)
	}
	before := recCounts(t, db)
	err := w.try(func(ctx context.Context, r *rec.Registry, tx *store.Tx) error {
		_, err := tx.ClaimRetirement(ctx, r, store.ClaimInput{RetirementID: rpsRet.ID, ContractID: con.ID, MWh: 201})
		return err
	})
	wantErr(t, "claiming more than is left", err, apperr.Conflict, "")
	err = w.try(func(ctx context.Context, r *rec.Registry, tx *store.Tx) error {
		_, err := tx.ClaimRetirement(ctx, r, store.ClaimInput{RetirementID: volRet.ID, ContractID: con.ID})
		return err
	})
	wantErr(t, "claiming a voluntary retirement", err, apperr.Invalid, "retirement_id")
	if after := recCounts(t, db); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Errorf("refused claims changed %v to %v", before, after)
	}
	w.reg(t, func(ctx context.Context, r *rec.Registry, tx *store.Tx) error {
		_, err := tx.ClaimRetirement(ctx, r, store.ClaimInput{RetirementID: rpsRet.ID, ContractID: con.ID})
		return err
	})
	_, hist, err := db.RPSHistory(ctx)
	if err != nil || len(hist) != 1 {
		t.Fatalf("history %+v %v", hist, err)
	}
	// CP5 through 2026: 46.67% × 1,000 + 49.33% × 1,000 = 960 MWh; 500 applied.
	cp5 := hist[0]
	if !cp5.Partial || cp5.Through != 2026 || cp5.Result.PQRMWh != 960 || cp5.Result.AppliedTotal != 500 || cp5.Result.Shortfall != 460 {
		t.Errorf("CP5: %+v %+v", cp5, cp5.Result)
	}
	in, err := db.RPSReportInput(ctx, 2026)
	if err != nil || len(in.Lines) != 2 || in.Lines[0].Facility != "Desert Sun Solar" {
		t.Errorf("report input %+v %v", in, err)
	}
	w.sound(t)
}

// testRPSProfileAnchor: the registry dates its 36-month window from the
// profile's anchor.
func testRPSProfileAnchor(t *testing.T, db *store.DB) {
	w := newRecWorld(t, db)
	s := rps.DefaultSettings()
	s.WindowAnchor = rps.AnchorMonthEnd
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		return tx.SetRPSProfile(ctx, staff, store.RPSProfile{Seller: "Demo CCA", Jurisdiction: rps.CPUCRetailSeller, Settings: s})
	})
	iss := w.issue(t, rps.Month{Year: 2026, Month: 1}, 2_000_000)
	w.reg(t, func(ctx context.Context, r *rec.Registry, _ *store.Tx) error {
		ret, err := r.Retire(ctx, rec.RetireCmd{BlockID: iss.BlockID, Quantity: 1, AccountID: w.genRet, Reason: rec.ReasonRPS, ComplianceYear: 2026})
		if err == nil && ret.Deadline.String() != "2029-01-31" {
			err = fmt.Errorf("deadline %v, want 2029-01-31 with the month-end anchor", ret.Deadline)
		}
		return err
	})
	wantErr(t, "profile below the reduced PCC1 floor", txErr(db, func(ctx context.Context, tx *store.Tx) error {
		bad := rps.DefaultSettings()
		bad.PCC1Min = "60"
		return tx.SetRPSProfile(ctx, staff, store.RPSProfile{Jurisdiction: rps.CPUCRetailSeller, Settings: bad})
	}), apperr.Invalid, "settings.pcc1_min")
}

// testGreenProductHourly: a green product's load is its enrolled
// accounts' delivered channels summed to Pacific clock hours, and its
// generation the facilities' hourly report values; 1,000 and 2,000 Wh of
// load against 500 and 3,000 Wh of generation match 2,500 Wh, 5/6.
func testGreenProductHourly(t *testing.T, db *store.DB) {
	ctx := context.Background()
	w := newRecWorld(t, db)
	_, _, acct, meter := seed(t, db)
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		e := customer.Enrollment{AccountID: acct.ID, Program: "power_share", From: day(2025, 1, 1), Source: "auto"}
		if err := tx.Enroll(ctx, staff, &e); err != nil {
			return err
		}
		start := day(2025, 1, 1).Start()
		return tx.PutIntervals(ctx, meter.Channels[0].ID, store.Series{Start: start, Step: time.Hour, Values: []energy.Wh{1000, 2000}})
	})
	hourly := make([]energy.Wh, 744)
	hourly[0], hourly[1] = 500, 3000
	w.reg(t, func(ctx context.Context, r *rec.Registry, _ *store.Tx) error {
		_, err := r.SubmitReport(ctx, rec.Report{FacilityID: w.fac.ID, Vintage: rps.Month{Year: 2025, Month: 1}, Hourly: hourly})
		return err
	})
	g, err := db.GreenProductHourly(ctx, "power_share", []int64{w.fac.ID}, 2025)
	if err != nil {
		t.Fatal(err)
	}
	if g.Accounts != 1 || len(g.Load) != 8760 || g.Load[0] != 1000 || g.Load[1] != 2000 || g.Gen[1] != 3000 || g.MonthsWithoutHourly != 0 {
		t.Fatalf("hours: accounts %d, %d hours, load %v, gen %v", g.Accounts, len(g.Load), g.Load[:3], g.Gen[:3])
	}
	m, err := rps.MatchHourly(g.Load, g.Gen, g.HourOfDay)
	if err != nil || m.Matched != 2500 || m.HourlyShare.RatString() != "5/6" || m.MatchedByHour[1] != 2000 {
		t.Errorf("match %+v %v", m, err)
	}
}
