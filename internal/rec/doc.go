// Package rec is the renewable energy certificate registry: accounts per
// organization (active, retirement, export), facilities registered with
// their CEC certification history, generators' monthly (optionally
// hourly) generation reports with revisions, issuance of whole-MWh
// certificates with the Wh remainder carried forward and gated by the
// certification dates and the eligibility rules of package rps,
// serial-numbered blocks that are split — never edited — on a partial
// transfer, retirement, export or withdrawal, two-phase transfers
// (initiate, then accept, reject or cancel), retirements with reason,
// beneficiary and compliance year checked against the 36-month window of
// §399.21(a)(7), and an append-only event log whose entries are
// hash-chained so that tampering is detectable.
//
// The commands are methods of Registry and run against a State: the
// database transaction of package store in production, Memory in tests and
// benchmarks. The interface lives here, with its consumer, so the rules
// exist once and package rec never imports store. Invariants enforced on
// every command (research/rps.md §6):
//
//   - Within an issuance the serial ranges of unsplit blocks are disjoint
//     and together are exactly the issued range; a split marks its parent
//     "split" and creates two children covering the parent's range, so
//     quantities are conserved. A block's serial range never changes.
//   - Retired, exported, withdrawn and split blocks accept no command; a
//     pending block can only be accepted, rejected or cancelled.
//   - Certificates are issued once per Wh: Σ issued MWh × 1,000,000 + the
//     carried remainder equals the eligible Wh credited.
//   - Every accepted command appends one event; a refused one changes
//     nothing.
//
// Serial numbers run from 1 within each issuance; a certificate is named
// by its facility's WREGIS ID, vintage, issuance (batch) and serial, as in
// WREGIS reports ("W1234-CA-03-2021-17-1 to 250").
package rec
