package rps

import (
	"fmt"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
)

// DeliveryMethod is how a contract's renewable electricity reaches a
// California balancing authority, which decides its portfolio content
// category (§399.16(b); D.11-12-052 recognises each method).
type DeliveryMethod string

// Delivery methods.
const (
	// DeliverInCBA: the facility's first point of interconnection is in a
	// California balancing authority area, or on distribution facilities
	// serving end users there (§399.16(b)(1)(A)): PCC1.
	DeliverInCBA DeliveryMethod = "in_cba"
	// DeliverHourlySchedule: scheduled into a CBA hourly or sub-hourly
	// without substitution; only the hourly lesser of generation and
	// schedule is PCC1 (§399.16(b)(1)(A)).
	DeliverHourlySchedule DeliveryMethod = "hourly_schedule"
	// DeliverDynamicTransfer: dynamically transferred into a CBA
	// (§399.16(b)(1)(B)): PCC1.
	DeliverDynamicTransfer DeliveryMethod = "dynamic_transfer"
	// DeliverFirmedShaped: firmed and shaped, providing incremental
	// electricity scheduled into a CBA (§399.16(b)(2)): PCC2.
	DeliverFirmedShaped DeliveryMethod = "firmed_shaped"
	// DeliverUnbundled: the REC without the electricity (§399.16(b)(3)):
	// PCC3.
	DeliverUnbundled DeliveryMethod = "unbundled"
)

// DeliveryMethods lists every method.
var DeliveryMethods = []DeliveryMethod{DeliverInCBA, DeliverHourlySchedule, DeliverDynamicTransfer, DeliverFirmedShaped, DeliverUnbundled}

// AmendmentKind is what a contract amendment changes.
type AmendmentKind string

// Amendment kinds.
const (
	AmendExtension          AmendmentKind = "extension"             // the term is extended to NewEnd
	AmendCapacityIncrease   AmendmentKind = "capacity_increase"     // nameplate capacity increased
	AmendGenerationIncrease AmendmentKind = "generation_increase"   // expected annual generation increased
	AmendSubstitution       AmendmentKind = "resource_substitution" // a different resource substituted
	AmendOther              AmendmentKind = "other"                 // price or other terms
)

// Amendment is a change to a contract on a date.
type Amendment struct {
	Date   calendar.Date `json:"date"`
	Kind   AmendmentKind `json:"kind"`
	NewEnd calendar.Date `json:"new_end,omitzero"` // extension: the new end of deliveries (exclusive)
	Note   string        `json:"note,omitempty"`
}

// Contract is a procurement contract or ownership agreement.
type Contract struct {
	ID           int64          `json:"id"`
	Name         string         `json:"name"`
	Counterparty string         `json:"counterparty"`
	FacilityID   int64          `json:"facility_id"`
	Executed     calendar.Date  `json:"executed"`
	Start        calendar.Date  `json:"delivery_start"`
	End          calendar.Date  `json:"delivery_end"` // exclusive
	Ownership    bool           `json:"ownership"`
	Delivery     DeliveryMethod `json:"delivery"`
	// CPUCApproved is needed for count-in-full status of an electrical
	// corporation's contract (§399.16(d)(2)), even if approval came after
	// 2010-06-01.
	CPUCApproved bool `json:"cpuc_approved"`
	// EligibleWhenSigned: the resource met the rules in force when the
	// contract was executed (§399.16(d)(1)).
	EligibleWhenSigned bool        `json:"eligible_when_signed"`
	Amendments         []Amendment `json:"amendments"`
}

// Validate checks a contract: dates in order, a known delivery method, and
// amendments on or after execution in date order (an amendment before its
// contract's execution date is refused).
func (c *Contract) Validate() error {
	var f apperr.Fields
	if c.Name == "" {
		f.Add("name", "is required")
	}
	if c.FacilityID <= 0 {
		f.Add("facility_id", "is required")
	}
	if c.Executed.IsZero() {
		f.Add("executed", "is required")
	}
	if c.Start.IsZero() || c.End.IsZero() || !c.End.After(c.Start) {
		f.Add("delivery_end", "deliveries need a start and an end after it")
	}
	if !c.Executed.IsZero() && !c.Start.IsZero() && c.Start.Before(c.Executed) {
		f.Add("delivery_start", "deliveries cannot start (%v) before the contract is executed (%v)", c.Start, c.Executed)
	}
	known := false
	for _, d := range DeliveryMethods {
		known = known || d == c.Delivery
	}
	if !known {
		f.Add("delivery", "want one of in_cba, hourly_schedule, dynamic_transfer, firmed_shaped, unbundled")
	}
	end := c.End
	for i, a := range c.Amendments {
		field := fmt.Sprintf("amendments[%d]", i)
		switch {
		case a.Date.IsZero():
			f.Add(field+".date", "is required")
		case !c.Executed.IsZero() && a.Date.Before(c.Executed):
			f.Add(field+".date", "an amendment (%v) cannot precede the contract's execution (%v)", a.Date, c.Executed)
		case i > 0 && a.Date.Before(c.Amendments[i-1].Date):
			f.Add(field+".date", "amendments must be in date order")
		}
		switch a.Kind {
		case AmendExtension:
			if a.NewEnd.IsZero() || !a.NewEnd.After(end) {
				f.Add(field+".new_end", "an extension needs a new end after the current end %v", end)
			} else {
				end = a.NewEnd
			}
		case AmendCapacityIncrease, AmendGenerationIncrease, AmendSubstitution, AmendOther:
		default:
			f.Add(field+".kind", "want extension, capacity_increase, generation_increase, resource_substitution or other")
		}
	}
	return f.Err("rps.Contract")
}

