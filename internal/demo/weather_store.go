package demo

import (
	"context"
	"slices"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/savings"
	"github.com/gridbook/gridbook/internal/store"
)

// storeWeather stores each demo climate zone's synthetic hourly
// temperature under the CZ2010 weather station of every demo ZIP in that
// zone (reference's ZIP table), so that savings models run on demo
// premises as they would on real ones. It returns the stations written.
func (g *generator) storeWeather(ctx context.Context, db *store.DB) ([]string, error) {
	type station struct {
		code, name string
		zone       int
	}
	var stations []station
	for _, p := range g.geo.places {
		cz, err := g.ref.ClimateZone(p.zip)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(stations, func(s station) bool { return s.code == cz.StationID }) {
			stations = append(stations, station{cz.StationID, cz.Station, p.zone})
		}
	}
	start := g.yearStart.Start()
	var codes []string
	err := db.InTx(ctx, func(tx *store.Tx) error {
		codes = codes[:0]
		for _, s := range stations {
			w := g.hourly.zones[s.zone]
			t := savings.Temperature{Start: start, DegF: make([]float64, len(w.temp))}
			for i, c := range w.temp {
				t.DegF[i] = savings.CToF(float64(c))
			}
			if _, err := tx.PutWeather(ctx, auth.System, s.code, s.name, "demo (synthetic, zone weather)", t); err != nil {
				return err
			}
			codes = append(codes, s.code)
		}
		return nil
	})
	return codes, err
}
