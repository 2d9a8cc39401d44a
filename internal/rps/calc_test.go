package rps

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
)

// TestCalcDocument runs the calculator on the documented input layout
// (issue 7) with T11's numbers and checks the documented output fields.
func TestCalcDocument(t *testing.T) {
	doc := `{"jurisdiction": "CPUC_RETAIL_SELLER", "period": "CP4",
	  "retail_sales_mwh": {"2021": 1000000, "2022": 1000000, "2023": 1000000, "2024": 1000000},
	  "claims": [{"pcc": 1, "mwh": 1000000, "contract_executed": "2015-01-01", "long_term": true},
	             {"pcc": 1, "mwh": 700000, "contract_executed": "2019-01-01", "long_term": false}],
	  "banked_excess_mwh": 0}`
	in, err := ParseCalcInput(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Calc(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	if err := EncodeCalcOutput(&sb, out); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(sb.String()), &got); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]float64{"pqr_mwh": 1_595_000, "long_term_required_mwh": 1_036_750, "long_term_applied_mwh": 1_000_000,
		"shortfall_mwh": 0, "excess_mwh": 105_000, "pcc1_share": 1, "pcc3_share": 0} {
		if v, ok := got[key].(float64); !ok || v != want {
			t.Errorf("%s = %v, want %v", key, got[key], want)
		}
	}
	applied := got["applied_mwh"].(map[string]any)
	if applied["total"] != 1_700_000.0 || applied["pcc1"] != 1_700_000.0 || applied["pcc0"] != 0.0 {
		t.Errorf("applied_mwh = %v", applied)
	}
	if v := got["violations"].([]any); len(v) != 1 {
		t.Errorf("violations = %v, want the long-term shortfall", v)
	}
}

// TestCalcRefusesBadDocuments names the field of each problem.
func TestCalcRefusesBadDocuments(t *testing.T) {
	for doc, field := range map[string]string{
		`{"jurisdiction":"CPUC_RETAIL_SELLER","period":"CP4","retail_sales_mwh":{},"claims":[],"extra":1}`:                            "extra",
		`{"jurisdiction":"CPUC_RETAIL_SELLER","period":"CP4","retail_sales_mwh":{"2021":"many"}}`:                                     "retail_sales_mwh",
		`{"jurisdiction":"CPUC_RETAIL_SELLER","period":"CP9","retail_sales_mwh":{}}`:                                                  "period",
		`{"jurisdiction":"CPUC_RETAIL_SELLER","period":"CP1","retail_sales_mwh":{"2011":1,"2012":1}}`:                                 "retail_sales_mwh.2013",
		`{"jurisdiction":"XX","period":"CP1","retail_sales_mwh":{}}`:                                                                  "period",
		`{"period":"CP1","retail_sales_mwh":{}}`:                                                                                      "jurisdiction",
		`{"jurisdiction":"CPUC_RETAIL_SELLER","period":"CP1","retail_sales_mwh":{"2011":1,"2012":1,"2013":1},"banked_excess_mwh":-1}`: "banked_excess_mwh",
	} {
		in, err := ParseCalcInput(strings.NewReader(doc))
		if err == nil {
			_, err = Calc(nil, in)
		}
		fs := apperr.FieldsOf(err)
		if apperr.KindOf(err) != apperr.Invalid || len(fs) == 0 || fs[0].Field != field {
			t.Errorf("%s: %v, want %s named", doc, err, field)
		}
	}
}
