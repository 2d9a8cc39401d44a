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
// every interval it compares the events of the coming weeks with what was
// last notified and sends CREATE, UPDATE (a status change) or DELETE
// (cancelled) by webhook and MQTT. It runs until ctx ends.
//
// What was notified is kept in the database (store.ClaimOADRWatch), not
// in memory: each change is claimed there before it is sent, so when
// several server processes share the database each change is notified by
// one of them, and after a restart only what changed meanwhile is sent.
// A claimed notification whose process stops before sending it is not
// sent again (at most once). Events the VTN itself created or cancelled
// are recorded in the same transaction and not notified twice. The very
// first look over a database only records.
func (v *VTN) Watch(ctx context.Context, interval time.Duration) {
	for {
		v.watchOnce(ctx)
		select {
		case <-ctx.Done():
			return
		case <-time.After(interval):
		}
	}
}

// Watched aspects and states (store.OADRWatchKey).
const (
	watchStatus    = "status"
	watchFleet     = "fleet"
	fleetAnnounced = "announced"
	fleetWithdrawn = "withdrawn"
)

var watchStart = store.OADRWatchKey{EventID: 0, Aspect: "start"}

func (v *VTN) watchOnce(ctx context.Context) {
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
	lo, hi := int64(1), int64(0)
	for i, e := range evs {
		if i == 0 || e.ID < lo {
			lo = e.ID
		}
		hi = max(hi, e.ID)
	}
	seen, err := v.db.OADRWatchStates(ctx, lo, hi)
	if err != nil {
		v.log.Warn("openadr watch", "err", err)
		return
	}
	if _, ok := seen[watchStart]; !ok {
		v.watchRecord(ctx, cat, evs)
		return
	}
	for _, e := range evs {
		p, err := cat.Program(e.Program)
		if err != nil {
			continue
		}
		if p.Kind == dr.Storage {
			v.watchFleet(ctx, p, e, seen[store.OADRWatchKey{EventID: e.ID, Aspect: watchFleet}])
		}
		before := seen[store.OADRWatchKey{EventID: e.ID, Aspect: watchStatus}]
		if before == string(e.Status) {
			continue
		}
		claimed, err := v.db.ClaimOADRWatch(ctx, store.OADRWatchKey{EventID: e.ID, Aspect: watchStatus}, before, string(e.Status))
		if err != nil {
			v.log.Warn("openadr watch", "event", e.ID, "err", err)
			continue
		}
		if !claimed {
			continue // another process notifies it
		}
		op := "UPDATE"
		switch {
		case before == "" && e.Status == dr.Cancelled:
			continue
		case before == "":
			op = "CREATE"
		case e.Status == dr.Cancelled:
			op = "DELETE"
		}
		v.notify(ctx, "EVENT", op, p.Code, eventJSON(p, e))
	}
}

// watchRecord is the first look over a database: it records the events'
// statuses and storage events' plans as they are, notifying nothing, in
// one transaction with the start marker (so of two processes starting
// at once one records and the other then watches).
func (v *VTN) watchRecord(ctx context.Context, cat *dr.Catalog, evs []dr.Event) {
	err := v.db.InTx(ctx, func(tx *store.Tx) error {
		if ok, err := tx.ClaimOADRWatch(ctx, watchStart, "", "recorded"); err != nil || !ok {
			return err
		}
		for _, e := range evs {
			if _, err := tx.ClaimOADRWatch(ctx, store.OADRWatchKey{EventID: e.ID, Aspect: watchStatus}, "", string(e.Status)); err != nil {
				return err
			}
			if p, err := cat.Program(e.Program); err != nil || p.Kind != dr.Storage {
				continue
			}
			state := fleetAnnounced
			if e.Status == dr.Cancelled {
				state = fleetWithdrawn
			} else if _, err := tx.FleetPlanOf(ctx, e.ID); apperr.Is(err, apperr.NotFound) {
				continue
			} else if err != nil {
				return err
			}
			if _, err := tx.ClaimOADRWatch(ctx, store.OADRWatchKey{EventID: e.ID, Aspect: watchFleet}, "", state); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		v.log.Warn("openadr watch", "err", err)
	}
}

// watchFleet tells subscribers of a storage event's battery dispatch
// events ("dispatch-<event>-<device>"), made by store.Tx.DispatchFleet
// outside the VTN: CREATE for each once the plan is stored, DELETE for
// each when the event is cancelled. notify sends each only to the VENs
// holding its battery's target. state is what was recorded ("",
// fleetAnnounced or fleetWithdrawn).
func (v *VTN) watchFleet(ctx context.Context, p dr.Program, e dr.Event, state string) {
	if state == fleetWithdrawn || (state == fleetAnnounced && e.Status != dr.Cancelled) {
		return
	}
	k := store.OADRWatchKey{EventID: e.ID, Aspect: watchFleet}
	if state == "" && e.Status == dr.Cancelled {
		if _, err := v.db.ClaimOADRWatch(ctx, k, "", fleetWithdrawn); err != nil {
			v.log.Warn("openadr watch", "event", e.ID, "err", err)
		}
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
	claimed, err := v.db.ClaimOADRWatch(ctx, k, state, next)
	if err != nil {
		v.log.Warn("openadr watch", "event", e.ID, "err", err)
		return
	}
	if !claimed {
		return // another process notifies it
	}
	for _, d := range f.Dispatches {
		v.notify(ctx, "EVENT", op, p.Code, dispatchEventJSON(p, e, f, d))
	}
}

// recordOwn records, in the transaction that created or cancelled event
// id through the VTN, the status the VTN notifies itself, so Watch does
// not repeat it.
func recordOwn(ctx context.Context, tx *store.Tx, id int64, s dr.Status) error {
	return tx.SetOADRWatch(ctx, store.OADRWatchKey{EventID: id, Aspect: watchStatus}, string(s))
}
