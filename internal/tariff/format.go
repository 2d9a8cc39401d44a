package tariff

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
)

// The formats a tariff document may come in. The CLI (gridbook tariff
// import), the API (POST /api/v1/tariffs) and the console's upload form
// all read documents through DetectFormat and Parse, so that they accept
// and refuse the same things.
const (
	FormatURDB      = "urdb"    // OpenEI URDB JSON (ParseURDB)
	FormatNative    = "native"  // the native JSON format (ParseNative)
	FormatExportCSV = "nbt-csv" // a utility export-price CSV (ParseExportCSV)
)

// urdbKeys are top-level URDB fields that the native format does not
// have; one of them marks a document as URDB.
var urdbKeys = []string{"items", "energyratestructure", "demandratestructure", "flatdemandstructure",
	"eiaid", "startdate", "fixedchargefirstmeter", "fixedmonthlycharge", "label"}

// DetectFormat tells a tariff document's format from its file name (may
// be empty) and content: a .csv name or content that is not a JSON object
// or list is an export-price CSV; JSON whose top-level object (or first
// list item) has a URDB field such as "items", "energyratestructure" or
// "eiaid" (in any letter case) is URDB; other JSON is native.
func DetectFormat(name string, data []byte) string {
	if strings.EqualFold(filepath.Ext(name), ".csv") {
		return FormatExportCSV
	}
	data = bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(data) == 0 || data[0] != '{' && data[0] != '[' {
		return FormatExportCSV
	}
	var top map[string]json.RawMessage
	if data[0] == '[' {
		var list []map[string]json.RawMessage
		if json.Unmarshal(data, &list) == nil && len(list) > 0 {
			top = list[0]
		}
	} else {
		_ = json.Unmarshal(data, &top)
	}
	for k := range top {
		for _, u := range urdbKeys {
			if strings.EqualFold(k, u) {
				return FormatURDB
			}
		}
	}
	return FormatNative
}

// Parse reads the tariff versions of a URDB or native document; format ""
// detects it (DetectFormat without a file name). Every version is
// validated; any problem rejects the whole document with an Invalid error
// naming the field. opt applies to URDB documents only. An export-price
// CSV is not a tariff version: read it with ParseExportCSV.
func Parse(data []byte, format string, opt URDBOptions) ([]Version, error) {
	if format == "" {
		format = DetectFormat("", data)
	}
	switch format {
	case FormatURDB:
		return ParseURDB(data, opt)
	case FormatNative:
		return ParseNative(data)
	}
	var f apperr.Fields
	if format == FormatExportCSV {
		f.Add("format", "the document is not JSON: tariff versions are URDB or native JSON (export-price CSV tables are imported separately)")
	} else {
		f.Add("format", "must be %s or %s, not %q", FormatURDB, FormatNative, format)
	}
	return nil, f.Err("tariff.Parse")
}

// jsonProblem turns a JSON decoding error into an Invalid error naming the
// field where encoding/json says which one (a value of the wrong type, an
// unknown field) and "document" otherwise.
func jsonProblem(op, what string, err error) error {
	var f apperr.Fields
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		f.Add("document", "%s is not valid JSON (at byte %d): %s", what, syn.Offset, strings.TrimPrefix(syn.Error(), "json: "))
	case errors.As(err, &typ) && typ.Field != "":
		f.Add(typ.Field, "want %s, not %s", typ.Type, typ.Value)
	case errors.As(err, &typ):
		f.Add("document", "%s must be a JSON object or list, not %s", what, typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json reports unknown fields only by message.
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		f.Add(name, "unknown field %q: not part of the %s (check its spelling)", name, what)
	default:
		f.Add("document", "%s: %s", what, strings.TrimPrefix(err.Error(), "json: "))
	}
	return f.Err(op)
}
