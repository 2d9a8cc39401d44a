package tariff

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/gridbook/gridbook/internal/apperr"
)

// The native tariff format is the JSON form of Version: one version
// object, a list of them, or {"versions": [...]}. Prices are decimal
// dollar strings, dates YYYY-MM-DD. It says what URDB cannot: holidays,
// date-based seasons, the bucket of each component, baseline and export
// credits, minimum charges and the source citation. A period map gives
// either "seasons" or URDB-style 12×24 "weekday" and "weekend" matrices,
// which are converted to seasons (FromMatrices). Unknown fields are
// errors, so a misspelt field is never silently ignored.

// ParseNative reads the native format and validates every version.
func ParseNative(data []byte) ([]Version, error) {
	const op = "tariff.ParseNative"
	data = bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	var vs []Version
	var err error
	switch {
	case len(data) > 0 && data[0] == '[':
		err = strictDecode(data, &vs)
	case len(data) > 0 && data[0] == '{':
		var probe map[string]json.RawMessage
		if err = json.Unmarshal(data, &probe); err == nil {
			if list, ok := probe["versions"]; ok && len(probe) == 1 {
				err = strictDecode(list, &vs)
			} else {
				var v Version
				err = strictDecode(data, &v)
				vs = []Version{v}
			}
		}
	default:
		var f apperr.Fields
		f.Add("document", "a native tariff document is a JSON object or list")
		return nil, f.Err(op)
	}
	if err != nil {
		return nil, jsonProblem(op, "native tariff document", err)
	}
	if len(vs) == 0 {
		return nil, apperr.Invalidf(op, "no tariff versions in the file")
	}
	for i := range vs {
		if err := vs[i].Validate(); err != nil {
			if len(vs) == 1 {
				return nil, err
			}
			return nil, prefixFields(err, op, fmt.Sprintf("versions[%d]", i))
		}
	}
	return vs, nil
}

func strictDecode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON value")
	}
	return nil
}

// periodMapJSON is PeriodMap as written, with the optional matrices.
type periodMapJSON struct {
	Name    string   `json:"name"`
	Periods []string `json:"periods"`
	Seasons []Season `json:"seasons,omitempty"`
	Weekday [][]int  `json:"weekday,omitempty"`
	Weekend [][]int  `json:"weekend,omitempty"`
}

// UnmarshalJSON reads a period map given by seasons or by 12×24 matrices.
func (m *PeriodMap) UnmarshalJSON(b []byte) error {
	var raw periodMapJSON
	if err := strictDecode(b, &raw); err != nil {
		return err
	}
	*m = PeriodMap{Name: raw.Name, Periods: raw.Periods, Seasons: raw.Seasons}
	if raw.Weekday == nil && raw.Weekend == nil {
		return nil
	}
	if raw.Seasons != nil {
		return fmt.Errorf("period map %q: give seasons or weekday/weekend matrices, not both", raw.Name)
	}
	s, err := FromMatrices(raw.Weekday, raw.Weekend)
	if err != nil {
		msgs := []string{}
		for _, fe := range apperr.FieldsOf(err) {
			msgs = append(msgs, fe.Field+": "+fe.Msg)
		}
		return fmt.Errorf("period map %q: %s", raw.Name, strings.Join(msgs, "; "))
	}
	m.Seasons = s
	return nil
}

// Hash returns the hex SHA-256 of v's canonical JSON: imports use it to
// recognise a version already stored.
func (v *Version) Hash() (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}
