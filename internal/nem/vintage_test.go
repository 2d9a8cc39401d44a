package nem

import (
	"testing"

	"github.com/gridbook/gridbook/internal/calendar"
)

func mustDate(t *testing.T, s string) calendar.Date {
	t.Helper()
	d, err := calendar.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestVintageFollowsTheApplicationDate: NBT for applications from
// 2023-04-15 (D.22-12-056), NEM 2.0 at SCE from 2017-07-01, NBT-A for
// aggregation under NBT (D.23-11-068).
func TestVintageFollowsTheApplicationDate(t *testing.T) {
	for _, c := range []struct {
		applied string
		agg     bool
		program string
		label   string
	}{
		{"2017-06-30", false, NEM1, "NEM 1.0"},
		{"2017-07-01", false, NEM2, "NEM 2.0"},
		{"2023-04-14", false, NEM2, "NEM 2.0"},
		{"2023-04-15", false, NBT, "Net Billing Tariff"},
		{"2023-04-15", true, NBT, "NBT-A"},
		{"2020-02-03", true, NEM2, "NEM-A (NEM 2.0)"},
	} {
		v := SCEVintages.VintageOf(mustDate(t, c.applied), c.agg)
		if v.Program != c.program || v.Label != c.label {
			t.Errorf("%s aggregation=%v: %s %q, want %s %q", c.applied, c.agg, v.Program, v.Label, c.program, c.label)
		}
	}
}

// TestLegacyPeriodIs20YearsFromPTOAndNBTExportPricesLockFor9Years.
func TestLegacyPeriodIs20YearsFromPTOAndNBTExportPricesLockFor9Years(t *testing.T) {
	nem2 := Vintage{Program: NEM2}
	if got := SCEVintages.TermsAt(nem2, mustDate(t, "2019-05-17")); got.LegacyEnd != mustDate(t, "2039-05-17") || got.ExportVintage != 0 {
		t.Errorf("NEM 2.0 PTO 2019-05-17: %+v, want legacy to 2039-05-17", got)
	}
	// A leap-day PTO keeps 29 February in a leap year and ends its lock
	// on 28 February in a common one.
	if got := SCEVintages.TermsAt(Vintage{Program: NEM1}, mustDate(t, "2016-02-29")); got.LegacyEnd != mustDate(t, "2036-02-29") {
		t.Errorf("leap-day PTO legacy end %s", got.LegacyEnd)
	}
	if got := SCEVintages.TermsAt(Vintage{Program: NBT}, mustDate(t, "2024-02-29")); got.LockEnd != mustDate(t, "2033-02-28") {
		t.Errorf("leap-day PTO lock end %s", got.LockEnd)
	}
	nbt := Vintage{Program: NBT}
	got := SCEVintages.TermsAt(nbt, mustDate(t, "2024-05-01"))
	if got.ExportVintage != 2024 || got.LockEnd != mustDate(t, "2033-05-01") || !got.LegacyEnd.IsZero() {
		t.Errorf("NBT PTO 2024-05-01: %+v, want vintage 2024 locked until 2033-05-01", got)
	}
	if got := SCEVintages.TermsAt(nbt, mustDate(t, "2027-12-31")); got.ExportVintage != 2027 {
		t.Errorf("PTO 2027-12-31 not locked: %+v", got)
	}
	if got := SCEVintages.TermsAt(nbt, mustDate(t, "2028-01-01")); got.ExportVintage != 0 || !got.LockEnd.IsZero() {
		t.Errorf("PTO 2028-01-01 locked: %+v", got)
	}
	for _, c := range []struct {
		pto, on string
		want    int
	}{{"2024-05-01", "2033-04-30", 2024}, {"2024-05-01", "2033-05-01", 2033}, {"2028-02-01", "2029-07-01", 2029}} {
		if got := SCEVintages.ExportVintageOn(mustDate(t, c.pto), mustDate(t, c.on)); got != c.want {
			t.Errorf("PTO %s billed %s: vintage %d, want %d", c.pto, c.on, got, c.want)
		}
	}
}

// TestLegacyPeriodEndsInTheSuccessorTariff: a NEM 2.0 system with PTO on
// 2006-05-01 keeps NEM 2.0 through 2026-04-30 and moves to the Net
// Billing Tariff on 2026-05-01, 20 years from PTO (research/billing.md
// §4.1); NEM-A moves to NBT-A; a leap-day PTO moves on the leap day 20
// years later (every such year is a leap year until 2100); a system on the Net Billing Tariff, a terminated one and one without PTO
// never move.
func TestLegacyPeriodEndsInTheSuccessorTariff(t *testing.T) {
	r := SCEVintages
	nem2 := func(pto calendar.Date, status Status, agg bool) Application {
		return Application{ID: 7, Number: "NEM-000007", AccountID: 3, Status: status,
			Vintage: r.VintageOf(day(2016, 3, 1), agg), Milestones: Milestones{PTO: pto}}
	}
	a := nem2(day(2006, 5, 1), Active, false)
	a.Vintage = r.VintageOf(day(2017, 8, 1), false) // NEM 2.0
	if _, due := r.TransitionOf(a, day(2026, 4, 30)); due {
		t.Error("due on 2026-04-30, the last day of the legacy period")
	}
	tr, due := r.TransitionOf(a, day(2026, 5, 1))
	if !due || tr.On != day(2026, 5, 1) || tr.From.Program != NEM2 || tr.To.Program != NBT || tr.To.Label != "Net Billing Tariff" ||
		tr.AccountID != 3 || tr.PTO != day(2006, 5, 1) {
		t.Errorf("on 2026-05-01: %+v, %v", tr, due)
	}
	if tr, due := r.TransitionOf(nem2(day(2006, 5, 1), PTOIssued, true), day(2027, 1, 1)); !due || tr.To.Label != "NBT-A" || tr.From.Program != NEM1 {
		t.Errorf("NEM-A: %+v, %v", tr, due)
	}
	if tr, _ := r.TransitionOf(nem2(day(2008, 2, 29), Active, false), day(2030, 1, 1)); tr.On != day(2028, 2, 29) {
		t.Errorf("leap-day PTO moves on %s, want 2028-02-29", tr.On)
	}
	nbt := a
	nbt.Vintage = r.VintageOf(day(2023, 5, 1), false)
	for name, x := range map[string]Application{"net billing": nbt, "terminated": nem2(day(2006, 5, 1), Terminated, false),
		"no PTO": nem2(calendar.Date{}, Approved, false)} {
		if _, due := r.TransitionOf(x, day(2040, 1, 1)); due {
			t.Errorf("%s: due", name)
		}
	}
}
