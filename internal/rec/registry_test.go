package rec

import (
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/rps"
)

// TestRemainderCarriedForward is research/rps.md T16: 1,234,567 kWh in
// month 1 issues 1,234 certificates and carries 567 kWh; 999,600 kWh in
// month 2 plus the 567 is 1,000,167 kWh: 1,000 certificates, 167 kWh
// carried.
func TestRemainderCarriedForward(t *testing.T) {
	w := newWorld(t)
	a := w.issue(t, "2023-01", 1_234_567)
	if a.Quantity != 1_234 || a.CarryOut != 567_000 {
		t.Errorf("month 1: %d certificates, carry %d Wh; want 1,234 and 567,000", a.Quantity, a.CarryOut)
	}
	b := w.issue(t, "2023-02", 999_600)
	if b.Quantity != 1_000 || b.CarryIn != 567_000 || b.CarryOut != 167_000 {
		t.Errorf("month 2: %d certificates, carry %d → %d Wh; want 1,000 and 167,000", b.Quantity, b.CarryIn, b.CarryOut)
	}
	blk := w.mem.Blocks[b.BlockID]
	if blk.Start != 1 || blk.End != 1_000 || blk.AccountID != w.gen || blk.Status != StatusActive {
		t.Errorf("block %+v", blk)
	}
	w.check(t)
}

// TestSplitAtBlockEdges is research/rps.md T18 and its edges: from serials
// 1–1000, moving 250 gives 1–250 and 251–1000 (not FEA's 1–251), the
// parent split; moving 999 or 1 splits at the other edges; moving all
// 1000 moves the block itself; 1001 and 0 are refused.
func TestSplitAtBlockEdges(t *testing.T) {
	for _, c := range []struct {
		qty         int64
		moved, rest [2]int64
		whole       bool
	}{{250, [2]int64{1, 250}, [2]int64{251, 1000}, false}, {999, [2]int64{1, 999}, [2]int64{1000, 1000}, false},
		{1, [2]int64{1, 1}, [2]int64{2, 1000}, false}, {1000, [2]int64{1, 1000}, [2]int64{}, true}} {
		w := newWorld(t)
		iss := w.issue(t, "2023-01", 1_000_000)
		tr, err := w.reg.InitiateTransfer(ctx, TransferCmd{BlockID: iss.BlockID, Quantity: c.qty, To: w.cca})
		if err != nil {
			t.Fatal(err)
		}
		moved := w.mem.Blocks[tr.BlockID]
		if moved.Start != c.moved[0] || moved.End != c.moved[1] || moved.Quantity() != c.qty || moved.Status != StatusPending {
			t.Errorf("move %d: moved block %+v", c.qty, moved)
		}
		parent := w.mem.Blocks[iss.BlockID]
		if c.whole {
			if tr.BlockID != iss.BlockID || len(w.mem.Blocks) != 1 {
				t.Errorf("moving the whole block should not split it")
			}
		} else {
			if parent.Status != StatusSplit {
				t.Errorf("parent %+v, want split", parent)
			}
			var rest Block
			for _, b := range w.mem.Blocks {
				if b.ParentID == parent.ID && b.ID != moved.ID {
					rest = b
				}
			}
			if rest.Start != c.rest[0] || rest.End != c.rest[1] || rest.Status != StatusActive || rest.AccountID != w.gen {
				t.Errorf("move %d: remaining block %+v", c.qty, rest)
			}
		}
		w.check(t)
	}
	w := newWorld(t)
	iss := w.issue(t, "2023-01", 1_000_000)
	for _, qty := range []int64{1001, 0, -5} {
		_, err := w.reg.InitiateTransfer(ctx, TransferCmd{BlockID: iss.BlockID, Quantity: qty, To: w.cca})
		if fs := apperr.FieldsOf(err); len(fs) != 1 || fs[0].Field != "quantity" {
			t.Errorf("transfer of %d: %v, want quantity refused", qty, err)
		}
	}
}

