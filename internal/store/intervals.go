package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
)

// Missing marks an interval with no reading in a Series.
const Missing = meterdata.Missing

// Series is a run of equal-length intervals of one channel with their
// quality (see meterdata.Series).
type Series = meterdata.Series

// monthBlock is the stored unit of interval data: one channel's readings
// for one local calendar month. Local months have a whole number of
// intervals for every supported step, DST included.
type monthBlock struct {
	month   string // YYYY-MM
	start   time.Time
	step    time.Duration
	values  []energy.Wh
	quality []meterdata.Quality // nil when every reading is actual
}

// setQuality records interval i's quality, allocating the quality array
// only when a reading is not actual.
func (b *monthBlock) setQuality(i int, q meterdata.Quality) {
	if b.quality == nil {
		if q == meterdata.Actual {
			return
		}
		b.quality = make([]meterdata.Quality, len(b.values))
	}
	b.quality[i] = q
}

func (b *monthBlock) qualityAt(i int) meterdata.Quality {
	if b.quality == nil {
		return meterdata.Actual
	}
	return b.quality[i]
}

func monthStart(y int, m time.Month) time.Time {
	return time.Date(y, m, 1, 0, 0, 0, 0, calendar.Pacific)
}

func newMonthBlock(t time.Time, step time.Duration) monthBlock {
	l := t.In(calendar.Pacific)
	start := monthStart(l.Year(), l.Month())
	end := monthStart(l.Year(), l.Month()+1)
	n := int(end.Sub(start) / step)
	b := monthBlock{month: start.Format("2006-01"), start: start.UTC(), step: step, values: make([]energy.Wh, n)}
	for i := range b.values {
		b.values[i] = Missing
	}
	return b
}

// packValues encodes readings as zig-zag varints of the difference from
// the previous reading: interval data changes slowly, so most deltas take
// one or two bytes.
func packValues(vs []energy.Wh) []byte {
	buf := make([]byte, 0, len(vs)*2)
	var prev int64
	for _, v := range vs {
		buf = binary.AppendVarint(buf, int64(v)-prev)
		prev = int64(v)
	}
	return buf
}

func unpackValues(b []byte, n int) ([]energy.Wh, error) {
	out := make([]energy.Wh, n)
	return out, unpackInto(out, b)
}

// unpackInto decodes packValues's bytes into out, which must have room
// for exactly the block's readings.
func unpackInto(out []energy.Wh, b []byte) error {
	var prev int64
	for i := range out {
		d, k := binary.Varint(b)
		if k <= 0 {
			return errors.New("store: corrupt interval block")
		}
		b = b[k:]
		prev += d
		out[i] = energy.Wh(prev)
	}
	if len(b) != 0 {
		return errors.New("store: corrupt interval block (trailing bytes)")
	}
	return nil
}

// packQuality encodes the qualities of a block's present readings that
// are not actual as runs of one quality: the uvarint number of intervals
// since the end of the previous run, the uvarint run length and the
// quality byte. It returns nil when every present reading is actual, so
// the common block stores nothing (a NULL column). The quality of a
// Missing interval is not kept.
func packQuality(vs []energy.Wh, qs []meterdata.Quality) []byte {
	if qs == nil {
		return nil
	}
	var buf []byte
	end := 0
	for i := 0; i < len(vs); {
		q := qs[i]
		if q == meterdata.Actual || vs[i] == Missing {
			i++
			continue
		}
		j := i + 1
		for j < len(vs) && qs[j] == q && vs[j] != Missing {
			j++
		}
		buf = binary.AppendUvarint(buf, uint64(i-end))
		buf = binary.AppendUvarint(buf, uint64(j-i))
		buf = append(buf, byte(q))
		end, i = j, j
	}
	return buf
}

// unpackQuality decodes packQuality's runs for a block of n intervals;
// nil or empty input gives nil (all actual).
func unpackQuality(b []byte, n int) ([]meterdata.Quality, error) {
	if len(b) == 0 {
		return nil, nil
	}
	out := make([]meterdata.Quality, n)
	pos := 0
	for len(b) > 0 {
		gap, k := binary.Uvarint(b)
		if k <= 0 || gap > uint64(n-pos) {
			return nil, errors.New("store: corrupt interval quality")
		}
		b = b[k:]
		run, k := binary.Uvarint(b)
		if k <= 0 || run == 0 || run > uint64(n-pos)-gap || len(b) < k+1 {
			return nil, errors.New("store: corrupt interval quality")
		}
		q := meterdata.Quality(b[k])
		b = b[k+1:]
		pos += int(gap)
		for i := range int(run) {
			out[pos+i] = q
		}
		pos += int(run)
	}
	return out, nil
}

func validStep(step time.Duration) bool {
	return step == 5*time.Minute || step == 15*time.Minute || step == 30*time.Minute || step == time.Hour
}

