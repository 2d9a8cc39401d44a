package billrun

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/billing"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/tariff"
)

// flat returns a series of v Wh in every interval of step over p.
func flat(p calendar.Period, step time.Duration, v energy.Wh) meterdata.Series {
	s := meterdata.Series{Start: p.Start.Start(), Step: step}
	for t := s.Start; t.Before(p.End.Start()); t = t.Add(step) {
		s.Values = append(s.Values, v)
	}
	return s
}

// julyHome is home() on TOU-D-PRIME with 1 kWh delivered and nothing
// received in every hour of July 2025.
func julyHome(t *testing.T) (*Account, *Plan, map[int64]meterdata.Series) {
	a := home(t)
	pl, err := shippedCatalog(t).Plan(a, july(t), policy(t))
	if err != nil {
		t.Fatal(err)
	}
	return a, pl, map[int64]meterdata.Series{11: flat(july(t), time.Hour, 1000), 12: flat(july(t), time.Hour, 0)}
}

// TestComputeJulyCCABillFromSheet bills July 2025 at 1 kWh every hour on
// SCE TOU-D-PRIME for a CCA account. July 2025 starts on a Tuesday and
// has 23 weekdays, less the 4 July holiday (billed as a weekend): 22
// weekdays × 5 on-peak hours = 110 kWh, 9 weekend days × 5 = 45 kWh
// mid-peak, 744 − 155 = 589 kWh off-peak. The sheet's prices
// (internal/tariff/data/native, effective 2025-06-01), each line rounded:
//
//	CCA (generation): 110 × 0.28317 = 31.1487 → 31.15; 45 × 0.10077 =
//	4.53465 → 4.53; 589 × 0.06728 = 39.62792 → 39.63; total 75.31.
//	SCE: delivery 110 × 0.23704 = 26.07, 45 × 0.23704 = 10.67, 589 ×
//	0.15247 = 89.80; PPPC 744 × 0.03395 = 25.26; NDC 744 × −0.00001 =
//	−0.01; WFC 744 × 0.00595 = 4.43; FRC 744 × 0.00198 = 1.47; MCAM 744 ×
//	0.00160 = 1.19; Basic Charge 31 × 0.516 = 16.00; total 174.88.
func TestComputeJulyCCABillFromSheet(t *testing.T) {
	a, pl, series := julyHome(t)
	out := Compute(billing.NewCalculator(), a, pl, Prior{}, series)
	if out.Status != Billed {
		t.Fatalf("status %s: %s", out.Status, out.Reason)
	}
	b := out.Bill
	if b.UtilityTotal != 17488 || b.CCATotal != 7531 || b.Total != 25019 {
		t.Errorf("utility %s CCA %s total %s, want $174.88, $75.31, $250.19", b.UtilityTotal, b.CCATotal, b.Total)
	}
	if b.Version != 1 || b.Delivered != 744_000 || b.Inputs.EngineVersion != EngineVersion || len(b.Inputs.Tariffs) != 1 {
		t.Errorf("version %d delivered %d inputs %+v", b.Version, b.Delivered, b.Inputs)
	}
}

// TestComputeSameInputsAreUnchangedAndByteIdentical: billing the same
// inputs again gives the same bill document byte for byte, and against
// a stored current bill with the same inputs hash it stores nothing.
func TestComputeSameInputsAreUnchangedAndByteIdentical(t *testing.T) {
	a, pl, series := julyHome(t)
	first := Compute(billing.NewCalculator(), a, pl, Prior{}, series)
	again := Compute(billing.NewCalculator(), a, pl, Prior{}, series)
	if !bytes.Equal(first.Bill.Document, again.Bill.Document) || first.Bill.InputsSHA256 != again.Bill.InputsSHA256 {
		t.Fatal("the same inputs gave different bills")
	}
	cur := first.Bill
	cur.ID = 7
	if out := Compute(billing.NewCalculator(), a, pl, Prior{Current: cur}, series); out.Status != Unchanged || out.Bill != nil {
		t.Errorf("re-run: %s %v, want unchanged with no bill", out.Status, out.Bill)
	}
}

