package storetest

import (
	"context"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/rec"
	"github.com/gridbook/gridbook/internal/rps"
	"github.com/gridbook/gridbook/internal/store"
)

// testRecOrgScope: participant users and rec:write clients are linked to
// an organization holding accounts (staff users, clients without the
// scope and unknown organizations are refused, naming the field), and the
// registry's lists filtered by organization hold only its accounts,
// facilities, blocks, transfers and retirements.
func testRecOrgScope(t *testing.T, db *store.DB) {
	ctx := context.Background()
	w := newRecWorld(t, db)
	iss := w.issue(t, jan2026, 900_000_000)
	var tr rec.Transfer
	w.reg(t, func(ctx context.Context, r *rec.Registry, _ *store.Tx) error {
		var err error
		tr, err = r.InitiateTransfer(ctx, rec.TransferCmd{BlockID: iss.BlockID, Quantity: 100, To: w.cca})
		return err
	})
	genBlock := w.activeBlock(t, w.gen) // what the transfer left; read outside a transaction (SQLite has one connection)
	w.reg(t, func(ctx context.Context, r *rec.Registry, _ *store.Tx) error {
		_, err := r.Retire(ctx, rec.RetireCmd{BlockID: genBlock, Quantity: 50, AccountID: w.genRet, Reason: rec.ReasonVoluntary})
		return err
	})
	var part, analyst auth.User
	var reader, feed auth.Client
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		part = auth.User{Email: "ops@desertsun.example", Name: "Ops", Role: auth.Participant, PasswordHash: "x"}
		analyst = auth.User{Email: "an@cca.example", Name: "An", Role: auth.Analyst, PasswordHash: "x"}
		for _, u := range []*auth.User{&part, &analyst} {
			if err := tx.CreateUser(ctx, staff, u); err != nil {
				return err
			}
		}
		reader = auth.Client{Name: "reader", Scopes: []string{auth.ScopeRegistryRead}}
		feed = auth.Client{Name: "feed", Scopes: []string{auth.ScopeRECWrite}}
		for _, c := range []*auth.Client{&reader, &feed} {
			if _, err := tx.CreateClient(ctx, staff, c); err != nil {
				return err
			}
		}
		return nil
	})
	for _, c := range []struct {
		what  string
		link  func(tx *store.Tx) error
		field string
	}{
		{"a staff user", func(tx *store.Tx) error { _, err := tx.LinkRecUser(ctx, staff, "Demo CCA", analyst.ID); return err }, "user"},
		{"a client without rec:write", func(tx *store.Tx) error { _, err := tx.LinkRecClient(ctx, staff, "Demo CCA", reader.ID); return err }, "client"},
		{"an organization without accounts", func(tx *store.Tx) error { _, err := tx.LinkRecUser(ctx, staff, "Nobody Inc", part.ID); return err }, "org"},
	} {
		wantErr(t, c.what, txErr(db, func(_ context.Context, tx *store.Tx) error { return c.link(tx) }), apperr.Invalid, c.field)
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		if _, err := tx.LinkRecUser(ctx, staff, "Desert Sun LLC", part.ID); err != nil {
			return err
		}
		_, err := tx.LinkRecClient(ctx, staff, "Demo CCA", feed.ID)
		return err
	})
	wantErr(t, "a second link", txErr(db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.LinkRecUser(ctx, staff, "Demo CCA", part.ID)
		return err
	}), apperr.Invalid, "org")
	if org, err := db.RecOrgOfUser(ctx, part.ID); err != nil || org != "Desert Sun LLC" {
		t.Errorf("participant's organization %q %v", org, err)
	}
	if org, err := db.RecOrgOfClient(ctx, feed.ID); err != nil || org != "Demo CCA" {
		t.Errorf("client's organization %q %v", org, err)
	}
	if ms, err := db.RecMembers(ctx); err != nil || len(ms) != 2 || ms[0].Org != "Demo CCA" || ms[0].Who != "feed" || ms[0].ClientID != feed.ID ||
		ms[1].Org != "Desert Sun LLC" || ms[1].Who != "ops@desertsun.example" || ms[1].UserID != part.ID {
		t.Errorf("members %+v %v, want the feed client for Demo CCA and the participant for Desert Sun LLC", ms, err)
	}
	if _, err := db.RecOrgOfUser(ctx, analyst.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("a staff user has an organization: %v", err)
	}

	accts, _ := db.RecAccountsOf(ctx, "Demo CCA")
	facs, _ := db.RecFacilitiesOf(ctx, "Demo CCA")
	gfacs, _ := db.RecFacilitiesOf(ctx, "Desert Sun LLC")
	if len(accts) != 3 || len(facs) != 0 || len(gfacs) != 1 {
		t.Errorf("Demo CCA: %d accounts, %d facilities; Desert Sun %d facilities", len(accts), len(facs), len(gfacs))
	}
	if _, err := db.RecAccountOf(ctx, "Demo CCA", w.gen); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("Demo CCA reads the generator's account: %v", err)
	}
	blocks, _ := db.RecBlocks(ctx, store.BlockFilter{Org: "Demo CCA"})
	ccaTr, _ := db.RecTransfers(ctx, store.TransferFilter{Org: "Demo CCA"})
	genTr, _ := db.RecTransfers(ctx, store.TransferFilter{Org: "Desert Sun LLC"})
	ccaRet, _ := db.RecRetirements(ctx, store.RetirementFilter{Org: "Demo CCA"})
	genRet, _ := db.RecRetirements(ctx, store.RetirementFilter{Org: "Desert Sun LLC"})
	holds, _ := db.RecHoldingsOf(ctx, "Demo CCA")
	// The pending block is still the generator's until the CCA accepts.
	if len(blocks) != 0 || len(ccaTr) != 1 || len(genTr) != 1 || ccaTr[0].ID != tr.ID || len(ccaRet) != 0 || len(genRet) != 1 || len(holds) != 0 {
		t.Errorf("Demo CCA sees %d blocks, %d transfers, %d retirements, %d holdings; the generator %d transfers, %d retirements",
			len(blocks), len(ccaTr), len(ccaRet), len(holds), len(genTr), len(genRet))
	}
}

// jan2026 is the vintage the scope check issues.
var jan2026 = rps.Month{Year: 2026, Month: 1}

// activeBlock returns the one active block held in account.
func (w *recWorld) activeBlock(t *testing.T, account int64) int64 {
	t.Helper()
	bs, err := w.db.RecBlocks(context.Background(), store.BlockFilter{AccountID: account, Status: rec.StatusActive})
	if err != nil || len(bs) != 1 {
		t.Fatalf("active blocks of account %d: %+v %v", account, bs, err)
	}
	return bs[0].ID
}
