package job

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
)

// Progress lets a running Handler say how far it has got. It is stored with
// the job, so List and Get (the console and `gridbook job show`) see it while
// the job runs and after it ends. A nil *Progress accepts reports and drops
// them, so handlers can be called directly in unit tests.
type Progress struct {
	ctx context.Context // the attempt's work context, needed by River
	// wctx is what the writer stores progress with: cancelled with ctx but
	// without its values. River keeps RecordOutput's output in a map on
	// the work context and JobUpdate reads that map when given the work
	// context, so the writer using ctx while the handler reports raced
	// (go test -race, the bill_run script).
	wctx    context.Context
	q       *Queue
	id      int64
	attempt int

	mu     sync.Mutex
	latest *ProgressInfo // reported, not yet written by the writer
	kick   chan struct{} // wakes the writer; capacity 1
	stop   chan struct{} // closed when the handler has returned
	done   chan struct{} // closed when the writer has exited
}

// ProgressInfo is the last progress a job reported.
type ProgressInfo struct {
	Done      int64     `json:"done"`
	Total     int64     `json:"total"` // 0 when unknown
	Message   string    `json:"message,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// progressWriteInterval spaces the database writes of a running job's
// progress; reports in between are coalesced, and the last one is always
// stored when the attempt ends. One second matches how often a person can
// read a progress bar; it is gridbook's choice.
const progressWriteInterval = time.Second

// startProgress returns the Progress of one attempt with its writer running.
func startProgress(ctx context.Context, q *Queue, id int64, attempt int) *Progress {
	wctx, cancel := context.WithCancel(context.Background())
	p := &Progress{
		ctx: ctx, wctx: wctx, q: q, id: id, attempt: attempt,
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
	}
	stopAfter := context.AfterFunc(ctx, cancel)
	go func() {
		defer cancel()
		defer stopAfter()
		p.write()
	}()
	return p
}

// finish stops the writer and waits for it, so that no progress write can
// land after River stores the attempt's final state.
func (p *Progress) finish() {
	close(p.stop)
	<-p.done
}

// write stores reported progress on the job row while the attempt runs. It
// runs apart from the handler so that a handler reporting progress inside a
// store transaction never waits on the queue's database handle: on SQLite
// the two handles share one write lock, and waiting would deadlock until
// busy_timeout.
func (p *Progress) write() {
	defer close(p.done)
	for {
		select {
		case <-p.stop:
			return
		case <-p.kick:
		}
		p.mu.Lock()
		info := p.latest
		p.latest = nil
		p.mu.Unlock()
		if info != nil {
			if err := p.q.eng.setOutput(p.wctx, p.id, *info); err != nil && p.ctx.Err() == nil {
				p.q.logger.Warn("job progress not stored", slog.Int64("job_id", p.id), slog.String("error", err.Error()))
			}
		}
		select {
		case <-p.stop:
			return
		case <-time.After(progressWriteInterval):
		}
	}
}

// JobID returns the ID of the job being worked (0 for a nil Progress).
func (p *Progress) JobID() int64 {
	if p == nil {
		return 0
	}
	return p.id
}

// Attempt returns which attempt this is, starting at 1 (0 for a nil
// Progress). A handler can use it to resume work a failed attempt left.
func (p *Progress) Attempt() int {
	if p == nil {
		return 0
	}
	return p.attempt
}

// Report records that done of total units are finished (total 0 when
// unknown), with a short message for people. It does not wait for the
// database and never fails the job; storage errors are logged.
func (p *Progress) Report(done, total int64, message string) {
	if p == nil {
		return
	}
	info := ProgressInfo{Done: done, Total: total, Message: message, UpdatedAt: time.Now().UTC()}
	// Kept on the work context and stored with the attempt's end, whatever
	// its outcome (river.RecordOutput).
	if err := river.RecordOutput(p.ctx, info); err != nil {
		p.q.logger.Warn("job progress not recorded", slog.Int64("job_id", p.id), slog.String("error", err.Error()))
		return
	}
	p.mu.Lock()
	p.latest = &info
	p.mu.Unlock()
	select {
	case p.kick <- struct{}{}:
	default: // the writer is already due to run
	}
}
