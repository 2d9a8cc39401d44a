package main

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/job"
	"github.com/gridbook/gridbook/internal/money"
	"github.com/gridbook/gridbook/internal/store"
)

// kindDRPay pays open demand-response payables from the incentive
// budgets.
const kindDRPay = "dr.pay"

// drPayArgs are the arguments of a dr.pay job: the payables of one
// program or event ("" and 0 for all).
type drPayArgs struct {
	Program string `json:"program,omitempty"`
	EventID int64  `json:"event_id,omitempty"`
}

// registerDRPay binds the dr.pay job kind.
func registerDRPay(q *job.Queue, db *store.DB) error {
	return q.Register(kindDRPay, job.Decode(func(ctx context.Context, a drPayArgs, p *job.Progress) error {
		sum, err := drPay(ctx, db, auth.System, a)
		if err == nil {
			p.Report(int64(sum.Paid+sum.Refused), int64(sum.Paid+sum.Refused), "payables: "+sum.String())
		}
		return err
	}))
}

// drPayer is the Payer over the stored incentive budgets with the
// shipped programs' funding.
func drPayer(db *store.DB, actor auth.Actor) (store.BudgetPayer, error) {
	cat, err := drCatalog()
	if err != nil {
		return store.BudgetPayer{}, err
	}
	return store.BudgetPayer{DB: db, Actor: actor, Funding: store.CatalogFunding(cat)}, nil
}

// drPay pays every open payable (owed, or refused before) of a program
// or event from the budgets that fund it.
func drPay(ctx context.Context, db *store.DB, actor auth.Actor, a drPayArgs) (dr.PaySummary, error) {
	payer, err := drPayer(db, actor)
	if err != nil {
		return dr.PaySummary{}, err
	}
	return db.PayOpen(ctx, payer, store.PayableFilter{Program: a.Program, EventID: a.EventID})
}

// runDRPay pays open payables (in this process unless --enqueue).
func runDRPay(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "dr pay")
	dsn := dbFlag(e, fs, "gridbook.db")
	program := fs.String("program", "", "only this program's payables")
	event := fs.Int64("event", 0, "only this event's settlement payables")
	enqueue := fs.Bool("enqueue", false, "only enqueue the job for a running server's workers")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	a := drPayArgs{Program: *program, EventID: *event}
	if a.Program != "" {
		cat, err := drCatalog()
		if err != nil {
			return err
		}
		if _, err := cat.Program(a.Program); err != nil {
			var f apperr.Fields
			f.Add("program", "%s", apperr.MessageOf(err))
			return f.Err("dr pay")
		}
	}
	db, q, err := openWithQueue(ctx, e, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if *enqueue {
		jid, err := q.Enqueue(ctx, kindDRPay, a)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "job %d enqueued\n", jid)
		return nil
	}
	sum, err := drPay(ctx, db.DB, cliActor(e), a)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, sum)
	}
	fmt.Fprintf(e.stdout, "payables: %s\n", sum)
	return nil
}

