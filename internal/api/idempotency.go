package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/store"
)

// mutation is a change run inside one transaction, together with the audit
// record the store writes. It returns the status and body to answer with.
type mutation func(ctx context.Context, tx *store.Tx) (status int, body any, err error)

// maxKeyLength bounds an Idempotency-Key (the IETF httpapi draft
// "The Idempotency-Key HTTP Header Field" leaves the length to the server).
const maxKeyLength = 255

// commit runs fn in a transaction and answers with its result.
//
// On POST it honours the Idempotency-Key header (IETF httpapi draft
// "The Idempotency-Key HTTP Header Field"): the response is stored in the
// same transaction as the change, under the caller and the key, so a
// retry with the same key and the same request replays the stored status
// and body (marked "Idempotent-Replayed: true") without changing anything,
// and the same key with a different request is a 409 Conflict. Failed
// requests store nothing, so a corrected retry may reuse the key.
func (h *handler) commit(w http.ResponseWriter, r *http.Request, p *principal, body []byte, fn mutation) {
	ctx := r.Context()
	key := ""
	if r.Method == http.MethodPost {
		key = r.Header.Get("Idempotency-Key")
	}
	owner := fmt.Sprintf("%s:%d", p.actor.Kind, p.actor.ID)
	hash := ""
	if key != "" {
		if err := checkKey(key); err != nil {
			h.writeError(w, r, err)
			return
		}
		sum := sha256.Sum256(fmt.Appendf(nil, "%s %s\n%s", r.Method, r.URL.Path, body))
		hash = hex.EncodeToString(sum[:])
		prev, ok, err := h.db.IdempotentResult(ctx, owner, key)
		if err != nil {
			h.writeError(w, r, err)
			return
		}
		if ok {
			if prev.RequestHash != hash {
				h.writeError(w, r, apperr.Conflictf("api.commit",
					"Idempotency-Key %q was already used with a different request", key))
				return
			}
			w.Header().Set("Idempotent-Replayed", "true")
			writeRaw(w, prev.Status, prev.Body)
			return
		}
	}
	var status int
	var out []byte
	err := h.db.InTx(ctx, func(tx *store.Tx) error {
		s, v, err := fn(ctx, tx)
		if err != nil {
			return err
		}
		if out, err = marshal(v); err != nil {
			return fmt.Errorf("api: encode response: %w", err)
		}
		status = s
		if key == "" {
			return nil
		}
		return tx.SaveIdempotentResult(ctx, owner, key, store.IdempotentResponse{RequestHash: hash, Status: s, Body: out})
	})
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	writeRaw(w, status, out)
}

// checkKey accepts keys of 1–255 visible ASCII characters.
func checkKey(key string) error {
	ok := len(key) <= maxKeyLength
	for i := 0; ok && i < len(key); i++ {
		ok = key[i] > ' ' && key[i] < 0x7f
	}
	if ok {
		return nil
	}
	var f apperr.Fields
	f.Add("Idempotency-Key", "must be 1 to %d visible ASCII characters", maxKeyLength)
	return f.Err("api.commit")
}
