package incentive

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
)

// Coupon statuses.
const (
	CouponIssued   = "issued"
	CouponRedeemed = "redeemed"
	CouponReturned = "returned" // redeemed, then the product was returned
	CouponExpired  = "expired"
	CouponVoided   = "voided"
)

// Coupon is an instant coupon bound to one retailer and channel
// (Golden State Rebates terms, research/programs.md §4.1).
type Coupon struct {
	ID           int64         `json:"id"`
	Code         string        `json:"code"`
	ProgramID    string        `json:"program"`
	Measure      string        `json:"measure"`
	AccountID    int64         `json:"account_id"`
	HouseholdKey string        `json:"household_key"` // the premise: one household per service address
	Retailer     string        `json:"retailer"`
	Channel      string        `json:"channel"` // in_store or online
	AmountCents  money.Cents   `json:"amount_cents"`
	Issued       calendar.Date `json:"issued_on"`
	Expires      calendar.Date `json:"expires_on"` // last day it may be redeemed
	Status       string        `json:"status"`
	RedeemedOn   calendar.Date `json:"redeemed_on,omitzero"`
	ReturnedOn   calendar.Date `json:"returned_on,omitzero"`
	Ref          string        `json:"redemption_ref,omitempty"`
}

// StatusOn is the coupon's status on d: an issued coupon past its expiry
// is expired.
func (c Coupon) StatusOn(d calendar.Date) string {
	if c.Status == CouponIssued && d.After(c.Expires) {
		return CouponExpired
	}
	return c.Status
}

// CouponExpiry is the last day a coupon issued on d may be redeemed:
// December 31 of the issue year.
func CouponExpiry(d calendar.Date) calendar.Date {
	return calendar.Date{Year: d.Year, Month: 12, Day: 31}
}

// CheckCouponIssue applies the issue rules to a new coupon for a household
// and measure on d against the household's earlier coupons of the same
// measure: one live coupon at a time (a second before the first expires
// is refused; after expiry a new one may be requested), one redemption
// per household and measure within the program's look-back, and a
// returned product blocks new coupons for ReturnBlockYears after the
// return. Refusals are Conflict errors saying why and until when.
func CheckCouponIssue(p Program, prior []Coupon, d calendar.Date) error {
	const op = "incentive.CheckCouponIssue"
	if p.Coupon == nil {
		return apperr.Invalidf(op, "program %s does not issue coupons", p.ID)
	}
	for _, c := range prior {
		switch c.StatusOn(d) {
		case CouponIssued:
			return apperr.Conflictf(op, "coupon %s for this household and measure is still valid until %s", c.Code, c.Expires)
		case CouponRedeemed:
			if until := addYears(c.RedeemedOn, p.LookbackYears); d.Before(until) {
				return apperr.Conflictf(op, "coupon %s was redeemed on %s: one per household per measure until %s", c.Code, c.RedeemedOn, until)
			}
		case CouponReturned:
			if until := addYears(c.ReturnedOn, p.Coupon.ReturnBlockYears); d.Before(until) {
				return apperr.Conflictf(op, "the product bought with coupon %s was returned on %s: no new coupon until %s", c.Code, c.ReturnedOn, until)
			}
		}
	}
	return nil
}

// addYears moves d by n years (February 29 becomes March 1).
func addYears(d calendar.Date, n int) calendar.Date {
	t, err := calendar.NewDate(d.Year+n, d.Month, d.Day)
	if err != nil {
		return calendar.Date{Year: d.Year + n, Month: 3, Day: 1}
	}
	return t
}

// CheckRedeem checks a redemption of c at retailer through channel on d:
// the coupon is issued (not redeemed, voided or expired), bound to that
// retailer and channel, and redeemed by its expiry.
func CheckRedeem(c Coupon, retailer, channel string, d calendar.Date) error {
	const op = "incentive.CheckRedeem"
	switch s := c.StatusOn(d); s {
	case CouponIssued:
	case CouponExpired:
		return apperr.Conflictf(op, "coupon %s expired on %s", c.Code, c.Expires)
	default:
		return apperr.Conflictf(op, "coupon %s is %s and cannot be redeemed again", c.Code, s)
	}
	if !strings.EqualFold(c.Retailer, retailer) {
		return apperr.Conflictf(op, "coupon %s is bound to retailer %s, not %s", c.Code, c.Retailer, retailer)
	}
	if c.Channel != channel {
		return apperr.Conflictf(op, "coupon %s is for %s purchases, not %s", c.Code, c.Channel, channel)
	}
	return nil
}

// Risk flags a screen raises, with what each does to an application.
const (
	FlagDuplicateSerial    = "duplicate_serial"                  // on hold
	FlagDuplicateInvoice   = "duplicate_invoice"                 // on hold
	FlagDuplicateHousehold = "duplicate_household_measure"       // rejected
	FlagNotCCACustomer     = "not_cca_customer_on_purchase_date" // rejected
	FlagPayeeAnomaly       = "payee_anomaly"                     // on hold
)

