package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/nem"
	"github.com/gridbook/gridbook/internal/store"
)

// demoFleetMax bounds the demo's virtual power plant: at most this many
// of the homes whose solar system pairs a battery (nem.go) are enrolled.
const demoFleetMax = 200

// generateFleet enrolls the batteries paired with the demo's active NEM
// systems in the Solar and Battery Access virtual power plant
// (battery_vpp, seed 000), one in four sites keeping a 35% backup share
// instead of the program's 20% default, and dispatches one storage
// event on day d, 5–8 pm, at 3 kW a battery (the fleet at full charge
// could give 3.6 kW each: 10.8 kWh above a 20% reserve over 3 hours).
// Most batteries' VENs report what they delivered (DELTA_USAGE, 90–102%
// of the dispatch); the rest have not reported. It returns the number of
// batteries and the event's id (0 when no home has a battery).
func generateFleet(ctx context.Context, db *store.DB, seed int64, cat *dr.Catalog, d calendar.Date, year int) (int, int64, error) {
	r := rand.New(rand.NewPCG(uint64(seed), 0xba77_e125))
	vpp, err := cat.Program("battery_vpp")
	if err != nil {
		return 0, 0, err
	}
	apps, err := db.NEMApplications(ctx, store.NEMFilter{Statuses: []nem.Status{nem.Active}})
	if err != nil {
		return 0, 0, err
	}
	actor := auth.System
	local := func(h int) time.Time { return time.Date(d.Year, d.Month, d.Day, h, 0, 0, 0, calendar.Pacific).UTC() }
	var n int
	var eventID int64
	var rec store.FleetRecord
	err = db.InTx(ctx, func(tx *store.Tx) error {
		seen := map[int64]bool{}
		for _, a := range apps {
			st := a.System.Storage
			if st == nil || st.KWh <= 0 || st.KW <= 0 || seen[a.AccountID] || n == demoFleetMax {
				continue
			}
			seen[a.AccountID] = true
			dv := dr.Device{AccountID: a.AccountID, Program: vpp.Code, Type: "battery", Brand: "tesla", Serial: fmt.Sprintf("PW-%06d", a.AccountID),
				Enrolled: calendar.Date{Year: year, Month: time.January, Day: 15}, CapacityWh: int64(st.KWh), MaxW: int64(st.KW)}
			if r.IntN(4) == 0 {
				dv.ReservePct = 35
			}
			if err := tx.RegisterDevice(ctx, actor, &dv); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return nil
		}
		e, err := tx.ScheduleEvent(ctx, actor, vpp, dr.Proposal{Event: dr.Event{Start: local(17), End: local(20), Level: 2,
			Reason: "demo: evening net peak, resource adequacy"}, Notice: local(9)})
		if err != nil {
			return fmt.Errorf("demo: battery_vpp event %s: %w", d, err)
		}
		eventID = e.ID
		if rec, _, err = tx.DispatchFleet(ctx, actor, vpp, e.ID, energy.W(3000*n), dr.DefaultSOCPct); err != nil {
			return err
		}
		for _, step := range []struct {
			to dr.Status
			at time.Time
		}{{dr.Notified, local(9)}, {dr.Active, e.Start}, {dr.Completed, e.End}} {
			if _, err := tx.MoveEventAt(ctx, actor, e.ID, step.to, "demo", step.at); err != nil {
				return err
			}
		}
		// The VENs' reports: three hourly DELTA_USAGE intervals in kWh.
		for _, x := range rec.Dispatches {
			if r.Float64() < 0.12 {
				continue
			}
			delivered := float64(x.Wh) * (0.90 + 0.12*r.Float64()) / 1000
			var ivs []any
			for i := range 3 {
				ivs = append(ivs, map[string]any{"id": i, "payloads": []any{map[string]any{"type": "DELTA_USAGE", "values": []any{-round3(delivered / 3)}}}})
			}
			id := store.DispatchEventID(e.ID, x.DeviceID)
			body, err := json.Marshal(map[string]any{"id": "report-" + id, "objectType": "REPORT", "programID": vpp.Code, "eventID": id,
				"clientName": "demo battery aggregator", "reportName": "dispatch delivered",
				"payloadDescriptors": []any{map[string]any{"objectType": "REPORT_PAYLOAD_DESCRIPTOR", "payloadType": "DELTA_USAGE", "readingType": "DIRECT_READ", "units": "KWH"}},
				"resources":          []any{map[string]any{"resourceName": x.Serial, "intervalPeriod": map[string]any{"start": e.Start.Format(time.RFC3339), "duration": "PT1H"}, "intervals": ivs}}})
			if err != nil {
				return err
			}
			at := e.End.Add(15 * time.Minute)
			if err := tx.PutOADRObject(ctx, actor, store.OADRObject{ID: "report-" + id, Kind: "REPORT", ClientID: "demo-battery-ven", ProgramID: vpp.Code,
				EventID: id, Name: "dispatch delivered", Body: body, Created: at, Modified: at}); err != nil {
				return err
			}
		}
		return nil
	})
	return n, eventID, err
}

// round3 rounds to thousandths (Wh in a kWh figure).
func round3(v float64) float64 { return float64(int64(v*1000+0.5)) / 1000 }
