package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/meterdata"
)

// parseInstant reads an instant written RFC 3339 or as Pacific wall-clock
// time "YYYY-MM-DDTHH:MM" (or with a space).
func parseInstant(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, calendar.Pacific); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// instantFlag parses a required instant flag into *into, recording a
// problem in f.
func instantFlag(f *apperr.Fields, name, s string, into *time.Time) {
	if s == "" {
		f.Add(name, "is required")
		return
	}
	t, ok := parseInstant(s)
	if !ok {
		f.Add(name, "want RFC 3339 (2026-08-20T16:00:00-07:00) or Pacific time 2026-08-20T16:00, not %q", s)
	}
	*into = t
}

// deliveredSeries is the delivered channel of an interval file as a
// regular series from its first to its last reading, Missing between.
func deliveredSeries(path string) (meterdata.Series, error) {
	fh, err := os.Open(path)
	if err != nil {
		return meterdata.Series{}, apperr.E(apperr.Invalid, "intervals", "cannot open the interval file", err)
	}
	defer fh.Close()
	mf, err := meterdata.Parse(fh, meterdata.FormatAuto)
	if err != nil {
		return meterdata.Series{}, err
	}
	for _, c := range mf.Channels {
		if c.Direction != customer.Delivered || len(c.Readings) == 0 {
			continue
		}
		step := time.Duration(c.IntervalSeconds) * time.Second
		first := c.Readings[0].Start()
		last := c.Readings[len(c.Readings)-1].Start()
		s := meterdata.Series{Start: first, Step: step, Values: make([]energy.Wh, int(last.Sub(first)/step)+1)}
		for i := range s.Values {
			s.Values[i] = meterdata.Missing
		}
		for _, r := range c.Readings {
			if off := r.Start().Sub(first); off%step == 0 && int(r.Seconds) == c.IntervalSeconds {
				s.Values[off/step] = r.Wh
			}
		}
		return s, nil
	}
	return meterdata.Series{}, apperr.Invalidf("intervals", "the file has no delivered readings")
}

// baselineOutput is what `gridbook dr baseline` prints.
type baselineOutput struct {
	dr.Result
	BaselineTotalWh energy.Wh `json:"baseline_total_wh"`
	ActualTotalWh   energy.Wh `json:"actual_total_wh"`
	ReductionWh     energy.Wh `json:"reduction_wh"` // max(0, delta_wh): floored per event
}

// runDRBaseline computes a participant's baseline for an event from an
// interval file alone (no database).
func runDRBaseline(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "dr baseline")
	intervals := fs.String("intervals", "", "interval file: Green Button XML, SCE/PG&E CSV or plain CSV (required)")
	start := fs.String("event-start", "", "event start, RFC 3339 or Pacific YYYY-MM-DDTHH:MM (required)")
	end := fs.String("event-end", "", "event end (required)")
	method := fs.String("method", "caiso-10in10", "baseline method: "+methodNames())
	var exclude multiFlag
	fs.Var(&exclude, "exclude", "a day that may not serve as a baseline day (an earlier event or an outage), YYYY-MM-DD; repeatable")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	var f apperr.Fields
	if *intervals == "" {
		f.Add("intervals", "is required")
	}
	in := dr.Input{Holidays: calendar.UtilityHolidays(), Excluded: map[calendar.Date]string{}}
	instantFlag(&f, "event-start", *start, &in.EventStart)
	instantFlag(&f, "event-end", *end, &in.EventEnd)
	m, ok := dr.MethodNamed(*method)
	if !ok {
		f.Add("method", "unknown method %q: want %s", *method, methodNames())
	}
	for _, s := range exclude {
		d, err := calendar.ParseDate(s)
		if err != nil {
			f.Add("exclude", "want a date YYYY-MM-DD, not %q", s)
			continue
		}
		in.Excluded[d] = "excluded (--exclude)"
	}
	if err := f.Err("dr baseline"); err != nil {
		return err
	}
	var err error
	if in.Load, err = deliveredSeries(*intervals); err != nil {
		return err
	}
	res, err := dr.Compute(m, in, dr.MethodNamed)
	if err != nil {
		return err
	}
	out := baselineOutput{Result: res, BaselineTotalWh: res.BaselineWh(), ActualTotalWh: res.ActualWh(), ReductionWh: max(0, res.DeltaWh)}
	if *asJSON {
		return printJSON(e.stdout, out)
	}
	method2 := res.Method
	if res.Requested != "" {
		method2 += " (fallback for " + res.Requested + ")"
	}
	fmt.Fprintf(e.stdout, "method %s, %d days used, adjustment factor %.4f (uncapped %.4f)\n", method2, len(res.DaysUsed), res.Factor, res.FactorUncapped)
	var days []string
	for _, d := range res.DaysUsed {
		days = append(days, d.String())
	}
	fmt.Fprintf(e.stdout, "days: %s\n", strings.Join(days, " "))
	for _, s := range res.Skipped {
		fmt.Fprintf(e.stdout, "skipped %s: %s\n", s.Date, s.Reason)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "start (Pacific)\tbaseline Wh\tactual Wh\t")
	for _, iv := range res.Intervals {
		act := "-"
		if iv.ActualWh != meterdata.Missing {
			act = fmt.Sprint(int64(iv.ActualWh))
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t\n", iv.Start.In(calendar.Pacific).Format("2006-01-02 15:04"), iv.BaselineWh, act)
	}
	tw.Flush()
	fmt.Fprintf(e.stdout, "baseline %d Wh, actual %d Wh, delta %d Wh, reduction %d Wh\n", out.BaselineTotalWh, out.ActualTotalWh, res.DeltaWh, out.ReductionWh)
	if res.MissingIntervals > 0 {
		fmt.Fprintf(e.stdout, "%d event intervals have no reading\n", res.MissingIntervals)
	}
	return nil
}

func methodNames() string {
	var ns []string
	for _, m := range dr.Methods() {
		ns = append(ns, m.Name)
	}
	return strings.Join(ns, ", ")
}
