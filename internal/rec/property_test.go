package rec

import (
	"encoding/json"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/energy"
)

// ops drives random registry commands from a stream of choices and checks
// after each that certificates are conserved: the unsplit blocks of each
// issuance tile its serials, the certificates held in all statuses add up
// to those issued, every accepted command appended exactly one event,
// every refused one changed nothing, and the event chain verifies.
func ops(t *testing.T, next func(n int) int, steps int) {
	w := newWorld(t)
	accounts := []int64{w.gen, w.genRet, w.cca, w.ccaRet, w.ccaX, w.other}
	var issued int64
	month := 0
	var pending []int64
	pick := func() (Block, bool) {
		var live []Block
		for _, b := range w.mem.Blocks {
			if b.Status != StatusSplit {
				live = append(live, b)
			}
		}
		if len(live) == 0 {
			return Block{}, false
		}
		// Map iteration is random; sort for reproducibility.
		i := next(len(live))
		byID := map[int64]Block{}
		ids := []int64{}
		for _, b := range live {
			byID[b.ID] = b
			ids = append(ids, b.ID)
		}
		sortInt64(ids)
		return byID[ids[i]], true
	}
	for step := range steps {
		events, blocks := len(w.mem.Events), len(w.mem.Blocks)
		var err error
		cmds := 1
		switch next(8) {
		case 0: // issue a new month
			if month < 30 {
				v := vintage(t, "2021-01").AddMonths(month)
				month++
				_, err = w.reg.SubmitReport(ctx, Report{FacilityID: w.fac.ID, Vintage: v, Wh: energy.Wh(next(2_000_000_000))})
				if err == nil {
					var iss Issuance
					cmds = 2
					iss, err = w.reg.Issue(ctx, w.fac.ID, v)
					issued += iss.Quantity
				}
			}
		case 1, 2:
			if b, ok := pick(); ok {
				var tr Transfer
				tr, err = w.reg.InitiateTransfer(ctx, TransferCmd{BlockID: b.ID, Quantity: int64(next(int(b.Quantity()) + 2)), To: accounts[next(len(accounts))]})
				if err == nil {
					pending = append(pending, tr.ID)
				}
			}
		case 3:
			if len(pending) > 0 {
				i := next(len(pending))
				to := []TransferStatus{TransferAccepted, TransferRejected, TransferCancelled}[next(3)]
				_, err = w.reg.ResolveTransfer(ctx, pending[i], to, "")
				pending = append(pending[:i], pending[i+1:]...)
			}
		case 4, 5:
			if b, ok := pick(); ok {
				reason := []Reason{ReasonRPS, ReasonVoluntary, "bad"}[next(3)]
				_, err = w.reg.Retire(ctx, RetireCmd{BlockID: b.ID, Quantity: int64(next(int(b.Quantity()) + 1)), AccountID: accounts[next(len(accounts))],
					Reason: reason, ComplianceYear: 2020 + next(5)})
			}
		case 6:
			if b, ok := pick(); ok {
				_, err = w.reg.Export(ctx, ExportCmd{BlockID: b.ID, Quantity: int64(next(int(b.Quantity()) + 1)), AccountID: accounts[next(len(accounts))], Destination: "M-RETS"})
			}
		case 7:
			w.clock = w.clock.Add(time.Duration(next(400)) * 24 * time.Hour)
		}
		switch {
		case err == nil && len(w.mem.Events) > events+cmds:
			t.Fatalf("step %d: one command appended %d events", step, len(w.mem.Events)-events)
		case err != nil && (len(w.mem.Events) != events || len(w.mem.Blocks) != blocks):
			t.Fatalf("step %d: a refused command (%v) changed the registry", step, err)
		}
		var held int64
		for _, b := range w.mem.Blocks {
			if b.Status != StatusSplit {
				held += b.Quantity()
			}
		}
		if held != issued {
			t.Fatalf("step %d: %d certificates held, %d issued", step, held, issued)
		}
		if p := CheckBlocks(w.mem.Issuances, w.mem.AllBlocks()); len(p) > 0 {
			t.Fatalf("step %d: %v", step, p)
		}
	}
	if b := VerifyChain(w.mem.Events, 0, GenesisHash); b != nil {
		t.Fatalf("chain: %+v", b)
	}
}

