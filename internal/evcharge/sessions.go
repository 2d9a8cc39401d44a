package evcharge

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/emissions"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/money"
)

// Vehicle is an enrolled vehicle.
type Vehicle struct {
	ID        int64 `json:"id"`
	AccountID int64 `json:"account_id"`
	// Name identifies the vehicle in telemetry (the session CSV's
	// vehicle column), unique.
	Name      string   `json:"name"`
	Make      string   `json:"make"`
	Model     string   `json:"model"`
	BatteryWh int64    `json:"battery_wh"`
	MaxW      energy.W `json:"max_w"`
	// Charger is "level1", "level2" or an OCPP charge point identity for
	// fleet and commercial chargers.
	Charger  string        `json:"charger"`
	Enrolled calendar.Date `json:"enrolled"` // EV SmartCharge enrollment
}

// Charge is the energy a session delivered in one interval.
type Charge struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Wh    energy.Wh `json:"energy_wh"`
}

// Session is one plug-in: from plug-in to unplug, with the energy
// delivered interval by interval.
type Session struct {
	Vehicle string    `json:"vehicle"`
	PlugIn  time.Time `json:"plug_in"`
	Unplug  time.Time `json:"unplug"`
	MaxW    energy.W  `json:"max_w"`
	Charges []Charge  `json:"charges"`
}

// EnergyWh is the session's total energy.
func (s Session) EnergyWh() energy.Wh {
	var e energy.Wh
	for _, c := range s.Charges {
		e += c.Wh
	}
	return e
}

// maxSessionRows bounds a telemetry file.
const maxSessionRows = 5_000_000

// ParseSessionsCSV reads session telemetry: a header row naming
// vehicle, plug_in, unplug, max_kw, start, end and energy_wh (any order,
// other columns ignored), one row per charging interval; rows with the
// same vehicle and plug_in form one session. Instants are RFC 3339.
// Intervals must lie within their session and not overlap; the energy of
// an interval may not exceed max_kw over its length. Every problem names
// the line.
func ParseSessionsCSV(r io.Reader) ([]Session, error) {
	const op = "evcharge.ParseSessionsCSV"
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, apperr.Invalidf(op, "the file is empty")
	} else if err != nil {
		return nil, apperr.E(apperr.Invalid, op, "malformed CSV", err)
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	need := []string{"vehicle", "plug_in", "unplug", "max_kw", "start", "end", "energy_wh"}
	for _, c := range need {
		if _, ok := cols[c]; !ok {
			return nil, apperr.Invalidf(op, "the header lacks %s (want %s)", c, strings.Join(need, ","))
		}
	}
	type key struct {
		v string
		t int64
	}
	index := map[key]int{}
	var out []Session
	for line, rows := 2, 0; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, apperr.E(apperr.Invalid, op, fmt.Sprintf("line %d: malformed CSV", line), err)
		}
		if rows++; rows > maxSessionRows {
			return nil, apperr.Invalidf(op, "more than %d rows", maxSessionRows)
		}
		get := func(c string) string {
			if i := cols[c]; i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		var f apperr.Fields
		inst := func(c string) time.Time {
			t, err := time.Parse(time.RFC3339, get(c))
			if err != nil {
				f.Add(fmt.Sprintf("line %d: %s", line, c), "%q is not an RFC 3339 instant", get(c))
			}
			return t.UTC()
		}
		veh := get("vehicle")
		plug, unplug, start, end := inst("plug_in"), inst("unplug"), inst("start"), inst("end")
		kw, err := energy.ParseKWh(get("max_kw")) // kW parse exactly like kWh: thousandths
		if err != nil || kw <= 0 {
			f.Add(fmt.Sprintf("line %d: max_kw", line), "%q is not a positive number of kW", get("max_kw"))
		}
		wh, err := strconv.ParseInt(get("energy_wh"), 10, 64)
		if err != nil || wh < 0 {
			f.Add(fmt.Sprintf("line %d: energy_wh", line), "%q is not a non-negative whole number of Wh", get("energy_wh"))
		}
		if veh == "" {
			f.Add(fmt.Sprintf("line %d: vehicle", line), "is required")
		}
		if err := f.Err(op); err != nil {
			return nil, err
		}
		switch {
		case !unplug.After(plug):
			return nil, apperr.Invalidf(op, "line %d: unplug must be after plug_in", line)
		case !end.After(start):
			return nil, apperr.Invalidf(op, "line %d: end must be after start", line)
		case start.Before(plug) || end.After(unplug):
			return nil, apperr.Invalidf(op, "line %d: the interval %s–%s is outside its session %s–%s", line,
				start.Format(time.RFC3339), end.Format(time.RFC3339), plug.Format(time.RFC3339), unplug.Format(time.RFC3339))
		}
		maxW := energy.W(kw)
		if most := energy.Wh(int64(maxW) * int64(end.Sub(start)) / int64(time.Hour)); energy.Wh(wh) > most {
			return nil, apperr.Invalidf(op, "line %d: %d Wh is more than %s kW can deliver in %s", line, wh, maxW.KWString(), end.Sub(start))
		}
		k := key{veh, plug.Unix()}
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, Session{Vehicle: veh, PlugIn: plug, Unplug: unplug, MaxW: maxW})
		} else if !out[i].Unplug.Equal(unplug) || out[i].MaxW != maxW {
			return nil, apperr.Invalidf(op, "line %d: the session of %s plugged in %s has another unplug time or max_kw on an earlier line", line, veh, plug.Format(time.RFC3339))
		}
		out[i].Charges = append(out[i].Charges, Charge{Start: start, End: end, Wh: energy.Wh(wh)})
	}
	for i := range out {
		s := &out[i]
		slices.SortFunc(s.Charges, func(a, b Charge) int { return a.Start.Compare(b.Start) })
		for j := 1; j < len(s.Charges); j++ {
			if s.Charges[j].Start.Before(s.Charges[j-1].End) {
				return nil, apperr.Invalidf(op, "session of %s plugged in %s: intervals starting %s and %s overlap", s.Vehicle,
					s.PlugIn.Format(time.RFC3339), s.Charges[j-1].Start.Format(time.RFC3339), s.Charges[j].Start.Format(time.RFC3339))
			}
		}
	}
	return out, nil
}

