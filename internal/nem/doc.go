// Package nem is the customer-generation engine: net energy metering
// interconnection applications and their lifecycle, eligibility by NEM
// variant, program vintage and legacy periods, the meter service level,
// the AB 327 program-cap report, the capped special rates (TOU-8 Option R
// and Option A) and the §399.20 feed-in tariff (ReMAT and BioMAT).
//
// Everything here is a pure function over plain values: the store keeps
// the records, the CLI, API and console call these rules, and a rule that
// fails names itself (Check.Rule) and the input it read (Check.Field), so
// a refusal always says which rule failed.
//
// Sources (cited again at each rule):
//   - spec/nem.md and seed 002 (SCE's net energy metering page): the
//     eligible technologies, the 1,000 kW limit, the variants, the meter
//     service level of 30 business days, the AB 327 cap report of
//     2014-09-30, Option R (150 MW, closed 2013-10-12) and TOU-8 Option A
//     (50 MW; the eligibility list; 5.36 MW approved as of 2014-07-03).
//     Where spec and seed differ, the seed wins.
//   - research/billing.md §4: NEM 1.0/2.0 legacy period (20 years from
//     PTO), the Net Billing Tariff for applications from 2023-04-15
//     (D.22-12-056), NBT-A (D.23-11-068) and the 9-year export-price lock.
//   - spec/rps.md "Feed-in tariff" and research/rps.md §4: PU Code §399.20
//     and §399.32, the 750 MW statewide cap by peak-demand share, the
//     250 MW bioenergy split 110/90/50 MW, D.12-05-035's IOU shares.
//
// Capacities are integer watts (energy.W) and energies integer Wh, so cap
// sums are exact; megawatts are rounded only for display.
package nem
