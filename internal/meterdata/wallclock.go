package meterdata

import (
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
)

// wallClock turns the local wall-clock labels of a utility CSV into
// instants. A label in the repeated hour of a fall-back day has two
// instants; the earliest one after the previous row's start is taken, so
// rows in file order walk through PDT and then PST (research/billing.md
// §5.2: "resolve with the sequence order, not by parsing timestamps
// independently"). A label in the skipped hour of a spring-forward day has
// none.
type wallClock struct {
	loc  *time.Location
	prev int64
	have bool
}

func newWallClock() *wallClock { return &wallClock{loc: calendar.Pacific} }

// reset forgets the previous row (a new section or day block starts).
func (w *wallClock) reset() { w.have = false }

// instant resolves a civil time (its fields read as local wall clock).
// ok is false when the wall-clock time does not exist.
func (w *wallClock) instant(civil time.Time) (unix int64, ok bool) {
	naive := civil.Unix() // the civil fields as if they were UTC
	var cands [2]int64
	n := 0
	// The offsets in force half a day either side cover both sides of any
	// transition near the label.
	for _, probe := range [2]int64{naive - 14*3600, naive + 14*3600} {
		_, off := time.Unix(probe, 0).In(w.loc).Zone()
		t := naive - int64(off)
		if _, off2 := time.Unix(t, 0).In(w.loc).Zone(); off2 != off {
			continue // this offset is not in force at t
		}
		if n == 1 && cands[0] == t {
			continue
		}
		cands[n] = t
		n++
	}
	if n == 0 {
		return 0, false
	}
	if n == 2 && cands[1] < cands[0] {
		cands[0], cands[1] = cands[1], cands[0]
	}
	pick := cands[0]
	if w.have {
		pick = cands[n-1] // none after the previous row: a repeat, reported later
		for _, c := range cands[:n] {
			if c > w.prev {
				pick = c
				break
			}
		}
	}
	w.prev, w.have = pick, true
	return pick, true
}

// normalizeSpace turns non-breaking spaces (U+00A0, which SCE exports put
// in labels and timestamps) into spaces, collapses runs of spaces and tabs
// and trims the ends.
func normalizeSpace(s string) string {
	if strings.IndexByte(s, 0xC2) < 0 && !strings.Contains(s, "  ") && strings.TrimSpace(s) == s && !strings.Contains(s, "\t") {
		return s
	}
	s = strings.ReplaceAll(s, "\u00a0", " ")
	var b strings.Builder
	space := false
	for _, r := range strings.TrimSpace(s) {
		if r == ' ' || r == '\t' {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}
