package web

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gridbook/gridbook/internal/calendar"
	"github.com/gridbook/gridbook/internal/savings"
	"github.com/gridbook/gridbook/internal/store"
)

// storeMariaWeather stores hourly temperature for the CZ2010 station of
// Maria's premise (Oxnard, ZIP 93030) over her meter's readings.
func storeMariaWeather(t *testing.T, s *testSite) string {
	t.Helper()
	cz, err := s.db.Reference().ClimateZone("93030")
	if err != nil {
		t.Fatal(err)
	}
	from := calendar.Date{Year: 2025, Month: 4, Day: 1}.Start()
	n := int(calendar.Date{Year: 2026, Month: 3, Day: 10}.Start().Sub(from) / time.Hour)
	temp := savings.Temperature{Start: from, DegF: make([]float64, n)}
	for i := range temp.DegF {
		temp.DegF[i] = 62 + 10*math.Sin(2*math.Pi*float64(i)/(365*24)) + 6*math.Sin(2*math.Pi*float64(i%24-9)/24)
	}
	err = s.db.InTx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.PutWeather(context.Background(), seedActor, cz.StationID, cz.Station, "test", temp)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return cz.StationID
}

// TestMeterSavingsPageFitsTheMeterAgainstItsStation: without weather the
// page says which station lacks it; with weather it shows the model, the
// data sufficiency (a half-year baseline is disqualified, and says so) and
// the weekly chart; a bad date is an inline error on its field.
func TestMeterSavingsPageFitsTheMeterAgainstItsStation(t *testing.T) {
	s := newTestSite(t)
	admin := s.login(t, "/login", adminEmail)
	ms, err := s.db.Meters(context.Background(), s.mariaAcct.ID)
	if err != nil || len(ms) != 1 {
		t.Fatalf("meters %v %v", ms, err)
	}
	path := fmt.Sprintf("/meters/%d/savings", ms[0].ID)
	w := s.get(t, path, admin)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "no weather is stored for station") {
		t.Fatalf("without weather: %d\n%s", w.Code, w.Body)
	}
	station := storeMariaWeather(t, s)
	w = s.get(t, path, admin)
	body := w.Body.String()
	for _, want := range []string{`value="2025-10-01"`, "station <span class=\"mono\">" + station, "SUCCESS",
		"too_many_days_with_missing_data", "adjusted R² 0.0000", "Weekly use: observed and the baseline model", "intercept"} {
		if !strings.Contains(body, want) {
			t.Errorf("lacks %q", want)
		}
	}
	// The eemeter 4.x daily model lists its split and its submodels'
	// breakpoints; the page's days column spells out the component.
	w = s.get(t, path+"?method=daily", admin)
	body = w.Body.String()
	for _, want := range []string{`id="savings-daily"`, "Split <span class=\"mono\">fw-su_sh_wi", "every day, all year", `value="daily" selected`,
		`id="savings-metrics4"`, "eemeter 4.1.1 metrics", "90% total savings uncertainty", "Fractional savings uncertainty"} {
		if !strings.Contains(body, want) {
			t.Errorf("daily model page lacks %q", want)
		}
	}
	if strings.Contains(w.Body.String(), `id="savings-daily"`) && !strings.Contains(body, "Heating breakpoint") {
		t.Errorf("daily model page lacks the submodel table")
	}
	// bills are not what a stored meter holds: the billing model is an
	// error on the method field, and no model is shown
	w = s.get(t, path+"?method=billing", admin)
	if body := w.Body.String(); !strings.Contains(body, "a stored meter is modelled on its days or hours") || strings.Contains(body, `id="savings-model"`) {
		t.Errorf("billing method:\n%s", body)
	}
	w = s.get(t, path+"?blackout_start=2025-13-01", admin)
	if !strings.Contains(w.Body.String(), "want a date written YYYY-MM-DD") || !strings.Contains(w.Body.String(), `aria-invalid="true"`) {
		t.Errorf("bad date:\n%s", w.Body)
	}
}

// TestSavingsRunPagesListRunsAndResults: a portfolio run of Maria's program
// with the eemeter 4.x daily model shows in the run list with its method
// and counts, and on its page with her meter's result and the link to its
// savings page under the run's method and fuel.
func TestSavingsRunPagesListRunsAndResults(t *testing.T) {
	s := newTestSite(t)
	storeMariaWeather(t, s)
	admin := s.login(t, "/login", adminEmail)
	ctx := context.Background()
	var run store.SavingsRun
	err := s.db.InTx(ctx, func(tx *store.Tx) (err error) {
		run, err = tx.CreateSavingsRun(ctx, seedActor, "care", savings.MethodDaily, 0, "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.WorkSavingsRun(ctx, seedActor, run.ID, nil); err != nil {
		t.Fatal(err)
	}
	w := s.get(t, "/savings", admin)
	if body := w.Body.String(); w.Code != http.StatusOK || !strings.Contains(body, `<a href="/savings/1">1</a>`) || !strings.Contains(body, ">care<") ||
		!strings.Contains(body, `<td class="mono">daily</td>`) {
		t.Errorf("runs page %d:\n%s", w.Code, body)
	}
	w = s.get(t, "/savings/1", admin)
	body := w.Body.String()
	for _, want := range []string{"Savings run 1:", "3000012345", "blackout_start=2025-07-01&amp;method=daily&amp;fuel=electricity", "SUCCESS",
		// eemeter 4.1.1's DailySufficiencyCriteria name for a half-year baseline
		"incorrect_number_of_total_days"} {
		if !strings.Contains(body, want) {
			t.Errorf("run page lacks %q", want)
		}
	}
	if w := s.get(t, "/savings/99", admin); w.Code != http.StatusNotFound {
		t.Errorf("unknown run: %d", w.Code)
	}
}
