package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/store"
)

// testOADRRevokeAndDisable: of a client's two tokens, revoking one
// refuses it and keeps the other; revoking all refuses both; a token of
// another client revokes nothing; disabling the client refuses new
// tokens and lists it disabled; each revocation and the disabling are
// audited and counted by OADRRevocations once committed (a rolled-back
// revocation is not counted); an unknown client is NotFound.
func testOADRRevokeAndDisable(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	secrets := map[string]string{}
	for _, id := range []string{"ven-a", "ven-b"} {
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			c := store.OADRClient{ClientID: id, Role: "ven", Name: id, Scopes: []string{"read_targets"}}
			s, err := tx.CreateOADRClient(ctx, staff, &c)
			secrets[id] = s
			return err
		})
	}
	issue := func(id string) (string, error) {
		var tok string
		err := txErr(db, func(ctx context.Context, tx *store.Tx) error {
			var err error
			tok, _, err = tx.IssueOADRToken(ctx, id, secrets[id], time.Hour)
			return err
		})
		return tok, err
	}
	revoke := func(id, tok string) (int, error) {
		var n int
		err := txErr(db, func(ctx context.Context, tx *store.Tx) error {
			var err error
			n, err = tx.RevokeOADRTokens(ctx, staff, id, tok)
			return err
		})
		return n, err
	}
	valid := func(tok string) bool { _, err := db.OADRTokenClient(ctx, tok); return err == nil }
	a1, _ := issue("ven-a")
	a2, _ := issue("ven-a")
	b1, _ := issue("ven-b")
	gen := db.OADRRevocations()
	audits := countRows(t, db, "audit_log")
	if n, err := revoke("ven-a", b1); err != nil || n != 0 || !valid(b1) {
		t.Errorf("revoking ven-b's token as ven-a's: %d revoked, %v; ven-b's token valid %v", n, err, valid(b1))
	}
	if n, err := revoke("ven-a", a1); err != nil || n != 1 || valid(a1) || !valid(a2) {
		t.Errorf("revoke one: %d, %v; a1 valid %v (want false), a2 valid %v (want true)", n, err, valid(a1), valid(a2))
	}
	a3, _ := issue("ven-a")
	if n, err := revoke("ven-a", ""); err != nil || n != 2 || valid(a2) || valid(a3) || !valid(b1) {
		t.Errorf("revoke all: %d, %v, want 2 with ven-b's kept", n, err)
	}
	_, err := revoke("ven-nobody", "")
	wantErr(t, "unknown client", err, apperr.NotFound, "")
	_ = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		if _, err := tx.RevokeOADRTokens(ctx, staff, "ven-b", ""); err != nil {
			return err
		}
		return apperr.Invalidf("test", "roll back")
	})
	if !valid(b1) {
		t.Errorf("a rolled-back revocation refused ven-b's token")
	}
	if g := db.OADRRevocations() - gen; g != 3 {
		t.Errorf("OADRRevocations moved by %d, want 3 (the committed revocations)", g)
	}
	var c store.OADRClient
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		c, err = tx.DisableOADRClient(ctx, staff, "ven-b")
		return err
	})
	if !c.Disabled.Equal(t0) || valid(b1) {
		t.Errorf("disabled %v (want %v), token still valid %v", c.Disabled, t0, valid(b1))
	}
	_, err = issue("ven-b")
	wantErr(t, "token for a disabled client", err, apperr.Unauthorized, "")
	if tok, err := issue("ven-a"); err != nil || !valid(tok) {
		t.Errorf("ven-a after ven-b was disabled: %v", err)
	}
	list, err := db.OADRClients(ctx)
	if err != nil || len(list) != 2 || !list[0].Disabled.IsZero() || !list[1].Disabled.Equal(t0) {
		t.Errorf("clients %+v, %v; want ven-a enabled, ven-b disabled at t0", list, err)
	}
	if n := countRows(t, db, "audit_log") - audits; n != 4 {
		t.Errorf("%d audit records, want 4 (three revocations, one disabling)", n)
	}
}
