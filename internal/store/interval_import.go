package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
)

// IntervalImport is a parsed interval file to store for a meter.
type IntervalImport struct {
	// MeterID names the meter. Zero means: the meter of the account the
	// file names (File.AccountNumber) whose service covers the readings.
	MeterID  int64
	FileName string
	Digest   meterdata.Digest
	File     *meterdata.File
}

// ImportSummary says what one interval import found and changed. It is
// stored with the import (interval_imports.summary_json) and answered by
// the CLI and the API as JSON.
type ImportSummary struct {
	ID          int64     `json:"id"`
	MeterID     int64     `json:"meter_id"`
	MeterSerial string    `json:"meter_serial"`
	FileName    string    `json:"file_name"`
	SHA256      string    `json:"sha256"`
	Bytes       int64     `json:"bytes"`
	Format      string    `json:"format"`
	Actor       string    `json:"actor"`
	At          time.Time `json:"at"`
	// PreviousImportID is the first earlier import of a byte-identical
	// file to the same meter, or 0.
	PreviousImportID int64           `json:"previous_import_id"`
	ImportCounts                     // totals over the channels
	Channels         []ChannelImport `json:"channels"`
}

// ImportCounts counts the readings of an import: those in the file, and of
// them the intervals newly stored, the stored ones replaced by a different
// value or quality, and the ones already stored as they are; with what
// the parser reported about the file.
type ImportCounts struct {
	Intervals  int `json:"intervals"`
	Added      int `json:"added"`
	Replaced   int `json:"replaced"`
	Unchanged  int `json:"unchanged"`
	Gaps       int `json:"gaps"`
	Duplicates int `json:"duplicates"`
	Overlaps   int `json:"overlaps"`
	Estimated  int `json:"estimated"`
}

// Changed returns how many stored intervals the import added or replaced.
func (c ImportCounts) Changed() int { return c.Added + c.Replaced }

func (c *ImportCounts) add(o ImportCounts) {
	c.Intervals += o.Intervals
	c.Added += o.Added
	c.Replaced += o.Replaced
	c.Unchanged += o.Unchanged
	c.Gaps += o.Gaps
	c.Duplicates += o.Duplicates
	c.Overlaps += o.Overlaps
	c.Estimated += o.Estimated
}

// ChannelImport is one channel's part of an ImportSummary.
type ChannelImport struct {
	ChannelID       int64              `json:"channel_id"`
	Direction       customer.Direction `json:"direction"`
	NetOnly         bool               `json:"net_only"`
	IntervalSeconds int                `json:"interval_seconds"`
	Source          string             `json:"source"`
	From            time.Time          `json:"from"`
	To              time.Time          `json:"to"`
	TotalWh         energy.Wh          `json:"total_wh"`
	ImportCounts
	ByQuality []meterdata.Count `json:"by_quality"`
	// Replacement describes the stored intervals the file replaced; nil
	// when it replaced none.
	Replacement *Replacement `json:"replacement"`
}

// Replacement is the audit of the stored intervals of one channel that an
// import replaced: the span from the first to the end of the last, how
// many, and their energy and estimated count before and after.
type Replacement struct {
	From            time.Time `json:"from"`
	To              time.Time `json:"to"`
	Intervals       int       `json:"intervals"`
	BeforeWh        energy.Wh `json:"before_wh"`
	AfterWh         energy.Wh `json:"after_wh"`
	BeforeEstimated int       `json:"before_estimated"`
	AfterEstimated  int       `json:"after_estimated"`
}

