package ocppcs

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	ocpp16 "github.com/lorenzodonini/ocpp-go/ocpp1.6"
	"github.com/lorenzodonini/ocpp-go/ocpp1.6/core"
	"github.com/lorenzodonini/ocpp-go/ocpp1.6/smartcharging"
	"github.com/lorenzodonini/ocpp-go/ocpp1.6/types"
	"github.com/lorenzodonini/ocpp-go/ws"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/evcharge"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

var seedActor = auth.Actor{Kind: "cli", Name: "test"}

// seedVehicle stores an account with vehicle EV-FLEET-1 charging at
// charge point CP-01 (7.2 kW) and a plan for it: 7 kW from 05:00 to
// 07:00 PDT on 16 July 2026.
func seedVehicle(t *testing.T, db *store.DB) (evcharge.Vehicle, store.EVPlanRecord) {
	t.Helper()
	ctx := context.Background()
	c := customer.Customer{Kind: customer.Organization, Name: "Fleet Co", Email: "fleet@example.org"}
	p := customer.Premise{Address: "1 Depot Way", City: "Los Angeles", ZIP: "90001", CountyFIPS: "06037"}
	a := customer.Account{Number: "7000000009", Class: customer.Commercial, RateSchedule: "TOU-GS-1-D", LSE: customer.CCA, ServiceStart: calendar.Date{Year: 2024, Month: 1, Day: 1}}
	v := evcharge.Vehicle{Name: "EV-FLEET-1", BatteryWh: 60000, MaxW: 7200, Charger: "CP-01", Enrolled: calendar.Date{Year: 2026, Month: 7, Day: 1}}
	plug := time.Date(2026, 7, 16, 0, 0, 0, 0, time.UTC)
	rec := store.EVPlanRecord{PlugIn: plug, Departure: plug.Add(14 * time.Hour), NeedWh: 14000, Source: "test",
		Plan: evcharge.Plan{Objective: evcharge.LeastCost, EnergyWh: 14000,
			Slots: []evcharge.Slot{{Start: plug.Add(12 * time.Hour), End: plug.Add(14 * time.Hour), W: 7000, EnergyWh: 14000}}}}
	err := db.InTx(ctx, func(tx *store.Tx) error {
		if err := tx.CreateCustomer(ctx, seedActor, &c); err != nil {
			return err
		}
		if err := tx.CreatePremise(ctx, seedActor, &p); err != nil {
			return err
		}
		a.CustomerID, a.PremiseID = c.ID, p.ID
		if err := tx.CreateAccount(ctx, seedActor, &a); err != nil {
			return err
		}
		v.AccountID = a.ID
		if err := tx.EnrollVehicle(ctx, seedActor, &v); err != nil {
			return err
		}
		rec.VehicleID = v.ID
		return tx.SaveEVPlan(ctx, seedActor, &rec)
	})
	if err != nil {
		t.Fatal(err)
	}
	return v, rec
}

// cpSmart is the charge point's smart-charging side: it accepts every
// profile and hands it to the test.
type cpSmart struct {
	got chan *smartcharging.SetChargingProfileRequest
}

func (h cpSmart) OnSetChargingProfile(r *smartcharging.SetChargingProfileRequest) (*smartcharging.SetChargingProfileConfirmation, error) {
	h.got <- r
	return smartcharging.NewSetChargingProfileConfirmation(smartcharging.ChargingProfileStatusAccepted), nil
}
func (cpSmart) OnClearChargingProfile(*smartcharging.ClearChargingProfileRequest) (*smartcharging.ClearChargingProfileConfirmation, error) {
	return nil, errors.New("not used")
}
func (cpSmart) OnGetCompositeSchedule(*smartcharging.GetCompositeScheduleRequest) (*smartcharging.GetCompositeScheduleConfirmation, error) {
	return nil, errors.New("not used")
}

// cpCore is the charge point's mandatory core profile; the test uses none
// of it.
type cpCore struct{}

