package main

import (
	"context"
	"fmt"

	"github.com/gridbook/gridbook/internal/store"
)

// migrateResult is what `gridbook migrate --json` prints.
type migrateResult struct {
	SchemaVersion int           `json:"schema_version"`
	Dialect       store.Dialect `json:"dialect"`
}

func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "migrate")
	dsn := dbFlag(e, fs, "gridbook.db")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errUsage
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, migrateResult{SchemaVersion: v, Dialect: db.Dialect()})
	}
	fmt.Fprintf(e.stdout, "schema version %d (%s)\n", v, db.Dialect())
	return nil
}