// TestComputeCorrectionMakesNewVersion: one corrected hour (July 2, 2–3
// am, off-peak: 1 → 3 kWh) makes version 2 of the bill, superseding the
// first, and says why; the total rises by 2 kWh × $0.26322 off-peak =
// $0.52644, within a cent of line rounding.
func TestComputeCorrectionMakesNewVersion(t *testing.T) {
	a, pl, series := julyHome(t)
	first := Compute(billing.NewCalculator(), a, pl, Prior{}, series).Bill
	first.ID = 7
	d := series[11]
	d.Values = append([]energy.Wh(nil), d.Values...)
	d.Values[24+2] = 3000
	series[11] = d
	out := Compute(billing.NewCalculator(), a, pl, Prior{Current: first}, series)
	if out.Status != Billed || out.Supersedes != 7 || out.Bill.Version != 2 {
		t.Fatalf("%s supersedes %d version %+v", out.Status, out.Supersedes, out.Bill)
	}
	if !strings.Contains(out.Bill.Reason, "interval data changed") {
		t.Errorf("reason %q", out.Bill.Reason)
	}
	if diff := out.Bill.Total - first.Total; diff < 52 || diff > 54 {
		t.Errorf("total rose by %s, want $0.53 ± 0.01", diff)
	}
}

// TestComputeMissingReadingsFail: a bill is never produced from
// incomplete data; the outcome names the gap.
func TestComputeMissingReadingsFail(t *testing.T) {
	a, pl, series := julyHome(t)
	d := series[11]
	d.Values[100] = meterdata.Missing
	out := Compute(billing.NewCalculator(), a, pl, Prior{}, series)
	if out.Status != Failed || !strings.Contains(out.Reason, "have no reading") {
		t.Errorf("%s %q, want failed naming the missing readings", out.Status, out.Reason)
	}
}

// TestComputeEstimatedReadingsAreFlagged: estimated readings are billed
// and counted on the bill, which says so.
func TestComputeEstimatedReadingsAreFlagged(t *testing.T) {
	a, pl, series := julyHome(t)
	d := series[11]
	d.Quality = make([]meterdata.Quality, len(d.Values))
	d.Quality[5], d.Quality[6], d.Quality[7] = meterdata.Estimated, meterdata.Estimated, meterdata.Edited
	series[11] = d
	out := Compute(billing.NewCalculator(), a, pl, Prior{}, series)
	if out.Status != Billed {
		t.Fatal(out.Reason)
	}
	b, err := out.Bill.Decode()
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(b.Notes, " | ")
	if out.Bill.Estimated != 2 || !strings.Contains(notes, "2 intervals were estimated") || !strings.Contains(notes, "1 readings are marked edited") {
		t.Errorf("estimated %d notes %q", out.Bill.Estimated, notes)
	}
}

// TestComputeGapInBillsFails: an account whose bills end before the
// period (a skipped cycle) is not billed until the cycle in between is.
func TestComputeGapInBillsFails(t *testing.T) {
	a, pl, series := julyHome(t)
	out := Compute(billing.NewCalculator(), a, pl, Prior{LastEnd: day(t, "2025-06-01")}, series)
	if out.Status != Failed || !strings.Contains(out.Reason, "bill the cycles in between") {
		t.Errorf("%s %q", out.Status, out.Reason)
	}
}

