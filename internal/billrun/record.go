package billrun

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/money"
)

// EngineVersion names the billing rules a stored bill was computed with.
// It is part of every bill's inputs, so raise it whenever a change to
// internal/billing or to this package's mapping changes the bill that the
// same inputs give; re-running a cycle then makes new bill versions
// instead of silently disagreeing with the stored ones.
const EngineVersion = "gridbook-billing/1"

// Inputs is everything a stored bill was computed from. With the stored
// tariff versions and export table it names and the interval data whose
// hash it holds, it reproduces the bill byte for byte (Reproduce).
type Inputs struct {
	EngineVersion string          `json:"engine_version"`
	Period        calendar.Period `json:"period"`
	Tariffs       []VersionRef    `json:"tariff_versions"`
	ExportTable   *TableRef       `json:"export_table,omitempty"`
	// Delivered and Received are the channel ids whose readings were
	// billed; NetOnly says they hold net values only.
	Delivered []int64 `json:"delivered_channels"`
	Received  []int64 `json:"received_channels,omitempty"`
	NetOnly   bool    `json:"net_only,omitempty"`
	// Allocation is the energy received from a Virtual NEM or NEM
	// Aggregation arrangement's generator, added to the received channel
	// before billing.
	Allocation *Allocated `json:"allocation,omitempty"`
	// IntervalsSHA256 is HashUsage of the usage billed (the allocation
	// included).
	IntervalsSHA256 string `json:"intervals_sha256"`
	// Terms is the billing.Terms JSON (everything but the tariff and
	// export-table pointers, which Tariffs and ExportTable name).
	Terms json.RawMessage `json:"terms"`
	// StateBefore is the billing.State carried in.
	StateBefore json.RawMessage `json:"state_before"`
	// Notes are added to the engine's notes on the bill: what the mapping
	// decided, readings of unusual quality, an opening balance.
	Notes []string `json:"notes,omitempty"`
}

// Encode returns the inputs' JSON and its SHA-256: equal hashes mean
// the same bill.
func (in *Inputs) Encode() (json.RawMessage, string) {
	b, err := json.Marshal(in)
	if err != nil { // Inputs holds only marshalable values
		panic(err)
	}
	s := sha256.Sum256(b)
	return b, hex.EncodeToString(s[:])
}

// Bill is a stored bill: one version of one account's bill for one
// period, with its inputs. A re-bill after a data correction adds a new
// version and keeps the old one, marked superseded.
type Bill struct {
	ID            int64
	AccountID     int64
	AccountNumber string
	RunID         int64 // the bill run that made it; 0 when made otherwise
	Period        calendar.Period
	Version       int   // 1 for the first bill of the period
	SupersededBy  int64 // the version that replaced it; 0 while current
	Total         money.Cents
	UtilityTotal  money.Cents
	CCATotal      money.Cents
	NEMBalance    money.Cents // both ledgers' net-metering balances after the bill
	Delivered     energy.Wh
	Received      energy.Wh
	TrueUp        bool // a true-up fell at the end of this period
	Estimated     int  // estimated intervals billed
	Inputs        Inputs
	InputsDoc     json.RawMessage // Inputs as stored (and hashed); nil in bill lists
	InputsSHA256  string
	StateAfter    json.RawMessage
	Document      json.RawMessage // the billing.Bill JSON
	Reason        string          // why this version exists
	Created       time.Time
}

// Decode returns the bill document.
func (b *Bill) Decode() (*billing.Bill, error) {
	var out billing.Bill
	if err := json.Unmarshal(b.Document, &out); err != nil {
		return nil, fmt.Errorf("billrun: bill %d: %w", b.ID, err)
	}
	return &out, nil
}

// Status is what a run did with one account.
type Status string

// Account outcomes of a run.
const (
	Billed    Status = "billed"    // a new bill, or a new version of one
	Unchanged Status = "unchanged" // the current bill of the period has the same inputs
	Failed    Status = "failed"    // billing failed (missing readings, a gap in the bills …)
	Skipped   Status = "skipped"   // not billable: no tariff, meter or export table to bill with
)

// Statuses lists the outcomes in display order.
var Statuses = []Status{Billed, Unchanged, Failed, Skipped}

// Outcome is what a run did with one account.
type Outcome struct {
	AccountID     int64
	AccountNumber string
	Status        Status
	Reason        string
	// Bill is the bill to store (Billed only); Supersedes the current
	// bill of the period it replaces (0 for a first bill).
	Bill       *Bill
	Supersedes int64
	// State is the state to carry into the next period (Billed only).
	State *billing.State
	// Credits are the one-off credits the bill applies (Billed only): the
	// store records each with the bill, and pays an incentive payment in
	// the same transaction, so a credit goes on one bill period only.
	Credits []CreditUse
}