var errUnused = errors.New("not used")

func (cpCore) OnChangeAvailability(*core.ChangeAvailabilityRequest) (*core.ChangeAvailabilityConfirmation, error) {
	return nil, errUnused
}
func (cpCore) OnChangeConfiguration(*core.ChangeConfigurationRequest) (*core.ChangeConfigurationConfirmation, error) {
	return nil, errUnused
}
func (cpCore) OnClearCache(*core.ClearCacheRequest) (*core.ClearCacheConfirmation, error) {
	return nil, errUnused
}
func (cpCore) OnDataTransfer(*core.DataTransferRequest) (*core.DataTransferConfirmation, error) {
	return nil, errUnused
}
func (cpCore) OnGetConfiguration(*core.GetConfigurationRequest) (*core.GetConfigurationConfirmation, error) {
	return nil, errUnused
}
func (cpCore) OnRemoteStartTransaction(*core.RemoteStartTransactionRequest) (*core.RemoteStartTransactionConfirmation, error) {
	return nil, errUnused
}
func (cpCore) OnRemoteStopTransaction(*core.RemoteStopTransactionRequest) (*core.RemoteStopTransactionConfirmation, error) {
	return nil, errUnused
}
func (cpCore) OnReset(*core.ResetRequest) (*core.ResetConfirmation, error) { return nil, errUnused }
func (cpCore) OnUnlockConnector(*core.UnlockConnectorRequest) (*core.UnlockConnectorConfirmation, error) {
	return nil, errUnused
}

// register gives a charge point identity a password.
func register(t *testing.T, db *store.DB, id string) string {
	t.Helper()
	var secret string
	err := db.InTx(context.Background(), func(tx *store.Tx) (err error) {
		secret, err = tx.RegisterCharger(context.Background(), seedActor, id, 0, false)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// serve runs a central system over db on a free loopback port until the
// test ends.
func serve(t *testing.T, db *store.DB, opt Options) (*Service, int) {
	t.Helper()
	svc, port, stop := start(t, db, opt)
	t.Cleanup(stop)
	return svc, port
}

// start runs a central system over db on a free loopback port until
// stop is called.
func start(t *testing.T, db *store.DB, opt Options) (svc *Service, port int, stop func()) {
	t.Helper()
	svc = New(DB{db}, nil, opt)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- svc.Serve(ctx, port) }()
	return svc, port, func() {
		cancel()
		<-served
	}
}

// connect starts ocpp-go's charge point id with HTTP Basic credentials
// user:pass (none when user is empty). A refused upgrade is an error.
// Profiles it receives go to got when not nil.
func connect(port int, id, user, pass string, got chan *smartcharging.SetChargingProfileRequest) (ocpp16.ChargePoint, error) {
	return connectVia(ws.NewClient(), fmt.Sprintf("ws://127.0.0.1:%d", port), id, user, pass, got)
}

// connectVia is connect through a given WebSocket client and URL.
func connectVia(c *ws.Client, url, id, user, pass string, got chan *smartcharging.SetChargingProfileRequest) (ocpp16.ChargePoint, error) {
	if user != "" {
		c.SetBasicAuth(user, pass)
	}
	cp := ocpp16.NewChargePoint(id, nil, c)
	cp.SetCoreHandler(cpCore{})
	if got == nil {
		got = make(chan *smartcharging.SetChargingProfileRequest, 4)
	}
	cp.SetSmartChargingHandler(cpSmart{got})
	var err error
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		err = cp.Start(url)
		var ne *net.OpError
		if err == nil || !errors.As(err, &ne) || time.Now().After(deadline) {
			break // connected, or refused by the server rather than not yet listening
		}
	}
	if err != nil {
		return nil, err
	}
	return cp, nil
}

func receive[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("no %s", what)
	}
	var zero T
	return zero
}

