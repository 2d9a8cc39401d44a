// Package ocppcs is gridbook's OCPP 1.6J central system for fleet and
// commercial chargers enrolled in EV SmartCharge: a vehicle whose charger
// is an OCPP charge point identity is managed through it.
//
// It accepts charge points over OCPP-J (ocpp-go's central system),
// answers BootNotification, Heartbeat, StatusNotification, Authorize,
// StartTransaction, MeterValues and StopTransaction, records each
// charger's status and last-seen time, turns each transaction (its
// meterStart, Energy.Active.Import.Register meter values and meterStop)
// into a charging session stored like imported telemetry, and sends the
// vehicle's plan in force as a SetChargingProfile built by
// evcharge.ChargingProfile: after a BootNotification (so a plan stored
// while the charger was away reaches it), as a TxProfile when a
// transaction starts, and when a new plan is stored while the charger
// is connected (a TxProfile for the open transaction, else a
// TxDefaultProfile).
//
// Charge points authenticate as OCPP 1.6 Security Profile 1 has them
// (OCPP 1.6 Security Whitepaper edition 2, §2.3: HTTP Basic
// authentication on the WebSocket upgrade, the charge point identity as
// user name and a password the central system gave it): an upgrade with
// an unknown identity, a user name other than the URL's identity or a
// wrong password is refused with 401 before any OCPP message. Options
// can turn this off for a lab (Anonymous) and serve TLS (wss://,
// Security Profile 2 without client certificates).
//
// Open transactions are stored in the database (transaction ids are
// allocated there, so unique across processes), so a StopTransaction
// reaching a central system other than the one that answered the
// StartTransaction — after a restart, or another process — stores the
// session.
package ocppcs

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/evcharge"
	"github.com/gridbook/gridbook/internal/store"
	ocpp16 "github.com/lorenzodonini/ocpp-go/ocpp1.6"
	"github.com/lorenzodonini/ocpp-go/ocpp1.6/core"
	"github.com/lorenzodonini/ocpp-go/ocpp1.6/smartcharging"
	"github.com/lorenzodonini/ocpp-go/ocpp1.6/types"
	"github.com/lorenzodonini/ocpp-go/ws"
)

// Store is what the central system reads and writes.
type Store interface {
	// Now is the store's clock.
	Now() time.Time
	VehicleByCharger(ctx context.Context, identity string) (evcharge.Vehicle, error)
	LatestEVPlan(ctx context.Context, vehicleID int64) (store.EVPlanRecord, error)
	RecordCharger(ctx context.Context, c store.ChargerStatus) error
	// ChargerAuth reports whether a charge point identity is registered
	// with this password.
	ChargerAuth(ctx context.Context, identity, password string) (bool, error)
	// StartTransaction stores an open transaction and allocates its id.
	StartTransaction(ctx context.Context, t *store.OCPPTransaction) error
	// AddReadings stores register readings of an open transaction.
	AddReadings(ctx context.Context, txID int, rs []evcharge.MeterReading) error
	// OpenTransaction returns the open transaction at a charger
	// (NotFound: none).
	OpenTransaction(ctx context.Context, charger string) (store.OCPPTransaction, error)
	// StopTransaction closes an open transaction and, when this call
	// closed it and it has a vehicle, stores session(t) as its session
	// in the same database transaction.
	StopTransaction(ctx context.Context, id int, stop time.Time, meterStop energy.Wh, session func(store.OCPPTransaction, evcharge.Vehicle) (evcharge.Session, error)) (closed bool, err error)
}

// DB adapts *store.DB to Store: each write in its own transaction,
// sessions audited as the OCPP central system.
type DB struct{ *store.DB }

// Now is the store's clock.
func (d DB) Now() time.Time { return d.DB.Now() }

// RecordCharger stores a charger's status.
func (d DB) RecordCharger(ctx context.Context, c store.ChargerStatus) error {
	return d.InTx(ctx, func(tx *store.Tx) error { return tx.RecordCharger(ctx, c) })
}

