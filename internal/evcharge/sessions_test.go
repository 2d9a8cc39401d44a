package evcharge

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/emissions"
)

// local is wall-clock h:mm on 2026-07-01 (d=0) or the day after (d=1).
func local(d, hh, mm int) time.Time {
	return time.Date(2026, 7, 1+d, hh, mm, 0, 0, calendar.Pacific).UTC()
}

const telemetry = `vehicle,plug_in,unplug,max_kw,start,end,energy_wh
EV-1,2026-07-02T01:00:00Z,2026-07-02T14:00:00Z,7.0,2026-07-02T01:00:00Z,2026-07-02T01:30:00Z,3500
EV-1,2026-07-02T01:00:00Z,2026-07-02T14:00:00Z,7.0,2026-07-02T07:00:00Z,2026-07-02T08:00:00Z,7000
EV-1,2026-07-02T01:00:00Z,2026-07-02T14:00:00Z,7.0,2026-07-02T08:00:00Z,2026-07-02T09:00:00Z,7000
`

// One session plugged in at 6 pm: 3.5 kWh charged 6–6:30 pm (on-peak)
// and 14 kWh after midnight. Off-peak share 14 / 17.5 = 80%. At 50¢
// on-peak and 20¢ off: $1.75 + $2.80 = $4.55. The unmanaged reference
// charges 17.5 kWh at 7 kW from 6 pm (6–8:30 pm, all at 400 g/kWh):
// 7,000 g; the managed session emits 3.5 × 400 + 14 × 200 = 4,200 g; 2,800
// g avoided.
func TestMonthlyOffPeakShareCostAndAvoidedCO2(t *testing.T) {
	ss, err := ParseSessionsCSV(strings.NewReader(telemetry))
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 1 || len(ss[0].Charges) != 3 || ss[0].MaxW != 7000 || ss[0].EnergyWh() != 17500 {
		t.Fatalf("sessions %+v", ss)
	}
	sig := emissions.Signal{Start: local(0, 18, 0), Step: time.Hour}
	for t := sig.Start; t.Before(local(1, 7, 0)); t = t.Add(time.Hour) {
		v := 200.0
		if h := t.In(calendar.Pacific).Hour(); h >= 16 && h < 21 {
			v = 400
		}
		sig.Values = append(sig.Values, v)
	}
	prices := Rates{{local(0, 16, 0), local(0, 21, 0), 500000}, {local(0, 21, 0), local(1, 16, 0), 200000}}
	ms, err := Monthly(ss, DefaultPeak, prices, &sig)
	if err != nil {
		t.Fatal(err)
	}
	m := ms[0]
	if m.Month != "2026-07" || m.Sessions != 1 || m.EnergyWh != 17500 || m.OffPeakWh != 14000 || m.OffPeakBP != 8000 {
		t.Errorf("energy and share %+v", m)
	}
	if m.CostCents != 455 {
		t.Errorf("cost %d¢, want 455", m.CostCents)
	}
	if math.Abs(m.CO2g-4200) > 1e-6 || math.Abs(m.ReferenceCO2g-7000) > 1e-6 || math.Abs(m.AvoidedCO2g-2800) > 1e-6 {
		t.Errorf("co2 %v, reference %v, avoided %v; want 4200, 7000, 2800", m.CO2g, m.ReferenceCO2g, m.AvoidedCO2g)
	}
	ref := Reference(ss[0])
	if last := ref[len(ref)-1]; !last.End.Equal(local(0, 20, 30)) {
		t.Errorf("reference ends %s, want 8:30 pm", last.End.In(calendar.Pacific))
	}
}

func TestBadTelemetryNamesTheLine(t *testing.T) {
	head := "vehicle,plug_in,unplug,max_kw,start,end,energy_wh\n"
	cases := map[string]string{
		"":                  "empty",
		"vehicle,plug_in\n": "lacks unplug",
		head + "EV,x,2026-07-02T14:00:00Z,7,2026-07-02T01:00:00Z,2026-07-02T02:00:00Z,1\n":                       "line 2: plug_in",
		head + "EV,2026-07-02T14:00:00Z,2026-07-02T01:00:00Z,7,2026-07-02T01:00:00Z,2026-07-02T02:00:00Z,1\n":    "unplug must be after",
		head + "EV,2026-07-02T01:00:00Z,2026-07-02T14:00:00Z,7,2026-07-02T00:00:00Z,2026-07-02T02:00:00Z,1\n":    "outside its session",
		head + "EV,2026-07-02T01:00:00Z,2026-07-02T14:00:00Z,7,2026-07-02T01:00:00Z,2026-07-02T02:00:00Z,7001\n": "more than 7.000 kW",
		head + "EV,2026-07-02T01:00:00Z,2026-07-02T14:00:00Z,7,2026-07-02T01:00:00Z,2026-07-02T02:00:00Z,1\n" +
			"EV,2026-07-02T01:00:00Z,2026-07-02T14:00:00Z,7,2026-07-02T01:30:00Z,2026-07-02T02:30:00Z,1\n": "overlap",
		head + "EV,2026-07-02T01:00:00Z,2026-07-02T14:00:00Z,0,2026-07-02T01:00:00Z,2026-07-02T02:00:00Z,1\n": "max_kw",
	}
	for in, want := range cases {
		_, err := ParseSessionsCSV(strings.NewReader(in))
		if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want Invalid mentioning %q", in, err, want)
		}
	}
}

func FuzzParseSessionsCSV(f *testing.F) {
	f.Add(telemetry)
	f.Add("vehicle,plug_in,unplug,max_kw,start,end,energy_wh\nEV,2026-07-02T01:00:00Z,2026-07-02T14:00:00Z,7,2026-07-02T01:00:00Z,2026-07-02T02:00:00Z,1\n")
	f.Fuzz(func(t *testing.T, in string) {
		ss, err := ParseSessionsCSV(strings.NewReader(in))
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("error of kind %v: %v", apperr.KindOf(err), err)
			}
			return
		}
		for _, s := range ss {
			for _, c := range s.Charges {
				if c.Start.Before(s.PlugIn) || c.End.After(s.Unplug) || c.Wh < 0 {
					t.Fatalf("accepted a charge outside its session: %+v in %+v", c, s)
				}
			}
		}
	})
}

// Fleet totals weigh the off-peak share by energy: 94 kWh of 100 off-peak
// is 9,400 bp (CPA's "94% off-peak"), however the vehicles split it.
func TestFleetOffPeakShareIsEnergyWeighted(t *testing.T) {
	f := Total([]Month{
		{Vehicle: "A", Sessions: 3, EnergyWh: 90000, OffPeakWh: 88000, CO2g: 10, ReferenceCO2g: 15},
		{Vehicle: "B", Sessions: 1, EnergyWh: 10000, OffPeakWh: 6000, CO2g: 5, ReferenceCO2g: 5},
		{Vehicle: "A", Sessions: 1},
	})
	if f.Vehicles != 2 || f.Sessions != 5 || f.OffPeakBP != 9400 || f.AvoidedCO2g != 5 {
		t.Errorf("fleet %+v", f)
	}
}