// TestComputeCarriesPriorState: the State carried in is the stored one,
// recorded in the inputs, and a changed carried state re-bills.
func TestComputeCarriesPriorState(t *testing.T) {
	a, pl, series := julyHome(t)
	st := billing.State{Utility: billing.LedgerState{Start: day(t, "2025-03-10"), Bills: 3, Balance: money.Cents(-1234)}}
	out := Compute(billing.NewCalculator(), a, pl, Prior{State: &st}, series)
	var before billing.State
	if err := json.Unmarshal(out.Bill.Inputs.StateBefore, &before); err != nil || before != st {
		t.Errorf("state before %+v, want %+v", before, st)
	}
	cur := out.Bill
	cur.ID = 9
	st2 := st
	st2.Utility.Balance = -2000
	again := Compute(billing.NewCalculator(), a, pl, Prior{State: &st2, Current: cur}, series)
	if again.Status != Billed || !strings.Contains(again.Bill.Reason, "balances carried in changed") {
		t.Errorf("%s %q", again.Status, again.Bill.Reason)
	}
}

// TestReproduceGivesTheStoredBillByteForByte recomputes a bill from its
// stored inputs; a changed reading is reported, not silently billed.
func TestReproduceGivesTheStoredBillByteForByte(t *testing.T) {
	a, pl, series := julyHome(t)
	b := Compute(billing.NewCalculator(), a, pl, Prior{}, series).Bill
	b.ID = 3
	doc, err := Reproduce(billing.NewCalculator(), b, shippedCatalog(t), series)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, b.Document) {
		t.Errorf("reproduced bill differs:\n%s\n%s", doc, b.Document)
	}
	d := series[11]
	d.Values[0] = 999
	if _, err := Reproduce(billing.NewCalculator(), b, shippedCatalog(t), series); err == nil || !strings.Contains(err.Error(), "interval data") {
		t.Errorf("after a change: %v, want the interval data named", err)
	}
}

// TestUsageMergesMeterChangeAndRefusesOverlap: a meter replaced
// mid-period contributes its readings until removal and the new one
// after; two meters reading the same interval is an error.
func TestUsageMergesMeterChangeAndRefusesOverlap(t *testing.T) {
	p := period(t, "2025-07-01", "2025-07-03") // 48 hours
	old, nu := flat(p, time.Hour, 500), flat(p, time.Hour, 700)
	for i := range old.Values {
		if i < 24 {
			nu.Values[i] = meterdata.Missing
		} else {
			old.Values[i] = meterdata.Missing
		}
	}
	pl := &Plan{Period: p, Delivered: []int64{1, 2}}
	u, _, err := Usage(pl, map[int64]meterdata.Series{1: old, 2: nu})
	if err != nil {
		t.Fatal(err)
	}
	if u.Delivered[0] != 500 || u.Delivered[47] != 700 || u.Received != nil {
		t.Errorf("merged %d…%d", u.Delivered[0], u.Delivered[47])
	}
	nu.Values[0] = 1
	if _, _, err := Usage(pl, map[int64]meterdata.Series{1: old, 2: nu}); err == nil || !strings.Contains(err.Error(), "two meters") {
		t.Errorf("overlap: %v", err)
	}
}

// TestHourlyNamesTOUPeriods: on TOU-D-PRIME, 1 July 2025 (a Tuesday)
// hour beginning 16:00 is summer on-peak, 15:00 off-peak; 15-minute
// readings are summed per hour.
func TestHourlyNamesTOUPeriods(t *testing.T) {
	p := period(t, "2025-07-01", "2025-07-02")
	pl := &Plan{Period: p, Delivered: []int64{1}}
	u, _, err := Usage(pl, map[int64]meterdata.Series{1: flat(p, 15*time.Minute, 250)})
	if err != nil {
		t.Fatal(err)
	}
	hours := Hourly(u, PeriodNamer([]*tariff.Version{shippedCatalog(t).versions["SCE\x00TOU-D-PRIME"][0].Version}))
	if len(hours) != 24 || hours[16].Period != "Summer On-Peak" || hours[15].Period != "Summer Off-Peak" || hours[16].Delivered != 1000 {
		t.Errorf("hours[15]=%+v hours[16]=%+v (%d hours)", hours[15], hours[16], len(hours))
	}
}