// Claim is what the fraud and duplicate screen needs of an application.
type Claim struct {
	ApplicationID int64
	ProgramID     string
	Measure       string
	HouseholdKey  string
	Serials       []string
	InvoiceNumber string
	Contractor    string
	Payee         string // normalised payee (bank account or mailing address)
	PurchaseDate  calendar.Date
	Status        Status
	Decided       calendar.Date // when it was approved or paid (for the look-back)
}

// Service is when an account was served by the CCA.
type Service struct {
	Start, End calendar.Date // End zero while served
	CCA        bool
}

// Screen runs the fraud and duplicate checks of research/programs.md §4.3
// on claim c against every other application: equipment serial numbers
// and invoice numbers unique across programs, one per household per
// measure within the program's look-back, the account served by the CCA
// on the purchase date, and payees receiving many rebates. It returns
// the flags with why; RejectFlags and HoldFlags say what they do.
func Screen(p Program, c Claim, others []Claim, svc Service, payeeLimit int) []RiskFlag {
	var out []RiskFlag
	if !c.PurchaseDate.IsZero() && (!svc.CCA || c.PurchaseDate.Before(svc.Start) || (!svc.End.IsZero() && !c.PurchaseDate.Before(svc.End))) {
		out = append(out, RiskFlag{FlagNotCCACustomer, fmt.Sprintf("the account was not served by the CCA on the purchase date %s", c.PurchaseDate)})
	}
	payees := 0
	for _, o := range others {
		if o.ApplicationID == c.ApplicationID || o.Status == Rejected || o.Status == Withdrawn || o.Status == Draft {
			continue
		}
		for _, s := range c.Serials {
			if s != "" && slices.ContainsFunc(o.Serials, func(x string) bool { return strings.EqualFold(x, s) }) {
				out = append(out, RiskFlag{FlagDuplicateSerial, fmt.Sprintf("serial %s is also on application %d (%s)", s, o.ApplicationID, o.ProgramID)})
			}
		}
		if c.InvoiceNumber != "" && strings.EqualFold(o.InvoiceNumber, c.InvoiceNumber) && o.Contractor == c.Contractor {
			out = append(out, RiskFlag{FlagDuplicateInvoice, fmt.Sprintf("invoice %s is also on application %d", c.InvoiceNumber, o.ApplicationID)})
		}
		if p.OnePerHousehold && o.ProgramID == c.ProgramID && o.Measure == c.Measure && o.HouseholdKey == c.HouseholdKey && c.HouseholdKey != "" {
			when := o.Decided
			if when.IsZero() || !c.PurchaseDate.IsZero() && c.PurchaseDate.Before(addYears(when, p.LookbackYears)) {
				out = append(out, RiskFlag{FlagDuplicateHousehold, fmt.Sprintf("application %d is for the same household and measure within %d years", o.ApplicationID, p.LookbackYears)})
			}
		}
		if c.Payee != "" && strings.EqualFold(o.Payee, c.Payee) {
			payees++
		}
	}
	if payeeLimit > 0 && payees >= payeeLimit {
		out = append(out, RiskFlag{FlagPayeeAnomaly, fmt.Sprintf("the payee already receives %d other rebates", payees)})
	}
	return out
}

// RiskFlag is one finding of Screen.
type RiskFlag struct {
	Code   string `json:"code"`
	Detail string `json:"detail"`
}

// Outcome is what the flags do to an application: Rejected when one
// rules it out, OnHold when a person must review it, "" when clean.
func Outcome(flags []RiskFlag) Status {
	out := Status("")
	for _, f := range flags {
		switch f.Code {
		case FlagNotCCACustomer, FlagDuplicateHousehold:
			return Rejected
		case FlagDuplicateSerial, FlagDuplicateInvoice, FlagPayeeAnomaly:
			out = OnHold
		}
	}
	return out
}

// GrantPolicy says what happens to a grant request the remaining fund
// cannot cover in full.
type GrantPolicy string

// Grant policies.
const (
	GrantPartial  GrantPolicy = "partial"  // award what is left
	GrantWaitlist GrantPolicy = "waitlist" // wait for funds
)

// Award decides a grant: the request bounded by the per-agency cap (less
// what the agency already holds for the pathway), then by the fund's
// available amount under the policy. It returns the award, whether the
// request waits, and the trace.
func Award(requested, capCents, alreadyAwarded, available money.Cents, policy GrantPolicy) (money.Cents, bool, []Step) {
	var trace []Step
	amt := requested
	room := max(capCents-alreadyAwarded, 0)
	if capCents > 0 && amt > room {
		r := room
		trace = append(trace, Step{Rule: "cap.agency_pathway", Outcome: "capped", AmountCents: &r,
			Detail: fmt.Sprintf("request %s capped at %s (cap %s less %s already awarded)", requested, room, capCents, alreadyAwarded)})
		amt = room
	}
	if amt > available {
		if policy == GrantWaitlist {
			trace = append(trace, Step{Rule: "fund", Outcome: "waitlisted", Detail: fmt.Sprintf("%s available, %s needed", available, amt)})
			return 0, true, trace
		}
		a := available
		trace = append(trace, Step{Rule: "fund", Outcome: "capped", AmountCents: &a, Detail: fmt.Sprintf("partial award: %s available", available)})
		amt = available
	}
	return amt, false, trace
}

