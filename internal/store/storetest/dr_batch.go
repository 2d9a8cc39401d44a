package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/store"
)

// testDRBatchLoadsMatchParticipantLoad reads several meters' loads at
// once (ParticipantLoads, what a settlement reads a batch with) and
// checks each against ParticipantLoad, one meter at a time: a 15-minute
// meter with a gap and estimated readings across the September/October
// boundary, an hourly meter across the November 2026 fall-back (a
// 721-hour month), a meter with only a received channel, one with no
// readings, one named twice, and buffers reused from an earlier read.
// An unknown meter is NotFound.
func testDRBatchLoadsMatchParticipantLoad(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	_, _, a, _ := seed(t, db)
	mk := func(serial string, secs int, dirs ...customer.Direction) customer.Meter {
		m := customer.Meter{AccountID: a.ID, Serial: serial, IntervalSeconds: secs, Installed: day(2024, 1, 1)}
		for _, d := range dirs {
			m.Channels = append(m.Channels, customer.Channel{Direction: d})
		}
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateMeter(ctx, staff, &m) })
		return m
	}
	quarter := mk("M-Q", 900, customer.Delivered, customer.Received)
	hourly := mk("M-H", 3600, customer.Delivered)
	received := mk("M-R", 900, customer.Received)
	empty := mk("M-E", 900, customer.Delivered)

	// 15-minute readings 2026-09-25 to 10-05 local: 100 + i%7 Wh, with
	// a 3-hour gap on 09-30 from 22:00 and readings 10 to 13 of
	// 10-01 estimated.
	qs := meterdata.Series{Start: day(2026, 9, 25).Start(), Step: 15 * time.Minute}
	qStart := qs.Start
	for at := qStart; at.Before(day(2026, 10, 5).Start()); at = at.Add(qs.Step) {
		qs.Values = append(qs.Values, energy.Wh(100+len(qs.Values)%7))
	}
	qs.Quality = make([]meterdata.Quality, len(qs.Values))
	gap := int(localAt(day(2026, 9, 30), 22).Sub(qStart) / qs.Step)
	for i := gap; i < gap+12; i++ {
		qs.Values[i] = meterdata.Missing
	}
	est := int(day(2026, 10, 1).Start().Sub(qStart)/qs.Step) + 10
	for i := est; i < est+4; i++ {
		qs.Quality[i] = meterdata.Estimated
	}
	// Hourly readings 2026-10-20 to 11-10 local (the 1st of November has
	// 25 hours): 500 + i%11 Wh.
	hs := meterdata.Series{Start: day(2026, 10, 20).Start(), Step: time.Hour}
	for at := hs.Start; at.Before(day(2026, 11, 10).Start()); at = at.Add(time.Hour) {
		hs.Values = append(hs.Values, energy.Wh(500+len(hs.Values)%11))
	}
	if len(hs.Values) != 21*24+1 {
		t.Fatalf("hourly fixture has %d readings, want 505 (21 days, one of 25 hours)", len(hs.Values))
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.PutIntervals(ctx, quarter.Channels[0].ID, qs); err != nil {
			return err
		}
		if err := tx.PutIntervals(ctx, received.Channels[0].ID, qs); err != nil {
			return err
		}
		return tx.PutIntervals(ctx, hourly.Channels[0].ID, hs)
	})

	check := func(name string, from, to time.Time, ids []int64, dst []meterdata.Series) []meterdata.Series {
		t.Helper()
		if dst == nil {
			dst = make([]meterdata.Series, len(ids))
		}
		if err := db.ParticipantLoads(ctx, ids, from, to, dst); err != nil {
			t.Fatalf("%s: ParticipantLoads: %v", name, err)
		}
		for i, id := range ids {
			want, err := db.ParticipantLoad(ctx, id, from, to)
			if err != nil {
				t.Fatalf("%s: ParticipantLoad(%d): %v", name, id, err)
			}
			if diff := cmp.Diff(want, dst[i]); diff != "" {
				t.Errorf("%s: meter %d (position %d), batch read differs from ParticipantLoad (-one +batch):\n%s", name, id, i, diff)
			}
		}
		return dst
	}
	ids := []int64{quarter.ID, hourly.ID, received.ID, empty.ID, quarter.ID}
	// Across the September/October boundary and the gap.
	got := check("September-October", day(2026, 9, 28).Start(), day(2026, 10, 3).Start(), ids, nil)
	q := got[0]
	// 5 days of 96 quarter-hours; the gap starts at 22:00 on 09-30 (day 2
	// of the range), the estimates at 02:30 on 10-01 (day 3).
	if len(q.Values) != 5*96 || q.Values[2*96+88] != meterdata.Missing || q.Values[2*96+87] == meterdata.Missing ||
		q.QualityAt(3*96+10) != meterdata.Estimated || q.QualityAt(3*96+14) != meterdata.Actual {
		t.Errorf("quarter-hour meter: %d readings, gap %d, estimated %v; want 480, a gap from 280, estimated 298–301",
			len(q.Values), q.Values[2*96+88], q.QualityAt(3*96+10))
	}
	if got[2].Values != nil || got[2].Step != 0 {
		t.Errorf("meter with only a received channel: %+v, want an empty series", got[2])
	}
	if _, missing := got[3].Sum(); missing != 5*96 {
		t.Errorf("meter without readings: %d missing, want 480", missing)
	}
	// Across the fall-back, reusing the buffers of the first read: the
	// hourly meter has 24×5 + 1 readings from 10-29 to 11-03.
	got = check("fall back", day(2026, 10, 29).Start(), day(2026, 11, 3).Start(), ids, got)
	if len(got[1].Values) != 5*24+1 || got[1].Values[0] != energy.Wh(500+9*24%11) {
		t.Errorf("hourly meter over the fall-back: %d readings starting %d, want 121 starting %d", len(got[1].Values), got[1].Values[0], 500+9*24%11)
	}
	// A range not on the hourly grid is rounded down, as Intervals does;
	// an empty range gives empty series.
	check("off the grid", localAt(day(2026, 10, 30), 5).Add(20*time.Minute), localAt(day(2026, 11, 2), 7).Add(50*time.Minute), ids, nil)
	check("empty range", day(2026, 10, 2).Start(), day(2026, 10, 2).Start(), ids, nil)
	err := db.ParticipantLoads(ctx, []int64{quarter.ID, 999999}, day(2026, 9, 28).Start(), day(2026, 10, 3).Start(), make([]meterdata.Series, 2))
	wantErr(t, "unknown meter", err, apperr.NotFound, "")
}