// TestDoubleCountingRefused is T19: retiring a block twice, transferring
// a retired block and transferring a pending block are all refused and
// change nothing.
func TestDoubleCountingRefused(t *testing.T) {
	w := newWorld(t)
	iss := w.issue(t, "2023-06", 500_000)
	tr, err := w.reg.InitiateTransfer(ctx, TransferCmd{BlockID: iss.BlockID, Quantity: 500, To: w.cca})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.reg.ResolveTransfer(ctx, tr.ID, TransferAccepted, ""); err != nil {
		t.Fatal(err)
	}
	ret := RetireCmd{BlockID: tr.BlockID, Quantity: 500, AccountID: w.ccaRet, Reason: ReasonRPS, ComplianceYear: 2023}
	if _, err := w.reg.Retire(ctx, ret); err != nil {
		t.Fatal(err)
	}
	events, blocks := len(w.mem.Events), len(w.mem.Blocks)
	if _, err := w.reg.Retire(ctx, ret); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("second retirement: %v, want conflict", err)
	}
	if _, err := w.reg.InitiateTransfer(ctx, TransferCmd{BlockID: tr.BlockID, Quantity: 1, To: w.gen}); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("transfer of a retired block: %v, want conflict", err)
	}
	if len(w.mem.Events) != events || len(w.mem.Blocks) != blocks {
		t.Errorf("refused commands on a retired block changed the registry")
	}
	// A pending block.
	iss2 := w.issue(t, "2023-07", 100_000)
	tr2, err := w.reg.InitiateTransfer(ctx, TransferCmd{BlockID: iss2.BlockID, Quantity: 100, To: w.cca})
	if err != nil {
		t.Fatal(err)
	}
	events, blocks = len(w.mem.Events), len(w.mem.Blocks)
	for name, err := range map[string]error{
		"transfer": func() error {
			_, err := w.reg.InitiateTransfer(ctx, TransferCmd{BlockID: tr2.BlockID, Quantity: 10, To: w.cca})
			return err
		}(),
		"retire": func() error {
			_, err := w.reg.Retire(ctx, RetireCmd{BlockID: tr2.BlockID, Quantity: 10, AccountID: w.genRet, Reason: ReasonVoluntary})
			return err
		}(),
		"export": func() error {
			_, err := w.reg.Export(ctx, ExportCmd{BlockID: tr2.BlockID, Quantity: 10, AccountID: w.ccaX, Destination: "M-RETS"})
			return err
		}(),
		"withdraw": func() error {
			_, err := w.reg.Withdraw(ctx, WithdrawCmd{BlockID: tr2.BlockID, Quantity: 10, Reason: "x"})
			return err
		}(),
		"accept old": func() error { _, err := w.reg.ResolveTransfer(ctx, tr.ID, TransferAccepted, ""); return err }(),
	} {
		if apperr.KindOf(err) != apperr.Conflict {
			t.Errorf("%s of a pending block: %v, want conflict", name, err)
		}
	}
	if len(w.mem.Events) != events || len(w.mem.Blocks) != blocks {
		t.Errorf("refused commands changed the registry")
	}
	w.check(t)
}

// TestTransferRejectedReturns is T20: 100 certificates sent from A to B
// and rejected come back to A's active account; the log shows the
// initiation, then the rejection. Cancelling works the same way and
// accepting moves the block.
func TestTransferRejectedReturns(t *testing.T) {
	w := newWorld(t)
	iss := w.issue(t, "2023-06", 300_000)
	tr, err := w.reg.InitiateTransfer(ctx, TransferCmd{BlockID: iss.BlockID, Quantity: 100, To: w.cca})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.reg.ResolveTransfer(ctx, tr.ID, TransferRejected, "not ours"); err != nil {
		t.Fatal(err)
	}
	b := w.mem.Blocks[tr.BlockID]
	if b.AccountID != w.gen || b.Status != StatusActive || b.Quantity() != 100 {
		t.Errorf("after rejection: %+v", b)
	}
	n := len(w.mem.Events)
	if w.mem.Events[n-2].Kind != "transfer.initiated" || w.mem.Events[n-1].Kind != "transfer.rejected" {
		t.Errorf("log ends %s, %s", w.mem.Events[n-2].Kind, w.mem.Events[n-1].Kind)
	}
	if _, err := w.reg.ResolveTransfer(ctx, tr.ID, TransferAccepted, ""); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("accepting a rejected transfer: %v", err)
	}
	tr2, _ := w.reg.InitiateTransfer(ctx, TransferCmd{BlockID: tr.BlockID, Quantity: 100, To: w.cca})
	if _, err := w.reg.ResolveTransfer(ctx, tr2.ID, TransferCancelled, ""); err != nil || w.mem.Blocks[tr2.BlockID].AccountID != w.gen {
		t.Errorf("cancel: %v %+v", err, w.mem.Blocks[tr2.BlockID])
	}
	tr3, _ := w.reg.InitiateTransfer(ctx, TransferCmd{BlockID: tr.BlockID, Quantity: 40, To: w.cca})
	if _, err := w.reg.ResolveTransfer(ctx, tr3.ID, TransferAccepted, ""); err != nil || w.mem.Blocks[tr3.BlockID].AccountID != w.cca {
		t.Errorf("accept: %v %+v", err, w.mem.Blocks[tr3.BlockID])
	}
	if _, err := w.reg.InitiateTransfer(ctx, TransferCmd{BlockID: tr3.BlockID, Quantity: 1, To: w.ccaRet}); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("transfer into a retirement account: %v, want invalid", err)
	}
	w.check(t)
}

