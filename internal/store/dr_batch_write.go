package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
)

// Rows per multi-row statement of SaveSettlements: 500 settlements × 17
// columns is 8,500 bound parameters and 1,000 audit rows × 7 is 7,000,
// well under SQLite's 32,766 and PostgreSQL's 65,535.
const (
	settleRowsPerInsert  = 500
	auditRowsPerInsert   = 1000
	payableRowsPerInsert = 1000
	settleKeysPerQuery   = 1000
)

// SaveSettlements stores a batch of settlements as SaveSettlement stores
// each one, with a few statements for the whole batch: the statuses
// already stored read with one query per event (per thousand accounts),
// the rows to replace (no baseline, missing data) deleted at once,
// settlements, payables and audit records inserted many rows at a time,
// and each event read once. Nothing is settled twice: an account already
// settled is left as it is. It reports how many settlements were stored.
// The audit log gets what SaveSettlement writes, in the same order: for
// each settlement stored, the payable it created (if new), then the
// settlement.
func (tx *Tx) SaveSettlements(ctx context.Context, actor auth.Actor, program string, outs []dr.Outcome) (int, error) {
	// Which outcomes are stored: by event, the stored status of each
	// account and, within the batch, a later outcome of the same account
	// seeing the earlier one (as SaveSettlement one after another would).
	type key struct{ event, account int64 }
	stored := map[key]string{}
	byEvent := map[int64][]int64{}
	var events []int64
	for _, o := range outs {
		if _, ok := byEvent[o.EventID]; !ok {
			events = append(events, o.EventID)
		}
		byEvent[o.EventID] = append(byEvent[o.EventID], o.AccountID)
	}
	for _, ev := range events {
		accts := byEvent[ev]
		for lo := 0; lo < len(accts); lo += settleKeysPerQuery {
			part := accts[lo:min(lo+settleKeysPerQuery, len(accts))]
			args := make([]any, 0, len(part)+1)
			args = append(args, ev)
			for _, a := range part {
				args = append(args, a)
			}
			rows, err := tx.q.QueryContext(ctx, `SELECT account_id, status FROM dr_settlements WHERE event_id = `+tx.param(1)+` AND account_id IN `+tx.paramList(2, len(part)), args...)
			if err != nil {
				return 0, fmt.Errorf("store: settlements: %w", err)
			}
			for rows.Next() {
				var a int64
				var st string
				if err := rows.Scan(&a, &st); err != nil {
					rows.Close()
					return 0, fmt.Errorf("store: settlements: %w", err)
				}
				stored[key{ev, a}] = st
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return 0, fmt.Errorf("store: settlements: %w", err)
			}
		}
	}
	var saved []int          // positions in outs of the settlements stored, in order
	var save []int           // those still stored at the end of the batch: to insert
	pending := map[key]int{} // account → its position in save
	replace := map[int64][]int64{}
	for i, o := range outs {
		k := key{o.EventID, o.AccountID}
		if j, ok := pending[k]; ok { // stored earlier in this batch
			if outs[save[j]].Status == dr.Settled {
				continue
			}
			save[j] = -1 // replaced by this one
		} else if st, ok := stored[k]; ok {
			if st == dr.Settled {
				continue
			}
			replace[o.EventID] = append(replace[o.EventID], o.AccountID)
		}
		pending[k] = len(save)
		save = append(save, i)
		saved = append(saved, i)
	}
	save = deleteNeg(save)
	if len(save) == 0 {
		return 0, nil
	}
	for _, ev := range events {
		accts := replace[ev]
		for lo := 0; lo < len(accts); lo += settleKeysPerQuery {
			part := accts[lo:min(lo+settleKeysPerQuery, len(accts))]
			args := []any{ev}
			for _, a := range part {
				args = append(args, a)
			}
			if _, err := tx.q.ExecContext(ctx, `DELETE FROM dr_settlements WHERE event_id = `+tx.param(1)+` AND account_id IN `+tx.paramList(2, len(part)), args...); err != nil {
				return 0, fmt.Errorf("store: settlement: %w", err)
			}
		}
	}
	now := tx.now().Unix()
	// The settlements.
	var sb strings.Builder
	args := make([]any, 0, 17*min(len(save), settleRowsPerInsert))
	for lo := 0; lo < len(save); lo += settleRowsPerInsert {
		part := save[lo:min(lo+settleRowsPerInsert, len(save))]
		sb.Reset()
		sb.WriteString(`INSERT INTO dr_settlements (` + settlementCols + `) VALUES `)
		args = args[:0]
		for r, i := range part {
			o := &outs[i]
			js, err := intervalsJSON(o.Intervals)
			if err != nil {
				return 0, err
			}
			s := o.Settlement
			tx.writeRow(&sb, r, 17)
			args = append(args, s.EventID, s.AccountID, s.Track, s.Status, s.Method, s.DaysUsed, int64(math.Round(s.Factor*1e6)), int64(s.BaselineWh), int64(s.ActualWh),
				int64(s.DeltaWh), int64(s.ReductionWh), int64(s.Rate), int64(s.Amount), b2i(s.Overridden), s.Reason, js, now)
		}
		if _, err := tx.q.ExecContext(ctx, sb.String(), args...); err != nil {
			return 0, fmt.Errorf("store: settlement: %w", mapErr(err))
		}
	}
	// The payables, each event read once.
	days := map[int64]calendar.Date{}
	payOf := make(map[int]dr.Payment) // position in outs → its payable
	var pays []dr.Payment
	for _, i := range save {
		s := outs[i].Settlement
		if s.Status != dr.Settled || s.Amount <= 0 {
			continue
		}
		d, ok := days[s.EventID]
		if !ok {
			e, err := tx.DREvent(ctx, s.EventID)
			if err != nil {
				return 0, err
			}
			d = e.Day()
			days[s.EventID] = d
		}
		if p, ok := dr.EventPayment(program, s, d); ok {
			payOf[i] = p
			pays = append(pays, p)
		}
	}
	added, err := tx.addPayablesBatch(ctx, pays)
	if err != nil {
		return 0, err
	}
	// The audit records, in SaveSettlement's order.
	recs := make([]auditRow, 0, len(saved)+len(added))
	for _, i := range saved {
		if p, ok := payOf[i]; ok && added[p.Key] {
			recs = append(recs, auditRow{action: "create", entity: "dr_payable", id: p.AccountID, after: p})
		}
		recs = append(recs, auditRow{action: "create", entity: "dr_settlement", id: outs[i].EventID, after: outs[i].Settlement})
	}
	if err := tx.auditRows(ctx, actor, recs); err != nil {
		return 0, err
	}
	return len(saved), nil
}

