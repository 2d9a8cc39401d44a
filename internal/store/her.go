package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/savings"
)

// HERReport is a home energy report: an account's use in a monthly cycle
// against its neighbors, frozen when first made.
type HERReport struct {
	ID          int64     `json:"id"`
	AccountID   int64     `json:"account_id"`
	Cycle       string    `json:"cycle"` // YYYY-MM
	Usage       energy.Wh `json:"usage_wh_per_day"`
	Average     energy.Wh `json:"average_wh_per_day"`
	Efficient   energy.Wh `json:"efficient_wh_per_day"`
	Standing    string    `json:"standing"`
	Neighbors   int       `json:"neighbors"`
	NeighborIDs []int64   `json:"neighbor_ids"`
	Grouping    string    `json:"grouping"` // how neighbors were found, e.g. "ZIP 90001"
	// Method is HERByAttributes when the neighbors were chosen by the
	// home attributes (dwelling, heating fuel, size band, distance) and
	// HERFallback when the home lacks them and residential accounts of
	// the same ZIP or climate zone were compared by use alone.
	Method  string            `json:"method"`
	Shape   savings.LoadShape `json:"load_shape"`
	Created time.Time         `json:"created_at"`
}

// Tips returns the report's recommendations.
func (r HERReport) Tips() []savings.Recommendation { return savings.Recommend(r.Shape, r.Standing) }

// How a report's neighbors were chosen.
const (
	HERByAttributes = "attributes"
	HERFallback     = "fallback"
)

// herOccupiedWhPerDay is the vacancy floor: a home using less than 1 kWh a
// day in the cycle is treated as unoccupied and never a neighbor.
const herOccupiedWhPerDay = 1000

// cycleDays returns the local month's first instant, end and days.
func cycleDays(cycle string) (time.Time, time.Time, float64, error) {
	t, err := time.ParseInLocation("2006-01", cycle, calendar.Pacific)
	if err != nil {
		var f apperr.Fields
		f.Add("cycle", "want a month written YYYY-MM, not %q", cycle)
		return time.Time{}, time.Time{}, 0, f.Err("store.HERReport")
	}
	end := t.AddDate(0, 1, 0)
	days := float64(calendar.DateOf(t).DaysUntil(calendar.DateOf(end)))
	return t, end, days, nil
}

