package billing

import (
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/tariff"
)

// LineKind classifies a line item.
type LineKind string

// Line kinds. Charges first, then credits and adjustments.
const (
	EnergyLine     LineKind = "energy"          // kWh × price, by period and bucket
	FixedLine      LineKind = "fixed"           // per day or per month
	DemandLine     LineKind = "demand"          // kW × price
	BaselineLine   LineKind = "baseline_credit" // allowance kWh × (negative) price
	MinimumLine    LineKind = "minimum"         // top-up to the minimum charge
	CPPEventLine   LineKind = "cpp_event"       // event-hour surcharge
	CPPCreditLine  LineKind = "cpp_credit"      // summer credit
	ProtectionLine LineKind = "bill_protection" // first-year bill protection
	DiscountLine   LineKind = "discount"        // CARE, FERA, Power Share
	// ExportCreditLine applies Net Billing export credits (earned now or
	// carried) against energy charges.
	ExportCreditLine LineKind = "export_credit"
	// ACCPlusLine applies ACC Plus credits against any charge.
	ACCPlusLine LineKind = "acc_plus"
	// DeferredLine moves net-metering energy charges to the balance
	// settled at the true-up (negative when charges are deferred,
	// positive when a credit is carried).
	DeferredLine LineKind = "nem_deferred"
	// CreditAppliedLine applies a carried net-metering credit.
	CreditAppliedLine LineKind = "credit_applied"
	// CreditLine is a one-off credit such as an incentive paid on the bill.
	CreditLine LineKind = "bill_credit"
	// TrueUpLine settles the net-metering balance at the true-up.
	TrueUpLine LineKind = "true_up"
	// NSCLine pays net surplus compensation at the true-up.
	NSCLine LineKind = "nsc"
)

// Line is one line item of a bill. Amount is Nanos rounded to the cent;
// the bill's totals are sums of Amounts.
type Line struct {
	Side   Side          `json:"side"`
	Kind   LineKind      `json:"kind"`
	Bucket tariff.Bucket `json:"bucket,omitempty"`
	Label  string        `json:"label"`
	// Period is the TOU period name, for energy and demand lines.
	Period string `json:"period,omitempty"`
	// Quantity and Unit describe what was priced: Wh ("Wh"), days
	// ("day"), months ("month"), W ("W") or cents ("¢" for percentage
	// lines, whose Rate is in basis points).
	Quantity int64  `json:"quantity,omitempty"`
	Unit     string `json:"unit,omitempty"`
	// Rate is the price in micro-dollars per unit (per kWh, per kW, per
	// day, per month), or basis points for a discount.
	Rate   int64       `json:"rate,omitempty"`
	Nanos  money.Nanos `json:"amount_nanos"`
	Amount money.Cents `json:"amount_cents"`
}

// Bill is one billing period's bill for one account.
type Bill struct {
	Period    calendar.Period `json:"period"`
	Days      int             `json:"days"`
	Delivered energy.Wh       `json:"delivered_wh"`
	Received  energy.Wh       `json:"received_wh"`
	// Estimated and Missing count intervals of the period that were
	// estimated or absent (billed as zero).
	Estimated int  `json:"estimated_intervals,omitempty"`
	Missing   int  `json:"missing_intervals,omitempty"`
	NetOnly   bool `json:"net_only,omitempty"`
	// Versions lists the tariff versions priced, "UTILITY CODE@FROM".
	Versions []string `json:"tariff_versions"`
	Lines    []Line   `json:"line_items"`
	// EstimatedExport is estimated generation credited as exports on this
	// bill (Terms.EstimatedExports), apart from the metered Received.
	EstimatedExport energy.Wh `json:"estimated_export_wh,omitempty"`
	// ExportCreditEarned is the value of this period's exports at the
	// export prices (NBT), before it is applied.
	ExportCreditEarned money.Cents `json:"export_credit_earned_cents,omitempty"`
	// Sides totals each ledger's lines: what is due to that side.
	Sides []SideTotal `json:"sides"`
	// TrueUps lists the true-ups that fell at the end of this period.
	TrueUps []TrueUp `json:"true_ups,omitempty"`
	// Total is the amount due for the period: the sum of every line.
	Total money.Cents `json:"total_cents"`
	// Notes explain anything a reader must know (estimated data,
	// incomplete data, approximations).
	Notes []string `json:"notes,omitempty"`
}

// SideTotal is what one ledger bills in a period and what it carries.
type SideTotal struct {
	Side  Side        `json:"side"`
	Total money.Cents `json:"total_cents"`
	// Balance is the ledger's carried balance after this bill: deferred
	// NEM charges (positive) or credits (negative), and carried export
	// and ACC Plus credits.
	Balance       money.Cents `json:"nem_balance_cents"`
	ExportCredits money.Cents `json:"export_credit_balance_cents,omitempty"`
	ACCPlus       money.Cents `json:"acc_plus_balance_cents,omitempty"`
}

