package evcharge

import (
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	ocpp16 "github.com/lorenzodonini/ocpp-go/ocpp1.6"
	"github.com/lorenzodonini/ocpp-go/ocpp1.6/core"
	"github.com/lorenzodonini/ocpp-go/ocpp1.6/smartcharging"
	"github.com/lorenzodonini/ocpp-go/ocpp1.6/types"
)

// The plan of TestCheapestSlotsCoverTheNeedExactly (hours 1–2 and 3–4 at
// 4 kW) is one Absolute TxProfile: 4,000 W from the start, 0 W for the
// hour between, 4,000 W again, 3 hours in all.
func TestPlanBecomesOneAbsoluteTxProfile(t *testing.T) {
	p := plan(t, Need{PlugIn: h(0), Departure: h(4), EnergyWh: 8000, MaxW: 4000}, hourly(300000, 100000, 200000, 100000), LeastCost)
	prof, err := ChargingProfile(p, 7, 42, 1)
	if err != nil {
		t.Fatal(err)
	}
	s := prof.ChargingSchedule
	if prof.ChargingProfilePurpose != types.ChargingProfilePurposeTxProfile || prof.ChargingProfileKind != types.ChargingProfileKindAbsolute ||
		prof.TransactionId != 42 || s.ChargingRateUnit != types.ChargingRateUnitWatts || !s.StartSchedule.Time.Equal(h(1)) || *s.Duration != 3*3600 {
		t.Errorf("profile %+v schedule %+v", prof, s)
	}
	want := []types.ChargingSchedulePeriod{{StartPeriod: 0, Limit: 4000}, {StartPeriod: 3600, Limit: 0}, {StartPeriod: 7200, Limit: 4000}}
	if fmt.Sprint(s.ChargingSchedulePeriod) != fmt.Sprint(want) {
		t.Errorf("periods %v, want %v", s.ChargingSchedulePeriod, want)
	}
}

// cpHandler is the charge point side: it accepts every profile and hands
// it to the test.
type cpHandler struct{ got chan *types.ChargingProfile }

func (h cpHandler) OnSetChargingProfile(r *smartcharging.SetChargingProfileRequest) (*smartcharging.SetChargingProfileConfirmation, error) {
	h.got <- r.ChargingProfile
	return smartcharging.NewSetChargingProfileConfirmation(smartcharging.ChargingProfileStatusAccepted), nil
}
func (cpHandler) OnClearChargingProfile(*smartcharging.ClearChargingProfileRequest) (*smartcharging.ClearChargingProfileConfirmation, error) {
	return nil, errors.New("not used")
}
func (cpHandler) OnGetCompositeSchedule(*smartcharging.GetCompositeScheduleRequest) (*smartcharging.GetCompositeScheduleConfirmation, error) {
	return nil, errors.New("not used")
}

// TestProfileRoundTripsOverOCPP16J sends the plan's profile from an
// ocpp-go central system to ocpp-go's own charge point over a loopback
// WebSocket (OCPP-J): the charge point receives the same schedule and
// accepts it.
func TestProfileRoundTripsOverOCPP16J(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cs := ocpp16.NewCentralSystem(nil, nil)
	connected := make(chan string, 1)
	cs.SetNewChargePointHandler(func(c ocpp16.ChargePointConnection) { connected <- c.ID() })
	go cs.Start(port, "/{ws}")
	defer cs.Stop()

	cp := ocpp16.NewChargePoint("GB-FLEET-01", nil, nil)
	got := make(chan *types.ChargingProfile, 1)
	cp.SetSmartChargingHandler(cpHandler{got})
	cp.SetCoreHandler(coreHandler{})
	url := fmt.Sprintf("ws://127.0.0.1:%d", port)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if err = cp.Start(url); err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond) // the server is still starting
	}
	if err != nil {
		t.Fatalf("charge point: %v", err)
	}
	defer cp.Stop()
	select {
	case id := <-connected:
		if id != "GB-FLEET-01" {
			t.Fatalf("connected %q", id)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the charge point did not connect")
	}

	p := plan(t, Need{PlugIn: h(0), Departure: h(4), EnergyWh: 6000, MaxW: 4000}, hourly(100000, 200000, 300000, 400000), LeastCost)
	sent, err := ChargingProfile(p, 1, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	status := make(chan smartcharging.ChargingProfileStatus, 1)
	err = cs.SetChargingProfile("GB-FLEET-01", func(c *smartcharging.SetChargingProfileConfirmation, err error) {
		if err != nil {
			t.Errorf("confirmation: %v", err)
			status <- ""
			return
		}
		status <- c.Status
	}, 1, sent)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case recv := <-got:
		if fmt.Sprint(recv.ChargingSchedule.ChargingSchedulePeriod) != fmt.Sprint(sent.ChargingSchedule.ChargingSchedulePeriod) ||
			!recv.ChargingSchedule.StartSchedule.Time.Equal(sent.ChargingSchedule.StartSchedule.Time) ||
			*recv.ChargingSchedule.Duration != *sent.ChargingSchedule.Duration || recv.ChargingProfilePurpose != types.ChargingProfilePurposeTxProfile {
			t.Errorf("received %+v %+v, sent %+v %+v", recv, recv.ChargingSchedule, sent, sent.ChargingSchedule)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no profile received")
	}
	select {
	case s := <-status:
		if s != smartcharging.ChargingProfileStatusAccepted {
			t.Errorf("status %q", s)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no confirmation")
	}
}

// coreHandler is the charge point's mandatory core profile; the test uses
// none of it.
type coreHandler struct{}

func (coreHandler) OnChangeAvailability(*core.ChangeAvailabilityRequest) (*core.ChangeAvailabilityConfirmation, error) {
	return nil, errors.New("not used")
}
func (coreHandler) OnChangeConfiguration(*core.ChangeConfigurationRequest) (*core.ChangeConfigurationConfirmation, error) {
	return nil, errors.New("not used")
}
func (coreHandler) OnClearCache(*core.ClearCacheRequest) (*core.ClearCacheConfirmation, error) {
	return nil, errors.New("not used")
}
func (coreHandler) OnDataTransfer(*core.DataTransferRequest) (*core.DataTransferConfirmation, error) {
	return nil, errors.New("not used")
}
func (coreHandler) OnGetConfiguration(*core.GetConfigurationRequest) (*core.GetConfigurationConfirmation, error) {
	return nil, errors.New("not used")
}
func (coreHandler) OnRemoteStartTransaction(*core.RemoteStartTransactionRequest) (*core.RemoteStartTransactionConfirmation, error) {
	return nil, errors.New("not used")
}
func (coreHandler) OnRemoteStopTransaction(*core.RemoteStopTransactionRequest) (*core.RemoteStopTransactionConfirmation, error) {
	return nil, errors.New("not used")
}
func (coreHandler) OnReset(*core.ResetRequest) (*core.ResetConfirmation, error) {
	return nil, errors.New("not used")
}
func (coreHandler) OnUnlockConnector(*core.UnlockConnectorRequest) (*core.UnlockConnectorConfirmation, error) {
	return nil, errors.New("not used")
}
