package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/store"
)

// testIdempotency checks DESIGN.md "JSON API": idempotency keys on
// money-moving POSTs; the stored response is per (actor, key).
func testIdempotency(t *testing.T, db *store.DB) {
	ctx := context.Background()
	const actor, key = "client:4 importer", "6f1c8a52-key"
	if _, ok, err := db.IdempotentResult(ctx, actor, key); err != nil || ok {
		t.Fatalf("new key: found %v, err %v; want not found", ok, err)
	}
	want := store.IdempotentResponse{RequestHash: "sha256:abc", Status: 201, Body: []byte(`{"id":17}` + "\x00\xff")}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.SaveIdempotentResult(ctx, actor, key, want) })
	got, ok, err := db.IdempotentResult(ctx, actor, key)
	if err != nil || !ok {
		t.Fatalf("saved key: found %v, err %v", ok, err)
	}
	if got.RequestHash != want.RequestHash || got.Status != want.Status || !bytes.Equal(got.Body, want.Body) {
		t.Errorf("read back %+v, want %+v", got, want)
	}

	err = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		return tx.SaveIdempotentResult(ctx, actor, key, store.IdempotentResponse{RequestHash: "sha256:def", Status: 200, Body: []byte("{}")})
	})
	wantErr(t, "same actor and key again", err, apperr.Conflict, "")
	got, _, _ = db.IdempotentResult(ctx, actor, key)
	if got.RequestHash != "sha256:abc" {
		t.Errorf("the first response was replaced: %+v", got)
	}

	// The same key from another actor is a different request.
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		return tx.SaveIdempotentResult(ctx, "user:9 bo@cpa.example", key, store.IdempotentResponse{RequestHash: "h", Status: 200, Body: []byte{}})
	})
	// A key saved in a transaction that fails is not kept.
	boom := errors.New("boom")
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.SaveIdempotentResult(ctx, actor, "rolled-back", want); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("InTx = %v, want boom", err)
	}
	if _, ok, err := db.IdempotentResult(ctx, actor, "rolled-back"); err != nil || ok {
		t.Errorf("rolled-back key: found %v, err %v; want not found", ok, err)
	}
	if n := countRows(t, db, "idempotency_keys"); n != 2 {
		t.Errorf("idempotency_keys = %d, want 2", n)
	}
}
