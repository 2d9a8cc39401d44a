package rps

import (
	"fmt"
	"math/big"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

// PCC is a portfolio content category (§399.16(b)); PCC0 marks
// procurement that counts in full under §399.16(d).
type PCC int

// Portfolio content categories.
const (
	PCC0 PCC = iota // count in full: contracts executed before 2010-06-01 (§399.16(d))
	PCC1            // bundled, first interconnection in a CBA, hourly-scheduled without substitution or dynamically transferred (§399.16(b)(1))
	PCC2            // firmed and shaped (§399.16(b)(2))
	PCC3            // everything else, including unbundled RECs (§399.16(b)(3))
)

// String names the category: "PCC0" … "PCC3".
func (p PCC) String() string { return fmt.Sprintf("PCC%d", int(p)) }

// Valid reports whether p is PCC0 to PCC3.
func (p PCC) Valid() bool { return p >= PCC0 && p <= PCC3 }

// Claim is retired certificates applied to a compliance period: the
// category, count-in-full and long-term status come from the contract and
// delivery evidence, never from the certificate (research/rps.md §1.2).
type Claim struct {
	ID               string        `json:"id,omitempty"`
	PCC              PCC           `json:"pcc"`
	MWh              int64         `json:"mwh"`
	ContractExecuted calendar.Date `json:"contract_executed"`
	LongTerm         bool          `json:"long_term"`
	// Vintage and Retired, when given, are checked against the 36-month
	// window (§399.21(a)(7)) and the period (a REC counts for the period
	// in which it was generated [R]).
	Vintage Month         `json:"vintage,omitzero"`
	Retired calendar.Date `json:"retired,omitzero"`
}

// Input is everything a period's position depends on.
type Input struct {
	Rules       RuleSet
	Settings    Settings
	RetailSales map[int]int64 // MWh by year
	Claims      []Claim
	// Bank is excess procurement carried in from earlier periods, MWh.
	Bank int64
}

// Violation is an obligation the position fails, with the rule.
type Violation struct {
	Rule     string `json:"rule"`
	Citation string `json:"citation"`
	Message  string `json:"message"`
	MWh      int64  `json:"mwh"`
}

// Excluded is a claim (or part of the available procurement) that is not
// applied, with the rule that excludes it.
type Excluded struct {
	ClaimID  string `json:"claim_id,omitempty"`
	PCC      PCC    `json:"pcc"`
	MWh      int64  `json:"mwh"`
	Rule     string `json:"rule"`
	Citation string `json:"citation"`
}

// Result is a seller's position for one period.
type Result struct {
	Jurisdiction Jurisdiction      `json:"jurisdiction"`
	Period       string            `json:"period"`
	Years        []YearRequirement `json:"years"`
	PQR          *big.Rat          `json:"-"`
	// PQRMWh is the requirement rounded up to whole certificates: the
	// seller complies when it applies at least this many.
	PQRMWh    int64    `json:"pqr_mwh"`
	Available [4]int64 `json:"available_by_pcc"`
	// Applied is what is applied per category from this period's claims.
	Applied [4]int64 `json:"applied_by_pcc"`
	// BankApplied is banked excess from earlier periods applied here.
	BankApplied  int64 `json:"bank_applied_mwh"`
	AppliedTotal int64 `json:"applied_mwh"`
	// PCC1Share and PCC3Share are shares of the balance denominator
	// (applied PCC1+PCC2+PCC3, with banked excess as PCC1 unless
	// Settings.BankedWithoutCategory).
	PCC1Share *big.Rat `json:"-"`
	PCC3Share *big.Rat `json:"-"`
	Shortfall int64    `json:"shortfall_mwh"`
	// Excess is this period's excess procurement; BankOut is what is
	// carried to the next period (unused bank plus Excess).
	Excess  int64     `json:"excess_mwh"`
	BankOut int64     `json:"bank_out_mwh"`
	Era     ExcessEra `json:"excess_era"`
	// Long-term requirement (zero Required when the period has none).
	LongTermRequired  *big.Rat    `json:"-"`
	LongTermApplied   int64       `json:"long_term_applied_mwh"`
	LongTermShortfall int64       `json:"long_term_shortfall_mwh"`
	Violations        []Violation `json:"violations"`
	Excluded          []Excluded  `json:"excluded"`
}

// Complies reports whether the position has no violation.
func (r *Result) Complies() bool { return len(r.Violations) == 0 }

// Citations used by Compute.
const (
	citePQR      = "Pub. Util. Code §399.15(b)(2); D.11-12-020"
	citeLongTerm = "Pub. Util. Code §399.13(b)"
	citeWindow   = "Pub. Util. Code §399.21(a)(7)"
	citePCC1     = "Pub. Util. Code §399.16(c)(1)"
	citePCC3     = "Pub. Util. Code §399.16(c)(2)"
	citePCC0     = "Pub. Util. Code §399.16(d)"
)

// validClaims checks each claim and sums what can be applied: per
// category, in total and from long-term contracts. Claims that cannot
// count (outside the window or the period) are excluded with the rule.
func validClaims(in *Input, out *Result) (avail, availLT [4]int64, err error) {
	var f apperr.Fields
	for i, c := range in.Claims {
		field := func() string { return fmt.Sprintf("claims[%d]", i) }
		switch {
		case !c.PCC.Valid():
			f.Add(field()+".pcc", "must be 0, 1, 2 or 3")
			continue
		case c.MWh <= 0:
			f.Add(field()+".mwh", "must be a positive whole number of MWh")
			continue
		case c.ContractExecuted.IsZero():
			f.Add(field()+".contract_executed", "is required (it decides whether the balance limits apply)")
			continue
		case c.PCC == PCC0 && !c.ContractExecuted.Before(in.Rules.BalanceFrom):
			f.Add(field()+".pcc", "count in full (0) needs a contract executed before %v, not %v (%s)", in.Rules.BalanceFrom, c.ContractExecuted, citePCC0)
			continue
		}
		if !c.Vintage.IsZero() && !in.Rules.Contains(c.Vintage.Year) {
			out.Excluded = append(out.Excluded, Excluded{ClaimID: c.ID, PCC: c.PCC, MWh: c.MWh,
				Rule: fmt.Sprintf("generated in %v, outside the period %s; only excess procurement crosses periods", c.Vintage, in.Rules.Period), Citation: "Pub. Util. Code §399.13(a)(5)(B)"})
			continue
		}
		if !c.Vintage.IsZero() && !c.Retired.IsZero() && !CountableRetirement(c.Vintage, c.Retired, in.Settings.WindowAnchor) {
			out.Excluded = append(out.Excluded, Excluded{ClaimID: c.ID, PCC: c.PCC, MWh: c.MWh,
				Rule: fmt.Sprintf("retired %v, after the 36-month deadline %v for vintage %v", c.Retired, RetirementDeadline(c.Vintage, in.Settings.WindowAnchor), c.Vintage), Citation: citeWindow})
			continue
		}
		avail[c.PCC] += c.MWh
		if c.LongTerm {
			availLT[c.PCC] += c.MWh
		}
	}
	return avail, availLT, f.Err("rps.Compute")
}

// Compute returns the seller's position for the period: the requirement,
// the largest applied set under the balance limits, banked excess applied
// only as far as needed, the shortfall, this period's excess and the bank
// carried on, and the long-term requirement.
func Compute(in Input) (*Result, error) {
	if err := in.Rules.Validate(); err != nil {
		return nil, err
	}
	if err := in.Settings.Validate(); err != nil {
		return nil, err
	}
	if in.Bank < 0 {
		var f apperr.Fields
		f.Add("banked_excess_mwh", "must not be negative")
		return nil, f.Err("rps.Compute")
	}
	r := &in.Rules
	out := &Result{Jurisdiction: r.Jurisdiction, Period: r.Period, Era: r.ExcessEra, Violations: []Violation{}, Excluded: []Excluded{}}
	pqr, years, err := PQR(r, in.RetailSales)
	if err != nil {
		return nil, err
	}
	out.PQR, out.Years, out.PQRMWh = pqr, years, ceilRat(pqr)
	avail, availLT, err := validClaims(&in, out)
	if err != nil {
		return nil, err
	}
	out.Available = avail

	minPCC1, maxPCC3 := r.PCC1Min.mustFraction(), r.PCC3Max.mustFraction()
	if in.Settings.PCC1Min != "" && !r.BalanceExempt {
		minPCC1 = in.Settings.PCC1Min.mustFraction()
	}
	bankAsPCC1 := !in.Settings.BankedWithoutCategory
	// apply returns the balanced set with b MWh of banked excess (as PCC1
	// in the balance unless settings say otherwise) and the total applied.
	apply := func(b int64) (Balance, int64) {
		av := Balance{PCC1: avail[PCC1], PCC2: avail[PCC2], PCC3: avail[PCC3]}
		if bankAsPCC1 {
			av.PCC1 += b
		}
		bal := MaxApplicable(minPCC1, maxPCC3, av)
		if bankAsPCC1 {
			bal.PCC1 -= b
		}
		return bal, avail[PCC0] + bal.Total() + b
	}
	bal, total := apply(0)
	b := int64(0)
	if total < out.PQRMWh && in.Bank > 0 {
		// The least bank that meets the requirement (or all of it): total
		// grows with b, so search.
		lo, hi := int64(1), in.Bank
		if _, t := apply(hi); t < out.PQRMWh {
			lo = hi
		}
		for lo < hi {
			mid := lo + (hi-lo)/2
			if _, t := apply(mid); t >= out.PQRMWh {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		b = lo
		bal, total = apply(b)
	}
	out.Applied = [4]int64{avail[PCC0], bal.PCC1, bal.PCC2, bal.PCC3}
	out.BankApplied, out.AppliedTotal = b, total
	den := bal.Total()
	num1 := bal.PCC1
	if bankAsPCC1 {
		den += b
		num1 += b
	}
	out.PCC1Share, out.PCC3Share = ratio(num1, den), ratio(bal.PCC3, den)
	for c := PCC1; c <= PCC3; c++ {
		if left := avail[c] - out.Applied[c]; left > 0 {
			rule, cite := fmt.Sprintf("above the %s%% PCC3 maximum of the applied total", r.PCC3Max), citePCC3
			if c != PCC3 {
				rule, cite = fmt.Sprintf("beyond what the %s%% PCC1 minimum supports", percentOf(minPCC1)), citePCC1
			}
			out.Excluded = append(out.Excluded, Excluded{PCC: c, MWh: left, Rule: rule, Citation: cite})
		}
	}

	if out.Shortfall = max(0, out.PQRMWh-total); out.Shortfall > 0 {
		out.Violations = append(out.Violations, Violation{Rule: "procurement quantity requirement", Citation: citePQR, MWh: out.Shortfall,
			Message: fmt.Sprintf("applied %d MWh of a %d MWh requirement: %d MWh short", total, out.PQRMWh, out.Shortfall)})
	}

	// Within a category long-term certificates are applied first, so the
	// long-term part of what is applied is min(applied, available LT).
	// stApplied is the short-term PCC1 and PCC2 applied (PCC3 is deducted
	// whole before 2021, and count in full is never deducted).
	var ltApplied, stApplied int64
	for c := PCC0; c <= PCC3; c++ {
		lt := min(out.Applied[c], availLT[c])
		ltApplied += lt
		if c == PCC1 || c == PCC2 {
			stApplied += out.Applied[c] - lt
		}
	}
	era := r.ExcessEra
	ltMin := r.LongTermMin.mustFraction()
	if in.Settings.EarlyOptIn && r.FirstYear == 2017 {
		// §399.13(a)(5)(B)(iii): the post-2020 rules from 2017.
		era, ltMin = EraSB350, big.NewRat(65, 100)
	}
	out.Era = era
	if out.Shortfall == 0 {
		surplus := new(big.Rat).Sub(new(big.Rat).SetInt64(total), pqr)
		switch era {
		case EraSB2:
			// SB 2 (1X) / D.12-06-038 as recalled [R]; CEC 20 CCR §3206(a)(1)
			// [V]: deduct short-term contracts (except count in full) and
			// PCC3 before comparing with the requirement.
			surplus.Sub(surplus, new(big.Rat).SetInt64(stApplied+out.Applied[PCC3]))
			out.Excess = max(0, floorRat(surplus))
		case EraSB350:
			// §399.13(a)(5)(B)(i)-(ii): only PCC1 may be banked; counted
			// PCC2/PCC3 are not deducted.
			bankable := out.Applied[PCC1]
			if in.Settings.BankCountInFull {
				bankable += out.Applied[PCC0]
			}
			out.Excess = max(0, min(floorRat(surplus), bankable))
		}
	}
	out.BankOut = in.Bank - b + out.Excess

	out.LongTermApplied = ltApplied
	if bankAsPCC1 {
		out.LongTermApplied += b
	}
	out.LongTermRequired = new(big.Rat)
	if ltMin.Sign() > 0 {
		base := pqr
		if in.Settings.LongTermDenominator == LTOfApplied {
			base = new(big.Rat).SetInt64(total)
		}
		out.LongTermRequired = new(big.Rat).Mul(ltMin, base)
		if out.LongTermShortfall = max(0, ceilRat(out.LongTermRequired)-out.LongTermApplied); out.LongTermShortfall > 0 {
			out.Violations = append(out.Violations, Violation{Rule: "long-term contracting requirement", Citation: citeLongTerm, MWh: out.LongTermShortfall,
				Message: fmt.Sprintf("%d MWh from contracts of 10 years or more or ownership; %s%% of the %s is %s MWh: %d MWh short",
					out.LongTermApplied, percentOf(ltMin), denominatorName(in.Settings.LongTermDenominator), RatString(out.LongTermRequired, 2), out.LongTermShortfall)})
		}
	}
	return out, nil
}

// percentOf writes a fraction as a percentage without trailing zeros.
func percentOf(f *big.Rat) string {
	s := new(big.Rat).Mul(f, big.NewRat(100, 1)).FloatString(4)
	for s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

func denominatorName(d LTDenominator) string {
	if d == LTOfApplied {
		return "applied procurement"
	}
	return "requirement"
}
