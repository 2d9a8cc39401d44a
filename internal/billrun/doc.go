// Package billrun bills every account of a billing cycle: it maps each
// service account to the inputs of the billing engine, runs the engine,
// and hands the bills with everything they were computed from to a store.
//
// # Mapping (Plan)
//
// An account's billing.Terms come from the registry and the stored
// tariffs, under an effective-dated Policy (policy.json: every setting
// with its source):
//
//   - the tariff versions of the account's rate schedule from the
//     policy's distribution utility (SCE for Clean Power Alliance) that
//     are in force over the period; an account whose schedule has no
//     loaded tariff, or no version in force on some day, is not billable
//     and the run reports why — it is never billed on a guessed tariff;
//   - the LSE: a CCA account needs a tariff that prices generation
//     apart from delivery (a URDB bundled rate cannot be split);
//   - the net-metering program from the "nem" enrollment in force on the
//     first day of the period (track nem1, nem2 or nbt; its start is the
//     PTO date and the start of the first Relevant Period); for the Net
//     Billing Tariff the export-price table of the PTO-year vintage while
//     the lock-in lasts, and the ACC Plus adder for residential accounts;
//   - the utility ledger (annual settlement, SCE's forfeiture of unused
//     export credits, SCE's NSC rate for bundled accounts only) and the
//     CCA's generation ledger (monthly settlement, April true-up, NSC at
//     SCE's rate + 10%);
//   - CARE or FERA, medical baseline and Power Share from the enrollments
//     in force on the period's last day (discounts are not prorated; a
//     bill notes an enrollment that starts or ends within its period);
//   - baseline allowances by climate zone, where the policy has them.
//
// # Bills and their inputs (Compute, Reproduce)
//
// A bill's Inputs name the engine version, the tariff versions and export
// table (store ids and content hashes), the channels and a hash of the
// interval data read, the Terms JSON and the State carried in. Equal
// inputs give an identical bill, byte for byte, so a re-run of a cycle
// stores nothing new (Unchanged); changed inputs — a corrected reading, a
// new tariff version, a re-billed earlier period — give a new version of
// the bill, and the old one is kept, superseded. Reproduce recomputes a
// stored bill from its inputs and checks that nothing has changed.
//
// The State carried into a period is the state after the account's
// current bill that ends on the period's first day (or an opening balance
// seeded into the store). An account with no earlier bill starts from
// Opening: zero balances, and for net-metering accounts a Relevant Period
// that began on the last PTO anniversary, so the true-up falls on it. An
// account whose bills end before the period (a skipped cycle) fails until
// the cycles in between are billed.
//
// # Runs (Runner)
//
// A Run bills the accounts in service during a cycle's period (clipped to
// each account's service dates) as a durable job. Runner.Execute reads
// accounts in id order in batches, bills each batch on several goroutines
// with one shared billing.Calculator, and writes each batch's bills,
// states and outcomes in one transaction through one writer. It resumes a
// run stopped part-way: accounts with an outcome are skipped. The Store
// interface is implemented by *store.DB.
package billrun
