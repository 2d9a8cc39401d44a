package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/store"
)

// channels seeds the registry and returns an hourly and a 15-minute
// delivered channel.
func channels(t *testing.T, db *store.DB) (hourly, quarter int64) {
	t.Helper()
	_, _, a, m := seed(t, db)
	q := customer.Meter{AccountID: a.ID, Serial: "M-Q15", IntervalSeconds: 900, Installed: day(2024, 1, 1)}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateMeter(ctx, staff, &q) })
	return m.Channels[0].ID, q.Channels[0].ID
}

func put(t *testing.T, db *store.DB, ch int64, s store.Series) {
	t.Helper()
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.PutIntervals(ctx, ch, s) })
}

func read(t *testing.T, db *store.DB, ch int64, from, to time.Time) store.Series {
	t.Helper()
	s, err := db.Intervals(context.Background(), ch, from, to)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// ramp returns n readings start, start+1, ….
func ramp(n int, start energy.Wh) []energy.Wh {
	out := make([]energy.Wh, n)
	for i := range out {
		out[i] = start + energy.Wh(i)
	}
	return out
}

// testIntervalsAcrossDST checks DESIGN.md principle 4: DST days have 23 or
// 25 hours (92 or 100 quarter-hours), pinned on 2026-03-08 and 2026-11-01.
func testIntervalsAcrossDST(t *testing.T, db *store.DB) {
	hourly, quarter := channels(t, db)
	tests := []struct {
		name string
		ch   int64
		day  calendar.Date
		step time.Duration
		n    int
		sum  energy.Wh
	}{
		// 1 + 2 + … + n = n(n+1)/2.
		{"spring forward, hourly", hourly, day(2026, 3, 8), time.Hour, 23, 276},
		{"spring forward, 15-minute", quarter, day(2026, 3, 8), 15 * time.Minute, 92, 4278},
		{"fall back, hourly", hourly, day(2026, 11, 1), time.Hour, 25, 325},
		{"fall back, 15-minute", quarter, day(2026, 11, 1), 15 * time.Minute, 100, 5050},
		{"ordinary day, 15-minute", quarter, day(2026, 7, 15), 15 * time.Minute, 96, 4656},
	}
	for _, tt := range tests {
		starts := calendar.Intervals(tt.day, tt.step)
		if len(starts) != tt.n {
			t.Fatalf("%s: calendar gives %d intervals, want %d", tt.name, len(starts), tt.n)
		}
		vals := ramp(tt.n, 1)
		put(t, db, tt.ch, store.Series{Start: tt.day.Start(), Step: tt.step, Values: vals})
		s := read(t, db, tt.ch, tt.day.Start(), tt.day.Next().Start())
		if !s.Start.Equal(tt.day.Start()) || s.Step != tt.step || !slices.Equal(s.Values, vals) {
			t.Errorf("%s: read back start %v step %v values %v", tt.name, s.Start, s.Step, s.Values)
		}
		if sum, missing := s.Sum(); sum != tt.sum || missing != 0 {
			t.Errorf("%s: sum %d missing %d, want %d and 0", tt.name, sum, missing, tt.sum)
		}
		if !s.End().Equal(tt.day.Next().Start()) {
			t.Errorf("%s: series ends %v, want %v", tt.name, s.End(), tt.day.Next().Start())
		}
	}
	// 01:00 PST to 04:00 PDT on 2026-03-08 is two real hours (02:00 does not exist):
	// 2026-03-08T09:00Z to 11:00Z, the 2nd and 3rd hourly readings (2, 3).
	s := read(t, db, hourly, time.Date(2026, 3, 8, 9, 0, 0, 0, time.UTC), time.Date(2026, 3, 8, 11, 0, 0, 0, time.UTC))
	if !slices.Equal(s.Values, []energy.Wh{2, 3}) {
		t.Errorf("01:00 PST–04:00 PDT on the spring-forward day = %v, want [2 3]", s.Values)
	}
	// 01:00 PDT to 01:00 PST on 2026-11-01 is the repeated hour pair:
	// 08:00Z to 10:00Z, readings 2 and 3.
	s = read(t, db, hourly, time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC), time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC))
	if !slices.Equal(s.Values, []energy.Wh{2, 3}) {
		t.Errorf("the repeated 01:00 hour on the fall-back day = %v, want [2 3]", s.Values)
	}
}

