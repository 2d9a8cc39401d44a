package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/gridbook/gridbook/internal/api"
	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/demo"
	"github.com/gridbook/gridbook/internal/job"
	"github.com/gridbook/gridbook/internal/ocppcs"
	"github.com/gridbook/gridbook/internal/openadr"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/web"
)

func runServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "serve")
	addr := fs.String("addr", "127.0.0.1:8080", "listen address HOST:PORT")
	withDemo := fs.Bool("demo", false, "use ./gridbook-demo.db (unless --db is given), generating and billing the demo CCA first if it is empty")
	dsn := dbFlag(e, fs, "")
	workers := fs.Int("workers", 2, "background job workers in this process (0 to run none)")
	mqttAddr := fs.String("mqtt", "", "also serve MQTT on HOST:PORT (e.g. 127.0.0.1:1883): OpenADR notifications and retained TOU signals on gridbook/signals/tou/{tariff}")
	ocppAddr := fs.String("ocpp-addr", "", "also run the OCPP 1.6J central system for EV chargers on :PORT (off by default)")
	var ocppOpt ocppcs.Options
	fs.BoolVar(&ocppOpt.Anonymous, "ocpp-anonymous", false, "admit any OCPP charge point without credentials (labs only; by default a charge point needs the password 'gridbook ev charger add' printed)")
	fs.StringVar(&ocppOpt.CertFile, "ocpp-cert", "", "PEM certificate chain: serve OCPP over TLS (wss://) with --ocpp-key")
	fs.StringVar(&ocppOpt.KeyFile, "ocpp-key", "", "PEM private key of --ocpp-cert")
	mqttAnon := fs.Bool("mqtt-anonymous", false, "let MQTT clients connect without an OpenADR bearer token (they may then read the event, program and TOU signal topics, never a VEN's)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *workers < 0 {
		return errUsage
	}
	if (ocppOpt.CertFile == "") != (ocppOpt.KeyFile == "") {
		var f apperr.Fields
		f.Add("ocpp-cert", "--ocpp-cert and --ocpp-key go together")
		return f.Err("serve")
	}
	if *dsn == "" {
		*dsn = "gridbook.db"
		if *withDemo {
			*dsn = "gridbook-demo.db"
		}
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	db, q, err := openWithQueue(ctx, e, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()

	if *withDemo {
		existing, err := db.Customers(ctx, store.CustomerFilter{Limit: 1})
		if err != nil {
			return err
		}
		if len(existing) == 0 {
			s, err := generateDemo(ctx, e.stdout, db.DB, q, demoArgs{Accounts: demo.DefaultAccounts, Seed: 1, Year: demo.DefaultYear}, true)
			if err != nil {
				return err
			}
			fmt.Fprint(e.stdout, s)
			if err := billDemoNow(ctx, e.stdout, db.DB, q, demo.DefaultYear); err != nil {
				return err
			}
		} else if s, err := summarize(ctx, db.DB); err == nil {
			fmt.Fprint(e.stdout, s)
		}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	host, _, _ := net.SplitHostPort(ln.Addr().String())
	ip := net.ParseIP(host)
	webh, err := web.NewHandler(web.Config{Log: log, DB: db.DB, SecureCookies: ip == nil || !ip.IsLoopback(), Jobs: q})
	if err != nil {
		ln.Close()
		return err
	}
	metrics := api.NewMetrics(db.DB)
	mux := http.NewServeMux()
	mux.Handle(api.Prefix+"/", api.New(db.DB, log))
	var broker *openadr.Broker
	if *mqttAddr != "" {
		if broker, err = openadr.StartBroker(*mqttAddr, log); err != nil {
			ln.Close()
			return err
		}
		defer broker.Close()
		if *mqttAnon {
			broker.AllowAnonymous()
		}
		codes, err := openadr.TOUCodes(ctx, db.DB, todayPacific(db.DB))
		if err != nil {
			ln.Close()
			return err
		}
		go openadr.PublishTOU(ctx, db.DB, broker, codes, log)
	}
	vopt := openadr.Options{Log: log, Broker: broker}
	if *workers > 0 { // webhooks through the durable queue (openadr.webhook jobs)
		vopt.Enqueue = func(ctx context.Context, w openadr.Webhook) error {
			_, err := q.Enqueue(ctx, openadr.WebhookJobKind, w, job.MaxAttempts(openadr.WebhookAttempts))
			return err
		}
	}
	vtn := openadr.New(db.DB, vopt)
	go vtn.Watch(ctx, 10*time.Second) // events made outside the VTN reach its subscribers
	if err := startEV(ctx, e, db.DB, vtn, *ocppAddr, ocppOpt, log); err != nil {
		ln.Close()
		return err
	}
	mux.Handle(openadr.Prefix+"/", vtn.Handler())
	mux.Handle("GET /healthz", api.Health(db.DB))
	mux.Handle("GET /metrics", metrics)
	mux.Handle("/", webh)
	srv := &http.Server{
		Handler:           metrics.Wrap(mux),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}

	if *workers > 0 {
		if err := q.Start(ctx, *workers); err != nil {
			ln.Close()
			return err
		}
		defer q.Stop(context.WithoutCancel(ctx))
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(e.stdout, "gridbook serving on %s (database %s, %s; %d job workers)\n", url, *dsn, db.Dialect(), *workers)
	fmt.Fprintf(e.stdout, "  staff console    %s/\n  customer portal  %s/my/\n  JSON API         %s%s/ (OpenAPI at %s%s/openapi.json)\n",
		url, url, url, api.Prefix, url, api.Prefix)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	fmt.Fprintln(e.stdout, "shutting down")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// todayPacific is the civil date in California now, by the database clock.
func todayPacific(db *store.DB) calendar.Date { return calendar.DateOf(db.Now()) }
