package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/evcharge"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
)

// pmpBody is a PMP event 4–9 pm on day d, noticed the day before.
func pmpBody(d string, notice string) string {
	return `{"program":"pmp","start":"` + d + `T16:00:00-07:00","end":"` + d + `T21:00:00-07:00","notice":"` + notice + `","reason":"extreme heat"}`
}

// TestDREventRefusalNamesEveryBrokenRule: a PMP event on a Saturday that
// is also too late in the day breaks two rules; the 400 names both and
// nothing is stored.
func TestDREventRefusalNamesEveryBrokenRule(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	body := `{"program":"pmp","start":"2026-08-15T17:00:00-07:00","end":"2026-08-15T22:00:00-07:00","notice":"2026-08-14T14:00:00-07:00"}`
	p := e.do("POST", "/api/v1/dr/events", body, e.manager).want(t, http.StatusBadRequest).problem(t)
	var rules []string
	for _, f := range p.Errors {
		rules = append(rules, f.Field+" "+strings.SplitN(f.Msg, ":", 2)[0])
	}
	if strings.Join(rules, ",") != "start window,start weekdays_only" {
		t.Errorf("errors %+v, want the window and weekdays_only rules on start", p.Errors)
	}
	e.do("POST", "/api/v1/dr/events", `{"program":"nope","start":"x"}`, e.manager).want(t, http.StatusBadRequest)
	e.do("POST", "/api/v1/dr/events", pmpBody("2026-08-18", "2026-08-17T14:00:00-07:00"), e.analyst).want(t, http.StatusForbidden)
	var list struct{ Data []drEventJSON }
	e.do("GET", "/api/v1/dr/events", "", e.analyst).want(t, http.StatusOK).decode(t, &list)
	if len(list.Data) != 0 {
		t.Errorf("events stored after refusals: %+v", list.Data)
	}
}

func TestDREventScheduleShowCancelAndCalendar(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	var ev drEventJSON
	e.do("POST", "/api/v1/dr/events", pmpBody("2026-08-18", "2026-08-17T14:00:00-07:00"), e.manager).want(t, http.StatusCreated).decode(t, &ev)
	if ev.Status != "scheduled" || ev.Day != "2026-08-18" || ev.Start != "2026-08-18T23:00:00Z" {
		t.Errorf("event %+v", ev)
	}
	e.do("POST", "/api/v1/dr/events", pmpBody("2026-08-20", "2026-08-19T14:00:00-07:00"), e.writeClient).want(t, http.StatusCreated)
	var days struct{ Days []string }
	e.do("GET", "/api/v1/dr/days?from=2026-08-01&to=2026-09-01", "", e.readClient).want(t, http.StatusOK).decode(t, &days)
	if strings.Join(days.Days, ",") != "2026-08-18,2026-08-20" {
		t.Errorf("days %v", days.Days)
	}
	e.do("POST", "/api/v1/dr/events/1/cancel", `{"note":"cooler forecast"}`, e.manager).want(t, http.StatusOK)
	e.do("POST", "/api/v1/dr/events/1/cancel", `{}`, e.manager).want(t, http.StatusConflict)
	e.do("GET", "/api/v1/dr/days?from=2026-08-01&to=2026-09-01", "", e.readClient).want(t, http.StatusOK).decode(t, &days)
	if strings.Join(days.Days, ",") != "2026-08-20" {
		t.Errorf("days after cancelling %v", days.Days)
	}
	var detail struct {
		Event   drEventJSON
		History []drTransitionJSON
	}
	e.do("GET", "/api/v1/dr/events/1", "", e.analyst).want(t, http.StatusOK).decode(t, &detail)
	if len(detail.History) != 2 || detail.History[1].To != "cancelled" || detail.History[1].Note != "cooler forecast" || detail.History[0].From != nil {
		t.Errorf("history %+v", detail.History)
	}
	e.do("GET", "/api/v1/dr/events/99", "", e.analyst).want(t, http.StatusNotFound)
	e.do("GET", "/api/v1/dr/days?from=2026-09-01&to=2026-08-01", "", e.analyst).want(t, http.StatusBadRequest)
	var progs struct{ Data []dr.Program }
	e.do("GET", "/api/v1/dr/programs", "", e.portal).want(t, http.StatusOK).decode(t, &progs)
	if len(progs.Data) < 5 || progs.Data[1].Code != "pmp" {
		t.Errorf("programs %+v", progs.Data)
	}
}

