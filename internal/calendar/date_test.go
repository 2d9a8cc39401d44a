package calendar

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
)

// mustDate parses a YYYY-MM-DD literal for tests.
func mustDate(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestParseDateAcceptsOnlyExistingDatesInISOLayout(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2026-01-15", Date{2026, time.January, 15}, true},
		{"2028-02-29", Date{2028, time.February, 29}, true}, // leap year
		{"2000-02-29", Date{2000, time.February, 29}, true}, // divisible by 400
		{"9999-12-31", Date{9999, time.December, 31}, true},
		{"0001-01-01", Date{1, time.January, 1}, true},
		{"2026-02-29", Date{}, false}, // not a leap year
		{"2100-02-29", Date{}, false}, // divisible by 100, not 400
		{"2026-04-31", Date{}, false},
		{"2026-13-01", Date{}, false},
		{"2026-00-10", Date{}, false},
		{"2026-01-00", Date{}, false},
		{"0000-01-01", Date{}, false},
		{"2026-1-15", Date{}, false},
		{"2026/01/15", Date{}, false},
		{"2026-01-15T00:00:00Z", Date{}, false},
		{"+026-01-15", Date{}, false},
		{"", Date{}, false},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("ParseDate(%q) error kind = %v, want invalid", tt.in, apperr.KindOf(err))
		}
	}
}

func TestNewDateRejectsNonExistentDates(t *testing.T) {
	tests := []struct {
		y  int
		m  time.Month
		d  int
		ok bool
	}{
		{2028, time.February, 29, true},
		{2026, time.February, 29, false},
		{2026, time.February, 28, true},
		{2026, time.June, 31, false},
		{2026, time.December, 31, true},
		{2026, 13, 1, false},
		{2026, 0, 1, false},
		{0, time.January, 1, false},
		{10000, time.January, 1, false},
	}
	for _, tt := range tests {
		got, err := NewDate(tt.y, tt.m, tt.d)
		if (err == nil) != tt.ok {
			t.Errorf("NewDate(%d, %d, %d) error = %v, want ok=%v", tt.y, tt.m, tt.d, err, tt.ok)
		}
		if tt.ok && got != (Date{tt.y, tt.m, tt.d}) {
			t.Errorf("NewDate(%d, %d, %d) = %v", tt.y, tt.m, tt.d, got)
		}
	}
}

func TestDateArithmeticCrossesMonthYearAndLeapDay(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2028-02-28", 1, "2028-02-29"},
		{"2028-02-29", 1, "2028-03-01"},
		{"2026-02-28", 1, "2026-03-01"},
		{"2026-12-31", 1, "2027-01-01"},
		{"2027-01-01", -1, "2026-12-31"},
		{"2026-03-08", 1, "2026-03-09"}, // DST day is still one civil day
		{"2026-01-01", 789, "2028-02-29"},
		{"2028-02-29", -789, "2026-01-01"},
		{"2026-01-01", 0, "2026-01-01"},
		{"0001-01-01", 3_652_058, "9999-12-31"}, // the whole range YYYY can write
	}
	for _, tt := range tests {
		from, want := mustDate(t, tt.from), mustDate(t, tt.want)
		if got := from.AddDays(tt.n); got != want {
			t.Errorf("%v.AddDays(%d) = %v, want %v", from, tt.n, got, want)
		}
		if got := from.DaysUntil(want); got != tt.n {
			t.Errorf("%v.DaysUntil(%v) = %d, want %d", from, want, got, tt.n)
		}
	}
	if got := mustDate(t, "2028-02-28").Next(); got != mustDate(t, "2028-02-29") {
		t.Errorf("Next = %v", got)
	}
}

func TestWeekdayOfPinnedDates(t *testing.T) {
	tests := []struct {
		date string
		want time.Weekday
	}{
		{"2026-03-08", time.Sunday}, // spring forward
		{"2026-11-01", time.Sunday}, // fall back
		{"2028-02-29", time.Tuesday},
		{"2027-07-04", time.Sunday},
		{"2026-07-04", time.Saturday},
		{"2026-11-26", time.Thursday},
	}
	for _, tt := range tests {
		if got := mustDate(t, tt.date).Weekday(); got != tt.want {
			t.Errorf("%s weekday = %v, want %v", tt.date, got, tt.want)
		}
	}
}

func TestCompareOrdersByYearMonthDay(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"2026-01-31", "2026-02-01", -1},
		{"2026-12-01", "2027-01-01", -1},
		{"2026-02-10", "2026-02-09", 1},
		{"2026-02-10", "2026-02-10", 0},
	}
	for _, tt := range tests {
		a, b := mustDate(t, tt.a), mustDate(t, tt.b)
		if got := a.Compare(b); got != tt.want {
			t.Errorf("%v.Compare(%v) = %d, want %d", a, b, got, tt.want)
		}
		if a.Before(b) != (tt.want < 0) || a.After(b) != (tt.want > 0) || a.Equal(b) != (tt.want == 0) {
			t.Errorf("Before/After/Equal disagree with Compare for %v, %v", a, b)
		}
	}
}

