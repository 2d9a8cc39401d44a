package ocppcs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/gridbook/gridbook/internal/store"
)

// PlanSource is what a PlanWatch reads and claims.
type PlanSource interface {
	// EVPlanWatchStart is the plan id after which a watch starting now
	// looks: just before the first plan departing after now.
	EVPlanWatchStart(ctx context.Context) (int64, error)
	EVPlansAfter(ctx context.Context, after int64, limit int) ([]store.EVPlanRecord, error)
	// ClaimEVPlanSend claims a plan on a channel; true for the one
	// caller, of all processes, that is to send it.
	ClaimEVPlanSend(ctx context.Context, planID int64, channel string) (bool, error)
}

// Channels a plan is sent on, as ev_plan_sends names them.
const (
	ChannelOpenADR = "openadr" // the VTN's PublishEVPlan, to VENs
	ChannelOCPP    = "ocpp"    // the central system, to the vehicle's charger
)

// Sender is one way a stored plan leaves gridbook.
type Sender struct {
	// Channel names it in the claims: each plan is sent on a channel
	// once, by whichever process claims it first.
	Channel string
	// Ready, when not nil, reports whether this process can send the plan
	// now; a plan it cannot send is left unclaimed for a process that can
	// (a charger is connected to one central system).
	Ready func(store.EVPlanRecord) bool
	Send  func(context.Context, store.EVPlanRecord)
}

// PlanWatch hands each charging plan stored — by the API, the console
// or the CLI, in this process or another sharing the database, before
// or after the watch began — to its senders, each plan and channel once
// across every process: a send is claimed in the database (ev_plan_sends)
// before it is made. A watch starting looks back to the first plan that
// has not departed, so plans stored while no server ran are sent then
// (unless a claim shows they were). A plan superseded by a later plan of
// the same vehicle found in the same look is not sent.
type PlanWatch struct {
	src  PlanSource
	last int64
	to   []Sender
	log  *slog.Logger
}

// NewPlanWatch makes a watch starting at the first plan not yet
// departed.
func NewPlanWatch(ctx context.Context, src PlanSource, log *slog.Logger, to ...Sender) (*PlanWatch, error) {
	last, err := src.EVPlanWatchStart(ctx)
	if err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &PlanWatch{src: src, last: last, to: to, log: log}, nil
}

// Once looks at the plans stored since the last look, oldest first,
// sends those this process claims, and reports how many sends it made.
// A failed claim stops the look there (the next look starts again at
// that plan).
func (w *PlanWatch) Once(ctx context.Context) (int, error) {
	n := 0
	for {
		ps, err := w.src.EVPlansAfter(ctx, w.last, 500)
		if err != nil {
			return n, err
		}
		latest := map[int64]int64{} // vehicle → its last plan in this look
		for _, p := range ps {
			latest[p.VehicleID] = p.ID
		}
		for _, p := range ps {
			if latest[p.VehicleID] != p.ID {
				w.last = p.ID // superseded before it was sent: not in force, not sent
				continue
			}
			for _, s := range w.to {
				if s.Ready != nil && !s.Ready(p) {
					continue
				}
				ok, err := w.src.ClaimEVPlanSend(ctx, p.ID, s.Channel)
				if err != nil {
					return n, err
				}
				if ok {
					s.Send(ctx, p)
					n++
				}
			}
			w.last = p.ID
		}
		if len(ps) < 500 {
			return n, nil
		}
	}
}

// Run looks at once and then every interval until ctx ends.
func (w *PlanWatch) Run(ctx context.Context, every time.Duration) {
	for {
		if _, err := w.Once(ctx); err != nil {
			w.log.Warn("ev plans", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// Sender sends plans to the vehicles' chargers connected to this
// central system (a PlanWatch sender on ChannelOCPP); failures are
// logged.
func (s *Service) Sender() Sender {
	return Sender{Channel: ChannelOCPP, Ready: func(p store.EVPlanRecord) bool { return s.Connected(p.Charger) }, Send: s.Deliver}
}

// Deliver sends a plan to its vehicle's charger when that is connected;
// failures are logged.
func (s *Service) Deliver(_ context.Context, p store.EVPlanRecord) {
	if err := s.SendPlan(p, nil); err != nil && !errors.Is(err, ErrNotConnected) {
		s.log.Warn("ocpp: send plan", "plan", p.ID, "charger", p.Charger, "err", err)
	}
}
