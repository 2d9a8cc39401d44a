package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/gridbook/gridbook/internal/apperr"
)

// IdempotentResponse is the response stored for an Idempotency-Key.
type IdempotentResponse struct {
	RequestHash string
	Status      int
	Body        []byte
}

// IdempotentResult returns the stored response for (actor, key), and false
// when the key is new.
func (q queries) IdempotentResult(ctx context.Context, actor, key string) (IdempotentResponse, bool, error) {
	var r IdempotentResponse
	err := q.q.QueryRowContext(ctx, `SELECT request_hash, status, body FROM idempotency_keys WHERE actor = $1 AND key = $2`, actor, key).
		Scan(&r.RequestHash, &r.Status, &r.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("store: idempotency key: %w", err)
	}
	return r, true, nil
}

// SaveIdempotentResult stores the response for (actor, key) in the same
// transaction as the change it describes, so a retry sees either both or
// neither.
func (tx *Tx) SaveIdempotentResult(ctx context.Context, actor, key string, r IdempotentResponse) error {
	_, err := tx.q.ExecContext(ctx, `INSERT INTO idempotency_keys (actor, key, request_hash, status, body, created_unix) VALUES ($1, $2, $3, $4, $5, $6)`,
		actor, key, r.RequestHash, r.Status, r.Body, tx.now().Unix())
	if err != nil {
		if apperr.KindOf(mapErr(err)) == apperr.Conflict {
			return apperr.E(apperr.Conflict, "store.SaveIdempotentResult", "a request with this Idempotency-Key is already being processed", err)
		}
		return fmt.Errorf("store: idempotency key: %w", err)
	}
	return nil
}