// ImportIntervals stores an interval file's readings on a meter's
// channels (meterdata.File.ForMeter gives the mapping rules). Intervals
// the file has no reading for are left as stored; every other interval is
// added, replaced (a different value or quality) or found unchanged, so
// importing the same file twice changes nothing. For each channel with
// replacements it writes an audit record ("replace_intervals" on the
// channel) with the span, count and energy before and after; it marks a
// channel net_only (audited) when net-only data first reaches it; and it
// records the import in interval_imports with one audit record. Call it
// inside one transaction (db.InTx): a rejected file leaves nothing.
func (tx *Tx) ImportIntervals(ctx context.Context, actor auth.Actor, in IntervalImport) (ImportSummary, error) {
	const op = "store.ImportIntervals"
	if in.File == nil {
		return ImportSummary{}, apperr.Invalidf(op, "no file")
	}
	var m customer.Meter
	var err error
	if in.MeterID != 0 {
		m, err = tx.Meter(ctx, in.MeterID)
	} else {
		m, err = tx.meterForFile(ctx, in.File)
	}
	if err != nil {
		return ImportSummary{}, err
	}
	data, err := in.File.ForMeter(m)
	if err != nil {
		return ImportSummary{}, err
	}
	sum := ImportSummary{MeterID: m.ID, MeterSerial: m.Serial, FileName: in.FileName, SHA256: in.Digest.SHA256,
		Bytes: in.Digest.Bytes, Format: string(in.File.Format), Actor: actor.String(), At: tx.now()}
	err = tx.q.QueryRowContext(ctx, `SELECT coalesce(min(id), 0) FROM interval_imports WHERE meter_id = $1 AND sha256 = $2`,
		m.ID, in.Digest.SHA256).Scan(&sum.PreviousImportID)
	if err != nil {
		return sum, fmt.Errorf("store: interval imports: %w", err)
	}
	for _, d := range data {
		ci, err := tx.mergeChannel(ctx, d)
		if err != nil {
			return sum, err
		}
		sum.Channels = append(sum.Channels, ci)
		sum.add(ci.ImportCounts)
	}
	doc, err := json.Marshal(sum)
	if err != nil {
		return sum, fmt.Errorf("store: interval import: %w", err)
	}
	err = tx.q.QueryRowContext(ctx, `INSERT INTO interval_imports (meter_id, file_name, sha256, size_bytes, format, intervals,
		added, replaced, unchanged, gaps, duplicates, estimated, previous_import_id, actor, at_unix, summary_json)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id`,
		m.ID, sum.FileName, sum.SHA256, sum.Bytes, sum.Format, sum.Intervals, sum.Added, sum.Replaced, sum.Unchanged,
		sum.Gaps, sum.Duplicates, sum.Estimated, nullID(sum.PreviousImportID), sum.Actor, sum.At.Unix(), string(doc)).Scan(&sum.ID)
	if err != nil {
		return sum, fmt.Errorf("store: record interval import: %w", mapErr(err))
	}
	for i, ci := range sum.Channels {
		d := data[i]
		if d.NetOnly && !channelNetOnly(m, d.ChannelID) {
			if _, err := tx.q.ExecContext(ctx, `UPDATE channels SET net_only = 1 WHERE id = $1`, d.ChannelID); err != nil {
				return sum, fmt.Errorf("store: mark channel net-only: %w", err)
			}
			before := map[string]any{"net_only": false}
			after := map[string]any{"net_only": true, "import_id": sum.ID, "source": d.Source}
			if err := tx.audit(ctx, actor, "update", "channel", d.ChannelID, before, after); err != nil {
				return sum, err
			}
		}
		if r := ci.Replacement; r != nil {
			before := map[string]any{"from": r.From, "to": r.To, "intervals": r.Intervals, "sum_wh": r.BeforeWh, "estimated": r.BeforeEstimated}
			after := map[string]any{"from": r.From, "to": r.To, "intervals": r.Intervals, "sum_wh": r.AfterWh, "estimated": r.AfterEstimated,
				"import_id": sum.ID, "file_name": sum.FileName}
			if err := tx.audit(ctx, actor, "replace_intervals", "channel", d.ChannelID, before, after); err != nil {
				return sum, err
			}
		}
	}
	brief := map[string]any{"meter_id": m.ID, "file_name": sum.FileName, "sha256": sum.SHA256, "format": sum.Format,
		"intervals": sum.Intervals, "added": sum.Added, "replaced": sum.Replaced, "unchanged": sum.Unchanged}
	if err := tx.audit(ctx, actor, "import", "interval_import", sum.ID, nil, brief); err != nil {
		return sum, err
	}
	return sum, nil
}