// TestChargePointSessionAndPlanOverOCPP16J runs the central system on
// loopback and drives it with ocpp-go's own charge point CP-01: boot
// (vendor and model recorded; the stored plan arrives as a
// TxDefaultProfile), a StatusNotification, a transaction
// started at plug-in (00:00 UTC) with the register at 1,000 Wh — the
// vehicle's stored plan arrives as a TxProfile for that transaction,
// 7,000 W for two hours from 12:00 UTC — meter values of 1,000 Wh at
// 12:00 and 8.0 kWh at 13:00, and the stop at 14:00 with 15,000 Wh: one
// session of 14,000 Wh stored, charges 12–13 and 13–14 of 7,000 Wh each.
// A plan stored afterwards is found by a PlanWatch (as gridbook serve
// runs it), handed to its consumers and, with no transaction open, sent
// as a TxDefaultProfile; sent directly, it is accepted.
func TestChargePointSessionAndPlanOverOCPP16J(t *testing.T) {
	db := storetest.SQLite()(t)
	db.Now = func() time.Time { return time.Date(2026, 7, 15, 23, 0, 0, 0, time.UTC) }
	v, plan := seedVehicle(t, db)
	secret := register(t, db, "CP-01")
	svc, port := serve(t, db, Options{})
	got := make(chan *smartcharging.SetChargingProfileRequest, 2)
	cp, err := connect(port, "CP-01", "CP-01", secret, got)
	if err != nil {
		t.Fatalf("charge point: %v", err)
	}
	defer cp.Stop()

	if _, err := cp.BootNotification("AC-7", "Acme"); err != nil {
		t.Fatal(err)
	}
	// The plan stored before the charger connected arrives after its
	// boot, with no transaction open: a TxDefaultProfile.
	if req := receive(t, got, "profile after the boot"); req.ChargingProfile.ChargingProfilePurpose != types.ChargingProfilePurposeTxDefaultProfile ||
		req.ChargingProfile.ChargingSchedule.ChargingSchedulePeriod[0].Limit != 7000 {
		t.Errorf("profile after boot %+v", req.ChargingProfile)
	}
	if _, err := cp.Heartbeat(); err != nil {
		t.Fatal(err)
	}
	if _, err := cp.StatusNotification(1, core.NoError, core.ChargePointStatusPreparing); err != nil {
		t.Fatal(err)
	}
	plug := time.Date(2026, 7, 16, 0, 0, 0, 0, time.UTC)
	st, err := cp.StartTransaction(1, "FLEETTAG", 1000, types.NewDateTime(plug))
	if err != nil {
		t.Fatal(err)
	}
	req := receive(t, got, "profile at the transaction's start")
	prof := req.ChargingProfile
	s := prof.ChargingSchedule
	if req.ConnectorId != 1 || prof.ChargingProfilePurpose != types.ChargingProfilePurposeTxProfile || prof.TransactionId != st.TransactionId ||
		!s.StartSchedule.Time.Equal(plug.Add(12*time.Hour)) || s.Duration == nil || *s.Duration != 7200 ||
		len(s.ChargingSchedulePeriod) != 1 || s.ChargingSchedulePeriod[0].Limit != 7000 || s.ChargingRateUnit != types.ChargingRateUnitWatts {
		t.Errorf("profile %+v schedule %+v (transaction %d)", prof, s, st.TransactionId)
	}
	if _, err := cp.StatusNotification(1, core.NoError, core.ChargePointStatusCharging); err != nil {
		t.Fatal(err)
	}
	mv := func(at time.Time, value string, unit types.UnitOfMeasure) types.MeterValue {
		return types.MeterValue{Timestamp: types.NewDateTime(at), SampledValue: []types.SampledValue{
			{Value: "16.2", Measurand: types.MeasurandCurrentImport, Unit: types.UnitOfMeasureA}, // not the register
			{Value: value, Measurand: types.MeasurandEnergyActiveImportRegister, Unit: unit}}}
	}
	txID := st.TransactionId
	_, err = cp.MeterValues(1, []types.MeterValue{mv(plug.Add(12*time.Hour), "1000", types.UnitOfMeasureWh), mv(plug.Add(13*time.Hour), "8.0", types.UnitOfMeasureKWh)},
		func(r *core.MeterValuesRequest) { r.TransactionId = &txID })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cp.StopTransaction(15000, types.NewDateTime(plug.Add(14*time.Hour)), txID); err != nil {
		t.Fatal(err)
	}
	if _, err := cp.StatusNotification(1, core.NoError, core.ChargePointStatusAvailable); err != nil {
		t.Fatal(err)
	}

	ss, err := db.Sessions(context.Background(), v.AccountID, plug.Add(-time.Hour), plug.Add(time.Hour))
	if err != nil || len(ss) != 1 {
		t.Fatalf("sessions %+v, %v", ss, err)
	}
	want := []evcharge.Charge{{Start: plug.Add(12 * time.Hour), End: plug.Add(13 * time.Hour), Wh: 7000}, {Start: plug.Add(13 * time.Hour), End: plug.Add(14 * time.Hour), Wh: 7000}}
	if s := ss[0]; s.Vehicle != "EV-FLEET-1" || !s.PlugIn.Equal(plug) || !s.Unplug.Equal(plug.Add(14*time.Hour)) || s.EnergyWh() != 14000 ||
		len(s.Charges) != 2 || s.Charges[0] != want[0] || s.Charges[1] != want[1] {
		t.Errorf("session %+v", ss[0])
	}
	c, err := db.Charger(context.Background(), "CP-01")
	if err != nil || c.Status != string(core.ChargePointStatusAvailable) || c.Vendor != "Acme" || c.Model != "AC-7" || c.TransactionID != 0 || !c.LastSeen.Equal(db.Now()) {
		t.Errorf("charger %+v, %v", c, err)
	}

	// A plan stored afterwards reaches the watch's consumers (as gridbook
	// serve wires them: the VTN's publisher and Deliver) and, with no
	// transaction open, the charger as a TxDefaultProfile.
	var published []int64
	w, err := NewPlanWatch(context.Background(), db, nil,
		Sender{Channel: ChannelOpenADR, Send: func(_ context.Context, p store.EVPlanRecord) { published = append(published, p.ID) }}, svc.Sender())
	if err != nil {
		t.Fatal(err)
	}
	// The seeded plan (not departed at 23:00 on the 15th) was stored
	// before the watch began: it is published, and sent to CP-01 (now
	// without a transaction, as a TxDefaultProfile).
	if n, err := w.Once(context.Background()); n != 2 || err != nil || len(published) != 1 || published[0] != plan.ID {
		t.Fatalf("first look: %d sends, %v, published %v", n, err, published)
	}
	if req := receive(t, got, "profile for the plan stored before the watch"); req.ChargingProfile.ChargingProfilePurpose != types.ChargingProfilePurposeTxDefaultProfile {
		t.Errorf("profile %+v", req.ChargingProfile)
	}
	if n, err := w.Once(context.Background()); n != 0 || err != nil {
		t.Fatalf("before any new plan: %d, %v", n, err)
	}
	next := plan
	next.ID = 0
	next.Plan.Slots = []evcharge.Slot{{Start: plug.Add(10 * time.Hour), End: plug.Add(11 * time.Hour), W: 3600, EnergyWh: 3600}}
	if err := db.InTx(context.Background(), func(tx *store.Tx) error { return tx.SaveEVPlan(context.Background(), seedActor, &next) }); err != nil {
		t.Fatal(err)
	}
	if n, err := w.Once(context.Background()); n != 2 || err != nil || len(published) != 2 || published[1] != next.ID {
		t.Fatalf("watch: %d, %v, published %v", n, err, published)
	}
	req = receive(t, got, "profile for the new plan")
	if req.ChargingProfile.ChargingProfilePurpose != types.ChargingProfilePurposeTxDefaultProfile || req.ChargingProfile.TransactionId != 0 ||
		req.ChargingProfile.ChargingSchedule.ChargingSchedulePeriod[0].Limit != 3600 {
		t.Errorf("profile %+v", req.ChargingProfile)
	}
	// Sent directly, the charge point's answer comes back.
	status := make(chan smartcharging.ChargingProfileStatus, 1)
	if err := svc.SendPlan(next, func(s smartcharging.ChargingProfileStatus, err error) {
		if err != nil {
			t.Errorf("confirmation: %v", err)
		}
		status <- s
	}); err != nil {
		t.Fatal(err)
	}
	receive(t, got, "profile sent again")
	if s := receive(t, status, "confirmation"); s != smartcharging.ChargingProfileStatusAccepted {
		t.Errorf("status %q", s)
	}
	if err := svc.SendPlan(store.EVPlanRecord{Charger: "CP-404", Departure: plug.Add(time.Hour)}, nil); !errors.Is(err, ErrNotConnected) {
		t.Errorf("unknown charger: %v", err)
	}
}

