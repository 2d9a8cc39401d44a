package billrun

import (
	"slices"
	"testing"

	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
)

// TestCheckOpeningNamesEveryBadField: an opening balance seeded for an
// account migrated mid-Relevant-Period must start its Relevant Period
// within the year before the first gridbook bill, carry at most 11 bills
// and no negative energy or credits; a good one passes.
func TestCheckOpeningNamesEveryBadField(t *testing.T) {
	through := day(t, "2025-07-01")
	good := billing.State{Utility: billing.LedgerState{Start: day(t, "2025-03-14"), Bills: 4, Balance: 12_345, Delivered: 2_000_000, Received: 1_500_000},
		Generation: billing.LedgerState{Start: day(t, "2025-05-01"), Bills: 2, Balance: -800}}
	if err := CheckOpening(good, through); err != nil {
		t.Fatalf("good opening refused: %v", err)
	}
	bad := billing.State{Utility: billing.LedgerState{Start: day(t, "2024-07-01"), Bills: 12, ExportCredits: -1},
		Generation: billing.LedgerState{Start: day(t, "2025-07-02"), Received: -5, ACCPlus: -2, MinimumPaid: -3}}
	got := fieldsOf(CheckOpening(bad, through))
	for _, want := range []string{"utility.relevant_start", "utility.bills", "utility.export_credits_cents", "cca.relevant_start",
		"cca.delivered_wh", "cca.acc_plus_cents", "cca.minimum_paid_cents"} {
		if !slices.Contains(got, want) {
			t.Errorf("fields %v lack %s", got, want)
		}
	}
	if got := fieldsOf(CheckOpening(good, calendar.Date{})); !slices.Contains(got, "through") {
		t.Errorf("fields %v lack through", got)
	}
}
