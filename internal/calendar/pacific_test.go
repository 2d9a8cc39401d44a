package calendar

import (
	"testing"
	"time"
)

// The interval counts are those of research/aesthetics.md §4.7 and
// DESIGN.md ("DST days have 23 or 25 hours (92 or 100 quarter-hours)"); the
// dates are the US DST changes (second Sunday of March, first Sunday of
// November, 15 U.S.C. 260a).
func TestIntervalsFollowDSTDayLength(t *testing.T) {
	tests := []struct {
		date    string
		quarter int
		hourly  int
	}{
		{"2026-03-08", 92, 23},
		{"2026-11-01", 100, 25},
		{"2027-03-14", 92, 23},
		{"2027-11-07", 100, 25},
		{"2026-03-07", 96, 24},
		{"2026-03-09", 96, 24},
		{"2026-07-15", 96, 24},
		{"2026-10-31", 96, 24},
		{"2026-11-02", 96, 24},
		{"2028-02-29", 96, 24},
	}
	for _, tt := range tests {
		d := mustDate(t, tt.date)
		if got := len(Intervals(d, 15*time.Minute)); got != tt.quarter {
			t.Errorf("len(Intervals(%s, 15m)) = %d, want %d", tt.date, got, tt.quarter)
		}
		if got := IntervalCount(d, 15*time.Minute); got != tt.quarter {
			t.Errorf("IntervalCount(%s, 15m) = %d, want %d", tt.date, got, tt.quarter)
		}
		if got := IntervalCount(d, time.Hour); got != tt.hourly {
			t.Errorf("IntervalCount(%s, 1h) = %d, want %d", tt.date, got, tt.hourly)
		}
	}
}

func TestIntervalsAreUTCInstantsWithLocalWallLabels(t *testing.T) {
	tests := []struct {
		date      string
		i         int
		wantUTC   string
		wantLocal string // wall clock in Pacific
	}{
		{"2026-03-08", 0, "2026-03-08T08:00:00Z", "00:00 PST"},
		{"2026-03-08", 7, "2026-03-08T09:45:00Z", "01:45 PST"},
		{"2026-03-08", 8, "2026-03-08T10:00:00Z", "03:00 PDT"}, // 02:00–02:59 does not exist
		{"2026-03-08", 91, "2026-03-09T06:45:00Z", "23:45 PDT"},
		{"2026-11-01", 4, "2026-11-01T08:00:00Z", "01:00 PDT"},
		{"2026-11-01", 8, "2026-11-01T09:00:00Z", "01:00 PST"}, // 01:00 again
		{"2026-11-01", 99, "2026-11-02T07:45:00Z", "23:45 PST"},
	}
	for _, tt := range tests {
		got := Intervals(mustDate(t, tt.date), 15*time.Minute)[tt.i]
		if got.Location() != time.UTC || got.Format(time.RFC3339) != tt.wantUTC {
			t.Errorf("Intervals(%s)[%d] = %v, want %s UTC", tt.date, tt.i, got, tt.wantUTC)
		}
		if local := got.In(Pacific).Format("15:04 MST"); local != tt.wantLocal {
			t.Errorf("Intervals(%s)[%d] local = %s, want %s", tt.date, tt.i, local, tt.wantLocal)
		}
	}
}

func TestIntervalsLastStepMayBeShort(t *testing.T) {
	// 25 hours with a 2-hour step: 12 full steps and a 1-hour remainder.
	if got := IntervalCount(mustDate(t, "2026-11-01"), 2*time.Hour); got != 13 {
		t.Errorf("IntervalCount(2026-11-01, 2h) = %d, want 13", got)
	}
}

func TestIntervalsPanicsOnNonPositiveStep(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for zero step")
		}
	}()
	Intervals(mustDate(t, "2026-01-01"), 0)
}

func TestPacificIsLosAngeles(t *testing.T) {
	if Pacific.String() != "America/Los_Angeles" {
		t.Errorf("Pacific = %v", Pacific)
	}
}

func BenchmarkIntervals(b *testing.B) {
	d := Date{2026, time.November, 1}
	for b.Loop() {
		_ = Intervals(d, 15*time.Minute)
	}
}

func BenchmarkIntervalCount(b *testing.B) {
	d := Date{2026, time.November, 1}
	for b.Loop() {
		_ = IntervalCount(d, 15*time.Minute)
	}
}
