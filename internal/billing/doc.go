// Package billing computes electricity bills from interval data and
// tariff versions: time-of-use energy charges by bucket, fixed, minimum
// and demand charges, the baseline credit, NEM 1.0 and 2.0 netting with a
// carried balance and the annual true-up, the Net Billing Tariff's hourly
// export credits, the CCA split of one account into a utility (delivery)
// and a CCA (generation) ledger, CARE/FERA/Power Share discounts, a
// critical-peak-pricing rider (Peak Management Pricing) with first-year
// bill protection, and the allocation of exports for NEM aggregation and
// virtual net metering.
//
// Everything here is a pure function of its inputs: a Terms value (what
// the account is on), a Usage value (delivered and received interval
// energy) and a State (balances carried from the previous bill). Money is
// exact: prices are integer micro-dollars, energy integer watt-hours, so a
// price times an energy is an exact nano-dollar amount; every line item is
// rounded to the cent once, half away from zero (money.Nanos.Round), and a
// bill's total is the sum of its rounded lines.
//
// The rules follow research/billing.md §4 (NEM 1.0/2.0, NBT and the CCA
// layer as SCE, PG&E and Clean Power Alliance implement them); each rule
// names its source where it is applied. Where a utility's practice is a
// choice, it is a policy field of Terms, never a constant.
package billing
