package reference

import (
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
)

// csvTable is an embedded CSV file read into memory, with its columns
// addressed by header name so that column order in the file does not matter.
type csvTable struct {
	name string
	cols map[string]int
	rows [][]string
}

// readCSV parses the embedded file name and checks that every column in
// want is present in its header.
func readCSV(name string, want ...string) (*csvTable, error) {
	raw, err := dataFS.ReadFile("data/" + name)
	if err != nil {
		return nil, fmt.Errorf("reference: %s: %w", name, err)
	}
	r := csv.NewReader(strings.NewReader(string(raw)))
	recs, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("reference: %s: %w", name, err)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("reference: %s: empty file", name)
	}
	t := &csvTable{name: name, cols: make(map[string]int, len(recs[0])), rows: recs[1:]}
	for i, h := range recs[0] {
		t.cols[strings.TrimSpace(h)] = i
	}
	for _, w := range want {
		if _, ok := t.cols[w]; !ok {
			return nil, fmt.Errorf("reference: %s: missing column %q", name, w)
		}
	}
	return t, nil
}

// get returns the trimmed cell of row in column col ("" when absent).
func (t *csvTable) get(row []string, col string) string {
	i, ok := t.cols[col]
	if !ok || i >= len(row) {
		return ""
	}
	return strings.TrimSpace(row[i])
}

// errorf reports a bad cell with its file and 1-based line number (the
// header is line 1).
func (t *csvTable) errorf(rowIndex int, format string, args ...any) error {
	return fmt.Errorf("reference: %s line %d: %s", t.name, rowIndex+2, fmt.Sprintf(format, args...))
}

// parseDollars reads a whole-dollar amount as published ("64300") and
// returns it in cents. Published limits are whole dollars; a decimal point is
// rejected so that a mistyped file fails loudly instead of being rounded.
func parseDollars(s string) (money.Cents, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("amount %q: want whole non-negative dollars", s)
	}
	return money.Cents(n * 100), nil
}

// parseOptionalDate reads a YYYY-MM-DD date, or the zero Date for "".
func parseOptionalDate(s string) (calendar.Date, error) {
	if s == "" {
		return calendar.Date{}, nil
	}
	return calendar.ParseDate(s)
}