// SaveSession stores one session (once by vehicle and plug-in).
func (d DB) SaveSession(ctx context.Context, s evcharge.Session) error {
	return d.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.ImportSessions(ctx, auth.Actor{Kind: "system", Name: "OCPP central system"}, []evcharge.Session{s})
		return err
	})
}

// StartTransaction stores an open transaction and allocates its id.
func (d DB) StartTransaction(ctx context.Context, t *store.OCPPTransaction) error {
	return d.InTx(ctx, func(tx *store.Tx) error { return tx.StartOCPPTransaction(ctx, t) })
}

// AddReadings stores register readings of an open transaction.
func (d DB) AddReadings(ctx context.Context, txID int, rs []evcharge.MeterReading) error {
	return d.InTx(ctx, func(tx *store.Tx) error { return tx.AddOCPPReadings(ctx, txID, rs) })
}

// OpenTransaction returns the open transaction at a charger.
func (d DB) OpenTransaction(ctx context.Context, charger string) (store.OCPPTransaction, error) {
	return d.OpenOCPPTransaction(ctx, charger)
}

// StopTransaction closes a transaction and stores its session in one
// database transaction, so a stop is stored once whichever process
// receives it (a repeated StopTransaction closes nothing).
func (d DB) StopTransaction(ctx context.Context, id int, stop time.Time, meterStop energy.Wh, session func(store.OCPPTransaction, evcharge.Vehicle) (evcharge.Session, error)) (bool, error) {
	var closed bool
	err := d.InTx(ctx, func(tx *store.Tx) error {
		t, c, err := tx.StopOCPPTransaction(ctx, id, stop, meterStop)
		if err != nil || !c || t.VehicleID == 0 {
			return err
		}
		closed = true
		v, err := tx.Vehicle(ctx, t.VehicleID)
		if err != nil {
			return err
		}
		sess, err := session(t, v)
		if err != nil {
			return err
		}
		_, err = tx.ImportSessions(ctx, auth.Actor{Kind: "system", Name: "OCPP central system"}, []evcharge.Session{sess})
		return err
	})
	return closed, err
}

// heartbeat is the interval BootNotification asks charge points to keep
// (OCPP 1.6 §4.2: the central system sets it; 300 s is a common choice).
const heartbeat = 300

// Options set how the central system admits charge points.
type Options struct {
	// Anonymous admits any charge point without credentials (OCPP 1.6
	// Security Profile 0 — for labs only).
	Anonymous bool
	// CertFile and KeyFile, when both set, make it serve wss:// (TLS)
	// with this PEM certificate chain and key.
	CertFile, KeyFile string
}

// Service is a running central system.
type Service struct {
	cs  ocpp16.CentralSystem
	db  Store
	log *slog.Logger

	mu        sync.Mutex
	connected map[string]bool
	connector map[string]int // last connector heard per charger
}

// New makes a central system over db (not yet listening).
func New(db Store, log *slog.Logger, opt Options) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Service{db: db, log: log, connected: map[string]bool{}, connector: map[string]int{}}
	var srv *ws.Server
	if opt.CertFile != "" && opt.KeyFile != "" {
		// The OCPP 1.6 Security Whitepaper asks for TLS 1.2 or above.
		srv = ws.NewTLSServer(opt.CertFile, opt.KeyFile, &tls.Config{MinVersion: tls.VersionTLS12})
	} else {
		srv = ws.NewServer()
	}
	s.cs = ocpp16.NewCentralSystem(nil, srv)
	if !opt.Anonymous {
		s.cs.SetNewChargingStationValidationHandler(s.admit)
	}
	s.cs.SetCoreHandler(core16{s})
	s.cs.SetSmartChargingHandler(smart16{})
	s.cs.SetNewChargePointHandler(func(c ocpp16.ChargePointConnection) {
		s.mu.Lock()
		s.connected[c.ID()] = true
		s.mu.Unlock()
		s.record(c.ID(), "Connected", "", "")
		s.log.Info("ocpp: charge point connected", "id", c.ID())
	})
	s.cs.SetChargePointDisconnectedHandler(func(c ocpp16.ChargePointConnection) {
		s.mu.Lock()
		delete(s.connected, c.ID())
		s.mu.Unlock()
		s.record(c.ID(), "Disconnected", "", "")
		s.log.Info("ocpp: charge point disconnected", "id", c.ID())
	})
	return s
}

