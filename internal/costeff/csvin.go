package costeff

import (
	"encoding/csv"
	"errors"
	"io"
	"strings"
)

// csvIn reads a CSV whose columns are found by header name (case and a
// byte-order mark ignored), naming op and field in every error.
type csvIn struct {
	op, field string
	cr        *csv.Reader
	col       map[string]int
}

func openCSV(op, field string, r io.Reader, required ...string) (*csvIn, error) {
	c := &csvIn{op: op, field: field, cr: csv.NewReader(r), col: map[string]int{}}
	c.cr.FieldsPerRecord = -1
	head, err := c.cr.Read()
	if err != nil {
		return nil, fieldErr(op, field, "no header: %v", err)
	}
	for i, h := range head {
		c.col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, need := range required {
		if !c.has(need) {
			return nil, fieldErr(op, field, "the header lacks column %s", need)
		}
	}
	return c, nil
}

func (c *csvIn) has(name string) bool {
	_, ok := c.col[strings.ToLower(name)]
	return ok
}

// each calls fn for every row (line numbers count the header as 1) with a
// getter of trimmed cells by column name ("" when absent), stopping at
// limit rows.
func (c *csvIn) each(limit int, fn func(line int, get func(name string) string) error) error {
	for line, n := 2, 0; ; line, n = line+1, n+1 {
		rec, err := c.cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fieldErr(c.op, c.field, "%v", err)
		}
		if n >= limit {
			return fieldErr(c.op, c.field, "more than %d rows", limit)
		}
		get := func(name string) string {
			if i, ok := c.col[strings.ToLower(name)]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if err := fn(line, get); err != nil {
			return err
		}
	}
}
