package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/auth"
	"github.com/gridbook/gridbook/internal/customer"
	"github.com/gridbook/gridbook/internal/store"
	"github.com/gridbook/gridbook/internal/store/storetest"
	"github.com/gridbook/gridbook/internal/tariff"
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

// TestSavingsCalcFitsTheEemeter4DailyModel: the eemeter 4.x daily model
// on the same sample chooses no split and a smoothed heating, flat and
// cooling model, and saves eemeter 4.1.1's 833.181 kWh
// (../shared/data/eemeter, case 4.1.1/daily/il-electricity-cdd-hdd-daily);
// the answer carries the split, the submodels and eemeter 4.1.1's metrics.
func TestSavingsCalcFitsTheEemeter4DailyModel(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	var out struct {
		Status       string             `json:"status"`
		ModelType    string             `json:"model_type"`
		Coefficients map[string]float64 `json:"coefficients"`
		Savings      struct {
			Savings float64 `json:"savings"`
		} `json:"savings"`
		Daily struct {
			Split     string `json:"best_combination"`
			Submodels []struct {
				Component string `json:"component"`
			} `json:"submodels"`
		} `json:"daily_model"`
		Metrics struct {
			Reporting struct {
				FSU float64 `json:"fsu"`
			} `json:"reporting_metrics"`
		} `json:"eemeter4_metrics"`
	}
	e.do("POST", "/api/v1/savings/calc", savingsBody(t, `{"method": "daily", "blackout_start": "2016-12-26",
		"blackout_end": "2017-01-04", "day_boundary": "utc", "predictions": true}`), e.analyst).want(t, http.StatusOK).decode(t, &out)
	if out.Status != "SUCCESS" || out.ModelType != "hdd_tidd_cdd_smooth" || out.Daily.Split != "fw-su_sh_wi" ||
		len(out.Daily.Submodels) != 1 || fmt.Sprintf("%.3f", out.Savings.Savings) != "833.181" ||
		fmt.Sprintf("%.2f", out.Coefficients["hdd_bp"]) != "52.93" || fmt.Sprintf("%.3f", out.Metrics.Reporting.FSU) != "0.345" {
		t.Errorf("answer %+v", out)
	}
}

