package openadr

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/store"
)

// Battery fleet dispatch over OpenADR. Each battery's share of a storage
// event (store.SaveFleetPlan) is an event of its own for the site's VEN:
// id "dispatch-<event>-<device>", targets [the battery's serial], one
// DISPATCH_SETPOINT interval in kW over the event's window (the power the
// battery is to discharge; DISPATCH_SETPOINT is the payload the issue and
// research/dr-ev.md §1.2 name for batteries), and a report descriptor
// asking for DELTA_USAGE in kWh. A VEN holds a battery's target when one
// of its resources is named for the battery's serial (or it carries the
// serial among its own or its resources' targets); only those VENs see
// the event, in lists, by id and in notifications. The VEN reports what
// the battery delivered as DELTA_USAGE, the change in the site's usage
// against its baseline (report-payloads: "Change in usage as compared to
// a baseline"), so a discharge of 10.8 kWh is −10.8.

// dispatchEventJSON is one battery's dispatch as an OpenADR event.
func dispatchEventJSON(p dr.Program, e dr.Event, f store.FleetRecord, d store.DispatchRecord) map[string]any {
	kw := float64(d.W) / 1000
	return map[string]any{
		"id": store.DispatchEventID(e.ID, d.DeviceID), "createdDateTime": stamp(f.Created), "modificationDateTime": stamp(f.Created), "objectType": "EVENT",
		"programID": p.Code, "eventName": fmt.Sprintf("%s %s: dispatch %s", p.Name, calendar.DateOf(e.Start), d.Serial), "priority": 0,
		"targets":            []any{d.Serial},
		"payloadDescriptors": []any{map[string]any{"objectType": "EVENT_PAYLOAD_DESCRIPTOR", "payloadType": "DISPATCH_SETPOINT", "units": "KW", "currency": nil}},
		"reportDescriptors": []any{map[string]any{"payloadType": "DELTA_USAGE", "readingType": "DIRECT_READ", "units": "KWH", "aggregate": false,
			"startInterval": -1, "numIntervals": -1, "historical": true, "frequency": -1, "repeat": 1, "reportIntervals": "INTERVALS", "targets": []any{d.Serial}}},
		"intervalPeriod": map[string]any{"start": stamp(e.Start), "duration": isoDuration(e.Duration())},
		"intervals":      []any{map[string]any{"id": 0, "payloads": []any{map[string]any{"type": "DISPATCH_SETPOINT", "values": []any{kw}}}}},
	}
}

// dispatchEvents returns the dispatch events of the storage events among
// evs that are not cancelled.
func (v *VTN) dispatchEvents(ctx context.Context, cat *dr.Catalog, evs []dr.Event) ([]map[string]any, error) {
	var out []map[string]any
	for _, e := range evs {
		p, err := cat.Program(e.Program)
		if err != nil || p.Kind != dr.Storage || e.Status == dr.Cancelled {
			continue
		}
		f, err := v.db.FleetPlanOf(ctx, e.ID)
		if apperr.Is(err, apperr.NotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		for _, d := range f.Dispatches {
			out = append(out, dispatchEventJSON(p, e, f, d))
		}
	}
	return out, nil
}

// dispatchEvent resolves "dispatch-<event>-<device>".
func (v *VTN) dispatchEvent(ctx context.Context, id string) (map[string]any, error) {
	eid, did, ok := store.ParseDispatchEventID(id)
	if !ok {
		return nil, apperr.NotFoundf("openadr", "event %s not found", id)
	}
	e, err := v.db.DREvent(ctx, eid)
	if err != nil {
		return nil, apperr.NotFoundf("openadr", "event %s not found", id)
	}
	cat, err := v.catalog()
	if err != nil {
		return nil, err
	}
	p, err := cat.Program(e.Program)
	if err != nil || e.Status == dr.Cancelled {
		return nil, apperr.NotFoundf("openadr", "event %s not found", id)
	}
	f, err := v.db.FleetPlanOf(ctx, eid)
	if err != nil {
		return nil, apperr.NotFoundf("openadr", "event %s not found", id)
	}
	for _, d := range f.Dispatches {
		if d.DeviceID == did {
			return dispatchEventJSON(p, e, f, d), nil
		}
	}
	return nil, apperr.NotFoundf("openadr", "event %s not found", id)
}

// targetSet is what a client's targeted objects must name for it to see
// them; nil means everything (business logic).
type targetSet map[string]bool

// targetsOf returns the targets a client holds: for a VEN client, the
// names and targets of its VENs and its resources.
func (v *VTN) targetsOf(ctx context.Context, c caller) (targetSet, error) {
	if c.bl() {
		return nil, nil
	}
	return v.clientTargets(ctx, c.ClientID)
}

func (v *VTN) clientTargets(ctx context.Context, clientID string) (targetSet, error) {
	out := targetSet{}
	for _, k := range []kind{venKind, resourceKind} {
		objs, err := v.db.OADRObjects(ctx, store.OADRFilter{Kind: k.kind, ClientID: clientID})
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			var body struct {
				VenName      string   `json:"venName"`
				ResourceName string   `json:"resourceName"`
				Targets      []string `json:"targets"`
			}
			if json.Unmarshal(o.Body, &body) != nil {
				continue
			}
			for _, s := range append(body.Targets, body.VenName, body.ResourceName) {
				if s != "" {
					out[s] = true
				}
			}
		}
	}
	return out, nil
}

