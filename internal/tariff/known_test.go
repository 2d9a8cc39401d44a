package tariff

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/money"
)

// sharedTariffs is the project's shared tariff data folder
// (../shared/data/tariffs from the repository root).
const sharedTariffs = "/work/shared/data/tariffs"

// sharedFile returns the path of a shared data file or skips the test when
// it is absent.
func sharedFile(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(sharedTariffs, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data %s is absent: %v", p, err)
	}
	return p
}

// shippedVersion returns the shipped version with the given code.
func shippedVersion(t testing.TB, code string) Version {
	t.Helper()
	vs, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Code == code {
			return v
		}
	}
	t.Fatalf("no shipped tariff %s", code)
	return Version{}
}

// TestHourlyPricesEqualPublished8760Vectors checks the known
// answer: for 2025 the hourly price given by the period map of
// TOU-D-PRIME and of E-ELEC equals the published 8,760-hour Retail_Rate
// vectors (RyanCMann/ACC_to_NBT_ECR, copied to
// shared/data/tariffs/retail_8760) in every hour. The vectors bill the
// holidays in SCE_Holidays_2025.csv / PGE_Holidays_2025.csv as weekends
// and list hours in real-time order (the fall-back 01:00 twice, no
// spring-forward 02:00), so row i is interval i.
func TestHourlyPricesEqualPublished8760Vectors(t *testing.T) {
	tests := []struct{ code, file string }{
		{"TOU-D-PRIME", "retail_8760/2025_SCE_TOU_D_PRIME_Cost_Dataframe.csv"},
		{"E-ELEC", "retail_8760/2025_PGE_E_ELEC_Cost_Dataframe.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			rows := readCSV(t, sharedFile(t, tt.file))
			v := shippedVersion(t, tt.code)
			ix, prices := hourlyYear(t, v, 2025)
			if len(rows)-1 != 8760 || len(ix.Period) != 8760 {
				t.Fatalf("%d published rows, %d intervals; want 8760 each", len(rows)-1, len(ix.Period))
			}
			col := columns(rows[0])
			bad := 0
			for i, r := range rows[1:] {
				at := ix.Start.Add(time.Duration(i) * time.Hour).In(calendar.Pacific)
				if got := at.Format("2006-01-02 15:04:05"); got != r[col["Date_Time"]] {
					t.Fatalf("row %d is %s, interval %d starts %s", i+1, r[col["Date_Time"]], i, got)
				}
				want, err := money.ParseMicro(r[col["Retail_Rate"]])
				if err != nil {
					t.Fatal(err)
				}
				day := ix.DayType[at.YearDay()-1]
				wantWeekend := strings.HasPrefix(r[col["DayType"]], "Weekend")
				if (day != Weekday) != wantWeekend {
					t.Errorf("%s: day type %v, published %q", r[col["Date_Time"]], day, r[col["DayType"]])
				}
				if got := prices.Energy(ix.Period[i], 0); got != money.MicroPerKWh(want) {
					bad++
					if bad <= 5 {
						t.Errorf("%s: price %v, published %s", r[col["Date_Time"]], got, r[col["Retail_Rate"]])
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of 8760 hours differ", bad)
			}
		})
	}
}

// hourlyYear compiles v's energy map for a year at one hour and its
// price table.
func hourlyYear(t testing.TB, v Version, year int) (*Index, *PriceTable) {
	t.Helper()
	ix, err := v.Index("energy", year, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	prices, err := v.EnergyPrices()
	if err != nil {
		t.Fatal(err)
	}
	return ix, prices
}

func readCSV(t testing.TB, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func columns(header []string) map[string]int {
	m := map[string]int{}
	for i, h := range header {
		m[strings.TrimPrefix(h, "\ufeff")] = i
	}
	return m
}

// TestHolidaysInIndexMatchPublishedLists checks that the days the index
// bills as holidays in 2025 are exactly those of the utilities' published
// 2025 lists (shared/data/tariffs/retail_8760/*_Holidays_2025.csv).
func TestHolidaysInIndexMatchPublishedLists(t *testing.T) {
	for _, tt := range []struct{ code, file string }{
		{"TOU-D-PRIME", "retail_8760/SCE_Holidays_2025.csv"},
		{"E-ELEC", "retail_8760/PGE_Holidays_2025.csv"},
	} {
		rows := readCSV(t, sharedFile(t, tt.file))
		want := map[string]bool{}
		for _, d := range rows[1] {
			want[d] = true
		}
		v := shippedVersion(t, tt.code)
		ix, err := v.Index("energy", 2025, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		jan1 := calendar.Date{Year: 2025, Month: time.January, Day: 1}
		got := map[string]bool{}
		for d, dt := range ix.DayType {
			if dt == Holiday {
				got[jan1.AddDays(d).String()] = true
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d holidays, published %d", tt.code, len(got), len(want))
		}
		for d := range want {
			if !got[d] {
				t.Errorf("%s: %s is not billed as a holiday", tt.code, d)
			}
		}
	}
}