// longTermYears is the duration that makes a contract long-term
// (§399.13(b): "contracts of 10 years or more in duration").
const longTermYears = 10

// LongTermOn reports whether deliveries on day d count as long-term
// procurement (§399.13(b)): ownership, or a contract of at least 10 years
// (deliveries from Start to End), or one initially of 10 years extended by
// any length; a shorter contract becomes long-term from the date of an
// amendment extending it by at least 10 continuous years, and a short
// extension of a short contract never counts (the CPUC definition, DWT
// 2020 summary [V]; research/rps.md T12).
func (c *Contract) LongTermOn(d calendar.Date) bool {
	if c.Ownership || !addYears(c.Start, longTermYears).After(c.End) {
		return true
	}
	end := c.End
	for _, a := range c.Amendments {
		if a.Kind != AmendExtension {
			continue
		}
		if !addYears(end, longTermYears).After(a.NewEnd) && !d.Before(a.Date) {
			return true
		}
		end = a.NewEnd
	}
	return false
}

// countInFullYears is the original commitment that allows a
// count-in-full contract's term to be extended (§399.16(d)(3)).
const countInFullYears = 15

// CountInFullOn reports whether deliveries on day d under the contract
// count in full (PCC0, §399.16(d)), and if not, why: the contract was
// first executed before balanceFrom (2010-06-01), the resource met the
// rules then in force, an electrical corporation's contract was approved
// by the CPUC (when requireApproval), and no amendment on or after
// 2010-06-01 increased nameplate capacity or expected generation,
// substituted a resource, or extended the term of an original commitment
// shorter than 15 years. A disqualifying amendment ends count-in-full
// status for deliveries from its date on (the whole output, not only the
// increment: pinned, research/rps.md T13b).
func (c *Contract) CountInFullOn(d, balanceFrom calendar.Date, requireApproval bool) (bool, string) {
	switch {
	case !c.Executed.Before(balanceFrom):
		return false, fmt.Sprintf("executed %v, not before %v", c.Executed, balanceFrom)
	case !c.EligibleWhenSigned:
		return false, "the resource did not meet the rules in force when the contract was executed (§399.16(d)(1))"
	case requireApproval && !c.CPUCApproved:
		return false, "the contract was not approved by the CPUC (§399.16(d)(2))"
	}
	original := !addYears(c.Start, countInFullYears).After(c.End)
	for _, a := range c.Amendments {
		if a.Date.Before(balanceFrom) || d.Before(a.Date) {
			continue
		}
		switch a.Kind {
		case AmendCapacityIncrease, AmendGenerationIncrease, AmendSubstitution:
			return false, fmt.Sprintf("amended %v (%s) after %v (§399.16(d)(3))", a.Date, a.Kind, balanceFrom)
		case AmendExtension:
			if !original {
				return false, fmt.Sprintf("term extended %v although the original commitment was under %d years (§399.16(d)(3))", a.Date, countInFullYears)
			}
		}
	}
	return true, ""
}

// HourDelivery is one hour of an out-of-state resource scheduled into a
// California balancing authority: metered generation and the e-tagged
// energy scheduled.
type HourDelivery struct {
	Hour      time.Time `json:"hour"`
	Generated energy.Wh `json:"generated_wh"`
	Scheduled energy.Wh `json:"scheduled_wh"`
}

// Classified is a quantity of certificates in one category.
type Classified struct {
	PCC PCC   `json:"pcc"`
	MWh int64 `json:"mwh"`
}

// Classify assigns the category of mwh certificates delivered on day d
// under contract c from facility f (§399.16): count in full when the
// contract qualifies; otherwise by delivery method. For hourly scheduling
// only Σ min(generation, schedule) over the hours is PCC1, in whole MWh
// rounded down and at most mwh; the rest is PCC3, since its energy was
// not delivered (research/rps.md T15: 100/80/120 generated against 90/90/90
// scheduled is 260 PCC1 and 40 not PCC1).
func Classify(c *Contract, f *Facility, d calendar.Date, mwh int64, balanceFrom calendar.Date, requireApproval bool, hours []HourDelivery) ([]Classified, error) {
	const op = "rps.Classify"
	if ok, _ := c.CountInFullOn(d, balanceFrom, requireApproval); ok {
		return []Classified{{PCC0, mwh}}, nil
	}
	switch c.Delivery {
	case DeliverInCBA:
		if !f.InCBA {
			return nil, apperr.Invalidf(op, "contract %q delivers in a California balancing authority, but facility %q connects first to %s, outside one (§399.16(b)(1)(A))",
				c.Name, f.Name, f.BalancingAuthority)
		}
		return []Classified{{PCC1, mwh}}, nil
	case DeliverDynamicTransfer:
		return []Classified{{PCC1, mwh}}, nil
	case DeliverFirmedShaped:
		return []Classified{{PCC2, mwh}}, nil
	case DeliverUnbundled:
		return []Classified{{PCC3, mwh}}, nil
	case DeliverHourlySchedule:
		if len(hours) == 0 {
			return nil, apperr.Invalidf(op, "contract %q is scheduled hourly: the hourly generation and e-tag schedule are needed to count PCC1", c.Name)
		}
		var matched energy.Wh
		for _, h := range hours {
			matched += min(max(h.Generated, 0), max(h.Scheduled, 0))
		}
		pcc1, _ := energy.SplitMWh(matched)
		pcc1 = min(pcc1, mwh)
		out := []Classified{{PCC1, pcc1}}
		if mwh > pcc1 {
			out = append(out, Classified{PCC3, mwh - pcc1})
		}
		return out, nil
	}
	return nil, apperr.Invalidf(op, "contract %q has no delivery method", c.Name)
}
