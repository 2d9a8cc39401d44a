package billrun

import "github.com/gridbook/gridbook/internal/apperr"

// fieldsOf lists the fields an error names.
func fieldsOf(err error) []string {
	var out []string
	for _, f := range apperr.FieldsOf(err) {
		out = append(out, f.Field)
	}
	return out
}
