// Package energyteam is Clean Power Alliance's Energy Team in gridbook:
// the advisor's plan for one customer and the case that follows the
// conversation (spec/cca-programs.md, "Energy Team": free advice, a
// tailored electrification plan that stacks rebates, program referrals).
//
// # Plans (plan.go)
//
// MakePlan puts together, for one service account: shadow bills of its
// last whole months on every rate schedule of its utility and sector,
// billed under its own terms by the bill run's mapping (billrun.Shadow:
// NEM 1.0/2.0 or Net Billing with its export prices, the CCA's
// generation ledger beside the utility's, CARE/FERA, medical baseline and
// Power Share); the bill, kWh and CO2 effect of each electrification
// option (savings.DefaultOptions, every load shape labelled and cited);
// and for each option its installed cost (cited) less the rebates the
// customer qualifies for — the incentive engine's quote of each relevant
// program for the customer's registry facts and the planned equipment,
// with the reason when it does not pay. The options the advisor
// recommends are billed together as the plan, with its net cost.
//
// # Cases (case.go)
//
// A Case is one customer account's Energy Team conversation: opened by
// an advisor or by the customer from the portal, with notes (internal or
// shared with the customer), the recommended options, referrals to
// programs — a referral to a program of the incentive catalog creates a
// draft application pre-filled with the registry's facts and the planned
// equipment — a status (open, advising, waiting on the customer,
// referred, closed) and a follow-up date. An account has at most one case
// that is not closed. The store keeps cases and audits every change.
//
// The package is pure: it never imports store, api or web.
package energyteam