// Prior is what is stored about an account before its bill for a period.
type Prior struct {
	// State is the State carried into the period: the state after the
	// current bill that ends on the period's first day, or a seeded
	// opening balance. nil when there is neither.
	State *billing.State
	// LastEnd is the end of the account's latest current bill that ends
	// before the period starts, when no bill ends on the first day: a
	// gap of unbilled cycles. Zero otherwise.
	LastEnd calendar.Date
	// Current is the current bill of the same period, if any.
	Current *Bill
}

// Compute bills one account for its plan's period: the State carried in
// (prior, or the opening State before a first bill), the usage from the
// readings, the engine's bill with the mapping's notes, and the inputs.
// When the current bill of the period has the same inputs the outcome is
// Unchanged; otherwise Billed, with the version and the reason.
func Compute(calc *billing.Calculator, a *Account, pl *Plan, prior Prior, series map[int64]meterdata.Series) Outcome {
	out := Outcome{AccountID: a.ID, AccountNumber: a.Number}
	fail := func(err error) Outcome {
		out.Status, out.Reason = Failed, ReasonOf(err)
		return out
	}
	if !prior.LastEnd.IsZero() {
		out.Status = Failed
		out.Reason = fmt.Sprintf("the account's bills end on %s, before this period starts on %s: bill the cycles in between first", prior.LastEnd, pl.Period.Start)
		return out
	}
	u, notes, err := Usage(pl, series)
	if err != nil {
		return fail(err)
	}
	var st billing.State
	notes = append(slices.Clone(pl.Notes), notes...)
	if prior.State != nil {
		st = *prior.State
	} else {
		var opening []string
		st, opening = Opening(pl)
		notes = append(notes, opening...)
	}
	termsJSON, err := json.Marshal(&pl.Terms)
	if err != nil {
		return fail(err)
	}
	stateJSON, err := json.Marshal(st)
	if err != nil {
		return fail(err)
	}
	in := Inputs{EngineVersion: EngineVersion, Period: pl.Period, Tariffs: pl.Versions, ExportTable: pl.Table,
		Delivered: pl.Delivered, Received: pl.Received, NetOnly: pl.netOnly, Allocation: pl.Allocation, IntervalsSHA256: HashUsage(u),
		Terms: termsJSON, StateBefore: stateJSON, Notes: notes}
	inDoc, hash := in.Encode()
	if cur := prior.Current; cur != nil && cur.InputsSHA256 == hash {
		out.Status = Unchanged
		return out
	}
	b, after, err := billOf(calc, &pl.Terms, pl.Period, u, st, notes)
	if err != nil {
		return fail(err)
	}
	rec, err := record(a, b, after, in, inDoc, hash)
	if err != nil {
		return fail(err)
	}
	rec.Version, rec.Reason = 1, "first bill of the period"
	if cur := prior.Current; cur != nil {
		rec.Version, rec.Reason = cur.Version+1, changed(&cur.Inputs, &in)
		out.Supersedes = cur.ID
	}
	out.Status, out.Bill, out.State, out.Credits = Billed, rec, &after, pl.Uses
	return out
}

// billOf runs the engine and adds the mapping's notes.
func billOf(calc *billing.Calculator, t *billing.Terms, p calendar.Period, u *billing.Usage, st billing.State, notes []string) (*billing.Bill, billing.State, error) {
	b, after, err := calc.Bill(t, p, u, st)
	if err != nil {
		return nil, st, err
	}
	b.Notes = append(b.Notes, notes...)
	return b, after, nil
}

// record builds the stored form of a computed bill.
func record(a *Account, b *billing.Bill, after billing.State, in Inputs, inDoc json.RawMessage, hash string) (*Bill, error) {
	doc, err := json.Marshal(b)
	if err != nil {
		return nil, err
	}
	stateAfter, err := json.Marshal(after)
	if err != nil {
		return nil, err
	}
	rec := &Bill{AccountID: a.ID, AccountNumber: a.Number, Period: b.Period, Total: b.Total, Delivered: b.Delivered,
		Received: b.Received, TrueUp: len(b.TrueUps) > 0, Estimated: b.Estimated, Inputs: in, InputsDoc: inDoc, InputsSHA256: hash,
		StateAfter: stateAfter, Document: doc}
	for _, s := range b.Sides {
		rec.NEMBalance += s.Balance
		switch s.Side {
		case billing.Utility:
			rec.UtilityTotal = s.Total
		case billing.Generation:
			rec.CCATotal = s.Total
		}
	}
	return rec, nil
}

