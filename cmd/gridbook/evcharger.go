package main

import (
	"context"
	"fmt"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/store"
)

// runEVChargerAdd registers an OCPP charge point identity and prints
// the password it must send (HTTP Basic auth, OCPP 1.6 Security Profile
// 1) once: only its hash is stored.
func runEVChargerAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "ev charger add")
	dsn := dbFlag(e, fs, "gridbook.db")
	id := fs.String("id", "", "the charge point identity: the last element of the URL it connects to (required)")
	vehicle := fs.Int64("vehicle", 0, "an enrolled vehicle's id: its charger becomes this identity")
	reset := fs.Bool("reset", false, "give an identity already registered a new password (the old one stops working)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *id == "" {
		var f apperr.Fields
		f.Add("id", "is required")
		return f.Err("ev charger add")
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	var secret string
	if err := db.InTx(ctx, func(tx *store.Tx) (err error) {
		secret, err = tx.RegisterCharger(ctx, cliActor(e), *id, *vehicle, *reset)
		return err
	}); err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, map[string]any{"id": *id, "vehicle_id": *vehicle, "password": secret})
	}
	fmt.Fprintf(e.stdout, "charge point %s registered; its OCPP Basic-auth password (shown once, only its hash is kept):\n%s\n", *id, secret)
	fmt.Fprintf(e.stdout, "configure the charger with user %s, this password and ws://HOST:PORT/%s (wss:// when serve has --ocpp-cert)\n", *id, *id)
	return nil
}
