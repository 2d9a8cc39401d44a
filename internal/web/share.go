package web

// ShareTable is a breakdown table for the "share_table" partial: one row
// per label with its count and share of a total, built in a template with
//
//	{{template "share_table" (shareTable "Tier" .Data.HFTD "No accounts.")}}
type ShareTable struct {
	Heading string // first column heading
	Rows    []ShareRow
	Empty   string // shown when there are no rows
}

// newShareTable is the template func "shareTable".
func newShareTable(heading string, rows []ShareRow, empty string) ShareTable {
	return ShareTable{Heading: heading, Rows: rows, Empty: empty}
}

// Percent is the row's share of its total, e.g. "33.33%".
func (s ShareRow) Percent() string { return sharePercent(s.N, s.Of) }

// sharePercent writes n/of as a percentage with two decimals, rounded
// half up to the basis point (counts are never negative); "" when of is 0.
func sharePercent(n, of int64) string {
	if of <= 0 {
		return ""
	}
	return formatBasisPoints((n*20000 + of) / (2 * of))
}
