package billing

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/tariff"
)

func nativeJSON(t *testing.T, v *tariff.Version) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// plainCSV writes hourly usage of a 365-day year starting on from, with
// del and rec Wh every hour, in the plain interval CSV layout.
func plainCSV(from time.Time, hours int, del, rec func(h int) int) []byte {
	var b strings.Builder
	b.WriteString("start,duration_s,delivered_wh,received_wh\n")
	for h := range hours {
		fmt.Fprintf(&b, "%d,3600,%d,%d\n", from.Add(time.Duration(h)*time.Hour).Unix(), del(h), rec(h))
	}
	return []byte(b.String())
}

// TestSAMModeReproducesUtilityrate5NoSystemBill checks SAM mode against
// research/billing.md §2.3: the GBA 2011 Inland Single Family load on the
// constructed TOU-D-PRIME energy rates, SAM's Monday-start 365-day
// calendar without holidays or DST, bills $2,731.8139 in NREL ssc
// utilityrate5 (and in an independent Python calculation).
func TestSAMModeReproducesUtilityrate5NoSystemBill(t *testing.T) {
	v := energyOnly(shipped(t, "SCE", "TOU-D-PRIME"), date(t, "2011-01-01"))
	files := CalcFiles{Tariff: nativeJSON(t, v), Intervals: sharedFile(t, "greenbutton/Inland_Single_Family_Jan_1_2011_to_Jan_1_2012_RetailCustomer_9.xml")}
	for _, opt := range []int{0, 1, 2, 4} {
		res, err := Calc(files, CalcOptions{Calendar: "sam", Metering: opt})
		if err != nil {
			t.Fatal(err)
		}
		got := lineNanos(res.Bills, nil)
		if d := got - 2_731_813_900_000; d < -50_000 || d > 50_000 {
			t.Errorf("metering %d: %d n$, want $2,731.8139 (±0.00005)", opt, got)
		}
		if len(res.Months) != 12 {
			t.Errorf("metering %d: %d months", opt, len(res.Months))
		}
	}
}

// samFlat is a one-period tariff: buy $0.20/kWh, sell $0.05/kWh, $10 a
// month fixed.
func samFlat(t *testing.T) []byte {
	v := &tariff.Version{Utility: "TEST", Code: "SAM-FLAT", Name: "flat", From: date(t, "2020-01-01"), Holidays: tariff.HolidaysNone,
		Components: []tariff.Component{
			{Name: "Energy", Kind: tariff.Energy, Bucket: tariff.Bundled, Rates: [][]tariff.Tier{{{Price: 200_000}}}},
			{Name: "Sell", Kind: tariff.ExportCredit, Bucket: tariff.Bundled, Rates: [][]tariff.Tier{{{Price: 50_000}}}},
			{Name: "Fixed", Kind: tariff.FixedMonth, Bucket: tariff.Bundled, Price: 10_000_000},
		}}
	return nativeJSON(t, v)
}

// TestSAMMeteringOptionsByHand: one year of 1 kWh load and 0.5 kWh
// generation every hour (8,760 hours) on a flat $0.20 buy / $0.05 sell
// rate with $10/month fixed ($120/year). Netting each step leaves 0.5 kWh
// imported every hour under options 0, 1 and 2: 4,380 kWh × $0.20 = $876;
// option 4 buys all 8,760 kWh ($1,752) and sells all 4,380 ($219): $1,533.
// With the flows reversed (0.5 kWh load, 1 kWh generation) option 2
// credits 4,380 kWh × $0.05 = −$219; option 1 carries the same dollars
// and pays them out in December; option 0 rolls the kWh over and pays
// the December surplus of 4,380 kWh at the NSC rate ($0.01786): −$78.23.
func TestSAMMeteringOptionsByHand(t *testing.T) {
	start := time.Date(2021, 1, 1, 8, 0, 0, 0, time.UTC)
	one := func(int) int { return 1000 }
	half := func(int) int { return 500 }
	for _, c := range []struct {
		name     string
		del, rec func(int) int
		option   int
		energy   money.Cents // everything but the fixed charges
	}{
		{"import opt0", one, half, 0, 87600},
		{"import opt1", one, half, 1, 87600},
		{"import opt2", one, half, 2, 87600},
		{"import opt4", one, half, 4, 153300},
		{"export opt2", half, one, 2, -21900},
		{"export opt1", half, one, 1, -21900},
		{"export opt0", half, one, 0, -7823},
		{"export opt4", half, one, 4, 87600 - 43800},
	} {
		t.Run(c.name, func(t *testing.T) {
			files := CalcFiles{Tariff: samFlat(t), Intervals: plainCSV(start, 8760, c.del, c.rec)}
			res, err := Calc(files, CalcOptions{Calendar: "sam", Metering: c.option, NSCRate: "0.01786"})
			if err != nil {
				t.Fatal(err)
			}
			wantCents(t, "year", res.Total, c.energy+12000)
		})
	}
}

