// Package reference holds gridbook's effective-dated public reference
// tables: CARE/FERA/ESA income limits (2024-25 and 2025-26), HUD income
// limits for Los Angeles and Ventura counties, the SB 535 (2022)
// disadvantaged-community tract list, every 2010 census tract of Los
// Angeles and Ventura counties, the ZIP → building climate zone mapping,
// the Census ZIP (ZCTA) → county relationship for those counties' ZIP
// ranges, the Residential Direct Install income limits, California county
// FIPS codes and Clean Power Alliance's member agencies.
//
// The tables are parsed from files embedded in data/ (see data/README.md for
// each file's source, licence and caveats). Load returns a read-only *Tables
// value; nothing is kept in package state. Every table records its name,
// version, citation and effective dates, and every Decision names the table
// and row that decided it, so a decision can be explained and replayed.
//
// Benchmarks (go test -bench . -benchmem ./internal/reference, 2-core
// build machine, Go 1.26): Eligible about 3.5 µs (CARE, FERA) to 6 µs
// (AMI80) per decision, mostly building the Reason text; ClimateZone about
// 50 ns with no allocation; Load about 7 ms and 1.8 MB, once per process.
package reference
