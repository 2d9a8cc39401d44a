package storetest

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/apperr"
	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/energy"
	"github.com/gridbook/gridbook/internal/savings"
	"github.com/gridbook/gridbook/internal/store"
)

// hoursFrom builds an hourly temperature series: value(i) °F, NaN allowed.
func hoursFrom(start time.Time, n int, value func(i int) float64) savings.Temperature {
	t := savings.Temperature{Start: start, DegF: make([]float64, n)}
	for i := range t.DegF {
		t.DegF[i] = value(i)
	}
	return t
}

// testWeatherRoundTripAcrossMonths stores 60 days of hourly readings
// spanning a month boundary (2016-01-15 → 2016-03-15, leap February) and
// reads them back to the hundredth of a degree, with the station summary.
func testWeatherRoundTripAcrossMonths(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	start := time.Date(2016, 1, 15, 0, 0, 0, 0, time.UTC)
	in := hoursFrom(start, 60*24, func(i int) float64 { return 50 + 20*math.Sin(float64(i)/24) + 0.004 })
	var res store.WeatherImport
	inTx(t, db, func(ctx context.Context, tx *store.Tx) (err error) {
		res, err = tx.PutWeather(ctx, staff, "722874", "LOS-ANGELES-DOWNTOWN", "test", in)
		return err
	})
	if res.Months != 3 || res.Added != 1440 || res.Replaced != 0 {
		t.Errorf("import %+v, want 3 months and 1,440 hours added", res)
	}
	out, err := db.Weather(ctx, "722874", start.Add(-2*time.Hour), start.Add(60*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(out.DegF) != 1442 || !math.IsNaN(out.DegF[0]) || !math.IsNaN(out.DegF[1]) {
		t.Fatalf("read %d hours starting %v, %v", len(out.DegF), out.DegF[0], out.DegF[1])
	}
	for i, v := range in.DegF {
		if want := math.Round(v*100) / 100; out.DegF[i+2] != want {
			t.Fatalf("hour %d: %v °F, want %v", i, out.DegF[i+2], want)
		}
	}
	st, err := db.WeatherStationByCode(ctx, "722874")
	if err != nil {
		t.Fatal(err)
	}
	if st.Name != "LOS-ANGELES-DOWNTOWN" || st.Hours != 1440 || !st.First.Equal(time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC)) ||
		!st.Last.Equal(time.Date(2016, 4, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("station %+v", st)
	}
}

// testWeatherMergeKeepsWhatAFileLacks: a second file replaces the hours it
// has and keeps the ones it lacks; reading the same file again changes
// nothing; each import is audited.
func testWeatherMergeKeepsWhatAFileLacks(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	start := time.Date(2026, 3, 7, 0, 0, 0, 0, time.UTC)
	first := hoursFrom(start, 48, func(int) float64 { return 60 })
	second := hoursFrom(start, 48, func(i int) float64 {
		if i < 24 {
			return math.NaN()
		}
		return 61
	})
	var a, b, c store.WeatherImport
	inTx(t, db, func(ctx context.Context, tx *store.Tx) (err error) {
		if a, err = tx.PutWeather(ctx, staff, "X1", "", "test", first); err != nil {
			return err
		}
		if b, err = tx.PutWeather(ctx, staff, "X1", "", "test", second); err != nil {
			return err
		}
		c, err = tx.PutWeather(ctx, staff, "X1", "", "test", second)
		return err
	})
	if a.Added != 48 || b.Replaced != 24 || b.Added != 0 || c.Unchanged != 24 || c.Months != 0 {
		t.Errorf("imports %+v %+v %+v", a, b, c)
	}
	out, err := db.Weather(ctx, "X1", start, start.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if out.DegF[0] != 60 || out.DegF[23] != 60 || out.DegF[24] != 61 || out.DegF[47] != 61 {
		t.Errorf("merged %v", out.DegF)
	}
	recs, err := db.AuditLog(ctx, store.AuditFilter{Entity: "weather_station"})
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 {
		t.Errorf("%d audit records, want 3", len(recs))
	}
}

// testWeatherRejectsBadInput: no station code, an unknown station.
func testWeatherRejectsBadInput(t *testing.T, db *store.DB) {
	ctx := context.Background()
	err := db.InTx(ctx, func(tx *store.Tx) error {
		_, err := tx.PutWeather(ctx, staff, " ", "", "test", hoursFrom(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 2, func(int) float64 { return 1 }))
		return err
	})
	if !apperr.Is(err, apperr.Invalid) || apperr.FieldsOf(err)[0].Field != "station" {
		t.Errorf("empty code: %v", err)
	}
	if _, err := db.Weather(ctx, "nope", t0, t0.Add(time.Hour)); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("unknown station: %v", err)
	}
}

// testSavingsInputsNetDaysAndPremiseStation reads a meter's usage as
// Pacific days (2026-03-08 has 23 hours), net of its received channel, and
// the temperature of its premise's CZ2010 station (ZIP 90001 → zone 8,
// station 722956); without stored weather the error names the station.
func testSavingsInputsNetDaysAndPremiseStation(t *testing.T, db *store.DB) {
	ctx := context.Background()
	setClock(db, t0)
	_, _, _, m := seed(t, db)
	from := time.Date(2026, 3, 7, 0, 0, 0, 0, calendar.Pacific)
	to := time.Date(2026, 3, 10, 0, 0, 0, 0, calendar.Pacific)
	n := int(to.Sub(from) / time.Hour)
	vals := make([]energy.Wh, n)
	for i := range vals {
		vals[i] = 1000
	}
	put(t, db, m.Channels[0].ID, store.Series{Start: from.UTC(), Step: time.Hour, Values: vals})
	put(t, db, m.Channels[1].ID, store.Series{Start: from.UTC().Add(12 * time.Hour), Step: time.Hour, Values: []energy.Wh{250}})
	if _, err := db.SavingsInputs(ctx, m.ID, from, to); !apperr.Is(err, apperr.NotFound) || !strings.Contains(err.Error(), "722956") {
		t.Fatalf("without weather: %v", err)
	}
	inTx(t, db, func(ctx context.Context, tx *store.Tx) error {
		_, err := tx.PutWeather(ctx, staff, "722956", "HAWTHORNE-NORTHROP-FLD", "test", hoursFrom(from.UTC(), n, func(int) float64 { return 58 }))
		return err
	})
	in, err := db.SavingsInputs(ctx, m.ID, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if in.StationCode != "722956" || !in.Solar || len(in.Temperature.DegF) != n {
		t.Errorf("station %s solar %v, %d hours of weather", in.StationCode, in.Solar, len(in.Temperature.DegF))
	}
	want := []float64{23.75, 23, 24}
	for i, w := range want {
		if got := in.Usage[i].Value; math.Abs(got-w) > 1e-9 {
			t.Errorf("%s: %v kWh, want %v", in.Usage[i].Start.Format("2006-01-02"), got, w)
		}
	}
	// a stored meter is days or hours: the billing methods (CalTRACK 2.0's
	// and eemeter 4.x's) are refused naming method, and legacy settings
	// belong to the 4.x methods
	day := calendar.Date{Year: 2026, Month: 3, Day: 8}
	for _, c := range []struct {
		o     savings.CalcOptions
		field string
	}{
		{savings.CalcOptions{Method: savings.MethodCalTRACKBilling, BlackoutStart: day, BlackoutEnd: day}, "method"},
		{savings.CalcOptions{Method: savings.MethodBilling, BlackoutStart: day, BlackoutEnd: day}, "method"},
		{savings.CalcOptions{Method: savings.MethodCalTRACKDaily, DailyLegacy: true, BlackoutStart: day, BlackoutEnd: day}, "daily_legacy"},
	} {
		_, _, err := db.MeterSavings(ctx, m.ID, c.o)
		if !apperr.Is(err, apperr.Invalid) || len(apperr.FieldsOf(err)) != 1 || apperr.FieldsOf(err)[0].Field != c.field {
			t.Errorf("%s (legacy %v): %v, want an invalid %s", c.o.Method, c.o.DailyLegacy, err, c.field)
		}
	}
}
