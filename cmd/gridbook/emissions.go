package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/emissions"
)

// equivalentsOutput is what `gridbook emissions equivalents` prints.
type equivalentsOutput struct {
	emissions.Equivalent
	Count     int      `json:"count,omitempty"`
	LbsPerOne *float64 `json:"co2_lbs_each,omitempty"`
}

// runEmissionsEquivalents restates pounds of CO2 as metric tons and tree
// seedlings, with the factor named.
func runEmissionsEquivalents(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "emissions equivalents")
	lbs := fs.String("co2-lbs", "", "pounds of CO2 (required)")
	factor := fs.String("factor", "epa", "tree-seedling factor: epa (0.060 t, as published) or epa-unrounded (0.0605 t)")
	per := fs.Int("per", 0, "also divide the pounds among this many (e.g. EVs), to one decimal")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	var f apperr.Fields
	v, err := strconv.ParseFloat(*lbs, 64)
	if *lbs == "" {
		f.Add("co2-lbs", "is required")
	} else if err != nil || v < 0 {
		f.Add("co2-lbs", "want a non-negative number, not %q", *lbs)
	}
	fac, err := emissions.FactorNamed(*factor)
	if err != nil {
		f.Add("factor", "%s", apperr.MessageOf(err))
	}
	if *per < 0 {
		f.Add("per", "must not be negative")
	}
	if err := f.Err("emissions equivalents"); err != nil {
		return err
	}
	eq, err := emissions.Equivalents(v, fac)
	if err != nil {
		return err
	}
	out := equivalentsOutput{Equivalent: eq}
	if *per > 0 {
		each, _ := emissions.PerUnit(v, *per, 1)
		out.Count, out.LbsPerOne = *per, &each
	}
	if *asJSON {
		return printJSON(e.stdout, out)
	}
	fmt.Fprintf(e.stdout, "%s lb CO2 = %.3f metric tons = %d tree seedlings grown for 10 years\n", strconv.FormatFloat(v, 'f', -1, 64), eq.MetricTons, eq.TreeSeedlings10yr)
	fmt.Fprintf(e.stdout, "factor %s: %g t CO2 per seedling (%s)\n", fac.Name, fac.TonnesPerSeedling, fac.Version)
	if out.LbsPerOne != nil {
		fmt.Fprintf(e.stdout, "%.1f lb each of %d\n", *out.LbsPerOne, *per)
	}
	return nil
}
