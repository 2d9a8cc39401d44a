// Package incentive is the engine of customer programs that pay: programs
// as data (measures, eligibility conditions, incentive rules with tiers,
// add-ons with prerequisites, exclusions and caps, payment methods,
// duplicate windows), quotes with a trace, budget ledgers that are never
// overspent, the application workflow, instant coupons, grants, fraud and
// duplicate screens, Power Share ranking, Community Solar roster rules and
// CALeVIP equity shares. It is pure: it never imports store, api or web.
//
// # Programs as data
//
// A Program (program.go) is validated when it is saved or imported; the
// shipped catalog (data/programs.json, Shipped) holds Clean Power
// Alliance's programs (seed 000) and the residential efficiency rebates of
// seed 003 with every amount in the seeds and its citation. Conditions
// are typed tests over Facts (is, in, a decimal range, present, a
// household income test against the effective-dated reference tables, or
// any_of); there is no expression language and no money arithmetic in a
// condition. A free-form condition language (CEL) was not needed: every
// rule of the seeds is one of these tests.
//
// # Quotes
//
// Quote evaluates a program for Facts on their date and returns a
// Decision: eligible, the amount in cents, the reasons it is not eligible
// (each with a code such as energy_factor_below_min, the rule, and for a
// missing fact the field), flags such as capped_at_invoice, and a trace
// naming every condition, rule, tier row, income-table row and cap. A
// missing fact is never guessed: unless something else already rules the
// application out, Quote answers an Invalid error naming the fields.
// Amounts: a flat amount, per unit × quantity, a share of the invoice in
// basis points (one rounding), a calculated amount from a fact, a tier
// table (first matching row; none matching is an explicit "not eligible"),
// or the sum of listed items. The measure cap, the program cap and the
// invoiced cost then bound the total, each traced.
//
// # Money
//
// A Budget's balances move only through ledger entries (allocate,
// reserve, release, commit, pay, recover, adjust; Budget.Apply refuses any
// entry that would overspend). PickBudget chooses the budget in force
// (set-asides first) and Promotions walks the waitlist in submission
// order; the store applies both inside one transaction with the
// application's state change. Fund runs the same rules in memory.
//
// Performance (go test -bench . -benchmem ./internal/incentive, 2-core
// machine; docs/performance.md): a Sun Storage quote with both add-ons
// about 4.5 µs and 37 allocations, a Direct Install quote with the income
// test about 11 µs, the 10-row LED table about 20 µs; mostly building the
// trace's text.
package incentive
