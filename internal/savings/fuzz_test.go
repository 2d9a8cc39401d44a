package savings

import (
	"bytes"
	"math"
	"testing"
	"time"
)

// FuzzReadMeterCSV: no input panics or yields a period out of order.
func FuzzReadMeterCSV(f *testing.F) {
	f.Add([]byte("start,value\n2015-11-22T00:00:00-06:00,32.34\n2015-11-23T00:00:00-06:00,nan\n"))
	f.Add([]byte(",start,value\n0,2012-10-12 00:30:00,0.0\n"))
	f.Add([]byte("start,value\n2016-01-01,1e308\n2015-01-01,x\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, freq := range []MeterFrequency{FreqDaily, FreqHourly, FreqBilling} {
			u, err := ReadMeterCSV(bytes.NewReader(b), freq, DayLocal)
			if err != nil {
				continue
			}
			for i := 1; i < len(u); i++ {
				if !u[i].Start.After(u[i-1].Start) {
					t.Fatalf("%s: period %d starts %s, not after %s", freq, i, u[i].Start, u[i-1].Start)
				}
			}
		}
	})
}

// FuzzReadTemperatureCSV: no input panics; readings are plausible °F.
func FuzzReadTemperatureCSV(f *testing.F) {
	f.Add([]byte("dt,tempF\n2015-11-22T00:00:00-06:00,21.01\n2015-11-22T01:00:00-06:00,20.35\n"))
	f.Add([]byte(",dt,tempC\n0,2020-04-01 01:00:00,5.18\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		temp, err := ReadTemperatureCSV(bytes.NewReader(b), UnitAuto)
		if err != nil {
			return
		}
		for _, v := range temp.DegF {
			if v < -100 || v > 150 {
				t.Fatalf("implausible %v °F accepted", v)
			}
		}
	})
}

// FuzzReadISDLite: no input panics; readings are plausible °F.
func FuzzReadISDLite(f *testing.F) {
	f.Add([]byte("2016 01 01 00   211   -39 10230   270    31     0     0 -9999\n"))
	f.Add([]byte("2016 02 30 00 1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		temp, err := ReadISDLite(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, v := range temp.DegF {
			if v < -100 || v > 150 {
				t.Fatalf("implausible %v °F accepted", v)
			}
		}
	})
}

// FuzzReadParticipants: no input panics; what is read writes and reads back alike.
func FuzzReadParticipants(f *testing.F) {
	f.Add([]byte("id,treated,pre_kwh_per_day,post_kwh_per_day,active\n1,true,30.1,29.5,true\n2,false,30,,\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := ReadParticipants(bytes.NewReader(b))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := WriteParticipants(&out, ps); err != nil {
			t.Fatal(err)
		}
		back, err := ReadParticipants(&out)
		if err != nil || len(back) != len(ps) {
			t.Fatalf("re-read %d of %d: %v", len(back), len(ps), err)
		}
	})
}

// FuzzDailyModelFit: any days of (temperature, use) — constant, tied,
// extreme, negative or few — fit without panicking, and a fitted model's
// coefficients and predictions are numbers or the model is absent. Each
// input is a whole model fit (tens of milliseconds), so CI gives it fewer
// executions than the parsers.
//
// ci-fuzz-execs: 2000
func FuzzDailyModelFit(f *testing.F) {
	f.Add([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, uint8(40), false)
	f.Add(bytes.Repeat([]byte{7}, 64), uint8(100), true)
	f.Add([]byte{0, 255, 0, 255, 128, 1}, uint8(120), false)
	f.Fuzz(func(t *testing.T, b []byte, n uint8, legacy bool) {
		if len(b) == 0 {
			return
		}
		rows := make([]dailyRow, int(n)%121)
		day := time.Date(2019, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range rows {
			x, y := b[i%len(b)], b[(i*7+3)%len(b)]
			at := day.AddDate(0, 0, i*3)
			rows[i] = dailyRow{t: float64(x)/2 - 20, obs: float64(y) - 60, season: seasonOf(int(at.Month())), dow: isoWeekday(at)}
		}
		s := currentDailySettings()
		if legacy {
			s = legacyDailySettings()
		}
		if len(rows) < 2*s.segMin+1 {
			return
		}
		m := fitDailyModel(rows, s)
		if m == nil {
			return
		}
		for _, sm := range m.Submodels {
			for k, v := range sm.Coefficients {
				if math.IsInf(v, 0) {
					t.Fatalf("%s.%s = %v", sm.Component, k, v)
				}
			}
		}
		for _, r := range rows[:min(len(rows), 20)] {
			m.predict(r)
		}
	})
}
