package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/incentive"
	"github.com/gridbook/gridbook/internal/store"
)

// runIncentivePolicy lists a stored program's policies with the reading in
// force, or with --set POLICY=READING chooses one (audited).
func runIncentivePolicy(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "incentive policy")
	dsn := dbFlag(e, fs, "gridbook.db")
	program := fs.String("program", "", "program id, e.g. power-share")
	set := fs.String("set", "", "POLICY=READING: choose a reading, e.g. income_basis=enrolled_or_eligible")
	asJSON := fs.Bool("json", false, "print the program's policies as JSON")
	if err := parse(fs, args); err != nil || fs.NArg() > 0 {
		return errUsage
	}
	if *program == "" {
		var f apperr.Fields
		f.Add("program", "is required")
		return f.Err("incentive policy")
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var p incentive.Program
	if *set != "" {
		policy, choice, ok := strings.Cut(*set, "=")
		if !ok {
			var f apperr.Fields
			f.Add("set", "write POLICY=READING, such as income_basis=enrolled_or_eligible")
			return f.Err("incentive policy")
		}
		err = db.InTx(ctx, func(tx *store.Tx) error {
			p, err = tx.SetProgramPolicy(ctx, cliActor(e), *program, strings.TrimSpace(policy), strings.TrimSpace(choice))
			return err
		})
	} else {
		p, err = db.IncentiveProgram(ctx, *program)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		ps := p.Policies
		if ps == nil {
			ps = []incentive.Policy{}
		}
		return printJSON(e.stdout, ps)
	}
	if len(p.Policies) == 0 {
		fmt.Fprintf(e.stdout, "%s has no policies\n", p.ID)
	}
	for _, pol := range p.Policies {
		now := pol.InForce()
		fmt.Fprintf(e.stdout, "%s: %s\n", pol.ID, pol.Question)
		for _, r := range pol.Readings {
			mark := " "
			if r.ID == now.ID {
				mark = "*"
			}
			def := ""
			if r.ID == pol.Default {
				def = " (default)"
			}
			fmt.Fprintf(e.stdout, "  %s %s%s: %s\n", mark, r.ID, def, r.Says)
		}
		fmt.Fprintf(e.stdout, "  source: %s\n", pol.Source)
	}
	return nil
}
