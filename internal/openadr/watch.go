package openadr

import (
	"context"
	"time"

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