// TestChargePointBasicAuthSecurityProfile1 checks OCPP 1.6 Security
// Profile 1 at the WebSocket upgrade: CP-01 with its registered password
// is admitted (and can boot); the wrong password, no credentials, a user
// name other than the identity, and an identity never registered are
// refused; with Options.Anonymous any charge point is admitted.
func TestChargePointBasicAuthSecurityProfile1(t *testing.T) {
	db := storetest.SQLite()(t)
	secret := register(t, db, "CP-01")
	other := register(t, db, "CP-02")
	_, port := serve(t, db, Options{})
	cp, err := connect(port, "CP-01", "CP-01", secret, nil)
	if err != nil {
		t.Fatalf("right password refused: %v", err)
	}
	if _, err := cp.BootNotification("AC-7", "Acme"); err != nil {
		t.Errorf("boot: %v", err)
	}
	cp.Stop()
	for _, c := range []struct{ name, id, user, pass string }{
		{"wrong password", "CP-01", "CP-01", secret + "x"},
		{"another charger's password", "CP-01", "CP-01", other},
		{"no credentials", "CP-01", "", ""},
		{"user is not the identity", "CP-01", "CP-02", other},
		{"unknown identity", "CP-99", "CP-99", secret},
	} {
		if cp, err := connect(port, c.id, c.user, c.pass, nil); err == nil {
			cp.Stop()
			t.Errorf("%s: admitted", c.name)
		} else if !strings.Contains(err.Error(), "401") {
			t.Errorf("%s: %v, want HTTP 401", c.name, err)
		}
	}
	if ok, err := db.ChargerAuth(context.Background(), "CP-01", secret); !ok || err != nil {
		t.Errorf("ChargerAuth(right) = %v, %v", ok, err)
	}

	_, open := serve(t, db, Options{Anonymous: true})
	cp, err = connect(open, "CP-99", "", "", nil)
	if err != nil {
		t.Fatalf("anonymous central system refused: %v", err)
	}
	cp.Stop()
}

