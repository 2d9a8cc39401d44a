package tariff

import (
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
)

// touDSheet is SCE Schedule TOU-D (sheets effective 2025-06-01) for one
// option, written from the sheet's own words rather than from the shipped
// file: its TOU periods and the bundled $/kWh of each, as tabulated in
// research/billing.md §1.6.
//
//	Summer (June 1 – September 30): On-Peak 4–9 p.m. weekdays except
//	holidays; Mid-Peak 4–9 p.m. weekends and holidays; Off-Peak all other
//	hours.
//	Winter (October 1 – May 31): Mid-Peak 4–9 p.m. daily; Off-Peak
//	9 p.m.–8 a.m. daily; Super-Off-Peak 8 a.m.–4 p.m. daily.
type touDSheet struct {
	code                                    string
	summerOn, summerMid, summerOff          string
	winterMid, winterOff, winterSuperOffPea string
}

// period names the sheet's period for a local hour beginning on a day.
func (touDSheet) period(d calendar.Date, hour int, weekendOrHoliday bool) string {
	evening := hour >= 16 && hour < 21
	if d.Month >= time.June && d.Month <= time.September {
		switch {
		case evening && !weekendOrHoliday:
			return "Summer On-Peak"
		case evening:
			return "Summer Mid-Peak"
		}
		return "Summer Off-Peak"
	}
	switch {
	case evening:
		return "Winter Mid-Peak"
	case hour >= 8 && hour < 16:
		return "Winter Super-Off-Peak"
	}
	return "Winter Off-Peak"
}

func (s touDSheet) price(period string) string {
	return map[string]string{
		"Summer On-Peak": s.summerOn, "Summer Mid-Peak": s.summerMid, "Summer Off-Peak": s.summerOff,
		"Winter Mid-Peak": s.winterMid, "Winter Off-Peak": s.winterOff, "Winter Super-Off-Peak": s.winterSuperOffPea,
	}[period]
}