// TestPortalSeesOwnEventsAndOverridesOnlyOwnAccount: a customer sees the
// events of their Power Response enrollment with their settlement, may
// override for their own account and not for another's.
func TestPortalSeesOwnEventsAndOverridesOnlyOwnAccount(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	ctx := context.Background()
	for _, a := range []customer.Account{e.acct1} {
		if err := e.db.InTx(ctx, func(tx *store.Tx) error {
			return tx.Enroll(ctx, seedActor, &customer.Enrollment{AccountID: a.ID, Program: "power_response", Track: "smart_home", From: calendar.Date{Year: 2025, Month: 1, Day: 1}, Source: "staff"})
		}); err != nil {
			t.Fatal(err)
		}
	}
	body := `{"program":"power_response","start":"2026-07-15T17:00:00-07:00","end":"2026-07-15T19:00:00-07:00","notice":"2026-07-15T09:00:00-07:00"}`
	e.do("POST", "/api/v1/dr/events", body, e.manager).want(t, http.StatusCreated)
	e.do("POST", "/api/v1/dr/events/1/overrides", `{"account_id":`+itoa(e.acct2.ID)+`}`, e.portal).want(t, http.StatusNotFound)
	e.do("POST", "/api/v1/dr/events/1/overrides", `{"account_id":`+itoa(e.acct1.ID)+`,"note":"guests over"}`, e.portal).want(t, http.StatusCreated)
	e.do("POST", "/api/v1/dr/events/1/overrides", `{"account_id":`+itoa(e.acct1.ID)+`}`, e.analyst).want(t, http.StatusForbidden)
	s := dr.Settlement{EventID: 1, AccountID: e.acct1.ID, Track: "smart_home", Status: dr.Settled, Method: "caiso-10in10", DaysUsed: 10, Factor: 1.1,
		BaselineWh: 2200, ActualWh: 1500, DeltaWh: 700, ReductionWh: 700, Overridden: true}
	ivs := []dr.Interval{{Start: time.Date(2026, 7, 16, 0, 0, 0, 0, time.UTC), BaselineWh: 1100, ActualWh: 700},
		{Start: time.Date(2026, 7, 16, 1, 0, 0, 0, time.UTC), BaselineWh: 1100, ActualWh: -1}}
	if err := e.db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.SaveSettlement(ctx, seedActor, "power_response", s, ivs)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var mine struct{ Data []accountEventJSON }
	e.do("GET", "/api/v1/accounts/"+itoa(e.acct1.ID)+"/dr-events", "", e.portal).want(t, http.StatusOK).decode(t, &mine)
	if len(mine.Data) != 1 || !mine.Data[0].Overridden || mine.Data[0].Settlement == nil || mine.Data[0].Settlement.ReductionWh != 700 ||
		mine.Data[0].Settlement.Intervals[1].ActualWh != nil {
		t.Errorf("my events %+v", mine.Data)
	}
	e.do("GET", "/api/v1/accounts/"+itoa(e.acct2.ID)+"/dr-events", "", e.portal).want(t, http.StatusNotFound)
	var ss struct{ Data []drSettlementJSON }
	e.do("GET", "/api/v1/dr/events/1/settlements", "", e.analyst).want(t, http.StatusOK).decode(t, &ss)
	if len(ss.Data) != 1 || ss.Data[0].AdjustmentFactorIs(1.1) == false {
		t.Errorf("settlements %+v", ss.Data)
	}
}

func (s drSettlementJSON) AdjustmentFactorIs(f float64) bool { return s.Factor == f }

