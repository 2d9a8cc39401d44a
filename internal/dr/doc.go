// Package dr is gridbook's demand-response engine: programs and their
// event rules as data, the event lifecycle, day-matching baselines,
// per-participant settlement, participation incentives, battery-fleet
// dispatch, the event-day calendar of peak-pricing riders and program
// reports. It is pure: plain values in, plain values out; the store keeps
// programs' events, settlements and devices, and the jobs, API, console
// and OpenADR VTN call these functions.
//
// # Programs (programs.json)
//
// Each program (Shipped) is data with its sources: Clean Power Alliance's
// Power Response (Home, Smart Home, Commercial Leaders) and Peak
// Management Pricing (seed 000; research/dr-ev.md §2.4 and §6.1), SCE's
// Energy Day thermostat events (seed 003), the Solar and Battery Access
// battery fleet, EV SmartCharge and the Smart Light Switch pilot. A
// program's EventRules are checked when an event is scheduled
// (CheckSchedule): the window (PMP exactly 4–9 pm), length, weekdays and
// holidays, season, the annual, weekly and hourly caps (cancelled events
// counting where the program says so), overlap and the minimum or
// day-ahead notice. Each broken rule is a Violation naming the rule and
// the input, so the console and API explain refusals.
//
// # Baselines
//
// A Method is a day-matching baseline as configuration (X of Y days of a
// day type within a look-back, most recent or highest, optionally
// weighted, with a multiplicative or additive day-of adjustment over a
// window around the event, capped). Methods lists CAISO's 10-in-10 and
// 4-in-4 with the ±20% adjustment, PG&E's highest 5 of 10 and weighted 3
// of 5, and highest 3 of 10. Event days, outage days and holidays are
// excluded; a method with too few eligible days falls back to another or
// gives no baseline, with the count. Days are matched on local wall-clock
// time, so a 16:00 event on the 25-hour 2026-11-01 draws on 16:00 of
// each baseline day.
//
// # Settlement
//
// Settle computes Σ (adjusted baseline − actual) over the event's
// intervals, floors it per event, per interval or not at all, and prices
// it at the program's rate, rounding once to cents. Report aggregates a
// program's participants, events and settlements as CPA reports them,
// with both the floored sum and the unfloored portfolio delta.
package dr
