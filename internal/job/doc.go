// Package job is gridbook's durable job queue: long work (large imports, bill
// runs, settlements, report generation, demo generation) is stored as rows in
// the application database and worked by `gridbook serve --workers N`
// processes, so that any number of processes on PostgreSQL share one queue and
// a job whose process dies is picked up again by another.
//
// The queue is River (github.com/riverqueue/river v0.51.2) with its SQLite
// driver (riverdriver/riversqlite, over database/sql and modernc.org/sqlite)
// and its pgx driver (riverdriver/riverpgxv5, over a *pgxpool.Pool). This
// package hides River behind a small, non-generic API:
//
//   - NewSQLite / NewPostgres apply River's own schema migrations and return a
//     Queue that can enqueue, list, show and cancel jobs at once;
//   - Register binds a job kind to a Handler; Start runs N workers and Stop
//     drains them;
//   - a Handler reports progress through *Progress, which is kept in the job's
//     River metadata (the "output" key, see river.RecordOutput) so that List
//     and Get show it in the console and in `gridbook job list|show`.
//
// Delivery is at least once: River locks a job row when a worker fetches it,
// so two live workers never run the same attempt, but a job whose worker dies
// mid-run is rescued by the leader's JobRescuer after
// Options.RescueStuckJobsAfter and runs again as attempt 2. Handlers must
// therefore be idempotent (gridbook's imports and ledgers already are).
package job