// admit checks a WebSocket upgrade's HTTP Basic credentials: the user
// must be the charge point identity of the URL and the password the one
// registered for it.
func (s *Service) admit(id string, r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	if !ok || user != id {
		s.log.Warn("ocpp: charge point refused: no credentials for its identity", "id", id, "remote", r.RemoteAddr)
		return false
	}
	ok, err := s.db.ChargerAuth(r.Context(), id, pass)
	if err != nil {
		s.log.Warn("ocpp: charge point auth", "id", id, "err", err)
		return false
	}
	if !ok {
		s.log.Warn("ocpp: charge point refused: unknown identity or wrong password", "id", id, "remote", r.RemoteAddr)
	}
	return ok
}

// Port reads the port of a listen address such as ":9000" or
// "0.0.0.0:9000" (ocpp-go listens on every interface).
func Port(addr string) (int, error) {
	_, p, err := net.SplitHostPort(addr)
	if err == nil {
		var n int
		if n, err = strconv.Atoi(p); err == nil && n > 0 && n < 65536 {
			return n, nil
		}
	}
	var f apperr.Fields
	f.Add("ocpp-addr", "want :PORT, not %q", addr)
	return 0, f.Err("ocppcs.Port")
}

// Serve listens on port (charge points connect to ws://HOST:PORT/<identity>)
// until ctx ends. It checks first that the port is free.
func (s *Service) Serve(ctx context.Context, port int) error {
	ln, err := net.Listen("tcp", fmt.Sprintf(":%d", port))
	if err != nil {
		return fmt.Errorf("ocpp: %w", err)
	}
	ln.Close()
	go s.cs.Start(port, "/{ws}")
	// Stop before ocpp-go's Start has made its server would dereference
	// nil: wait until the port answers (or 5 s).
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			break
		}
	}
	<-ctx.Done()
	s.cs.Stop()
	return nil
}

// Connected reports whether a charge point is connected now.
func (s *Service) Connected(identity string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connected[identity]
}

func (s *Service) record(id, status, vendor, model string) {
	s.recordTx(id, status, vendor, model, -1)
}

func (s *Service) recordTx(id, status, vendor, model string, txID int) {
	err := s.db.RecordCharger(context.Background(), store.ChargerStatus{Identity: id, Status: status, Vendor: vendor, Model: model,
		TransactionID: txID, LastSeen: s.db.Now()})
	if err != nil {
		s.log.Warn("ocpp: record charger", "id", id, "err", err)
	}
}

// ErrNotConnected is SendPlan's answer for a charger not connected now.
var ErrNotConnected = errors.New("ocpp: the charger is not connected")

// SendPlan sends a stored plan to its vehicle's charger when that is a
// connected charge point: a TxProfile for the open transaction, or a
// TxDefaultProfile on the last connector heard (1 when none) before one
// starts. done, when not nil, receives the charge point's answer.
func (s *Service) SendPlan(p store.EVPlanRecord, done func(smartcharging.ChargingProfileStatus, error)) error {
	s.mu.Lock()
	up := s.connected[p.Charger]
	conn := s.connector[p.Charger]
	s.mu.Unlock()
	if !up {
		return ErrNotConnected
	}
	txID := 0
	if t, err := s.db.OpenTransaction(context.Background(), p.Charger); err == nil {
		txID, conn = t.ID, t.Connector
	} else if !apperr.Is(err, apperr.NotFound) {
		return err
	}
	if conn == 0 {
		conn = 1
	}
	if !p.Departure.After(s.db.Now()) || len(p.Plan.Slots) == 0 {
		return nil // nothing left to charge to
	}
	prof, err := evcharge.ChargingProfile(p.Plan, int(p.ID%1_000_000_000), txID, 1)
	if err != nil {
		return err
	}
	if txID == 0 {
		prof.ChargingProfilePurpose = types.ChargingProfilePurposeTxDefaultProfile
	}
	return s.cs.SetChargingProfile(p.Charger, func(c *smartcharging.SetChargingProfileConfirmation, err error) {
		var st smartcharging.ChargingProfileStatus
		if err == nil {
			st = c.Status
		}
		if err != nil || st != smartcharging.ChargingProfileStatusAccepted {
			s.log.Warn("ocpp: charging profile not accepted", "charger", p.Charger, "plan", p.ID, "status", st, "err", err)
		}
		if done != nil {
			done(st, err)
		}
	}, conn, prof)
}

