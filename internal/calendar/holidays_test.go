package calendar

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Expected dates follow SCE's TOU "Holidays" special condition: fixed
// dates, nth-weekday rules, and a Sunday holiday also observed on the
// following Monday (a Saturday one is not moved).
func TestUtilityHolidaysByYear(t *testing.T) {
	tests := []struct {
		year int
		want []Observance
	}{
		{2026, []Observance{
			{Date{2026, 1, 1}, "New Year's Day"},
			{Date{2026, 2, 16}, "Presidents' Day"},
			{Date{2026, 5, 25}, "Memorial Day"},
			{Date{2026, 7, 4}, "Independence Day"}, // Saturday: not moved
			{Date{2026, 9, 7}, "Labor Day"},
			{Date{2026, 11, 11}, "Veterans Day"},
			{Date{2026, 11, 26}, "Thanksgiving Day"},
			{Date{2026, 12, 25}, "Christmas Day"},
		}},
		{2027, []Observance{
			{Date{2027, 1, 1}, "New Year's Day"},
			{Date{2027, 2, 15}, "Presidents' Day"},
			{Date{2027, 5, 31}, "Memorial Day"},
			{Date{2027, 7, 4}, "Independence Day"}, // Sunday
			{Date{2027, 7, 5}, "Independence Day (observed)"},
			{Date{2027, 9, 6}, "Labor Day"},
			{Date{2027, 11, 11}, "Veterans Day"},
			{Date{2027, 11, 25}, "Thanksgiving Day"},
			{Date{2027, 12, 25}, "Christmas Day"}, // Saturday: not moved
		}},
		{2022, []Observance{
			{Date{2022, 1, 1}, "New Year's Day"}, // Saturday
			{Date{2022, 2, 21}, "Presidents' Day"},
			{Date{2022, 5, 30}, "Memorial Day"},
			{Date{2022, 7, 4}, "Independence Day"},
			{Date{2022, 9, 5}, "Labor Day"},
			{Date{2022, 11, 11}, "Veterans Day"},
			{Date{2022, 11, 24}, "Thanksgiving Day"},
			{Date{2022, 12, 25}, "Christmas Day"}, // Sunday
			{Date{2022, 12, 26}, "Christmas Day (observed)"},
		}},
	}
	h := UtilityHolidays()
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, h.InYear(tt.year)); diff != "" {
			t.Errorf("InYear(%d) (-want +got):\n%s", tt.year, diff)
		}
		for _, o := range tt.want {
			if name, ok := h.Holiday(o.Date); !ok || name != o.Name {
				t.Errorf("Holiday(%v) = %q, %v; want %q", o.Date, name, ok, o.Name)
			}
		}
	}
}

func TestNonHolidaysAreNotHolidays(t *testing.T) {
	h := UtilityHolidays()
	for _, d := range []Date{
		{2026, 7, 3},   // Friday before a Saturday July 4: not observed
		{2027, 12, 24}, // Friday before a Saturday Christmas: not observed
		{2026, 11, 27}, // Friday after Thanksgiving is not an SCE TOU holiday
		{2026, 1, 19},  // Martin Luther King Jr. Day is not one either
		{2026, 2, 9},   // second Monday of February
		{2026, 5, 18},  // not the last Monday of May
		{2026, 9, 14},  // second Monday of September
		{2026, 11, 19}, // third Thursday of November
		{2023, 1, 3},
	} {
		if name, ok := h.Holiday(d); ok {
			t.Errorf("Holiday(%v) = %q, want none", d, name)
		}
	}
	if name, ok := h.Holiday(Date{2023, 1, 2}); !ok || name != "New Year's Day (observed)" {
		t.Errorf("Holiday(2023-01-02) = %q, %v; want New Year's Day (observed)", name, ok)
	}
	if _, ok := (Holidays{}).Holiday(Date{2026, 12, 25}); ok {
		t.Error("zero Holidays has a holiday")
	}
}

// TestUtilityHolidaysMatchSCE2025List checks the calendar against the SCE
// 2025 holiday list in the shared data set, when it is present.
func TestUtilityHolidaysMatchSCE2025List(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", "data", "tariffs", "retail_8760", "SCE_Holidays_2025.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("SCE holiday list not available: %v", err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("read %s: %v (%d rows)", path, err, len(rows))
	}
	var want []Date
	for _, s := range rows[1] {
		want = append(want, mustDate(t, strings.TrimSpace(s)))
	}
	var got []Date
	for _, o := range UtilityHolidays().InYear(2025) {
		got = append(got, o.Date)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("2025 holidays (-SCE list +got):\n%s", diff)
	}
}

func TestBusinessDaysSkipWeekendsAndHolidays(t *testing.T) {
	h := UtilityHolidays()
	tests := []struct {
		name string
		from Date
		n    int
		want Date
	}{
		{"over Thanksgiving", Date{2026, 11, 25}, 1, Date{2026, 11, 27}},
		{"over Thanksgiving and weekend", Date{2026, 11, 25}, 2, Date{2026, 11, 30}},
		{"back over Thanksgiving", Date{2026, 11, 27}, -1, Date{2026, 11, 25}},
		{"over observed Independence Day", Date{2027, 7, 2}, 1, Date{2027, 7, 6}},
		{"over observed Christmas 2022", Date{2022, 12, 23}, 1, Date{2022, 12, 27}},
		{"Saturday July 4 leaves Friday a business day", Date{2026, 7, 2}, 1, Date{2026, 7, 3}},
		{"from a Saturday", Date{2026, 3, 7}, 1, Date{2026, 3, 9}},
		{"ten days across Christmas and New Year", Date{2026, 12, 21}, 10, Date{2027, 1, 6}},
		{"zero is identity", Date{2026, 11, 26}, 0, Date{2026, 11, 26}},
	}
	for _, tt := range tests {
		got := h.AddBusinessDays(tt.from, tt.n)
		if got != tt.want {
			t.Errorf("%s: AddBusinessDays(%v, %d) = %v, want %v", tt.name, tt.from, tt.n, got, tt.want)
		}
		if tt.n >= 0 {
			if c := h.BusinessDaysBetween(tt.from, got); c != tt.n {
				t.Errorf("%s: BusinessDaysBetween(%v, %v) = %d, want %d", tt.name, tt.from, got, c, tt.n)
			}
		}
	}
}

func TestBusinessDaysBetweenCountsAfterAThroughB(t *testing.T) {
	h := UtilityHolidays()
	tests := []struct {
		a, b Date
		want int
	}{
		{Date{2026, 11, 1}, Date{2026, 11, 30}, 19}, // 21 weekdays less Veterans Day and Thanksgiving
		{Date{2026, 11, 30}, Date{2026, 11, 1}, -19},
		{Date{2026, 11, 20}, Date{2026, 11, 23}, 1}, // Friday to Monday
		{Date{2026, 11, 26}, Date{2026, 11, 26}, 0},
		{Date{2026, 12, 31}, Date{2027, 1, 1}, 0}, // New Year's Day
	}
	for _, tt := range tests {
		if got := h.BusinessDaysBetween(tt.a, tt.b); got != tt.want {
			t.Errorf("BusinessDaysBetween(%v, %v) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	if !h.IsBusinessDay(Date{2026, 11, 27}) || h.IsBusinessDay(Date{2026, 11, 26}) || h.IsBusinessDay(Date{2026, 11, 28}) {
		t.Error("IsBusinessDay wrong around Thanksgiving 2026")
	}
}
