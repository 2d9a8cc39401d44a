package job

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/gridbook/gridbook/internal/apperr"
)

// migrateLockKey is the PostgreSQL advisory lock key held while River's
// migrations run, so that several `gridbook serve` processes starting
// together do not apply the same migration at once (rivermigrate takes no
// lock of its own). It is the ASCII bytes of "grdbkjob".
const migrateLockKey int64 = 0x6772_6462_6b6a_6f62

// NewPostgres returns a Queue on a PostgreSQL database, applying River's
// schema migrations first (idempotent, serialized across processes by an
// advisory lock). River's tables go in the first schema of the pool's
// search_path. pool must allow at least two connections (the lock holds
// one) and must stay open while the Queue is used.
func NewPostgres(ctx context.Context, pool *pgxpool.Pool, opts Options) (*Queue, error) {
	const op = "job.NewPostgres"
	if n := pool.Config().MaxConns; n < 2 {
		return nil, apperr.Invalidf(op, "the job queue's PostgreSQL pool must allow at least 2 connections, not %d", n)
	}
	opts = opts.withDefaults()
	driver := riverpgxv5.New(pool)
	if err := migratePostgres(ctx, pool, func(ctx context.Context) error {
		return migrate(ctx, driver, opts.Logger)
	}); err != nil {
		return nil, apperr.E(apperr.Internal, op, "", err)
	}
	eng, err := newRiverEngine(driver, insertConfig(opts))
	if err != nil {
		return nil, apperr.E(apperr.Internal, op, "", err)
	}
	return newQueue(eng, opts), nil
}

// migratePostgres runs apply while holding the session advisory lock
// migrateLockKey on a connection of its own.
func migratePostgres(ctx context.Context, pool *pgxpool.Pool, apply func(context.Context) error) (err error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrateLockKey); err != nil {
		return err
	}
	defer func() {
		// Unlock even when ctx is done; the lock would otherwise live as
		// long as the pooled connection.
		if _, uerr := conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrateLockKey); uerr != nil && err == nil {
			err = uerr
		}
	}()
	return apply(ctx)
}