// TestOptimisticConcurrency refuses a command whose expected version is
// stale.
func TestOptimisticConcurrency(t *testing.T) {
	w := newWorld(t)
	iss := w.issue(t, "2023-06", 10_000)
	b := w.mem.Blocks[iss.BlockID]
	if _, err := w.reg.InitiateTransfer(ctx, TransferCmd{BlockID: b.ID, Quantity: 1, To: w.cca, ExpectVersion: b.Version}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.reg.Retire(ctx, RetireCmd{BlockID: b.ID, Quantity: 1, AccountID: w.genRet, Reason: ReasonVoluntary, ExpectVersion: b.Version}); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("stale version: %v, want conflict", err)
	}
}

// TestRPSRetirementWindow refuses an RPS retirement after the 36-month
// deadline, showing it, and accepts the same certificates as voluntary
// (§399.21(a)(7); issue 7 bad input). T14: vintage 2021-03 through
// 2024-03-31.
func TestRPSRetirementWindow(t *testing.T) {
	w := newWorld(t)
	iss := w.issue(t, "2021-03", 20_000)
	w.clock = day(t, "2024-04-01").Start().Add(1)
	_, err := w.reg.Retire(ctx, RetireCmd{BlockID: iss.BlockID, Quantity: 5, AccountID: w.genRet, Reason: ReasonRPS, ComplianceYear: 2021})
	if fs := apperr.FieldsOf(err); len(fs) != 1 || fs[0].Field != "reason" || !strings.Contains(fs[0].Msg, "2024-03-31") || !strings.Contains(fs[0].Msg, "§399.21(a)(7)") {
		t.Fatalf("late RPS retirement: %v", err)
	}
	if len(w.mem.Retirements) != 0 || w.mem.Blocks[iss.BlockID].Status != StatusActive {
		t.Fatalf("refused retirement changed the registry")
	}
	r, err := w.reg.Retire(ctx, RetireCmd{BlockID: iss.BlockID, Quantity: 5, AccountID: w.genRet, Reason: ReasonVoluntary})
	if err != nil || r.RPSEligible || r.Deadline.String() != "2024-03-31" || r.Beneficiary != "Desert Sun LLC" {
		t.Errorf("voluntary: %+v %v", r, err)
	}
	w.clock = day(t, "2024-03-31").Start().Add(23 * 3600e9)
	rest := w.activeChild(iss.BlockID)
	r, err = w.reg.Retire(ctx, RetireCmd{BlockID: rest, Quantity: 5, AccountID: w.genRet, Reason: ReasonRPS, ComplianceYear: 2021})
	if err != nil || !r.RPSEligible || r.RetiredOn.String() != "2024-03-31" {
		t.Errorf("on the deadline: %+v %v", r, err)
	}
	if _, err := w.reg.Retire(ctx, RetireCmd{BlockID: w.activeChild(rest), Quantity: 1, AccountID: w.other, Reason: ReasonVoluntary}); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("retiring into another organization's account: %v", err)
	}
	w.check(t)
}

