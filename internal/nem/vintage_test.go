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
