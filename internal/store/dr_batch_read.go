package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
)

// loadChunk is how many meters one ParticipantLoads query names: well
// under SQLite's 32,766 and PostgreSQL's 65,535 bound parameters.
const loadChunk = 1000

// ParticipantLoads reads on the read pool (see queries.ParticipantLoads),
// so that on SQLite a settlement reads its next batch while the one
// writer saves the last. It sees committed data only.
func (db *DB) ParticipantLoads(ctx context.Context, meterIDs []int64, from, to time.Time, dst []meterdata.Series) error {
	return db.snapshot().ParticipantLoads(ctx, meterIDs, from, to, dst)
}

// ParticipantLoads is ParticipantLoad for many meters at once: dst[i]
// becomes the delivered energy of meter meterIDs[i] over [from, to),
// exactly as ParticipantLoad gives it (a zero Series for a meter without
// a delivered channel; an unknown meter is NotFound). It reads with two
// queries per thousand meters and reuses the Values and Quality arrays
// already in dst, so a caller that settles batch after batch allocates
// nothing per meter once its buffers have grown.
func (q queries) ParticipantLoads(ctx context.Context, meterIDs []int64, from, to time.Time, dst []meterdata.Series) error {
	if len(dst) != len(meterIDs) {
		return apperr.Invalidf("store.ParticipantLoads", "%d series for %d meters", len(dst), len(meterIDs))
	}
	for lo := 0; lo < len(meterIDs); lo += loadChunk {
		hi := min(lo+loadChunk, len(meterIDs))
		if err := q.participantLoads(ctx, meterIDs[lo:hi], from, to, dst[lo:hi]); err != nil {
			return err
		}
	}
	return nil
}

// loadTarget is one meter's series being filled.
type loadTarget struct {
	channel  int64 // the meter's delivered channel
	idx      int   // position in dst
	from, to time.Time
	step     time.Duration
	// Unless prefilled (a range of more than maxSpans months), the
	// intervals the blocks cover are recorded and only the rest set to
	// Missing once every block is read.
	prefilled bool
	spans     [maxSpans][2]int
	nspans    int
}

// maxSpans bounds the month blocks a range filled lazily may overlap: a
// range of at most 180 days overlaps at most 7 local months.
const (
	maxSpans       = 8
	lazyFillMaxDay = 180
)

// fillMissing sets the intervals of s that no block covered to Missing.
func (t *loadTarget) fillMissing(s *meterdata.Series) {
	if t.prefilled {
		return
	}
	sp := t.spans[:t.nspans]
	slices.SortFunc(sp, func(a, b [2]int) int { return a[0] - b[0] })
	at := 0
	for _, x := range sp {
		for k := at; k < x[0]; k++ {
			s.Values[k] = Missing
		}
		at = max(at, x[1])
	}
	for k := at; k < len(s.Values); k++ {
		s.Values[k] = Missing
	}
}

// blockMonth is a stored month's key, first instant and length.
type blockMonth struct {
	start, end time.Time
}

