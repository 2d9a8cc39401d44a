package meterdata

import (
	"io"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
)

const opPGE = "meterdata.ParsePGECSV"

// pgeColumns are the positions of the PG&E columns in the header row (−1
// when absent).
type pgeColumns struct {
	typ, date, start, end, usage, units, notes, imp, exp int
}

// ParsePGECSV reads a PG&E Green Button CSV export (research/billing.md
// §5.2): a preamble (Name, Address, Account Number, Service), a blank
// line, then a header TYPE,DATE,START TIME,END TIME,USAGE,UNITS,COST,NOTES
// (or USAGE (kWh) without UNITS, or IMPORT (kWh),EXPORT (kWh) for solar
// accounts) and one row per interval. DATE is ISO or M/D/YYYY; START TIME
// is Pacific wall clock; END TIME is the interval's last minute (00:14) or
// its end (00:15) or absent. A signed USAGE column is net: a negative value
// is export, and the channel is split (both NetOnly). NOTES mentioning an
// estimate mark the reading Estimated. Gas files are refused. The
// preamble's Account Number becomes File.AccountNumber.
func ParsePGECSV(r io.Reader) (*File, error) { return parsePGECSV(r, new(int)) }

// parsePGECSV is ParsePGECSV counting the records read in *n.
func parsePGECSV(r io.Reader, n *int) (*File, error) {
	rows := newCSVRows(r, opPGE, n)
	wc := newWallClock()
	var cols *pgeColumns
	var usage, imp, exp *rawChannel
	account := ""
	for {
		rec, err := rows.next()
		if err != nil {
			return nil, err
		}
		if rec == nil {
			break
		}
		if cols == nil {
			if strings.EqualFold(rec[0], "TYPE") {
				if cols, err = pgeHeader(rec, rows.line); err != nil {
					return nil, err
				}
				if cols.usage >= 0 {
					usage = &rawChannel{dir: customer.Delivered, net: true, pow: csvPow, source: "USAGE column"}
				} else {
					imp = &rawChannel{dir: customer.Delivered, pow: csvPow, source: "IMPORT (kWh) column"}
					exp = &rawChannel{dir: customer.Received, pow: csvPow, source: "EXPORT (kWh) column"}
				}
			}
			if strings.EqualFold(rec[0], "Account Number") {
				account = field(rec, 1)
			}
			continue // preamble
		}
		if blankRecord(rec) {
			continue
		}
		if err := pgeRow(cols, rec, rows.line, wc, usage, imp, exp); err != nil {
			return nil, err
		}
	}
	if cols == nil {
		return nil, invalid(opPGE, "no TYPE,DATE,START TIME,… header row: this is not a PG&E Green Button CSV")
	}
	for _, rc := range []*rawChannel{usage, imp, exp} {
		if err := inferStep(rc); err != nil {
			return nil, err
		}
	}
	f, err := buildAll(opPGE, FormatPGECSV, usage, imp, exp)
	if f != nil {
		f.AccountNumber = account
	}
	return f, err
}

func pgeHeader(rec []string, line int) (*pgeColumns, error) {
	c := &pgeColumns{-1, -1, -1, -1, -1, -1, -1, -1, -1}
	for i, h := range rec {
		switch h := strings.ToUpper(h); {
		case h == "TYPE":
			c.typ = i
		case h == "DATE":
			c.date = i
		case h == "START TIME":
			c.start = i
		case h == "END TIME":
			c.end = i
		case h == "USAGE" || h == "USAGE (KWH)":
			c.usage = i
		case h == "IMPORT (KWH)":
			c.imp = i
		case h == "EXPORT (KWH)":
			c.exp = i
		case h == "UNITS":
			c.units = i
		case h == "NOTES":
			c.notes = i
		case strings.HasPrefix(h, "USAGE (") || strings.HasPrefix(h, "IMPORT (") || strings.HasPrefix(h, "EXPORT ("):
			return nil, invalid(opPGE, "line %d: column %q is not in kWh; only electric energy can be imported", line, rec[i])
		}
	}
	switch {
	case c.date < 0 || c.start < 0:
		return nil, invalid(opPGE, "line %d: the header has no DATE or START TIME column", line)
	case c.usage < 0 && (c.imp < 0 || c.exp < 0):
		return nil, invalid(opPGE, "line %d: the header has neither a USAGE column nor IMPORT (kWh) and EXPORT (kWh) columns", line)
	}
	return c, nil
}

