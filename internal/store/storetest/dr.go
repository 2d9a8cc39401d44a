package storetest

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/emissions"
	"github.com/gridbook/gridbook/internal/evcharge"
	"github.com/gridbook/gridbook/internal/store"
)

func drProgram(t *testing.T, code string) dr.Program {
	t.Helper()
	c, err := dr.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	p, err := c.Program(code)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// localAt is wall-clock h:00 on d in Pacific time, as UTC.
func localAt(d calendar.Date, h int) time.Time {
	return time.Date(d.Year, d.Month, d.Day, h, 0, 0, 0, calendar.Pacific).UTC()
}

func schedule(db *store.DB, p dr.Program, d calendar.Date, from, to int, notice time.Time) (dr.Event, error) {
	var e dr.Event
	err := txErr(db, func(ctx context.Context, tx *store.Tx) error {
		var err error
		e, err = tx.ScheduleEvent(ctx, staff, p, dr.Proposal{Event: dr.Event{Start: localAt(d, from), End: localAt(d, to), Reason: "heat"}, Notice: notice})
		return err
	})
	return e, err
}

// testDRSchedulingEnforcesPMPRules schedules twelve Peak Management
// Pricing events (research/dr-ev.md §6.1) and checks that the thirteenth,
// a holiday and a third event in one week are refused naming the rule,
// with nothing stored.
func testDRSchedulingEnforcesPMPRules(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	p := drProgram(t, "pmp")
	var days []calendar.Date
	for d := day(2026, 6, 16); len(days) < 12; d = d.Next() {
		if wd := d.Weekday(); wd == time.Tuesday || wd == time.Thursday {
			if _, hol := calendar.UtilityHolidays().Holiday(d); !hol {
				days = append(days, d)
			}
		}
	}
	for _, d := range days {
		if _, err := schedule(db, p, d, 16, 21, localAt(d.AddDays(-1), 14)); err != nil {
			t.Fatalf("schedule %s: %v", d, err)
		}
	}
	_, err := schedule(db, p, day(2026, 9, 2), 16, 21, localAt(day(2026, 9, 1), 14))
	wantErr(t, "13th event", err, apperr.Invalid, "start")
	if !strings.Contains(err.Error(), "max_per_year") {
		t.Errorf("13th event: %v does not name max_per_year", err)
	}
	_, err = schedule(db, p, day(2026, 9, 7), 16, 21, localAt(day(2026, 9, 4), 14))
	if err == nil || !strings.Contains(err.Error(), "holiday") {
		t.Errorf("Labor Day: %v", err)
	}
	if n := countRows(t, db, "dr_events"); n != 12 {
		t.Errorf("%d events stored, want 12", n)
	}
	if n := countRows(t, db, "dr_event_history"); n != 12 {
		t.Errorf("%d history rows, want 12", n)
	}
	got, err := db.EventDays(ctx, "pmp", day(2026, 6, 1), day(2026, 7, 1))
	if err != nil || len(got) != 5 || got[0] != day(2026, 6, 16) || got[4] != day(2026, 6, 30) {
		t.Errorf("June PMP days %v, %v; want 16, 18, 23, 25 and 30 June", got, err)
	}
}

// testDREventLifecycle walks an event through notified, active and
// completed with a dated history, refuses a step the lifecycle forbids,
// and keeps cancelled days out of the billing calendar.
func testDREventLifecycle(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	p := drProgram(t, "pmp")
	e, err := schedule(db, p, day(2026, 7, 7), 16, 21, localAt(day(2026, 7, 6), 14))
	if err != nil {
		t.Fatal(err)
	}
	move := func(to dr.Status, at time.Time) error {
		setClock(db, at)
		return txErr(db, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.MoveEvent(ctx, staff, e.ID, to, "")
			return err
		})
	}
	if err := move(dr.Active, localAt(day(2026, 7, 7), 17)); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("scheduled → active: %v", err)
	}
	for _, s := range []struct {
		to dr.Status
		at time.Time
	}{{dr.Notified, localAt(day(2026, 7, 6), 14)}, {dr.Active, localAt(day(2026, 7, 7), 16)}, {dr.Completed, localAt(day(2026, 7, 7), 21)}} {
		if err := move(s.to, s.at); err != nil {
			t.Fatalf("→ %s: %v", s.to, err)
		}
	}
	h, err := db.EventHistory(ctx, e.ID)
	if err != nil || len(h) != 4 || h[3].From != dr.Active || h[3].To != dr.Completed || !h[1].At.Equal(localAt(day(2026, 7, 6), 14)) {
		t.Errorf("history %+v, %v", h, err)
	}
	got, _ := db.DREvent(ctx, e.ID)
	if got.Status != dr.Completed || !got.NotifiedAt.Equal(localAt(day(2026, 7, 6), 14)) {
		t.Errorf("event %+v", got)
	}
	c, err := schedule(db, p, day(2026, 7, 9), 16, 21, localAt(day(2026, 7, 8), 14))
	if err != nil {
		t.Fatal(err)
	}
	if err := txErr(db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.MoveEvent(ctx, staff, c.ID, dr.Cancelled, "heat wave ended")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	days, _ := db.EventDays(ctx, "pmp", day(2026, 7, 1), day(2026, 8, 1))
	if len(days) != 1 || days[0] != day(2026, 7, 7) {
		t.Errorf("EventDays %v, want only 2026-07-07", days)
	}
}

