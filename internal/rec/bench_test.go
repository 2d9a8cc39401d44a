package rec

import (
	"fmt"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/rps"
)

// BenchmarkIssue reports and issues one facility-month (in memory): the
// engine's share of issuing a month for 10,000 facilities.
func BenchmarkIssue(b *testing.B) {
	w := newWorld(b)
	ids := make([]int64, 0, 1000)
	for i := range 1000 {
		f := w.fac
		f.ID, f.WREGISID = 0, fmt.Sprintf("W%d", 10_000+i)
		reg, err := w.reg.RegisterFacility(ctx, f)
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, reg.ID)
	}
	w.clock = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
	v := rps.Month{Year: 2023, Month: 1}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		id := ids[i%len(ids)]
		m := v.AddMonths(i / len(ids))
		if _, err := w.reg.SubmitReport(ctx, Report{FacilityID: id, Vintage: m, Wh: 1_234_567_891}); err != nil {
			b.Fatal(err)
		}
		if _, err := w.reg.Issue(ctx, id, m); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTransferSplit initiates a partial transfer (a split) and
// accepts it.
func BenchmarkTransferSplit(b *testing.B) {
	w := newWorld(b)
	w.clock = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
	iss := w.issue(b, "2023-01", 3_000_000)
	block := iss.BlockID
	b.ResetTimer()
	for b.Loop() {
		tr, err := w.reg.InitiateTransfer(ctx, TransferCmd{BlockID: block, Quantity: 1, To: w.cca})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := w.reg.ResolveTransfer(ctx, tr.ID, TransferAccepted, ""); err != nil {
			b.Fatal(err)
		}
		parent := block
		block = 0
		for _, c := range w.mem.Blocks {
			if c.ParentID == parent && c.AccountID == w.gen {
				block = c.ID
			}
		}
		if block == 0 {
			b.StopTimer()
			iss = w.issue(b, rps.Month{Year: 2023, Month: 1}.AddMonths(len(w.mem.Issuances)).String(), 3_000_000)
			block = iss.BlockID
			b.StartTimer()
		}
	}
}

// BenchmarkVerifyChain rehashes a log of about 2,000 events (1,000
// reports and issuances).
func BenchmarkVerifyChain(b *testing.B) {
	w := newWorld(b)
	w.clock = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1000 {
		w.issue(b, rps.Month{Year: 2000, Month: 1}.AddMonths(i).String(), int64(energy.Wh(i)))
	}
	events := w.mem.Events
	b.ResetTimer()
	for b.Loop() {
		if VerifyChain(events, 0, GenesisHash) != nil {
			b.Fatal("broken")
		}
	}
}
