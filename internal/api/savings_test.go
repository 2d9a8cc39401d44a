package api

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/store/storetest"
)

// eemeterSample returns the text of one of eemeter's gzip samples in
// ../shared/data/eemeter, skipping the test when absent.
func eemeterSample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../../shared/data/eemeter/samples/" + name)
	if err != nil {
		t.Skipf("eemeter samples not available: %v", err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(text)
}

func savingsBody(t *testing.T, options string) string {
	t.Helper()
	m, _ := json.Marshal(eemeterSample(t, "il-electricity-cdd-hdd-daily.csv.gz"))
	temp, _ := json.Marshal(eemeterSample(t, "il-tempF.csv.gz"))
	return fmt.Sprintf(`{"meter": %s, "temperature": %s, "options": %s}`, m, temp, options)
}

// TestSavingsCalcFitsPostedFiles: CalTRACK 2.0 daily on eemeter's
// il-electricity-cdd-hdd sample with UTC days gives eemeter 3.2.0's model
// (cdd_hdd, HBP 53, CBP 68) and savings 793.908; nothing is stored.
func TestSavingsCalcFitsPostedFiles(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	before := e.size()
	var out struct {
		Status       string             `json:"status"`
		ModelType    string             `json:"model_type"`
		Coefficients map[string]float64 `json:"coefficients"`
		Savings      struct {
			Savings float64 `json:"savings"`
		} `json:"savings"`
		Predictions []json.RawMessage `json:"predictions"`
	}
	e.do("POST", "/api/v1/savings/calc", savingsBody(t, `{"method": "caltrack-daily", "blackout_start": "2016-12-26",
		"blackout_end": "2017-01-04", "day_boundary": "utc", "predictions": true}`), e.analyst).want(t, http.StatusOK).decode(t, &out)
	if out.Status != "SUCCESS" || out.ModelType != "cdd_hdd" || out.Coefficients["heating_balance_point"] != 53 ||
		out.Coefficients["cooling_balance_point"] != 68 || fmt.Sprintf("%.3f", out.Savings.Savings) != "793.908" {
		t.Errorf("answer %+v", out)
	}
	if len(out.Predictions) != 732 {
		t.Errorf("%d prediction rows, want 366 baseline + 366 reporting", len(out.Predictions))
	}
	if after := e.size(); after != before {
		t.Errorf("database changed from %v to %v", before, after)
	}
}

// TestSavingsCalcRejectsBadInputNamingTheField: a blackout ending before
// it starts, an unknown method, an unknown option and a temperature unit
// are 400s naming the field.
func TestSavingsCalcRejectsBadInputNamingTheField(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	for _, c := range []struct{ body, field string }{
		{savingsBody(t, `{"method": "caltrack-daily", "blackout_start": "2017-01-04", "blackout_end": "2016-12-26"}`), "blackout_end"},
		{savingsBody(t, `{"method": "towt", "blackout_start": "2016-12-26", "blackout_end": "2017-01-04"}`), "method"},
		{savingsBody(t, `{"method": "caltrack-daily", "colour": "blue"}`), "colour"},
		{savingsBody(t, `{"method": "caltrack-daily", "blackout_start": "2016-12-26", "blackout_end": "2017-01-04", "temperature_unit": "K"}`), "temperature_unit"},
		{`{"meter": "start,value\n", "temperature": "dt,tempF\n", "options": {"method": "caltrack-daily", "blackout_start": "2016-12-26", "blackout_end": "2017-01-04"}}`, "meter"},
	} {
		p := e.do("POST", "/api/v1/savings/calc", c.body, e.admin).want(t, http.StatusBadRequest).problem(t)
		if !strings.Contains(fmt.Sprint(p), c.field) {
			t.Errorf("problem %+v does not name %q", p, c.field)
		}
	}
}
