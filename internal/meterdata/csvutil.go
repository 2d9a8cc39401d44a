package meterdata

import (
	"encoding/csv"
	"errors"
	"io"
	"math"
	"strings"
	"time"
)

// csvPow is the unit of CSV values before scaling: kWh with up to nine
// decimals are held exactly as micro-watt-hours (10^−6 Wh).
const csvPow = -6

// csvRows reads CSV records leniently (any number of fields, stray quotes
// tolerated), cleaning each field: the UTF-8 byte-order mark removed,
// non-breaking spaces made spaces, space runs collapsed, ends trimmed.
type csvRows struct {
	r    *csv.Reader
	rec  []string
	line int
	op   string
	n    *int // records read so far
}

func newCSVRows(r io.Reader, op string, n *int) *csvRows {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	return &csvRows{r: cr, op: op, n: n}
}

// next returns the next record, nil at the end.
func (c *csvRows) next() ([]string, error) {
	rec, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, invalid(c.op, "line %d: %v", pe.Line, pe.Err)
		}
		return nil, invalid(c.op, "could not read the file: %v", err)
	}
	c.line, _ = c.r.FieldPos(0)
	*c.n++
	c.rec = c.rec[:0]
	for i, f := range rec {
		if i == 0 && c.line == 1 {
			f = strings.TrimPrefix(f, "\uFEFF")
		}
		c.rec = append(c.rec, normalizeSpace(f))
	}
	return c.rec, nil
}

// field returns rec[i] or "" when the record is shorter.
func field(rec []string, i int) string {
	if i >= 0 && i < len(rec) {
		return rec[i]
	}
	return ""
}

func blankRecord(rec []string) bool {
	for _, f := range rec {
		if f != "" {
			return false
		}
	}
	return true
}

// parseKWh reads a decimal kWh amount ("0.04", "-1.5", "1,234.5") exactly
// as micro-watt-hours.
func parseKWh(s string) (int64, bool) {
	s = strings.ReplaceAll(s, ",", "")
	neg := false
	if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
		neg, s = s[0] == '-', s[1:]
	}
	whole, frac, _ := strings.Cut(s, ".")
	if (whole == "" && frac == "") || len(frac) > 9 || !digits(whole) || !digits(frac) {
		return 0, false
	}
	var v int64
	for _, c := range whole + frac + strings.Repeat("0", 9-len(frac)) {
		d := int64(c - '0')
		if v > (math.MaxInt64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		v = -v
	}
	return v, true
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseCivil reads a wall-clock date and time in one of the layouts the
// utility exports use; the result carries the fields in UTC.
func parseCivil(s string, layouts ...string) (time.Time, bool) {
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// qualityWord maps a CSV quality or notes text: "" and actual, validated
// or verified are Actual; anything mentioning an estimate is Estimated.
// missing reports a row the source marks as having no reading.
func qualityWord(s string) (q Quality, missing bool) {
	low := strings.ToLower(s)
	switch {
	case low == "" || low == "actual" || low == "validated" || low == "verified" || low == "valid":
		return Actual, false
	case strings.Contains(low, "missing"):
		return Actual, true
	case strings.Contains(low, "estimat"):
		return Estimated, false
	case strings.Contains(low, "edit"):
		return Edited, false
	}
	return Other, false
}

// buildAll builds the channels of several raw channels in order.
func buildAll(op string, format Format, rcs ...*rawChannel) (*File, error) {
	f := &File{Format: format}
	for _, rc := range rcs {
		if rc == nil || len(rc.rs) == 0 && rc.skipped == 0 {
			continue
		}
		chs, err := rc.build(op)
		if err != nil {
			return nil, err
		}
		f.Channels = append(f.Channels, chs...)
	}
	return f, nil
}
