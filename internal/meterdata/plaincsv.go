package meterdata

import (
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
)

const opCSV = "meterdata.ParsePlainCSV"

// PlainCSVHeader is the header row of the plain interval CSV; a fifth
// column "quality" (actual, estimated, edited, questionable, derived,
// other) is optional.
const PlainCSVHeader = "start,duration_s,delivered_wh,received_wh"

// ParsePlainCSV reads the plain interval CSV: a header row
// start,duration_s,delivered_wh,received_wh[,quality] and one row per
// interval. start is RFC 3339 with an offset (2026-11-01T01:00:00-07:00),
// Unix seconds, or Pacific wall clock without an offset
// (2026-11-01 01:00:00, the repeated hour resolved by row order);
// duration_s is whole seconds; the energies are whole non-negative Wh, and
// an empty cell means no reading for that channel.
func ParsePlainCSV(r io.Reader) (*File, error) { return parsePlainCSV(r, new(int)) }

// parsePlainCSV is ParsePlainCSV counting the records read in *n.
func parsePlainCSV(r io.Reader, n *int) (*File, error) {
	rows := newCSVRows(r, opCSV, n)
	head, err := rows.next()
	if err != nil {
		return nil, err
	}
	if head == nil {
		return nil, invalid(opCSV, "the file is empty")
	}
	got := strings.ToLower(strings.Join(head, ","))
	withQuality := got == PlainCSVHeader+",quality"
	if got != PlainCSVHeader && !withQuality {
		return nil, invalid(opCSV, "the header row is %q, want %q (optionally with ,quality)", strings.Join(head, ","), PlainCSVHeader)
	}
	wc := newWallClock()
	del := &rawChannel{dir: customer.Delivered, source: "delivered_wh column"}
	rec := &rawChannel{dir: customer.Received, source: "received_wh column"}
	for {
		row, err := rows.next()
		if err != nil {
			return nil, err
		}
		if row == nil {
			break
		}
		if blankRecord(row) {
			continue
		}
		if err := plainRow(row, rows.line, withQuality, wc, del, rec); err != nil {
			return nil, err
		}
	}
	return buildAll(opCSV, FormatCSV, del, rec)
}

func plainRow(row []string, line int, withQuality bool, wc *wallClock, del, rec *rawChannel) error {
	if n := len(row); n != 4 && !(withQuality && n == 5) {
		return invalid(opCSV, "line %d has %d fields, want %d", line, n, 4+boolInt(withQuality))
	}
	start, err := plainStart(row[0], wc)
	if err != nil {
		return invalid(opCSV, "line %d: %v", line, err)
	}
	dur, err := strconv.ParseInt(row[1], 10, 32)
	if err != nil || dur <= 0 || dur > 86400 {
		return invalid(opCSV, "line %d: duration_s %q must be a whole number of seconds from 1 to 86400", line, row[1])
	}
	q := Actual
	if len(row) == 5 && row[4] != "" {
		var ok bool
		if q, ok = ParseQuality(strings.ToLower(row[4])); !ok {
			return invalid(opCSV, "line %d: quality %q must be actual, estimated, edited, questionable, derived or other", line, row[4])
		}
	}
	for i, rc := range [2]*rawChannel{del, rec} {
		s := row[2+i]
		if s == "" {
			rc.skipped++
			continue
		}
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v < 0 {
			return invalid(opCSV, "line %d: %s %q must be a whole, non-negative number of Wh", line, [2]string{"delivered_wh", "received_wh"}[i], s)
		}
		if rc.step == 0 {
			rc.step = int(dur)
		}
		rc.rs = append(rc.rs, Reading{StartUnix: start, Seconds: int32(dur), Quality: q, Wh: energy.Wh(v)})
	}
	return nil
}

type startError string

func (e startError) Error() string { return string(e) }

// plainStart reads an RFC 3339 instant, Unix seconds or Pacific wall clock.
func plainStart(s string, wc *wallClock) (int64, error) {
	if s != "" && digits(s) {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil || v > 1<<40 {
			return 0, startError("start " + strconv.Quote(s) + " is out of range")
		}
		return v, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Unix(), nil
	}
	civil, ok := parseCivil(s, "2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04")
	if !ok {
		return 0, startError("start " + strconv.Quote(s) + " is not RFC 3339, Unix seconds or YYYY-MM-DD HH:MM[:SS]")
	}
	t, ok := wc.instant(civil)
	if !ok {
		return 0, startError(civil.Format("2006-01-02 15:04") + " does not exist in Pacific time (the hour skipped when daylight saving time starts)")
	}
	return t, nil
}
