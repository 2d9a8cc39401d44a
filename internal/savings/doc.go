// Package savings measures energy-efficiency savings the way California
// evaluates them: CalTRACK baseline models fitted to a premise's usage and
// outdoor temperature before an intervention, projected into the reporting
// period, savings = counterfactual − observed.
//
// The methods reproduce OpenEEmeter (openeemeter/eemeter, Apache-2.0),
// CalTRACK's reference implementation, read from its code and written anew
// here (see ../../../shared/research/caltrack.md for the methods, constants
// and quirks):
//
//   - CalTRACK 2.0 daily and billing (eemeter 3.2.0
//     fit_caltrack_usage_per_day_model): a grid of 2,014 ordinary (daily) or
//     weighted (billing) least-squares candidates over balance points
//     30–90 °F, chosen by adjusted R²; parity with eemeter's outputs on its
//     samples to 1e-9 on coefficients and 1e-6 on savings.
//   - CalTRACK hourly (TOWT; eemeter 3.2.0, and 4.1.1's HourlyCaltrackModel
//     with its data preparation behind a switch): time-of-week and
//     temperature regression in twelve three-month weighted segments with
//     occupancy and occupied/unoccupied temperature bins; coefficients
//     within 1e-10 of eemeter's.
//   - the eemeter 4.x daily model (eemeter 4.1.1 DailyModel, and
//     BillingModel on bills spread over their days): continuous
//     piecewise-linear heating / flat / cooling with optional exponential
//     smoothing at the breakpoints, split by season and weekday/weekend when
//     a BIC-like criterion prefers it, fitted as eemeter fits it — NLopt's
//     DIRECT for the breakpoints, Subplex for the whole model with a lasso
//     penalty, a final Subplex fit with Barron's adaptive robust loss — with
//     the optimisers, SciPy's scalar minimisers and NumPy's sums and sorts
//     reproduced step for step (dailymodel.go, optimize.go), so that it lands
//     on eemeter's solution, not merely near the objective's optimum.
//   - data preparation: daily temperature means from hourly readings,
//     degree days, the 50% daily and 90% period coverage rules, the
//     trailing end-of-period row, baseline = the 365 days before the
//     blackout, reporting = the 365 days after, and CalTRACK's data
//     sufficiency checks.
//   - savings uncertainty: eemeter 3.x's ASHRAE Guideline 14 style FSU and
//     OLS error bands, and eemeter 4.1.1's BaselineMetrics and
//     ReportingMetrics.
//
// Home energy reports: neighbor comparison (about 100 similar homes, the
// average and the efficient neighbor — the 20th percentile by nearest rank
// — and the standing great / good / above average, no comparison below 20
// neighbors, the neighbor list frozen with the report), tips from the
// home's own load shape, and the randomized evaluation of a report program
// (sample size, stratified assignment, balance, difference in differences
// and the lagged-dependent-variable regression with household-clustered
// errors, rebate uplift subtracted).
//
// Weather comes from CSV files (eemeter's sample layout and similar) or
// NOAA ISD-Lite files; each premise maps to a CZ2010 weather station
// through its ZIP code (package reference).
//
// Days: eemeter's sample loader parses timestamps to UTC and sums daily
// usage on UTC days; DayUTC reproduces that for parity, DayLocal (the
// default for premises) counts Pacific civil days and treats each as one
// day whether it has 23, 24 or 25 hours.
//
// Everything here is pure: no store, api or web imports.
package savings