func sortInt64(s []int64) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// TestRandomOperationsConserveCertificates runs many seeded random
// command sequences (a property test of the registry invariants).
func TestRandomOperationsConserveCertificates(t *testing.T) {
	n := 200
	if testing.Short() {
		n = 20
	}
	for seed := range uint64(n) {
		r := rand.New(rand.NewPCG(seed, 7))
		ops(t, func(n int) int { return r.IntN(max(n, 1)) }, 150)
	}
}

// FuzzOperationsConserveCertificates drives the same checks from fuzzed
// bytes, each byte one choice. Each input runs a whole registry, so CI
// gives it fewer executions than the parsers.
//
// ci-fuzz-execs: 20000
func FuzzOperationsConserveCertificates(f *testing.F) {
	f.Add([]byte{0, 200, 1, 3, 1, 0, 3, 4, 4, 1, 0, 1, 2, 5, 7, 9, 4, 1, 1, 6, 2})
	f.Add([]byte{0, 255, 255, 1, 0, 0, 0, 3, 0, 0, 7, 250, 4, 0, 0, 1, 0, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		i := 0
		next := func(n int) int {
			if n <= 1 || len(data) == 0 {
				return 0
			}
			b := int(data[i%len(data)])
			if n > 256 { // quantities: spread over the range
				b = b * n / 256
			}
			i++
			return b % n
		}
		ops(t, next, min(len(data), 200))
	})
}

// TestTamperingIsDetected: changing an event's data, its time, deleting
// one or swapping two breaks the chain at the first affected entry.
func TestTamperingIsDetected(t *testing.T) {
	w := newWorld(t)
	iss := w.issue(t, "2023-01", 5_000)
	w.reg.InitiateTransfer(ctx, TransferCmd{BlockID: iss.BlockID, Quantity: 2, To: w.cca})
	good := w.mem.Events
	if b := VerifyChain(good, 0, GenesisHash); b != nil {
		t.Fatalf("untouched chain: %+v", b)
	}
	clone := func() []Event { return append([]Event(nil), good...) }
	edited := clone()
	var d map[string]any
	json.Unmarshal(edited[8].Data, &d)
	d["quantity"] = 6
	edited[8].Data, _ = json.Marshal(d)
	if b := VerifyChain(edited, 0, GenesisHash); b == nil || b.Seq != 9 {
		t.Errorf("edited data: %+v, want a break at 9", b)
	}
	rehashed := clone()
	rehashed[8].Data = edited[8].Data
	rehashed[8].Hash = rehashed[8].ComputeHash() // the forger recomputes this entry's hash …
	if b := VerifyChain(rehashed, 0, GenesisHash); b == nil || b.Seq != 10 {
		t.Errorf("rehashed entry: %+v, want a break at the next entry, 10", b) // … but the next link still points at the old one
	}
	retimed := clone()
	retimed[3].At = retimed[3].At.Add(time.Second)
	if b := VerifyChain(retimed, 0, GenesisHash); b == nil || b.Seq != 4 {
		t.Errorf("retimed: %+v", b)
	}
	deleted := append(clone()[:5], good[6:]...)
	if b := VerifyChain(deleted, 0, GenesisHash); b == nil || b.Seq != 7 {
		t.Errorf("deleted: %+v", b)
	}
	swapped := clone()
	swapped[4], swapped[5] = swapped[5], swapped[4]
	if b := VerifyChain(swapped, 0, GenesisHash); b == nil || b.Seq != 6 {
		t.Errorf("swapped: %+v", b)
	}
}
