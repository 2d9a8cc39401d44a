package tariff

import (
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
)

// TestIndexHasRealHoursOfTheYear checks DESIGN.md principle 4: the index
// covers the real hours of the Pacific year — 8,760 in 2025 and 2026
// (one 23-hour and one 25-hour day), 8,784 in leap 2028 — and the DST
// days have 23 and 25 hours (92 and 100 quarter-hours).
func TestIndexHasRealHoursOfTheYear(t *testing.T) {
	v := shippedVersion(t, "TOU-D-4-9PM")
	tests := []struct {
		year   int
		step   time.Duration
		want   int
		short  string // spring-forward day
		long   string // fall-back day
		shortN int
		longN  int
	}{
		{2025, time.Hour, 8760, "2025-03-09", "2025-11-02", 23, 25},
		{2026, time.Hour, 8760, "2026-03-08", "2026-11-01", 23, 25},
		{2026, 15 * time.Minute, 35040, "2026-03-08", "2026-11-01", 92, 100},
		{2027, time.Hour, 8760, "2027-03-14", "2027-11-07", 23, 25},
		{2028, time.Hour, 8784, "2028-03-12", "2028-11-05", 23, 25},
	}
	for _, tt := range tests {
		ix, err := v.Index("energy", tt.year, tt.step)
		if err != nil {
			t.Fatal(err)
		}
		if len(ix.Period) != tt.want {
			t.Errorf("%d at %v: %d intervals, want %d", tt.year, tt.step, len(ix.Period), tt.want)
		}
		jan1 := calendar.Date{Year: tt.year, Month: time.January, Day: 1}
		for _, c := range []struct {
			day  string
			want int
		}{{tt.short, tt.shortN}, {tt.long, tt.longN}} {
			d := jan1.DaysUntil(mustDate(t, c.day))
			if n := int(ix.DayStart[d+1] - ix.DayStart[d]); n != c.want {
				t.Errorf("%s at %v: %d intervals, want %d", c.day, tt.step, n, c.want)
			}
		}
		if ix.MonthStart[12] != int32(tt.want) || ix.Start != jan1.Start() {
			t.Errorf("%d: month starts %v, start %v", tt.year, ix.MonthStart, ix.Start)
		}
	}
}