// testDRSettlementIsIdempotent settles a Power Response event on stored
// interval data: the CAISO 10-in-10 baseline of 1,000 Wh an hour, adjusted
// by 1.1 to 1,100, against 700 and 800 Wh reduces 700 Wh; at $1/kWh that
// is 70¢, owed once. Settling again stores nothing.
func testDRSettlementIsIdempotent(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	_, _, a, m := seed(t, db)
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		return tx.Enroll(ctx, staff, &customer.Enrollment{AccountID: a.ID, Program: "power_response", Track: "home", From: day(2024, 6, 1), Source: "staff"})
	})
	ev := day(2026, 9, 10)
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		return tx.PutIntervals(ctx, m.Channels[0].ID, eventDayLoad(ev))
	})
	p := drProgram(t, "power_response")
	p.Rate = 1_000_000
	e, err := schedule(db, p, ev, 16, 18, localAt(ev, 9))
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []dr.Status{dr.Notified, dr.Active, dr.Completed} {
		setClock(db, localAt(ev, 19))
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.MoveEvent(ctx, staff, e.ID, st, "")
			return err
		})
	}
	save := db.SaveOutcomes(staff, p.Code)
	opt := dr.SettleOptions{Holidays: calendar.UtilityHolidays()}
	sum, err := dr.SettleEvent(ctx, db, p, e.ID, opt, save)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Participants != 1 || sum.Saved != 1 || sum.Settled != 1 || sum.ReductionWh != 700 || sum.Amount != 70 {
		t.Errorf("first settlement %+v", sum)
	}
	again, err := dr.SettleEvent(ctx, db, p, e.ID, opt, save)
	if err != nil || again.Saved != 0 || again.Unchanged != 1 {
		t.Errorf("second settlement %+v, %v; want nothing saved", again, err)
	}
	rs, err := db.Settlements(ctx, e.ID, true)
	if err != nil || len(rs) != 1 {
		t.Fatalf("settlements %+v, %v", rs, err)
	}
	r := rs[0]
	if r.BaselineWh != 2200 || r.ActualWh != 1500 || r.Factor != 1.1 || r.DaysUsed != 10 || len(r.Intervals) != 2 || r.Intervals[0].BaselineWh != 1100 {
		t.Errorf("stored settlement %+v", r)
	}
	ps, err := db.Payables(ctx, a.ID, "payable", 0)
	if err != nil || len(ps) != 1 || ps[0].Amount != 70 || ps[0].Key != "dr:power_response:event:1:account:1" {
		t.Errorf("payables %+v, %v", ps, err)
	}
}

