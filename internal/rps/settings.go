package rps

import (
	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
)

// Anchor is the day of a vintage month from which the 36-month retirement
// window of §399.21(a)(7) is counted. The statute says a REC counts only
// if retired "within 36 months from the initial date of generation of the
// associated electricity" (seed 004: 在相关电力首次产生之日起36个月内);
// WREGIS certificates carry only the month, so the day is a setting
// (research/rps.md §1.6, open item 5).
type Anchor string

// Anchors.
const (
	// AnchorMonthStart counts from the first day of the vintage month, the
	// earliest day the month's electricity can have been generated: the
	// default, because it is the only reading under which no certificate
	// is counted more than 36 months after its electricity's initial date
	// of generation (§399.21(a)(7)). Vintage 2021-03 may be retired for RPS
	// through 2024-03-01.
	AnchorMonthStart Anchor = "VINTAGE_MONTH_START"
	// AnchorMonthEnd counts from the last day of the vintage month
	// (research/rps.md's recalled convention [R]): vintage 2021-03 through
	// 2024-03-31. It would count electricity generated on 2021-03-01 that
	// was retired 36 months and 30 days later, so it is opt-in.
	AnchorMonthEnd Anchor = "VINTAGE_MONTH_END"
)

// RetireWithinMonths is the retirement window of Pub. Util. Code
// §399.21(a)(7): a REC counts for RPS only if retired within 36 months of
// the initial date of generation.
const RetireWithinMonths = 36

// LTDenominator names what the long-term requirement's 65% is a share of.
type LTDenominator string

// Long-term denominators (research/rps.md §1.5, open item 4).
const (
	// LTOfPQR measures the 65% against the period's procurement quantity
	// requirement (the default; D.17-06-026 as recalled [R]).
	LTOfPQR LTDenominator = "PQR"
	// LTOfApplied measures it against the procurement applied to the
	// period.
	LTOfApplied LTDenominator = "APPLIED"
)

// Settings are the choices the sources leave open, per seller.
type Settings struct {
	// WindowAnchor is the day the 36-month window counts from (default
	// AnchorMonthStart).
	WindowAnchor Anchor `json:"window_anchor"`
	// LongTermDenominator is what the long-term 65% applies to (default
	// LTOfPQR).
	LongTermDenominator LTDenominator `json:"long_term_denominator"`
	// BankedWithoutCategory counts banked excess applied in a later period
	// toward the requirement only; by default it keeps its PCC1 and
	// long-term standing there (research/rps.md T24 [R]).
	BankedWithoutCategory bool `json:"banked_without_category"`
	// BankCountInFull lets count-in-full (PCC0) procurement count as
	// excess after 2020; §399.13(a)(5)(B)(i) names only §399.16(b)(1)
	// products, so the default is no.
	BankCountInFull bool `json:"bank_count_in_full"`
	// EarlyOptIn applies the post-2020 excess rules and the long-term
	// requirement from the 2017–2020 period, for a seller that notified
	// the CPUC under §399.13(a)(5)(B)(iii).
	EarlyOptIn bool `json:"early_opt_in"`
	// PCC1Min, when set, is a CPUC-reduced PCC1 minimum for this seller;
	// it may not be below 65% (§399.16(e), statute not in seed).
	PCC1Min Percent `json:"pcc1_min,omitempty"`
	// RequireCPUCApproval makes count-in-full status depend on CPUC
	// approval of the contract, as §399.16(d)(2) requires of electrical
	// corporations.
	RequireCPUCApproval bool `json:"require_cpuc_approval"`
}

// DefaultSettings returns the defaults named on each field.
func DefaultSettings() Settings {
	return Settings{WindowAnchor: AnchorMonthStart, LongTermDenominator: LTOfPQR}
}

// minReducedPCC1 is the floor of a CPUC-reduced PCC1 minimum
// (Pub. Util. Code §399.16(e), statute not in seed; spec/rps.md).
const minReducedPCC1 Percent = "65"

// Validate checks the settings, filling defaults for empty fields.
func (s *Settings) Validate() error {
	var f apperr.Fields
	if s.WindowAnchor == "" {
		s.WindowAnchor = AnchorMonthStart
	}
	if s.LongTermDenominator == "" {
		s.LongTermDenominator = LTOfPQR
	}
	if s.WindowAnchor != AnchorMonthEnd && s.WindowAnchor != AnchorMonthStart {
		f.Add("window_anchor", "want %s or %s", AnchorMonthStart, AnchorMonthEnd)
	}
	if s.LongTermDenominator != LTOfPQR && s.LongTermDenominator != LTOfApplied {
		f.Add("long_term_denominator", "want %s or %s", LTOfPQR, LTOfApplied)
	}
	if s.PCC1Min != "" {
		p, err := s.PCC1Min.Fraction()
		switch {
		case err != nil:
			f.Add("pcc1_min", "%s", apperr.MessageOf(err))
		case p.Cmp(minReducedPCC1.mustFraction()) < 0:
			f.Add("pcc1_min", "the CPUC may not reduce the PCC1 minimum below %s%% (§399.16(e))", minReducedPCC1)
		}
	}
	return f.Err("rps.Settings")
}

// RetirementDeadline returns the last day on which a certificate of the
// vintage may be retired and still count for RPS: 36 months after the
// anchor day, inclusive (§399.21(a)(7)). With the month-start anchor (the
// default), vintage 2021-03 has deadline 2024-03-01; with the month-end
// anchor, 2024-03-31.
// The zero Anchor is the default, the month start.
func RetirementDeadline(v Month, a Anchor) calendar.Date {
	if a == AnchorMonthEnd {
		return v.AddMonths(RetireWithinMonths).Last()
	}
	return v.AddMonths(RetireWithinMonths).First()
}

// CountableRetirement reports whether a retirement on the given day of a
// certificate of vintage v is within the 36-month window.
func CountableRetirement(v Month, retired calendar.Date, a Anchor) bool {
	return !retired.After(RetirementDeadline(v, a))
}