func TestDateOfUsesPacificCivilDate(t *testing.T) {
	tests := []struct {
		instant string
		want    string
	}{
		{"2026-07-01T06:59:59Z", "2026-06-30"}, // 23:59:59 PDT
		{"2026-07-01T07:00:00Z", "2026-07-01"}, // midnight PDT
		{"2026-01-01T07:59:59Z", "2025-12-31"}, // 23:59:59 PST
		{"2026-01-01T08:00:00Z", "2026-01-01"},
		{"2026-11-01T08:30:00Z", "2026-11-01"}, // first 01:30 (PDT)
		{"2026-11-01T09:30:00Z", "2026-11-01"}, // second 01:30 (PST)
	}
	for _, tt := range tests {
		in, err := time.Parse(time.RFC3339, tt.instant)
		if err != nil {
			t.Fatal(err)
		}
		if got := DateOf(in); got != mustDate(t, tt.want) {
			t.Errorf("DateOf(%s) = %v, want %s", tt.instant, got, tt.want)
		}
	}
}

func TestStartIsPacificMidnightInUTC(t *testing.T) {
	tests := []struct {
		date string
		want string
	}{
		{"2026-01-15", "2026-01-15T08:00:00Z"}, // PST, UTC-8
		{"2026-07-15", "2026-07-15T07:00:00Z"}, // PDT, UTC-7
		{"2026-03-08", "2026-03-08T08:00:00Z"}, // midnight precedes the 02:00 change
		{"2026-03-09", "2026-03-09T07:00:00Z"},
		{"2026-11-01", "2026-11-01T07:00:00Z"},
		{"2026-11-02", "2026-11-02T08:00:00Z"},
	}
	for _, tt := range tests {
		got := mustDate(t, tt.date).Start()
		if got.Format(time.RFC3339) != tt.want || got.Location() != time.UTC {
			t.Errorf("%s.Start() = %v, want %s in UTC", tt.date, got, tt.want)
		}
	}
	if got := mustDate(t, "2026-07-15").In(time.UTC).Format(time.RFC3339); got != "2026-07-15T00:00:00Z" {
		t.Errorf("In(UTC) = %s", got)
	}
}

func TestDateTextZeroIsEmpty(t *testing.T) {
	type rec struct {
		From Date `json:"from"`
		To   Date `json:"to"`
	}
	b, err := json.Marshal(rec{From: mustDate(t, "2025-06-01")})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"from":"2025-06-01","to":""}`; string(b) != want {
		t.Errorf("json = %s, want %s", b, want)
	}
	var back rec
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.From != mustDate(t, "2025-06-01") || !back.To.IsZero() {
		t.Errorf("round trip = %+v", back)
	}
	if err := json.Unmarshal([]byte(`{"from":"2026-02-29"}`), &back); err == nil {
		t.Error("unmarshal of 2026-02-29 succeeded")
	}
	if _, err := (Date{2026, time.February, 30}).MarshalText(); err == nil {
		t.Error("MarshalText of 2026-02-30 succeeded")
	}
}

func TestDateSQLTextAndNull(t *testing.T) {
	v, err := mustDate(t, "2026-03-08").Value()
	if err != nil || v != "2026-03-08" {
		t.Errorf("Value = %v, %v; want 2026-03-08", v, err)
	}
	if v, err := (Date{}).Value(); v != nil || err != nil {
		t.Errorf("zero Value = %v, %v; want NULL", v, err)
	}
	tests := []struct {
		src  any
		want Date
		ok   bool
	}{
		{nil, Date{}, true},
		{"2028-02-29", Date{2028, time.February, 29}, true},
		{[]byte("2026-11-01"), Date{2026, time.November, 1}, true},
		{time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Date{2026, time.November, 1}, true},
		{"2026-02-29", Date{}, false},
		{int64(20260101), Date{}, false},
	}
	for _, tt := range tests {
		d := Date{1999, time.January, 1} // must be overwritten
		err := d.Scan(tt.src)
		if (err == nil) != tt.ok || (tt.ok && d != tt.want) {
			t.Errorf("Scan(%#v) = %v, %v; want %v ok=%v", tt.src, d, err, tt.want, tt.ok)
		}
	}
}

// FuzzParseDate checks that every accepted string formats back to itself
// and that the result is a date NewDate accepts.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{"2026-03-08", "2028-02-29", "2026-02-29", "0000-00-00", "9999-12-31", "2026-1-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDate(s)
		if err != nil {
			return
		}
		if d.String() != s {
			t.Fatalf("ParseDate(%q).String() = %q", s, d.String())
		}
		if _, err := NewDate(d.Year, d.Month, d.Day); err != nil {
			t.Fatalf("NewDate rejects parsed %q: %v", s, err)
		}
		var back Date
		if err := back.UnmarshalText([]byte(s)); err != nil || back != d {
			t.Fatalf("UnmarshalText(%q) = %v, %v", s, back, err)
		}
	})
}