// testDRDevicesPayablesAndOutbox checks that devices register once,
// payables and notifications are idempotent by key, and device
// heartbeats are recorded.
func testDRDevicesPayablesAndOutbox(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	_, _, a, _ := seed(t, db)
	d := dr.Device{AccountID: a.ID, Program: "power_response", Type: "thermostat", Brand: "ecobee", Serial: "ECO-1", Enrolled: day(2025, 5, 1)}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.RegisterDevice(ctx, staff, &d) })
	dup := d
	wantErr(t, "same serial twice", txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.RegisterDevice(ctx, staff, &dup) }), apperr.Conflict, "")
	bad := dr.Device{AccountID: a.ID, Program: "power_response", Type: "toaster", Enrolled: day(2025, 5, 1)}
	wantErr(t, "bad device", txErr(db, func(ctx context.Context, tx *store.Tx) error { return tx.RegisterDevice(ctx, staff, &bad) }), apperr.Invalid, "device_type,serial")
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.TouchDevice(ctx, "thermostat", "ECO-1") })
	ds, _ := db.Devices(ctx, store.DeviceFilter{AccountID: a.ID})
	if len(ds) != 1 || !ds[0].LastSeen.Equal(t0) {
		t.Errorf("devices %+v", ds)
	}
	p := drProgram(t, "power_response")
	due := dr.IncentivesDue(p, ds[0].Device, day(2026, 6, 15))
	for range 2 {
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error { _, err := tx.AddPayables(ctx, staff, due); return err })
	}
	ps, _ := db.Payables(ctx, a.ID, "", 0)
	if len(ps) != 2 || ps[0].Amount != 8500 || ps[1].Amount != 4000 {
		t.Errorf("payables %+v, want $85 and $40 once each", ps)
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		return tx.MarkPayable(ctx, staff, ps[0].Key, "paid", "budget-entry-9")
	})
	wantErr(t, "paying twice", txErr(db, func(ctx context.Context, tx *store.Tx) error {
		return tx.MarkPayable(ctx, staff, ps[0].Key, "paid", "x")
	}), apperr.Conflict, "")
	e, err := schedule(db, drProgram(t, "pmp"), day(2026, 7, 7), 16, 21, localAt(day(2026, 7, 6), 14))
	if err != nil {
		t.Fatal(err)
	}
	n := store.Notification{EventID: e.ID, AccountID: a.ID, Channel: "email", Address: "ana@example.org", Kind: "notice", Body: "PMP event"}
	for range 2 {
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.QueueNotifications(ctx, []store.Notification{n})
			return err
		})
	}
	pending, _ := db.Notifications(ctx, 0, "pending", 0)
	if len(pending) != 1 {
		t.Fatalf("pending %+v", pending)
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		return tx.MarkNotification(ctx, pending[0].ID, true, "")
	})
	if pending, _ = db.Notifications(ctx, 0, "pending", 0); len(pending) != 0 {
		t.Errorf("still pending %+v", pending)
	}
}

// testEVSessionsAndSignals enrolls a vehicle, imports its sessions twice
// (stored once), refuses a session of an unknown vehicle storing nothing,
// and round-trips an emission signal across a missing day.
func testEVSessionsAndSignals(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	_, _, a, _ := seed(t, db)
	v := evcharge.Vehicle{AccountID: a.ID, Name: "EV-7", Make: "Chevrolet", Model: "Bolt", BatteryWh: 65000, MaxW: 7200, Charger: "level2", Enrolled: day(2025, 1, 15)}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error { return tx.EnrollVehicle(ctx, staff, &v) })
	plug := time.Date(2025, 7, 2, 1, 0, 0, 0, time.UTC)
	s := evcharge.Session{Vehicle: "EV-7", PlugIn: plug, Unplug: plug.Add(13 * time.Hour), MaxW: 7200,
		Charges: []evcharge.Charge{{Start: plug.Add(6 * time.Hour), End: plug.Add(8 * time.Hour), Wh: 14000}}}
	for i, want := range []store.SessionImport{{Added: 1}, {Unchanged: 1}} {
		var got store.SessionImport
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			var err error
			got, err = tx.ImportSessions(ctx, staff, []evcharge.Session{s})
			return err
		})
		if got != want {
			t.Errorf("import %d: %+v, want %+v", i+1, got, want)
		}
	}
	bad := s
	bad.Vehicle = "EV-404"
	wantErr(t, "unknown vehicle", txErr(db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.ImportSessions(ctx, staff, []evcharge.Session{bad})
		return err
	}), apperr.Invalid, "vehicle")
	ss, err := db.Sessions(ctx, a.ID, plug.Add(-time.Hour), plug.Add(time.Hour))
	if err != nil || len(ss) != 1 || ss[0].EnergyWh() != 14000 || !ss[0].Charges[0].Start.Equal(plug.Add(6*time.Hour)) {
		t.Errorf("sessions %+v, %v", ss, err)
	}
	sig := emissions.Signal{Kind: emissions.Marginal, Region: "SGIP_CAISO_SCE", Start: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC), Step: time.Hour}
	for i := range 72 {
		v := float64(200 + i)
		if i >= 24 && i < 48 {
			v = math.NaN() // 2 July missing
		}
		sig.Values = append(sig.Values, v)
	}
	for _, part := range []emissions.Signal{{Kind: sig.Kind, Region: sig.Region, Start: sig.Start, Step: sig.Step, Values: sig.Values[:24]},
		{Kind: sig.Kind, Region: sig.Region, Start: sig.Start.Add(48 * time.Hour), Step: sig.Step, Values: sig.Values[48:]}} {
		inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
			_, err := tx.PutSignal(ctx, staff, "sgip-sce", part)
			return err
		})
	}
	got, err := db.Signal(ctx, "sgip-sce", sig.Start, sig.Start.Add(72*time.Hour))
	if err != nil || len(got.Values) != 72 || got.Values[0] != 200 || !math.IsNaN(got.Values[30]) || got.Values[71] != 271 || got.Region != "SGIP_CAISO_SCE" {
		t.Errorf("signal %+v, %v", got, err)
	}
}
