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
	ctx     context.Context // the attempt's work context, needed by River
	q       *Queue
	id      int64
	attempt int

	mu        sync.Mutex
	lastWrite time.Time
}

// ProgressInfo is the last progress a job reported.
type ProgressInfo struct {
	Done      int64     `json:"done"`
	Total     int64     `json:"total"` // 0 when unknown
	Message   string    `json:"message,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// progressWriteInterval spaces the immediate database writes of a job's
// progress; reports in between are kept in memory and the last one is always
// stored when the attempt ends. One second matches how often a person can
// read a progress bar; it is gridbook's choice.
const progressWriteInterval = time.Second

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
// unknown), with a short message for people. It never fails the job: storage
// errors are logged.
func (p *Progress) Report(done, total int64, message string) {
	if p == nil {
		return
	}
	now := time.Now().UTC()
	info := ProgressInfo{Done: done, Total: total, Message: message, UpdatedAt: now}

	// Kept on the work context and written when the attempt ends, whatever
	// its outcome (river.RecordOutput).
	if err := river.RecordOutput(p.ctx, info); err != nil {
		p.q.logger.Warn("job progress not recorded", slog.Int64("job_id", p.id), slog.String("error", err.Error()))
		return
	}

	p.mu.Lock()
	due := p.lastWrite.IsZero() || now.Sub(p.lastWrite) >= progressWriteInterval || (total > 0 && done >= total)
	if due {
		p.lastWrite = now
	}
	p.mu.Unlock()
	if !due {
		return
	}
	// Written now as well, so the job's progress is visible while it runs.
	if err := p.q.eng.setOutput(p.ctx, p.id, info); err != nil && p.ctx.Err() == nil {
		p.q.logger.Warn("job progress not stored", slog.Int64("job_id", p.id), slog.String("error", err.Error()))
	}
}
