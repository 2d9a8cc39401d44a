package openadr

import (
	"context"
	"encoding/json"
	"math"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/store"
)

// A battery's state of charge reaches fleet dispatch from VEN reports
// (any report, on any event the VEN may report on) carrying
// STORAGE_CHARGE_LEVEL for a resource named for the battery's serial.
// OpenADR 3.1.0's report-payloads enumeration describes the value as "a
// percentage, where 0% is empty and 100% is full ... units of PERCENT"
// but bounds it to 0–1 (minimum 0, maximum 1); the bound is the schema a
// validator applies, so the value is read as a fraction of full: 0.62 is
// 62%. A reading's time is its interval's start, else its resource's
// intervalPeriod start, else when the VTN received it. A VEN's reading
// of a battery it does not hold (no resource named for the serial nor
// the serial among its targets) is not recorded, nor one of a serial
// that is no battery's; the report itself is stored either way.

// chargeReading is one STORAGE_CHARGE_LEVEL value of a report.
type chargeReading struct {
	serial   string
	at       time.Time
	permille int
}

// chargeReadings reads a report body's STORAGE_CHARGE_LEVEL values; a
// value outside 0–1 is Invalid.
func chargeReadings(body []byte, now time.Time) ([]chargeReading, error) {
	type period struct {
		Start string `json:"start"`
	}
	var rep struct {
		Resources []struct {
			ResourceName   string  `json:"resourceName"`
			IntervalPeriod *period `json:"intervalPeriod"`
			Intervals      []struct {
				IntervalPeriod *period `json:"intervalPeriod"`
				Payloads       []struct {
					Type   string `json:"type"`
					Values []any  `json:"values"`
				} `json:"payloads"`
			} `json:"intervals"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(body, &rep); err != nil {
		return nil, nil // check has refused a malformed report already
	}
	var out []chargeReading
	for _, res := range rep.Resources {
		for _, iv := range res.Intervals {
			at := now
			for _, p := range []*period{iv.IntervalPeriod, res.IntervalPeriod} {
				if p == nil || p.Start == "" {
					continue
				}
				if t, err := time.Parse(time.RFC3339, p.Start); err == nil {
					at = t.UTC()
					break
				}
			}
			for _, pl := range iv.Payloads {
				if pl.Type != "STORAGE_CHARGE_LEVEL" || len(pl.Values) == 0 {
					continue
				}
				v, ok := pl.Values[0].(float64)
				if !ok || v < 0 || v > 1 {
					var f apperr.Fields
					f.Add("resources.intervals.payloads", "a STORAGE_CHARGE_LEVEL value is a number from 0 (empty) to 1 (full)")
					return nil, f.Err("openadr.report")
				}
				out = append(out, chargeReading{serial: res.ResourceName, at: at, permille: int(math.Round(v * 1000))})
			}
		}
	}
	return out, nil
}

// heldCharges returns the charge readings of a report body that c may
// give: those of batteries it holds. It reads the store, so it runs
// before the report's transaction.
func (v *VTN) heldCharges(ctx context.Context, c caller, body []byte) ([]chargeReading, error) {
	rs, err := chargeReadings(body, v.db.Now())
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	held, err := v.targetsOf(ctx, c)
	if err != nil {
		return nil, err
	}
	out := rs[:0]
	for _, r := range rs {
		if held == nil || held[r.serial] {
			out = append(out, r)
		}
	}
	return out, nil
}

// recordCharges stores readings in the report's transaction; a serial
// that is no battery's is skipped.
func recordCharges(ctx context.Context, tx *store.Tx, c caller, rs []chargeReading) error {
	for _, r := range rs {
		err := tx.RecordCharge(ctx, r.serial, r.at, r.permille, "openadr:"+c.ClientID)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
	}
	return nil
}