// TestIssuanceGatedByCertification is T25: CEC certification effective
// 2023-05-10. April issues nothing; May without hourly data nothing; May
// with hourly data only the hours from May 10; June everything.
func TestIssuanceGatedByCertification(t *testing.T) {
	w := newWorld(t)
	f := w.fac
	f.Certifications = []rps.Certification{{Status: rps.Precertified, From: day(t, "2022-01-01"), To: day(t, "2023-05-10")},
		{Status: rps.Certified, From: day(t, "2023-05-10")}}
	w.mem.Facilities[f.ID] = f
	apr := w.issue(t, "2023-04", 100_000)
	if apr.Quantity != 0 || apr.EligibleWh != 0 || !strings.Contains(apr.Note, "not CEC-certified") {
		t.Errorf("April: %+v", apr)
	}
	may := w.issue(t, "2023-05", 744_000)
	if may.Quantity != 0 || !strings.Contains(may.Note, "without hourly data") {
		t.Errorf("May without hourly: %+v", may)
	}
	// May has 744 hours; 1 MWh each hour; May 10 starts at hour 216.
	hourly := make([]energy.Wh, 744)
	for i := range hourly {
		hourly[i] = energy.WhPerMWh
	}
	if _, err := w.reg.SubmitReport(ctx, Report{FacilityID: f.ID, Vintage: vintage(t, "2023-05"), Hourly: hourly, Revision: 1}); err != nil {
		t.Fatal(err)
	}
	may2, err := w.reg.Issue(ctx, f.ID, vintage(t, "2023-05"))
	if err != nil || may2.Quantity != 744-216 {
		t.Errorf("May hourly: %+v %v, want %d", may2, err, 744-216)
	}
	if jun := w.issue(t, "2023-06", 50_000); jun.Quantity != 50 {
		t.Errorf("June: %+v", jun)
	}
	w.check(t)
}

// TestGenerationReportRules: a second report of a month without the next
// revision number is refused (issue 7 bad input); the future, negative
// energy, more than the nameplate can make and hourly data that does not
// cover the month's clock hours (743 in March, 721 in November) are too.
func TestGenerationReportRules(t *testing.T) {
	w := newWorld(t)
	v := vintage(t, "2023-03")
	if _, err := w.reg.SubmitReport(ctx, Report{FacilityID: w.fac.ID, Vintage: v, Wh: 1}); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		r     Report
		field string
	}{
		"overlap":          {Report{FacilityID: w.fac.ID, Vintage: v, Wh: 2}, "revision"},
		"skipped revision": {Report{FacilityID: w.fac.ID, Vintage: v, Wh: 2, Revision: 2}, "revision"},
		"future":           {Report{FacilityID: w.fac.ID, Vintage: vintage(t, "2024-03"), Wh: 2}, "vintage"},
		"negative":         {Report{FacilityID: w.fac.ID, Vintage: vintage(t, "2023-04"), Wh: -2}, "generation_wh"},
		"above nameplate":  {Report{FacilityID: w.fac.ID, Vintage: vintage(t, "2023-04"), Wh: 5_000*1000*720 + 1}, "generation_wh"},
		"March hours":      {Report{FacilityID: w.fac.ID, Vintage: vintage(t, "2023-04"), Hourly: make([]energy.Wh, 743)}, "hourly_wh"},
		"no facility":      {Report{FacilityID: 999, Vintage: v}, "facility_id"},
	} {
		_, err := w.reg.SubmitReport(ctx, c.r)
		if fs := apperr.FieldsOf(err); len(fs) == 0 || fs[0].Field != c.field {
			t.Errorf("%s: %v, want %s refused", name, err, c.field)
		}
	}
	if vintage(t, "2023-03").Hours() != 743 || vintage(t, "2023-11").Hours() != 721 || vintage(t, "2024-02").Hours() != 696 {
		t.Errorf("hours: March %d November %d leap February %d", vintage(t, "2023-03").Hours(), vintage(t, "2023-11").Hours(), vintage(t, "2024-02").Hours())
	}
	if _, err := w.reg.SubmitReport(ctx, Report{FacilityID: w.fac.ID, Vintage: v, Wh: 2, Revision: 1}); err != nil {
		t.Errorf("revision 1: %v", err)
	}
}