// Peak is the local clock window the off-peak share is measured against:
// 4–9 pm on every day (research/dr-ev.md §3.4: "Σ kWh charged outside the
// 4–9 pm on-peak window ÷ Σ kWh").
type Peak struct{ FromHour, ToHour int }

// DefaultPeak is 16:00–21:00 local time.
var DefaultPeak = Peak{16, 21}

// onPeakWh returns the part of a charge inside the peak window, sharing
// its energy evenly over its length, minute by minute.
func (p Peak) onPeakWh(c Charge) energy.Wh {
	total := c.End.Sub(c.Start)
	var in time.Duration
	for t := c.Start; t.Before(c.End); {
		next := minTime(c.End, t.Truncate(time.Minute).Add(time.Minute))
		if h := t.In(calendar.Pacific).Hour(); h >= p.FromHour && h < p.ToHour {
			in += next.Sub(t)
		}
		t = next
	}
	return energy.Wh(int64(c.Wh) * int64(in) / int64(total))
}

// Month is one vehicle's charging in one calendar month (Pacific).
type Month struct {
	Vehicle   string    `json:"vehicle"`
	Month     string    `json:"month"` // YYYY-MM
	Sessions  int       `json:"sessions"`
	EnergyWh  energy.Wh `json:"energy_wh"`
	OffPeakWh energy.Wh `json:"off_peak_wh"`
	// OffPeakBP is OffPeakWh ÷ EnergyWh in basis points (9,400 = 94%).
	OffPeakBP int64 `json:"off_peak_bp"`
	// CostCents prices the energy at the rates given (0 without them).
	CostCents money.Cents `json:"cost_cents"`
	// CO2g is the emissions of the charging done; ReferenceCO2g of the
	// unmanaged reference (full power from plug-in until the same energy
	// is in); AvoidedCO2g their difference. Zero without a signal.
	CO2g          float64 `json:"co2_g"`
	ReferenceCO2g float64 `json:"reference_co2_g"`
	AvoidedCO2g   float64 `json:"avoided_co2_g"`
}

// Reference is the unmanaged charging of a session: full power from
// plug-in until the session's energy is delivered (or unplug).
func Reference(s Session) []Charge {
	left := s.EnergyWh()
	var out []Charge
	for t := s.PlugIn; left > 0 && t.Before(s.Unplug); {
		end := minTime(t.Truncate(15*time.Minute).Add(15*time.Minute), s.Unplug)
		e := min(left, energy.Wh(int64(s.MaxW)*int64(end.Sub(t))/int64(time.Hour)))
		if e <= 0 {
			break
		}
		out = append(out, Charge{Start: t, End: end, Wh: e})
		left -= e
		t = end
	}
	return out
}

// Monthly summarises sessions per vehicle and month of plug-in: energy,
// off-peak share against peak, cost at prices (nil: none) and, with a
// signal, CO2 against the unmanaged reference. Charges the signal does
// not cover are refused, naming the instant.
func Monthly(sessions []Session, peak Peak, prices Rates, sig *emissions.Signal) ([]Month, error) {
	type key struct{ v, m string }
	idx := map[key]int{}
	var out []Month
	nanos := map[int]money.Nanos{}
	for _, s := range sessions {
		m := s.PlugIn.In(calendar.Pacific).Format("2006-01")
		k := key{s.Vehicle, m}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, Month{Vehicle: s.Vehicle, Month: m})
		}
		mo := &out[i]
		mo.Sessions++
		for _, c := range s.Charges {
			mo.EnergyWh += c.Wh
			mo.OffPeakWh += c.Wh - peak.onPeakWh(c)
			if prices != nil {
				if v, ok := rateAt(prices, c.Start); ok {
					nanos[i] += money.Nanos(float64(c.Wh) * v)
				}
			}
		}
		if sig != nil {
			act, err := chargesCO2(s.Charges, *sig)
			if err != nil {
				return nil, err
			}
			ref, err := chargesCO2(Reference(s), *sig)
			if err != nil {
				return nil, err
			}
			mo.CO2g += act
			mo.ReferenceCO2g += ref
		}
	}
	for i := range out {
		mo := &out[i]
		if mo.EnergyWh > 0 {
			mo.OffPeakBP = money.RoundDiv(int64(mo.OffPeakWh)*10000, int64(mo.EnergyWh))
		}
		mo.CostCents = nanos[i].Round()
		mo.CO2g, mo.ReferenceCO2g = emissions.Round(mo.CO2g, 3), emissions.Round(mo.ReferenceCO2g, 3)
		mo.AvoidedCO2g = emissions.Round(mo.ReferenceCO2g-mo.CO2g, 3)
	}
	return out, nil
}

