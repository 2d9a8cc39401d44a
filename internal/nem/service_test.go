package nem

import (
	"testing"

	"github.com/gridbook/gridbook/internal/calendar"
)

// TestMeterDueIn30BusinessDaysAcrossHolidays: the meter is reprogrammed or
// swapped within 30 business days of a complete application (seed 002).
// Counted by hand on the utility calendar: from Monday 2026-11-02 the
// 30th business day skips Veterans Day (Wed 11-11) and Thanksgiving (Thu
// 11-26) and lands on Wednesday 2026-12-16; from Monday 2027-06-21 it
// skips Independence Day observed on Monday 2027-07-05 (July 4 is a
// Sunday) and lands on Tuesday 2027-08-03.
func TestMeterDueIn30BusinessDaysAcrossHolidays(t *testing.T) {
	h := calendar.UtilityHolidays()
	for _, c := range []struct{ complete, due string }{
		{"2026-11-02", "2026-12-16"},
		{"2027-06-21", "2027-08-03"},
	} {
		ms := MeterServiceLevel(mustDate(t, c.complete), calendar.Date{}, mustDate(t, c.complete), h)
		if ms.Due != mustDate(t, c.due) || ms.Late {
			t.Errorf("complete %s: due %s late %v, want due %s", c.complete, ms.Due, ms.Late, c.due)
		}
	}
}

// TestLateMeterEarnsEstimatedGenerationCreditForEachDayOfDelay: done on
// the due day is on time; done five days later credits the days after the
// due date through the meter day (2026-12-17 to 2026-12-21).
func TestLateMeterEarnsEstimatedGenerationCreditForEachDayOfDelay(t *testing.T) {
	h := calendar.UtilityHolidays()
	complete := mustDate(t, "2026-11-02")
	onTime := MeterServiceLevel(complete, mustDate(t, "2026-12-16"), mustDate(t, "2027-01-05"), h)
	if onTime.Late || onTime.Credit != nil || onTime.DelayDays != 0 {
		t.Errorf("done on the due day: %+v", onTime)
	}
	late := MeterServiceLevel(complete, mustDate(t, "2026-12-21"), mustDate(t, "2027-01-05"), h)
	want := calendar.Period{Start: mustDate(t, "2026-12-17"), End: mustDate(t, "2026-12-22")}
	if !late.Late || late.DelayDays != 5 || late.Credit == nil || *late.Credit != want || late.Credit.Days() != 5 {
		t.Errorf("done 2026-12-21: %+v, want 5 days credited %v", late, want)
	}
	// Not done yet: the delay so far, with no credit period until done.
	open := MeterServiceLevel(complete, calendar.Date{}, mustDate(t, "2026-12-18"), h)
	if !open.Late || open.DelayDays != 2 || open.Credit != nil {
		t.Errorf("open on 2026-12-18: %+v", open)
	}
	if none := MeterServiceLevel(calendar.Date{}, calendar.Date{}, mustDate(t, "2026-12-18"), h); !none.Due.IsZero() || none.Late {
		t.Errorf("incomplete application has a due date: %+v", none)
	}
}

// TestAgeingCountsBusinessDays: submitted Friday 2026-11-20, on Monday
// 2026-11-30 it is 5 business days old (Thanksgiving excluded).
func TestAgeingCountsBusinessDays(t *testing.T) {
	a := AgeOf(mustDate(t, "2026-11-20"), mustDate(t, "2026-11-25"), mustDate(t, "2026-11-30"), calendar.UtilityHolidays())
	if a.Total != 5 || a.InStage != 2 {
		t.Errorf("ageing %+v, want 5 open and 2 in stage", a)
	}
}
