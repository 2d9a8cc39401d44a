package emissions

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
)

// KgPerLb is the international avoirdupois pound in kilograms, exact by
// definition (US National Bureau of Standards, 1959).
const KgPerLb = 0.45359237

// Unit names a unit of emission rate.
type Unit string

// Units of emission rate a signal may arrive in.
const (
	GPerKWh   Unit = "g/kWh"   // OpenADR 3 GHG payloads
	KgPerKWh  Unit = "kg/kWh"  // the SGIP signal
	LbsPerMWh Unit = "lbs/MWh" // WattTime co2_moer
)

// ToGPerKWh converts v in unit u to grams per kWh.
func ToGPerKWh(v float64, u Unit) (float64, error) {
	switch u {
	case GPerKWh:
		return v, nil
	case KgPerKWh:
		return v * 1000, nil
	case LbsPerMWh:
		// lb/MWh × 453.59237 g/lb ÷ 1,000 kWh/MWh.
		return v * KgPerLb, nil
	}
	return 0, apperr.Invalidf("emissions.ToGPerKWh", "unknown unit %q: want g/kWh, kg/kWh or lbs/MWh", u)
}

// Kind says what a signal measures.
type Kind string

// Signal kinds.
const (
	Marginal Kind = "marginal" // emissions of the next kWh (MOER)
	Average  Kind = "average"  // the system's average emissions per kWh
)

// Signal is a regular series of emission rates: Values[i] (g CO2/kWh) holds
// over [Start+i·Step, Start+(i+1)·Step). A missing point is NaN.
type Signal struct {
	Kind   Kind          `json:"kind"`
	Region string        `json:"region,omitempty"` // e.g. SGIP_CAISO_SCE
	Source string        `json:"source,omitempty"`
	Start  time.Time     `json:"start"`
	Step   time.Duration `json:"step"`
	Values []float64     `json:"g_per_kwh"`
}

// End is the instant after the last interval.
func (s Signal) End() time.Time { return s.Start.Add(time.Duration(len(s.Values)) * s.Step) }

// At returns the rate in force at t; ok is false outside the series or in a
// gap.
func (s Signal) At(t time.Time) (gPerKWh float64, ok bool) {
	if s.Step <= 0 || t.Before(s.Start) {
		return 0, false
	}
	i := int(t.Sub(s.Start) / s.Step)
	if i >= len(s.Values) || math.IsNaN(s.Values[i]) {
		return 0, false
	}
	return s.Values[i], true
}

// Gap is a run of missing points [From, To).
type Gap struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Gaps lists the runs of missing points in time order.
func (s Signal) Gaps() []Gap {
	var out []Gap
	for i := 0; i < len(s.Values); i++ {
		if !math.IsNaN(s.Values[i]) {
			continue
		}
		j := i
		for j < len(s.Values) && math.IsNaN(s.Values[j]) {
			j++
		}
		out = append(out, Gap{s.Start.Add(time.Duration(i) * s.Step), s.Start.Add(time.Duration(j) * s.Step)})
		i = j
	}
	return out
}

// CSVOptions control ParseSignalCSV.
type CSVOptions struct {
	// Unit of the value column; "" detects it from the header: a "moer"
	// column is the SGIP signal in kg/kWh, a "value" column WattTime's
	// lbs/MWh.
	Unit Unit
	// Step of the series; 0 takes the smallest spacing between points.
	Step time.Duration
	// AllowGaps keeps missing points as NaN instead of refusing the file.
	AllowGaps bool
	Kind      Kind // default Marginal
}

// maxPoints bounds a parsed series (a year of 5-minute points is 105,120).
const maxPoints = 2_000_000

