package meterdata

import (
	"io"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
)

const opSCE = "meterdata.ParseSCECSV"

// ParseSCECSV reads an SCE "Green Button Download My Data" CSV export
// (research/billing.md §5.2): a free-text preamble, then day blocks headed
// "Data for period starting: …", each with a header row
// "Energy Delivered time period,Usage Delivered(Real energy in
// kilowatt-hours),Reading quality" (or "Energy Received …", or the older
// single "Energy consumption time period,Usage(…)") and rows
// "2024-05-22 00:00:00 to 2024-05-22 00:15:00,0.04,". Times are Pacific
// wall clock. A consumption section is delivered energy unless a reading
// is negative, in which case it is net and split (both channels NetOnly).
func ParseSCECSV(r io.Reader) (*File, error) { return parseSCECSV(r, new(int)) }

// parseSCECSV is ParseSCECSV counting the records read in *n.
func parseSCECSV(r io.Reader, n *int) (*File, error) {
	rows := newCSVRows(r, opSCE, n)
	wc := newWallClock()
	var delivered, received, consumption, cur *rawChannel
	headers := 0
	for {
		rec, err := rows.next()
		if err != nil {
			return nil, err
		}
		if rec == nil {
			break
		}
		f0 := rec[0]
		low := strings.ToLower(f0)
		switch {
		case strings.HasPrefix(low, "data for period starting"):
			wc.reset()
		case strings.HasSuffix(low, "time period") && strings.HasPrefix(low, "energy"):
			unit := strings.ToLower(field(rec, 1))
			if !strings.Contains(unit, "kilowatt-hours") && !strings.Contains(unit, "kwh") {
				return nil, invalid(opSCE, "line %d: the %q column is not in kilowatt-hours; only electric energy can be imported", rows.line, field(rec, 1))
			}
			headers++
			wc.reset()
			switch {
			case strings.Contains(low, "delivered"):
				if delivered == nil {
					delivered = &rawChannel{dir: customer.Delivered, pow: csvPow, source: "Energy Delivered section"}
				}
				cur = delivered
			case strings.Contains(low, "received"):
				if received == nil {
					received = &rawChannel{dir: customer.Received, pow: csvPow, source: "Energy Received section"}
				}
				cur = received
			default:
				if consumption == nil {
					consumption = &rawChannel{dir: customer.Delivered, net: true, pow: csvPow, source: "Energy consumption section"}
				}
				cur = consumption
			}
		default:
			from, to, ok := sceInterval(f0)
			if !ok {
				continue // preamble and notes
			}
			if cur == nil {
				return nil, invalid(opSCE, "line %d: a reading before any \"Energy … time period\" header", rows.line)
			}
			if err := sceRow(cur, wc, rec, from, to, rows.line); err != nil {
				return nil, err
			}
		}
	}
	if headers == 0 {
		return nil, invalid(opSCE, "no \"Energy … time period\" header row: this is not an SCE Green Button CSV")
	}
	return buildAll(opSCE, FormatSCECSV, delivered, received, consumption)
}

// sceInterval reads "2024-05-22 00:00:00 to 2024-05-22 00:15:00".
func sceInterval(s string) (from, to time.Time, ok bool) {
	a, b, found := strings.Cut(s, " to ")
	if !found || len(a) < 10 || a[4] != '-' {
		return from, to, false
	}
	from, ok1 := parseCivil(a, "2006-01-02 15:04:05", "2006-01-02 15:04")
	to, ok2 := parseCivil(b, "2006-01-02 15:04:05", "2006-01-02 15:04")
	return from, to, ok1 && ok2
}

func sceRow(rc *rawChannel, wc *wallClock, rec []string, from, to time.Time, line int) error {
	dur := int64(to.Sub(from) / time.Second)
	if dur <= 0 || dur > 86400 {
		return invalid(opSCE, "line %d: the interval %q does not run forward by at most a day", line, rec[0])
	}
	start, ok := wc.instant(from)
	if !ok {
		return invalid(opSCE, "line %d: %s does not exist in Pacific time (the hour skipped when daylight saving time starts)", line, from.Format("2006-01-02 15:04"))
	}
	q, missing := qualityWord(field(rec, 2))
	val := field(rec, 1)
	if missing || val == "" {
		rc.skipped++
		return nil
	}
	v, ok := parseKWh(val)
	if !ok {
		return invalid(opSCE, "line %d: usage %q is not a number of kWh", line, val)
	}
	if rc.step == 0 {
		rc.step = int(dur)
	}
	rc.rs = append(rc.rs, Reading{StartUnix: start, Seconds: int32(dur), Quality: q, Wh: energy.Wh(v)})
	return nil
}
