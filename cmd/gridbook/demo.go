package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/demo"
	"github.com/gridbook/gridbook/internal/job"
	"github.com/gridbook/gridbook/internal/store"
)

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "demo")
	dsn := dbFlag(e, fs, "gridbook-demo.db")
	accounts := fs.Int("accounts", demo.DefaultAccounts, "number of service accounts")
	seed := fs.Int64("seed", 1, "random seed: the same seed and size give the same data")
	year := fs.Int("year", demo.DefaultYear, "calendar year of the interval data")
	enqueue := fs.Bool("enqueue", false, "only enqueue the job for a running server's workers")
	bill := fs.Bool("bill", false, "then bill the demo year's cycles that the shipped tariffs cover, in order")
	if err := parse(fs, args); err != nil {
		return err
	}
	var f apperr.Fields
	if *accounts < demo.MinAccounts || *accounts > demo.MaxAccounts {
		f.Add("accounts", "must be between %d and %d", demo.MinAccounts, demo.MaxAccounts)
	}
	if *year < 2000 || *year > 2100 {
		f.Add("year", "must be between 2000 and 2100")
	}
	if err := f.Err("demo"); err != nil {
		return err
	}
	db, q, err := openWithQueue(ctx, e, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if n, err := db.Customers(ctx, store.CustomerFilter{Limit: 1}); err != nil {
		return err
	} else if len(n) > 0 {
		return apperr.Conflictf("demo", "%s already holds customers; generate into a new database", *dsn)
	}
	s, err := generateDemo(ctx, e.stdout, db.DB, q, demoArgs{Accounts: *accounts, Seed: *seed, Year: *year}, !*enqueue)
	if err != nil || *enqueue {
		return err
	}
	fmt.Fprint(e.stdout, s)
	if *bill {
		return billDemoNow(ctx, e.stdout, db.DB, q, *year)
	}
	return nil
}

// generateDemo runs the demo generator as a durable job. With work set it
// also works the job in this process and waits for it, printing progress;
// otherwise it only enqueues it.
func generateDemo(ctx context.Context, out io.Writer, db *store.DB, q *job.Queue, a demoArgs, work bool) (string, error) {
	id, err := q.Enqueue(ctx, kindDemoGenerate, a, job.MaxAttempts(1))
	if err != nil {
		return "", err
	}
	if !work {
		fmt.Fprintf(out, "enqueued job %d (%s); follow it with: gridbook job show %d\n", id, kindDemoGenerate, id)
		return "", nil
	}
	if err := q.Start(ctx, 1); err != nil {
		return "", err
	}
	defer q.Stop(context.WithoutCancel(ctx))
	fmt.Fprintf(out, "generating %d demo accounts (job %d)…\n", a.Accounts, id)
	info, err := waitJob(ctx, q, id, func(j job.Info) {
		if isTerminal(out) {
			fmt.Fprintf(out, "\r  %s   ", progressText(j))
		}
	})
	if isTerminal(out) {
		fmt.Fprintln(out)
	}
	if err != nil {
		return "", err
	}
	if info.State != job.StateCompleted {
		msg := string(info.State)
		if n := len(info.Errors); n > 0 {
			msg = info.Errors[n-1].Error
		}
		return "", fmt.Errorf("demo generation failed: %s", msg)
	}
	return summarize(ctx, db)
}

// summarize describes a demo database for the terminal: its size and the
// demo logins.
func summarize(ctx context.Context, db *store.DB) (string, error) {
	p, err := db.Portfolio(ctx, todayPacific(db))
	if err != nil {
		return "", err
	}
	s := fmt.Sprintf("demo CCA ready: %d customers, %d accounts in service, %d meters (%d with solar)\n",
		p.Customers, p.Accounts, p.Meters, p.SolarAccounts)
	users, err := db.Users(ctx)
	if err != nil {
		return "", err
	}
	s += "demo logins (password " + demo.Password + ", for demonstration only):\n"
	for _, u := range users {
		if !strings.HasSuffix(u.Email, "@gridbook.demo") {
			continue
		}
		s += fmt.Sprintf("  %-28s %s", u.Email, u.Role)
		if u.Role == auth.Participant { // the registry organization it alone sees
			if org, err := db.RecOrgOfUser(ctx, u.ID); err == nil {
				s += " for " + org + " (/rec)"
			}
		}
		s += "\n"
	}
	return s, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
