package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/store/storetest"
)

// calcBody posts a flat $0.20/kWh delivery rate with a $0.50/day charge
// and 48 hours at 1 kWh (12 of them exporting 2 kWh).
func calcBody(t *testing.T, options string) string {
	t.Helper()
	var csv strings.Builder
	csv.WriteString("start,duration_s,delivered_wh,received_wh\n")
	const start = 1740816000 // 2025-03-01 00:00 PST
	for h := range 48 {
		rec := 0
		if h%24 >= 10 && h%24 < 16 {
			rec = 2000
		}
		fmt.Fprintf(&csv, "%d,3600,1000,%d\n", start+h*3600, rec)
	}
	tariff := `{"utility": "TEST", "code": "FLAT", "name": "flat", "effective_from": "2020-01-01", "holidays": "none",
		"source": {"citation": "test"}, "period_maps": [], "components": [
		{"name": "Delivery", "kind": "energy", "bucket": "delivery", "rates": [[{"price": "0.20"}]]},
		{"name": "Customer charge", "kind": "fixed_per_day", "bucket": "delivery", "price": "0.50"}]}`
	iv, _ := json.Marshal(csv.String())
	return fmt.Sprintf(`{"tariff": %s, "intervals": %s, "options": %s}`, tariff, iv, options)
}

// TestBillCalcBillsPostedDocuments: 48 kWh × $0.20 = $9.60 and 2 days ×
// $0.50 = $1.00; under NEM 1.0 the 24 kWh exported net to 24 kWh, $4.80,
// deferred, so $1.00 is due. Nothing is stored.
func TestBillCalcBillsPostedDocuments(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	before := e.size()
	var out struct {
		Total  int64 `json:"total_cents"`
		Months []struct {
			Energy int64 `json:"energy_charge_cents"`
			Fixed  int64 `json:"fixed_charge_cents"`
		} `json:"months"`
	}
	e.do("POST", "/api/v1/bills/calc", calcBody(t, `{}`), e.analyst).want(t, http.StatusOK).decode(t, &out)
	if out.Total != 1060 || len(out.Months) != 1 || out.Months[0].Energy != 960 || out.Months[0].Fixed != 100 {
		t.Errorf("answer %+v, want $10.60 = $9.60 energy + $1.00 fixed", out)
	}
	e.do("POST", "/api/v1/bills/calc", calcBody(t, `{"program": "nem1"}`), e.readClient).want(t, http.StatusOK).decode(t, &out)
	if out.Total != 100 {
		t.Errorf("NEM 1.0 total %d¢, want 100", out.Total)
	}
	if after := e.size(); after != before {
		t.Errorf("database changed from %v to %v", before, after)
	}
}

// TestBillCalcRejectsBadInputNamingTheField: an unknown program, a
// missing tariff and an unknown option are 400s naming the field.
func TestBillCalcRejectsBadInputNamingTheField(t *testing.T) {
	e := newEnv(t, storetest.SQLite())
	for _, c := range []struct{ body, field string }{
		{calcBody(t, `{"program": "nem3"}`), "program"},
		{`{"intervals": "x"}`, "tariff"},
		{calcBody(t, `{"colour": "blue"}`), "colour"},
		{calcBody(t, `{"start": "2025-02-01"}`), "billing"},
	} {
		p := e.do("POST", "/api/v1/bills/calc", c.body, e.admin).want(t, http.StatusBadRequest).problem(t)
		if !strings.Contains(fmt.Sprint(p), c.field) {
			t.Errorf("problem %+v does not name %q", p, c.field)
		}
	}
}
