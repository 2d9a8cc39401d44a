package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/store"
)

// cliActor is the audit actor for changes made from the shell.
func cliActor(e *env) auth.Actor {
	name := e.getenv("USER")
	if name == "" {
		name = "operator"
	}
	return auth.Actor{Kind: "cli", Name: name}
}

// multiFlag collects a repeated string flag.
type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func runUserAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "user add")
	dsn := dbFlag(e, fs, "gridbook.db")
	email := fs.String("email", "", "login email")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "", "admin, program_manager, analyst, customer, installer or participant (link an installer user to its company with gridbook nem installer link)")
	org := fs.String("org", "", "participant users: the registry organization they act for (it must hold a registry account)")
	var accounts multiFlag
	fs.Var(&accounts, "account", "service account number a customer user may see (repeatable)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	if err := checkRecOrgFlag(auth.Role(*role), *org); err != nil {
		return err
	}
	password := e.getenv("GRIDBOOK_PASSWORD")
	if password == "" {
		line, err := bufio.NewReader(e.stdin).ReadString('\n')
		if err != nil && line == "" {
			var f apperr.Fields
			f.Add("password", "give it in $GRIDBOOK_PASSWORD or on the first line of standard input")
			return f.Err("user add")
		}
		password = strings.TrimRight(line, "\r\n")
	}
	hash, err := auth.HashPassword(password, 0)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	u := auth.User{Email: *email, Name: *name, Role: auth.Role(*role), PasswordHash: hash}
	err = db.InTx(ctx, func(tx *store.Tx) error {
		for _, n := range accounts {
			a, err := tx.AccountByNumber(ctx, n)
			if err != nil {
				var f apperr.Fields
				f.Add("account", "no service account numbered %s", n)
				return f.Err("user add")
			}
			u.AccountIDs = append(u.AccountIDs, a.ID)
		}
		if err := tx.CreateUser(ctx, cliActor(e), &u); err != nil {
			return err
		}
		if u.Role != auth.Participant {
			return nil
		}
		m, err := tx.LinkRecUser(ctx, cliActor(e), *org, u.ID)
		*org = m.Org
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "added user %d %s (%s)", u.ID, u.Email, u.Role)
	if u.Role == auth.Participant {
		fmt.Fprintf(e.stdout, " acting for %s in the registry", *org)
	}
	fmt.Fprintln(e.stdout)
	return nil
}

// checkRecOrgFlag checks --org against the role: a participant user acts
// for exactly one registry organization, and no other role acts for one
// (staff act for the operating retail seller and see every account).
func checkRecOrgFlag(role auth.Role, org string) error {
	var f apperr.Fields
	switch {
	case role == auth.Participant && strings.TrimSpace(org) == "":
		f.Add("org", "a participant user names the registry organization it acts for")
	case role != auth.Participant && org != "":
		f.Add("org", "only participant users act for a registry organization, not %s users", role)
	}
	return f.Err("user add")
}

func runUserList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "user list")
	dsn := dbFlag(e, fs, "gridbook.db")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	users, err := db.Users(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		type row struct {
			ID         int64   `json:"id"`
			Email      string  `json:"email"`
			Name       string  `json:"name"`
			Role       string  `json:"role"`
			Disabled   bool    `json:"disabled"`
			AccountIDs []int64 `json:"account_ids"`
		}
		out := make([]row, 0, len(users))
		for _, u := range users {
			out = append(out, row{u.ID, u.Email, u.Name, string(u.Role), u.Disabled, u.AccountIDs})
		}
		return printJSON(e.stdout, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tSTATUS\tACCOUNTS")
	for _, u := range users {
		status := "active"
		if u.Disabled {
			status = "disabled"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\n", u.ID, u.Email, u.Name, u.Role, status, len(u.AccountIDs))
	}
	return tw.Flush()
}

func runUserDisable(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "user disable")
	dsn := dbFlag(e, fs, "gridbook.db")
	email := fs.String("email", "", "login email of the user to disable")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" {
		return errUsage
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	err = db.InTx(ctx, func(tx *store.Tx) error {
		u, err := tx.UserByEmail(ctx, *email)
		if err != nil {
			return err
		}
		return tx.SetUserDisabled(ctx, cliActor(e), u.ID, true)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "disabled %s\n", *email)
	return nil
}

func runClientAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "client add")
	dsn := dbFlag(e, fs, "gridbook.db")
	name := fs.String("name", "", "client name")
	var scopes multiFlag
	fs.Var(&scopes, "scope", "scope to grant (repeatable): "+strings.Join(auth.Scopes, ", "))
	org := fs.String("org", "", "a registry participant's client (needs "+auth.ScopeRECWrite+"): the organization whose registry accounts alone it reaches")
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	c := auth.Client{Name: *name, Scopes: scopes}
	var token string
	err = db.InTx(ctx, func(tx *store.Tx) error {
		var err error
		if token, err = tx.CreateClient(ctx, cliActor(e), &c); err != nil || *org == "" {
			return err
		}
		m, err := tx.LinkRecClient(ctx, cliActor(e), *org, c.ID)
		*org = m.Org
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "added API client %d %s\n", c.ID, c.Name)
	if *org != "" {
		fmt.Fprintf(e.stdout, "acting for %s in the registry\n", *org)
	}
	fmt.Fprintf(e.stdout, "token (shown once): %s\n", token)
	return nil
}
