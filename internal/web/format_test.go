package web

import (
	"math"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
)

func TestFormatIntGroupsThousandsForAnyIntegerType(t *testing.T) {
	for _, tc := range []struct {
		in   any
		want string
	}{
		{0, "0"},
		{999, "999"},
		{1000, "1,000"},
		{-1234567, "-1,234,567"},
		{int64(12480), "12,480"},
		{uint8(255), "255"},
		{energy.Wh(100000), "100,000"},
		{int64(math.MinInt64), "-9,223,372,036,854,775,808"},
	} {
		got, err := formatInt(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("formatInt(%v) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	if _, err := formatInt(1.5); err == nil {
		t.Error("formatInt(1.5) accepted a float")
	}
}

func TestFormatKWhIsExactAtThreeDecimalsAndRoundsHalfAwayFromZero(t *testing.T) {
	for _, tc := range []struct {
		wh     energy.Wh
		digits []int
		want   string
	}{
		{1234567, nil, "1,234.567"},
		{1, nil, "0.001"},
		{-1, nil, "-0.001"},
		{1234567, []int{0}, "1,235"},
		{1234499, []int{0}, "1,234"},
		{1500, []int{0}, "2"},   // half away from zero
		{-1500, []int{0}, "-2"}, // half away from zero, negative side
		{-499, []int{0}, "0"},   // no "-0"
		{1250, []int{1}, "1.3"}, // 1.25 → 1.3
		{1249, []int{1}, "1.2"},
		{18402100, []int{2}, "18,402.10"},
	} {
		got, err := formatKWh(tc.wh, tc.digits...)
		if err != nil || got != tc.want {
			t.Errorf("formatKWh(%d, %v) = %q, %v; want %q", tc.wh, tc.digits, got, err, tc.want)
		}
	}
	if _, err := formatKWh(1, 4); err == nil {
		t.Error("formatKWh accepted 4 decimals, finer than a watt-hour")
	}
}

func TestFormatBasisPointsAsPercent(t *testing.T) {
	for _, tc := range []struct {
		in   int64
		want string
	}{
		{3350, "33.50%"},
		{6000, "60.00%"},
		{5, "0.05%"},
		{-125, "-1.25%"},
	} {
		if got := formatBasisPoints(tc.in); got != tc.want {
			t.Errorf("formatBasisPoints(%d) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDatesAreShownInPacificTimeNotTheServerZone(t *testing.T) {
	loc, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	f := dateFormatter{loc}
	// 2026-03-08 09:59 UTC is 01:59 PST, one minute before the spring-forward
	// gap; 10:00 UTC is 03:00 PDT (DST begins the second Sunday of March,
	// 15 U.S.C. §260a).
	before := time.Date(2026, 3, 8, 9, 59, 0, 0, time.UTC)
	after := time.Date(2026, 3, 8, 10, 0, 0, 0, time.UTC)
	// 2026-03-09 06:30 UTC is still the evening of 8 March in California.
	evening := time.Date(2026, 3, 9, 6, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		got  func() (string, error)
		want string
	}{
		{"civil date long", func() (string, error) { return f.long(calendar.Date{Year: 2026, Month: 3, Day: 8}) }, "Mar 8, 2026"},
		{"civil date iso", func() (string, error) { return f.iso(calendar.Date{Year: 2026, Month: 11, Day: 1}) }, "2026-11-01"},
		{"instant long in Pacific", func() (string, error) { return f.long(evening) }, "Mar 8, 2026"},
		{"instant iso in Pacific", func() (string, error) { return f.iso(&evening) }, "2026-03-08"},
		{"zero date is blank", func() (string, error) { return f.long(calendar.Date{}) }, ""},
		{"nil time is blank", func() (string, error) { return f.iso((*time.Time)(nil)) }, ""},
		{"before spring forward", func() (string, error) { return f.dateTime(before), nil }, "Mar 8, 2026 1:59 AM PST"},
		{"after spring forward", func() (string, error) { return f.dateTime(after), nil }, "Mar 8, 2026 3:00 AM PDT"},
	} {
		got, err := tc.got()
		if err != nil || got != tc.want {
			t.Errorf("%s: got %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	if _, err := f.long("2026-03-08"); err == nil {
		t.Error("date accepted a string")
	}
}

func TestBadgeToneSeparatesProgramFlagsAndGroupsStates(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"CARE", "care"},
		{"FERA", "fera"},
		{"DAC", "dac"},
		{"HFTD Tier 2", "hftd2"},
		{"HFTD Tier 3", "hftd3"},
		{"Medical baseline", "medical"},
		{"Paid", "ok"},
		{"pending", "info"},
		{"Draft", "warn"},
		{"Rejected", "danger"},
		{"something new", "neutral"},
	} {
		if got := badgeTone(tc.in); got != tc.want {
			t.Errorf("badgeTone(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLoginNextMustBeALocalPath(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"/customers?page=2", true},
		{"/", true},
		{"", false},
		{"//evil.example/", false},
		{`/\evil.example/`, false},
		{"https://evil.example/", false},
		{"customers", false},
	} {
		if got := isLocalPath(tc.in); got != tc.want {
			t.Errorf("isLocalPath(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