// TestTOUSignalForLightSwitches: TOU-D-PRIME at 3 pm on a July weekday is
// off-peak (level 0) and changes to the 4–9 pm peak ($0.56368, level 2)
// at 4 pm (research/billing.md §1.6).
func TestTOUSignalForLightSwitches(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	if _, err := e.db.LoadShippedTariffs(context.Background(), seedActor); err != nil {
		t.Fatal(err)
	}
	var sig dr.TOUSignal
	e.do("GET", "/api/v1/signals/tou?tariff=TOU-D-PRIME&at=2026-07-15T15:00:00-07:00", "", e.readClient).want(t, http.StatusOK).decode(t, &sig)
	if sig.Current.Level != 0 || sig.Next == nil || sig.Next.Level != 2 || sig.Next.Price != 563680 ||
		!sig.NextChange.Equal(time.Date(2026, 7, 15, 23, 0, 0, 0, time.UTC)) || len(sig.Day) != 3 {
		t.Errorf("signal %+v", sig)
	}
	e.do("GET", "/api/v1/signals/tou?tariff=TOU-D-PRIME&device=FLICK-404", "", e.readClient).want(t, http.StatusNotFound)
	d := dr.Device{AccountID: e.acct1.ID, Program: "smart_light_switch", Type: "light_switch", Brand: "flick", Serial: "FLICK-0001",
		Enrolled: calendar.Date{Year: 2025, Month: 1, Day: 15}}
	if err := e.db.InTx(context.Background(), func(tx *store.Tx) error { return tx.RegisterDevice(context.Background(), seedActor, &d) }); err != nil {
		t.Fatal(err)
	}
	e.do("GET", "/api/v1/signals/tou?tariff=TOU-D-PRIME&device=FLICK-0001", "", e.readClient).want(t, http.StatusOK)
	if ds, _ := e.db.Devices(context.Background(), store.DeviceFilter{Type: "light_switch"}); len(ds) != 1 || ds[0].LastSeen.IsZero() {
		t.Errorf("the switch was not marked seen: %+v", ds)
	}
	e.do("GET", "/api/v1/signals/tou", "", e.readClient).want(t, http.StatusBadRequest)
	e.do("GET", "/api/v1/signals/tou?tariff=NOPE", "", e.readClient).want(t, http.StatusNotFound)
}

// TestEVSessionsImportAndMonthReport: telemetry posted as CSV is stored
// once; the month's report has the worked 80.00% off-peak share (3.5 of
// 17.5 kWh charged 6–6:30 pm).
func TestEVSessionsImportAndMonthReport(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	ctx := context.Background()
	if err := e.db.InTx(ctx, func(tx *store.Tx) error {
		v := evcharge.Vehicle{AccountID: e.acct1.ID, Name: "EV-1", BatteryWh: 60000, MaxW: 7000, Enrolled: calendar.Date{Year: 2026, Month: 1, Day: 1}}
		return tx.EnrollVehicle(ctx, seedActor, &v)
	}); err != nil {
		t.Fatal(err)
	}
	csv := "vehicle,plug_in,unplug,max_kw,start,end,energy_wh\n" +
		"EV-1,2026-07-02T01:00:00Z,2026-07-02T14:00:00Z,7.0,2026-07-02T01:00:00Z,2026-07-02T01:30:00Z,3500\n" +
		"EV-1,2026-07-02T01:00:00Z,2026-07-02T14:00:00Z,7.0,2026-07-02T07:00:00Z,2026-07-02T09:00:00Z,14000\n"
	var imp store.SessionImport
	e.do("POST", "/api/v1/ev/sessions", csv, e.writeClient, "Content-Type", "text/csv").want(t, http.StatusCreated).decode(t, &imp)
	if imp.Added != 1 {
		t.Errorf("import %+v", imp)
	}
	e.do("POST", "/api/v1/ev/sessions", csv, e.writeClient, "Content-Type", "text/csv").want(t, http.StatusOK)
	e.do("POST", "/api/v1/ev/sessions", strings.ReplaceAll(csv, "EV-1", "EV-9"), e.writeClient, "Content-Type", "text/csv").want(t, http.StatusBadRequest)
	e.do("POST", "/api/v1/ev/sessions", csv, e.readClient, "Content-Type", "text/csv").want(t, http.StatusForbidden)
	var rep struct {
		Fleet evcharge.Fleet
	}
	e.do("GET", "/api/v1/ev/report?month=2026-07", "", e.analyst).want(t, http.StatusOK).decode(t, &rep)
	if rep.Fleet.OffPeakBP != 8000 || rep.Fleet.Sessions != 1 {
		t.Errorf("report %+v", rep.Fleet)
	}
	e.do("GET", "/api/v1/ev/report", "", e.analyst).want(t, http.StatusBadRequest)
	e.do("GET", "/api/v1/ev/report?month=2026-07&signal=none", "", e.analyst).want(t, http.StatusNotFound)
}