// ParseSignalCSV reads an emission signal from CSV with a header row. The
// time column is "point_time" (RFC 3339; also accepted: "timestamp",
// "time"); the value column "moer" (SGIP, kg/kWh), "value" (WattTime,
// lbs/MWh) or "g_per_kwh". Points may come in any order; two values for one
// instant, a point off the step grid, a negative or non-numeric rate, and
// (unless AllowGaps) a missing point are refused, naming the line.
func ParseSignalCSV(r io.Reader, opt CSVOptions) (Signal, error) {
	const op = "emissions.ParseSignalCSV"
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return Signal{}, apperr.Invalidf(op, "the file is empty: want a header row with point_time and moer or value")
	} else if err != nil {
		return Signal{}, apperr.E(apperr.Invalid, op, "malformed CSV", err)
	}
	timeCol, valCol, regionCol := -1, -1, -1
	unit := opt.Unit
	for i, h := range header {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "point_time", "timestamp", "time":
			timeCol = i
		case "moer":
			valCol = i
			if unit == "" {
				unit = KgPerKWh
			}
		case "value":
			valCol = i
			if unit == "" {
				unit = LbsPerMWh
			}
		case "g_per_kwh":
			valCol = i
			if unit == "" {
				unit = GPerKWh
			}
		case "ba", "region":
			regionCol = i
		}
	}
	if timeCol < 0 || valCol < 0 {
		return Signal{}, apperr.Invalidf(op, "header %q lacks a point_time column and a moer, value or g_per_kwh column", strings.Join(header, ","))
	}
	if _, err := ToGPerKWh(0, unit); err != nil {
		return Signal{}, err
	}
	type point struct {
		t    time.Time
		v    float64
		line int
	}
	var pts []point
	region := ""
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Signal{}, apperr.E(apperr.Invalid, op, fmt.Sprintf("line %d: malformed CSV", line), err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if timeCol >= len(rec) || valCol >= len(rec) {
			return Signal{}, apperr.Invalidf(op, "line %d: has %d fields, want at least %d", line, len(rec), max(timeCol, valCol)+1)
		}
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(rec[timeCol]))
		if err != nil {
			return Signal{}, apperr.Invalidf(op, "line %d: point_time %q is not an RFC 3339 instant", line, rec[timeCol])
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[valCol]), 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return Signal{}, apperr.Invalidf(op, "line %d: value %q is not a number", line, rec[valCol])
		}
		if v < 0 {
			return Signal{}, apperr.Invalidf(op, "line %d: value %v is negative; an emission rate is not", line, v)
		}
		g, _ := ToGPerKWh(v, unit)
		if regionCol >= 0 && regionCol < len(rec) && region == "" {
			region = strings.TrimSpace(rec[regionCol])
		}
		if len(pts) >= maxPoints {
			return Signal{}, apperr.Invalidf(op, "more than %d points", maxPoints)
		}
		pts = append(pts, point{t.UTC(), g, line})
	}
	if len(pts) == 0 {
		return Signal{}, apperr.Invalidf(op, "no data rows")
	}
	slices.SortStableFunc(pts, func(a, b point) int { return a.t.Compare(b.t) })
	step := opt.Step
	for i := 1; i < len(pts); i++ {
		d := pts[i].t.Sub(pts[i-1].t)
		if d == 0 {
			return Signal{}, apperr.Invalidf(op, "line %d: a second value for %s (first on line %d)", pts[i].line, pts[i].t.Format(time.RFC3339), pts[i-1].line)
		}
		if opt.Step == 0 && (step == 0 || d < step) {
			step = d
		}
	}
	if step == 0 {
		step = 5 * time.Minute // one point: the SGIP validity period
	}
	if step < time.Minute || step > 24*time.Hour {
		return Signal{}, apperr.Invalidf(op, "step %v is outside 1 minute to 24 hours", step)
	}
	start := pts[0].t
	n := int(pts[len(pts)-1].t.Sub(start)/step) + 1
	if n > maxPoints {
		return Signal{}, apperr.Invalidf(op, "the series spans %d steps of %v, more than %d", n, step, maxPoints)
	}
	s := Signal{Kind: opt.Kind, Region: region, Start: start, Step: step, Values: make([]float64, n)}
	if s.Kind == "" {
		s.Kind = Marginal
	}
	for i := range s.Values {
		s.Values[i] = math.NaN()
	}
	for _, p := range pts {
		off := p.t.Sub(start)
		if off%step != 0 {
			return Signal{}, apperr.Invalidf(op, "line %d: %s is off the %v grid that starts %s", p.line, p.t.Format(time.RFC3339), step, start.Format(time.RFC3339))
		}
		s.Values[off/step] = p.v
	}
	if gaps := s.Gaps(); len(gaps) > 0 && !opt.AllowGaps {
		g := gaps[0]
		missing := 0
		for _, x := range gaps {
			missing += int(x.To.Sub(x.From) / step)
		}
		return Signal{}, apperr.Invalidf(op, "the series has %d gap(s), %d missing %v point(s); the first runs from %s to %s",
			len(gaps), missing, step, g.From.Format(time.RFC3339), g.To.Format(time.RFC3339))
	}
	return s, nil
}
