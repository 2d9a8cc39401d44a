package tariff

import (
	"strings"
	"testing"

	"github.com/gridbook/gridbook/internal/apperr"
)

// TestDetectFormatByStructure checks that documents are told apart by
// their fields, not by words in their text: URDB by a URDB field in any
// letter case (wrapped, bare or listed), native otherwise (even when a
// note mentions "items"), and CSV by name or by not being JSON.
func TestDetectFormatByStructure(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"x.json", `{"items":[{"name":"E-1"}]}`, FormatURDB},
		{"", `{"name":"E-1","energyRateStructure":[]}`, FormatURDB},
		{"", `[{"label":"5cef0a415457a33576f60fe2","startdate":1}]`, FormatURDB},
		{"", `{"utility":"SCE","code":"X","notes":"\"items\" and \"eiaid\" are URDB words"}`, FormatNative},
		{"", `{"versions":[{"utility":"SCE"}]}`, FormatNative},
		{"", `[{"utility":"SCE","code":"X"}]`, FormatNative},
		{"eec.CSV", `{"items":[]}`, FormatExportCSV},
		{"", "Price Effective Date,Month,Hour\n", FormatExportCSV},
		{"", "\ufeff  {\"utility\":\"SCE\"}", FormatNative},
	}
	for _, tt := range tests {
		if got := DetectFormat(tt.name, []byte(tt.doc)); got != tt.want {
			t.Errorf("DetectFormat(%q, %.40s) = %s, want %s", tt.name, tt.doc, got, tt.want)
		}
	}
}

// TestParseReadsBothFormats checks that Parse detects and reads the
// shipped URDB and native files alike, and refuses a format it does not
// read, naming the format field.
func TestParseReadsBothFormats(t *testing.T) {
	for _, name := range []string{"data/urdb/SCE_TOU-8_Option-D_Under-2-kV.json", "data/native/PGE_E-ELEC_2025-03-01.json"} {
		b, err := data.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		vs, err := Parse(b, "", URDBOptions{})
		if err != nil || len(vs) != 1 {
			t.Errorf("%s: %d versions, %v", name, len(vs), err)
		}
	}
	for format, want := range map[string]string{"nbt-csv": "export-price CSV tables are imported separately", "xml": `must be urdb or native, not "xml"`} {
		_, err := Parse([]byte(`{}`), format, URDBOptions{})
		fs := apperr.FieldsOf(err)
		if len(fs) != 1 || fs[0].Field != "format" || !strings.Contains(fs[0].Msg, want) {
			t.Errorf("Parse(format %s) = %v, want format: %q", format, err, want)
		}
	}
}

// TestExportTableJSONRejectsMissingHour checks the bad-input rule "an
// export-price table missing an hour" for a table's JSON form (the
// store's copy): a day with 23 hours is refused, naming the year, month
// and day type, where decoding into the fixed-size array would have
// priced the missing hour at zero. (The same rule on the CSV form is
// TestExportCSVRejectsBadTables.)
func TestExportTableJSONRejectsMissingHour(t *testing.T) {
	tabs, err := ShippedExportTables()
	if err != nil {
		t.Fatal(err)
	}
	b, err := jsonMarshal(tabs[0])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ExportTableFromJSON(b); err != nil {
		t.Fatalf("whole table refused: %v", err)
	}
	// Drop the last hour of the first weekday of the first year: its 24
	// prices end with the first "]]" of the document.
	doc := string(b)
	i := strings.Index(doc, "}],[")
	j := strings.LastIndex(doc[:i], ",{")
	short := doc[:j] + doc[i+1:]
	_, err = ExportTableFromJSON([]byte(short))
	if !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "year 2024 month 1 weekday: 23 hours given, want 24") {
		t.Errorf("table missing an hour: %v", err)
	}
}

// TestExportTableValidateRejectsMissingYear checks that a table read
// from JSON must cover consecutive years, as the CSV reader demands: a
// customer billed in a missing year would have no export price.
func TestExportTableValidateRejectsMissingYear(t *testing.T) {
	tabs, err := ShippedExportTables()
	if err != nil {
		t.Fatal(err)
	}
	tab := tabs[0]
	tab.Years = append(append([]ExportYear(nil), tab.Years[:2]...), tab.Years[3:]...)
	if err := tab.Validate(); !apperr.Is(err, apperr.Invalid) || !strings.Contains(err.Error(), "year 2026 is missing between 2025 and 2027") {
		t.Errorf("table without 2026: %v", err)
	}
}
