package billing

import (
	"slices"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/tariff"
)

// lateMeterEstimate is 4 kWh of estimated generation at noon (hour
// beginning 12, Pacific) on Monday 2025-05-12 and on Saturday 2025-05-17,
// in a six-day hourly series.
func lateMeterEstimate(t *testing.T) []EstimatedExport {
	start := time.Date(2025, time.May, 12, 0, 0, 0, 0, calendar.Pacific).UTC()
	wh := make([]energy.Wh, 6*24)
	wh[12], wh[5*24+12] = 4000, 4000
	return []EstimatedExport{{Label: "Meter late (application N-1)", Start: start, Wh: wh}}
}

// TestEstimatedExportsAreNettedAtPeriodRatesUnderNEM: under NEM 2.0 the
// two May noon hours are Winter Super-Off-Peak on SCE TOU-D-PRIME
// (weekday and weekend hours 8–16 of the winter map), so the June bill
// nets 8 kWh of exports in that period at the sheet's rates other than
// the non-bypassable charges: delivery 8 × 0.14457 = $1.15656 → −1.16,
// generation 8 × 0.05686 = $0.45488 → −0.45, MCAM 8 × 0.00160 = $0.0128
// → −0.01, a −$1.62 energy credit carried to the true-up. With nothing
// imported the bill is the Basic Charge, 30 × $0.516 = $15.48.
func TestEstimatedExportsAreNettedAtPeriodRatesUnderNEM(t *testing.T) {
	v := shipped(t, "SCE", "TOU-D-PRIME")
	u := constant(t, "2025-06-01", "2025-07-01", time.Hour, 0, 0)
	terms := &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NEM2, EstimatedExports: lateMeterEstimate(t),
		UtilityLedger: Ledger{Settlement: Annual, UnusedCredits: Forfeit}}
	bills, st := bill(t, terms, []calendar.Period{period(t, "2025-06-01", "2025-07-01")}, u)
	b := bills[0]
	var lines []string
	for _, l := range b.Lines {
		if l.Kind != EnergyLine || l.Quantity == 0 { // the non-bypassable lines bill the (zero) imports
			continue
		}
		if l.Period != "Winter Super-Off-Peak" && l.Period != "" || l.Quantity != -8000 {
			t.Errorf("energy line %q: %s %d Wh, want Winter Super-Off-Peak (or flat) −8000 Wh", l.Label, l.Period, l.Quantity)
		}
		lines = append(lines, l.Amount.String())
	}
	if want := []string{"-$1.16", "-$0.45", "-$0.01"}; !slices.Equal(lines, want) {
		t.Errorf("energy lines %v, want %v", lines, want)
	}
	wantCents(t, "NEM balance", st.Utility.Balance, -162)
	wantCents(t, "due", b.Total, 1548)
	if b.EstimatedExport != 8000 || b.Received != 0 || st.Utility.Received != 8000 {
		t.Errorf("estimated %d, metered %d, period received %d; want 8000, 0, 8000", b.EstimatedExport, b.Received, st.Utility.Received)
	}
	if len(b.Notes) == 0 || b.Notes[len(b.Notes)-1] != "Meter late (application N-1): 8 kWh of estimated generation credited as exports." {
		t.Errorf("notes %q", b.Notes)
	}
}

// TestEstimatedExportsEarnHourlyExportPricesUnderNBT: under the Net
// Billing Tariff each estimated hour earns that hour's export price in
// the 2024-vintage table SCE publishes: May 2025 hour ending 13, weekday
// $0.00202 + $0.01783 and weekend $0.00000 + $0.01024 per kWh, so 4 kWh
// of each earn $0.0794 + $0.04096 = $0.12036 → 12¢, applied against the
// month's energy charges.
func TestEstimatedExportsEarnHourlyExportPricesUnderNBT(t *testing.T) {
	v := shipped(t, "SCE", "TOU-D-PRIME")
	u := constant(t, "2025-06-01", "2025-07-01", time.Hour, 1000, 0)
	terms := &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NBT, ExportPrices: sceExportTable(t),
		EstimatedExports: lateMeterEstimate(t), UtilityLedger: Ledger{UnusedCredits: Forfeit}}
	bills, _ := bill(t, terms, []calendar.Period{period(t, "2025-06-01", "2025-07-01")}, u)
	b := bills[0]
	wantCents(t, "export credit earned", b.ExportCreditEarned, 12)
	wantCents(t, "export credit applied", b.Sum(func(l Line) bool { return l.Kind == ExportCreditLine }), -12)
	if b.EstimatedExport != 8000 {
		t.Errorf("estimated export %d Wh, want 8000", b.EstimatedExport)
	}
}

// TestEstimatedExportsNeedAProgram: estimated generation is credited
// only under a net-metering program, and is never negative.
func TestEstimatedExportsNeedAProgram(t *testing.T) {
	est := lateMeterEstimate(t)
	est[0].Wh[3] = -1
	terms := &Terms{Tariff: []*tariff.Version{shipped(t, "SCE", "TOU-D-PRIME")}, LSE: Bundled, Program: NoProgram, EstimatedExports: est}
	got := fieldsNamed(terms.Validate())
	for _, want := range []string{"estimated_exports[0]", "estimated_exports[0].wh_per_hour"} {
		if !slices.Contains(got, want) {
			t.Errorf("fields %v lack %s", got, want)
		}
	}
}

// fieldsNamed lists the fields an Invalid error names.
func fieldsNamed(err error) []string {
	var out []string
	for _, f := range apperr.FieldsOf(err) {
		out = append(out, f.Field)
	}
	return out
}