// deleteNeg drops the -1 entries of s in place.
func deleteNeg(s []int) []int {
	out := s[:0]
	for _, v := range s {
		if v >= 0 {
			out = append(out, v)
		}
	}
	return out
}

// writeParams appends n bind parameters, the first numbered first:
// "$first, $first+1, …" on PostgreSQL, "?, ?, …" on SQLite. SQLite looks
// every named or numbered parameter up in a list when it parses and
// binds a statement, which is quadratic in a statement of thousands of
// parameters; anonymous ones are taken in order. The statement's
// parameters must then appear in the text in argument order.
func (q queries) writeParams(sb *strings.Builder, first, n int) {
	for i := range n {
		if i > 0 {
			sb.WriteString(", ")
		}
		if q.db.dialect == SQLite {
			sb.WriteByte('?')
			continue
		}
		sb.WriteByte('$')
		sb.WriteString(strconv.Itoa(first + i))
	}
}

// writeRow appends row r's "(…)" of n parameters to a VALUES list whose
// parameters start at 1.
func (q queries) writeRow(sb *strings.Builder, r, n int) {
	if r > 0 {
		sb.WriteString(", ")
	}
	sb.WriteByte('(')
	q.writeParams(sb, r*n+1, n)
	sb.WriteByte(')')
}