func testIntervalsMonthBoundary(t *testing.T, db *store.DB) {
	ctx := context.Background()
	hourly, _ := channels(t, db)
	// 2026-01-31 20:00 PST is 2026-02-01T04:00Z; eight hours reach
	// 2026-02-01 04:00 PST, four in each local month.
	start := time.Date(2026, 2, 1, 4, 0, 0, 0, time.UTC)
	put(t, db, hourly, store.Series{Start: start, Step: time.Hour, Values: ramp(8, 10)})
	s := read(t, db, hourly, start.Add(-time.Hour), start.Add(9*time.Hour))
	want := []energy.Wh{store.Missing, 10, 11, 12, 13, 14, 15, 16, 17, store.Missing}
	if !slices.Equal(s.Values, want) {
		t.Errorf("read back %v, want %v", s.Values, want)
	}
	totals, err := db.MonthlyTotals(ctx, hourly)
	if err != nil {
		t.Fatal(err)
	}
	// January: 10+11+12+13 = 46; February: 14+15+16+17 = 62.
	if wantT := []store.Count{{Label: "2026-01", N: 46}, {Label: "2026-02", N: 62}}; !slices.Equal(totals, wantT) {
		t.Errorf("MonthlyTotals = %v, want %v", totals, wantT)
	}
	if n := countRows(t, db, "interval_blocks"); n != 2 {
		t.Errorf("interval_blocks = %d, want one per channel-month (2)", n)
	}
}

func testIntervalsPartialOverwrite(t *testing.T, db *store.DB) {
	ctx := context.Background()
	_, quarter := channels(t, db)
	d := day(2026, 7, 15)
	all50 := make([]energy.Wh, 96)
	for i := range all50 {
		all50[i] = 50
	}
	put(t, db, quarter, store.Series{Start: d.Start(), Step: 15 * time.Minute, Values: all50})
	// The next day too, so the overwrite must leave another day alone.
	put(t, db, quarter, store.Series{Start: d.Next().Start(), Step: 15 * time.Minute, Values: all50})
	// Overwrite quarter-hours 10–13 (02:30–03:30 PDT) with 7 Wh.
	put(t, db, quarter, store.Series{Start: d.Start().Add(10 * 15 * time.Minute), Step: 15 * time.Minute, Values: []energy.Wh{7, 7, 7, 7}})
	s := read(t, db, quarter, d.Start(), d.Next().Start())
	for i, v := range s.Values {
		want := energy.Wh(50)
		if i >= 10 && i < 14 {
			want = 7
		}
		if v != want {
			t.Errorf("quarter-hour %d = %d, want %d", i, v, want)
		}
	}
	// 92 × 50 + 4 × 7 = 4,628 Wh on the day, 4,800 on the next.
	if sum, missing := s.Sum(); sum != 4628 || missing != 0 {
		t.Errorf("day sum %d missing %d, want 4628 and 0", sum, missing)
	}
	next := read(t, db, quarter, d.Next().Start(), d.Next().Next().Start())
	if sum, _ := next.Sum(); sum != 4800 {
		t.Errorf("next day sum %d, want 4800", sum)
	}
	totals, err := db.MonthlyTotals(ctx, quarter)
	if err != nil {
		t.Fatal(err)
	}
	if want := []store.Count{{Label: "2026-07", N: 9428}}; !slices.Equal(totals, want) {
		t.Errorf("MonthlyTotals = %v, want %v", totals, want)
	}
}