func mustDate(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestIndexFollowsLocalClockAcrossDST checks that each interval takes the
// period of its local wall-clock hour on DST days: on 2025-11-02 (a
// Sunday, winter) both 01:00 hours are off-peak and 4–9 pm is mid-peak in
// the right UTC hours; on 2025-03-09 the 16:00 PDT hour is the 16th
// interval of the day (hours 0, 1, 3, …).
func TestIndexFollowsLocalClockAcrossDST(t *testing.T) {
	v := shippedVersion(t, "TOU-D-4-9PM")
	ix, err := v.Index("energy", 2025, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := v.PeriodMap("energy")
	tests := []struct {
		utc  string
		want string
	}{
		{"2025-11-02T08:00:00Z", "Winter Off-Peak"},       // 01:00 PDT
		{"2025-11-02T09:00:00Z", "Winter Off-Peak"},       // 01:00 PST
		{"2025-11-03T00:00:00Z", "Winter Mid-Peak"},       // 16:00 PST
		{"2025-11-02T23:00:00Z", "Winter Super-Off-Peak"}, // 15:00 PST
		{"2025-03-09T23:00:00Z", "Winter Mid-Peak"},       // 16:00 PDT
		{"2025-03-09T22:00:00Z", "Winter Super-Off-Peak"}, // 15:00 PDT
		{"2025-06-01T06:59:00Z", "Winter Off-Peak"},       // 23:59 PDT May 31
		{"2025-06-01T07:00:00Z", "Summer Off-Peak"},       // midnight June 1
	}
	for _, tt := range tests {
		at, _ := time.Parse(time.RFC3339, tt.utc)
		i := int(at.Sub(ix.Start) / time.Hour)
		if got := m.Periods[ix.Period[i]]; got != tt.want {
			t.Errorf("%s: %s, want %s", tt.utc, got, tt.want)
		}
	}
}

// TestIndexRejectsStepsThatSplitHours checks that an interval length must
// divide one hour, so that every TOU boundary is an interval boundary.
func TestIndexRejectsStepsThatSplitHours(t *testing.T) {
	v := shippedVersion(t, "E-ELEC")
	for _, step := range []time.Duration{7 * time.Minute, 2 * time.Hour, 0, -time.Hour} {
		if _, err := v.PeriodIndex(2025, step); err == nil {
			t.Errorf("step %v accepted", step)
		}
	}
	for _, step := range []time.Duration{5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour} {
		if _, err := v.PeriodIndex(2025, step); err != nil {
			t.Errorf("step %v: %v", step, err)
		}
	}
}

// TestRunsCoverTheYear checks that the same-period runs tile the index in
// order without crossing days.
func TestRunsCoverTheYear(t *testing.T) {
	v := shippedVersion(t, "TOU-D-4-9PM")
	ix, err := v.Index("energy", 2025, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	next := int32(0)
	for _, r := range ix.Runs {
		if r.Start != next || r.End <= r.Start {
			t.Fatalf("run %+v after %d", r, next)
		}
		for i := r.Start; i < r.End; i++ {
			if ix.Period[i] != r.Period {
				t.Fatalf("run %+v holds period %d at %d", r, ix.Period[i], i)
			}
		}
		next = r.End
	}
	if next != int32(len(ix.Period)) {
		t.Errorf("runs end at %d of %d", next, len(ix.Period))
	}
}

// TestGridRendersMonthRows checks the 12×24 rendering of date seasons:
// TOU-D summer (June–September) 4–9 pm weekdays is on-peak (period 0).
func TestGridRendersMonthRows(t *testing.T) {
	v := shippedVersion(t, "TOU-D-4-9PM")
	m, _ := v.PeriodMap("energy")
	wd, we, err := m.Grid()
	if err != nil {
		t.Fatal(err)
	}
	for mo := range 12 {
		summer := mo >= 5 && mo <= 8
		if (wd[mo][16] == 0) != summer || (we[mo][16] == 1) != summer {
			t.Errorf("month %d hour 16: weekday %d weekend %d", mo+1, wd[mo][16], we[mo][16])
		}
	}
}

// TestSeasonDatesSayWhenSeasonsApply checks the season labels shown by
// the CLI and console: TOU-D's summer is June 1 – September 30 and its
// winter October 1 – May 31 (SCE Schedule TOU-D, research/billing.md
// §1.6); a single season is the whole year; a season ending with
// February ends on the 28th or, in leap years, the 29th.
func TestSeasonDatesSayWhenSeasonsApply(t *testing.T) {
	v := shippedVersion(t, "TOU-D-4-9PM")
	m, _ := v.PeriodMap("energy")
	if got := m.SeasonDates(); strings.Join(got, "; ") != "Jun 1 – Sep 30; Oct 1 – May 31" {
		t.Errorf("TOU-D seasons %q", got)
	}
	hours := make([]int, 24)
	for _, tt := range []struct {
		from []string
		want string
	}{
		{[]string{"01-01"}, "Jan 1 – Dec 31"},
		{[]string{"03-01", "11-15"}, "Mar 1 – Nov 14; Nov 15 – Feb 28/29"},
	} {
		pm := PeriodMap{Name: "energy", Periods: []string{"all"}}
		for _, f := range tt.from {
			pm.Seasons = append(pm.Seasons, Season{Name: f, From: f, Weekday: hours, Weekend: hours})
		}
		if got := strings.Join(pm.SeasonDates(), "; "); got != tt.want {
			t.Errorf("seasons from %v: %q, want %q", tt.from, got, tt.want)
		}
	}
}