// venTargets is one VEN's target set: its name and targets and those of
// its resources.
func (v *VTN) venTargets(ctx context.Context, ven store.OADRObject) (targetSet, error) {
	out := targetSet{}
	add := func(body []byte) {
		var b struct {
			VenName      string   `json:"venName"`
			ResourceName string   `json:"resourceName"`
			Targets      []string `json:"targets"`
		}
		if json.Unmarshal(body, &b) != nil {
			return
		}
		for _, s := range append(b.Targets, b.VenName, b.ResourceName) {
			if s != "" {
				out[s] = true
			}
		}
	}
	add(ven.Body)
	rs, err := v.db.OADRObjects(ctx, store.OADRFilter{Kind: resourceKind.kind, VenID: ven.ID})
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		add(r.Body)
	}
	return out, nil
}

// eventTargets reads an event's targets.
func eventTargets(ev map[string]any) []string {
	var out []string
	switch ts := ev["targets"].(type) {
	case []any:
		for _, t := range ts {
			if s, ok := t.(string); ok {
				out = append(out, s)
			}
		}
	case []string:
		out = ts
	}
	return out
}

// sees reports whether a client holding ts may see an event: every
// untargeted event, and a targeted one when it holds one of its targets.
func (ts targetSet) sees(ev map[string]any) bool {
	if ts == nil {
		return true
	}
	tg := eventTargets(ev)
	return len(tg) == 0 || slices.ContainsFunc(tg, func(s string) bool { return ts[s] })
}

// matches reports whether an event carries one of the targets a query
// asks for (the spec's targets query parameter); no targets asked
// matches everything.
func matches(ev map[string]any, want []string) bool {
	if len(want) == 0 {
		return true
	}
	return slices.ContainsFunc(eventTargets(ev), func(s string) bool { return slices.Contains(want, s) })
}

// DeliveryRow is one battery's dispatched and delivered energy.
type DeliveryRow struct {
	store.DispatchRecord
	dr.Delivery
}

// FleetDelivery is a storage event's dispatch set beside what its VENs
// reported the batteries delivered.
type FleetDelivery struct {
	Plan    store.FleetRecord  `json:"plan"`
	Rows    []DeliveryRow      `json:"batteries"`
	Summary dr.DeliverySummary `json:"summary"`
	// Reports are the VEN reports read, and Skipped those that could not
	// be read (no DELTA_USAGE, units other than KWH or WH) with why.
	Reports int      `json:"reports"`
	Skipped []string `json:"skipped,omitempty"`
}

// FleetSource is what Delivered reads: *store.DB, or *store.Tx inside a
// transaction.
type FleetSource interface {
	FleetPlanOf(ctx context.Context, eventID int64) (store.FleetRecord, error)
	DispatchReports(ctx context.Context, eventID int64) ([]store.OADRObject, error)
}

// Delivered computes a storage event's dispatched against delivered
// energy from the stored plan and its VENs' reports: for each battery the
// most recently changed report on its dispatch event, delivered Wh =
// −Σ DELTA_USAGE over its resources and intervals (kWh, or Wh when the
// report's payload descriptor says WH), rounded to the Wh.
func Delivered(ctx context.Context, db FleetSource, eventID int64) (FleetDelivery, error) {
	var out FleetDelivery
	plan, err := db.FleetPlanOf(ctx, eventID)
	if err != nil {
		return out, err
	}
	out.Plan = plan
	reports, err := db.DispatchReports(ctx, eventID)
	if err != nil {
		return out, err
	}
	latest := map[int64]store.OADRObject{}
	for _, r := range reports { // oldest first: the last one wins
		if _, did, ok := store.ParseDispatchEventID(r.EventID); ok {
			latest[did] = r
		}
	}
	delivered := map[int64]energy.Wh{}
	for did, r := range latest {
		out.Reports++
		wh, err := reportDeltaWh(r.Body)
		if err != nil {
			out.Skipped = append(out.Skipped, r.ID+": "+err.Error())
			continue
		}
		delivered[did] = -wh
	}
	slices.Sort(out.Skipped)
	rows, sum := dr.CompareDelivery(plan.FleetPlan.Dispatches, delivered)
	out.Summary = sum
	out.Rows = make([]DeliveryRow, len(rows))
	for i, r := range rows {
		out.Rows[i] = DeliveryRow{DispatchRecord: plan.Dispatches[i], Delivery: r}
	}
	return out, nil
}

// reportDeltaWh sums a report's DELTA_USAGE values in Wh.
func reportDeltaWh(body []byte) (energy.Wh, error) {
	var rep struct {
		PayloadDescriptors []struct {
			PayloadType string `json:"payloadType"`
			Units       string `json:"units"`
		} `json:"payloadDescriptors"`
		Resources []struct {
			Intervals []struct {
				Payloads []struct {
					Type   string    `json:"type"`
					Values []float64 `json:"values"`
				} `json:"payloads"`
			} `json:"intervals"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(body, &rep); err != nil {
		return 0, fmt.Errorf("unreadable report: %v", err)
	}
	scale := 1000.0 // KWH, what the dispatch event asks for
	for _, d := range rep.PayloadDescriptors {
		if d.PayloadType != "DELTA_USAGE" || d.Units == "" {
			continue
		}
		switch d.Units {
		case "KWH":
		case "WH":
			scale = 1
		default:
			return 0, fmt.Errorf("DELTA_USAGE in %s; want KWH or WH", d.Units)
		}
	}
	var sum float64
	found := false
	for _, res := range rep.Resources {
		for _, iv := range res.Intervals {
			for _, pl := range iv.Payloads {
				if pl.Type == "DELTA_USAGE" && len(pl.Values) == 1 {
					sum += pl.Values[0]
					found = true
				}
			}
		}
	}
	if !found {
		return 0, fmt.Errorf("no DELTA_USAGE")
	}
	return energy.Wh(math.Round(sum * scale)), nil
}