// PutIntervals stores readings of a channel starting at start, replacing
// any stored readings (and their quality) for the same intervals and
// keeping the rest. Values must be non-negative (Missing is allowed and
// leaves a gap). start must be aligned to the step. It writes no audit
// record: imports go through ImportIntervals, which does.
func (tx *Tx) PutIntervals(ctx context.Context, channelID int64, s Series) error {
	var f apperr.Fields
	if !validStep(s.Step) {
		f.Add("interval", "must be 5, 15, 30 or 60 minutes")
	} else if s.Start.Unix()%int64(s.Step/time.Second) != 0 {
		f.Add("start", "must be aligned to the interval length")
	}
	for i, v := range s.Values {
		if v < 0 && v != Missing {
			f.Add("values", "reading %d is negative (%d Wh); delivered and received are stored as separate non-negative channels", i, v)
			break
		}
	}
	if s.Quality != nil && len(s.Quality) != len(s.Values) {
		f.Add("quality", "has %d entries for %d values", len(s.Quality), len(s.Values))
	}
	if err := f.Err("store.PutIntervals"); err != nil {
		return err
	}
	ch, err := tx.Channel(ctx, channelID)
	if err != nil {
		return err
	}
	if time.Duration(ch.IntervalSeconds)*time.Second != s.Step {
		f.Add("interval", "channel %d records %d-second intervals, not %s", channelID, ch.IntervalSeconds, s.Step)
		return f.Err("store.PutIntervals")
	}
	i := 0
	for i < len(s.Values) {
		t := s.Start.Add(time.Duration(i) * s.Step)
		b, err := tx.monthBlock(ctx, channelID, t, s.Step)
		if err != nil {
			return err
		}
		off := int(t.Sub(b.start) / s.Step)
		n := copy(b.values[off:], s.Values[i:])
		for k := range n {
			b.setQuality(off+k, s.QualityAt(i+k))
		}
		i += n
		if err := tx.putBlock(ctx, channelID, b); err != nil {
			return err
		}
	}
	return nil
}

func (q queries) monthBlock(ctx context.Context, channelID int64, t time.Time, step time.Duration) (monthBlock, error) {
	b := newMonthBlock(t, step)
	var n, secs int
	var packed, quality []byte
	err := q.q.QueryRowContext(ctx, `SELECT n, interval_seconds, packed, quality FROM interval_blocks WHERE channel_id = $1 AND month = $2`,
		channelID, b.month).Scan(&n, &secs, &packed, &quality)
	if errors.Is(err, sql.ErrNoRows) {
		return b, nil
	}
	if err != nil {
		return b, fmt.Errorf("store: interval block: %w", err)
	}
	if n != len(b.values) || time.Duration(secs)*time.Second != step {
		return b, fmt.Errorf("store: interval block %d/%s has %d×%ds, want %d×%s", channelID, b.month, n, secs, len(b.values), step)
	}
	if b.values, err = unpackValues(packed, n); err != nil {
		return b, err
	}
	b.quality, err = unpackQuality(quality, n)
	return b, err
}

func (tx *Tx) putBlock(ctx context.Context, channelID int64, b monthBlock) error {
	var sum energy.Wh
	for _, v := range b.values {
		if v != Missing {
			sum += v
		}
	}
	var quality any // NULL when every reading is actual
	if qb := packQuality(b.values, b.quality); qb != nil {
		quality = qb
	}
	_, err := tx.q.ExecContext(ctx, `INSERT INTO interval_blocks (channel_id, month, start_unix, interval_seconds, n, sum_wh, packed, updated_unix, quality)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (channel_id, month) DO UPDATE SET n = excluded.n, sum_wh = excluded.sum_wh, packed = excluded.packed,
			updated_unix = excluded.updated_unix, quality = excluded.quality`,
		channelID, b.month, b.start.Unix(), int(b.step/time.Second), len(b.values), int64(sum), packValues(b.values), tx.now().Unix(), quality)
	if err != nil {
		return fmt.Errorf("store: put intervals: %w", err)
	}
	return nil
}

// Intervals returns a channel's readings and their quality over
// [from, to), with Missing for intervals that have none (Quality is nil
// when every reading in the range is actual). from and to are rounded
// down to the channel's step; at most 400 days are read at once.
func (q queries) Intervals(ctx context.Context, channelID int64, from, to time.Time) (Series, error) {
	ch, err := q.Channel(ctx, channelID)
	if err != nil {
		return Series{}, err
	}
	step := time.Duration(ch.IntervalSeconds) * time.Second
	from, to = from.Truncate(step).UTC(), to.Truncate(step).UTC()
	if !to.After(from) {
		return Series{Start: from, Step: step}, nil
	}
	if to.Sub(from) > 400*24*time.Hour {
		return Series{}, apperr.Invalidf("store.Intervals", "at most 400 days of intervals per request")
	}
	out := Series{Start: from, Step: step, Values: make([]energy.Wh, int(to.Sub(from)/step))}
	for i := range out.Values {
		out.Values[i] = Missing
	}
	for t := from; t.Before(to); {
		b, err := q.monthBlock(ctx, channelID, t, step)
		if err != nil {
			return Series{}, err
		}
		// Reading i of the block is interval off+i of the range (from
		// and the block's start both lie on the step's grid).
		off := int(b.start.Sub(from) / step)
		for i, v := range b.values {
			if k := off + i; k >= 0 && k < len(out.Values) {
				out.Values[k] = v
				if q := b.qualityAt(i); q != meterdata.Actual {
					if out.Quality == nil {
						out.Quality = make([]meterdata.Quality, len(out.Values))
					}
					out.Quality[k] = q
				}
			}
		}
		t = b.start.Add(time.Duration(len(b.values)) * step)
	}
	return out, nil
}

// MonthlyTotals returns a channel's stored energy per local month (present
// readings only), oldest first.
func (q queries) MonthlyTotals(ctx context.Context, channelID int64) ([]Count, error) {
	out, err := q.counts(ctx, `SELECT month, sum_wh FROM interval_blocks WHERE channel_id = $1 ORDER BY month`, channelID)
	if err != nil {
		return nil, fmt.Errorf("store: monthly totals: %w", err)
	}
	return out, nil
}