// TrueUp is the settlement of one ledger at the end of a Relevant Period.
type TrueUp struct {
	Side  Side            `json:"side"`
	Span  calendar.Period `json:"relevant_period"`
	Bills int             `json:"bills"`
	// Delivered and Received total the Relevant Period's energy; NetSurplus
	// is Received − Delivered when positive.
	Delivered  energy.Wh `json:"delivered_wh"`
	Received   energy.Wh `json:"received_wh"`
	NetSurplus energy.Wh `json:"net_surplus_wh"`
	// Balance is the ledger's NEM balance before settlement; Charged is
	// what the true-up bills (a positive balance less minimum charges
	// already paid), Forfeited the credit zeroed, NSC the compensation
	// paid (negative).
	Balance   money.Cents `json:"balance_cents"`
	Charged   money.Cents `json:"charged_cents"`
	Forfeited money.Cents `json:"forfeited_cents"`
	NSC       money.Cents `json:"nsc_cents"`
	// ExportCreditsForfeited and ExportCreditsCarried are unused NBT
	// export credits at the true-up.
	ExportCreditsForfeited money.Cents `json:"export_credits_forfeited_cents,omitempty"`
	ExportCreditsCarried   money.Cents `json:"export_credits_carried_cents,omitempty"`
}

// Sum returns the total of the lines matching keep.
func (b *Bill) Sum(keep func(Line) bool) money.Cents {
	var s money.Cents
	for _, l := range b.Lines {
		if keep(l) {
			s += l.Amount
		}
	}
	return s
}

// Summary groups a bill's lines into the figures a bill summary shows.
type Summary struct {
	Start         calendar.Date `json:"start"`
	End           calendar.Date `json:"end"`
	Energy        money.Cents   `json:"energy_charge_cents"` // energy lines outside the NBC bucket, baseline credit included
	Fixed         money.Cents   `json:"fixed_charge_cents"`
	Minimum       money.Cents   `json:"minimum_charge_cents"`
	Demand        money.Cents   `json:"demand_charge_cents"`
	NBC           money.Cents   `json:"nbc_cents"`
	ExportCredit  money.Cents   `json:"export_credit_cents"` // export and ACC Plus credits applied (≤ 0)
	Discounts     money.Cents   `json:"discount_cents"`
	CPP           money.Cents   `json:"cpp_cents"`
	NEMDeferred   money.Cents   `json:"nem_deferred_cents"`
	TrueUp        money.Cents   `json:"true_up_cents"`     // true-up charges and NSC
	Credits       money.Cents   `json:"bill_credit_cents"` // one-off credits such as incentives (≤ 0)
	Total         money.Cents   `json:"total_cents"`
	Delivered     energy.Wh     `json:"delivered_wh"`
	Received      energy.Wh     `json:"received_wh"`
	Estimated     int           `json:"estimated_intervals"`
	ExportEarned  money.Cents   `json:"export_credit_earned_cents"`
	UtilityTotal  money.Cents   `json:"utility_total_cents"`
	GenerationDue money.Cents   `json:"cca_total_cents"`
}

// Summarize totals b's lines by kind.
func (b *Bill) Summarize() Summary {
	s := Summary{Start: b.Period.Start, End: b.Period.End, Total: b.Total, Delivered: b.Delivered,
		Received: b.Received, Estimated: b.Estimated, ExportEarned: b.ExportCreditEarned}
	for _, l := range b.Lines {
		switch l.Kind {
		case EnergyLine, BaselineLine:
			if l.Bucket == tariff.NBC {
				s.NBC += l.Amount
			} else {
				s.Energy += l.Amount
			}
		case FixedLine:
			s.Fixed += l.Amount
		case MinimumLine:
			s.Minimum += l.Amount
		case DemandLine:
			s.Demand += l.Amount
		case ExportCreditLine, ACCPlusLine:
			s.ExportCredit += l.Amount
		case DiscountLine:
			s.Discounts += l.Amount
		case CPPEventLine, CPPCreditLine, ProtectionLine:
			s.CPP += l.Amount
		case DeferredLine, CreditAppliedLine:
			s.NEMDeferred += l.Amount
		case CreditLine:
			s.Credits += l.Amount
		case TrueUpLine, NSCLine:
			s.TrueUp += l.Amount
		}
	}
	for _, st := range b.Sides {
		switch st.Side {
		case Utility:
			s.UtilityTotal = st.Total
		case Generation:
			s.GenerationDue = st.Total
		}
	}
	return s
}

// nanos totals the unrounded amounts of b's lines.
func (b *Bill) nanos() money.Nanos {
	var n money.Nanos
	for _, l := range b.Lines {
		n += l.Nanos
	}
	return n
}
