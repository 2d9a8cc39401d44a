package incentive

import (
	_ "embed"
)

// programsJSON is the shipped program catalog: the programs of Clean Power
// Alliance (seed 000) and the residential efficiency portfolio (seed 003)
// with every amount, rule and budget the seeds give, each with its
// citation.
//
//go:embed data/programs.json
var programsJSON []byte

// Shipped returns the catalog built into gridbook. It is parsed on every
// call (about a millisecond), so callers keep the result.
func Shipped() (*Catalog, error) { return ParsePrograms(programsJSON) }

// ShippedJSON returns the shipped catalog document, for export and for
// `gridbook incentive import-programs`.
func ShippedJSON() []byte { return append([]byte(nil), programsJSON...) }