// residentialUse returns the delivered use per day in a cycle of every
// residential account whose premise matches where (a ZIP or a climate
// zone), as homes for the fallback comparison: they differ only by use.
func (q queries) residentialUse(ctx context.Context, cycle string, days float64, where string, arg any) ([]savings.Home, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT a.id, SUM(b.sum_wh) FROM interval_blocks b
		JOIN channels c ON c.id = b.channel_id JOIN meters m ON m.id = c.meter_id
		JOIN accounts a ON a.id = m.account_id JOIN premises p ON p.id = a.premise_id
		WHERE b.month = $1 AND c.direction = 'delivered' AND a.class = 'residential' AND `+where+`
		GROUP BY a.id ORDER BY a.id`, cycle, arg)
	if err != nil {
		return nil, fmt.Errorf("store: residential use: %w", err)
	}
	defer rows.Close()
	var out []savings.Home
	for rows.Next() {
		var id, sum int64
		if err := rows.Scan(&id, &sum); err != nil {
			return nil, fmt.Errorf("store: residential use: %w", err)
		}
		perDay := float64(sum) / 1000 / days
		out = append(out, savings.Home{ID: id, Fuel: "electric", Dwelling: "unknown", HeatingFuel: "unknown",
			Occupied: float64(sum)/days > herOccupiedWhPerDay, UsagePerDay: perDay})
	}
	return out, rows.Err()
}

// nearbyUse returns the delivered use per day in a cycle of every
// residential account whose premise has coordinates within the box of
// radiusKm around self's (the haversine test is savings'), with their home
// attributes, as homes for the comparison by attributes.
func (q queries) nearbyUse(ctx context.Context, cycle string, days float64, self *customer.Location, radiusKm float64) ([]savings.Home, error) {
	// 1° of latitude is 2π·6371.0088/360 = 111.195 km; a degree of
	// longitude shrinks with cos(latitude). The box is widened by 1%.
	dLat := radiusKm / 111.195 * 1.01
	dLon := dLat / math.Cos(self.Lat*math.Pi/180)
	rows, err := q.q.QueryContext(ctx, `SELECT a.id, SUM(b.sum_wh), p.dwelling_type, p.heating_fuel, p.floor_area_sqft, p.lat_microdeg, p.lon_microdeg
		FROM interval_blocks b JOIN channels c ON c.id = b.channel_id JOIN meters m ON m.id = c.meter_id
		JOIN accounts a ON a.id = m.account_id JOIN premises p ON p.id = a.premise_id
		WHERE b.month = $1 AND c.direction = 'delivered' AND a.class = 'residential'
		AND p.lat_microdeg BETWEEN $2 AND $3 AND p.lon_microdeg BETWEEN $4 AND $5
		GROUP BY a.id, p.dwelling_type, p.heating_fuel, p.floor_area_sqft, p.lat_microdeg, p.lon_microdeg ORDER BY a.id`,
		cycle, customer.Micro(self.Lat-dLat), customer.Micro(self.Lat+dLat), customer.Micro(self.Lon-dLon), customer.Micro(self.Lon+dLon))
	if err != nil {
		return nil, fmt.Errorf("store: nearby use: %w", err)
	}
	defer rows.Close()
	var out []savings.Home
	for rows.Next() {
		var h savings.Home
		var sum, lat, lon int64
		var sqft int
		if err := rows.Scan(&h.ID, &sum, &h.Dwelling, &h.HeatingFuel, &sqft, &lat, &lon); err != nil {
			return nil, fmt.Errorf("store: nearby use: %w", err)
		}
		h.Fuel, h.SqFt, h.Lat, h.Lon = "electric", float64(sqft), customer.FromMicro(lat), customer.FromMicro(lon)
		h.Occupied, h.UsagePerDay = float64(sum)/days > herOccupiedWhPerDay, float64(sum)/1000/days
		out = append(out, h)
	}
	return out, rows.Err()
}

// herNeighbors finds the homes a report compares p's account with: by the
// home attributes when p records them all, else the fallback — the
// residential accounts of the same ZIP, or of the same climate zone when
// the ZIP has too few — labelled with the attributes missing.
func (q queries) herNeighbors(ctx context.Context, p customer.Premise, cycle string, days float64, rules savings.NeighborRules) ([]savings.Home, string, string, error) {
	if p.Home.Known() {
		homes, err := q.nearbyUse(ctx, cycle, days, p.Home.Location, rules.MaxRadiusKm)
		return homes, HERByAttributes, "", err
	}
	var homes []savings.Home
	var err error
	grouping := ""
	for _, g := range []struct {
		label, where string
		arg          any
	}{{"ZIP " + p.ZIP, "p.zip = $2", p.ZIP}, {fmt.Sprintf("climate zone %d", p.ClimateZone), "p.climate_zone = $2", p.ClimateZone}} {
		if homes, err = q.residentialUse(ctx, cycle, days, g.where, g.arg); err != nil {
			return nil, "", "", err
		}
		grouping = g.label
		if len(homes) > rules.MinGroup {
			break
		}
	}
	var missing []string
	for _, m := range p.Home.Missing() {
		missing = append(missing, map[string]string{"dwelling_type": "dwelling type", "heating_fuel": "heating fuel",
			"floor_area_sqft": "floor area", "location": "location"}[m])
	}
	return homes, HERFallback, fmt.Sprintf("residential accounts of %s by use alone (the home's %s not recorded)", grouping,
		strings.Join(missing, ", ")), nil
}

// attributeGrouping describes a comparison by home attributes.
func attributeGrouping(h customer.Home, c savings.Comparison, rules savings.NeighborRules) string {
	return fmt.Sprintf("%s homes heated by %s within %g km, %d sq ft ±%.0f%%", strings.ReplaceAll(h.DwellingType, "_", "-"),
		strings.ReplaceAll(h.HeatingFuel, "_", " "), rules.MaxRadiusKm, h.FloorAreaSqFt, c.SizeBand*100)
}

// HERReport returns the account's report for a cycle, making and freezing
// it the first time: the neighbors are the homes of the same dwelling type
// and heating fuel within the size band and 10 km (savings.NeighborReport)
// when the premise records its home attributes, else the residential
// accounts of the same ZIP, or of the same climate zone when the ZIP has
// too few, compared by use alone (HERFallback, labelled); the tips come
// from the account's own hourly load shape.
func (db *DB) HERReport(ctx context.Context, accountID int64, cycle string) (HERReport, error) {
	if r, err := db.storedHER(ctx, accountID, cycle); err == nil || !apperr.Is(err, apperr.NotFound) {
		return r, err
	}
	from, to, days, err := cycleDays(cycle)
	if err != nil {
		return HERReport{}, err
	}
	a, err := db.Account(ctx, accountID)
	if err != nil {
		return HERReport{}, err
	}
	p, err := db.Premise(ctx, a.PremiseID)
	if err != nil {
		return HERReport{}, err
	}
	rules := savings.DefaultNeighborRules()
	homes, method, grouping, err := db.herNeighbors(ctx, p, cycle, days, rules)
	if err != nil {
		return HERReport{}, err
	}
	var self *savings.Home
	for i := range homes {
		if homes[i].ID == accountID {
			self = &homes[i]
		}
	}
	if self == nil {
		return HERReport{}, apperr.NotFoundf("store.HERReport", "account %d has no use recorded in %s", accountID, cycle)
	}
	cmp := savings.NeighborReport(*self, homes, rules)
	if method == HERByAttributes {
		grouping = attributeGrouping(p.Home, cmp, rules)
	}
	r := HERReport{AccountID: accountID, Cycle: cycle, Usage: energy.Wh(math.Round(cmp.Usage * 1000)), Standing: cmp.Standing,
		Neighbors: cmp.Group, NeighborIDs: cmp.NeighborIDs, Grouping: grouping, Method: method}
	if cmp.Standing != savings.StandingNone {
		r.Average, r.Efficient = energy.Wh(math.Round(cmp.Average*1000)), energy.Wh(math.Round(cmp.Efficient*1000))
	}
	if r.Shape, err = db.loadShape(ctx, accountID, from, to); err != nil {
		return r, err
	}
	err = db.InTx(ctx, func(tx *Tx) error {
		ids, err := json.Marshal(r.NeighborIDs)
		if err != nil {
			return err
		}
		shape, err := json.Marshal(r.Shape)
		if err != nil {
			return err
		}
		_, err = tx.q.ExecContext(ctx, `INSERT INTO her_reports (account_id, cycle, usage_wh_per_day, average_wh_per_day,
				efficient_wh_per_day, standing, neighbors, neighbor_ids, grouping, shape_json, created_unix, method)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (account_id, cycle) DO NOTHING`,
			r.AccountID, r.Cycle, int64(r.Usage), int64(r.Average), int64(r.Efficient), r.Standing, r.Neighbors, string(ids),
			r.Grouping, string(shape), tx.now().Unix(), r.Method)
		return err
	})
	if err != nil {
		return r, fmt.Errorf("store: her report: %w", err)
	}
	return db.storedHER(ctx, accountID, cycle)
}

// loadShape averages the account's delivered use by Pacific clock hour
// over [from, to) into a load shape.
func (q queries) loadShape(ctx context.Context, accountID int64, from, to time.Time) (savings.LoadShape, error) {
	ms, err := q.Meters(ctx, accountID)
	if err != nil {
		return savings.LoadShape{}, err
	}
	var sum [24]float64
	var n [24]int
	for _, m := range ms {
		for _, ch := range m.Channels {
			if ch.Direction != customer.Delivered {
				continue
			}
			s, err := q.Intervals(ctx, ch.ID, from, to)
			if err != nil {
				return savings.LoadShape{}, err
			}
			per := float64(time.Hour / s.Step)
			for i, v := range s.Values {
				if v == Missing {
					continue
				}
				h := s.Start.Add(time.Duration(i) * s.Step).In(calendar.Pacific).Hour()
				sum[h] += float64(v) / 1000
				n[h]++
			}
			var day [24]float64
			for h := range day {
				if n[h] > 0 {
					day[h] = sum[h] / float64(n[h]) * per
				}
			}
			return savings.ShapeOf(day)
		}
	}
	return savings.LoadShape{}, nil
}

// storedHER reads a frozen report.
func (q queries) storedHER(ctx context.Context, accountID int64, cycle string) (HERReport, error) {
	var r HERReport
	var ids, shape string
	var created, use, avg, eff int64
	err := q.q.QueryRowContext(ctx, `SELECT id, account_id, cycle, usage_wh_per_day, average_wh_per_day, efficient_wh_per_day, standing,
			neighbors, neighbor_ids, grouping, shape_json, created_unix, method FROM her_reports WHERE account_id = $1 AND cycle = $2`,
		accountID, cycle).Scan(&r.ID, &r.AccountID, &r.Cycle, &use, &avg, &eff, &r.Standing, &r.Neighbors, &ids, &r.Grouping, &shape, &created, &r.Method)
	if errors.Is(err, sql.ErrNoRows) {
		return r, apperr.NotFoundf("store.HERReport", "no report for account %d in %s", accountID, cycle)
	}
	if err != nil {
		return r, fmt.Errorf("store: her report: %w", err)
	}
	r.Usage, r.Average, r.Efficient = energy.Wh(use), energy.Wh(avg), energy.Wh(eff)
	r.Created = time.Unix(created, 0).UTC()
	if err := json.Unmarshal([]byte(ids), &r.NeighborIDs); err != nil {
		return r, err
	}
	return r, json.Unmarshal([]byte(shape), &r.Shape)
}

// LastUsageCycle returns the latest local month before the month before
// (YYYY-MM; the current month, still incomplete) with delivered use for
// the account, "" when none.
func (q queries) LastUsageCycle(ctx context.Context, accountID int64, before string) (string, error) {
	var month sql.NullString
	err := q.q.QueryRowContext(ctx, `SELECT MAX(b.month) FROM interval_blocks b JOIN channels c ON c.id = b.channel_id
		JOIN meters m ON m.id = c.meter_id WHERE m.account_id = $1 AND c.direction = 'delivered' AND b.sum_wh > 0 AND b.month < $2`,
		accountID, before).Scan(&month)
	if err != nil {
		return "", fmt.Errorf("store: last usage cycle: %w", err)
	}
	return month.String, nil
}
