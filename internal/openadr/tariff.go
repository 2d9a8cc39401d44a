package openadr

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/dr"
)

// Tariff programs: "In OpenADR 3, a tariff is simply a type of program"
// (3.1.0 User Guide, research/dr-ev.md §1.2). Every stored TOU tariff in
// force is a program "tou-<code>"; its events are one per local day,
// "tou-<code>-<yyyymmdd>", with an interval per TOU period carrying the
// PRICE ($/kWh, first tier) and the SIMPLE level (0 the day's cheapest,
// 2 its peak) a light switch shows (research/dr-ev.md §7).

const tariffPrefix = "tou-"

func tariffProgramJSON(code string) map[string]any {
	return map[string]any{
		"id": tariffPrefix + code, "createdDateTime": stamp(catalogEpoch), "modificationDateTime": stamp(catalogEpoch), "objectType": "PROGRAM",
		"programName": tariffPrefix + code, "programDescriptions": nil, "payloadDescriptors": nil, "targets": nil,
		"attributes": []any{map[string]any{"type": "DESCRIPTION", "values": []any{"TOU prices of rate schedule " + code}}},
	}
}

// tariffEventJSON is one day of a tariff program.
func tariffEventJSON(code string, d calendar.Date, segs []dr.Segment) map[string]any {
	var intervals []any
	for i, s := range segs {
		intervals = append(intervals, map[string]any{"id": i,
			"intervalPeriod": map[string]any{"start": stamp(s.Start), "duration": isoDuration(s.End.Sub(s.Start))},
			"payloads": []any{
				map[string]any{"type": "PRICE", "values": []any{float64(s.Price) / 1e6}},
				map[string]any{"type": "SIMPLE", "values": []any{s.Level}},
			}})
	}
	start := d.Start()
	return map[string]any{
		"id": fmt.Sprintf("%s%s-%04d%02d%02d", tariffPrefix, code, d.Year, d.Month, d.Day), "createdDateTime": stamp(start),
		"modificationDateTime": stamp(start), "objectType": "EVENT", "programID": tariffPrefix + code,
		"eventName": fmt.Sprintf("%s TOU prices %s", code, d), "priority": nil, "targets": nil, "reportDescriptors": nil,
		"payloadDescriptors": []any{
			map[string]any{"objectType": "EVENT_PAYLOAD_DESCRIPTOR", "payloadType": "PRICE", "units": "KWH", "currency": "USD"},
			map[string]any{"objectType": "EVENT_PAYLOAD_DESCRIPTOR", "payloadType": "SIMPLE", "units": nil, "currency": nil},
		},
		"intervalPeriod": map[string]any{"start": stamp(start), "duration": isoDuration(d.Next().Start().Sub(start))},
		"intervals":      intervals,
	}
}

// tariffPrograms lists the tariff programs in force today.
func (v *VTN) tariffPrograms(ctx context.Context) ([]map[string]any, error) {
	codes, err := TOUCodes(ctx, v.db, calendar.DateOf(v.db.Now()))
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	for _, c := range codes {
		out = append(out, tariffProgramJSON(c))
	}
	return out, nil
}

// tariffEvents returns a tariff program's events for today and tomorrow.
func (v *VTN) tariffEvents(ctx context.Context, programID string) ([]map[string]any, error) {
	code := strings.TrimPrefix(programID, tariffPrefix)
	today := calendar.DateOf(v.db.Now())
	var out []map[string]any
	for _, d := range []calendar.Date{today, today.Next()} {
		ev, err := v.tariffEvent(ctx, code, d)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

func (v *VTN) tariffEvent(ctx context.Context, code string, d calendar.Date) (map[string]any, error) {
	rec, err := v.db.TariffOn(ctx, "", code, d)
	if err != nil {
		return nil, err
	}
	segs, err := dr.DaySchedule(&rec.Version, d)
	if err != nil {
		return nil, err
	}
	return tariffEventJSON(code, d, segs), nil
}

// tariffEventByID resolves "tou-<code>-<yyyymmdd>".
func (v *VTN) tariffEventByID(ctx context.Context, id string) (map[string]any, error) {
	rest := strings.TrimPrefix(id, tariffPrefix)
	i := strings.LastIndex(rest, "-")
	if i < 0 {
		return nil, apperr.NotFoundf("openadr", "event %s not found", id)
	}
	t, err := time.Parse("20060102", rest[i+1:])
	if err != nil {
		return nil, apperr.NotFoundf("openadr", "event %s not found", id)
	}
	return v.tariffEvent(ctx, rest[:i], calendar.Date{Year: t.Year(), Month: t.Month(), Day: t.Day()})
}

// isTariff reports whether an id names a tariff program or its event.
func isTariff(id string) bool { return strings.HasPrefix(id, tariffPrefix) }

// getTariffProgram answers GET /programs/tou-<code>.
func (v *VTN) getTariffProgram(w http.ResponseWriter, r *http.Request, id string) {
	code := strings.TrimPrefix(id, tariffPrefix)
	if _, err := v.db.TariffOn(r.Context(), "", code, calendar.DateOf(v.db.Now())); err != nil {
		v.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, tariffProgramJSON(code))
}
