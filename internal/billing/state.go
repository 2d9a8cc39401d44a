package billing

import (
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/money"
)

// State is what one bill carries to the next: each ledger's balances and
// Relevant Period, and the critical-peak rider's protection account.
// The zero State starts a new account.
type State struct {
	Utility    LedgerState `json:"utility"`
	Generation LedgerState `json:"cca"`
	// CPPNet is the rider's charges less its credits since protection
	// began, credited back if positive when protection ends.
	CPPNet money.Cents `json:"cpp_protection_net_cents"`
}

// LedgerState is one ledger's carried values.
type LedgerState struct {
	// Start is the first day of the current Relevant Period (zero before
	// the first bill); Bills counts its bills so far.
	Start calendar.Date `json:"relevant_start,omitzero"`
	Bills int           `json:"bills"`
	// Delivered and Received total the Relevant Period's energy.
	Delivered energy.Wh `json:"delivered_wh"`
	Received  energy.Wh `json:"received_wh"`
	// Balance is the net-metering balance: deferred charges (positive) or
	// carried credit (negative).
	Balance money.Cents `json:"nem_balance_cents"`
	// MinimumPaid totals the minimum-charge top-ups of the Relevant
	// Period, counted against the true-up charge.
	MinimumPaid money.Cents `json:"minimum_paid_cents"`
	// ExportCredits and ACCPlus are unused NBT credits.
	ExportCredits money.Cents `json:"export_credits_cents"`
	ACCPlus       money.Cents `json:"acc_plus_cents"`
}

// ledger returns the state of side s.
func (st *State) ledger(s Side) *LedgerState {
	if s == Generation {
		return &st.Generation
	}
	return &st.Utility
}
