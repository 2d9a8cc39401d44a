package store

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/savings"
)

// WeatherStation is a source of hourly outdoor temperature, with a summary
// of what is stored for it.
type WeatherStation struct {
	ID      int64     `json:"id"`
	Code    string    `json:"code"` // USAF/WBAN number of a CZ2010 station, or an operator's code
	Name    string    `json:"name"`
	Source  string    `json:"source"` // e.g. "NOAA ISD-Lite", "CSV", "demo"
	First   time.Time `json:"first"`  // first month stored (UTC month start); zero when none
	Last    time.Time `json:"last"`   // end of the last month stored
	Hours   int64     `json:"hours"`  // hours with a reading
	Updated time.Time `json:"updated"`
}

// WeatherImport summarises one PutWeather.
type WeatherImport struct {
	StationID int64 `json:"station_id"`
	Months    int   `json:"months"`    // blocks written
	Added     int   `json:"added"`     // hours that had no reading before
	Replaced  int   `json:"replaced"`  // hours whose reading changed
	Unchanged int   `json:"unchanged"` // hours read again with the same value
}

// weatherMissing is the packed value of an hour without a reading.
const weatherMissing = math.MinInt32

// hundredths converts °F to the stored integer (hundredths of a degree).
func hundredths(f float64) int64 {
	if math.IsNaN(f) {
		return weatherMissing
	}
	return int64(math.Round(f * 100))
}

func packWeather(vs []int64) []byte {
	buf := make([]byte, 0, len(vs)*2)
	var prev int64
	for _, v := range vs {
		buf = binary.AppendVarint(buf, v-prev)
		prev = v
	}
	return buf
}

func unpackWeather(b []byte, n int) ([]int64, error) {
	out := make([]int64, n)
	var prev int64
	for i := range out {
		d, k := binary.Varint(b)
		if k <= 0 {
			return nil, errors.New("store: corrupt weather block")
		}
		b = b[k:]
		prev += d
		out[i] = prev
	}
	return out, nil
}

func utcMonth(t time.Time) time.Time {
	y, m, _ := t.UTC().Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}

// PutWeather stores hourly temperature for the station with code
// (creating the station, or renaming it when name is given), merging
// hour by hour: readings replace what is stored, missing hours keep it. It
// writes one audit record with the counts.
func (tx *Tx) PutWeather(ctx context.Context, actor auth.Actor, code, name, source string, t savings.Temperature) (WeatherImport, error) {
	const op = "store.PutWeather"
	var f apperr.Fields
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 64 {
		f.Add("station", "a station code of 1–64 characters is required")
	}
	if !t.Start.Equal(t.Start.Truncate(time.Hour)) {
		f.Add("temperature", "must start on the hour")
	}
	if err := f.Err(op); err != nil {
		return WeatherImport{}, err
	}
	if name == "" {
		name = code
	}
	var res WeatherImport
	now := tx.now().Unix()
	err := tx.q.QueryRowContext(ctx, `INSERT INTO weather_stations (code, name, source, updated_unix) VALUES ($1, $2, $3, $4)
		ON CONFLICT (code) DO UPDATE SET name = CASE WHEN excluded.name = excluded.code THEN weather_stations.name ELSE excluded.name END,
			source = excluded.source, updated_unix = excluded.updated_unix
		RETURNING id`, code, name, source, now).Scan(&res.StationID)
	if err != nil {
		return res, fmt.Errorf("store: weather station: %w", mapErr(err))
	}
	for i := 0; i < len(t.DegF); {
		at := t.Start.Add(time.Duration(i) * time.Hour)
		ms := utcMonth(at)
		next := ms.AddDate(0, 1, 0)
		n := int(next.Sub(ms) / time.Hour)
		vals, err := tx.weatherBlock(ctx, res.StationID, ms, n)
		if err != nil {
			return res, err
		}
		changed := false
		for ; i < len(t.DegF) && t.Start.Add(time.Duration(i)*time.Hour).Before(next); i++ {
			v := hundredths(t.DegF[i])
			if v == weatherMissing {
				continue
			}
			k := int(t.Start.Add(time.Duration(i)*time.Hour).Sub(ms) / time.Hour)
			switch old := vals[k]; {
			case old == weatherMissing:
				res.Added++
			case old != v:
				res.Replaced++
			default:
				res.Unchanged++
				continue
			}
			vals[k], changed = v, true
		}
		if !changed {
			continue
		}
		present := 0
		for _, v := range vals {
			if v != weatherMissing {
				present++
			}
		}
		_, err = tx.q.ExecContext(ctx, `INSERT INTO weather_blocks (station_id, month, start_unix, n, present, packed, updated_unix)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (station_id, month) DO UPDATE SET present = excluded.present, packed = excluded.packed, updated_unix = excluded.updated_unix`,
			res.StationID, ms.Format("2006-01"), ms.Unix(), n, present, packWeather(vals), now)
		if err != nil {
			return res, fmt.Errorf("store: put weather: %w", err)
		}
		res.Months++
	}
	if err := tx.Audit(ctx, actor, "weather.import", "weather_station", res.StationID, map[string]any{
		"code": code, "source": source, "months": res.Months, "added": res.Added, "replaced": res.Replaced, "unchanged": res.Unchanged,
	}); err != nil {
		return res, err
	}
	return res, nil
}