// TestSAMRolloverMatchesPeriodsByWeekdaySchedule: under option 0, a
// month's surplus in a period rolls into the next month's period that
// holds the same place in the weekday schedule at 12 am, 6 am, 12 pm or
// 6 pm. With a summer/winter tariff whose periods differ by season, a
// September surplus (summer off-peak at midnight) offsets October's
// winter off-peak use.
func TestSAMRolloverMatchesPeriodsByWeekdaySchedule(t *testing.T) {
	v := energyOnly(shipped(t, "SCE", "TOU-D-PRIME"), date(t, "2011-01-01"))
	start := time.Date(2021, 1, 1, 8, 0, 0, 0, time.UTC)
	// SAM's September is days 243–272. Export 10 kWh at 1 am on its first
	// day (summer off-peak) and import 10 kWh at 1 am on October's first
	// day (winter off-peak): the surplus rolls over and cancels the import.
	sepHour, octHour := 243*24+1, 273*24+1
	del := func(h int) int {
		if h == octHour {
			return 10_000
		}
		return 0
	}
	rec := func(h int) int {
		if h == sepHour {
			return 10_000
		}
		return 0
	}
	res, err := Calc(CalcFiles{Tariff: nativeJSON(t, v), Intervals: plainCSV(start, 8760, del, rec)}, CalcOptions{Calendar: "sam", Metering: 0})
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 0 {
		t.Errorf("total %s, want $0.00: October's 10 kWh offset by September's rolled-over surplus", res.Total)
	}
}

