package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// testDRBatchLoadsMatchParticipantLoad reads several meters' loads at
// once (ParticipantLoads, what a settlement reads a batch with) and
// checks each against ParticipantLoad, one meter at a time: a 15-minute
// meter with a gap and estimated readings across the September/October
// boundary, an hourly meter across the November 2026 fall-back (a
// 721-hour month), a meter with only a received channel, one with no
// readings, one named twice, and buffers reused from an earlier read.
// An unknown meter is NotFound.
func testDRBatchLoadsMatchParticipantLoad(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	_, _, a, _ := seed(t, db)
	mk := func(serial string, secs int, dirs ...customer.Direction) customer.Meter {
		m := customer.Meter{AccountID: a.ID, Serial: serial, IntervalSeconds: secs, Installed: day(2024, 1, 1)}
		for _, d := range dirs {
			m.Channels = append(m.Channels, customer.Channel{Direction: d})
		}
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.CreateMeter(ctx, staff, &m) })
		return m
	}
	quarter := mk("M-Q", 900, customer.Delivered, customer.Received)
	hourly := mk("M-H", 3600, customer.Delivered)
	received := mk("M-R", 900, customer.Received)
	empty := mk("M-E", 900, customer.Delivered)

	// 15-minute readings 2026-09-25 to 10-05 local: 100 + i%7 Wh, with
	// a 3-hour gap on 09-30 from 22:00 and readings 10 to 13 of
	// 10-01 estimated.
	qs := meterdata.Series{Start: day(2026, 9, 25).Start(), Step: 15 * time.Minute}
	qStart := qs.Start
	for at := qStart; at.Before(day(2026, 10, 5).Start()); at = at.Add(qs.Step) {
		qs.Values = append(qs.Values, energy.Wh(100+len(qs.Values)%7))
	}
	qs.Quality = make([]meterdata.Quality, len(qs.Values))
	gap := int(localAt(day(2026, 9, 30), 22).Sub(qStart) / qs.Step)
	for i := gap; i < gap+12; i++ {
		qs.Values[i] = meterdata.Missing
	}
	est := int(day(2026, 10, 1).Start().Sub(qStart)/qs.Step) + 10
	for i := est; i < est+4; i++ {
		qs.Quality[i] = meterdata.Estimated
	}
	// Hourly readings 2026-10-20 to 11-10 local (the 1st of November has
	// 25 hours): 500 + i%11 Wh.
	hs := meterdata.Series{Start: day(2026, 10, 20).Start(), Step: time.Hour}
	for at := hs.Start; at.Before(day(2026, 11, 10).Start()); at = at.Add(time.Hour) {
		hs.Values = append(hs.Values, energy.Wh(500+len(hs.Values)%11))
	}
	if len(hs.Values) != 21*24+1 {
		t.Fatalf("hourly fixture has %d readings, want 505 (21 days, one of 25 hours)", len(hs.Values))
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		if err := tx.PutIntervals(ctx, quarter.Channels[0].ID, qs); err != nil {
			return err
		}
		if err := tx.PutIntervals(ctx, received.Channels[0].ID, qs); err != nil {
			return err
		}
		return tx.PutIntervals(ctx, hourly.Channels[0].ID, hs)
	})

	check := func(name string, from, to time.Time, ids []int64, dst []meterdata.Series) []meterdata.Series {
		t.Helper()
		if dst == nil {
			dst = make([]meterdata.Series, len(ids))
		}
		if err := db.ParticipantLoads(ctx, ids, from, to, dst); err != nil {
			t.Fatalf("%s: ParticipantLoads: %v", name, err)
		}
		for i, id := range ids {
			want, err := db.ParticipantLoad(ctx, id, from, to)
			if err != nil {
				t.Fatalf("%s: ParticipantLoad(%d): %v", name, id, err)
			}
			if diff := cmp.Diff(want, dst[i]); diff != "" {
				t.Errorf("%s: meter %d (position %d), batch read differs from ParticipantLoad (-one +batch):\n%s", name, id, i, diff)
			}
		}
		return dst
	}
	ids := []int64{quarter.ID, hourly.ID, received.ID, empty.ID, quarter.ID}
	// Across the September/October boundary and the gap.
	got := check("September-October", day(2026, 9, 28).Start(), day(2026, 10, 3).Start(), ids, nil)
	q := got[0]
	// 5 days of 96 quarter-hours; the gap starts at 22:00 on 09-30 (day 2
	// of the range), the estimates at 02:30 on 10-01 (day 3).
	if len(q.Values) != 5*96 || q.Values[2*96+88] != meterdata.Missing || q.Values[2*96+87] == meterdata.Missing ||
		q.QualityAt(3*96+10) != meterdata.Estimated || q.QualityAt(3*96+14) != meterdata.Actual {
		t.Errorf("quarter-hour meter: %d readings, gap %d, estimated %v; want 480, a gap from 280, estimated 298–301",
			len(q.Values), q.Values[2*96+88], q.QualityAt(3*96+10))
	}
	if got[2].Values != nil || got[2].Step != 0 {
		t.Errorf("meter with only a received channel: %+v, want an empty series", got[2])
	}
	if _, missing := got[3].Sum(); missing != 5*96 {
		t.Errorf("meter without readings: %d missing, want 480", missing)
	}
	// Across the fall-back, reusing the buffers of the first read: the
	// hourly meter has 24×5 + 1 readings from 10-29 to 11-03.
	got = check("fall back", day(2026, 10, 29).Start(), day(2026, 11, 3).Start(), ids, got)
	if len(got[1].Values) != 5*24+1 || got[1].Values[0] != energy.Wh(500+9*24%11) {
		t.Errorf("hourly meter over the fall-back: %d readings starting %d, want 121 starting %d", len(got[1].Values), got[1].Values[0], 500+9*24%11)
	}
	// August has no block (all Missing), September one from the 25th;
	// the buffers reused still hold the last read's readings.
	got = check("a month without a block", day(2026, 8, 20).Start(), day(2026, 9, 27).Start(), ids, got)
	if _, missing := got[0].Sum(); missing != (38-2)*96 {
		t.Errorf("quarter-hour meter 08-20 to 09-27: %d missing, want %d (all but 09-25 and 09-26)", missing, (38-2)*96)
	}
	// A range not on the hourly grid is rounded down, as Intervals does;
	// an empty range gives empty series.
	check("off the grid", localAt(day(2026, 10, 30), 5).Add(20*time.Minute), localAt(day(2026, 11, 2), 7).Add(50*time.Minute), ids, nil)
	check("empty range", day(2026, 10, 2).Start(), day(2026, 10, 2).Start(), ids, nil)
	err := db.ParticipantLoads(ctx, []int64{quarter.ID, 999999}, day(2026, 9, 28).Start(), day(2026, 10, 3).Start(), make([]meterdata.Series, 2))
	wantErr(t, "unknown meter", err, apperr.NotFound, "")
	// The write side of a settlement batch, on the same database (its
	// records are apart from these): registered here rather than in Run's
	// list while that list has other work in progress beside it.
	t.Run("SaveSettlementsBatch", func(t *testing.T) { testDRSaveSettlementsBatch(t, db) })
}

