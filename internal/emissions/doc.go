// Package emissions turns carbon signals into avoided-emission figures and
// the equivalencies a program report quotes.
//
// # Signals
//
// A Signal is a regular series of emission rates in grams of CO2 per kWh,
// marginal (what an extra kWh emits: the California SGIP GHG signal,
// WattTime's co2_moer) or average (CAISO's published system emissions, an
// eGRID factor). ParseSignalCSV reads the two published shapes
// (research/dr-ev.md §5.1):
//
//   - the SGIP signal: a "point_time" column and a "moer" column in
//     kilograms of CO2 per kWh, each point valid for the following five
//     minutes (docs.sgipsignal.com);
//   - WattTime v3 historical data: "point_time" and "value" in pounds of
//     CO2 per MWh (signal_type co2_moer, docs.watttime.org).
//
// Units convert exactly as defined: 1 lb = 0.45359237 kg (the
// international pound), so 1 lb/MWh = 0.45359237 g/kWh and 1 kg/kWh =
// 1,000 g/kWh. A series with a gap is refused with the gap named, unless
// the caller allows gaps, in which case the missing points are NaN and
// Signal.Gaps lists them.
//
// # Avoided emissions
//
// Avoided = Σ over intervals of (reference kWh − actual kWh) × rate: the
// method WattTime documents ("multiply your time-series of shifted energy
// usage … by the MOER timeseries … then sum"). Results are grams as
// float64 (a statistic) and are rounded where they are reported.
//
// # Equivalencies
//
// Equivalents converts pounds of CO2 to metric tons and to EPA's "urban
// tree seedlings grown for 10 years". Factors are versioned data
// (Factors): EPA's published 0.060 t CO2 per seedling and the unrounded
// 0.0605 t (36.4 lb C × 44/12 = 133.5 lb CO2) that Clean Power Alliance's
// 2025 figures imply — 70,463 lb CO2 is 528 seedlings only at the
// unrounded factor (research/dr-ev.md §5.2, seed 000). Reports state the
// factor's name and version.
package emissions
