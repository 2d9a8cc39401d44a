package main

import (
	"bytes"
	"context"
	"fmt"
	"os"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/savings"
)

// runHERSampleSize prints the homes a report trial needs per arm.
func runHERSampleSize(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "her sample-size")
	mean := fs.Float64("mean", 0, "mean use, kWh per day (required)")
	sigma := fs.Float64("sigma", 0, "standard deviation of use, kWh per day (required)")
	mde := fs.Float64("mde", 0.02, "minimum detectable effect, a fraction of the mean")
	alpha := fs.Float64("alpha", 0.05, "two-sided significance")
	power := fs.Float64("power", 0.8, "power")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	n, err := savings.SampleSize(*mean, *sigma, *mde, *alpha, *power)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, map[string]any{"per_arm": n, "total": 2 * n})
	}
	fmt.Fprintf(e.stdout, "%d homes per arm (%d in all) to detect %.3g%% of %.4g kWh/day (σ %.4g) at α %.3g two-sided, power %.3g\n",
		n, 2*n, 100**mde, *mean, *sigma, *alpha, *power)
	return nil
}

// runHERAssign randomizes accounts into treatment and control, stratified
// by pre-period use deciles, and writes them with their arm.
func runHERAssign(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "her assign")
	file := fs.String("file", "", "accounts CSV: id,pre_kwh_per_day (required)")
	seed := fs.Uint64("seed", 0, "random seed (record it: the same seed gives the same arms)")
	out := fs.String("out", "", "write the assigned accounts here (default: standard output)")
	if err := parse(fs, args); err != nil {
		return err
	}
	ps, err := readParticipantsFile(*file)
	if err != nil {
		return err
	}
	ps = savings.Assign(ps, *seed)
	var b bytes.Buffer
	if err := savings.WriteParticipants(&b, ps); err != nil {
		return err
	}
	if *out == "" {
		_, err = e.stdout.Write(b.Bytes())
		return err
	}
	return os.WriteFile(*out, b.Bytes(), 0o644)
}

// runHEREvaluate checks balance and estimates a report program's savings.
func runHEREvaluate(_ context.Context, e *env, args []string) error {
	fs := newFlags(e, "her evaluate")
	file := fs.String("file", "", "participants CSV: id,treated,pre_kwh_per_day,post_kwh_per_day,active (required)")
	days := fs.Int("days", 365, "days in the evaluation period")
	upShare := fs.Float64("uplift-share", 0, "treatment − control participation in other tracked programs (a fraction)")
	upKWh := fs.Float64("uplift-kwh", 0, "kWh claimed per participation in those programs")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	ps, err := readParticipantsFile(*file)
	if err != nil {
		return err
	}
	bal := savings.CheckBalance(ps)
	did, ldv := savings.DiD(ps), savings.LaggedDependent(ps)
	active := 0
	for _, p := range ps {
		if p.Treated && p.Active {
			active++
		}
	}
	claim := savings.Claimable(did.PerDay, active, *days, *upShare, *upKWh)
	if *asJSON {
		return printJSON(e.stdout, map[string]any{"balance": bal, "difference_in_differences": did, "lagged_dependent_variable": ldv,
			"active_treated": active, "days": *days, "savings": claim})
	}
	fmt.Fprintf(e.stdout, "balance: treated %.3f vs control %.3f kWh/day before (difference %.3f, p %.3f) — %s\n", bal.TreatedMean, bal.ControlMean,
		bal.Difference, bal.P, map[bool]string{true: "balanced", false: "NOT balanced"}[bal.Balanced])
	fmt.Fprintf(e.stdout, "difference in differences: %.4f kWh/day per home (SE %.4f, %d homes)\n", did.PerDay, did.SE, did.Homes)
	fmt.Fprintf(e.stdout, "lagged dependent variable: %.4f kWh/day per home (SE %.4f)\n", ldv.PerDay, ldv.SE)
	fmt.Fprintf(e.stdout, "savings: %.0f kWh over %d days for %d active treated homes, less %.0f kWh uplift = %.0f kWh claimable\n",
		claim.GrossKWh, *days, active, claim.UpliftKWh, claim.ClaimableKWh)
	return nil
}

func readParticipantsFile(path string) ([]savings.Participant, error) {
	if path == "" {
		var f apperr.Fields
		f.Add("file", "is required")
		return nil, f.Err("her")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		var f apperr.Fields
		f.Add("file", "cannot read %s: %v", path, err)
		return nil, f.Err("her")
	}
	return savings.ReadParticipants(bytes.NewReader(b))
}
