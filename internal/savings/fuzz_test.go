package savings

import (
	"bytes"
	"testing"
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