// param is parameter i: "$i" on PostgreSQL, "?" on SQLite (see
// writeParams).
func (q queries) param(i int) string {
	if q.db.dialect == SQLite {
		return "?"
	}
	return "$" + strconv.Itoa(i)
}

// paramList is "(…)" of n parameters from number first (see writeParams).
func (q queries) paramList(first, n int) string {
	var sb strings.Builder
	sb.WriteByte('(')
	q.writeParams(&sb, first, n)
	sb.WriteByte(')')
	return sb.String()
}

// intervalsJSON is a settlement's intervals as stored in intervals_json,
// with the unadjusted mean kept to the milliwatt-hour (rounded in place,
// as SaveSettlement always did). Event intervals on a regular grid of
// whole seconds (every settlement SettleEvent makes) are stored as one
// object of arrays, a fifth the size of an array of objects:
//
//	{"start":1755558000,"step":900,"baseline_wh":[…],"unadjusted_wh":[…],"actual_wh":[…]}
//
// Anything else is stored as the JSON array of intervals it always was;
// decodeIntervals reads both. The unadjusted mean must be finite (JSON
// has no NaN).
func intervalsJSON(intervals []dr.Interval) (string, error) {
	for i := range intervals {
		intervals[i].UnadjustedWh = math.Round(intervals[i].UnadjustedWh*1000) / 1000
	}
	if !regularIntervals(intervals) {
		if intervals == nil {
			intervals = []dr.Interval{}
		}
		js, err := json.Marshal(intervals)
		if err != nil {
			return "", fmt.Errorf("store: settlement intervals: %w", err)
		}
		return string(js), nil
	}
	start := intervals[0].Start.Unix()
	var step int64
	if len(intervals) > 1 {
		step = intervals[1].Start.Unix() - start
	}
	b := make([]byte, 0, 64+len(intervals)*24)
	b = append(b, `{"start":`...)
	b = strconv.AppendInt(b, start, 10)
	b = append(b, `,"step":`...)
	b = strconv.AppendInt(b, step, 10)
	b = append(b, `,"baseline_wh":[`...)
	for i, iv := range intervals {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(iv.BaselineWh), 10)
	}
	b = append(b, `],"unadjusted_wh":[`...)
	for i, iv := range intervals {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendFloat(b, iv.UnadjustedWh, 'g', -1, 64)
	}
	b = append(b, `],"actual_wh":[`...)
	for i, iv := range intervals {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, int64(iv.ActualWh), 10)
	}
	b = append(b, "]}"...)
	return string(b), nil
}

// regularIntervals reports whether intervals (at least one) start on a
// grid of whole seconds, one step apart, with finite unadjusted means.
func regularIntervals(ivs []dr.Interval) bool {
	if len(ivs) == 0 {
		return false
	}
	start := ivs[0].Start.Unix()
	var step int64
	if len(ivs) > 1 {
		if step = ivs[1].Start.Unix() - start; step <= 0 {
			return false
		}
	}
	for i, iv := range ivs {
		if iv.Start.Nanosecond() != 0 || iv.Start.Unix() != start+int64(i)*step ||
			math.IsNaN(iv.UnadjustedWh) || math.IsInf(iv.UnadjustedWh, 0) {
			return false
		}
	}
	return true
}

// packedIntervals is the object form of intervals_json.
type packedIntervals struct {
	Start      int64     `json:"start"`
	Step       int64     `json:"step"`
	Baseline   []int64   `json:"baseline_wh"`
	Unadjusted []float64 `json:"unadjusted_wh"`
	Actual     []int64   `json:"actual_wh"`
}