func channelNetOnly(m customer.Meter, id int64) bool {
	for _, c := range m.Channels {
		if c.ID == id {
			return c.NetOnly
		}
	}
	return false
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// mergeChannel writes one channel's readings block by block, counting
// what it adds, replaces and finds unchanged.
func (tx *Tx) mergeChannel(ctx context.Context, d meterdata.ChannelData) (ChannelImport, error) {
	s := d.Series
	rep := d.Report
	ci := ChannelImport{ChannelID: d.ChannelID, Direction: d.Direction, NetOnly: d.NetOnly, IntervalSeconds: int(s.Step / time.Second),
		Source: d.Source, From: s.Start, To: s.End(), TotalWh: rep.TotalWh, ByQuality: rep.ByQuality,
		ImportCounts: ImportCounts{Intervals: rep.Readings, Gaps: rep.Gaps, Duplicates: rep.Duplicates, Overlaps: rep.Overlaps, Estimated: rep.Estimated}}
	var r Replacement
	for i := 0; i < len(s.Values); {
		t := s.Start.Add(time.Duration(i) * s.Step)
		b, err := tx.monthBlock(ctx, d.ChannelID, t, s.Step)
		if err != nil {
			return ci, err
		}
		off := int(t.Sub(b.start) / s.Step)
		n := min(len(b.values)-off, len(s.Values)-i)
		changed := false
		for k := range n {
			v := s.Values[i+k]
			if v == Missing {
				continue
			}
			q := s.QualityAt(i + k)
			old, oldQ := b.values[off+k], b.qualityAt(off+k)
			switch {
			case old == Missing:
				ci.Added++
			case old == v && oldQ == q:
				ci.Unchanged++
				continue
			default:
				at := b.start.Add(time.Duration(off+k) * s.Step)
				if r.Intervals == 0 {
					r.From = at
				}
				r.To = at.Add(s.Step)
				r.Intervals++
				r.BeforeWh += old
				r.AfterWh += v
				r.BeforeEstimated += boolCount(oldQ == meterdata.Estimated)
				r.AfterEstimated += boolCount(q == meterdata.Estimated)
			}
			b.values[off+k] = v
			b.setQuality(off+k, q)
			changed = true
		}
		if changed {
			if err := tx.putBlock(ctx, d.ChannelID, b); err != nil {
				return ci, err
			}
		}
		i += n
	}
	ci.Replaced = r.Intervals
	if r.Intervals > 0 {
		ci.Replacement = &r
	}
	return ci, nil
}

func boolCount(b bool) int {
	if b {
		return 1
	}
	return 0
}

// meterForFile finds the meter for a file that names its account: the
// account's meter whose service covers the file's readings.
func (q queries) meterForFile(ctx context.Context, f *meterdata.File) (customer.Meter, error) {
	const op = "store.ImportIntervals"
	var fe apperr.Fields
	num := strings.TrimSpace(f.AccountNumber)
	if num == "" {
		fe.Add("meter", "is required: the file names no account to find the meter by")
		return customer.Meter{}, fe.Err(op)
	}
	a, err := q.AccountByNumber(ctx, num)
	if apperr.Is(err, apperr.NotFound) {
		fe.Add("meter", "is required: the file names account %s, which is not in the registry", num)
		return customer.Meter{}, fe.Err(op)
	}
	if err != nil {
		return customer.Meter{}, err
	}
	ms, err := q.Meters(ctx, a.ID)
	if err != nil {
		return customer.Meter{}, err
	}
	var from, to time.Time
	for _, c := range f.Channels {
		if r := c.Report; r.Readings > 0 {
			if from.IsZero() || r.First.Before(from) {
				from = r.First
			}
			if r.End.After(to) {
				to = r.End
			}
		}
	}
	var fit []customer.Meter
	var serials []string
	for _, m := range ms {
		serials = append(serials, m.Serial)
		if !from.Before(m.Installed.Start()) && (m.Removed.IsZero() || !to.After(m.Removed.Start())) {
			fit = append(fit, m)
		}
	}
	if len(fit) == 1 {
		return fit[0], nil
	}
	if len(fit) == 0 {
		fe.Add("meter", "is required: no meter of account %s (%s) was in service for all of the file's readings", num, listOrNone(serials))
	} else {
		fe.Add("meter", "is required: account %s has several meters in service for the file's readings (%s)", num, listOrNone(serials))
	}
	return customer.Meter{}, fe.Err(op)
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "no meters"
	}
	return strings.Join(s, ", ")
}

// IntervalImports returns a meter's interval imports, newest first, at
// most limit (1–200; default 50) with id < before when before > 0.
func (q queries) IntervalImports(ctx context.Context, meterID, before int64, limit int) ([]ImportSummary, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := q.q.QueryContext(ctx, `SELECT id, summary_json FROM interval_imports WHERE meter_id = $1 AND id < $2
		ORDER BY id DESC LIMIT $3`, meterID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("store: interval imports: %w", err)
	}
	defer rows.Close()
	var out []ImportSummary
	for rows.Next() {
		var id int64
		var doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, fmt.Errorf("store: interval imports: %w", err)
		}
		var s ImportSummary
		if err := json.Unmarshal([]byte(doc), &s); err != nil {
			return nil, fmt.Errorf("store: interval import %d: %w", id, err)
		}
		s.ID = id
		out = append(out, s)
	}
	return out, rows.Err()
}

// ChannelSeries is one channel's readings with the channel's identity.
// ChannelID is 0 (and Values empty) when the meter has no channel of the
// direction: for a received channel, nothing is measured as exported.
type ChannelSeries struct {
	ChannelID int64
	Direction customer.Direction
	NetOnly   bool // the readings were split from a net-only source
	meterdata.Series
}

// MeterSeries is a meter's delivered and received readings over one span,
// each with its quality; the two are never netted here.
type MeterSeries struct {
	MeterID   int64
	Delivered ChannelSeries
	Received  ChannelSeries
}

// MeterIntervals reads a meter's delivered and received channels over
// [from, to) (see Intervals: rounded down to the step, at most 400 days),
// with Missing where no reading is stored and each reading's quality.
func (q queries) MeterIntervals(ctx context.Context, meterID int64, from, to time.Time) (MeterSeries, error) {
	m, err := q.Meter(ctx, meterID)
	if err != nil {
		return MeterSeries{}, err
	}
	out := MeterSeries{MeterID: m.ID, Delivered: ChannelSeries{Direction: customer.Delivered}, Received: ChannelSeries{Direction: customer.Received}}
	for _, c := range m.Channels {
		s, err := q.Intervals(ctx, c.ID, from, to)
		if err != nil {
			return MeterSeries{}, err
		}
		cs := ChannelSeries{ChannelID: c.ID, Direction: c.Direction, NetOnly: c.NetOnly, Series: s}
		if c.Direction == customer.Received {
			out.Received = cs
		} else {
			out.Delivered = cs
		}
	}
	return out, nil
}