func (q queries) participantLoads(ctx context.Context, meterIDs []int64, from, to time.Time, dst []meterdata.Series) error {
	// The meters and their delivered channel (at most one: channels are
	// unique by meter and direction).
	first := make(map[int64]int, len(meterIDs)) // meter → first position
	var ids []any
	for i, id := range meterIDs {
		if _, dup := first[id]; !dup {
			first[id] = i
			ids = append(ids, id)
		}
	}
	rows, err := q.q.QueryContext(ctx, `SELECT m.id, c.id, c.interval_seconds FROM meters m
		LEFT JOIN channels c ON c.meter_id = m.id AND c.direction = 'delivered'
		WHERE m.id IN `+q.paramList(1, len(ids)), ids...)
	if err != nil {
		return fmt.Errorf("store: participant loads: %w", err)
	}
	found := make(map[int64]bool, len(ids))
	byChannel := make(map[int64]*loadTarget, len(ids))
	targets := make([]loadTarget, 0, len(ids))
	for rows.Next() {
		var meter int64
		var ch, secs sql.NullInt64
		if err := rows.Scan(&meter, &ch, &secs); err != nil {
			rows.Close()
			return fmt.Errorf("store: participant loads: %w", err)
		}
		found[meter] = true
		i := first[meter]
		if !ch.Valid {
			dst[i] = meterdata.Series{}
			continue
		}
		// As Intervals: the range rounded down to the channel's step.
		step := time.Duration(secs.Int64) * time.Second
		f, t := from.Truncate(step).UTC(), to.Truncate(step).UTC()
		s := &dst[i]
		s.Start, s.Step, s.Quality = f, step, nil
		if !t.After(f) {
			s.Values = nil
			continue
		}
		if t.Sub(f) > 400*24*time.Hour {
			rows.Close()
			return apperr.Invalidf("store.Intervals", "at most 400 days of intervals per request")
		}
		n := int(t.Sub(f) / step)
		if cap(s.Values) < n {
			s.Values = make([]energy.Wh, n)
		}
		s.Values = s.Values[:n]
		lt := loadTarget{channel: ch.Int64, idx: i, from: f, to: t, step: step, prefilled: t.Sub(f) > lazyFillMaxDay*24*time.Hour}
		if lt.prefilled {
			for k := range s.Values {
				s.Values[k] = Missing
			}
		}
		targets = append(targets, lt)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: participant loads: %w", err)
	}
	for _, id := range meterIDs {
		if !found[id] {
			return apperr.NotFoundf("store.Meter", "meter %d not found", id)
		}
	}
	for i := range targets {
		byChannel[targets[i].channel] = &targets[i]
	}
	if len(targets) > 0 {
		if err := q.fillLoads(ctx, targets, byChannel, dst); err != nil {
			return err
		}
	}
	for i := range targets {
		targets[i].fillMissing(&dst[targets[i].idx])
	}
	// A meter named twice gets its own copy.
	for i, id := range meterIDs {
		if j := first[id]; j != i {
			dst[i] = meterdata.Series{Start: dst[j].Start, Step: dst[j].Step,
				Values: append(dst[i].Values[:0:0], dst[j].Values...), Quality: slices.Clone(dst[j].Quality)}
			if dst[j].Values == nil {
				dst[i].Values = nil
			}
		}
	}
	return nil
}

// fillLoads reads the month blocks of the targets' channels that overlap
// any target's range and decodes each into its target's series.
func (q queries) fillLoads(ctx context.Context, targets []loadTarget, byChannel map[int64]*loadTarget, dst []meterdata.Series) error {
	lo, hi := targets[0].from, targets[0].to
	for _, t := range targets[1:] {
		lo, hi = minTime(lo, t.from), maxTime(hi, t.to)
	}
	months := map[string]blockMonth{}
	var keys []any
	for t := lo; t.Before(hi); {
		l := t.In(calendar.Pacific)
		start, end := monthStart(l.Year(), l.Month()), monthStart(l.Year(), l.Month()+1)
		key := start.Format("2006-01")
		months[key] = blockMonth{start: start.UTC(), end: end.UTC()}
		keys = append(keys, key)
		t = end
	}
	args := make([]any, 0, len(targets)+len(keys))
	for _, t := range targets {
		args = append(args, t.channel)
	}
	args = append(args, keys...)
	rows, err := q.q.QueryContext(ctx, `SELECT channel_id, month, interval_seconds, n, packed, quality FROM interval_blocks
		WHERE channel_id IN `+q.paramList(1, len(targets))+` AND month IN `+q.paramList(len(targets)+1, len(keys)), args...)
	if err != nil {
		return fmt.Errorf("store: participant loads: %w", err)
	}
	defer rows.Close()
	var packed, quality sql.RawBytes
	for rows.Next() {
		var ch int64
		var month string
		var secs, n int
		if err := rows.Scan(&ch, &month, &secs, &n, &packed, &quality); err != nil {
			return fmt.Errorf("store: participant loads: %w", err)
		}
		t, ok := byChannel[ch]
		m, known := months[month]
		// Intervals reads exactly the months that overlap its range.
		if !ok || !known || !m.start.Before(t.to) || !m.end.After(t.from) {
			continue
		}
		if want := int(m.end.Sub(m.start) / t.step); n != want || time.Duration(secs)*time.Second != t.step {
			return fmt.Errorf("store: interval block %d/%s has %d×%ds, want %d×%s", ch, month, n, secs, want, t.step)
		}
		s := &dst[t.idx]
		off := int(m.start.Sub(t.from) / t.step) // reading i of the block is interval off+i
		if err := unpackRange(s.Values, off, packed, n); err != nil {
			return err
		}
		if !t.prefilled {
			if t.nspans == maxSpans {
				return fmt.Errorf("store: participant loads: more than %d blocks for channel %d", maxSpans, ch)
			}
			t.spans[t.nspans] = [2]int{max(0, off), min(len(s.Values), off+n)}
			t.nspans++
		}
		if err := unpackQualityRange(s, off, quality, n); err != nil {
			return err
		}
	}
	return rows.Err()
}

