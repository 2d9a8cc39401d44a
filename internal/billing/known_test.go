package billing

import (
	"bytes"
	"io"
	"testing"

	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/tariff"
)

func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

// TestInlandYearOnTOUDPrimeMatchesIndependentBill checks the engine
// against the independent calculation in research/billing.md §2.3: the
// GBA 2011 "Inland Single Family" load (8,343 kWh) billed at the
// constructed 2025 TOU-D-PRIME energy rates only, no fixed charges, on the
// real 2011 calendar with Pacific DST, costs $2,730.6705 with SCE holidays
// billed as weekends and $2,733.3961 without holidays.
func TestInlandYearOnTOUDPrimeMatchesIndependentBill(t *testing.T) {
	u := inlandUsage(t)
	periods, err := Cycles(date(t, "2011-01-01"), date(t, "2012-01-01"), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		holidays string
		want     money.Nanos // the published figure, to 1e-4 dollars
	}{
		{"SCE holidays", tariff.HolidaysSCE, 2_730_670_500_000},
		{"no holidays", tariff.HolidaysNone, 2_733_396_100_000},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := energyOnly(shipped(t, "SCE", "TOU-D-PRIME"), date(t, "2011-01-01"))
			v.Holidays = c.holidays
			terms := &Terms{Tariff: []*tariff.Version{v}, LSE: Bundled, Program: NoProgram}
			bills, _, err := NewCalculator().Run(terms, periods, u, State{})
			if err != nil {
				t.Fatal(err)
			}
			got := lineNanos(bills, nil)
			if d := got - c.want; d < -50_000 || d > 50_000 {
				t.Errorf("year's energy charges %d n$, want %d n$ (±0.00005 $)", got, c.want)
			}
			// Each line is rounded once, so the bills' total may differ
			// from the exact sum by at most half a cent per line.
			if d := int64(totalCents(bills)) - int64(c.want.Round()); d*2 > int64(lineCount(bills)) || -d*2 > int64(lineCount(bills)) {
				t.Errorf("bills total %s over %d lines, exact %s", totalCents(bills), lineCount(bills), c.want.Round())
			}
			var wh int64
			for _, b := range bills {
				wh += int64(b.Delivered)
			}
			if wh != 8_343_306 {
				t.Errorf("billed %d Wh, want the file's 8,343,306", wh)
			}
		})
	}
}
