package dr

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
)

// settleDay is a Thursday with ten weekdays before it and no holiday in
// its look-back.
var settleDay = day(2026, 8, 20)

// oneAtATime is a SettleSource without a BatchLoader: participant i
// (meter 100+i; the fourth has no meter) uses 1,000 Wh every hour
// except 700 − 10·i Wh during the 4–6 pm event.
type oneAtATime struct {
	parts     []Enrolled
	failMeter int64
	single    atomic.Int64 // ParticipantLoad calls
}

func newOneAtATime(n int) *oneAtATime {
	s := &oneAtATime{}
	for i := range n {
		p := Enrolled{Participant: Participant{AccountID: int64(i + 1), Track: "home"}, MeterID: int64(100 + i)}
		if i == 3 {
			p.MeterID = 0
		}
		s.parts = append(s.parts, p)
	}
	return s
}

func (s *oneAtATime) DREvent(context.Context, int64) (Event, error) {
	return Event{ID: 1, Program: "pr", Status: Completed, Start: at(settleDay, 16), End: at(settleDay, 18)}, nil
}

func (s *oneAtATime) EventDays(context.Context, string, calendar.Date, calendar.Date) ([]calendar.Date, error) {
	return nil, nil
}

func (s *oneAtATime) DRParticipants(context.Context, string, string, calendar.Date) ([]Enrolled, error) {
	return s.parts, nil
}

func (s *oneAtATime) Overrides(context.Context, int64) (map[int64]bool, error) { return nil, nil }

func (s *oneAtATime) load(meter int64) (meterdata.Series, error) {
	if meter == s.failMeter {
		return meterdata.Series{}, errors.New("meter unreadable")
	}
	i := int(meter - 100)
	return hourly(settleDay.AddDays(-46), settleDay.AddDays(2), func(calendar.Date) energy.Wh { return 1000 },
		map[calendar.Date]map[int]energy.Wh{settleDay: {16: energy.Wh(700 - 10*i), 17: energy.Wh(700 - 10*i)}}), nil
}

func (s *oneAtATime) ParticipantLoad(_ context.Context, meter int64, _, _ time.Time) (meterdata.Series, error) {
	s.single.Add(1)
	return s.load(meter)
}

// batched adds a BatchLoader that copies into the buffers it is handed,
// so a buffer reused from an earlier batch shows if it leaks.
type batched struct {
	*oneAtATime
	calls atomic.Int64
}

func (b *batched) ParticipantLoads(_ context.Context, meters []int64, _, _ time.Time, dst []meterdata.Series) error {
	b.calls.Add(1)
	for i, m := range meters {
		s, err := b.load(m)
		if err != nil {
			return err
		}
		d := &dst[i]
		d.Start, d.Step, d.Quality = s.Start, s.Step, nil
		d.Values = append(d.Values[:0], s.Values...)
	}
	return nil
}

// recorder is a save function keeping what it was given, in order.
type recorder struct {
	mu      sync.Mutex
	batches [][]Outcome
	failAt  int // 1-based batch whose save fails; 0 never
}

func (r *recorder) save(_ context.Context, outs []Outcome) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.batches = append(r.batches, append([]Outcome(nil), outs...))
	if len(r.batches) == r.failAt {
		return 0, errors.New("disk full")
	}
	return len(outs), nil
}

func settleProgram() Program {
	return Program{Code: "pr", Name: "Test program", Baseline: "caiso-10in10", WeekendBaseline: "caiso-4in4", Rate: 1_000_000, Floor: FloorEvent}
}