// unpackRange decodes a block of n readings (packValues's bytes),
// storing reading i at out[off+i] where that lies inside out. It decodes
// no further than out needs: a block's readings after the range are not
// read (nor checked: a corrupt tail is noticed by the readers that read
// it, such as Intervals).
func unpackRange(out []energy.Wh, off int, b []byte, n int) error {
	// Readings before out are decoded and dropped, then those inside it
	// stored.
	skip := min(n, max(0, -off))
	end := min(n, len(out)-off)
	var prev int64
	pos := 0
	for i := 0; i < end; {
		// Eight one-byte deltas at once (interval data mostly changes
		// by less than 64 Wh a step).
		if pos+8 <= len(b) && end-i >= 8 {
			if w := binary.LittleEndian.Uint64(b[pos:]); w&0x8080808080808080 == 0 {
				for k := range 8 {
					u := (w >> (8 * k)) & 0xff
					prev += int64(u>>1) ^ -int64(u&1) // zig-zag, as binary.Varint
					if i+k >= skip {
						out[off+i+k] = energy.Wh(prev)
					}
				}
				i, pos = i+8, pos+8
				continue
			}
		}
		// binary.Varint, with the one- and two-byte encodings inline.
		var u uint64
		if pos < len(b) && b[pos] < 0x80 {
			u = uint64(b[pos])
			pos++
		} else if pos+1 < len(b) && b[pos+1] < 0x80 {
			u = uint64(b[pos]&0x7f) | uint64(b[pos+1])<<7
			pos += 2
		} else {
			v, k := binary.Uvarint(b[pos:])
			if k <= 0 {
				return errors.New("store: corrupt interval block")
			}
			u = v
			pos += k
		}
		prev += int64(u>>1) ^ -int64(u&1)
		if i >= skip {
			out[off+i] = energy.Wh(prev)
		}
		i++
	}
	if end == n && pos != len(b) {
		return errors.New("store: corrupt interval block (trailing bytes)")
	}
	return nil
}

// unpackQualityRange decodes packQuality's runs for a block of n
// readings, checked as unpackQuality does, and records each non-actual
// quality that falls inside s at offset off, allocating s.Quality only
// then (as Intervals does).
func unpackQualityRange(s *meterdata.Series, off int, b []byte, n int) error {
	pos := 0
	for len(b) > 0 {
		gap, k := binary.Uvarint(b)
		if k <= 0 || gap > uint64(n-pos) {
			return errors.New("store: corrupt interval quality")
		}
		b = b[k:]
		run, k := binary.Uvarint(b)
		if k <= 0 || run == 0 || run > uint64(n-pos)-gap || len(b) < k+1 {
			return errors.New("store: corrupt interval quality")
		}
		q := meterdata.Quality(b[k])
		b = b[k+1:]
		pos += int(gap)
		if q != meterdata.Actual {
			for i := range int(run) {
				if j := off + pos + i; j >= 0 && j < len(s.Values) {
					if s.Quality == nil {
						s.Quality = make([]meterdata.Quality, len(s.Values))
					}
					s.Quality[j] = q
				}
			}
		}
		pos += int(run)
	}
	return nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
