package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/ocppcs"
	"github.com/gridbook/gridbook/internal/openadr"
	"github.com/gridbook/gridbook/internal/store"
)

// evPlanPoll is how often serve looks for newly stored charging plans.
const evPlanPoll = 5 * time.Second

// startEV starts the OCPP 1.6J central system when ocppAddr is set, and
// a loop that hands each charging plan stored (by the API, the console or
// the CLI; since the first plan not yet departed, so also those stored
// while no server ran) to the VTN, which publishes it as an OpenADR
// event, and to the central system, which sends it to the vehicle's
// charger when that is connected here. Each send is claimed in the
// database first, so several serve processes send each plan once. Both
// run until ctx ends.
func startEV(ctx context.Context, e *env, db *store.DB, vtn *openadr.VTN, ocppAddr string, opt ocppcs.Options, log *slog.Logger) error {
	var cs *ocppcs.Service
	if ocppAddr != "" {
		port, err := ocppcs.Port(ocppAddr)
		if err != nil {
			return err
		}
		if opt.CertFile != "" {
			if _, err := tls.LoadX509KeyPair(opt.CertFile, opt.KeyFile); err != nil {
				var f apperr.Fields
				f.Add("ocpp-cert", "%v", err)
				return f.Err("serve")
			}
		}
		cs = ocppcs.New(ocppcs.DB{DB: db}, log, opt)
		errc := make(chan error, 1)
		go func() { errc <- cs.Serve(ctx, port) }()
		select {
		case err := <-errc:
			return err
		case <-time.After(100 * time.Millisecond): // listening
		}
		scheme, admits := "ws", "charge points registered with 'gridbook ev charger add' (HTTP Basic auth)"
		if opt.CertFile != "" {
			scheme = "wss"
		}
		if opt.Anonymous {
			admits = "any charge point (--ocpp-anonymous)"
		}
		fmt.Fprintf(e.stdout, "OCPP 1.6J central system listening on port %d of every interface: %s://HOST:%d/<charge point identity>; admits %s\n", port, scheme, port, admits)
	}
	to := []ocppcs.Sender{{Channel: ocppcs.ChannelOpenADR, Send: vtn.PublishEVPlan}}
	if cs != nil {
		to = append(to, cs.Sender())
	}
	w, err := ocppcs.NewPlanWatch(ctx, db, log, to...)
	if err != nil {
		return err
	}
	go w.Run(ctx, evPlanPoll)
	return nil
}