// TestTOUDYearMatchesSheetRules checks every hour of 2025 for both TOU-D
// options against the sheet: the period the shipped map gives and its
// bundled price equal what the sheet's period definitions and the §1.6
// price table say, with holidays taken from SCE's published 2025 list
// (shared/data/tariffs/retail_8760/SCE_Holidays_2025.csv). TOU-D-PRIME is
// also checked against the published 8,760-hour vector
// (TestHourlyPricesEqualPublished8760Vectors); TOU-D-4-9PM has no such
// vector, so this is its whole-year known answer.
func TestTOUDYearMatchesSheetRules(t *testing.T) {
	rows := readCSV(t, sharedFile(t, "retail_8760/SCE_Holidays_2025.csv"))
	holidays := map[calendar.Date]bool{}
	for _, s := range rows[1] {
		d, err := calendar.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		holidays[d] = true
	}
	for _, sheet := range []touDSheet{
		{"TOU-D-4-9PM", "0.58522", "0.47517", "0.36678", "0.51654", "0.39207", "0.35626"},
		{"TOU-D-PRIME", "0.56368", "0.38128", "0.26322", "0.53340", "0.24490", "0.24490"},
	} {
		t.Run(sheet.code, func(t *testing.T) {
			v := shippedVersion(t, sheet.code)
			ix, prices := hourlyYear(t, v, 2025)
			m, _ := v.PeriodMap("energy")
			// Real hours of the Pacific year, 8,760 of them: the clock
			// skips 02:00 on 2025-03-09 and repeats 01:00 on 2025-11-02.
			start := time.Date(2025, time.January, 1, 0, 0, 0, 0, calendar.Pacific)
			end := time.Date(2026, time.January, 1, 0, 0, 0, 0, calendar.Pacific)
			if n := int(end.Sub(start) / time.Hour); n != 8760 || len(ix.Period) != n {
				t.Fatalf("%d hours in the year, index has %d", n, len(ix.Period))
			}
			bad := 0
			for i := range 8760 {
				at := start.Add(time.Duration(i) * time.Hour).In(calendar.Pacific)
				d := calendar.DateOf(at)
				wkend := at.Weekday() == time.Saturday || at.Weekday() == time.Sunday || holidays[d]
				want := sheet.period(d, at.Hour(), wkend)
				got := m.Periods[ix.Period[i]]
				price := prices.Energy(ix.Period[i], 0)
				if got != want || price != micro(t, sheet.price(want)) {
					bad++
					if bad <= 5 {
						t.Errorf("%s: %s at %v, sheet says %s at %s", at.Format("2006-01-02 15:04 MST"), got, price, want, sheet.price(want))
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of 8760 hours differ from the sheet", bad)
			}
		})
	}
}

// TestFixedChargesMatchSheets checks the per-day charges of the shipped
// residential tariffs against research/billing.md §1.6: TOU-D-PRIME Basic
// Charge $0.516/meter/day, E-ELEC Base Services Charge $0.49281/meter/day,
// and neither with a minimum charge or baseline credit (TOU-D-4-9PM's
// are in TestTOUD49FixedMinimumAndBaseline).
func TestFixedChargesMatchSheets(t *testing.T) {
	for code, want := range map[string]string{"TOU-D-PRIME": "0.516", "E-ELEC": "0.49281"} {
		v := shippedVersion(t, code)
		fixed := v.ComponentsOf(FixedDay)
		if len(fixed) != 1 || fixed[0].Price.String() != want || fixed[0].Bucket != Delivery {
			t.Errorf("%s fixed charges %+v, want one delivery charge of %s/day", code, fixed, want)
		}
		if n := len(v.ComponentsOf(MinimumDay)) + len(v.ComponentsOf(MinimumMonth)) + len(v.ComponentsOf(BaselineCredit)); n != 0 {
			t.Errorf("%s has %d minimum or baseline components, the sheet none", code, n)
		}
	}
}

// TestEELECPricesMatchSheet checks PG&E E-ELEC (sheets effective
// 2025-03-01, research/billing.md §1.6) at an hour of each period: the
// total and the generation part; peak is 4–9 pm every day, part-peak
// 3–4 pm and 9 pm–midnight, summer June–September.
func TestEELECPricesMatchSheet(t *testing.T) {
	v := shippedVersion(t, "E-ELEC")
	m, _ := v.PeriodMap("energy")
	for _, tt := range []struct{ at, period, total, gen string }{
		{"2025-07-12 17:00", "Summer Peak", "0.61418", "0.31659"}, // a Saturday: peak every day
		{"2025-07-14 15:00", "Summer Part-Peak", "0.45230", "0.21748"},
		{"2025-07-14 23:00", "Summer Part-Peak", "0.45230", "0.21748"},
		{"2025-09-30 10:00", "Summer Off-Peak", "0.39562", "0.17238"},
		{"2025-12-25 20:00", "Winter Peak", "0.38266", "0.15446"},
		{"2025-03-03 21:00", "Winter Part-Peak", "0.36057", "0.13449"},
		{"2025-10-01 03:00", "Winter Off-Peak", "0.34671", "0.12114"},
	} {
		p, prices := priceAt(t, v, tt.at)
		if m.Periods[p] != tt.period || prices.Energy(p, 0) != micro(t, tt.total) || prices.EnergyIn(Generation, p, 0) != micro(t, tt.gen) {
			t.Errorf("%s: %s total %v generation %v, sheet %s %s %s", tt.at, m.Periods[p], prices.Energy(p, 0),
				prices.EnergyIn(Generation, p, 0), tt.period, tt.total, tt.gen)
		}
		if got := prices.EnergyIn(PCIA, p, 0); got != micro(t, "-0.02327") {
			t.Errorf("%s: bundled PCIA %v, sheet -0.02327", tt.at, got)
		}
	}
}