// decodeIntervals reads intervals_json in either form intervalsJSON
// writes.
func decodeIntervals(js string) ([]dr.Interval, error) {
	if !strings.HasPrefix(js, "{") {
		var out []dr.Interval
		if err := json.Unmarshal([]byte(js), &out); err != nil {
			return nil, fmt.Errorf("store: settlement intervals: %w", err)
		}
		return out, nil
	}
	var p packedIntervals
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		return nil, fmt.Errorf("store: settlement intervals: %w", err)
	}
	n := len(p.Baseline)
	if len(p.Unadjusted) != n || len(p.Actual) != n {
		return nil, fmt.Errorf("store: settlement intervals: %d baselines, %d unadjusted, %d actual", n, len(p.Unadjusted), len(p.Actual))
	}
	out := make([]dr.Interval, n)
	for i := range out {
		out[i] = dr.Interval{Start: time.Unix(p.Start+int64(i)*p.Step, 0).UTC(), BaselineWh: energy.Wh(p.Baseline[i]),
			UnadjustedWh: p.Unadjusted[i], ActualWh: energy.Wh(p.Actual[i])}
	}
	return out, nil
}

// addPayablesBatch stores payables as AddPayables does, with multi-row
// inserts, and returns the keys that were new. It writes no audit
// record: the caller does.
func (tx *Tx) addPayablesBatch(ctx context.Context, ps []dr.Payment) (map[string]bool, error) {
	added := map[string]bool{}
	now := tx.now().Unix()
	var sb strings.Builder
	for lo := 0; lo < len(ps); lo += payableRowsPerInsert {
		part := ps[lo:min(lo+payableRowsPerInsert, len(ps))]
		sb.Reset()
		sb.WriteString(`INSERT INTO dr_payables (key, program, account_id, device_id, event_id, kind, due, amount_cents, paid_as, source, status, created_unix) VALUES `)
		args := make([]any, 0, 12*len(part))
		for r, p := range part {
			if p.Amount < 0 || (p.PaidAs != "budget" && p.PaidAs != "bill_credit") {
				return nil, apperr.Invalidf("store.AddPayables", "payable %s: amount must not be negative and paid_as must be budget or bill_credit", p.Key)
			}
			tx.writeRow(&sb, r, 12)
			args = append(args, p.Key, p.Program, p.AccountID, nullID(p.DeviceID), nullID(p.EventID), p.Kind, p.Due.String(), int64(p.Amount), p.PaidAs, p.Source, "payable", now)
		}
		sb.WriteString(` ON CONFLICT (key) DO NOTHING RETURNING key`)
		rows, err := tx.q.QueryContext(ctx, sb.String(), args...)
		if err != nil {
			return nil, fmt.Errorf("store: payable: %w", mapErr(err))
		}
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: payable: %w", err)
			}
			added[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store: payable: %w", mapErr(err))
		}
	}
	return added, nil
}

// auditRow is one record for auditRows: what audit writes, with before
// nil ("did not exist").
type auditRow struct {
	action, entity string
	id             int64
	after          any
}

// auditRows writes audit records as audit does, many rows a statement,
// in order.
func (tx *Tx) auditRows(ctx context.Context, actor auth.Actor, recs []auditRow) error {
	at, who := tx.now().Unix(), actor.String()
	var sb strings.Builder
	for lo := 0; lo < len(recs); lo += auditRowsPerInsert {
		part := recs[lo:min(lo+auditRowsPerInsert, len(recs))]
		sb.Reset()
		sb.WriteString(`INSERT INTO audit_log (at_unix, actor, action, entity, entity_id, before_json, after_json) VALUES `)
		args := make([]any, 0, 7*len(part))
		for r, rec := range part {
			var after any
			if rec.after != nil {
				b, err := json.Marshal(rec.after)
				if err != nil {
					return fmt.Errorf("store: audit: %w", err)
				}
				after = string(b)
			}
			tx.writeRow(&sb, r, 7)
			args = append(args, at, who, rec.action, rec.entity, strconv.FormatInt(rec.id, 10), nil, after)
		}
		if _, err := tx.q.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("store: audit: %w", err)
		}
	}
	return nil
}