// sendLatest sends the vehicle's plan in force, if it departs later.
func (s *Service) sendLatest(v evcharge.Vehicle) {
	p, err := s.db.LatestEVPlan(context.Background(), v.ID)
	if err != nil {
		if !apperr.Is(err, apperr.NotFound) {
			s.log.Warn("ocpp: plan", "vehicle", v.Name, "err", err)
		}
		return
	}
	if err := s.SendPlan(p, nil); err != nil {
		s.log.Warn("ocpp: send plan", "vehicle", v.Name, "err", err)
	}
}

// registerWh reads the energy register among sampled values:
// Energy.Active.Import.Register (the default measurand, OCPP 1.6 §7.31)
// of the whole charger (no phase), in Wh (the default unit) or kWh.
func registerWh(vs []types.SampledValue) (energy.Wh, bool) {
	for _, v := range vs {
		if (v.Measurand != "" && v.Measurand != types.MeasurandEnergyActiveImportRegister) || v.Phase != "" || v.Format == types.ValueFormatSignedData {
			continue
		}
		f, err := strconv.ParseFloat(v.Value, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		switch v.Unit {
		case "", types.UnitOfMeasureWh:
			return energy.Wh(math.Round(f)), true
		case types.UnitOfMeasureKWh:
			return energy.Wh(math.Round(f * 1000)), true
		}
	}
	return 0, false
}

func (s *Service) addReadings(txID int, mvs []types.MeterValue) {
	var rs []evcharge.MeterReading
	for _, mv := range mvs {
		if mv.Timestamp == nil {
			continue
		}
		if wh, ok := registerWh(mv.SampledValue); ok {
			rs = append(rs, evcharge.MeterReading{At: mv.Timestamp.Time.UTC(), Wh: wh})
		}
	}
	if len(rs) == 0 {
		return
	}
	if err := s.db.AddReadings(context.Background(), txID, rs); err != nil {
		s.log.Warn("ocpp: meter values not stored", "transaction", txID, "err", err)
	}
}

// core16 answers the OCPP 1.6 Core profile's requests.
type core16 struct{ s *Service }

func (h core16) OnAuthorize(id string, r *core.AuthorizeRequest) (*core.AuthorizeConfirmation, error) {
	h.s.record(id, "", "", "")
	return core.NewAuthorizationConfirmation(types.NewIdTagInfo(types.AuthorizationStatusAccepted)), nil
}

func (h core16) OnBootNotification(id string, r *core.BootNotificationRequest) (*core.BootNotificationConfirmation, error) {
	h.s.record(id, "Booted", r.ChargePointVendor, r.ChargePointModel)
	// A plan stored while the charger was connected to no central system
	// reaches it now (after the confirmation, as OCPP 1.6 §4.2 wants no
	// request before the boot is accepted).
	go func() {
		if v, err := h.s.db.VehicleByCharger(context.Background(), id); err == nil {
			h.s.sendLatest(v)
		}
	}()
	return core.NewBootNotificationConfirmation(types.NewDateTime(h.s.db.Now()), heartbeat, core.RegistrationStatusAccepted), nil
}

func (h core16) OnDataTransfer(id string, r *core.DataTransferRequest) (*core.DataTransferConfirmation, error) {
	return core.NewDataTransferConfirmation(core.DataTransferStatusRejected), nil
}

func (h core16) OnHeartbeat(id string, r *core.HeartbeatRequest) (*core.HeartbeatConfirmation, error) {
	h.s.record(id, "", "", "")
	return core.NewHeartbeatConfirmation(types.NewDateTime(h.s.db.Now())), nil
}

func (h core16) OnMeterValues(id string, r *core.MeterValuesRequest) (*core.MeterValuesConfirmation, error) {
	h.s.record(id, "", "", "")
	if r.TransactionId != nil {
		h.s.addReadings(*r.TransactionId, r.MeterValue)
	}
	return core.NewMeterValuesConfirmation(), nil
}

func (h core16) OnStatusNotification(id string, r *core.StatusNotificationRequest) (*core.StatusNotificationConfirmation, error) {
	h.s.mu.Lock()
	if r.ConnectorId > 0 {
		h.s.connector[id] = r.ConnectorId
	}
	h.s.mu.Unlock()
	h.s.record(id, string(r.Status), "", "")
	return core.NewStatusNotificationConfirmation(), nil
}

func (h core16) OnStartTransaction(id string, r *core.StartTransactionRequest) (*core.StartTransactionConfirmation, error) {
	s := h.s
	ctx := context.Background()
	v, err := s.db.VehicleByCharger(ctx, id)
	if err != nil {
		// A charger no enrolled vehicle uses: charging is not refused,
		// but no session is stored of it.
		s.log.Warn("ocpp: transaction at a charger without a vehicle", "charger", id, "err", err)
	}
	start := s.db.Now()
	if r.Timestamp != nil {
		start = r.Timestamp.Time.UTC()
	}
	t := store.OCPPTransaction{Charger: id, Connector: r.ConnectorId, IDTag: r.IdTag, VehicleID: v.ID, Start: start, MeterWh: energy.Wh(r.MeterStart)}
	if err := s.db.StartTransaction(ctx, &t); err != nil {
		// Without a transaction id there is nothing valid to answer:
		// the charge point retries a CALLERROR (OCPP-J §4.2.3).
		s.log.Warn("ocpp: transaction not stored", "charger", id, "err", err)
		return nil, err
	}
	s.mu.Lock()
	s.connector[id] = r.ConnectorId
	s.mu.Unlock()
	s.recordTx(id, "", "", "", t.ID)
	if v.ID != 0 {
		go s.sendLatest(v) // after the confirmation: the profile names the transaction
	}
	return core.NewStartTransactionConfirmation(types.NewIdTagInfo(types.AuthorizationStatusAccepted), t.ID), nil
}

func (h core16) OnStopTransaction(id string, r *core.StopTransactionRequest) (*core.StopTransactionConfirmation, error) {
	s := h.s
	ctx := context.Background()
	s.addReadings(r.TransactionId, r.TransactionData)
	s.recordTx(id, "", "", "", 0)
	stop := s.db.Now()
	if r.Timestamp != nil {
		stop = r.Timestamp.Time.UTC()
	}
	closed, err := s.db.StopTransaction(ctx, r.TransactionId, stop, energy.Wh(r.MeterStop), func(t store.OCPPTransaction, v evcharge.Vehicle) (evcharge.Session, error) {
		return evcharge.SessionFromReadings(v.Name, v.MaxW, t.Start, stop, append(t.Readings, evcharge.MeterReading{At: stop, Wh: energy.Wh(r.MeterStop)}))
	})
	switch {
	case apperr.Is(err, apperr.NotFound):
		s.log.Warn("ocpp: stop of an unknown transaction (not stored)", "charger", id, "transaction", r.TransactionId)
	case err != nil:
		s.log.Warn("ocpp: session not stored", "charger", id, "transaction", r.TransactionId, "err", err)
	case !closed:
		s.log.Info("ocpp: stop of a transaction already stopped or without a vehicle", "charger", id, "transaction", r.TransactionId)
	}
	return core.NewStopTransactionConfirmation(), nil
}

// smart16 answers the Smart Charging profile's charge-point-initiated
// messages (there are none in OCPP 1.6).
type smart16 struct{}
