package openadr

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/store"
)

// EV SmartCharge plans over OpenADR. A vehicle's plan in force (the
// latest stored, store.SaveEVPlan, while its departure is ahead) is an
// event of the ev_smartcharge program: id "evplan-<plan>", targets [the
// vehicle's name], one interval per planned slot with its own
// intervalPeriod and a DISPATCH_SETPOINT payload in kW — 3.1.0's
// event-interval-payloads: "DISPATCH_SETPOINT: The absolute amount of
// consumption by a resource", here the charging power to draw. Outside
// the slots the vehicle is not to charge. A VEN holds the vehicle's
// target when one of its resources is named for the vehicle (or carries
// the name among its targets), as for a battery's dispatch; only those
// VENs see the event. PublishEVPlan tells subscribers of a new plan.

// evPlanProgram is the program plan events belong to.
const evPlanProgram = "ev_smartcharge"

// evPlanEventID is a plan's event id.
func evPlanEventID(planID int64) string { return "evplan-" + strconv.FormatInt(planID, 10) }

// evPlanEventJSON is a stored plan as an OpenADR event.
func evPlanEventJSON(p store.EVPlanRecord) map[string]any {
	start, end := p.PlugIn, p.Departure
	if n := len(p.Plan.Slots); n > 0 {
		start, end = p.Plan.Slots[0].Start, p.Plan.Slots[n-1].End
	}
	intervals := []any{}
	for i, s := range p.Plan.Slots {
		intervals = append(intervals, map[string]any{"id": i,
			"intervalPeriod": map[string]any{"start": stamp(s.Start), "duration": isoDuration(s.End.Sub(s.Start))},
			"payloads":       []any{map[string]any{"type": "DISPATCH_SETPOINT", "values": []any{float64(s.W) / 1000}}}})
	}
	if len(intervals) == 0 { // nothing to charge: a zero setpoint over the stay
		intervals = append(intervals, map[string]any{"id": 0, "payloads": []any{map[string]any{"type": "DISPATCH_SETPOINT", "values": []any{0.0}}}})
	}
	return map[string]any{
		"id": evPlanEventID(p.ID), "createdDateTime": stamp(p.Created), "modificationDateTime": stamp(p.Created), "objectType": "EVENT",
		"programID": evPlanProgram, "priority": 0,
		"eventName":          fmt.Sprintf("EV SmartCharge %s: plan %d for departure %s", p.Vehicle, p.ID, p.Departure.In(calendar.Pacific).Format("2006-01-02 15:04")),
		"targets":            []any{p.Vehicle},
		"payloadDescriptors": []any{map[string]any{"objectType": "EVENT_PAYLOAD_DESCRIPTOR", "payloadType": "DISPATCH_SETPOINT", "units": "KW", "currency": nil}},
		"intervalPeriod":     map[string]any{"start": stamp(start), "duration": isoDuration(end.Sub(start))},
		"intervals":          intervals,
	}
}

// evPlanCache keeps the events of the plans in force between polls: the
// set changes only when a plan is stored (the largest plan id grows, in
// this process or another) or a departure passes (filtered on reading).
type evPlanCache struct {
	mu     sync.Mutex
	valid  bool
	last   int64     // largest plan id when built
	since  time.Time // the clock when built
	events []evPlanEntry
}

type evPlanEntry struct {
	departure time.Time
	event     map[string]any // shared read-only by every answer
}

// evPlanEvents returns the events of the plans in force, of vehicles not
// yet departed.
func (v *VTN) evPlanEvents(ctx context.Context) ([]map[string]any, error) {
	last, err := v.db.LastEVPlanID(ctx)
	if err != nil {
		return nil, err
	}
	now := v.db.Now()
	c := &v.evPlans
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.valid || c.last != last || now.Before(c.since) {
		ps, err := v.db.CurrentEVPlans(ctx, now)
		if err != nil {
			return nil, err
		}
		c.events = make([]evPlanEntry, 0, len(ps))
		for _, p := range ps {
			c.events = append(c.events, evPlanEntry{departure: p.Departure, event: evPlanEventJSON(p)})
		}
		c.valid, c.last, c.since = true, last, now
	}
	out := make([]map[string]any, 0, len(c.events))
	for _, e := range c.events {
		if e.departure.After(now) {
			out = append(out, e.event)
		}
	}
	return out, nil
}

// evPlanEvent resolves "evplan-<id>": any stored plan, in force or not.
func (v *VTN) evPlanEvent(ctx context.Context, id string) (map[string]any, error) {
	n, err := strconv.ParseInt(strings.TrimPrefix(id, "evplan-"), 10, 64)
	if err != nil || n <= 0 {
		return nil, apperr.NotFoundf("openadr", "event %s not found", id)
	}
	p, err := v.db.EVPlan(ctx, n)
	if err != nil {
		return nil, apperr.NotFoundf("openadr", "event %s not found", id)
	}
	return evPlanEventJSON(p), nil
}

// PublishEVPlan tells subscribers (webhooks and MQTT) of a stored plan:
// a CREATE of its event, sent only to the VENs holding the vehicle's
// target. gridbook serve calls it for each plan stored.
func (v *VTN) PublishEVPlan(ctx context.Context, p store.EVPlanRecord) {
	v.notify(ctx, "EVENT", "CREATE", evPlanProgram, evPlanEventJSON(p))
}
