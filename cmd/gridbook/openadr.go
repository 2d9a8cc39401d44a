package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/openadr"
	"github.com/gridbook/gridbook/internal/store"
)

// runOpenADRClientAdd provisions an OpenADR client (business logic or a
// VEN) of the VTN and prints its secret once.
func runOpenADRClientAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "openadr client add")
	dsn := dbFlag(e, fs, "gridbook.db")
	role := fs.String("role", "", "ven or bl (business logic) (required)")
	name := fs.String("name", "", "who the client is, e.g. the aggregator (required)")
	id := fs.String("id", "", "client_id (default: generated)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	var f apperr.Fields
	if *role != "ven" && *role != "bl" {
		f.Add("role", "must be ven or bl")
	}
	if *name == "" {
		f.Add("name", "is required")
	}
	if err := f.Err("openadr client add"); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	c := store.OADRClient{ClientID: *id, Role: *role, Name: *name, Scopes: openadr.ScopesFor(*role)}
	var secret string
	if err := db.InTx(ctx, func(tx *store.Tx) error {
		secret, err = tx.CreateOADRClient(ctx, cliActor(e), &c)
		return err
	}); err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, map[string]any{"client_id": c.ClientID, "client_secret": secret, "role": c.Role, "scopes": c.Scopes})
	}
	fmt.Fprintf(e.stdout, "client_id     %s\nclient_secret %s  (shown once)\nscopes        %v\ntoken URL     %s/auth/token\n", c.ClientID, secret, c.Scopes, openadr.Prefix)
	return nil
}

// runOpenADRClientRevoke revokes one bearer token of an OpenADR client,
// or all of them. The VTN refuses them at once; a running server's MQTT
// broker drops their connections within a minute.
func runOpenADRClientRevoke(ctx context.Context, e *env, args []string) error {
	var token *string
	return openADRClientCommand(ctx, e, "openadr client revoke", args,
		func(fs *flag.FlagSet) {
			token = fs.String("token", "", "revoke only this bearer token (default: all of the client's)")
		},
		func(tx *store.Tx, id string) (any, string, error) {
			n, err := tx.RevokeOADRTokens(ctx, cliActor(e), id, *token)
			return map[string]any{"client_id": id, "revoked": n}, fmt.Sprintf("client %s: %d token(s) revoked", id, n), err
		})
}

// runOpenADRClientDisable disables an OpenADR client: its tokens are
// revoked and it gets no new one.
func runOpenADRClientDisable(ctx context.Context, e *env, args []string) error {
	return openADRClientCommand(ctx, e, "openadr client disable", args, nil,
		func(tx *store.Tx, id string) (any, string, error) {
			c, err := tx.DisableOADRClient(ctx, cliActor(e), id)
			return map[string]any{"client_id": c.ClientID, "disabled_at": c.Disabled},
				fmt.Sprintf("client %s disabled at %s", c.ClientID, c.Disabled.Format(time.RFC3339)), err
		})
}

// openADRClientCommand is the frame of a command acting on one OpenADR
// client: --db, --client (required), --json and the command's own flags
// (added by flags, when not nil); do runs in one transaction and returns
// the JSON answer and the line printed once it has committed.
func openADRClientCommand(ctx context.Context, e *env, name string, args []string, flags func(*flag.FlagSet),
	do func(tx *store.Tx, id string) (answer any, line string, err error)) error {
	fs := newFlags(e, name)
	dsn := dbFlag(e, fs, "gridbook.db")
	id := fs.String("client", "", "client_id (required)")
	asJSON := fs.Bool("json", false, "print JSON")
	if flags != nil {
		flags(fs)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	if *id == "" {
		var f apperr.Fields
		f.Add("client", "is required")
		return f.Err(name)
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var answer any
	var line string
	if err := db.InTx(ctx, func(tx *store.Tx) (err error) {
		answer, line, err = do(tx, *id)
		return err
	}); err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, answer)
	}
	fmt.Fprintln(e.stdout, line)
	return nil
}