// TestStopAfterRestartStoresTheSession starts a transaction at CP-01
// (register 1,000 Wh at 00:00 UTC, readings of 1,000 Wh at 12:00 and
// 8.0 kWh at 13:00) with one central system, stops that system, and
// sends the StopTransaction (15,000 Wh at 14:00) to a new one over
// another handle on the same SQLite file: the session is stored as if
// one process had seen it all — 14,000 Wh, 7,000 Wh in each of 12–13 and
// 13–14. The new system's next transaction id differs from the first;
// the same StopTransaction again stores nothing more.
func TestStopAfterRestartStoresTheSession(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "ocpp.db")
	now := func() time.Time { return time.Date(2026, 7, 15, 23, 0, 0, 0, time.UTC) }
	open := func() *store.DB {
		db, err := store.Open(ctx, file)
		if err != nil {
			t.Fatal(err)
		}
		db.Now = now
		t.Cleanup(func() { db.Close() })
		return db
	}
	db1 := open()
	v, _ := seedVehicle(t, db1)
	secret := register(t, db1, "CP-01")
	_, port, stop := start(t, db1, Options{})
	cp, err := connect(port, "CP-01", "CP-01", secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	plug := time.Date(2026, 7, 16, 0, 0, 0, 0, time.UTC)
	st, err := cp.StartTransaction(1, "FLEETTAG", 1000, types.NewDateTime(plug))
	if err != nil {
		t.Fatal(err)
	}
	txID := st.TransactionId
	reg := func(at time.Time, value string, unit types.UnitOfMeasure) types.MeterValue {
		return types.MeterValue{Timestamp: types.NewDateTime(at), SampledValue: []types.SampledValue{{Value: value, Measurand: types.MeasurandEnergyActiveImportRegister, Unit: unit}}}
	}
	if _, err := cp.MeterValues(1, []types.MeterValue{reg(plug.Add(12*time.Hour), "1000", types.UnitOfMeasureWh), reg(plug.Add(13*time.Hour), "8.0", types.UnitOfMeasureKWh)},
		func(r *core.MeterValuesRequest) { r.TransactionId = &txID }); err != nil {
		t.Fatal(err)
	}
	cp.Stop()
	stop()

	db2 := open()
	_, port2, stop2 := start(t, db2, Options{})
	defer stop2()
	cp, err = connect(port2, "CP-01", "CP-01", secret, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Stop()
	if _, err := cp.StopTransaction(15000, types.NewDateTime(plug.Add(14*time.Hour)), txID); err != nil {
		t.Fatal(err)
	}
	ss, err := db2.Sessions(ctx, v.AccountID, plug.Add(-time.Hour), plug.Add(time.Hour))
	if err != nil || len(ss) != 1 {
		t.Fatalf("sessions %+v, %v", ss, err)
	}
	want := []evcharge.Charge{{Start: plug.Add(12 * time.Hour), End: plug.Add(13 * time.Hour), Wh: 7000}, {Start: plug.Add(13 * time.Hour), End: plug.Add(14 * time.Hour), Wh: 7000}}
	if s := ss[0]; !s.PlugIn.Equal(plug) || !s.Unplug.Equal(plug.Add(14*time.Hour)) || s.EnergyWh() != 14000 || len(s.Charges) != 2 || s.Charges[0] != want[0] || s.Charges[1] != want[1] {
		t.Errorf("session %+v", ss[0])
	}
	if _, err := cp.StopTransaction(15000, types.NewDateTime(plug.Add(14*time.Hour)), txID); err != nil {
		t.Fatal(err)
	}
	if ss, err := db2.Sessions(ctx, v.AccountID, plug.Add(-time.Hour), plug.Add(time.Hour)); err != nil || len(ss) != 1 {
		t.Errorf("after a repeated stop: %d sessions, %v", len(ss), err)
	}
	st2, err := cp.StartTransaction(1, "FLEETTAG", 15000, types.NewDateTime(plug.Add(24*time.Hour)))
	if err != nil || st2.TransactionId == txID || st2.TransactionId <= 0 {
		t.Errorf("second transaction id %d (first %d), %v", st2.TransactionId, txID, err)
	}
}

// TestTwoWatchersSendEachPlanOnce runs two plan watches over two handles
// on one SQLite file, as two serve processes. The plan stored before
// either began (departing 14:00 UTC on 16 July, after the clock's 23:00
// on the 15th), and then the last of three plans stored together for the
// vehicle (the plan in force; the two it supersedes are not sent), are
// each published once in all on OpenADR, and sent on OCPP once, by the
// watch whose process has the charger (Ready) — the other never claims
// them. A watch made afterwards (a restart) sends nothing again.
func TestTwoWatchersSendEachPlanOnce(t *testing.T) {
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "watch.db")
	var dbs [2]*store.DB
	for i := range dbs {
		db, err := store.Open(ctx, file)
		if err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return time.Date(2026, 7, 15, 23, 0, 0, 0, time.UTC) }
		defer db.Close()
		dbs[i] = db
	}
	_, plan := seedVehicle(t, dbs[0])
	var mu sync.Mutex
	sent := map[string][]int64{} // "channel/watch" → plan ids
	sender := func(ch string, w int, ready bool) Sender {
		return Sender{Channel: ch, Ready: func(store.EVPlanRecord) bool { return ready }, Send: func(_ context.Context, p store.EVPlanRecord) {
			mu.Lock()
			defer mu.Unlock()
			k := fmt.Sprintf("%s/%d", ch, w)
			sent[k] = append(sent[k], p.ID)
		}}
	}
	var ws [2]*PlanWatch
	for i := range ws {
		var err error
		if ws[i], err = NewPlanWatch(ctx, dbs[i], nil, sender(ChannelOpenADR, i, true), sender(ChannelOCPP, i, i == 1)); err != nil {
			t.Fatal(err)
		}
	}
	look := func() {
		var wg sync.WaitGroup
		for _, w := range ws {
			wg.Go(func() {
				if _, err := w.Once(ctx); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	look()
	var next store.EVPlanRecord
	for range 3 {
		next = plan
		next.ID = 0
		if err := dbs[1].InTx(ctx, func(tx *store.Tx) error { return tx.SaveEVPlan(ctx, seedActor, &next) }); err != nil {
			t.Fatal(err)
		}
	}
	want := []int64{plan.ID, next.ID}
	look()
	count := func(ch string) map[int64]int {
		n := map[int64]int{}
		for w := range 2 {
			for _, id := range sent[fmt.Sprintf("%s/%d", ch, w)] {
				n[id]++
			}
		}
		return n
	}
	for _, ch := range []string{ChannelOpenADR, ChannelOCPP} {
		n := count(ch)
		for _, id := range want {
			if n[id] != 1 {
				t.Errorf("plan %d sent %d times on %s (sends %v)", id, n[id], ch, sent)
			}
		}
		if len(n) != len(want) {
			t.Errorf("%s: sends %v, want plans %v", ch, n, want)
		}
	}
	if len(sent["ocpp/0"]) != 0 {
		t.Errorf("the watch without the charger sent %v on OCPP", sent["ocpp/0"])
	}
	again, err := NewPlanWatch(ctx, dbs[0], nil, sender(ChannelOpenADR, 0, true), sender(ChannelOCPP, 0, true))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := again.Once(ctx); n != 0 || err != nil {
		t.Errorf("after a restart: %d sends, %v", n, err)
	}
}

// TestTLSWithBasicAuth serves wss:// with a certificate made for
// 127.0.0.1 (Options.CertFile and KeyFile): a charge point trusting it
// connects with its password and boots; a wrong password is refused.
func TestTLSWithBasicAuth(t *testing.T) {
	db := storetest.SQLite()(t)
	secret := register(t, db, "CP-01")
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "gridbook test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	_, port := serve(t, db, Options{CertFile: certFile, KeyFile: keyFile})
	url := fmt.Sprintf("wss://127.0.0.1:%d", port)
	cp, err := connectVia(ws.NewTLSClient(&tls.Config{RootCAs: pool}), url, "CP-01", "CP-01", secret, nil)
	if err != nil {
		t.Fatalf("wss with the right password: %v", err)
	}
	if _, err := cp.BootNotification("AC-7", "Acme"); err != nil {
		t.Errorf("boot over TLS: %v", err)
	}
	cp.Stop()
	if cp, err := connectVia(ws.NewTLSClient(&tls.Config{RootCAs: pool}), url, "CP-01", "CP-01", "wrong", nil); err == nil {
		cp.Stop()
		t.Error("wss with a wrong password admitted")
	}
}