// weatherBlock returns a month's stored readings, all missing when none.
func (q queries) weatherBlock(ctx context.Context, stationID int64, month time.Time, n int) ([]int64, error) {
	var packed []byte
	var stored int
	err := q.q.QueryRowContext(ctx, `SELECT n, packed FROM weather_blocks WHERE station_id = $1 AND month = $2`,
		stationID, month.Format("2006-01")).Scan(&stored, &packed)
	if errors.Is(err, sql.ErrNoRows) {
		out := make([]int64, n)
		for i := range out {
			out[i] = weatherMissing
		}
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: weather block: %w", err)
	}
	if stored != n {
		return nil, fmt.Errorf("store: weather block %d/%s holds %d hours, want %d", stationID, month.Format("2006-01"), stored, n)
	}
	return unpackWeather(packed, n)
}

// WeatherStationByCode returns a station by its code.
func (q queries) WeatherStationByCode(ctx context.Context, code string) (WeatherStation, error) {
	list, err := q.weatherStations(ctx, `WHERE s.code = $1`, code)
	if err != nil {
		return WeatherStation{}, err
	}
	if len(list) == 0 {
		return WeatherStation{}, apperr.NotFoundf("store.WeatherStationByCode", "no weather station %q", code)
	}
	return list[0], nil
}

// WeatherStations lists every station with what is stored for it.
func (q queries) WeatherStations(ctx context.Context) ([]WeatherStation, error) {
	return q.weatherStations(ctx, "")
}

func (q queries) weatherStations(ctx context.Context, where string, args ...any) ([]WeatherStation, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT s.id, s.code, s.name, s.source, s.updated_unix,
			COALESCE(MIN(b.start_unix), 0), COALESCE(MAX(b.start_unix + 3600 * b.n), 0), COALESCE(SUM(b.present), 0)
		FROM weather_stations s LEFT JOIN weather_blocks b ON b.station_id = s.id `+where+`
		GROUP BY s.id, s.code, s.name, s.source, s.updated_unix ORDER BY s.code`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: weather stations: %w", err)
	}
	defer rows.Close()
	var out []WeatherStation
	for rows.Next() {
		var s WeatherStation
		var upd, first, last int64
		if err := rows.Scan(&s.ID, &s.Code, &s.Name, &s.Source, &upd, &first, &last, &s.Hours); err != nil {
			return nil, fmt.Errorf("store: weather stations: %w", err)
		}
		s.Updated = time.Unix(upd, 0).UTC()
		if s.Hours > 0 {
			s.First, s.Last = time.Unix(first, 0).UTC(), time.Unix(last, 0).UTC()
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Weather returns a station's hourly temperature over [from, to) (rounded
// out to whole hours), NaN where no reading is stored; at most 800 days
// at once (a baseline year, the blackout and a reporting year).
func (q queries) Weather(ctx context.Context, code string, from, to time.Time) (savings.Temperature, error) {
	st, err := q.WeatherStationByCode(ctx, code)
	if err != nil {
		return savings.Temperature{}, err
	}
	return q.weather(ctx, st, from, to, nil)
}

// weather is Weather for a station already read, through wc when it is
// not nil.
func (q queries) weather(ctx context.Context, st WeatherStation, from, to time.Time, wc *weatherCache) (savings.Temperature, error) {
	from = from.UTC().Truncate(time.Hour)
	if e := to.UTC().Truncate(time.Hour); e.Before(to) {
		to = e.Add(time.Hour)
	}
	to = to.UTC()
	if !to.After(from) {
		return savings.Temperature{Start: from}, nil
	}
	if to.Sub(from) > 800*24*time.Hour {
		return savings.Temperature{}, apperr.Invalidf("store.Weather", "at most 800 days of weather per request")
	}
	out := savings.Temperature{Start: from, DegF: make([]float64, int(to.Sub(from)/time.Hour))}
	for i := range out.DegF {
		out.DegF[i] = math.NaN()
	}
	for ms := utcMonth(from); ms.Before(to); ms = ms.AddDate(0, 1, 0) {
		n := int(ms.AddDate(0, 1, 0).Sub(ms) / time.Hour)
		vals, err := wc.block(ctx, q, st.ID, ms, n)
		if err != nil {
			return savings.Temperature{}, err
		}
		for k, v := range vals {
			at := ms.Add(time.Duration(k) * time.Hour)
			if v == weatherMissing || at.Before(from) || !at.Before(to) {
				continue
			}
			out.DegF[int(at.Sub(from)/time.Hour)] = float64(v) / 100
		}
	}
	return out, nil
}