// TestRevisionIssuesOnlyTheDifference: a revised report issues only what
// it adds; one that lowers generation after issuance is refused until
// the certificates are withdrawn, then issues from the corrected credit.
func TestRevisionIssuesOnlyTheDifference(t *testing.T) {
	w := newWorld(t)
	v := vintage(t, "2023-08")
	first := w.issue(t, "2023-08", 10_500) // 10 certificates, 500 kWh carried
	if _, err := w.reg.SubmitReport(ctx, Report{FacilityID: w.fac.ID, Vintage: v, Wh: 12_300_000, Revision: 1}); err != nil {
		t.Fatal(err)
	}
	up, err := w.reg.Issue(ctx, w.fac.ID, v)
	if err != nil || up.CreditedWh != 1_800_000 || up.Quantity != 2 || up.CarryOut != 300_000 {
		t.Errorf("upward revision: %+v %v; want 1,800 kWh credited, 2 certificates, 300 kWh carried", up, err)
	}
	if _, err := w.reg.Issue(ctx, w.fac.ID, v); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("issuing the same revision again: %v", err)
	}
	if _, err := w.reg.SubmitReport(ctx, Report{FacilityID: w.fac.ID, Vintage: v, Wh: 11_000_000, Revision: 2}); err != nil {
		t.Fatal(err)
	}
	_, err = w.reg.Issue(ctx, w.fac.ID, v)
	if apperr.KindOf(err) != apperr.Conflict || !strings.Contains(err.Error(), "withdraw 2 certificate") {
		t.Fatalf("downward revision: %v", err)
	}
	if _, err := w.reg.Withdraw(ctx, WithdrawCmd{BlockID: first.BlockID, Quantity: 2, Reason: "revision 2 lowers August"}); err != nil {
		t.Fatal(err)
	}
	again, err := w.reg.Issue(ctx, w.fac.ID, v)
	if err != nil || again.CreditedWh != 700_000 || again.Quantity != 1 || again.CarryOut != 0 {
		t.Errorf("after withdrawal: %+v %v; want 700 kWh credited and 1 certificate", again, err)
	}
	w.check(t)
}

// TestExportAndWithdraw: exports go to the holder's export account and
// are final; withdrawals need a reason.
func TestExportAndWithdraw(t *testing.T) {
	w := newWorld(t)
	iss := w.issue(t, "2023-06", 30_000)
	tr, _ := w.reg.InitiateTransfer(ctx, TransferCmd{BlockID: iss.BlockID, Quantity: 30, To: w.cca})
	w.reg.ResolveTransfer(ctx, tr.ID, TransferAccepted, "")
	x, err := w.reg.Export(ctx, ExportCmd{BlockID: tr.BlockID, Quantity: 10, AccountID: w.ccaX, Destination: "M-RETS"})
	if err != nil || w.mem.Blocks[x.BlockID].Status != StatusExported {
		t.Fatalf("export: %+v %v", x, err)
	}
	if _, err := w.reg.Export(ctx, ExportCmd{BlockID: x.BlockID, Quantity: 10, AccountID: w.ccaX, Destination: "M-RETS"}); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("exporting twice: %v", err)
	}
	if _, err := w.reg.Withdraw(ctx, WithdrawCmd{BlockID: w.activeChild(tr.BlockID), Quantity: 1}); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("withdrawal without reason: %v", err)
	}
	w.check(t)
}

// TestCertificationHistoryAppendOnly: a new record ends the open one and
// may not start before it.
func TestCertificationHistoryAppendOnly(t *testing.T) {
	w := newWorld(t)
	f, err := w.reg.Certify(ctx, w.fac.ID, rps.Certification{Status: rps.Suspended, From: day(t, "2024-01-01")})
	if err != nil || len(f.Certifications) != 2 || f.Certifications[0].To.String() != "2024-01-01" {
		t.Fatalf("%+v %v", f.Certifications, err)
	}
	if _, err := w.reg.Certify(ctx, w.fac.ID, rps.Certification{Status: rps.Certified, From: day(t, "2023-06-01")}); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("backdated record: %v", err)
	}
}
