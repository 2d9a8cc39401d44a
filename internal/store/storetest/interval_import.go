package storetest

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/store"
)

// est, edt and act abbreviate qualities in the tables below.
const (
	act = meterdata.Actual
	est = meterdata.Estimated
	edt = meterdata.Edited
)

// testIntervalQualityRoundTrip checks that each reading's quality survives
// storage: estimated and edited readings read back as such, all-actual
// blocks store no quality at all (a NULL column), and overwriting an
// estimate with an actual reading clears it.
func testIntervalQualityRoundTrip(t *testing.T, db *store.DB) {
	hourly, _ := channels(t, db)
	d := day(2026, 7, 15)
	vals := ramp(24, 1)
	q := make([]meterdata.Quality, 24)
	q[2], q[3], q[4] = est, est, est // a three-hour estimate
	q[10] = edt
	q[23] = est // the last hour of the day
	put(t, db, hourly, store.Series{Start: d.Start(), Step: time.Hour, Values: vals, Quality: q})
	s := read(t, db, hourly, d.Start(), d.Next().Start())
	if !slices.Equal(s.Quality, q) {
		t.Errorf("quality read back %v, want %v", s.Quality, q)
	}
	want := []meterdata.QualityRun{{Index: 2, Count: 3, Quality: est}, {Index: 10, Count: 1, Quality: edt}, {Index: 23, Count: 1, Quality: est}}
	if got := s.NonActual(); !slices.Equal(got, want) {
		t.Errorf("NonActual = %v, want %v", got, want)
	}
	if n := s.Count(est); n != 4 {
		t.Errorf("%d estimated, want 4", n)
	}
	// A sub-range keeps its own offsets: hours 3–5 hold estimates at 0, 1.
	sub := read(t, db, hourly, d.Start().Add(3*time.Hour), d.Start().Add(6*time.Hour))
	if !slices.Equal(sub.Quality, []meterdata.Quality{est, est, act}) {
		t.Errorf("hours 3–5 quality %v, want [estimated estimated actual]", sub.Quality)
	}
	// The next day, all actual, reads with no quality array.
	put(t, db, hourly, store.Series{Start: d.Next().Start(), Step: time.Hour, Values: ramp(24, 1)})
	if s := read(t, db, hourly, d.Next().Start(), d.Next().Next().Start()); s.Quality != nil {
		t.Errorf("all-actual day read back quality %v, want nil", s.Quality)
	}
	// Replacing every non-actual reading with an actual one leaves the
	// block with no quality stored.
	put(t, db, hourly, store.Series{Start: d.Start(), Step: time.Hour, Values: vals})
	if s := read(t, db, hourly, d.Start(), d.Next().Start()); s.Quality != nil {
		t.Errorf("after actual overwrite quality %v, want nil", s.Quality)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM interval_blocks WHERE quality IS NOT NULL`); n != 0 {
		t.Errorf("%d blocks store a quality column for all-actual data, want 0", n)
	}
	err := txErr(db, func(ctx context.Context, tx *store.Tx) error {
		return tx.PutIntervals(ctx, hourly, store.Series{Start: d.Start(), Step: time.Hour, Values: vals, Quality: q[:3]})
	})
	wantErr(t, "quality shorter than values", err, apperr.Invalid, "quality")
}

// testIntervalBlocksBeforeQualityReadAsActual checks that blocks written
// before interval quality was stored (no quality column value, as the
// demo bulk path and migration 0001–0003 code wrote them) read as all
// actual.
func testIntervalBlocksBeforeQualityReadAsActual(t *testing.T, db *store.DB) {
	hourly, _ := channels(t, db)
	// The 2026-05 block as the code before migration 0004 wrote it:
	// 744 hourly readings of 2 Wh are the zig-zag varints 0x04 then
	// 743 × 0x00 (delta 0).
	packed := make([]byte, 744)
	packed[0] = 4
	start := day(2026, 5, 1).Start()
	_, err := db.SQL().ExecContext(context.Background(), `INSERT INTO interval_blocks (channel_id, month, start_unix, interval_seconds, n, sum_wh, packed, updated_unix)
		VALUES ($1, '2026-05', $2, 3600, 744, 1488, $3, 0)`, hourly, start.Unix(), packed)
	if err != nil {
		t.Fatal(err)
	}
	s := read(t, db, hourly, start, day(2026, 6, 1).Start())
	if sum, missing := s.Sum(); sum != 1488 || missing != 0 || s.Quality != nil {
		t.Errorf("legacy block: sum %d, missing %d, quality %v; want 1488, 0, nil", sum, missing, s.Quality)
	}
}

// plainCSV builds a plain interval CSV of hourly rows from 2026-07-15
// 00:00 PDT (07:00Z): one row per entry "delivered,received,quality"
// (empty cells allowed).
func plainCSV(rows ...string) string {
	var b strings.Builder
	b.WriteString("start,duration_s,delivered_wh,received_wh,quality\n")
	t := time.Date(2026, 7, 15, 7, 0, 0, 0, time.UTC)
	for _, r := range rows {
		b.WriteString(t.Format(time.RFC3339) + ",3600," + r + "\n")
		t = t.Add(time.Hour)
	}
	return b.String()
}

// importCSV parses text as a plain CSV and imports it for meterID.
func importCSV(t *testing.T, db *store.DB, meterID int64, name, text string) (store.ImportSummary, error) {
	t.Helper()
	f, dg, err := meterdata.Read(strings.NewReader(text), meterdata.Options{Format: meterdata.FormatCSV})
	if err != nil {
		t.Fatalf("parse %s: %v", name, err)
	}
	var sum store.ImportSummary
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		sum, err = tx.ImportIntervals(ctx, staff, store.IntervalImport{MeterID: meterID, FileName: name, Digest: dg, File: f})
		return err
	})
	return sum, err
}

func mustImportCSV(t *testing.T, db *store.DB, meterID int64, name, text string) store.ImportSummary {
	t.Helper()
	sum, err := importCSV(t, db, meterID, name, text)
	if err != nil {
		t.Fatalf("import %s: %v (%v)", name, err, apperr.FieldsOf(err))
	}
	return sum
}

func queryInt(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.SQL().QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// original is the first file of the import checks: four hours of
// delivered and received energy, the third hour estimated (a plain CSV
// row's quality applies to both channels). Delivered 500+400+300+200 =
// 1,400 Wh, received 0+10+20+30 = 60 Wh.
var original = plainCSV("500,0,actual", "400,10,actual", "300,20,estimated", "200,30,actual")

// testIntervalImportIdempotent checks DESIGN.md principle 5 for interval
// data: importing the same file twice adds nothing ("0 intervals
// changed"), and the second import is recognised as identical.
func testIntervalImportIdempotent(t *testing.T, db *store.DB) {
	setClock(db, t0)
	_, _, _, m := seed(t, db)
	first := mustImportCSV(t, db, m.ID, "july.csv", original)
	if first.Added != 8 || first.Replaced != 0 || first.Unchanged != 0 || first.Intervals != 8 || first.Estimated != 2 {
		t.Errorf("first import %+v, want 8 intervals added, 2 estimated", first)
	}
	if first.PreviousImportID != 0 || first.MeterSerial != "M-0001" || first.Format != "plain-csv" || len(first.SHA256) != 64 {
		t.Errorf("first import identity %+v", first)
	}
	blocks := queryInt(t, db, `SELECT count(*) FROM interval_blocks`)
	audits := queryInt(t, db, `SELECT count(*) FROM audit_log`)
	second := mustImportCSV(t, db, m.ID, "july-again.csv", original)
	if second.Changed() != 0 || second.Unchanged != 8 {
		t.Errorf("second import changed %d, unchanged %d; want 0 and 8", second.Changed(), second.Unchanged)
	}
	if second.PreviousImportID != first.ID || second.SHA256 != first.SHA256 {
		t.Errorf("second import previous %d sha %s, want %d %s", second.PreviousImportID, second.SHA256, first.ID, first.SHA256)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM interval_blocks`); n != blocks {
		t.Errorf("blocks %d after re-import, want %d", n, blocks)
	}
	// The re-import is recorded (one import row, one audit record) but
	// replaces nothing, so no replace_intervals record is written.
	if n := queryInt(t, db, `SELECT count(*) FROM audit_log`); n != audits+1 {
		t.Errorf("audit records grew by %d on re-import, want 1", n-audits)
	}
	list, err := db.IntervalImports(context.Background(), m.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != second.ID || list[1].ID != first.ID || list[0].FileName != "july-again.csv" || list[0].Actor != staff.String() {
		t.Errorf("imports list %+v", list)
	}
	if !list[1].At.Equal(t0) || len(list[1].Channels) != 2 || list[1].Channels[0].Added != 4 {
		t.Errorf("first import as listed %+v", list[1])
	}
	ms, err := db.MeterIntervals(context.Background(), m.ID, day(2026, 7, 15).Start(), day(2026, 7, 15).Start().Add(4*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ms.Delivered.Values, []energy.Wh{500, 400, 300, 200}) || !slices.Equal(ms.Received.Values, []energy.Wh{0, 10, 20, 30}) {
		t.Errorf("stored delivered %v received %v", ms.Delivered.Values, ms.Received.Values)
	}
	if !slices.Equal(ms.Delivered.Quality, []meterdata.Quality{act, act, est, act}) || !slices.Equal(ms.Received.Quality, []meterdata.Quality{act, act, est, act}) {
		t.Errorf("stored quality delivered %v received %v", ms.Delivered.Quality, ms.Received.Quality)
	}
}

// testIntervalImportCorrection checks that a corrected file replaces only
// the intervals that differ, and that the replacement is audited with the
// span, the count and the energy before and after.
func testIntervalImportCorrection(t *testing.T, db *store.DB) {
	setClock(db, t0)
	_, _, _, m := seed(t, db)
	mustImportCSV(t, db, m.ID, "july.csv", original)
	// The correction: the estimated hour 3 measured (actual), delivered
	// 300 → 350 Wh and received 20 Wh as before; hour 4 unchanged in
	// value but now marked edited; hour 5 new. Per channel: hours 1–2
	// unchanged, 3–4 replaced, 5 added.
	corrected := plainCSV("500,0,actual", "400,10,actual", "350,20,actual", "200,30,edited", "150,40,actual")
	sum := mustImportCSV(t, db, m.ID, "july-corrected.csv", corrected)
	if sum.Added != 2 || sum.Replaced != 4 || sum.Unchanged != 4 || sum.PreviousImportID != 0 {
		t.Errorf("correction added %d replaced %d unchanged %d previous %d; want 2, 4, 4, 0", sum.Added, sum.Replaced, sum.Unchanged, sum.PreviousImportID)
	}
	del := sum.Channels[0]
	// Replaced: 07-15 09:00Z..11:00Z local 02:00–04:00 PDT, before 300+200,
	// after 350+200; one estimate before, none after.
	want := store.Replacement{From: time.Date(2026, 7, 15, 9, 0, 0, 0, time.UTC), To: time.Date(2026, 7, 15, 11, 0, 0, 0, time.UTC),
		Intervals: 2, BeforeWh: 500, AfterWh: 550, BeforeEstimated: 1, AfterEstimated: 0}
	if del.Direction != customer.Delivered || del.Replacement == nil || !replacementEqual(*del.Replacement, want) {
		t.Errorf("delivered replacement %+v, want %+v", del.Replacement, want)
	}
	// Received: the same span, 20+30 Wh before and after (only the
	// qualities changed).
	want.BeforeWh, want.AfterWh = 50, 50
	if rc := sum.Channels[1]; rc.Replacement == nil || !replacementEqual(*rc.Replacement, want) {
		t.Errorf("received replacement %+v, want %+v", rc.Replacement, want)
	}
	recs, err := db.AuditLog(context.Background(), store.AuditFilter{Entity: "channel"})
	if err != nil {
		t.Fatal(err)
	}
	var repl []auth.AuditRecord
	for _, r := range recs {
		if r.Action == "replace_intervals" && r.EntityID == itoa(m.Channels[0].ID) {
			repl = append(repl, r)
		}
	}
	if len(repl) != 1 || repl[0].EntityID != itoa(m.Channels[0].ID) {
		t.Fatalf("replace_intervals records %+v, want one on channel %d", repl, m.Channels[0].ID)
	}
	if got := jsonField(t, repl[0].Before, "sum_wh"); got != "500" {
		t.Errorf("audit before sum_wh %s, want 500", got)
	}
	if got := jsonField(t, repl[0].After, "sum_wh"); got != "550" {
		t.Errorf("audit after sum_wh %s, want 550", got)
	}
	if got := jsonField(t, repl[0].After, "intervals"); got != "2" {
		t.Errorf("audit intervals %s, want 2", got)
	}
	if got := jsonField(t, repl[0].Before, "from"); got != "2026-07-15T09:00:00Z" {
		t.Errorf("audit from %s", got)
	}
	if got := jsonField(t, repl[0].After, "import_id"); got != itoa(sum.ID) {
		t.Errorf("audit import_id %s, want %d", got, sum.ID)
	}
	s := read(t, db, m.Channels[0].ID, day(2026, 7, 15).Start(), day(2026, 7, 15).Start().Add(5*time.Hour))
	if !slices.Equal(s.Values, []energy.Wh{500, 400, 350, 200, 150}) || !slices.Equal(s.Quality, []meterdata.Quality{act, act, act, edt, act}) {
		t.Errorf("after correction %v %v", s.Values, s.Quality)
	}
	// A file with a gap leaves the stored reading in the gap alone.
	gap := plainCSV("500,0,actual", ",,", "999,20,actual")
	sum = mustImportCSV(t, db, m.ID, "gap.csv", gap)
	if sum.Replaced != 1 || sum.Gaps != 2 {
		t.Errorf("gap file replaced %d gaps %d, want 1 (delivered 350 → 999) and 2 (one per channel)", sum.Replaced, sum.Gaps)
	}
	s = read(t, db, m.Channels[0].ID, day(2026, 7, 15).Start(), day(2026, 7, 15).Start().Add(3*time.Hour))
	if !slices.Equal(s.Values, []energy.Wh{500, 400, 999}) {
		t.Errorf("after gap file %v, want [500 400 999]", s.Values)
	}
}

func replacementEqual(a, b store.Replacement) bool {
	return a.From.Equal(b.From) && a.To.Equal(b.To) && a.Intervals == b.Intervals && a.BeforeWh == b.BeforeWh &&
		a.AfterWh == b.AfterWh && a.BeforeEstimated == b.BeforeEstimated && a.AfterEstimated == b.AfterEstimated
}

// testIntervalImportRejectsStoreNothing checks that a rejected file (wrong
// interval length, a channel the meter lacks, readings before the meter
// was installed) stores nothing: no blocks, no import row, no audit.
func testIntervalImportRejectsStoreNothing(t *testing.T, db *store.DB) {
	setClock(db, t0)
	_, _, a, m := seed(t, db)
	solo := customer.Meter{AccountID: a.ID, Serial: "M-SOLO", IntervalSeconds: 3600, Installed: day(2026, 7, 15)}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateMeter(ctx, staff, &solo) })
	quarter := "start,duration_s,delivered_wh,received_wh\n2026-07-15T07:00:00Z,900,5,\n2026-07-15T07:15:00Z,900,6,\n"
	before := counts(t, db)
	tests := []struct {
		name   string
		meter  int64
		text   string
		fields string
		words  []string
	}{
		{"15-minute file for an hourly channel", m.ID, quarter, "interval_seconds", []string{"3600-second", "900-second", "delivered"}},
		{"received readings for a meter without a received channel", solo.ID, plainCSV("1,2,actual"), "channels", []string{"no received channel", "M-SOLO"}},
		{"readings before the meter was installed", solo.ID, strings.Replace(plainCSV("1,,actual"), "2026-07-15T07", "2026-07-14T07", 1), "file", []string{"before meter M-SOLO was installed"}},
		{"no readings at all", m.ID, "start,duration_s,delivered_wh,received_wh\n", "file", []string{"no interval readings"}},
	}
	for _, tt := range tests {
		_, err := importCSV(t, db, tt.meter, "bad.csv", tt.text)
		wantErr(t, tt.name, err, apperr.Invalid, tt.fields)
		for _, w := range tt.words {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not mention %q", tt.name, err, w)
			}
		}
	}
	_, err := importCSV(t, db, 999, "nometer.csv", original)
	wantErr(t, "unknown meter", err, apperr.NotFound, "")
	if after := counts(t, db); !maps.Equal(before, after) {
		t.Errorf("rejected imports changed row counts: before %v after %v", before, after)
	}
}

