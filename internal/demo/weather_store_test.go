package demo

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/savings"
)

// TestDemoPremisesHaveStationWeather: every demo premise's CZ2010 station
// (by ZIP) holds the demo year's hourly temperature — 8,760 hours — so a
// demo meter can be given a savings model.
func TestDemoPremisesHaveStationWeather(t *testing.T) {
	db := openDB(t, "weather.db")
	generate(t, db, Options{Accounts: 40, Seed: 7, Year: 2025})
	ctx := context.Background()
	stations, err := db.WeatherStations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(stations) == 0 {
		t.Fatal("no weather stations")
	}
	for _, s := range stations {
		if s.Hours != 8760 {
			t.Errorf("station %s holds %d hours, want 8,760", s.Code, s.Hours)
		}
	}
	ms, err := db.Meters(ctx, 1)
	if err != nil || len(ms) == 0 {
		t.Fatalf("meters of account 1: %v %v", ms, err)
	}
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, calendar.Pacific)
	in, err := db.SavingsInputs(ctx, ms[0].ID, from, from.AddDate(1, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	present := 0
	for _, v := range in.Temperature.DegF {
		if !math.IsNaN(v) {
			present++
		}
	}
	if present != 8760 || len(in.Usage) != 366 {
		t.Errorf("%d hours of temperature, %d days (with the end marker)", present, len(in.Usage))
	}
	// half a year each side of a mid-year blackout fits a model
	res, err := savings.Evaluate(in.Usage, in.Temperature, savings.CalcOptions{Method: savings.MethodCalTRACKDaily,
		BlackoutStart: calendar.Date{Year: 2025, Month: 7, Day: 1}, BlackoutEnd: calendar.Date{Year: 2025, Month: 7, Day: 1}, Solar: in.Solar})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != "SUCCESS" {
		t.Errorf("status %s, disqualifications %v", res.Status, res.Disqualifications)
	}
}
