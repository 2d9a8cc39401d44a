package rec

import (
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/rps"
)

// as returns the world's registry acting for one organization.
func (w *world) as(org string) *Registry {
	r := *w.reg
	r.Org = org
	return &r
}

// TestParticipantReachesOnlyItsOwnAccounts: a registry acting for an
// organization moves only its own blocks, reports only for its own
// facilities and opens accounts only for itself; another organization's
// block or facility is answered as absent.
func TestParticipantReachesOnlyItsOwnAccounts(t *testing.T) {
	w := newWorld(t)
	iss := w.issue(t, "2023-06", 900_000)
	cca, gen := w.as("Demo CCA"), w.as("Desert Sun LLC")
	events := len(w.mem.Events)
	_, err := cca.InitiateTransfer(ctx, TransferCmd{BlockID: iss.BlockID, Quantity: 10, To: w.cca})
	if fs := apperr.FieldsOf(err); len(fs) != 1 || fs[0].Field != "block_id" || fs[0].Msg != "no block "+itoa(iss.BlockID) {
		t.Errorf("the CCA moved the generator's block: %v", err)
	}
	_, err = cca.Retire(ctx, RetireCmd{BlockID: iss.BlockID, Quantity: 1, AccountID: w.ccaRet, Reason: ReasonVoluntary})
	if fs := apperr.FieldsOf(err); len(fs) != 1 || fs[0].Field != "block_id" {
		t.Errorf("the CCA retired the generator's block: %v", err)
	}
	_, err = cca.SubmitReport(ctx, Report{FacilityID: w.fac.ID, Vintage: vintage(t, "2023-07"), Wh: 1})
	if fs := apperr.FieldsOf(err); len(fs) != 1 || fs[0].Field != "facility_id" {
		t.Errorf("the CCA reported the generator's facility: %v", err)
	}
	if _, err := cca.Facility(ctx, w.fac.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("the CCA sees the generator's facility: %v", err)
	}
	if _, err := cca.OpenAccount(ctx, Account{Org: "Desert Sun LLC", Name: "mine now", Kind: ActiveAccount}); len(apperr.FieldsOf(err)) != 1 || apperr.FieldsOf(err)[0].Field != "org" {
		t.Errorf("the CCA opened an account for the generator: %v", err)
	}
	if len(w.mem.Events) != events {
		t.Errorf("refused commands appended events")
	}
	a, err := cca.OpenAccount(ctx, Account{Name: "CCA voluntary", Kind: RetirementAccount})
	if err != nil || a.Org != "Demo CCA" {
		t.Errorf("own account %+v %v", a, err)
	}
	if _, err := gen.SubmitReport(ctx, Report{FacilityID: w.fac.ID, Vintage: vintage(t, "2023-07"), Wh: 1_000_000}); err != nil {
		t.Errorf("the generator reports its own facility: %v", err)
	}
	w.check(t)
}

// TestOnlyTheReceiverAcceptsATransfer: the receiving organization accepts
// or rejects, the sender only cancels, and a third organization does not
// see the transfer at all.
func TestOnlyTheReceiverAcceptsATransfer(t *testing.T) {
	w := newWorld(t)
	iss := w.issue(t, "2023-06", 900_000)
	gen, cca, other := w.as("Desert Sun LLC"), w.as("Demo CCA"), w.as("Other ESP")
	tr, err := gen.InitiateTransfer(ctx, TransferCmd{BlockID: iss.BlockID, Quantity: 100, To: w.cca})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gen.ResolveTransfer(ctx, tr.ID, TransferAccepted, ""); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("the sender accepted its own transfer: %v", err)
	}
	if _, err := other.ResolveTransfer(ctx, tr.ID, TransferAccepted, ""); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("a third organization reached the transfer: %v", err)
	}
	if _, err := cca.ResolveTransfer(ctx, tr.ID, TransferCancelled, ""); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("the receiver cancelled: %v", err)
	}
	if got, err := cca.ResolveTransfer(ctx, tr.ID, TransferAccepted, ""); err != nil || got.Status != TransferAccepted {
		t.Errorf("the receiver's acceptance: %+v %v", got, err)
	}
	if b := w.mem.Blocks[tr.BlockID]; b.AccountID != w.cca || b.Status != StatusActive {
		t.Errorf("accepted block %+v", b)
	}
	w.check(t)
}

// TestOperatorCommandsRefusedToParticipants: registration, certification,
// withdrawal and imports are the operator's; a participant is refused (403).
func TestOperatorCommandsRefusedToParticipants(t *testing.T) {
	w := newWorld(t)
	iss := w.issue(t, "2023-06", 900_000)
	gen := w.as("Desert Sun LLC")
	if _, err := gen.Certify(ctx, w.fac.ID, rps.Certification{Status: rps.Certified, From: day(t, "2023-07-01")}); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("certify: %v", err)
	}
	if _, err := gen.RegisterFacility(ctx, Facility{AccountID: w.gen, Facility: rps.Facility{Name: "Mine", WREGISID: "W1", Technology: rps.Wind,
		NameplateKW: 1, COD: day(t, "2020-01-01")}}); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("register: %v", err)
	}
	if _, err := gen.Withdraw(ctx, WithdrawCmd{BlockID: iss.BlockID, Quantity: 1, Reason: "x"}); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("withdraw: %v", err)
	}
	if _, err := gen.ImportCertificates(ctx, LayoutHoldings, nil, w.directory(), "f.csv"); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("import: %v", err)
	}
}