// Subscriber is one customer on a Community Solar Green Tariff roster.
type Subscriber struct {
	AccountID       int64
	IncomeQualified bool  // on CARE or FERA
	MilesMicro      int64 // distance from the project in micro-miles
}

// CSGTRules are the Community Solar Green Tariff roster rules (CPA's CSGT:
// ≥ 50% of subscribers on CARE/FERA, subscribers within 5 miles of the
// project; research/programs.md §5).
type CSGTRules struct {
	MinIncomeQualifiedBP int64 // 5000
	RadiusMicroMiles     int64 // 5,000,000
}

// CheckRoster returns the roster's problems: subscribers outside the
// radius, and an income-qualified share below the minimum.
func CheckRoster(r CSGTRules, subs []Subscriber) []string {
	var out []string
	iq := 0
	for _, s := range subs {
		if s.MilesMicro > r.RadiusMicroMiles {
			out = append(out, fmt.Sprintf("account %d is %s miles from the project (radius %s)", s.AccountID, formatMicro(s.MilesMicro), formatMicro(r.RadiusMicroMiles)))
		}
		if s.IncomeQualified {
			iq++
		}
	}
	if len(subs) > 0 && int64(iq)*10_000 < r.MinIncomeQualifiedBP*int64(len(subs)) {
		out = append(out, fmt.Sprintf("%d of %d subscribers are on CARE/FERA, below the required %s", iq, len(subs), bpPercent(r.MinIncomeQualifiedBP)))
	}
	return out
}

func bpPercent(bp int64) string { return formatMicro(bp*100) + "%" }

// Candidate is an account considered for automatic Power Share enrolment.
type Candidate struct {
	AccountID    int64
	ArrearsCents money.Cents // past-due balance
	Notices      int         // disconnection notices in the last 12 months
}

// RankByDisconnectionRisk orders eligible candidates for automatic
// enrolment, highest risk first (more notices, then larger arrears, then
// account id), and returns at most capacity of them (seed 000: Power
// Share auto-enrolment prioritises customers at higher risk of
// disconnection).
func RankByDisconnectionRisk(cands []Candidate, capacity int) []Candidate {
	out := slices.Clone(cands)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Notices != b.Notices {
			return a.Notices > b.Notices
		}
		if a.ArrearsCents != b.ArrearsCents {
			return a.ArrearsCents > b.ArrearsCents
		}
		return a.AccountID < b.AccountID
	})
	if capacity < len(out) {
		out = out[:max(capacity, 0)]
	}
	return out
}

// Investment is a CALeVIP charger investment.
type Investment struct {
	County      string // county FIPS
	AmountCents money.Cents
	Equity      bool // in a disadvantaged or low-income community
	Chargers    int  // Level 2 chargers funded
}

// EquityTargetsBP are CALeVIP's equity shares by county (seed 000: at
// least 50% of Ventura County and at least 60% of Los Angeles County
// investment goes to disadvantaged or low-income communities).
var EquityTargetsBP = map[string]int64{"06111": 5000, "06037": 6000}

// CountyEquity is one county's investment and equity share.
type CountyEquity struct {
	County         string      `json:"county"`
	TotalCents     money.Cents `json:"total_cents"`
	EquityCents    money.Cents `json:"equity_cents"`
	Chargers       int         `json:"chargers"`
	TargetBP       int64       `json:"target_bp"`
	MeetsTarget    bool        `json:"meets_target"`
	ShareBPFloor   int64       `json:"share_bp_floor"` // equity share rounded down to the basis point
	EquityChargers int         `json:"equity_chargers"`
}

// Equity sums investments by county and checks each against its target.
func Equity(inv []Investment) []CountyEquity {
	by := map[string]*CountyEquity{}
	for _, i := range inv {
		c := by[i.County]
		if c == nil {
			c = &CountyEquity{County: i.County, TargetBP: EquityTargetsBP[i.County]}
			by[i.County] = c
		}
		c.TotalCents += i.AmountCents
		c.Chargers += i.Chargers
		if i.Equity {
			c.EquityCents += i.AmountCents
			c.EquityChargers += i.Chargers
		}
	}
	var out []CountyEquity
	for _, k := range sortedKeys(by) {
		c := by[k]
		if c.TotalCents > 0 {
			c.ShareBPFloor = int64(c.EquityCents) * 10_000 / int64(c.TotalCents)
		}
		// exact: equity/total ≥ target/10,000
		c.MeetsTarget = int64(c.EquityCents)*10_000 >= c.TargetBP*int64(c.TotalCents)
		out = append(out, *c)
	}
	return out
}