// testDRSaveSettlementsBatch saves 1,202 outcomes of one event in one
// batch (more rows than one multi-row statement of settlements or audit
// records holds): the account settled before is left as it was, the one
// stored without a baseline is replaced, an account named twice keeps
// its first settlement, every settled amount above zero becomes one
// payable, and the audit log has what SaveSettlement writes one at a
// time (each payable just before its settlement). Saving the batch again
// stores nothing.
func testDRSaveSettlementsBatch(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	const n = 1201
	ids := make([]int64, n)
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		bk, err := tx.Bulk(ctx)
		if err != nil {
			return err
		}
		defer bk.Close()
		for i := range ids {
			c := newCustomer(fmt.Sprintf("Batch %d", i), "")
			p := newPremise(fmt.Sprintf("%d Batch Ave", i+1), "90001", "06037", "Unincorporated Los Angeles County")
			if err := bk.Customer(ctx, &c); err != nil {
				return err
			}
			if err := bk.Premise(ctx, &p); err != nil {
				return err
			}
			a := newAccount(fmt.Sprintf("63%08d", i+1), c, p)
			if err := bk.Account(ctx, &a); err != nil {
				return err
			}
			ids[i] = a.ID
		}
		return nil
	})
	pr := drProgram(t, "power_response")
	ev := day(2026, 9, 10)
	e := completedEvent(t, db, pr, ev)
	settled := func(acct int64, amount money.Cents) dr.Settlement {
		return dr.Settlement{EventID: e.ID, AccountID: acct, Track: "home", Status: dr.Settled, Method: "caiso-10in10", DaysUsed: 10, Factor: 1.05,
			BaselineWh: 2200, ActualWh: 1500, DeltaWh: 700, ReductionWh: 700, Rate: 1_000_000, Amount: amount}
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		if _, err := tx.SaveSettlement(ctx, staff, pr.Code, settled(ids[0], 70), nil); err != nil {
			return err
		}
		_, err := tx.SaveSettlement(ctx, staff, pr.Code, dr.Settlement{EventID: e.ID, AccountID: ids[1], Track: "home", Status: dr.NoBaseline, Reason: "too few days"}, nil)
		return err
	})
	audits := func(entity string) int {
		var k int
		if err := db.SQL().QueryRowContext(ctx, `SELECT count(*) FROM audit_log WHERE entity = '`+entity+`'`).Scan(&k); err != nil {
			t.Fatal(err)
		}
		return k
	}
	if s, p := audits("dr_settlement"), audits("dr_payable"); s != 2 || p != 1 {
		t.Fatalf("before the batch: %d settlement and %d payable audit records, want 2 and 1", s, p)
	}
	// Account 0: settled before (999¢ ignored); 1: replaces no_baseline
	// with 50¢; 2…1200: 10¢ for even positions, nothing for odd; then
	// account 2 again (777¢ ignored).
	var outs []dr.Outcome
	for i, id := range ids {
		amt := money.Cents(0)
		switch {
		case i == 0:
			amt = 999
		case i == 1:
			amt = 50
		case i%2 == 0:
			amt = 10
		}
		o := dr.Outcome{Settlement: settled(id, amt)}
		switch i {
		case 2: // 15-minute intervals, one without a reading
			o.Intervals = []dr.Interval{
				{Start: localAt(ev, 16), BaselineWh: 1100, UnadjustedWh: 1047.6190476, ActualWh: 700},
				{Start: localAt(ev, 16).Add(15 * time.Minute), BaselineWh: 1090, UnadjustedWh: 1038.0952381, ActualWh: meterdata.Missing},
				{Start: localAt(ev, 16).Add(30 * time.Minute), BaselineWh: 0, UnadjustedWh: 0.0004, ActualWh: 0},
			}
		case 4: // not on one grid
			o.Intervals = []dr.Interval{
				{Start: localAt(ev, 16), BaselineWh: 500, UnadjustedWh: 476.1904762, ActualWh: 400},
				{Start: localAt(ev, 17), BaselineWh: 520, UnadjustedWh: 495.2380952, ActualWh: 410},
				{Start: localAt(ev, 17).Add(15 * time.Minute), BaselineWh: 530, UnadjustedWh: 504.7619048, ActualWh: 420},
			}
		}
		outs = append(outs, o)
	}
	outs = append(outs, dr.Outcome{Settlement: settled(ids[2], 777)})
	save := db.SaveOutcomes(staff, pr.Code)
	got, err := save(ctx, outs)
	if err != nil || got != n-1 {
		t.Fatalf("saved %d, %v; want %d (all but the account settled before and the repeat)", got, err, n-1)
	}
	rs, err := db.Settlements(ctx, e.ID, true)
	if err != nil || len(rs) != n {
		t.Fatalf("%d settlements, %v; want %d", len(rs), err, n)
	}
	byAcct := map[int64]store.SettlementRecord{}
	for _, r := range rs {
		byAcct[r.AccountID] = r
	}
	if r := byAcct[ids[0]]; r.Amount != 70 {
		t.Errorf("account settled before: %d¢, want its first 70¢", r.Amount)
	}
	if r := byAcct[ids[1]]; r.Status != dr.Settled || r.Amount != 50 || r.Factor != 1.05 {
		t.Errorf("account without a baseline before: %+v, want settled at 50¢, factor 1.05", r.Settlement)
	}
	if r := byAcct[ids[2]]; r.Amount != 10 || !r.Settled.Equal(localAt(ev, 19)) {
		t.Errorf("account named twice: %+v; want its first 10¢", r)
	}
	// Intervals come back as saved, the unadjusted mean to 0.001 Wh.
	wantIntervals := map[int][]dr.Interval{
		2: {
			{Start: localAt(ev, 16), BaselineWh: 1100, UnadjustedWh: 1047.619, ActualWh: 700},
			{Start: localAt(ev, 16).Add(15 * time.Minute), BaselineWh: 1090, UnadjustedWh: 1038.095, ActualWh: meterdata.Missing},
			{Start: localAt(ev, 16).Add(30 * time.Minute), BaselineWh: 0, UnadjustedWh: 0, ActualWh: 0},
		},
		4: {
			{Start: localAt(ev, 16), BaselineWh: 500, UnadjustedWh: 476.19, ActualWh: 400},
			{Start: localAt(ev, 17), BaselineWh: 520, UnadjustedWh: 495.238, ActualWh: 410},
			{Start: localAt(ev, 17).Add(15 * time.Minute), BaselineWh: 530, UnadjustedWh: 504.762, ActualWh: 420},
		},
		5: {},
	}
	for i, want := range wantIntervals {
		if diff := cmp.Diff(want, byAcct[ids[i]].Intervals); diff != "" {
			t.Errorf("position %d: intervals (-saved +read):\n%s", i, diff)
		}
	}
	ps, err := db.PayablesWhere(ctx, store.PayableFilter{EventID: e.ID, Limit: 10000})
	if err != nil || len(ps) != 602 {
		t.Fatalf("%d payables, %v; want 602 (70¢ before, 50¢, and 600 of 10¢)", len(ps), err)
	}
	var owed money.Cents
	for _, p := range ps {
		owed += p.Amount
	}
	if owed != 70+50+600*10 {
		t.Errorf("payables owe %d¢, want 6,120¢", owed)
	}
	if s, p := audits("dr_settlement"), audits("dr_payable"); s != 2+n-1 || p != 1+601 {
		t.Errorf("after the batch: %d settlement and %d payable audit records, want %d and 602", s, p, 2+n-1)
	}
	last, err := db.AuditLog(ctx, store.AuditFilter{Limit: 3})
	if err != nil || len(last) != 3 {
		t.Fatalf("audit log %+v, %v", last, err)
	}
	// Newest first: position 1200 (even: payable, then settlement), then
	// position 1199 (odd: settlement only).
	want := []struct {
		entity string
		acct   int64
	}{{"dr_settlement", ids[1200]}, {"dr_payable", ids[1200]}, {"dr_settlement", ids[1199]}}
	for i, w := range want {
		if last[i].Entity != w.entity || !strings.Contains(string(last[i].After), fmt.Sprintf(`"account_id":%d,`, w.acct)) {
			t.Errorf("audit record %d from the end: %s %s, want %s of account %d", i, last[i].Entity, last[i].After, w.entity, w.acct)
		}
	}
	again, err := save(ctx, outs)
	if err != nil || again != 0 {
		t.Errorf("saving again: %d, %v; want nothing", again, err)
	}
	if s := audits("dr_settlement"); s != 2+n-1 {
		t.Errorf("saving again wrote audit records: %d", s)
	}
}