func chargesCO2(cs []Charge, sig emissions.Signal) (float64, error) {
	var g float64
	for _, c := range cs {
		l := emissions.Load{Start: c.Start, Step: c.End.Sub(c.Start), Wh: []energy.Wh{c.Wh}}
		if l.Step < sig.Step || l.Step%sig.Step != 0 {
			l.Step = sig.Step // a short charge takes the point it starts in
		}
		e, err := emissions.Emitted(l, sig)
		if err != nil {
			return 0, err
		}
		g += e
	}
	return g, nil
}

func rateAt(rs Rates, t time.Time) (float64, bool) {
	i, _ := slices.BinarySearchFunc(rs, t, func(r Rate, t time.Time) int {
		switch {
		case !r.End.After(t):
			return -1
		case r.Start.After(t):
			return 1
		}
		return 0
	})
	if i < len(rs) && !rs[i].Start.After(t) && rs[i].End.After(t) {
		return rs[i].Value, true
	}
	return 0, false
}

// Fleet totals a set of vehicle-months.
type Fleet struct {
	Vehicles      int         `json:"vehicles"`
	Sessions      int         `json:"sessions"`
	EnergyWh      energy.Wh   `json:"energy_wh"`
	OffPeakWh     energy.Wh   `json:"off_peak_wh"`
	OffPeakBP     int64       `json:"off_peak_bp"`
	CostCents     money.Cents `json:"cost_cents"`
	CO2g          float64     `json:"co2_g"`
	ReferenceCO2g float64     `json:"reference_co2_g"`
	AvoidedCO2g   float64     `json:"avoided_co2_g"`
}

// Total sums vehicle-months into fleet figures (CPA reports "94% of
// charging happened off-peak" and the pounds of CO2 avoided).
func Total(ms []Month) Fleet {
	var f Fleet
	seen := map[string]bool{}
	for _, m := range ms {
		if !seen[m.Vehicle] {
			seen[m.Vehicle] = true
			f.Vehicles++
		}
		f.Sessions += m.Sessions
		f.EnergyWh += m.EnergyWh
		f.OffPeakWh += m.OffPeakWh
		f.CostCents += m.CostCents
		f.CO2g += m.CO2g
		f.ReferenceCO2g += m.ReferenceCO2g
	}
	if f.EnergyWh > 0 {
		f.OffPeakBP = money.RoundDiv(int64(f.OffPeakWh)*10000, int64(f.EnergyWh))
	}
	f.CO2g, f.ReferenceCO2g = emissions.Round(f.CO2g, 3), emissions.Round(f.ReferenceCO2g, 3)
	f.AvoidedCO2g = emissions.Round(f.ReferenceCO2g-f.CO2g, 3)
	return f
}

// Report is a month of EV SmartCharge by vehicle and for the fleet, with
// the avoided CO2 restated (EPA's unrounded tree-seedling factor, as CPA's
// figures use).
type Report struct {
	Vehicles   []Month          `json:"vehicles"`
	Fleet      Fleet            `json:"fleet"`
	AvoidedLbs float64          `json:"avoided_co2_lbs"`
	Trees      int64            `json:"tree_seedlings_10yr"`
	Factor     emissions.Factor `json:"factor"`
}

// MonthReport summarises sessions (one month's) against sig (nil: no
// CO2).
func MonthReport(ss []Session, sig *emissions.Signal) (Report, error) {
	ms, err := Monthly(ss, DefaultPeak, nil, sig)
	if err != nil {
		return Report{}, err
	}
	if ms == nil {
		ms = []Month{}
	}
	r := Report{Vehicles: ms, Fleet: Total(ms)}
	r.AvoidedLbs = emissions.Round(emissions.GramsToLbs(r.Fleet.AvoidedCO2g), 1)
	r.Factor, _ = emissions.FactorNamed("epa-unrounded")
	if eq, err := emissions.Equivalents(max(0, r.AvoidedLbs), r.Factor); err == nil {
		r.Trees = eq.TreeSeedlings10yr
	}
	return r, nil
}
