// Package costeff measures what energy-efficiency programs cost per unit
// of energy saved and whether they pass the CPUC's cost-effectiveness
// tests.
//
//   - The first-year metric: budget ÷ first-year kWh saved, exact, shown
//     as the seed's PG&E 2015 residential table rounds it ($0.19, $0.52,
//     $1.5, $2.7, $5.2, N/A, $15.1 — below $1 to the cent, above to the
//     dime), always labelled "$ per first-year kWh" and compared with the
//     retail price. N/A where data is missing, never 0.
//   - The CPUC Cost Effectiveness Tool's tests (Standard Practice Manual as
//     the CET implements them; research/programs.md §1): measure claims in
//     the CET's CEDARS field layout give first-year, lifecycle and present-
//     value net savings (annuity-due factor), TRC, PAC, RIM and SCT costs
//     and ratios, total system benefit and levelized TRC and PAC cost per
//     kWh and per therm, from avoided costs stamped with their version.
//     Program costs are allocated to claims by benefits.
//
// Money inside the tests is float64 dollars, as the CET computes them in
// SQL float; reports round to cents (and kWh) when they present results.
// Everything here is pure: no store, api or web imports.
package costeff
