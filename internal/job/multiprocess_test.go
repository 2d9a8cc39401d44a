package job

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Environment of a helper worker process started by
// TestWorkerProcessesShareQueue.
const (
	helperEnv       = "GRIDBOOK_JOBTEST_WORKER" // "1" in a helper process
	helperSchemaEnv = "GRIDBOOK_JOBTEST_SCHEMA" // the test's PostgreSQL schema
)

// sharedQueueOptions make a killed worker's job rescuable within seconds.
// River rescues a job only once its JobTimeout has passed as well as
// RescueStuckJobsAfter (internal/maintenance/job_rescuer.go,
// makeRetryDecision). River logs to logger.
func sharedQueueOptions(logger *slog.Logger) Options {
	return Options{
		FetchPollInterval:    100 * time.Millisecond,
		JobTimeout:           2 * time.Second,
		RescueStuckJobsAfter: 3 * time.Second,
		Logger:               logger,
	}
}

// registerSharedKinds registers the helper job kinds on q. Each run of a job
// is recorded in job_runs with the process that ran it.
//
//   - test.count records its run after a short pause, so that one process
//     alone cannot drain the queue before the other starts fetching;
//   - test.block records its run; on the job's first run it then blocks,
//     ignoring its context, until its process is killed; later runs return.
func registerSharedKinds(q *Queue, pool *pgxpool.Pool) error {
	record := func(ctx context.Context, p *Progress) (earlier int, err error) {
		err = pool.QueryRow(ctx, `SELECT count(*) FROM job_runs WHERE job_id = $1`, p.JobID()).Scan(&earlier)
		if err != nil {
			return 0, err
		}
		_, err = pool.Exec(ctx, `INSERT INTO job_runs (job_id, pid, attempt) VALUES ($1, $2, $3)`, p.JobID(), os.Getpid(), p.Attempt())
		return earlier, err
	}
	if err := q.Register("test.count", func(ctx context.Context, _ json.RawMessage, p *Progress) error {
		time.Sleep(25 * time.Millisecond)
		_, err := record(ctx, p)
		return err
	}); err != nil {
		return err
	}
	return q.Register("test.block", func(ctx context.Context, _ json.RawMessage, p *Progress) error {
		earlier, err := record(ctx, p)
		if err != nil || earlier > 0 {
			return err
		}
		time.Sleep(2 * time.Minute) // until killed
		return fmt.Errorf("worker %d was not killed", os.Getpid())
	})
}

