package openadr

import (
	"context"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/store"
)

// Watch notifies subscribers of events created, changed or cancelled
// outside the VTN (the CLI, the console, the JSON API, the dispatch job):
// every interval it compares the events of the coming weeks with what it
// saw last and sends CREATE, UPDATE (a status change) or DELETE
// (cancelled) by webhook and MQTT. Events the VTN itself created or
// cancelled are not notified twice. The first look only records. It runs
// until ctx ends; one process should run it.
func (v *VTN) Watch(ctx context.Context, interval time.Duration) {
	seen := map[int64]dr.Status{}
	first := true
	for {
		v.watchOnce(ctx, seen, first)
		first = false
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

func (v *VTN) watchOnce(ctx context.Context, seen map[int64]dr.Status, first bool) {
	today := calendar.DateOf(v.db.Now())
	evs, err := v.db.DREvents(ctx, store.DREventFilter{From: today.AddDays(-2), To: today.AddDays(120), Limit: 10000})
	if err != nil {
		v.log.Warn("openadr watch", "err", err)
		return
	}
	cat, err := v.catalog()
	if err != nil {
		return
	}
	for _, e := range evs {
		if p, err := cat.Program(e.Program); err == nil && p.Kind == dr.Storage {
			v.watchFleet(ctx, p, e, first)
		}
		before, known := seen[e.ID]
		seen[e.ID] = e.Status
		if first || (known && before == e.Status) {
			continue
		}
		p, err := cat.Program(e.Program)
		if err != nil {
			continue
		}
		op := "UPDATE"
		switch {
		case !known && e.Status == dr.Cancelled:
			continue
		case !known:
			op = "CREATE"
		case e.Status == dr.Cancelled:
			op = "DELETE"
		}
		v.mu.Lock()
		own := v.own[e.ID]
		v.mu.Unlock()
		if own && (op == "CREATE" || op == "DELETE") {
			continue
		}
		v.notify(ctx, "EVENT", op, p.Code, eventJSON(p, e))
	}
}

// remember marks an event the VTN itself notified, so Watch does not
// repeat it.
func (v *VTN) remember(id int64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.own == nil {
		v.own = map[int64]bool{}
	}
	v.own[id] = true
}

// What Watch told of a storage event's battery dispatch events.
const (
	fleetAnnounced int8 = 1
	fleetWithdrawn int8 = 2
)

// watchFleet tells subscribers of a storage event's battery dispatch
// events ("dispatch-<event>-<device>"), made by store.Tx.DispatchFleet
// outside the VTN: CREATE for each once the plan is stored, DELETE for
// each when the event is cancelled. notify sends each only to the VENs
// holding its battery's target. The first look only records.
func (v *VTN) watchFleet(ctx context.Context, p dr.Program, e dr.Event, first bool) {
	v.mu.Lock()
	if v.fleet == nil {
		v.fleet = map[int64]int8{}
	}
	state := v.fleet[e.ID]
	v.mu.Unlock()
	if state == fleetWithdrawn || (state == fleetAnnounced && e.Status != dr.Cancelled) {
		return
	}
	if state == 0 && e.Status == dr.Cancelled {
		v.setFleet(e.ID, fleetWithdrawn)
		return
	}
	f, err := v.db.FleetPlanOf(ctx, e.ID)
	if apperr.Is(err, apperr.NotFound) {
		return
	} else if err != nil {
		v.log.Warn("openadr watch", "event", e.ID, "err", err)
		return
	}
	op, next := "CREATE", fleetAnnounced
	if e.Status == dr.Cancelled {
		op, next = "DELETE", fleetWithdrawn
	}
	v.setFleet(e.ID, next)
	if first {
		return
	}
	for _, d := range f.Dispatches {
		v.notify(ctx, "EVENT", op, p.Code, dispatchEventJSON(p, e, f, d))
	}
}

func (v *VTN) setFleet(id int64, state int8) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.fleet[id] = state
}