func pgeRow(c *pgeColumns, rec []string, line int, wc *wallClock, usage, imp, exp *rawChannel) error {
	if t := strings.ToLower(field(rec, c.typ)); strings.Contains(t, "gas") {
		return invalid(opPGE, "line %d: %q rows are not electricity", line, field(rec, c.typ))
	}
	if c.units >= 0 {
		if u := field(rec, c.units); u != "" && !strings.EqualFold(u, "kWh") {
			return invalid(opPGE, "line %d: UNITS is %q; only kWh can be imported", line, u)
		}
	}
	day, ok := parseCivil(field(rec, c.date), "2006-01-02", "1/2/2006", "01/02/2006")
	if !ok {
		return invalid(opPGE, "line %d: DATE %q is not YYYY-MM-DD or M/D/YYYY", line, field(rec, c.date))
	}
	st, ok := parseClock(field(rec, c.start))
	if !ok {
		return invalid(opPGE, "line %d: START TIME %q is not HH:MM", line, field(rec, c.start))
	}
	civil := day.Add(st)
	var dur int64
	if e := field(rec, c.end); c.end >= 0 && e != "" {
		et, ok := parseClock(e)
		if !ok {
			return invalid(opPGE, "line %d: END TIME %q is not HH:MM", line, e)
		}
		mins := int64((et - st) / time.Minute)
		if mins < 0 {
			mins += 24 * 60
		}
		// An inclusive last minute (00:00–00:14) ends a 15-minute interval.
		if mins%5 != 0 && (mins+1)%5 == 0 {
			mins++
		}
		if mins <= 0 {
			return invalid(opPGE, "line %d: END TIME %s is not after START TIME %s", line, e, field(rec, c.start))
		}
		dur = mins * 60
	}
	start, ok := wc.instant(civil)
	if !ok {
		return invalid(opPGE, "line %d: %s does not exist in Pacific time (the hour skipped when daylight saving time starts)", line, civil.Format("2006-01-02 15:04"))
	}
	q, missing := qualityWord(field(rec, c.notes))
	if q == Other {
		q = Actual // NOTES is free text; only an estimate note changes the quality
	}
	add := func(rc *rawChannel, col int) error {
		s := field(rec, col)
		if missing || s == "" {
			rc.skipped++
			return nil
		}
		v, ok := parseKWh(s)
		if !ok {
			return invalid(opPGE, "line %d: %q is not a number of kWh", line, s)
		}
		if rc.step == 0 && dur > 0 {
			rc.step = int(dur)
		}
		rc.rs = append(rc.rs, Reading{StartUnix: start, Seconds: int32(dur), Quality: q, Wh: energy.Wh(v)})
		return nil
	}
	if usage != nil {
		return add(usage, c.usage)
	}
	if err := add(imp, c.imp); err != nil {
		return err
	}
	return add(exp, c.exp)
}

// parseClock reads "HH:MM" as a duration since midnight.
func parseClock(s string) (time.Duration, bool) {
	t, ok := parseCivil(s, "15:04", "15:04:05", "3:04 PM")
	if !ok {
		return 0, false
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second, true
}

// inferStep gives readings without an END TIME the smallest gap between
// successive starts as their length.
func inferStep(rc *rawChannel) error {
	if rc == nil || !slices.ContainsFunc(rc.rs, func(r Reading) bool { return r.Seconds == 0 }) {
		return nil
	}
	var step int64
	for i := 1; i < len(rc.rs); i++ {
		if d := rc.rs[i].StartUnix - rc.rs[i-1].StartUnix; d > 0 && (step == 0 || d < step) {
			step = d
		}
	}
	if step == 0 || step > 86400 {
		return invalid(opPGE, "the file has no END TIME column and too few rows to tell the interval length")
	}
	if rc.step == 0 {
		rc.step = int(step)
	}
	for i := range rc.rs {
		if rc.rs[i].Seconds == 0 {
			rc.rs[i].Seconds = int32(step)
		}
	}
	return nil
}