func testIntervalsMissing(t *testing.T, db *store.DB) {
	ctx := context.Background()
	hourly, _ := channels(t, db)
	d := day(2026, 5, 10)
	// Three readings with a gap in the middle.
	put(t, db, hourly, store.Series{Start: d.Start(), Step: time.Hour, Values: []energy.Wh{5, store.Missing, 7}})
	s := read(t, db, hourly, d.Start(), d.Next().Start())
	if len(s.Values) != 24 {
		t.Fatalf("%d values, want 24", len(s.Values))
	}
	if s.Values[0] != 5 || s.Values[1] != store.Missing || s.Values[2] != 7 {
		t.Errorf("first three = %v, want [5 Missing 7]", s.Values[:3])
	}
	if sum, missing := s.Sum(); sum != 12 || missing != 22 {
		t.Errorf("sum %d missing %d, want 12 and 22", sum, missing)
	}
	// A month with no data reads as all Missing.
	empty := read(t, db, hourly, day(2025, 5, 10).Start(), day(2025, 5, 11).Start())
	if sum, missing := empty.Sum(); sum != 0 || missing != 24 {
		t.Errorf("month without data: sum %d missing %d, want 0 and 24", sum, missing)
	}
	// An empty or reversed range reads as no intervals.
	if s := read(t, db, hourly, d.Next().Start(), d.Start()); len(s.Values) != 0 {
		t.Errorf("reversed range gave %d values", len(s.Values))
	}
	totals, err := db.MonthlyTotals(ctx, hourly)
	if err != nil {
		t.Fatal(err)
	}
	if want := []store.Count{{Label: "2026-05", N: 12}}; !slices.Equal(totals, want) {
		t.Errorf("MonthlyTotals = %v, want %v (gaps count as nothing)", totals, want)
	}
	_, err = db.Intervals(ctx, hourly, d.Start(), d.Start().Add(401*24*time.Hour))
	wantErr(t, "more than 400 days", err, apperr.Invalid, "")
}

func testIntervalsReject(t *testing.T, db *store.DB) {
	hourly, quarter := channels(t, db)
	start := day(2026, 4, 1).Start() // 07:00Z, aligned to every step
	tests := []struct {
		name   string
		ch     int64
		s      store.Series
		kind   apperr.Kind
		fields string
	}{
		{"negative reading", hourly, store.Series{Start: start, Step: time.Hour, Values: []energy.Wh{3, -2}}, apperr.Invalid, "values"},
		{"15-minute readings on an hourly channel", hourly, store.Series{Start: start, Step: 15 * time.Minute, Values: []energy.Wh{1}}, apperr.Invalid, "interval"},
		{"hourly readings on a 15-minute channel", quarter, store.Series{Start: start, Step: time.Hour, Values: []energy.Wh{1}}, apperr.Invalid, "interval"},
		{"unsupported 10-minute step", quarter, store.Series{Start: start, Step: 10 * time.Minute, Values: []energy.Wh{1}}, apperr.Invalid, "interval"},
		{"hourly start at :30", hourly, store.Series{Start: start.Add(30 * time.Minute), Step: time.Hour, Values: []energy.Wh{1}}, apperr.Invalid, "start"},
		{"15-minute start at :05", quarter, store.Series{Start: start.Add(5 * time.Minute), Step: 15 * time.Minute, Values: []energy.Wh{1}}, apperr.Invalid, "start"},
		{"unknown channel", quarter + 1000, store.Series{Start: start, Step: 15 * time.Minute, Values: []energy.Wh{1}}, apperr.NotFound, ""},
	}
	for _, tt := range tests {
		err := txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.PutIntervals(ctx, tt.ch, tt.s) })
		wantErr(t, tt.name, err, tt.kind, tt.fields)
	}
	if n := countRows(t, db, "interval_blocks"); n != 0 {
		t.Errorf("rejected writes stored %d blocks", n)
	}
}