// TestSettleEventBatchedReadsSettleAsOneAtATime: seven participants in
// batches of three, read with one BatchLoader call a batch, settle and
// save exactly as when each is read with ParticipantLoad: baselines of
// 1,000 Wh an hour (the window before the event matches, factor 1), so
// participant i reduces 2 × (300 + 10·i) Wh and earns that many tenths
// of a cent at $1/kWh; the one without a meter has no baseline.
func TestSettleEventBatchedReadsSettleAsOneAtATime(t *testing.T) {
	ctx := context.Background()
	run := func(src SettleSource) (SettleSummary, *recorder, []int) {
		var rec recorder
		var progress []int
		opt := SettleOptions{Batch: 3, Workers: 2, Holidays: calendar.UtilityHolidays(), Progress: func(done, total int) {
			if total != 7 {
				t.Errorf("progress total %d, want 7", total)
			}
			progress = append(progress, done)
		}}
		sum, err := SettleEvent(ctx, src, settleProgram(), 1, opt, rec.save)
		if err != nil {
			t.Fatal(err)
		}
		return sum, &rec, progress
	}
	one := newOneAtATime(7)
	wantSum, wantRec, wantProgress := run(one)
	// 300+310+320+(none)+340+350+360 = 1,980, twice (two hours).
	if wantSum.Settled != 6 || wantSum.NoBaseline != 1 || wantSum.ReductionWh != 3960 || wantSum.Amount != 396 || wantSum.Saved != 7 {
		t.Errorf("one at a time: %+v; want 6 settled reducing 3,960 Wh for 396¢, 1 without a baseline", wantSum)
	}
	if one.single.Load() != 6 {
		t.Errorf("one at a time: %d ParticipantLoad calls, want 6", one.single.Load())
	}
	b := &batched{oneAtATime: newOneAtATime(7)}
	gotSum, gotRec, gotProgress := run(b)
	if diff := cmp.Diff(wantSum, gotSum); diff != "" {
		t.Errorf("summary (-one at a time +batched):\n%s", diff)
	}
	if diff := cmp.Diff(wantRec.batches, gotRec.batches); diff != "" {
		t.Errorf("saved batches (-one at a time +batched):\n%s", diff)
	}
	if diff := cmp.Diff([]int{3, 6, 7}, gotProgress); diff != "" || !cmp.Equal(wantProgress, gotProgress) {
		t.Errorf("progress %v and %v, want 3, 6, 7", wantProgress, gotProgress)
	}
	if b.calls.Load() != 3 || b.single.Load() != 0 {
		t.Errorf("batched: %d ParticipantLoads and %d ParticipantLoad calls, want 3 and 0", b.calls.Load(), b.single.Load())
	}
}

// TestSettleEventStopsAtTheFirstFailure: a participant whose load cannot
// be read stops the settlement with an error naming the batch, after
// saving the batches before it and none after; a failed save stops it
// too. Neither leaves the pipeline hanging.
func TestSettleEventStopsAtTheFirstFailure(t *testing.T) {
	ctx := context.Background()
	opt := SettleOptions{Batch: 2, Workers: 2, Holidays: calendar.UtilityHolidays()}
	for _, src := range []SettleSource{newOneAtATime(9), &batched{oneAtATime: newOneAtATime(9)}} {
		var base *oneAtATime
		switch s := src.(type) {
		case *oneAtATime:
			base = s
		case *batched:
			base = s.oneAtATime
		}
		base.failMeter = 104 // participant 5, in the third batch
		var rec recorder
		sum, err := SettleEvent(ctx, src, settleProgram(), 1, opt, rec.save)
		if err == nil || !strings.Contains(err.Error(), "meter unreadable") || !strings.Contains(err.Error(), "5") {
			t.Errorf("%T: error %v, want the unreadable meter of participant 5", src, err)
		}
		if len(rec.batches) != 2 || sum.Saved != 4 {
			t.Errorf("%T: %d batches saved (%d outcomes), want the 2 before the failure", src, len(rec.batches), sum.Saved)
		}
		base.failMeter = 0
		rec = recorder{failAt: 2}
		if _, err := SettleEvent(ctx, src, settleProgram(), 1, opt, rec.save); err == nil || err.Error() != "disk full" {
			t.Errorf("%T: failed save gave %v", src, err)
		}
		if len(rec.batches) != 2 {
			t.Errorf("%T: save called %d times after failing on the 2nd", src, len(rec.batches))
		}
	}
}
