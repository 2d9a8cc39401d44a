package ocppcs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/gridbook/gridbook/internal/store"
)

// PlanSource is what a PlanWatch reads.
type PlanSource interface {
	LastEVPlanID(ctx context.Context) (int64, error)
	EVPlansAfter(ctx context.Context, after int64, limit int) ([]store.EVPlanRecord, error)
}

// PlanWatch hands each charging plan stored after it was made — by the
// API, the console or the CLI, in this process or another sharing the
// database — to its consumers (the VTN's PublishEVPlan, the central
// system's Deliver).
type PlanWatch struct {
	src  PlanSource
	last int64
	to   []func(context.Context, store.EVPlanRecord)
	log  *slog.Logger
}

// NewPlanWatch starts after the latest plan stored now.
func NewPlanWatch(ctx context.Context, src PlanSource, log *slog.Logger, to ...func(context.Context, store.EVPlanRecord)) (*PlanWatch, error) {
	last, err := src.LastEVPlanID(ctx)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &PlanWatch{src: src, last: last, to: to, log: log}, nil
}

// Once hands on the plans stored since the last look, oldest first, and
// reports how many.
func (w *PlanWatch) Once(ctx context.Context) (int, error) {
	n := 0
	for {
		ps, err := w.src.EVPlansAfter(ctx, w.last, 500)
		if err != nil {
			return n, err
		}
		for _, p := range ps {
			w.last = p.ID
			for _, f := range w.to {
				f(ctx, p)
			}
		}
		n += len(ps)
		if len(ps) < 500 {
			return n, nil
		}
	}
}

// Run looks every interval until ctx ends.
func (w *PlanWatch) Run(ctx context.Context, every time.Duration) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
		if _, err := w.Once(ctx); err != nil {
			w.log.Warn("ev plans", "err", err)
		}
	}
}

// Deliver sends a plan to its vehicle's charger when that is connected
// (a PlanWatch consumer); failures are logged.
func (s *Service) Deliver(_ context.Context, p store.EVPlanRecord) {
	if err := s.SendPlan(p, nil); err != nil && !errors.Is(err, ErrNotConnected) {
		s.log.Warn("ocpp: send plan", "plan", p.ID, "charger", p.Charger, "err", err)
	}
}