// TestSavingsCalcFitsTheEemeter4LegacyAndBillingModels: with daily_legacy
// the same sample gets eemeter 4.1.1's unsmoothed hdd_tidd_cdd model and
// 844.428 kWh saved; the billing model on the monthly bills saves
// 1,157.921 kWh over 335 reporting days with eemeter's ReportingMetrics on
// 12 months, FSU 3.813 (../shared/data/eemeter, cases
// 4.1.1/daily_legacy/il-electricity-cdd-hdd-daily and
// 4.1.1/billing/il-electricity-cdd-hdd-billing_monthly); legacy settings
// with a CalTRACK 2.0 method are a 400 naming daily_legacy.
func TestSavingsCalcFitsTheEemeter4LegacyAndBillingModels(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	type answer struct {
		ModelType    string             `json:"model_type"`
		Coefficients map[string]float64 `json:"coefficients"`
		Savings      struct {
			Periods int     `json:"periods"`
			Savings float64 `json:"savings"`
		} `json:"savings"`
		Metrics struct {
			Reporting struct {
				N   int     `json:"n"`
				FSU float64 `json:"fsu"`
			} `json:"reporting_metrics"`
		} `json:"eemeter4_metrics"`
	}
	var legacy answer
	e.do("POST", "/api/v1/savings/calc", savingsBody(t, `{"method": "daily", "daily_legacy": true, "blackout_start": "2016-12-26",
		"blackout_end": "2017-01-04", "day_boundary": "utc"}`), e.analyst).want(t, http.StatusOK).decode(t, &legacy)
	if legacy.ModelType != "hdd_tidd_cdd" || fmt.Sprintf("%.3f", legacy.Savings.Savings) != "844.428" ||
		fmt.Sprintf("%.2f", legacy.Coefficients["hdd_bp"]) != "53.23" || fmt.Sprintf("%.3f", legacy.Metrics.Reporting.FSU) != "0.344" {
		t.Errorf("legacy answer %+v", legacy)
	}
	bills, _ := json.Marshal(eemeterSample(t, "il-electricity-cdd-hdd-billing_monthly.csv.gz"))
	temp, _ := json.Marshal(eemeterSample(t, "il-tempF.csv.gz"))
	var billing answer
	e.do("POST", "/api/v1/savings/calc", fmt.Sprintf(`{"meter": %s, "temperature": %s, "options": {"method": "billing",
		"blackout_start": "2016-12-26", "blackout_end": "2017-01-04", "day_boundary": "utc"}}`, bills, temp), e.analyst).
		want(t, http.StatusOK).decode(t, &billing)
	if billing.ModelType != "hdd_tidd_cdd" || billing.Savings.Periods != 335 || fmt.Sprintf("%.3f", billing.Savings.Savings) != "1157.921" ||
		billing.Metrics.Reporting.N != 12 || fmt.Sprintf("%.3f", billing.Metrics.Reporting.FSU) != "3.813" {
		t.Errorf("billing answer %+v", billing)
	}
	p := e.do("POST", "/api/v1/savings/calc", savingsBody(t, `{"method": "caltrack-daily", "daily_legacy": true,
		"blackout_start": "2016-12-26", "blackout_end": "2017-01-04"}`), e.analyst).want(t, http.StatusBadRequest).problem(t)
	if !strings.Contains(fmt.Sprint(p), "daily_legacy") {
		t.Errorf("problem %+v does not name daily_legacy", p)
	}
	// eemeter's exact optimiser path: 4.1.1's hdd_tidd_cdd_smooth and
	// 833.181 kWh (cases/4.1.1/daily/il-electricity-cdd-hdd-daily)
	var exact answer
	e.do("POST", "/api/v1/savings/calc", savingsBody(t, `{"method": "daily", "daily_exact_path": true, "blackout_start": "2016-12-26",
		"blackout_end": "2017-01-04", "day_boundary": "utc"}`), e.analyst).want(t, http.StatusOK).decode(t, &exact)
	if exact.ModelType != "hdd_tidd_cdd_smooth" || fmt.Sprintf("%.3f", exact.Savings.Savings) != "833.181" {
		t.Errorf("exact-path answer %+v", exact)
	}
	p = e.do("POST", "/api/v1/savings/calc", savingsBody(t, `{"method": "caltrack-hourly", "daily_exact_path": true,
		"blackout_start": "2016-12-26", "blackout_end": "2017-01-04"}`), e.analyst).want(t, http.StatusBadRequest).problem(t)
	if !strings.Contains(fmt.Sprint(p), "daily_exact_path") {
		t.Errorf("problem %+v does not name daily_exact_path", p)
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

// TestMeterSavingsUsesThePremiseStation: a stored meter's savings come
// from its usage as Pacific days and its premise's station weather; the
// 10% reduction shows as savings, the account's portal user may read it,
// bad dates name the field and a station without weather is 404.
func TestMeterSavingsUsesThePremiseStation(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	storetest.SeedTwoYears(t, e.db, e.meter1.Channels[0].ID, "722956", 0.9)
	var out struct {
		Station string `json:"station_code"`
		Zone    int    `json:"climate_zone"`
		Result  struct {
			Status  string `json:"status"`
			Model   string `json:"model_type"`
			Savings struct {
				Percent float64 `json:"percent_savings"`
			} `json:"savings"`
		} `json:"result"`
	}
	url := "/api/v1/meters/" + itoa(e.meter1.ID) + "/savings?blackout_start=2026-01-01&blackout_end=2026-01-01"
	e.do("GET", url, "", e.portal).want(t, http.StatusOK).decode(t, &out)
	if out.Station != "722956" || out.Zone != 8 || out.Result.Status != "SUCCESS" || out.Result.Model != "cdd_hdd" ||
		math.Abs(out.Result.Savings.Percent-10) > 1 {
		t.Errorf("answer %+v, want station 722956, cdd_hdd and about 10%% saved", out)
	}
	// CalTRACK hourly on the same meter's clock hours finds the same 10%,
	// with eemeter 4.1.1's metrics over the reporting year's hours
	var hourly struct {
		Result struct {
			Status  string `json:"status"`
			Model   string `json:"model_type"`
			Savings struct {
				Periods int     `json:"periods"`
				Percent float64 `json:"percent_savings"`
			} `json:"savings"`
			Metrics struct {
				Reporting struct {
					N int `json:"n"`
				} `json:"reporting_metrics"`
			} `json:"eemeter4_metrics"`
		} `json:"result"`
	}
	e.do("GET", url+"&method=caltrack-hourly", "", e.analyst).want(t, http.StatusOK).decode(t, &hourly)
	if r := hourly.Result; r.Status != "SUCCESS" || r.Model != "towt" || math.Abs(r.Savings.Percent-10) > 1 || r.Metrics.Reporting.N != r.Savings.Periods {
		t.Errorf("hourly answer %+v", hourly)
	}
	// so does the eemeter 4.x daily model, current and legacy settings
	for _, q := range []string{"&method=daily", "&method=daily&daily_legacy=true"} {
		e.do("GET", url+q, "", e.analyst).want(t, http.StatusOK).decode(t, &out)
		if out.Result.Status != "SUCCESS" || !strings.Contains(out.Result.Model, "tidd") || math.Abs(out.Result.Savings.Percent-10) > 1 {
			t.Errorf("%s answer %+v", q, out)
		}
	}
	e.do("GET", url+"&method=caltrack-billing", "", e.analyst).want(t, http.StatusBadRequest)
	e.do("GET", url+"&method=billing", "", e.analyst).want(t, http.StatusBadRequest)
	p := e.do("GET", "/api/v1/meters/"+itoa(e.meter1.ID)+"/savings?blackout_start=2026-13-01&blackout_end=2026-01-01", "", e.analyst).
		want(t, http.StatusBadRequest).problem(t)
	if !strings.Contains(fmt.Sprint(p), "blackout_start") {
		t.Errorf("problem %+v does not name blackout_start", p)
	}
	// account 2's premise (ZIP 91505) maps to a station with no weather;
	// its portal-invisible meter is 404 for the customer user too
	m2 := customer.Meter{AccountID: e.acct2.ID, Serial: "M-0002", IntervalSeconds: 3600, Installed: e.meter1.Installed}
	if err := e.db.InTx(context.Background(), func(tx *store.Tx) error { return tx.CreateMeter(context.Background(), auth.System, &m2) }); err != nil {
		t.Fatal(err)
	}
	url2 := "/api/v1/meters/" + itoa(m2.ID) + "/savings?blackout_start=2026-01-01&blackout_end=2026-01-01"
	e.do("GET", url2, "", e.portal).want(t, http.StatusNotFound)
	if p := e.do("GET", url2, "", e.analyst).want(t, http.StatusNotFound).problem(t); !strings.Contains(fmt.Sprint(p), "no weather is stored for station") {
		t.Errorf("problem %+v", p)
	}
}

// TestAccountEstimateBillsEverySchedule: with the shipped tariffs stored,
// account 1's two synthetic years are billed on both SCE residential
// schedules with the five options; its portal user may read it, another
// account's is not found, a bad grid factor names the field.
func TestAccountEstimateBillsEverySchedule(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	storetest.SeedTwoYears(t, e.db, e.meter1.Channels[0].ID, "", 1)
	vs, err := tariff.Shipped()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.InTx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.ImportTariffs(context.Background(), auth.System, vs, nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Tariffs []struct {
			Code  string `json:"code"`
			Total int64  `json:"total_cents"`
		} `json:"tariffs"`
		Best    string            `json:"best_schedule"`
		Options []json.RawMessage `json:"options"`
	}
	url := "/api/v1/accounts/" + itoa(e.acct1.ID) + "/estimate?grid_co2=500"
	e.do("GET", url, "", e.portal).want(t, http.StatusOK).decode(t, &out)
	if len(out.Tariffs) < 2 || out.Best == "" || len(out.Options) != 5 || out.Tariffs[0].Total <= 0 {
		t.Errorf("estimate %+v", out)
	}
	e.do("GET", "/api/v1/accounts/"+itoa(e.acct2.ID)+"/estimate", "", e.portal).want(t, http.StatusNotFound)
	if p := e.do("GET", "/api/v1/accounts/"+itoa(e.acct1.ID)+"/estimate?grid_co2=lots", "", e.analyst).want(t, http.StatusBadRequest).problem(t); !strings.Contains(fmt.Sprint(p), "grid_co2") {
		t.Errorf("problem %+v", p)
	}
}

// TestSavingsModelTypePattern: the OpenAPI model_type pattern admits each
// CalTRACK 2.0 type, towt and eemeter 4.1.1's ModelType values, alone or a
// split model's types joined by +, and nothing else.
func TestSavingsModelTypePattern(t *testing.T) {
	re := regexp.MustCompile(modelTypePattern())
	for _, s := range []string{"cdd_hdd", "intercept_only", "towt", "hdd_tidd_cdd_smooth", "tidd", "hdd_tidd+tidd_cdd_smooth"} {
		if !re.MatchString(s) {
			t.Errorf("%q refused", s)
		}
	}
	for _, s := range []string{"", "hdd_tidd+", "cdd_hdd+tidd", "towt+tidd", "c_hdd_tidd", "hdd_tidd_cdd_smooth "} {
		if re.MatchString(s) {
			t.Errorf("%q admitted", s)
		}
	}
}
