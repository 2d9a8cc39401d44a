// Package rps computes a California retail seller's (or publicly owned
// utility's) Renewables Portfolio Standard position: which facilities and
// which output are eligible (Pub. Util. Code §399.12, §399.12.5, §399.12.6,
// §399.21), which portfolio content category a procurement claim belongs
// to (§399.16), the procurement quantity requirement of a compliance
// period (§399.15(b)), the largest set of claims that respects the
// portfolio balance limits (§399.16(c)), excess procurement carried to
// later periods (§399.13(a)(5)(B)), the long-term contracting requirement
// (§399.13(b)), the annual compliance report (§399.13(a)(3)) and an hourly
// match of a green product's load against its contracted generation.
//
// Everything here is a pure function of plain Go values. Rules are data:
// the year-by-year percentages, balance limits and eras of each
// jurisdiction and compliance period live in rulesets.json with their
// citations and confidence tags ([V] verified in a primary source, [S] the
// statute as given in seed 004, [D] derived by arithmetic, [R] recalled —
// see research/rps.md), and the choices the sources leave open (the
// 36-month anchor, the long-term denominator, what banked excess carries)
// are Settings, never constants in code paths.
//
// Quantities are whole MWh (one renewable energy credit each) in int64;
// percentages are the published decimals held as exact rationals, so a
// requirement such as 21.7% × 1,000,000 MWh is exactly 217,000 MWh and a
// seller complies when it applies at least the requirement rounded up to a
// whole certificate.
package rps