// changed says which inputs differ between two versions of a bill.
func changed(old, now *Inputs) string {
	var why []string
	if old.EngineVersion != now.EngineVersion {
		why = append(why, fmt.Sprintf("billing engine %s → %s", old.EngineVersion, now.EngineVersion))
	}
	if old.Period != now.Period {
		why = append(why, fmt.Sprintf("period %s → %s", old.Period, now.Period))
	}
	if !slices.Equal(old.Tariffs, now.Tariffs) || !equalTable(old.ExportTable, now.ExportTable) {
		why = append(why, "tariff versions or export prices changed")
	}
	if !equalAllocation(old.Allocation, now.Allocation) {
		why = append(why, "energy allocated from the arrangement's generator changed")
	} else if old.IntervalsSHA256 != now.IntervalsSHA256 || !slices.Equal(old.Delivered, now.Delivered) || !slices.Equal(old.Received, now.Received) {
		why = append(why, "interval data changed")
	}
	if string(old.Terms) != string(now.Terms) {
		why = append(why, "account terms changed (rate schedule, programs or discounts)")
	}
	if string(old.StateBefore) != string(now.StateBefore) {
		why = append(why, "balances carried in changed (an earlier bill was re-billed)")
	}
	if !slices.Equal(old.Notes, now.Notes) && len(why) == 0 {
		why = append(why, "bill notes changed")
	}
	return "re-billed: " + strings.Join(why, "; ")
}

func equalAllocation(a, b *Allocated) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Arrangement == b.Arrangement && a.GeneratorSHA256 == b.GeneratorSHA256 && slices.Equal(a.Wh, b.Wh)
}

func equalTable(a, b *TableRef) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// ReasonOf renders an error for a run's report: a classified error's
// message with its field errors, anything else in full (the report is for
// staff).
func ReasonOf(err error) string {
	var nb *NotBillable
	if errors.As(err, &nb) {
		return nb.Reason
	}
	k := apperr.KindOf(err)
	if k == apperr.Internal {
		return err.Error()
	}
	s := apperr.MessageOf(err)
	for _, f := range apperr.FieldsOf(err) {
		s += "; " + f.Field + ": " + f.Msg
	}
	return s
}

// Reproduce recomputes a stored bill from its inputs: the Terms from
// their JSON with the named tariff versions and export table (whose
// hashes must match), the State carried in, and the usage read again from
// the store (whose hash must match). It returns the bill document, which
// equals the stored one byte for byte when nothing has changed, and an
// error naming the first input that differs.
func Reproduce(calc *billing.Calculator, b *Bill, cat *Catalog, series map[int64]meterdata.Series) ([]byte, error) {
	const op = "billrun.Reproduce"
	in := &b.Inputs
	if in.EngineVersion != EngineVersion {
		return nil, apperr.Conflictf(op, "bill %d was computed by %s; this build is %s", b.ID, in.EngineVersion, EngineVersion)
	}
	var t billing.Terms
	if err := json.Unmarshal(in.Terms, &t); err != nil {
		return nil, fmt.Errorf("billrun: bill %d terms: %w", b.ID, err)
	}
	for _, ref := range in.Tariffs {
		v, ok := cat.Version(ref.ID)
		if !ok || v.Ref.SHA256 != ref.SHA256 {
			return nil, apperr.Conflictf(op, "tariff version %d (%s %s from %s) is no longer stored as it was billed", ref.ID, ref.Utility, ref.Code, ref.From)
		}
		t.Tariff = append(t.Tariff, v.Version)
	}
	if ref := in.ExportTable; ref != nil {
		tab, ok := cat.Table(ref.ID)
		if !ok || tab.Ref.SHA256 != ref.SHA256 {
			return nil, apperr.Conflictf(op, "export-price table %d (%s vintage %d) is no longer stored as it was billed", ref.ID, ref.Utility, ref.Vintage)
		}
		t.ExportPrices = tab.Table
	}
	var st billing.State
	if err := json.Unmarshal(in.StateBefore, &st); err != nil {
		return nil, fmt.Errorf("billrun: bill %d state: %w", b.ID, err)
	}
	u, err := BillUsage(b, series)
	if err != nil {
		return nil, err
	}
	if h := HashUsage(u); h != in.IntervalsSHA256 {
		return nil, apperr.Conflictf(op, "the interval data of bill %d have changed since it was computed (hash %.12s…, now %.12s…)", b.ID, in.IntervalsSHA256, h)
	}
	bill, _, err := billOf(calc, &t, in.Period, u, st, in.Notes)
	if err != nil {
		return nil, err
	}
	return json.Marshal(bill)
}

// BillUsage rebuilds the usage a stored bill was computed from, out of
// the readings of the channels its inputs name (series covering its
// period): for Reproduce, and for the bill's usage chart.
func BillUsage(b *Bill, series map[int64]meterdata.Series) (*billing.Usage, error) {
	in := &b.Inputs
	pl := &Plan{Period: in.Period, Delivered: in.Delivered, Received: in.Received, netOnly: in.NetOnly, Allocation: in.Allocation}
	u, _, err := Usage(pl, series)
	return u, err
}