// runHelperWorker is the body of the worker processes
// TestWorkerProcessesShareQueue starts from this test binary (TestMain runs
// it instead of the tests when helperEnv is set). It works jobs until it
// receives SIGTERM or is killed.
func runHelperWorker() error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	pool, err := newSchemaPool(os.Getenv(postgresEnv), os.Getenv(helperSchemaEnv))
	if err != nil {
		return err
	}
	defer pool.Close()
	q, err := NewPostgres(ctx, pool, sharedQueueOptions(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	if err != nil {
		return err
	}
	if err := registerSharedKinds(q, pool); err != nil {
		return err
	}
	if err := q.Start(context.Background(), 2); err != nil {
		return err
	}
	if _, err := pool.Exec(ctx, `INSERT INTO worker_ready (pid) VALUES ($1)`, os.Getpid()); err != nil {
		return err
	}
	select {
	case <-ctx.Done():
	case <-time.After(2 * time.Minute): // the parent is gone
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return q.Stop(sctx)
}

// workerProcess is a running helper process.
type workerProcess struct {
	cmd *exec.Cmd
	out bytes.Buffer
}

// startWorkerProcess starts a helper process on schema; it is killed when
// the test ends.
func startWorkerProcess(t *testing.T, schema string) *workerProcess {
	t.Helper()
	w := &workerProcess{}
	w.cmd = exec.Command(os.Args[0]) // TestMain runs runHelperWorker in it
	w.cmd.Env = append(os.Environ(), helperEnv+"=1", helperSchemaEnv+"="+schema)
	w.cmd.Stdout = &w.out
	w.cmd.Stderr = &w.out
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	t.Cleanup(func() {
		once.Do(func() {
			w.cmd.Process.Kill()
			w.cmd.Wait()
			if t.Failed() {
				t.Logf("worker %d output:\n%s", w.cmd.Process.Pid, w.out.String())
			}
		})
	})
	return w
}

// TestWorkerProcessesShareQueue starts two worker processes on one
// PostgreSQL database and checks that 200 jobs each run exactly once, both
// processes taking part, and that a job whose worker is killed with SIGKILL
// is rescued and completed by the other process on attempt 2.
func TestWorkerProcessesShareQueue(t *testing.T) {
	pool, schema := freshPostgres(t)
	ctx := t.Context()
	if _, err := pool.Exec(ctx, `CREATE TABLE job_runs (job_id bigint NOT NULL, pid int NOT NULL, attempt int NOT NULL, at timestamptz NOT NULL DEFAULT clock_timestamp());
		CREATE TABLE worker_ready (pid int NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	// Migrates River's schema before the workers start; this process only
	// enqueues and reads.
	q, err := NewPostgres(ctx, pool, sharedQueueOptions(testOptions(t).Logger))
	if err != nil {
		t.Fatal(err)
	}
	if err := registerSharedKinds(q, pool); err != nil {
		t.Fatal(err)
	}
	workers := []*workerProcess{startWorkerProcess(t, schema), startWorkerProcess(t, schema)}
	waitFor(t, "both workers to start", func() bool {
		var n int
		return pool.QueryRow(ctx, `SELECT count(*) FROM worker_ready`).Scan(&n) == nil && n == 2
	})

	t.Run("every job runs exactly once", func(t *testing.T) {
		const jobs = 200
		var want []int64
		for range jobs {
			id, err := q.Enqueue(ctx, "test.count", nil)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, id)
		}
		waitFor(t, "all jobs to complete", func() bool {
			done, err := q.List(ctx, Filter{Kinds: []string{"test.count"}, States: []State{StateCompleted}, Limit: 1000})
			return err == nil && len(done) == jobs
		})
		rows, err := pool.Query(ctx, `SELECT job_id, count(*), count(DISTINCT pid) FROM job_runs GROUP BY job_id ORDER BY job_id`)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for rows.Next() {
			var id, runs, pids int64
			if err := rows.Scan(&id, &runs, &pids); err != nil {
				t.Fatal(err)
			}
			if runs != 1 {
				t.Errorf("job %d ran %d times, want 1", id, runs)
			}
			got = append(got, id)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("jobs that ran (-enqueued +ran):\n%s", diff)
		}
		var pids int
		if err := pool.QueryRow(ctx, `SELECT count(DISTINCT pid) FROM job_runs`).Scan(&pids); err != nil {
			t.Fatal(err)
		}
		if pids != 2 {
			t.Errorf("jobs ran in %d processes, want 2", pids)
		}
	})

	t.Run("killed worker's job is rescued", func(t *testing.T) {
		id, err := q.Enqueue(ctx, "test.block", nil)
		if err != nil {
			t.Fatal(err)
		}
		var victimPID int
		waitFor(t, "a worker to start the job", func() bool {
			return pool.QueryRow(ctx, `SELECT pid FROM job_runs WHERE job_id = $1`, id).Scan(&victimPID) == nil
		})
		i := slices.IndexFunc(workers, func(w *workerProcess) bool { return w.cmd.Process.Pid == victimPID })
		if i < 0 {
			t.Fatalf("job %d ran in unknown process %d", id, victimPID)
		}
		victim := workers[i]
		if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		victim.cmd.Wait()

		// River's rescuer runs on the leader every 30 s
		// (maintenance.JobRescuerIntervalDefault) and leadership passes after
		// a 15 s TTL (internal/leadership: 5 s interval + 10 s padding), so
		// the bound is generous.
		var end Info
		waitWithin(t, 70*time.Second, "the job to be rescued and completed", func() bool {
			end = mustGet(t, q, id)
			return end.State.Final()
		})
		if end.State != StateCompleted || end.Attempt != 2 {
			t.Errorf("job = state %q attempt %d, want completed on attempt 2", end.State, end.Attempt)
		}
		// The error text River's rescuer records (job_rescuer.go, runOnce).
		wantErrors := []string{"1: Stuck job rescued by JobRescuer"}
		var gotErrors []string
		for _, e := range end.Errors {
			gotErrors = append(gotErrors, strconv.Itoa(e.Attempt)+": "+e.Error)
		}
		if diff := cmp.Diff(wantErrors, gotErrors); diff != "" {
			t.Errorf("job errors (-want +got):\n%s", diff)
		}
		rows, err := pool.Query(ctx, `SELECT pid, attempt FROM job_runs WHERE job_id = $1 ORDER BY at`, id)
		if err != nil {
			t.Fatal(err)
		}
		var runs []string
		for rows.Next() {
			var pid, attempt int
			if err := rows.Scan(&pid, &attempt); err != nil {
				t.Fatal(err)
			}
			who := "survivor"
			if pid == victim.cmd.Process.Pid {
				who = "victim"
			}
			runs = append(runs, fmt.Sprintf("attempt %d by %s", attempt, who))
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"attempt 1 by victim", "attempt 2 by survivor"}, runs); diff != "" {
			t.Errorf("runs of the job (-want +got):\n%s", diff)
		}
	})
}