// testIntervalImportNetOnly checks that a net-only source is marked: the
// channels it reaches become net_only, with an audit record, and its
// values are stored as delivered = max(net, 0), received = max(−net, 0).
func testIntervalImportNetOnly(t *testing.T, db *store.DB) {
	setClock(db, t0)
	_, _, _, m := seed(t, db)
	// A PG&E CSV with a signed USAGE column: 0.50 kWh imported, then
	// 0.25 kWh exported.
	pge := "Name,TEST\nAccount Number,7000000001\n\nTYPE,DATE,START TIME,END TIME,USAGE,UNITS,COST,NOTES\n" +
		"Electric usage,2026-07-15,00:00,00:59,0.50,kWh,$0.10,\nElectric usage,2026-07-15,01:00,01:59,-0.25,kWh,-$0.05,\n"
	f, dg, err := meterdata.Read(strings.NewReader(pge), meterdata.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// No meter given: the file's Account Number finds the account's meter.
	var sum store.ImportSummary
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		sum, err = tx.ImportIntervals(ctx, staff, store.IntervalImport{FileName: "pge.csv", Digest: dg, File: f})
		return err
	})
	if sum.MeterID != m.ID || len(sum.Channels) != 2 || !sum.Channels[0].NetOnly || !sum.Channels[1].NetOnly {
		t.Fatalf("net import %+v", sum)
	}
	got, err := db.Meter(context.Background(), m.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range got.Channels {
		if !c.NetOnly {
			t.Errorf("channel %s not marked net_only", c.Direction)
		}
	}
	ms, err := db.MeterIntervals(context.Background(), m.ID, day(2026, 7, 15).Start(), day(2026, 7, 15).Start().Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ms.Delivered.Values, []energy.Wh{500, 0}) || !slices.Equal(ms.Received.Values, []energy.Wh{0, 250}) || !ms.Delivered.NetOnly {
		t.Errorf("net split: delivered %v received %v net-only %v", ms.Delivered.Values, ms.Received.Values, ms.Delivered.NetOnly)
	}
	recs, err := db.AuditLog(context.Background(), store.AuditFilter{Entity: "channel", EntityID: itoa(m.Channels[0].ID)})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Action != "update" || jsonField(t, recs[0].After, "net_only") != "true" {
		t.Errorf("channel audit %+v, want one net_only update", recs)
	}
	// A file naming an account that is not in the registry needs a meter.
	f.AccountNumber = "999"
	err = txErr(db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.ImportIntervals(ctx, staff, store.IntervalImport{FileName: "pge.csv", Digest: dg, File: f})
		return err
	})
	wantErr(t, "unknown account number", err, apperr.Invalid, "meter")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