// runDRPayables lists payables with their payment status.
func runDRPayables(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "dr payables")
	dsn := dbFlag(e, fs, "gridbook.db")
	var f store.PayableFilter
	fs.StringVar(&f.Program, "program", "", "only this program")
	fs.StringVar(&f.Status, "status", "", "payable, paid or refused")
	fs.Int64Var(&f.EventID, "event", 0, "only this event's settlements")
	fs.Int64Var(&f.AccountID, "account", 0, "only this account (id)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	switch f.Status {
	case "", "payable", "paid", "refused":
	default:
		var fe apperr.Fields
		fe.Add("status", "must be payable, paid or refused, not %q", f.Status)
		return fe.Err("dr payables")
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	f.Limit = 100_000
	ps, err := db.PayablesWhere(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		if ps == nil {
			ps = []store.Payable{}
		}
		return printJSON(e.stdout, ps)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "key\taccount\tdue\tamount\tpaid as\tstatus\treference or refusal")
	for _, p := range ps {
		note := p.Reference
		if p.Status == "refused" {
			note = p.Refusal
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%s\n", p.Key, p.AccountID, p.Due, p.Amount, p.PaidAs, p.Status, note)
	}
	return tw.Flush()
}

// runDRDeviceAdd registers a participant's device in a program and
// records the participation incentives it has earned through a day
// (default today) as payables, each once.
func runDRDeviceAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "dr device add")
	dsn := dbFlag(e, fs, "gridbook.db")
	number := fs.String("account", "", "service account number (required)")
	var d dr.Device
	fs.StringVar(&d.Program, "program", "", "program code, e.g. power_response or battery_vpp (required)")
	fs.StringVar(&d.Type, "type", "", "thermostat, ev_charger, battery or light_switch (required)")
	fs.StringVar(&d.Brand, "brand", "", "brand (incentives may depend on it: ecobee, nest, chargepoint, sunnova)")
	fs.StringVar(&d.Serial, "serial", "", "serial number (required)")
	enrolled := fs.String("enrolled", "", "enrollment date (default today)")
	through := fs.String("through", "", "record incentives earned through this day (default today)")
	capacity := fs.String("capacity-kwh", "", "battery: usable capacity, kWh")
	maxKW := fs.String("max-kw", "", "battery: discharge power, kW")
	fs.IntVar(&d.ReservePct, "reserve-pct", 0, "battery: share kept for the site's backup, % (0: the program's default)")
	var extras multiFlag
	fs.Var(&extras, "extra", "a fact an incentive extra depends on (e.g. socalgas); repeatable")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	var f apperr.Fields
	if *number == "" {
		f.Add("account", "is required")
	}
	dates := map[string]*calendar.Date{}
	for name, v := range map[string]string{"enrolled": *enrolled, "through": *through} {
		if v == "" {
			continue
		}
		day, err := calendar.ParseDate(v)
		if err != nil {
			f.Add(name, "want YYYY-MM-DD, not %q", v)
		}
		dates[name] = &day
	}
	for name, v := range map[string]string{"capacity-kwh": *capacity, "max-kw": *maxKW} {
		if v == "" {
			continue
		}
		wh, err := energy.ParseKWh(v)
		if err != nil || wh <= 0 {
			f.Add(name, "want a positive number, not %q", v)
		}
		if name == "capacity-kwh" {
			d.CapacityWh = int64(wh)
		} else {
			d.MaxW = int64(wh)
		}
	}
	d.Extras = extras
	cat, err := drCatalog()
	if err != nil {
		return err
	}
	p, perr := cat.Program(d.Program)
	if perr != nil {
		f.Add("program", "%s", apperr.MessageOf(perr))
	}
	if err := f.Err("dr device add"); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	a, err := db.AccountByNumber(ctx, *number)
	if err != nil {
		return err
	}
	enrolledOn, throughDay := todayPacific(db), todayPacific(db)
	if x := dates["enrolled"]; x != nil {
		enrolledOn = *x
	}
	if x := dates["through"]; x != nil {
		throughDay = *x
	}
	d.AccountID, d.Enrolled = a.ID, enrolledOn
	var due []dr.Payment
	var added int
	err = db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.RegisterDevice(ctx, cliActor(e), &d); err != nil {
			return err
		}
		due = dr.IncentivesDue(p, d, throughDay)
		added, err = tx.AddPayables(ctx, cliActor(e), due)
		return err
	})
	if err != nil {
		return err
	}
	var owed money.Cents
	for _, x := range due {
		owed += x.Amount
	}
	if *asJSON {
		return printJSON(e.stdout, map[string]any{"device": d, "payables": due})
	}
	fmt.Fprintf(e.stdout, "device %d registered; %d incentives owed (%s)\n", d.ID, added, owed)
	return nil
}
