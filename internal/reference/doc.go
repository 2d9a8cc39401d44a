// Package reference holds gridbook's effective-dated public reference
// tables: CARE/FERA/ESA income limits (2024-25 and 2025-26), HUD income
// limits for Los Angeles and Ventura counties, the SB 535 (2022)
// disadvantaged-community tract list, the ZIP → building climate zone
// mapping, the Residential Direct Install income limits, California county
// FIPS codes and Clean Power Alliance's member agencies.
//
// The tables are parsed from files embedded in data/ (see data/README.md for
// each file's source, licence and caveats). Load returns a read-only *Tables
// value; nothing is kept in package state. Every table records its name,
// version, citation and effective dates, and every Decision names the table
// and row that decided it, so a decision can be explained and replayed.
//
// Benchmarks (go test -bench . ./internal/reference, 2-core build machine):
// see bench_test.go; figures are recorded in the lead's docs/performance.md.
package reference