// TestCalcReadsFilesAndReportsByMonth runs the stateless calculator on a
// plain CSV and checks the documented JSON fields.
func TestCalcReadsFilesAndReportsByMonth(t *testing.T) {
	v := shipped(t, "SCE", "TOU-D-PRIME")
	start := date(t, "2025-06-01").Start()
	hours := int(date(t, "2025-08-01").Start().Sub(start) / time.Hour)
	files := CalcFiles{Tariff: nativeJSON(t, v), Intervals: plainCSV(start, hours, func(int) int { return 1000 }, func(int) int { return 0 })}
	res, err := Calc(files, CalcOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Months) != 2 || res.Months[0].Start != date(t, "2025-06-01") || res.Months[1].End != date(t, "2025-08-01") {
		t.Fatalf("months %+v, want June and July 2025", res.Months)
	}
	b, _ := json.Marshal(res)
	for _, key := range []string{`"total_cents"`, `"months"`, `"energy_charge_cents"`, `"fixed_charge_cents"`, `"minimum_charge_cents"`, `"demand_charge_cents"`,
		`"nbc_cents"`, `"export_credit_cents"`, `"delivered_wh"`, `"received_wh"`, `"line_items"`, `"start"`, `"end"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
	// June at 1 kWh an hour is the $241.8594 of TestTOUDPrimeJuneMonthFromSheet.
	if d := res.Months[0].Total - 24186; d < -10 || d > 10 {
		t.Errorf("June total %s, want about $241.86", res.Months[0].Total)
	}
}

// TestBadInputIsRejectedWithTheProblemNamed covers the bad-input
// list for billing.
func TestBadInputIsRejectedWithTheProblemNamed(t *testing.T) {
	prime := shipped(t, "SCE", "TOU-D-PRIME")
	june := []calendar.Period{period(t, "2025-06-01", "2025-07-01")}
	terms := func() *Terms { return &Terms{Tariff: []*tariff.Version{prime}, LSE: Bundled, Program: NoProgram} }
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"intervals outside the billing period", func() error {
			u := constant(t, "2025-06-01", "2025-06-15", time.Hour, 1000, -1)
			_, _, err := NewCalculator().Run(terms(), june, u, State{})
			return err
		}, "needs intervals outside them"},
		{"missing intervals", func() error {
			u := constant(t, "2025-06-01", "2025-07-01", time.Hour, 1000, -1)
			u.Delivered[100] = Missing
			_, _, err := NewCalculator().Run(terms(), june, u, State{})
			return err
		}, "1 intervals of"},
		{"negative reading", func() error {
			u := constant(t, "2025-06-01", "2025-07-01", time.Hour, 1000, -1)
			u.Delivered[3] = -5
			_, _, err := NewCalculator().Run(terms(), june, u, State{})
			return err
		}, "negative reading"},
		{"NBT without export prices", func() error {
			tt := terms()
			tt.Program = NBT
			return tt.Validate()
		}, "export_prices"},
		{"CARE and FERA together", func() error {
			tt := terms()
			tt.Discounts = Discounts{CAREBP: 3000, FERABP: 1800}
			return tt.Validate()
		}, "CARE or on FERA"},
		{"overlapping versions", func() error {
			tt := terms()
			other := *prime
			tt.Tariff = append(tt.Tariff, &other)
			return tt.Validate()
		}, "overlap"},
		{"no version in force", func() error {
			u := constant(t, "2025-05-01", "2025-06-01", time.Hour, 1000, -1)
			_, _, err := NewCalculator().Run(terms(), []calendar.Period{period(t, "2025-05-01", "2025-06-01")}, u, State{})
			return err
		}, "no utility tariff version is in force on 2025-05-01"},
		{"export table missing a year", func() error {
			tt := terms()
			tt.Program, tt.ExportPrices = NBT, sceExportTable(t)
			u := constant(t, "2040-06-01", "2040-07-01", time.Hour, 1000, 100)
			_, _, err := NewCalculator().Run(tt, []calendar.Period{period(t, "2040-06-01", "2040-07-01")}, u, State{})
			return err
		}, "no prices for 2040"},
		{"VNM shares not summing to 100%", func() error {
			u := constant(t, "2025-06-01", "2025-06-02", time.Hour, 0, 1000)
			_, err := AllocateVNM(u, []Allocation{{From: date(t, "2025-01-01"), Shares: map[string]int64{"A": 5000, "B": 4999}}}, "A")
			return err
		}, "shares sum to 99.99%, not 100%"},
		{"read day 30", func() error {
			_, err := Cycles(date(t, "2025-01-01"), date(t, "2025-03-01"), 30)
			return err
		}, "read day 30"},
		{"SAM with a partial year", func() error {
			_, err := Calc(CalcFiles{Tariff: samFlat(t), Intervals: plainCSV(time.Date(2021, 1, 1, 8, 0, 0, 0, time.UTC), 100, func(int) int { return 1 }, func(int) int { return 0 })},
				CalcOptions{Calendar: "sam", Metering: 2})
			return err
		}, "one 365-day year"},
		{"unknown program", func() error {
			_, err := Calc(CalcFiles{Tariff: samFlat(t), Intervals: plainCSV(time.Date(2021, 1, 1, 8, 0, 0, 0, time.UTC), 48, func(int) int { return 1 }, func(int) int { return 0 })},
				CalcOptions{Program: "nem3"})
			return err
		}, "program"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			if err == nil {
				t.Fatalf("accepted; want an error mentioning %q", c.want)
			}
			if !apperr.Is(err, apperr.Invalid) {
				t.Errorf("error kind %v, want invalid: %v", apperr.KindOf(err), err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

// TestIncompleteDataIsBilledOnlyWhenAllowedAndSaysSo: with
// allow_incomplete, missing intervals bill as zero and the bill counts and
// explains them; estimated intervals are flagged.
func TestIncompleteDataIsBilledOnlyWhenAllowedAndSaysSo(t *testing.T) {
	u := constant(t, "2025-06-01", "2025-07-01", time.Hour, 1000, -1)
	u.Delivered[10], u.Delivered[11] = Missing, Missing
	u.Estimated = []int{20, 21, 22}
	terms := &Terms{Tariff: []*tariff.Version{shipped(t, "SCE", "TOU-D-PRIME")}, LSE: Bundled, Program: NoProgram, AllowIncomplete: true}
	bills, _ := bill(t, terms, []calendar.Period{period(t, "2025-06-01", "2025-07-01")}, u)
	b := bills[0]
	if b.Missing != 2 || b.Estimated != 3 || b.Delivered != 718_000 || len(b.Notes) < 2 {
		t.Errorf("missing %d, estimated %d, delivered %d, notes %q; want 2, 3, 718,000 and both explained", b.Missing, b.Estimated, b.Delivered, b.Notes)
	}
}

// TestStorageValidateNamesEachProblem: solar-only charging with grid
// charging is a contradiction; unknown metering and negative sizes are
// refused.
func TestStorageValidateNamesEachProblem(t *testing.T) {
	err := Storage{KWh: -1, KW: -1, GridCharging: true, Metering: "pcs_solar_only"}.Validate()
	fields := map[string]bool{}
	for _, fe := range apperr.FieldsOf(err) {
		fields[fe.Field] = true
	}
	for _, want := range []string{"grid_charging", "capacity_wh", "power_w"} {
		if !fields[want] {
			t.Errorf("no error for %s in %v", want, err)
		}
	}
	if err := (Storage{KWh: 13_500, KW: 5_000, GridCharging: true, Metering: "ngom"}).Validate(); err != nil {
		t.Errorf("a valid grid-charging battery with an NGOM refused: %v", err)
	}
	if err := (Storage{Metering: "guess"}).Validate(); err == nil {
		t.Error("unknown metering accepted")
	}
}
